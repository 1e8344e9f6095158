"""Scenario discovery (sim.ema.condition, sim.ema.discovery, alignsim discover): the stated condition, PRIM boxes
and CART leaves on data with a known answer, and the command on a sweep directory and on an EMA result set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from sim.config import ConfigError  # noqa: E402
from sim.ema.condition import parse  # noqa: E402
from sim.ema.discovery import discover  # noqa: E402

TINY = ["market.accounts=1500", "weeks=30"]


def planted(n: int = 400, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Experiments where NRR >= 100 % exactly when blame culture < 0.4, or marketing is paid on revenue and a
    coin says so; cash is noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"policy.blame_culture": rng.uniform(0, 1, n),
                      "policy.marketing_pay": rng.choice(["lead_volume", "pipeline", "revenue"], n),
                      "policy.joint_meetings": rng.integers(0, 53, n), "market.fit_beta": rng.uniform(2.5, 10, n)})
    good = (x["policy.blame_culture"] < 0.4) | ((x["policy.marketing_pay"] == "revenue") & (rng.random(n) < 0.5))
    return x, pd.DataFrame({"nrr_annual": np.where(good, 1.05, 0.95), "cash_balance_end": rng.normal(0, 1, n)})


def test_condition_reads_outcomes_numbers_and_percentages():
    c = parse("nrr_annual >= 100% and not (cash_balance_end < 0 or cac > 5e4)")
    table = pd.DataFrame({"nrr_annual": [1.01, 0.99, np.nan, 1.2], "cash_balance_end": [1.0, 1.0, 1.0, -1.0],
                          "cac": [1e3, 1e3, 1e3, 1e3]})
    assert c(table).tolist() == [True, False, False, False]          # NaN never meets a condition
    assert c.outcomes == ("nrr_annual", "cash_balance_end", "cac")
    assert parse("0 < cash_balance_end").describe() == "0.00 EUR million < Cash balance at the end"
    assert parse("nrr_annual >= 1.0").describe() == "Net revenue retention >= 100.0 %"


@pytest.mark.parametrize("text, words", [
    ("nrr_anual >= 1", ["'nrr_anual' is not an outcome", "did you mean 'nrr_annual'"]),
    ("nrr_annual >=", ["not valid syntax"]),
    ("nrr_annual > cash_balance_end", ["one outcome with one number"]),
    ("__import__('os').system('true')", ["is not allowed"]),
    ("nrr_annual > 1 + 1", ["neither an outcome nor a number"]),
    ("  ", ["give comparisons"]),
])
def test_a_bad_condition_is_refused_with_the_reason(text, words):
    with pytest.raises(ConfigError) as err:
        parse(text)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_prim_and_cart_find_the_planted_region():
    x, y = planted()
    result = discover(x, y, "nrr_annual >= 1.0 and cash_balance_end > -10", boxes=2)
    first = result.boxes[0]
    limits = first.limits.set_index("input")
    low, high = (float(v) for v in limits.loc["policy.blame_culture", "limits"].split(" to "))
    assert 0.3 < high < 0.65 and first.density >= 0.8                    # the planted threshold is 0.4
    inside = x["policy.blame_culture"].between(low, high)
    meets = result.condition(y)
    assert first.coverage == pytest.approx(meets[inside].sum() / meets.sum(), abs=0.02)
    assert first.density == pytest.approx(meets[inside].mean(), abs=0.02)
    assert limits.loc["policy.blame_culture", "unit"] == "probability"
    trajectory = result.trajectory[result.trajectory["box"] == 1]
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["coverage"].is_monotonic_decreasing
    best = result.cart.sort_values("density", ascending=False).iloc[0]
    assert best["density"] == 1.0 and "policy.blame_culture <= 0.4" in best["rule"]
    revenue = result.cart["rule"].str.contains("policy.marketing_pay = revenue")
    other = result.cart["rule"].str.contains("policy.marketing_pay != revenue")
    assert revenue.any() and other.any()                                # a choice split names the value it keeps
    assert (result.cart.loc[revenue, "density"] > 0.2).all() and (result.cart.loc[other, "density"] == 0).all()
    assert "PRIM box 1: coverage" in result.markdown()


def test_screening_keeps_the_inputs_that_matter():
    x, y = planted()
    rng = np.random.default_rng(2)
    for k in range(30):
        x[f"market.noise_{k}"] = rng.uniform(0, 1, len(x))
    result = discover(x, y, "nrr_annual >= 1", screen=3)
    assert "policy.blame_culture" in result.inputs and len(result.inputs) == 3
    assert result.scores.index[0] == "policy.blame_culture"


def test_discovery_refuses_what_it_cannot_answer():
    x, y = planted()
    with pytest.raises(ConfigError, match="holds in 400 of 400"):
        discover(x, y, "nrr_annual > 0")
    with pytest.raises(ConfigError, match="'policy.blame' is not a column"):
        discover(x, y, "nrr_annual >= 1", columns=["policy.blame"])


def test_alignsim_discover_on_a_sweep_directory(tmp_path, capsys):
    import sim.sweep
    from sim.ema.cli import discover_main

    spec = {"name": "d", "overrides": TINY, "replicates": 1, "chunk_size": 20,
            "levers": {"policy.lead_sla": {}, "policy.max_discount": {}, "policy.blame_culture": {}},
            "design": {"method": "lhs", "samples": 30, "seed": 1}, "execution": {"n_jobs": 2}}
    runs = sim.sweep.run_sweep(spec, tmp_path / "s", progress=False)
    threshold = float(runs["lead_acceptance"].median())
    out = tmp_path / "found"
    assert discover_main([str(tmp_path / "s"), "--condition", f"lead_acceptance > {threshold}",
                          "--out", str(out)]) == 0
    boxes = pd.read_csv(out / "boxes.csv")
    assert "policy.lead_sla" in set(boxes["input"])                    # the SLA is what makes sales accept leads
    for name in ("trajectory.csv", "cart.csv", "discovery.md", "prim_box1_tradeoff.png", "prim_box1_limits.png",
                 "cart_tree.png"):
        assert (out / name).stat().st_size > 0, name
    assert discover_main([str(tmp_path / "s"), "--condition", "lead_aceptance > 1"]) == 2
    assert "did you mean 'lead_acceptance'" in capsys.readouterr().err
    assert discover_main([str(tmp_path / "nowhere"), "--condition", "cac > 1"]) == 2


def test_an_ema_result_set_is_read_with_dotted_fields(tmp_path):
    from ema_workbench import perform_experiments, save_results

    import sim.ema
    from sim.ema import inputs

    m = sim.ema.model(overrides=TINY, levers=["policy.blame_culture", "policy.spend_veto"],
                      uncertainties=["market.fit_beta"], outcomes=["revenue_total"], replicates=1)
    results = perform_experiments(m, scenarios=2, policies=2)
    save_results(results, str(tmp_path / "set.tar.gz"))
    x, y = inputs.load(tmp_path / "set.tar.gz")
    assert set(x.columns) == {"policy.blame_culture", "policy.spend_veto", "market.fit_beta"}
    assert list(y.columns) == ["revenue_total"] and len(x) == len(y) == 4
    (tmp_path / "runs.csv").write_text("a,b\n")
    with pytest.raises(ConfigError, match="not an EMA result set"):
        inputs.load(tmp_path / "runs.csv")
