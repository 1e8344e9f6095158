"""The result store of one sweep: a directory with the manifest and a Parquet dataset per table.

Layout::

    <sweep dir>/manifest.json                    the spec, the base config, the sizes and the sweep's identity
    <sweep dir>/design.parquet                   the design table (one row per point)
    <sweep dir>/runs/part-000042.parquet         run summaries of chunk 42 (one row per run)
    <sweep dir>/runs/part-000042.parquet.sha256  its checksum (``sha256sum -c`` reads it)
    <sweep dir>/weekly/part-000042.parquet       weekly rows of chunk 42 (only if the spec asks for them)
    <sweep dir>/timings/part-000042.json         wall-clock seconds of each run of chunk 42 (not checksummed)
    <sweep dir>/foreign/...                      parts found here that belong to no chunk of this sweep, moved aside

**A part belongs to its sweep.**  Each part carries in its Parquet metadata (key ``alignsim``) the sweep's
identity (a hash of the spec, the base config and the model's source code), its table, its chunk and its run
range.  Its checksum is written to the sidecar ``.sha256`` file *before* the part is renamed into place, so a
part on disk always has one (a kill between the two leaves a checksum without a part: the chunk is missing
and re-run).  A part counts as done only when its checksum matches, its metadata names this sweep and its
chunk, and it holds exactly the chunk's run ids; anything else is re-run by ``--resume`` and named by
:func:`load`, which refuses to mix it in.  Weekly parts follow the same rules.

**Deterministic parts.**  A part's content depends only on its runs: the wall-clock time of each run goes to
``timings/`` (merged back as the ``seconds`` column by :func:`load`), so a chunk computed twice (a lost Dask
worker, a preempted SLURM task) is byte-identical.

Temporary files are hidden and never end in ``.parquet`` (``.part-000042.parquet.<uuid>.tmp``), so a glob
such as DuckDB's ``runs/*.parquet`` never reads them.  One process at a time may write a sweep:
``<sweep dir>/.lock`` is held (:mod:`filelock`) while a sweep runs, and a second sweep into the same
directory is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TABLES = ("runs", "weekly")
_PART = re.compile(r"^part-(\d+)\.parquet$")
LOCK_NAME = ".lock"
"""Name of the lock file in a sweep directory."""
HOLDER_NAME = ".lock.holder"
"""Name of the file that says which process holds the lock (pid and host)."""
META_KEY = b"alignsim"
"""Key of a part's identity in its Parquet schema metadata."""
FOREIGN = "foreign"
"""Folder of a sweep directory that parts of other sweeps (or of no chunk of this one) are moved into."""


class SweepInUse(FileExistsError):
    """Another process is writing this sweep directory."""


class NotWritable(PermissionError):
    """A folder that outputs should go into cannot be created or written (an environment fault)."""


def check_writable(path: str | Path, what: str) -> None:
    """Refuse, before anything runs, an output folder that cannot be created or written: the nearest existing
    folder of ``path`` must take a file (a real write: ``os.access`` says yes to root even on /proc).

    Raises:
        NotWritable: naming the folder, what it was given as (``what``), and what to do.
    """
    import tempfile

    folder = Path(path).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise NotWritable(f"cannot write the outputs: {folder} is not a writable folder ({what} = {path}): choose "
                          "another or make it writable") from None


class DamagedSweep(ValueError):
    """A sweep's manifest is unreadable, or parts are unreadable, foreign, without a checksum, or changed."""


class MissingDesign(DamagedSweep):
    """A sweep's design.parquet is missing (resume rebuilds it from the stored spec)."""


@dataclass(frozen=True)
class PartInfo:
    """One stored part: its SHA-256 (hex) and its number of rows."""

    sha256: str
    rows: int


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(part: Path) -> Path:
    """The sidecar file that holds ``part``'s checksum."""
    return part.with_name(part.name + ".sha256")


def part_chunk(path: Path) -> int | None:
    """The chunk number of a file named ``part-<chunk>.parquet``, else None."""
    m = _PART.match(path.name)
    return int(m.group(1)) if m else None


