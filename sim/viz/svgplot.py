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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.outcomes import outcome
from sim.viz.figures import KPI_PANELS, PANEL_TITLES

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
"""Colours of the series within one panel (the stages of the pipeline, the pairs of trust), not of arms."""


@dataclass(frozen=True)
class Layout:
    """Sizes of the six panels, in SVG pixels: the browser scales the whole drawing to its box, so a font of
    ``f`` units shows as ``f`` times (box width / drawing width) CSS pixels.

    Attributes:
        columns: panels per row (3 on the Run tab, 2 beside the Debrief timeline).
        panel_w, panel_h: one panel's box.
        left, right, top, bottom: the margins around each plot area.
        title, tick, legend, heading: font sizes of the panel titles, the tick and axis labels, the legend and
            the drawing's heading (0: no heading, the page shows the week elsewhere).
        axis_label: whether the rotated unit label is drawn left of the ticks (the presenter layout puts the unit
            under the title instead, where it has room at a projector's font size).
    """

    columns: int = 3
    panel_w: int = 400
    panel_h: int = 235
    left: int = 58
    right: int = 10
    top: int = 26
    bottom: int = 34
    title: int = 13
    tick: int = 10
    legend: int = 10
    heading: int = 15
    axis_label: bool = True

    @property
    def width(self) -> int:
        return self.columns * self.panel_w


LETTER = 0.6
"""Width of an average letter of the drawing's font, as a share of its size (DejaVu Sans), for legend boxes."""
DESK = Layout(panel_w=330, panel_h=235, left=56, right=18, top=54, bottom=44, title=17, tick=15, legend=15,
              heading=16, axis_label=False)
"""The Run tab on a laptop screen: 990 units wide, so its smallest text (15 units) shows at about 12.4 CSS px in
the 816 px the page leaves it at 1280 px, 14 px at 1400 px and 22 px at 1920 px (the drawing grows with its box);
it was 1,020 units with 12-unit legends, 9.6 px at 1280 px, and before that 6.8 px."""
DEBRIEF = Layout(columns=2, panel_w=420, panel_h=250, left=64, right=24, top=30, bottom=40, title=16, tick=13,
                 legend=13, heading=16)
"""Beside the Debrief timeline: two panels per row, so the curves are not thumbnails."""
PRESENTER = Layout(panel_w=410, panel_h=240, left=62, right=24, top=72, bottom=46, title=22, tick=20, legend=19,
                   heading=0, axis_label=False)
"""Presenter mode: every text at least 19 units, so at least 18 CSS px once the drawing is scaled to a
1280-pixel-wide projector page (about 0.98 of its 1230 units)."""
PRESENTER_DEBRIEF = Layout(columns=2, panel_w=410, panel_h=240, left=62, right=24, top=72, bottom=46, title=22,
                           tick=20, legend=19, heading=0, axis_label=False)
"""Presenter mode beside the Debrief timeline."""


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


def latest(o, values: np.ndarray) -> str:
    """The last finite value of a series in the outcome's display format ("" when there is none)."""
    finite = values[np.isfinite(values)]
    return o.format(float(finite[-1]) / o.scale) if finite.size else ""


