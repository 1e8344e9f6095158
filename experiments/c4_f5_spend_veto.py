"""C4 / F5 (seed 001 #5, #7): a sales veto on marketing spend removes waste, but used hard it also cuts
brand investment and hurts revenue after a lag: an interior optimum of the veto threshold."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, interior_optimum, main, paired_rule, all_of  # noqa: E402

THRESHOLDS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
STUDY = Study(
    key="c4_f5_spend_veto",
    title="C4/F5: sales veto on marketing spend, swept over the veto threshold",
    claims=("C4", "F5"),
    question="Sales vetoes every campaign whose short-run return (accepted leads per euro, as its CRM credits "
             "them) is below threshold x the average; 0 vetoes nothing, 2 vetoes hard.",
    arms=[Arm("veto_off")] + [Arm(f"veto_{t:g}", overrides=("policy.spend_veto=true", f"policy.veto_threshold={t}"),
                                  lever_value=t) for t in THRESHOLDS],
    checks=[
        Check("C4", "A moderate veto (threshold 1) cuts waste: cash balance (revenue - spend - payroll) rises",
              "veto_off", "veto_1", "cash_balance_end", +1),
        Check("C4", "A moderate veto (threshold 1) raises 3-year revenue vs no veto", "veto_off",
              "veto_1", "revenue_total", +1, tested=False,
              explain_if_not="the money a moderate veto saves is mostly not spent again (half of a vetoed "
                             "budget is saved), and the waste it removes never produced revenue: the gain "
                             "shows in cash, not in revenue"),
        Check("C4", "... but it also cuts long-term brand investment (brand stock at the end)", "veto_off",
              "veto_1", "brand_level_end", -1),
        Check("F5", "Interior optimum: 3-year revenue peaks at a middle veto threshold", metric="revenue_total",
              expected=+1, evaluate=interior_optimum, tested=False,
              explain_if_not="revenue is flat from no veto up to a threshold near 1 and falls beyond it: a "
                             "plateau, not a peak, because removing waste saves money without adding revenue"),
        Check("F5", "Interior optimum: cash balance at the end peaks at a middle veto threshold",
              metric="cash_balance_end", expected=+1, evaluate=interior_optimum, tested=False),
        Check("F5", "Hard veto (threshold 2 vs 1) hurts revenue in the last year more than in the first (lag)",
              metric="revenue_last_year", expected=-1,
              evaluate=all_of(paired_rule("veto_1", "veto_2", "revenue_last_year", -1))),
    ],
    sweep_lever="veto_threshold",
    sweep_metrics=("revenue_total", "cash_balance_end", "brand_level_end", "revenue_last_year"),
    fast_arms=("veto_off", "veto_0", "veto_1", "veto_2"),
    main_pair=("veto_off", "veto_1"),
    mechanism=("veto_per_year", "vetoes", "brand_level_end", "marketing_spend_total"),
    mechanism_text="The veto first removes the waste channel (no return at all), then, as the bar rises, brand "
                   "campaigns whose return shows only in organic leads years later, and finally broad campaigns.",
)

if __name__ == "__main__":
    main(STUDY)
