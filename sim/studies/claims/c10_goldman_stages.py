"""C10 (seed 004): Goldman's five stages of alignment, derived from what the departments do, and the stage KPIs.

Stage 5 against stage 1 on revenue is F1's comparison (the presets are the same runs) and is not repeated here."""

from sim.studies.declarations import EMERGENT, NOT_HOLDING, Arm, Check, Study
from sim.studies.narrative import changes
from sim.studies.rules import all_of, paired_rule

STAGES = ("goldman_1_us_vs_them", "goldman_2_friendly_role_play", "goldman_3_cooperative_efforts",
          "goldman_4_collaboration", "goldman_5_full_alignment")
FIRST, MIDDLE, LAST = STAGES[0], STAGES[2], STAGES[-1]


def volume_not_speed(res) -> str:
    reps = res.configs[LAST].sales.reps
    return (f"stage 5 wins more customers with the same {reps} reps; the win hazard scales with the share of "
            "open-deal work a rep gets done each week, so busier reps close each deal no faster: "
            + changes(res, FIRST, LAST, "customers_won", "sales_cycle_median"))


STUDY = Study(
    key="c10_goldman_stages",
    title="C10: Goldman's five stages of alignment and their KPIs",
    claims=("C10",),
    question="Run the five stage presets; the stage is derived each week from what the organisation does, and the "
             "stage KPIs (% leads accepted, cost of market entry, sales-cycle length, lead-to-customer conversion) "
             "are reported every week.",
    arms=tuple(Arm(s, s) for s in STAGES),
    checks=(
        Check("C10", "The derived stage rises with the presets' stage (1 → 3 → 5)", EMERGENT,
              "the stage is read from behaviour only (follow-up, blame vs fixes, trust, time spent together; "
              "tests/test_alignment.py fails if it reads a policy field), which the presets reach through "
              "the loops; the knockout measures how much of the rise they carry",
              metric="alignment_stage_end", rule=all_of(paired_rule(FIRST, MIDDLE, "alignment_stage_end", +1),
                                                        paired_rule(MIDDLE, LAST, "alignment_stage_end", +1)),
              arms_needed=(FIRST, MIDDLE, LAST)),
        Check("C10", "Stage 5 vs 1: % of leads accepted by sales rises", EMERGENT,
              "acceptance follows reps' bar, which trust, blame and the SLA's follow-up move", FIRST, LAST,
              "lead_acceptance", +1),
        Check("C10", "Stage 5 vs 1: cost of market entry (CAC) falls", EMERGENT,
              "CAC divides spend and selling time by the customers the whole funnel wins", FIRST, LAST, "cac", -1),
        Check("C10", "Stage 5 vs 1: lead-to-customer conversion rises", EMERGENT,
              "conversion moves through learning, lead quality and acceptance", FIRST, LAST, "lead_to_customer", +1),
        Check("C10", "Stage 5 vs 1: sales cycle shortens", EMERGENT,
              "the cycle follows reps' workload and deal fit, which alignment changes in opposite directions",
              FIRST, LAST, "sales_cycle_median", -1, explain=volume_not_speed,
              untested=NOT_HOLDING),
    ),
    panels=("alignment_stage", "krk_score", "lead_acceptance", "lead_to_customer", "revenue", "trust_mean"),
    fast_arms=(FIRST, MIDDLE, LAST),
    main_pair=(FIRST, LAST),
    mechanism=("alignment_stage_end", "krk_score_end", "blame_per_year", "lead_acceptance", "cac"),
    mechanism_text="Each stage adds levers (less blame, agreed KPIs and SLA, shared data, shared goals); the "
                   "derived stage and the KRK score follow what the organisation then does.",
)
