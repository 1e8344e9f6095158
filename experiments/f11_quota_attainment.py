"""F11: in the baseline roughly half of the reps reach quota (52-60 %, CSO Insights 2009-2018)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, in_band, main  # noqa: E402

STUDY = Study(
    key="f11_quota_attainment",
    title="F11: share of reps at quota in the baseline",
    claims=("F11",),
    question="Share of reps whose bookings reach quota in a quarter, averaged over the 12 quarters of a run.",
    arms=[Arm("hundred_years_war"), Arm("full_alignment", "full_alignment")],
    checks=[
        Check("F11", "Roughly half of the reps reach quota in the baseline (52-60 %)", metric="reps_at_quota",
              evaluate=in_band("hundred_years_war", 0.52, 0.60), tested=False,
              explain_if_not="the quota default (EUR 75,000 per rep per quarter) sits slightly above what the "
                             "baseline books; a quota near EUR 70,000 would put attainment in the band — a default "
                             "for the lead to decide, not changed here"),
        Check("F11", "Alignment raises the share of reps at quota", "hundred_years_war", "full_alignment",
              "reps_at_quota", +1),
    ],
    panels=("revenue", "discount_mean"),
    main_pair=("hundred_years_war", "full_alignment"),
    mechanism=("reps_at_quota", "customers_won", "discount_mean"),
    mechanism_text="Quota attainment is emergent: bookings depend on leads accepted, fit, discount and delivery.",
)

if __name__ == "__main__":
    main(STUDY)
