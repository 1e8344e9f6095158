"""How well common random numbers pair two arms: the correlation of 3-year revenue across paired seeds.

A paired comparison gains power from the correlation between its arms: the variance of a paired difference is
``var(a) + var(b) - 2 cov(a, b)``.  Two arms that differ by one lever share every random draw that the lever
does not touch only if each mechanism draws from its own stream (:mod:`sim.streams`); when they share one
stream, a draw that happens in one arm only shifts every later draw and the pairing is lost.

For each lever below, the baseline (``hundred_years_war``) and the baseline with that lever moved run on the same
``SEEDS`` spawned seeds; the table gives Pearson's r of ``revenue_total`` between the arms, the paired
difference's standard error and the standard error the same runs would give unpaired.

    python -m benchmarks.pairing [--seeds 20] [--weeks 156] [--n-jobs 2] [--out benchmarks/results/pairing.csv]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import sim
from sim.runner import replicate_seeds

LEVERS = {
    "cross-training (0 -> 2 per year)": {"policy.cross_training_rate": 2.0},
    "lead SLA (off -> on)": {"policy.lead_sla": True},
    "discount authority (0.25 -> 0.30)": {"policy.max_discount": 0.30},
    "blame culture (0.8 -> 0.4)": {"policy.blame_culture": 0.4},
    "joint meetings (none -> every 4 weeks)": {"policy.joint_meetings": 4},
    "marketing budget (+20 %)": {"marketing.weekly_budget": 30_000.0},
}
"""The lever changes measured, each against the unchanged baseline."""


def _revenue(levers: dict, seed: int, weeks: int) -> float:
    model = sim.AlignmentModel(preset="hundred_years_war", rng=seed, weeks=weeks, **levers)
    for _ in range(weeks):
        model.step()
    return float(model.summary()["revenue_total"])


def pairing_table(seeds: int = 20, weeks: int = 156, n_jobs: int = 1, root: int = 1) -> pd.DataFrame:
    """One row per lever: r, the paired and unpaired standard errors of the difference (EUR) and their ratio."""
    seed_list = replicate_seeds(root, seeds)
    arms = {"baseline": {}, **LEVERS}
    jobs = [(name, s) for name in arms for s in seed_list]
    values = Parallel(n_jobs=n_jobs)(delayed(_revenue)(arms[name], s, weeks) for name, s in jobs)
    revenue = pd.DataFrame([(name, s, v) for (name, s), v in zip(jobs, values)], columns=["arm", "seed", "revenue"])
    wide = revenue.pivot(index="seed", columns="arm", values="revenue")
    base = wide["baseline"]
    rows = []
    for name in LEVERS:
        arm = wide[name]
        diff = arm - base
        paired_se = diff.std(ddof=1) / np.sqrt(seeds)
        unpaired_se = np.sqrt((arm.var(ddof=1) + base.var(ddof=1)) / seeds)
        rows.append({"lever": name, "r": float(np.corrcoef(base, arm)[0, 1]), "paired_se": float(paired_se),
                     "unpaired_se": float(unpaired_se), "se_ratio": float(paired_se / unpaired_se)})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="CSV file for the table")
    args = parser.parse_args()
    table = pairing_table(args.seeds, args.weeks, args.n_jobs)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}" if abs(v) < 10 else f"{v:,.0f}"))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
