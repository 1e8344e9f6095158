"""Robust policies: many-objective search over the policy levers across a set of plausible firms.

**Robustness metric, stated up front:** a policy's score on each objective is its **10th percentile across the
plausible firms** (:data:`PERCENTILE`): the level it reaches or beats in nine firms of ten, so a policy is judged by
how it does for an unlucky firm, not an average one.  The objectives are 3-year (run-length) revenue, gross
margin and net revenue retention, all maximised (:data:`OBJECTIVES`).

**Search: the EMA workbench's own optimisation** (``robust_optimize`` with platypus' epsilon-NSGA-II), not optuna:
it takes EMA's levers as they are (real, integer, on/off and choice levers mixed, with its combined variator), it
keeps an epsilon-dominance archive whose epsilons are stated in the objectives' units (:data:`EPSILONS`: what
difference is worth telling apart), and its evaluator interface lets each generation run as one batch on the sweep
engine (:class:`sim.ema.evaluator.SweepEvaluator`: joblib, Dask or submitit; the sweep store, so a restarted
search with the same seed replays the stored generations and runs only what is missing).  optuna's samplers are
not installed here and would add a dependency for a search EMA already ships.

The firms are :func:`sim.ema.firms.plausible_values` (posterior where it exists); every firm sees every policy
on the same replicate seeds (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OBJECTIVES = ("revenue_total", "gross_margin_total", "nrr_annual")
"""What the search maximises (names of :data:`sim.outcomes.RUN_OUTCOMES`)."""
PERCENTILE = 10
"""The robustness metric: this percentile of an objective across the plausible firms."""
EPSILONS = {"EUR million": 0.05, "%": 0.5}
"""Epsilon of the archive per display unit: 0.05 EUR million, 0.5 percentage points."""
ROBUST_PREFIX = f"p{PERCENTILE}_"
ARCHIVES = "archives.tar.gz"
"""EMA's archive of the epsilon-nondominated set after every generation, in the search's folder."""


def robustness(values) -> float:
    """The robustness metric of one objective's values across firms: their 10th percentile (NaN ignored)."""
    values = np.asarray(values, dtype=float)
    return float(np.nanpercentile(values, PERCENTILE)) if (~np.isnan(values)).any() else float("nan")


def robust_outcomes(objectives: Sequence[str] = OBJECTIVES) -> list:
    """One maximised EMA ``ScalarOutcome`` per objective, scoring it by :func:`robustness` across firms."""
    from ema_workbench import ScalarOutcome

    return [ScalarOutcome(ROBUST_PREFIX + name, kind=ScalarOutcome.MAXIMIZE, variable_name=name,
                          function=robustness) for name in objectives]


def epsilons(objectives: Sequence[str] = OBJECTIVES) -> list[float]:
    """The archive's epsilon of each objective, in the model's unit."""
    from sim.outcomes import outcome

    return [EPSILONS.get(outcome(name).unit, 0.01) / outcome(name).scale for name in objectives]


@dataclass
class Optimisation:
    """The result of :func:`optimise`.

    Attributes:
        pareto: one row per Pareto-optimal policy: its levers (dotted fields, in their units) and its robust
            objectives (``p10_<outcome>``, model units).
        convergence: EMA's runtime convergence table (epsilon progress per function evaluation).
        levers, objectives: the levers searched and the objectives.
        firms, replicates, nfe: the budget: policies evaluated (nfe) x firms x replicates = runs.
        runs, seconds: runs executed or found stored, and the search's wall-clock seconds.
        settings: the base scenario, overrides, seed, population, workers and where the firms come from.
    """

    pareto: pd.DataFrame
    convergence: pd.DataFrame
    levers: list[str]
    objectives: list[str]
    firms: int
    replicates: int
    nfe: int
    runs: int
    seconds: float
    settings: dict = field(default_factory=dict)

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.seconds if self.seconds else float("nan")

    def table(self) -> pd.DataFrame:
        """The Pareto set in display units: each lever under "field (unit)", each robust objective under
        "label, 10th percentile across firms (unit)"; sorted by the first objective, best first."""
        from sim.config import field_table
        from sim.outcomes import outcome

        units = {r["field"]: r["unit"] for r in field_table()}
        out = pd.DataFrame(index=self.pareto.index)
        for name in self.levers:
            value = self.pareto[name]
            out[f"{name} ({units.get(name, '')})"] = value.round(3) if pd.api.types.is_float_dtype(value) else value
        for name in self.objectives:
            spec = outcome(name)
            out[robust_label(name)] = spec.display(self.pareto[ROBUST_PREFIX + name]).round(spec.digits)
        return out.sort_values(robust_label(self.objectives[0]), ascending=False).reset_index(drop=True)


