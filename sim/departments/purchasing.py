"""Purchasing: approves non-standard deals; its rigidity sets how many need approval and how long
they wait (seed 000: "purchasing blocks our sales with rigid procedures")."""

from __future__ import annotations

import numpy as np
from mesa import Agent

from sim.config import PurchasingConfig
from sim.market import Market, Stage


class Purchasing:
    """Department-level state of purchasing: the approval rule and the files waiting.

    Args:
        config: the purchasing section of the configuration.
        rigidity: the ``purchasing_rigidity`` lever (0-1).
    """

    def __init__(self, config: PurchasingConfig, rigidity: float):
        self.config = config
        self.approval_share, self.approval_weeks = approval_terms(rigidity, config.enabled, config.approval_share_max,
                                                                  config.approval_weeks_max)
        self.pending = 0
        """Opportunities waiting for approval after this week's work."""


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


def approval_terms(rigidity: float, enabled: bool, share_max: float, weeks_max: float) -> tuple[float, float]:
    """Share of new opportunities that need approval and their mean wait (weeks), both rising with rigidity."""
    if not enabled:
        return 0.0, 0.0
    return share_max * rigidity, weeks_max * rigidity


def approve(market: Market, officers_present: int, approvals_per_officer: int) -> int:
    """Move the oldest pending approvals one week forward, as many as the officers present can handle.

    Returns the number of opportunities still waiting for approval.
    """
    opps = market.in_stage(Stage.OPPORTUNITY)
    pending = opps[market.approval_wait[opps] > 0]
    capacity = officers_present * approvals_per_officer
    handled = pending[np.argsort(market.stage_week[pending], kind="stable")[:capacity]]
    market.approval_wait[handled] -= 1
    return int(pending.size)
