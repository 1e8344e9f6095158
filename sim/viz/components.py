"""Solara components of the dashboard: lever controls, the monitors, the event timeline.

Each component reads and writes a :class:`~sim.viz.session.Session` and reports back through ``on_message``
(what happened, in words) and ``on_error`` (a refused value, with the allowed range); none of them raises
into the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from sim.config import ConfigError
from sim.viz.levers import Lever, levers
from sim.viz.monitors import Monitor
from sim.viz.session import Session


def caption(item: Lever) -> str:
    """The line under a lever: its unit and range, and "applies on reset" for structural settings."""
    when = "applies on reset" if not item.live else "applies from the next week"
    return f"{item.range_text} · {when}"


@solara.component
def LeverControl(session: Session, item: Lever, version: int, on_message: Callable[[str], None],
                 on_error: Callable[[str], None]):
    """One lever: a switch, a choice, or a slider with a number box (the box accepts any typed value and
    explains a refused one)."""
    value = session.value(item.path)

    def change(new):
        if new == value:
            return
        if new is None:
            on_error(f"{item.label}: type a number ({item.range_text})")
            return
        try:
            on_message(session.set_lever(item.path, new))
        except ConfigError as err:
            on_error(str(err))

    label = item.label + ("" if item.live else " (applies on reset)")
    # the name on its own line, the control under it, the caption last: no floating label pokes into the lever
    # above it (they overlapped the caption of the previous lever at 1400 and 1920 px)
    with solara.Tooltip(item.tooltip):
        with solara.Column(gap="0px", classes=["lever", f"lever-{item.name}"]):
            if item.kind == "bool":
                solara.Switch(label=label, value=bool(value), on_value=change)
            else:
                solara.Text(label, classes=["lever-label"])
                if item.kind == "choice":
                    solara.Select(label="", values=list(item.choices), value=value, on_value=change, dense=True)
                else:
                    slider = solara.SliderInt if item.kind == "int" else solara.SliderFloat
                    number = solara.InputInt if item.kind == "int" else solara.InputFloat
                    with solara.Row(gap="10px", style={"align-items": "center"}):
                        with solara.Column(style={"flex": "1 1 auto"}):
                            slider(label="", value=min(value, item.slider_high), min=item.low, max=item.slider_high,
                                   step=item.step, on_value=change, thumb_label=False)
                        number(label="", value=value, on_value=change, optional=True, dense=True,
                               style={"max-width": "110px"}, classes=["lever-number"])
            solara.Text(caption(item), classes=["lever-caption"])


@solara.component
def LeverPanel(session: Session, version: int, on_message, on_error):
    """Every policy lever, then the structural settings (marked "applies on reset")."""
    policy = [x for x in levers() if x.section == "policy"]
    structural = [x for x in levers() if x.section != "policy"]
    with solara.Details("Policy levers", expand=True):
        for item in policy:
            LeverControl(session, item, version, on_message, on_error)
    with solara.Details("Structure (applies on reset)", expand=False):
        for item in structural:
            LeverControl(session, item, version, on_message, on_error)


def prose_html(markdown_text: str) -> str:
    """Markdown as HTML, rendered here on the server (python-markdown, with tables)."""
    import markdown

    return markdown.markdown(markdown_text, extensions=["tables"])


@solara.component
def Prose(markdown_text: str):
    """Markdown text as plain HTML.  Not ``solara.Markdown``: its front end loads KaTeX from
    ``/_solara/cdn/katex@0.16.9/`` to typeset maths on every render, which solara-assets 1.58.2 does not ship, so an
    offline room's browser showed two 404s and a require.js "Script error" for each Markdown block; no text here
    has maths."""
    solara.HTML(tag="div", unsafe_innerHTML=prose_html(markdown_text), classes=["prose"])


@solara.component
def MonitorCards(items: list[Monitor]):
    """The monitors, grouped (money, customers, pipeline, trust, alignment), as compact cards."""
    groups: dict[str, list[Monitor]] = {}
    for m in items:
        groups.setdefault(m.group, []).append(m)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "stretch", "gap": "8px"}):
        for group, members in groups.items():
            rows = "".join(f"<tr><td>{html.escape(m.label)}</td><td style='text-align:right;padding-left:10px'>"
                           f"<b>{html.escape(m.text)}</b></td><td style='color:#555;padding-left:5px'>"
                           f"{html.escape(m.unit)}</td></tr>" for m in members)
            solara.HTML(tag="div", unsafe_innerHTML=f"<div style='font-weight:bold;margin-bottom:2px'>"
                        f"{html.escape(group)}</div><table style='font-size:0.85em'>{rows}</table>",
                        classes=["monitor"], style={"border": "1px solid #ddd", "border-radius": "6px",
                                                    "padding": "6px 10px", "background": "white"})


@solara.component
def TimelineList(story, marked_week: int | None, on_mark: Callable[[int], None], limit: int = 200):
    """The run's events as sentences; clicking one marks its week on the curves."""
    if story.empty:
        solara.Info("No events yet: play the run; blame, fixes, vetoes and hires appear here week by week.")
        return
    with solara.Column(gap="2px", style={"max-height": "560px", "overflow-y": "auto"}, classes=["timeline"]):
        for row in story.tail(limit).itertuples():
            solara.Button(row.text, text=True, on_click=lambda w=row.week: on_mark(w),
                          color="primary" if row.week == marked_week else None,
                          style={"text-transform": "none", "justify-content": "flex-start", "height": "auto",
                                 "white-space": "normal", "text-align": "left", "padding": "4px 8px",
                                 "letter-spacing": "normal", "font-weight": "normal"})
