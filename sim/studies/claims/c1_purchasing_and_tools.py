"""C1 (seed 000): purchasing's rigid procedures and marketing's useless tools block sales."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

FLEXIBLE, RIGID = "flexible_purchasing", "rigid_purchasing"
STUDY = Study(
    key="c1_purchasing_and_tools",
    title="C1: rigid purchasing and useless sales tools block sales",
    claims=("C1",),
    question="Do rigid purchasing approvals and sales material made without field knowledge cut sales?",
    arms=(Arm(FLEXIBLE, overrides=("policy.purchasing_rigidity=0.0",)),
          Arm(RIGID, overrides=("policy.purchasing_rigidity=1.0",)),
          Arm("useless_tools", description="baseline: marketers without field knowledge"),
          Arm("useful_tools", overrides=("marketing.field_knowledge_initial=0.6",),
              description="marketers who know the field make material reps can use")),
    checks=(
        Check("C1", "Rigid purchasing (rigidity 1 vs 0) cuts revenue over the run", EMERGENT,
              "fewer wins shrink the installed base and its word of mouth, and reps blame 'red tape', costing "
              "trust: loops the claim does not name", FLEXIBLE, RIGID, "revenue_total", -1),
        Check("C1", "Rigid purchasing cuts customers won", MECHANISM,
              "rigidity puts opportunities on a coded approval hold where they cannot close and may be lost",
              FLEXIBLE, RIGID, "customers_won", -1),
        Check("C1", "Useless sales tools (low field knowledge) cut revenue over the run vs useful ones", EMERGENT,
              "field knowledge acts through lead quality, sales' acceptance of leads and the feedback that "
              "keeps teaching marketing", "useful_tools", "useless_tools", "revenue_total", -1),
    ),
    panels=("revenue", "wins", "active_customers", "field_knowledge"),
    main_pair=(FLEXIBLE, RIGID),
    mechanism=("customers_won", "sales_cycle_median", "blame_per_year"),
    mechanism_text="Rigid purchasing puts more opportunities on hold for approval, where they cannot close and "
                   "slip to competitors more often; sales blames 'red tape'.",
)
