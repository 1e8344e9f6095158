"""What the model reports: the weekly table, the per-run summary, the alignment stage and score.

The weekly table is recorded into preallocated column buffers (one numpy array per column), not a
Mesa DataCollector with agent reporters, so that recording costs microseconds per week.  Rates that
need a window (lead acceptance, lead-to-customer conversion, CAC, sales cycle) are computed over the
trailing quarter when the table is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.market import WEEKS_PER_YEAR, Market, Stage
from sim.relations import MARKETING, OPERATIONS, PURCHASING, SALES

if TYPE_CHECKING:
    from sim.model import AlignmentModel

WINDOW_WEEKS = 13
"""Trailing window (a quarter) for the funnel rates of the weekly table."""
GOLDMAN_STAGES = ("us_vs_them", "friendly_role_play", "cooperative_efforts", "collaboration", "full_alignment")
"""Goldman's five stages of sales-marketing alignment (seed 004), stage 1 to 5."""
KRK_TYPES = ((20, "undefined"), (40, "defined"), (60, "aligned"), (80, "integrated"))
"""Kotler, Rackham & Krishnaswamy (2006): a 20-100 score maps to four relationship types."""
TRUST_PAIRS = {"trust_sales_in_marketing": (SALES, MARKETING), "trust_marketing_in_sales": (MARKETING, SALES),
               "trust_sales_in_operations": (SALES, OPERATIONS), "trust_operations_in_sales": (OPERATIONS, SALES),
               "trust_sales_in_purchasing": (SALES, PURCHASING)}


def mean_of(values) -> float:
    """``float(np.mean(values))`` for a short list of floats, bit for bit, without np.mean's per-call overhead."""
    return float(np.add.reduce(np.array(values, dtype=float)) / len(values))


class WeeklyRecorder:
    """Column buffers for the weekly table: ``record(week, name=value, ...)`` then ``frame()``.

    Args:
        weeks: number of weeks to be recorded.
    """

    def __init__(self, weeks: int):
        self.weeks = weeks
        self.columns: dict[str, np.ndarray] = {}
        self.cycles: list[np.ndarray] = []

    def record(self, week: int, cycles: np.ndarray, **values: float) -> None:
        """Store this week's values (a column is created on first use) and the sales cycles of its wins."""
        for name, value in values.items():
            column = self.columns.get(name)
            if column is None:
                column = self.columns[name] = np.full(self.weeks, np.nan)
            column[week] = value
        self.cycles.append(cycles)

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


# --------------------------------------------------------------------- alignment stage and score
def alignment_stage(model: AlignmentModel) -> int:
    """Goldman's stage (1-5), derived from the organisation's state, never set directly.

    1 Us vs Them: the default.  2 Friendly role-play: marketing-sales trust at least 0.45 and at most
    two blame events in the last year.  3 Cooperative efforts: 2 plus agreed KPIs (a lead SLA in force).
    4 Collaboration: 3 plus shared pipeline data (shared_data >= 0.5) and trust at least 0.6.
    5 Full alignment: 4 plus near-complete shared data (>= 0.8), shared goals (weight >= 0.5), joint
    meetings and trust at least 0.75.
    """
    rel, policy = model.relations, model.config.policy
    trust = rel.pair_trust(MARKETING, SALES)
    if trust < 0.45 or rel.blames_last_year() > 2:
        return 1
    if not policy.lead_sla:
        return 2
    if policy.shared_data < 0.5 or trust < 0.6:
        return 3
    if policy.shared_data < 0.8 or policy.shared_goal_weight < 0.5 or policy.joint_meetings == 0 or trust < 0.75:
        return 4
    return 5


def krk_items(model: AlignmentModel) -> dict[str, float]:
    """The Kotler-Rackham-Krishnaswamy (2006) diagnostic: 20 statements, each scored 1-5 from state.

    The statements paraphrase the themes of the published questionnaire; each is operationalised by
    the model variable named in its line (1 = strongly disagree, 5 = strongly agree).
    """
    rel, p = model.relations, model.config.policy
    k_m = mean_of([m.field_knowledge for m in model.marketers])
    k_s = mean_of([r.ops_knowledge for r in model.reps])
    blame_free = 1 - min(1.0, rel.blames_last_year() / 8)
    forecast = max(0.0, 1 - abs(model.last_attainment - 1))
    meetings = min(1.0, 4 / p.joint_meetings) if p.joint_meetings else 0.0
    rotation = min(1.0, p.cross_training_rate)
    items = {
        "sales close to forecast": forecast,
        "nobody blames the other side": blame_free,
        "marketers go on customer calls": k_m,
        "marketing asks sales for input": rel.trust[MARKETING, SALES],
        "reps find marketing material useful": model.enablement,
        "common definition of a lead": 1.0 if p.lead_sla else 0.0,
        "jointly designed funnel": 0.5 * (p.lead_sla + meetings),
        "common metrics": p.shared_goal_weight,
        "rise or fall together": 0.5 * (p.shared_goal_weight + (p.marketing_pay == "revenue")),
        "one executive over both": 1.0 if p.marketing_reports_to_sales else 0.5 * p.shared_goal_weight,
        "people move between functions": rotation,
        "joint training": 0.5 * (rotation + meetings),
        "sales reports lead quality back": rel.flow(SALES, MARKETING),
        "shared customer data": p.shared_data,
        "joint planning meetings": meetings,
        "marketing spend reviewed with sales": max(float(p.spend_veto), meetings),
        "sales follows up marketing leads": model.last_acceptance,
        "operations consulted before promising": k_s,
        "sales and operations trust each other": rel.pair_trust(SALES, OPERATIONS),
        "marketing balances brand and leads": 1 - model.marketing_waste_share,
    }
    return {k: 1 + 4 * _clip01(float(v)) for k, v in items.items()}


