"""Sweep throughput: runs per second on 1 and more cores, engine overhead against bare runs, memory per worker.

    python benchmarks/sweep_throughput.py [--runs 120] [--accounts 5000] [--weeks 104] [--chunk-size 20] [--jobs 1 2]

Every sweep runs the same ``--runs`` runs: one design point (the baseline, policy.max_discount held at
its scenario value) times ``--runs`` replicates, so the sweep does exactly the model work of the bare
loop ``for seed in seeds: sim.run(cfg, seed)``.  The overhead is (serial sweep - bare loop) / bare
loop and includes everything the engine adds: composing the config, the design, the manifest,
copying the config per run, and writing the zstd Parquet chunks.  Memory per worker is the peak
resident set size of a loky worker process after it ran one chunk.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import sim
from sim.sweep import execute
from sim.sweep.design import build
from sim.sweep.spec import load_spec, resolve_levers


def spec(runs: int, accounts: int, weeks: int, chunk_size: int) -> dict:
    """A sweep whose runs are the bare loop's runs: one point, ``runs`` replicates."""
    return {"name": "throughput", "overrides": [f"market.accounts={accounts}", f"weeks={weeks}"],
            "levers": {"policy.max_discount": {"values": [0.25]}}, "design": {"method": "grid"},
            "replicates": runs, "chunk_size": chunk_size}


def bare(sweep: dict) -> tuple[float, float]:
    """Wall and CPU seconds of this process for the same runs as a plain loop over ``sim.run``."""
    cfg = sim.load_config("hundred_years_war", sweep["overrides"])
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in sim.replicate_seeds(0, sweep["replicates"]):
        sim.run(cfg, seed)
    return time.perf_counter() - wall, time.process_time() - cpu


def swept(sweep: dict, n_jobs: int, root: Path) -> tuple[float, float]:
    """Wall seconds of the whole sweep on ``n_jobs`` local workers (worker start-up included), and
    the CPU seconds of this process (all the work when ``n_jobs`` is 1, which runs in-process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    sim.sweep.run_sweep(sweep, root / f"jobs{n_jobs}", n_jobs=n_jobs, progress=False)
    return time.perf_counter() - wall, time.process_time() - cpu


def chunk_peak_rss(task: execute.ChunkTask) -> float:
    """Run one chunk and return this process's peak resident set size in MiB (Linux reports KiB)."""
    execute.run_chunk(task)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_memory(sweep: dict, root: Path) -> float:
    """Peak RSS (MiB) of a fresh loky worker process that ran one chunk."""
    from joblib import Parallel, delayed

    loaded = load_spec(sweep)
    base = sim.load_config("hundred_years_war", loaded.overrides)
    design = build(resolve_levers(loaded), loaded.design)
    (root / "memory").mkdir()
    task = execute.plan(root / "memory", base, design, loaded)[0]
    return Parallel(n_jobs=1, backend="loky")([delayed(chunk_peak_rss)(task)])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=120, help="runs per measurement")
    parser.add_argument("--accounts", type=int, default=5000, help="market.accounts of each run")
    parser.add_argument("--weeks", type=int, default=104, help="weeks of each run")
    parser.add_argument("--chunk-size", type=int, default=20, help="runs per chunk")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    args = parser.parse_args()
    sweep = spec(args.runs, args.accounts, args.weeks, args.chunk_size)
    bare(spec(2, args.accounts, args.weeks, 2))  # warm up imports and caches
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base_wall, base_cpu = bare(sweep)
        print(f"{args.runs} runs of {args.accounts} accounts x {args.weeks} weeks, chunks of {args.chunk_size}; "
              f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print("| what | wall s | runs/s | speedup vs n_jobs=1 | overhead vs bare (wall / CPU) |")
        print("|---|---|---|---|---|")
        print(f"| bare loop, sim.run, 1 core | {base_wall:.2f} | {args.runs / base_wall:.2f} | - | - |")
        serial = None
        for n in args.jobs:
            wall, cpu = swept(sweep, n, root)
            serial = wall if n == 1 else serial
            over = (f"{100 * (wall - base_wall) / base_wall:+.1f} % / {100 * (cpu - base_cpu) / base_cpu:+.1f} %"
                    if n == 1 else "-")
            speedup = f"{serial / wall:.2f}x" if serial else "-"
            print(f"| sweep, local backend, n_jobs={n} | {wall:.2f} | {args.runs / wall:.2f} | {speedup} | {over} |",
                  flush=True)
        print(f"peak memory of one worker after a chunk: {worker_memory(sweep, root):.0f} MiB")


if __name__ == "__main__":
    main()
