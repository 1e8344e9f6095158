"""The account layer: what the model asks of the market each week, declared once, implemented twice.

:class:`AccountLayer` is the interface between the company (departments, relations, the period review)
and its customers.  :class:`VectorisedMarket` implements it over the column arrays of
:class:`~sim.market.Market` with the rule functions of :mod:`sim.market` and :mod:`sim.departments`;
the textbook per-agent Mesa reference (``benchmarks/reference/per_agent.py``, one ``mesa.Agent`` per
account) implements it account by account.  The model builds its layer with the class attribute
``AlignmentModel.account_layer`` and calls nothing else on it, so a new implementation (a networked
market, a GPU one) plugs in by subclassing the model and setting that attribute.

The calls follow the business week: marketing reaches accounts, accounts inquire and marketing
qualifies them, sales reviews and qualifies leads, purchasing clears approvals, sales works deals and
prospects, operations onboards and serves, customers judge, buy more or leave, and pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sim.config import Config, SalesConfig
from sim.context import WeekContext
from sim.streams import to_index
from sim.departments.marketing import (CampaignMemory, CampaignResponse, campaign_response, fit_weights,
                                       qualify_inquiries, run_campaigns)
from sim.departments.operations import Operations, OperationsWeek
from sim.departments.purchasing import approve
from sim.departments.sales import (DealTerms, Deals, Discovery, LeadReview, RepArrays, care_per_customer,
                                   customers_per_rep, prospect,
                                   qualify, review_leads, work_opportunities, workload)
from sim.market import AccountSnapshot, Market, bill, churn, expand, receive_inquiries, spread_awareness, \
    update_satisfaction


@dataclass
class CustomerWeek:
    """What the customers did this week: paid, bought more, left; the care they got."""

    revenue_new: float = 0.0
    """Revenue billed to customers in their first year (EUR this week)."""
    revenue_recurring: float = 0.0
    """Revenue billed to customers beyond their first year (EUR this week)."""
    revenue_installed_base: float = 0.0
    """Part of this week's revenue billed to the installed base, the customers of week 0 (EUR this week); the
    rest (revenue_new + revenue_recurring - this) is new business, billed to customers won during the run."""
    expansion: float = 0.0
    """Annual contract value added by expansions this week (EUR per year)."""
    churned: int = 0
    """Customers who left this week."""
    care_mean: float = 0.0
    """Mean account-management care (0-1) over the customers served this week."""
    active: int = 0
    """Active (onboarded) customers after this week's churn."""
    promise_gap: float = 0.0
    """Service promised minus delivered, mean over the active customers (0 when there are none)."""
    satisfaction_mean: float = float("nan")
    """Mean satisfaction of the active customers (NaN when there are none)."""


@runtime_checkable
class AccountLayer(Protocol):
    """The accounts as the model sees them.  ``week`` reads the model's clock.

    Every weekly call takes the week's :class:`~sim.context.WeekContext` (the week, the live config, the
    run's random streams) and returns what it produced; nothing is filled in place.

    Observation (read by the observer and the summary, never written by them): ``size``, ``stage``,
    ``stage_week``, ``won_week``, ``onboarded``, ``contract_value``, ``installed_base`` and
    ``start_contract_value`` (arrays or array-like views, one entry per account), ``stage_counts()``,
    ``active_customers()``, ``promise_gap()``, ``mean_satisfaction()`` and ``account(i)``.
    """

    size: int
    week: int

    @classmethod
    def for_model(cls, model: Any) -> AccountLayer:
        """Create the accounts of ``model`` (its config, streams and clock; the installed base at week 0)."""

    def reach(self, ctx: WeekContext, spend: dict[str, float], field_knowledge: float, brand_level: float) -> Any:
        """Campaigns touch prospects and unaware accounts learn of the company; returns an opaque record of
        who was touched, handed back to :meth:`inquire`."""

    def inquire(self, ctx: WeekContext, reach: Any, qualification_noise: np.ndarray,
                mql_threshold: float) -> tuple[int, int]:
        """Aware prospects inquire; marketing passes the ones it reads above the threshold as leads.
        Returns (inquiries, leads)."""

    def customers_per_rep(self, n_reps: int) -> np.ndarray:
        """Active (onboarded) customers each of ``n_reps`` reps owns."""

    def workload(self, reps: RepArrays, config: SalesConfig) -> tuple[np.ndarray, np.ndarray]:
        """Per rep: intensity (share of open-deal work done, 0-1) and overload (demand / hours - 1)."""

    def review_leads(self, ctx: WeekContext, trust_in_marketing: float, overload: np.ndarray) -> LeadReview:
        """Reps accept or ignore leads; returns what the review did."""

    def qualify(self, ctx: WeekContext, approval_share: float, approval_weeks: float,
                intensity: np.ndarray) -> Discovery:
        """Discovery calls turn accepted leads into opportunities or drop them."""

    def approve(self, officers_present: int, approvals_per_officer: int) -> int:
        """Purchasing moves the oldest approvals forward; returns the opportunities still waiting."""

    def work_opportunities(self, ctx: WeekContext, reps: RepArrays, intensity: np.ndarray,
                           terms: DealTerms) -> tuple[Deals, np.ndarray]:
        """Deals are won or lost; returns what deal work did and the bookings of the week per rep (EUR of
        annual contract value)."""

    def prospect(self, ctx: WeekContext, reps: RepArrays, intensity: np.ndarray) -> int:
        """Reps with free hours open leads of their own; returns how many."""

    def serve_and_onboard(self, operations: Operations, capacity: float, week: int) -> OperationsWeek:
        """Operations serves the customers and onboards the backlog with ``capacity`` customer-equivalents."""

    def live_as_customers(self, ctx: WeekContext, reps: RepArrays) -> CustomerWeek:
        """Customers get care, update satisfaction, expand, churn, and are billed."""

    def stage_counts(self) -> np.ndarray:
        """Accounts per funnel stage, in :class:`~sim.market.Stage` order."""

    def active_customers(self) -> np.ndarray:
        """Indices of onboarded customers."""

    def promise_gap(self) -> float:
        """Mean service promised minus delivered over active customers (0 when there are none)."""

    def mean_satisfaction(self) -> float:
        """Mean satisfaction of active customers (NaN when there are none)."""

    def account(self, i: int) -> AccountSnapshot:
        """A readable snapshot of account ``i``."""


