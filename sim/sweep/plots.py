"""Figures of a sweep's sensitivity analysis: indices bar chart, tornado chart, heat maps of every lever pair.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot state, so it works headless
and in notebooks alike, and no figure stays open) with a title, axis labels with units and a legend;
outcome labels, units and display scales come from :mod:`sim.outcomes`.  matplotlib is imported
inside the functions so that ``import sim.sweep`` stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outcomes import outcome, shown
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
    """Tornado chart: for each lever, the outcome's mean at its low and its high end, around their midpoint, the
    effect's 95 % CI in the lever's label.

    Args:
        effects: the table of :func:`sim.sweep.analysis.main_effects` (sorted by effect size), in display units.
        metric: the outcome's name.
    """
    from matplotlib.figure import Figure

    spec = outcome(metric)
    effects = effects.iloc[::-1]
    centre = float(np.nanmean(np.r_[effects["low"], effects["high"]])) if len(effects) else 0.0
    fig = Figure(figsize=(9, 0.45 * len(effects) + 1.8))
    ax = fig.subplots()
    y = np.arange(len(effects))
    ax.barh(y - 0.2, effects["low"] - centre, 0.4, left=centre, color="tab:blue", label="lever at its low end")
    ax.barh(y + 0.2, effects["high"] - centre, 0.4, left=centre, color="tab:orange", label="lever at its high end")
    ax.axvline(centre, color="black", lw=0.8)
    ax.set_yticks(y, [f"{r.lever} ({r.low_label} / {r.high_label}{_axis(r.lever_unit)})\n"
                      f"effect {shown(spec, r.effect, True)} [{shown(spec, r.effect_low, True)}, "
                      f"{shown(spec, r.effect_high, True)}] {r.unit}" for r in effects.itertuples()], fontsize=8)
    ax.set_xlabel(f"{spec.axis_label}, mean over the runs at the lever's end")
    ax.set_ylabel("lever (low / high end), effect [95 % CI]")
    ax.set_title(title or f"Main effects on {spec.label}")
    ax.legend(loc="best")
    return fig


MAX_HEATMAP_LEVERS = 6
"""Heat maps are drawn for every pair of at most this many levers (15 panels); a sweep with more levers gets the
pairs of the ones with the largest main effects, and the title says how many it shows."""


def heatmaps(runs: pd.DataFrame, levers: list[Lever], metric: str, title: str = "", of_total: int | None = None):
    """Heat maps of the outcome's mean for every pair of ``levers``, one panel per pair in a triangle.

    Orientation is fixed: in the panel of levers i < j (in the order given, the spec's), lever i is on the x axis
    and lever j on the y axis, values increasing to the right and upwards; numeric levers are binned, levels kept.
    Every cell shows its mean in the outcome's display unit, and all panels share one colour scale.

    Args:
        runs: the sweep's run table (:func:`sim.sweep.load`).
        levers: the levers (from the sweep's manifest), in the spec's order.
        metric: the outcome's name.
        of_total: the sweep's number of levers, when ``levers`` is a selection of them (said in the title).
    """
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    spec = outcome(metric)
    ok = runs[runs["status"] == "ok"]
    groups = {lv.field: lever_groups(ok[lv.field], lv, HEATMAP_BINS) for lv in levers}
    tables = {(a.field, b.field): spec.display(ok.groupby([groups[b.field], groups[a.field]], observed=True)[metric]
                                               .mean().unstack())
              for i, a in enumerate(levers) for b in levers[i + 1:]}
    values = np.concatenate([t.to_numpy(float).ravel() for t in tables.values()])
    norm = Normalize(np.nanmin(values), np.nanmax(values))
    n = len(levers) - 1
    fig = Figure(figsize=(3.4 * n + 1.5, 3.0 * n + 1.2), layout="constrained")
    axes = np.atleast_2d(fig.subplots(n, n, squeeze=False))
    image = None
    for row in range(n):
        for col in range(n):
            ax = axes[row, col]
            if col > row:
                ax.set_axis_off()
                continue
            a, b = levers[col], levers[row + 1]
            table = tables[(a.field, b.field)]
            image = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto", cmap="viridis", norm=norm)
            for (i, j), v in np.ndenumerate(table.to_numpy(float)):
                if np.isfinite(v):
                    ax.text(j, i, shown(spec, v), ha="center", va="center", fontsize=7,
                            color="white" if norm(v) < 0.5 else "black")
            ax.set_xticks(range(table.shape[1]), [_tick(v) for v in table.columns], rotation=30, ha="right",
                          fontsize=7)
            ax.set_yticks(range(table.shape[0]), [_tick(v) for v in table.index], fontsize=7)
            ax.set_xlabel(f"{a.field}{_axis(a.unit)}", fontsize=8)
            ax.set_ylabel(f"{b.field}{_axis(b.unit)}", fontsize=8)
    shown_of = f" (pairs of the {len(levers)} levers with the largest effects, of {of_total})" \
        if of_total and of_total > len(levers) else ""
    fig.colorbar(image, ax=axes, label=f"{spec.axis_label}, mean over the runs in the cell", shrink=0.8)
    fig.suptitle(f"{title or spec.label}: mean over the runs in each cell{shown_of}")
    return fig


def _tick(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
