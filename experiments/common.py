"""Shared machinery of the claim studies: arms, paired replicates, tests, figures and summaries.

A study is declared as data (:class:`Study`): the arms it compares (a scenario plus overrides each),
or a sweep over one lever, and the checks that decide whether each seed claim / stylised fact holds.
:func:`run_study` runs every arm on the same spawned seeds (common random numbers, through
``sim.runner.run_replicates``), adds yearly and event-based metrics to the per-run table, evaluates
the checks with paired tests (scipy) and 95 % confidence intervals, and :func:`write_study` writes the
tidy tables (CSV), the figure (PNG) and the Markdown summary into ``experiments/results/<study>/``.

The same declaration runs in a fast variant (small market, two years, fewer replicates) for the tests.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.runner import run_replicates
from sim.config import field_table

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "experiments" / "results"
REPLICATES = 30
"""Replicates per arm in the full studies (paired by seed across arms)."""
FAST_OVERRIDES = ("weeks=104",)
"""The fast variant used by the tests: the default market over two years (a run's cost is mostly per
week, and a smaller market with the same staff changes the calibration, e.g. quota attainment)."""
FAST_REPLICATES = 12
WEEKS_PER_YEAR = 52
EVENT_KINDS = ("blame", "miss", "fix", "meeting", "rotation", "veto", "hire")

METRICS: dict[str, tuple[str, str, float]] = {
    # column: (label, unit, scale applied for display)
    "revenue_total": ("3-year revenue", "EUR million", 1e-6),
    "revenue_npv": ("NPV of revenue", "EUR million", 1e-6),
    "retention_12m": ("12-month retention", "share of cohort", 1.0),
    "churn_annual": ("annual churn", "share per year", 1.0),
    "gross_margin_total": ("gross margin", "EUR million", 1e-6),
    "gross_margin_rate": ("gross margin rate", "share of revenue", 1.0),
    "new_customer_revenue_total": ("new-customer revenue", "EUR million", 1e-6),
    "lead_acceptance": ("marketing leads accepted by sales", "share of leads", 1.0),
    "leads_ignored": ("marketing leads never worked", "share of leads", 1.0),
    "lead_to_customer": ("lead-to-customer conversion", "share of leads", 1.0),
    "cac": ("customer acquisition cost", "EUR per customer", 1.0),
    "customers_won": ("customers won", "accounts", 1.0),
    "blame_events_per_year": ("blame events", "per year", 1.0),
    "fix_per_year": ("joint fixes", "per year", 1.0),
    "blame_per_year": ("blame events (event log)", "per year", 1.0),
    "veto_per_year": ("campaign vetoes (event log)", "per year", 1.0),
    "rotation_per_year": ("role-swap weeks", "per year", 1.0),
    "hire_per_year": ("operations hires", "per year", 1.0),
    "meeting_per_year": ("joint meetings", "per year", 1.0),
    "miss_per_year": ("missed KPIs", "per year", 1.0),
    "blame_per_miss": ("blame events per missed KPI", "share of misses", 1.0),
    "trust_mean_end": ("mean trust at the end", "trust 0-1", 1.0),
    "trust_sales_marketing_end": ("sales-marketing trust at the end", "trust 0-1", 1.0),
    "field_knowledge_end": ("marketing field knowledge at the end", "score 0-1", 1.0),
    "field_knowledge_mean": ("marketing field knowledge (mean over run)", "score 0-1", 1.0),
    "ops_knowledge_mean": ("reps' knowledge of operations (mean over run)", "score 0-1", 1.0),
    "promise_gap_mean": ("promise gap", "service level promised - delivered", 1.0),
    "discount_mean": ("mean discount", "share of list price", 1.0),
    "reps_at_quota": ("reps at quota", "share of reps per period", 1.0),
    "brand_level_end": ("brand stock at the end", "x initial", 1.0),
    "vetoes": ("campaign vetoes", "channels vetoed", 1.0),
    "satisfaction_end": ("customer satisfaction at the end", "score 0-1", 1.0),
    "alignment_stage_end": ("Goldman alignment stage at the end", "stage 1-5", 1.0),
    "krk_score_end": ("KRK alignment score at the end", "score 20-100", 1.0),
    "sales_cycle_median": ("median sales cycle", "weeks", 1.0),
    "wins_year1": ("customers won in year 1", "accounts", 1.0),
    "wins_year3": ("customers won in the last year", "accounts", 1.0),
    "churn_last_year": ("customers churned in the last year", "accounts", 1.0),
    "revenue_year1": ("revenue in year 1", "EUR million", 1e-6),
    "revenue_last_year": ("revenue in the last year", "EUR million", 1e-6),
    "new_revenue_year1": ("new-customer revenue in year 1", "EUR million", 1e-6),
    "growth_last_year": ("revenue growth, last year vs year before", "ratio - 1", 1.0),
    "cash_balance_end": ("cash balance at the end (revenue - marketing spend - payroll)", "EUR million", 1e-6),
    "marketing_spend_total": ("marketing spend over the run", "EUR million", 1e-6),
    "miss_after_blame_gap": ("Spearman rho, blames in a quarter vs missed KPIs in the next", "rho", 1.0),
    "goldman_index": ("scenario's Goldman stage", "stage 1-5", 1.0),
    "deal_approval_share": ("opportunities waiting for purchasing", "share (mean)", 1.0),
    "enablement_mean": ("usefulness of sales material", "score 0-1", 1.0),
    "discount_late_minus_early": ("discount, last 4 weeks minus first 4 weeks of a quota period",
                                  "share of list price", 1.0),
    "sla_breaches": ("SLA breaches", "leads", 1.0),
}


def label(metric: str) -> str:
    return METRICS.get(metric, (metric, "", 1.0))[0]


def unit(metric: str) -> str:
    return METRICS.get(metric, (metric, "", 1.0))[1]


def scale(metric: str) -> float:
    return METRICS.get(metric, (metric, "", 1.0))[2]


# --------------------------------------------------------------------- declarations
@dataclass
class Arm:
    """One arm of a study: a scenario preset with overrides, under a distinct name."""

    name: str
    scenario: str = "hundred_years_war"
    overrides: tuple[str, ...] = ()
    description: str = ""
    lever_value: float | None = None  # position on the x-axis of a sweep


@dataclass
class Row:
    """One row of the README table: a claim checked by one comparison."""

    claim: str
    statement: str
    compared: str
    metric: str
    effect: str
    ci: str
    p: float
    holds: bool
    note: str = ""


@dataclass
class Check:
    """A directional, paired comparison of ``treatment`` against ``baseline`` on ``metric``.

    The claim holds when the paired mean difference has the ``expected`` sign and the paired t-test
    gives p < ``alpha``.  ``evaluate``, when given, replaces this rule (sweeps, patterns).
    ``tested`` marks the checks the fast tests assert (those that hold under the default calibration).
    """

    claim: str
    statement: str
    baseline: str = ""
    treatment: str = ""
    metric: str = "revenue_total"
    expected: int = +1
    alpha: float = 0.05
    tested: bool = True
    evaluate: Callable[["StudyResult", "Check"], Row] | None = None
    explain_if_not: str = ""


@dataclass
class Study:
    """A study: its arms (or a sweep), the checks it settles, and what to plot and explain."""

    key: str
    title: str
    claims: tuple[str, ...]
    question: str
    arms: list[Arm]
    checks: list[Check]
    panels: tuple[str, ...] = ("revenue", "active_customers")
    """Weekly columns plotted for arm comparisons (mean and 95 % band over replicates)."""
    mechanism: tuple[str, ...] = ("blame_events_per_year",)
    """Per-run metrics quoted (baseline -> treatment) in the mechanism sentence."""
    mechanism_text: str = ""
    """One sentence on the causal path, completed with the measured numbers."""
    sweep_lever: str = ""
    """For sweeps: the lever's name on the x-axis; arms carry ``lever_value``."""
    sweep_metrics: tuple[str, ...] = ()
    fast_overrides: tuple[str, ...] = FAST_OVERRIDES
    fast_replicates: int = FAST_REPLICATES
    table_metrics: tuple[str, ...] = ("revenue_total", "retention_12m")
    prepare: Callable[["StudyResult"], None] | None = None
    """Optional hook that adds study-specific per-run metrics to ``res.runs`` before the checks."""
    fast_arms: tuple[str, ...] = ()
    """Arms run in the fast variant (all when empty); checks that need a missing arm are skipped."""
    main_pair: tuple[str, str] | None = None
    """(baseline, treatment) quoted for revenue and retention in the summary; default the first check's."""


