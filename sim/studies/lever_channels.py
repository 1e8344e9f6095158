"""Which mechanism carries a lever: each lever's revenue effect with all its channels, and with each one knocked out.

A lever of the model can act through more than one mechanism (a joint meeting raises trust, teaches both sides,
damps blame and costs selling hours).  For each lever below, the baseline (``hundred_years_war``) is run with and
without the lever on common random numbers, and again with one of its channels set to zero in both arms (the
channel's size, a schema field, is the knockout).  The share of the effect a channel carries is
``1 - effect without it / effect with all``; shares need not sum to 1, because channels interact.  A lever whose
effect rests on one channel rests on that channel's size, which is a judgement with a prior range
(``docs/calibration.md``): the table says where a referee should look.

Run with ``python -m sim.studies.lever_channels [--replicates 8] [--n-jobs N]``; it writes
``experiments/results/lever_channels/`` and the lever-channel section of ``docs/validation.md`` (a variant, e.g.
``--override market.accounts=3000``, writes under ``outputs/studies/`` and no document).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

import sim
from sim.config import ConfigError
from sim.stats import mean_ci
from sim.studies.responses import (add_common_arguments, command, output_folder, publish, run_arms, save_batch,
                                   variant_name)

STUDY = "lever_channels"
SCENARIO = "hundred_years_war"
METRIC = "revenue_total"
REPLICATES = 8


@dataclass(frozen=True)
class Lever:
    """A lever move and the channels it acts through: name -> the overrides that knock the channel out."""

    label: str
    move: tuple[str, ...]
    channels: dict[str, tuple[str, ...]]


LEVERS = (
    Lever("joint meetings every 4 weeks (policy.joint_meetings 0 -> 4)", ("policy.joint_meetings=4",), {
        "what a meeting teaches (relations.meeting_learning_weeks)": ("relations.meeting_learning_weeks=0",),
        "trust gained in a meeting (relations.meeting_trust_gain)": ("relations.meeting_trust_gain=0",),
        "blame damped in a meeting's period (relations.meeting_blame_damping)": (
            "relations.meeting_blame_damping=0",),
        "selling hours a meeting takes (sales.meeting_hours)": ("sales.meeting_hours=0",),
    }),
    Lever("shared goal (policy.shared_goal_weight 0 -> 1)", ("policy.shared_goal_weight=1.0",), {
        "trust rebuilt each week (relations.shared_goal_trust_gain)": ("relations.shared_goal_trust_gain=0",),
        "information flow boost (relations.shared_goal_flow_boost)": ("relations.shared_goal_flow_boost=0",),
        "blame damped (relations.shared_goal_blame_damping)": ("relations.shared_goal_blame_damping=0",),
    }),
    Lever("no blame culture (policy.blame_culture 0.8 -> 0)", ("policy.blame_culture=0.0",), {
        "trust a blame costs (relations.blame_trust_drop)": ("relations.blame_trust_drop=0",),
        "unblamed misses worked on without a meeting (relations.unmet_fix_share)": ("relations.unmet_fix_share=0",),
    }),
    Lever("lead SLA (policy.lead_sla off -> on)", ("policy.lead_sla=true",), {
        "busy reps still follow up (sales.busy_followup_slope)": ("sales.busy_followup_slope=0",),
        "reps read which leads are in market (sales.project_signal)": ("sales.project_signal=0",),
    }),
)


def arm_names(lever: Lever) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The lever's arms: (base, moved) with all channels, and the same pair with each channel knocked out."""
    arms = {f"{lever.label} | all | base": (), f"{lever.label} | all | moved": lever.move}
    for channel, knockout in lever.channels.items():
        arms[f"{lever.label} | {channel} | base"] = knockout
        arms[f"{lever.label} | {channel} | moved"] = knockout + lever.move
    return arms


def design(levers=LEVERS, overrides: tuple[str, ...] = ()) -> dict[str, sim.Config]:
    """Every arm of every lever as a config (``overrides`` apply to all: a smaller market for a check)."""
    return {name: sim.load_config(SCENARIO, overrides=[*overrides, *extra]) for lever in levers
            for name, extra in arm_names(lever).items()}


def effect(batch, base: str, moved: str) -> np.ndarray:
    """Per replicate, the lever's relative revenue effect (moved / base - 1)."""
    return (batch.values(moved, METRIC) / batch.values(base, METRIC) - 1).to_numpy()


def measure(batch, levers=LEVERS) -> pd.DataFrame:
    """One row per lever and channel ("all" first): the effect's mean and CI (%), and the share of the full effect
    the channel carries, with its CI over replicates."""
    rows = []
    for lever in levers:
        full = effect(batch, f"{lever.label} | all | base", f"{lever.label} | all | moved")
        f = mean_ci(full)
        rows.append({"lever": lever.label, "channel": "all channels", "effect": f.mean, "low": f.low,
                     "high": f.high, "share": 1.0, "share_low": np.nan, "share_high": np.nan})
        for channel in lever.channels:
            without = effect(batch, f"{lever.label} | {channel} | base", f"{lever.label} | {channel} | moved")
            w = mean_ci(without)
            share = mean_ci(1 - without / full.mean()) if f.mean != 0 else None
            rows.append({"lever": lever.label, "channel": channel, "effect": w.mean, "low": w.low, "high": w.high,
                         "share": share.mean if share else np.nan, "share_low": share.low if share else np.nan,
                         "share_high": share.high if share else np.nan})
    return pd.DataFrame(rows)


def section_markdown(frame: pd.DataFrame, batch, cmd: str, seed: int) -> str:
    """The generated section: one table, the lever's effect and each channel's share."""
    lines = [f"Baseline (`{SCENARIO}`), {batch.replicates} paired replicates per arm (seed root {seed}), revenue "
             "over the run; "
             f"{batch.executed} runs in {batch.seconds / 60:.1f} min, {len(batch.failures)} failed. Generated by "
             f"`{cmd}`.", "",
             "| lever | channel knocked out | revenue effect, % [95 % CI] | share of the full effect [95 % CI] |",
             "|---|---|---|---|"]
    for _, r in frame.iterrows():
        eff = f"{100 * r.effect:+.1f} [{100 * r.low:+.1f}, {100 * r.high:+.1f}]"
        share = ("—" if r.channel == "all channels" else
                 f"{100 * r.share:.0f} % [{100 * r.share_low:.0f}, {100 * r.share_high:.0f}]")
        lines.append(f"| {r.lever} | {r.channel} | {eff} | {share} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m sim.studies.lever_channels", description=__doc__.splitlines()[0])
    add_common_arguments(parser, REPLICATES)
    args = parser.parse_args(argv)
    try:
        arms = design(overrides=tuple(args.override))
        batch = run_arms(arms, args.replicates, args.seed, args.n_jobs, desc="lever channels",
                         progress=not args.no_progress)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    frame = measure(batch)
    variant = variant_name(args.replicates, REPLICATES, args.seed, args.override)
    out = output_folder(STUDY, variant)
    save_batch(out, {"channels.csv": frame}, batch)
    text = section_markdown(frame, batch, command("python -m sim.studies.lever_channels", argv), args.seed)
    publish(text, out, STUDY, args.doc, variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
