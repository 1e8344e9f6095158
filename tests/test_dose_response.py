"""The dose-response study (sim/studies/dose_response.py): every policy lever of the schema, five values spanning
its allowed range (switches off and on, choices each choice), the scenario's value marked, paired seeds, and a
generated section with one row per lever and value.

The section and the figure are built from constructed runs (no model run); the one test that runs the model uses
a 2,000-account market over 10 weeks.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.config import PolicyConfig
from sim.runner import replicate_seeds
from sim.studies import dose_response as dr
from sim.studies.responses import ArmRuns, get_field, run_arms

TINY = ("market.accounts=2000", "weeks=10")


@pytest.fixture(scope="module")
def tiny_design():
    return dr.design(dr.SCENARIOS, TINY)


def test_every_policy_lever_of_the_schema_is_in_the_study():
    names = [lever.field for lever in dr.levers()]
    assert names == [f"policy.{f.name}" for f in dataclasses.fields(PolicyConfig)]
    kinds = {lever.field: lever.kind for lever in dr.levers()}
    assert kinds["policy.lead_sla"] == "switch" and kinds["policy.marketing_pay"] == "choice"
    assert kinds["policy.joint_meetings"] == "integer" and kinds["policy.blame_culture"] == "number"


def test_five_values_span_each_levers_range_and_switches_take_off_and_on():
    for lever in dr.levers():
        values = dr.lever_values(lever)
        if lever.kind == "switch":
            assert values == (False, True)
        elif lever.kind == "choice":
            assert values == tuple(lever.choices) and len(values) >= 2
        else:
            assert values[0] == lever.low and values[-1] == lever.high, lever.field
            assert list(values) == sorted(set(values)), lever.field
            if lever.kind == "number":
                assert len(values) == dr.POINTS
                assert np.allclose(np.diff(values), (lever.high - lever.low) / (dr.POINTS - 1))
            else:
                assert all(isinstance(v, int) for v in values) and 2 <= len(values) <= dr.POINTS
    meetings = next(lv for lv in dr.levers() if lv.field == "policy.joint_meetings")
    assert dr.lever_values(meetings) == (0, 13, 26, 39, 52)


def test_design_marks_the_scenarios_value_once_and_changes_only_the_lever(tiny_design):
    arms, plan = tiny_design
    for scenario in dr.SCENARIOS:
        base = arms[dr.default_arm(scenario)]
        assert base.market.accounts == 2000 and base.weeks == 10
        for lever in dr.levers():
            rows = plan[(plan["scenario"] == scenario) & (plan["lever"] == lever.field)]
            current = get_field(base, lever.field)
            assert rows["is_default"].sum() == 1, (scenario, lever.field)
            default = rows[rows["is_default"]].iloc[0]
            assert default["arm"] == dr.default_arm(scenario) and default["value"] == current
            assert set(dr.lever_values(lever)) <= set(rows["value"])
            assert len(rows) == len(dr.lever_values(lever)) + (current not in dr.lever_values(lever))
            for row in rows[~rows["is_default"]].itertuples():
                cfg = arms[row.arm]
                assert get_field(cfg, lever.field) == row.value
                other = dataclasses.replace(cfg, name=base.name)
                setattr(other.policy, lever.field.split(".")[1], current)
                assert other == base, f"{row.arm} changes more than {lever.field}"


def test_the_design_s_arms_run_on_paired_seeds(tiny_design):
    arms, plan = tiny_design
    chosen = plan[(plan["scenario"] == "hundred_years_war") & (plan["lever"] == "policy.lead_sla")]["arm"]
    batch = run_arms({a: arms[a] for a in chosen}, replicates=2, seed=1, progress=False)
    assert batch.failures.empty and len(batch.runs) == 4
    for arm in chosen:
        assert list(batch.runs[batch.runs["arm"] == arm]["seed"]) == replicate_seeds(1, 2)


def test_net_revenue_retention_is_read_by_name_and_falls_back_only_when_the_summary_lacks_it():
    assert dr.OUTCOMES[-1] == "nrr_annual"
    column, note = dr.outcome_column(["revenue_total", "retention_12m"], "nrr_annual")
    assert column == "retention_12m" and "not in the run summary yet" in note
    assert dr.outcome_column(["nrr_annual", "retention_12m"], "nrr_annual") == ("nrr_annual", "")
    assert dr.outcome_column(["nrr_annual_cohort", "nrr_annual_base"], "nrr_annual")[0] == "nrr_annual_base"


def _constructed(plan, replicates=3, inert="policy.ops_flexibility"):
    """Runs where revenue rises with the arm's index, except the ``inert`` lever's arms, which repeat the
    default's runs exactly."""
    arms = list(dict.fromkeys(plan["arm"]))
    lever_of = dict(zip(plan["arm"], plan["lever"]))
    rows = []
    for i, arm in enumerate(arms):
        bump = 0 if arm.endswith("/default") or lever_of[arm] == inert else i
        for k in range(replicates):
            y = 1e7 * (1 + 0.1 * k) + 1e4 * bump
            rows.append({"arm": arm, "replicate": k, "seed": k, "revenue_total": y, "gross_margin_total": 0.4 * y,
                         "retention_12m": 0.8 + 0.01 * k})
    runs = pd.DataFrame(rows)
    return ArmRuns(runs, pd.DataFrame(columns=["arm", "replicate", "seed", "error"]), len(runs), 1.0, replicates,
                   list(range(replicates)))


