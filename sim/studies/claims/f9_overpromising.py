"""F9 / C9 first half (seed 003; Forrester 1968): overpromising raises first-year wins and later churn."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

SLOPES = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
HONEST, INFLATED = "promise_0", "promise_3"
STUDY = Study(
    key="f9_overpromising",
    title="F9: overpromising under quota pressure (promise_inflation_slope)",
    claims=("F9",),
    question="Sweep how much reps under pressure promise beyond what operations can deliver "
             "(sales.promise_inflation_slope; baseline 0.5).",
    arms=tuple(Arm(f"promise_{s:g}", overrides=(f"sales.promise_inflation_slope={s}",), lever_value=s)
               for s in SLOPES),
    checks=(
        Check("F9", "Overpromising raises first-year wins (slope 3 vs 0)", MECHANISM,
              "a promise above standard service multiplies the win hazard by rule", HONEST, INFLATED, "wins_year1",
              +1),
        Check("F9", "... and later churn (customers churned in the last year)", EMERGENT,
              "churn follows delivered service and satisfaction, which operations' capacity and the larger base "
              "set", HONEST, INFLATED, "churn_last_year", +1),
        Check("F9", "... and lowers gross revenue retention", EMERGENT,
              "retention follows satisfaction, which delivered service and operations' capacity set; measured on "
              "the whole book's ARR each year (installed base included)", HONEST, INFLATED, "grr_annual", -1,
              untested="the fall (about 1.2 pp) lies near its smallest effect of interest (1 pp), which the fast "
                       "variant's minimum-effect test does not resolve; the full table tests it"),
        Check("F9", "Growth then stagnation: last-year revenue growth is lower", EMERGENT,
              "growth integrates wins, churn and word of mouth of disappointed customers", HONEST, INFLATED,
              "growth_last_year", -1,
              untested="stagnation shows in the third year, beyond the fast variant's two"),
    ),
    sweep_lever="promise_inflation_slope",
    sweep_metrics=("wins_year1", "churn_last_year", "grr_annual", "revenue_total"),
    fast_arms=(HONEST, INFLATED),
    main_pair=(HONEST, INFLATED),
    mechanism=("promise_gap_mean", "wins_year1", "wins_last_year", "churn_last_year", "satisfaction_end"),
    mechanism_text="A promise above standard service lifts the win hazard now; once delivered, the gap between "
                   "promise and delivery lowers satisfaction (expectation-disconfirmation), which raises churn "
                   "and negative word of mouth later.",
)
