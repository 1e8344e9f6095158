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

from sim.config import Config, MarketingConfig, PolicyConfig, SalesConfig
from sim.departments.marketing import BROAD, ORGANIC, TARGETED, brand_pull, qualify_inquiries, run_campaigns
from sim.departments.operations import Operations, OperationsWeek
from sim.departments.purchasing import approve
from sim.departments.sales import (DealTerms, RepArrays, SalesWeek, care_per_customer, prospect, qualify,
                                   review_leads, work_opportunities, workload)
from sim.market import AccountSnapshot, Market, bill, churn, expand, receive_inquiries, spread_awareness, \
    update_satisfaction


@dataclass
class CustomerWeek:
    """What the customers did this week: paid, bought more, left; the care they got."""

    revenue_new: float = 0.0
    """Revenue billed to customers in their first year (EUR this week)."""
    revenue_recurring: float = 0.0
    """Revenue billed to customers beyond their first year (EUR this week)."""
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
    """The accounts as the model sees them.  ``week`` is set by the model at the start of each week.

    Observation (read by the observer and the summary, never written by them): ``size``, ``stage``,
    ``stage_week``, ``won_week`` (arrays or array-like views, one entry per account), ``stage_counts()``,
    ``active_customers()``, ``promise_gap()``, ``mean_satisfaction()`` and ``account(i)``.
    """

    size: int
    week: int

    @classmethod
    def for_model(cls, model: Any) -> AccountLayer:
        """Create the accounts of ``model`` (its config and generator; the installed base at week 0)."""

    def reach(self, spend: dict[str, float], field_knowledge: float, brand_level: float,
              config: MarketingConfig, week: int, rng: np.random.Generator) -> Any:
        """Campaigns touch prospects and unaware accounts learn of the company; returns an opaque record of
        who was touched, handed back to :meth:`inquire`."""

    def inquire(self, reach: Any, qualification_noise: np.ndarray, mql_threshold: float, n_reps: int,
                week: int, rng: np.random.Generator) -> tuple[int, int]:
        """Aware prospects inquire; marketing passes the ones it reads above the threshold as leads.
        Returns (inquiries, leads)."""

    def workload(self, reps: RepArrays, config: SalesConfig) -> tuple[np.ndarray, np.ndarray]:
        """Per rep: intensity (share of open-deal work done, 0-1) and overload (demand / hours - 1)."""

    def review_leads(self, config: SalesConfig, policy: PolicyConfig, trust_in_marketing: float,
                     overload: np.ndarray, week: int, rng: np.random.Generator, out: SalesWeek) -> np.ndarray:
        """Reps accept or ignore leads; returns the leads accepted this week per channel (organic,
        targeted, broad)."""

    def qualify(self, config: SalesConfig, approval_share: float, approval_weeks: float, intensity: np.ndarray,
                week: int, rng: np.random.Generator, out: SalesWeek) -> None:
        """Discovery calls turn accepted leads into opportunities or drop them."""

    def approve(self, officers_present: int, approvals_per_officer: int) -> int:
        """Purchasing moves the oldest approvals forward; returns the opportunities still waiting."""

    def work_opportunities(self, config: SalesConfig, reps: RepArrays, intensity: np.ndarray, terms: DealTerms,
                           week: int, rng: np.random.Generator, out: SalesWeek) -> np.ndarray:
        """Deals are won or lost; returns the bookings of the week per rep (EUR of annual contract value)."""

    def prospect(self, config: SalesConfig, reps: RepArrays, intensity: np.ndarray, week: int,
                 rng: np.random.Generator, out: SalesWeek) -> None:
        """Reps with free hours open leads of their own."""

    def serve_and_onboard(self, operations: Operations, capacity: float, week: int) -> OperationsWeek:
        """Operations serves the customers and onboards the backlog with ``capacity`` customer-equivalents."""

    def live_as_customers(self, reps: RepArrays, config: SalesConfig, week: int,
                          rng: np.random.Generator) -> CustomerWeek:
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
    organic_propensity: float
    """Multiplier on the unprompted inquiry rate from the brand stock (brand_level ** brand_inquiry_elasticity)."""


class VectorisedMarket(Market):
    """The account layer over :class:`~sim.market.Market`'s column arrays: each call is a few vectorised rules."""

    @classmethod
    def for_model(cls, model) -> VectorisedMarket:
        cfg: Config = model.config
        return cls(cfg.market, cfg.sales.reps, cfg.operations.standard_service, model.rng)

    def reach(self, spend, field_knowledge, brand_level, config, week, rng) -> Reach:
        pool = self.contact_pool(week)
        targeted, broad = run_campaigns(self, config, spend, field_knowledge, week, rng, pool)
        spread_awareness(self, targeted | broad, brand_level, config.brand_awareness_effect, rng)
        return Reach(targeted, broad, pool, brand_pull(brand_level, config.brand_inquiry_elasticity))

    def inquire(self, reach: Reach, qualification_noise, mql_threshold, n_reps, week, rng) -> tuple[int, int]:
        inquiries = receive_inquiries(self, reach.targeted | reach.broad, week, rng, reach.pool,
                                      reach.organic_propensity)
        self.channel[inquiries] = np.where(reach.targeted[inquiries], TARGETED,
                                           np.where(reach.broad[inquiries], BROAD, ORGANIC))
        qualifier = rng.integers(0, qualification_noise.size, inquiries.size)
        leads = qualify_inquiries(self, inquiries, qualification_noise[qualifier], mql_threshold, n_reps, week, rng)
        return int(inquiries.size), int(leads.size)

    def workload(self, reps, config):
        return workload(self, reps, config)

    def review_leads(self, config, policy, trust_in_marketing, overload, week, rng, out) -> np.ndarray:
        accepted = review_leads(self, config, policy, trust_in_marketing, overload, week, rng, out)
        return np.bincount(self.channel[accepted], minlength=3)

    def qualify(self, config, approval_share, approval_weeks, intensity, week, rng, out) -> None:
        qualify(self, config, approval_share, approval_weeks, intensity, week, rng, out)

    def approve(self, officers_present, approvals_per_officer) -> int:
        return approve(self, officers_present, approvals_per_officer)

    def work_opportunities(self, config, reps, intensity, terms, week, rng, out) -> np.ndarray:
        won = work_opportunities(self, config, reps, intensity, terms, week, rng, out)
        return np.bincount(self.owner[won], weights=self.contract_value[won], minlength=reps.hours.size)

    def prospect(self, config, reps, intensity, week, rng, out) -> None:
        prospect(self, config, reps, intensity, week, rng, out)

    def serve_and_onboard(self, operations, capacity, week) -> OperationsWeek:
        return operations.serve_and_onboard(self, capacity, week)

    def live_as_customers(self, reps, config, week, rng) -> CustomerWeek:
        customers = self.active_customers()
        care = care_per_customer(self, customers, reps, config)
        update_satisfaction(self, customers, care, rng)
        expansion = expand(self, customers, care, rng)
        churned = churn(self, customers, week, rng)
        customers = customers[self.onboarded[customers]]  # = active_customers(): churn only removed some
        new, recurring = bill(self, customers, week)
        return CustomerWeek(revenue_new=new, revenue_recurring=recurring, expansion=expansion,
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
