"""C7 / F8 (seed 002): discount authority, quota pressure and the margin it costs."""

from sim.studies.declarations import EMERGENT, MECHANISM, NOT_HOLDING, Arm, Check, Study
from sim.studies.narrative import curve_text
from sim.studies.rules import interior_optimum, one_sample

LEVELS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
SWEEP = tuple(f"max_discount_{d:g}" for d in LEVELS)
NONE, WIDE = "max_discount_0", "max_discount_0.3"


def discount_tradeoff(res) -> str:
    cfg = res.configs[WIDE]
    return (curve_text(res, "gross_margin_total", "discount authority")
            + ". A discount is a price cut: the buyer compares list x (1 - discount) with its alternative at "
            f"EUR {cfg.market.reference_price:,.0f} through a logit of coefficient {cfg.market.price_response:g} x its "
            f"price sensitivity (mean {cfg.market.price_sensitivity_mean:g}), so the first points of discount win "
            "price-sensitive buyers who would have gone elsewhere, and every point is given up on the whole "
            "contract of every buyer who gets it. Reps discount by quota pressure up to their authority, so past "
            "the discount pressure asks for, more authority changes little")


STUDY = Study(
    key="c7_f8_discounts",
    title="C7/F8: discount authority (max_discount) and quota pressure",
    claims=("C7", "F8"),
    question="Sweep the discount authority from 0 to 50 % of list price; read discounting through the quota "
             "period.",
    arms=tuple(Arm(name, overrides=(f"policy.max_discount={d}",), lever_value=d) for name, d in zip(SWEEP, LEVELS)),
    checks=(
        Check("C7", "Quota pressure raises discounts near period end (last 4 vs first 4 weeks of a period)",
              MECHANISM, "pressure = shortfall x time into the period sets the discount by rule", treatment=WIDE,
              metric="discount_late_minus_early", expected=+1, rule=one_sample),
        Check("C7", "Discounts raise wins now: customers won in year 1 (authority 30 % vs 0)", MECHANISM,
              "a discount lowers the price the buyer compares with its alternative (sim.pricing) by rule", NONE, WIDE,
              "wins_year1", +1),
        Check("C7", "... and cut the gross margin rate", MECHANISM, "the discount is charged on every deal won",
              NONE, WIDE, "gross_margin_rate", -1, untested=NOT_HOLDING),
        Check("F8", "Inverted U: gross margin peaks at a middle discount authority", EMERGENT,
              "the optimum balances the price-sensitive buyers won against the price given up on every contract",
              metric="gross_margin_total", expected=+1, rule=interior_optimum, arms_needed=SWEEP,
              explain=discount_tradeoff, untested="a sweep of eight levels does not fit the test budget"),
    ),
    sweep_lever="max_discount",
    sweep_metrics=("gross_margin_total", "revenue_total", "wins_year1", "discount_mean"),
    fast_arms=(NONE, WIDE),
    main_pair=(NONE, WIDE),
    mechanism=("discount_mean", "discount_late_minus_early", "wins_year1", "gross_margin_rate"),
    mechanism_text="Pressure = shortfall x time into the period, so reps behind quota discount more as the "
                   "period closes, up to their authority; the discount lowers the price a buyer compares with its "
                   "alternative, which lifts the win hazard of price-sensitive accounts, and cuts the contract value "
                   "of every deal.",
)
