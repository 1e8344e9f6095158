"""The null model: the same funnel with fixed rates, no agents and no feedback (issue 19).

A claim's effect is a finding of the agent model only if a plain funnel cannot produce it. The null model keeps the
funnel's accounting (marketing money buys leads, leads become customers one sales cycle later, other sources add
customers, customers pay every week and some leave) and replaces everything the agents do with rates measured on a
**reference arm** of the agent model (:func:`fit_rates`, pooled over its replicates and weeks), so at the reference
arm's settings it reproduces the agent model's levels. Another arm enters only through the firm's structure the
accounting reads: its weekly marketing budget (leads per euro stay fixed) and its list price (revenue per customer
scales with it; demand does not respond). Every policy lever (blame, SLA, veto, pay, meetings, discount authority,
...) has no channel here, so a policy's effect in the null model is zero up to noise unless the lever also moves the
budget or the price.

Draws use inverse CDFs of uniforms drawn up front from the replicate's seed (one fixed-size block per week), so two
arms on the same seed are paired draw for draw, as the agent model's common random numbers are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import Config
from sim.market import WEEKS_PER_YEAR

OUTCOMES = ("revenue_total", "revenue_year1", "revenue_last_year", "revenue_prev_year", "growth_last_year",
            "new_revenue_year1", "wins_year1", "wins_last_year", "customers_won", "cash_balance_end",
            "gross_margin_total", "gross_margin_rate", "marketing_spend_total", "active_customers_end",
            "churn_annual", "grr_annual", "nrr_annual", "cac", "lead_acceptance", "leads_ignored", "lead_to_customer")
"""The per-run outcomes the null model produces (the agent model's names); any other outcome is undefined
there (NaN), and a claim on it cannot be reproduced by a funnel."""


@dataclass(frozen=True)
class FunnelRates:
    """Fixed weekly rates of the funnel, measured on a reference arm of the agent model.

    Attributes:
        spend_share: realised marketing spend per euro of weekly budget (a veto or waste may spend less).
        leads_per_eur: leads per euro of realised marketing spend.
        acceptance: share of marketing's leads sales works.
        wins_per_lead: customers won per marketing lead.
        other_wins: customers won per week from other sources (reps' own prospecting), from the end of the first
            sales cycle on.
        revenue_per_customer: revenue per active customer per week (EUR), at the reference list price.
        new_revenue_per_win: revenue in its first year from one new customer (EUR), at the reference list price.
        churn: weekly probability that an active customer leaves.
        expansion: yearly expansion revenue per euro of revenue (net minus gross retention).
        margin: gross margin per euro of revenue.
        payroll: weekly payroll (EUR).
        initial_customers: active customers at week 0.
        cycle_weeks: weeks from a marketing lead to the customer it becomes (the reference's median sales cycle).
        list_price: the reference arm's list price (EUR per account per year).
    """

    spend_share: float
    leads_per_eur: float
    acceptance: float
    wins_per_lead: float
    other_wins: float
    revenue_per_customer: float
    new_revenue_per_win: float
    churn: float
    expansion: float
    margin: float
    payroll: float
    initial_customers: float
    cycle_weeks: int
    list_price: float


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def fit_rates(weekly: pd.DataFrame, runs: pd.DataFrame, config: Config) -> FunnelRates:
    """The reference arm's rates: pooled sums over its replicates and weeks (``weekly``, ``runs``: the arm's
    rows of the agent model's tables; ``config``: the arm's config)."""
    w = weekly
    spend, leads = w["marketing_spend"].sum(), w["leads"].sum()
    lead_wins = w["lead_wins"].sum()
    first = w[w["week"] < WEEKS_PER_YEAR]
    weeks, replicates = int(w["week"].max()) + 1, max(len(runs), 1)
    cycle = int(round(np.nan_to_num(runs["sales_cycle_median"].mean())))
    return FunnelRates(
        spend_share=_ratio(spend, config.marketing.weekly_budget * len(w)),
        leads_per_eur=_ratio(leads, spend),
        acceptance=float(np.clip(runs["lead_acceptance"].mean(), 0, 1)),
        wins_per_lead=_ratio(lead_wins, leads),
        other_wins=float((w["wins"] - w["lead_wins"]).clip(lower=0).sum() / max(weeks - cycle, 1) / replicates),
        revenue_per_customer=_ratio(w["revenue"].sum(), w["active_customers"].sum()),
        new_revenue_per_win=_ratio(first["new_customer_revenue"].sum(), first["wins"].sum()),
        churn=_ratio(w["churned"].sum(), w["active_customers"].sum()),
        expansion=float(max(runs["nrr_annual"].mean() - runs["grr_annual"].mean(), 0.0)),
        margin=_ratio(w["gross_margin"].sum(), w["revenue"].sum()),
        payroll=float(w["payroll"].mean()),
        initial_customers=float(w.loc[w["week"] == 0, "active_customers"].mean()),
        cycle_weeks=cycle,
        list_price=config.market.list_price)


def run_null(rates: FunnelRates, config: Config, seed: int) -> dict[str, float]:
    """One run of the null funnel for the firm structure of ``config`` (weeks, weekly budget, list price) on the
    uniforms of ``seed``; returns the :data:`OUTCOMES` of the run."""
    weeks = config.weeks
    u = np.random.default_rng(seed).random((weeks, 4))
    price = config.market.list_price / rates.list_price if rates.list_price else 1.0
    spend = config.marketing.weekly_budget * rates.spend_share
    leads = stats.poisson.ppf(u[:, 0], spend * rates.leads_per_eur)
    in_cycle = np.arange(weeks) < rates.cycle_weeks  # the first sales cycle closes no deal, from any source
    converting = np.concatenate([np.zeros(min(rates.cycle_weeks, weeks)), leads])[:weeks]  # leads of c weeks ago
    lead_wins = stats.binom.ppf(u[:, 1], converting, min(rates.wins_per_lead, 1.0))
    wins = lead_wins + np.where(in_cycle, 0.0, stats.poisson.ppf(u[:, 2], rates.other_wins))
    active, churned = np.zeros(weeks), np.zeros(weeks)
    customers = float(round(rates.initial_customers))
    for t in range(weeks):
        churned[t] = stats.binom.ppf(u[t, 3], customers, rates.churn)
        customers += wins[t] - churned[t]
        active[t] = customers
    revenue = active * rates.revenue_per_customer * price
    new_revenue = wins * rates.new_revenue_per_win * price
    first, last = slice(0, WEEKS_PER_YEAR), slice(max(weeks - WEEKS_PER_YEAR, 0), weeks)
    prev = slice(max(weeks - 2 * WEEKS_PER_YEAR, 0), max(weeks - WEEKS_PER_YEAR, 0))
    years = weeks / WEEKS_PER_YEAR
    exposure = active.sum() / WEEKS_PER_YEAR
    churn_annual = churned.sum() / exposure if exposure else 0.0
    grr = (1 - rates.churn) ** WEEKS_PER_YEAR
    n_leads = leads.sum()
    accepted = stats.binom.ppf(np.random.default_rng([seed, 1]).random(), n_leads, rates.acceptance)
    spend_total = spend * weeks
    out = {
        "revenue_total": revenue.sum(), "revenue_year1": revenue[first].sum(), "revenue_last_year": revenue[last].sum(),
        "revenue_prev_year": revenue[prev].sum(), "new_revenue_year1": new_revenue[first].sum(),
        "wins_year1": wins[first].sum(), "wins_last_year": wins[last].sum(), "customers_won": wins.sum(),
        "cash_balance_end": revenue.sum() - spend_total - rates.payroll * weeks,
        "gross_margin_total": revenue.sum() * rates.margin, "gross_margin_rate": rates.margin,
        "marketing_spend_total": spend_total, "active_customers_end": active[-1], "churn_annual": churn_annual,
        "grr_annual": grr, "nrr_annual": grr + rates.expansion,
        "cac": spend_total / wins.sum() if wins.sum() else np.nan,
        "lead_acceptance": accepted / n_leads if n_leads else np.nan,
        "lead_to_customer": lead_wins.sum() / n_leads if n_leads else np.nan,
    }
    out["leads_ignored"] = 1 - out["lead_acceptance"]
    out["growth_last_year"] = (out["revenue_last_year"] / out["revenue_prev_year"] - 1
                               if years >= 2 and out["revenue_prev_year"] else np.nan)
    return {k: float(v) for k, v in out.items()}


def null_runs(rates: FunnelRates, configs: dict[str, Config], seeds: dict[int, int]) -> pd.DataFrame:
    """The null model's per-run table for every arm (``configs`` by arm name) on every replicate's seed
    (``seeds``: replicate -> seed): columns scenario, replicate, seed and :data:`OUTCOMES`."""
    rows = [{"scenario": arm, "replicate": rep, "seed": seed, **run_null(rates, cfg, seed)}
            for arm, cfg in configs.items() for rep, seed in seeds.items()]
    return pd.DataFrame(rows)