@dataclass
class StudyResult:
    study: Study
    runs: pd.DataFrame
    weekly: pd.DataFrame
    rows: list[Row] = field(default_factory=list)
    fast: bool = False
    arms: list[Arm] = field(default_factory=list)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)

    def values(self, arm: str, metric: str) -> np.ndarray:
        r = self.runs[self.runs["scenario"] == arm].sort_values("replicate")
        return r[metric].to_numpy(float)


# --------------------------------------------------------------------- statistics
def mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and t-based 95 % confidence interval."""
    x = np.asarray(x, float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan,) * 3
    m = float(x.mean())
    if x.size < 2:
        return m, m, m
    h = float(stats.sem(x) * stats.t.ppf(0.975, x.size - 1))
    return m, m - h, m + h


def paired(res: StudyResult, baseline: str, treatment: str, metric: str) -> dict:
    """Paired comparison (same seeds): means, difference with 95 % CI, paired t-test and Wilcoxon p."""
    a = res.runs[res.runs["scenario"] == baseline].set_index("replicate")[metric]
    b = res.runs[res.runs["scenario"] == treatment].set_index("replicate")[metric]
    idx = a.index.intersection(b.index)
    xa, xb = a.loc[idx].to_numpy(float), b.loc[idx].to_numpy(float)
    ok = ~(np.isnan(xa) | np.isnan(xb))
    xa, xb = xa[ok], xb[ok]
    d = xb - xa
    md, lo, hi = mean_ci(d)
    if d.size > 1 and np.ptp(d) > 0:
        p = float(stats.ttest_rel(xb, xa).pvalue)
        try:
            pw = float(stats.wilcoxon(xb, xa).pvalue)
        except ValueError:
            pw = np.nan
    else:
        p = pw = (1.0 if d.size and md == 0 else np.nan) if not (d.size and np.all(d == d[0]) and d[0] != 0) else 0.0
    ma, mb = float(np.mean(xa)) if xa.size else np.nan, float(np.mean(xb)) if xb.size else np.nan
    return {"metric": metric, "baseline": baseline, "treatment": treatment, "n_pairs": int(d.size),
            "baseline_mean": ma, "treatment_mean": mb, "difference": md, "diff_low": lo, "diff_high": hi,
            "relative": md / ma if ma else np.nan, "p_paired_t": p, "p_wilcoxon": pw}


def fmt(value: float, metric: str) -> str:
    """A number in the metric's display unit with sensible precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    v = value * scale(metric)
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_p(p: float) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return "< 1e-4" if p < 1e-4 else f"{p:.3g}"


