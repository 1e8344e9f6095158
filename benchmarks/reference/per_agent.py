"""The reference model written the textbook Mesa way: one ``mesa.Agent`` per account.

Used for two things only (it is not part of the package):

* the speed ratio of the vectorised model (``benchmarks/run_benchmarks.py``);
* the statistical equivalence test (``tests/test_equivalence.py``): same config, many seeds, same
  distributions of the key outputs, so that the vectorised fast path is shown to be the same model.

Only the account layer differs from :class:`sim.model.AlignmentModel`.  The staff (marketers, reps,
operations staff, purchasing officers) are the real Mesa agents of ``sim.departments``; the department
objects (:class:`~sim.departments.marketing.Marketing`, :class:`~sim.departments.operations.Operations`),
the relations layer, the period review, the weekly recorder and the summary are the real ones.  The
accounts are :class:`Account` agents, each holding its own state as plain attributes and applying the
rules of MECHANISMS to itself one account at a time, activated in stages with ``AgentSet.do`` (Mesa 3's
staged activation): campaigns and awareness, inquiry and marketing qualification, lead review,
discovery, deal work, onboarding and service, satisfaction, expansion, churn and billing.  What needs the
whole market at once (a campaign's reach, a rep's workload, operations' first-in first-out queue,
purchasing's approval order, a rep's prospecting) is done by the model from a pass over the agents,
as a textbook Mesa model would.

The initial population is drawn exactly as in the vectorised model (same generator, same calls) and
copied into the agents; every draw after that comes from Mesa's ``self.random`` one account at a time,
so the two models agree in distribution, not draw for draw.
"""

from __future__ import annotations

import math

import mesa
from mesa.agentset import AgentSet
import numpy as np

from sim.departments.marketing import BROAD, CHANNELS, ORGANIC, TARGETED
from sim.departments.operations import MIN_ONBOARDING_SHARE, OperationsWeek, delivery_credibility
from sim.departments.purchasing import APPROVALS_PER_OFFICER, PurchasingOfficer, approval_terms
from sim.departments.sales import DealTerms, RepArrays, SalesWeek
from sim.market import NOBODY, WEEKS_PER_YEAR, Stage
from sim.model import MEETING_HOURS, AlignmentModel
from sim.relations import MARKETING, SALES

PROSPECT, LEAD, ACCEPTED, OPPORTUNITY, CUSTOMER, CHURNED, DISQUALIFIED = (int(s) for s in Stage)


