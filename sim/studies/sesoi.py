"""The smallest effect of interest of every claim, declared before any run (Lakens 2017; Lakens, Scheel &
Isager 2018, *Advances in Methods and Practices in Psychological Science* 1(2)).

A claim "holds" only when its effect is at least this large in the claimed direction (a minimum-effect test:
H0 is an effect no larger than the bound), and "largely unchanged" means equivalent within this bound (two
one-sided tests against it alone).  A row may declare its own bound (:attr:`Check.sesoi`); otherwise the
outcome's unit sets it, with the reason the table prints:

- money, accounts, weeks, events and other amounts with a true zero: :data:`RELATIVE` of the comparison's
  baseline mean (a change a finance or sales director would report as a change);
- a percentage: :data:`PERCENTAGE_POINTS` (a difference of percentages, in percentage points);
- a 0-1 score or trust: :data:`SCORE`; the Goldman stage: :data:`STAGE`; the KRK score: :data:`KRK`; a rank
  correlation: :data:`RHO`.

All are judgements; their values are stated here so a reader can move them and rerun the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.outcomes import outcome

RELATIVE = 0.02
"""Bound of a ratio-scale amount: 2 % of the baseline mean (about 0.7 EUR million of three-year revenue in the
baseline; below it, a change is inside a firm's year-to-year planning error)."""
PERCENTAGE_POINTS = 0.01
"""Bound of a percentage: 1 percentage point (the resolution at which funnel and retention KPIs are reported)."""
SCORE = 0.02
"""Bound of a 0-1 score or trust: 0.02 (2 % of the scale)."""
STAGE = 0.5
"""Bound of the Goldman stage: half a stage (a firm read at a stage in half its runs and the next in the rest)."""
KRK = 2.0
"""Bound of the KRK score (20-100): 2 points (2.5 % of its range; one item moved by two steps of five)."""
RHO = 0.1
"""Bound of a rank correlation: 0.1 (Cohen's 'small' for a correlation)."""


@dataclass(frozen=True)
class Declared:
    """A row's own smallest effect of interest: ``value`` in the outcome's model unit, or as a share of the
    baseline mean when ``relative``; ``reason`` says why, in the claim's words."""

    value: float
    reason: str
    relative: bool = False


@dataclass(frozen=True)
class Bound:
    """A smallest effect of interest: ``value`` in the outcome's model unit (before display scaling), and why."""

    value: float
    reason: str


def smallest_effect(metric: str, baseline_mean: float, declared: Declared | None = None) -> Bound:
    """The bound of a comparison of ``metric`` whose baseline arm averages ``baseline_mean``.

    Args:
        metric: the outcome.
        baseline_mean: the baseline arm's mean (for a relative bound), in the model's unit.
        declared: the row's own bound (:class:`Declared`), which wins when given.
    """
    if declared is not None:
        scale = abs(baseline_mean) if declared.relative and np.isfinite(baseline_mean) else 1.0
        what = f"{100 * declared.value:g} % of the baseline mean: " if declared.relative else ""
        return Bound(declared.value * scale, what + declared.reason)
    o = outcome(metric)
    if o.percentage or o.unit == "percentage points":
        return Bound(PERCENTAGE_POINTS, "1 percentage point (KPI resolution)")
    if o.unit in ("trust 0-1", "score 0-1", "service level"):
        return Bound(SCORE, "0.02 on a 0-1 scale (2 % of the scale)")
    if o.unit == "stage 1-5":
        return Bound(STAGE, "half a Goldman stage")
    if o.unit == "score 20-100":
        return Bound(KRK, "2 KRK points (2.5 % of the range)")
    if o.unit == "rho":
        return Bound(RHO, "rho 0.1 (a small correlation)")
    if np.isfinite(baseline_mean) and baseline_mean != 0:
        return Bound(RELATIVE * abs(baseline_mean), f"{100 * RELATIVE:g} % of the baseline mean")
    return Bound(0.0, "no baseline level to scale a bound by: any non-zero effect")
