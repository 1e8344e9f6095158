"""The per-run summary: totals and end-of-run figures computed from the weekly table, the accounts and the events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.market import WEEKS_PER_YEAR, Stage


def summarise(weekly: pd.DataFrame, market, events: pd.DataFrame, npv_rate: float,
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
