"""F2: blame culture -> less sharing -> worse leads -> lower conversion, link by link."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

CALM, BASE = "no_blame", "hundred_years_war"
STUDY = Study(
    key="f2_blame_chain",
    title="F2: blame culture -> less sharing -> worse leads -> lower conversion",
    claims=("F2",),
    question="Walk the causal chain link by link: blame culture 0.8 (baseline) against 0 (no blame).",
    arms=(Arm(CALM, overrides=("policy.blame_culture=0.0",)), Arm(BASE)),
    checks=(
        Check("F2", "Blame lowers sales' trust in marketing (the sharing channel)", MECHANISM,
              "each blame event costs trust by rule", CALM, BASE, "trust_sales_marketing_end", -1,
              named_loops=("blame_erodes_trust",)),
        Check("F2", "... which lowers marketing's field knowledge (feedback that arrives)", MECHANISM,
              "feedback flows to marketing in proportion to the sender's trust by rule", CALM, BASE,
              "field_knowledge_mean", -1, named_loops=("blame_erodes_trust", "feedback_learning")),
        Check("F2", "... which lowers lead quality: lead-to-customer conversion falls", EMERGENT,
              "conversion also moves through reps' acceptance bar (distrust raises it) and the leads left to go "
              "cold, which this link does not name", CALM, BASE, "lead_to_customer", -1),
        Check("F2", "... and revenue over the run falls", EMERGENT,
              "revenue integrates wins, churn and word of mouth over the run", CALM, BASE, "revenue_total", -1,
              untested="the two-year effect is below what 12 fast replicates resolve; the full table tests it"),
    ),
    panels=("trust_sales_in_marketing", "field_knowledge", "lead_to_customer", "revenue"),
    mechanism=("blame_per_year", "trust_sales_marketing_end", "field_knowledge_mean", "lead_to_customer"),
    mechanism_text="Each blame event cuts trust both ways; feedback on lead quality flows in proportion to trust, "
                   "so marketing learns less about real buyers and passes worse leads.",
)
