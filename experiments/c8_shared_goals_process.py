"""C8 (seed 002): shared goals, a joint process, unified metrics and reporting, role swaps."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

SHARED = ("policy.shared_goal_weight=0.7", "policy.joint_meetings=4", "policy.shared_data=0.9",
          "policy.cross_training_rate=0.5")
STUDY = Study(
    key="c8_shared_goals_process",
    title="C8: shared goals, joint process, unified data and role swaps",
    claims=("C8",),
    question="Seed 002's integration package (shared goal 0.7, joint meetings every 4 weeks, shared data 0.9, "
             "role swaps 0.5 a year) on the baseline, without changing pay schemes, SLA or discount authority.",
    arms=[Arm("hundred_years_war"), Arm("integration_package", overrides=SHARED)],
    checks=[
        Check("C8", "The package raises 3-year revenue", "hundred_years_war", "integration_package", "revenue_total",
              +1),
        Check("C8", "The package raises 12-month retention", "hundred_years_war", "integration_package",
              "retention_12m", +1, tested=False),
        Check("C8", "The package cuts blame events", "hundred_years_war", "integration_package",
              "blame_events_per_year", -1),
        Check("C8", "The package cuts discounting (shared goal damps quota-driven discounts)", "hundred_years_war",
              "integration_package", "discount_mean", -1),
    ],
    panels=("revenue", "trust_mean", "discount_mean", "promise_gap"),
    mechanism=("blame_per_year", "fix_per_year", "discount_mean", "promise_gap_mean", "field_knowledge_mean"),
    mechanism_text="A shared goal in every reward damps blame, discounting and overpromising; meetings and "
                   "shared data keep the learning loop open; role swaps spread knowledge both ways.",
)

if __name__ == "__main__":
    main(STUDY)
