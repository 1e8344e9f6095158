"""Two arms on the same seeds and clock: ``sim.compare``'s paired replicates, shown in display units.

The numbers are exactly those of ``sim.compare(...).table`` (already in display units: mean and 95 % CI per
arm, paired difference with its 95 % CI, paired t-test p); this module only words and formats them with
:mod:`sim.outcomes` labels, units and precision.
"""

from __future__ import annotations

import pandas as pd

from sim.config import Config
from sim.outcomes import outcome


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


def _interval(o, mean: float, ci: tuple[float, float], signed: bool = False) -> str:
    return f"{_shown(o, mean, signed)} [{_shown(o, ci[0], signed)}, {_shown(o, ci[1], signed)}]"


def _ci(row, prefix: str) -> tuple[float, float]:
    return row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"]


def display_table(comparison, name=str) -> pd.DataFrame:
    """``comparison.table`` with one readable row per outcome: label, unit, each arm's mean [95 % CI], the
    paired difference [95 % CI] and p; ``name`` gives an arm's column heading from its name (the dashboard
    passes :func:`sim.viz.presets.title`)."""
    a, b = arm_names(comparison)
    rows = []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        rows.append({"outcome": o.label, "unit": o.unit, name(a): _interval(o, r[f"{a}_mean"], _ci(r, a)),
                     name(b): _interval(o, r[f"{b}_mean"], _ci(r, b)),
                     "difference (paired)": _interval(o, r["difference"], _ci(r, "difference"), signed=True),
                     "p": f"{r['p_value']:.2g}" if pd.notna(r["p_value"]) else "n/a"})
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
    ranked by its standardised effect size (:func:`effect_size`), then one sentence naming the outcomes with no
    clear difference; ``name`` words an arm's name."""
    a, b = arm_names(comparison)
    shown_a, shown_b = name(a), name(b)
    clear, unclear = [], []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        low, high = _ci(r, "difference")
        if pd.isna(low) or pd.isna(high):
            continue
        if low > 0 or high < 0:
            direction = "higher" if low > 0 else "lower"
            verdict = "" if o.better == "neither" else (
                " (better)" if (direction == "higher") == (o.better == "higher") else " (worse)")
            d = effect_size(r)
            size = "" if pd.isna(d) else f"; standardised effect {abs(d):.1f}"
            clear.append((abs(d) if pd.notna(d) else 0.0,
                          f"{o.label} is {direction} under {shown_b}{verdict}: {_with_unit(o, r[f'{b}_mean'])} against "
                          f"{_with_unit(o, r[f'{a}_mean'])}, a difference of {_with_unit(o, r['difference'], True)} "
                          f"(95 % CI {_shown(o, low, True)} to {_shown(o, high, True)}{size})."))
        else:
            unclear.append(o.label.lower() if o.label[1:2].islower() else o.label)
    points = [text for _, text in sorted(clear, key=lambda item: -item[0])]
    if unclear:
        points.append(f"No clear difference between {shown_a} and {shown_b} in {', '.join(unclear[:-1])}"
                      f"{' or ' if len(unclear) > 1 else ''}{unclear[-1]} (each 95 % CI includes zero).")
    return points
