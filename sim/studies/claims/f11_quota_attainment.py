"""F11 (CSO Insights): roughly half of the reps reach quota."""

from sim.studies.declarations import EMERGENT, Arm, Check, Study
from sim.studies.rules import in_band

BASE, ALIGNED = "hundred_years_war", "full_alignment"
BAND = (0.52, 0.60)


def quota_setting(res) -> str:
    sales = res.configs[BASE].sales
    mean = float(res.values(BASE, "reps_at_quota").mean())
    side = "above" if mean > BAND[1] else "below" if mean < BAND[0] else "inside"
    list_price = res.configs[BASE].market.list_price
    return (f"the quota default is {sales.quota_deals:g} deals at list price (EUR "
            f"{sales.quota_deals * list_price:,.0f} of new annual contract value) per rep per "
            f"{sales.quota_period_weeks}-week period, fitted on the calibration seed root to the middle of the band "
            f"(python -m sim.studies.calibration --fit-quota); attainment is emergent, and on this seed root its mean "
            f"lies {side} the band")


STUDY = Study(
    key="f11_quota_attainment",
    title="F11: share of reps at quota in the baseline",
    claims=("F11",),
    question="Share of reps whose bookings reach quota in a period, averaged over the periods of a run.",
    arms=(Arm(BASE), Arm(ALIGNED, ALIGNED)),
    checks=(
        Check("F11", f"Roughly half of the reps reach quota in the baseline ({BAND[0]:.0%}-{BAND[1]:.0%})",
              EMERGENT, "bookings depend on leads accepted, fit, discount and delivery: nothing sets attainment",
              treatment=BASE, metric="reps_at_quota", rule=in_band(*BAND), explain=quota_setting,
              untested="the quota was calibrated on the calibration seeds; its 95 % CI is not asserted to lie "
                       "inside the band on the two-year fast variant"),
        Check("F11", "Alignment raises the share of reps at quota", EMERGENT,
              "attainment moves through lead acceptance, conversion and discounting", BASE, ALIGNED, "reps_at_quota",
              +1),
    ),
    panels=("revenue", "discount_mean"),
    main_pair=(BASE, ALIGNED),
    mechanism=("reps_at_quota", "customers_won", "discount_mean"),
    mechanism_text="Quota attainment is emergent: bookings depend on leads accepted, fit, discount and delivery.",
)
