"""Revenue retention as SaaS firms measure it, and the installed base (issue 17, items 4 and 8).

Exact checks on constructed cases (GRR and NRR of a hand-made book, a year of books kept on a hand-made market),
bookkeeping identities on a small run (the installed base's revenue and new business add up to revenue, no
customer of the installed base appears or disappears), the installed base's size from its share, and one
direction over paired replicates: half the operations staff raises installed-base churn and lowers GRR, which
``retention_12m`` (new customers only) barely saw.
"""

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.market import WEEKS_PER_YEAR, Stage, installed_base_size
from sim.model import AlignmentModel
from sim.observer import WeeklyRecorder, cohort_retention, gross_retention, keep_books, net_retention, revenue_retention
from sim.outcomes import RUN_OUTCOMES, WEEKLY_OUTCOMES
from sim.runner import replicate_seeds, run
from sim.stats import paired

SMALL = ["market.accounts=2000", "weeks=110"]
NEW_RUN_COLUMNS = ("installed_base_revenue_total", "new_business_revenue_total", "installed_base_revenue_share",
                   "grr_annual", "nrr_annual", "grr_last_year", "nrr_last_year", "grr_cohort", "nrr_cohort",
                   "installed_base_churn")


def test_gross_and_net_retention_of_a_constructed_book():
    start = np.array([100.0, 200.0, 300.0, 400.0])
    later = np.array([0.0, 250.0, 240.0, 400.0])  # churned, expanded, contracted, flat
    assert gross_retention(start, later) == pytest.approx((0 + 200 + 240 + 400) / 1000, abs=1e-15)
    assert net_retention(start, later) == pytest.approx((0 + 250 + 240 + 400) / 1000, abs=1e-15)
    assert 0.0 <= gross_retention(start, later) <= 1.0
    assert gross_retention(start, later) <= net_retention(start, later)
    assert np.isnan(gross_retention(np.zeros(0), np.zeros(0))) and np.isnan(net_retention(np.zeros(0), np.zeros(0)))


def _market(n: int):
    """A hand-made account layer with the observation arrays the books read."""
    return SimpleNamespace(stage=np.full(n, Stage.PROSPECT.value, dtype=np.int8), onboarded=np.zeros(n, bool),
                           contract_value=np.zeros(n), won_week=np.full(n, -10**6, dtype=np.int32),
                           installed_base=np.zeros(n, bool), start_contract_value=np.zeros(n))


def test_a_year_of_books_on_a_constructed_market_is_exact():
    m = _market(6)
    base = np.array([0, 1, 2])
    m.stage[base], m.onboarded[base], m.won_week[base] = Stage.CUSTOMER.value, True, -10
    m.installed_base[base] = True
    m.contract_value[base] = m.start_contract_value[base] = [100.0, 200.0, 300.0]
    weeks = 2 * WEEKS_PER_YEAR
    rec = WeeklyRecorder(weeks, 13)
    for week in range(weeks):
        if week == 3:  # a customer won in year 1 at 50
            m.stage[3], m.onboarded[3], m.won_week[3], m.contract_value[3] = Stage.CUSTOMER.value, True, 3, 50.0
        if week == 10:  # the installed base: account 0 churns, account 1 expands to 260
            m.stage[0], m.onboarded[0] = Stage.CHURNED.value, False
            m.contract_value[1] = 260.0
        if week == 54:  # in year 2, before its anniversary (week 55): the year-1 customer expands to 80
            m.contract_value[3] = 80.0
        if week == 60:  # in year 2: account 2 churns
            m.stage[2], m.onboarded[2] = Stage.CHURNED.value, False
        keep_books(rec, m, week)
    r = revenue_retention(rec)
    year1_grr, year1_nrr = (0 + 200 + 300) / 600, (0 + 260 + 300) / 600
    # year 2's book: accounts 1 (260), 2 (300), 3 (50); a year later 260, 0, 80
    year2_grr, year2_nrr = (260 + 0 + 50) / 610, (260 + 0 + 80) / 610
    assert r["grr_annual"] == pytest.approx((year1_grr + year2_grr) / 2, abs=1e-12)
    assert r["nrr_annual"] == pytest.approx((year1_nrr + year2_nrr) / 2, abs=1e-12)
    assert r["grr_last_year"] == pytest.approx(year2_grr, abs=1e-12)
    assert r["nrr_last_year"] == pytest.approx(year2_nrr, abs=1e-12)
    # installed-base churn: year 1 one of three lost, year 2 one of two
    assert r["installed_base_churn"] == pytest.approx((1 / 3 + 1 / 2) / 2, abs=1e-12)
    # the year-1 cohort: account 3 signed at 50 in week 3, at 80 in week 55
    cohorts = cohort_retention(rec)
    assert list(cohorts) == [1]
    assert cohorts[1]["customers"] == 1
    assert cohorts[1]["grr"] == pytest.approx(1.0) and cohorts[1]["nrr"] == pytest.approx(80 / 50)
    assert r["grr_cohort"] == pytest.approx(1.0) and r["nrr_cohort"] == pytest.approx(80 / 50)
    for key in ("grr_annual", "grr_last_year", "grr_cohort"):
        assert 0.0 <= r[key] <= 1.0
        assert r[key] <= r[key.replace("grr", "nrr")]


