"""C9 / F10 (seed 003): the first sale only vs the customer-centric organisation; reps paid on new revenue only."""

from sim.studies.declarations import EMERGENT, NOT_HOLDING, Arm, Check, Study
from sim.studies.narrative import changes

FIRST, CENTRIC, TOTAL, NEW_ONLY = "first_sale_only", "customer_centric", "pay_total_revenue", "pay_new_revenue_only"


def onboarding_delay(res) -> str:
    return ("paid on new revenue only, reps win more customers, but a customer won during year 1 pays for only "
            "part of it after onboarding, while the installed base, which earns most of year 1's revenue, churns "
            "more: " + changes(res, TOTAL, NEW_ONLY, "wins_year1", "customers_won", "new_revenue_year1",
                               "churn_annual", "revenue_year1"))


STUDY = Study(
    key="c9_f10_first_vs_last_sale",
    title="C9/F10: first sale only vs customer-centric; paying reps on new revenue only",
    claims=("C9", "F10"),
    question="Seed 003's 'sales organisation' (first_sale_only) against the customer-centric one; and, "
             "changing only the reps' pay, new revenue only (baseline) against total revenue.",
    arms=(Arm(FIRST, FIRST), Arm(CENTRIC, CENTRIC), Arm(TOTAL, overrides=("policy.sales_pay=total_revenue",)),
          Arm(NEW_ONLY, description="baseline: reps paid on new revenue")),
    checks=(
        Check("C9", "Customer-centric raises net revenue retention", EMERGENT,
              "retention follows satisfaction, which care time, promises kept and delivered service set, and "
              "cared-for customers buy more (the last sale): the book's ARR a year later, expansion included",
              FIRST, CENTRIC, "nrr_annual", +1),
        Check("C9", "Customer-centric raises revenue over the run", EMERGENT,
              "revenue integrates churn, expansion and word of mouth", FIRST, CENTRIC, "revenue_total", +1),
        Check("F10", "New-revenue-only pay raises short-run (year-1) new-customer revenue", EMERGENT,
              "year-1 revenue passes through reps' time split, onboarding capacity and the timing of wins",
              TOTAL, NEW_ONLY, "new_revenue_year1", +1, explain=onboarding_delay,
              untested=NOT_HOLDING),
        Check("F10", "New-revenue-only pay lowers revenue over the run", EMERGENT,
              "revenue integrates the churn that neglected care causes", TOTAL, NEW_ONLY, "revenue_total", -1),
        Check("F10", "New-revenue-only pay lowers net revenue retention", EMERGENT,
              "retention follows satisfaction, which reps' care time sets, and care drives expansion (the last "
              "sale): the book's ARR a year later, expansion included", TOTAL, NEW_ONLY, "nrr_annual", -1),
    ),
    panels=("revenue", "active_customers", "satisfaction_mean", "churned"),
    main_pair=(FIRST, CENTRIC),
    mechanism=("promise_gap_mean", "satisfaction_end", "churn_annual", "blame_per_year"),
    mechanism_text="Care time from account management and promises operations can keep hold satisfaction up; "
                   "churn falls and satisfied customers expand and recommend.",
)
