"""The trainers' workshop dashboard: ``alignsim dashboard`` serves this solara page.

Why a solara page and not Mesa's ``SolaraViz``: SolaraViz (mesa 3.5, ``mesa/visualization/solara_viz.py``)
rebuilds the model from keyword arguments whenever a parameter moves, so a lever could not act "from the next
week" of a running company, and our model is built from one validated ``Config``, not from keyword
arguments; it has one page of components without tabs, no way to run two arms side by side, no trainer mode
that hides results, and its sliders carry no unit or tooltip.  The page keeps SolaraViz's controller design
(a threaded play task that steps the model and redraws as it goes) and is built from solara components.

Play: one thread per browser tab (:func:`Player`, a ``use_thread``) steps the model, paced to the speed
control in simulated weeks per second, then bumps one reactive counter (``tick``).  Only the components that
read ``tick`` (the run controls, the open tab's curves and monitors) redraw, synchronously in that same
thread, so there is never more than one redraw per session in flight: weeks that fall due during a slow
redraw run as one batch before the next redraw, and the clock keeps its pace.  The live curves are inline
SVG (:mod:`sim.viz.svgplot`, about a millisecond per redraw) rather than a matplotlib PNG (0.5-5 s); Compare
and Debrief are drawn only while their tab is open.

Tabs: Run (preset, levers, setup/play/pause/step/step-N, speed, monitors, curves, predict-then-reveal),
Compare (two arms on the same seeds and clock, bands and the paired differences of ``sim.compare``),
Debrief (the timeline of events linked to the curves, the alignment stage, the debrief pack download) and
About (the preset's info card).  Each browser tab has its own :class:`~sim.viz.session.Session`.
"""

from __future__ import annotations

import copy
import os
import threading
import time
import traceback

import reacton.core
import solara
import solara.lab

from sim.config import ConfigError
from sim.loading import load_config, scenario_names
from sim.outcomes import outcome
from sim.viz import about
from sim.viz.comparison import arm_names, display_table, run_comparison, talking_points
from sim.viz.components import LeverPanel, MonitorCards, TimelineList
from sim.viz.figures import compare_figure, difference_figure, to_png
from sim.viz.report import render
from sim.viz.session import Session, market_names
from sim.viz.svgplot import kpi_svg
from sim.viz.timeline import timeline

CURRENT = "current levers"
"""The Compare tab's name for the Run tab's settings as one arm."""
PREDICTION = outcome("revenue_total")
"""What the room predicts in predict mode."""
DEFAULT_SPEED = 16
"""Simulated weeks per second while playing (a 3-year run in about 10 s)."""
TABS = ("Run", "Compare", "Debrief", "About")
CSS = ".timeline .v-btn__content { white-space: normal; flex: 1 1 auto; text-align: left; }"
"""The timeline's sentences wrap instead of being cut off."""
DEBUG_PLAY = bool(os.environ.get("ALIGNSIM_DEBUG_PLAY"))
"""Log each play redraw's week and duration to the server's output."""


def _arm(session: Session, name: str):
    """A Compare arm: the current settings, or a preset on the session's market and horizon."""
    if name == CURRENT:
        cfg = copy.deepcopy(session.config)
        cfg.name = f"{session.scenario}_as_set"
        return cfg
    return load_config(name, [f"market={session.market}", f"weeks={session.config.weeks}"])


def _curves(session: Session, view, title: str, marked_week: int | None = None, classes=("kpi-figure",)):
    solara.HTML(tag="div", unsafe_innerHTML=kpi_svg(view.weekly, session.horizon, title, marked_week,
                                                     tuple(c.week for c in view.changes)),
                classes=list(classes))


