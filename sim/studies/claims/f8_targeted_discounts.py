"""F8 variant: the discount authority sweep again, with discounts aimed at price-sensitive buyers.

The uniform sweep (``c7_f8_discounts``) gives every deal the rep's discount, and the gross margin falls with the
authority.  Pricing research attributes the inverted U to discounts that go where they buy volume (Marn &
Rosiello 1992); this variant sets ``policy.discount_targeting = 1`` (a buyer is offered the rep's discount x its
price sensitivity / the mean, within the authority) and asks whether the margin then peaks at a middle authority.
"""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study
from sim.studies.narrative import curve_text
from sim.studies.rules import interior_optimum

LEVELS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
TARGETED = ("policy.discount_targeting=1.0",)
SWEEP = tuple(f"targeted_max_discount_{d:g}" for d in LEVELS)
NONE, WIDE = "targeted_max_discount_0", "targeted_max_discount_0.3"
UNIFORM_WIDE = "uniform_max_discount_0.3"


def margin_curve(res) -> str:
    return (curve_text(res, "gross_margin_total", "discount authority with targeted discounts")
            + ". Aiming the discount "
            "shifts it toward price-sensitive buyers, yet at each step of authority the price given up exceeds the "
            "margin of the extra deals won")


STUDY = Study(
    key="f8_targeted_discounts",
    title="F8 variant: discount authority with discounts aimed at price-sensitive buyers",
    claims=("F8",),
    question="Sweep the discount authority from 0 to 50 % of list price with policy.discount_targeting = 1; compare "
             "with uniform discounts at 30 %.",
    arms=(*(Arm(name, overrides=(*TARGETED, f"policy.max_discount={d}"), lever_value=d)
            for name, d in zip(SWEEP, LEVELS)),
          Arm(UNIFORM_WIDE, overrides=("policy.max_discount=0.3",))),
    checks=(
        Check("F8", "Targeted discounts win more per point of discount given: gross margin at authority 30 %, "
              "targeted vs uniform", MECHANISM,
              "the offered discount follows the buyer's price sensitivity by rule, so the same authority buys more "
              "win hazard", UNIFORM_WIDE, WIDE, "gross_margin_total", +1,
              untested="the margin gained is small against replicate noise at the fast variant's size: reported in "
                       "the table, not asserted"),
        Check("F8", "Inverted U with targeted discounts: gross margin peaks at a middle discount authority", EMERGENT,
              "the optimum would balance volume won against price given up, through sales capacity and the "
              "installed base", metric="gross_margin_total", expected=+1, rule=interior_optimum, arms_needed=SWEEP,
              explain=margin_curve, untested="a sweep of six levels does not fit the test budget"),
    ),
    sweep_lever="max_discount",
    sweep_metrics=("gross_margin_total", "revenue_total", "wins_year1", "discount_mean"),
    fast_arms=(UNIFORM_WIDE, WIDE),
    main_pair=(UNIFORM_WIDE, WIDE),
    mechanism=("discount_mean", "wins_year1", "gross_margin_rate"),
    mechanism_text="Each buyer is offered the rep's discount scaled by its price sensitivity relative to the mean, "
                   "within the authority: discounts go where they raise the win hazard most.",
)
