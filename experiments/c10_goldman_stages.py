"""C10 (seed 004): Goldman's five stages of alignment, derived from state, and the stage KPIs."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from experiments.common import Arm, Check, Row, Study, StudyResult, main  # noqa: E402

STAGES = ("goldman_1_us_vs_them", "goldman_2_friendly_role_play", "goldman_3_cooperative_efforts",
          "goldman_4_collaboration", "goldman_5_full_alignment")


def stage_tracks_policy(res: StudyResult, chk: Check) -> Row:
    """Spearman correlation between the preset's stage and the stage the model derives at the end."""
    r = res.runs[res.runs["scenario"].isin(STAGES)]
    preset = r["scenario"].map({s: i + 1 for i, s in enumerate(STAGES)})
    rho, p = stats.spearmanr(preset, r[chk.metric])
    means = r.groupby("scenario")[chk.metric].mean().reindex(STAGES).dropna()
    holds = bool(rho > 0 and p < chk.alpha)
    effect = "mean derived stage per preset: " + ", ".join(f"{k[8]}: {m:.2f}" for k, m in means.items()) + f"; Spearman rho = {rho:.2f}"
    lo, hi = np.tanh(np.arctanh(min(rho, 0.999)) + np.array([-1.96, 1.96]) / np.sqrt(max(len(r) - 3, 1)))
    return Row(chk.claim, chk.statement, "goldman_1..5 presets", chk.metric, effect, f"rho in [{lo:.2f}, {hi:.2f}]",
               float(p), holds, "" if holds else chk.explain_if_not)


STUDY = Study(
    key="c10_goldman_stages",
    title="C10: Goldman's five stages of alignment and their KPIs",
    claims=("C10",),
    question="Run the five stage presets; the stage is computed from trust, blame, SLA, shared data and goals "
             "each week, and the stage KPIs (% leads accepted, cost of market entry, sales-cycle length, "
             "lead-to-customer conversion) are reported every week.",
    arms=[Arm(s, s) for s in STAGES],
    checks=[
        Check("C10", "The derived stage rises with the presets' stage", metric="alignment_stage_end",
              evaluate=stage_tracks_policy),
        Check("C10", "Stage 5 vs 1: % of leads accepted by sales rises", STAGES[0], STAGES[-1], "lead_acceptance", +1),
        Check("C10", "Stage 5 vs 1: cost of market entry (CAC) falls", STAGES[0], STAGES[-1], "cac", -1),
        Check("C10", "Stage 5 vs 1: lead-to-customer conversion rises", STAGES[0], STAGES[-1], "lead_to_customer",
              +1),
        Check("C10", "Stage 5 vs 1: sales cycle shortens", STAGES[0], STAGES[-1], "sales_cycle_median", -1,
              tested=False,
              explain_if_not="stage 5 wins about 75 % more customers than stage 1 (629 vs 360 over three "
                             "years, 30 paired replicates) with the same eight reps; the win hazard scales "
                             "with the share of open-deal work a rep gets done each week, so busier reps "
                             "close each deal no faster, which offsets the better fit and enablement "
                             "(stages 3 and 4, with more leads and less enablement, take longer: 7.3 and "
                             "7.4 weeks vs 6.6). Alignment without more sales capacity buys volume, not speed"),
        Check("C10", "Stage 5 vs 1: 3-year revenue rises", STAGES[0], STAGES[-1], "revenue_total", +1),
    ],
    panels=("alignment_stage", "krk_score", "lead_acceptance", "lead_to_customer", "revenue", "trust_mean"),
    fast_arms=(STAGES[0], STAGES[2], STAGES[-1]),
    main_pair=(STAGES[0], STAGES[-1]),
    mechanism=("alignment_stage_end", "krk_score_end", "blame_per_year", "lead_acceptance", "cac"),
    mechanism_text="Each stage adds levers (less blame, agreed KPIs and SLA, shared data, shared goals); the "
                   "derived stage and the KRK score follow the state they produce.",
)

if __name__ == "__main__":
    main(STUDY)
