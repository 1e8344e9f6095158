"""Grouping the runs of a sweep by lever value, for main effects (:mod:`sim.sweep.analysis`) and heat maps
(:mod:`sim.sweep.plots`): both read it here, so neither module imports the other."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.sweep.spec import Lever

NUMERIC_BINS = 3
"""Equal-width bins of a numeric lever's range for main effects (low end = first bin, high end = last)."""
HEATMAP_BINS = 5
"""Equal-width bins per numeric lever on a heat map axis (a lever with few values keeps its values)."""


def lever_groups(values: pd.Series, lever: Lever, bins: int) -> pd.Series:
    """Each run's group on one lever, as an ordered categorical: its level (in the lever's order),
    its value when it takes few values, or its equal-width bin of the lever's range ("0 to 0.167").

    Args:
        values: the lever's value in each run.
        lever: the lever (from the sweep's manifest).
        bins: number of equal-width bins for a numeric lever that takes more than ``bins`` values.
    """
    if lever.kind == "level":
        levels = [v for v in lever.levels if not (isinstance(v, float) and np.isnan(v))]
        return pd.Series(pd.Categorical(values, categories=levels, ordered=True), index=values.index)
    if values.nunique() <= bins:
        return values
    edges = np.linspace(lever.low, lever.high + (1 if lever.kind == "int" else 0), bins + 1)
    labels = [f"{a:.3g} to {b:.3g}" for a, b in zip(edges[:-1], edges[1:])]
    return pd.cut(values.astype(float), edges, labels=labels, include_lowest=True)
