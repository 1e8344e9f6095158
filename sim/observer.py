"""The observer: turns each week's records and the model's state into one row of the weekly table.

It only reads.  :func:`observe` builds the row from a :class:`~sim.week.Week` and the model;
:class:`WeeklyRecorder` stores rows in preallocated column buffers (one numpy array per column: recording
costs microseconds a week) and builds the table, adding the funnel rates that need a window (lead
acceptance, lead-to-customer conversion, CAC, sales cycle over the trailing quota period).

Revenue retention is measured as SaaS firms measure it (SaaS Capital's retention surveys): on annual
recurring revenue (ARR, the contract values), not on logos.  :func:`keep_books` keeps, once a year, the *book*
of the customers active at the start of the year with their ARR, and, once a week, the ARR of the customers
signed that week; :func:`revenue_retention` turns the books into gross and net revenue retention (GRR, NRR) of
the whole book each year, of each yearly cohort twelve months after signing, and the installed base's churn.
A year of a run is 52 weeks from week 0 (year 1 = weeks 0-51); a run of 156 weeks has three full years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.alignment import StageHold, alignment_stage, krk_items, observed_behaviour
from sim.market import WEEKS_PER_YEAR, Stage
from sim.numeric import mean_of
from sim.relations import MARKETING, OPERATIONS, PURCHASING, SALES
from sim.week import Week

TRUST_PAIRS = {"trust_sales_in_marketing": (SALES, MARKETING), "trust_marketing_in_sales": (MARKETING, SALES),
               "trust_sales_in_operations": (SALES, OPERATIONS), "trust_operations_in_sales": (OPERATIONS, SALES),
               "trust_sales_in_purchasing": (SALES, PURCHASING)}
"""Weekly columns of directed trust: column name -> (who trusts, whom)."""


def observe(model, week: Week) -> dict[str, float]:
    """The weekly table's row for ``week``: flows from the records, stocks read from the model."""
    m, rel, s, ops, books = model.market, model.relations, week.sales, week.operations, week.books
    counts, customers = m.stage_counts(), week.customers
    active = customers.active
    care_share = mean_of([r.care_share for r in model.reps])
    behaviour = observed_behaviour(model, customers.promise_gap)
    items = krk_items(model, behaviour)
    stage_read = alignment_stage(model, behaviour)
    row = dict(
        revenue=books.revenue, new_customer_revenue=week.customers.revenue_new,
        recurring_revenue=week.customers.revenue_recurring,
        installed_base_revenue=customers.revenue_installed_base,
        new_business_revenue=books.revenue - customers.revenue_installed_base,
        gross_margin=books.revenue - books.operations_payroll,
        marketing_spend=books.marketing_spend, payroll=books.payroll, cash_balance=books.cash,
        acquisition_cost=books.marketing_spend + books.sales_payroll * (1 - care_share),
        inquiries=week.inquiries.inquiries, leads=week.inquiries.leads, leads_accepted=s.accepted_from_marketing,
        leads_expired=s.expired, self_sourced=s.self_sourced, qualified=s.qualified, disqualified=s.disqualified,
        wins=s.won, losses=s.lost, lead_wins=s.lead_won, lead_failures=s.lead_failed, bookings=s.bookings,
        discount_given=s.discount_given, discount_mean=mean_of([r.discount for r in model.reps]),
        expansion_value=week.customers.expansion, churned=week.customers.churned,
        churn_rate=week.customers.churned / max(1, active + week.customers.churned),
        active_customers=active, backlog=ops.backlog,
        prospects=counts[Stage.PROSPECT], open_leads=counts[Stage.LEAD], accepted_leads=counts[Stage.ACCEPTED],
        opportunities=counts[Stage.OPPORTUNITY], customers=counts[Stage.CUSTOMER],
        churned_total=counts[Stage.CHURNED], disqualified_total=counts[Stage.DISQUALIFIED],
        satisfaction_mean=customers.satisfaction_mean, care_mean=customers.care_mean,
        delivery_delay=ops.delay, utilisation=ops.utilisation, service_quality=ops.quality,
        ops_staff=len(model.ops_staff), promise_gap=customers.promise_gap, sla_breaches=s.sla_breaches,
        trust_mean=rel.mean_trust, **{name: rel.trust[a, b] for name, (a, b) in TRUST_PAIRS.items()},
        field_knowledge=mean_of([mk.field_knowledge for mk in model.marketers]),
        ops_knowledge=mean_of([r.ops_knowledge for r in model.reps]),
        brand_level=model.marketing.brand_level, enablement=model.enablement,
        reps_at_quota=model.reps_at_quota[-1] if model.reps_at_quota else np.nan,
        alignment_stage=model.recorder.stage_hold.read(stage_read, model.config.instrument.stage_hold_weeks),
        alignment_stage_raw=stage_read, krk_score=sum(items.values()))
    row.update(week.extra)
    return row


