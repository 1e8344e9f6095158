"""C1 (seed 000): purchasing's rigid procedures and marketing's useless tools block sales."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

STUDY = Study(
    key="c1_purchasing_and_tools",
    title="C1: rigid purchasing and useless sales tools block sales",
    claims=("C1",),
    question="Do rigid purchasing approvals and sales material made without field knowledge cut sales?",
    arms=[Arm("flexible_purchasing", overrides=("policy.purchasing_rigidity=0.0",)),
          Arm("rigid_purchasing", overrides=("policy.purchasing_rigidity=1.0",)),
          Arm("useless_tools", description="baseline: marketers without field knowledge"),
          Arm("useful_tools", overrides=("marketing.field_knowledge_initial=0.6",),
              description="marketers who know the field make material reps can use")],
    checks=[
        Check("C1", "Rigid purchasing (rigidity 1 vs 0) cuts 3-year revenue", "flexible_purchasing",
              "rigid_purchasing", "revenue_total", -1),
        Check("C1", "Rigid purchasing cuts customers won", "flexible_purchasing", "rigid_purchasing",
              "customers_won", -1),
        Check("C1", "Useless sales tools (low field knowledge) cut 3-year revenue vs useful ones", "useful_tools",
              "useless_tools", "revenue_total", -1),
    ],
    panels=("revenue", "wins", "active_customers", "field_knowledge"),
    main_pair=("flexible_purchasing", "rigid_purchasing"),
    mechanism=("customers_won", "sales_cycle_median", "blame_per_year"),
    mechanism_text="Rigid purchasing puts more opportunities on hold for approval, where they cannot close and "
                   "slip to competitors more often; sales blames 'red tape'.",
)

if __name__ == "__main__":
    main(STUDY)
