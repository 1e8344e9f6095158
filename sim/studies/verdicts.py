"""Verdicts on adjusted p-values, and the reason a row fails, in measured numbers.

A row holds when its rule is satisfied (``Row.supports``: the sign, the interior optimum, the CI inside the band)
and its p-value, adjusted for the family of tests it belongs to, is below :data:`ALPHA`.  The family is the whole
claims table in ``experiments/README.md``; a study run on its own adjusts within the study.
"""

from __future__ import annotations

import numpy as np

from sim.stats import adjust
from sim.studies.declarations import Row
from sim.studies.narrative import p_text

ALPHA = 0.05
"""Family-wise error rate of the verdicts."""
METHOD = "holm"
"""Multiple-comparison correction (:func:`sim.stats.adjust`): Holm-Bonferroni."""
METHOD_NAME = "Holm-Bonferroni"


def adjudicate(rows: list[Row], method: str = METHOD) -> list[Row]:
    """Set ``p_adjusted`` and ``holds`` on every row, adjusting the p-values as one family."""
    adjusted = adjust([r.p for r in rows], method)
    for row, p in zip(rows, adjusted):
        row.p_adjusted = float(p)
        row.holds = bool(row.supports and np.isfinite(p) and p < ALPHA)
    return rows


def reason(row: Row) -> str:
    """Why a row does not hold: the rule's shortfall or the adjusted p, then the study's measured account."""
    if not row.supports:
        why = row.shortfall
    else:
        why = (f"the effect has the claimed form but its adjusted {p_text(row.p_adjusted)} "
               f"(raw {p_text(row.p)}) is not below {ALPHA:g}; the test detects {row.detectable} with 80 % power")
    if not row.explanation:
        return why
    return f"{why}. {row.explanation[:1].upper()}{row.explanation[1:]}"
