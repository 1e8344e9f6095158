"""Sales: reviews leads, qualifies them, works opportunities under quota pressure, cares for customers.

Each :class:`SalesRep` is a Mesa agent with limited hours, a selling skill, a read of operations'
real capacity, a quota and this period's bookings.  Its pressure (shortfall x time into the period)
sets how much it discounts and how much it promises beyond what operations can deliver (seed 002's
monthly quota vs long-term brand; seed 003's overpromising).  The funnel rules that act on all
accounts at once are the functions below; they read the reps' choices as arrays indexed by owner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.config import Config, PolicyConfig, SalesConfig
from sim.context import WeekContext
from sim.market import NOBODY, Market, Stage
from sim.pricing import brand_price_shield, price_premium, quota_value, win_price_factor
from sim.streams import to_normal


class SalesRep(Agent):
    """One sales rep.

    Args:
        model: the :class:`~sim.model.AlignmentModel`.
        index: position of this rep in the owner arrays of the market (0 .. reps-1).
        skill: selling-skill multiplier on the win hazard (log-normal, mean 1).
        ops_knowledge: what the rep knows of operations' real capacity (0-1, ``K_S``); it keeps
            promises close to what can be delivered.
    """

    department = "sales"

    def __init__(self, model, index: int, skill: float, ops_knowledge: float):
        super().__init__(model)
        self.index = index
        self.skill = skill
        self.ops_knowledge = ops_knowledge
        self.away = False
        self.bookings = 0.0
        self.pressure = 0.0
        self.discount = 0.0
        self.promise_inflation = 0.0
        self.care_share = 0.0

    def step(self) -> None:
        """Maybe spend a week elsewhere, feel the quota, then set discount, promises and care time."""
        self.away = self.model.relations.maybe_rotate(self)
        self.feel_quota_pressure()
        self.set_discount()
        self.set_promises()
        self.set_care_time()

    def update_knowledge(self, gain: float, forget: float) -> None:
        """Close a share ``gain`` of the gap to full knowledge of operations' capacity and lose a share
        ``forget`` of it, in one step: ``k <- k + gain x (1 - k) - forget x k`` (both shares per event, 0-1)."""
        self.ops_knowledge += gain * (1 - self.ops_knowledge) - forget * self.ops_knowledge

    def learn_on_rotation(self, gain: float) -> None:
        """A week in operations: the rep sees what can be delivered and closes a share ``gain`` of the gap."""
        self.update_knowledge(gain, 0.0)

    def feel_quota_pressure(self) -> None:
        """Pressure = shortfall against quota x share of the period gone (0 at the start, up to 1); the quota is
        :func:`sim.pricing.quota_value` (deals at list price)."""
        cfg: SalesConfig = self.model.config.sales
        into_period = (self.model.week % cfg.quota_period_weeks + 1) / cfg.quota_period_weeks
        quota = quota_value(self.model.config)
        shortfall = max(0.0, 1.0 - self.bookings / quota) if quota > 0 else 0.0
        self.pressure = shortfall * into_period

    def set_discount(self) -> None:
        """Discount rises with pressure, capped by authority.  A rep paid on margin keeps
        ``margin_pay_discount_factor`` of the discount it would give (the discount comes out of its pay); the
        shared goal moves any rep toward that, by its weight w, the way it moves marketing toward the revenue-paid
        threshold and channel mix: the company's goal counts the margin a discount gives up."""
        cfg: SalesConfig = self.model.config.sales
        policy: PolicyConfig = self.model.config.policy
        margin_kept = cfg.margin_pay_discount_factor
        own = margin_kept if policy.sales_pay == "margin" else 1.0
        wanted = (cfg.base_discount + cfg.pressure_discount_slope * self.pressure) * (
            own + policy.shared_goal_weight * (margin_kept - own))
        self.discount = min(policy.max_discount, wanted)

    def set_promises(self) -> None:
        """Promise inflation = slope x pressure x (1 - knowledge of operations) x (1 - shared-goal weight): a rep
        whose reward is the company's goal, in which operations' capacity and the customers kept count, promises
        what can be delivered in proportion to that weight (judgement)."""
        cfg: SalesConfig = self.model.config.sales
        w = self.model.config.policy.shared_goal_weight
        self.promise_inflation = cfg.promise_inflation_slope * self.pressure * (1 - self.ops_knowledge) * (1 - w)

    def set_care_time(self) -> None:
        """Share of hours given to existing customers ("the last sale").  Paid on new revenue only, a rep
        gives the policy's share and lets quota pressure eat into it; paid on total revenue or margin,
        where existing customers count in the pay, the policy's share plus ``own_care_share`` of the hours it
        leaves, of their own accord.  The share is a ceiling: a rep gives no more care time than its customers
        need (:func:`selling_hours`)."""
        policy: PolicyConfig = self.model.config.policy
        reserved = policy.account_management_share
        if policy.sales_pay == "new_revenue":
            self.care_share = reserved * (1.0 - self.pressure)
        else:
            self.care_share = reserved + self.model.config.sales.own_care_share * (1.0 - reserved)


