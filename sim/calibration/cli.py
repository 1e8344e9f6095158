"""``alignsim calibrate``: the published calibration (screen, ABC-SMC, checks, docs) or a firm's own.

``alignsim calibrate`` runs the Morris screen when none is stored, calibrates the screen's top parameters to the
published patterns, checks the posterior (predictive table, contraction) and regenerates the "Calibration and
uncertainty" section of ``docs/validation.md``.  ``--check-only`` redoes the checks on the stored posterior,
``--recovery N`` adds the recovery test on N synthetic data sets, ``--firm firm.yaml`` calibrates a firm to its
own funnel (:mod:`sim.calibration.firm`).  Exit status: 0 done, 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path

from sim.config import check_workers


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alignsim calibrate", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--firm", metavar="FILE",
                   help="calibrate a firm to its own funnel (firm.yaml; see docs/firm_data.md)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: experiments/calibration/, or "
                                                "outputs/firm/ for --firm)")
    p.add_argument("--rescreen", action="store_true", help="run the Morris screen again even when one is stored")
    p.add_argument("--trajectories", type=int, default=4, help="Morris trajectories of the screen (default 4)")
    p.add_argument("--fields", help="comma-separated fields to calibrate instead of the screen's choice")
    p.add_argument("--count", type=int, default=None, help="how many of the screen's top fields to calibrate")
    p.add_argument("--population", type=int, default=None,
                   help="ABC particles per generation (default 100; a firm's: 60)")
    p.add_argument("--generations", type=int, default=None, help="most ABC generations (default 8; a firm's: 6)")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-time budget of the ABC run (default 25; a firm's: 10)")
    p.add_argument("--n-jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--dask-address", help="run the ABC on this Dask scheduler (pyabc's Dask sampler)")
    p.add_argument("--seed", type=int, default=0, help="seed of the ABC run (default 0)")
    p.add_argument("--check-only", action="store_true", help="only re-check the stored posterior and the docs")
    p.add_argument("--draws", type=int, default=40, help="posterior draws of the predictive check (default 40)")
    p.add_argument("--recovery", type=int, default=0, metavar="N", help="also run the recovery test on N data sets")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def _positive(args, names) -> None:
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        _positive(args, ("trajectories", "count", "population", "generations", "draws"))
        if args.minutes is not None and args.minutes <= 0:
            raise ValueError(f"--minutes must be above 0, got {args.minutes}")
        check_workers(args.n_jobs, "--n-jobs")
        budget = {k: v for k, v in (("population", args.population), ("generations", args.generations),
                                    ("walltime_minutes", args.minutes)) if v is not None}
        if args.firm:
            from sim.calibration.firm import run_firm

            return run_firm(args.firm, args.out or "outputs/firm", n_jobs=args.n_jobs, seed=args.seed,
                            progress=not args.no_progress, **budget)
        args.population = budget.get("population", 100)
        args.generations = budget.get("generations", 8)
        args.minutes = budget.get("walltime_minutes", 25.0)
        fields = [f.strip() for f in args.fields.split(",")] if args.fields else None
        if fields is not None:
            from sim.calibration.priors import priors

            priors(fields)
    except ValueError as err:
        print(f"alignsim calibrate: {err}", file=sys.stderr)
        return 2
    return published(args, fields)


def published(args, fields) -> int:
    """The published calibration: screen (if needed), fit, check, docs."""
    from sim.calibration import api, checks, report, screening
    from sim.calibration.priors import all_priors
    from sim.calibration.simulator import simulate

    folder = Path(args.out) if args.out else api.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    progress = not args.no_progress
    if not args.check_only:
        screen_file = folder / "screening.parquet"
        if fields is None and (args.rescreen or not screen_file.exists()):
            print(f"Morris screen over {len(all_priors())} parameters, {args.trajectories} trajectories ...")
            screening.run_screen(args.trajectories, n_jobs=args.n_jobs, progress=progress).save(screen_file)
        post = api.calibrate(fields=fields, screen=screen_file, count=args.count or api.CALIBRATED_COUNT,
                             population=args.population, generations=args.generations,
                             walltime_minutes=args.minutes, n_jobs=args.n_jobs, dask_address=args.dask_address,
                             seed=args.seed, progress=progress, out=folder / "posterior.parquet")
        print(f"posterior: {len(post)} particles over {len(post.fields)} parameters, {post.info['simulations']:,} "
              f"simulations in {post.info['wall_seconds'] / 60:.1f} min -> {folder / 'posterior.parquet'}")
    post = api.load_posterior(folder / "posterior.parquet")
    sim_fn = partial(simulate, patterns=tuple(post.patterns))
    defaults = {f: p.default for f, p in post.priors.items()}
    table = checks.predictive(post, sim_fn, draws=args.draws, n_jobs=args.n_jobs, defaults=defaults,
                              progress=progress)
    table.to_csv(folder / "predictive.csv", index=False)
    (folder / "predictive.json").write_text(json.dumps({"draws": args.draws, "root": checks.PREDICTIVE_ROOT}))
    checks.contraction(post).to_csv(folder / "contraction.csv", index=False)
    if args.recovery:
        started = time.monotonic()
        rec = checks.recovery(post.priors, sim_fn, post.patterns, args.recovery,
                              {"population": max(args.population // 2, 20), "generations": args.generations,
                               "walltime_minutes": args.minutes / 2, "n_procs": args.n_jobs, "progress": progress})
        rec.to_csv(folder / "recovery.csv", index=False)
        (folder / "recovery.json").write_text(json.dumps(
            {"datasets": args.recovery, "wall_seconds": round(time.monotonic() - started, 1),
             "description": f"each calibrated like the published one at half its population "
                            f"({max(args.population // 2, 20)}) and half its budget."}))
    print(f"{int(table['inside'].sum())} of {len(table)} pattern medians in band "
          f"(defaults: {int(table['default_inside'].sum())})")
    if folder == api.FOLDER:
        report.write(folder)
    return 0
