"""Run a sweep: plan the chunks, run the missing ones on a backend, stream them into the store.

The base config is composed once per sweep; each run is that config with one design point's
lever values set.  Run ``run_id = point * replicates + replicate`` uses replicate seed
``sim.replicate_seeds(spec.seed, replicates)[replicate]`` (common random numbers across points),
so the table does not depend on the backend, the number of workers or the order of the chunks.
A run that raises is stored with ``status = "failed"``, its traceback and its full config; the
others go on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.config import Config, ConfigError
from sim.runner import replicate_seeds
from sim.runner import run as run_model
from sim.sweep.design import Design, apply, build, problem
from sim.sweep.spec import ExecutionSpec, Lever, SweepSpec, check_execution, load_spec, resolve_levers
from sim.sweep.store import PartInfo, SweepStore

FORMAT_VERSION = 1
"""Version of the sweep directory layout, stored in the manifest."""


@dataclass
class ChunkTask:
    """What one worker needs for one chunk (pickled to it).

    Attributes:
        root: the sweep directory, which the worker writes the chunk into.
        chunk: the chunk number (its file is ``runs/part-<chunk>.parquet``).
        base: the composed base config.
        runs: one dict per run: run_id, point, replicate, seed and ``values`` (lever -> config value).
        weekly: whether to store the weekly tables too.
    """

    root: str
    chunk: int
    base: Config
    runs: list[dict]
    weekly: bool


@dataclass
class ChunkReport:
    """What a worker sends back: the chunk, its number of runs and of failed runs, and the checksum and row
    count of each part it stored (for the manifest)."""

    chunk: int
    runs: int
    failed: int
    parts: dict[str, PartInfo]


def run_chunk(task: ChunkTask) -> ChunkReport:
    """Run every run of a chunk, isolating failures, and store the chunk (atomically)."""
    rows, weekly = [], []
    for run in task.runs:
        row, frame = _run_one(task.base, run, task.weekly)
        rows.append(row)
        if frame is not None:
            weekly.append(frame)
    runs = pd.DataFrame(rows).astype({"seed": "uint64"})
    weekly_frame = (pd.concat(weekly, ignore_index=True) if weekly else pd.DataFrame({"run_id": []})) \
        if task.weekly else None
    parts = SweepStore(task.root).write_chunk(task.chunk, runs, weekly_frame)
    return ChunkReport(task.chunk, len(rows), int((runs["status"] == "failed").sum()), parts)


def _run_one(base: Config, run: dict, weekly: bool) -> tuple[dict, pd.DataFrame | None]:
    ids = {key: run[key] for key in ("run_id", "point", "replicate", "seed")}
    row = {**ids, **run["values"], "status": "ok", "error": None, "config": None}
    start = time.perf_counter()
    cfg = apply(base, run["values"])
    try:
        result = run_model(cfg, seed=run["seed"])
    except Exception:  # noqa: BLE001 - any model error is this run's result, not the sweep's
        row.update(status="failed", error=traceback.format_exc(),
                   config=json.dumps(dataclasses.asdict(cfg), default=str), seconds=time.perf_counter() - start)
        return row, None
    row["seconds"] = time.perf_counter() - start
    row.update(result.summary.to_dict())
    frame = result.weekly.assign(run_id=ids["run_id"]) if weekly else None
    return row, frame


def plan(root: str | Path, base: Config, design: Design, spec: SweepSpec) -> list[ChunkTask]:
    """All chunk tasks of the sweep, in run order."""
    seeds = replicate_seeds(spec.seed, spec.replicates)
    names = design.problem["names"]
    points = design.points[names].to_dict("records")
    runs = [{"run_id": p * spec.replicates + r, "point": p, "replicate": r, "seed": seed, "values": values}
            for p, values in enumerate(points) for r, seed in enumerate(seeds)]
    size = spec.chunk_size
    return [ChunkTask(str(root), k, base, runs[k * size:(k + 1) * size], spec.weekly)
            for k in range((len(runs) + size - 1) // size)]


def run_sweep(spec: str | Path | dict | SweepSpec | None, out: str | Path, *, resume: bool = False,
              backend: str | None = None, n_jobs: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Run a sweep into the directory ``out`` and return its run table (:func:`sim.sweep.load`).

    Everything is checked before the first file is written (spec, levers, base config, workers, memory),
    and the directory is locked while the sweep runs, so a second sweep into it is refused.

    Args:
        spec: a sweep spec (YAML path, dict or :class:`SweepSpec`); may be None when resuming,
            in which case the stored spec is used.
        out: the sweep directory; a new sweep refuses a directory that already holds one.
        resume: continue the sweep stored in ``out``: run the chunks it lacks and those whose parts are damaged
            (unreadable, other runs, checksum differing from the manifest), with its stored base config and
            design.  A given spec must match the stored one (execution aside).
        backend: overrides ``execution.backend`` (local, dask, submitit).
        n_jobs: overrides ``execution.n_jobs`` (worker processes; -1 = all cores).
        progress: show a tqdm progress bar with the ETA.

    Raises:
        ConfigError: an invalid spec, a spec that differs from the one stored in ``out``, or runs that would
            not fit in the memory available.
        FileExistsError: ``out`` holds a sweep and ``resume`` is false (:class:`~sim.sweep.store.SweepInUse`:
            another sweep is writing ``out``).
    """
    store = SweepStore(out)
    with store.lock():
        if store.exists() and not resume:
            raise FileExistsError(f"{store.root} already holds a sweep: pass resume=True (--resume) to continue "
                                  "it, or choose another output directory")
        spec, base, design = _resumed(store, spec) if store.exists() else _new(store, spec)
        execution = check_execution(dataclasses.replace(
            spec.execution, **{k: v for k, v in (("backend", backend), ("n_jobs", n_jobs)) if v is not None}))
        tasks = plan(store.root, base, design, spec)
        _check_memory(base, execution, sum(len(t.runs) for t in tasks))
        if not store.exists():
            store.write_manifest(manifest_for(spec, base, resolve_levers(spec), design), design.points)
        missing = _chunks_to_run(store, tasks, spec.weekly)
        _execute(missing, execution, store, total=sum(len(t.runs) for t in tasks), name=spec.name,
                 progress=progress)
    return store.load()