def test_a_run_shorter_than_a_year_has_no_retention():
    res = run(sim.load_config("hundred_years_war", ["market.accounts=500", "weeks=20"]), 1)
    assert all(np.isnan(res.summary[k]) for k in ("grr_annual", "nrr_annual", "grr_cohort", "installed_base_churn"))


def test_installed_base_size_scales_with_the_market_and_a_count_still_wins():
    cfg = sim.load_config("hundred_years_war")
    assert cfg.market.initial_customers == -1 and installed_base_size(cfg.market) == 400  # the old default
    for accounts, expected in ((5_000, 100), (20_000, 400), (50_000, 1_000), (2_025, 41)):  # 40.5 rounds up
        assert installed_base_size(sim.load_config("hundred_years_war", [f"market.accounts={accounts}"]).market) \
            == expected
    assert installed_base_size(sim.load_config("hundred_years_war", ["market.accounts=5000",
                                                                     "market.initial_customers=400"]).market) == 400
    for preset, size in (("enterprise", 60), ("smb", 1_500), ("midmarket", 400)):  # the presets' old counts
        assert installed_base_size(sim.load_config("hundred_years_war", [f"market={preset}"]).market) == size


@pytest.fixture(scope="module")
def small_run():
    model = AlignmentModel(sim.load_config("hundred_years_war", SMALL), rng=7)
    base = model.market.installed_base.copy()
    for _ in range(model.config.weeks):
        model.step()
    return model, base, model.weekly(), model.summary()


def test_new_columns_are_declared_outcomes(small_run):
    _, _, weekly, summary = small_run
    for name in NEW_RUN_COLUMNS:
        assert name in summary.index and name in RUN_OUTCOMES, name
        assert RUN_OUTCOMES[name].unit and RUN_OUTCOMES[name].description
    for name in ("installed_base_revenue", "new_business_revenue"):
        assert name in weekly.columns and name in WEEKLY_OUTCOMES, name


