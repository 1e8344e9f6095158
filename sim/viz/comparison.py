"""Two arms on the same seeds and clock: ``sim.compare``'s paired replicates, shown in display units.

The numbers are exactly those of ``sim.compare(...).table`` (already in display units: mean and 95 % CI per
arm, paired difference with its 95 % CI, paired t-test p); this module only words and formats them with
:mod:`sim.outcomes` labels, units and precision, and with its wording of differences (percentage points, ``pp``,
for a difference of two percentages; "no variance across replicates: no test" instead of a zero-width CI and
p = 0), which the main job's table shares.
"""

from __future__ import annotations

import pandas as pd

from sim.config import Config
from sim.outcomes import (NO_VARIANCE, change_text, difference_text, difference_value, interval_text, outcome,
                          p_value_text)


def run_comparison(baseline: Config, other: Config, replicates: int, seed: int = 0):
    """``sim.compare`` of two configs (paired replicates spawned from ``seed``); the arms keep their names,
    the second gets ``_b`` when both are the same preset."""
    from sim.runner import compare

    return compare(baseline, other, replicates=replicates, seed=seed)


def arm_names(comparison) -> tuple[str, str]:
    """The baseline's and the other arm's names, in the order of the comparison."""
    names = list(dict.fromkeys(comparison.runs["scenario"]))
    return names[0], names[1]


def _shown(o, value: float, signed: bool = False) -> str:
    """A value of ``sim.compare``'s table, which is already in the outcome's display unit."""
    return o.format(value / o.scale, signed)


def _ci(row, prefix: str) -> tuple[float, float]:
    return row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"]


def _no_variance(row) -> bool:
    """Whether every paired difference of the row is the same (``sim.compare``'s ``no_variance`` column)."""
    value = row.get("no_variance", False)
    return bool(value) if pd.notna(value) else False


def _arm(o, row, arm: str) -> str:
    return interval_text(o, row[f"{arm}_mean"], *_ci(row, arm), row.get(f"{arm}_n", float("nan")))


def display_table(comparison, name=str) -> pd.DataFrame:
    """``comparison.table`` with one readable row per outcome: label, unit, each arm's mean [95 % CI], the
    paired difference [95 % CI] (in ``pp``, percentage points, for a percentage), the relative change in % and
    p; ``name`` gives an arm's column heading from its name (the dashboard passes
    :func:`sim.viz.presets.title`)."""
    a, b = arm_names(comparison)
    rows = []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        flat = _no_variance(r)
        rows.append({"outcome": o.label, "unit": o.unit, name(a): _arm(o, r, a), name(b): _arm(o, r, b),
                     "difference (paired)": difference_text(o, r["difference"], *_ci(r, "difference"),
                                                            r.get("n", float("nan")), flat),
                     "change": change_text(o, r.get("relative_change", float("nan"))),
                     "p": p_value_text(r["p_value"], flat)})
    return pd.DataFrame(rows)


def _with_unit(o, value: float, signed: bool = False) -> str:
    return f"{_shown(o, value, signed)} {o.unit}".rstrip()


def effect_size(row) -> float:
    """The paired standardised effect of one outcome (Cohen's d_z: the mean paired difference over the standard
    deviation of the paired differences), recovered from its 95 % CI: NaN when there is no CI."""
    from scipy import stats

    n, low, high = row.get("n", float("nan")), row["difference_ci_low"], row["difference_ci_high"]
    if pd.isna(n) or n < 2 or pd.isna(low) or pd.isna(high) or high <= low:
        return float("nan")
    sd = (high - low) / 2 / stats.t.ppf(0.975, n - 1) * (n ** 0.5)
    return float(row["difference"] / sd) if sd > 0 else float("nan")


def talking_points(comparison, name=str) -> list[str]:
    """Plain sentences for the debrief, largest effect first: each outcome whose paired 95 % CI excludes zero,
    ranked by its standardised effect size (:func:`effect_size`), with the difference in the outcome's unit of a
    difference (``pp`` for a percentage) and, on a ratio scale, the relative change in %; a non-zero difference
    that is the same in every replicate comes first and says it has no variance to test; then one sentence
    naming the outcomes with no clear difference and one naming those identical in every replicate; ``name``
    words an arm's name."""
    a, b = arm_names(comparison)
    shown_a, shown_b = name(a), name(b)
    clear, unclear, same = [], [], []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        low, high = _ci(r, "difference")
        flat = _no_variance(r)
        if flat and r["difference"] == 0:
            same.append(o.label.lower() if o.label[1:2].islower() else o.label)
            continue
        if not flat and (pd.isna(low) or pd.isna(high)):
            continue
        if flat or low > 0 or high < 0:
            direction = "higher" if r["difference"] > 0 else "lower"
            verdict = "" if o.better == "neither" else (
                " (better)" if (direction == "higher") == (o.better == "higher") else " (worse)")
            d = effect_size(r)
            size = "" if pd.isna(d) else f"; standardised effect {abs(d):.1f}"
            relative = r.get("relative_change", float("nan"))
            change = f", {change_text(o, relative)} of the {shown_a} mean" if o.ratio_scale and pd.notna(relative) \
                else ""
            spread = (" (the same in every replicate: no variance, no test)" if flat else
                      f" (95 % CI {_shown(o, low, True)} to {_shown(o, high, True)}{size})")
            diff = difference_value(o, r["difference"])
            clear.append((float("inf") if flat else abs(d) if pd.notna(d) else 0.0,
                          f"{o.label} is {direction} under {shown_b}{verdict}: {_with_unit(o, r[f'{b}_mean'])} against "
                          f"{_with_unit(o, r[f'{a}_mean'])}, a difference of {diff}{change}{spread}."))
        else:
            unclear.append(o.label.lower() if o.label[1:2].islower() else o.label)
    points = [text for _, text in sorted(clear, key=lambda item: -item[0])]
    if unclear:
        points.append(f"No clear difference between {shown_a} and {shown_b} in {', '.join(unclear[:-1])}"
                      f"{' or ' if len(unclear) > 1 else ''}{unclear[-1]} (each 95 % CI includes zero).")
    if same:
        points.append(f"The same under {shown_a} and {shown_b} in every replicate: {', '.join(same[:-1])}"
                      f"{' and ' if len(same) > 1 else ''}{same[-1]} ({NO_VARIANCE}).")
    return points
