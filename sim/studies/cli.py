"""``alignsim study``: run claim studies, write their results and rebuild the claims table.

::

    alignsim study --list
    alignsim study f2_blame_chain [--fast] [--replicates N] [--n-jobs N] [--seed S] [--out DIR]
    alignsim study --all [--fast] [--n-jobs N]      # every study, then experiments/README.md
    alignsim study --readme                         # rebuild experiments/README.md from the stored rows
    alignsim study --all --robustness [--draws N] [--replicates N] [--posterior PATH] [--backend B]

Only the published settings (full study, 30 replicates, seed root 1) write into ``experiments/results``; a variant
(``--fast``, other ``--replicates`` or ``--seed``) goes to ``outputs/studies/<variant>/`` (:mod:`sim.studies.paths`),
and ``--out`` naming the committed results for a variant is refused before anything runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.studies import catalogue, robustness
from sim.studies.paths import refusal, results_dir, scratch_dir, variant
from sim.studies.verdicts import reason


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alignsim study", description="Run the claim and stylised-fact studies.")
    p.add_argument("names", nargs="*", help="studies to run (see --list)")
    p.add_argument("--all", action="store_true", help="run every study and rebuild the claims table")
    p.add_argument("--list", action="store_true", help="list the studies and their claims")
    p.add_argument("--readme", action="store_true", help="rebuild the claims table from the stored rows")
    p.add_argument("--fast", action="store_true", help="the tests' variant (two years, fewer replicates)")
    p.add_argument("--replicates", type=int, default=None, help="replicates per arm (default 30; fast: per study)")
    p.add_argument("--n-jobs", type=int, default=1, help="worker processes")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: the published table's or the "
                                                          "fast tests' root, sim.studies.seeds)")
    p.add_argument("--out", type=Path, default=None, help="results folder (default experiments/results; a variant: "
                                                          "outputs/studies/<variant>/results)")
    robustness.add_arguments(p)
    return p


def main(argv: list[str]) -> int:
    """Entry point of ``alignsim study``; returns the exit status."""
    args = parser().parse_args(argv)
    if args.list:
        for study in catalogue.studies():
            print(f"{study.key:28s} {', '.join(study.claims):8s} {study.title}")
        return 0
    if args.robustness:
        from sim.studies.report import readme

        status = robustness.command(args, [catalogue.get(k) for k in (catalogue.names() if args.all else args.names)])
        if status == 0:
            target = (args.out or results_dir()).parent / "README.md"
            target.write_text(readme(catalogue.studies(), args.out or results_dir()))
            print(f"claims table rebuilt: {target}")
        return status
    name = variant(args.fast, args.replicates, args.seed)
    refused = refusal(args.out, name) if args.out else ""
    if refused:
        print(f"alignsim study: {refused}")
        return 2
    out = args.out or (scratch_dir(name) if name else results_dir())
    chosen = catalogue.names() if args.all else args.names
    unknown = sorted(set(chosen) - set(catalogue.names()))
    if unknown:
        print(f"alignsim study: unknown {', '.join(unknown)}; known: {', '.join(catalogue.names())}")
        return 2
    if not chosen and not args.readme:
        parser().print_usage()
        return 2
    from sim.studies.execution import run_study
    from sim.studies.report import readme, verdict, write_study

    if name and chosen:
        print(f"alignsim study: {name} variant: results go to {out}, not to the published {results_dir()}")
    for key in chosen:
        began = time.time()
        res = run_study(catalogue.get(key), fast=args.fast, replicates=args.replicates, n_jobs=args.n_jobs,
                        seed=args.seed)
        path = write_study(res, out, time.time() - began, args.n_jobs)
        for r in res.rows:
            print(f"{r.claim} [{r.kind}] {r.statement}: {verdict(r).strip('*')} — {r.effect}; CI {r.ci}; "
                  f"adjusted p {r.p_adjusted:.3g}" + ("" if r.holds else f"\n    why: {reason(r)}"))
        print(f"{key}: written to {path} ({time.time() - began:.0f} s)")
    if args.all or args.readme:
        target = out.parent / "README.md"
        target.write_text(readme(catalogue.studies(), out))
        print(f"claims table rebuilt: {target}")
    return 0
