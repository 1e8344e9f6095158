"""Figures of runs and comparisons (matplotlib is imported here only, never by the model).

Figures are built as :class:`matplotlib.figure.Figure` objects, outside pyplot's registry of open figures, so
that a long multirun never accumulates open figures; labels and units come from :mod:`sim.outcomes` and the
bands from :func:`sim.stats.band`.
"""

from __future__ import annotations

import pandas as pd

from sim.outcomes import outcome
from sim.stats import band

PANELS = ("revenue", "active_customers", "lead_acceptance", "trust_mean")
"""Weekly columns shown by the comparison figure, one panel each (label, unit and scale from sim.outcomes)."""
SCENARIO_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
"""The one palette of the arms of a comparison, by position (first arm, second arm, ...): the CLI's comparison
figure here and the dashboard's (:mod:`sim.viz.figures`, :mod:`sim.viz.svgplot`) both use it, so an arm keeps its
colour everywhere (Okabe and Ito's colour-blind safe palette)."""


def plot_comparison(weekly: pd.DataFrame, path=None, title: str = "Scenario comparison"):
    """Four panels (revenue, active customers, lead acceptance, trust) over weeks, one line per scenario
    with its 95 % band over replicates.  Saves to ``path`` when given; returns the figure (displayed by
    Jupyter, and freed with it: it is not registered with pyplot)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 8), constrained_layout=True)
    axes = fig.subplots(2, 2, sharex=True)
    for ax, column in zip(axes.flat, PANELS):
        spec = outcome(column, weekly=True)
        rows_by_arm = band(weekly, ["scenario", "week"], column, bounds=spec.bounds).groupby("scenario", sort=False)
        for i, (scenario, rows) in enumerate(rows_by_arm):
            line, = ax.plot(rows["week"], spec.display(rows["mean"]), label=scenario,
                            color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)])
            ax.fill_between(rows["week"], spec.display(rows["low"]), spec.display(rows["high"]),
                            color=line.get_color(), alpha=0.2)
        ax.set_title(spec.label)
        ax.set_ylabel(spec.unit)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("week")
    axes[0, 0].legend(title="scenario (mean, 95 % band)")
    n = weekly.groupby("scenario")["replicate"].nunique().min()
    fig.suptitle(f"{title} ({n} paired replicates per scenario)")
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
