"""Per-run outcomes the studies derive from the weekly tables and event logs (yearly splits, event rates,
discounting through the quota period), each declared in :mod:`sim.outcomes` so tables and figures can name it."""

from __future__ import annotations

import pandas as pd

from sim.market import WEEKS_PER_YEAR
from sim.outcomes import PCT, SHARE, Outcome, register

EVENT_KINDS = ("blame", "miss", "fix", "meeting", "rotation", "veto", "hire")
"""Event kinds counted per year of run (``<kind>_per_year``)."""
EDGE_WEEKS = 4
"""Weeks at each end of a quota period compared by ``discount_late_minus_early``."""
KEYS = ["scenario", "replicate"]

for _outcome in (
    Outcome("wins_year1", "Customers won in year 1", "accounts", digits=0),
    Outcome("wins_last_year", "Customers won in the last year", "accounts", digits=0),
    Outcome("churn_last_year", "Customers churned in the last year", "accounts", better="lower", digits=0),
    Outcome("revenue_year1", "Revenue in year 1", "EUR million", 1e-6),
    Outcome("revenue_last_year", "Revenue in the last year", "EUR million", 1e-6),
    Outcome("revenue_prev_year", "Revenue in the year before the last", "EUR million", 1e-6),
    Outcome("new_revenue_year1", "New-customer revenue in year 1", "EUR million", 1e-6),
    Outcome("growth_last_year", "Revenue growth, last year over the year before", SHARE, PCT, digits=1),
    Outcome("field_knowledge_mean", "Marketing field knowledge (mean over the run)", "score 0-1",
            ratio_scale=False),
    Outcome("ops_knowledge_mean", "Reps' knowledge of operations (mean over the run)", "score 0-1",
            ratio_scale=False),
    Outcome("enablement_mean", "Usefulness of sales material (mean over the run)", "score 0-1", ratio_scale=False),
    Outcome("discount_late_minus_early", f"Discount, last {EDGE_WEEKS} minus first {EDGE_WEEKS} weeks of a quota "
            "period", "percentage points", PCT, better="neither", ratio_scale=False, digits=1),
    Outcome("blame_per_year", "Blame events (event log)", "per year", better="lower", digits=1),
    Outcome("miss_per_year", "Missed KPIs", "per year", better="lower", digits=1),
    Outcome("fix_per_year", "Joint fixes", "per year", digits=1),
    Outcome("meeting_per_year", "Joint meetings", "per year", better="neither", digits=1),
    Outcome("rotation_per_year", "Role-swap weeks", "per year", better="neither", digits=1),
    Outcome("veto_per_year", "Campaign vetoes (event log)", "per year", better="neither", digits=1),
    Outcome("hire_per_year", "Operations hires", "per year", better="neither", digits=1),
    Outcome("blame_per_miss", "Blame events per missed KPI", "blames per miss", better="lower", digits=3),
):
    register(_outcome)


def add_derived(runs: pd.DataFrame, weekly: pd.DataFrame, events: pd.DataFrame,
                quota_weeks: dict[str, int]) -> pd.DataFrame:
    """``runs`` with the derived per-run outcomes added.

    Args:
        runs, weekly, events: the tables of :func:`sim.run_replicates` (one row per run, week, event).
        quota_weeks: each scenario's quota period in weeks (``sales.quota_period_weeks`` of its config).
    """
    w = weekly
    weeks = int(w["week"].max()) + 1
    last = w["week"] >= weeks - WEEKS_PER_YEAR
    prev = (w["week"] >= weeks - 2 * WEEKS_PER_YEAR) & ~last
    first = w["week"] < WEEKS_PER_YEAR
    g = w.groupby(KEYS)
    extra = pd.DataFrame({
        "wins_year1": w[first].groupby(KEYS)["wins"].sum(),
        "wins_last_year": w[last].groupby(KEYS)["wins"].sum(),
        "churn_last_year": w[last].groupby(KEYS)["churned"].sum(),
        "revenue_year1": w[first].groupby(KEYS)["revenue"].sum(),
        "revenue_last_year": w[last].groupby(KEYS)["revenue"].sum(),
        "revenue_prev_year": w[prev].groupby(KEYS)["revenue"].sum(),
        "new_revenue_year1": w[first].groupby(KEYS)["new_customer_revenue"].sum(),
        "field_knowledge_mean": g["field_knowledge"].mean(),
    })
    for column in ("ops_knowledge", "enablement"):
        if column in w:
            extra[f"{column}_mean"] = g[column].mean()
    extra["growth_last_year"] = extra["revenue_last_year"] / extra["revenue_prev_year"] - 1
    if "discount_mean" in w:
        extra["discount_late_minus_early"] = _discount_through_period(w, quota_weeks)
    extra = extra.join(_event_rates(events, extra.index, weeks / WEEKS_PER_YEAR))
    extra["blame_per_miss"] = extra["blame_per_year"] / extra["miss_per_year"].where(extra["miss_per_year"] > 0)
    out = runs.merge(extra.reset_index(), on=KEYS, how="left")
    out["leads_ignored"] = 1 - out["lead_acceptance"]
    return out


def _discount_through_period(weekly: pd.DataFrame, quota_weeks: dict[str, int]) -> pd.Series:
    """Per run: mean discount in the last ``EDGE_WEEKS`` weeks of a quota period minus the first ``EDGE_WEEKS``."""
    period = weekly["scenario"].map(quota_weeks)
    pos = weekly["week"] % period
    late = weekly[pos >= period - EDGE_WEEKS].groupby(KEYS)["discount_mean"].mean()
    early = weekly[pos < EDGE_WEEKS].groupby(KEYS)["discount_mean"].mean()
    return late - early


def _event_rates(events: pd.DataFrame, index: pd.Index, years: float) -> pd.DataFrame:
    """Events of each kind per year of run, zero where a run logged none."""
    counts = (events.groupby(KEYS + ["kind"]).size().unstack("kind") if len(events)
              else pd.DataFrame(index=index))
    return pd.DataFrame({f"{kind}_per_year": (counts[kind] if kind in counts else pd.Series(0.0, index=index))
                         .reindex(index).fillna(0) / years for kind in EVENT_KINDS}, index=index)
