"""A study's figure: weekly panels per arm (mean and 95 % band over paired replicates) or, for a sweep, each
outcome against the lever.  Labels and units come from :mod:`sim.outcomes`, the lever's unit from the config
schema."""

from __future__ import annotations

import math
from pathlib import Path

from sim.config import field_table
from sim.outcomes import outcome
from sim.stats import LEVEL, band, mean_ci
from sim.studies.declarations import StudyResult

SMOOTHED = ("wins", "churned", "revenue", "gross_margin")
"""Noisy weekly flows drawn as a rolling mean over :data:`SMOOTHING_WEEKS`."""
SMOOTHING_WEEKS = 4
DPI = 72


def _grid(n: int, sharex: bool):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nrows = math.ceil(n / 2)
    fig, axes = plt.subplots(nrows, 2, figsize=(11, 3.6 * nrows), sharex=sharex, constrained_layout=True,
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    return plt, fig, axes


def plot_arms(res: StudyResult, path: Path) -> None:
    """Weekly panels, one line per arm with its confidence band over paired replicates."""
    panels = res.study.panels
    plt, fig, axes = _grid(len(panels), sharex=True)
    for ax, column in zip(axes.flat, panels):
        o = outcome(column, weekly=True)
        title, weekly = o.label, res.weekly
        if column in SMOOTHED:
            weekly = weekly.assign(**{column: weekly.groupby(["scenario", "replicate"])[column].transform(
                lambda s: s.rolling(SMOOTHING_WEEKS, min_periods=1).mean())})
            title += f" ({SMOOTHING_WEEKS}-week mean)"
        bands = band(weekly, ["scenario", "week"], column, bounds=o.bounds)
        for scenario, rows in bands.groupby("scenario", sort=False):
            line, = ax.plot(rows["week"], o.display(rows["mean"]), label=scenario, lw=1.5)
            ax.fill_between(rows["week"], o.display(rows["low"]), o.display(rows["high"]), color=line.get_color(),
                            alpha=0.2)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(o.unit)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    axes.flat[0].legend(title=f"arm (mean, {LEVEL:.0%} band)", fontsize=8)
    fig.suptitle(f"{res.study.title} — {res.replicates} paired replicates per arm", fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def lever_label(lever: str) -> str:
    """Axis label of a swept lever: its name and the unit declared for it in the config schema."""
    units = {row["unit"] for row in field_table() if row["field"].rsplit(".", 1)[-1] == lever}
    return f"{lever} ({units.pop()})" if len(units) == 1 else lever


def plot_sweep(res: StudyResult, path: Path) -> None:
    """Each sweep outcome against the lever: mean with its confidence band; reference arms as dashed lines."""
    metrics = res.study.sweep_metrics
    plt, fig, axes = _grid(len(metrics), sharex=False)
    for ax, metric in zip(axes.flat, metrics):
        o, curve = outcome(metric), res.curve(metric)
        ax.plot(curve["lever"], o.display(curve["mean"]), "o-", label="mean over replicates")
        ax.fill_between(curve["lever"], o.display(curve["low"]), o.display(curve["high"]), alpha=0.25,
                        label=f"{LEVEL:.0%} CI")
        for arm in res.arms:
            if arm.lever_value is None:
                ci = mean_ci(res.values(arm.name, metric), bounds=o.bounds)
                ax.axhline(o.display(ci.mean), color="grey", ls="--", lw=1, label=f"{arm.name} (mean)")
                ax.axhspan(o.display(ci.low), o.display(ci.high), color="grey", alpha=0.12)
        ax.set_title(o.label, fontsize=10)
        ax.set_ylabel(o.unit)
        ax.set_xlabel(lever_label(res.study.sweep_lever))
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{res.study.title} — {res.replicates} paired replicates per point", fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def plot(res: StudyResult, path: Path) -> None:
    """The study's figure: a sweep plot for sweeps, weekly panels otherwise."""
    (plot_sweep if res.study.sweep_lever else plot_arms)(res, path)
