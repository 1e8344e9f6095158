"""Where a study's results go: the committed ``experiments/results`` for the published settings only, a scratch
folder for any variant.

The published settings are the full study (every arm over the full horizon), :data:`~sim.studies.declarations.
REPLICATES` replicates per arm and the seed root :data:`~sim.studies.seeds.PUBLISHED_TABLE`.  Anything else (the
fast variant, other replicates, another seed root) is a *variant*: it goes to ``outputs/studies/<variant>/`` under
the working directory (``results/<study>/`` and, for ``--all``, ``README.md``), and writing it into the committed
results is refused, so a variant never overwrites the published tables.
"""

from __future__ import annotations

from pathlib import Path

from sim.studies.declarations import REPLICATES, StudyResult
from sim.studies.seeds import FAST_TESTS, PUBLISHED_TABLE

SCRATCH = Path("outputs") / "studies"
"""Scratch root of the variants, relative to the working directory (``outputs/`` is ignored by git)."""


def results_dir() -> Path:
    """``experiments/results`` of the repository this package is installed from (or of the working directory)."""
    repo = Path(__file__).resolve().parents[2] / "experiments"
    return (repo if repo.is_dir() else Path.cwd() / "experiments") / "results"


def variant(fast: bool = False, replicates: int | None = None, seed: int | None = None) -> str:
    """The variant's name ("" for the published settings): ``fast``, ``replicates-N``, ``seed-S`` joined by
    ``-``, from what differs from the published settings (``None``: the default of the variant)."""
    parts = ["fast"] if fast else []
    if replicates is not None and (fast or replicates != REPLICATES):
        parts.append(f"replicates-{replicates}")
    if seed is not None and seed != (FAST_TESTS if fast else PUBLISHED_TABLE):
        parts.append(f"seed-{seed}")
    return "-".join(parts)


def result_variant(res: StudyResult) -> str:
    """The variant a result was run with ("" when it was run with the published settings)."""
    default = res.study.fast_replicates if res.fast else REPLICATES
    return variant(res.fast, None if res.replicates == default else res.replicates, res.seed)


def scratch_dir(name: str) -> Path:
    """The results folder of the variant ``name``: ``outputs/studies/<name>/results`` under the working directory."""
    return Path.cwd() / SCRATCH / name / "results"


def default_root(res: StudyResult) -> Path:
    """Where ``res`` is written by default: the committed results if published, else its variant's scratch folder."""
    name = result_variant(res)
    return scratch_dir(name) if name else results_dir()


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def refusal(root: Path, name: str) -> str:
    """Why the variant ``name`` may not be written under ``root`` ("" when it may)."""
    if not name or not _inside(root, results_dir()):
        return ""
    return (f"refusing to write the {name} variant into {results_dir()}: only the published settings (every arm, "
            f"full horizon, {REPLICATES} replicates, seed root {PUBLISHED_TABLE}) regenerate the committed "
            f"results; leave out --out to write it to {SCRATCH / name}")
