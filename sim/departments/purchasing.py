"""Purchasing: approves non-standard deals; its rigidity sets how many need approval and how long
they wait (seed 000: "purchasing blocks our sales with rigid procedures")."""

from __future__ import annotations

import numpy as np
from mesa import Agent

from sim.market import Market, Stage

APPROVALS_PER_OFFICER = 15
"""Approval files one purchasing officer moves forward per week."""


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


def approve(market: Market, officers_present: int) -> int:
    """Move the oldest pending approvals one week forward, as many as the officers present can handle.

    Returns the number of opportunities still waiting for approval.
    """
    opps = market.in_stage(Stage.OPPORTUNITY)
    pending = opps[market.approval_wait[opps] > 0]
    capacity = officers_present * APPROVALS_PER_OFFICER
    handled = pending[np.argsort(market.stage_week[pending], kind="stable")[:capacity]]
    market.approval_wait[handled] -= 1
    return int(pending.size)