def effect_text(c: dict) -> str:
    rel = f" ({c['relative']:+.1%})" if np.isfinite(c["relative"]) and abs(c["baseline_mean"]) > 1e-12 else ""
    return (f"{label(c['metric'])}: {fmt(c['baseline_mean'], c['metric'])} → {fmt(c['treatment_mean'], c['metric'])}"
            f" {unit(c['metric'])}; Δ = {fmt(c['difference'], c['metric'])}{rel}")


def ci_text(c: dict) -> str:
    return f"[{fmt(c['diff_low'], c['metric'])}, {fmt(c['diff_high'], c['metric'])}]"


def directional_row(res: StudyResult, chk: Check) -> Row:
    """The default rule: expected sign of the paired difference and p < alpha."""
    c = paired(res, chk.baseline, chk.treatment, chk.metric)
    holds = bool(np.sign(c["difference"]) == chk.expected and c["p_paired_t"] < chk.alpha)
    note = "" if holds else chk.explain_if_not
    return Row(chk.claim, chk.statement, f"{chk.treatment} vs {chk.baseline}", chk.metric, effect_text(c),
               ci_text(c), c["p_paired_t"], holds, note)


# --------------------------------------------------------------------- running
def build_config(arm: Arm, extra: tuple[str, ...] = ()):
    cfg = sim.load_config(arm.scenario, [*arm.overrides, *extra])
    cfg.name = arm.name
    return cfg


