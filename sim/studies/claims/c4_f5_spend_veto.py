"""C4 / F5 (seed 001 #5, #7): a sales veto on marketing spend, swept over the veto threshold."""

from sim.studies.declarations import EMERGENT, MECHANISM, NOT_HOLDING, Arm, Check, Study
from sim.studies.narrative import changes, curve_text
from sim.studies.rules import interior_optimum, lag

THRESHOLDS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SWEEP = tuple(f"veto_{t:g}" for t in THRESHOLDS)
OFF, MODERATE, HARD = "veto_off", "veto_1", "veto_2"


def saved_not_spent(res) -> str:
    return ("half of a vetoed budget is saved, not spent again, and the waste it removes never produced revenue: "
            + changes(res, OFF, MODERATE, "marketing_spend_total", "cash_balance_end", "revenue_total",
                      "brand_level_end"))


def plateau(res) -> str:
    return (curve_text(res, "revenue_total", "veto threshold")
            + "; removing waste saves money without adding revenue, and a hard veto cuts brand campaigns")


STUDY = Study(
    key="c4_f5_spend_veto",
    title="C4/F5: sales veto on marketing spend, swept over the veto threshold",
    claims=("C4", "F5"),
    question="Sales vetoes every campaign whose short-run return (accepted leads per euro, as its CRM credits "
             "them) is below threshold x the average; 0 vetoes nothing, 2 vetoes hard.",
    arms=(Arm(OFF),) + tuple(Arm(name, overrides=("policy.spend_veto=true", f"policy.veto_threshold={t}"),
                                 lever_value=t) for name, t in zip(SWEEP, THRESHOLDS)),
    checks=(
        Check("C4", "A moderate veto (threshold 1) cuts waste: cash balance (revenue - spend - payroll) rises",
              MECHANISM, "half of a vetoed budget is saved by rule, and the cash balance counts the saving",
              OFF, MODERATE, "cash_balance_end", +1),
        Check("C4", "A moderate veto (threshold 1) raises revenue over the run vs no veto", EMERGENT,
              "revenue would have to come through brand, organic leads and sales' acceptance, none named",
              OFF, MODERATE, "revenue_total", +1, explain=saved_not_spent,
              untested=NOT_HOLDING),
        Check("C4", "... but it also cuts long-term brand investment (brand stock at the end)", MECHANISM,
              "the veto removes brand campaigns (low short-run return) by rule", OFF, MODERATE, "brand_level_end",
              -1),
        Check("F5", "Interior optimum: revenue over the run peaks at a middle veto threshold", EMERGENT,
              "the optimum would come from the balance of waste removed and brand lost over years", metric=
              "revenue_total", expected=+1, rule=interior_optimum, arms_needed=SWEEP, explain=plateau,
              untested="a sweep of eight thresholds does not fit the test budget"),
        Check("F5", "Interior optimum: cash balance at the end peaks at a middle veto threshold", EMERGENT,
              "the optimum balances money saved against revenue lost through brand and organic leads",
              metric="cash_balance_end", expected=+1, rule=interior_optimum, arms_needed=SWEEP,
              untested="a sweep of eight thresholds does not fit the test budget"),
        Check("F5", "A hard veto (threshold 2 vs 1) hurts revenue in the last year more than in the first (lag)",
              EMERGENT, "brand stock decays slowly and feeds organic leads and word of mouth only later",
              MODERATE, HARD, "revenue_last_year", -1, rule=lag("revenue_year1", "revenue_last_year")),
    ),
    sweep_lever="veto_threshold",
    sweep_metrics=("revenue_total", "cash_balance_end", "brand_level_end", "revenue_last_year"),
    fast_arms=(OFF, MODERATE, HARD),
    main_pair=(OFF, MODERATE),
    mechanism=("veto_per_year", "vetoes", "brand_level_end", "marketing_spend_total"),
    mechanism_text="The veto first removes the waste channel (no return at all), then, as the bar rises, brand "
                   "campaigns whose return shows only in organic leads years later, and finally broad campaigns.",
)
