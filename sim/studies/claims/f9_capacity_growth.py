"""F9 second half (Forrester 1968, market growth; Morecroft 2007, ch. 7): fast selling with slow hiring grows, then
stagnates -- the onboarding backlog outruns a capacity added late, the delivery delay rises and its news lowers
the win rate, while service quality and satisfaction fall with the load."""

import pandas as pd

from sim.outcomes import Outcome, register
from sim.studies.declarations import EMERGENT, Arm, Check, Study
from sim.studies.rules import one_sample

FAST_SELLING = ("sales.reps=16",)
SLOW, QUICK = "fast_selling_slow_hiring", "fast_selling_fast_hiring"
DELAY_PEAK = register(Outcome("delivery_delay_peak", "Delivery delay, peak week", "weeks", better="lower", digits=1))
GROWTH_YEAR2 = register(Outcome("growth_year2", "Revenue growth, year 2 over year 1", "%", 100.0, digits=1))
SLOWDOWN = register(Outcome("growth_slowdown", "Revenue growth, last year minus year 2", "%", 100.0,
                            ratio_scale=False, digits=1))


def add_capacity_outcomes(res) -> None:
    """Per run: the peak weekly delivery delay, revenue growth in year 2, and last-year growth minus it."""
    w = res.weekly
    year = w["week"] // 52
    key = ["scenario", "replicate"]
    peak = w.groupby(key)["delivery_delay"].max()
    by_year = w.assign(year=year).groupby([*key, "year"])["revenue"].sum().unstack("year")
    growth2 = by_year[1] / by_year[0] - 1
    index = pd.MultiIndex.from_frame(res.runs[key])
    res.runs[DELAY_PEAK.name] = peak.reindex(index).to_numpy()
    res.runs[GROWTH_YEAR2.name] = growth2.reindex(index).to_numpy()
    res.runs[SLOWDOWN.name] = res.runs["growth_last_year"] - res.runs[GROWTH_YEAR2.name]


STUDY = Study(
    key="f9_capacity_growth",
    title="F9: growth then stagnation when selling outruns a capacity hired late (Forrester's market growth)",
    claims=("F9",),
    question="Double the sales force (sales.reps 16) and compare operations that hire slowly "
             "(operations.capacity_adjustment_weeks 104) with operations that hire fast (8 weeks).",
    arms=(Arm(QUICK, overrides=(*FAST_SELLING, "operations.capacity_adjustment_weeks=8")),
          Arm(SLOW, overrides=(*FAST_SELLING, "operations.capacity_adjustment_weeks=104"))),
    checks=(
        Check("F9", "Hiring late lets the delivery delay run higher (peak week)", EMERGENT,
              "the delay is backlog / throughput: it rises only as far as wins outrun the staff, which the hiring "
              "lag and churn set", QUICK, SLOW, DELAY_PEAK.name, +1),
        Check("F9", "... and growth stalls: last-year revenue growth is lower", EMERGENT,
              "growth integrates wins (through delivery credibility), churn (through quality and satisfaction) "
              "and word of mouth", QUICK, SLOW, "growth_last_year", -1),
        Check("F9", "... and three-year revenue is lower", EMERGENT,
              "revenue integrates the same loops over the run", QUICK, SLOW, "revenue_total", -1),
        Check("F9", "Growth then stagnation with slow hiring: last-year growth is below year-2 growth", EMERGENT,
              "the slowdown comes from the capacity loop, not from a rule on time", treatment=SLOW,
              metric=SLOWDOWN.name, expected=-1, rule=one_sample),
    ),
    prepare=add_capacity_outcomes,
    panels=("revenue", "delivery_delay", "utilisation", "ops_staff"),
    main_pair=(QUICK, SLOW),
    mechanism=("delivery_delay_peak", "delivery_delay_mean", "hire_per_year", "satisfaction_end", "sql_to_won"),
    mechanism_text="Twice the reps win deals faster than operations can onboard them; the backlog grows, the "
                   "delivery delay (backlog / throughput) rises and prospects hear of it, which lowers the win "
                   "hazard (Forrester's table); the same staff serve the customers, so quality and satisfaction "
                   "fall and churn rises. Management sees the delay late and hires over "
                   "capacity_adjustment_weeks: fast hiring keeps growing, slow hiring stalls.",
    fast_overrides=(),
    fast_replicates=12,
    table_metrics=("revenue_total", "delivery_delay_peak", "growth_last_year", "grr_annual"),
)
