"""Run the model: one run, replicates on common random numbers, and paired comparisons of scenarios.

Replicate seeds are spawned from one root ``numpy.random.SeedSequence``, so replicate k of every
scenario sees the same seed (common random numbers) and results are identical whether runs go
serially, in parallel, or in any order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config import Config, ConfigError, check_workers, validate
from sim.outcomes import outcome
from sim.stats import Interval, mean_ci, paired

COMPARE_METRICS = ("revenue_total", "revenue_npv", "new_business_revenue_total", "grr_annual", "nrr_annual",
                   "installed_base_churn", "retention_12m", "churn_annual", "cac", "lead_acceptance",
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


BYTES_PER_ACCOUNT = 170
"""Peak memory of one run per market account, in bytes (161 measured with tracemalloc at 10^5 to 10^6 accounts,
52 and 156 weeks; it does not grow with the horizon), rounded up."""
BYTES_PER_PROCESS = 250 * 2**20
"""Memory of one Python process with the model loaded (interpreter, numpy, pandas, Mesa), in bytes."""
BYTES_PER_WEEK_ROW = 600
"""Memory of one row of a run's weekly table kept for the comparison, in bytes (about 70 columns)."""
SECONDS_PER_ACCOUNT_WEEK = 8e-8
"""Compute time of one account for one week on one core, in seconds (77 ns measured at 400,000 accounts)."""
PROGRESS_AFTER_S = 10.0
"""A single run expected to take longer than this many seconds shows a progress bar over its weeks."""


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Seeds for ``replicates`` runs, spawned from ``SeedSequence(root)``: independent streams, and the
    same list for every scenario (common random numbers)."""
    children = np.random.SeedSequence(root).spawn(replicates)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def check_seed(seed, field_name: str = "seed") -> int:
    """``seed`` as an int, or :class:`ConfigError` if it is not a whole number >= 0 (1.5 is not rounded to 1).

    Args:
        seed: the seed given by the caller.
        field_name: what the caller called it, for the message.
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"{field_name} = {seed!r} is not valid: expected a whole number >= 0")
    return int(seed)


def available_memory() -> int | None:
    """Bytes of memory this machine can still give without swapping (psutil's ``available``), None if unknown."""
    import psutil

    try:
        return int(psutil.virtual_memory().available)
    except (OSError, RuntimeError, AttributeError):
        return None


def estimate_memory(cfg: Config, runs: int = 1, n_jobs: int = 1) -> int:
    """Bytes that ``runs`` runs of ``cfg`` need at peak with ``n_jobs`` worker processes.

    Args:
        cfg: the config (its market size and horizon count).
        runs: runs in the batch (their weekly tables are kept for the comparison).
        n_jobs: worker processes (-1 = all cores); that many runs are in memory at once.
    """
    workers = min(runs, os.cpu_count() or 1 if n_jobs < 0 else n_jobs)
    per_run = cfg.market.accounts * BYTES_PER_ACCOUNT
    extra_processes = workers if workers > 1 else 0
    return int(workers * per_run + extra_processes * BYTES_PER_PROCESS + runs * cfg.weeks * BYTES_PER_WEEK_ROW)


def check_memory(cfg: Config, runs: int = 1, n_jobs: int = 1) -> None:
    """Refuse, before anything runs, a batch whose estimated memory exceeds what the machine has available.

    Args:
        cfg: the config (its market size and horizon count).
        runs: runs in the batch.
        n_jobs: worker processes (-1 = all cores).

    Raises:
        ConfigError: naming market.accounts, the estimate, the memory available and the largest market that fits.
    """
    need, have = estimate_memory(cfg, runs, n_jobs), available_memory()
    if have is None or need <= have:
        return
    workers = min(runs, os.cpu_count() or 1 if n_jobs < 0 else n_jobs)
    per_run = cfg.market.accounts * BYTES_PER_ACCOUNT
    fits = max(have - (need - workers * per_run), 0) // (workers * BYTES_PER_ACCOUNT)
    at_once = f" ({workers} runs at once)" if workers > 1 else ""
    raise ConfigError(f"market.accounts = {cfg.market.accounts:,} needs about {need / 2**30:.1f} GiB{at_once}, but "
                      f"this machine has {have / 2**30:.1f} GiB available: allowed up to about {fits:,} accounts "
                      f"here{' with n_jobs = ' + str(n_jobs) if workers > 1 else ''}")