@solara.component
def Player(session: Session, playing, tick, speed, error):
    """The play loop (renders nothing): while ``playing``, one thread steps the session at ``speed`` weeks
    per second and bumps ``tick`` after each batch; the redraw runs in this thread, so redraws never pile
    up.  Pause (or a reset, which stops play) sets the thread's cancel event; it stops between weeks."""

    render_context = reacton.core.get_render_context()

    def busy() -> bool:
        """Whether a redraw of this page is in flight in another thread (a click's, say).  Asking for one
        then would hand it to that thread's render loop, which would keep rendering, without the browser
        seeing any of it, for as long as play keeps asking: so play skips the redraw and runs on."""
        lock = getattr(render_context, "thread_lock", None)
        return lock is not None and lock.locked()

    def play(cancel: threading.Event):
        if not playing.value:
            return
        generation, pace = session.generation, speed.value
        start, first = time.perf_counter(), session.week
        while not cancel.is_set() and session.generation == generation:
            if speed.value != pace:  # the speed moved: keep the week, restart the clock at the new pace
                generation, pace, start, first = session.generation, speed.value, time.perf_counter(), session.week
            due = first + int((time.perf_counter() - start) * pace) + 1
            try:
                session.advance(due - session.week, generation)
            except Exception as err:  # shown on the page rather than lost in the thread
                traceback.print_exc()
                error.set(f"Play stopped at week {session.week}: {err}")
                playing.set(False)
                return
            elapsed = time.perf_counter() - start
            session.rate = (session.week - first) / elapsed if elapsed > 0.5 else float(pace)
            t_draw = time.perf_counter()
            skipped = busy() and not session.finished
            if not skipped:
                try:
                    tick.set(tick.value + 1)  # the redraw: synchronous, in this thread
                except Exception:  # a failed redraw is shown by solara; the clock goes on
                    traceback.print_exc()
            if DEBUG_PLAY:
                print(f"play: week {session.week} " + ("skipped (redraw in flight)" if skipped else
                      f"drawn in {time.perf_counter() - t_draw:.3f} s"), flush=True)
            if session.finished:
                playing.set(False)
                return
            cancel.wait(max(0.0, start + (session.week + 1 - first) / pace - time.perf_counter()))

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)


@solara.component
def RunControls(session: Session, tick, playing, speed, step_n, message, error):
    """Play / pause / step / step-N / reset, the speed, the clock and the messages (redrawn every tick)."""
    _ = tick.value  # redraw with the clock

    def refresh():
        tick.set(tick.value + 1)

    def toggle_play():
        if not playing.value and session.finished:
            error.set(f"The run is over (week {session.week} of {session.horizon}): press Reset or Setup.")
            return
        message.set("")
        error.set("")
        session.rate = 0.0
        playing.set(not playing.value)

    def reset():
        was_playing = playing.value
        playing.set(False)
        week = session.week
        session.reset()
        session.rate = 0.0
        error.set("")
        message.set(f"Reset at week {week}{' (play stopped)' if was_playing else ''}: a fresh run from the "
                    "current settings and the same seed.")
        refresh()

    def step(weeks: int):
        if session.finished:
            error.set(f"The run is over (week {session.week} of {session.horizon}): press Reset or Setup.")
            return
        session.advance(weeks)
        refresh()

    with solara.Row():
        solara.Button("Pause" if playing.value else "Play", color="primary", on_click=toggle_play,
                      disabled=session.finished and not playing.value)
        solara.Button("Step", on_click=lambda: step(1), disabled=playing.value)
        solara.Button(f"Step {step_n.value}", on_click=lambda: step(step_n.value), disabled=playing.value)
        solara.Button("Reset", color="error", on_click=reset)
    solara.SliderInt("Weeks per step-N", value=step_n, min=2, max=52, thumb_label="always")
    solara.SliderInt("Speed: simulated weeks per second", value=speed, min=1, max=52, thumb_label="always")
    status = f"Week {session.week} of {session.horizon}"
    if playing.value and getattr(session, "rate", 0.0):
        status += f" · {session.rate:.1f} weeks/s"
    solara.Text(status, classes=["week-status"])
    if message.value:
        solara.Success(message.value)
    if error.value:
        solara.Error(error.value)
    if session.pending:
        solara.Warning("Waiting for Reset: " + ", ".join(f"{k} = {v}" for k, v in session.pending.items()))