def _derived_metrics(runs: pd.DataFrame, weekly: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Add yearly, event-based and within-period metrics to the per-run table."""
    keys = ["scenario", "replicate"]
    w = weekly.copy()
    weeks = int(w["week"].max()) + 1
    years = weeks / WEEKS_PER_YEAR
    last = w["week"] >= weeks - WEEKS_PER_YEAR
    prev = (w["week"] >= weeks - 2 * WEEKS_PER_YEAR) & ~last
    first = w["week"] < WEEKS_PER_YEAR
    g = w.groupby(keys)
    extra = pd.DataFrame({
        "wins_year1": w[first].groupby(keys)["wins"].sum(),
        "wins_year3": w[last].groupby(keys)["wins"].sum(),
        "churn_last_year": w[last].groupby(keys)["churned"].sum(),
        "revenue_year1": w[first].groupby(keys)["revenue"].sum(),
        "revenue_last_year": w[last].groupby(keys)["revenue"].sum(),
        "new_revenue_year1": w[first].groupby(keys)["new_customer_revenue"].sum(),
        "revenue_prev_year": w[prev].groupby(keys)["revenue"].sum(),
        "field_knowledge_mean": g["field_knowledge"].mean(),
    })
    if "ops_knowledge" in w:
        extra["ops_knowledge_mean"] = g["ops_knowledge"].mean()
    if "enablement" in w:
        extra["enablement_mean"] = g["enablement"].mean()
    extra["growth_last_year"] = extra["revenue_last_year"] / extra["revenue_prev_year"] - 1
    # discounting through the quota period (seed 002: pressure near period end)
    if "discount_mean" in w:
        pos = w["week"] % 13
        late = w[pos >= 9].groupby(keys)["discount_mean"].mean()
        early = w[pos <= 3].groupby(keys)["discount_mean"].mean()
        extra["discount_late_minus_early"] = late - early
    counts = (events.groupby(keys + ["kind"]).size().unstack("kind") if len(events)
              else pd.DataFrame(index=extra.index))
    for kind in EVENT_KINDS:
        col = counts[kind] if kind in counts else pd.Series(0, index=extra.index)
        extra[f"{kind}_per_year"] = col.reindex(extra.index).fillna(0) / years
    extra["blame_per_miss"] = extra["blame_per_year"] / extra["miss_per_year"].where(extra["miss_per_year"] > 0)
    extra = extra.reset_index()
    out = runs.merge(extra, on=keys, how="left")
    out["leads_ignored"] = 1 - out["lead_acceptance"]
    return out


def run_study(study: Study, fast: bool = False, replicates: int | None = None, n_jobs: int = 2,
              seed: int = 0) -> StudyResult:
    """Run every arm on common random numbers and evaluate the checks."""
    extra = study.fast_overrides if fast else ()
    n = replicates or (study.fast_replicates if fast else REPLICATES)
    arms = [a for a in study.arms if not fast or not study.fast_arms or a.name in study.fast_arms]
    names = {a.name for a in arms}
    cfgs = [build_config(arm, extra) for arm in arms]
    cmp = run_replicates(cfgs, n, seed=seed, n_jobs=n_jobs)
    runs = _derived_metrics(cmp.runs, cmp.weekly, cmp.events)
    runs["lever_value"] = np.nan
    for arm in arms:
        runs.loc[runs["scenario"] == arm.name, "lever_value"] = arm.lever_value
    res = StudyResult(study, runs, cmp.weekly, fast=fast, arms=arms, events=cmp.events)
    if study.prepare is not None:
        study.prepare(res)
    res.rows = [(chk.evaluate or directional_row)(res, chk) for chk in study.checks
                if not (chk.baseline and chk.baseline not in names) and not (chk.treatment and chk.treatment not in names)]
    return res


# --------------------------------------------------------------------- sweep rules
def sweep_curve(res: StudyResult, metric: str) -> pd.DataFrame:
    """Mean and 95 % CI of ``metric`` at each sweep point."""
    rows = []
    for arm in res.arms:
        if arm.lever_value is None:
            continue
        m, lo, hi = mean_ci(res.values(arm.name, metric))
        rows.append({"arm": arm.name, "lever": arm.lever_value, "mean": m, "low": lo, "high": hi})
    return pd.DataFrame(rows).sort_values("lever")


def interior_optimum(res: StudyResult, chk: Check) -> Row:
    """Inverted U: the best sweep point is interior and beats both ends (paired t, p < alpha each)."""
    curve = sweep_curve(res, chk.metric)
    sign = chk.expected
    best = curve.iloc[int(np.argmax(sign * curve["mean"].to_numpy()))]
    lo_end, hi_end = curve.iloc[0], curve.iloc[-1]
    interior = best["arm"] not in (lo_end["arm"], hi_end["arm"])
    cmp_lo = paired(res, lo_end["arm"], best["arm"], chk.metric)
    cmp_hi = paired(res, hi_end["arm"], best["arm"], chk.metric)
    p = max(cmp_lo["p_paired_t"], cmp_hi["p_paired_t"])
    holds = bool(interior and p < chk.alpha)
    lever = res.study.sweep_lever
    effect = (f"{label(chk.metric)} peaks at {lever} = {best['lever']:g} ({fmt(best['mean'], chk.metric)} "
              f"{unit(chk.metric)}); vs {lever} = {lo_end['lever']:g}: Δ = {fmt(cmp_lo['difference'], chk.metric)}, "
              f"vs {lever} = {hi_end['lever']:g}: Δ = {fmt(cmp_hi['difference'], chk.metric)}")
    ci = f"{ci_text(cmp_lo)}; {ci_text(cmp_hi)}"
    note = "" if holds else (chk.explain_if_not or ("optimum at an end of the range" if not interior
                                                     else "peak not significantly above both ends"))
    return Row(chk.claim, chk.statement, f"sweep of {lever} ({len(curve)} values)", chk.metric, effect, ci, p,
               holds, note)


# --------------------------------------------------------------------- outputs
def _band(weekly: pd.DataFrame, column: str) -> pd.DataFrame:
    g = weekly.groupby(["scenario", "week"], sort=False)[column]
    out = g.agg(["mean", "sem", "count"]).reset_index()
    half = out["sem"].fillna(0) * stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out


WEEKLY_LABELS = {
    "revenue": ("Weekly revenue", "EUR thousand per week", 1e-3),
    "active_customers": ("Active customers", "accounts", 1.0),
    "lead_acceptance": ("Marketing leads accepted by sales (trailing quarter)", "share of leads", 1.0),
    "lead_to_customer": ("Lead-to-customer conversion (trailing quarter)", "share of leads", 1.0),
    "trust_mean": ("Mean trust between departments", "trust 0-1", 1.0),
    "trust_sales_in_marketing": ("Sales' trust in marketing", "trust 0-1", 1.0),
    "field_knowledge": ("Marketing field knowledge", "score 0-1", 1.0),
    "ops_knowledge": ("Reps' knowledge of operations", "score 0-1", 1.0),
    "discount_mean": ("Mean rep discount", "share of list price", 1.0),
    "promise_gap": ("Promise gap (promised - delivered)", "service level", 1.0),
    "satisfaction_mean": ("Mean customer satisfaction", "score 0-1", 1.0),
    "brand_level": ("Brand stock", "x initial", 1.0),
    "wins": ("Customers won", "accounts per week", 1.0),
    "churned": ("Customers churned", "accounts per week", 1.0),
    "gross_margin": ("Weekly gross margin", "EUR thousand per week", 1e-3),
    "alignment_stage": ("Goldman alignment stage", "stage 1-5", 1.0),
    "krk_score": ("KRK alignment score", "score 20-100", 1.0),
    "marketing_spend": ("Marketing spend", "EUR thousand per week", 1e-3),
    "delivery_delay": ("Delivery delay", "weeks", 1.0),
}


def plot_arms(res: StudyResult, path: Path) -> None:
    """Weekly panels, one line per arm with its 95 % band over paired replicates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = res.study.panels
    ncols = 2
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.6 * nrows), sharex=True, constrained_layout=True,
                             squeeze=False)
    weekly = res.weekly
    for ax, column in zip(axes.flat, panels):
        title, yunit, sc = WEEKLY_LABELS.get(column, (column, "", 1.0))
        w = weekly
        if column in ("wins", "churned", "revenue", "gross_margin"):  # smooth noisy flows over 4 weeks
            w = weekly.assign(**{column: weekly.groupby(["scenario", "replicate"])[column]
                                 .transform(lambda s: s.rolling(4, min_periods=1).mean())})
            title += " (4-week mean)"
        band = _band(w, column)
        for scenario, rows in band.groupby("scenario", sort=False):
            line, = ax.plot(rows["week"], rows["mean"] * sc, label=scenario, lw=1.5)
            ax.fill_between(rows["week"], rows["low"] * sc, rows["high"] * sc, color=line.get_color(), alpha=0.2)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(yunit)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("week")
    axes.flat[0].legend(title="arm (mean, 95 % band)", fontsize=8)
    n = res.runs.groupby("scenario")["replicate"].nunique().min()
    fig.suptitle(f"{res.study.title} — {n} paired replicates per arm", fontsize=11)
    fig.savefig(path, dpi=72)
    plt.close(fig)


