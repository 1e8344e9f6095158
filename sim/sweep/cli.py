"""Command line of the sweep engine: ``sweep``, ``analyze`` and ``collect`` (wired into ``alignsim``).

::

    alignsim sweep configs/sweep/policy_sensitivity.yaml --out sweeps/policy [--resume] [--n-jobs N]
                   [--backend local|dask|submitit]
    alignsim sweep --resume --out sweeps/policy        # the spec stored in the sweep is used
    alignsim analyze sweeps/policy [--outcome revenue_total ...] [--no-figures]
    alignsim collect multirun/2025-01-01/12-00-00 [--out all_runs.parquet]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """The argument parser of the three subcommands."""
    top = argparse.ArgumentParser(prog="alignsim", description="Parameter sweeps of the alignment model.")
    sub = top.add_subparsers(dest="command", required=True)
    sweep = sub.add_parser("sweep", help="run (or resume) a sweep into a directory of Parquet files")
    sweep.add_argument("spec", nargs="?", help="sweep spec YAML (configs/sweep/*.yaml); optional with --resume")
    sweep.add_argument("--out", required=True, help="sweep directory (results, manifest, analysis)")
    sweep.add_argument("--resume", action="store_true", help="run only the chunks the directory lacks")
    sweep.add_argument("--n-jobs", type=int, help="worker processes (-1 = all cores); overrides the spec")
    sweep.add_argument("--backend", choices=("local", "dask", "submitit"), help="overrides the spec's backend")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    analyze = sub.add_parser("analyze", help="Sobol/Morris indices, main effects and figures of a sweep")
    analyze.add_argument("path", help="sweep directory")
    analyze.add_argument("--outcome", action="append", help="summary metric to analyse (repeatable)")
    analyze.add_argument("--no-figures", action="store_true", help="tables only")
    collect = sub.add_parser("collect", help="stack the runs.parquet of every Hydra multirun job")
    collect.add_argument("path", help="multirun directory")
    collect.add_argument("--out", help="output Parquet file (default: <path>/collected.parquet)")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit status (1 with a one-line message on a bad spec or path)."""
    from sim.config import ConfigError

    args = parser().parse_args(argv)
    try:
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "analyze":
            return _analyze(args)
        return _collect(args)
    except (ConfigError, FileExistsError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _sweep(args) -> int:
    from sim.sweep.execute import run_sweep

    if args.spec is None and not args.resume:
        raise FileNotFoundError("give a sweep spec (or --resume an existing sweep directory)")
    runs = run_sweep(args.spec, args.out, resume=args.resume, backend=args.backend, n_jobs=args.n_jobs,
                     progress=not args.quiet)
    failed = int((runs["status"] == "failed").sum())
    print(f"{len(runs)} runs stored in {args.out} ({failed} failed)")
    return 0


def _analyze(args) -> int:
    from sim.sweep.analysis import analyze

    indices = analyze(args.path, outcomes=args.outcome, figures=not args.no_figures)
    folder = Path(args.path) / "analysis"
    if len(indices):
        print(indices.pivot_table(index=["outcome", "lever"], columns="index", values="value").round(3).to_string())
    print(f"tables and figures written to {folder}")
    return 0


def _collect(args) -> int:
    from sim.sweep.collect import collect

    table = collect(args.path)
    out = Path(args.out) if args.out else Path(args.path) / "collected.parquet"
    table.to_parquet(out, compression="zstd", index=False)
    print(f"{len(table)} rows from {table['job'].nunique()} jobs written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
