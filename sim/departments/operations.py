"""Operations: onboards won deals, serves customers, and grows capacity late.

Forrester's market-growth model (Forrester 1968; Morecroft 2007, ch. 7; Sterman 2000, ch. 11 and 18):
won deals join an onboarding **backlog** (a stock); the staff (Mesa agents) serve existing customers and
onboard the backlog with the *same* capacity, both cut in the same proportion when the demand on them
exceeds it; the **delivery delay** is the backlog over the onboarding throughput (Little's law), heard by
prospects with a lag of a few weeks, and it lowers the win hazard (Forrester's table); management
perceives delay and utilisation with a further lag and hires late.  Quality falls when utilisation passes
the knee; flexible operations honour custom promises at a cost in capacity, rigid ones refuse the extra
(seed 003).  The rule is a handful of plain functions below, so the per-agent reference can call the same
ones account by account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.config import OperationsConfig, PolicyConfig
from sim.market import Market, Stage

FORRESTER_DELAY_RATIO = (1.0, 1.5, 2.0, 3.0)
FORRESTER_EFFECT = (1.0, 0.75, 0.5, 0.3)
"""Sales effectiveness against delivery delay / normal delay (Forrester 1968, via Morecroft 2007)."""
FULFILMENT_RATIO = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0)
FULFILMENT_EFFECT = (0.0, 0.2, 0.4, 0.58, 0.73, 0.85, 0.93, 0.97, 0.99, 1.0, 1.0)
"""Share of the demand on operations met against capacity / demand: the shape of Sterman's "table for order
fulfilment" (Business Dynamics 2000, ch. 18: the ratio of maximum to desired shipments), a smooth min(1, x)
that bends before x = 1 as queueing does; values read from that shape, not fitted."""
ONBOARDING_DONE_TOLERANCE = 1e-9
"""Work left (customer-equivalent weeks) below which an onboarding counts as done (floating-point slack)."""


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

    def learn_on_rotation(self, gain: float) -> None:
        """What an operations person learns on a rotation is not a state of the model: only trust moves (see
        :meth:`sim.relations.Relations.maybe_rotate`)."""

    @property
    def capacity(self) -> float:
        """Customer-equivalents of work this person does this week (none while away)."""
        return 0.0 if self.away else self.model.config.operations.customers_per_staff


def delivery_credibility(delay_weeks: float, normal_weeks: float) -> float:
    """Multiplier on the win hazard from the delivery delay customers hear about (Forrester table)."""
    return float(np.interp(delay_weeks / normal_weeks, FORRESTER_DELAY_RATIO, FORRESTER_EFFECT))


# ---------------------------------------------------------------------------------------------------------
# The capacity rule as plain functions (the per-agent reference calls the same ones account by account).

def onboarding_total(config: OperationsConfig, custom_load):
    """Work one onboarding takes in all, in customer-equivalent weeks: ``onboarding_effort x (1 + custom load)``."""
    return config.onboarding_effort * (1 + custom_load)


def onboarding_demand(remaining, total, normal_weeks: float):
    """Work a deal in the backlog asks for this week: its total spread evenly over the normal delivery time,
    never more than what remains (``min(remaining, total / normal_weeks)``).  Fully staffed, a deal is
    onboarded in its ``normal_weeks``-th week in the backlog (the week it was won counts as the first)."""
    return np.minimum(remaining, total / normal_weeks)


def onboarding_work(remaining, total, normal_weeks: float, share: float):
    """Work done on a deal this week: ``share`` of its weekly schedule (total / normal_weeks), never more
    than what remains -- so at a fulfilment share f every deal takes normal_weeks / f weeks."""
    return np.minimum(remaining, share * total / normal_weeks)


def fulfilment(capacity: float, demand: float) -> float:
    """Share of every demand on operations met this week, from capacity / demand through Sterman's table
    for order fulfilment (:data:`FULFILMENT_RATIO`): close to 1 with capacity to spare, bending before the
    staff are fully loaded (work arrives unevenly, people cannot be split across every task), capacity /
    demand when demand is far above capacity.  Serving customers and onboarding deals draw on the same
    people and are cut in the same proportion."""
    if demand <= 0:
        return 1.0
    if capacity <= 0:
        return 0.0
    return float(np.interp(capacity / demand, FULFILMENT_RATIO, FULFILMENT_EFFECT))


def service_quality(utilisation: float, config: OperationsConfig) -> float:
    """``1 - quality_drop_slope x (utilisation - knee)`` above the knee, between ``quality_floor`` and 1."""
    return float(np.clip(1 - config.quality_drop_slope * max(0.0, utilisation - config.utilisation_knee),
                         config.quality_floor, 1))


def late_weeks(week: int, won_week, normal_weeks: float):
    """Weeks an onboarding finishing this week ran past the normal delivery time, rounded up to whole weeks
    (the win week counts as the first week in the backlog)."""
    return np.maximum(0.0, week - won_week + 1 - np.ceil(normal_weeks))


def littles_law_delay(backlog_deals: float, throughput_deals: float, config: OperationsConfig) -> float:
    """The delivery delay the backlog implies now (Little's law: stock / outflow): deals in the backlog over
    the onboarding throughput in deals per week.  Throughput is the backlog moving at this week's pace
    (``deals x fulfilment / normal_delivery_weeks``: every deal advances by fulfilment / normal of its work),
    so the delay is ``normal / fulfilment`` -- the wait a deal won now would see at this week's load.  An
    empty backlog implies the normal delay; a backlog that does not move, ``max_queue_delay_weeks`` (the cap)."""
    if backlog_deals <= 0:
        return config.normal_delivery_weeks
    if throughput_deals <= 0:
        return config.max_queue_delay_weeks
    return min(config.max_queue_delay_weeks, backlog_deals / throughput_deals)


@dataclass
class OperationsWeek:
    """What operations did this week."""

    capacity: float = 0.0
    utilisation: float = 0.0
    quality: float = 1.0
    delay: float = 0.0
    backlog: int = 0
    """Deals won and not yet onboarded at the end of the week."""
    onboarded: int = 0
    backlog_start: int = 0
    """Deals in the backlog while operations worked this week (this week's wins included): Little's stock."""
    throughput: float = 0.0
    """Onboarding throughput in deals per week at this week's pace (backlog_start x fulfilment / normal weeks)."""
    indicated_delay: float = 0.0
    """``backlog_start / throughput`` (capped; the normal delay for an empty backlog), before smoothing."""
    fulfilment: float = 1.0
    """Share of the onboarding work asked for that was done this week."""


class Operations:
    """Department-level state of operations: delivery delay, service quality, their perception, and hiring.

    Args:
        config: the operations section of the configuration.
        live_policy: returns the policy levers as they stand now (the model's ``config.policy``); operations
            reads ``ops_flexibility`` from it every week.
    """

    def __init__(self, config: OperationsConfig, live_policy: Callable[[], PolicyConfig]):
        self.config = config
        self._live_policy = live_policy
        self.perceived_delay = config.normal_delivery_weeks
        self.perceived_utilisation = config.utilisation_knee
        self.hiring = 0.0
        self.delay = config.normal_delivery_weeks
        self.quality = 1.0
        self.last = OperationsWeek(delay=self.delay, indicated_delay=self.delay)
        """The last week's record (read by tests and studies)."""

    @property
    def flexibility(self) -> float:
        """The ``ops_flexibility`` lever as it stands this week (0 refuse custom promises, 1 honour them all)."""
        return self._live_policy().ops_flexibility

    def custom_load(self, market: Market, idx: np.ndarray) -> np.ndarray:
        """Service above standard that operations takes on for each account (promised - standard, x flexibility)."""
        return self.flexibility * np.maximum(0.0, market.promised[idx] - self.config.standard_service)

    def serve_and_onboard(self, market: Market, capacity: float, week: int) -> OperationsWeek:
        """Serve active customers and onboard the backlog with the same staff; set delivered service and the
        delivery delay customers hear of.

        1. A deal won this week joins the backlog with ``onboarding_total`` work (more for custom promises).
        2. Demand on the staff: serving each active customer takes 1 + custom_work_effort x custom load; each
           deal in the backlog asks for ``onboarding_demand`` (its work spread over the normal delivery time).
        3. Utilisation = demand / capacity; every demand is met in the share ``fulfilment(capacity, demand)``
           (no capacity reserved for either, beyond ``min_onboarding_share`` kept for onboarding).
        4. Each deal gets ``onboarding_work`` (share x its weekly schedule); deals whose work is done are
           onboarded, at a satisfaction lowered by every week late.
        5. Quality = ``service_quality(utilisation)``; delivered service = quality x (standard + custom load).
        6. Delay now = ``littles_law_delay``(deals in the backlog, throughput = deals x share / normal weeks);
           the delay customers hear of moves toward it over ``delay_news_weeks``.
        """
        cfg = self.config
        customers = market.active_customers()
        service_load = float((1 + cfg.custom_work_effort * self.custom_load(market, customers)).sum())
        backlog = np.flatnonzero((market.stage == Stage.CUSTOMER.value) & ~market.onboarded)
        total = onboarding_total(cfg, self.custom_load(market, backlog))
        new = market.won_week[backlog] == week
        market.remaining_onboarding[backlog[new]] = total[new]
        remaining = market.remaining_onboarding[backlog]
        asked = onboarding_demand(remaining, total, cfg.normal_delivery_weeks)
        onboarding_load = float(asked.sum())
        demand = service_load + onboarding_load
        utilisation = demand / capacity if capacity > 0 else 2.0
        share = fulfilment(capacity, demand)
        if onboarding_load > 0:
            share_onboarding = max(share, min(1.0, cfg.min_onboarding_share * capacity / onboarding_load))
        else:
            share_onboarding = share
        work = onboarding_work(remaining, total, cfg.normal_delivery_weeks, share_onboarding)
        left = remaining - work
        done = left <= ONBOARDING_DONE_TOLERANCE
        throughput = backlog.size * share_onboarding / cfg.normal_delivery_weeks
        market.remaining_onboarding[backlog] = np.where(done, 0.0, left)
        finished = backlog[done]
        market.onboarded[finished] = True
        late = late_weeks(week, market.won_week[finished], cfg.normal_delivery_weeks)
        market.satisfaction[finished] = np.clip(cfg.onboarded_satisfaction - cfg.late_satisfaction_loss * late,
                                                0.0, 1.0)
        quality = service_quality(utilisation, cfg)
        served = np.concatenate([customers, finished])  # = market.active_customers() after onboarding
        market.delivered[served] = quality * (cfg.standard_service + self.custom_load(market, served))
        indicated = self.hear_of_delay(backlog.size, throughput)
        self.quality = quality
        self.last = OperationsWeek(capacity=capacity, utilisation=utilisation, quality=quality, delay=self.delay,
                                   backlog=int(backlog.size - finished.size), onboarded=int(finished.size),
                                   backlog_start=int(backlog.size), throughput=throughput,
                                   indicated_delay=indicated, fulfilment=share_onboarding)
        return self.last

    def hear_of_delay(self, backlog_deals: float, throughput_deals: float) -> float:
        """Little's law gives the delay the backlog implies now; the delay prospects hear of (``delay``) moves
        toward it by 1/``delay_news_weeks`` of the gap each week (first-order information delay).  Returns
        the implied delay."""
        indicated = littles_law_delay(backlog_deals, throughput_deals, self.config)
        self.delay += (indicated - self.delay) / max(self.config.delay_news_weeks, 1.0)
        return indicated

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
