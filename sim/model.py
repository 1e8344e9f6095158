"""AlignmentModel: marketing, sales, operations, purchasing and a market of accounts, week by week.

One step is one week.  The staff are Mesa agents (they decide: channel mix, discount, promises, care
time, rotations); the accounts are a vectorised :class:`~sim.market.Market`; the relations layer holds
trust and blame; a period review, scheduled with Mesa's ``schedule_recurring`` at every quota-period
end, is where misses get blamed or fixed, reps are measured against quota and sales may veto spend.
The model reads a validated :class:`~sim.config.Config` and knows nothing of files, Hydra or plots.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
from mesa.time import Schedule

from sim.config import Config, validate
from sim.departments.marketing import (BROAD, CHANNELS, ORGANIC, TARGETED, Marketer, Marketing, qualify_inquiries,
                                       run_campaigns)
from sim.departments.operations import Operations, OperationsStaff, OperationsWeek, delivery_credibility
from sim.departments.purchasing import PurchasingOfficer, approval_terms, approve
from sim.departments.sales import (DealTerms, RepArrays, SalesRep, SalesWeek, care_per_customer, prospect, qualify,
                                   review_leads, work_opportunities, workload)
from sim.market import Market, Stage, bill, churn, expand, receive_inquiries, spread_awareness, update_satisfaction
from sim.metrics import TRUST_PAIRS, WeeklyRecorder, alignment_stage, krk_items, mean_of, summarise
from sim.relations import EVENT_COLUMNS, MARKETING, OPERATIONS, SALES, PeriodOutcome, Relations

MEETING_HOURS = 2.0
"""Hours a joint meeting takes from each rep's week."""


