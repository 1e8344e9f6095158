"""Capacity response (issue 17, item 5): what half the operations staff and purchasing's approval queue do.

Two measurements, on paired seeds (common random numbers), one process:

1. **Operations staff x1 vs x0.5** in ``hundred_years_war`` and ``full_alignment`` (default market, 156 weeks):
   mean delivery delay (the delay prospects hear of, weekly mean), its peak (the weekly maximum), annual churn and
   3-year revenue, with the paired difference and its 95 % interval.
2. **The queue share of purchasing rigidity's revenue effect** in ``hundred_years_war``: rigidity 0 vs 1 with
   purchasing's approval capacity at its default and unbounded (``approvals_per_officer`` at the top of its
   range); share = 1 - (effect with unbounded capacity) / (effect at the default capacity), i.e. the part of
   rigidity's effect that the approval queue, not rigidity, produces.

Run: ``python benchmarks/capacity_response.py --seeds 8`` (about 2.5 s a run on one core; 64 runs).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

import sim
from sim.config import PurchasingConfig
from sim.runner import replicate_seeds, run
from sim.stats import paired

PRESETS = ("hundred_years_war", "full_alignment")


def unbounded_approvals() -> int:
    """The top of ``purchasing.approvals_per_officer``'s range: an approval capacity that never binds."""
    field = {f.name: f for f in dataclasses.fields(PurchasingConfig)}["approvals_per_officer"]
    return int(field.metadata["high"])


def staff_arms(preset: str, seeds: list[int], weeks: int | None,
               overrides: tuple[str, ...] = ()) -> dict[str, dict[str, np.ndarray]]:
    """Per-seed outcomes with the preset's operations staff and with half of it."""
    base = sim.load_config(preset)
    extra = [*([f"weeks={weeks}"] if weeks else []), *overrides]
    arms = {}
    for name, staff in (("x1", base.operations.staff), ("x0.5", max(1, base.operations.staff // 2))):
        cfg = sim.load_config(preset, overrides=[f"operations.staff={staff}", *extra])
        rows = []
        for seed in seeds:
            r = run(cfg, seed)
            w = r.weekly
            rows.append(dict(delay=w["delivery_delay"].mean(), delay_peak=w["delivery_delay"].max(),
                             churn=r.summary["churn_annual"], revenue=r.summary["revenue_total"] / 1e6))
        arms[name] = {k: np.array([row[k] for row in rows]) for k in rows[0]}
    return arms


def queue_share(seeds: list[int], weeks: int | None) -> dict[str, float]:
    """Revenue effect of rigidity 0 -> 1 at the default and at unbounded approval capacity, and the share of the
    default's effect that is the queue."""
    extra = [f"weeks={weeks}"] if weeks else []
    revenue = {}
    default = sim.load_config("hundred_years_war").purchasing.approvals_per_officer
    for capacity in ("default", "unbounded"):
        cap = [] if capacity == "default" else [f"purchasing.approvals_per_officer={unbounded_approvals()}"]
        for rigidity in (0.0, 1.0):
            cfg = sim.load_config("hundred_years_war",
                                  overrides=[f"policy.purchasing_rigidity={rigidity}", *cap, *extra])
            revenue[capacity, rigidity] = np.array([run(cfg, s).summary["revenue_total"] / 1e6 for s in seeds])
    eff_default = paired(revenue["default", 0.0], revenue["default", 1.0])
    eff_unbounded = paired(revenue["unbounded", 0.0], revenue["unbounded", 1.0])
    queue = paired(revenue["unbounded", 1.0], revenue["default", 1.0])
    return dict(default_capacity=default, effect_default=eff_default, effect_unbounded=eff_unbounded,
                queue_effect=queue, share=1 - eff_unbounded.difference / eff_default.difference)


def fmt(p) -> str:
    return f"{p.baseline_mean:.3f} -> {p.treatment_mean:.3f} (diff {p.difference:+.3f} [{p.low:+.3f}, {p.high:+.3f}])"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--root", type=int, default=1, help="root seed of the replicate seeds")
    parser.add_argument("--weeks", type=int, default=None, help="horizon (default: the presets' 156 weeks)")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument("--preset", action="append", choices=PRESETS, help="only these presets (default: both)")
    parser.add_argument("--override", action="append", default=[],
                        help="a config override for every staff arm, e.g. operations.service_priority=0")
    args = parser.parse_args()
    seeds = replicate_seeds(args.root, args.seeds)
    start = time.perf_counter()
    print(f"seeds {args.seeds} (root {args.root}), default market, weeks {args.weeks or 'preset'}, "
          f"overrides {args.override or 'none'}")
    print("| preset | metric | staff x1 -> x0.5 (paired difference [95 % CI]) |\n|---|---|---|")
    for preset in args.preset or PRESETS:
        arms = staff_arms(preset, seeds, args.weeks, tuple(args.override))
        for metric, label in (("delay", "mean delivery delay (weeks)"), ("delay_peak", "peak delivery delay (weeks)"),
                              ("churn", "annual churn"), ("revenue", "3-year revenue (M EUR)")):
            print(f"| {preset} | {label} | {fmt(paired(arms['x1'][metric], arms['x0.5'][metric]))} |")
    if not args.skip_queue:
        q = queue_share(seeds, args.weeks)
        print(f"\nhundred_years_war, rigidity 0 -> 1, revenue (M EUR); approvals_per_officer default "
              f"{q['default_capacity']}, unbounded {unbounded_approvals()}")
        print(f"- effect at default capacity:   {fmt(q['effect_default'])}")
        print(f"- effect at unbounded capacity: {fmt(q['effect_unbounded'])}")
        print(f"- rigidity 1, unbounded -> default capacity (the queue): {fmt(q['queue_effect'])}")
        print(f"- queue share of rigidity's effect: {q['share']:.1%}")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
