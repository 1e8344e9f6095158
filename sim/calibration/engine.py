"""ABC-SMC on pyabc: a posterior over parameters from a stochastic simulator and a set of patterns.

Why ABC-SMC with pyabc (and not neural posterior estimation with ``sbi``): the simulator is cheap to call in
parallel but costly per call (about 2.6 s for the five arms of the published patterns on one core), the targets
are bands rather than measured data sets, and the posterior must be reproducible on a laptop without a GPU.
Sequential Monte Carlo ABC (Toni et al. 2009; van der Vaart et al. 2015 for individual-based models) spends the
simulations where the patterns are matched, pyabc runs it on its multicore sampler here and on its Dask sampler
on a cluster, stores every generation in a database, and needs no training of a network whose own fit would have
to be checked; ``sbi`` would need many more simulations up front (thousands of simulations before the first
posterior) than a 30-minute budget on 2 cores allows.

The parameters are drawn on the unit cube (each :class:`sim.calibration.priors.Prior` maps [0, 1] onto its field,
uniform or log-uniform), the distance is :func:`sim.calibration.patterns.distance` (root-mean-square distance from
the bands' centres in half bands), the threshold is pyabc's median epsilon, the proposal is pyabc's
multivariate normal kernel widened :data:`KERNEL_SCALING` times (see there why), and the run goes generation by
generation until the threshold reaches ``target_epsilon``, the generations run out or the next generation would
overrun the wall-time budget.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.patterns import Pattern
from sim.calibration.patterns import distance as pattern_distance
from sim.calibration.posterior import Posterior
from sim.calibration.priors import Prior, values_at

KERNEL_SCALING = 2.0
"""Widening of pyabc's multivariate normal proposal kernel over Silverman's bandwidth.  With ten parameters and a
hundred particles the default kernel makes the importance weights degenerate: a calibration of the model with it
ended with an effective sample size of 4 of 80 particles (with pyabc's local kernel, 2 of 100), and on a ten-
parameter toy problem of the same shape (``python -m benchmarks.abc_kernel``, table in
``benchmarks/results/abc_kernel.md``) the effective size fell to 1-9 of 100 over four generations with the default
or the local kernel, against 34-67 with the kernel widened 2 times (77 at 3 times, for a final threshold 6 %
higher), at final thresholds within 11 % of the default's."""

Simulator = Callable[[Mapping[str, float | int], int], Mapping[str, float]]
"""``simulate(values, seed) -> statistics``: the patterns' statistics at parameter values on one seed."""


def _key(field: str) -> str:
    """A field's name as a pyabc parameter (pyabc stores names as given; dots read as attribute access)."""
    return field.replace(".", "__")


class _Model:
    """The simulator as pyabc calls it: unit-cube parameters in, statistics out, a fresh seed per call."""

    def __init__(self, prior_set: Mapping[str, Prior], simulate: Simulator):
        self.prior_set, self.simulate = dict(prior_set), simulate

    def __call__(self, parameters) -> dict:
        unit = {f: float(parameters[_key(f)]) for f in self.prior_set}
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc reseeds each worker process
        stats = dict(self.simulate(values_at(self.prior_set, unit), seed))
        return {k: (math.nan if v is None else float(v)) for k, v in stats.items()}


def _sampler(n_procs: int, dask_address: str | None):
    import pyabc

    if dask_address:
        from distributed import Client

        return pyabc.sampler.DaskDistributedSampler(dask_client=Client(dask_address))
    if n_procs <= 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n_procs)


