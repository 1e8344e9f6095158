"""The reference account layer written the textbook Mesa way: one ``mesa.Agent`` per account.

Used for two things only (it is not part of the package):

* the speed ratio of the vectorised model (``benchmarks/run_benchmarks.py``);
* the statistical equivalence test (``tests/test_equivalence.py``): same config, many seeds, same
  distributions of the key outputs, so that the vectorised fast path is shown to be the same model.

:class:`AccountAgents` implements :class:`sim.accounts.AccountLayer`, the interface the model calls, and
:class:`PerAgentModel` is :class:`sim.model.AlignmentModel` with that layer and nothing else changed: it
overrides no method.  The staff, the departments, the relations layer, the period review, the observer
and the summary are the real ones.  The accounts are :class:`Account` agents, each holding its own state as
plain attributes and applying the rules of MECHANISMS to itself one account at a time, activated in stages
with ``AgentSet.do`` (Mesa 3's staged activation): campaigns and awareness, inquiry and marketing
qualification, lead review, discovery, deal work, onboarding and service, satisfaction, expansion, churn
and billing.  What needs the whole market at once (a campaign's reach, a rep's workload, operations'
first-in first-out queue, purchasing's approval order, a rep's prospecting) is done by the layer from a
pass over the agents, as a textbook Mesa model would.  Every coefficient is read from the config.

The initial population is drawn exactly as in the vectorised model (a
:class:`~sim.accounts.VectorisedMarket` is built from the model's streams, then copied into the agents);
every draw after that comes from Mesa's ``self.random`` one account at a time, so the two layers agree in
distribution, not draw for draw.  The streams of the week's context (``ctx.rng``) are therefore not used
here; the context's week and live config are.  Being Mesa agents of the model, the accounts are also activated by
the model's
``agents.shuffle_do("step")`` with the staff; their ``step`` is Mesa's no-op (a cost a textbook model pays).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.agentset import AgentSet

from sim.accounts import CustomerWeek, VectorisedMarket
from sim.config import Config, MarketConfig, PolicyConfig, SalesConfig
from sim.context import Clock, WeekContext
from sim.departments.marketing import ORGANIC, CampaignMemory, CampaignResponse, campaign_response
from sim.departments.operations import (ONBOARDING_DONE_TOLERANCE, Operations, OperationsWeek, capacity_split,
                                       late_weeks, onboarding_demand, onboarding_total, queue_work, served_share,
                                       service_quality, utilisation)
from sim.departments.sales import (DealTerms, Deals, Discovery, LeadReview, RepArrays, SalesWeek, approval_wait_weeks,
                                   deal_price_factor, followup_chance, lead_read, offered_discount,
                                   selling_hours)
from sim.market import (NOBODY, WEEKS_PER_YEAR, AccountSnapshot, AwarenessHazard, Stage, awareness_hazard,
                        aware_probability, inquiry_source, inquiry_thresholds, invoice)
from sim.pricing import price_paid, price_premium, renewal_price_factor
from sim.model import AlignmentModel
from sim.week import InquiryWeek

PROSPECT, LEAD, ACCEPTED, OPPORTUNITY, CUSTOMER, CHURNED, DISQUALIFIED = (s.value for s in Stage)


class Account(mesa.Agent):
    """One business account: fixed traits, funnel stage and the state of its relationship with us.

    Args:
        model: the model the account belongs to.
        index: its position in the market (the index of the array-shaped views).
        fit, price_sensitivity, urgency: its fixed traits.
    """

    def __init__(self, model: mesa.Model, index: int, fit: float, price_sensitivity: float, urgency: float):
        super().__init__(model)
        self.index = index
        self.fit = fit
        self.price_sensitivity = price_sensitivity
        self.urgency = urgency
        self.aware = False
        self.stage = PROSPECT
        self.stage_week = 0
        self.quiet_until = 0
        self.owner = NOBODY
        self.via_marketing = False
        self.channel = ORGANIC
        self.marketing_estimate = 0.0
        self.reviewed = False
        self.in_market = False
        self.freshness = 1.0
        self.accepted_week = 0
        self.approval_wait = 0
        self.discount = 0.0
        self.promised = 0.0
        self.delivered = 0.0
        self.satisfaction = 0.0
        self.contract_value = 0.0
        self.won_week = -10**6
        self.installed_base = False
        self.onboarded = False
        self.remaining_onboarding = 0.0
        self.targeted = self.broad = False

    # ----------------------------------------------------------------- bookkeeping
    def move(self, stage: int, week: int) -> None:
        """Enter ``stage`` as of ``week``."""
        self.stage = stage
        self.stage_week = week

    def rest(self, stage: int, week: int, market: MarketConfig) -> None:
        """Go to ``stage`` (prospect or disqualified), unowned, and stay quiet for ``recycle_weeks``."""
        self.move(stage, week)
        self.owner = NOBODY
        self.via_marketing = False
        self.reviewed = False
        self.quiet_until = week + market.recycle_weeks

    @property
    def active(self) -> bool:
        """An onboarded customer (served and billed)."""
        return self.stage == CUSTOMER and self.onboarded

    def reachable(self, week: int) -> bool:
        """A prospect not resting after a failed attempt (campaigns and inquiries can reach it)."""
        return self.stage == PROSPECT and self.quiet_until <= week

    def custom_load(self, flexibility: float, standard_service: float) -> float:
        """Service above standard that operations takes on for this account."""
        return flexibility * max(0.0, self.promised - standard_service)

    # ----------------------------------------------------------------- marketing: campaigns, awareness, inquiry
    def hear(self, week: int, p_broad: float, n_targeted: float, weight_sum: float, exponent: float,
             hazard: float, touch_awareness: float) -> None:
        """Campaign touches (if in the contact pool), then awareness: the Bass hazard, and a touch remembered
        with probability ``touch_awareness`` (:func:`sim.market.aware_probability`)."""
        self.targeted = self.broad = False
        if self.reachable(week) and weight_sum > 0:
            self.broad = self.random.random() < p_broad
            self.targeted = self.random.random() < min(1.0, n_targeted * self.fit ** exponent / weight_sum)
        touched = self.targeted or self.broad
        if not self.aware and self.random.random() < aware_probability(hazard, touch_awareness, touched):
            self.aware = True

    def inquire(self, week: int, noise: list[float], threshold: float, n_reps: int, market: MarketConfig,
                response: CampaignResponse, weight_mean: float, out: InquiryWeek) -> None:
        """Get in touch when the need arises: urgency x (the brand-raised organic rate + the targeted channel's
        response x this account's targeting weight + the broad channel's), one draw deciding whether and
        through which source (:func:`sim.market.inquiry_thresholds`); a marketer drawn at random
        qualifies the inquiry as a lead for a random rep, or nurtures it (back to the pool, resting)."""
        if not (self.reachable(week) and self.aware):
            return
        exponent = response.targeting_exponent
        weight = self.fit ** exponent / weight_mean if exponent != 0 else 1.0
        thresholds = inquiry_thresholds(self.urgency, response.organic, response.targeted, response.broad, weight)
        source = int(inquiry_source(self.random.random(), thresholds))
        if source < 0:
            return
        out.inquiries += 1
        self.channel = source  # ORGANIC, TARGETED or BROAD
        sd = noise[self.random.randrange(len(noise))]
        estimate = self.fit + self.random.gauss(0.0, 1.0) * sd
        if estimate < threshold:
            self.rest(PROSPECT, week, market)
            return
        out.leads += 1
        self.move(LEAD, week)
        self.marketing_estimate = estimate
        self.via_marketing = True
        self.reviewed = False
        self.owner = self.random.randrange(n_reps)

    # ----------------------------------------------------------------- sales
    def add_to_workload(self, open_deals: np.ndarray, new_leads: np.ndarray) -> None:
        """Count this account in its owner's open deals or unreviewed leads."""
        if self.stage == ACCEPTED or self.stage == OPPORTUNITY:
            open_deals[self.owner] += 1
        elif self.stage == LEAD and not self.reviewed:
            new_leads[self.owner] += 1

    def review(self, week: int, config: SalesConfig, policy: PolicyConfig, market: MarketConfig,
               trust_in_marketing: float, overload: np.ndarray, out: SalesWeek, accepted: np.ndarray) -> None:
        """A rep reviews this lead (MECHANISMS rule 4): a new lead is worked when the rep's read of fit clears
        the threshold (raised by distrust and overload), an ignored one may be picked up in a quiet week, a
        lead SLA makes the rep follow up due leads, and a lead too old goes back to the pool."""
        if self.stage != LEAD:
            return
        over = float(overload[self.owner])
        waited = week - self.stage_week
        fresh = not self.reviewed
        threshold = (config.acceptance_threshold + config.distrust_threshold_slope * (1 - trust_in_marketing)
                     + config.overload_threshold_slope * over)
        noise = self.random.gauss(0.0, config.estimation_noise)
        if fresh:
            self.in_market = self.random.random() < market.in_market_share
        read = lead_read(self.fit, self.in_market, noise, config.project_signal, market.in_market_share)
        accept = fresh and read >= threshold
        quiet = float(followup_chance(over, config.busy_followup_slope))
        late_pickup = self.random.random() < config.late_pickup_probability * quiet
        accept = accept or (not fresh and late_pickup)
        if policy.lead_sla:
            due = self.marketing_estimate >= policy.sla_fit_threshold
            complied = self.random.random() < quiet
            accept = accept or (due and complied and waited < policy.sla_followup_weeks)
            out.sla_breaches += int(due and not accept and waited == policy.sla_followup_weeks)
        self.reviewed = True
        if accept:
            self.move(ACCEPTED, week)
            self.freshness = math.exp(-market.lead_decay * waited)
            self.accepted_week = week
            out.accepted_from_marketing += 1
            accepted[self.channel] += 1
        elif waited >= market.lead_timeout_weeks:
            out.expired += 1
            self.rest(PROSPECT, week, market)

    def discover(self, week: int, config: SalesConfig, market: MarketConfig, intensity: np.ndarray,
                 approval_share: float, approval_weeks: float, out: SalesWeek) -> None:
        """Discovery calls: after ``qualification_weeks``, when the owner gets to it, a precise read of fit
        opens an opportunity (if the lead is still warm) that may need purchasing's approval, or not."""
        if self.stage != ACCEPTED:
            return
        ready = week - self.stage_week >= config.qualification_weeks
        if not (self.random.random() < intensity[self.owner] and ready):
            return
        read = self.fit + self.random.gauss(0.0, config.qualification_noise)
        warm = self.random.random() < self.freshness
        if read >= config.qualification_threshold and warm and self.in_market:
            self.move(OPPORTUNITY, week)
            needs_approval = self.random.random() < approval_share
            wait = int(approval_wait_weeks(self.random.random(), approval_weeks))
            self.approval_wait = wait if (needs_approval and approval_weeks > 0) else 0
            out.qualified += 1
        else:
            out.disqualified += 1
            out.lead_failed += int(self.via_marketing)
            self.rest(DISQUALIFIED, week, market)

    def wait_one_week_less(self) -> None:
        """Purchasing moved this approval file one week forward."""
        self.approval_wait -= 1

    def negotiate(self, week: int, config: SalesConfig, market: MarketConfig, reps: RepArrays,
                  intensity: np.ndarray, terms: DealTerms, out: SalesWeek, booked: np.ndarray,
                  cycles: list[int], won: list[int]) -> None:
        """Win or loss of this opportunity this week (MECHANISMS rule 5)."""
        if self.stage != OPPORTUNITY:
            return
        o = self.owner
        waiting = self.approval_wait > 0
        offered = float(offered_discount(reps.discount[o], self.price_sensitivity, terms))
        win = 0.0 if waiting else (
            config.base_win_hazard * self.fit ** config.fit_exponent * reps.skill[o] * intensity[o]
            * (1 + config.enablement_effect * terms.enablement)
            * float(deal_price_factor(offered, self.price_sensitivity, terms))
            * (1 + config.promise_effect * reps.promise_inflation[o]) * terms.credibility)
        loss = (config.base_loss_hazard * (config.loss_hazard_offset - self.fit)
                * (config.approval_loss_multiplier if waiting else 1.0))
        p_win, p_loss = 1 - math.exp(-win), 1 - math.exp(-loss)
        u = self.random.random()
        if u < p_win:
            self.sign(week, offered, float(reps.promise_inflation[o]), terms, out)
            booked[o] += self.contract_value
            cycles.append(week - self.accepted_week)
            won.append(self.index)
        elif u < p_win + p_loss * (1 - p_win):
            out.lost += 1
            out.lead_failed += int(self.via_marketing)
            self.rest(PROSPECT, week, market)

    def sign(self, week: int, discount: float, promise_inflation: float, terms: DealTerms, out: SalesWeek) -> None:
        """Become a customer waiting for onboarding at the rep's discount and promise."""
        self.move(CUSTOMER, week)
        self.won_week = week
        self.discount = discount
        self.contract_value = terms.list_price * (1 - discount)
        self.promised = min(1.0, terms.standard_service * (1 + promise_inflation))
        self.onboarded = False
        out.won += 1
        out.bookings += self.contract_value
        out.discount_given += terms.list_price * discount
        out.lead_won += int(self.via_marketing)

    def open_own_lead(self, owner: int, week: int) -> None:
        """A rep opens this prospect as its own lead (self-sourced: straight to SAL)."""
        self.move(ACCEPTED, week)
        self.owner = owner
        self.via_marketing = False
        self.freshness = 1.0
        self.accepted_week = week

    # ----------------------------------------------------------------- operations
    def onboarding_total(self, ops: Operations) -> float:
        """Work this account's onboarding takes in all (more for custom promises)."""
        return onboarding_total(ops.config, self.custom_load(ops.flexibility, ops.config.standard_service))

    def join_backlog(self, week: int, ops: Operations, asked: list[float]) -> None:
        """A deal won this week gets its onboarding work; every deal in the backlog asks for its weekly
        schedule (appended to ``asked``)."""
        total = self.onboarding_total(ops)
        if self.won_week == week:
            self.remaining_onboarding = total
        asked.append(float(onboarding_demand(self.remaining_onboarding, total, ops.config.normal_delivery_weeks)))

    def work_on_onboarding(self, week: int, ops: Operations, budget_left: float, finished: list[Account]) -> float:
        """At this deal's turn in the queue operations has ``budget_left`` of the week's onboarding work: the deal
        takes its weekly schedule or what is left (``queue_work``); when no work is left the customer is onboarded
        at a satisfaction lowered by every week late (appended to ``finished``).  Returns the work it took."""
        cfg = ops.config
        total = self.onboarding_total(ops)
        asked = float(onboarding_demand(self.remaining_onboarding, total, cfg.normal_delivery_weeks))
        work = float(queue_work(asked, budget_left))
        left = self.remaining_onboarding - work
        if left > ONBOARDING_DONE_TOLERANCE:
            self.remaining_onboarding = left
            return work
        self.remaining_onboarding = 0.0
        self.onboarded = True
        late = float(late_weeks(week, self.won_week, cfg.normal_delivery_weeks))
        self.satisfaction = min(1.0, max(0.0, cfg.onboarded_satisfaction - cfg.late_satisfaction_loss * late))
        finished.append(self)
        return work

    def receive_service(self, quality: float, ops: Operations) -> None:
        """Delivered service = quality x (standard + custom load)."""
        standard = ops.config.standard_service
        self.delivered = quality * (standard + self.custom_load(ops.flexibility, standard))

    # ----------------------------------------------------------------- customers
    def care_received(self, care: np.ndarray) -> float:
        """Account-management care from the owner (0 when no rep owns the account)."""
        return float(care[self.owner]) if self.owner != NOBODY else 0.0

    def live_as_customer(self, week: int, market: MarketConfig, care: np.ndarray, out: CustomerWeek) -> None:
        """Satisfaction drifts toward what delivery and care justify; expand; churn; or pay the invoice."""
        if not self.active:
            return
        c = self.care_received(care)
        target = (market.satisfaction_base + market.disconfirmation_weight * (self.delivered - self.promised)
                  + market.care_weight * (c - 0.5))
        s = (self.satisfaction + market.satisfaction_adjustment * (target - self.satisfaction)
             + self.random.gauss(0.0, market.satisfaction_noise))
        self.satisfaction = s = min(1.0, max(0.0, s))
        if self.random.random() < market.expansion_annual / WEEKS_PER_YEAR * s * c:
            added = self.contract_value * market.expansion_size
            self.contract_value += added
            out.expansion += added
        shortfall = max(0.0, market.satisfaction_neutral - s)
        premium = price_premium(price_paid(market, self.discount), market.reference_price)
        annual = min(market.churn_annual_satisfied * math.exp(market.churn_satisfaction_slope * shortfall)
                     * float(renewal_price_factor(premium, self.price_sensitivity, market.renewal_price_response)),
                     market.churn_annual_max)
        if self.random.random() < 1.0 - (1.0 - annual) ** (1.0 / WEEKS_PER_YEAR):
            self.move(CHURNED, week)
            self.onboarded = False
            self.owner = NOBODY
            out.churned += 1
            return
        amount, first_year, from_installed_base = invoice(self.contract_value, self.won_week, self.installed_base,
                                                          week)
        if first_year:
            out.revenue_new += amount
        else:
            out.revenue_recurring += amount
        if from_installed_base:
            out.revenue_installed_base += amount

    def snapshot(self, week: int) -> AccountSnapshot:
        """A readable copy of this account's state at ``week``."""
        return AccountSnapshot(
            index=self.index, stage=Stage(self.stage).name.lower(), weeks_in_stage=week - self.stage_week,
            fit=self.fit, price_sensitivity=self.price_sensitivity, urgency=self.urgency, aware=self.aware,
            owner=self.owner, via_marketing=self.via_marketing, promised_service=self.promised,
            delivered_service=self.delivered, satisfaction=self.satisfaction, contract_value=self.contract_value,
            discount=self.discount, tenure_weeks=max(0, week - self.won_week) if self.stage == CUSTOMER else 0,
            onboarded=self.onboarded)


