"""One browser tab's run: the chosen preset, the levers as moved so far, the model and its clock.

A :class:`Session` is plain Python (no solara), so the dashboard's rules are tested without a browser.
A live lever is written into the running model's policy and acts from the next week; a structural setting
(market size, staff, horizon) is kept as pending and applies when the run is reset.  A lock makes stepping,
lever changes and resets from the play thread and from the UI thread take turns, so a reset in the middle
of play never steps a half-built model.  Each browser tab gets its own Session (separate runs).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

import pandas as pd

from sim.config import Config, ConfigError
from sim.loading import CONFIG_DIR, load_config
from sim.viz.levers import get_value, lever, with_value

DEFAULT_SCENARIO = "hundred_years_war"
DEFAULT_MARKET = "midmarket"


def market_names() -> list[str]:
    """Names of the market presets: the files of ``configs/market/``."""
    return sorted(p.stem for p in (CONFIG_DIR / "market").glob("*.yaml"))


@dataclass(frozen=True)
class LeverChange:
    """A lever the trainer moved: in which week, from what, to what, and whether it waits for a reset."""

    week: int
    path: str
    old: object
    new: object
    live: bool


@dataclass(frozen=True)
class View:
    """What a redraw shows: one consistent week of the run."""

    week: int
    weekly: pd.DataFrame
    monitors: list
    revenue_total: float
    changes: tuple[LeverChange, ...]
    events: pd.DataFrame | None = None


class Session:
    """A run the trainer drives step by step.

    Args:
        scenario: a preset of ``configs/scenario/``.
        market: a preset of ``configs/market/``.
        seed: the run's seed (the same seed replays the same run).
    """

    def __init__(self, scenario: str = DEFAULT_SCENARIO, market: str = DEFAULT_MARKET, seed: int = 1):
        self._lock = threading.RLock()
        self.seed = seed
        self.generation = 0
        self.rate = 0.0  # simulated weeks per second of the current play, set by the play loop
        self.load(scenario, market)

    # ------------------------------------------------------------------ presets and levers
    def load(self, scenario: str, market: str = DEFAULT_MARKET) -> None:
        """Start over from a preset; :class:`ConfigError` names the allowed presets for an unknown one."""
        if market not in market_names():
            raise ConfigError(f"market = {market!r} is not valid: allowed values are {', '.join(market_names())}")
        cfg = load_config(scenario, [f"market={market}"])
        with self._lock:
            self.scenario, self.market = scenario, market
            self.config: Config = cfg
            self.pending: dict[str, object] = {}
            self.reset()

    def set_lever(self, path: str, value) -> str:
        """Move a lever; returns what happens, in words.  An out-of-range or mistyped value raises
        :class:`ConfigError` naming the field, the value and the allowed range, and changes nothing."""
        item = lever(path)
        with self._lock:
            new_config = with_value(self.config, path, value)
            old, value = get_value(self.config, path), get_value(new_config, path)
            if old == value:
                return f"{item.label} stays {value}"
            self.config = new_config
            if item.live:
                applies_from = self.model.set_lever(path, value)
                self.changes.append(LeverChange(applies_from, path, old, value, True))
                self._view = None
                return f"{item.label} = {value} from week {applies_from}"
            self.pending[path] = value
            return f"{item.label} = {value} applies on reset"

    def value(self, path: str):
        """The lever's current setting (pending structural changes included)."""
        return get_value(self.config, path)

    # ------------------------------------------------------------------ the clock
    def reset(self) -> None:
        """A fresh model from the current settings and the seed; pending structural changes apply now."""
        from sim.model import AlignmentModel

        with self._lock:
            self.model = AlignmentModel(copy.deepcopy(self.config), rng=self.seed)
            self.pending = {}
            self.changes: list[LeverChange] = []
            self.generation += 1
            self._view = None

    @property
    def week(self) -> int:
        """Weeks simulated so far, which is also the number of the next week in the weekly table (week 0 first)."""
        return int(self.model.steps)

    @property
    def horizon(self) -> int:
        return int(self.model.config.weeks)

    @property
    def finished(self) -> bool:
        return self.week >= self.horizon

    def advance(self, weeks: int = 1, generation: int | None = None) -> int:
        """Simulate up to ``weeks`` more weeks (never past the horizon); returns how many ran.  With
        ``generation`` (the play loop's), nothing runs once a reset or setup has replaced that model."""
        with self._lock:
            if generation is not None and generation != self.generation:
                return 0
            todo = max(0, min(int(weeks), self.horizon - self.week))
            for _ in range(todo):
                self.model.step()
            return todo

    # ------------------------------------------------------------------ results so far
    def view(self, events: bool = False) -> View:
        """The run as of its latest week, read under the lock (so a redraw never sees a half-stepped week)
        and kept until the next week, reset or setup: weekly table, monitors, total revenue, and with
        ``events`` the event log."""
        from sim.viz.monitors import monitors

        with self._lock:
            key = (self.generation, self.week)
            cached = self._view
            if cached is None or cached[0] != key:
                summary = self.model.summary() if self.week else None
                cached = (key, View(self.week, self.weekly(), monitors(self.model),
                                    float(summary["revenue_total"]) if summary is not None else float("nan"),
                                    tuple(self.changes)))
                self._view = cached
            view = cached[1]
            if events and view.events is None:
                view = View(view.week, view.weekly, view.monitors, view.revenue_total, view.changes,
                            self.model.events())
                self._view = (key, view)
            return view

    def weekly(self) -> pd.DataFrame:
        """The weekly table so far (an empty table with a week column before the first week)."""
        with self._lock:
            return self.model.weekly() if self.week else pd.DataFrame({"week": pd.Series(dtype=int)})

    def events(self) -> pd.DataFrame:
        with self._lock:
            return self.model.events()
