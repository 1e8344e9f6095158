"""Calibrate the model to one firm's own funnel and answer its what-if questions with credible intervals.

The firm's YAML and CSV (:mod:`sim.calibration.firm_data`) fix what the firm knows (its size, head counts, price,
budget, pay schemes, an SLA on paper); ABC-SMC (:func:`sim.calibration.engine.fit`) infers what it cannot read
off a report: the levers listed under ``infer`` (how much blame, how good the shared data, ...), each on its
schema range unless the YAML gives a narrower one.  The simulator runs the firm's configuration for as many
weeks as its data cover, sums the weeks into the firm's periods (:func:`simulate_series`) and reduces the series
to the statistics of :func:`firm_statistics`, on the model's output and on the firm's data alike.

A what-if (:func:`what_if`) draws parameter sets from the posterior, runs each with and without the change on
common seeds and reports, per outcome, the posterior mean and 90 % credible interval over the draws, in the
columns of :func:`sim.runner.comparison_table`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.firm_data import BY_NAME, FirmDataError, FirmSpec, hydra_value, lever_prior, read_firm
from sim.calibration.patterns import Pattern
from sim.calibration.posterior import Posterior
from sim.calibration.priors import Prior, apply_values

CHANGES = {
    "lead_sla": {"policy.lead_sla": True},
    "shared_data": {"policy.shared_data": 1.0},
    "no_blame": {"policy.blame_culture": 0.0},
    "shared_goal": {"policy.shared_goal_weight": 0.5},
    "joint_meetings": {"policy.joint_meetings": 4},
}
"""Named policy changes a what-if can ask about: name -> config field -> value."""
WHAT_IF_METRICS = ("revenue_total", "new_business_revenue_total", "churn_annual", "lead_acceptance",
                   "lead_to_customer", "sales_cycle_median", "gross_margin_total", "trust_mean_end",
                   "blame_events_per_year")
"""Outcomes a what-if table reports (run summary columns, :mod:`sim.outcomes` gives label and unit)."""
NOISE_EPSILON = 1.0
"""Where a firm's calibration stops: once the ABC threshold (root-mean-square distance in tolerances, each two
standard errors of the firm's statistic) is at or below 1, every statistic is on average within the firm's own
sampling interval.  A run at the true settings of the example firm lies 0.58-1.02 from its data (median 0.90,
12 seeds): a lower threshold would fit the noise of one run and exclude the truth."""
CREDIBLE = 0.90
"""Mass of the credible intervals and of the figure's predictive band."""
FIGURE_SERIES = {"inquiries": "Inquiries", "mqls": "MQLs (marketing-qualified leads)",
                 "sals": "SALs (MQLs accepted by sales)", "sqls": "SQLs (qualified opportunities)",
                 "deals_won": "Deals won", "active_customers": "Active customers (period end)",
                 "churned_customers": "Churned customers", "revenue": "Revenue"}
"""The CSV columns drawn against their posterior predictive band, with their panel titles."""


# --- the firm's model ----------------------------------------------------------------------------------------
@functools.cache
def _base_config(scenario: str, overrides: tuple[str, ...]):
    import sim

    return sim.load_config(scenario, list(overrides))


def firm_config(spec: FirmSpec, values: Mapping[str, float | int], weeks: int):
    """The firm's model configuration: its base scenario, its structure and known policies, ``values`` (config
    field -> value: the inferred levers, a what-if's change) and a horizon of ``weeks`` (model weeks)."""
    fixed = tuple(f"{f}={hydra_value(v)}" for f, v in {**spec.structure, **spec.policy}.items())
    cfg = apply_values(copy.deepcopy(_base_config(spec.base_scenario, fixed)), dict(values))
    cfg.weeks = int(weeks)
    return cfg


def weeks_for(spec: FirmSpec, periods: int) -> int:
    """Model weeks that cover ``periods`` of the firm's periods."""
    return int(math.ceil(periods * spec.weeks_per_period - 1e-9))


