"""Figures of a sweep's sensitivity analysis: indices bar chart, tornado chart, two-lever heat map.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot state, so it works headless
and in notebooks alike, and no figure stays open) with a title, axis labels with units and a legend;
outcome labels, units and display scales come from :mod:`sim.outcomes`.  matplotlib is imported
inside the functions so that ``import sim.sweep`` stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outcomes import outcome
from sim.sweep.groups import HEATMAP_BINS, lever_groups
from sim.sweep.spec import Lever

INDEX_LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "Morris mu*", "sigma": "Morris sigma"}


def _axis(unit: str) -> str:
    return f" ({unit})" if unit else ""


def indices_bars(indices: pd.DataFrame, metric: str, title: str = ""):
    """Grouped horizontal bars of one outcome's indices per lever, with 95 % CI error bars.

    Args:
        indices: rows of :func:`sim.sweep.analysis.sobol_indices` or ``morris_indices`` for one outcome.
        metric: the outcome's name (Morris mu* and sigma are shown in its display unit).
    """
    from matplotlib.figure import Figure

    kinds = [k for k in ("S1", "ST", "mu_star", "sigma") if (indices["index"] == k).any()]
    order = (indices[indices["index"] == kinds[-1]].sort_values("value")["lever"]).tolist()
    fig = Figure(figsize=(8, 0.35 * len(order) + 1.8))
    ax = fig.subplots()
    height = 0.8 / len(kinds)
    y = np.arange(len(order))
    sobol = kinds[0] == "S1"
    scale = 1.0 if sobol else outcome(metric).scale
    for i, kind in enumerate(kinds):
        rows = indices[indices["index"] == kind].set_index("lever").loc[order]
        conf = rows["conf"].to_numpy(float) * scale
        ax.barh(y + (i - (len(kinds) - 1) / 2) * height, rows["value"] * scale, height,
                xerr=None if np.isnan(conf).all() else conf, capsize=2, label=INDEX_LABELS[kind])
    ax.set_yticks(y, order)
    ax.set_xlabel("share of output variance (index, 95 % CI)" if sobol
                  else f"effect of one elementary step on {outcome(metric).axis_label}")
    ax.set_ylabel("lever (config field)")
    ax.set_title(title or f"Sensitivity of {outcome(metric).label}")
    ax.legend(loc="best")
    return fig


def tornado(effects: pd.DataFrame, metric: str, title: str = ""):
    """Tornado chart: for each lever, the outcome's mean at its low and its high end, around their midpoint.

    Args:
        effects: the table of :func:`sim.sweep.analysis.main_effects` (sorted by swing), in the model's unit.
        metric: the outcome's name (shown in its display unit).
    """
    from matplotlib.figure import Figure

    spec = outcome(metric)
    effects = effects.iloc[::-1].assign(low=lambda e: spec.display(e["low"]), high=lambda e: spec.display(e["high"]))
    centre = float(np.nanmean(np.r_[effects["low"], effects["high"]])) if len(effects) else 0.0
    fig = Figure(figsize=(8, 0.35 * len(effects) + 1.8))
    ax = fig.subplots()
    y = np.arange(len(effects))
    ax.barh(y - 0.2, effects["low"] - centre, 0.4, left=centre, color="tab:blue", label="lever at its low end")
    ax.barh(y + 0.2, effects["high"] - centre, 0.4, left=centre, color="tab:orange", label="lever at its high end")
    ax.axvline(centre, color="black", lw=0.8)
    ax.set_yticks(y, [f"{r.lever} ({r.low_label} / {r.high_label}{_axis(r.unit)})" for r in effects.itertuples()])
    ax.set_xlabel(f"mean {spec.axis_label}")
    ax.set_ylabel("lever (low / high end)")
    ax.set_title(title or f"Main effects on {spec.label}")
    ax.legend(loc="best")
    return fig


def heatmap(runs: pd.DataFrame, x: Lever, y: Lever, metric: str, title: str = ""):
    """Heat map of the outcome's mean over two levers (numeric levers binned, levels as they are).

    Args:
        runs: the sweep's run table (:func:`sim.sweep.load`).
        x, y: the two levers (from the sweep's manifest).
        metric: the outcome's name (the colour bar shows it in its display unit).
    """
    from matplotlib.figure import Figure

    spec = outcome(metric)
    ok = runs[runs["status"] == "ok"]
    groups = [lever_groups(ok[y.field], y, HEATMAP_BINS), lever_groups(ok[x.field], x, HEATMAP_BINS)]
    table = spec.display(ok.groupby(groups, observed=True)[metric].mean().unstack())
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(table.shape[1]), [_tick(v) for v in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), [_tick(v) for v in table.index])
    ax.set_xlabel(f"{x.field}{_axis(x.unit)}")
    ax.set_ylabel(f"{y.field}{_axis(y.unit)}")
    fig.colorbar(image, ax=ax, label=f"mean {spec.axis_label}")
    ax.set_title(title or f"Mean {spec.label}")
    return fig


def _tick(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
