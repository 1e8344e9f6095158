"""C11 (seed 004): aligned sales and marketing raise the return on marketing investment."""

from sim.config import MarketingConfig
from sim.studies.declarations import EMERGENT, NOT_HOLDING, Arm, Check, Study
from sim.studies.narrative import changes
from sim.studies.rules import larger_gain

BUDGET_STEP = 1.5
"""The budget step of every arm pair: the weekly budget raised by half (the +50 % of the response table)."""
BASE, BASE_UP = "hundred_years_war", "baseline_budget_up"
ALIGNED, ALIGNED_UP = "full_alignment", "aligned_budget_up"
DEFAULT_BUDGET = MarketingConfig().weekly_budget
"""``marketing.weekly_budget``'s default (EUR per week), which neither scenario overrides (tests/test_studies.py)."""


def where_the_money_goes(res) -> str:
    return ("the extra budget buys touches; what they return depends on who works the leads they make and how "
            "well they are aimed: " + changes(res, ALIGNED, ALIGNED_UP, "customers_won", "lead_acceptance",
                                              "lead_to_customer", "revenue_total")
            + "; in the baseline: " + changes(res, BASE, BASE_UP, "customers_won", "lead_acceptance",
                                              "lead_to_customer", "revenue_total"))


UP = (f"marketing.weekly_budget={DEFAULT_BUDGET * BUDGET_STEP:g}",)

STUDY = Study(
    key="c11_return_on_marketing",
    title="C11: alignment and the return on marketing investment",
    claims=("C11",),
    question="The same extra marketing money (+50 % of the weekly budget) in the conflict baseline and under full "
             "alignment: which earns more revenue over the run?",
    arms=(Arm(BASE), Arm(BASE_UP, overrides=UP), Arm(ALIGNED, ALIGNED), Arm(ALIGNED_UP, ALIGNED, overrides=UP)),
    checks=(
        Check("C11", "The same extra marketing budget earns more revenue under full alignment than in the baseline",
              EMERGENT, "the return passes through sales' acceptance of the leads, marketing's targeting and "
                        "field knowledge, and capacity; no rule reads alignment in the campaign response",
              metric="revenue_total", expected=+1, rule=larger_gain(BASE, BASE_UP, ALIGNED, ALIGNED_UP),
              arms_needed=(BASE, BASE_UP, ALIGNED, ALIGNED_UP), explain=where_the_money_goes, untested=NOT_HOLDING),
    ),
    fast_arms=(BASE, BASE_UP, ALIGNED, ALIGNED_UP),
    panels=("revenue", "active_customers"),
    main_pair=(ALIGNED, ALIGNED_UP),
    mechanism=("customers_won", "lead_acceptance", "lead_to_customer", "revenue_total"),
    mechanism_text="Extra budget buys campaign touches with a saturating, carried-over response; the leads they "
                   "make become customers only as far as sales works them and marketing aims them at buyers who "
                   "fit.",
)
