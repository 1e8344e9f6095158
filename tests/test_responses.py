"""The response study (sim/studies/responses.py): its arc elasticity is exact where the formula is, its design has
every lever at every step on paired seeds, a failed run is recorded instead of stopping the study, and the table
says when new-business revenue is not in the run summary.

Most tests build the study's tables from constructed runs (no model run); the runs that do run use a 2,000-account
market over 10 weeks.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim.runner import replicate_seeds, run_replicates
from sim.studies import responses as rs

TINY = ("market.accounts=2000", "weeks=10")
"""A market and horizon small enough for a run in a few hundredths of a second."""


def _flat(cfg) -> dict:
    out = {}

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[f"{prefix}{key}"] = value

    walk(dataclasses.asdict(cfg), "")
    return out


# -- the arc elasticity -------------------------------------------------------------------------------------------

def test_arc_elasticity_of_a_constant_elasticity_curve_is_its_exponent_at_every_step_and_direction():
    for e in (0.12, 0.34, -2.62, 1.0):
        for x0, x1 in ((100.0, 150.0), (100.0, 50.0), (25_000.0, 27_500.0), (8, 9)):
            y0, y1 = 3.0 * x0**e, 3.0 * x1**e
            assert rs.arc_elasticity(y0, y1, x0, x1) == pytest.approx(e, abs=1e-12)
            assert rs.arc_elasticity(y1, y0, x1, x0) == pytest.approx(e, abs=1e-12)


def test_arc_elasticity_on_a_constructed_case_and_where_it_is_undefined():
    # revenue 200 -> 260 when the budget goes 100 -> 150: ln(1.3) / ln(1.5)
    assert rs.arc_elasticity(200.0, 260.0, 100.0, 150.0) == pytest.approx(math.log(1.3) / math.log(1.5), rel=1e-15)
    assert rs.arc_elasticity(200.0, 200.0, 100.0, 150.0) == 0.0
    out = rs.arc_elasticity(np.array([200.0, 0.0, -5.0, 200.0]), np.array([260.0, 10.0, 10.0, 260.0]),
                            np.array([100.0, 100.0, 100.0, 100.0]), np.array([150.0, 150.0, 150.0, 100.0]))
    assert out[0] == pytest.approx(math.log(1.3) / math.log(1.5))
    assert np.isnan(out[1:]).all(), "a non-positive outcome or an unchanged lever has no log arc elasticity"


def test_stepped_rounds_whole_number_levers_and_refuses_switches():
    assert rs.stepped(8, 1.1) == 9 and isinstance(rs.stepped(8, 1.1), int)
    assert rs.stepped(8, 0.5) == 4
    assert rs.stepped(25_000.0, 0.9) == pytest.approx(22_500.0)
    with pytest.raises(ValueError):
        rs.stepped(True, 1.5)


# -- the design ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_design():
    return rs.design(rs.SCENARIOS, TINY)


def test_design_has_a_default_and_every_lever_at_every_step_per_scenario(tiny_design):
    arms, plan = tiny_design
    assert len(arms) == len(rs.SCENARIOS) * (1 + len(rs.RESPONSES) * len(rs.STEPS))
    assert len(plan) == len(rs.SCENARIOS) * len(rs.RESPONSES) * len(rs.STEPS)
    assert sorted(rs.STEPS) == [0.5, 0.9, 1.1, 1.5]
    for scenario in rs.SCENARIOS:
        base = arms[rs.default_arm(scenario)]
        assert base.market.accounts == 2000 and base.weeks == 10, "the overrides reach every arm"
        flat_base = _flat(base)
        for r in rs.RESPONSES:
            rows = plan[(plan["scenario"] == scenario) & (plan["lever"] == r.lever)]
            assert list(rows["step"]) == list(rs.STEPS)
            for row in rows.itertuples():
                cfg = arms[row.arm]
                assert rs.get_field(cfg, r.lever) == row.value == rs.stepped(rs.get_field(base, r.lever), row.step)
                changed = {k for k, v in _flat(cfg).items() if flat_base[k] != v} - {"name"}
                assert changed == {r.lever}, f"{row.arm} differs from its default in {changed}"


def test_the_scenarios_have_their_own_defaults(tiny_design):
    _, plan = tiny_design
    discount = plan[plan["lever"] == "policy.max_discount"].groupby("scenario")["default"].first()
    assert discount["hundred_years_war"] != discount["full_alignment"]


# -- running: paired seeds, shared runs, failures ------------------------------------------------------------------

def test_run_arms_pairs_seeds_runs_equal_configs_once_and_matches_run_replicates(tiny_design):
    arms, _ = tiny_design
    base = arms[rs.default_arm("hundred_years_war")]
    raised = arms[rs.step_arm("hundred_years_war", "sales.reps", 1.5)]
    twin = dataclasses.replace(base, name="twin")
    batch = rs.run_arms({"a": base, "b": raised, "c": twin}, replicates=2, seed=5, progress=False)
    assert batch.failures.empty
    assert batch.executed == 4, "the twin of the default arm shares its runs"
    for arm in ("a", "b", "c"):
        assert list(batch.runs[batch.runs["arm"] == arm]["seed"]) == replicate_seeds(5, 2)
    ref = run_replicates([base, raised], 2, seed=5).runs
    for arm, cfg in (("a", base), ("b", raised)):
        mine = batch.values(arm, "revenue_total").to_numpy()
        theirs = ref[ref["scenario"] == cfg.name].sort_values("replicate")["revenue_total"].to_numpy()
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(batch.values("a", "revenue_total"), batch.values("c", "revenue_total"))


def test_a_failed_run_is_recorded_and_reported_not_fatal(tiny_design, monkeypatch):
    arms, _ = tiny_design
    base = arms[rs.default_arm("hundred_years_war")]
    raised = arms[rs.step_arm("hundred_years_war", "sales.reps", 1.5)]
    bad_seed = replicate_seeds(3, 2)[1]
    real = rs.run

    def flaky(cfg, seed, progress=None):
        if seed == bad_seed and cfg.sales.reps == raised.sales.reps:
            raise RuntimeError("disk full")
        return real(cfg, seed, progress=progress)

    monkeypatch.setattr(rs, "run", flaky)
    batch = rs.run_arms({"a": base, "b": raised}, replicates=2, seed=3, progress=False)
    assert len(batch.runs) == 3
    assert batch.failures[["arm", "replicate"]].values.tolist() == [["b", 1]]
    assert "RuntimeError: disk full" in batch.failures["error"].iloc[0]
    assert np.isnan(batch.values("b", "revenue_total").iloc[1])
    text = rs.failures_markdown(batch.failures)
    assert "1 run(s) failed" in text and "`b`, replicate 1" in text


# -- the table from constructed runs ------------------------------------------------------------------------------

def _constructed(plan, arms, elasticity=0.25, new_business=False, replicates=3):
    """Runs where every outcome is ``(1 + k) x lever^elasticity`` for replicate k (the default arm at the
    scenario's value): every arc elasticity is exactly ``elasticity``."""
    rows = []
    value_of = {rs.default_arm(s): None for s in plan["scenario"].unique()}
    value_of.update({r.arm: (r.lever, r.value, r.default) for r in plan.itertuples()})
    for arm, spec in value_of.items():
        for k in range(replicates):
            ratio = 1.0 if spec is None else spec[1] / spec[2]
            y = (1 + k) * 1e6 * ratio**elasticity
            row = {"arm": arm, "replicate": k, "seed": k, "revenue_total": y, "gross_margin_total": y / 2,
                   "customers_won": y / 1e4}
            if new_business:
                row["revenue_new_business_total"] = y / 3
            rows.append(row)
    runs = pd.DataFrame(rows)
    failures = pd.DataFrame(columns=["arm", "replicate", "seed", "error"])
    return rs.ArmRuns(runs, failures, len(runs), 1.0, replicates, list(range(replicates)))


def test_measure_gives_the_constructed_elasticity_with_no_saturation_or_asymmetry(tiny_design):
    arms, plan = tiny_design
    frame = rs.measure(_constructed(plan, arms, 0.25, new_business=True), plan)
    steps = frame[frame["step"].isin(rs.STEPS)]
    # whole-number levers are rounded: the elasticity still uses the rounded values, so it stays exact
    assert np.allclose(steps["elasticity"].astype(float), 0.25, atol=1e-12)
    diffs = frame[frame["step"].isin(["saturation", "asymmetry"])]
    assert len(diffs) == 2 * len(rs.SCENARIOS) * len(rs.RESPONSES) * len(rs.OUTCOMES)
    assert np.allclose(diffs["elasticity"].astype(float), 0.0, atol=1e-12)


def test_saturation_reads_a_smaller_elasticity_at_plus_fifty():
    row = {"elasticity": -0.05, "ci_low": -0.08, "ci_high": -0.02, "replicates": 20}
    assert rs.saturation_word(row) == "saturates"
    assert rs.saturation_word({**row, "ci_high": 0.01}) == "n.s."
    assert rs.asymmetry_word(row) == "cut moves more"
    assert rs.asymmetry_word({**row, "elasticity": 0.05, "ci_low": 0.02, "ci_high": 0.08}) == "rise moves more"


def test_new_business_revenue_is_read_from_the_split_when_present_and_said_unavailable_otherwise(tiny_design):
    summary = pd.Series({"revenue_total": 10.0, "new_customer_revenue_total": 2.0})
    assert rs.new_business_revenue(summary) is None, "first-year revenue is not the new-business split"
    assert rs.new_business_revenue(pd.concat([summary, pd.Series({"revenue_new_business_total": 4.0})])) == 4.0
    assert rs.new_business_column(["x", "installed_base_revenue_total", "new_business_revenue_total"]) == \
        "new_business_revenue_total"
    arms, plan = tiny_design
    for present in (False, True):
        batch = _constructed(plan, arms, 0.25, new_business=present)
        text = rs.table_markdown(rs.measure(batch, plan), batch, plan, arms, "python -m sim.studies.responses", 1)
        assert (rs.UNAVAILABLE in text) is not present
        nb_rows = [line for line in text.splitlines() if "| New-business revenue |" in line]
        assert len(nb_rows) == len(rs.SCENARIOS) * len(rs.RESPONSES)
        assert all(("+0.25 [" in line) is present for line in nb_rows)


def test_table_has_one_row_per_scenario_lever_and_outcome_with_the_command_and_run_counts(tiny_design):
    arms, plan = tiny_design
    batch = _constructed(plan, arms, 0.25, new_business=True)
    text = rs.table_markdown(rs.measure(batch, plan), batch, plan, arms, "python -m sim.studies.responses --x", 1)
    body = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(body) == len(rs.SCENARIOS) * len(rs.RESPONSES) * len(rs.OUTCOMES)
    assert "`python -m sim.studies.responses --x`" in text
    assert f"{len(arms)} arms" in text and f"= {len(arms) * 3} runs" in text
    assert "Sethuraman, Tellis & Briesch (2011)" in text


def test_a_variant_goes_to_the_scratch_folder_and_writes_no_document(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rs.variant_name(20, 20, 1, []) == ""
    name = rs.variant_name(2, 20, 1, ["weeks=10"])
    assert name and rs.output_folder("responses", name).is_relative_to(tmp_path / "outputs")
    assert rs.output_folder("responses", "") == rs.results_dir() / "responses"
