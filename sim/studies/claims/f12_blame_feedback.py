"""F12: blame follows missed targets and feeds the next misses, measured against a counterfactual where blame costs
no trust (a raw correlation of blame with later misses is positive from persistence alone).  Blame's effect on
revenue is F2's row (its arms are the same runs) and is not repeated here."""

import numpy as np
import pandas as pd

from sim.outcomes import Outcome, register
from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study
from sim.studies.narrative import level

TRUSTLESS, BASE = "blame_costs_no_trust", "hundred_years_war"
RHO = register(Outcome("blame_then_miss_rho", "Spearman rho, blame events in a period vs missed KPIs in the next",
                       "rho", better="neither", ratio_scale=False, digits=3))


def add_lagged_correlation(res) -> None:
    """Per run: Spearman correlation of blame events in a quota period with missed KPIs in the next period
    (NaN when either series is constant)."""
    weeks = int(res.weekly["week"].max()) + 1
    values = {}
    for (scenario, replicate), e in res.events.groupby(["scenario", "replicate"]):
        period_weeks = res.configs[scenario].sales.quota_period_weeks
        periods = np.arange(weeks // period_weeks)
        period = e["week"] // period_weeks
        misses = e[e["kind"] == "miss"].groupby(period).size().reindex(periods, fill_value=0)
        blames = e[e["kind"] == "blame"].groupby(period).size().reindex(periods, fill_value=0)
        nxt, now = misses.shift(-1).iloc[:-1], blames.iloc[:-1]
        values[(scenario, replicate)] = (now.corr(nxt, method="spearman") if now.nunique() > 1 and nxt.nunique() > 1
                                         else np.nan)
    key = pd.MultiIndex.from_frame(res.runs[["scenario", "replicate"]])
    res.runs[RHO.name] = pd.Series(values, dtype=float).reindex(key).to_numpy()


def saturated_periods(res) -> str:
    defined = int(res.runs.loc[res.runs["scenario"] == BASE, RHO.name].notna().sum())
    return (f"in the baseline nearly every period has both misses and blame ({level(res, BASE, 'miss_per_year')}; "
            f"{level(res, BASE, 'blame_per_year')}), so period-to-period counts barely vary: rho is defined in "
            f"{defined} of {res.replicates} runs. The loop shows in the counterfactual rows, where blame costs no "
            "trust")


STUDY = Study(
    key="f12_blame_feedback",
    title="F12: blame after misses and its feedback loop",
    claims=("F12",),
    question="Do blame events come after missed periods and make the next period's misses more likely? A raw "
             "correlation cannot say: misses persist, so blame goes with later misses even when it does nothing. "
             "Every row compares the baseline with a counterfactual arm where blame costs no trust "
             "(relations.blame_trust_drop 0), on the same seeds.",
    arms=(Arm(TRUSTLESS, overrides=("relations.blame_trust_drop=0.0",)), Arm(BASE)),
    checks=(
        Check("F12", "Blame feeds the next period's misses because it costs trust: the per-run Spearman rho of "
              "blame with the next period's misses is larger when blame costs trust than in the counterfactual "
              "where it costs none (paired by seed)", EMERGENT,
              "the counterfactual removes only blame's trust cost, so persistence of misses, which raises rho in "
              "both arms, cancels; what is left travels through trust, feedback and lead acceptance", TRUSTLESS,
              BASE, RHO.name, +1, explain=saturated_periods, named_loops=("blame_erodes_trust",),
              untested="a difference of rank correlations over twelve two-year runs is below what the fast "
                       "variant resolves; the full table tests it"),
        Check("F12", "Feedback: when blame costs trust, more KPIs are missed", EMERGENT,
              "misses move through lead acceptance, feedback and conversion", TRUSTLESS, BASE, "miss_per_year", +1,
              named_loops=("blame_erodes_trust",),
              untested="the two-year effect is below what 12 fast replicates resolve; the full table tests it"),
        Check("F12", "Feedback: when blame costs trust, fewer reps reach quota", EMERGENT,
              "attainment moves through lead acceptance, feedback and conversion", TRUSTLESS, BASE, "reps_at_quota",
              -1, named_loops=("blame_erodes_trust",),
              untested="the two-year effect is below what 12 fast replicates resolve; the full table tests it"),
        Check("F12", "Feedback: ... and sales accepts fewer marketing leads", MECHANISM,
              "distrust of marketing raises reps' acceptance bar by rule", TRUSTLESS, BASE, "lead_acceptance", -1,
              named_loops=("blame_erodes_trust", "distrust_gates_leads")),
    ),
    prepare=add_lagged_correlation,
    panels=("trust_mean", "lead_acceptance", "revenue", "field_knowledge"),
    main_pair=(TRUSTLESS, BASE),
    mechanism=("miss_per_year", "blame_per_year", "trust_sales_marketing_end", "lead_acceptance"),
    mechanism_text="A miss is blamed on the usual suspect; trust falls both ways, reps raise their bar for "
                   "marketing's leads and feedback dries up, so the next period misses more often.",
)
