"""F3: shared rewards alone raise collaboration but leave conflict largely in place; joint meetings and
leadership (shared goals + meetings) reduce it (Le Meunier-FitzHugh, Massey & Piercy 2011)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main, relative_at_most  # noqa: E402

STUDY = Study(
    key="f3_rewards_vs_meetings",
    title="F3: shared rewards vs joint meetings vs leadership",
    claims=("F3",),
    question="Shared rewards (shared_goal_weight 0.7), joint meetings every 4 weeks, and both together "
             "(leadership) against the baseline.",
    arms=[Arm("hundred_years_war"),
          Arm("shared_rewards", overrides=("policy.shared_goal_weight=0.7",)),
          Arm("joint_meetings", overrides=("policy.joint_meetings=4",)),
          Arm("leadership", overrides=("policy.shared_goal_weight=0.7", "policy.joint_meetings=4"))],
    checks=[
        Check("F3", "Shared rewards alone raise collaboration (trust)", "hundred_years_war", "shared_rewards",
              "trust_mean_end", +1),
        Check("F3", "Shared rewards alone leave conflict largely in place (blame per missed KPI)",
              "hundred_years_war", "shared_rewards", "blame_per_miss", -1, evaluate=relative_at_most(1 / 3)),
        Check("F3", "Shared rewards alone leave blame events per year largely in place", "hundred_years_war",
              "shared_rewards", "blame_events_per_year", -1, evaluate=relative_at_most(1 / 3), tested=False,
              explain_if_not="per missed KPI blame is damped only 17.5 % by shared rewards, but rewards also "
                             "remove causes of misses (higher MQL bar, less discounting, trust regained), so "
                             "misses and with them blame events fall a lot: the model reproduces the "
                             "per-miss finding, not the total"),
        Check("F3", "Joint meetings cut blame more than shared rewards", "shared_rewards", "joint_meetings",
              "blame_events_per_year", -1),
        Check("F3", "Leadership (both) cuts blame more than meetings alone", "joint_meetings", "leadership",
              "blame_events_per_year", -1),
    ],
    fast_replicates=30,
    panels=("trust_mean", "revenue", "lead_acceptance", "field_knowledge"),
    main_pair=("hundred_years_war", "shared_rewards"),
    mechanism=("miss_per_year", "blame_per_year", "blame_per_miss", "trust_mean_end"),
    mechanism_text="A shared goal damps blame per missed KPI only a little (aligned rewards do not remove the "
                   "'other side'), while a joint meeting lets the cause of a miss be fixed instead of blamed.",
)

if __name__ == "__main__":
    main(STUDY)
