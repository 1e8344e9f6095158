"""The result store of one sweep: a directory with the manifest and a Parquet dataset per table.

Layout::

    <sweep dir>/manifest.json        the spec, the base config and the sizes (what resume checks)
    <sweep dir>/design.parquet       the design table (one row per point)
    <sweep dir>/runs/part-000042.parquet     run summaries of chunk 42 (one row per run)
    <sweep dir>/weekly/part-000042.parquet   weekly rows of chunk 42 (only if the spec asks for them)

Every chunk is written to a temporary name and renamed into place (atomic on POSIX), the weekly
part before the runs part.  The worker that writes a part reports its SHA-256 and row count, and the
manifest records them (``parts``); a part counts as done only when it is readable, holds exactly the run
ids of its chunk and matches the manifest's checksum, so resume reruns truncated, emptied or swapped parts
and :func:`load` refuses them with a message naming each one.  One process at a time may write a sweep:
``<sweep dir>/.lock`` is held (``fcntl.flock``) while a sweep runs, and a second sweep into the same
directory is refused.  Any Parquet reader (pandas, pyarrow, DuckDB on ``runs/*.parquet``) can read the
dataset.
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
_PART = re.compile(r"part-(\d+)\.parquet$")
LOCK_NAME = ".lock"
"""Name of the lock file in a sweep directory (holds the pid and host of the sweep writing it)."""


class SweepInUse(FileExistsError):
    """Another process is writing this sweep directory."""


class DamagedSweep(ValueError):
    """Parts of a sweep are unreadable, hold the wrong runs, or differ from the manifest's checksums."""


