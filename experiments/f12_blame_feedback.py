"""F12: blame events cluster after missed periods and feed back (trust falls -> sharing falls -> more misses)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from experiments.common import Arm, Check, Study, StudyResult, main, one_sample  # noqa: E402

QUARTER = 13


def add_period_metrics(res: StudyResult) -> None:
    """Per run: Spearman correlation between blame events in a quarter and missed KPIs in the next one."""
    ev = res.events
    gaps = {}
    weeks = int(res.weekly["week"].max()) + 1
    periods = np.arange(weeks // QUARTER)
    for (scenario, rep), e in ev.groupby(["scenario", "replicate"]):
        period = e["week"] // QUARTER
        misses = e[e["kind"] == "miss"].groupby(period).size().reindex(periods, fill_value=0)
        blames = e[e["kind"] == "blame"].groupby(period).size().reindex(periods, fill_value=0)
        nxt = misses.shift(-1).iloc[:-1].to_numpy()
        b = blames.iloc[:-1].to_numpy()
        gaps[(scenario, rep)] = stats.spearmanr(b, nxt)[0] if np.ptp(b) > 0 and np.ptp(nxt) > 0 else np.nan
    key = pd.MultiIndex.from_frame(res.runs[["scenario", "replicate"]])
    res.runs["miss_after_blame_gap"] = pd.Series(gaps).reindex(key).to_numpy()


STUDY = Study(
    key="f12_blame_feedback",
    title="F12: blame after misses and its feedback loop",
    claims=("F12",),
    question="Do blame events come after missed periods and make the next period's misses more likely? The "
             "loop is cut in a counterfactual arm where blame costs no trust (relations.blame_trust_drop 0).",
    arms=[Arm("blame_costs_no_trust", overrides=("relations.blame_trust_drop=0.0",)), Arm("hundred_years_war")],
    checks=[
        Check("F12", "Blame in a quarter goes with more missed KPIs in the next quarter (per-run Spearman rho > 0)",
              metric="miss_after_blame_gap", expected=+1, evaluate=one_sample("hundred_years_war"), tested=False,
              explain_if_not="in the baseline nearly every quarter has both misses and blame (the sales quota "
                             "and the lead follow-up KPI are missed almost every quarter), so quarter-to-quarter "
                             "counts barely vary and their lagged correlation cannot show the loop; the loop shows "
                             "in the counterfactual below, where blame costs no trust"),
        Check("F12", "Feedback: when blame costs trust, fewer reps reach quota", "blame_costs_no_trust",
              "hundred_years_war", "reps_at_quota", -1),
        Check("F12", "Feedback: ... and sales accepts fewer marketing leads", "blame_costs_no_trust",
              "hundred_years_war", "lead_acceptance", -1),
        Check("F12", "Feedback: ... and 3-year revenue falls", "blame_costs_no_trust", "hundred_years_war",
              "revenue_total", -1),
    ],
    prepare=add_period_metrics,
    panels=("trust_mean", "lead_acceptance", "revenue", "field_knowledge"),
    main_pair=("blame_costs_no_trust", "hundred_years_war"),
    mechanism=("miss_per_year", "blame_per_year", "trust_sales_marketing_end", "lead_acceptance"),
    mechanism_text="A miss is blamed on the usual suspect; trust falls both ways, reps raise their bar for "
                   "marketing's leads and feedback dries up, so the next period misses more often.",
)

if __name__ == "__main__":
    main(STUDY)
