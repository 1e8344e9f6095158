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
from sim.sweep.store import DamagedSweep, MissingDesign, PartInfo, SweepStore, check_writable

FORMAT_VERSION = 2
"""Version of the sweep directory layout, stored in the manifest (2: parts carry the sweep's identity and a
checksum sidecar; timings are stored apart)."""
OWNER_CHECK_S = 1.0
"""Seconds between a worker's checks that the sweep's main process is still alive."""


@dataclass
class ChunkTask:
    """What one worker needs for one chunk (pickled to it).

    Attributes:
        root: the sweep directory, which the worker writes the chunk into.
        chunk: the chunk number (its file is ``runs/part-<chunk>.parquet``).
        base: the composed base config.
        runs: one dict per run: run_id, point, replicate, seed and ``values`` (lever -> config value).
        weekly: whether to store the weekly tables too.
        sweep_id: the sweep's identity, written into each part.
        owner: the process that runs the sweep (pid, host, start time, ``stop_process``): a worker on the same
            host writes nothing once it is gone, and the sweep's own workers (loky, a LocalCluster started here) stop
            within :data:`OWNER_CHECK_S` seconds; the workers of a cluster the sweep only uses are left running.
    """

    root: str
    chunk: int
    base: Config
    runs: list[dict]
    weekly: bool
    sweep_id: str = ""
    owner: dict | None = None


@dataclass
class ChunkReport:
    """What a worker sends back: the chunk, its number of runs and of failed runs, and the checksum and row
    count of each part it stored (for the manifest)."""

    chunk: int
    runs: int
    failed: int
    parts: dict[str, PartInfo]


def run_chunk(task: ChunkTask) -> ChunkReport:
    """Run every run of a chunk, isolating failures, and store the chunk (atomically).

    In a worker process on the sweep's host, a watchdog ends the process within :data:`OWNER_CHECK_S` seconds
    of the sweep's main process dying (kill -9 included), and the chunk is not written if it is gone.
    """
    _watch_owner(task.owner)
    rows, weekly, seconds = [], [], []
    for run in task.runs:
        start = time.perf_counter()
        row, frame = _run_one(task.base, run, task.weekly)
        seconds.append(time.perf_counter() - start)
        rows.append(row)
        if frame is not None:
            weekly.append(frame)
    runs = pd.DataFrame(rows).astype({"seed": "uint64"})
    weekly_frame = (pd.concat(weekly, ignore_index=True) if weekly else pd.DataFrame({"run_id": []})) \
        if task.weekly else None
    if not _owner_alive(task.owner):  # the sweep is gone: write nothing
        if task.owner.get("stop_process", True):
            os._exit(1)
        raise RuntimeError(f"the sweep's main process (pid {task.owner['pid']}) is gone: "
                           f"chunk {task.chunk} not written")
    run_ids = [r["run_id"] for r in task.runs]
    parts = SweepStore(task.root).write_chunk(task.chunk, task.sweep_id, run_ids, runs, weekly_frame, seconds)
    return ChunkReport(task.chunk, len(rows), int((runs["status"] == "failed").sum()), parts)


def _run_one(base: Config, run: dict, weekly: bool) -> tuple[dict, pd.DataFrame | None]:
    ids = {key: run[key] for key in ("run_id", "point", "replicate", "seed")}
    row = {**ids, **run["values"], "status": "ok", "error": None, "config": None}
    cfg = apply(base, run["values"])
    try:
        result = run_model(cfg, seed=run["seed"])
    except Exception:  # noqa: BLE001 - any model error is this run's result, not the sweep's
        row.update(status="failed", error=traceback.format_exc(),
                   config=json.dumps(dataclasses.asdict(cfg), default=str))
        return row, None
    row.update(result.summary.to_dict())
    frame = result.weekly.assign(run_id=ids["run_id"]) if weekly else None
    return row, frame


def owner_identity() -> dict:
    """This process as the owner of a sweep: pid, host and start time (a reused pid is not mistaken for it)."""
    import socket

    import psutil

    return {"pid": os.getpid(), "host": socket.gethostname(), "started": psutil.Process().create_time()}


def _owner_alive(owner: dict | None) -> bool:
    """Whether the sweep's main process still runs (True when it cannot be told: another host, no owner)."""
    import socket

    import psutil

    if not owner or owner.get("host") != socket.gethostname() or owner.get("pid") == os.getpid():
        return True
    try:
        return psutil.Process(owner["pid"]).create_time() == owner["started"]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


_WATCHED: set[int] = set()


def _watch_owner(owner: dict | None) -> None:
    """Start (once per process and owner) a daemon thread that ends this worker when the owner is gone."""
    import threading

    if not owner or not owner.get("stop_process", True) or owner.get("pid") == os.getpid() or \
            owner["pid"] in _WATCHED:
        return
    _WATCHED.add(owner["pid"])

    def watch() -> None:
        while _owner_alive(owner):
            time.sleep(OWNER_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="alignsim-owner-watchdog", daemon=True).start()


