"""How the comparison's numbers are worded (issue 19): a difference of two percentages in percentage points and a
relative change in %, a comparison with no variance across replicates said to have no test (p NaN, not 0), and
intervals of bounded outcomes (stage 1-5, KRK score 20-100, shares 0-1) inside their scale.  Synthetic run tables
keep the checks exact; one tiny paired comparison checks the main job's table and the debrief pack end to end."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import format_table
from sim.outcomes import (PP, RUN_OUTCOMES, SHARE, change_text, difference_text, outcome, p_value_text)
from sim.runner import comparison_table
from sim.stats import band, mean_ci, paired
from sim.viz.comparison import display_table, talking_points

NO_TEST = "(no variance across replicates: no test)"


def _runs(**arms: dict[str, list[float]]) -> pd.DataFrame:
    """A runs table: per arm name, per metric, the per-replicate values (model units)."""
    rows = []
    for arm, metrics in arms.items():
        n = len(next(iter(metrics.values())))
        for k in range(n):
            rows.append({"scenario": arm, "replicate": k, "seed": k, **{m: v[k] for m, v in metrics.items()}})
    return pd.DataFrame(rows)


def _row(table: pd.DataFrame, metric: str) -> pd.Series:
    return table.set_index("metric").loc[metric]


def _line(text: str, label: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(label)]
    return line


# --- the schema ------------------------------------------------------------------------------------------------

def test_the_schema_says_a_difference_of_percentages_is_in_percentage_points():
    assert outcome("retention_12m").difference_unit == PP == "pp"
    assert outcome("nrr_annual").difference_unit == "pp"  # a ratio above 100 % is still a percentage
    assert outcome("revenue_total").difference_unit == "EUR million"
    assert outcome("alignment_stage_end").difference_unit == "stage 1-5"
    assert all(o.difference_unit == "pp" for o in RUN_OUTCOMES.values() if o.unit == SHARE)


def test_the_schema_declares_the_scale_of_every_bounded_outcome():
    assert outcome("alignment_stage_end").bounds == (1.0, 5.0)
    assert outcome("krk_score_end").bounds == (20.0, 100.0)
    assert outcome("retention_12m").bounds == (0.0, 1.0) and outcome("retention_12m").display_bounds == (0, 100)
    assert outcome("trust_mean_end").bounds == (0.0, 1.0)
    assert outcome("nrr_annual").bounds == (0.0, None)  # expansion takes it above 100 %
    assert outcome("cash_balance_end").bounds is None  # a cash balance can be negative
    assert outcome("alignment_stage_end").difference_bounds == (-4.0, 4.0)
    assert outcome("revenue_total").difference_bounds == (-math.inf, math.inf)


# --- the shared wording -----------------------------------------------------------------------------------------

def test_a_retention_difference_reads_pp_and_its_relative_change_reads_percent():
    retention = outcome("retention_12m")
    assert difference_text(retention, 3.4, 1.0, 5.8, 10) == "+3.4 pp [+1.0, +5.8]"
    assert change_text(retention, 0.038) == "+3.8 %"
    assert difference_text(retention, 3.4, 1.0, 5.8, 10, unit=False) == "+3.4 [+1.0, +5.8]"
    revenue = outcome("revenue_total")
    assert difference_text(revenue, 3.65, -3.62, 10.92, 2) == "+3.65 [-3.62, +10.92]"  # the row names the unit
    assert difference_text(revenue, 3.65, -3.62, 10.92, 2, unit=True) == "+3.65 EUR million [-3.62, +10.92]"
    assert change_text(outcome("krk_score_end"), 0.5) == "n/a (no true zero)"


def test_a_zero_variance_difference_says_there_is_no_test():
    stage = outcome("alignment_stage_end")
    assert difference_text(stage, 4.0, math.nan, math.nan, 8, no_variance=True) == f"+4 {NO_TEST}"
    assert p_value_text(0.0, no_variance=True) == "no test (no variance)"
    assert p_value_text(math.nan) == "n/a" and p_value_text(0.0123) == "0.012"


def test_paired_marks_a_constant_difference_as_untestable():
    flat = paired([1, 1, 1, 1], [5, 5, 5, 5])
    assert flat.no_variance and flat.sd == 0 and math.isnan(flat.p_tested)
    noisy = paired([1, 2, 1, 2], [5, 5, 4, 5])
    assert not noisy.no_variance and noisy.p_tested == noisy.p < 0.05
    assert not paired([1.0], [2.0]).no_variance  # one pair: no CI, but not "no variance"


# --- bounded intervals -----------------------------------------------------------------------------------------

def test_a_two_replicate_krk_interval_stays_within_20_to_100():
    x = [95.85, 97.75]  # the t-interval is 96.8 [84.7, 108.9]
    raw = mean_ci(x)
    assert raw.high > 100
    cut = mean_ci(x, bounds=outcome("krk_score_end").bounds)
    assert cut.mean == pytest.approx(96.8) and cut.low == pytest.approx(raw.low) and cut.high == 100.0
    low = mean_ci([21.0, 30.0], bounds=(20.0, 100.0))
    assert low.low == 20.0 and low.high < 100


def test_comparison_table_keeps_stage_score_and_share_intervals_on_their_scale():
    runs = _runs(a={"alignment_stage_end": [1, 1], "krk_score_end": [45.0, 48.0], "retention_12m": [0.2, 0.9]},
                 b={"alignment_stage_end": [3, 5], "krk_score_end": [95.85, 97.75], "retention_12m": [0.96, 0.99]})
    table = comparison_table(runs, "a", "b", ("alignment_stage_end", "krk_score_end", "retention_12m"))
    for metric in ("alignment_stage_end", "krk_score_end", "retention_12m"):
        o, r = outcome(metric), _row(table, metric)
        lowest, highest = o.display_bounds
        for arm in ("a", "b"):
            assert lowest <= r[f"{arm}_ci_low"] <= r[f"{arm}_mean"] <= r[f"{arm}_ci_high"] <= highest, (metric, arm)
        span = highest - lowest
        assert -span <= r["difference_ci_low"] <= r["difference_ci_high"] <= span, metric
    krk = _row(table, "krk_score_end")
    assert krk["b_ci_high"] == 100.0 and krk["b_mean"] == pytest.approx(96.8)
    assert _row(table, "retention_12m")["a_ci_low"] == 0.0 and _row(table, "retention_12m")["b_ci_high"] == 100.0
    assert _row(table, "alignment_stage_end")["difference_ci_high"] == 4.0


def test_bands_of_a_bounded_outcome_stay_on_their_scale():
    frame = pd.DataFrame({"week": [0, 0], "krk_score": [95.85, 97.75]})
    assert band(frame, ["week"], "krk_score")["high"].iloc[0] > 100
    assert band(frame, ["week"], "krk_score", bounds=(20.0, 100.0))["high"].iloc[0] == 100.0


# --- the main job's table, the dashboard and the debrief pack ---------------------------------------------------

@pytest.fixture(scope="module")
def synthetic():
    """Retention 86.6 % -> 90.0 % (+3.4 pp, +3.9 %), a stage +4 in every replicate, revenue with noise."""
    runs = _runs(a={"retention_12m": [0.860, 0.866, 0.872], "alignment_stage_end": [1, 1, 1],
                    "revenue_total": [10e6, 11e6, 12e6]},
                 b={"retention_12m": [0.895, 0.899, 0.906], "alignment_stage_end": [5, 5, 5],
                    "revenue_total": [13e6, 13.5e6, 15e6]})
    return comparison_table(runs, "a", "b", ("retention_12m", "alignment_stage_end", "revenue_total"))


def test_the_tidy_table_has_nan_p_and_no_ci_for_a_zero_variance_comparison(synthetic):
    stage = _row(synthetic, "alignment_stage_end")
    assert stage["no_variance"] and stage["difference"] == 4
    assert np.isnan(stage["p_value"]) and np.isnan(stage["difference_ci_low"]) and np.isnan(stage["difference_ci_high"])
    retention = _row(synthetic, "retention_12m")
    assert not retention["no_variance"] and 0 < retention["p_value"] < 0.05
    assert retention["difference_unit"] == "pp" and _row(synthetic, "revenue_total")["difference_unit"] == "EUR million"


def test_the_cli_table_says_pp_for_a_retention_difference_and_no_test_for_a_constant_one(synthetic):
    text = format_table(synthetic, "a", "b")
    retention = _line(text, "12-month retention (%)")
    assert "+3.4 pp [" in retention and "+3.9 %" in retention
    assert "+3.4 %" not in retention and "+3.4 [" not in retention
    stage = _line(text, "Goldman alignment stage at the end")
    assert f"+4 {NO_TEST}" in stage and "no test (no variance)" in stage
    assert "[+4, +4]" not in stage and " 0 " not in stage.split(NO_TEST)[1]
    assert " pp " not in _line(text, "Revenue over the run")


def test_the_dashboard_table_and_talking_points_say_pp(synthetic):
    comparison = SimpleNamespace(table=synthetic, runs=pd.DataFrame({"scenario": ["a", "b"]}))
    shown = display_table(comparison).set_index("outcome")
    assert shown.loc["12-month retention", "difference (paired)"].startswith("+3.4 pp [")
    assert shown.loc["12-month retention", "change"] == "+3.9 %"
    assert shown.loc["Goldman alignment stage at the end", "difference (paired)"] == f"+4 {NO_TEST}"
    assert shown.loc["Goldman alignment stage at the end", "p"] == "no test (no variance)"
    points = talking_points(comparison)
    (retention,) = [p for p in points if p.startswith("12-month retention")]
    assert "a difference of +3.4 pp, +3.9 % of the a mean" in retention and "+3.4 %" not in retention
    (stage,) = [p for p in points if p.startswith("Goldman")]
    assert "+4" in stage and "no variance" in stage and "95 % CI" not in stage


@pytest.fixture(scope="module")
def tiny():
    """A real paired comparison on a tiny market (2 replicates, 70 weeks: 12-month retention needs a year)."""
    return sim.compare(replicates=2, overrides=["market.accounts=2000", "market.initial_customers=40", "weeks=70"])


def test_a_real_two_replicate_comparison_keeps_every_bounded_interval_on_its_scale(tiny):
    for _, r in tiny.table.iterrows():
        o = outcome(r["metric"])
        lowest, highest = o.display_bounds
        for arm in ("hundred_years_war", "full_alignment"):
            if pd.notna(r[f"{arm}_ci_low"]):
                assert lowest <= r[f"{arm}_ci_low"] and r[f"{arm}_ci_high"] <= highest, (r["metric"], arm)
        assert not (r["no_variance"] and pd.notna(r["p_value"])), r["metric"]
    assert (tiny.table["p_value"].dropna() > 0).all()


def test_the_main_job_table_and_the_debrief_pack_print_pp_for_retention(tiny):
    from sim.viz.report import render

    text = format_table(tiny.table, "hundred_years_war", "full_alignment")
    retention = _line(text, "12-month retention (%)")
    assert re.search(r"[+-]\d+\.\d pp [\[(]", retention), retention
    assert re.search(r"[+-]\d+\.\d %", retention), retention  # the relative change
    page = render(tiny, {}, "alignsim report")
    row = page[page.index("<td>12-month retention</td>"):]
    row = row[:row.index("</tr>")]
    assert re.search(r"[+-]\d+\.\d pp [\[(]", row), row
    assert "percentage points (pp)" in page