COPIED = ("aware", "stage", "stage_week", "owner", "won_week", "onboarded", "discount", "contract_value",
          "promised", "delivered", "satisfaction", "installed_base")
"""State of the initial population copied from the vectorised market into the agents (the rest starts blank)."""


class AccountAgents:
    """The :class:`~sim.accounts.AccountLayer` over one :class:`Account` agent per account.

    Args:
        config: the model's config.
        accounts: the account agents, in market order.
        random: the generator that orders activations (the model's ``random``).
        clock: the model's week.
    """

    def __init__(self, config: Config, accounts: list[Account], random, clock: Clock):
        self.config = config
        self.by_index = accounts
        """The account agents in market order (account ``i`` is ``by_index[i]``)."""
        self.accounts = AgentSet(accounts, random=random)
        """The account agents as a Mesa ``AgentSet`` (activated in stages with ``do``)."""
        self.random = random
        self.size = len(accounts)
        self.clock = clock
        """The week, shared with the model."""

    @property
    def week(self) -> int:
        """The current week (the model's clock)."""
        return self.clock.week

    @classmethod
    def for_model(cls, model) -> AccountAgents:
        """Draw the market as the vectorised layer does (same generator, same calls) and copy it into agents."""
        drawn = VectorisedMarket.for_model(model)
        accounts = []
        for i in range(drawn.size):
            a = Account(model, i, float(drawn.fit[i]), float(drawn.price_sensitivity[i]), float(drawn.urgency[i]))
            for name in COPIED:
                setattr(a, name, getattr(drawn, name)[i].item())
            accounts.append(a)
        layer = cls(model.config, accounts, model.random, model.clock)
        layer.start_contract_value = drawn.start_contract_value.copy()
        """Contract value each account held at the start of week 0 (fixed: the base of revenue retention)."""
        return layer

    def _where(self, predicate) -> list[Account]:
        """The accounts for which ``predicate(account)`` holds, in market order."""
        return [a for a in self.by_index if predicate(a)]

    # ----------------------------------------------------------------- marketing
    def reach(self, ctx: WeekContext, spend, field_knowledge, brand_level) -> CampaignResponse:
        """Campaigns touch reachable prospects (broad at random, targeted by fit ** (precision x field
        knowledge)); unaware accounts learn of us (Bass, slowed by detractors, and remembered touches).  Each
        account keeps whether it was touched; returns this week's inquiry response (the brand's pull and each
        demand channel's adstocked, saturating response: the layer keeps the channels' memory), for
        :meth:`inquire`."""
        config, week = ctx.config.marketing, ctx.week
        pool = self._where(lambda a: a.reachable(week))
        exponent = config.targeting_precision * field_knowledge
        weight_sum = sum(a.fit ** exponent for a in pool)
        p_broad = min(1.0, spend["broad"] / config.cost_per_touch_broad / len(pool)) if pool else 0.0
        n_targeted = spend["targeted"] / config.cost_per_touch_targeted
        hazard = self._awareness_hazard(brand_level, config.brand_awareness_effect).total
        self.accounts.do("hear", week, p_broad, n_targeted, weight_sum, exponent, hazard, config.touch_awareness)
        memory = self.__dict__.setdefault("campaign_memory", CampaignMemory())
        return campaign_response(memory, spend, ctx.config.market, config, brand_level, field_knowledge)

    def _awareness_hazard(self, brand_level: float, brand_effect: float) -> AwarenessHazard:
        """Weekly Bass hazard by source (:func:`sim.market.awareness_hazard`), the net promoter share counted
        account by account."""
        market = self.config.market
        satisfaction = [a.satisfaction for a in self.by_index if a.active]
        net_promoters = (sum(s > market.promoter_satisfaction for s in satisfaction)
                         - sum(s < market.detractor_satisfaction for s in satisfaction)) / self.size
        return awareness_hazard(market, brand_effect, brand_level, net_promoters)

    def inquire(self, ctx: WeekContext, reach, qualification_noise, mql_threshold) -> tuple[int, int]:
        """Aware prospects inquire, each qualified by a marketer drawn at random.  Returns (inquiries, leads).
        The targeted response is shared by fit ** exponent over its mean among the aware prospects of the pool."""
        out = InquiryWeek(inquiries=0, leads=0)
        n_reps, week = ctx.config.sales.reps, ctx.week
        audience = [a.fit ** reach.targeting_exponent for a in self.by_index if a.reachable(week) and a.aware]
        weight_mean = sum(audience) / len(audience) if audience else 1.0
        self.accounts.do("inquire", week, qualification_noise.tolist(), mql_threshold, n_reps, self.config.market,
                         reach, weight_mean, out)
        return out.inquiries, out.leads

    # ----------------------------------------------------------------- sales
    def customers_per_rep(self, n_reps: int) -> np.ndarray:
        """Active customers each rep owns."""
        counts = np.zeros(n_reps, dtype=np.int64)
        for a in self.accounts:
            if a.active and a.owner != NOBODY:
                counts[a.owner] += 1
        return counts

    def workload(self, reps: RepArrays, config: SalesConfig) -> tuple[np.ndarray, np.ndarray]:
        """Per rep: intensity (share of open-deal work done, 0-1) and overload (demand / hours - 1, capped)."""
        n = reps.hours.size
        open_deals, new_leads = np.zeros(n), np.zeros(n)
        self.accounts.do("add_to_workload", open_deals, new_leads)
        available = np.maximum(selling_hours(reps, config)
                               - new_leads * config.hours_per_lead_review, 0.0)
        demand = open_deals * config.hours_per_open_deal
        intensity = np.where(demand > 0, np.minimum(1.0, available / np.maximum(demand, 1e-9)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            overload = np.where(demand > 0, np.maximum(0.0, demand / available - 1.0), 0.0)
        return intensity, np.minimum(overload, config.overload_cap)

    def review_leads(self, ctx: WeekContext, trust_in_marketing, overload) -> LeadReview:
        """Reps review their leads, each account adding itself to the week's tally."""
        out, accepted = SalesWeek(), np.zeros(3, dtype=np.int64)
        self.accounts.do("review", ctx.week, ctx.config.sales, ctx.config.policy, self.config.market,
                         float(trust_in_marketing), overload, out, accepted)
        return LeadReview(accepted=out.accepted_from_marketing, by_channel=accepted, expired=out.expired,
                          sla_breaches=out.sla_breaches)

    def qualify(self, ctx: WeekContext, approval_share, approval_weeks, intensity) -> Discovery:
        """Discovery calls turn accepted leads into opportunities or drop them."""
        out = SalesWeek()
        self.accounts.do("discover", ctx.week, ctx.config.sales, self.config.market, intensity, approval_share,
                         approval_weeks, out)
        return Discovery(qualified=out.qualified, disqualified=out.disqualified, lead_failed=out.lead_failed)

    def approve(self, officers_present: int, approvals_per_officer: int) -> int:
        """The oldest files first (by week the opportunity opened, then market order)."""
        pending = self._where(lambda a: a.stage == OPPORTUNITY and a.approval_wait > 0)
        oldest = sorted(pending, key=lambda a: a.stage_week)[:officers_present * approvals_per_officer]
        AgentSet(oldest, random=self.random).do("wait_one_week_less")
        return len(pending)

    def work_opportunities(self, ctx: WeekContext, reps, intensity, terms) -> tuple[Deals, np.ndarray]:
        """Deals are won or lost; returns what deal work did and the bookings of the week per rep (EUR of
        annual contract value)."""
        out, booked = SalesWeek(), np.zeros(reps.hours.size)
        cycles: list[int] = []
        won: list[int] = []
        self.accounts.do("negotiate", ctx.week, ctx.config.sales, self.config.market, reps, intensity, terms, out,
                         booked, cycles, won)
        deals = Deals(won=np.array(won, dtype=np.int64), lost=out.lost, bookings=out.bookings,
                      discount_given=out.discount_given, lead_won=out.lead_won, lead_failed=out.lead_failed,
                      cycles=np.array(cycles, dtype=np.int64))
        return deals, booked

    def prospect(self, ctx: WeekContext, reps, intensity) -> int:
        """Reps with free hours screen ``prospects_screened_per_lead`` aware prospects per lead they open and
        open the ones they read as best.  Returns the leads opened."""
        config, week = ctx.config.sales, ctx.week
        selling = selling_hours(reps, config)
        free = np.where(intensity >= 1.0, selling, 0.0) * config.prospecting_share
        expected = free / config.hours_per_prospect
        owners = [rep for rep, e in enumerate(expected)
                  for _ in range(int(math.floor(e)) + (self.random.random() < e % 1))]
        pool = self._where(lambda a: a.reachable(week) and a.aware)
        if not owners or not pool:
            return 0
        screened = self.random.sample(pool, min(len(pool), config.prospects_screened_per_lead * len(owners)))
        share = self.config.market.in_market_share
        for a in screened:
            a.in_market = self.random.random() < share
        reads = sorted(((lead_read(a.fit, a.in_market, self.random.gauss(0.0, config.estimation_noise),
                                   config.project_signal, share), a) for a in screened), key=lambda read: -read[0])
        opened = 0
        for (_, account), owner in zip(reads, owners):
            account.open_own_lead(owner, week)
            opened += 1
        return opened

    # ----------------------------------------------------------------- operations
    def serve_and_onboard(self, operations: Operations, capacity: float, week: int) -> OperationsWeek:
        """Serve active customers and onboard the backlog with the same staff: ``capacity_split`` gives the week's
        serving and onboarding work (``service_priority``), the onboarding work goes down the queue deal by deal in
        the order they were won (first in, first out); quality is the share of the service work done; the delay
        customers hear of moves toward the backlog's work over the onboarding work done (Little's law).  Sets the
        department's ``delay``, ``quality`` and ``last``."""
        cfg = operations.config
        customers = self._where(lambda a: a.active)
        service_demand = sum(1 + cfg.custom_work_effort * a.custom_load(operations.flexibility, cfg.standard_service)
                             for a in customers)
        backlog = AgentSet(self._where(lambda a: a.stage == CUSTOMER and not a.onboarded), random=self.random)
        asked: list[float] = []
        backlog.do("join_backlog", week, operations, asked)
        onboarding_asked = sum(asked)
        service_work, budget = capacity_split(capacity, service_demand, onboarding_asked, cfg)
        backlog_work = sum(a.onboarding_total(operations) for a in backlog)
        finished: list[Account] = []
        left = budget
        for deal in sorted(backlog, key=lambda a: (a.won_week, a.index)):  # the queue: first won, first served
            left -= deal.work_on_onboarding(week, operations, left, finished)
        onboarding_work = budget - left
        quality = service_quality(served_share(service_demand, service_work), cfg)
        AgentSet(customers + finished, random=self.random).do("receive_service", quality, operations)
        indicated = operations.hear_of_delay(backlog_work, onboarding_work)
        operations.quality = quality
        operations.last = OperationsWeek(
            capacity=capacity, utilisation=utilisation(capacity, service_demand + onboarding_asked, cfg),
            quality=quality, delay=operations.delay, backlog=len(backlog) - len(finished), onboarded=len(finished),
            backlog_start=len(backlog), backlog_work=backlog_work, onboarding_work=onboarding_work,
            service_work=service_work, indicated_delay=indicated,
            fulfilment=budget / onboarding_asked if onboarding_asked > 0 else 1.0)
        return operations.last

    # ----------------------------------------------------------------- customers
    def live_as_customers(self, ctx: WeekContext, reps) -> CustomerWeek:
        """Each customer gets its owner's share of care hours, judges, buys more or leaves, and pays."""
        config, week = ctx.config.sales, ctx.week
        customers = self._where(lambda a: a.active)
        served = np.zeros(reps.hours.size)
        for a in customers:
            if a.owner != NOBODY:
                served[a.owner] += 1
        need = served * config.hours_per_customer_care
        care = np.where(need > 0, np.minimum(1.0, reps.hours * reps.care_share / np.maximum(need, 1e-9)), 1.0)
        out = CustomerWeek(care_mean=sum(a.care_received(care) for a in customers) / len(customers)
                           if customers else 0.0)
        self.accounts.do("live_as_customer", week, self.config.market, care, out)
        out.active = sum(a.active for a in self.by_index)
        out.promise_gap, out.satisfaction_mean = self.promise_gap(), self.mean_satisfaction()
        return out

    # ----------------------------------------------------------------- observation
    def _column(self, name: str, dtype) -> np.ndarray:
        """One attribute of every account, in market order."""
        return np.array([getattr(a, name) for a in self.by_index], dtype=dtype)

    @property
    def stage(self) -> np.ndarray:
        """Funnel stage per account (:class:`~sim.market.Stage` codes)."""
        return self._column("stage", np.int8)

    @property
    def stage_week(self) -> np.ndarray:
        """Week each account entered its stage."""
        return self._column("stage_week", np.int64)

    @property
    def won_week(self) -> np.ndarray:
        """Week each account was won (far in the past when never)."""
        return self._column("won_week", np.int64)

    @property
    def onboarded(self) -> np.ndarray:
        """Whether each account is an onboarded customer's (served and billed)."""
        return self._column("onboarded", bool)

    @property
    def contract_value(self) -> np.ndarray:
        """Annual contract value per account (EUR per year)."""
        return self._column("contract_value", float)

    @property
    def installed_base(self) -> np.ndarray:
        """Whether each account was a customer at week 0."""
        return self._column("installed_base", bool)

    def stage_counts(self) -> np.ndarray:
        """Accounts per funnel stage, in :class:`~sim.market.Stage` order."""
        return np.bincount(self.stage, minlength=len(Stage))

    def active_customers(self) -> np.ndarray:
        """Indices of onboarded customers."""
        return np.array([a.index for a in self.by_index if a.active], dtype=np.int64)

    def promise_gap(self) -> float:
        """Mean service promised minus delivered over active customers (0 when there are none)."""
        gaps = [a.promised - a.delivered for a in self.by_index if a.active]
        return sum(gaps) / len(gaps) if gaps else 0.0

    def mean_satisfaction(self) -> float:
        """Mean satisfaction of active customers (NaN when there are none)."""
        satisfaction = [a.satisfaction for a in self.by_index if a.active]
        return sum(satisfaction) / len(satisfaction) if satisfaction else np.nan

    def account(self, i: int) -> AccountSnapshot:
        """A readable snapshot of account ``i``."""
        if not 0 <= i < self.size:
            raise IndexError(f"account index {i} is out of range: allowed [0, {self.size - 1}]")
        return self.by_index[i].snapshot(self.week)


class PerAgentModel(AlignmentModel):
    """:class:`~sim.model.AlignmentModel` with one Mesa agent per account: only the account layer differs."""

    account_layer = AccountAgents