def lever_label(lever: str) -> str:
    """Axis label of a swept lever: its name and the unit declared for it in the config schema."""
    units = {row["unit"] for row in field_table() if row["field"].rsplit(".", 1)[-1] == lever}
    return f"{lever} ({units.pop()})" if len(units) == 1 else lever


def plot_sweep(res: StudyResult, path: Path) -> None:
    """Each sweep metric against the lever, mean with 95 % CI band over replicates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = res.study.sweep_metrics
    ncols = 2
    nrows = math.ceil(len(metrics) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.6 * nrows), constrained_layout=True, squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        curve = sweep_curve(res, metric)
        sc = scale(metric)
        ax.plot(curve["lever"], curve["mean"] * sc, "o-", label="mean over replicates")
        ax.fill_between(curve["lever"], curve["low"] * sc, curve["high"] * sc, alpha=0.25, label="95 % CI")
        for arm in res.arms:  # reference arms outside the sweep (e.g. lever off)
            if arm.lever_value is None:
                m, lo, hi = mean_ci(res.values(arm.name, metric))
                ax.axhline(m * sc, color="grey", ls="--", lw=1, label=f"{arm.name} (mean)")
                ax.axhspan(lo * sc, hi * sc, color="grey", alpha=0.12)
        ax.set_title(label(metric), fontsize=10)
        ax.set_ylabel(unit(metric))
        ax.set_xlabel(lever_label(res.study.sweep_lever))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(metrics):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    n = res.runs.groupby("scenario")["replicate"].nunique().min()
    fig.suptitle(f"{res.study.title} — {n} paired replicates per point", fontsize=11)
    fig.savefig(path, dpi=72)
    plt.close(fig)


RUN_COLUMNS = ("scenario", "replicate", "seed", "lever_value", "revenue_total", "revenue_npv", "retention_12m",
               "churn_annual", "gross_margin_total", "gross_margin_rate", "new_customer_revenue_total",
               "customers_won", "lead_acceptance", "lead_to_customer", "cac", "sales_cycle_median", "discount_mean",
               "discount_late_minus_early", "promise_gap_mean", "reps_at_quota", "trust_mean_end",
               "trust_sales_marketing_end", "field_knowledge_mean", "ops_knowledge_mean", "brand_level_end",
               "vetoes", "cash_balance_end", "marketing_spend_total", "blame_per_year", "miss_per_year", "fix_per_year", "meeting_per_year", "rotation_per_year",
               "veto_per_year", "hire_per_year", "blame_per_miss", "wins_year1", "wins_year3", "churn_last_year",
               "revenue_year1", "revenue_last_year", "growth_last_year", "alignment_stage_end", "krk_score_end",
               "satisfaction_end")


def mechanism_sentence(res: StudyResult) -> str:
    """The study's mechanism sentence, filled with baseline -> treatment means read from the runs/events."""
    base, treat = main_pair(res.study)
    parts = []
    for metric in res.study.mechanism:
        a = np.nanmean(res.values(base, metric))
        b = np.nanmean(res.values(treat, metric))
        parts.append(f"{label(metric)} went from {fmt(a, metric)} to {fmt(b, metric)} {unit(metric)}")
    return f"{res.study.mechanism_text} In the runs ({base} → {treat}): " + "; ".join(parts) + "."


