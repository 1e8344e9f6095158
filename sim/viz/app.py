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
import html
import os
import threading
import time
import traceback
from urllib.parse import parse_qs

import reacton.core
import solara
import solara.lab

from sim.config import ConfigError
from sim.loading import load_config, scenario_names
from sim.outcomes import outcome
from sim.viz import about
from sim.viz.comparison import arm_names, display_table, run_comparison, talking_points
from sim.viz.components import LeverPanel, MonitorCards, Prose, TimelineList
from sim.viz.figures import DESK_DPI, PRESENTER_DPI, compare_figure, difference_figure, to_png
from sim.viz.presets import from_title, title
from sim.viz.report import render
from sim.viz.session import Session, market_names
from sim.viz.svgplot import DEBRIEF, DESK, PRESENTER, PRESENTER_DEBRIEF, kpi_svg
from sim.viz.timeline import timeline

CURRENT = "current levers"
"""The Compare tab's name for the Run tab's settings as one arm."""
PREDICTION = outcome("revenue_total")
"""What the room predicts in predict mode."""
DEFAULT_SPEED = 16
"""Simulated weeks per second while playing (a 3-year run in about 10 s)."""
TABS = ("Run", "Compare", "Debrief", "About")
CSS = """
.timeline .v-btn__content { white-space: normal; flex: 1 1 auto; text-align: left; }
.lever { margin-top: 12px; }
.lever .v-input { margin-top: 0; padding-top: 0; }
.lever .v-input__slot { margin-bottom: 0; }
.lever .v-text-field__details, .lever .v-messages { display: none; }
.lever-label { line-height: 1.3; }
.lever-caption { font-size: 0.8rem; color: #555; line-height: 1.3; margin-top: 2px; }
.compare-figure img, img.compare-figure { max-width: 100%; height: auto; }
.compare-table { border-collapse: collapse; margin: 8px 0; }
.compare-table th, .compare-table td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
.compare-table th { background: #f5f5f5; }
"""
"""The timeline's sentences wrap instead of being cut off; each lever's caption keeps clear of the next lever's
label; the comparison's figures fit the page."""
PRESENTER_QUERY = "presenter"
"""URL parameter that opens the page in presenter mode (``http://127.0.0.1:8765/?presenter=1``)."""
PRESENTER_TEXT_PX = 20
"""Font size of every text of the page in presenter mode, in CSS px (the rule is >= 18 px on a projector)."""
PRESENTER_CSS = f"""
html {{ font-size: {PRESENTER_TEXT_PX}px !important; }}
.v-application .v-label, .v-application input, .v-application .v-select__selection, .v-application .v-input,
.v-application .v-alert, .v-application .v-tab, .v-application .v-btn, .v-application .v-list-item__title,
.v-application .v-list-item__content, .v-application .v-expansion-panel-header, .v-application .v-messages,
.v-application .v-card__title, .v-application .v-toolbar__title, .lever-caption, .monitor, .monitor table,
.week-status, .debrief-note, .prose, .prose p, .prose li, .prose code, .prose td, .prose th, .compare-table,
.timeline .v-btn {{
    font-size: {PRESENTER_TEXT_PX}px !important; }}
.v-application .v-text-field {{ padding-top: 30px !important; }}
.v-application .v-label--active {{ transform: translateY(-31px) scale(1) !important; }}
.v-application .prose h1, .v-application .prose h2 {{ font-size: 28px !important; }}
.v-application .prose h3 {{ font-size: 24px !important; }}
.lever-caption {{ color: #333; }}
.v-navigation-drawer {{ min-width: 440px !important; }}
.run-bar {{ flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-bottom: 4px; }}
.run-bar .v-input {{ margin-top: 0; padding-top: 0; }}
.v-application .v-tabs {{ margin-top: 0; }}
.v-application .v-tabs .v-tabs-bar {{ height: 42px; }}
"""
"""Presenter mode: every text of the page at :data:`PRESENTER_TEXT_PX`, floating labels unscaled, a wider drawer
for the levers, the run controls in one bar above the tabs."""
presenter_on = solara.reactive(False)
"""Presenter mode (one per browser tab: solara keeps a reactive variable per session)."""


def wants_presenter(search: str | None) -> bool:
    """Whether the page's query string asks for presenter mode (``presenter=1``, ``true``, ``on`` or ``yes``)."""
    values = parse_qs(search or "").get(PRESENTER_QUERY, [])
    return any(v.lower() in ("1", "true", "on", "yes", "") for v in values) or (search or "") == PRESENTER_QUERY


@solara.component
def Layout(children=()):
    """Solara's AppLayout, with the sidebar (presets and levers) folded away in presenter mode: the curves get
    the projector's whole width, the run controls sit above the tabs, and the menu button opens the levers."""
    return solara.AppLayout(children=list(children), sidebar_open=not presenter_on.value)
DEBUG_PLAY = bool(os.environ.get("ALIGNSIM_DEBUG_PLAY"))
"""Log each play redraw's week and duration to the server's output."""


