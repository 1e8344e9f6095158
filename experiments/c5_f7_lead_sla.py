"""C5 / F7 (seed 001 #9, seed 004 stage 1): the lead-quality dispute; a lead SLA with feedback fixes it."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, in_band, main  # noqa: E402

STUDY = Study(
    key="c5_f7_lead_sla",
    title="C5/F7: lead SLA and feedback on lead quality",
    claims=("C5", "F7"),
    question="Without an SLA, how many marketing leads does sales never work? What do an SLA alone and an SLA "
             "with sales feedback through shared data (remedy 9) change?",
    arms=[Arm("hundred_years_war"), Arm("lead_sla", overrides=("policy.lead_sla=true",)),
          Arm("remedy_9_lead_quality", "remedy_9_lead_quality")],
    checks=[
        Check("F7", "Without an SLA sales ignores 30-80 % of marketing leads", metric="leads_ignored",
              evaluate=in_band("hundred_years_war", 0.30, 0.80)),
        Check("F7", "With an SLA, far fewer leads are ignored", "hundred_years_war", "lead_sla", "leads_ignored", -1),
        Check("C5", "SLA + feedback raises lead-to-customer conversion", "hundred_years_war",
              "remedy_9_lead_quality", "lead_to_customer", +1),
        Check("C5", "SLA + feedback raises 3-year revenue", "hundred_years_war", "remedy_9_lead_quality",
              "revenue_total", +1),
        Check("C5", "Feedback adds to the SLA: targeting (field knowledge) improves", "lead_sla",
              "remedy_9_lead_quality", "field_knowledge_mean", +1),
    ],
    panels=("lead_acceptance", "lead_to_customer", "field_knowledge", "revenue"),
    main_pair=("hundred_years_war", "remedy_9_lead_quality"),
    mechanism=("leads_ignored", "blame_per_year", "field_knowledge_mean", "lead_to_customer"),
    mechanism_text="Without an agreed definition, distrustful reps raise their bar and leave leads to go cold; "
                   "'bad leads' and 'no follow-up' blame feed each other. The SLA forces follow-up, and the "
                   "feedback loop teaches marketing which leads convert.",
)

if __name__ == "__main__":
    main(STUDY)
