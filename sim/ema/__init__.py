"""Exploratory modelling of alignsim on the EMA workbench (``pip install -e ".[ema]"``).

Words: alignsim's **scenario** (a policy preset such as ``full_alignment``) is what EMA calls a **policy** (a
point in the lever space); EMA's **scenario** is a state of the world, here a **plausible firm**: its market and
its people (the prior-ranged behavioural and market parameters), which the firm cannot set.  The **levers** are
the policy fields of ``sim/config.py``; the **uncertainties** the calibration candidates with their prior ranges;
the **outcomes** the outcome schema of ``sim/outcomes.py`` with its better direction.  Replicates on common
random numbers are run inside the model, so one EMA experiment is one policy in one firm, averaged over seeds.

The glue an EMA user needs::

    import sim.ema
    from ema_workbench import perform_experiments
    experiments, outcomes = perform_experiments(sim.ema.model(), scenarios=8, policies=4)

and, to draw the firms from the calibrated posterior and run on the sweep engine's backends and store::

    m = sim.ema.model(overrides=["market.accounts=2000", "weeks=104"])
    with sim.ema.SweepEvaluator(m, "outputs/ema", n_jobs=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=sim.ema.plausible_firms(8), policies=4)

Modules: ``names`` (field <-> EMA name), ``parameters`` (levers, uncertainties), ``outcomes`` (ScalarOutcome),
``adapter`` (the Model and its replicate runner), ``firms`` (plausible firms), ``points`` (a table of experiments
on the sweep store), ``evaluator`` (EMA evaluator on the sweep engine), ``condition`` (a stated condition on
outcomes), ``discovery`` (PRIM and CART), ``optimisation`` (robust many-objective search), ``report``
(``docs/exploration.md``), ``cli`` (``alignsim discover``, ``alignsim optimise``).
"""

from __future__ import annotations

import warnings

from sim.lazy import lazy_exports

warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
"""EMA warns on import that its optional ipyparallel evaluator is missing; alignsim never uses it."""

_EXPORTS = {"model": "sim.ema.adapter", "plausible_firms": "sim.ema.firms", "SweepEvaluator": "sim.ema.evaluator",
            "discover": "sim.ema.discovery", "optimise": "sim.ema.optimisation"}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