@dataclass(frozen=True)
class PartInfo:
    """What the manifest records of one stored part: its SHA-256 (hex) and its number of rows."""

    sha256: str
    rows: int


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SweepStore:
    """Read and write the files of one sweep directory.

    Args:
        root: the sweep directory (created on first write).
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def exists(self) -> bool:
        """Whether a sweep was started here (a manifest is present)."""
        return self.manifest_path.exists()

    def write_manifest(self, manifest: dict, design: pd.DataFrame) -> None:
        """Store the manifest (JSON) and the design table (Parquet), each atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.root / "design.parquet", lambda tmp: design.to_parquet(tmp, compression="zstd"))
        _write_atomic(self.manifest_path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, default=str)))

    def manifest(self) -> dict:
        """The stored manifest; FileNotFoundError names the directory if there is none."""
        if not self.exists():
            raise FileNotFoundError(f"{self.root} holds no sweep (no manifest.json)")
        return json.loads(self.manifest_path.read_text())

    def design(self) -> pd.DataFrame:
        """The stored design table, indexed by point."""
        return pd.read_parquet(self.root / "design.parquet")

    def part_path(self, table: str, chunk: int) -> Path:
        """Where chunk ``chunk`` of ``table`` is stored."""
        return self.root / table / f"part-{chunk:06d}.parquet"

    def write_chunk(self, chunk: int, runs: pd.DataFrame, weekly: pd.DataFrame | None = None) -> dict[str, PartInfo]:
        """Store one finished chunk: its weekly rows (if any), then its run rows, each zstd Parquet.

        Returns:
            Per table written, the part's checksum and row count (for the manifest).
        """
        infos = {}
        for table, frame in (("weekly", weekly), ("runs", runs)):
            if frame is not None:
                path = self.part_path(table, chunk)
                path.parent.mkdir(parents=True, exist_ok=True)
                infos[table] = _write_atomic(path, lambda tmp, f=frame: f.to_parquet(tmp, compression="zstd",
                                                                                       index=False))
        return infos

    def record_parts(self, chunk: int, infos: dict[str, PartInfo]) -> None:
        """Add one chunk's part checksums and row counts to the manifest (rewritten atomically)."""
        manifest = self.manifest()
        parts = manifest.setdefault("parts", {})
        parts[str(chunk)] = {table: {"sha256": info.sha256, "rows": info.rows} for table, info in infos.items()}
        _write_atomic(self.manifest_path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, default=str)))

    def stored_chunks(self) -> set[int]:
        """Chunks with a runs part on disk, sound or not."""
        folder = self.root / "runs"
        return {int(m.group(1)) for p in folder.glob("part-*.parquet") if (m := _PART.search(p.name))} \
            if folder.exists() else set()

    def part_problem(self, table: str, chunk: int, run_ids: list[int]) -> str | None:
        """Why the stored part of ``chunk`` cannot be trusted, or None if it is sound.

        Args:
            table: runs or weekly.
            chunk: the chunk number.
            run_ids: the run ids the chunk must hold (from the plan).
        """
        import pyarrow.parquet as pq

        path = self.part_path(table, chunk)
        if not path.exists():
            return "missing"
        recorded = self.manifest().get("parts", {}).get(str(chunk), {}).get(table)
        if recorded is not None and recorded["sha256"] != file_sha256(path):
            return "its checksum differs from the one in manifest.json (changed or replaced after it was written)"
        try:
            ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
        except Exception as err:  # noqa: BLE001 - any reader error means the part is unusable
            return f"unreadable ({type(err).__name__}: {str(err).splitlines()[0][:80]})"
        wrong = set(ids) - set(run_ids) if table == "weekly" else set(ids) ^ set(run_ids)
        if wrong or len(ids) == 0 and table == "runs":
            return (f"holds run ids {min(ids, default='-')}..{max(ids, default='-')} instead of "
                    f"{min(run_ids)}..{max(run_ids)}")
        return None

    def damaged_parts(self, chunks: dict[int, list[int]], tables: tuple[str, ...] = ("runs",)) -> dict[str, str]:
        """Stored parts that are not sound, as {relative path: reason}.

        Args:
            chunks: the chunks to check, each with the run ids it must hold.
            tables: which tables to check.
        """
        damaged = {}
        for chunk, run_ids in chunks.items():
            for table in tables:
                problem = self.part_problem(table, chunk, run_ids)
                if problem is not None and problem != "missing":
                    damaged[f"{table}/{self.part_path(table, chunk).name}"] = problem
        return damaged

    @contextlib.contextmanager
    def lock(self):
        """Hold this sweep directory for one writer; create it if needed.

        A directory this call created is removed again if the sweep leaves nothing in it but the lock
        (an invalid spec or an interrupted start writes nothing).

        Raises:
            SweepInUse: another process holds the lock (its pid and host in the message).
        """
        import fcntl
        import socket

        created = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_NAME
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SweepInUse(f"{self.root} is in use by another sweep ({holder}): wait for it to finish, or "
                             "choose another --out") from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
            handle.flush()
            yield self
        finally:
            handle.close()
            if created and {p.name for p in self.root.iterdir()} <= {LOCK_NAME}:
                shutil.rmtree(self.root, ignore_errors=True)

    def remove_temporaries(self) -> None:
        """Delete half-written files left by an interrupted writer."""
        for table in TABLES:
            for tmp in (self.root / table).glob(".tmp-*"):
                tmp.unlink(missing_ok=True)

    def chunk_runs(self) -> dict[int, list[int]]:
        """The run ids each chunk of the stored sweep must hold (from the manifest's run count and chunk size)."""
        manifest = self.manifest()
        size, runs = manifest["spec"]["chunk_size"], manifest["runs"]
        return {k: list(range(k * size, min((k + 1) * size, runs))) for k in range(manifest["chunks"])}

    def load(self, table: str = "runs") -> pd.DataFrame:
        """One table of the sweep as a DataFrame, sorted by run (an empty frame if nothing is stored).

        Raises:
            DamagedSweep: a stored part is unreadable, holds other runs than its chunk's, or differs from the
                checksum in the manifest; the message names each part and how to re-run it.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table not in TABLES:
            raise ValueError(f"table = {table!r} is not valid: allowed {', '.join(TABLES)}")
        parts = sorted((self.root / table).glob("part-*.parquet"))
        if not parts:
            return pd.DataFrame()
        if self.exists():
            expected = self.chunk_runs()
            stored = {int(m.group(1)) for p in parts if (m := _PART.search(p.name))}
            damaged = self.damaged_parts({k: expected.get(k, []) for k in stored}, (table,))
            if damaged:
                listing = "; ".join(f"{path}: {why}" for path, why in damaged.items())
                raise DamagedSweep(f"{self.root}: {len(damaged)} damaged part(s): {listing}. Re-run them with "
                                   f"`alignsim sweep --resume --out {self.root}`")
        frame = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="permissive").to_pandas()
        keys = ["run_id", "week"] if table == "weekly" else ["run_id"]
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _write_atomic(path: Path, write) -> PartInfo:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it to ``path``.

    Returns:
        The written file's checksum and, for a Parquet file, its number of rows (0 otherwise).
    """
    import pyarrow.parquet as pq

    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        write(tmp)
        info = PartInfo(file_sha256(tmp), pq.read_metadata(tmp).num_rows if path.suffix == ".parquet" else 0)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return info


def load(path: str | Path, table: str = "runs") -> pd.DataFrame:
    """Load a sweep's results: ``table="runs"`` (one row per run: ids, seed, lever values, status,
    error, summary metrics) or ``"weekly"`` (one row per run and week, if the sweep stored them)."""
    return SweepStore(path).load(table)
