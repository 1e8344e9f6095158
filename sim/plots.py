"""Figures of runs and comparisons (matplotlib is imported here only, never by the model)."""

from __future__ import annotations

import numpy as np
import pandas as pd

PANELS = (
    ("revenue", "Weekly revenue", "EUR thousand per week", 1e-3),
    ("active_customers", "Active customers", "accounts", 1.0),
    ("lead_acceptance", "Marketing leads accepted by sales (trailing quarter)", "share of leads", 1.0),
    ("trust_mean", "Mean trust between departments", "trust (0-1)", 1.0),
)
"""(column, title, y-axis label with unit, scale) of each panel of the comparison figure."""


def _band(weekly: pd.DataFrame, column: str, scale: float) -> pd.DataFrame:
    """Mean and 95 % interval (t-based, over replicates) of a weekly column per scenario and week."""
    from scipy import stats

    g = weekly.groupby(["scenario", "week"])[column]
    out = g.agg(["mean", "sem", "count"]).reset_index()
    half = out["sem"].fillna(0) * stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    out["low"], out["high"] = (out["mean"] - half) * scale, (out["mean"] + half) * scale
    out["mean"] *= scale
    return out


def plot_comparison(weekly: pd.DataFrame, path=None, title: str = "Scenario comparison"):
    """Four panels (revenue, active customers, lead acceptance, trust) over weeks, one line per scenario
    with its 95 % band over replicates.  Saves to ``path`` when given; returns the figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True, constrained_layout=True)
    for ax, (column, panel_title, unit, scale) in zip(axes.flat, PANELS):
        band = _band(weekly, column, scale)
        for scenario, rows in band.groupby("scenario", sort=False):
            line, = ax.plot(rows["week"], rows["mean"], label=scenario)
            ax.fill_between(rows["week"], rows["low"], rows["high"], color=line.get_color(), alpha=0.2)
        ax.set_title(panel_title)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("week")
    axes[0, 0].legend(title="scenario (mean, 95 % band)")
    n = weekly.groupby("scenario")["replicate"].nunique().min()
    fig.suptitle(f"{title} ({n} paired replicates per scenario)")
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