def main_pair(study: Study) -> tuple[str, str]:
    if study.main_pair:
        return study.main_pair
    for chk in study.checks:
        if chk.baseline and chk.treatment:
            return chk.baseline, chk.treatment
    return study.arms[0].name, study.arms[-1].name


def write_study(res: StudyResult, root: Path = RESULTS) -> Path:
    """Write runs.csv (one row per run), effects.csv (paired differences), figure.png and summary.md."""
    study = res.study
    out = root / study.key
    out.mkdir(parents=True, exist_ok=True)
    cols = [c for c in RUN_COLUMNS if c in res.runs]
    res.runs[cols].round(6).to_csv(out / "runs.csv", index=False)
    base, treat = main_pair(study)
    pairs = {(base, treat)} | {(c.baseline, c.treatment) for c in study.checks if c.baseline and c.treatment}
    metrics = list(dict.fromkeys([*study.table_metrics, *(c.metric for c in study.checks), *study.mechanism]))
    effects = pd.DataFrame([paired(res, a, b, m) for a, b in sorted(pairs) for m in metrics if m in res.runs])
    effects.to_csv(out / "effects.csv", index=False, float_format="%.6g")
    (plot_sweep if study.sweep_lever else plot_arms)(res, out / "figure.png")
    (out / "summary.md").write_text(summary_markdown(res, effects))
    return out