def _new(store: SweepStore, spec) -> tuple[SweepSpec, Config, Design]:
    """The spec, base config and design of a new sweep (nothing written yet)."""
    from sim.loading import load_config

    if spec is None:
        raise FileNotFoundError(f"{store.root} holds no sweep to resume and no spec was given")
    spec = load_spec(spec)
    base = load_config(spec.scenario, spec.overrides)
    return spec, base, build(resolve_levers(spec), spec.design)


def _resumed(store: SweepStore, spec) -> tuple[SweepSpec, Config, Design]:
    """The stored spec (with the given spec's execution), base config and design of a sweep to resume."""
    from omegaconf import OmegaConf

    from sim.loading import to_config

    manifest = store.manifest()
    stored = load_spec(manifest["spec"])
    if spec is not None:
        given = load_spec(spec)
        if _normal(given.identity()) != _normal(stored.identity()):
            raise ConfigError(f"the spec differs from the one stored in {store.root / 'manifest.json'}; "
                              "resume with the same spec or choose another output directory")
        stored.execution = given.execution  # where the rest runs may change (another backend, more workers)
    base = to_config(OmegaConf.create(manifest["base_config"]))
    store.remove_temporaries()
    return stored, base, Design(store.design(), problem(resolve_levers(stored)))


def _check_memory(base: Config, execution: ExecutionSpec, runs: int) -> None:
    """Refuse a sweep whose runs in flight at once on this machine would not fit in its memory."""
    from sim.runner import check_memory

    local = execution.backend == "local" or (execution.backend == "dask" and not execution.dask_address)
    workers = (os.cpu_count() or 1 if execution.n_jobs < 0 else execution.n_jobs) if local else 1
    check_memory(base, min(runs, workers), workers)


def _chunks_to_run(store: SweepStore, tasks: list[ChunkTask], weekly: bool) -> list[ChunkTask]:
    """The tasks whose chunk is not soundly stored; damaged parts are reported (a warning) and re-run."""
    stored = store.stored_chunks()
    expected = {t.chunk: [r["run_id"] for r in t.runs] for t in tasks if t.chunk in stored}
    tables = ("runs", "weekly") if weekly else ("runs",)
    damaged = store.damaged_parts(expected, tables)
    if damaged:
        warnings.warn(f"re-running {len(damaged)} damaged part(s) of {store.root}: "
                      + "; ".join(f"{path}: {why}" for path, why in damaged.items()), stacklevel=3)
    bad = {int(path.split("-")[-1].split(".")[0]) for path in damaged}
    return [t for t in tasks if t.chunk not in stored or t.chunk in bad]


def _execute(tasks: list[ChunkTask], execution, store: SweepStore, total: int, name: str, progress: bool) -> None:
    from tqdm.auto import tqdm

    from sim.sweep.backends import BACKENDS

    todo = sum(len(t.runs) for t in tasks)
    failed = 0
    with tqdm(total=total, initial=total - todo, unit="run", desc=name, disable=not progress) as bar:
        try:
            for report in BACKENDS[execution.backend](run_chunk, tasks, execution, store.root):
                store.record_parts(report.chunk, report.parts)
                failed += report.failed
                bar.update(report.runs)
                bar.set_postfix(failed=failed)
        except KeyboardInterrupt:
            bar.write(f"interrupted: {len(store.stored_chunks())} chunks stored in {store.root}; "
                      "run again with --resume to finish")
            raise


def manifest_for(spec: SweepSpec, base: Config, levers: list[Lever], design: Design) -> dict:
    """The manifest of a new sweep: spec, base config, levers, sizes and seeds."""
    import sim

    runs = len(design.points) * spec.replicates
    return {"format": FORMAT_VERSION, "alignsim_version": sim.__version__, "code": code_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "spec": dataclasses.asdict(spec),
            "base_config": dataclasses.asdict(base), "levers": [dataclasses.asdict(lv) for lv in levers],
            "problem": design.problem, "points": len(design.points), "runs": runs,
            "chunks": (runs + spec.chunk_size - 1) // spec.chunk_size,
            "seeds": [str(s) for s in replicate_seeds(spec.seed, spec.replicates)]}


def code_version() -> dict:
    """The git commit of the model's source and whether ``sim/`` or ``configs/`` differ from it
    (``{"commit": None, "dirty": None}`` outside a git checkout or without git)."""
    import subprocess

    import sim

    folder = Path(sim.__file__).resolve().parent
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                                  timeout=10).stdout.strip()

        top = git("rev-parse", "--show-toplevel")
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", f"{top}/sim", f"{top}/configs"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def _normal(data: dict) -> dict:
    """``data`` as JSON would give it back (tuples as lists), for comparing a spec with a stored one."""
    return json.loads(json.dumps(data, default=str))