class AlignmentModel(mesa.Model):
    """The company and its market.

    Args:
        config: a validated :class:`~sim.config.Config` (see :func:`sim.load_config`).
        rng: seed or numpy Generator; every random draw of the run comes from ``self.rng``.
    """

    def __init__(self, config: Config, rng=None):
        validate(config)
        super().__init__(rng=rng)
        self.config = config
        self.week = 0
        cfg, policy = config, config.policy
        self.market = Market(cfg.market, cfg.sales.reps, cfg.operations.standard_service, self.rng)
        self.relations = Relations(cfg.relations, policy, self.rng, cfg.marketing.learning_rate,
                                   cfg.marketing.forgetting_rate)
        self.marketing = Marketing(cfg.marketing, policy)
        self.operations = Operations(cfg.operations, policy.ops_flexibility)
        self._create_staff()
        self.recorder = WeeklyRecorder(cfg.weeks)
        self.cash = 0.0
        self.reps_at_quota: list[float] = []
        self.last_attainment = 1.0
        self.last_acceptance = 0.5
        self._period = SalesWeek()
        self._period_promise_gap = 0.0
        self.schedule_recurring(self.period_review, Schedule(interval=cfg.sales.quota_period_weeks,
                                                             start=cfg.sales.quota_period_weeks))

    def _create_staff(self) -> None:
        cfg, policy = self.config, self.config.policy
        experienced = self.rng.random(cfg.marketing.staff) < policy.marketing_sales_experience
        for has_sold in experienced:
            Marketer(self, cfg.marketing.field_knowledge_sales_experienced if has_sold
                     else cfg.marketing.field_knowledge_initial)
        sd = cfg.sales.skill_sd
        for i, skill in enumerate(self.rng.lognormal(-sd * sd / 2, sd, cfg.sales.reps)):
            SalesRep(self, i, float(skill), cfg.sales.ops_knowledge_initial)
        for _ in range(cfg.operations.staff):
            OperationsStaff(self)
        if cfg.purchasing.enabled:
            for _ in range(cfg.purchasing.staff):
                PurchasingOfficer(self)
        self.marketers: list[Marketer] = list(self.agents_by_type[Marketer])
        self.reps: list[SalesRep] = sorted(self.agents_by_type[SalesRep], key=lambda r: r.index)

    # ------------------------------------------------------------------ derived state
    @property
    def enablement(self) -> float:
        """Usefulness of marketing's sales material (0-1): marketers' mean field knowledge, raised when
        marketing reports to sales (sales directs what gets made)."""
        boost = 1.3 if self.config.policy.marketing_reports_to_sales else 1.0
        return min(1.0, boost * mean_of([m.field_knowledge for m in self.marketers]))

    @property
    def marketing_waste_share(self) -> float:
        """Share of this week's marketing spend with no return."""
        spend = [m.spend for m in self.marketers]
        total = sum(sum(s.values()) for s in spend)
        return sum(s["waste"] for s in spend) / total if total > 0 else 0.0

    @property
    def ops_staff(self) -> list[OperationsStaff]:
        return list(self.agents_by_type[OperationsStaff])

    # ------------------------------------------------------------------ one week
    def step(self) -> None:
        """One week: staff decide, marketing runs campaigns and qualifies inquiries, sales works leads and
        deals, purchasing approves, operations onboards and serves, customers react, information flows."""
        self.week = self.steps - 1
        self.market.week = self.relations.week = self.week
        policy = self.config.policy
        meeting = policy.joint_meetings > 0 and self.week % policy.joint_meetings == 0
        self.agents.shuffle_do("step")
        if meeting:
            self.relations.hold_meeting(self.marketers, self.reps)
        spend, inquiries, leads = self._market_and_marketing()
        sales_week, reps = self._sell(meeting)
        ops_week = self._deliver()
        revenue_new, revenue_recurring, churned, expansion = self._serve_customers(reps)
        self.relations.share_information(self.marketers, self.reps)
        self.relations.recover_trust()
        self._record(spend, inquiries, leads, sales_week, ops_week, revenue_new, revenue_recurring, churned,
                     expansion)

    def _market_and_marketing(self) -> tuple[dict[str, float], int, int]:
        cfg, m, rng = self.config, self.market, self.rng
        spend = {c: sum(mk.spend[c] for mk in self.marketers) for c in CHANNELS}
        self.marketing.record(spend)
        self.marketing.invest_in_brand(spend["brand"])
        knowledge = mean_of([mk.field_knowledge for mk in self.marketers])
        pool = m.contact_pool(self.week)  # one pass for campaigns and inquiries (awareness changes no stage)
        targeted, broad = run_campaigns(m, cfg.marketing, spend, knowledge, self.week, rng, pool)
        touched = targeted | broad
        spread_awareness(m, touched, self.marketing.brand_level, cfg.marketing.brand_awareness_effect, rng)
        inquiries = receive_inquiries(m, touched, self.week, rng, pool)
        m.channel[inquiries] = np.where(targeted[inquiries], TARGETED, np.where(broad[inquiries], BROAD, ORGANIC))
        noise = np.array([mk.qualification_noise for mk in self.marketers])
        qualifier = rng.integers(0, noise.size, inquiries.size)
        leads = qualify_inquiries(m, inquiries, noise[qualifier], self.marketing.mql_threshold, cfg.sales.reps,
                                  self.week, rng)
        return spend, int(inquiries.size), int(leads.size)

    def _sell(self, meeting: bool) -> tuple[SalesWeek, RepArrays]:
        cfg, m, rng, week = self.config, self.market, self.rng, self.week
        reps = RepArrays.of(self.reps, cfg.sales.hours_per_week, MEETING_HOURS if meeting else 0.0)
        intensity, overload = workload(m, reps, cfg.sales)
        out = SalesWeek()
        accepted = review_leads(m, cfg.sales, cfg.policy, self.relations.trust[SALES, MARKETING], overload, week,
                                rng, out)
        self.marketing.period_accepted += np.bincount(m.channel[accepted], minlength=3)
        share, wait = approval_terms(cfg.policy.purchasing_rigidity, cfg.purchasing.enabled,
                                     cfg.purchasing.approval_share_max, cfg.purchasing.approval_weeks_max)
        qualify(m, cfg.sales, share, wait, intensity, week, rng, out)
        officers = sum(not o.away for o in self.agents_by_type[PurchasingOfficer]) if cfg.purchasing.enabled else 0
        self.pending_approvals = approve(m, officers) if cfg.purchasing.enabled else 0
        terms = DealTerms(enablement=self.enablement,
                          credibility=delivery_credibility(self.operations.delay, cfg.operations.normal_delivery_weeks),
                          brand_level=self.marketing.brand_level, brand_price_effect=cfg.marketing.brand_price_effect,
                          standard_service=cfg.operations.standard_service, list_price=cfg.market.list_price)
        won = work_opportunities(m, cfg.sales, reps, intensity, terms, week, rng, out)
        booked = np.bincount(m.owner[won], weights=m.contract_value[won], minlength=len(self.reps))
        for rep, amount in zip(self.reps, booked):
            rep.bookings += amount
        prospect(m, cfg.sales, reps, intensity, week, rng, out)
        self._accumulate(out)
        return out, reps

    def _deliver(self):
        staff = self.ops_staff
        week = self._serve_and_onboard(sum(o.capacity for o in staff))
        hires = self.operations.plan_hiring(len(staff), week.utilisation, self.relations.flow(SALES, OPERATIONS))
        for _ in range(hires):
            OperationsStaff(self)
        if hires:
            self.relations.log("hire", "operations", "operations", "delivery running late", hires)
        week.hired = hires
        return week

    def _serve_and_onboard(self, capacity: float) -> OperationsWeek:
        """Operations serves the active customers and onboards the ready backlog (customer-equivalents)."""
        return self.operations.serve_and_onboard(self.market, capacity, self.week)

    def _serve_customers(self, reps: RepArrays) -> tuple[float, float, int, float]:
        m, rng = self.market, self.rng
        customers = m.active_customers()
        care = care_per_customer(m, customers, reps, self.config.sales)
        update_satisfaction(m, customers, care, rng)
        expansion = expand(m, customers, care, rng)
        churned = churn(m, customers, self.week, rng)
        customers = customers[m.onboarded[customers]]  # = m.active_customers(): churn only removed some
        self._active = customers
        new, recurring = bill(m, customers, self.week)
        self._mean_care = float(care.mean()) if care.size else 0.0
        return new, recurring, int(churned.size), expansion

    def _accumulate(self, out: SalesWeek) -> None:
        """Add a week's sales flows to the current period's tally (for the period review)."""
        p = self._period
        for name in ("accepted_from_marketing", "expired", "bookings", "won", "lost"):
            setattr(p, name, getattr(p, name) + getattr(out, name))

    # ------------------------------------------------------------------ the period review
    def period_review(self) -> None:
        """End of a quota period: reps measured against quota, misses blamed or fixed, spend reviewed."""
        cfg, p = self.config, self._period
        quota = cfg.sales.quota
        self.reps_at_quota.append(float(np.mean([r.bookings >= quota for r in self.reps])))
        team_quota = quota * len(self.reps)
        self.last_attainment = p.bookings / team_quota if team_quota > 0 else 1.0
        resolved = p.accepted_from_marketing + p.expired
        self.last_acceptance = p.accepted_from_marketing / resolved if resolved else 1.0
        opps = np.count_nonzero(self.market.stage == Stage.OPPORTUNITY.value)
        outcome = PeriodOutcome(
            bookings=p.bookings, quota=team_quota, lead_acceptance=self.last_acceptance,
            delay_ratio=self.operations.perceived_delay / cfg.operations.normal_delivery_weeks,
            quality=self._last_quality, promise_gap=self._period_promise_gap,
            pending_approval_share=self.pending_approvals / opps if opps else 0.0)
        self.relations.review(outcome, self.marketers, self.reps)
        if cfg.policy.spend_veto:
            for channel, relative_return in self.marketing.review_spend(cfg.policy.veto_threshold):
                self.relations.log("veto", "sales", "marketing", f"{channel} campaigns", relative_return)
        self.marketing.start_period()
        for rep in self.reps:
            rep.bookings = 0.0
        self._period = SalesWeek()

    # ------------------------------------------------------------------ recording
    def _record(self, spend, inquiries, leads, s: SalesWeek, ops, revenue_new, revenue_recurring, churned,
                expansion) -> None:
        cfg, m, rel = self.config, self.market, self.relations
        revenue = revenue_new + revenue_recurring
        marketing_spend = sum(spend.values())
        ops_payroll = len(self.ops_staff) * cfg.operations.staff_cost_weekly
        sales_payroll = cfg.sales.reps * cfg.sales.staff_cost_weekly
        payroll = (cfg.marketing.staff * cfg.marketing.staff_cost_weekly + sales_payroll + ops_payroll
                   + (cfg.purchasing.staff * cfg.purchasing.staff_cost_weekly if cfg.purchasing.enabled else 0.0))
        self.cash += revenue - marketing_spend - payroll
        customers = self._active  # active customers after churn; nothing since has changed a stage
        gap = float((m.promised[customers] - m.delivered[customers]).mean()) if customers.size else 0.0
        self._period_promise_gap, self._last_quality = gap, ops.quality
        counts = m.stage_counts()
        care_share = mean_of([r.care_share for r in self.reps])
        items = krk_items(self)
        trust = {name: rel.trust[a, b] for name, (a, b) in TRUST_PAIRS.items()}
        self.recorder.record(
            self.week, s.cycles if s.cycles is not None else np.empty(0),
            revenue=revenue, new_customer_revenue=revenue_new, recurring_revenue=revenue_recurring,
            gross_margin=revenue - ops_payroll, marketing_spend=marketing_spend, payroll=payroll,
            cash_balance=self.cash, acquisition_cost=marketing_spend + sales_payroll * (1 - care_share),
            inquiries=inquiries, leads=leads, leads_accepted=s.accepted_from_marketing,
            leads_expired=s.expired, self_sourced=s.self_sourced, qualified=s.qualified,
            disqualified=s.disqualified, wins=s.won, losses=s.lost, lead_wins=s.lead_won,
            lead_failures=s.lead_failed, bookings=s.bookings, discount_given=s.discount_given,
            discount_mean=mean_of([r.discount for r in self.reps]),
            expansion_value=expansion, churned=churned,
            churn_rate=churned / max(1, customers.size + churned),
            active_customers=customers.size, backlog=ops.backlog,
            prospects=counts[Stage.PROSPECT], open_leads=counts[Stage.LEAD], accepted_leads=counts[Stage.ACCEPTED],
            opportunities=counts[Stage.OPPORTUNITY], customers=counts[Stage.CUSTOMER],
            churned_total=counts[Stage.CHURNED], disqualified_total=counts[Stage.DISQUALIFIED],
            satisfaction_mean=float(m.satisfaction[customers].mean()) if customers.size else np.nan,
            care_mean=self._mean_care, delivery_delay=ops.delay, utilisation=ops.utilisation,
            service_quality=ops.quality, ops_staff=len(self.ops_staff), promise_gap=gap,
            sla_breaches=s.sla_breaches, trust_mean=rel.mean_trust, **trust,
            field_knowledge=mean_of([mk.field_knowledge for mk in self.marketers]),
            ops_knowledge=mean_of([r.ops_knowledge for r in self.reps]),
            brand_level=self.marketing.brand_level, enablement=self.enablement,
            reps_at_quota=self.reps_at_quota[-1] if self.reps_at_quota else np.nan,
            alignment_stage=alignment_stage(self), krk_score=sum(items.values()))

    # ------------------------------------------------------------------ results
    def weekly(self) -> pd.DataFrame:
        """The weekly table so far (one row per week), with the week's blame events and vetoes counted
        from the event log (period reviews run after the week's step)."""
        cached = getattr(self, "_weekly_cache", None)
        if cached is not None and cached[0] == self.steps:
            return cached[1].copy()
        df = self.recorder.frame()
        events = self.events()
        for column, kind in (("blame_events", "blame"), ("vetoes", "veto"), ("fixes", "fix")):
            per_week = events.loc[events["kind"] == kind, "week"].value_counts()
            df[column] = df["week"].map(per_week).fillna(0).astype(int)
        self._weekly_cache = (self.steps, df.copy())
        return df

    def events(self) -> pd.DataFrame:
        """Every blame, fix, miss, meeting, rotation, veto and hire so far."""
        return pd.DataFrame(self.relations.events, columns=list(EVENT_COLUMNS))

    def summary(self) -> pd.Series:
        """Per-run totals and end-of-run figures."""
        return summarise(self.weekly(), self.market, self.events(), self.config.market.npv_rate_annual,
                         self.reps_at_quota)