def _panel(weekly: pd.DataFrame, names: tuple[str, ...], title: str, horizon: int, x0: float, y0: float,
           marked_week: int | None, change_weeks: tuple[int, ...], bottom_row: bool, lay: Layout) -> list[str]:
    w, h = lay.panel_w - lay.left - lay.right, lay.panel_h - lay.top - lay.bottom
    px, py = x0 + lay.left, y0 + lay.top
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
        ticks = nice_ticks(min(0.0, float(values.min())), float(values.max()), 5 if lay.axis_label else 4)
        low, high = ticks[0], ticks[-1]
    else:
        ticks = [0.0, 0.5, 1.0]
        low, high = 0.0, 1.0

    def sx(week):
        return px + w * np.asarray(week, float) / max(horizon, 1)

    def sy(value):
        return py + h * (1 - (np.asarray(value, float) - low) / (high - low))

    unit = outcome(names[0], weekly=True)
    out = [f'<rect x="{px}" y="{py}" width="{w}" height="{h}" fill="white" stroke="#999"/>',
           _text(x0 + lay.panel_w / 2, y0 + lay.title + 3, title, size=lay.title, extra='font-weight="bold"')]
    if not lay.axis_label:  # the unit, and the latest value of a one-line panel, under the title
        now = f" · now {latest(unit, series[0][2])}" if len(series) == 1 and series[0][2].size else ""
        short = unit.unit.replace(" per week", "/week")
        out.append(_text(x0 + lay.panel_w / 2, y0 + lay.title + lay.tick + 8, f"{short}{now}", size=lay.tick,
                         extra='fill="#333"'))
    for t in ticks:
        y = float(sy(t))
        out.append(f'<line x1="{px}" x2="{px + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(_text(px - 4, y + lay.tick * 0.35, _label(t), anchor="end", size=lay.tick))
    step = (26 if lay.axis_label else 52) if horizon > 60 else 13 if horizon > 20 else 4
    for week in range(0, horizon + 1, step):
        x = float(sx(week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py + h}" y2="{py + h + 4}" stroke="#999"/>')
        if week:  # week 0's label would sit on the value axis' lowest label
            out.append(_text(x, py + h + 4 + lay.tick, str(week), size=lay.tick))
    if bottom_row or not lay.axis_label:
        out.append(_text(px + w / 2, py + h + 6 + 2 * lay.tick, "week", size=lay.tick))
    if lay.axis_label:
        axis = unit.axis_label if len(names) == 1 else unit.unit
        out.append(_text(x0 + lay.tick + 1, py + h / 2, axis, size=lay.tick,
                         extra=f'transform="rotate(-90 {x0 + lay.tick + 1} {py + h / 2})"'))
    for week in change_weeks:
        x = float(sx(week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py}" y2="{py + h}" stroke="grey" stroke-dasharray="2,3"/>')
    for i, (o, weeks, ys) in enumerate(series):
        keep = np.isfinite(ys)
        xs, ys = sx(weeks[keep]), sy(ys[keep])
        if stage:  # steps: hold each week's stage until the next week
            xs, ys = np.repeat(xs, 2)[1:], np.repeat(ys, 2)[:-1]
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
        out.append(f'<polyline fill="none" stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="{lay.tick / 5.5:.1f}" '
                   f'points="{points}"><title>{html.escape(o.label)}</title></polyline>')
        if len(series) > 1:
            row = lay.legend + 3
            box = min(w - 6, 30 + LETTER * lay.legend * max(len(s[0].label) for s in series))
            ly = py + row + row * i
            out.append(f'<rect x="{px + 3}" y="{ly - lay.legend}" width="{box:.0f}" height="{row}" fill="white" '
                       'fill-opacity="0.8"/>')
            out.append(f'<line x1="{px + 6}" x2="{px + 22}" y1="{ly - lay.legend * 0.35:.1f}" '
                       f'y2="{ly - lay.legend * 0.35:.1f}" stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="3"/>')
            out.append(_text(px + 26, ly, o.label, anchor="start", size=lay.legend))
    if marked_week is not None:
        x = float(sx(marked_week))
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py}" y2="{py + h}" stroke="black" stroke-width="2"/>')
        anchor, dx = ("end", -3) if marked_week > horizon / 2 else ("start", 3)
        out.append(_text(x + dx, py + h - 5, f"week {marked_week}", anchor=anchor, size=lay.tick))
    return out


def kpi_svg(weekly: pd.DataFrame, horizon: int, title: str, marked_week: int | None = None,
            change_weeks: tuple[int, ...] = (), layout: Layout = DESK) -> str:
    """The six KPI panels over weeks 0..``horizon`` as one ``<svg>`` element; ``marked_week`` (a clicked
    event) as a solid line, the weeks the trainer moved a lever as dotted lines.  ``title`` is the drawing's
    heading, or only its accessible name when the layout draws no heading."""
    rows = math.ceil(len(KPI_PANELS) / layout.columns)
    top = layout.heading + 15 if layout.heading else 0
    width, height = layout.width, rows * layout.panel_h + top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'style="font-family:DejaVu Sans,Arial,sans-serif" role="img" '
             f'aria-label="{html.escape(title)}">']
    if layout.heading:
        parts.append(_text(width / 2, layout.heading + 5, title, size=layout.heading))
    for i, (names, panel) in enumerate(zip(KPI_PANELS, PANEL_TITLES)):
        row, col = divmod(i, layout.columns)
        parts += _panel(weekly, names, panel, horizon, col * layout.panel_w, top + row * layout.panel_h,
                        marked_week, change_weeks, row == rows - 1, layout)
    parts.append("</svg>")
    return "".join(parts)