@dataclass(frozen=True)
class Book:
    """Customers and their annual contract values (ARR, EUR per year) at one moment of the run."""

    accounts: np.ndarray
    """Indices of the customers in the book."""
    arr: np.ndarray
    """Their annual contract values then (EUR per year)."""
    won_week: np.ndarray
    """The week each was won (negative: a customer of the installed base, won before week 0)."""
    installed_base: np.ndarray
    """Whether each was a customer at week 0."""


def book_at_start(market) -> Book:
    """The book at the start of week 0: the installed base at its seeded contract values."""
    accounts = np.flatnonzero(np.asarray(market.installed_base))
    return Book(accounts, np.asarray(market.start_contract_value, dtype=float)[accounts],
                np.asarray(market.won_week)[accounts], np.ones(accounts.size, dtype=bool))


def book_of(market, accounts: np.ndarray) -> Book:
    """The book of ``accounts`` (customers) at their current contract values."""
    return Book(accounts, np.asarray(market.contract_value, dtype=float)[accounts],
                np.asarray(market.won_week)[accounts],
                np.asarray(market.installed_base)[accounts])


def still_customers(market, book: Book) -> np.ndarray:
    """Whether each customer of ``book`` is still the same customer now (stage customer, won in the same week)."""
    return ((np.asarray(market.stage)[book.accounts] == Stage.CUSTOMER.value)
            & (np.asarray(market.won_week)[book.accounts] == book.won_week))


def arr_later(market, book: Book) -> np.ndarray:
    """What each customer of ``book`` brings now (EUR per year): its contract value if it is still the same
    customer (:func:`still_customers`; churn is final, so never a re-won account), else 0."""
    return np.where(still_customers(market, book), np.asarray(market.contract_value, dtype=float)[book.accounts], 0.0)


def gross_retention(start: np.ndarray, later: np.ndarray) -> float:
    """Gross revenue retention: sum(min(ARR later, ARR at start)) / sum(ARR at start); contraction and churn
    count, expansion does not (SaaS Capital's definition).  NaN for an empty book."""
    total = start.sum()
    return float(np.minimum(later, start).sum() / total) if total > 0 else np.nan


def net_retention(start: np.ndarray, later: np.ndarray) -> float:
    """Net revenue retention: sum(ARR later) / sum(ARR at start) over the same customers; expansion counts too.
    NaN for an empty book."""
    total = start.sum()
    return float(later.sum() / total) if total > 0 else np.nan


