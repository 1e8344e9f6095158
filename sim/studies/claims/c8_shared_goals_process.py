"""C8 (seed 002): shared goals, a joint process, unified data and role swaps."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

BASE, PACKAGE = "hundred_years_war", "integration_package"
SHARED = ("policy.shared_goal_weight=0.7", "policy.joint_meetings=4", "policy.shared_data=0.9",
          "policy.cross_training_rate=0.5")
STUDY = Study(
    key="c8_shared_goals_process",
    title="C8: shared goals, joint process, unified data and role swaps",
    claims=("C8",),
    question="Seed 002's integration package (shared goal 0.7, joint meetings every 4 weeks, shared data 0.9, "
             "role swaps 0.5 a year) on the baseline, without changing pay schemes, SLA or discount authority.",
    arms=(Arm(BASE), Arm(PACKAGE, overrides=SHARED)),
    checks=(
        Check("C8", "The package raises revenue over the run", EMERGENT,
              "revenue moves through trust, learning, lead acceptance and churn, which the package reaches only "
              "through behaviour", BASE, PACKAGE, "revenue_total", +1),
        Check("C8", "The package raises gross revenue retention", EMERGENT,
              "retention moves through promises kept, delivered service and satisfaction; measured on the whole "
              "book's ARR each year (installed base included)", BASE, PACKAGE, "grr_annual", +1,
              untested="not asserted: on the whole book the package lowers GRR in the fast variant (-0.5 pp, "
                       "95 % CI [-0.8, -0.3], 12 paired two-year runs): it wins 39 % more customers with the same "
                       "operations staff and the installed base churns more (+0.5 pp a year, at unchanged prices), "
                       "and its smaller discounts (2.9 % against 12.7 %) raise renewal churn through the price paid "
                       "(-0.3 pp without the renewal price response); the full table gives the verdict"),
        Check("C8", "The package cuts blame events", MECHANISM,
              "the shared goal and the meetings damp blame by rule", BASE, PACKAGE, "blame_events_per_year", -1),
        Check("C8", "The package cuts discounting (shared goal damps quota-driven discounts)", MECHANISM,
              "a rep's discount is multiplied by (1 - shared goal weight) by rule", BASE, PACKAGE, "discount_mean",
              -1),
    ),
    panels=("revenue", "trust_mean", "discount_mean", "promise_gap"),
    mechanism=("blame_per_year", "fix_per_year", "discount_mean", "promise_gap_mean", "field_knowledge_mean"),
    mechanism_text="A shared goal in every reward damps blame, discounting and overpromising; meetings and "
                   "shared data keep the learning loop open; role swaps spread knowledge both ways.",
)