def summary_markdown(res: StudyResult, effects: pd.DataFrame) -> str:
    study = res.study
    n = int(res.runs.groupby("scenario")["replicate"].nunique().min())
    base, treat = main_pair(study)
    lines = [f"# {study.title}", "", f"Claims: {', '.join(study.claims)}. {study.question}", "",
             f"Arms ({n} replicates each, paired by seed: common random numbers; "
             f"{'fast variant' if res.fast else 'default calibration, 20,000 accounts, 156 weeks'}):", ""]
    lines += ["| arm | scenario | overrides |", "|---|---|---|"]
    for arm in res.arms:
        lines.append(f"| {arm.name} | {arm.scenario} | {', '.join(arm.overrides) or '—'} |")
    lines += ["", "## Effect on 3-year revenue and 12-month retention", "",
              "Paired t-test (`scipy.stats.ttest_rel`, arms share seeds); Wilcoxon signed-rank p as a check.", "",
              "| comparison | metric | baseline mean | treatment mean | difference [95 % CI] | p (paired t) | "
              "p (Wilcoxon) |", "|---|---|---|---|---|---|---|"]
    for _, e in effects.iterrows():
        if e["metric"] not in study.table_metrics and not (e["baseline"] == base and e["treatment"] == treat):
            continue
        lines.append(f"| {e['treatment']} vs {e['baseline']} | {label(e['metric'])} ({unit(e['metric'])}) | "
                     f"{fmt(e['baseline_mean'], e['metric'])} | {fmt(e['treatment_mean'], e['metric'])} | "
                     f"{fmt(e['difference'], e['metric'])} [{fmt(e['diff_low'], e['metric'])}, "
                     f"{fmt(e['diff_high'], e['metric'])}] | {fmt_p(e['p_paired_t'])} | {fmt_p(e['p_wilcoxon'])} |")
    if study.sweep_lever:
        lines += ["", f"## Curve over {study.sweep_lever}", "", "| " + study.sweep_lever + " | " +
                  " | ".join(f"{label(m)} ({unit(m)})" for m in study.sweep_metrics) + " |",
                  "|---" * (len(study.sweep_metrics) + 1) + "|"]
        curves = {m: sweep_curve(res, m).set_index("lever") for m in study.sweep_metrics}
        for lev in curves[study.sweep_metrics[0]].index:
            cells = [f"{fmt(curves[m].loc[lev, 'mean'], m)} [{fmt(curves[m].loc[lev, 'low'], m)}, "
                     f"{fmt(curves[m].loc[lev, 'high'], m)}]" for m in study.sweep_metrics]
            lines.append(f"| {lev:g} | " + " | ".join(cells) + " |")
    lines += ["", "## Verdict", "", "| claim | statement | compared | measured effect | 95 % CI | p | holds? |",
              "|---|---|---|---|---|---|---|"]
    for r in res.rows:
        lines.append(f"| {r.claim} | {r.statement} | {r.compared} | {r.effect} | {r.ci} | {fmt_p(r.p)} | "
                     f"{'holds' if r.holds else 'does not hold'} |")
    notes = [r for r in res.rows if r.note]
    if notes:
        lines += [""] + [f"- **{r.claim}**: {r.note}" for r in notes]
    lines += ["", "## Mechanism", "", mechanism_sentence(res), "", "![figure](figure.png)", "",
              "Files: `runs.csv` (one row per run), `effects.csv` (paired differences), `figure.png`.", ""]
    return "\n".join(lines)


def main(study: Study) -> StudyResult:
    """Command-line entry of a study script: ``python experiments/<study>.py [--fast] [--replicates N]``."""
    parser = argparse.ArgumentParser(description=study.title)
    parser.add_argument("--fast", action="store_true", help="small market, two years (the tests' variant)")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    res = run_study(study, fast=args.fast, replicates=args.replicates, n_jobs=args.n_jobs)
    path = write_study(res, args.out)
    for r in res.rows:
        print(f"{r.claim}: {'holds' if r.holds else 'does NOT hold'} — {r.effect} CI {r.ci} p={fmt_p(r.p)}")
    print(f"written to {path}")
    return res