class SweepStore:
    """Read and write the files of one sweep directory.

    Args:
        root: the sweep directory (created on first write).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._manifest: dict | None = None

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def exists(self) -> bool:
        """Whether a sweep was started here (a manifest is present)."""
        return self.manifest_path.exists()

    def write_manifest(self, manifest: dict, design: pd.DataFrame) -> None:
        """Store the design table (Parquet) and the manifest (JSON), each atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_design(design)
        _write_atomic(self.manifest_path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, default=str)))
        self._manifest = None

    def write_design(self, design: pd.DataFrame) -> None:
        """Store the design table atomically."""
        _write_atomic(self.root / "design.parquet", lambda tmp: design.to_parquet(tmp, compression="zstd"))

    def manifest(self) -> dict:
        """The stored manifest.

        Raises:
            FileNotFoundError: there is none (the message names the directory).
            DamagedSweep: it is not valid JSON or lacks the sweep's identity (the message says what to do).
        """
        if self._manifest is not None:
            return self._manifest
        if not self.exists():
            raise FileNotFoundError(f"{self.root} holds no sweep (no manifest.json)")
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise DamagedSweep(f"{self.manifest_path} is damaged (not valid JSON: {str(err).splitlines()[0]}): "
                               f"delete it and run the same spec again with --out {self.root}; finished parts "
                               "of the same spec, base config and code are kept") from None
        if not isinstance(manifest, dict) or "sweep_id" not in manifest:
            raise DamagedSweep(f"{self.manifest_path} has no sweep identity (written by an older alignsim or "
                               "damaged): run the spec again into a new --out")
        self._manifest = manifest
        return manifest

    @property
    def sweep_id(self) -> str:
        """The identity of the stored sweep (from the manifest)."""
        return self.manifest()["sweep_id"]

    def design(self) -> pd.DataFrame:
        """The stored design table, indexed by point; :class:`MissingDesign` names the file if it is missing."""
        path = self.root / "design.parquet"
        if not path.exists():
            raise MissingDesign(f"{path} is missing: `alignsim sweep --resume --out {self.root}` rebuilds it from "
                                "the stored spec")
        return pd.read_parquet(path)

    def part_path(self, table: str, chunk: int) -> Path:
        """Where chunk ``chunk`` of ``table`` is stored."""
        return self.root / table / f"part-{chunk:06d}.parquet"

    def timing_path(self, chunk: int) -> Path:
        """Where the wall-clock seconds of chunk ``chunk``'s runs are stored."""
        return self.root / "timings" / f"part-{chunk:06d}.json"

    def write_chunk(self, chunk: int, sweep_id: str, run_ids: list[int], runs: pd.DataFrame,
                    weekly: pd.DataFrame | None = None, seconds: list[float] | None = None) -> dict[str, PartInfo]:
        """Store one finished chunk: its weekly rows (if any), then its run rows, then its timings.

        Each part is zstd Parquet with the sweep's identity, its table, chunk and run range in its metadata; its
        checksum is written (atomically) before the part is renamed into place.

        Args:
            chunk: the chunk number.
            sweep_id: the sweep's identity (from the manifest).
            run_ids: the run ids the chunk holds.
            runs: one row per run.
            weekly: one row per run and week, or None if the sweep does not store them.
            seconds: wall-clock seconds of each run (stored apart, not checksummed).

        Returns:
            Per table written, the part's checksum and row count.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        infos = {}
        for table, frame in (("weekly", weekly), ("runs", runs)):
            if frame is None:
                continue
            path = self.part_path(table, chunk)
            path.parent.mkdir(parents=True, exist_ok=True)
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            identity = {"sweep": sweep_id, "table": table, "chunk": chunk,
                        "first_run": min(run_ids), "last_run": max(run_ids)}
            arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                                   META_KEY: json.dumps(identity).encode()})
            infos[table] = _write_atomic(path, lambda tmp, t=arrow: pq.write_table(t, tmp, compression="zstd"),
                                         checksum=True)
        if seconds is not None:
            timing = self.timing_path(chunk)
            timing.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(timing, lambda tmp: tmp.write_text(json.dumps({"run_id": list(run_ids),
                                                                           "seconds": list(seconds)})))
        return infos

    def stored_chunks(self, table: str = "runs") -> set[int]:
        """Chunks with a part of ``table`` on disk, sound or not."""
        folder = self.root / table
        return {c for p in folder.glob("part-*.parquet") if (c := part_chunk(p)) is not None} \
            if folder.exists() else set()

    def part_problem(self, table: str, chunk: int, run_ids: list[int]) -> str | None:
        """Why the stored part of ``chunk`` cannot be counted as done, ``"missing"``, or None if it is sound.

        Args:
            table: runs or weekly.
            chunk: the chunk number.
            run_ids: the run ids the chunk must hold (from the plan).
        """
        import pyarrow.parquet as pq

        path = self.part_path(table, chunk)
        if not path.exists():
            return "missing"
        sidecar = checksum_path(path)
        try:
            recorded = sidecar.read_text().split()[0]
        except (OSError, IndexError):
            return f"has no checksum ({sidecar.name} is missing or empty)"
        if recorded != file_sha256(path):
            return f"its checksum differs from {sidecar.name} (changed or replaced after it was written)"
        try:
            meta = pq.read_schema(path).metadata or {}
            ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist() \
                if table == "runs" or pq.read_metadata(path).num_rows else []
        except Exception as err:  # noqa: BLE001 - any reader error means the part is unusable
            return f"unreadable ({type(err).__name__}: {str(err).splitlines()[0][:80]})"
        try:
            identity = json.loads(meta[META_KEY])
        except (KeyError, ValueError):
            return "was not written by a sweep of this alignsim (no sweep identity in its metadata)"
        if identity.get("sweep") != self.sweep_id:
            return f"belongs to another sweep (identity {identity.get('sweep')}, this sweep's is {self.sweep_id})"
        if (identity.get("table"), identity.get("chunk")) != (table, chunk) or \
                (identity.get("first_run"), identity.get("last_run")) != (min(run_ids), max(run_ids)):
            return (f"was written as {identity.get('table')} chunk {identity.get('chunk')} (runs "
                    f"{identity.get('first_run')}..{identity.get('last_run')}), not as this chunk")
        wrong = set(ids) - set(run_ids) if table == "weekly" else set(ids) ^ set(run_ids)
        if wrong or len(ids) == 0 and table == "runs":
            return (f"holds run ids {min(ids, default='-')}..{max(ids, default='-')} instead of "
                    f"{min(run_ids)}..{max(run_ids)}")
        return None

    def check_chunks(self, chunks: dict[int, list[int]], tables: tuple[str, ...]) -> dict[int, dict[str, str]]:
        """Per chunk, the problem of each of its parts that is not sound (``"missing"`` included)."""
        problems: dict[int, dict[str, str]] = {}
        for chunk, run_ids in chunks.items():
            for table in tables:
                problem = self.part_problem(table, chunk, run_ids)
                if problem is not None:
                    problems.setdefault(chunk, {})[table] = problem
        return problems

    def stray_parts(self) -> list[Path]:
        """Part files (of any table) whose chunk is not a chunk of the stored sweep."""
        chunks = self.manifest()["chunks"]
        return sorted(p for table in TABLES if (self.root / table).exists()
                      for p in (self.root / table).glob("part-*.parquet")
                      if (c := part_chunk(p)) is None or c >= chunks)

    def move_aside(self, path: Path) -> Path:
        """Move a part (and its checksum) that is not this sweep's into ``foreign/``; returns where it went."""
        target = self.root / FOREIGN / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{path.stem}-{uuid.uuid4().hex[:8]}{path.suffix}")
        os.replace(path, target)
        if checksum_path(path).exists():
            os.replace(checksum_path(path), checksum_path(target))
        return target

    @contextlib.contextmanager
    def lock(self):
        """Hold this sweep directory for one writer; create it if needed.

        A directory this call created is removed again if the sweep leaves nothing in it but the lock
        (an invalid spec or an interrupted start writes nothing).

        Raises:
            SweepInUse: another process holds the lock (its pid and host in the message).
        """
        import socket

        from filelock import FileLock, Timeout

        created = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / LOCK_NAME, timeout=0)
        holder = self.root / HOLDER_NAME
        try:
            lock.acquire()
        except Timeout:
            try:
                who = holder.read_text().strip()
            except OSError:
                who = ""
            raise SweepInUse(f"{self.root} is in use by another sweep ({who or 'another process'}): wait for it "
                             "to finish, or choose another --out") from None
        try:
            holder.write_text(f"pid {os.getpid()} on {socket.gethostname()}")
            yield self
        finally:
            holder.unlink(missing_ok=True)
            lock.release()
            if created and {p.name for p in self.root.iterdir()} <= {LOCK_NAME, HOLDER_NAME}:
                shutil.rmtree(self.root, ignore_errors=True)

    def remove_temporaries(self) -> None:
        """Delete half-written files left by an interrupted writer."""
        for folder in (self.root, *(self.root / name for name in (*TABLES, "timings"))):
            for pattern in (".*.tmp", ".tmp-*"):
                for tmp in folder.glob(pattern):
                    tmp.unlink(missing_ok=True)

    def chunk_runs(self) -> dict[int, list[int]]:
        """The run ids each chunk of the stored sweep must hold (from the manifest's run count and chunk size)."""
        manifest = self.manifest()
        size, runs = manifest["spec"]["chunk_size"], manifest["runs"]
        return {k: list(range(k * size, min((k + 1) * size, runs))) for k in range(manifest["chunks"])}

    def load(self, table: str = "runs") -> pd.DataFrame:
        """One table of the sweep as a DataFrame, sorted by run (an empty frame if nothing is stored).

        The runs table gets the ``seconds`` column back from ``timings/`` (NaN where no timing is stored).

        Raises:
            DamagedSweep: the manifest is damaged, or a stored part is unreadable, foreign (another sweep's, or
                of no chunk of this one), without its checksum, differs from it, or holds other runs than its
                chunk's; for the weekly table, a chunk whose runs part is stored lacks its weekly part.  The
                message names each part and what to do.
            FileNotFoundError: the directory holds parts but no manifest.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table not in TABLES:
            raise ValueError(f"table = {table!r} is not valid: allowed {', '.join(TABLES)}")
        parts = sorted((self.root / table).glob("part-*.parquet"))
        if not self.exists():
            if parts:
                raise FileNotFoundError(f"{self.root} holds parts but no manifest.json: run the same spec again "
                                        f"with --out {self.root} (parts of the same sweep are kept)")
            return pd.DataFrame()
        expected = self.chunk_runs()
        damaged = {f"{table}/{p.name}": f"not a chunk of this sweep (it has chunks 0..{len(expected) - 1})"
                   for p in self.stray_parts() if p.parent.name == table}
        stored = {c for p in parts if (c := part_chunk(p)) is not None and c in expected}
        if table == "weekly" and self.manifest()["spec"].get("weekly"):
            stored |= self.stored_chunks("runs") & set(expected)
        damaged.update({f"{table}/{self.part_path(table, chunk).name}": why
                        for chunk, problems in self.check_chunks({k: expected[k] for k in stored}, (table,)).items()
                        for why in problems.values()})
        if damaged:
            listing = "; ".join(f"{path}: {why}" for path, why in sorted(damaged.items()))
            raise DamagedSweep(f"{self.root}: {len(damaged)} damaged part(s): {listing}. Re-run them with "
                               f"`alignsim sweep --resume --out {self.root}`")
        if not stored:
            return pd.DataFrame()
        frame = pa.concat_tables([pq.read_table(self.part_path(table, k)) for k in sorted(stored)],
                                 promote_options="permissive").to_pandas()
        if table == "runs":
            frame["seconds"] = frame["run_id"].map(self._timings())
        keys = ["run_id", "week"] if table == "weekly" else ["run_id"]
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)

    def _timings(self) -> dict[int, float]:
        """Wall-clock seconds of every run with a stored timing."""
        seconds: dict[int, float] = {}
        for path in (self.root / "timings").glob("part-*.json"):
            try:
                data = json.loads(path.read_text())
                seconds.update(zip(data["run_id"], data["seconds"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # timings are informative only
        return seconds


def _write_atomic(path: Path, write, checksum: bool = False) -> PartInfo:
    """Call ``write(tmp)`` on a hidden temporary sibling of ``path``, then rename it to ``path``.

    Args:
        path: the file to write.
        write: writes the content into the path it is given.
        checksum: also store the file's SHA-256 in ``<path>.sha256``, atomically and before ``path`` appears.

    Returns:
        The written file's checksum and, for a Parquet file, its number of rows (0 otherwise).
    """
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        info = PartInfo(file_sha256(tmp), pq.read_metadata(tmp).num_rows if path.suffix == ".parquet" else 0)
        if checksum:
            _write_atomic(checksum_path(path), lambda t: t.write_text(f"{info.sha256}  {path.name}\n"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return info


def load(path: str | Path, table: str = "runs") -> pd.DataFrame:
    """Load a sweep's results: ``table="runs"`` (one row per run: ids, seed, lever values, status,
    error, summary metrics, seconds) or ``"weekly"`` (one row per run and week, if the sweep stored them)."""
    return SweepStore(path).load(table)
