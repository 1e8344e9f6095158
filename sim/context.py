"""The context every weekly rule reads: the week, the live configuration and the week's random streams.

A rule is a plain function ``rule(market, ctx, ...inputs) -> record``: it reads the policy and the
coefficients from ``ctx.config`` when it runs (so a lever moved mid-run applies from the next week on), draws
only from its own mechanism's stream (``ctx.rng("churn")``, see :mod:`sim.streams`) and returns what it
produced as a record instead of filling one in place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import Config
from sim.streams import Streams


class Clock:
    """The model's week, held in one place and read by every part that needs it (the market's snapshots, the
    relations' event log, the rules' context)."""

    def __init__(self) -> None:
        self.week = 0
        """The business week being simulated (0 first)."""


@dataclass(frozen=True)
class WeekContext:
    """One week as the rules see it.

    Attributes:
        week: the business week being simulated (0 first).
        config: the model's live configuration (policy levers included, as they stand this week).
        streams: the run's named random streams.
    """

    week: int
    config: Config
    streams: Streams

    def rng(self, mechanism: str) -> np.random.Generator:
        """The random stream of ``mechanism`` (a name of :data:`sim.streams.MECHANISMS`) for this week."""
        return self.streams(mechanism, self.week)

    def uniform(self, mechanism: str, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform per id (account, rep or staff), the same for that id in every arm: see
        :meth:`sim.streams.Streams.uniform`."""
        return self.streams.uniform(mechanism, self.week, ids, draw)

    def uniforms(self, ids: np.ndarray, *draws: tuple[str, int]) -> np.ndarray:
        """Several draws per id at once, one row per ``(mechanism, draw)``: see
        :meth:`sim.streams.Streams.uniforms`."""
        return self.streams.uniforms(self.week, ids, draws)

    def normal(self, mechanism: str, ids: np.ndarray, sd: float, draw: int = 0) -> np.ndarray:
        """One normal draw (mean 0, standard deviation ``sd``) per id: see :meth:`sim.streams.Streams.normal`."""
        return self.streams.normal(mechanism, self.week, ids, sd, draw)
