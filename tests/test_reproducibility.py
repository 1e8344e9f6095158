"""Same config and seed give identical tables, in one process and across processes; seeds matter."""

import hashlib
import subprocess
import sys

import pandas as pd

import sim

SCRIPT = """
import hashlib, sim
cfg = sim.load_config("hundred_years_war", ["market.accounts=3000", "market.initial_customers=60", "weeks=78"])
r = sim.run(cfg, seed=11)
print(hashlib.sha256(r.weekly.to_csv().encode() + r.events.to_csv().encode()).hexdigest())
"""


def _digest(result) -> str:
    return hashlib.sha256(result.weekly.to_csv().encode() + result.events.to_csv().encode()).hexdigest()


def test_same_seed_gives_identical_tables(small_baseline):
    a, b = sim.run(small_baseline, seed=11), sim.run(small_baseline, seed=11)
    pd.testing.assert_frame_equal(a.weekly, b.weekly)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_series_equal(a.summary, b.summary)


def test_same_seed_identical_across_processes(small_baseline):
    here = _digest(sim.run(small_baseline, seed=11))
    there = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert there.stdout.strip() == here


def test_different_seeds_differ(small_baseline):
    a, b = sim.run(small_baseline, seed=1), sim.run(small_baseline, seed=2)
    assert not a.weekly["revenue"].equals(b.weekly["revenue"])


def test_replicates_same_serial_and_parallel(small_baseline):
    serial = sim.run_replicates([small_baseline], replicates=3, seed=5, n_jobs=1).runs
    parallel = sim.run_replicates([small_baseline], replicates=3, seed=5, n_jobs=2).runs
    pd.testing.assert_frame_equal(serial, parallel)


def test_replicate_seeds_are_spawned_and_stable():
    seeds = sim.replicate_seeds(0, 5)
    assert len(set(seeds)) == 5
    assert seeds[:3] == sim.replicate_seeds(0, 3)
