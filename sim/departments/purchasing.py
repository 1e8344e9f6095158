"""Purchasing: approves non-standard deals; its rigidity sets how many need approval and how long
they wait (seed 000: "purchasing blocks our sales with rigid procedures").

Two things are kept apart: *rigidity* (a policy lever: the share of opportunities that need approval and the
procedure's length, :func:`approval_terms`) and *capacity* (``approvals_per_officer``, the files an officer moves
forward a week, :func:`approve`).  When the files waiting exceed the capacity, the youngest wait an extra week:
a queue, not a procedure.  At the default capacity the queue does not form in the presets, so what rigidity does
is rigidity's (``benchmarks/capacity_response.py`` measures the queue's share)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from mesa import Agent

from sim.config import PolicyConfig, PurchasingConfig
from sim.market import Market, Stage


class Purchasing:
    """Department-level state of purchasing: the approval rule and the files waiting.

    Args:
        config: the purchasing section of the configuration.
        live_policy: returns the policy levers as they stand now (the model's ``config.policy``); the
            approval rule reads ``purchasing_rigidity`` from it every week.
    """

    def __init__(self, config: PurchasingConfig, live_policy: Callable[[], PolicyConfig]):
        self.config = config
        self._live_policy = live_policy
        self.pending = 0
        """Opportunities waiting for approval after this week's work."""

    def approval_terms(self) -> tuple[float, float]:
        """This week's (share of new opportunities needing approval, mean wait in weeks), from the live
        ``purchasing_rigidity``."""
        cfg = self.config
        return approval_terms(self._live_policy().purchasing_rigidity, cfg.enabled, cfg.approval_share_max,
                              cfg.approval_weeks_max)


class PurchasingOfficer(Agent):
    """One purchasing officer, who moves approval files forward and may rotate elsewhere.

    Args:
        model: the :class:`~sim.model.AlignmentModel`.
    """

    department = "purchasing"

    def __init__(self, model):
        super().__init__(model)
        self.away = False

    def step(self) -> None:
        """Maybe spend a week in another department."""
        self.away = self.model.relations.maybe_rotate(self)

    def learn_on_rotation(self, gain: float) -> None:
        """What a purchasing officer learns on a rotation is not a state of the model: only trust moves (see
        :meth:`sim.relations.Relations.maybe_rotate`)."""


def approval_terms(rigidity: float, enabled: bool, share_max: float, weeks_max: float) -> tuple[float, float]:
    """Share of new opportunities that need approval and their mean wait (weeks), both rising with rigidity."""
    if not enabled:
        return 0.0, 0.0
    return share_max * rigidity, weeks_max * rigidity


def approve(market: Market, officers_present: int, approvals_per_officer: int) -> int:
    """Move the oldest pending approvals one week forward, as many as the officers present can handle
    (``officers_present x approvals_per_officer``, oldest opportunity first); the files beyond that capacity wait
    the week out unmoved.

    Returns the number of opportunities waiting for approval before this week's work.
    """
    opps = market.in_stage(Stage.OPPORTUNITY)
    pending = opps[market.approval_wait[opps] > 0]
    capacity = officers_present * approvals_per_officer
    handled = pending[np.argsort(market.stage_week[pending], kind="stable")[:capacity]]
    market.approval_wait[handled] -= 1
    return int(pending.size)
