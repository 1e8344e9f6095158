"""A row's kind, measured (issue 19): the loop share and its bootstrap CI, the null model, calibration checks, and
the rule that turns them into a kind."""

import dataclasses

import numpy as np
import pytest

import sim
import sim.studies
from sim.null_model import OUTCOMES, fit_rates, null_runs
from sim.runner import run_replicates
from sim.studies import execution
from sim.studies.declarations import CALIBRATION, EMERGENT, MECHANISM, Arm, Check, Row, Study
from sim.studies.kinds import EMERGENT_SHARE, RULE, calibration_target, classify, knockout_overrides, loop_share

SMALL = ["market.accounts=1500", "weeks=60"]


def test_loop_share_is_the_knocked_out_part_of_the_effect_with_a_paired_interval():
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 1, 40)
    full, knocked = 10 + noise, 2 + noise + rng.normal(0, 0.3, 40)  # same seeds: the noise is shared
    share, low, high = loop_share(full[None, :], knocked[None, :])
    assert share == pytest.approx(1 - knocked.mean() / full.mean())
    assert low < share < high and low > EMERGENT_SHARE and high < 0.9
    again = loop_share(full[None, :], knocked[None, :])
    assert again == (share, low, high)  # a seeded bootstrap: the table is reproducible


def test_a_row_with_several_parts_takes_its_smallest_share():
    full = np.array([[10.0, 11, 9, 10], [4.0, 5, 3, 4]])
    knocked = np.array([[1.0, 1, 1, 1], [3.0, 4, 2, 3]])
    share, _, _ = loop_share(full, knocked)
    assert share == pytest.approx(1 - 3 / 4)


def test_no_effect_has_no_share():
    assert all(np.isnan(v) for v in loop_share(np.zeros((1, 5)), np.zeros((1, 5))))


def _row(**fields) -> Row:
    base = Row("F1", "s", EMERGENT, "why", "x", "revenue_total", "e", "[1, 2]", 0.01, True)
    return dataclasses.replace(base, **fields)


@pytest.mark.parametrize("fields, kind", [
    ({"loop_share": 0.8, "loop_share_low": 0.6, "loop_share_high": 0.9, "null_model": "does not reproduce"}, EMERGENT),
    ({"loop_share": 0.8, "loop_share_low": 0.6, "loop_share_high": 0.9, "null_model": "reproduces"}, MECHANISM),
    ({"loop_share": 0.4, "loop_share_low": 0.3, "loop_share_high": 0.5, "null_model": "does not reproduce"}, MECHANISM),
    ({"loop_share": 0.6, "loop_share_low": -0.1, "loop_share_high": 1.2, "null_model": "does not reproduce"},
     MECHANISM),
    ({"calibration_target": "reps_at_quota", "loop_share": 0.9, "loop_share_low": 0.8}, CALIBRATION),
])
def test_the_kind_follows_the_stated_rule(fields, kind):
    assert classify(_row(**fields)) == kind
    assert f"{100 * EMERGENT_SHARE:g} %" in RULE


def test_level_rows_on_a_calibrated_outcome_are_calibration_checks():
    found = {}
    for study in sim.studies.studies():
        res = execution.StudyResult(study, None, None, None, study.arms, {}, False, 0)
        for chk in study.checks:
            target = calibration_target(res, chk)
            if target:
                found[chk.claim] = target
    assert found == {"F7": "lead_acceptance", "F11": "reps_at_quota"}


def test_the_knockout_keeps_the_loops_a_claim_names_and_switches_the_rest_off():
    overrides = knockout_overrides(("blame_erodes_trust",))
    assert "loops.blame_erodes_trust=false" not in overrides and len(overrides) == 4
    assert len(knockout_overrides(())) == 5


def test_a_check_naming_an_unknown_loop_is_refused():
    with pytest.raises(ValueError, match="unknown loops"):
        Study("x", "x", ("F1",), "?", (Arm("a"), Arm("b")),
              (Check("F1", "b beats a", EMERGENT, "passes through a loop", "a", "b", named_loops=("trust",)),))


@pytest.fixture(scope="module")
def reference():
    cfg = sim.load_config("hundred_years_war", SMALL)
    cmp = run_replicates([cfg], 4, seed=11)
    return cfg, cmp


def test_the_null_model_reproduces_the_reference_arms_levels(reference):
    cfg, cmp = reference
    rates = fit_rates(cmp.weekly, cmp.runs, cfg)
    seeds = dict(zip(cmp.runs["replicate"], cmp.runs["seed"].astype("uint64").map(int)))
    null = null_runs(rates, {"base": cfg}, seeds)
    assert set(OUTCOMES) <= set(null.columns)
    for metric in ("revenue_total", "customers_won", "marketing_spend_total"):
        assert null[metric].mean() == pytest.approx(cmp.runs[metric].mean(), rel=0.1), metric


def test_in_the_null_model_a_policy_changes_nothing_and_the_budget_buys_leads(reference):
    cfg, cmp = reference
    rates = fit_rates(cmp.weekly, cmp.runs, cfg)
    seeds = {0: 5, 1: 6, 2: 7}
    aligned = sim.load_config("full_alignment", SMALL)
    richer = sim.load_config("hundred_years_war", [*SMALL, "marketing.weekly_budget=50000"])
    null = null_runs(rates, {"base": cfg, "aligned": aligned, "richer": richer}, seeds).set_index(["scenario",
                                                                                                    "replicate"])
    assert null.loc["aligned"].equals(null.loc["base"])  # paired draw for draw: no policy has a channel here
    assert (null.loc["richer", "customers_won"] > null.loc["base", "customers_won"]).all()


def test_a_full_study_measures_each_rows_kind_on_the_same_seeds():
    tiny = ("market.accounts=1500", "market.initial_customers=30", "weeks=26")
    study = Study("tiny_kinds", "tiny", ("C2",), "?",
                  (Arm("base", overrides=tiny), Arm("calm", overrides=(*tiny, "policy.blame_culture=0.0"))),
                  (Check("C2", "calm raises trust", MECHANISM, "blame costs trust by rule", "base", "calm",
                         "trust_mean_end", +1, named_loops=("blame_erodes_trust",)),
                   Check("C2", "calm raises revenue", EMERGENT, "through trust and learning", "base", "calm"),),
                  fast_overrides=())
    res = execution.run_study(study, fast=True, replicates=3, kinds=True, share=False)
    trust, revenue = res.rows
    assert np.isfinite(trust.loop_share) and trust.kind == classify(trust)
    assert revenue.null_model == "does not reproduce" and revenue.kind == classify(revenue)
    assert {r.declared_kind for r in res.rows} == {MECHANISM, EMERGENT}