@dataclass
class Reach:
    """Who marketing reached this week, for the vectorised market: masks over accounts and the contact pool
    (taken once: reaching changes awareness, never a stage)."""

    targeted: np.ndarray
    broad: np.ndarray
    pool: np.ndarray
    weight: np.ndarray
    """The contact pool's targeting weights, fit ** exponent (:func:`~sim.departments.marketing.fit_weights`)."""
    response: CampaignResponse
    """This week's inquiry response: the brand's pull and each demand channel's adstocked, saturating response."""


class VectorisedMarket(Market):
    """The account layer over :class:`~sim.market.Market`'s column arrays: each call is a few vectorised rules."""

    @classmethod
    def for_model(cls, model) -> VectorisedMarket:
        cfg: Config = model.config
        return cls(cfg.market, cfg.sales.reps, cfg.operations.standard_service, model.streams, model.clock)

    def reach(self, ctx, spend, field_knowledge, brand_level) -> Reach:
        in_pool = self.in_contact_pool(ctx.week)
        pool = np.flatnonzero(in_pool)
        weight = fit_weights(self.log_fit[pool], ctx.config.marketing.targeting_precision * field_knowledge)
        targeted, broad = run_campaigns(self, ctx, spend, pool, in_pool, weight)
        spread_awareness(self, ctx, targeted | broad, brand_level)
        memory = self.__dict__.setdefault("campaign_memory", CampaignMemory())  # the buyers' memory of campaigns
        response = campaign_response(memory, spend, ctx.config.market, ctx.config.marketing, brand_level,
                                     field_knowledge)
        return Reach(targeted, broad, pool, weight, response)

    def inquire(self, ctx, reach: Reach, qualification_noise, mql_threshold) -> tuple[int, int]:
        inquiries, source = receive_inquiries(self, ctx, reach.pool, reach.response, reach.weight)
        self.channel[inquiries] = source  # ORGANIC, TARGETED, BROAD
        qualifier = to_index(ctx.uniform("lead_routing", inquiries, 0), qualification_noise.size)  # who qualifies
        leads = qualify_inquiries(self, ctx, inquiries, qualification_noise[qualifier], mql_threshold)
        return int(inquiries.size), int(leads.size)

    def customers_per_rep(self, n_reps) -> np.ndarray:
        return customers_per_rep(self, n_reps)

    def workload(self, reps, config):
        return workload(self, reps, config)

    def review_leads(self, ctx, trust_in_marketing, overload) -> LeadReview:
        return review_leads(self, ctx, trust_in_marketing, overload)

    def qualify(self, ctx, approval_share, approval_weeks, intensity) -> Discovery:
        return qualify(self, ctx, approval_share, approval_weeks, intensity)

    def approve(self, officers_present, approvals_per_officer) -> int:
        return approve(self, officers_present, approvals_per_officer)

    def work_opportunities(self, ctx, reps, intensity, terms) -> tuple[Deals, np.ndarray]:
        deals = work_opportunities(self, ctx, reps, intensity, terms)
        won = deals.won
        return deals, np.bincount(self.owner[won], weights=self.contract_value[won], minlength=reps.hours.size)

    def prospect(self, ctx, reps, intensity) -> int:
        return prospect(self, ctx, reps, intensity)

    def serve_and_onboard(self, operations, capacity, week) -> OperationsWeek:
        return operations.serve_and_onboard(self, capacity, week)

    def live_as_customers(self, ctx, reps) -> CustomerWeek:
        customers = self.active_customers()
        care = care_per_customer(self, customers, reps, ctx.config.sales)
        update_satisfaction(self, ctx, customers, care)
        expansion = expand(self, ctx, customers, care)
        churned = churn(self, ctx, customers)
        customers = customers[self.onboarded[customers]]  # = active_customers(): churn only removed some
        new, recurring, installed_base = bill(self, customers, ctx.week)
        return CustomerWeek(revenue_new=new, revenue_recurring=recurring, revenue_installed_base=installed_base,
                            expansion=expansion,
                            churned=int(churned.size), care_mean=float(care.mean()) if care.size else 0.0,
                            active=int(customers.size), promise_gap=self._promise_gap(customers),
                            satisfaction_mean=self._mean_satisfaction(customers))

    def promise_gap(self) -> float:
        return self._promise_gap(self.active_customers())

    def mean_satisfaction(self) -> float:
        return self._mean_satisfaction(self.active_customers())

    def _promise_gap(self, customers: np.ndarray) -> float:
        return float((self.promised[customers] - self.delivered[customers]).mean()) if customers.size else 0.0

    def _mean_satisfaction(self, customers: np.ndarray) -> float:
        return float(self.satisfaction[customers].mean()) if customers.size else np.nan