def fit(prior_set: Mapping[str, Prior], simulate: Simulator, patterns: Sequence[Pattern], *,
        population: int = 100, generations: int = 8, target_epsilon: float = 1.0, walltime_minutes: float = 25.0,
        n_procs: int | None = None, dask_address: str | None = None, seed: int = 0, progress: bool = True,
        database: str | Path | None = None, meta: Mapping | None = None) -> Posterior:
    """Fit ``prior_set`` to ``patterns`` by ABC-SMC and return the last generation as a :class:`Posterior`.

    Args:
        prior_set: the parameters to calibrate, by dotted field (:func:`sim.calibration.priors.priors`).
        simulate: ``simulate(values, seed) -> {pattern name: statistic}``.
        patterns: the targets; only ``name``, ``centre`` and ``tolerance`` are read here.
        population: particles per generation.
        generations: the most generations run (the first samples the prior).
        target_epsilon: stop once the threshold is at or below this distance (1: every statistic within its band
            on root-mean-square average).
        walltime_minutes: the budget; no generation starts that the last one's pace says would overrun it.
        n_procs: worker processes for pyabc's multicore sampler (default: all cores).
        dask_address: run on a Dask scheduler instead (pyabc's Dask sampler).
        seed: seeds numpy's global generator, which pyabc draws from (the multicore sampler reseeds its workers,
            so a parallel calibration is not bit-reproducible; its posterior is reproducible in distribution).
        progress: a tqdm bar over generations with the threshold, acceptance rate and ETA.
        database: the pyabc SQLite history (a temporary file by default).
        meta: extra metadata stored with the posterior (scenario, market, ...).
    """
    import pyabc
    from tqdm.auto import tqdm

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    np.random.seed(seed)
    patterns = list(patterns)
    n_procs = n_procs or os.cpu_count() or 1
    prior = pyabc.Distribution(**{_key(f): pyabc.RV("uniform", 0, 1) for f in prior_set})
    observed = {p.name: p.centre for p in patterns}

    def distance(x, x0):
        return pattern_distance(x, patterns)

    abc = pyabc.ABCSMC(_Model(prior_set, simulate), prior, distance, population_size=population,
                       sampler=_sampler(n_procs, dask_address),
                       transitions=pyabc.transition.MultivariateNormalTransition(scaling=KERNEL_SCALING),
                       eps=pyabc.QuantileEpsilon(initial_epsilon=1e12, alpha=0.5))
    with contextlib.ExitStack() as stack:
        if database is None:
            database = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "abc.db"
        abc.new(f"sqlite:///{Path(database)}", observed)
        started, budget = time.monotonic(), walltime_minutes * 60
        bar = tqdm(total=generations, desc="ABC-SMC", unit="gen", disable=not progress)
        history, pace, stopped = None, None, "generations"
        for t in range(generations):
            if pace is not None and time.monotonic() - started + pace > budget:
                stopped = "walltime"
                break
            t0 = time.monotonic()
            history = abc.run(max_nr_populations=1)
            pops = history.get_all_populations()
            last = pops.iloc[-1]
            eps = float(last["epsilon"])
            sims = int(last["samples"])
            # the next generation's cost: this one's seconds per simulation, times the simulations it will need
            # when the median threshold about halves the acceptance rate (measured 0.99 -> 0.45 -> 0.3 -> 0.2)
            acceptance = population / max(sims, 1)
            pace = (time.monotonic() - t0) / max(sims, 1) * population / max(acceptance / 2, 0.02)
            bar.set_postfix(eps=f"{eps:.3g}" if eps < 1e11 else "prior", acceptance=f"{population / sims:.2f}",
                            sims=int(pops["samples"].sum()))
            bar.update(1)
            if eps <= target_epsilon:
                stopped = "epsilon"
                break
        bar.close()
        particles, weights = history.get_distribution()
        pops = history.get_all_populations()
        ess = [_effective_size(history.get_distribution(t=t)[1]) for t in range(history.max_t + 1)]
        stats = _accepted_statistics(history, patterns)
    unit = pd.DataFrame({f: particles[_key(f)].to_numpy() for f in prior_set})
    info = {"method": "ABC-SMC (pyabc %s)" % pyabc.__version__, "population": population,
            "generations": int(len(pops) - 1 if "t" in pops and pops["t"].min() < 0 else len(pops)),
            "simulations": int(pops["samples"].sum()), "wall_seconds": round(time.monotonic() - started, 1),
            "epsilon": float(pops.iloc[-1]["epsilon"]), "epsilon_schedule": [float(e) for e in pops["epsilon"]],
            "effective_sizes": ess, "kernel_scaling": KERNEL_SCALING, "stopped_by": stopped,
            "n_procs": n_procs, "seed": seed, **dict(meta or {})}
    return Posterior.from_unit(prior_set, unit, np.asarray(weights, dtype=float), patterns, info, stats)


def _effective_size(weights) -> float:
    w = np.asarray(weights, dtype=float)
    return round(float(w.sum() ** 2 / np.sum(w ** 2)), 1)


def _accepted_statistics(history, patterns: Sequence[Pattern]) -> pd.DataFrame:
    """The statistics of the last generation's accepted particles (one row per particle), from pyabc's store."""
    with contextlib.suppress(Exception):
        weights, sumstats = history.get_weighted_sum_stats()
        return pd.DataFrame([{p.name: s.get(p.name, math.nan) for p in patterns} for s in sumstats])
    return pd.DataFrame(columns=[p.name for p in patterns])


__all__ = ["Simulator", "fit"]
