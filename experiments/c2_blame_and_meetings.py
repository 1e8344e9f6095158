"""C2 (seeds 000, 002): disagreement read as offence makes enemies; a calm joint meeting restores cooperation."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

STUDY = Study(
    key="c2_blame_and_meetings",
    title="C2: blame makes enemies, calm joint meetings restore cooperation",
    claims=("C2",),
    question="Does blame lower trust, and do regular calm joint meetings (every 4 weeks) restore trust and "
             "cooperation under the same blame culture?",
    arms=[Arm("no_blame", overrides=("policy.blame_culture=0.0",)),
          Arm("hundred_years_war"),
          Arm("joint_meetings", overrides=("policy.joint_meetings=4",))],
    checks=[
        Check("C2", "Blame culture (0.8 vs 0) lowers trust between departments", "no_blame", "hundred_years_war",
              "trust_mean_end", -1),
        Check("C2", "Joint meetings raise trust under the same blame culture", "hundred_years_war",
              "joint_meetings", "trust_mean_end", +1),
        Check("C2", "Joint meetings cut blame events", "hundred_years_war", "joint_meetings",
              "blame_events_per_year", -1),
        Check("C2", "Joint meetings raise 3-year revenue", "hundred_years_war", "joint_meetings",
              "revenue_total", +1),
    ],
    panels=("revenue", "trust_mean", "lead_acceptance", "field_knowledge"),
    main_pair=("hundred_years_war", "joint_meetings"),
    mechanism=("blame_per_year", "fix_per_year", "trust_mean_end", "lead_acceptance"),
    mechanism_text="In a meeting each side states its constraints: trust rises, knowledge gaps shrink, and a missed "
                   "target is fixed jointly instead of blamed.",
)

if __name__ == "__main__":
    main(STUDY)