def test_no_customer_lost_or_created_by_the_split(small_run):
    model, base, weekly, summary = small_run
    m = model.market
    assert np.array_equal(m.installed_base, base)  # the flag never moves
    assert np.count_nonzero(base) == installed_base_size(model.config.market) == 40
    assert np.all(m.won_week[base] < 0) and not np.any(m.won_week[~base & (m.stage == Stage.CUSTOMER.value)] < 0)
    stage = m.stage[base]
    assert np.all((stage == Stage.CUSTOMER.value) | (stage == Stage.CHURNED.value))  # a base customer stays or leaves
    # the weekly split adds up to revenue exactly as the old split does, week by week
    np.testing.assert_allclose(weekly["installed_base_revenue"] + weekly["new_business_revenue"], weekly["revenue"],
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(weekly["new_customer_revenue"] + weekly["recurring_revenue"], weekly["revenue"],
                               rtol=0, atol=1e-6)
    assert weekly["installed_base_revenue"].iloc[0] > 0 and abs(weekly["new_business_revenue"].iloc[0]) < 1e-6
    assert summary["installed_base_revenue_total"] + summary["new_business_revenue_total"] == \
        pytest.approx(summary["revenue_total"], rel=1e-12)
    # the last week's installed-base revenue is the surviving base's contract values / 52
    alive = base & (m.stage == Stage.CUSTOMER.value) & m.onboarded
    assert weekly["installed_base_revenue"].iloc[-1] == pytest.approx(m.contract_value[alive].sum() / WEEKS_PER_YEAR,
                                                                      rel=1e-12)
    # the first year's book is the installed base at its seeded contract values
    book = model.recorder.year_books[0]
    assert np.array_equal(np.sort(book.accounts), np.flatnonzero(base))


def test_gross_retention_never_exceeds_net_and_stays_in_0_1(small_run):
    model, _, _, summary = small_run
    rec = model.recorder
    assert sorted(rec.year_later) == [0, WEEKS_PER_YEAR]  # 110 weeks: two full years
    for year, later in rec.year_later.items():
        start = rec.year_books[year].arr
        g, n = gross_retention(start, later), net_retention(start, later)
        assert 0.0 <= g <= 1.0 and g <= n
    for key in ("grr_annual", "grr_last_year", "grr_cohort"):
        assert 0.0 <= summary[key] <= 1.0 and summary[key] <= summary[key.replace("grr", "nrr")]


SCALED = ["market.accounts=8000", "operations.staff=6", "operations.max_staff=24", "weeks=104"]


def test_installed_base_churn_sees_half_the_operations_staff():
    """8,000 accounts (160 at week 0) with operations scaled to them (6 staff), two years, 8 paired seeds: half the
    staff (3) raises the installed base's churn and lowers gross revenue retention, each with paired p < 0.01."""
    seeds = replicate_seeds(11, 8)
    arms = {}
    for name, extra in (("full", []), ("half", ["operations.staff=3"])):
        cfg = sim.load_config("hundred_years_war", SCALED + extra)
        arms[name] = [run(cfg, seed).summary for seed in seeds]

    def values(arm, key):
        return np.array([s[key] for s in arms[arm]], dtype=float)

    churn = paired(values("full", "installed_base_churn"), values("half", "installed_base_churn"))
    assert churn.difference > 0 and churn.p < 0.01, churn
    grr = paired(values("full", "grr_annual"), values("half", "grr_annual"))
    assert grr.difference < 0 and grr.p < 0.01, grr


def test_market_size_study_scales_the_firm_in_proportion_and_holds_it_fixed():
    from sim.studies.market_size import arm

    fixed, scaled, default = arm("fixed", 50_000), arm("scaled", 50_000), arm("fixed", 20_000)
    assert installed_base_size(fixed.market) == installed_base_size(default.market) == 400
    assert (fixed.sales.reps, fixed.operations.staff, fixed.marketing.weekly_budget) == \
        (default.sales.reps, default.operations.staff, default.marketing.weekly_budget)
    assert installed_base_size(scaled.market) == 1_000 and scaled.sales.reps == 20 and scaled.operations.staff == 30
    assert scaled.operations.max_staff == 150 and scaled.marketing.staff == 10
    assert scaled.marketing.weekly_budget == pytest.approx(2.5 * default.marketing.weekly_budget)
    small = arm("scaled", 5_000)
    assert (small.sales.reps, small.marketing.staff, small.purchasing.staff, installed_base_size(small.market)) == \
        (2, 1, 1, 100)
    assert fixed.weeks == scaled.weeks == 156
