"""Checks of a calibration itself: the posterior predictive table, contraction per parameter, recovery.

- :func:`predictive`: ``draws`` parameter sets from the posterior, each simulated on its own seed from a root the
  calibration never used (:data:`PREDICTIVE_ROOT`); per pattern the band, the predictive median and 90 %
  interval, and whether the median lies in the band.  The same seeds at the schema's defaults give the
  hand-set model's column beside it, so a reader sees what the calibration changed.
- :func:`contraction`: posterior SD over prior SD per parameter, on the unit scale the inference ran on (the
  prior is uniform there, SD 1/sqrt(12)); near 1 the patterns do not identify the parameter, near 0 they pin it.
- :func:`recovery`: calibrate on synthetic data (statistics simulated from known parameter values), then check
  whether the known values fall inside the 90 % credible intervals; over several datasets the share inside should
  be about 0.9 (ABC with a tolerance is conservative: at or above it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calibration.patterns import Pattern
from sim.calibration.posterior import Posterior
from sim.calibration.priors import Prior, values_at

PREDICTIVE_ROOT = 20261203
"""Root of the seeds of the posterior predictive check (never used by a calibration, whose seeds come from
numpy's generator seeded with the calibration's own seed)."""
CREDIBLE = 0.90
"""Width of the credible and predictive intervals reported."""


def _seeds(n: int, root: int) -> list[int]:
    return [int(s) for s in np.random.SeedSequence(root).generate_state(n)]


def simulate_many(simulate: Callable, value_sets: Sequence[Mapping], seeds: Sequence[int], n_jobs: int = 1,
                  progress: bool = False, desc: str = "predictive") -> pd.DataFrame:
    """``simulate(values, seed)`` for each pair, in parallel (joblib), one row per pair."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    jobs = (delayed(simulate)(dict(v), int(s)) for v, s in zip(value_sets, seeds))
    rows = list(tqdm(Parallel(n_jobs=n_jobs, return_as="generator")(jobs), total=len(seeds), desc=desc,
                     unit="sim", disable=not progress))
    return pd.DataFrame(rows)


def predictive(posterior: Posterior, simulate: Callable, draws: int = 40, n_jobs: int = 1, seed: int = 1,
               defaults: Mapping[str, float] | None = None, progress: bool = False) -> pd.DataFrame:
    """The posterior predictive table: one row per pattern with its band, the predictive median and 90 %
    interval over ``draws`` posterior draws (each on its own seed), whether the median is in the band, and (when
    ``defaults`` is given) the same at the defaults on the same seeds."""
    seeds = _seeds(draws, PREDICTIVE_ROOT)
    sims = simulate_many(simulate, posterior.sample(draws, seed), seeds, n_jobs, progress, "posterior predictive")
    base = None
    if defaults is not None:
        base = simulate_many(simulate, [dict(defaults)] * draws, seeds, n_jobs, progress, "defaults")
    lo_q, hi_q = (1 - CREDIBLE) / 2, 1 - (1 - CREDIBLE) / 2
    rows = []
    for p in posterior.patterns:
        x = sims[p.name].dropna() if p.name in sims else pd.Series(dtype=float)
        row = {"pattern": p.name, "unit": p.unit, "low": p.low, "high": p.high, "source": p.source,
               "median": x.median(), "q05": x.quantile(lo_q), "q95": x.quantile(hi_q),
               "share_in_band": float(((x >= p.low) & (x <= p.high)).mean()) if len(x) else math.nan}
        row["inside"] = bool(p.low <= row["median"] <= p.high) if len(x) else False
        if base is not None:
            b = base[p.name].dropna()
            row.update({"default_median": b.median(), "default_inside": bool(p.low <= b.median() <= p.high),
                        "default_share_in_band": float(((b >= p.low) & (b <= p.high)).mean())})
        rows.append(row)
    return pd.DataFrame(rows)


def weighted_sd(x: np.ndarray, w: np.ndarray) -> float:
    w = w / w.sum()
    mean = float(np.sum(w * x))
    return float(math.sqrt(max(np.sum(w * (x - mean) ** 2), 0.0)))


def contraction(posterior: Posterior) -> pd.DataFrame:
    """Per parameter: prior range and shape, the weighted median and 90 % credible interval in its units, and the
    posterior SD over the prior SD on the unit scale (1: the patterns say nothing about it)."""
    q = posterior.quantiles((0.05, 0.5, 0.95))
    rows = []
    for f, prior in posterior.priors.items():
        sd = weighted_sd(posterior.unit[f].to_numpy(), posterior.weights)
        rows.append({"field": f, "unit": prior.unit, "prior_low": prior.low, "prior_high": prior.high,
                     "shape": prior.shape, "default": prior.default, "median": q.at[f, "q50"], "q05": q.at[f, "q5"],
                     "q95": q.at[f, "q95"], "contraction": sd / prior.sd_unit})
    return pd.DataFrame(rows).sort_values("contraction").reset_index(drop=True)


def recovery(prior_set: Mapping[str, Prior], simulate: Callable, patterns: Sequence[Pattern], datasets: int,
             fit_kwargs: Mapping, seed: int = 11, truth_margin: float = 0.1) -> pd.DataFrame:
    """Calibrate on ``datasets`` synthetic data sets and report, per data set and parameter, the true value, the
    90 % credible interval and whether the truth is inside it.

    Each data set's true parameters are a Latin-hypercube draw from the priors (kept ``truth_margin`` away from
    the prior's edges, where an interval cannot straddle the truth); its "observed" statistics are one simulation
    at the truth on a seed of its own, and its patterns are the given ones re-centred there with the same
    tolerances.  ``fit_kwargs`` go to :func:`sim.calibration.engine.fit` (population, generations, budget)."""
    from dataclasses import replace

    from scipy.stats import qmc

    from sim.calibration.engine import fit

    lhs = qmc.LatinHypercube(d=len(prior_set), seed=np.random.default_rng(seed)).random(datasets)
    truths = truth_margin + (1 - 2 * truth_margin) * lhs
    rows = []
    for k, unit in enumerate(truths):
        truth = values_at(prior_set, unit)
        observed = simulate(truth, _seeds(datasets, seed + 1)[k])
        synthetic = [replace(p, low=observed[p.name] - p.tolerance, high=observed[p.name] + p.tolerance)
                     for p in patterns if math.isfinite(observed.get(p.name, math.nan))]
        post = fit(prior_set, simulate, synthetic, seed=seed + 100 + k, **dict(fit_kwargs))
        q = post.quantiles((0.05, 0.5, 0.95))
        for f, prior in prior_set.items():
            rows.append({"dataset": k, "field": f, "truth": truth[f], "q05": q.at[f, "q5"], "median": q.at[f, "q50"],
                         "q95": q.at[f, "q95"], "inside": bool(q.at[f, "q5"] <= truth[f] <= q.at[f, "q95"]),
                         "contraction": weighted_sd(post.unit[f].to_numpy(), post.weights) / prior.sd_unit,
                         "simulations": post.info["simulations"], "wall_seconds": post.info["wall_seconds"]})
    return pd.DataFrame(rows)
