"""alignsim: an agent-based model of the war (and peace) between marketing, sales and operations.

Public API (DESIGN section 5a)::

    import sim
    cfg = sim.load_config("full_alignment", overrides=["market.accounts=5000"])
    res = sim.run(cfg, seed=1)            # RunResult: .weekly, .summary, .events
    model = sim.AlignmentModel(cfg, rng=1); model.step(); model.market.account(0)
    cmp = sim.compare("hundred_years_war", "full_alignment", replicates=10)

Heavy modules (Mesa, Hydra, pandas) load on first use, so ``import sim`` stays fast.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "load_config": "sim.loading", "scenario_names": "sim.loading",
    "Config": "sim.config", "ConfigError": "sim.config", "validate": "sim.config",
    "run": "sim.runner", "compare": "sim.runner", "run_replicates": "sim.runner", "RunResult": "sim.runner",
    "Comparison": "sim.runner", "replicate_seeds": "sim.runner",
    "AlignmentModel": "sim.model", "Stage": "sim.market",
    "calibrate": "sim.calibration.api", "load_posterior": "sim.calibration.api",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
