"""The outcomes alignsim reports, declared once: name, label, unit, display scale, better direction.

Every table, figure, sweep analysis, study, dashboard panel and notebook takes the words and units of an
outcome from here (as the EMA workbench keeps one vocabulary of outcomes that every analysis reads).  An
outcome is either a per-run figure (a column of ``RunResult.summary`` or of a study's per-run table) or a
weekly one (a column of ``RunResult.weekly``).

``scale`` converts the model's unit (EUR, shares 0-1, weeks) into the display unit: revenue in EUR is shown
in EUR million (``scale = 1e-6``), a share 0-1 as a percentage (``scale = 100``, unit ``%``).
``ratio_scale`` says whether a relative change ("+12 %") means something: it does for revenue, not for a
stage on a 1-5 ordinal scale or a score whose zero is arbitrary.
``bounds`` is the scale an outcome's value cannot leave, in the model's unit (a share 0-1, the Goldman stage
1-5, the KRK score 20-100, a non-negative amount ``(0, None)``): confidence intervals are cut to it
(:func:`sim.stats.mean_ci`).  A share's bounds default to 0-1; the ratios that can exceed 1 (net revenue
retention, churn per customer-year, utilisation) declare ``(0, None)``.

How numbers are worded, in one place for the main job's table, the dashboard and the debrief pack
(:func:`shown`, :func:`interval_text`, :func:`difference_text`, :func:`change_text`, :func:`p_value_text`):

- a difference of two percentages is in percentage points, ``pp`` (12-month retention 90.0 % against 86.6 %
  is "+3.4 pp"), and only a relative change is in ``%`` ("+3.9 %" of the baseline): :attr:`Outcome.difference_unit`;
- a comparison whose paired differences are all equal has no variance to test, so it has no CI and no p-value
  (NaN in the tables): it reads "+4 (no variance across replicates: no test)", never "[+4, +4] p 0".
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower", "neither"]


@dataclass(frozen=True)
class Outcome:
    """One reported quantity.

    Attributes:
        name: the column name in the summary or weekly table.
        label: what it is, in business words ("3-year revenue").
        unit: the display unit after ``scale`` ("EUR million", "%", "weeks").
        scale: factor from the model's unit to the display unit.
        better: which direction is good for the company ("higher", "lower", or "neither").
        description: one sentence: how it is measured.
        ratio_scale: True when a relative change is meaningful (a true zero and an interval scale).
        digits: decimals shown in tables.
        bounds: (lowest, highest) value the outcome can take, in the model's unit (before ``scale``); None on
            a side that is open, and None for an outcome with no bounds at all (a cash balance, a promise gap).
    """

    name: str
    label: str
    unit: str
    scale: float = 1.0
    better: Direction = "higher"
    description: str = ""
    ratio_scale: bool = True
    digits: int = 2
    bounds: tuple[float | None, float | None] | None = None

    @property
    def percentage(self) -> bool:
        """Whether the display unit is a percentage (a share 0-1 or a ratio shown x 100)."""
        return self.unit == SHARE

    @property
    def difference_unit(self) -> str:
        """The unit of a difference of two values: percentage points (``pp``) for a percentage, else the unit."""
        return PP if self.percentage else self.unit

    @property
    def display_bounds(self) -> tuple[float, float]:
        """``bounds`` in the display unit, with -inf / +inf for an open side."""
        low, high = self.bounds or (None, None)
        return (-math.inf if low is None else low * self.scale, math.inf if high is None else high * self.scale)

    @property
    def difference_bounds(self) -> tuple[float, float]:
        """The most a difference of two values can be, in the display unit: +-(highest - lowest) when both
        bounds are declared (a stage difference lies in [-4, +4], a share difference in [-100, +100] pp), else
        open (-inf, +inf)."""
        low, high = self.display_bounds
        span = high - low
        return (-span, span) if math.isfinite(span) else (-math.inf, math.inf)

    def display(self, value: float) -> float:
        """``value`` in the display unit."""
        return value * self.scale

    def format(self, value: float | None, signed: bool = False) -> str:
        """``value`` in the display unit with the outcome's precision (``n/a`` for a missing value)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        v = value * self.scale
        sign = "+" if signed else ""
        if abs(v) >= 1000:
            return f"{v:{sign},.0f}"
        return f"{v:{sign}.{self.digits}f}"

    @property
    def axis_label(self) -> str:
        """An axis label: the label with its unit in parentheses."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


SHARE, PCT = "%", 100.0
PP = "pp"
"""Unit of a difference of two percentages: percentage points."""
UNIT_INTERVAL: tuple[float, float] = (0.0, 1.0)
"""Bounds of a share, a trust or a 0-1 score."""
NON_NEGATIVE: tuple[float, None] = (0.0, None)
"""Bounds of an amount, a count or a duration."""
_DEFAULT = object()


def _run(name, label, unit, scale=1.0, better="higher", description="", ratio_scale=True, digits=2,
         bounds=_DEFAULT) -> Outcome:
    """An :class:`Outcome`; a share (unit ``%``) not given ``bounds`` gets 0-1, any other outcome none."""
    if bounds is _DEFAULT:
        bounds = UNIT_INTERVAL if unit == SHARE else None
    return Outcome(name, label, unit, scale, better, description, ratio_scale, digits, bounds)


RUN_OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    # money
    _run("revenue_total", "Revenue over the run", "EUR million", 1e-6,
         description="New-customer plus recurring revenue summed over every week of the run (3 years by default).",
         bounds=NON_NEGATIVE),
    _run("revenue_npv", "NPV of revenue", "EUR million", 1e-6,
         description="Weekly revenue discounted at market.npv_rate_annual.", bounds=NON_NEGATIVE),
    _run("new_customer_revenue_total", "New-customer revenue", "EUR million", 1e-6,
         description="First-year contract revenue from customers won in the run.", bounds=NON_NEGATIVE),
    _run("recurring_revenue_total", "Recurring revenue", "EUR million", 1e-6,
         description="Renewals and expansion billed to existing customers.", bounds=NON_NEGATIVE),
    _run("installed_base_revenue_total", "Installed-base revenue", "EUR million", 1e-6,
         description="Revenue billed over the run to the customers of week 0 (the installed base).",
         bounds=NON_NEGATIVE),
    _run("new_business_revenue_total", "New-business revenue", "EUR million", 1e-6,
         description="Revenue billed over the run to customers won during the run, first year and after "
                     "(revenue minus installed-base revenue).", bounds=NON_NEGATIVE),
    _run("installed_base_revenue_share", "Installed-base share of revenue", SHARE, PCT, better="neither", digits=1,
         description="Installed-base revenue over revenue over the run."),
    _run("gross_margin_total", "Gross margin", "EUR million", 1e-6,
         description="Revenue minus the operations payroll that delivers it."),
    _run("gross_margin_rate", "Gross margin rate", SHARE, PCT, description="Gross margin over revenue.", digits=1,
         bounds=(None, 1.0)),
    _run("marketing_spend_total", "Marketing spend", "EUR million", 1e-6, better="neither",
         description="Marketing budget spent over the run (demand generation, brand and waste).", bounds=NON_NEGATIVE),
    _run("cash_balance_end", "Cash balance at the end", "EUR million", 1e-6,
         description="Revenue minus marketing spend minus payroll, cumulated."),
    _run("clv", "Customer lifetime value", "EUR thousand", 1e-3,
         description="Annual gross margin per customer x retention / (1 + discount rate - retention)."),
    _run("cac", "Customer acquisition cost", "EUR thousand", 1e-3, better="lower",
         description="Marketing spend plus the selling share of sales payroll, per customer won.", bounds=NON_NEGATIVE),
    # customers
    _run("customers_won", "Customers won", "accounts", digits=0, bounds=NON_NEGATIVE),
    _run("active_customers_end", "Active customers at the end", "accounts", digits=0, bounds=NON_NEGATIVE),
    _run("retention_12m", "12-month retention", SHARE, PCT, digits=1,
         description="Share of customers won (at least a year before the end) still customers 12 months later "
                     "(logos, new customers only: blind to the installed base; see grr_annual, nrr_annual)."),
    _run("churn_annual", "Annual churn", SHARE, PCT, better="lower", digits=1,
         description="Customers lost per customer-year.", bounds=NON_NEGATIVE),
    _run("grr_annual", "Gross revenue retention", SHARE, PCT, digits=1,
         description="ARR a year later, capped at the starting ARR per customer (churn and contraction count, "
                     "expansion does not), over the ARR of the customers active at the start of each year; "
                     "mean over the run's full 52-week years (years 1-3 of a 3-year run)."),
    _run("nrr_annual", "Net revenue retention", SHARE, PCT, digits=1,
         description="ARR a year later of the customers active at the start of each year (expansion included), "
                     "over their ARR then; mean over the run's full 52-week years.", bounds=NON_NEGATIVE),
    _run("grr_last_year", "Gross revenue retention, last year", SHARE, PCT, digits=1,
         description="Gross revenue retention of the run's last full 52-week year (year 3 of a 3-year run)."),
    _run("nrr_last_year", "Net revenue retention, last year", SHARE, PCT, digits=1,
         description="Net revenue retention of the run's last full 52-week year.", bounds=NON_NEGATIVE),
    _run("grr_cohort", "Cohort gross revenue retention (12 months)", SHARE, PCT, digits=1,
         description="Customers won in the run: ARR 52 weeks after signing, capped at the signed ARR, over the "
                     "signed ARR, pooled over the yearly cohorts that reach their first anniversary in the run "
                     "(years 1-2 of a 3-year run)."),
    _run("nrr_cohort", "Cohort net revenue retention (12 months)", SHARE, PCT, digits=1,
         description="Customers won in the run: ARR 52 weeks after signing over the signed ARR, pooled over the "
                     "yearly cohorts that reach their first anniversary in the run.", bounds=NON_NEGATIVE),
    _run("installed_base_churn", "Installed-base churn", SHARE, PCT, better="lower", digits=1,
         description="Share of the week-0 customers active at the start of a year who are gone a year later; "
                     "mean over the run's full 52-week years."),
    _run("satisfaction_end", "Customer satisfaction at the end", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    # funnel
    _run("lead_acceptance", "Leads accepted by sales", SHARE, PCT, digits=1,
         description="Marketing leads sales accepted, of those accepted or left to expire."),
    _run("leads_ignored", "Marketing leads never worked", SHARE, PCT, better="lower", digits=1,
         description="1 - lead acceptance."),
    _run("lead_to_customer", "Lead-to-customer conversion", SHARE, PCT, digits=1,
         description="Marketing leads won, of those won, lost or expired."),
    _run("inquiry_to_mql", "Inquiry to MQL", SHARE, PCT, better="neither", digits=1),
    _run("sal_to_sql", "SAL to SQL", SHARE, PCT, better="neither", digits=1),
    _run("sql_to_won", "SQL to won (win rate)", SHARE, PCT, digits=1),
    _run("sales_cycle_median", "Median sales cycle", "weeks", better="lower", digits=1,
         description="Median weeks from lead to win over trailing quarters, median over the run.", bounds=NON_NEGATIVE),
    _run("discount_mean", "Mean discount", SHARE, PCT, better="lower", digits=1,
         description="Discount given over list value of the deals won."),
    _run("promise_gap_mean", "Promise gap", "service level", better="lower", ratio_scale=False,
         description="Service promised minus service delivered, mean over active customers and weeks."),
    _run("delivery_delay_mean", "Delivery delay", "weeks", better="lower", digits=1,
         description="Weeks from a won deal to the start of onboarding, mean over the run.", bounds=NON_NEGATIVE),
    _run("reps_at_quota", "Reps at quota", SHARE, PCT, digits=1,
         description="Share of reps whose bookings reached quota, mean over quota periods."),
    _run("sla_breaches", "SLA breaches", "leads", better="lower", digits=0, bounds=NON_NEGATIVE),
    # relations
    _run("trust_mean_end", "Mean trust at the end", "trust 0-1", ratio_scale=False,
         description="Mean of the trust matrix between departments in the last week.", bounds=UNIT_INTERVAL),
    _run("trust_sales_marketing_end", "Sales-marketing trust at the end", "trust 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("blame_events", "Blame events", "events", better="lower", digits=0, bounds=NON_NEGATIVE),
    _run("blame_events_per_year", "Blame events", "per year", better="lower", digits=1, bounds=NON_NEGATIVE),
    _run("vetoes", "Campaign vetoes", "channels vetoed", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("alignment_stage_end", "Goldman alignment stage at the end", "stage 1-5", ratio_scale=False, digits=0,
         description="Goldman's five stages, derived from what the departments do.", bounds=(1.0, 5.0)),
    _run("krk_score_end", "KRK alignment score at the end", "score 20-100", ratio_scale=False, digits=1,
         description="Kotler-Rackham-Krishnaswamy diagnostic: 20 items scored 1-5.", bounds=(20.0, 100.0)),
    _run("field_knowledge_end", "Marketing field knowledge at the end", "score 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("brand_level_end", "Brand stock at the end", "x initial", ratio_scale=False, bounds=NON_NEGATIVE),
)}

WEEKLY_OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    _run("revenue", "Weekly revenue", "EUR thousand per week", 1e-3, digits=1, bounds=NON_NEGATIVE),
    _run("new_customer_revenue", "Weekly new-customer revenue", "EUR thousand per week", 1e-3, digits=1,
         bounds=NON_NEGATIVE),
    _run("recurring_revenue", "Weekly recurring revenue", "EUR thousand per week", 1e-3, digits=1, bounds=NON_NEGATIVE),
    _run("installed_base_revenue", "Weekly installed-base revenue", "EUR thousand per week", 1e-3, digits=1,
         description="Revenue billed this week to the customers of week 0.", bounds=NON_NEGATIVE),
    _run("new_business_revenue", "Weekly new-business revenue", "EUR thousand per week", 1e-3, digits=1,
         description="Revenue billed this week to customers won during the run (revenue minus installed base).",
         bounds=NON_NEGATIVE),
    _run("gross_margin", "Weekly gross margin", "EUR thousand per week", 1e-3, digits=1),
    _run("marketing_spend", "Marketing spend", "EUR thousand per week", 1e-3, better="neither", digits=1,
         bounds=NON_NEGATIVE),
    _run("cash_balance", "Cash balance", "EUR million", 1e-6),
    _run("active_customers", "Active customers", "accounts", digits=0, bounds=NON_NEGATIVE),
    _run("wins", "Customers won", "accounts per week", digits=0, bounds=NON_NEGATIVE),
    _run("churned", "Customers churned", "accounts per week", better="lower", digits=0, bounds=NON_NEGATIVE),
    _run("churn_rate", "Weekly churn rate", SHARE, PCT, better="lower"),
    _run("inquiries", "Inquiries", "accounts per week", digits=0, bounds=NON_NEGATIVE),
    _run("leads", "Marketing leads (MQL)", "leads per week", digits=0, bounds=NON_NEGATIVE),
    _run("lead_acceptance", "Leads accepted by sales (trailing quarter)", SHARE, PCT, digits=1),
    _run("lead_to_customer", "Lead-to-customer conversion (trailing quarter)", SHARE, PCT, digits=1),
    _run("cac", "Customer acquisition cost (trailing quarter)", "EUR thousand", 1e-3, better="lower",
         bounds=NON_NEGATIVE),
    _run("sales_cycle_median", "Median sales cycle (trailing quarter)", "weeks", better="lower", digits=1,
         bounds=NON_NEGATIVE),
    _run("opportunities", "Open opportunities", "accounts", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("open_leads", "Open leads", "accounts", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("accepted_leads", "Accepted leads", "accounts", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("discount_mean", "Mean rep discount", SHARE, PCT, better="lower", digits=1),
    _run("promise_gap", "Promise gap (promised - delivered)", "service level", better="lower", ratio_scale=False),
    _run("satisfaction_mean", "Mean customer satisfaction", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("delivery_delay", "Delivery delay", "weeks", better="lower", digits=1, bounds=NON_NEGATIVE),
    _run("utilisation", "Operations utilisation", SHARE, PCT, better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("service_quality", "Service quality", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("ops_staff", "Operations staff", "people", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("backlog", "Onboarding backlog", "accounts", better="lower", digits=0, bounds=NON_NEGATIVE),
    _run("trust_mean", "Mean trust between departments", "trust 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("trust_sales_in_marketing", "Sales' trust in marketing", "trust 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("trust_marketing_in_sales", "Marketing's trust in sales", "trust 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("trust_sales_in_operations", "Sales' trust in operations", "trust 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("trust_operations_in_sales", "Operations' trust in sales", "trust 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("trust_sales_in_purchasing", "Sales' trust in purchasing", "trust 0-1", ratio_scale=False,
         bounds=UNIT_INTERVAL),
    _run("field_knowledge", "Marketing field knowledge", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("ops_knowledge", "Reps' knowledge of operations", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("enablement", "Usefulness of sales material", "score 0-1", ratio_scale=False, bounds=UNIT_INTERVAL),
    _run("brand_level", "Brand stock", "x initial", ratio_scale=False, bounds=NON_NEGATIVE),
    _run("reps_at_quota", "Reps at quota (last period)", SHARE, PCT, digits=0),
    _run("blame_events", "Blame events", "events per week", better="lower", digits=0, bounds=NON_NEGATIVE),
    _run("vetoes", "Campaign vetoes", "events per week", better="neither", digits=0, bounds=NON_NEGATIVE),
    _run("fixes", "Joint fixes", "events per week", digits=0, bounds=NON_NEGATIVE),
    _run("alignment_stage", "Goldman alignment stage", "stage 1-5", ratio_scale=False, digits=0, bounds=(1.0, 5.0)),
    _run("alignment_stage_raw", "Goldman alignment stage, weekly read (before the hold)", "stage 1-5",
         ratio_scale=False, digits=0, bounds=(1.0, 5.0)),
    _run("krk_score", "KRK alignment score", "score 20-100", ratio_scale=False, digits=1, bounds=(20.0, 100.0)),
)}


def register(outcome: Outcome, weekly: bool = False) -> Outcome:
    """Declare an outcome computed outside the model (a study's derived metric) so tables can name it."""
    (WEEKLY_OUTCOMES if weekly else RUN_OUTCOMES)[outcome.name] = outcome
    return outcome


def outcome(name: str, weekly: bool = False) -> Outcome:
    """The declared outcome ``name`` (per-run by default, weekly with ``weekly=True``).

    An undeclared name gets a plain outcome labelled by its own name with no unit, so an exploratory
    column never crashes a table; ``tests/test_outcomes.py`` keeps every model column declared.
    """
    table = WEEKLY_OUTCOMES if weekly else RUN_OUTCOMES
    other = RUN_OUTCOMES if weekly else WEEKLY_OUTCOMES
    found = table.get(name) or other.get(name)
    return found if found is not None else Outcome(name, name.replace("_", " "), "", ratio_scale=False)


def label(name: str, weekly: bool = False) -> str:
    """The outcome's label ("3-year revenue")."""
    return outcome(name, weekly).label


def unit(name: str, weekly: bool = False) -> str:
    """The outcome's display unit ("EUR million")."""
    return outcome(name, weekly).unit


def axis_label(name: str, weekly: bool = False) -> str:
    """"label (unit)", for an axis."""
    return outcome(name, weekly).axis_label


NO_VARIANCE = "no variance across replicates: no test"
"""What a comparison whose paired differences are all equal says instead of a CI and a p-value."""


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def shown(spec: Outcome, value: float | None, signed: bool = False) -> str:
    """``value``, already in the outcome's display unit (as in ``sim.compare``'s table), with its precision."""
    return dataclasses.replace(spec, scale=1.0).format(value, signed=signed)


def interval_text(spec: Outcome, mean: float, low: float, high: float, n: int, signed: bool = False) -> str:
    """"mean [low, high]" of one arm in the display unit, or the mean with the reason why there is no CI."""
    if _missing(mean):
        return "n/a (undefined in every run)"
    if _missing(low) or _missing(high):
        return f"{shown(spec, mean, signed)} [n/a: {n} run{'s' if n != 1 else ''}]"
    return f"{shown(spec, mean, signed)} [{shown(spec, low, signed)}, {shown(spec, high, signed)}]"


def difference_value(spec: Outcome, difference: float, unit: bool = True) -> str:
    """A difference (display unit) signed, with the outcome's precision and, with ``unit``, the unit of a
    difference after it: "+3.4 pp" for a percentage, "+3.65 EUR million" for revenue."""
    suffix = f" {spec.difference_unit}" if unit and spec.difference_unit and not _missing(difference) else ""
    return f"{shown(spec, difference, True)}{suffix}"


def difference_text(spec: Outcome, difference: float, low: float, high: float, n: int, no_variance: bool = False,
                    unit: bool | None = None) -> str:
    """A paired difference (other - baseline) and its 95 % CI, in the display unit of a difference.

    Args:
        spec: the outcome.
        difference, low, high: the mean paired difference and its CI bounds, in the display unit.
        n: pairs.
        no_variance: every paired difference is the same: the text says so instead of a zero-width CI.
        unit: write the difference's unit after the value: True always, False never, None (default) only where
            it differs from the outcome's own unit, i.e. ``pp`` beside a percentage ("+3.4 pp [+1.0, +5.8]"),
            for a table whose row already names the unit.
    """
    if _missing(difference):
        return "n/a (undefined in every run)"
    value = difference_value(spec, difference, spec.difference_unit != spec.unit if unit is None else unit)
    if no_variance:
        return f"{value} ({NO_VARIANCE})"
    if _missing(low) or _missing(high):
        return f"{value} [n/a: {n} pair{'s' if n != 1 else ''}]"
    return f"{value} [{shown(spec, low, True)}, {shown(spec, high, True)}]"


def change_text(spec: Outcome, relative: float) -> str:
    """The relative change (difference / baseline mean, a fraction) in %, or why there is none."""
    if not spec.ratio_scale:
        return "n/a (no true zero)"
    return "n/a" if _missing(relative) else f"{100 * relative:+.1f} %"


def p_value_text(p: float, no_variance: bool = False) -> str:
    """A p-value with two significant digits; "no test (no variance)" where the paired differences are all
    equal, "n/a" where it is missing."""
    if no_variance:
        return "no test (no variance)"
    return "n/a" if _missing(p) else f"{p:.2g}"
