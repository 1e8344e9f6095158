"""C5 / F7 (seed 001 #9): the lead-quality dispute, a lead SLA and feedback through shared data."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study
from sim.studies.rules import in_band

BASE, SLA, REMEDY = "hundred_years_war", "lead_sla", "remedy_9_lead_quality"
STUDY = Study(
    key="c5_f7_lead_sla",
    title="C5/F7: lead SLA and feedback on lead quality",
    claims=("C5", "F7"),
    question="Without an SLA, how many marketing leads does sales never work? What do an SLA alone and an SLA "
             "with sales feedback through shared data (remedy 9) change?",
    arms=(Arm(BASE), Arm(SLA, overrides=("policy.lead_sla=true",)), Arm(REMEDY, REMEDY)),
    checks=(
        Check("F7", "Without an SLA sales ignores 30-80 % of marketing leads", EMERGENT,
              "the share emerges from reps' bar, which distrust (blame) and overload raise", treatment=BASE,
              metric="leads_ignored", rule=in_band(0.30, 0.80)),
        Check("F7", "With an SLA, far fewer leads are ignored", MECHANISM,
              "the SLA obliges reps to follow up qualifying leads by rule", BASE, SLA, "leads_ignored", -1),
        Check("C5", "SLA + feedback raises lead-to-customer conversion", EMERGENT,
              "conversion moves through what marketing learns from feedback and through reps' acceptance",
              BASE, REMEDY, "lead_to_customer", +1),
        Check("C5", "SLA + feedback raises revenue over the run", EMERGENT,
              "revenue integrates conversion, capacity and churn over the run", BASE, REMEDY, "revenue_total", +1),
        Check("C5", "Feedback adds to the SLA: targeting (field knowledge) improves", MECHANISM,
              "shared data carries recorded feedback to marketing by rule, whatever sales' trust", SLA, REMEDY,
              "field_knowledge_mean", +1, named_loops=("feedback_learning",)),
    ),
    panels=("lead_acceptance", "lead_to_customer", "field_knowledge", "revenue"),
    main_pair=(BASE, REMEDY),
    mechanism=("leads_ignored", "blame_per_year", "field_knowledge_mean", "lead_to_customer"),
    mechanism_text="Without an agreed definition, distrustful reps raise their bar and leave leads to go cold; "
                   "'bad leads' and 'no follow-up' blame feed each other. The SLA forces follow-up, and the "
                   "feedback loop teaches marketing which leads convert.",
)
