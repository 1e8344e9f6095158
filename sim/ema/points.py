"""Run a table of experiments (explicit points: dotted field -> value) on the sweep engine.

An EMA batch, one generation of an optimisation or a list of plausible firms x policies is not a design the sweep
spec can describe (a grid, a hypercube), so this module hands the points to the sweep engine directly: the same
chunks, backends (joblib, Dask, submitit), Parquet parts with checksums, lock and resume as ``alignsim sweep``.
The directory's identity is the sweep identity (spec, base config, model source) *and* a digest of the points,
so a directory holds one table of points only, and running the same table into it again resumes it: the sound
chunks are kept and only missing or damaged ones run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sim.config import Config, ConfigError
from sim.sweep.spec import ExecutionSpec, Lever, SweepSpec

CHUNK_SIZE = 16
"""Runs per chunk (one Parquet part): small enough that an interrupted batch loses little."""


def points_digest(points: Sequence[Mapping[str, object]]) -> str:
    """A digest of the points' values, in order (part of the directory's identity)."""
    text = json.dumps([sorted(p.items()) for p in points], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _lever(field: str, values: list) -> Lever:
    """A sweep lever describing one column of the points (for the manifest and ``alignsim discover``)."""
    from sim.config import field_table

    row = next(r for r in field_table() if r["field"] == field)
    if isinstance(row["default"], bool) or row["choices"]:
        levels = tuple(row["choices"]) if row["choices"] else (False, True)
        return Lever(field, "level", 0.0, float(len(levels) - 1), levels, row["unit"])
    kind = "int" if isinstance(row["default"], int) else "float"
    return Lever(field, kind, float(min(values)), float(max(values)), (), row["unit"])


def run_points(points: Sequence[Mapping[str, object]], base: Config, out: str | Path, *, replicates: int,
               seed: int, execution: ExecutionSpec | None = None, name: str = "points",
               outcomes: Sequence[str] = (), progress: bool = False) -> pd.DataFrame:
    """Run every point ``replicates`` times (common random numbers: replicate k of every point has the same seed)
    into the sweep directory ``out`` and return its run table (:func:`sim.sweep.load`).

    Raises:
        ConfigError: no points, points that do not all set the same fields, or ``out`` holding another table.
    """
    from sim.sweep import execute
    from sim.sweep.design import Design
    from sim.sweep.design import problem as salib_problem
    from sim.sweep.store import SweepStore, check_writable

    if not points:
        raise ConfigError("points: give at least one experiment")
    columns = list(points[0])
    if any(list(p) != columns for p in points):
        raise ConfigError("points: every experiment must set the same fields, in the same order")
    execution = execute.check_execution(execution or ExecutionSpec(n_jobs=1))
    table = pd.DataFrame([dict(p) for p in points], columns=columns)
    levers = [_lever(f, table[f].tolist()) for f in columns]
    spec = _spec(base, replicates, seed, name, outcomes, execution)
    design = Design(table.rename_axis("point"), salib_problem(levers))
    check_writable(out, "out")
    store = SweepStore(out)
    with store.lock():
        identity = batch_identity(points, base, replicates=replicates, seed=seed, name=name, outcomes=outcomes)
        if store.exists() and store.sweep_id != identity:
            raise ConfigError(f"{store.root} holds another table of experiments: choose another directory")
        if not store.exists():
            manifest = execute.manifest_for(spec, base, levers, design)
            manifest.update(sweep_id=identity, points_digest=points_digest(points))
            store.write_manifest(manifest, design.points)
        owner = {**execute.owner_identity(), "stop_process": execution.backend == "local"}
        tasks = execute.plan(store.root, base, design, spec, identity, owner)
        missing = execute.chunks_to_run(store, tasks, weekly=False)  # the engine's resume rule, as run_sweep's
        execute.execute_chunks(missing, execution, store, total=len(points) * replicates, name=name, progress=progress)
    return store.load()


def _spec(base: Config, replicates: int, seed: int, name: str, outcomes: Sequence[str],
          execution: ExecutionSpec | None = None) -> SweepSpec:
    return SweepSpec(name=name, scenario=base.name, replicates=replicates, seed=seed, chunk_size=CHUNK_SIZE,
                     outcomes=list(outcomes), execution=execution or ExecutionSpec())


def batch_identity(points: Sequence[Mapping[str, object]], base: Config, *, replicates: int, seed: int,
                   name: str = "points", outcomes: Sequence[str] = ()) -> str:
    """The identity of a table of points run on ``base``: the sweep identity (spec, base config, model source)
    with the points' digest.  A code change or another table gives another identity."""
    from sim.sweep.execute import source_digest, sweep_identity

    sweep = sweep_identity(_spec(base, replicates, seed, name, outcomes), base, source_digest())
    return hashlib.sha256(f"{sweep}:{points_digest(points)}".encode()).hexdigest()[:32]