def keep_books(recorder: WeeklyRecorder, market, week: int) -> None:
    """After ``week``'s row: keep the year's book at the start of week 0 and at the end of every 52nd week (the
    start of the next year), close the books a year old, and keep this week's signings for their cohort.

    Each year's retention: the book at the year's start against the same customers' ARR a year later.
    Each signing's: its ARR in the week it was signed against its ARR 52 weeks later.  Arrays are read a few
    times a year plus one scan of ``won_week`` a week.
    """
    if week == 0:
        recorder.year_books[0] = book_at_start(market)
    if (week + 1) % WEEKS_PER_YEAR == 0:
        start = week + 1 - WEEKS_PER_YEAR
        opened = recorder.year_books.get(start)
        if opened is not None:
            recorder.year_later[start] = arr_later(market, opened)
            recorder.year_kept[start] = still_customers(market, opened)
        active = np.flatnonzero((np.asarray(market.stage) == Stage.CUSTOMER.value) & np.asarray(market.onboarded))
        recorder.year_books[week + 1] = book_of(market, active)
    signed = recorder.signings.get(week - WEEKS_PER_YEAR)
    if signed is not None:
        recorder.signings_later[week - WEEKS_PER_YEAR] = arr_later(market, signed)
    won = np.flatnonzero(np.asarray(market.won_week) == week)
    if won.size:
        recorder.signings[week] = book_of(market, won)


def revenue_retention(recorder: WeeklyRecorder) -> dict[str, float]:
    """The run's revenue retention from the books :func:`keep_books` kept.

    - ``grr_annual`` / ``nrr_annual``: GRR and NRR of the whole book (the customers active at the start of a
      year, their ARR a year later), the mean over the run's full years (years 1-3 of a 156-week run);
      ``grr_last_year`` / ``nrr_last_year``: the last full year's.
    - ``grr_cohort`` / ``nrr_cohort``: the customers won in the run, each at its ARR when signed against its ARR
      52 weeks later, pooled over the yearly cohorts whose every signing reaches its anniversary inside the run
      (the cohorts of years 1 and 2 of a 156-week run; :func:`cohort_retention` gives each year's).
    - ``installed_base_churn``: the share of the week-0 customers active at a year's start who are gone a year
      later, the mean over the full years (logo churn of the installed base).
    NaN where a run has no full year or no such customer.
    """
    years = sorted(recorder.year_later)
    grr = [gross_retention(recorder.year_books[y].arr, recorder.year_later[y]) for y in years]
    nrr = [net_retention(recorder.year_books[y].arr, recorder.year_later[y]) for y in years]
    lost = []
    for y in years:
        base = recorder.year_books[y].installed_base
        if base.any():
            lost.append(1.0 - float(np.mean(recorder.year_kept[y][base])))
    cohorts = cohort_retention(recorder)
    start = sum((c["arr_start"] for c in cohorts.values()), 0.0)
    later_kept = sum((c["arr_kept"] for c in cohorts.values()), 0.0)
    later = sum((c["arr_later"] for c in cohorts.values()), 0.0)

    def mean(values):
        values = [v for v in values if not np.isnan(v)]
        return float(np.mean(values)) if values else np.nan

    return {"grr_annual": mean(grr), "nrr_annual": mean(nrr),
            "grr_last_year": grr[-1] if grr else np.nan, "nrr_last_year": nrr[-1] if nrr else np.nan,
            "grr_cohort": later_kept / start if start > 0 else np.nan,
            "nrr_cohort": later / start if start > 0 else np.nan,
            "installed_base_churn": mean(lost)}


def cohort_retention(recorder: WeeklyRecorder) -> dict[int, dict[str, float]]:
    """Per yearly cohort (customers won in year y of the run, 1-based) whose signings have all reached their first
    anniversary inside the run: customers, ARR when signed, ARR kept a year later (capped at the signed value:
    the GRR numerator) and ARR a year later (the NRR numerator), with ``grr`` and ``nrr``."""
    out: dict[int, dict[str, float]] = {}
    for week, later in recorder.signings_later.items():
        book = recorder.signings[week]
        c = out.setdefault(week // WEEKS_PER_YEAR + 1,
                           {"customers": 0, "arr_start": 0.0, "arr_kept": 0.0, "arr_later": 0.0})
        c["customers"] += int(book.accounts.size)
        c["arr_start"] += float(book.arr.sum())
        c["arr_kept"] += float(np.minimum(later, book.arr).sum())
        c["arr_later"] += float(later.sum())
    last_complete = (recorder.weeks - WEEKS_PER_YEAR) // WEEKS_PER_YEAR  # cohorts whose last week reaches +52
    for year in [y for y in out if y > last_complete]:
        del out[year]
    for c in out.values():
        c["grr"] = c["arr_kept"] / c["arr_start"] if c["arr_start"] > 0 else np.nan
        c["nrr"] = c["arr_later"] / c["arr_start"] if c["arr_start"] > 0 else np.nan
    return out