@dataclass
class SalesWeek:
    """What the sales funnel did this week (counts of accounts, plus the sales cycles of the wins), assembled
    from the records the funnel rules return (:meth:`of`)."""

    accepted_from_marketing: int = 0
    expired: int = 0
    sla_breaches: int = 0
    qualified: int = 0
    disqualified: int = 0
    self_sourced: int = 0
    won: int = 0
    lost: int = 0
    bookings: float = 0.0
    discount_given: float = 0.0
    lead_won: int = 0
    lead_failed: int = 0
    cycles: np.ndarray | None = None

    @classmethod
    def of(cls, review: LeadReview, discovery: Discovery, deals: Deals, self_sourced: int) -> SalesWeek:
        """The week's funnel from what lead review, discovery, deal work and prospecting returned."""
        return cls(accepted_from_marketing=review.accepted, expired=review.expired,
                   sla_breaches=review.sla_breaches, qualified=discovery.qualified,
                   disqualified=discovery.disqualified, self_sourced=self_sourced, won=int(deals.won.size),
                   lost=deals.lost, bookings=deals.bookings, discount_given=deals.discount_given,
                   lead_won=deals.lead_won, lead_failed=discovery.lead_failed + deals.lead_failed,
                   cycles=deals.cycles)


@dataclass(frozen=True)
class QuotaPeriod:
    """The quota period's sales flows so far, read by the period review."""

    accepted_from_marketing: int = 0
    expired: int = 0
    bookings: float = 0.0
    """Annual contract value booked in the period (EUR per year)."""
    won: int = 0
    lost: int = 0

    def plus(self, week: SalesWeek) -> QuotaPeriod:
        """The tally with one more week's funnel added."""
        return QuotaPeriod(accepted_from_marketing=self.accepted_from_marketing + week.accepted_from_marketing,
                           expired=self.expired + week.expired, bookings=self.bookings + week.bookings,
                           won=self.won + week.won, lost=self.lost + week.lost)


@dataclass
class RepArrays:
    """The reps' current choices, as arrays indexed by rep (the owner codes of the market)."""

    hours: np.ndarray
    skill: np.ndarray
    discount: np.ndarray
    promise_inflation: np.ndarray
    care_share: np.ndarray
    customers: np.ndarray
    """Active customers each rep owns this week (:meth:`sim.accounts.AccountLayer.customers_per_rep`, taken when
    the sales desk opens: wins of the week are not onboarded and churn comes later, so it holds all week)."""

    @classmethod
    def of(cls, reps: list[SalesRep], hours_per_week: float, meeting_hours: float,
           customers: np.ndarray) -> RepArrays:
        """Collect the reps' attributes; a rep away on rotation has no selling hours this week."""
        return cls(hours=np.array([0.0 if r.away else hours_per_week - meeting_hours for r in reps]),
                   skill=np.array([r.skill for r in reps]), discount=np.array([r.discount for r in reps]),
                   promise_inflation=np.array([r.promise_inflation for r in reps]),
                   care_share=np.array([r.care_share for r in reps]), customers=customers)


def selling_hours(reps: RepArrays, config: SalesConfig) -> np.ndarray:
    """Hours each rep has for leads and deals this week (hours per rep): its hours less the care time it gives,
    which is its care share of its hours or what its customers (``reps.customers``) need for full care
    (``hours_per_customer_care`` each), whichever is less: reserved care time its customers do not need goes back
    to selling."""
    care = np.minimum(reps.hours * reps.care_share, reps.customers * config.hours_per_customer_care)
    return reps.hours - care


def customers_per_rep(market: Market, n_reps: int) -> np.ndarray:
    """Active (onboarded) customers each rep owns."""
    owner = market.owner[(market.stage == Stage.CUSTOMER.value) & market.onboarded]
    return np.bincount(owner[owner != NOBODY], minlength=n_reps)


