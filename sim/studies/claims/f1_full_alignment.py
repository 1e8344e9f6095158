"""F1: the conflict baseline against full alignment: revenue and retention rise moderately."""

from sim.studies.declarations import EMERGENT, Arm, Check, Study
from sim.studies.rules import moderate

BASE, ALIGNED = "hundred_years_war", "full_alignment"
STUDY = Study(
    key="f1_full_alignment",
    title="F1: hundred years' war vs full alignment",
    claims=("F1",),
    question="Does moving from the conflict baseline to full alignment raise revenue and retention "
             "moderately (tens of percent over the run, not multiples)?",
    arms=(Arm(BASE, BASE), Arm(ALIGNED, ALIGNED)),
    checks=(
        Check("F1", "Full alignment raises revenue over the run moderately (tens of percent, not multiples)",
              EMERGENT, "revenue moves through trust, blame, lead acceptance and marketing's learning, none of "
              "which the claim names", BASE, ALIGNED, "revenue_total", +1, rule=moderate(0.05, 1.0)),
        Check("F1", "Full alignment raises gross revenue retention", EMERGENT,
              "retention moves through promises kept, delivered service and satisfaction, which the alignment "
              "policies reach only through behaviour; measured on the whole book's ARR each year (installed base "
              "included), as SaaS firms measure it", BASE, ALIGNED, "grr_annual", +1),
    ),
    panels=("revenue", "active_customers", "lead_acceptance", "trust_mean"),
    mechanism=("blame_per_year", "fix_per_year", "lead_acceptance", "lead_to_customer", "discount_mean"),
    mechanism_text="Full alignment removes most blame, so trust and the feedback loop stay open: sales works "
                   "marketing's leads, more of them convert, and reps discount less.",
)
