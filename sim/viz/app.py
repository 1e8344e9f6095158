"""The trainers' workshop dashboard: ``alignsim dashboard`` serves this solara page.

Why a solara page and not Mesa's ``SolaraViz``: SolaraViz (mesa 3.5, ``mesa/visualization/solara_viz.py``)
rebuilds the model from keyword arguments whenever a parameter moves, so a lever could not act "from the next
week" of a running company, and our model is built from one validated ``Config``, not from keyword
arguments; it has one page of components without tabs, no way to run two arms side by side, no trainer mode
that hides results, and its sliders carry no unit or tooltip.  The page keeps SolaraViz's controller design
(a threaded play task that steps the model and redraws every ``render_interval`` steps, here "weeks per
refresh") and is built from solara components, with matplotlib figures shared with the debrief pack.

Tabs: Run (preset, levers, setup/play/pause/step/step-N, speed, monitors, curves, predict-then-reveal),
Compare (two arms on the same seeds and clock, bands and the paired differences of ``sim.compare``),
Debrief (the timeline of events linked to the curves, the alignment stage, the debrief pack download) and
About (the preset's info card).  Each browser tab has its own :class:`~sim.viz.session.Session`.
"""

from __future__ import annotations

import copy
import time
import traceback

import solara
import solara.lab

from sim.config import ConfigError
from sim.loading import load_config, scenario_names
from sim.outcomes import outcome
from sim.viz import about
from sim.viz.comparison import arm_names, display_table, run_comparison, talking_points
from sim.viz.components import LeverPanel, MonitorCards, TimelineList
from sim.viz.figures import compare_figure, difference_figure, kpi_figure, to_png
from sim.viz.monitors import monitors
from sim.viz.report import render
from sim.viz.session import Session, market_names
from sim.viz.timeline import timeline

CURRENT = "current levers"
"""The Compare tab's name for the Run tab's settings as one arm."""
PREDICTION = outcome("revenue_total")
"""What the room predicts in predict mode."""


def _arm(session: Session, name: str):
    """A Compare arm: the current settings, or a preset on the session's market and horizon."""
    if name == CURRENT:
        cfg = copy.deepcopy(session.config)
        cfg.name = f"{session.scenario}_as_set"
        return cfg
    return load_config(name, [f"market={session.market}", f"weeks={session.config.weeks}"])


@solara.component
def RunTab(session: Session, tick: int, predict, revealed, prediction, playing, rate):
    """Monitors and curves, or in predict mode the room's prediction until the trainer reveals."""
    hidden = predict.value and not revealed.value
    with solara.Row(style={"align-items": "center"}):
        solara.Switch(label="Predict, then reveal (hides results)", value=predict, on_value=predict.set)
        if predict.value:
            solara.SliderFloat(label=f"Room's prediction: {PREDICTION.label} ({PREDICTION.unit})",
                               value=prediction, min=0.0, max=100.0, step=0.5, on_value=prediction.set)
            solara.Button("Reveal" if hidden else "Hide again", color="warning",
                          on_click=lambda: revealed.set(not revealed.value))
    summary = session.model.summary() if session.week else None
    if hidden:
        solara.Info(f"Results hidden until the trainer reveals them. Week {session.week} of {session.horizon}. "
                    f"The room predicts {PREDICTION.label.lower()} of {prediction.value:g} {PREDICTION.unit}.")
        return
    if predict.value and summary is not None:
        actual = PREDICTION.format(float(summary["revenue_total"]))
        solara.Success(f"The room predicted {prediction.value:g} {PREDICTION.unit}; the model gives {actual} "
                       f"{PREDICTION.unit} after {session.week} weeks.")
    MonitorCards(monitors(session.model))
    weekly = session.weekly()
    figure = kpi_figure(weekly, session.horizon, f"{session.scenario} on the {session.market} market, "
                        f"seed {session.seed}: week {session.week} of {session.horizon}",
                        change_weeks=tuple(c.week for c in session.changes))
    solara.Image(to_png(figure), classes=["kpi-figure"])


@solara.component
def CompareTab(session: Session):
    """Two arms on the same seeds and clock: bands over replicates and the paired differences."""
    baseline = solara.use_reactive(CURRENT)
    other = solara.use_reactive("full_alignment")
    replicates = solara.use_reactive(5)
    result = solara.use_reactive(None)
    error = solara.use_reactive("")

    @solara.lab.task(prefer_threaded=True)
    def compare():
        error.set("")
        try:
            result.set(run_comparison(_arm(session, baseline.value), _arm(session, other.value),
                                      replicates.value, seed=session.seed))
        except ConfigError as err:
            error.set(str(err))

    with solara.Row(style={"align-items": "center"}):
        solara.Select("Baseline arm", values=[CURRENT, *scenario_names()], value=baseline)
        solara.Select("Other arm", values=[CURRENT, *scenario_names()], value=other)
        solara.SliderInt("Paired replicates", value=replicates, min=2, max=20)
        solara.Button("Run comparison", color="primary", on_click=compare, disabled=compare.pending)
    if compare.pending:
        solara.ProgressLinear(True)
        solara.Info(f"Running {2 * replicates.value} runs of {session.config.weeks} weeks on the same seeds ...")
    if error.value:
        solara.Error(error.value)
    cmp = result.value
    if cmp is None:
        solara.Info("Pick two arms (the current levers or any preset) and run the comparison: both arms run on "
                    "the same seeds, market and horizon, with 95 % bands over replicates.")
        return
    a, b = arm_names(cmp)
    solara.Image(to_png(compare_figure(cmp.weekly, (a, b), f"{a} vs {b}: mean and 95 % band over "
                                                         f"{replicates.value} paired replicates")))
    solara.DataFrame(display_table(cmp), items_per_page=20)
    solara.Markdown("\n".join(f"- {p}" for p in talking_points(cmp)))
    solara.Image(to_png(difference_figure(cmp.table, a, b)))
    solara.FileDownload(lambda: render(cmp, {a: "", b: ""}, f"dashboard comparison, seed {session.seed}"),
                        filename=f"debrief_{a}_vs_{b}.html", label="Download this comparison as a debrief pack",
                        mime_type="text/html")