def workload(market: Market, reps: RepArrays, config: SalesConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per rep: the share of open-deal work that gets done this week (intensity, 0-1) and the
    overload (demand / available hours - 1, at least 0).

    Open deals are accepted leads and opportunities; each takes ``hours_per_open_deal`` a week.
    Available hours are what is left after care time (:func:`selling_hours`) and reviewing this week's new leads;
    a rep with open deals
    and no hours left (away on rotation, or buried in new leads) is at ``overload_cap``, one with no open deals at 0.
    """
    n = reps.hours.size
    open_deals = np.bincount(market.owner[(market.stage == Stage.ACCEPTED.value)
                                          | (market.stage == Stage.OPPORTUNITY.value)],
                             minlength=n)
    new_leads = np.bincount(market.owner[(market.stage == Stage.LEAD.value) & ~market.reviewed], minlength=n)
    selling = selling_hours(reps, config)
    available = np.maximum(selling - new_leads * config.hours_per_lead_review, 0.0)
    demand = open_deals * config.hours_per_open_deal
    intensity = np.where(demand > 0, np.minimum(1.0, available / np.maximum(demand, 1e-9)), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # no hours and open deals: overload at its cap
        overload = np.where(demand > 0, np.maximum(0.0, demand / available - 1.0), 0.0)
    return intensity, np.minimum(overload, config.overload_cap)


@dataclass
class LeadReview:
    """What lead review did this week."""

    accepted: int
    """Leads sales accepted (SAL) this week."""
    by_channel: np.ndarray
    """Of them, the ones per inquiry channel (organic, targeted, broad: ``Market.channel``)."""
    expired: int = 0
    """Unworked leads that timed out and went back to the prospect pool."""
    sla_breaches: int = 0
    """SLA leads not followed up by the agreed week."""


def lead_read(fit, in_market, noise, signal: float, in_market_share: float):
    """A rep's first read of a lead (estimated fit units): its fit, plus ``signal`` x (in market -
    ``in_market_share``) for the signs of a live project (a budget holder on the call, a date to decide by),
    plus ``noise``; centred, so the mean read is the mean fit whatever the signal.  ``signal`` is
    ``sales.project_signal``, the share ``market.in_market_share``.  Arrays or floats."""
    return fit + signal * (in_market - in_market_share) + noise


def followup_chance(overload, slope: float):
    """Chance that a rep gets to a lead outside the fresh review this week (a late pick-up or an SLA follow-up):
    ``1 / (1 + slope x overload)``, 1 for a rep with spare hours, falling as the open work exceeds them.  ``slope``
    is ``sales.busy_followup_slope``."""
    return 1.0 / (1.0 + slope * overload)


def review_leads(market: Market, ctx: WeekContext, trust_in_marketing: float, overload: np.ndarray) -> LeadReview:
    """Sales acceptance (SAL), MECHANISMS rule 4.

    A new lead is in market (it has a funded project in its buying window) with probability
    ``market.in_market_share``.
    A rep reads it (:func:`lead_read`) and works it when the read is at least
    ``acceptance_threshold + distrust_slope x (1 - trust in marketing) + overload_slope x overload``.
    An ignored lead may still be picked up later in a quiet week; under a lead SLA, a lead that meets
    the agreed definition must be followed up within the agreed weeks, and compliance falls with
    overload, not with distrust.  Leads older than ``lead_timeout_weeks`` go back to the pool.
    Draws, one per lead: the read (``lead_review``), the late pick-up (``lead_pickup``), whether a new lead is in
    market (``in_market``), SLA compliance (``sla_compliance``).
    """
    config, policy, week = ctx.config.sales, ctx.config.policy, ctx.week
    leads = market.in_stage(Stage.LEAD)
    owner = market.owner[leads]
    waited = week - market.stage_week[leads]
    fresh = ~market.reviewed[leads]
    threshold = (config.acceptance_threshold + config.distrust_threshold_slope * (1 - trust_in_marketing)
                 + config.overload_threshold_slope * overload[owner])
    draws = ctx.uniforms(leads, ("lead_review", 0), ("lead_pickup", 0), ("in_market", 0),
                         *((("sla_compliance", 0),) if policy.lead_sla else ()))
    share = market.config.in_market_share
    market.in_market[leads[fresh]] = draws[2, fresh] < share
    read = lead_read(market.fit[leads], market.in_market[leads], to_normal(draws[0], config.estimation_noise),
                     config.project_signal, share)
    accept = fresh & (read >= threshold)
    quiet = followup_chance(overload[owner], config.busy_followup_slope)
    accept |= ~fresh & (draws[1] < config.late_pickup_probability * quiet)
    breaches = 0
    if policy.lead_sla:
        due = market.marketing_estimate[leads] >= policy.sla_fit_threshold
        complied = draws[3] < quiet
        accept |= due & complied & (waited < policy.sla_followup_weeks)
        breaches = int(np.count_nonzero(due & ~accept & (waited == policy.sla_followup_weeks)))
    market.reviewed[leads] = True
    taken = leads[accept]
    freshness = np.exp(-market.config.lead_decay * waited[accept])
    market.move(taken, Stage.ACCEPTED, week)
    market.freshness[taken] = freshness
    market.accepted_week[taken] = week
    timed_out = leads[~accept & (waited >= market.config.lead_timeout_weeks)]
    market.rest(timed_out, Stage.PROSPECT, week)
    return LeadReview(accepted=int(taken.size), by_channel=np.bincount(market.channel[taken], minlength=3),
                      expired=int(timed_out.size), sla_breaches=breaches)


@dataclass
class Discovery:
    """What discovery calls did this week."""

    qualified: int = 0
    """Accepted leads that became opportunities (SQL)."""
    disqualified: int = 0
    """Accepted leads dropped at qualification."""
    lead_failed: int = 0
    """Of the dropped, the ones marketing had sourced."""


def approval_wait_weeks(u, mean_weeks: float):
    """Whole weeks an approval file waits, from uniforms ``u``: an exponential wait of mean ``mean_weeks``, counted
    until the first weekly approval round after it (rounded up: a file is never approved the week it arrives)."""
    return np.ceil(max(mean_weeks, 1e-9) * -np.log1p(-u))


def qualify(market: Market, ctx: WeekContext, approval_share: float, approval_weeks: float,
            intensity: np.ndarray) -> Discovery:
    """Discovery calls (SAL to SQL): after ``qualification_weeks`` of work, the rep reads fit more
    precisely and opens an opportunity when the read clears ``qualification_threshold`` and the account is in
    market (discovery finds out whether the project is funded and timed: BANT's budget and timing); a lead that
    waited too long has gone cold with probability 1 - exp(-lead_decay x weeks waited) (Oldroyd et al.
    2011).  An overloaded rep gets to it later.  New opportunities may need purchasing's approval.
    Draws, per lead: whether the rep gets to the call, the read and the lead's warmth (``discovery``); whether
    the opportunity needs approval and its wait (``approval``).
    """
    config, week = ctx.config.sales, ctx.week
    accepted = market.in_stage(Stage.ACCEPTED)
    draws = ctx.uniforms(accepted, ("discovery", 0), ("discovery", 1), ("discovery", 2))
    called = (week - market.stage_week[accepted] >= config.qualification_weeks) & (
        draws[0] < intensity[market.owner[accepted]])
    ready = accepted[called]
    read = market.fit[ready] + to_normal(draws[1, called], config.qualification_noise)
    warm = draws[2, called] < market.freshness[ready]
    passed = (read >= config.qualification_threshold) & warm & market.in_market[ready]
    opportunities, dropped = ready[passed], ready[~passed]
    market.move(opportunities, Stage.OPPORTUNITY, week)
    approval = ctx.uniforms(opportunities, ("approval", 0), ("approval", 1))
    needs_approval = approval[0] < approval_share
    waits = approval_wait_weeks(approval[1], approval_weeks)
    market.approval_wait[opportunities] = np.where(needs_approval & (approval_weeks > 0), waits, 0)
    lead_failed = int(np.count_nonzero(market.via_marketing[dropped]))
    market.rest(dropped, Stage.DISQUALIFIED, week)
    return Discovery(qualified=int(opportunities.size), disqualified=int(dropped.size), lead_failed=lead_failed)


@dataclass(frozen=True)
class DealTerms:
    """What makes a deal close beyond the rep: enablement, delivery credibility and brand this week, and the
    pricing terms of the live configuration (:meth:`of`)."""

    enablement: float
    """Usefulness of marketing's sales material (0-1)."""
    credibility: float
    """Multiplier on the win hazard from the delivery delay prospects hear of (Forrester's table)."""
    brand_level: float
    """Brand stock relative to its reference (1 = as at the start)."""
    brand_price_effect: float
    brand_price_half_level: float
    reference_price: float
    price_response: float
    standard_service: float
    list_price: float
    discount_targeting: float
    mean_price_sensitivity: float
    max_discount: float

    @classmethod
    def of(cls, config: Config, enablement: float, credibility: float, brand_level: float) -> DealTerms:
        """This week's terms: the three measured inputs, the rest read from the config (schema fields only)."""
        return cls(enablement=enablement, credibility=credibility, brand_level=brand_level,
                   brand_price_effect=config.marketing.brand_price_effect,
                   brand_price_half_level=config.marketing.brand_price_half_level,
                   reference_price=config.market.reference_price, price_response=config.market.price_response,
                   standard_service=config.operations.standard_service, list_price=config.market.list_price,
                   discount_targeting=config.policy.discount_targeting,
                   mean_price_sensitivity=config.market.price_sensitivity_mean,
                   max_discount=config.policy.max_discount)


def offered_discount(rep_discount, price_sensitivity, terms: DealTerms):
    """The discount a buyer is offered: the rep's discount, aimed at price-sensitive buyers as far as
    ``terms.discount_targeting`` says (x ((1 - t) + t x sensitivity / mean sensitivity)), capped at the
    discount authority.  With no targeting it is the rep's discount unchanged."""
    t = terms.discount_targeting
    if t == 0:
        return rep_discount
    aim = (1 - t) + t * price_sensitivity / max(terms.mean_price_sensitivity, 1e-9)
    return np.minimum(terms.max_discount, rep_discount * aim)


def deal_price_factor(offered, price_sensitivity, terms: DealTerms):
    """Multiplier on the win hazard from the price offered, list x (1 - offered discount), against the buyer's
    alternative (:func:`sim.pricing.win_price_factor`), for buyers whose price sensitivity the brand has lowered
    (:func:`sim.pricing.brand_price_shield`).  Arrays or floats."""
    sensitivity = price_sensitivity * (1 - brand_price_shield(terms.brand_level, terms.brand_price_effect,
                                                              terms.brand_price_half_level))
    premium = price_premium(terms.list_price * (1 - offered), terms.reference_price)
    return win_price_factor(premium, sensitivity, terms.price_response)


@dataclass
class Deals:
    """What deal work did this week."""

    won: np.ndarray
    """Indices of the deals won (now customers waiting for onboarding)."""
    lost: int = 0
    bookings: float = 0.0
    """Annual contract value booked (EUR per year)."""
    discount_given: float = 0.0
    """List price minus contract value over the wins (EUR per year)."""
    lead_won: int = 0
    """Wins that marketing had sourced."""
    lead_failed: int = 0
    """Losses that marketing had sourced."""
    cycles: np.ndarray | None = None
    """Weeks from acceptance to the win, per win."""


def work_opportunities(market: Market, ctx: WeekContext, reps: RepArrays, intensity: np.ndarray,
                       terms: DealTerms) -> Deals:
    """Win and loss of open opportunities, MECHANISMS rule 5.

    Weekly win hazard = base x fit^alpha x skill x intensity x (1 + e_E x enablement) x price factor
    x (1 + e_P x promise inflation) x delivery credibility; no win while purchasing's approval is pending.  The
    price factor (:func:`deal_price_factor`) compares the price offered, list x (1 - discount), with the
    buyer's alternative.  Loss hazard = base_loss x (loss_hazard_offset - fit), x approval_loss_multiplier while
    the deal waits for approval (it slips to a competitor).
    Won deals become customers waiting for onboarding at the offered discount (:func:`offered_discount`) and
    the rep's promise.  Draws: one per open deal (``selling``).
    """
    config, week = ctx.config.sales, ctx.week
    opps = market.in_stage(Stage.OPPORTUNITY)
    owner = market.owner[opps]
    waiting = market.approval_wait[opps] > 0
    offered = offered_discount(reps.discount[owner], market.price_sensitivity[opps], terms)
    win = (config.base_win_hazard * market.fit[opps] ** config.fit_exponent * reps.skill[owner] * intensity[owner]
           * (1 + config.enablement_effect * terms.enablement)
           * deal_price_factor(offered, market.price_sensitivity[opps], terms)
           * (1 + config.promise_effect * reps.promise_inflation[owner]) * terms.credibility)
    win = np.where(waiting, 0.0, win)
    loss = (config.base_loss_hazard * (config.loss_hazard_offset - market.fit[opps])
            * np.where(waiting, config.approval_loss_multiplier, 1.0))
    p_win, p_loss = 1 - np.exp(-win), 1 - np.exp(-loss)
    u = ctx.uniform("selling", opps)
    won_mask = u < p_win
    lost_mask = ~won_mask & (u < p_win + p_loss * (1 - p_win))
    won, lost = opps[won_mask], opps[lost_mask]
    d = offered[won_mask]
    market.move(won, Stage.CUSTOMER, week)
    market.won_week[won] = week
    market.discount[won] = d
    market.contract_value[won] = terms.list_price * (1 - d)
    market.promised[won] = np.minimum(1.0, terms.standard_service * (1 + reps.promise_inflation[market.owner[won]]))
    market.onboarded[won] = False
    deals = Deals(won=won, lost=int(lost.size), bookings=float(market.contract_value[won].sum()),
                  discount_given=float((terms.list_price * d).sum()), lead_won=int(np.count_nonzero(
                      market.via_marketing[won])), lead_failed=int(np.count_nonzero(market.via_marketing[lost])),
                  cycles=week - market.accepted_week[won])
    market.rest(lost, Stage.PROSPECT, week)
    return deals


def lowest_eligible(order: np.ndarray, eligible: np.ndarray, n_eligible: int, size: int) -> np.ndarray:
    """The ``size`` accounts with the lowest ``order`` (one uniform per account of the market) among the
    ``n_eligible`` where the mask ``eligible`` holds, in index order: a sample without replacement whose members are
    the same in two arms wherever their pools agree.  Only the accounts under a threshold a few times
    ``size / n_eligible`` are ranked, so the cost is that of one pass over the market, not of sorting the pool."""
    threshold = min(1.0, 4 * size / max(n_eligible, 1) + 0.001)
    while True:
        candidates = np.flatnonzero(eligible & (order < threshold))
        if candidates.size >= size or threshold >= 1.0:
            break
        threshold = min(1.0, 2 * threshold)
    if candidates.size > size:
        candidates = candidates[np.argpartition(order[candidates], size - 1)[:size]]
    return np.sort(candidates)


def prospect(market: Market, ctx: WeekContext, reps: RepArrays, intensity: np.ndarray) -> int:
    """Reps with free hours find their own leads: each screens ``prospects_screened_per_lead`` aware
    prospects per lead it opens and opens the ones it reads as best (:func:`lead_read`; self-sourced leads skip
    marketing and go straight to SAL).  Returns the leads opened.  Draws (``prospecting``): per rep, the
    fractional lead; per account of the market, its place in the screening order; per account screened, the read;
    and (``in_market``) whether each screened account is in market.
    """
    config, week = ctx.config.sales, ctx.week
    selling = selling_hours(reps, config)
    free = np.where(intensity >= 1.0, selling, 0.0) * config.prospecting_share
    expected = free / config.hours_per_prospect
    n_per_rep = np.floor(expected) + (ctx.uniform("prospecting", np.arange(expected.size), 0) < expected % 1)
    total = int(n_per_rep.sum())
    eligible = market.in_contact_pool(week) & market.aware
    pool_size = int(np.count_nonzero(eligible))
    if total == 0 or pool_size == 0:
        return 0
    size = min(pool_size, config.prospects_screened_per_lead * total)
    if size < pool_size:
        screened = lowest_eligible(ctx.rng("prospecting").random(market.size), eligible, pool_size, size)
    else:
        screened = np.flatnonzero(eligible)
    share = market.config.in_market_share
    market.in_market[screened] = ctx.uniform("in_market", screened, 1) < share
    read = lead_read(market.fit[screened], market.in_market[screened],
                     ctx.normal("prospecting", screened, config.estimation_noise, 1), config.project_signal, share)
    opened = screened[np.argsort(-read)[:total]]
    owners = np.repeat(np.arange(expected.size), n_per_rep.astype(int))[:opened.size]
    market.move(opened, Stage.ACCEPTED, week)
    market.owner[opened] = owners
    market.via_marketing[opened] = False
    market.freshness[opened] = 1.0
    market.accepted_week[opened] = week
    return int(opened.size)


def care_per_customer(market: Market, customers: np.ndarray, reps: RepArrays, config: SalesConfig) -> np.ndarray:
    """Account-management care each customer gets (0-1): the owner's care hours divided by the hours
    its customers need (``hours_per_customer_care`` each), capped at full care."""
    owner = market.owner[customers]
    served = np.bincount(owner[owner != NOBODY], minlength=reps.hours.size)
    need = served * config.hours_per_customer_care
    care = np.where(need > 0, np.minimum(1.0, reps.hours * reps.care_share / np.maximum(need, 1e-9)), 1.0)
    return np.where(owner != NOBODY, care[np.maximum(owner, 0)], 0.0)