class Account(mesa.Agent):
    """One business account: fixed traits, funnel stage and the state of its relationship with us."""

    def __init__(self, model: PerAgentModel, fit: float, price_sensitivity: float, urgency: float):
        super().__init__(model)
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
        self.freshness = 1.0
        self.accepted_week = 0
        self.approval_wait = 0
        self.discount = 0.0
        self.promised = 0.0
        self.delivered = 0.0
        self.satisfaction = 0.0
        self.contract_value = 0.0
        self.won_week = -10**6
        self.onboarded = False
        self.remaining_onboarding = 0.0
        self.targeted = self.broad = False

    # ----------------------------------------------------------------- bookkeeping
    def move(self, stage: int, week: int) -> None:
        self.stage = stage
        self.stage_week = week

    def rest(self, stage: int, week: int) -> None:
        self.move(stage, week)
        self.owner = NOBODY
        self.via_marketing = False
        self.reviewed = False
        self.quiet_until = week + self.model.config.market.recycle_weeks

    @property
    def active(self) -> bool:
        return self.stage == CUSTOMER and self.onboarded

    # ----------------------------------------------------------------- stage 1: campaigns, awareness, inquiry
    def hear(self, week: int, p_broad: float, n_targeted: float, weight_sum: float, exponent: float,
             p_aware: float) -> None:
        """Campaign touches (if in the campaign pool), then Bass awareness."""
        self.targeted = self.broad = False
        if self.stage == PROSPECT and self.quiet_until <= week and weight_sum > 0:
            self.broad = self.random.random() < p_broad
            weight = self.fit ** exponent
            self.targeted = self.random.random() < min(1.0, n_targeted * weight / weight_sum)
        if not self.aware and (self.random.random() < p_aware or self.targeted or self.broad):
            self.aware = True

    def inquire(self, week: int, noise: list[float], threshold: float) -> None:
        """Get in touch (urgency x inquiry rate, more when a campaign touched us); marketing qualifies."""
        if not (self.stage == PROSPECT and self.aware and self.quiet_until <= week):
            return
        cfg = self.model.config.market
        touched = self.targeted or self.broad
        if self.random.random() >= self.urgency * (cfg.inquiry_rate + cfg.campaign_response * touched):
            return
        model = self.model
        model.tally["inquiries"] += 1
        self.channel = TARGETED if self.targeted else BROAD if self.broad else ORGANIC
        sd = noise[self.random.randrange(len(noise))]
        estimate = self.fit + self.random.gauss(0.0, 1.0) * sd
        if estimate >= threshold:
            model.tally["leads"] += 1
            self.move(LEAD, week)
            self.marketing_estimate = estimate
            self.via_marketing = True
            self.reviewed = False
            self.owner = self.random.randrange(model.config.sales.reps)
        else:
            self.rest(PROSPECT, week)

    # ----------------------------------------------------------------- stage 2: sales
    def review(self, week: int, trust_in_marketing: float, overload: np.ndarray, out: SalesWeek) -> None:
        """A rep reviews this lead (MECHANISMS rule 4)."""
        if self.stage != LEAD:
            return
        cfg, policy, mcfg = self.model.config.sales, self.model.config.policy, self.model.config.market
        over = float(overload[self.owner])
        waited = week - self.stage_week
        fresh = not self.reviewed
        threshold = (cfg.acceptance_threshold + cfg.distrust_threshold_slope * (1 - trust_in_marketing)
                     + cfg.overload_threshold_slope * over)
        read = self.fit + self.random.gauss(0.0, cfg.estimation_noise)
        accept = fresh and read >= threshold
        quiet = 1.0 / (1.0 + over)
        late = self.random.random() < cfg.late_pickup_probability * quiet
        accept = accept or (not fresh and late)
        if policy.lead_sla:
            due = self.marketing_estimate >= policy.sla_fit_threshold
            complied = self.random.random() < quiet
            accept = accept or (due and complied and waited < policy.sla_followup_weeks)
            out.sla_breaches += int(due and not accept and waited == policy.sla_followup_weeks)
        self.reviewed = True
        out.reviewed += int(fresh)
        if accept:
            self.move(ACCEPTED, week)
            self.freshness = math.exp(-mcfg.lead_decay * waited)
            self.accepted_week = week
            out.accepted += 1
            out.accepted_from_marketing += 1
            self.model.marketing.period_accepted[self.channel] += 1
        elif waited >= mcfg.lead_timeout_weeks:
            out.expired += 1
            self.rest(PROSPECT, week)

    def discover(self, week: int, intensity: np.ndarray, approval_share: float, approval_weeks: float,
                 out: SalesWeek) -> None:
        """Discovery calls: after qualification_weeks, a precise read of fit opens an opportunity or not."""
        if self.stage != ACCEPTED:
            return
        cfg = self.model.config.sales
        ready = week - self.stage_week >= cfg.qualification_weeks
        if not (self.random.random() < intensity[self.owner] and ready):
            return
        read = self.fit + self.random.gauss(0.0, cfg.qualification_noise)
        warm = self.random.random() < self.freshness
        if read >= cfg.qualification_threshold and warm:
            self.move(OPPORTUNITY, week)
            needs_approval = self.random.random() < approval_share
            wait = max(1, round(self.random.expovariate(1.0 / max(approval_weeks, 1e-9))))
            self.approval_wait = wait if (needs_approval and approval_weeks > 0) else 0
            out.qualified += 1
        else:
            out.disqualified += 1
            out.lead_failed += int(self.via_marketing)
            self.rest(DISQUALIFIED, week)

    def negotiate(self, week: int, reps: RepArrays, intensity: np.ndarray, terms: DealTerms, out: SalesWeek,
                  cycles: list[int]) -> None:
        """Win or loss of this opportunity this week (MECHANISMS rule 5)."""
        if self.stage != OPPORTUNITY:
            return
        cfg = self.model.config.sales
        o = self.owner
        waiting = self.approval_wait > 0
        sensitivity = self.price_sensitivity * (1 - terms.brand_price_effect * min(terms.brand_level, 1.0))
        win = 0.0 if waiting else (
            cfg.base_win_hazard * self.fit ** cfg.fit_exponent * reps.skill[o] * intensity[o]
            * (1 + cfg.enablement_effect * terms.enablement)
            * (1 + cfg.discount_effect * reps.discount[o] * sensitivity)
            * (1 + cfg.promise_effect * reps.promise_inflation[o]) * terms.credibility)
        loss = cfg.base_loss_hazard * (1.3 - self.fit) * (1.5 if waiting else 1.0)
        p_win, p_loss = 1 - math.exp(-win), 1 - math.exp(-loss)
        u = self.random.random()
        if u < p_win:
            d = float(reps.discount[o])
            self.move(CUSTOMER, week)
            self.won_week = week
            self.discount = d
            self.contract_value = terms.list_price * (1 - d)
            self.promised = min(1.0, terms.standard_service * (1 + reps.promise_inflation[o]))
            self.onboarded = False
            out.won += 1
            out.bookings += self.contract_value
            out.discount_given += terms.list_price * d
            cycles.append(week - self.accepted_week)
            out.lead_won += int(self.via_marketing)
            self.model.rep_bookings[o] += self.contract_value
        elif u < p_win + p_loss * (1 - p_win):
            out.lost += 1
            out.lead_failed += int(self.via_marketing)
            self.rest(PROSPECT, week)

    # ----------------------------------------------------------------- stage 4: customers
    def live_as_customer(self, week: int, care: np.ndarray) -> None:
        """Satisfaction drifts toward what delivery and care justify; expand; churn; pay the invoice."""
        if not (self.stage == CUSTOMER and self.onboarded):
            return
        cfg, model = self.model.config.market, self.model
        c = float(care[self.owner]) if self.owner != NOBODY else 0.0
        target = (cfg.satisfaction_base + cfg.disconfirmation_weight * (self.delivered - self.promised)
                  + cfg.care_weight * (c - 0.5))
        s = self.satisfaction + cfg.satisfaction_adjustment * (target - self.satisfaction) + self.random.gauss(0, 0.02)
        self.satisfaction = s = min(1.0, max(0.0, s))
        model.care_total += c
        model.care_count += 1
        if self.random.random() < cfg.expansion_annual / WEEKS_PER_YEAR * s * c:
            added = self.contract_value * cfg.expansion_size
            self.contract_value += added
            model.tally["expansion"] += added
        annual = min(cfg.churn_annual_satisfied * math.exp(cfg.churn_satisfaction_slope
                                                            * max(0.0, cfg.satisfaction_neutral - s)), 0.99)
        if self.random.random() < 1.0 - (1.0 - annual) ** (1.0 / WEEKS_PER_YEAR):
            self.move(CHURNED, week)
            self.onboarded = False
            self.owner = NOBODY
            model.tally["churned"] += 1
            return
        invoice = self.contract_value / WEEKS_PER_YEAR
        model.tally["new" if week - self.won_week < WEEKS_PER_YEAR else "recurring"] += invoice


