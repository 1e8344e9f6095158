"""The live curves as inline SVG: the Run and Debrief tabs' six panels, cheap enough to redraw every batch.

A matplotlib PNG of the six panels costs 0.5-5 s of server CPU per redraw on a loaded 2-core machine (tick
layout, font look-ups, rasterising), which would cap play far below 10 simulated weeks per second.  This
module writes the same panels (:data:`sim.viz.figures.KPI_PANELS`, labels and units from
:mod:`sim.outcomes`) as a few polylines of SVG text in about a millisecond; the browser draws them, and no
script or font is fetched, so it works offline.  The debrief pack keeps matplotlib's figures.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from sim.outcomes import outcome
from sim.viz.figures import KPI_PANELS, PANEL_TITLES

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
PANEL_W, PANEL_H = 400, 235
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 26, 34
"""Panel size and the margins around each plot area, in SVG pixels."""


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = [first + i * step for i in range(int(math.ceil((high - first) / step)) + 1)]
    return [round(t, 10) for t in ticks]


def _label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:g}"


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {extra}>'
            f"{html.escape(text)}</text>")


def _panel(weekly: pd.DataFrame, names: tuple[str, ...], title: str, horizon: int, x0: float, y0: float,
           marked_week: int | None, change_weeks: tuple[int, ...], bottom_row: bool) -> list[str]:
    w, h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    px, py = x0 + LEFT, y0 + TOP
    stage = names == ("alignment_stage",)
    series = []
    for name in names:
        if name in weekly and len(weekly):
            o = outcome(name, weekly=True)
            series.append((o, weekly["week"].to_numpy(float), weekly[name].to_numpy(float) * o.scale))
    values = np.concatenate([s[2][np.isfinite(s[2])] for s in series]) if series else np.array([])
    if stage:
        ticks = [1.0, 2.0, 3.0, 4.0, 5.0]
        low, high = 0.5, 5.5
    elif values.size:
        ticks = nice_ticks(min(0.0, float(values.min())), float(values.max()))
        low, high = ticks[0], ticks[-1]
    else:
        ticks = [0.0, 0.5, 1.0]
        low, high = 0.0, 1.0

    def sx(week):
        return px + w * np.asarray(week, float) / max(horizon, 1)

    def sy(value):
        return py + h * (1 - (np.asarray(value, float) - low) / (high - low))

    out = [f'<rect x="{px}" y="{py}" width="{w}" height="{h}" fill="white" stroke="#999"/>',
           _text(x0 + PANEL_W / 2, y0 + 16, title, size=13, extra='font-weight="bold"')]
    for t in ticks:
        y = float(sy(t))
        out.append(f'<line x1="{px}" x2="{px + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(_text(px - 4, y + 4, _label(t), anchor="end", size=10))
    step = 26 if horizon > 60 else 13 if horizon > 20 else 4
    for week in range(0, horizon + 1, step):
        x = float(sx(week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py + h}" y2="{py + h + 4}" stroke="#999"/>')
        out.append(_text(x, py + h + 15, str(week), size=10))
    if bottom_row:
        out.append(_text(px + w / 2, py + h + 29, "week", size=10))
    unit = outcome(names[0], weekly=True)
    axis = unit.axis_label if len(names) == 1 else unit.unit
    out.append(_text(x0 + 11, py + h / 2, axis, size=10, extra=f'transform="rotate(-90 {x0 + 11} {py + h / 2})"'))
    for week in change_weeks:
        x = float(sx(week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py}" y2="{py + h}" stroke="grey" stroke-dasharray="2,3"/>')
    for i, (o, weeks, ys) in enumerate(series):
        keep = np.isfinite(ys)
        xs, ys = sx(weeks[keep]), sy(ys[keep])
        if stage:  # steps: hold each week's stage until the next week
            xs, ys = np.repeat(xs, 2)[1:], np.repeat(ys, 2)[:-1]
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
        out.append(f'<polyline fill="none" stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="1.8" '
                   f'points="{points}"><title>{html.escape(o.label)}</title></polyline>')
        if len(series) > 1:
            ly = py + 12 + 13 * i
            out.append(f'<rect x="{px + 3}" y="{ly - 10}" width="{w * 0.62:.0f}" height="13" fill="white" '
                       'fill-opacity="0.8"/>')
            out.append(f'<line x1="{px + 6}" x2="{px + 22}" y1="{ly - 4}" y2="{ly - 4}" '
                       f'stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="2"/>')
            out.append(_text(px + 26, ly, o.label, anchor="start", size=10))
    if marked_week is not None:
        x = float(sx(marked_week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py}" y2="{py + h}" stroke="black" stroke-width="2"/>')
        out.append(_text(x + 3, py + h - 5, f"week {marked_week}", anchor="start", size=10))
    return out


def kpi_svg(weekly: pd.DataFrame, horizon: int, title: str, marked_week: int | None = None,
            change_weeks: tuple[int, ...] = ()) -> str:
    """The six KPI panels over weeks 0..``horizon`` as one ``<svg>`` element; ``marked_week`` (a clicked
    event) as a solid line, the weeks the trainer moved a lever as dotted lines."""
    width, height = 3 * PANEL_W, 2 * PANEL_H + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'style="max-width:{width}px;font-family:DejaVu Sans,Arial,sans-serif" role="img" '
             f'aria-label="{html.escape(title)}">', _text(width / 2, 20, title, size=15)]
    for i, (names, panel) in enumerate(zip(KPI_PANELS, PANEL_TITLES)):
        row, col = divmod(i, 3)
        parts += _panel(weekly, names, panel, horizon, col * PANEL_W, 30 + row * PANEL_H, marked_week,
                        change_weeks, row == 1)
    parts.append("</svg>")
    return "".join(parts)
