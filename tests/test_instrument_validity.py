"""The alignment instrument as an instrument (issue 19, item 5): the held stage removes flicker caused by noise and
still follows a real move, its setting is a declared judgement, and the reliability and validity computations of
:mod:`sim.studies.instrument` give what they say on small constructed or tiny simulated data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import sim
from sim.alignment import StageHold, held_stage, held_stages
from sim.config import ConfigError, InstrumentConfig, PolicyConfig, provenance_table
from sim.studies import instrument as study

HOLD = InstrumentConfig().stage_hold_weeks
TINY = ("market.accounts=1000", "weeks=60")


def with_spikes(true: np.ndarray, spikes: dict[int, tuple[int, int]]) -> np.ndarray:
    """``true`` weekly stages with noise: each spike ``week: (weeks, stage)`` reads ``stage`` for ``weeks`` weeks."""
    raw = true.copy()
    for week, (weeks, stage) in spikes.items():
        raw[week:week + weeks] = stage
    return raw


def test_the_hold_removes_flicker_caused_by_noise_and_keeps_the_real_move():
    """A firm at stage 4 for a year that moves to 5 and stays two years; its weekly read has one- and two-week
    spikes to the neighbouring stages (shorter than the hold), in every year."""
    assert HOLD > 2
    true = np.r_[np.full(52, 4), np.full(104, 5)]
    spikes = {8: (1, 5), 20: (2, 3), 33: (1, 5), 45: (2, 5), 70: (2, 4), 88: (1, 4),
              110: (1, 4), 118: (2, 4), 127: (1, 4), 136: (2, 4), 149: (1, 4)}
    raw = with_spikes(true, spikes)
    assert study.flicker(raw) == 10  # five spikes in the last year, each in and out
    held = held_stages(raw, HOLD)
    assert study.flicker(held) == 0
    assert np.count_nonzero(np.diff(held)) == 1 and held[52 + HOLD - 1] == 5  # the one real move, after the hold
    np.testing.assert_array_equal(held[52 + HOLD - 1:], 5)
    np.testing.assert_array_equal(held_stages(raw, 1), raw)  # a hold of one week is the weekly read


def test_the_stage_moves_to_the_stage_all_recent_reads_support():
    assert held_stage(5, [2, 3, 3, 3]) == 3  # all below: down to the highest
    assert held_stage(1, [4, 2, 3, 5]) == 2  # all above: up to the lowest
    assert held_stage(3, [4, 4, 3, 4]) == 3  # one read at the stage: stays
    hold = StageHold()
    assert [hold.read(r, 2) for r in (2, 4, 2, 4, 4, 1)] == [2, 2, 2, 2, 4, 4]


def test_a_real_move_is_reported_after_exactly_the_hold():
    raw = np.r_[np.full(10, 2), np.full(10, 5)]
    held = held_stages(raw, HOLD)
    assert held[10 + HOLD - 2] == 2 and held[10 + HOLD - 1] == 5


def test_the_model_reports_the_held_weekly_read():
    for hold in (1, HOLD):
        w = sim.run(sim.load_config("full_alignment", [*TINY, f"instrument.stage_hold_weeks={hold}"]), 3).weekly
        expected = held_stages(w["alignment_stage_raw"].to_numpy(dtype=int), hold)
        np.testing.assert_array_equal(w["alignment_stage"].to_numpy(dtype=int), expected)


def test_the_hold_setting_is_a_judgement_with_a_prior_and_a_range():
    row = next(r for r in provenance_table() if r["field"] == "instrument.stage_hold_weeks")
    assert row["kind"] == "judgement" and row["prior_low"] <= HOLD <= row["prior_high"]
    assert (row["prior_low"], row["prior_high"]) == (2, 8)
    doc = InstrumentConfig.__dataclass_fields__["stage_hold_weeks"]
    assert doc.metadata["unit"] == "weeks" and doc.metadata["low"] == 1
    with pytest.raises(ConfigError, match="stage_hold_weeks"):
        sim.load_config("full_alignment", ["instrument.stage_hold_weeks=0"])


def test_reversals_count_the_last_years_changes_undone_within_a_quarter():
    stages = np.r_[np.full(80, 3), np.full(5, 4), np.full(20, 3), np.full(20, 5)]
    assert study.flicker(stages) == 3 and study.reversals(stages) == 1  # 3->4 undone after 5 weeks; 4->3 lasts 20
    assert study.reversals(np.r_[np.full(60, 3), np.full(60, 4)]) == 0


def test_flicker_counts_the_changes_in_the_last_year():
    stages = np.r_[np.full(60, 3), [4, 3, 3, 4, 4]]
    assert study.flicker(stages) == 3
    assert study.flicker(np.r_[np.full(51, 1), np.full(10, 2)]) == 1  # the change into week 52 of 61 counts
    assert study.flicker(np.r_[np.full(5, 1), np.full(60, 2)]) == 0  # a change before the last year does not


def test_reliability_reads_the_modal_share_and_the_flicker_per_hold():
    runs = pd.DataFrame({"scenario": ["a"] * 4 + ["b"] * 4,
                         "stage_h1": [4, 5, 4, 4, 2, 2, 2, 2], "flicker_h1": [6, 3, 5, 2, 0, 0, 0, 0],
                         "stage_h4": [4, 4, 4, 4, 2, 2, 2, 2], "flicker_h4": [0, 1, 0, 0, 0, 0, 0, 0],
                         "reversed_h1": [6, 2, 4, 2, 0, 0, 0, 0], "reversed_h4": [0] * 8})
    rel = study.reliability(runs, holds=(1, 4)).set_index(["scenario", "hold_weeks"])
    assert rel.loc[("a", 1), "modal_stage"] == 4 and rel.loc[("a", 1), "agreement"] == 0.75
    assert rel.loc[("a", 4), "agreement"] == 1.0 and rel.loc[("a", 4), "flicker_mean"] == 0.25
    assert rel.loc[("a", 1), "flicker_mean"] == 4.0 and rel.loc[("a", 1), "flicker_max"] == 6
    assert rel.loc[("a", 1), "reversed_mean"] == 3.5 and rel.loc[("a", 4), "reversed_mean"] == 0
    assert rel.loc[("a", 1), "end_stages"] == "3x4 1x5"
    assert 0 < rel.loc[("a", 1), "agreement_low"] < 0.75 < rel.loc[("a", 1), "agreement_high"] < 1


def test_rank_correlation_and_its_bootstrap_over_policy_mixes():
    mixes = np.repeat(np.arange(30), 2)
    x = mixes + np.tile([0.0, 0.1], 30)
    runs = pd.DataFrame({"mix": mixes, "stage": x, "up": 2 * x + 1, "down": -x, "flat": np.ones_like(x)})
    assert study.spearman_ci(runs, "stage", "up", resamples=200) == pytest.approx((1.0, 1.0, 1.0))
    assert study.spearman_ci(runs, "stage", "down", resamples=200)[0] == pytest.approx(-1.0)
    assert np.isnan(study.spearman_ci(runs, "stage", "flat", resamples=50)[0])
    noise = runs.assign(noise=np.random.default_rng(1).normal(size=x.size))
    rho, low, high = study.spearman_ci(noise, "stage", "noise", resamples=300)
    assert low < rho < high and low < 0 < high


def test_policy_mixes_cover_every_lever_in_its_range_one_point_per_stratum():
    n = 8
    mixes = study.policy_mixes(n)
    levers = {f.name: f for f in dataclasses.fields(PolicyConfig)}
    assert list(mixes.columns) == list(levers) and len(mixes) == n
    for name, lever in levers.items():
        meta = lever.metadata
        if meta.get("choices"):
            assert set(mixes[name]) <= set(meta["choices"])
        elif isinstance(lever.default, bool):
            assert mixes[name].isin([True, False]).all()
        else:
            assert mixes[name].between(meta["low"], meta["high"]).all()
    share = (mixes["blame_culture"] - 0) / 1.0  # a float lever of range 0-1: one point in each eighth
    assert sorted((share * n).astype(int)) == list(range(n))
    for _, mix in mixes.iterrows():
        sim.load_config(study.MIX_BASE, list(study.mix_overrides(mix)))  # every mix is a valid config


def test_case_verdicts_tell_a_backed_move_from_an_overstated_one_a_tracked_setting_and_noise():
    """Full alignment earns 32-35 M EUR, the baseline 25 M: a fall of 3 stages (3/4 of the scale) needs revenue to
    fall by at least half of 3/4 of the 8.5 M gap to be backed."""
    revenue = {"full alignment": [32e6, 33e6, 34e6, 35e6], "moved": [32e6, 33e6, 34e6, 35e6],
               "overstated": [31e6, 31.5e6, 32.5e6, 34e6], "backed": [27e6, 27.5e6, 28.5e6, 30e6],
               "unclear": [32e6, 33e6, 34e6, 35e6]}
    held = {"full alignment": [5] * 4, "unclear": [1, 5, 5, 5]}
    runs = pd.DataFrame([{"case": case, "replicate": r, study.WEEKLY: held.get(case, [2] * 4)[r],
                          study.HELD: held.get(case, [2] * 4)[r], "krk_score_end": 80.0,
                          "revenue_total": value, "nrr_annual": 1.0, "trust_mean_end": 0.8}
                         for case, values in revenue.items() for r, value in enumerate(values)])
    table = study.cases(runs, baseline_revenue=25e6).set_index("case")
    assert table["verdict"].to_dict() == {"full alignment": "same stage", "moved": "tracks the setting",
                                          "overstated": "overstates the move", "backed": "backed by outcomes",
                                          "unclear": "no clear move"}
    assert table.loc["backed", "stage_ladder_lost"] == 0.75
    assert table.loc["backed", "revenue_ladder_lost"] == pytest.approx(5.25 / 8.5)


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    """The study's three parts on tiny runs, stored in a scratch folder as the CLI stores them."""
    out = tmp_path_factory.mktemp("instrument")
    presets = study.run_tasks(study.preset_tasks(("hundred_years_war", "full_alignment"), 2, TINY))
    named = study.run_tasks(study.case_tasks({"full alignment": (), "no meetings": ("policy.joint_meetings=0",)},
                                             2, TINY))
    design = study.policy_mixes(5)
    mixes = study.run_tasks(study.mix_tasks(design, 2, TINY))
    for name, frame in (("presets", presets), ("cases", named), ("mixes", mixes)):
        frame.to_csv(out / f"{name}_runs.csv", index=False)
    design.to_csv(out / "mixes.csv", index_label="mix")
    meta = {p: {"runs": 4, "wall_s": 1.0, "n_jobs": 1, "commit": "test"} for p in ("presets", "cases", "mixes")}
    (out / "runs_meta.json").write_text(pd.Series(meta).to_json())
    return out


