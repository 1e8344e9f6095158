"""The result store of one sweep: a directory with the manifest and a Parquet dataset per table.

Layout::

    <sweep dir>/manifest.json        the spec, the base config and the sizes (what resume checks)
    <sweep dir>/design.parquet       the design table (one row per point)
    <sweep dir>/runs/part-000042.parquet     run summaries of chunk 42 (one row per run)
    <sweep dir>/weekly/part-000042.parquet   weekly rows of chunk 42 (only if the spec asks for them)

Every chunk is written to a temporary name and renamed into place (atomic on POSIX), the weekly
part before the runs part, so a ``runs`` part on disk means its chunk is complete: resume reruns
exactly the chunks that have none.  Any Parquet reader (pandas, pyarrow, DuckDB on
``runs/*.parquet``) can read the dataset.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pandas as pd

TABLES = ("runs", "weekly")
_PART = re.compile(r"part-(\d+)\.parquet$")


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

    def write_chunk(self, chunk: int, runs: pd.DataFrame, weekly: pd.DataFrame | None = None) -> None:
        """Store one finished chunk: its weekly rows (if any), then its run rows, each zstd Parquet."""
        for table, frame in (("weekly", weekly), ("runs", runs)):
            if frame is not None:
                path = self.root / table / f"part-{chunk:06d}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(path, lambda tmp, f=frame: f.to_parquet(tmp, compression="zstd", index=False))

    def done_chunks(self) -> set[int]:
        """Chunks whose run rows are stored."""
        folder = self.root / "runs"
        return {int(m.group(1)) for p in folder.glob("part-*.parquet") if (m := _PART.search(p.name))} \
            if folder.exists() else set()

    def remove_temporaries(self) -> None:
        """Delete half-written files left by an interrupted writer."""
        for table in TABLES:
            for tmp in (self.root / table).glob(".tmp-*"):
                tmp.unlink(missing_ok=True)

    def load(self, table: str = "runs") -> pd.DataFrame:
        """One table of the sweep as a DataFrame, sorted by run (an empty frame if nothing is stored)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table not in TABLES:
            raise ValueError(f"table = {table!r} is not valid: allowed {', '.join(TABLES)}")
        parts = sorted((self.root / table).glob("part-*.parquet"))
        if not parts:
            return pd.DataFrame()
        frame = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="permissive").to_pandas()
        keys = ["run_id", "week"] if table == "weekly" else ["run_id"]
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _write_atomic(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it to ``path``."""
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(path: str | Path, table: str = "runs") -> pd.DataFrame:
    """Load a sweep's results: ``table="runs"`` (one row per run: ids, seed, lever values, status,
    error, summary metrics) or ``"weekly"`` (one row per run and week, if the sweep stored them)."""
    return SweepStore(path).load(table)
