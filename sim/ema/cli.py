"""``alignsim discover`` and ``alignsim optimise``: scenario discovery and robust policies from the command line.

::

    alignsim discover SWEEP_DIR_OR_EMA_TARBALL --condition "nrr_annual >= 1.0 and cash_balance_end > 0" \\
        [--out DIR] [--boxes N] [--min-density 0.8] [--input FIELD ...] [--screen N] [--no-figures]
    alignsim optimise --out DIR [--lever FIELD ...] [--firms 8] [--nfe 200] [--population 20] [--replicates 1]
        [--seed 0] [--scenario hundred_years_war] [--n-jobs 2] [--backend local|dask|submitit] [KEY=VALUE ...]

``KEY=VALUE`` arguments of ``optimise`` override the base config (``market.accounts=2000 weeks=104``).  Exit status:
0 done, 2 bad input (one line naming what is wrong and what is allowed), 1 an environment fault.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _discover_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alignsim discover", description="PRIM boxes and a CART tree for a condition "
                                "on the outcomes of a sweep directory or an EMA experiment set (.tar.gz).")
    p.add_argument("source", help="sweep directory (alignsim sweep) or EMA results tarball (save_results)")
    p.add_argument("--condition", required=True,
                   help="e.g. \"nrr_annual >= 1.0 and cash_balance_end > 0\" (model units; 100%% = 1)")
    p.add_argument("--out", help="output folder (default: <source>/discovery, or beside the tarball)")
    p.add_argument("--boxes", type=int, default=1, help="PRIM boxes to find (default 1)")
    p.add_argument("--min-density", type=float, default=0.8, help="density the reported box reaches (default 0.8)")
    p.add_argument("--input", action="append", help="restrict PRIM and CART to this input (repeatable)")
    p.add_argument("--screen", type=int, help="keep only the N inputs with the highest feature scores")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    return p


def discover_main(argv: list[str] | None = None) -> int:
    """``alignsim discover``: write trajectory.csv, boxes.csv, cart.csv, discovery.md and the figures."""
    args = _discover_parser().parse_args(argv)
    return _guarded("discover", lambda: _discover(args))


def _discover(args) -> int:
    from sim.config import ConfigError
    from sim.ema import inputs
    from sim.ema.discovery import discover

    if args.boxes < 1 or not 0 < args.min_density <= 1:
        raise ConfigError(f"--boxes = {args.boxes} / --min-density = {args.min_density} is out of range: allowed "
                          "--boxes >= 1 and 0 < --min-density <= 1")
    x, y = inputs.load(args.source)
    result = discover(x, y, args.condition, boxes=args.boxes, min_density=args.min_density, columns=args.input,
                      screen=args.screen)
    source = Path(args.source)
    out = Path(args.out) if args.out else (source / "discovery" if source.is_dir() else
                                           source.with_name(source.name.split(".")[0] + "_discovery"))
    result.save(out)
    if not args.no_figures:
        save_discovery_figures(result, out, title=result.condition.describe())
    print(result.markdown())
    print(f"tables and figures written to {out}")
    return 0


def save_discovery_figures(result, folder: Path, title: str) -> list[Path]:
    """Write each PRIM box's trade-off and box-limits figures and the CART tree into ``folder``."""
    import matplotlib.pyplot as plt

    from sim.ema import figures

    written = []
    for box in result.boxes:
        for kind, draw in (("tradeoff", figures.tradeoff), ("limits", figures.box_limits)):
            fig = draw(box, f"PRIM box {box.number}: {title}")
            path = folder / f"prim_box{box.number}_{kind}.png"
            fig.savefig(path, dpi=110, bbox_inches="tight")
            plt.close(fig)
            written.append(path)
    fig = figures.cart_tree(result, f"CART: {title}")
    fig.savefig(folder / "cart_tree.png", dpi=90, bbox_inches="tight")
    written.append(folder / "cart_tree.png")
    return written


