"""F9 / C9 first half (seed 003; Forrester 1968): overpromising raises first-year wins and later churn."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

SLOPES = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
STUDY = Study(
    key="f9_overpromising",
    title="F9: overpromising under quota pressure (promise_inflation_slope)",
    claims=("F9",),
    question="Sweep how much reps under pressure promise beyond what operations can deliver "
             "(sales.promise_inflation_slope; baseline 0.5).",
    arms=[Arm(f"promise_{s:g}", overrides=(f"sales.promise_inflation_slope={s}",), lever_value=s) for s in SLOPES],
    checks=[
        Check("F9", "Overpromising raises first-year wins (slope 3 vs 0)", "promise_0", "promise_3", "wins_year1", +1),
        Check("F9", "... and later churn (customers churned in the last year)", "promise_0", "promise_3",
              "churn_last_year", +1),
        Check("F9", "... and lowers 12-month retention", "promise_0", "promise_3", "retention_12m", -1),
        Check("F9", "Growth then stagnation: last-year revenue growth is lower", "promise_0", "promise_3",
              "growth_last_year", -1),
    ],
    sweep_lever="promise_inflation_slope",
    sweep_metrics=("wins_year1", "churn_last_year", "retention_12m", "revenue_total"),
    fast_arms=("promise_0", "promise_3"),
    fast_overrides=(),  # stagnation shows in year 3: the fast variant keeps the three years, with two arms
    fast_replicates=30,
    main_pair=("promise_0", "promise_3"),
    mechanism=("promise_gap_mean", "wins_year1", "wins_year3", "churn_last_year", "satisfaction_end"),
    mechanism_text="A promise above standard service lifts the win hazard now; once delivered, the gap between "
                   "promise and delivery lowers satisfaction (expectation-disconfirmation), which raises churn "
                   "and negative word of mouth later.",
)

if __name__ == "__main__":
    main(STUDY)
