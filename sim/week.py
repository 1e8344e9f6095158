"""The records of one business week: what each phase did, handed on to the next phase and to the observer.

Each phase of :meth:`sim.model.AlignmentModel.step` returns one of these; :class:`Week` gathers them for
the observer (:mod:`sim.observer`), which turns them into the weekly table's row.  Nothing here acts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.accounts import CustomerWeek
from sim.departments.operations import OperationsWeek
from sim.departments.sales import Discovery, LeadReview, RepArrays, SalesWeek


@dataclass
class MarketingWeek:
    """Marketing's week: the spend per channel and whom the campaigns reached."""

    spend: dict[str, float]
    """EUR spent this week per channel (targeted, broad, brand, waste)."""
    reach: Any
    """Who the campaigns touched, as the account layer records it (handed to the inquiry phase)."""


@dataclass
class InquiryWeek:
    """What came in: inquiries, and the ones marketing passed as leads."""

    inquiries: int
    """Accounts that inquired this week."""
    leads: int
    """Inquiries marketing passed as leads (MQLs)."""


@dataclass
class SalesDesk:
    """The reps' week as the funnel sees it: their choices as arrays and how much of the open-deal work gets
    done (set once, before the leads are reviewed)."""

    reps: RepArrays
    intensity: np.ndarray
    """Per rep: share of the open-deal work done this week (0-1)."""
    overload: np.ndarray
    """Per rep: demand / available hours - 1, at least 0 and at most ``sales.overload_cap``."""


@dataclass
class LeadsWeek:
    """Sales' work on leads this week: the review of new leads and the discovery calls."""

    review: LeadReview
    discovery: Discovery


@dataclass
class Books:
    """The week's money: revenue in, marketing spend and payroll out (EUR this week), and the cash balance."""

    revenue: float
    marketing_spend: float
    payroll: float
    sales_payroll: float
    operations_payroll: float
    cash: float
    """Cash balance after this week: the sum of revenue - marketing spend - payroll since week 0."""


@dataclass
class Week:
    """Everything the phases of one week returned."""

    week: int
    meeting: bool
    marketing: MarketingWeek
    inquiries: InquiryWeek
    sales: SalesWeek
    operations: OperationsWeek
    hires: int
    customers: CustomerWeek
    books: Books
    extra: dict[str, float] = field(default_factory=dict)
    """Columns a subclass of the model adds to the weekly table (name -> value)."""