@solara.component
def DebriefTab(session: Session, tick: int):
    """What happened and why: the timeline, linked to the curves, and the alignment stage as it moved."""
    marked = solara.use_reactive(None)
    hide_meetings = solara.use_reactive(True)
    story = timeline(session.events(), session.weekly(), session.changes)
    if hide_meetings.value:
        story = story[story["kind"] != "meeting"]
    with solara.Columns([5, 7]):
        with solara.Column():
            solara.Markdown(f"### What happened and why ({len(story)} events)")
            solara.Checkbox(label="Hide routine joint meetings", value=hide_meetings)
            TimelineList(story, marked.value, marked.set)
        with solara.Column():
            title = (f"week {marked.value} marked" if marked.value is not None
                     else "click an event to mark its week")
            solara.Image(to_png(kpi_figure(session.weekly(), session.horizon, f"{session.scenario}: {title}",
                                           marked_week=marked.value,
                                           change_weeks=tuple(c.week for c in session.changes))),
                         classes=["debrief-figure"])
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
    """The dashboard: a sidebar with preset, run controls and levers, and four tabs."""
    session = solara.use_memo(Session, [])
    tick = solara.use_reactive(0)
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    weeks_per_refresh = solara.use_reactive(8)
    step_n = solara.use_reactive(13)
    message = solara.use_reactive("")
    error = solara.use_reactive("")
    rate = solara.use_reactive(0.0)
    predict = solara.use_reactive(False)
    revealed = solara.use_reactive(False)
    prediction = solara.use_reactive(30.0)
    scenario = solara.use_reactive(session.scenario)
    market = solara.use_reactive(session.market)

    def refresh():
        tick.set(tick.value + 1)

    clock = solara.use_ref((0.0, 0))  # when play started, and at which week

    def play_batch():
        """One screen refresh of play: a batch of weeks, then a new tick, which starts the next batch."""
        if not playing.value:
            return
        if session.finished:
            playing.set(False)
            return
        try:
            session.advance(weeks_per_refresh.value)
        except Exception as err:  # shown on the page rather than lost in the task
            traceback.print_exc()
            error.set(f"Play stopped at week {session.week}: {err}")
            playing.set(False)
            return
        started, first_week = clock.current
        rate.set((session.week - first_week) / max(time.perf_counter() - started, 1e-9))
        refresh()

    def toggle_play():
        clock.current = (time.perf_counter(), session.week)
        playing.set(not playing.value)

    solara.lab.use_task(play_batch, dependencies=[playing.value, tick.value], prefer_threaded=True)

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
        refresh()

    def reset():
        was_playing = playing.value
        playing.set(False)
        week = session.week
        session.reset()
        say(f"Reset at week {week}{' (play stopped)' if was_playing else ''}: a fresh run from the current "
            "settings and the same seed.")
        refresh()

    def step(weeks: int):
        if session.finished:
            refuse(f"The run is over (week {session.week} of {session.horizon}): press Reset or Setup.")
            return
        session.advance(weeks)
        refresh()

    with solara.AppBar():
        solara.AppBarTitle("alignsim workshop")
    with solara.Sidebar():
        with solara.Card("Preset"):
            solara.Select("Scenario", values=scenario_names(), value=scenario)
            solara.Select("Market", values=market_names(), value=market)
            solara.Button("Setup", color="primary", on_click=setup)
        with solara.Card("Run"):
            with solara.Row():
                solara.Button("Pause" if playing.value else "Play", color="primary",
                              on_click=toggle_play, disabled=session.finished)
                solara.Button("Step", on_click=lambda: step(1), disabled=playing.value)
                solara.Button(f"Step {step_n.value}", on_click=lambda: step(step_n.value), disabled=playing.value)
                solara.Button("Reset", color="error", on_click=reset)
            solara.SliderInt("Weeks per step-N", value=step_n, min=2, max=52)
            solara.SliderInt("Speed: weeks per screen refresh", value=weeks_per_refresh, min=1, max=26)
            status = f"Week {session.week} of {session.horizon}"
            if rate.value:
                status += f" · {rate.value:.1f} weeks/s"
            solara.Text(status, classes=["week-status"])
            if message.value:
                solara.Success(message.value)
            if error.value:
                solara.Error(error.value)
            if session.pending:
                solara.Warning("Waiting for Reset: " + ", ".join(f"{k} = {v}" for k, v in session.pending.items()))
        LeverPanel(session, version.value, say, refuse)
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Run"):
            RunTab(session, tick.value, predict, revealed, prediction, playing, rate)
        with solara.lab.Tab("Compare"):
            CompareTab(session)
        with solara.lab.Tab("Debrief"):
            DebriefTab(session, tick.value)
        with solara.lab.Tab("About"):
            AboutTab(session)