def _optimise_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alignsim optimise", description="Robust many-objective policy search (EMA's "
                                "epsilon-NSGA-II): revenue, gross margin and net revenue retention, each scored by "
                                "its 10th percentile across plausible firms.")
    p.add_argument("--out", required=True, help="folder of the search's sweep store and outputs (resumable)")
    p.add_argument("--lever", action="append", help="policy lever to search (repeatable; default: all)")
    p.add_argument("--firms", type=int, default=8, help="plausible firms per policy (default 8)")
    p.add_argument("--nfe", type=int, default=200, help="policies evaluated in all (default 200)")
    p.add_argument("--population", type=int, default=20, help="population size (default 20)")
    p.add_argument("--replicates", type=int, default=1, help="replicates per policy and firm (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the search, firms and replicates (default 0)")
    p.add_argument("--scenario", default="hundred_years_war", help="base scenario (default hundred_years_war)")
    p.add_argument("--n-jobs", type=int, default=-1, help="worker processes (-1 = all cores)")
    p.add_argument("--backend", choices=("local", "dask", "submitit"), default="local")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="overrides of the base config")
    return p


def optimise_main(argv: list[str] | None = None) -> int:
    """``alignsim optimise``: write pareto.csv, pareto.md, convergence.csv and pareto_parallel.png into --out."""
    args = _optimise_parser().parse_args(argv)
    return _guarded("optimise", lambda: _optimise(args))


def _optimise(args) -> int:
    from sim.ema.optimisation import optimise

    result = optimise(args.out, levers=args.lever, firms=args.firms, nfe=args.nfe, population=args.population,
                      replicates=args.replicates, seed=args.seed, scenario=args.scenario, overrides=args.overrides,
                      backend=args.backend, n_jobs=args.n_jobs)
    save_optimisation(result, Path(args.out))
    print(result.table().to_string(index=False))
    print(f"{result.runs} runs ({result.nfe} policies x {result.firms} firms x {result.replicates} replicate(s)) in "
          f"{result.seconds:.0f} s ({result.runs_per_second:.1f} runs/s); written to {args.out}")
    return 0


def save_optimisation(result, folder: Path) -> None:
    """Write the Pareto set (CSV in display units and Markdown), the convergence table and the parallel axes."""
    save_optimisation_tables(result, folder)
    save_pareto_figure(result, folder)


def save_optimisation_tables(result, folder: Path) -> None:
    """Write ``pareto.csv`` (display units), ``pareto.md`` and ``convergence.csv`` into ``folder``."""
    from sim.ema import markdown

    folder.mkdir(parents=True, exist_ok=True)
    table = result.table()
    table.to_csv(folder / "pareto.csv", index=False)
    (folder / "pareto.md").write_text(markdown.table(table))
    result.convergence.to_csv(folder / "convergence.csv", index=False)


def save_pareto_figure(result, folder: Path) -> None:
    """Write ``pareto_parallel.png``: the Pareto set on parallel axes."""
    import matplotlib.pyplot as plt

    from sim.ema import figures
    from sim.ema.optimisation import PERCENTILE

    table = result.table()
    lever_columns = list(table.columns[:len(result.levers)])
    fig = figures.pareto_parallel(table, lever_columns, list(table.columns[len(result.levers):]),
                                  f"Pareto set: levers and objectives (p{PERCENTILE} across {result.firms} firms)")
    fig.savefig(folder / "pareto_parallel.png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def _guarded(name: str, job) -> int:
    """Run ``job``; bad input and environment faults become one line on stderr and an exit status."""
    from sim.config import ConfigError
    from sim.sweep.store import DamagedSweep, NotWritable, SweepInUse

    try:
        return job()
    except (ConfigError, FileNotFoundError, NotADirectoryError) as err:
        print(f"alignsim {name}: error: {err}", file=sys.stderr)
        return 2
    except (SweepInUse, DamagedSweep, NotWritable, OSError) as err:
        print(f"alignsim {name}: error: {err}", file=sys.stderr)
        return 1
