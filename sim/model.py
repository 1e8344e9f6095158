"""AlignmentModel: marketing, sales, operations, purchasing and a market of accounts, week by week.

One step is one business week, read top to bottom in :meth:`AlignmentModel.step`: the staff decide,
marketing reaches the market, accounts inquire, sales reviews and qualifies leads, purchasing clears
approvals, sales works deals, operations onboards and serves, customers judge and pay, information
flows between departments, the books close, and the observer writes the week's row.  Each phase is a
public method that takes what it needs and returns a typed record (:mod:`sim.week`); a subclass may
override one phase (the documented extension point, ``docs/architecture.md``).

The staff are Mesa agents (they decide: channel mix, discount, promises, care time, rotations); the
accounts are an :class:`~sim.accounts.AccountLayer` (vectorised by default); the relations layer holds
trust and blame; a period review, scheduled with Mesa's ``schedule_recurring`` at every quota-period end,
is where misses get blamed or fixed, reps are measured against quota and sales may veto spend.  It reads
department state, never what the observer recorded.  The model reads a validated
:class:`~sim.config.Config` and knows nothing of files, Hydra or plots.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
from mesa.time import Schedule

from sim.accounts import AccountLayer, CustomerWeek, VectorisedMarket
from sim.config import Config, ConfigError, PolicyConfig, applies_on_reset, validate
from sim.context import Clock, WeekContext
from sim.departments.marketing import CHANNELS, Marketer, Marketing
from sim.departments.operations import Operations, OperationsStaff, OperationsWeek, delivery_credibility
from sim.departments.purchasing import Purchasing, PurchasingOfficer
from sim.departments.sales import DealTerms, QuotaPeriod, RepArrays, SalesRep, SalesWeek
from sim.levers import configure
from sim.numeric import mean_of
from sim.observer import WeeklyRecorder, keep_books, observe, revenue_retention
from sim.pricing import quota_value
from sim.market import Stage
from sim.relations import EVENT_COLUMNS, MARKETING, OPERATIONS, SALES, PeriodOutcome, Relations
from sim.streams import Streams
from sim.summary import summarise
from sim.week import Books, InquiryWeek, LeadsWeek, MarketingWeek, SalesDesk, Week

COLLECTED = ("revenue", "active_customers", "leads", "wins", "churned", "marketing_spend", "cash_balance",
             "delivery_delay", "trust_mean", "trust_sales_in_marketing", "alignment_stage", "krk_score")
"""Weekly-table columns the Mesa ``DataCollector`` reports (model-level only: no agent reporters)."""


class AlignmentModel(mesa.Model):
    """The company and its market.

    Args:
        config: a validated :class:`~sim.config.Config` (see :func:`sim.load_config`); when omitted, the
            ``preset`` scenario (default ``hundred_years_war``) is loaded.
        rng: seed (a whole number), ``SeedSequence`` or numpy Generator.  Every random draw of the run comes
            from ``self.streams``, one stream per mechanism spawned from it (:mod:`sim.streams`); Mesa's
            ``self.random`` only shuffles the order in which the staff act, which no draw depends on.
        preset: a scenario preset of ``configs/scenario/`` to start from when ``config`` is omitted.
        **levers: config fields to change, by dotted name (``**{"policy.blame_culture": 0.2}``) or with
            double underscores (``policy__blame_culture=0.2``), validated like every config; this is what
            ``mesa.batch_run`` and ``SolaraViz`` pass.
    """

    account_layer: type[AccountLayer] = VectorisedMarket
    """The implementation of the accounts; the per-agent reference sets its own."""

    def __init__(self, config: Config | None = None, rng=None, *, preset: str | None = None, **levers):
        config = configure(config, preset, levers)
        validate(config)
        super().__init__(rng=rng)
        self.config = config
        """The live configuration: every mechanism reads its policy lever from here when it runs."""
        self.clock = Clock()
        self.streams = Streams.for_rng(rng)
        """The run's random streams, one per mechanism (:mod:`sim.streams`)."""
        cfg = config
        self.market = self.account_layer.for_model(self)
        self.relations = Relations(cfg.relations, self.live_policy, self.streams, self.clock,
                                   cfg.marketing.learning_rate, cfg.marketing.forgetting_rate, cfg.loops)
        self.marketing = Marketing(cfg.marketing, self.live_policy)
        self.operations = Operations(cfg.operations, self.live_policy)
        self.purchasing = Purchasing(cfg.purchasing, self.live_policy)
        self._create_staff()
        self.recorder = WeeklyRecorder(cfg.weeks, cfg.sales.quota_period_weeks)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.recorder.last.get(name, np.nan)) for name in COLLECTED})
        self.cash = 0.0
        """Cash balance (EUR): revenue - marketing spend - payroll since week 0."""
        self.reps_at_quota: list[float] = []
        """Share of reps at quota, one entry per finished quota period."""
        self.last_attainment = 1.0
        """Team bookings over team quota in the last finished period."""
        self.last_acceptance = cfg.instrument.follow_up_before_evidence
        """Share of marketing leads sales worked in the last finished period (before the first review: what the
        instrument assumes, ``instrument.follow_up_before_evidence``; :func:`sim.alignment.follow_up_share`)."""
        self.period = QuotaPeriod()
        """The current quota period's sales flows so far (for the period review)."""
        self.feedback_to_marketing = 0.0
        """Share of sales' feedback on leads that reached marketing this week (0-1)."""
        self._weekly: tuple[int, pd.DataFrame] | None = None
        self.schedule_recurring(self.period_review, Schedule(interval=cfg.sales.quota_period_weeks,
                                                             start=cfg.sales.quota_period_weeks))

    def _create_staff(self) -> None:
        cfg, policy = self.config, self.config.policy
        draws = self.streams("marketer_experience").random(cfg.marketing.staff)
        experienced = draws < policy.marketing_sales_experience
        for has_sold in experienced:
            Marketer(self, cfg.marketing.field_knowledge_sales_experienced if has_sold
                     else cfg.marketing.field_knowledge_initial)
        sd = cfg.sales.skill_sd
        for i, skill in enumerate(self.streams("rep_skill").lognormal(-sd * sd / 2, sd, cfg.sales.reps)):
            SalesRep(self, i, float(skill), cfg.sales.ops_knowledge_initial)
        for _ in range(cfg.operations.staff):
            OperationsStaff(self)
        if cfg.purchasing.enabled:
            for _ in range(cfg.purchasing.staff):
                PurchasingOfficer(self)
        self.marketers: list[Marketer] = list(self.agents_by_type[Marketer])
        self.reps: list[SalesRep] = sorted(self.agents_by_type[SalesRep], key=lambda r: r.index)

    # ------------------------------------------------------------------ the clock, the policy, the context
    @property
    def week(self) -> int:
        """The business week being simulated (0 first; held by :attr:`clock`)."""
        return self.clock.week

    def live_policy(self) -> PolicyConfig:
        """The policy levers as they stand now (``config.policy``), handed to every department as a reader."""
        return self.config.policy

    @property
    def context(self) -> WeekContext:
        """What this week's rules read: the week, the live config and the streams."""
        return WeekContext(self.week, self.config, self.streams)

    def set_lever(self, name: str, value) -> int:
        """Move a policy lever of the running model, validated like any config; it applies from the next week
        simulated on, which is returned (``steps``: the number of the next row of the weekly table).

        Raises:
            ConfigError: not a policy field, a field that only applies when the model is built
                (:func:`sim.config.applies_on_reset`), or a value out of range.
        """
        dotted = name.replace("__", ".")
        if not dotted.startswith("policy."):
            raise ConfigError(f"{name!r} is not a policy lever: only policy.* fields change a running model; "
                              "other fields apply when a new model is built")
        if applies_on_reset(dotted):
            raise ConfigError(f"{dotted} applies on reset only (it is read when the model is built)")
        updated = configure(self.config, None, {dotted: value})
        self.config.policy = updated.policy
        return self.steps

    # ------------------------------------------------------------------ derived state
    @property
    def enablement(self) -> float:
        """Usefulness of marketing's sales material (0-1): marketers' mean field knowledge, raised when
        marketing reports to sales (sales directs what gets made)."""
        cfg = self.config
        boost = cfg.marketing.sales_direction_enablement_boost if cfg.policy.marketing_reports_to_sales else 1.0
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
        """One business week, phase by phase."""
        meeting = self.start_week()
        marketing = self.marketing_phase()
        inquiries = self.inquiry_phase(marketing)
        desk = self.sales_desk(meeting)
        leads = self.leads_phase(desk)
        self.purchasing_phase()
        sales = self.deals_phase(desk, leads)
        operations, hires = self.operations_phase()
        customers = self.customers_phase(desk)
        self.relations_phase()
        books = self.close_books(marketing, customers)
        self.observe(Week(self.week, meeting, marketing, inquiries, sales, operations, hires, customers, books))

    def start_week(self) -> bool:
        """Advance the clock; every staff member decides (rotation, channel mix, discount, promises, care
        time); a joint meeting is held when one is due.  Returns whether a meeting took place."""
        if self.steps > self.config.weeks:
            raise RuntimeError(f"the run's horizon is {self.config.weeks} weeks (config.weeks); "
                               f"week {self.steps - 1} is past it")
        self.clock.week = self.steps - 1
        policy = self.config.policy
        meeting = policy.joint_meetings > 0 and self.week % policy.joint_meetings == 0
        self.relations.draw_rotations(self.agents)
        self.agents.shuffle_do("step")
        if meeting:
            self.relations.hold_meeting(self.marketers, self.reps)
        return meeting

    def marketing_phase(self) -> MarketingWeek:
        """Marketing spends its budget: brand stock grows, campaigns reach prospects, some learn of us."""
        spend = {c: sum(mk.spend[c] for mk in self.marketers) for c in CHANNELS}
        self.marketing.record(spend)
        self.marketing.invest_in_brand(spend["brand"])
        knowledge = mean_of([mk.field_knowledge for mk in self.marketers])
        reach = self.market.reach(self.context, spend, knowledge, self.marketing.brand_level)
        return MarketingWeek(spend=spend, reach=reach)

    def inquiry_phase(self, marketing: MarketingWeek) -> InquiryWeek:
        """Aware prospects inquire; each inquiry is qualified by a marketer drawn at random."""
        noise = np.array([mk.qualification_noise for mk in self.marketers])
        inquiries, leads = self.market.inquire(self.context, marketing.reach, noise, self.marketing.mql_threshold)
        return InquiryWeek(inquiries=inquiries, leads=leads)

    def sales_desk(self, meeting: bool) -> SalesDesk:
        """The reps' hours (less a meeting's), choices and workload as arrays for the funnel rules."""
        cfg = self.config.sales
        reps = RepArrays.of(self.reps, cfg.hours_per_week, cfg.meeting_hours if meeting else 0.0,
                            self.market.customers_per_rep(len(self.reps)))
        intensity, overload = self.market.workload(reps, cfg)
        return SalesDesk(reps=reps, intensity=intensity, overload=overload)

    def leads_phase(self, desk: SalesDesk) -> LeadsWeek:
        """Sales accepts or ignores new leads and qualifies accepted ones into opportunities."""
        ctx = self.context
        review = self.market.review_leads(ctx, self.relations.trust_gating_leads(), desk.overload)
        self.marketing.period_accepted += review.by_channel
        share, weeks = self.purchasing.approval_terms()
        return LeadsWeek(review=review, discovery=self.market.qualify(ctx, share, weeks, desk.intensity))

    def purchasing_phase(self) -> None:
        """Purchasing officers present move the oldest approval files forward; the files still waiting are
        ``purchasing.pending`` (read by the period review)."""
        if self.config.purchasing.enabled:
            officers = sum(not o.away for o in self.agents_by_type[PurchasingOfficer])
            self.purchasing.pending = self.market.approve(officers, self.config.purchasing.approvals_per_officer)

    def deals_phase(self, desk: SalesDesk, leads: LeadsWeek) -> SalesWeek:
        """Sales works its opportunities (won, lost or still open) and prospects with its free hours.
        Returns the week's funnel; its flows are added to the quota period's tally."""
        cfg, ctx = self.config, self.context
        terms = DealTerms.of(cfg, enablement=self.enablement, brand_level=self.marketing.brand_level,
                             credibility=delivery_credibility(self.operations.delay, cfg.operations))
        deals, booked = self.market.work_opportunities(ctx, desk.reps, desk.intensity, terms)
        for rep, amount in zip(self.reps, booked):
            rep.bookings += amount
        self_sourced = self.market.prospect(ctx, desk.reps, desk.intensity)
        sales = SalesWeek.of(leads.review, leads.discovery, deals, self_sourced)
        self.period = self.period.plus(sales)
        return sales

    def operations_phase(self) -> tuple[OperationsWeek, int]:
        """Operations serves customers and onboards the backlog, then hires late (Forrester).  Returns the
        week's record and the people hired."""
        staff = self.ops_staff
        week = self.market.serve_and_onboard(self.operations, sum(o.capacity for o in staff), self.week)
        hires = self.operations.plan_hiring(len(staff), week.utilisation, self.relations.flow(SALES, OPERATIONS))
        for _ in range(hires):
            OperationsStaff(self)
        if hires:
            self.relations.log("hire", "operations", "operations", "delivery running late", hires)
        return week, hires

    def customers_phase(self, desk: SalesDesk) -> CustomerWeek:
        """Customers get their reps' care, judge delivery against the promise, buy more or leave, and pay."""
        return self.market.live_as_customers(self.context, desk.reps)

    def relations_phase(self) -> None:
        """Feedback that arrives teaches the other side; grudges fade and shared goals rebuild trust."""
        self.feedback_to_marketing = self.relations.flow(SALES, MARKETING)
        self.relations.share_information(self.marketers, self.reps)
        self.relations.recover_trust()

    def close_books(self, marketing: MarketingWeek, customers: CustomerWeek) -> Books:
        """Revenue in, marketing spend and payroll out; the cash balance moves by the difference."""
        cfg = self.config
        revenue = customers.revenue_new + customers.revenue_recurring
        marketing_spend = sum(marketing.spend.values())
        ops_payroll = len(self.ops_staff) * cfg.operations.staff_cost_weekly
        sales_payroll = cfg.sales.reps * cfg.sales.staff_cost_weekly
        payroll = (cfg.marketing.staff * cfg.marketing.staff_cost_weekly + sales_payroll + ops_payroll
                   + (cfg.purchasing.staff * cfg.purchasing.staff_cost_weekly if cfg.purchasing.enabled else 0.0))
        self.cash += revenue - marketing_spend - payroll
        return Books(revenue=revenue, marketing_spend=marketing_spend, payroll=payroll, sales_payroll=sales_payroll,
                     operations_payroll=ops_payroll, cash=self.cash)

    def observe(self, week: Week) -> None:
        """Record the week's row (the observer only reads) and feed Mesa's DataCollector."""
        cycles = week.sales.cycles if week.sales.cycles is not None else np.empty(0)
        self.recorder.record(week.week, observe(self, week), cycles)
        keep_books(self.recorder, self.market, week.week)
        self.datacollector.collect(self)
        self.running = self.steps < self.config.weeks

    # ------------------------------------------------------------------ the period review
    def period_review(self) -> None:
        """End of a quota period: reps measured against quota, misses blamed or fixed, spend reviewed."""
        cfg, p = self.config, self.period
        quota = quota_value(cfg)
        self.reps_at_quota.append(float(np.mean([r.bookings >= quota for r in self.reps])))
        team_quota = quota * len(self.reps)
        self.last_attainment = p.bookings / team_quota if team_quota > 0 else 1.0
        resolved = p.accepted_from_marketing + p.expired
        self.last_acceptance = p.accepted_from_marketing / resolved if resolved else 1.0
        opportunities = int(self.market.stage_counts()[Stage.OPPORTUNITY])
        outcome = PeriodOutcome(
            bookings=p.bookings, quota=team_quota, lead_acceptance=self.last_acceptance,
            delay_ratio=self.operations.perceived_delay / cfg.operations.normal_delivery_weeks,
            quality=self.operations.quality, promise_gap=self.market.promise_gap(),
            pending_approval_share=self.purchasing.pending / opportunities if opportunities else 0.0)
        self.relations.review(outcome, self.marketers, self.reps)
        if cfg.policy.spend_veto:
            for channel, relative_return in self.marketing.review_spend(cfg.policy.veto_threshold):
                self.relations.log("veto", "sales", "marketing", f"{channel} campaigns", relative_return)
        self.marketing.start_period()
        for rep in self.reps:
            rep.bookings = 0.0
        self.period = QuotaPeriod()

    # ------------------------------------------------------------------ results
    def weekly(self) -> pd.DataFrame:
        """The weekly table so far (one row per week), with the week's blame events, vetoes and joint fixes
        counted from the event log (period reviews run after the week's step)."""
        if self._weekly is not None and self._weekly[0] == self.steps:
            return self._weekly[1].copy()
        df = self.recorder.frame()
        events = self.events()
        for column, kind in (("blame_events", "blame"), ("vetoes", "veto"), ("fixes", "fix")):
            per_week = events.loc[events["kind"] == kind, "week"].value_counts()
            df[column] = df["week"].map(per_week).fillna(0).astype(int)
        self._weekly = (self.steps, df.copy())
        return df

    def events(self) -> pd.DataFrame:
        """Every blame, fix, miss, meeting, rotation, veto and hire so far."""
        return pd.DataFrame(self.relations.events, columns=list(EVENT_COLUMNS))

    def summary(self) -> pd.Series:
        """Per-run totals and end-of-run figures: :func:`sim.summary.summarise`, the revenue split between the
        installed base and new business, and revenue retention (:func:`sim.observer.revenue_retention`)."""
        weekly = self.weekly()
        totals = summarise(weekly, self.market, self.events(), self.config.market.npv_rate_annual, self.reps_at_quota)
        revenue, base = weekly["revenue"].sum(), weekly["installed_base_revenue"].sum()
        split = {"installed_base_revenue_total": base,
                 "new_business_revenue_total": weekly["new_business_revenue"].sum(),
                 "installed_base_revenue_share": base / revenue if revenue > 0 else np.nan}
        return pd.concat([totals, pd.Series({**split, **revenue_retention(self.recorder)})])

