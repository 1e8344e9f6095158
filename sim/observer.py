"""The observer: turns each week's records and the model's state into one row of the weekly table.

It only reads.  :func:`observe` builds the row from a :class:`~sim.week.Week` and the model;
:class:`WeeklyRecorder` stores rows in preallocated column buffers (one numpy array per column: recording
costs microseconds a week) and builds the table, adding the funnel rates that need a window (lead
acceptance, lead-to-customer conversion, CAC, sales cycle over the trailing quarter).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.alignment import alignment_stage, krk_items, observed_behaviour
from sim.market import Stage
from sim.numeric import mean_of
from sim.relations import MARKETING, OPERATIONS, PURCHASING, SALES
from sim.week import Week

WINDOW_WEEKS = 13
"""Trailing window (a quarter) for the funnel rates of the weekly table."""
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
    row = dict(
        revenue=books.revenue, new_customer_revenue=week.customers.revenue_new,
        recurring_revenue=week.customers.revenue_recurring, gross_margin=books.revenue - books.operations_payroll,
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
        alignment_stage=alignment_stage(model, behaviour), krk_score=sum(items.values()))
    row.update(week.extra)
    return row


class WeeklyRecorder:
    """Column buffers for the weekly table: ``record(week, row, cycles)`` each week, then ``frame()``.

    Args:
        weeks: number of weeks to be recorded.
    """

    def __init__(self, weeks: int):
        self.weeks = weeks
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
        roll = df[windowed].rolling(WINDOW_WEEKS, min_periods=1).sum()
        resolved = roll["leads_accepted"] + roll["leads_expired"]
        df["lead_acceptance"] = _ratio(roll["leads_accepted"], resolved)
        lead_outcomes = roll["lead_wins"] + roll["lead_failures"] + roll["leads_expired"]
        df["lead_to_customer"] = _ratio(roll["lead_wins"], lead_outcomes)
        df["cac"] = _ratio(roll["acquisition_cost"], roll["wins"], bounded=False)
        # all cycles in one array; week i's window is the slice from the start of week i-12 to the end of week i
        flat = np.concatenate(self.cycles) if n else np.empty(0)
        ends = np.cumsum([c.size for c in self.cycles])
        starts = np.concatenate([[0], ends])[np.maximum(0, np.arange(n) - WINDOW_WEEKS + 1)]
        df["sales_cycle_median"] = [float(np.median(flat[a:b])) if b > a else np.nan for a, b in zip(starts, ends)]
        return df


def _ratio(num: pd.Series, den: pd.Series, bounded: bool = True) -> pd.Series:
    out = num / den.where(den > 0)
    return out.clip(0, 1) if bounded else out
