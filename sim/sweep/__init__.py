"""Parameter sweeps: designs over config fields, parallel chunked runs, a resumable Parquet store,
and sensitivity analysis.

::

    import sim.sweep
    runs = sim.sweep.run_sweep("configs/sweep/policy_sensitivity.yaml", "sweeps/policy", n_jobs=-1)
    runs = sim.sweep.load("sweeps/policy")            # one row per run (summaries, lever values, status)
    indices = sim.sweep.analyze("sweeps/policy")      # Sobol or Morris indices with confidence intervals

Modules: ``spec`` (the YAML spec), ``design`` (grid, LHS, Sobol, Morris), ``execute`` (chunks and
runs), ``backends`` (joblib, Dask, submitit), ``store`` (Parquet dataset and manifest),
``analysis`` (SALib indices), ``plots`` (figures), ``multirun`` (``collect``: Hydra multirun outputs), ``cli``.
Submodules load on first use, so ``import sim.sweep`` stays light.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

_EXPORTS = {"run_sweep": "sim.sweep.execute", "load": "sim.sweep.store", "SweepSpec": "sim.sweep.spec",
            "load_spec": "sim.sweep.spec", "analyze": "sim.sweep.analysis", "collect": "sim.sweep.multirun"}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