def test_the_section_has_one_row_per_lever_and_value_and_marks_defaults_and_inert_levers(tiny_design):
    arms, plan = tiny_design
    batch = _constructed(plan)
    frame, notes = dr.measure(batch, plan)
    text = dr.section_markdown(frame, notes, batch, arms, "python -m sim.studies.dose_response --seeds 3", 1)
    body = [line for line in text.splitlines() if line.startswith("| `policy.")]
    assert len(body) == len(plan)
    for lever, rows in plan.groupby("lever"):
        assert sum(line.startswith(f"| `{lever}`") for line in body) == len(rows), lever
    assert sum("(default)" in line for line in body) == len(dr.SCENARIOS) * len(dr.levers())
    inert = [line for line in body if "no effect here" in line]
    assert inert and all(line.startswith("| `policy.ops_flexibility`") for line in inert)
    assert "`python -m sim.studies.dose_response --seeds 3`" in text
    assert f"= {len(arms) * 3} runs" in text and "0 failed" in text
    assert "12-month retention" in text and "(`nrr_annual`) is not in the run summary yet" in text


def test_the_paired_revenue_change_from_the_default_is_exact_on_constructed_runs(tiny_design):
    _, plan = tiny_design
    batch = _constructed(plan)
    frame, _ = dr.measure(batch, plan)
    arm_index = {a: i for i, a in enumerate(dict.fromkeys(plan["arm"]))}
    moved = frame[~frame["is_default"] & (frame["lever"] != "policy.ops_flexibility")]
    expected = moved["arm"].map(arm_index) * 1e4
    np.testing.assert_allclose(moved["revenue_difference"], expected, rtol=1e-9)
    np.testing.assert_allclose(moved["revenue_difference_high"] - moved["revenue_difference_low"], 0, atol=1e-6)


def test_the_figure_has_a_panel_per_lever_with_labels_and_a_legend(tiny_design):
    _, plan = tiny_design
    frame, _ = dr.measure(_constructed(plan), plan)
    fig = dr.plot_scenario(frame, "full_alignment", "revenue_total", 3)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == len(dr.levers())
    assert all(ax.get_xlabel() and ax.get_title() for ax in shown)
    assert "EUR million" in shown[0].get_ylabel()
    assert fig.legends and "full_alignment" in fig._suptitle.get_text()


def test_validation_document_has_the_dose_response_markers_in_its_model_analysis_section():
    text = dr.DOC.read_text()
    start, end = f"<!-- {dr.STUDY}:start -->", f"<!-- {dr.STUDY}:end -->"
    assert text.count(start) == 1 and text.count(end) == 1
    analysis = text.split("## 7.", 1)[1].split("\n## ", 1)[0]
    assert analysis.index(start) < analysis.index(end)
