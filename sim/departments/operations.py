"""Operations: onboards won deals, serves customers, and grows capacity late.

Forrester's market-growth model (Forrester 1968; Morecroft 2007, ch. 7; Sterman 2000, ch. 11, 17, 18 and 19):
won deals join an onboarding **backlog**, a first-in first-out queue; the staff (Mesa agents) serve the
installed base and onboard the backlog with the *same* capacity.  When the team is short, ``service_priority``
says who waits: at the default the customers under contract are served first and won deals queue for the
capacity that leaves, so a shortfall shows as a longer **delivery delay**, the work the backlog holds over the
onboarding work done (Little's law), heard by prospects with a lag of a few weeks; it lowers the win hazard
(Forrester's table) and deals onboarded late start less satisfied.  Service quality is the share of the service
work done (Sterman's table for order fulfilment).  Management perceives delay and utilisation with a further lag,
hires late, and the people hired arrive ``hiring_delay_weeks`` later.  Flexible operations honour custom promises at
a cost in capacity, rigid ones refuse the extra (seed 003).  Both tables are fields of the schema.  The rule is a
handful of plain functions below, so the per-agent reference can call the same ones account by account.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.config import OperationsConfig, PolicyConfig
from sim.market import Market, Stage

FORRESTER_DELAY_RATIOS = (1.0, 1.5, 2.0, 3.0)
"""Where Forrester's table of sales effectiveness is read: delivery delay / normal delay (the published table's
abscissae, Forrester 1968 via Morecroft 2007, ch. 7).  Its values are fields of the schema
(``OperationsConfig.credibility_at_*``); at the normal delay the effect is 1 by definition."""
FULFILMENT_RATIOS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0)
"""Where Sterman's table for order fulfilment is read: capacity / demand (Business Dynamics 2000, ch. 18).  Its
values between 0.6 and 1.6 are fields of the schema (``OperationsConfig.fulfilment_at_*``); below 0.6 the table
follows the line f = capacity / demand (work done cannot exceed the capacity), from 1.8 on it is 1 (all met)."""
FULL = 1.0
"""A share of 1: everything asked for is met (the top of a table of shares, the effect at the normal delay)."""
ONE_STEP_WEEKS = 1.0
"""The model's time step in weeks: a first-order smoothing time is never shorter than one step (it would
overshoot its target)."""
ONBOARDING_DONE_TOLERANCE = 1e-9
"""Work left (customer-equivalent weeks) below which an onboarding counts as done (floating-point slack, not a
business number)."""


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


def forrester_effects(config: OperationsConfig) -> tuple[float, ...]:
    """Forrester's table of sales effectiveness at :data:`FORRESTER_DELAY_RATIOS`, read from the config: 1 at the
    normal delay, then ``credibility_at_1_5x_delay``, ``credibility_at_2x_delay``, ``credibility_at_3x_delay``."""
    return FULL, config.credibility_at_1_5x_delay, config.credibility_at_2x_delay, config.credibility_at_3x_delay


def delivery_credibility(delay_weeks: float, config: OperationsConfig) -> float:
    """Multiplier on the win hazard from the delivery delay prospects hear of: Forrester's table of sales
    effectiveness against delay / ``normal_delivery_weeks`` (Forrester 1968, Industrial Management Review 9(2);
    Morecroft 2007, ch. 7), read by linear interpolation between its points and flat beyond the last one (a delay
    shorter than normal earns no bonus)."""
    return float(np.interp(delay_weeks / config.normal_delivery_weeks, FORRESTER_DELAY_RATIOS,
                           forrester_effects(config)))


# ---------------------------------------------------------------------------------------------------------
# The capacity rule as plain functions (the per-agent reference calls the same ones account by account).

def onboarding_total(config: OperationsConfig, custom_load):
    """Work one onboarding takes in all, in customer-equivalent weeks: ``onboarding_effort x (1 + custom load)``."""
    return config.onboarding_effort * (1 + custom_load)


def onboarding_demand(remaining, total, normal_weeks: float):
    """Work a deal in the backlog asks for this week: its total spread evenly over the normal delivery time,
    never more than what remains (``min(remaining, total / normal_weeks)``).  A deal cannot be onboarded faster
    than its schedule: fully staffed, it is onboarded in its ``normal_weeks``-th week in the backlog (the week it
    was won counts as the first)."""
    return np.minimum(remaining, total / normal_weeks)


def queue_work(asked, budget_at_turn):
    """Work a deal in the onboarding queue gets this week (first in, first out): all it asks for when the
    onboarding budget left at its turn covers it, what is left otherwise, nothing once the budget is spent --
    ``clip(budget_at_turn, 0, asked)``, where ``budget_at_turn`` is the week's onboarding work less what the
    deals ahead of it (won earlier) took.  Deals at the back of the queue wait: the backlog is a real queue."""
    return np.clip(budget_at_turn, 0.0, asked)


def fulfilment_effects(config: OperationsConfig) -> tuple[float, ...]:
    """Sterman's table for order fulfilment at :data:`FULFILMENT_RATIOS`, read from the config: the line
    f = capacity / demand up to 0.4, the fields ``fulfilment_at_0_6x`` ... ``fulfilment_at_1_6x``, then 1."""
    low = FULFILMENT_RATIOS[:3]
    return (*low, config.fulfilment_at_0_6x, config.fulfilment_at_0_8x, config.fulfilment_at_1x,
            config.fulfilment_at_1_2x, config.fulfilment_at_1_4x, config.fulfilment_at_1_6x, FULL, FULL)


def fulfilment(capacity: float, demand: float, config: OperationsConfig) -> float:
    """Share of a demand on operations met this week, from capacity / demand through Sterman's table for order
    fulfilment (Business Dynamics 2000, ch. 18: the ratio of maximum to desired shipments): close to 1 with
    capacity to spare, bending before the staff are fully loaded (work arrives unevenly, people cannot be split
    across every task), capacity / demand when demand is far above capacity.  1 when nothing is asked, 0 when
    there is nobody to do it."""
    if demand <= 0:
        return FULL
    if capacity <= 0:
        return 0.0
    return float(np.interp(capacity / demand, FULFILMENT_RATIOS, fulfilment_effects(config)))


def capacity_split(capacity: float, service_demand: float, onboarding_demand: float,
                   config: OperationsConfig) -> tuple[float, float]:
    """Work done this week (customer-equivalent weeks) on serving customers and on onboarding the backlog, from
    one team of ``capacity``.  Two ways to share a short team, blended by ``service_priority`` p:

    - *shared* (p = 0): every demand is met in the same share ``f = fulfilment(capacity, service + onboarding)``
      (Sterman 2000, ch. 18): a growing backlog takes a growing slice of the team;
    - *service first* (p = 1): the installed base, under contract, is served first, in the share
      ``fulfilment(capacity, service)``; the backlog gets the fulfilment share of the capacity that leaves
      (Forrester's order backlog: won deals wait for the capacity there is).

    ``service = (1 - p) f S + p f_S S``; ``onboarding = (1 - p) f O + p fulfilment(capacity - f_S S, O) O``; then
    onboarding gets at least ``min(O, min_onboarding_share x capacity)``.  Returns (service work, onboarding work);
    neither exceeds its demand."""
    p = config.service_priority
    shared = fulfilment(capacity, service_demand + onboarding_demand, config)
    served_first = fulfilment(capacity, service_demand, config) * service_demand
    onboarded_after = fulfilment(max(0.0, capacity - served_first), onboarding_demand, config) * onboarding_demand
    service = (1 - p) * shared * service_demand + p * served_first
    onboarding = (1 - p) * shared * onboarding_demand + p * onboarded_after
    return service, max(onboarding, min(onboarding_demand, config.min_onboarding_share * capacity))


def utilisation(capacity: float, demand: float, config: OperationsConfig) -> float:
    """Load over capacity, ``demand / capacity``; ``utilisation_without_capacity`` in a week when work is asked of
    a team with nobody present, 0 when nothing is asked of it."""
    if capacity > 0:
        return demand / capacity
    return config.utilisation_without_capacity if demand > 0 else 0.0


def served_share(service_demand: float, service_work: float) -> float:
    """Share of the installed base's service work done this week (1 when none is asked)."""
    return service_work / service_demand if service_demand > 0 else FULL


def service_quality(served: float, config: OperationsConfig) -> float:
    """Service quality delivered to the installed base: the share of its service work done this week
    (``served_share``, Sterman's fulfilment on serving) against the share a team at the utilisation knee gets
    done, ``clip(served / fulfilment(knee), quality_floor, 1)``: full quality up to the knee (0.85 of capacity), then
    falling as far as the service work that is not done -- 0.92 with the team exactly loaded, 0.55 at twice its
    capacity at the defaults.  Onboarding first would lower it, serving first protects it."""
    at_knee = float(np.interp(1 / config.utilisation_knee, FULFILMENT_RATIOS, fulfilment_effects(config)))
    return float(np.clip(served / at_knee, config.quality_floor, FULL))


def late_weeks(week: int, won_week, normal_weeks: float):
    """Weeks an onboarding finishing this week ran past the normal delivery time, rounded up to whole weeks
    (the win week counts as the first week in the backlog)."""
    return np.maximum(0.0, week - won_week + 1 - np.ceil(normal_weeks))


def littles_law_delay(backlog_work: float, onboarding_work: float, config: OperationsConfig) -> float:
    """The delivery delay the real backlog implies now, by Little's law (W = L / lambda): L deals in the backlog,
    onboarded at lambda deals a week, counted in deal-equivalents as the week's onboarding work over the backlog's
    mean deal size -- so ``W = backlog_work / onboarding_work``, the work the backlog holds (each deal at its full
    onboarding size) over the onboarding work operations did this week.  Fully staffed, each deal gets
    1 / normal of its work a week and W is the normal delay exactly; a backlog that grows faster than operations
    works it makes W grow with it.  An empty backlog implies the normal delay; a backlog that does not move,
    ``max_queue_delay_weeks`` (also the cap)."""
    if backlog_work <= 0:
        return config.normal_delivery_weeks
    if onboarding_work <= 0:
        return config.max_queue_delay_weeks
    return min(config.max_queue_delay_weeks, backlog_work / onboarding_work)


@dataclass
class OperationsWeek:
    """What operations did this week."""

    capacity: float = 0.0
    """Customer-equivalents of work the staff present could do this week."""
    utilisation: float = 0.0
    """Demand on the team (serving plus the backlog's onboarding schedule) over its capacity (read by hiring)."""
    quality: float = 1.0
    """Service quality delivered to the installed base (from the load on the people serving it)."""
    delay: float = 0.0
    """The delivery delay prospects hear of after this week (weeks)."""
    backlog: int = 0
    """Deals won and not yet onboarded at the end of the week."""
    onboarded: int = 0
    backlog_start: int = 0
    """Deals in the backlog while operations worked this week (this week's wins included): Little's stock."""
    backlog_work: float = 0.0
    """Onboarding work those deals hold, each at its full size (customer-equivalent weeks)."""
    onboarding_work: float = 0.0
    """Onboarding work done this week (customer-equivalent weeks): the backlog's outflow."""
    service_work: float = 0.0
    """Serving work done this week (customer-equivalent weeks)."""
    indicated_delay: float = 0.0
    """``littles_law_delay(backlog_work, onboarding_work)``, before prospects hear of it."""
    fulfilment: float = 1.0
    """Share of the onboarding work the backlog asked for that was done this week."""


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
        self.on_order: deque[int] = deque([0] * config.hiring_delay_weeks)
        """People hired and not yet at work, by week of arrival (the first is next week's; Sterman's supply line)."""
        self.delay = config.normal_delivery_weeks
        self.quality = FULL
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

        1. A deal won this week joins the back of the onboarding queue with ``onboarding_total`` work (more for
           custom promises); the queue is in the order deals were won.
        2. Demand on the staff: serving each active customer takes 1 + custom_work_effort x custom load; each
           deal in the backlog asks for ``onboarding_demand`` (its work spread over the normal delivery time).
        3. ``capacity_split`` gives the week's serving work and onboarding work (``service_priority``);
           utilisation = demand / capacity.
        4. The onboarding work goes down the queue, first in first out (``queue_work``); deals whose work is done
           are onboarded, at a satisfaction lowered by every week late.
        5. Quality = ``service_quality`` (the share of the service work done); delivered service = quality x
           (standard + custom load).
        6. Delay now = ``littles_law_delay``(the backlog's work, the onboarding work done); the delay customers
           hear of moves toward it over ``delay_news_weeks``.
        """
        cfg = self.config
        customers = market.active_customers()
        service_demand = float((1 + cfg.custom_work_effort * self.custom_load(market, customers)).sum())
        backlog = np.flatnonzero((market.stage == Stage.CUSTOMER.value) & ~market.onboarded)
        backlog = backlog[np.argsort(market.won_week[backlog], kind="stable")]  # the queue: first won, first served
        total = onboarding_total(cfg, self.custom_load(market, backlog))
        new = market.won_week[backlog] == week
        market.remaining_onboarding[backlog[new]] = total[new]
        remaining = market.remaining_onboarding[backlog]
        asked = onboarding_demand(remaining, total, cfg.normal_delivery_weeks)
        onboarding_asked = float(asked.sum())
        service_work, onboarding_budget = capacity_split(capacity, service_demand, onboarding_asked, cfg)
        work = queue_work(asked, onboarding_budget - (np.cumsum(asked) - asked))
        left = remaining - work
        done = left <= ONBOARDING_DONE_TOLERANCE
        market.remaining_onboarding[backlog] = np.where(done, 0.0, left)
        finished = backlog[done]
        market.onboarded[finished] = True
        late = late_weeks(week, market.won_week[finished], cfg.normal_delivery_weeks)
        market.satisfaction[finished] = np.clip(cfg.onboarded_satisfaction - cfg.late_satisfaction_loss * late,
                                                0.0, FULL)
        onboarding_work = float(work.sum())
        quality = service_quality(served_share(service_demand, service_work), cfg)
        served = np.concatenate([customers, finished])  # = market.active_customers() after onboarding
        market.delivered[served] = quality * (cfg.standard_service + self.custom_load(market, served))
        backlog_work = float(total.sum())
        indicated = self.hear_of_delay(backlog_work, onboarding_work)
        self.quality = quality
        self.last = OperationsWeek(
            capacity=capacity, utilisation=utilisation(capacity, service_demand + onboarding_asked, cfg),
            quality=quality, delay=self.delay, backlog=int(backlog.size - finished.size),
            onboarded=int(finished.size), backlog_start=int(backlog.size), backlog_work=backlog_work,
            onboarding_work=onboarding_work, service_work=service_work, indicated_delay=indicated,
            fulfilment=onboarding_budget / onboarding_asked if onboarding_asked > 0 else FULL)
        return self.last

    def hear_of_delay(self, backlog_work: float, onboarding_work: float) -> float:
        """Little's law gives the delay the backlog implies now (``littles_law_delay``); the delay prospects hear
        of (``delay``) moves toward it by 1/``delay_news_weeks`` of the gap each week (first-order information
        delay, Sterman 2000 ch. 11).  Returns the implied delay."""
        indicated = littles_law_delay(backlog_work, onboarding_work, self.config)
        self.delay += (indicated - self.delay) / self.config.delay_news_weeks
        return indicated

    def plan_hiring(self, staff: int, utilisation: float, pipeline_news: float) -> int:
        """Forrester's capacity rule with its acquisition delay: management perceives delay and utilisation with a
        lag, sets the headcount that would bring both back to normal (utilisation at the target just under the
        knee), and closes the gap between it and the people at work or already hired over
        ``capacity_adjustment_weeks`` (the supply line counted, Sterman 2000 ch. 17 and 19, so a hiring wave does not
        overshoot); a person hired joins the staff ``hiring_delay_weeks`` later (recruiting and ramp-up).  Pipeline
        news from sales (0-1, the information flow from sales to operations) shortens the perception lag by up to
        ``pipeline_news_lag_cut``: with joint planning, operations sees growth coming.  Returns the people who join
        the staff now."""
        cfg = self.config
        lag = max(cfg.delay_perception_weeks * (1 - cfg.pipeline_news_lag_cut * pipeline_news), ONE_STEP_WEEKS)
        self.perceived_delay += (self.delay - self.perceived_delay) / lag
        self.perceived_utilisation += (utilisation - self.perceived_utilisation) / lag
        target_utilisation = cfg.utilisation_knee - cfg.target_utilisation_margin
        desired = staff * max(self.perceived_utilisation / target_utilisation,
                              self.perceived_delay / cfg.normal_delivery_weeks)
        ordered = sum(self.on_order)
        self.hiring += max(0.0, desired - staff - ordered) / cfg.capacity_adjustment_weeks
        hires = min(int(self.hiring), max(0, cfg.max_staff - staff - ordered))
        self.hiring -= int(self.hiring)
        return self.join(hires)

    def join(self, hires: int) -> int:
        """Put this week's hires in the supply line and return the people whose ``hiring_delay_weeks`` are over
        (this week's hires at once when the delay is 0)."""
        self.on_order.append(hires)
        return self.on_order.popleft()