@solara.component
def RunTab(session: Session, tick, predict, revealed, prediction):
    """Monitors and curves, or in predict mode the room's prediction until the trainer reveals."""
    _ = tick.value  # redraw every batch of play
    hidden = predict.value and not revealed.value
    with solara.Row(style={"align-items": "center"}):
        solara.Switch(label="Predict, then reveal (hides results)", value=predict, on_value=predict.set)
        if predict.value:
            solara.SliderFloat(label=f"Room's prediction: {PREDICTION.label} ({PREDICTION.unit})",
                               value=prediction, min=0.0, max=100.0, step=0.5, on_value=prediction.set,
                               thumb_label="always")
            solara.Button("Reveal" if hidden else "Hide again", color="warning",
                          on_click=lambda: revealed.set(not revealed.value))
    if hidden:
        solara.Info(f"Results hidden until the trainer reveals them. Week {session.week} of {session.horizon}. "
                    f"The room predicts {PREDICTION.label.lower()} of {prediction.value:g} {PREDICTION.unit}.")
        return
    view = session.view()
    if predict.value and view.week:
        actual = PREDICTION.format(view.revenue_total)
        solara.Success(f"The room predicted {prediction.value:g} {PREDICTION.unit}; the model gives {actual} "
                       f"{PREDICTION.unit} after {view.week} weeks.")
    MonitorCards(view.monitors)
    _curves(session, view, f"{session.scenario} on the {session.market} market, seed {session.seed}: "
                           f"week {view.week} of {session.horizon}")


@solara.component
def CompareTab(session: Session, result):
    """Two arms on the same seeds and clock: bands over replicates and the paired differences (the result
    is kept by the page, so it survives a visit to another tab)."""
    baseline = solara.use_reactive(CURRENT)
    other = solara.use_reactive("full_alignment")
    replicates = solara.use_reactive(5)
    error = solara.use_reactive("")

    def compare():
        error.set("")
        try:
            result.set((run_comparison(_arm(session, baseline.value), _arm(session, other.value),
                                       replicates.value, seed=session.seed), replicates.value))
        except ConfigError as err:
            error.set(str(err))

    task = solara.lab.use_task(compare, dependencies=None, prefer_threaded=True)

    with solara.Row(style={"align-items": "center"}):
        solara.Select("Baseline arm", values=[CURRENT, *scenario_names()], value=baseline)
        solara.Select("Other arm", values=[CURRENT, *scenario_names()], value=other)
        with solara.Column(style={"min-width": "280px"}):  # in a row of selects the slider was squashed to a dot
            solara.SliderInt("Paired replicates", value=replicates, min=2, max=20, thumb_label="always")
        solara.Button("Run comparison", color="primary", on_click=task, disabled=task.pending)
    if task.pending:
        solara.ProgressLinear(True)
        solara.Info(f"Running {2 * replicates.value} runs of {session.config.weeks} weeks on the same seeds ...")
    if error.value:
        solara.Error(error.value)
    if result.value is None:
        solara.Info("Pick two arms (the current levers or any preset) and run the comparison: both arms run on "
                    "the same seeds, market and horizon, with 95 % bands over replicates.")
        return
    cmp, n = result.value
    CompareResult(cmp, n, session.seed)


@solara.component
def CompareResult(cmp, replicates: int, seed: int):
    a, b = arm_names(cmp)
    images = solara.use_memo(lambda: (to_png(compare_figure(cmp.weekly, (a, b), f"{a} vs {b}: mean and 95 % band "
                                                                              f"over {replicates} paired replicates")),
                                      to_png(difference_figure(cmp.table, a, b))), [id(cmp)])
    solara.Image(images[0], classes=["compare-figure"])
    solara.DataFrame(display_table(cmp), items_per_page=20)
    solara.Markdown("\n".join(f"- {p}" for p in talking_points(cmp)))
    solara.Image(images[1])
    solara.FileDownload(lambda: render(cmp, {a: "", b: ""}, f"dashboard comparison, seed {seed}"),
                        filename=f"debrief_{a}_vs_{b}.html", label="Download this comparison as a debrief pack",
                        mime_type="text/html")


