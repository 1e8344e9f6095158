"""F1 (and C8 together with the other levers): from the conflict baseline to full alignment.

Run: `python experiments/f1_full_alignment.py` (add `--fast` for the tests' variant).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main, relative_within  # noqa: E402

STUDY = Study(
    key="f1_full_alignment",
    title="F1: hundred years' war vs full alignment",
    claims=("F1",),
    question="Does moving from the conflict baseline to full alignment raise revenue and retention "
             "moderately (tens of percent over three years, not multiples)?",
    arms=[Arm("hundred_years_war", "hundred_years_war"), Arm("full_alignment", "full_alignment")],
    checks=[
        Check("F1", "Full alignment raises 3-year revenue moderately (tens of percent, not multiples)",
              "hundred_years_war", "full_alignment", "revenue_total", +1, evaluate=relative_within(0.05, 1.0)),
        Check("F1", "Full alignment raises 12-month retention", "hundred_years_war", "full_alignment",
              "retention_12m", +1),
    ],
    panels=("revenue", "active_customers", "lead_acceptance", "trust_mean"),
    mechanism=("blame_per_year", "fix_per_year", "lead_acceptance", "lead_to_customer", "discount_mean"),
    mechanism_text="Full alignment removes most blame, so trust and the feedback loop stay open: sales works "
                   "marketing's leads, more of them convert, and reps discount less.",
)

if __name__ == "__main__":
    main(STUDY)