class WeeklyRecorder:
    """Column buffers for the weekly table: ``record(week, row, cycles)`` each week, then ``frame()``; and the
    books of revenue retention (:func:`keep_books`).

    Args:
        weeks: number of weeks to be recorded.
        window_weeks: trailing window of the funnel rates (the model passes ``sales.quota_period_weeks``: the
            period the firm measures its funnel over).
    """

    def __init__(self, weeks: int, window_weeks: int):
        self.weeks = weeks
        self.window_weeks = window_weeks
        self.year_books: dict[int, Book] = {}
        """The book at the start of each year, by the year's first week (0, 52, 104, ...)."""
        self.year_later: dict[int, np.ndarray] = {}
        """Per year's book (same key): each customer's ARR a year later (0 when gone)."""
        self.year_kept: dict[int, np.ndarray] = {}
        """Per year's book (same key): whether each customer is still a customer a year later."""
        self.signings: dict[int, Book] = {}
        """The customers signed each week at their contract value then, by week."""
        self.signings_later: dict[int, np.ndarray] = {}
        """Per week's signings: each customer's ARR 52 weeks later (0 when gone)."""
        self.stage_hold = StageHold()
        """The reported alignment stage and the weekly reads that may move it (:class:`~sim.alignment.StageHold`)."""
        self.columns: dict[str, np.ndarray] = {}
        self.cycles: list[np.ndarray] = []
        self.last: dict[str, float] = {}
        """The latest row recorded (what the model's DataCollector reporters read)."""

    def record(self, week: int, row: dict[str, float], cycles: np.ndarray) -> None:
        """Store this week's row (a column is created on first use) and the sales cycles of its wins."""
        for name, value in row.items():
            column = self.columns.get(name)
            if column is None:
                column = self.columns[name] = np.full(self.weeks, np.nan)
            column[week] = value
        self.cycles.append(cycles)
        self.last = row

    def frame(self) -> pd.DataFrame:
        """The weekly table with windowed funnel rates added."""
        n = len(self.cycles)
        df = pd.DataFrame({k: v[:n] for k, v in self.columns.items()})
        df.insert(0, "week", np.arange(n))
        windowed = ["leads_accepted", "leads_expired", "lead_wins", "lead_failures", "acquisition_cost", "wins"]
        roll = df[windowed].rolling(self.window_weeks, min_periods=1).sum()
        resolved = roll["leads_accepted"] + roll["leads_expired"]
        df["lead_acceptance"] = _ratio(roll["leads_accepted"], resolved)
        lead_outcomes = roll["lead_wins"] + roll["lead_failures"] + roll["leads_expired"]
        df["lead_to_customer"] = _ratio(roll["lead_wins"], lead_outcomes)
        df["cac"] = _ratio(roll["acquisition_cost"], roll["wins"], bounded=False)
        # all cycles in one array; week i's window is the slice from the start of week i-window+1 to the end of week i
        flat = np.concatenate(self.cycles) if n else np.empty(0)
        ends = np.cumsum([c.size for c in self.cycles])
        starts = np.concatenate([[0], ends])[np.maximum(0, np.arange(n) - self.window_weeks + 1)]
        df["sales_cycle_median"] = [float(np.median(flat[a:b])) if b > a else np.nan for a, b in zip(starts, ends)]
        return df


def _ratio(num: pd.Series, den: pd.Series, bounded: bool = True) -> pd.Series:
    out = num / den.where(den > 0)
    return out.clip(0, 1) if bounded else out
