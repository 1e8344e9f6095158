"""Global sensitivity: the Morris stage ranks on the stored screen and hands its top ten to the Sobol stage."""

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris

from sim.calibration.priors import all_priors
from sim.calibration.screening import LEVELS, STEP, Screen
from sim.studies import global_sensitivity as gs


def _screen(effects_revenue: np.ndarray, effects_nrr: np.ndarray) -> Screen:
    """A screen whose outcomes are linear in the unit positions, with the given slopes (no simulation)."""
    names = list(all_priors())[: len(effects_revenue)]
    priors = {f: all_priors()[f] for f in names}
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    unit = morris.sample(problem, 12, num_levels=LEVELS, seed=3)
    outcomes = pd.DataFrame({"revenue_total": unit @ effects_revenue, "nrr_annual": unit @ effects_nrr})
    noise = pd.DataFrame({"revenue_total": [1.0, 3.0], "nrr_annual": [0.0, 0.001]})
    return Screen(priors, pd.DataFrame(unit, columns=names), pd.DataFrame(index=range(len(unit))), outcomes,
                  pd.DataFrame(index=range(2)), noise, [], {"trajectories": 12})


def test_the_sobol_stage_takes_the_top_ten_by_morris_mu_star():
    revenue = np.array([1e6 * (14 - j) for j in range(14)])
    revenue[12] = 0.0  # moves retention only, and ranks by it
    nrr = np.zeros(14)
    nrr[12] = 0.5
    screen = _screen(revenue, nrr)
    ranking = gs.morris_ranking(screen)
    names = list(screen.priors)
    assert gs.top_fields(ranking) == [names[12], *names[:9]]
    first = ranking.set_index("field").loc[names[0]]
    assert first["mu_star:revenue_total"] == pytest.approx(14e6, rel=1e-9)  # per unit of the unit cube
    assert first["noise:revenue_total"] == pytest.approx(2.0 / STEP) and first["score"] == pytest.approx(1.0)
    assert ranking["rank"].tolist() == list(range(1, 15))


def test_sobol_indices_of_a_known_function():
    """y = 4 u0 + u1 + 0 u2: first-order shares 16/17, 1/17, 0 and no interaction."""
    fields = list(all_priors())[:3]
    unit = gs.design(fields, 256)
    y = 4 * unit[:, 0] + unit[:, 1]
    runs = pd.DataFrame({"point": np.repeat(np.arange(len(unit)), 2), "revenue_total": np.repeat(y, 2),
                         "nrr_annual": np.repeat(unit[:, 1], 2)})
    ind = gs.sobol_table(fields, runs, len(unit)).set_index(["outcome", "lever", "index"])["value"]
    assert ind["revenue_total", fields[0], "S1"] == pytest.approx(16 / 17, abs=0.03)
    assert ind["revenue_total", fields[0], "ST"] == pytest.approx(16 / 17, abs=0.03)
    assert ind["revenue_total", fields[2], "ST"] == pytest.approx(0, abs=0.01)
    assert ind["nrr_annual", fields[1], "ST"] == pytest.approx(1, abs=0.03)
    assert "S1 revenue_total" in gs.sobol_markdown(gs.sobol_table(fields, runs, len(unit)))


def test_a_failed_sobol_run_is_recorded_as_nan():
    frame = gs.run_chunk(([7], [{"relations.initial_trust": 7.0}], [11], gs.OUTPUTS))
    assert frame["point"].tolist() == [7] and frame[list(gs.OUTPUTS)].isna().all(axis=None)
    assert "initial_trust = 7.0 is out of range" in frame["error"].iloc[0]


def test_the_section_states_the_settings_and_both_tables():
    revenue = np.array([1e6 * (14 - j) for j in range(14)])
    screen = _screen(revenue, revenue / 1e8)
    ranking = gs.morris_ranking(screen)
    fields = gs.top_fields(ranking, 3)
    unit = gs.design(fields, 64)
    runs = pd.DataFrame({"point": np.arange(len(unit)), "revenue_total": unit @ [3e6, 2e6, 1e6],
                         "nrr_annual": unit @ [0.03, 0.02, 0.01]})
    settings = {"commit": "abc", "morris_points": len(screen.unit), "morris_trajectories": 12, "parameters": 14,
                "fields": fields, "samples": 64, "points": len(unit), "replicates": 1, "runs": len(unit),
                "failed": 0, "wall_minutes": 1.5, "points_run": len(unit), "n_jobs": 2,
                "noise_share": {"revenue_total": 0.002}}
    text = gs.section(ranking, gs.sobol_table(fields, runs, len(unit)), settings)
    assert f"base sample N = 64, {len(unit)} points x 1 replicates" in text
    assert f"ran {len(unit)} of the points" in text and "1.5 min of wall time" in text
    assert f"| 1 | `{fields[0]}` | 14.00 ± " in text and f"| `{fields[0]}` | " in text
    assert "0.2% of the variance of revenue_total" in text and "CI half-widths (median, largest)" in text


def test_a_stopped_sobol_run_resumes_from_its_stored_chunks(tmp_path, monkeypatch):
    from sim.sweep.spec import ExecutionSpec

    calls = []

    def fake_chunk(task):
        calls.append(task[0][0])
        if len(calls) == 2 and not (tmp_path / "stop").exists():
            (tmp_path / "stop").touch()
            raise KeyboardInterrupt
        return pd.DataFrame({"point": task[0], "replicate": 0, "revenue_total": 1.0, "nrr_annual": 0.9})

    monkeypatch.setattr(gs, "run_chunk", fake_chunk)
    monkeypatch.setattr(gs, "CHUNK", 8)
    fields = list(all_priors())[:2]
    serial = ExecutionSpec(backend="local", n_jobs=1)
    with pytest.raises(KeyboardInterrupt):
        gs.run_sobol(fields, 8, 1, serial, folder=tmp_path, progress=False)
    calls.clear()
    unit, runs, reused = gs.run_sobol(fields, 8, 1, serial, folder=tmp_path, progress=False)
    assert len(unit) == 32 and reused == 8 and runs["point"].tolist() == list(range(32))
    assert calls == [8, 16, 24]  # the first chunk was stored before the stop