def expected_seconds(cfg: Config) -> float:
    """Rough wall time of one run of ``cfg`` on one core, in seconds."""
    return cfg.market.accounts * cfg.weeks * SECONDS_PER_ACCOUNT_WEEK


def run(cfg: Config, seed: int | None = None, progress: bool | None = None,
        model_class: type | None = None) -> RunResult:
    """Run one scenario for ``cfg.weeks`` weeks.

    Args:
        cfg: a validated config (``sim.load_config``).
        seed: the run's seed, a whole number >= 0; defaults to ``cfg.seed``.
        progress: show a progress bar over the weeks; None (default): only when the run is expected to take
            longer than :data:`PROGRESS_AFTER_S` seconds.  The results do not depend on it.
        model_class: a subclass of :class:`~sim.model.AlignmentModel` to run instead (one that overrides a
            phase: see ``docs/architecture.md``); default the model itself.

    Raises:
        ConfigError: an invalid config or seed, or a market too large for the memory available.
    """
    from tqdm.auto import tqdm

    from sim.model import AlignmentModel

    validate(cfg)
    seed = check_seed(cfg.seed if seed is None else seed)
    check_memory(cfg)
    model = (model_class or AlignmentModel)(cfg, rng=seed)
    if progress is None:
        progress = expected_seconds(cfg) > PROGRESS_AFTER_S
    if progress:
        for _ in tqdm(range(cfg.weeks), desc=f"{cfg.name} (seed {seed})", unit="week", leave=False):
            model.run_for(1)
    else:
        model.run_for(cfg.weeks)
    return RunResult(weekly=model.weekly(), summary=model.summary(), events=model.events(), seed=seed)


def _run_tagged(cfg: Config, seed: int, replicate: int,
                progress: bool | None = None) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """One run's summary, weekly table and events, each tagged with scenario, replicate and seed."""
    result = run(cfg, seed, progress)
    tag = {"scenario": cfg.name, "replicate": replicate, "seed": seed}
    summary = pd.concat([pd.Series(tag), result.summary])
    # seeds span the whole uint64 range: tagged as int64 below 2**63 and uint64 above, the concatenated tables
    # became float64 and lost the seed's last digits; one unsigned type in every table keeps them exact
    weekly = result.weekly.assign(**tag).astype({"seed": "uint64"})
    events = result.events.assign(**tag).astype({"seed": "uint64"})
    return summary, weekly, events


@dataclass
class Comparison:
    """Paired replicates of two or more scenarios.

    Attributes:
        runs: one row per run (scenario, replicate, seed, then the summary metrics).
        weekly: the weekly tables of every run, stacked (tidy).
        events: the event logs of every run, stacked.
        table: per metric, each scenario's mean with its 95 % CI and the paired difference (second minus
            first) with its 95 % CI and p-value, in display units (see :func:`comparison_table`).
    """

    runs: pd.DataFrame
    weekly: pd.DataFrame
    events: pd.DataFrame
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _arm_interval(values: np.ndarray, bounds) -> Interval:
    """Mean and 95 % CI of one arm, cut to the outcome's declared scale ``bounds`` (model unit; see
    :func:`sim.stats.clip`): a share stays in 0-1, the stage in 1-5, the KRK score in 20-100, an amount or a
    count at or above 0, though the t-interval of two replicates reaches beyond."""
    return mean_ci(values, bounds=bounds)


