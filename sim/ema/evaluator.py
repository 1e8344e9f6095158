"""An EMA evaluator that runs experiments on alignsim's sweep engine: its backends and its result store.

``perform_experiments`` and EMA's optimisation hand an evaluator a batch of experiments (all of them, or one
generation).  :class:`SweepEvaluator` runs each batch as a table of points (:func:`sim.ema.points.run_points`)
in ``<out>/batches/<digest>/``: chunks on joblib, Dask or submitit, Parquet parts with checksums, and a batch
run again (the same experiments, e.g. a restarted optimisation with the same seed) resumes from what is stored.
The replicates, their seeds and the base config are the model's (:class:`sim.ema.adapter.Replicates`), so the
outcomes are those the model function itself would return.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from ema_workbench.em_framework.evaluators import BaseEvaluator

from sim.ema.adapter import experiment_values, mean_outcomes, runner_of
from sim.ema.points import batch_identity, run_points
from sim.sweep.spec import ExecutionSpec


class SweepEvaluator(BaseEvaluator):
    """Evaluate EMA experiments on the sweep engine.

    Args:
        ema_model: a model made by :func:`sim.ema.model`.
        out: the folder the batches are stored under.
        backend: local (joblib processes), dask or submitit, as ``alignsim sweep --backend``.
        n_jobs: worker processes (-1 = all cores).
        execution: a full :class:`~sim.sweep.spec.ExecutionSpec` instead of ``backend`` and ``n_jobs``.
        progress: show the sweep engine's progress bar.

    Attributes:
        runs: runs executed or found stored, over every batch so far.
        seconds: wall-clock seconds spent in batches so far.
    """

    def __init__(self, ema_model, out: str | Path, backend: str = "local", n_jobs: int = -1,
                 execution: ExecutionSpec | None = None, progress: bool = False):
        super().__init__(ema_model)
        self.model = ema_model
        self.runner = runner_of(ema_model)
        self.out = Path(out)
        self.execution = execution or ExecutionSpec(backend=backend, n_jobs=n_jobs)
        self.progress = progress
        self.runs = 0
        self.seconds = 0.0
        self.batches: list[Path] = []

    def initialize(self):
        """Nothing to start: the sweep engine starts its workers per batch."""

    def finalize(self):
        """Nothing to stop."""

    def evaluate_experiments(self, experiments, callback, **kwargs):
        """Run the batch ``experiments`` on the sweep engine and report each experiment's outcomes to
        ``callback`` (EMA's), in order."""
        experiments = list(experiments)
        if not experiments:
            return
        points = [experiment_values(self.model, e.scenario, e.policy) for e in experiments]
        folder = self.out / "batches" / batch_identity(points, self.runner.base, replicates=self.runner.replicates,
                                                       seed=self.runner.seed, name=self.model.name,
                                                       outcomes=self.runner.outcomes)
        start = time.perf_counter()
        runs = run_points(points, self.runner.base, folder, replicates=self.runner.replicates,
                          seed=self.runner.seed, execution=self.execution, name=self.model.name,
                          outcomes=self.runner.outcomes, progress=self.progress)
        self.seconds += time.perf_counter() - start
        self.runs += len(runs)
        self.batches.append(folder)
        ok = runs[runs["status"] == "ok"]
        for point, experiment in enumerate(experiments):
            rows = ok[ok["point"] == point]
            if rows.empty:
                raise RuntimeError(f"every replicate of experiment {point} failed: see the error column of "
                                   f"sim.sweep.load({str(folder)!r})")
            means = mean_outcomes(rows.reindex(columns=list(self.runner.outcomes), fill_value=np.nan)
                                  .to_dict("records"), self.runner.outcomes)
            callback(experiment, {o.name: o.process([means[v] for v in o.variable_name])
                                  for o in self.model.outcomes})
