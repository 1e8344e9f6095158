"""Run the model: one run, replicates on common random numbers, and paired comparisons of scenarios.

Replicate seeds are spawned from one root ``numpy.random.SeedSequence``, so replicate k of every
scenario sees the same seed (common random numbers) and results are identical whether runs go
serially, in parallel, or in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import Config, validate

COMPARE_METRICS = ("revenue_total", "revenue_npv", "retention_12m", "churn_annual", "cac", "lead_acceptance",
                   "lead_to_customer", "sales_cycle_median", "gross_margin_total", "trust_mean_end",
                   "blame_events_per_year", "alignment_stage_end", "krk_score_end")
"""Summary metrics shown by :func:`compare` and the main job, in this order."""


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        weekly: one row per week (see DESIGN section 4 for the columns).
        summary: per-run totals and end-of-run figures.
        events: one row per blame, fix, miss, meeting, rotation, veto and hire.
        seed: the seed the run used.
    """

    weekly: pd.DataFrame
    summary: pd.Series
    events: pd.DataFrame
    seed: int


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Seeds for ``replicates`` runs, spawned from ``SeedSequence(root)``: independent streams, and the
    same list for every scenario (common random numbers)."""
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in np.random.SeedSequence(root).spawn(replicates)]


def run(cfg: Config, seed: int | None = None) -> RunResult:
    """Run one scenario for ``cfg.weeks`` weeks.

    Args:
        cfg: a validated config (``sim.load_config``).
        seed: the run's seed; defaults to ``cfg.seed``.
    """
    from sim.model import AlignmentModel

    validate(cfg)
    seed = cfg.seed if seed is None else int(seed)
    model = AlignmentModel(cfg, rng=seed)
    model.run_for(cfg.weeks)
    weekly = model.weekly()
    return RunResult(weekly=weekly, summary=model.summary(), events=model.events(), seed=seed)


def _run_tagged(cfg: Config, seed: int, replicate: int) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    result = run(cfg, seed)
    tag = {"scenario": cfg.name, "replicate": replicate, "seed": seed}
    summary = pd.concat([pd.Series(tag), result.summary])
    weekly = result.weekly.assign(**tag)
    events = result.events.assign(**tag)
    return summary, weekly, events


@dataclass
class Comparison:
    """Paired replicates of two or more scenarios.

    Attributes:
        runs: one row per run (scenario, replicate, seed, then the summary metrics).
        weekly: the weekly tables of every run, stacked (tidy).
        events: the event logs of every run, stacked.
        table: per metric, each scenario's mean with a 95 % CI, and the paired difference
            (second minus first) with its 95 % CI and the paired t-test p-value.
    """

    runs: pd.DataFrame
    weekly: pd.DataFrame
    events: pd.DataFrame
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    x = x[~np.isnan(x)]
    if x.size < 2:
        m = float(x.mean()) if x.size else np.nan
        return m, m, m
    m, se = x.mean(), stats.sem(x)
    h = se * stats.t.ppf(0.975, x.size - 1) if se > 0 else 0.0
    return float(m), float(m - h), float(m + h)


def comparison_table(runs: pd.DataFrame, baseline: str, other: str,
                     metrics: tuple[str, ...] = COMPARE_METRICS) -> pd.DataFrame:
    """Mean and 95 % CI per scenario and the paired difference (other - baseline) with its CI and p-value."""
    a = runs[runs["scenario"] == baseline].set_index("replicate")
    b = runs[runs["scenario"] == other].set_index("replicate")
    common = a.index.intersection(b.index)
    rows = []
    for metric in metrics:
        xa, xb = a.loc[common, metric].to_numpy(float), b.loc[common, metric].to_numpy(float)
        diff = xb - xa
        ma, la, ha = _mean_ci(xa)
        mb, lb, hb = _mean_ci(xb)
        md, ld, hd = _mean_ci(diff)
        ok = ~np.isnan(diff)
        p = stats.ttest_rel(xb[ok], xa[ok]).pvalue if ok.sum() > 1 and np.ptp(diff[ok]) > 0 else np.nan
        rows.append({"metric": metric, f"{baseline}_mean": ma, f"{baseline}_ci": (la, ha), f"{other}_mean": mb,
                     f"{other}_ci": (lb, hb), "difference": md, "difference_ci": (ld, hd),
                     "relative_change": md / ma if ma else np.nan, "p_value": p})
    return pd.DataFrame(rows)


def run_replicates(cfgs: list[Config], replicates: int, seed: int = 0, n_jobs: int = 1) -> Comparison:
    """Run every config ``replicates`` times on the same spawned seeds; in parallel with joblib if
    ``n_jobs`` is not 1.  Results do not depend on ``n_jobs``."""
    seeds = replicate_seeds(seed, replicates)
    tasks = [(cfg, s, k) for cfg in cfgs for k, s in enumerate(seeds)]
    if n_jobs == 1:
        results = [_run_tagged(*t) for t in tasks]
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(delayed(_run_tagged)(*t) for t in tasks)
    runs = pd.DataFrame([r[0] for r in results])
    weekly = pd.concat([r[1] for r in results], ignore_index=True)
    events = pd.concat([r[2] for r in results], ignore_index=True)
    return Comparison(runs=runs, weekly=weekly, events=events)


def compare(baseline: str | Config = "hundred_years_war", other: str | Config = "full_alignment",
            replicates: int = 10, overrides: list[str] | tuple[str, ...] = (), seed: int = 0,
            n_jobs: int = 1) -> Comparison:
    """Compare two scenarios over paired replicates (common random numbers).

    Args:
        baseline: scenario name (a file of ``configs/scenario/``) or a Config.
        other: the scenario compared with it.
        replicates: runs per scenario.
        overrides: Hydra overrides applied to both scenarios given by name (e.g. ``market.accounts=5000``).
        seed: root seed from which the replicate seeds are spawned.
        n_jobs: parallel worker processes (joblib); -1 for all cores.
    """
    from sim.loading import load_config

    cfgs = [c if isinstance(c, Config) else load_config(c, overrides) for c in (baseline, other)]
    if cfgs[0].name == cfgs[1].name:
        cfgs[1].name = cfgs[1].name + "_b"
    result = run_replicates(cfgs, replicates, seed, n_jobs)
    result.table = comparison_table(result.runs, cfgs[0].name, cfgs[1].name)
    return result
