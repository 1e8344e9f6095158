"""Figures shared by the dashboard and the debrief pack (matplotlib's object API, safe in server threads).

Every axis label and unit comes from :mod:`sim.outcomes`; the bands of the comparison are
:func:`sim.stats.band` over replicates (95 % confidence interval of the mean).
"""

from __future__ import annotations

import base64
import functools
import io
import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outcomes import outcome
from sim.plots import SCENARIO_COLOURS
from sim.stats import band

KPI_PANELS = (("revenue",), ("active_customers",), ("open_leads", "accepted_leads", "opportunities"),
              ("trust_sales_in_marketing", "trust_marketing_in_sales", "trust_operations_in_sales"),
              ("alignment_stage",), ("krk_score",))
"""The Run tab's curves: one panel per tuple, one line per weekly outcome."""
PANEL_TITLES = ("Revenue", "Customers", "Pipeline by stage", "Trust between departments", "Alignment stage",
                "Alignment score")
COMPARE_OUTCOMES = ("revenue", "active_customers", "trust_mean", "alignment_stage")
"""Weekly outcomes drawn as bands in the comparison."""
ARM_COLOURS = SCENARIO_COLOURS[:2]
"""The baseline's and the other arm's colours: the first two of the one scenario palette (:mod:`sim.plots`), which
the CLI's comparison figure uses too, so an arm has the same colour in the terminal's figure and the dashboard."""
READABLE = {"font.size": 14, "axes.titlesize": 15, "axes.labelsize": 14, "xtick.labelsize": 13,
            "ytick.labelsize": 13, "legend.fontsize": 13, "legend.title_fontsize": 13, "figure.titlesize": 16}
"""Font sizes (points) of the figures: at the debrief pack's 110 dpi a 12-inch figure shown 1200 px wide puts its
smallest text (13 pt) near 18 CSS px, readable from the back of a room."""
SMALLEST_PT = min(READABLE.values())
"""The smallest font of the figures, in points."""
PRESENTER_DPI = 110
"""Pixels per inch of the dashboard's figures in presenter mode: the smallest text (:data:`SMALLEST_PT`) is then
13 x 110 / 72 = 19.9 px at the image's natural size, and at least 18 CSS px while the page shows it at >= 0.91 of
it (a 12-inch figure, 1320 px, in the 1230 px of a 1280-pixel-wide projector page: 0.93)."""
DESK_DPI = 80
"""Pixels per inch of the dashboard's figures on a laptop screen."""
UNIT_WRAP = 22
"""Characters per line of a panel's unit label, so the labels of two stacked panels never run into each other."""


def readable(draw):
    """Build the figure under :data:`READABLE` (matplotlib reads font sizes when each text is made)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(READABLE):
            return draw(*args, **kwargs)
    return wrapper


def to_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def data_uri(fig: Figure, dpi: int = 110) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, to embed in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(to_png(fig, dpi)).decode("ascii")


@readable
def compare_figure(weekly: pd.DataFrame, arms: tuple[str, str], title: str, words=str) -> Figure:
    """Mean and 95 % band over replicates of each arm, week by week, for :data:`COMPARE_OUTCOMES`; ``words``
    words an arm's name in the legend."""
    fig = Figure(figsize=(12, 7), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    for ax, name in zip(axes.flat, COMPARE_OUTCOMES):
        o = outcome(name, weekly=True)
        b = band(weekly, ["scenario", "week"], name, bounds=o.bounds)
        for arm, colour in zip(arms, ARM_COLOURS):
            part = b[b["scenario"] == arm]
            ax.plot(part["week"], part["mean"] * o.scale, color=colour, label=words(arm), lw=1.6)
            ax.fill_between(part["week"], part["low"] * o.scale, part["high"] * o.scale, color=colour, alpha=0.2)
        ax.set_title(o.label)
        ax.set_ylabel(textwrap.fill(o.unit, UNIT_WRAP))  # the label is in the title; a long unit wraps
        if name == "alignment_stage":  # a band over few replicates can run past the five stages
            ax.set_ylim(0.5, 5.5)
    axes.flat[0].legend(title="mean, 95 % band")  # one legend: the arms are the same in every panel
    for ax in axes[-1]:
        ax.set_xlabel("week")
    fig.align_ylabels(axes[:, 0])
    fig.suptitle(title)
    return fig


@readable
def difference_figure(table: pd.DataFrame, baseline: str, other: str, name=str) -> Figure:
    """The paired difference (other - baseline) of each ratio-scale metric of ``sim.compare``'s table, as a
    share of the baseline mean with its 95 % confidence interval; ``name`` words an arm's name."""
    rows = [r for _, r in table.iterrows() if outcome(r["metric"]).ratio_scale and r[f"{baseline}_mean"]]
    fig = Figure(figsize=(9, 0.45 * len(rows) + 1.6), layout="constrained")
    ax = fig.subplots()
    base = np.array([r[f"{baseline}_mean"] for r in rows], dtype=float)
    mid = np.array([r["difference"] for r in rows], dtype=float) / np.abs(base) * 100
    low = np.array([r["difference_ci_low"] for r in rows], dtype=float) / np.abs(base) * 100
    high = np.array([r["difference_ci_high"] for r in rows], dtype=float) / np.abs(base) * 100
    y = np.arange(len(rows))[::-1]
    ax.errorbar(mid, y, xerr=[mid - low, high - mid], fmt="o", color=ARM_COLOURS[1], capsize=3,
                label="paired difference, 95 % CI")
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, [outcome(r["metric"]).label for r in rows])
    ax.set_xlabel(textwrap.fill(f"{name(other)} minus {name(baseline)} (% of the {name(baseline)} mean)", 70))
    ax.set_title(textwrap.fill(f"What changes from {name(baseline)} to {name(other)}", 60))
    ax.legend(loc="lower right")
    return fig