@solara.component
def DebriefTab(session: Session, tick, hidden: bool):
    """What happened and why: the timeline, linked to the curves, and the alignment stage as it moved."""
    _ = tick.value  # follow play while this tab is open
    marked = solara.use_reactive(None)
    hide_meetings = solara.use_reactive(True)
    if hidden:
        solara.Info("Predict mode: the timeline and curves stay hidden until the trainer reveals them on the "
                    "Run tab.")
        return
    view = session.view(events=True)
    story = timeline(view.events, view.weekly, view.changes)
    if hide_meetings.value:
        story = story[story["kind"] != "meeting"]
    with solara.Columns([4, 8]):
        with solara.Column():
            solara.Markdown(f"### What happened and why ({len(story)} events)")
            solara.Checkbox(label="Hide routine joint meetings", value=hide_meetings)
            TimelineList(story, marked.value, marked.set)
        with solara.Column():
            title = (f"week {marked.value} marked" if marked.value is not None
                     else "click an event to mark its week")
            _curves(session, view, f"{session.scenario}: {title}", marked.value, ("debrief-figure",))
            solara.Markdown("The debrief pack of a comparison is on the Compare tab; from a terminal: "
                            f"`alignsim report scenario={session.scenario} compare_with=full_alignment`.")


@solara.component
def AboutTab(session: Session):
    """The info card of the current scenario and market presets."""
    for preset in (session.scenario, session.market):
        try:
            solara.Markdown(about.card(preset))
        except FileNotFoundError as err:
            solara.Error(str(err))


@solara.component
def Page():
    """The dashboard: a sidebar with preset, run controls and levers, and four tabs (only the open one is
    drawn).  The page itself does not read the play counter, so play redraws only what shows the clock."""
    session = solara.use_memo(Session, [])
    tick = solara.use_reactive(0)
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    step_n = solara.use_reactive(13)
    message = solara.use_reactive("")
    error = solara.use_reactive("")
    predict = solara.use_reactive(False)
    revealed = solara.use_reactive(False)
    prediction = solara.use_reactive(30.0)
    scenario = solara.use_reactive(session.scenario)
    market = solara.use_reactive(session.market)
    tab = solara.use_reactive(0)
    compared = solara.use_reactive(None)

    def say(text: str):
        message.set(text)
        error.set("")
        version.set(version.value + 1)

    def refuse(text: str):
        error.set(text)
        version.set(version.value + 1)

    def setup():
        playing.set(False)
        try:
            session.load(scenario.value, market.value)
        except ConfigError as err:
            refuse(str(err))
            return
        revealed.set(False)
        say(f"Set up {scenario.value} on the {market.value} market: week 0 of {session.horizon}.")
        tick.set(tick.value + 1)

    Player(session, playing, tick, speed, error)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("alignsim workshop")
    with solara.Sidebar():
        with solara.Card("Preset"):
            solara.Select("Scenario", values=scenario_names(), value=scenario)
            solara.Select("Market", values=market_names(), value=market)
            solara.Button("Setup", color="primary", on_click=setup)
        with solara.Card("Run"):
            RunControls(session, tick, playing, speed, step_n, message, error)
        LeverPanel(session, version.value, say, refuse)
    with solara.lab.Tabs(value=tab, lazy=True):
        for name in TABS:
            with solara.lab.Tab(name):
                if TABS[tab.value] != name:
                    continue
                if name == "Run":
                    RunTab(session, tick, predict, revealed, prediction)
                elif name == "Compare":
                    CompareTab(session, compared)
                elif name == "Debrief":
                    DebriefTab(session, tick, predict.value and not revealed.value)
                else:
                    AboutTab(session)
