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


def display_table(comparison) -> pd.DataFrame:
    """``comparison.table`` with one readable row per outcome: label, unit, each arm's mean [95 % CI], the
    paired difference [95 % CI] and p."""
    a, b = arm_names(comparison)
    rows = []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        rows.append({"outcome": o.label, "unit": o.unit, a: _interval(o, r[f"{a}_mean"], _ci(r, a)),
                     b: _interval(o, r[f"{b}_mean"], _ci(r, b)),
                     "difference (paired)": _interval(o, r["difference"], _ci(r, "difference"), signed=True),
                     "p": f"{r['p_value']:.2g}" if pd.notna(r["p_value"]) else "n/a"})
    return pd.DataFrame(rows)


def _with_unit(o, value: float, signed: bool = False) -> str:
    return f"{_shown(o, value, signed)} {o.unit}".rstrip()


def talking_points(comparison) -> list[str]:
    """Plain sentences for the debrief: each outcome whose paired 95 % CI excludes zero, then the others."""
    a, b = arm_names(comparison)
    clear, unclear = [], []
    for _, r in comparison.table.iterrows():
        o = outcome(r["metric"])
        low, high = _ci(r, "difference")
        if pd.isna(low) or pd.isna(high):
            continue
        text = f"{o.label}: {_with_unit(o, r[f'{a}_mean'])} under {a}, {_with_unit(o, r[f'{b}_mean'])} under {b}"
        if low > 0 or high < 0:
            direction = "higher" if low > 0 else "lower"
            verdict = "" if o.better == "neither" else (
                " (better)" if (direction == "higher") == (o.better == "higher") else " (worse)")
            clear.append(f"{text}: {direction} under {b}{verdict}, difference {_with_unit(o, r['difference'], True)} "
                         f"(95 % CI {_shown(o, low, True)} to {_shown(o, high, True)}).")
        else:
            unclear.append(f"{text}: no clear difference (95 % CI {_shown(o, low, True)} to "
                           f"{_shown(o, high, True)} includes zero).")
    return clear + unclear