def _arm(session: Session, name: str):
    """A Compare arm: the current settings, or a preset on the session's market and horizon."""
    if name == CURRENT:
        cfg = copy.deepcopy(session.config)
        cfg.name = f"{session.scenario}_as_set"
        return cfg
    return load_config(name, [f"market={session.market}", f"weeks={session.config.weeks}"])


def _curves(session: Session, view, heading: str, marked_week: int | None = None, classes=("kpi-figure",),
            layout=DESK):
    solara.HTML(tag="div", unsafe_innerHTML=kpi_svg(view.weekly, session.horizon, heading, marked_week,
                                                     tuple(c.week for c in view.changes), layout),
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
def RunControls(session: Session, tick, playing, speed, step_n, message, error, bar: bool = False):
    """Play / pause / step / step-N / reset, the speed, the clock and the messages (redrawn every tick); ``bar``:
    in one wrapping row above the tabs (presenter mode), the step-N slider left in the drawer."""
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

    status = f"Week {session.week} of {session.horizon}"
    if playing.value and getattr(session, "rate", 0.0):
        status += f" · {session.rate:.1f} weeks/s"
    # each slider says its value in its label: a thumb label would sit over the buttons above it
    speed_label = f"Speed: {speed.value} weeks/s"
    with solara.Row(classes=["run-bar"] if bar else []):
        solara.Button("Pause" if playing.value else "Play", color="primary", on_click=toggle_play,
                      disabled=session.finished and not playing.value)
        solara.Button("Step", on_click=lambda: step(1), disabled=playing.value)
        solara.Button(f"Step {step_n.value}", on_click=lambda: step(step_n.value), disabled=playing.value)
        solara.Button("Reset", color="error", on_click=reset)
        if bar:
            solara.Text(status, classes=["week-status"], style={"font-weight": "bold", "min-width": "190px"})
            with solara.Column(style={"min-width": "330px", "flex": "1 1 330px"}):
                solara.SliderInt(speed_label, value=speed, min=1, max=52, thumb_label=False)
    if not bar:
        solara.SliderInt(f"Weeks per step-N: {step_n.value}", value=step_n, min=2, max=52, thumb_label=False)
        solara.SliderInt(speed_label, value=speed, min=1, max=52, thumb_label=False)
        solara.Text(status, classes=["week-status"])
    if message.value:
        solara.Success(message.value)
    if error.value:
        solara.Error(error.value)
    if session.pending:
        solara.Warning("Waiting for Reset: " + ", ".join(f"{k} = {v}" for k, v in session.pending.items()))


@solara.component
def PredictControls(predict, revealed, prediction):
    """The predict-then-reveal switch, the room's prediction (its value in its label) and Reveal."""
    hidden = predict.value and not revealed.value
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Switch(label="Predict, then reveal (hides results)", value=predict, on_value=predict.set)
        if predict.value:
            with solara.Column(style={"min-width": "420px", "flex": "1 1 420px"}):
                solara.SliderFloat(label=f"Room's prediction: {prediction.value:g} {PREDICTION.unit}",
                                   value=prediction, min=0.0, max=100.0, step=0.5, on_value=prediction.set,
                                   thumb_label=False)
            solara.Button("Reveal" if hidden else "Hide again", color="warning",
                          on_click=lambda: revealed.set(not revealed.value))


@solara.component
def RunTab(session: Session, tick, predict, revealed, prediction, presenter: bool = False):
    """Curves, then the monitors, or in predict mode the room's prediction until the trainer reveals: the curves
    come first so that they are on a 1280x720 screen's first page.  In presenter mode they fill that page (each
    panel with its latest value) and the predict controls move under them."""
    _ = tick.value  # redraw every batch of play
    hidden = predict.value and not revealed.value
    if not presenter or hidden:
        PredictControls(predict, revealed, prediction)
    if hidden:
        solara.Info(f"Results hidden until the trainer reveals them. Week {session.week} of {session.horizon}. "
                    f"The room predicts {PREDICTION.label.lower()} of {prediction.value:g} {PREDICTION.unit}.")
        return
    view = session.view()
    if predict.value and view.week:
        actual = PREDICTION.format(view.revenue_total)
        solara.Success(f"The room predicted {prediction.value:g} {PREDICTION.unit}; the model gives {actual} "
                       f"{PREDICTION.unit} after {view.week} weeks.")
    heading = (f"{title(session.scenario)} on the {title(session.market)} market, seed {session.seed}: "
               f"week {view.week} of {session.horizon}")
    _curves(session, view, heading, layout=PRESENTER if presenter else DESK)
    if presenter:
        PredictControls(predict, revealed, prediction)
    MonitorCards(view.monitors)


def _preset_select(label: str, names: list[str], value):
    """A menu of presets shown by their names in words (:func:`sim.viz.presets.title`); ``value`` keeps the name."""
    solara.Select(label, values=[title(n) for n in names], value=title(value.value),
                  on_value=lambda text: value.set(from_title(text, names)))


@solara.component
def CompareTab(session: Session, result, presenter: bool = False):
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

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        arms = [CURRENT, *scenario_names()]
        with solara.Column(style={"min-width": "260px", "flex": "1 1 260px"}):
            _preset_select("Baseline arm", arms, baseline)
        with solara.Column(style={"min-width": "260px", "flex": "1 1 260px"}):
            _preset_select("Other arm", arms, other)
        with solara.Column(style={"min-width": "320px", "flex": "1 1 320px"}):  # a slider in a row needs a width
            solara.SliderInt(f"Paired replicates: {replicates.value}", value=replicates, min=2, max=20,
                             thumb_label=False)
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
    CompareResult(cmp, n, session.seed, presenter)


def table_html(frame) -> str:
    """A table as HTML with its columns only (no pandas index column), every cell escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table class='compare-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@solara.component
def CompareResult(cmp, replicates: int, seed: int, presenter: bool = False):
    a, b = arm_names(cmp)
    dpi = PRESENTER_DPI if presenter else DESK_DPI
    heading = f"{title(a)} vs {title(b)}: mean and 95 % band over {replicates} paired replicates"
    images = solara.use_memo(lambda: (to_png(compare_figure(cmp.weekly, (a, b), heading, title), dpi),
                                      to_png(difference_figure(cmp.table, a, b, title), dpi)), [id(cmp), dpi])
    solara.Image(images[0], classes=["compare-figure"])
    solara.HTML(tag="div", unsafe_innerHTML=table_html(display_table(cmp, title)), style={"overflow-x": "auto"})
    Prose("\n".join(f"- {html.escape(p)}" for p in talking_points(cmp, title)))
    solara.Image(images[1], classes=["compare-figure"])
    solara.FileDownload(lambda: render(cmp, {a: "", b: ""}, f"dashboard comparison, seed {seed}"),
                        filename=f"debrief_{a}_vs_{b}.html", label="Download this comparison as a debrief pack",
                        mime_type="text/html")


@solara.component
def DebriefTab(session: Session, tick, hidden: bool, presenter: bool = False):
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
            Prose(f"### What happened and why ({len(story)} events)")
            solara.Checkbox(label="Hide routine joint meetings", value=hide_meetings)
            TimelineList(story, marked.value, marked.set)
        with solara.Column():
            note = (f"week {marked.value} marked" if marked.value is not None
                    else "click an event to mark its week")
            if presenter:
                solara.Text(note, classes=["debrief-note"])
            _curves(session, view, f"{title(session.scenario)}: {note}", marked.value, ("debrief-figure",),
                    PRESENTER_DEBRIEF if presenter else DEBRIEF)
            Prose("The debrief pack of a comparison is on the Compare tab; from a terminal: "
                            f"`alignsim report scenario={session.scenario} compare_with=full_alignment`.")


@solara.component
def AboutTab(session: Session):
    """The info card of the current scenario and market presets."""
    for preset in (session.scenario, session.market):
        try:
            Prose(about.card(preset))
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
    router = solara.use_router()
    presenter = presenter_on.value

    def from_url():
        if wants_presenter(router.search):
            presenter_on.set(True)

    solara.use_effect(from_url, [])

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
        say(f"Set up {title(scenario.value)} on the {title(market.value)} market: week 0 of {session.horizon}.")
        tick.set(tick.value + 1)

    Player(session, playing, tick, speed, error)
    solara.Style(CSS + (PRESENTER_CSS if presenter else ""))
    with solara.AppBar():
        solara.AppBarTitle("alignsim workshop")
        solara.Switch(label="Presenter mode", value=presenter_on, classes=["presenter-switch"],
                      style={"margin-top": "20px"})
    with solara.Sidebar():
        with solara.Card("Preset"):
            _preset_select("Scenario", scenario_names(), scenario)
            _preset_select("Market", market_names(), market)
            solara.Button("Setup", color="primary", on_click=setup)
        with solara.Card("Run"):
            if presenter:
                solara.SliderInt(f"Weeks per step-N: {step_n.value}", value=step_n, min=2, max=52,
                                 thumb_label=False)
            else:
                RunControls(session, tick, playing, speed, step_n, message, error)
        LeverPanel(session, version.value, say, refuse)
    if presenter:
        RunControls(session, tick, playing, speed, step_n, message, error, bar=True)
    with solara.lab.Tabs(value=tab, lazy=True):
        for name in TABS:
            with solara.lab.Tab(name):
                if TABS[tab.value] != name:
                    continue
                if name == "Run":
                    RunTab(session, tick, predict, revealed, prediction, presenter)
                elif name == "Compare":
                    CompareTab(session, compared, presenter)
                elif name == "Debrief":
                    DebriefTab(session, tick, predict.value and not revealed.value, presenter)
                else:
                    AboutTab(session)
