"""The claim and stylised-fact studies: declared as data, discovered, run on common random numbers.

::

    import sim.studies
    sim.studies.names()                               # every study, in claim order
    res = sim.studies.run("f2_blame_chain")           # StudyResult: .runs, .weekly, .rows
    res = sim.studies.run("f2_blame_chain", fast=True)
    sim.studies.write(res)       # experiments/results/f2_blame_chain/ (a variant: outputs/studies/<variant>/)

From the shell: ``alignsim study NAME``, ``alignsim study --all``, ``alignsim study --list``.
Layout: :mod:`~sim.studies.declarations` (Arm, Check, Study, Row, StudyResult),
:mod:`~sim.studies.derived` (per-run outcomes),
:mod:`~sim.studies.rules` (evaluation rules), :mod:`~sim.studies.verdicts` (adjusted verdicts and reasons),
:mod:`~sim.studies.execution` (run_study), :mod:`~sim.studies.report` (Markdown, tables, README),
:mod:`~sim.studies.figures`, :mod:`~sim.studies.seeds`, :mod:`~sim.studies.paths` (published results or scratch),
:mod:`~sim.studies.catalogue` (discovery), :mod:`~sim.studies.claims` (one module per study), :mod:`~sim.studies.cli`.
"""

from __future__ import annotations

from pathlib import Path

from sim.studies.catalogue import get, names, studies
from sim.studies.declarations import StudyResult
from sim.studies.execution import run_study
from sim.studies.paths import default_root, results_dir, scratch_dir

__all__ = ["StudyResult", "get", "names", "results_dir", "run", "run_study", "scratch_dir", "studies", "write"]


def run(name: str, fast: bool = False, replicates: int | None = None, n_jobs: int = 1,
        seed: int | None = None) -> StudyResult:
    """Run the study ``name`` (see :func:`sim.studies.execution.run_study` for the arguments)."""
    return run_study(get(name), fast=fast, replicates=replicates, n_jobs=n_jobs, seed=seed)


def write(result: StudyResult, root: Path | None = None, seconds: float = float("nan"), n_jobs: int = 1) -> Path:
    """Write a result's tables, figure and summary into ``root/<study>``.  By default a result of the published
    settings goes to :func:`results_dir` and a variant (fast, other replicates or seed root) to its scratch
    folder (:func:`scratch_dir`); a variant is never written into the committed results (``ValueError``)."""
    from sim.studies.report import write_study

    return write_study(result, root or default_root(result), seconds, n_jobs)
