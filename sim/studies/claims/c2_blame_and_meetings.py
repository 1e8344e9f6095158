"""C2 (seeds 000, 002): disagreement read as offence makes enemies; a calm joint meeting restores cooperation."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

BASE, MEETINGS = "hundred_years_war", "joint_meetings"
STUDY = Study(
    key="c2_blame_and_meetings",
    title="C2: blame makes enemies, calm joint meetings restore cooperation",
    claims=("C2",),
    question="Does blame lower trust, and do regular calm joint meetings (every 4 weeks) restore trust and "
             "cooperation under the same blame culture?",
    arms=(Arm("no_blame", overrides=("policy.blame_culture=0.0",)), Arm(BASE),
          Arm(MEETINGS, overrides=("policy.joint_meetings=4",))),
    checks=(
        Check("C2", "Blame culture (0.8 vs 0) lowers trust between departments", MECHANISM,
              "each blame event costs trust both ways by rule (relations.blame_trust_drop)", "no_blame", BASE,
              "trust_mean_end", -1, named_loops=("blame_erodes_trust",)),
        Check("C2", "Joint meetings raise trust under the same blame culture", MECHANISM,
              "a calm meeting raises trust by rule", BASE, MEETINGS, "trust_mean_end", +1,
              named_loops=("trust_repair",)),
        Check("C2", "Joint meetings cut blame events", MECHANISM,
              "a miss in a quarter with a meeting is fixed jointly instead of blamed, by rule", BASE, MEETINGS,
              "blame_events_per_year", -1),
        Check("C2", "Joint meetings raise revenue over the run", EMERGENT,
              "revenue moves through trust, lead acceptance and marketing's learning, which the claim does not "
              "name", BASE, MEETINGS, "revenue_total", +1),
    ),
    panels=("revenue", "trust_mean", "lead_acceptance", "field_knowledge"),
    main_pair=(BASE, MEETINGS),
    mechanism=("blame_per_year", "fix_per_year", "trust_mean_end", "lead_acceptance"),
    mechanism_text="In a meeting each side states its constraints: trust rises, knowledge gaps shrink, and a missed "
                   "target is fixed jointly instead of blamed.",
)