def robust_label(name: str) -> str:
    """Column title of a robust objective: "Net revenue retention, p10 across firms (%)"."""
    from sim.outcomes import outcome

    spec = outcome(name)
    return f"{spec.label}, p{PERCENTILE} across firms ({spec.unit})"


def optimise(out: str | Path, *, levers: Iterable[str] | None = None, objectives: Sequence[str] = OBJECTIVES,
             firms: int = 8, nfe: int = 200, population: int = 20, replicates: int = 1, seed: int = 0,
             scenario: str = "hundred_years_war", overrides: Sequence[str] = (), backend: str = "local",
             n_jobs: int = -1, posterior: str | Path | None = None, progress: bool = False) -> Optimisation:
    """Search the policy levers for policies robust across ``firms`` plausible firms (see the module docstring).

    Args:
        out: folder of the sweep store the generations are run in (``<out>/batches/``); running the same search
            into it again resumes it.
        levers: the levers searched (every policy lever when None; see :func:`sim.ema.model`).
        objectives: the outcomes maximised, each scored by its 10th percentile across firms.
        firms: plausible firms every policy is evaluated in.
        nfe: policies evaluated in all (function evaluations); ``nfe x firms x replicates`` runs.
        population: epsilon-NSGA-II's population size (policies per generation).
        replicates: replicates per policy and firm, on common random numbers.
        seed: seed of the search, of the firms' draws and of the replicates.
        scenario, overrides: the base config (e.g. ``["market.accounts=2000", "weeks=104"]``).
        backend, n_jobs: where the runs go (the sweep engine's backends).
        posterior: where the firms' calibrated parameters come from (the published posterior when None).
    """
    from ema_workbench.em_framework.evaluators import robust_optimize
    from platypus import EpsNSGAII

    from sim.config import ConfigError
    from sim.ema import adapter, firms as firm_draws
    from sim.ema.evaluator import SweepEvaluator

    for name, value, low in (("firms", firms, 1), ("nfe", nfe, 1), ("population", population, 2)):
        if int(value) < low:
            raise ConfigError(f"{name} = {value} is out of range: allowed a whole number >= {low}")
    model = adapter.model(scenario, overrides, levers=levers, outcomes=objectives, replicates=replicates, seed=seed,
                          choices_as_positions=True)
    scenarios = firm_draws.plausible_firms(firms, seed, posterior, ema_model=model)
    (Path(out) / ARCHIVES).unlink(missing_ok=True)  # EMA refuses to overwrite it; the sweep store is what resumes
    start = time.perf_counter()
    with SweepEvaluator(model, out, backend=backend, n_jobs=n_jobs, progress=progress) as evaluator:
        pareto, convergence = robust_optimize(model, robust_outcomes(objectives), list(scenarios),
                                              algorithm=EpsNSGAII, nfe=nfe, evaluator=evaluator,
                                              epsilons=epsilons(objectives), population_size=population,
                                              rng=seed, convergence_freq=population, logging_freq=1,
                                              directory=str(Path(out)), filename=ARCHIVES)
    seconds = time.perf_counter() - start
    lever_fields = [p.variable_name[0] for p in model.levers]
    pareto = pareto.rename(columns={p.name: p.variable_name[0] for p in model.levers})
    for name, values in model.function.choices.items():
        pareto[name] = [values[int(v)] for v in pareto[name]]
    return Optimisation(pareto.reset_index(drop=True), convergence, lever_fields, list(objectives), firms,
                        replicates, nfe, evaluator.runs, seconds,
                        {"scenario": scenario, "overrides": list(overrides), "seed": seed, "population": population,
                         "backend": backend, "n_jobs": n_jobs, "firms_from": firm_draws.source(posterior)})