def plan(root: str | Path, base: Config, design: Design, spec: SweepSpec, sweep_id: str = "",
         owner: dict | None = None) -> list[ChunkTask]:
    """All chunk tasks of the sweep, in run order."""
    seeds = replicate_seeds(spec.seed, spec.replicates)
    names = design.problem["names"]
    points = design.points[names].to_dict("records")
    runs = [{"run_id": p * spec.replicates + r, "point": p, "replicate": r, "seed": seed, "values": values}
            for p, values in enumerate(points) for r, seed in enumerate(seeds)]
    size = spec.chunk_size
    return [ChunkTask(str(root), k, base, runs[k * size:(k + 1) * size], spec.weekly, sweep_id, owner)
            for k in range((len(runs) + size - 1) // size)]


def run_sweep(spec: str | Path | dict | SweepSpec | None, out: str | Path, *, resume: bool = False,
              backend: str | None = None, n_jobs: int | None = None, progress: bool = True,
              yes: bool = False) -> pd.DataFrame:
    """Run a sweep into the directory ``out`` and return its run table (:func:`sim.sweep.load`).

    Everything is checked before the first file is written (spec, levers, base config, workers, size, memory
    with the levers' largest values), and the directory is locked while the sweep runs, so a second sweep into
    it is refused.

    Args:
        spec: a sweep spec (YAML path, dict or :class:`SweepSpec`); may be None when resuming,
            in which case the stored spec is used.
        out: the sweep directory; a new sweep refuses a directory that already holds one.
        resume: continue the sweep stored in ``out``: run the chunks it lacks and those whose parts are not
            sound (unreadable, foreign, without or differing from their checksum, other runs), with its stored
            base config and design.  A given spec must match the stored one (execution aside).
        backend: overrides ``execution.backend`` (local, dask, submitit).
        n_jobs: overrides ``execution.n_jobs`` (worker processes; -1 = all cores).
        progress: show a tqdm progress bar with the ETA.
        yes: accept a sweep above ``execution.max_runs`` runs or ``execution.max_hours`` hours (``--yes``).

    Raises:
        ConfigError: an invalid spec, a spec that differs from the one stored in ``out``, a sweep too large
            (unless ``yes``), or runs that would not fit in the memory available.
        FileExistsError: ``out`` holds a sweep and ``resume`` is false (:class:`~sim.sweep.store.SweepInUse`:
            another sweep is writing ``out``).
        SweepLost: the Dask scheduler was lost (what is stored stays stored; resume finishes the sweep).
    """
    from sim.config import plain

    n_jobs = plain(n_jobs)
    if not str(out).strip():
        raise ConfigError("out = '' is not valid (--out): give the sweep directory")
    check_writable(out, "out")
    store = SweepStore(out)
    with store.lock():
        if store.exists() and not resume:
            raise FileExistsError(f"{store.root} already holds a sweep: pass resume=True (--resume) to continue "
                                  "it, or choose another output directory")
        resuming = store.exists()
        spec, base, design = _resumed(store, spec, yes) if resuming else _new(store, spec, yes)
        execution = check_execution(dataclasses.replace(
            spec.execution, **{k: v for k, v in (("backend", backend), ("n_jobs", n_jobs)) if v is not None}))
        check_size(spec, resolve_levers(spec), base, execution, yes=yes or resuming,
                   runs=len(design.points) * spec.replicates if design is not None else None)
        if design is None:
            design = build(resolve_levers(spec), spec.design)
        runs = len(design.points) * spec.replicates
        if not resuming:
            manifest = manifest_for(spec, base, resolve_levers(spec), design)
            store.write_manifest(manifest, design.points)
        owner = {**owner_identity(), "stop_process": _is_local(execution)}  # a shared cluster's workers live on
        tasks = plan(store.root, base, design, spec, store.sweep_id, owner)
        missing = chunks_to_run(store, tasks, spec.weekly)
        execute_chunks(missing, execution, store, total=runs, name=spec.name, progress=progress)
    return store.load()


class SweepLost(RuntimeError):
    """The engine running the chunks went away (a lost Dask scheduler); stored chunks stay stored."""


def _new(store: SweepStore, spec, yes: bool) -> tuple[SweepSpec, Config, None]:
    """The spec and base config of a new sweep (nothing written yet; the design is built once its size is
    checked)."""
    from sim.loading import load_config

    if spec is None:
        raise FileNotFoundError(f"{store.root} holds no sweep to resume and no spec was given")
    spec = load_spec(spec)
    base = load_config(spec.scenario, spec.overrides)
    resolve_levers(spec)
    return spec, base, None


def _resumed(store: SweepStore, spec, yes: bool) -> tuple[SweepSpec, Config, Design]:
    """The stored spec (with the given spec's execution), base config and design of a sweep to resume.

    A missing ``design.parquet`` is rebuilt from the stored spec (the design is a function of it) and checked
    against the manifest's number of points.
    """
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
    levers = resolve_levers(stored)
    try:
        points = store.design()
    except MissingDesign:
        rebuilt = build(levers, stored.design)
        if len(rebuilt.points) != manifest["points"]:
            raise DamagedSweep(f"{store.root / 'design.parquet'} is missing and the stored spec gives "
                               f"{len(rebuilt.points)} points instead of {manifest['points']}: run the spec "
                               "again into a new --out") from None
        warnings.warn(f"{store.root / 'design.parquet'} was missing: rebuilt from the stored spec", stacklevel=3)
        store.write_design(rebuilt.points)
        points = rebuilt.points
    return stored, base, Design(points, problem(levers))


SECONDS_PER_RUN = 0.15
"""Fixed cost of one run on one core besides its account-weeks, in seconds (staff agents, the weekly table, the
summary: 5,000 accounts x 156 weeks ran at 8.1 runs/s on 2 cores, 0.25 s per run, of which 0.06 s account-weeks)."""


def check_size(spec: SweepSpec, levers: list[Lever], base: Config, execution: ExecutionSpec, *,
               yes: bool = False, runs: int | None = None) -> dict:
    """Estimate a sweep before its design is built: points, runs, wall time and peak memory (with the levers'
    largest market and horizon); refuse it when the design would not fit in memory, when its runs would not,
    or (unless ``yes``) when it exceeds ``execution.max_runs`` or ``execution.max_hours``.

    Returns:
        The estimate: points, runs, hours, workers.

    Raises:
        ConfigError: naming the size, the limit and how to accept it.
    """
    from sim.runner import SECONDS_PER_ACCOUNT_WEEK, available_memory, check_memory

    points = count_points(levers, spec.design)
    runs = points * spec.replicates if runs is None else runs
    workers = _workers(execution)
    largest = _largest(base, levers)
    seconds = runs * (SECONDS_PER_RUN + largest.market.accounts * largest.weeks * SECONDS_PER_ACCOUNT_WEEK)
    hours = seconds / workers / 3600
    design_bytes = points * (2 * len(levers) + 1) * 8 * 4
    have = available_memory()
    what = f"{points:,} design points x {spec.replicates} replicate(s) = {runs:,} runs"
    if have is not None and design_bytes > have:
        raise ConfigError(f"sweep size: {what}: the design alone needs about {design_bytes / 2**30:.1f} GiB, but "
                          f"this machine has {have / 2**30:.1f} GiB available: use fewer levels or samples")
    if not yes and (runs > execution.max_runs or hours > execution.max_hours):
        raise ConfigError(f"sweep size: {what}, about {_duration(hours)} on {workers} worker(s): above the limit "
                          f"of execution.max_runs = {execution.max_runs:,} runs and execution.max_hours = "
                          f"{execution.max_hours:g}: pass --yes (yes=True) to run it anyway, or use fewer levels, "
                          "samples or replicates")
    if _is_local(execution):
        check_memory(largest, min(runs, workers), workers)
    return {"points": points, "runs": runs, "hours": hours, "workers": workers}


def count_points(levers: list[Lever], design) -> int:
    """Number of design points ``design`` gives over ``levers`` (without building it)."""
    import math

    d = len(levers)
    if design.method == "grid":
        return math.prod(len(lv.levels) if lv.kind == "level" else
                         min(design.levels, int(lv.high - lv.low) + 1) if lv.kind == "int" else design.levels
                         for lv in levers)
    if design.method == "sobol":
        return design.samples * ((2 * d + 2) if design.second_order else (d + 2))
    if design.method == "morris":
        return design.samples * (d + 1)
    return design.samples


def _largest(base: Config, levers: list[Lever]) -> Config:
    """``base`` with the market size and horizon at the largest value a lever gives them (for the estimates)."""
    cfg = apply(base, {})
    for lv in levers:
        if lv.field in ("market.accounts", "weeks"):
            top = int(max(lv.levels) if lv.kind == "level" else lv.high)
            if lv.field == "weeks":
                cfg.weeks = max(cfg.weeks, top)
            else:
                cfg.market.accounts = max(cfg.market.accounts, top)
    return cfg


def _duration(hours: float) -> str:
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:,.1f} h" if hours < 48 else f"{hours / 24:,.0f} days"


def _is_local(execution: ExecutionSpec) -> bool:
    return execution.backend == "local" or (execution.backend == "dask" and not execution.dask_address)


def _workers(execution: ExecutionSpec) -> int:
    """Worker processes the runs share (all cores for -1)."""
    return (os.cpu_count() or 1) if execution.n_jobs < 0 else max(1, execution.n_jobs)


def chunks_to_run(store: SweepStore, tasks: list[ChunkTask], weekly: bool) -> list[ChunkTask]:
    """The tasks whose chunk is not soundly stored.

    Damaged parts are reported (a warning) and re-run; parts of another sweep, and parts of no chunk of this one,
    are moved into ``foreign/`` first (nothing is deleted).
    """
    for stray in store.stray_parts():
        moved = store.move_aside(stray)
        warnings.warn(f"{stray.relative_to(store.root)} is not a chunk of this sweep: moved to "
                      f"{moved.relative_to(store.root)}", stacklevel=3)
    tables = ("runs", "weekly") if weekly else ("runs",)
    problems = store.check_chunks({t.chunk: [r["run_id"] for r in t.runs] for t in tasks}, tables)
    damaged = {f"{table}/{store.part_path(table, chunk).name}": why
               for chunk, found in problems.items() for table, why in found.items()
               if why != "missing" or table == "weekly" and found.get("runs") is None}
    if damaged:
        warnings.warn(f"re-running {len(damaged)} damaged part(s) of {store.root}: "
                      + "; ".join(f"{path}: {why}" for path, why in damaged.items()), stacklevel=3)
    for chunk, found in problems.items():
        for table, why in found.items():
            if why.startswith(("belongs to another sweep", "was not written by a sweep")):
                store.move_aside(store.part_path(table, chunk))
    return [t for t in tasks if t.chunk in problems]


def execute_chunks(tasks: list[ChunkTask], execution, store: SweepStore, total: int, name: str, progress: bool) -> None:
    from tqdm.auto import tqdm

    from sim.sweep.backends import BACKENDS, EngineLost

    todo = sum(len(t.runs) for t in tasks)
    failed = 0
    with tqdm(total=total, initial=total - todo, unit="run", desc=name, disable=not progress) as bar:
        try:
            for report in BACKENDS[execution.backend](run_chunk, tasks, execution, store.root):
                failed += report.failed
                bar.update(report.runs)
                bar.set_postfix(failed=failed)
        except KeyboardInterrupt:
            bar.write(f"interrupted: {len(store.stored_chunks())} chunks stored in {store.root}; "
                      "run again with --resume to finish")
            raise
        except EngineLost as err:
            raise SweepLost(f"{err}: {len(store.stored_chunks())} chunks are stored in {store.root}; run "
                            f"`alignsim sweep --resume --out {store.root}` to finish") from None


def manifest_for(spec: SweepSpec, base: Config, levers: list[Lever], design: Design) -> dict:
    """The manifest of a new sweep: its identity, spec, base config, levers, sizes and seeds."""
    import sim

    runs = len(design.points) * spec.replicates
    code = code_version()
    return {"format": FORMAT_VERSION, "sweep_id": sweep_identity(spec, base, code["source"]),
            "alignsim_version": sim.__version__, "code": code,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "spec": dataclasses.asdict(spec),
            "base_config": dataclasses.asdict(base), "levers": [dataclasses.asdict(lv) for lv in levers],
            "problem": design.problem, "points": len(design.points), "runs": runs,
            "chunks": (runs + spec.chunk_size - 1) // spec.chunk_size,
            "seeds": [str(s) for s in replicate_seeds(spec.seed, spec.replicates)]}


def sweep_identity(spec: SweepSpec, base: Config, source: str) -> str:
    """The identity of a sweep: a hash of what determines its results (the spec without ``execution``, the
    base config and the model's source code), written into every part."""
    import hashlib

    text = json.dumps({"spec": _normal(spec.identity()), "base": _normal(dataclasses.asdict(base)),
                       "source": source}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def source_digest() -> str:
    """SHA-256 of the model's source (every ``sim/**/*.py`` but the dashboard's, the workshop's, the studies' and
    the EMA adapter's, none of which a run reads)."""
    import hashlib

    import sim

    folder = Path(sim.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder)
        if rel.parts[0] in ("viz", "workshop", "studies", "ema"):
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_version() -> dict:
    """The digest of the model's source (:func:`source_digest`), the git commit and whether ``sim/`` or
    ``configs/`` differ from it (``commit`` and ``dirty`` None outside a git checkout or without git)."""
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
        return {"commit": None, "dirty": None, "source": source_digest()}
    return {"commit": commit, "dirty": dirty, "source": source_digest()}


def _normal(data: dict) -> dict:
    """``data`` as JSON would give it back (tuples as lists), for comparing a spec with a stored one."""
    return json.loads(json.dumps(data, default=str))