def _clip01(v: float) -> float:
    """``np.clip(v, 0, 1)`` for a Python float (NaN stays NaN), without numpy's per-call overhead."""
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v


def krk_type(score: float) -> str:
    """Relationship type for a 20-100 score: undefined, defined, aligned or integrated."""
    return [name for low, name in KRK_TYPES if score >= low][-1]


# --------------------------------------------------------------------- the per-run summary
def summarise(weekly: pd.DataFrame, market: Market, events: pd.DataFrame, npv_rate: float,
              reps_at_quota: list[float]) -> pd.Series:
    """Totals and end-of-run figures of one run (3-year revenue, NPV, retention, CAC, funnel, trust...)."""
    weeks = len(weekly)
    discount = (1 + npv_rate) ** (-np.arange(weeks) / WEEKS_PER_YEAR)
    won_in_run = market.won_week >= 0
    cohort = won_in_run & (market.won_week <= weeks - WEEKS_PER_YEAR)
    churned_early = (market.stage == Stage.CHURNED.value) & (market.stage_week - market.won_week < WEEKS_PER_YEAR)
    cohort_size = np.count_nonzero(cohort)
    retention = 1 - np.count_nonzero(cohort & churned_early) / cohort_size if cohort_size else np.nan
    customer_years = weekly["active_customers"].sum() / WEEKS_PER_YEAR
    annual_churn = weekly["churned"].sum() / customer_years if customer_years > 0 else np.nan
    margin_per_year = (weekly["gross_margin"].sum() / customer_years) if customer_years > 0 else np.nan
    clv = margin_per_year * (1 - annual_churn) / (1 + npv_rate - (1 - annual_churn)) if customer_years > 0 else np.nan
    leads_resolved = weekly["leads_accepted"].sum() + weekly["leads_expired"].sum()
    lead_outcomes = weekly["lead_wins"].sum() + weekly["lead_failures"].sum() + weekly["leads_expired"].sum()
    blames = events[events["kind"] == "blame"] if len(events) else events
    last = weekly.iloc[-1]
    return pd.Series({
        "revenue_total": weekly["revenue"].sum(),
        "revenue_npv": float((weekly["revenue"] * discount).sum()),
        "new_customer_revenue_total": weekly["new_customer_revenue"].sum(),
        "recurring_revenue_total": weekly["recurring_revenue"].sum(),
        "gross_margin_total": weekly["gross_margin"].sum(),
        "gross_margin_rate": weekly["gross_margin"].sum() / max(weekly["revenue"].sum(), 1e-9),
        "marketing_spend_total": weekly["marketing_spend"].sum(),
        "cash_balance_end": last["cash_balance"],
        "customers_won": int(weekly["wins"].sum()),
        "active_customers_end": int(last["active_customers"]),
        "retention_12m": retention,
        "churn_annual": annual_churn,
        "clv": clv,
        "cac": weekly["acquisition_cost"].sum() / max(weekly["wins"].sum(), 1),
        "lead_acceptance": weekly["leads_accepted"].sum() / leads_resolved if leads_resolved else np.nan,
        "lead_to_customer": weekly["lead_wins"].sum() / lead_outcomes if lead_outcomes else np.nan,
        "inquiry_to_mql": weekly["leads"].sum() / max(weekly["inquiries"].sum(), 1),
        "sal_to_sql": weekly["qualified"].sum() / max(weekly["qualified"].sum() + weekly["disqualified"].sum(), 1),
        "sql_to_won": weekly["wins"].sum() / max(weekly["wins"].sum() + weekly["losses"].sum(), 1),
        "sales_cycle_median": float(weekly["sales_cycle_median"].median()),  # NaN when nothing was won
        "discount_mean": weekly["discount_given"].sum() / max(weekly["bookings"].sum()
                                                              + weekly["discount_given"].sum(), 1e-9),
        "promise_gap_mean": float(weekly["promise_gap"].mean()),
        "delivery_delay_mean": float(weekly["delivery_delay"].mean()),
        "satisfaction_end": last["satisfaction_mean"],
        "trust_mean_end": last["trust_mean"],
        "trust_sales_marketing_end": 0.5 * (last["trust_sales_in_marketing"] + last["trust_marketing_in_sales"]),
        "blame_events": len(blames),
        "blame_events_per_year": len(blames) / (weeks / WEEKS_PER_YEAR),
        "vetoes": int(weekly["vetoes"].sum()),
        "sla_breaches": int(weekly["sla_breaches"].sum()),
        "reps_at_quota": float(np.mean(reps_at_quota)) if reps_at_quota else np.nan,
        "alignment_stage_end": int(last["alignment_stage"]),
        "krk_score_end": last["krk_score"],
        "field_knowledge_end": last["field_knowledge"],
        "brand_level_end": last["brand_level"],
    })