def aggregate(weekly: pd.DataFrame, weeks_per_period: float, periods: int) -> pd.DataFrame:
    """A run's weekly table summed into the firm's periods, in the CSV's columns (the first ``periods``).

    Counts and money are summed over the weeks of a period; ``active_customers`` is the period's last week;
    ``average_discount`` is the discount given over the list value of the period's bookings; the sales cycle is
    the median of the weekly medians (NaN in a period without a win)."""
    w = weekly.assign(period=np.floor(weekly["week"].to_numpy() / weeks_per_period + 1e-9).astype(int))
    g = w.groupby("period")
    sums = g[["inquiries", "leads", "leads_accepted", "self_sourced", "qualified", "wins", "churned", "revenue",
              "marketing_spend", "discount_given", "bookings"]].sum()
    out = pd.DataFrame({"inquiries": sums["inquiries"], "mqls": sums["leads"], "sals": sums["leads_accepted"],
                        "rep_sourced": sums["self_sourced"], "sqls": sums["qualified"], "deals_won": sums["wins"],
                        "average_discount": (sums["discount_given"] / (sums["bookings"] + sums["discount_given"])
                                             ).where(sums["wins"] > 0),
                        "sales_cycle_weeks": g["sales_cycle_median"].median(),
                        "active_customers": g["active_customers"].last(), "churned_customers": sums["churned"],
                        "revenue": sums["revenue"], "marketing_spend": sums["marketing_spend"]})
    return out.iloc[:periods].reset_index(drop=True)


def simulate_series(spec: FirmSpec, periods: int, values: Mapping[str, float | int], seed: int) -> pd.DataFrame:
    """The firm's first ``periods`` periods as the model produces them (CSV columns, one row per period).

    Args:
        spec: the firm (its structure, known policies and period length).
        periods: how many of the firm's periods to simulate (months or quarters).
        values: config field -> value for the inferred levers (each in its field's unit).
        seed: the run's seed.
    """
    import sim

    res = sim.run(firm_config(spec, values, weeks_for(spec, periods)), seed=seed, progress=False)
    return aggregate(res.weekly, spec.weeks_per_period, periods)


# --- statistics and patterns -------------------------------------------------------------------------------
def _rate(k: pd.Series, n: pd.Series) -> tuple[float, float]:
    """A rate pooled over periods, ``sum k / sum n``, and its quasi-binomial standard error: the binomial error
    times the square root of the dispersion the periods show (Pearson's chi-square over periods - 1, at least 1;
    funnel stages move together from period to period, so counts vary more than independent leads would)."""
    total_k, total_n = float(k.sum()), float(n.sum())
    if total_n <= 0:
        return math.nan, math.nan
    p = total_k / total_n
    var = max(p * (1 - p), 1 / total_n)
    used = n > 0
    dispersion = 1.0
    if used.sum() > 1:
        dispersion = max(1.0, float((((k - n * p) ** 2)[used] / (n[used] * var)).sum() / (used.sum() - 1)))
    return p, math.sqrt(dispersion * var / total_n)


def _level(x: pd.Series, poisson: bool = False) -> tuple[float, float]:
    """A per-period level's mean over periods and its standard error: the spread of the periods around their
    straight-line trend (a growing series is not noisy for growing) / sqrt(periods), and for counts at least the
    Poisson error sqrt(mean / periods)."""
    x = x.dropna()
    if len(x) < 3:
        return (float(x.mean()) if len(x) else math.nan), math.nan
    t = np.arange(len(x), dtype=float)
    residual = x.to_numpy(dtype=float) - np.polyval(np.polyfit(t, x.to_numpy(dtype=float), 1), t)
    se = float(np.sqrt((residual ** 2).sum() / (len(x) - 2)) / math.sqrt(len(x)))
    if poisson:
        se = max(se, math.sqrt(max(float(x.mean()), 1.0) / len(x)))
    return float(x.mean()), se


