"""Words generated from measured numbers: every figure a row, a summary or a reason quotes comes from here,
formatted in the outcome's declared unit (:mod:`sim.outcomes`)."""

from __future__ import annotations

import math

import numpy as np

from sim.outcomes import outcome
from sim.stats import Paired, mean_ci
from sim.studies.declarations import StudyResult


def fmt(value: float | None, metric: str, signed: bool = False) -> str:
    """``value`` in the display unit of ``metric`` (no unit appended)."""
    return outcome(metric).format(value, signed=signed)


def curve_text(res: StudyResult, metric: str, by: str) -> str:
    """A sweep's curve in words: "<label> by <by> (<unit>): <lever>: <mean>, ..." from the study's runs."""
    o = outcome(metric)
    points = ", ".join(f"{row.lever:g}: {fmt(row.mean, metric)}" for row in res.curve(metric).itertuples())
    return f"{o.label} by {by} ({o.unit}): {points}"


def fmt_p(p: float | None) -> str:
    """A p-value for a table."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return "< 1e-4" if p < 1e-4 else f"{p:.3g}"


def p_text(p: float | None) -> str:
    """``p = 0.031`` or ``p < 1e-4``, for sentences."""
    text = fmt_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def relative(c: Paired, metric: str) -> str:
    """`` (+12.3 % of the baseline)`` when a relative change means something for ``metric``, else empty."""
    if not outcome(metric).ratio_scale or not np.isfinite(c.relative) or abs(c.baseline_mean) < 1e-12:
        return ""
    return f" ({100 * c.relative:+.1f} % of the baseline)"


def difference(value: float, metric: str) -> str:
    """A signed difference in the unit of a difference: ``+3.5 pp`` for a percentage, ``-4.02 EUR million``."""
    unit = outcome(metric).difference_unit
    return f"{fmt(value, metric, signed=True)}{' ' + unit if unit and np.isfinite(value) else ''}"


def effect_text(c: Paired, metric: str) -> str:
    """``label: a → b unit; Δ = d unit (+r % of the baseline)`` for a paired comparison (percentage points for a
    difference of percentages; "no variance" where every paired difference is the same)."""
    o = outcome(metric)
    same = " (the same in every replicate: no variance to test)" if c.no_variance else ""
    return (f"{o.label}: {fmt(c.baseline_mean, metric)} → {fmt(c.treatment_mean, metric)} {o.unit}; "
            f"Δ = {difference(c.difference, metric)}{relative(c, metric)}{same}")


def interval(low: float, high: float, metric: str) -> str:
    """``[low, high]`` in the display unit."""
    return f"[{fmt(low, metric)}, {fmt(high, metric)}]"


def change(res: StudyResult, baseline: str, treatment: str, metric: str) -> str:
    """``label a → b unit (+r %)``: the arm means of ``metric``, for sentences."""
    c = res.compare(baseline, treatment, metric)
    o = outcome(metric)
    return (f"{o.label} {fmt(c.baseline_mean, metric)} → {fmt(c.treatment_mean, metric)} {o.unit}{relative(c, metric)}")


def level(res: StudyResult, arm: str, metric: str) -> str:
    """``label in arm: m unit [low, high]``: one arm's mean with its 95 % CI."""
    o = outcome(metric)
    ci = mean_ci(res.values(arm, metric), bounds=o.bounds)
    return f"{o.label} in {arm}: {fmt(ci.mean, metric)} {o.unit} {interval(ci.low, ci.high, metric)}"


def changes(res: StudyResult, baseline: str, treatment: str, *metrics: str) -> str:
    """Several :func:`change` clauses joined with semicolons."""
    return "; ".join(change(res, baseline, treatment, m) for m in metrics if m in res.runs)