@pytest.mark.slow
def test_the_study_on_tiny_runs_writes_its_tables_and_section(tiny_study):
    result = study.tables(tiny_study, resamples=50)
    rel, val = result["reliability"], result["validity"]
    assert set(rel["scenario"]) == {"hundred_years_war", "full_alignment"}
    assert set(rel["hold_weeks"]) == set(study.HOLDS)
    assert len(val) == len(study.READS) * len(study.OUTCOMES) and (val["mixes"] == 5).all()
    assert val["rho"].dropna().between(-1, 1).all()
    assert list(result["cases"]["case"]) == ["full alignment", "no meetings"]
    doc = tiny_study / "odd.md"
    doc.write_text(f"# x\n<!-- {study.MARKER}:start -->\nstale text\n<!-- {study.MARKER}:end -->\n")
    study.main(["--part", "report", "--out", str(tiny_study), "--doc", str(doc), "--resamples", "50"])
    text = doc.read_text()
    assert "stale text" not in text and "**Reliability**" in text and "**Validity**" in text
    held = rel[rel["hold_weeks"] == HOLD]
    assert f"held for {HOLD} weeks, {held['flicker_mean'].mean():.2f}" in text  # the prose's numbers are the runs'
    for part in ("reliability", "validity", "levers", "cases"):
        assert (tiny_study / f"{part}.csv").exists()


def test_one_blame_in_a_quiet_year_does_not_read_us_vs_them():
    from types import SimpleNamespace

    from sim.alignment import Behaviour, alignment_stage
    from sim.config import Config

    model = SimpleNamespace(config=Config())
    calm = dict(trust=0.8, joint_time=8, follow_up=0.9, feedback=0.8, forecast=0.9, promise_gap=0.01)
    assert alignment_stage(model, Behaviour(blames=1, fixes=0, **calm)) == 5  # one event is not evidence
    assert alignment_stage(model, Behaviour(blames=3, fixes=0, **calm)) == 1  # three blamed, none fixed: it is
    assert alignment_stage(model, Behaviour(blames=1, fixes=3, **calm)) == 3  # a quarter still blamed: not yet 4
