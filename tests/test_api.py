"""The public API of DESIGN 5a, the account snapshot, the comparison table and the main job."""

import subprocess
import sys

import numpy as np
import pandas as pd

import sim
from sim.runner import COMPARE_METRICS
from tests.conftest import small_config


def test_step_by_step_and_one_accounts_story():
    model = sim.AlignmentModel(small_config(), rng=1)
    for _ in range(20):
        model.step()
    assert model.week == 19
    customer = int(np.flatnonzero(model.market.stage == sim.Stage.CUSTOMER)[0])
    snap = model.market.account(customer)
    assert snap.stage == "customer" and snap.index == customer and 0 <= snap.satisfaction <= 1
    assert model.market.account(0).weeks_in_stage >= 0


def test_run_result_tables():
    res = sim.run(small_config(), seed=2)
    assert len(res.weekly) == 78 and res.weekly["week"].tolist() == list(range(78))
    for column in ("revenue", "new_customer_revenue", "recurring_revenue", "gross_margin", "marketing_spend", "leads",
                   "lead_acceptance", "lead_to_customer", "sales_cycle_median", "cac", "active_customers",
                   "churn_rate", "satisfaction_mean", "delivery_delay", "promise_gap", "discount_mean",
                   "trust_sales_in_marketing", "blame_events", "alignment_stage", "krk_score"):
        assert column in res.weekly, column
    assert {"revenue_total", "revenue_npv", "retention_12m", "clv", "cac"} <= set(res.summary.index)
    assert set(res.events["kind"]) <= {"blame", "miss", "fix", "meeting", "rotation", "veto", "hire"}
    assert res.summary["blame_events"] == (res.events["kind"] == "blame").sum() == res.weekly["blame_events"].sum()


def test_compare_is_paired_and_tabulated():
    cmp = sim.compare("hundred_years_war", "full_alignment", replicates=3,
                      overrides=["market.accounts=2000", "market.initial_customers=40", "weeks=40"])
    assert list(cmp.table["metric"]) == list(COMPARE_METRICS)
    seeds = cmp.runs.groupby("scenario")["seed"].apply(list)
    assert seeds["hundred_years_war"] == seeds["full_alignment"]  # common random numbers
    assert {"difference", "difference_ci_low", "difference_ci_high", "p_value"} <= set(cmp.table.columns)


def test_main_job_writes_tables_and_figure(tmp_path):
    cmd = [sys.executable, "-m", "sim.cli", "replicates=2", "weeks=30", "market.accounts=1500",
           "market.initial_customers=30", "policy.max_discount=0.3", f"hydra.run.dir={tmp_path}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Revenue over the run (EUR million)" in done.stdout and "Goldman alignment stage" in done.stdout
    for name in ("comparison.csv", "runs.parquet", "weekly.parquet", "events.parquet", "comparison.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert set(runs["scenario"]) == {"hundred_years_war", "full_alignment"}
    assert len(runs) == 4
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert table["hundred_years_war_ci_low"].dtype == float and table["difference_ci_high"].dtype == float
    stage = table.set_index("metric").loc["alignment_stage_end"]
    assert np.isnan(stage["relative_change"])  # an ordinal 1-5 scale has no relative change


def test_comparison_figure_leaves_no_open_figure():
    import matplotlib.pyplot as plt

    from sim.plots import plot_comparison

    cmp = sim.compare(replicates=2, overrides=["market.accounts=500", "market.initial_customers=10", "weeks=8"])
    for _ in range(3):
        fig = plot_comparison(cmp.weekly)
    assert plt.get_fignums() == [] and fig.axes[0].get_ylabel() == "EUR thousand per week"
    one = sim.compare(replicates=1, overrides=["market.accounts=500", "market.initial_customers=10", "weeks=8"])
    assert one.table["difference_ci_low"].isna().all()  # no CI from one replicate, and no fake zero-width one
