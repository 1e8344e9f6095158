"""F2: blame culture lowers information sharing, then lead quality, then conversion."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

STUDY = Study(
    key="f2_blame_chain",
    title="F2: blame culture -> less sharing -> worse leads -> lower conversion",
    claims=("F2",),
    question="Walk the causal chain link by link: blame culture 0.8 (baseline) against 0 (no blame).",
    arms=[Arm("no_blame", overrides=("policy.blame_culture=0.0",)), Arm("hundred_years_war")],
    checks=[
        Check("F2", "Blame lowers sales' trust in marketing (the sharing channel)", "no_blame", "hundred_years_war",
              "trust_sales_marketing_end", -1),
        Check("F2", "... which lowers marketing's field knowledge (feedback that arrives)", "no_blame",
              "hundred_years_war", "field_knowledge_mean", -1),
        Check("F2", "... which lowers lead quality: lead-to-customer conversion falls", "no_blame",
              "hundred_years_war", "lead_to_customer", -1),
        Check("F2", "... and 3-year revenue falls", "no_blame", "hundred_years_war", "revenue_total", -1),
    ],
    panels=("trust_sales_in_marketing", "field_knowledge", "lead_to_customer", "revenue"),
    mechanism=("blame_per_year", "trust_sales_marketing_end", "field_knowledge_mean", "lead_to_customer"),
    mechanism_text="Each blame event cuts trust both ways; feedback on lead quality flows in proportion to trust, "
                   "so marketing learns less about real buyers and passes worse leads.",
)

if __name__ == "__main__":
    main(STUDY)