def comparison_table(runs: pd.DataFrame, baseline: str, other: str,
                     metrics: tuple[str, ...] = COMPARE_METRICS) -> pd.DataFrame:
    """Per metric, each arm's mean with its 95 % CI and the paired difference (other - baseline) with its CI
    and paired t-test p-value, in the metric's display unit (:mod:`sim.outcomes`: EUR million, %, weeks...).

    Columns: metric, label, unit, ``<arm>_mean``, ``<arm>_ci_low``, ``<arm>_ci_high``, ``<arm>_n`` (runs where
    the metric is defined; both arms), difference, difference_ci_low, difference_ci_high, difference_unit (the
    unit of the difference: ``pp``, percentage points, for a percentage, else the metric's unit),
    relative_change (difference / baseline mean, a fraction; NaN where the scale has no true zero, such as a
    stage 1-5), p_value, no_variance, n (pairs).

    CI bounds are NaN with fewer than 2 values.  Every interval is cut to the outcome's declared scale
    (``Outcome.bounds``): an arm's to the bounds, the difference's to +-(highest - lowest); see
    :func:`sim.stats.clip`.  ``no_variance`` is True where every paired difference is the same: there is no
    test, so p_value and the difference's CI bounds are NaN (never p = 0 and a zero-width interval).
    """
    a = runs[runs["scenario"] == baseline].set_index("replicate")
    b = runs[runs["scenario"] == other].set_index("replicate")
    common = a.index.intersection(b.index)
    rows = []
    for metric in metrics:
        spec = outcome(metric)
        xa, xb = a.loc[common, metric].to_numpy(float), b.loc[common, metric].to_numpy(float)
        arm_a, arm_b = _arm_interval(xa, spec.bounds), _arm_interval(xb, spec.bounds)
        diff = paired(xa, xb, bounds=spec.bounds)
        row = {"metric": metric, "label": spec.label, "unit": spec.unit}
        for name, ci in ((baseline, arm_a), (other, arm_b)):
            row.update({f"{name}_mean": spec.display(ci.mean), f"{name}_ci_low": spec.display(ci.low),
                        f"{name}_ci_high": spec.display(ci.high), f"{name}_n": ci.n})
        low, high = (np.nan, np.nan) if diff.no_variance else (diff.low, diff.high)
        row.update({"difference": spec.display(diff.difference), "difference_ci_low": spec.display(low),
                    "difference_ci_high": spec.display(high), "difference_unit": spec.difference_unit,
                    "relative_change": diff.relative if spec.ratio_scale else np.nan, "p_value": diff.p_tested,
                    "no_variance": diff.no_variance, "n": diff.n})
        rows.append(row)
    return pd.DataFrame(rows)


def check_batch(cfgs: list[Config], replicates, seed, n_jobs) -> None:
    """Refuse, before any run, a batch with bad arguments or one too big for the memory available.

    Args:
        cfgs: the configs of the arms.
        replicates: runs per config, a whole number in the schema's range for ``replicates``.
        seed: the root seed, a whole number >= 0.
        n_jobs: worker processes, -1 (all cores) or a positive number.

    Raises:
        ConfigError: naming the argument, its value and what is allowed.
    """
    from sim.config import _check_value
    from sim.loading import schema_field

    for name, value in (("replicates", replicates), ("n_jobs", n_jobs)):
        _check_value(name, value, schema_field(name))
    check_workers(n_jobs)
    check_seed(seed)
    for cfg in cfgs:
        validate(cfg)
        check_memory(cfg, len(cfgs) * replicates, n_jobs)


def run_replicates(cfgs: list[Config], replicates: int, seed: int = 0, n_jobs: int = 1,
                   progress: bool | None = None) -> Comparison:
    """Run every config ``replicates`` times on the same spawned seeds; in parallel with joblib if
    ``n_jobs`` is not 1.  Results do not depend on ``n_jobs``.

    Args:
        cfgs: the configs (arms) to run.
        replicates: runs per config.
        seed: root seed from which the replicate seeds are spawned.
        n_jobs: worker processes (-1 = all cores).
        progress: show a progress bar over the runs; None (default): only when the batch is expected to take
            longer than :data:`PROGRESS_AFTER_S` seconds.

    Raises:
        ConfigError: see :func:`check_batch`.
    """
    from tqdm.auto import tqdm

    check_batch(cfgs, replicates, seed, n_jobs)
    seeds = replicate_seeds(seed, replicates)
    tasks = [(cfg, s, k) for cfg in cfgs for k, s in enumerate(seeds)]
    if progress is None:
        progress = sum(expected_seconds(t[0]) for t in tasks) / max(1, abs(n_jobs)) > PROGRESS_AFTER_S
    if n_jobs == 1:
        results = [_run_tagged(*t) for t in tqdm(tasks, unit="run", desc="runs", disable=not progress)]
    else:
        from joblib import Parallel, delayed

        outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_run_tagged)(*t, progress=False) for t in tasks)
        results = list(tqdm(outputs, total=len(tasks), unit="run", desc="runs", disable=not progress))
    runs = pd.DataFrame([r[0] for r in results]).astype({"seed": "uint64"})
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

    Raises:
        ConfigError: a bad scenario, override, replicates, seed or n_jobs, named with its value and what is
            allowed, before any run.
    """
    from sim.loading import load_config

    cfgs = [c if isinstance(c, Config) else load_config(c, overrides) for c in (baseline, other)]
    if cfgs[0].name == cfgs[1].name:
        cfgs[1].name = cfgs[1].name + "_b"
    result = run_replicates(cfgs, replicates, seed, n_jobs)
    result.table = comparison_table(result.runs, cfgs[0].name, cfgs[1].name)
    return result
