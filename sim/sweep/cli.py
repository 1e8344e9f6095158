"""Command line of the sweep engine: ``sweep``, ``analyze`` and ``collect`` (wired into ``alignsim``).

::

    alignsim sweep configs/sweep/policy_sensitivity.yaml --out sweeps/policy [--resume] [--n-jobs N]
                   [--backend local|dask|submitit] [KEY=VALUE ...]
    alignsim sweep --resume --out sweeps/policy        # the spec stored in the sweep is used

``KEY=VALUE`` arguments change the spec (OmegaConf dotted keys): ``design.samples=32 replicates=1``,
``execution.dask_address=tcp://scheduler:8786``, ``execution.submitit_parameters.slurm_partition=cpu``.
When resuming, only ``execution.*`` may change.
    alignsim analyze sweeps/policy [--outcome revenue_total ...] [--no-figures]
    alignsim collect multirun/2025-01-01/12-00-00 [--out all_runs.parquet]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """The argument parser of the three subcommands."""
    top = argparse.ArgumentParser(prog="alignsim", description="Parameter sweeps of the alignment model.")
    sub = top.add_subparsers(dest="command", required=True)
    sweep = sub.add_parser("sweep", help="run (or resume) a sweep into a directory of Parquet files")
    sweep.add_argument("spec", nargs="*", metavar="SPEC [KEY=VALUE ...]",
                       help="sweep spec YAML (configs/sweep/*.yaml; optional with --resume), then changes to it "
                            "such as design.samples=32 replicates=1 execution.dask_address=tcp://host:8786")
    sweep.add_argument("--out", required=True, help="sweep directory (results, manifest, analysis)")
    sweep.add_argument("--resume", action="store_true", help="run only the chunks the directory lacks")
    sweep.add_argument("--n-jobs", type=int, help="worker processes (-1 = all cores); overrides the spec")
    sweep.add_argument("--backend", choices=("local", "dask", "submitit"), help="overrides the spec's backend")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--yes", action="store_true",
                       help="run a sweep above execution.max_runs runs or execution.max_hours hours")
    analyze = sub.add_parser("analyze", help="Sobol/Morris indices, main effects and figures of a sweep")
    analyze.add_argument("path", help="sweep directory")
    analyze.add_argument("--outcome", action="append", help="summary metric to analyse (repeatable)")
    analyze.add_argument("--no-figures", action="store_true", help="tables only")
    collect = sub.add_parser("collect", help="stack the runs.parquet of every Hydra multirun job")
    collect.add_argument("path", help="multirun directory")
    collect.add_argument("--out", help="output Parquet file (default: <path>/collected.parquet)")
    return top


EXIT_FAILED_RUNS = 3
"""Exit status of a sweep that finished with failed runs (they are stored; the others are usable)."""


EXIT_BAD_INPUT = 2
"""Exit status of bad input (spec, arguments, paths): one line naming what is wrong and what is allowed."""
EXIT_ENVIRONMENT = 1
"""Exit status of an environment fault (damaged store, full disk, read-only folder, lost scheduler, busy dir)."""


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit status: 0 done, 2 bad input (spec, arguments, paths), 1 an
    environment fault (damaged sweep, a directory in use, full disk, read-only folder, lost scheduler), 3 a
    sweep whose runs failed (with their number), 130 interrupted; every failure is one line on stderr."""
    import warnings

    from sim.config import ConfigError
    from sim.sweep.execute import SweepLost
    from sim.sweep.store import DamagedSweep, NotWritable, SweepInUse

    top = parser()
    args, extra = top.parse_known_args(argv)  # KEY=VALUE may come after the options too
    if extra and (args.command != "sweep" or any(a.startswith("-") or "=" not in a for a in extra)):
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.spec = [*args.spec, *extra]
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            if args.command == "sweep":
                return _sweep(args)
            if args.command == "analyze":
                return _analyze(args)
            return _collect(args)
    except (SweepInUse, DamagedSweep, SweepLost, NotWritable) as err:
        print(f"alignsim {args.command}: error: {err}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except (ConfigError, FileExistsError, FileNotFoundError, NotADirectoryError) as err:
        print(f"alignsim {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # full disk, read-only folder, ...: no data is lost (parts are written atomically)
        where = f" {err.filename}" if err.filename else ""
        print(f"alignsim {args.command}: error: cannot write{where}: {err.strerror or err}: free space or make "
              "the folder writable, then run the command again (with --resume for a sweep); finished parts "
              "are kept", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except Exception as err:
        if os.environ.get("ALIGNSIM_TRACEBACK"):
            raise
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        print(f"alignsim {args.command}: error: {type(err).__name__}: {first} (stored chunks are kept; "
              "ALIGNSIM_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:  # the sweep already said what is stored and how to resume
        return 130


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a warning as ``warning: <message>`` on stderr, without the source line."""
    print(f"warning: {message}", file=sys.stderr)


def _sweep(args) -> int:
    from sim.sweep.execute import run_sweep
    from sim.sweep.spec import load_spec
    from sim.sweep.store import SweepStore

    path = args.spec[0] if args.spec and "=" not in args.spec[0] else None
    changes = args.spec[1:] if path is not None else args.spec
    if path is None and not args.resume:
        raise FileNotFoundError("give a sweep spec (or --resume an existing sweep directory)")
    spec = path
    if changes:
        spec = load_spec(path if path is not None else SweepStore(args.out).manifest()["spec"], changes)
    runs = run_sweep(spec, args.out, resume=args.resume, backend=args.backend, n_jobs=args.n_jobs,
                     progress=not args.quiet, yes=args.yes)
    failed = runs[runs["status"] == "failed"]
    print(f"{len(runs)} runs stored in {args.out} ({len(failed)} failed)")
    if len(failed):
        last_line = str(failed["error"].iloc[0]).strip().splitlines()[-1]
        first = failed["run_id"].iloc[0]
        print(f"alignsim sweep: error: {len(failed)} of {len(runs)} runs failed (first: run {first}: {last_line}); "
              f"their tracebacks and configs are in the error and config columns of sim.sweep.load({args.out!r})",
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return 0


def _analyze(args) -> int:
    import pandas as pd

    from sim.outcomes import outcome, shown
    from sim.sweep.analysis import analyze

    indices = analyze(args.path, outcomes=args.outcome, figures=not args.no_figures)
    folder = Path(args.path) / "analysis"
    if len(indices):
        cells = indices.assign(cell=[f"{v:.3f} [{v - c:.3f}, {v + c:.3f}]" if c == c else f"{v:.3g}"
                                     for v, c in zip(indices["value"], indices["conf"])])
        print(cells.pivot(index=["outcome", "lever"], columns="index", values="cell").to_string())
        print("index value [95 % confidence interval] (bootstrap)"
              + ("; eta2: share of the variance explained by the lever alone" if (indices["index"] == "eta2").any()
                 else ""))
    effects = pd.read_csv(folder / "main_effects.csv")
    for name, rows in effects.groupby("outcome", sort=False):
        spec = outcome(name)
        print(f"\n{spec.axis_label}: mean at each lever's low and high end, effect [95 % CI] (largest first)")
        for r in rows.itertuples():
            print(f"  {r.lever}: {r.low_label} -> {r.high_label}: {shown(spec, r.low)} -> {shown(spec, r.high)} "
                  f"{spec.unit}, effect {shown(spec, r.effect, True)} [{shown(spec, r.effect_low, True)}, "
                  f"{shown(spec, r.effect_high, True)}] {r.unit}")
    print(f"tables and figures written to {folder}")
    return 0


def _collect(args) -> int:
    from sim.sweep.multirun import collect

    table = collect(args.path)
    out = Path(args.out) if args.out else Path(args.path) / "collected.parquet"
    table.to_parquet(out, compression="zstd", index=False)
    print(f"{len(table)} rows from {table['job'].nunique()} jobs written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
