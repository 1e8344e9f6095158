"""alignsim's outcome schema (:mod:`sim.outcomes`) as EMA ``ScalarOutcome`` objects.

An outcome whose ``better`` direction is "higher" is maximised, "lower" minimised, "neither" is information
only (EMA's ``INFO``: reported, never optimised).  Values stay in the model's units (EUR, shares 0-1):
:func:`sim.outcomes.outcome` converts them for display.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.sweep.spec import check_outcome

DEFAULT_OUTCOMES = ("revenue_total", "gross_margin_total", "nrr_annual", "cash_balance_end", "retention_12m",
                    "cac", "trust_mean_end", "blame_events", "vetoes")
"""What :func:`sim.ema.model` reports unless told otherwise: money, retention, acquisition cost, relations."""


def kind_of(name: str) -> int:
    """EMA's kind for outcome ``name``: MAXIMIZE, MINIMIZE or INFO, from the schema's better direction."""
    from ema_workbench import ScalarOutcome

    from sim.outcomes import outcome

    return {"higher": ScalarOutcome.MAXIMIZE, "lower": ScalarOutcome.MINIMIZE}.get(outcome(name).better,
                                                                                    ScalarOutcome.INFO)


def scalar_outcomes(names: Iterable[str] = DEFAULT_OUTCOMES, objectives: Iterable[str] | None = None) -> list:
    """One ``ScalarOutcome`` per name, with its schema direction; with ``objectives`` given, only those carry a
    direction (EMA's optimisation takes every outcome that is not INFO as an objective) and the rest are INFO.

    Raises:
        ConfigError: a name that is not a per-run outcome (with a "did you mean" and the allowed names).
    """
    from ema_workbench import ScalarOutcome

    names = list(names)
    objectives = None if objectives is None else list(objectives)
    for name in names + (objectives or []):
        check_outcome(name)
    names += [o for o in objectives or [] if o not in names]
    return [ScalarOutcome(name, kind_of(name) if objectives is None or name in objectives else ScalarOutcome.INFO)
            for name in names]