class AccountsView:
    """Read-only, array-shaped view of the account agents, for the recorder, the period review and the
    summary of :class:`sim.model.AlignmentModel` (what a DataCollector's agent reporters would collect)."""

    def __init__(self, accounts: list[Account], config):
        self.accounts = accounts
        self.config = config
        self.size = len(accounts)

    def _column(self, name: str, dtype=float) -> np.ndarray:
        return np.array([getattr(a, name) for a in self.accounts], dtype=dtype)

    stage = property(lambda self: self._column("stage", np.int8))
    stage_week = property(lambda self: self._column("stage_week", np.int64))
    won_week = property(lambda self: self._column("won_week", np.int64))
    promised = property(lambda self: self._column("promised"))
    delivered = property(lambda self: self._column("delivered"))
    satisfaction = property(lambda self: self._column("satisfaction"))

    def stage_counts(self) -> np.ndarray:
        return np.bincount(self.stage, minlength=len(Stage))

    def active_customers(self) -> np.ndarray:
        return np.array([i for i, a in enumerate(self.accounts) if a.active], dtype=np.int64)


class PerAgentModel(AlignmentModel):
    """:class:`~sim.model.AlignmentModel` with one Mesa agent per account instead of the vectorised market."""

    def __init__(self, config, rng=None):
        super().__init__(config, rng=rng)
        m = self.market  # the vectorised initial population: same draws as the fast model, copied into agents
        accounts = []
        for i in range(m.size):
            a = Account(self, float(m.fit[i]), float(m.price_sensitivity[i]), float(m.urgency[i]))
            a.aware = bool(m.aware[i])
            a.stage = int(m.stage[i])
            a.stage_week = int(m.stage_week[i])
            a.owner = int(m.owner[i])
            a.won_week = int(m.won_week[i])
            a.onboarded = bool(m.onboarded[i])
            a.discount = float(m.discount[i])
            a.contract_value = float(m.contract_value[i])
            a.promised = float(m.promised[i])
            a.delivered = float(m.delivered[i])
            a.satisfaction = float(m.satisfaction[i])
            accounts.append(a)
        self.account_list = accounts
        self.accounts = AgentSet(accounts, random=self.random)
        self.market = AccountsView(accounts, config.market)

    # ------------------------------------------------------------------ one week (same order as the fast model)
    def step(self) -> None:
        self.week = self.steps - 1
        self.relations.week = self.week
        policy = self.config.policy
        meeting = policy.joint_meetings > 0 and self.week % policy.joint_meetings == 0
        staff = [a for kind, agents in self.agents_by_type.items() if kind is not Account for a in agents]
        AgentSet(staff, random=self.random).shuffle_do("step")
        if meeting:
            self.relations.hold_meeting(self.marketers, self.reps)
        self.tally = dict.fromkeys(("inquiries", "leads", "expansion", "churned", "new", "recurring"), 0)
        spend = self._market_and_marketing()
        sales_week, reps = self._sell(meeting)
        ops_week = self._deliver()
        revenue_new, revenue_recurring, churned, expansion = self._serve_customers(reps)
        self.relations.share_information(self.marketers, self.reps)
        self.relations.recover_trust()
        self._record(spend, self.tally["inquiries"], self.tally["leads"], sales_week, ops_week, revenue_new,
                     revenue_recurring, churned, expansion)

    def _market_and_marketing(self):
        cfg, week, accounts = self.config, self.week, self.account_list
        spend = {c: sum(mk.spend[c] for mk in self.marketers) for c in CHANNELS}
        self.marketing.record(spend)
        self.marketing.invest_in_brand(spend["brand"])
        knowledge = float(np.mean([mk.field_knowledge for mk in self.marketers]))
        exponent = cfg.marketing.targeting_precision * knowledge
        pool = [a for a in accounts if a.stage == PROSPECT and a.quiet_until <= week]
        weight_sum = sum(a.fit ** exponent for a in pool)
        p_broad = min(1.0, spend["broad"] / cfg.marketing.cost_per_touch_broad / len(pool)) if pool else 0.0
        n_targeted = spend["targeted"] / cfg.marketing.cost_per_touch_targeted
        mc = cfg.market
        sat = [a.satisfaction for a in accounts if a.active]
        net_promoters = (sum(s > 0.7 for s in sat) - sum(s < 0.3 for s in sat)) / len(accounts)
        hazard = (mc.bass_innovation / WEEKS_PER_YEAR * (1 + self.marketing.brand_level)
                  + cfg.marketing.brand_awareness_effect * self.marketing.brand_level
                  + mc.bass_imitation / WEEKS_PER_YEAR * net_promoters)
        p_aware = 1.0 - math.exp(-max(hazard, 0.0))
        self.accounts.do("hear", week, p_broad, n_targeted, weight_sum, exponent, p_aware)
        noise = [mk.qualification_noise for mk in self.marketers]
        self.accounts.do("inquire", week, noise, self.marketing.mql_threshold)
        return spend

    def _workload(self, reps: RepArrays):
        cfg, n = self.config.sales, reps.hours.size
        open_deals, new_leads = np.zeros(n), np.zeros(n)
        for a in self.account_list:
            if a.stage == ACCEPTED or a.stage == OPPORTUNITY:
                open_deals[a.owner] += 1
            elif a.stage == LEAD and not a.reviewed:
                new_leads[a.owner] += 1
        available = np.maximum(reps.hours * (1 - reps.care_share) - new_leads * cfg.hours_per_lead_review, 0.0)
        demand = open_deals * cfg.hours_per_open_deal
        intensity = np.where(demand > 0, np.minimum(1.0, available / np.maximum(demand, 1e-9)), 1.0)
        overload = np.where(available > 0, np.maximum(0.0, demand / np.maximum(available, 1e-9) - 1.0), 1.0)
        return intensity, np.minimum(overload, 3.0)

    def _sell(self, meeting: bool):
        cfg, week = self.config, self.week
        reps = RepArrays.of(self.reps, cfg.sales.hours_per_week, MEETING_HOURS if meeting else 0.0)
        intensity, overload = self._workload(reps)
        out = SalesWeek()
        self.accounts.do("review", week, float(self.relations.trust[SALES, MARKETING]), overload, out)
        share, wait = approval_terms(cfg.policy.purchasing_rigidity, cfg.purchasing.enabled,
                                     cfg.purchasing.approval_share_max, cfg.purchasing.approval_weeks_max)
        self.accounts.do("discover", week, intensity, share, wait, out)
        if cfg.purchasing.enabled:  # purchasing moves the oldest pending approvals forward
            officers = sum(not o.away for o in self.agents_by_type[PurchasingOfficer])
            pending = [a for a in self.account_list if a.stage == OPPORTUNITY and a.approval_wait > 0]
            for a in sorted(pending, key=lambda a: a.stage_week)[:officers * APPROVALS_PER_OFFICER]:
                a.approval_wait -= 1
            self.pending_approvals = len(pending)
        else:
            self.pending_approvals = 0
        terms = DealTerms(enablement=self.enablement,
                          credibility=delivery_credibility(self.operations.delay, cfg.operations.normal_delivery_weeks),
                          brand_level=self.marketing.brand_level, brand_price_effect=cfg.marketing.brand_price_effect,
                          standard_service=cfg.operations.standard_service, list_price=cfg.market.list_price)
        self.rep_bookings = np.zeros(len(self.reps))
        cycles: list[int] = []
        self.accounts.do("negotiate", week, reps, intensity, terms, out, cycles)
        out.cycles = np.array(cycles, dtype=np.int64)
        for rep, amount in zip(self.reps, self.rep_bookings):
            rep.bookings += amount
        self._prospect(reps, intensity, out)
        self._accumulate(out)
        return out, reps

    def _prospect(self, reps: RepArrays, intensity: np.ndarray, out: SalesWeek) -> None:
        """Reps with free hours screen three aware prospects per lead they open and open the best reads."""
        cfg, week = self.config.sales, self.week
        free = np.where(intensity >= 1.0, reps.hours * (1 - reps.care_share), 0.0) * cfg.prospecting_share
        expected = free / cfg.hours_per_prospect
        n_per_rep = [int(math.floor(e)) + (self.random.random() < e % 1) for e in expected]
        total = sum(n_per_rep)
        pool = [a for a in self.account_list if a.stage == PROSPECT and a.aware and a.quiet_until <= week]
        if total == 0 or not pool:
            return
        screened = self.random.sample(pool, min(len(pool), 3 * total))
        reads = [(a.fit + self.random.gauss(0.0, cfg.estimation_noise), a) for a in screened]
        reads.sort(key=lambda r: -r[0])
        owners = [rep for rep, k in enumerate(n_per_rep) for _ in range(k)]
        for (_, a), owner in zip(reads[:total], owners):
            a.move(ACCEPTED, week)
            a.owner = owner
            a.via_marketing = False
            a.freshness = 1.0
            a.accepted_week = week
            out.self_sourced += 1
            out.accepted += 1

    def _serve_and_onboard(self, capacity: float) -> OperationsWeek:
        """Operations serves the active customers and onboards the ready backlog first in, first out."""
        ops, cfg, week = self.operations, self.config.operations, self.week

        def custom(a):
            return ops.flexibility * max(0.0, a.promised - cfg.standard_service)

        customers = [a for a in self.account_list if a.active]
        service_load = sum(1 + cfg.custom_work_effort * custom(a) for a in customers)
        free = max(MIN_ONBOARDING_SHARE * capacity, capacity - service_load)
        backlog = [a for a in self.account_list if a.stage == CUSTOMER and not a.onboarded]
        for a in backlog:
            if a.won_week == week:
                a.remaining_onboarding = cfg.onboarding_effort * (1 + custom(a))
        ready = sorted((a for a in backlog if week - a.won_week >= cfg.normal_delivery_weeks),
                       key=lambda a: a.won_week)
        used, finished = 0.0, []
        for a in ready:
            if used + a.remaining_onboarding > free:
                a.remaining_onboarding -= free - used
                used = free
                break
            used += a.remaining_onboarding
            finished.append(a)
        for a in finished:
            a.remaining_onboarding = 0.0
            a.onboarded = True
            a.satisfaction = min(1.0, max(0.0, 0.65 - 0.03 * max(0.0, week - a.won_week - cfg.normal_delivery_weeks)))
        utilisation = (service_load + used) / capacity if capacity > 0 else 2.0
        quality = float(np.clip(1 - cfg.quality_drop_slope * max(0.0, utilisation - cfg.utilisation_knee), 0.1, 1))
        for a in customers + finished:
            a.delivered = quality * (cfg.standard_service + custom(a))
        queued = sum(a.remaining_onboarding for a in ready)
        ops.delay = cfg.normal_delivery_weeks + (queued / free if free > 0 else 52.0)
        return OperationsWeek(capacity=capacity, utilisation=utilisation, quality=quality, delay=ops.delay,
                              backlog=len(backlog) - len(finished), onboarded=len(finished))

    def _serve_customers(self, reps: RepArrays):
        cfg = self.config.sales
        served = np.zeros(reps.hours.size)
        for a in self.account_list:
            if a.active and a.owner != NOBODY:
                served[a.owner] += 1
        need = served * cfg.hours_per_customer_care
        care = np.where(need > 0, np.minimum(1.0, reps.hours * reps.care_share / np.maximum(need, 1e-9)), 1.0)
        self.care_total, self.care_count = 0.0, 0
        self.accounts.do("live_as_customer", self.week, care.tolist())
        self._mean_care = self.care_total / self.care_count if self.care_count else 0.0
        self._active = self.market.active_customers()
        t = self.tally
        return t["new"], t["recurring"], t["churned"], t["expansion"]