def statistics_with_errors(series: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each statistic of a firm's series with its standard error estimated from the series itself.

    Rates are pooled over every period (:func:`_rate`); per-period levels are means over periods
    (:func:`_level`).  Optional columns the series lacks (or leaves blank) give no statistic."""
    s = series
    sourced = s["rep_sourced"].fillna(0) if "rep_sourced" in s else pd.Series(0.0, index=s.index)
    active = s["active_customers"].where(s["active_customers"] > 0)
    out = {"inquiries_per_period": _level(s["inquiries"], poisson=True),
           "inquiry_to_mql": _rate(s["mqls"], s["inquiries"]),
           "mql_to_sal": _rate(s["sals"], s["mqls"]),
           "accepted_to_sql": _rate(s["sqls"], s["sals"] + sourced),
           "sql_to_won": _rate(s["deals_won"], s["sqls"]),
           "won_per_period": _level(s["deals_won"], poisson=True),
           "churn_per_period": _rate(s["churned_customers"], s["active_customers"] + s["churned_customers"]),
           "revenue_per_customer": _level(s["revenue"] / active)}
    if "rep_sourced" in s and s["rep_sourced"].notna().all():
        out["rep_sourced_per_period"] = _level(s["rep_sourced"], poisson=True)
    for column in ("average_discount", "sales_cycle_weeks"):
        if column in s and s[column].notna().sum() >= 3:
            out[column] = _level(s[column])
    return out


def firm_statistics(series: pd.DataFrame, names: Sequence[str] | None = None) -> dict[str, float]:
    """The statistics of :func:`statistics_with_errors` without their errors (only ``names`` when given)."""
    stats = {k: v[0] for k, v in statistics_with_errors(series).items()}
    return stats if names is None else {n: stats.get(n, math.nan) for n in names}


def firm_patterns(data: pd.DataFrame, name: str = "firm") -> list[Pattern]:
    """One :class:`Pattern` per statistic of the firm's data, centred on the firm's value.

    Tolerance rule: twice the statistic's standard error in the firm's own data (so a simulated statistic within
    its tolerance is within the firm's 95 % sampling interval), and at least 2 % of the value, since a rate
    measured on a few hundred deals is not known more finely than the model reproduces it."""
    out = []
    for stat, (value, se) in statistics_with_errors(data).items():
        if not (math.isfinite(value) and math.isfinite(se)):
            continue
        half = max(2 * se, 0.02 * abs(value), 1e-9)
        unit = BY_NAME[stat].unit if stat in BY_NAME else ("share" if "_to_" in stat or "churn" in stat else "")
        out.append(Pattern(stat, "firm", stat, value - half, value + half, unit, f"{name}: its own data"))
    return out


def infer_priors(spec: FirmSpec, fields: Sequence[str] | None = None) -> dict[str, Prior]:
    """The priors of the fields to infer: the YAML's ``infer`` (default) or ``fields``, each with the YAML's
    prior where it lists the field and :func:`~sim.calibration.firm_data.lever_prior` on its whole range where
    it does not."""
    out = {}
    for dotted in (fields if fields is not None else spec.infer):
        try:
            out[dotted] = spec.infer[dotted] if dotted in spec.infer else lever_prior(dotted)
        except ValueError as err:
            raise FirmDataError(f"infer {dotted}: {err}") from None
    return out


def _simulate(values, seed, *, spec: FirmSpec, periods: int, names: tuple[str, ...]) -> dict[str, float]:
    try:
        return firm_statistics(simulate_series(spec, periods, values, seed), names)
    except Exception:  # noqa: BLE001 - a parameter set the model rejects is a rejected particle
        return dict.fromkeys(names, math.nan)


@dataclass
class FirmCalibration:
    """A firm's data (``spec``, ``data``), the patterns fitted (``patterns``) and the ``posterior``."""

    spec: FirmSpec
    data: pd.DataFrame
    patterns: list[Pattern]
    posterior: Posterior


def calibrate_firm(firm_yaml: str | Path, *, infer: Sequence[str] | None = None, population: int = 60,
                   generations: int = 6, walltime_minutes: float = 10.0, n_jobs: int = 2, seed: int | None = None,
                   target_epsilon: float = NOISE_EPSILON, progress: bool = False) -> FirmCalibration:
    """Infer the firm's levers from its funnel by ABC-SMC.

    Args:
        firm_yaml: the firm's YAML (it names the CSV).
        infer: the fields to infer (default: the YAML's ``infer``; a subset keeps the YAML's ranges).
        population: particles per ABC-SMC generation.
        generations: the most generations (the first samples the prior).
        walltime_minutes: the wall-time budget (no generation starts that would overrun it).
        n_jobs: worker processes (-1: every core; 1: pyabc's single-core sampler, reproducible from ``seed``).
        seed: root seed (default: the YAML's ``seed``).
        target_epsilon: stop once the ABC threshold is at or below this distance (:data:`NOISE_EPSILON`).
        progress: a progress bar over generations.
    """
    from sim.calibration.engine import fit

    spec, data = read_firm(firm_yaml)
    prior_set = infer_priors(spec, infer)
    if not prior_set:
        raise FirmDataError(f"{Path(firm_yaml).name}, key 'infer': no lever to infer")
    patterns = firm_patterns(data, spec.name)
    simulate = functools.partial(_simulate, spec=spec, periods=len(data), names=tuple(p.name for p in patterns))
    posterior = fit(prior_set, simulate, patterns, population=population, generations=generations,
                    target_epsilon=target_epsilon, walltime_minutes=walltime_minutes,
                    n_procs=(os.cpu_count() or 1) if n_jobs == -1 else n_jobs,
                    seed=spec.seed if seed is None else seed, progress=progress,
                    meta={"firm": spec.name, "data": spec.data_path.name, "periods": len(data),
                          "period": spec.period})
    return FirmCalibration(spec, data, patterns, posterior)


# --- posterior predictive and the figure -----------------------------------------------------------------------
def _run_task(task):
    return simulate_series(*task)


def _parallel(tasks: list, n_jobs: int, function=_run_task) -> list:
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(function)(t) for t in tasks)


def predictive(cal: FirmCalibration, draws: int = 40, seed: int = 1, n_jobs: int = 2) -> pd.DataFrame:
    """Posterior predictive series in long format (draw, period index, CSV column, value).

    Args:
        cal: the firm's calibration.
        draws: parameter sets drawn from the posterior by weight, one run each on its own seed.
        seed: root seed of the draws and the runs.
        n_jobs: worker processes (joblib; -1: every core).
    """
    seeds = np.random.SeedSequence(seed).generate_state(draws)
    tasks = [(cal.spec, len(cal.data), v, int(s)) for v, s in zip(cal.posterior.sample(draws, seed), seeds)]
    frames = [f.assign(draw=i, index=range(len(f))) for i, f in enumerate(_parallel(tasks, n_jobs))]
    return pd.concat(frames).melt(id_vars=["draw", "index"], var_name="column", value_name="value")


def plot_fit(cal: FirmCalibration, pred: pd.DataFrame, path: str | Path | None = None):
    """The firm's series (points) against the posterior predictive median (line) and 90 % band, one panel per
    series; saved to ``path`` when given; returns the figure."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(15, 6.5), sharex=True)
    labels = list(cal.data["period"])
    x = np.arange(len(labels))
    lo, hi = (1 - CREDIBLE) / 2, (1 + CREDIBLE) / 2
    for ax, (column, title) in zip(axes.flat, FIGURE_SERIES.items()):
        band = pred[pred["column"] == column].groupby("index")["value"].quantile([lo, 0.5, hi]).unstack()
        scale, unit = (1e-3, "EUR thousand") if column == "revenue" else (1.0, BY_NAME[column].unit)
        ax.fill_between(x, band[lo] * scale, band[hi] * scale, color="tab:blue", alpha=0.25,
                        label=f"model, {CREDIBLE:.0%} predictive band")
        ax.plot(x, band[0.5] * scale, color="tab:blue", label="model, predictive median")
        ax.plot(x, cal.data[column] * scale, "o", color="black", ms=4, label=f"data: {cal.spec.name}")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(f"{unit} per {cal.spec.period}" if column != "active_customers" else unit)
        ax.set_xticks(x[:: max(len(x) // 4, 1)], [labels[i] for i in x[:: max(len(x) // 4, 1)]], fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel(cal.spec.period)
    axes.flat[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"{cal.spec.name}: its funnel against the calibrated model's posterior predictive "
                 f"({len(cal.posterior)} particles, {pred['draw'].nunique()} draws)")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


# --- what-ifs --------------------------------------------------------------------------------------------------
def _summary_task(task):
    import sim

    spec, values, seed, weeks = task
    return sim.run(firm_config(spec, values, weeks), seed=seed, progress=False).summary


def what_if(cal: FirmCalibration, change: str | Mapping[str, object], draws: int = 20, replicates: int = 2,
            weeks: int = 156, seed: int = 2, n_jobs: int = 2) -> pd.DataFrame:
    """The effect of a policy change on the calibrated firm, with credible intervals over the posterior.

    Args:
        cal: the firm's calibration.
        change: a name of :data:`CHANGES` or a mapping of config field -> value (it overrides the posterior's
            value where it sets an inferred lever).
        draws: parameter sets drawn from the posterior (by weight).
        replicates: runs per draw and arm, on seeds both arms share (common random numbers).
        weeks: the horizon from the start of the firm's data (156: three years).
        seed: root seed of the draws and the runs.
        n_jobs: worker processes.

    Returns:
        :func:`sim.runner.comparison_table`'s columns (arms ``as_is`` and ``with_change``), where each arm's mean
        and interval are the posterior mean and 90 % credible interval of the arm's replicate mean over draws,
        and ``p_value`` is the posterior probability that the difference has the sign opposite to its mean;
        plus ``relative_ci_low`` and ``relative_ci_high``, the interval of the relative change over the draws whose
        baseline is not zero.
    """
    from sim.outcomes import outcome

    if isinstance(change, str):
        if change not in CHANGES:
            raise FirmDataError(f"what_if: unknown change {change!r} (known: {', '.join(CHANGES)})")
        change = CHANGES[change]
    sets = cal.posterior.sample(draws, seed)
    seeds = np.random.SeedSequence(seed).generate_state(draws * replicates)
    tasks = [(cal.spec, {**v, **arm}, int(seeds[d * replicates + r]), weeks)
             for d, v in enumerate(sets) for arm in ({}, dict(change)) for r in range(replicates)]
    summaries = pd.DataFrame(_parallel(tasks, n_jobs, _summary_task))
    summaries["draw"] = [d for d in range(draws) for _ in range(2 * replicates)]
    summaries["arm"] = [a for _ in range(draws) for a in ("as_is", "with_change") for _ in range(replicates)]
    means = summaries.groupby(["arm", "draw"])[list(WHAT_IF_METRICS)].mean()
    lo, hi = (1 - CREDIBLE) / 2, (1 + CREDIBLE) / 2
    rows = []
    for metric in WHAT_IF_METRICS:
        spec = outcome(metric)
        a, b = means.loc["as_is", metric].to_numpy(), means.loc["with_change", metric].to_numpy()
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok], b[ok]
        row = {"metric": metric, "label": spec.label, "unit": spec.unit}
        for arm, x in (("as_is", a), ("with_change", b)):
            row.update({f"{arm}_mean": spec.display(x.mean()), f"{arm}_ci_low": spec.display(np.quantile(x, lo)),
                        f"{arm}_ci_high": spec.display(np.quantile(x, hi)), f"{arm}_n": int(len(x))})
        d = b - a
        rel = d[a != 0] / a[a != 0] if spec.ratio_scale else np.array([])  # draws with a baseline to divide by
        rel_lo, rel_hi = (np.quantile(rel, lo), np.quantile(rel, hi)) if len(rel) > 1 else (np.nan, np.nan)
        row.update({"difference": spec.display(d.mean()), "difference_ci_low": spec.display(np.quantile(d, lo)),
                    "difference_ci_high": spec.display(np.quantile(d, hi)),
                    "relative_change": d.mean() / a.mean() if spec.ratio_scale else np.nan,
                    "p_value": float(np.mean(np.sign(d) == -np.sign(d.mean()))) if d.mean() != 0 else 1.0,
                    "n": int(len(d)), "relative_ci_low": float(rel_lo), "relative_ci_high": float(rel_hi)})
        rows.append(row)
    return pd.DataFrame(rows)


def what_if_markdown(tables: Mapping[str, pd.DataFrame], firm: str) -> str:
    """The what-if tables as markdown: per change, each outcome's value as is and with the change, the
    difference and the relative change, each with its 90 % credible interval."""
    from sim.outcomes import outcome

    lines = [f"# What-ifs for {firm}", "",
             f"Posterior mean [{CREDIBLE:.0%} credible interval] over parameter sets drawn from the firm's "
             "calibration; both arms of a draw run on the same seeds."]
    for name, table in tables.items():
        lines += ["", f"## {name}: " + ", ".join(f"{k} = {v}" for k, v in CHANGES.get(name, {}).items()), "",
                  "| outcome (unit) | as is | with the change | difference | change | P(opposite sign) |",
                  "|---|---|---|---|---|---|"]
        for _, r in table.iterrows():
            spec = dataclasses.replace(outcome(r["metric"]), scale=1.0)
            cell = [f"{spec.format(r[mean], signed)} [{spec.format(r[low], signed)}, {spec.format(r[high], signed)}]"
                    for mean, low, high, signed in (*((f"{k}_mean", f"{k}_ci_low", f"{k}_ci_high", False)
                                                      for k in ("as_is", "with_change")),
                                                    ("difference", "difference_ci_low", "difference_ci_high", True))]
            change = "n/a (no true zero)" if pd.isna(r["relative_change"]) else f"{r['relative_change']:+.1%}"
            if pd.notna(r["relative_change"]):
                change += (f" [{r['relative_ci_low']:+.1%}, {r['relative_ci_high']:+.1%}]"
                           if pd.notna(r["relative_ci_low"]) else " [n/a: a zero baseline]")
            lines.append(f"| {r['label']} ({r['unit']}) | " + " | ".join(cell) + f" | {change} | "
                         f"{r['p_value']:.2f} |")
    return "\n".join(lines) + "\n"


# --- the command line's entry ----------------------------------------------------------------------------------
def run_firm(firm_yaml: str | Path, out_dir: str | Path, *, infer: Sequence[str] | None = None,
             population: int = 60, generations: int = 6, walltime_minutes: float = 10.0, n_jobs: int = 2,
             seed: int | None = None, band_draws: int = 40, draws: int = 20, replicates: int = 2,
             what_ifs: Sequence[str] | None = None, progress: bool = True) -> int:
    """``alignsim calibrate --firm FILE``: calibrate, draw the fit, answer the what-ifs.

    Writes into ``out_dir``: ``posterior.parquet``, ``fit.png`` (the firm's series against the predictive band of
    ``band_draws`` runs), ``what_if.md`` and ``what_if.csv`` (each change of ``what_ifs``, by default the YAML's
    ``what_if``, else ``lead_sla``; ``draws`` and ``replicates`` as in :func:`what_if`).  Returns 0; on bad input
    prints one line on stderr, writes nothing and returns 2.  The other arguments are :func:`calibrate_firm`'s.
    """
    try:
        spec, _ = read_firm(firm_yaml)
        infer_priors(spec, infer)
        changes = list(what_ifs or spec.what_if or ["lead_sla"])
        unknown = [c for c in changes if c not in CHANGES]
        if unknown:
            raise FirmDataError(f"{Path(firm_yaml).name}, key 'what_if': unknown change {unknown[0]!r} (known: "
                                f"{', '.join(CHANGES)})")
        cal = calibrate_firm(firm_yaml, infer=infer, population=population, generations=generations,
                             walltime_minutes=walltime_minutes, n_jobs=n_jobs, seed=seed, progress=progress)
    except FirmDataError as err:
        print(f"alignsim calibrate: {err}", file=sys.stderr)
        return 2
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cal.posterior.save(out / "posterior.parquet")
    fig = plot_fit(cal, predictive(cal, draws=band_draws, seed=spec.seed + 1, n_jobs=n_jobs), out / "fit.png")
    plt.close(fig)
    tables = {name: what_if(cal, name, draws=draws, replicates=replicates, seed=spec.seed + 2, n_jobs=n_jobs)
              for name in changes}
    (out / "what_if.md").write_text(what_if_markdown(tables, spec.name))
    pd.concat([t.assign(change=name) for name, t in tables.items()]).to_csv(out / "what_if.csv", index=False)
    return 0


__all__ = ["CHANGES", "FirmCalibration", "aggregate", "calibrate_firm", "firm_patterns", "firm_statistics",
           "infer_priors", "plot_fit", "predictive", "run_firm", "simulate_series", "what_if", "what_if_markdown"]
