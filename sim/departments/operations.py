"""Operations: onboards won deals, serves customers, and grows capacity late.

Capacity is the sum of the operations staff's capacity (Mesa agents; new ones are hired when the
perceived delivery delay or utilisation runs high, after a lag: Forrester's market-growth model,
as told in Morecroft 2007, ch. 7).  Quality falls when utilisation passes the knee; flexible
operations honour custom promises at a cost in capacity, rigid ones refuse the extra (seed 003).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.config import OperationsConfig
from sim.market import Market, Stage

FORRESTER_DELAY_RATIO = (1.0, 1.5, 2.0, 3.0)
FORRESTER_EFFECT = (1.0, 0.75, 0.5, 0.3)
"""Sales effectiveness against delivery delay / normal delay (Forrester 1968, via Morecroft 2007)."""


class OperationsStaff(Agent):
    """One operations person, serving ``customers_per_staff`` customers' worth of work each week.

    Args:
        model: the :class:`~sim.model.AlignmentModel`.
    """

    department = "operations"

    def __init__(self, model):
        super().__init__(model)
        self.away = False

    def step(self) -> None:
        """Maybe spend a week with sales (they learn what customers ask for; sales learns capacity)."""
        self.away = self.model.relations.maybe_rotate(self)

    @property
    def capacity(self) -> float:
        """Customer-equivalents of work this person does this week (none while away)."""
        return 0.0 if self.away else self.model.config.operations.customers_per_staff


def delivery_credibility(delay_weeks: float, normal_weeks: float) -> float:
    """Multiplier on the win hazard from the delivery delay customers hear about (Forrester table)."""
    return float(np.interp(delay_weeks / normal_weeks, FORRESTER_DELAY_RATIO, FORRESTER_EFFECT))


@dataclass
class OperationsWeek:
    """What operations did this week."""

    capacity: float = 0.0
    utilisation: float = 0.0
    quality: float = 1.0
    delay: float = 0.0
    backlog: int = 0
    onboarded: int = 0


class Operations:
    """Department-level state of operations: delivery delay, service quality, their perception, and hiring.

    Args:
        config: the operations section of the configuration.
        flexibility: the ``ops_flexibility`` lever (0 refuse custom promises, 1 honour them all).
    """

    def __init__(self, config: OperationsConfig, flexibility: float):
        self.config = config
        self.flexibility = flexibility
        self.perceived_delay = config.normal_delivery_weeks
        self.perceived_utilisation = config.utilisation_knee
        self.hiring = 0.0
        self.delay = config.normal_delivery_weeks
        self.quality = 1.0

    def custom_load(self, market: Market, idx: np.ndarray) -> np.ndarray:
        """Service above standard that operations takes on for each account (promised - standard, x flexibility)."""
        return self.flexibility * np.maximum(0.0, market.promised[idx] - self.config.standard_service)

    def serve_and_onboard(self, market: Market, capacity: float, week: int) -> OperationsWeek:
        """Serve active customers, onboard the backlog first-in first-out, and set delivered service.

        A won deal needs at least ``normal_delivery_weeks`` of set-up, then waits its turn: serving one
        customer takes 1 + custom_work_effort x custom load; onboarding one deal takes
        ``onboarding_effort`` (more for custom promises), from what serving leaves free.  Utilisation
        above the knee lowers quality: quality = 1 - quality_drop_slope x (utilisation - knee);
        delivered service = quality x (standard + custom load).  The delivery delay customers hear of is
        the normal delay plus the weeks the queue of ready deals needs.
        """
        cfg = self.config
        customers = market.active_customers()
        service_load = float((1 + cfg.custom_work_effort * self.custom_load(market, customers)).sum())
        free = max(cfg.min_onboarding_share * capacity, capacity - service_load)
        backlog = np.flatnonzero((market.stage == Stage.CUSTOMER.value) & ~market.onboarded)
        new = backlog[market.won_week[backlog] == week]
        market.remaining_onboarding[new] = cfg.onboarding_effort * (1 + self.custom_load(market, new))
        ready = backlog[week - market.won_week[backlog] >= cfg.normal_delivery_weeks]
        ready = ready[np.argsort(market.won_week[ready], kind="stable")]
        work = market.remaining_onboarding[ready]
        finished = ready[np.cumsum(work) <= free]
        used = float(work[: finished.size].sum())
        if finished.size < ready.size:
            market.remaining_onboarding[ready[finished.size]] -= free - used
            used = free
        market.remaining_onboarding[finished] = 0.0
        market.onboarded[finished] = True
        late = np.maximum(0.0, week - market.won_week[finished] - cfg.normal_delivery_weeks)
        market.satisfaction[finished] = np.clip(cfg.onboarded_satisfaction - cfg.late_satisfaction_loss * late, 0.0, 1.0)
        utilisation = (service_load + used) / capacity if capacity > 0 else 2.0
        quality = float(np.clip(1 - cfg.quality_drop_slope * max(0.0, utilisation - cfg.utilisation_knee),
                                cfg.quality_floor, 1))
        served = np.concatenate([customers, finished])  # = market.active_customers() after onboarding
        market.delivered[served] = quality * (cfg.standard_service + self.custom_load(market, served))
        queued = float(market.remaining_onboarding[ready].sum())
        self.delay = cfg.normal_delivery_weeks + (queued / free if free > 0 else cfg.max_queue_delay_weeks)
        self.quality = quality
        return OperationsWeek(capacity=capacity, utilisation=utilisation, quality=quality, delay=self.delay,
                              backlog=int(backlog.size - finished.size), onboarded=int(finished.size))

    def plan_hiring(self, staff: int, utilisation: float, pipeline_news: float) -> int:
        """Forrester's capacity rule: management perceives delay and utilisation with a lag, sets the
        headcount that would bring both back to normal (utilisation at the target just under the knee),
        and closes the gap over ``capacity_adjustment_weeks``.  Pipeline news from sales (0-1, the
        information flow from sales to operations) shortens the perception lag by up to ``pipeline_news_lag_cut``:
        with joint planning, operations sees growth coming.  Returns the people to hire now."""
        cfg = self.config
        lag = cfg.delay_perception_weeks * (1 - cfg.pipeline_news_lag_cut * pipeline_news)
        self.perceived_delay += (self.delay - self.perceived_delay) / max(lag, 1.0)
        self.perceived_utilisation += (utilisation - self.perceived_utilisation) / max(lag, 1.0)
        target_utilisation = cfg.utilisation_knee - cfg.target_utilisation_margin
        desired = staff * max(self.perceived_utilisation / target_utilisation,
                              self.perceived_delay / cfg.normal_delivery_weeks)
        self.hiring += max(0.0, desired - staff) / cfg.capacity_adjustment_weeks
        hires = min(int(self.hiring), max(0, cfg.max_staff - staff))
        self.hiring -= int(self.hiring)
        return hires
