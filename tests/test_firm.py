"""Calibrating to a firm's own funnel (sim.calibration.firm, firm_data): bad input is refused in one line naming
the column and the row, with exit status 2 and nothing written; the example firm's calibration recovers the
settings it was generated from."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration.firm import aggregate, firm_patterns, firm_statistics, run_firm, simulate_series
from sim.calibration.firm_data import FirmDataError, read_firm
from sim.calibration.posterior import Posterior

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "firm"


def _example_script():
    """The example's generator, loaded from its file (an example script, not a package module)."""
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_example = _example_script()
PERIODS, SEED, TRUE_LEVERS = make_example.PERIODS, make_example.SEED, make_example.TRUE_LEVERS

FAST_LEVERS = ("policy.shared_goal_weight", "policy.purchasing_rigidity")
"""The two levers the example's funnel identifies best (discount and inquiry-to-MQL rate move with the shared
goal; the SQL-to-won rate and the sales cycle with purchasing's rigidity)."""


@pytest.fixture
def firm(tmp_path: Path) -> Path:
    """A copy of the example firm in a temporary folder; returns its YAML."""
    for name in ("firm.yaml", "funnel.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    return tmp_path / "firm.yaml"


def edit_csv(yaml_path: Path, change) -> None:
    csv = yaml_path.parent / "funnel.csv"
    frame = change(pd.read_csv(csv, dtype=str))
    frame.to_csv(csv, index=False)


def set_cell(row: int, column: str, value):
    """A change that sets data row ``row`` (0 = the first row under the header, file row 2)."""
    def change(frame):
        frame.loc[row, column] = str(value)
        return frame
    return change


BAD_CSV = [
    ("missing column", lambda f: f.drop(columns=["sqls"]), "column 'sqls'", "row 1"),
    ("unknown column", lambda f: f.rename(columns={"mqls": "mql"}), "column 'mql'", "row 1"),
    ("negative count", set_cell(2, "deals_won", -3), "column 'deals_won'", "row 4 (period 2024-Q3)"),
    ("not a number", set_cell(5, "revenue", "1.2m"), "column 'revenue'", "row 7 (period 2025-Q2)"),
    ("fractional count", set_cell(0, "inquiries", 12.5), "column 'inquiries'", "row 2 (period 2024-Q1)"),
    ("blank required", set_cell(3, "active_customers", ""), "column 'active_customers'", "row 5"),
    ("share above 1", set_cell(1, "average_discount", 12), "column 'average_discount'", "row 3"),
    ("MQLs above inquiries", set_cell(4, "mqls", 10_000), "column 'mqls'", "row 6 (period 2025-Q1)"),
    ("SALs above MQLs", set_cell(6, "sals", 500), "column 'sals'", "row 8 (period 2025-Q3)"),
    ("SQLs above SALs and rep-sourced", set_cell(7, "sqls", 900), "column 'sqls'", "row 9 (period 2025-Q4)"),
    ("won above SQLs", set_cell(0, "deals_won", 800), "column 'deals_won'", "row 2"),
    ("duplicate period", set_cell(3, "period", "2024-Q1"), "column 'period'", "row 5"),
    ("too few periods", lambda f: f.iloc[:4], "column 'period'", "rows 2-5"),
]


@pytest.mark.parametrize("case, change, column, row", BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_names_column_and_row(firm, case, change, column, row):
    edit_csv(firm, change)
    with pytest.raises(FirmDataError) as err:
        read_firm(firm)
    message = str(err.value)
    assert column in message and row in message and "funnel.csv" in message, message
    assert "\n" not in message


def test_widening_funnel_message_says_so(firm):
    edit_csv(firm, set_cell(4, "mqls", 10_000))
    with pytest.raises(FirmDataError, match="exceeds the .* inquiries of the same period .the funnel widens"):
        read_firm(firm)


BAD_YAML = [
    ("unknown key", "period: quarter", "period: quarter\ncolour: blue", "key 'colour'"),
    ("missing structure key", "  sales_reps: 6 ", "", "key 'structure.sales_reps'"),
    ("bad period", "period: quarter", "period: fortnight", "key 'period'"),
    ("missing CSV", "data: funnel.csv", "data: crm_export.csv", "crm_export.csv: cannot be read"),
    ("out-of-range structure value", "accounts: 10000", "accounts: -5", "key 'structure.accounts'"),
    ("unknown policy", "  lead_sla: false", "  lead_sla_on: false", "key 'policy.lead_sla_on'"),
    ("on/off lever inferred", "  blame_culture: null", "  lead_sla: null", "key 'infer.lead_sla'"),
    ("inferred range beyond the schema", "  shared_data: null", "  shared_data: [0.2, 1.5]", "key 'infer.shared_data'"),
    ("not a field", "  shared_data: null", "  shared_dat: null", "key 'infer.shared_dat'"),
]


def _edit_yaml(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    lines = [line for line in text.splitlines() if not line.startswith(old)] if not new else None
    path.write_text("\n".join(lines) + "\n" if lines is not None else text.replace(old, new, 1))


@pytest.mark.parametrize("case, old, new, key", BAD_YAML, ids=[c[0] for c in BAD_YAML])
def test_bad_yaml_refused_by_run_firm(firm, tmp_path, capsys, case, old, new, key):
    """Bad YAML: exit 2, one line on stderr naming the key, nothing written."""
    _edit_yaml(firm, old, new)
    out = tmp_path / "out"
    assert run_firm(firm, out, population=4, generations=1) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and key in err, err
    assert not out.exists()


@pytest.mark.parametrize("case, change, column, row", BAD_CSV[:4] + BAD_CSV[-3:], ids=[c[0] for c in
                                                                                          BAD_CSV[:4] + BAD_CSV[-3:]])
def test_bad_csv_refused_by_run_firm(firm, tmp_path, capsys, case, change, column, row):
    """The command's contract: exit status 2, a single stderr line naming the column and row, no output."""
    edit_csv(firm, change)
    out = tmp_path / "out"
    assert run_firm(firm, out, population=4, generations=1) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and column in err and row in err, err
    assert not out.exists()


def test_example_reads_and_is_the_model_at_its_true_settings():
    """The shipped CSV is exactly what make_example.py's run produces (it was not edited by hand)."""
    spec, data = read_firm(EXAMPLE / "firm.yaml")
    assert len(data) == PERIODS and spec.period == "quarter" and spec.structure["market.accounts"] == 10_000
    again = simulate_series(spec, PERIODS, TRUE_LEVERS, SEED)
    stats, ours = firm_statistics(data), firm_statistics(again)
    for name in ("inquiry_to_mql", "mql_to_sal", "sql_to_won", "churn_per_period"):
        assert stats[name] == pytest.approx(ours[name], abs=1e-9), name
    assert stats["revenue_per_customer"] == pytest.approx(ours["revenue_per_customer"], rel=1e-5)


def test_aggregate_sums_weeks_into_periods():
    weekly = pd.DataFrame({"week": range(26), **{c: 1.0 for c in (
        "inquiries", "leads", "leads_accepted", "self_sourced", "qualified", "wins", "churned", "revenue",
        "marketing_spend", "discount_given", "bookings", "sales_cycle_median")}})
    weekly["active_customers"] = range(26)
    q = aggregate(weekly, 13.0, 2)
    assert list(q["inquiries"]) == [13, 13] and list(q["active_customers"]) == [12, 25]
    assert q["average_discount"].tolist() == [0.5, 0.5]
    months = aggregate(weekly.assign(week=range(26)), 52 / 12, 6)
    assert months["inquiries"].sum() == 26 and months["inquiries"].tolist()[:2] == [5, 4]


def test_tolerances_widen_with_less_data():
    """Six periods instead of eight give wider tolerances on the pooled rates (a smaller sample's noise)."""
    _, data = read_firm(EXAMPLE / "firm.yaml")
    full = {p.name: p.tolerance for p in firm_patterns(data)}
    fewer = {p.name: p.tolerance for p in firm_patterns(data.iloc[:6])}
    assert all(fewer[n] > full[n] for n in ("inquiry_to_mql", "sql_to_won", "churn_per_period"))


def test_example_data_identify_the_levers():
    """The example's data are nearer (ABC distance) to the model at the true settings than at a far corner of
    the two best-identified levers, on each of two seeds: the statistics carry the levers' signal."""
    from sim.calibration.patterns import distance

    spec, data = read_firm(EXAMPLE / "firm.yaml")
    patterns = firm_patterns(data)
    far = {**TRUE_LEVERS, "policy.shared_goal_weight": 0.9, "policy.purchasing_rigidity": 0.1}
    for seed in (1, 2):
        near_d, far_d = (distance(firm_statistics(simulate_series(spec, PERIODS, v, seed)), patterns)
                         for v in (TRUE_LEVERS, far))
        assert near_d < 1.2 < far_d, (seed, near_d, far_d)


def _inside(posterior: Posterior, fields) -> dict[str, tuple[float, float, float]]:
    q = posterior.quantiles((0.05, 0.95))
    return {f: (q.at[f, "q5"], TRUE_LEVERS[f], q.at[f, "q95"]) for f in fields}


def test_example_calibration_recovers_its_settings(tmp_path):
    """A small calibration of the example on its two best-identified levers: the 90 % intervals contain the
    true settings and every output is written (posterior, figure, what-if tables).  One process, so pyabc's
    single-core sampler makes the run reproducible from the YAML's seed."""
    out = tmp_path / "out"
    assert run_firm(EXAMPLE / "firm.yaml", out, infer=FAST_LEVERS, population=12, generations=2, n_jobs=1,
                    band_draws=3, draws=2, replicates=1, what_ifs=["lead_sla"], progress=False) == 0
    assert {p.name for p in out.iterdir()} == {"posterior.parquet", "fit.png", "what_if.md", "what_if.csv"}
    post = Posterior.load(out / "posterior.parquet")
    for field, (low, truth, high) in _inside(post, FAST_LEVERS).items():
        assert low <= truth <= high, (field, low, truth, high)
    table = pd.read_csv(out / "what_if.csv")
    assert {"as_is_mean", "with_change_ci_low", "difference", "relative_change", "relative_ci_low"} <= set(table)
    revenue = table.set_index("metric").loc["revenue_total"]
    assert revenue["difference_ci_low"] <= revenue["difference"] <= revenue["difference_ci_high"]
    assert "| Revenue over the run (EUR million) |" in (out / "what_if.md").read_text()


@pytest.mark.slow
def test_example_calibration_recovers_all_four_levers():
    """The full example: four levers, a larger population; each 90 % interval contains the true setting and the
    two best-identified levers contract (interval narrower than 80 % of the prior's)."""
    from sim.calibration.firm import calibrate_firm

    cal = calibrate_firm(EXAMPLE / "firm.yaml", population=60, generations=4, n_jobs=1)
    for field, (low, truth, high) in _inside(cal.posterior, TRUE_LEVERS).items():
        assert low <= truth <= high, (field, low, truth, high)
    widths = {f: hi - lo for f, (lo, _, hi) in _inside(cal.posterior, TRUE_LEVERS).items()}
    assert min(widths.values()) < 0.8, widths


def _posterior_at_truth():
    """A calibration whose posterior is two particles at the example's true settings (no ABC run)."""
    import numpy as np

    from sim.calibration.firm import FirmCalibration, infer_priors

    spec, data = read_firm(EXAMPLE / "firm.yaml")
    priors = infer_priors(spec)
    unit = pd.DataFrame({f: [float(p.position(TRUE_LEVERS[f]))] * 2 for f, p in priors.items()})
    patterns = firm_patterns(data)
    return FirmCalibration(spec, data, patterns, Posterior.from_unit(priors, unit, np.ones(2), patterns))


def test_what_if_pairs_the_arms_on_common_seeds():
    """No change: both arms run the same settings on the same seeds, so every difference is exactly 0.  A lead
    SLA: every draw accepts more of marketing's leads (the SLA obliges sales to work them)."""
    from sim.calibration.firm import what_if

    cal = _posterior_at_truth()
    same = what_if(cal, {}, draws=2, replicates=1, weeks=52, n_jobs=1).set_index("metric")
    assert (same["difference"].dropna() == 0).all() and same["difference"].notna().sum() >= 6
    sla = what_if(cal, "lead_sla", draws=2, replicates=1, weeks=52, n_jobs=1).set_index("metric")
    row = sla.loc["lead_acceptance"]
    assert row["difference_ci_low"] > 0 and row["p_value"] == 0
    assert row["relative_ci_low"] <= row["relative_change"] <= row["relative_ci_high"]
    with pytest.raises(FirmDataError, match="unknown change 'four_day_week'"):
        what_if(cal, "four_day_week")


def test_a_monthly_export_reads(firm):
    """A firm reporting monthly: 24 months of the model's own output pass every check and give every pattern."""
    text = firm.read_text().replace("period: quarter", "period: month")
    firm.write_text(text)
    import dataclasses

    spec = dataclasses.replace(read_firm(EXAMPLE / "firm.yaml")[0], period="month")
    months = simulate_series(spec, 24, TRUE_LEVERS, 5)
    months.insert(0, "period", [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(24)])
    months.to_csv(firm.parent / "funnel.csv", index=False)
    spec, data = read_firm(firm)
    assert spec.weeks_per_period == pytest.approx(52 / 12) and len(data) == 24
    assert {"inquiry_to_mql", "sql_to_won", "average_discount"} <= {p.name for p in firm_patterns(data)}