# --------------------------------------------------------------------- further rules for checks
def in_band(arm: str, low: float, high: float) -> Callable[[StudyResult, Check], Row]:
    """The arm's mean of the check's metric lies in [low, high] (its 95 % CI must overlap the band, and the
    mean must lie inside it); p is the one-sample t-test against the nearest band edge."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        x = res.values(arm, chk.metric)
        m, lo, hi = mean_ci(x)
        edge = low if m < low else high if m > high else (low if m - low < high - m else high)
        p = float(stats.ttest_1samp(x[~np.isnan(x)], edge).pvalue)
        holds = bool(low <= m <= high)
        effect = (f"{label(chk.metric)} in {arm}: {fmt(m, chk.metric)} {unit(chk.metric)} "
                  f"(target band {fmt(low, chk.metric)}–{fmt(high, chk.metric)})")
        return Row(chk.claim, chk.statement, f"{arm} against the published band", chk.metric, effect,
                   f"[{fmt(lo, chk.metric)}, {fmt(hi, chk.metric)}]", p, holds,
                   "" if holds else chk.explain_if_not)
    return evaluate


def one_sample(arm: str) -> Callable[[StudyResult, Check], Row]:
    """The arm's mean of the metric has the expected sign (one-sample t-test against 0)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        x = res.values(arm, chk.metric)
        x = x[~np.isnan(x)]
        m, lo, hi = mean_ci(x)
        p = float(stats.ttest_1samp(x, 0.0).pvalue) if np.ptp(x) > 0 else np.nan
        holds = bool(np.sign(m) == chk.expected and p < chk.alpha)
        return Row(chk.claim, chk.statement, f"{arm}: within-run difference", chk.metric,
                   f"{label(chk.metric)}: {fmt(m, chk.metric)} {unit(chk.metric)}",
                   f"[{fmt(lo, chk.metric)}, {fmt(hi, chk.metric)}]", p, holds, "" if holds else chk.explain_if_not)
    return evaluate


def relative_within(low: float, high: float) -> Callable[[StudyResult, Check], Row]:
    """Directional and significant, and the relative change lies in [low, high] ('moderate' effects)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        row = directional_row(res, chk)
        c = paired(res, chk.baseline, chk.treatment, chk.metric)
        ok = low <= c["relative"] <= high
        row.holds = bool(row.holds and ok)
        row.effect += f" (moderate band {low:+.0%} to {high:+.0%})"
        if not row.holds:
            row.note = chk.explain_if_not or f"relative change {c['relative']:+.1%} outside {low:+.0%}..{high:+.0%}"
        return row
    return evaluate


def relative_at_most(share: float) -> Callable[[StudyResult, Check], Row]:
    """The treatment changes the metric by at most ``share`` of the baseline in the expected direction
    ('largely in place'); p is the paired t-test of the change."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        c = paired(res, chk.baseline, chk.treatment, chk.metric)
        holds = bool(abs(c["relative"]) <= share)
        return Row(chk.claim, chk.statement, f"{chk.treatment} vs {chk.baseline}", chk.metric,
                   effect_text(c) + f" (largely in place: |change| ≤ {share:.0%})", ci_text(c), c["p_paired_t"],
                   holds, "" if holds else chk.explain_if_not)
    return evaluate


def all_of(*rules: Callable[[StudyResult, Check], Row], joiner: str = "; ") -> Callable[[StudyResult, Check], Row]:
    """Several sub-checks must all hold (each rule receives the same check)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        rows = [r(res, chk) for r in rules]
        return Row(chk.claim, chk.statement, joiner.join(r.compared for r in rows), chk.metric,
                   joiner.join(r.effect for r in rows), joiner.join(r.ci for r in rows),
                   max(r.p for r in rows), all(r.holds for r in rows),
                   "" if all(r.holds for r in rows) else chk.explain_if_not)
    return evaluate


def paired_rule(baseline: str, treatment: str, metric: str, expected: int) -> Callable[[StudyResult, Check], Row]:
    """A directional paired comparison with its own arms and metric (for use inside :func:`all_of`)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        sub = Check(chk.claim, chk.statement, baseline, treatment, metric, expected, chk.alpha)
        return directional_row(res, sub)
    return evaluate
