"""Gather the outputs of a Hydra multirun into one table.

A Hydra multirun writes one job directory per job (``multirun/<date>/<time>/<job number>/``), in
which the main job stores its run table as ``runs.parquet`` and Hydra its overrides as
``.hydra/overrides.yaml``.  :func:`collect` stacks the run tables and tags each row with its job
directory and overrides.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RUNS_FILE = "runs.parquet"
"""Name of the run table a multirun job writes into its job directory."""


def collect(path: str | Path) -> pd.DataFrame:
    """Stack every ``runs.parquet`` found under ``path``, with ``job`` (the job directory relative to
    ``path``) and ``overrides`` (Hydra's overrides of that job, space-separated) in front.

    Raises:
        FileNotFoundError: no job directory under ``path`` holds a ``runs.parquet``.
    """
    from omegaconf import OmegaConf

    root = Path(path)
    frames = []
    for file in sorted(root.rglob(RUNS_FILE)):
        if file.parent == root:
            continue
        overrides_file = file.parent / ".hydra" / "overrides.yaml"
        overrides = " ".join(OmegaConf.load(overrides_file)) if overrides_file.exists() else ""
        frame = pd.read_parquet(file)
        frame.insert(0, "overrides", overrides)
        frame.insert(0, "job", str(file.parent.relative_to(root)))
        frames.append(frame)
    if not frames:
        raise FileNotFoundError(f"no job directory under {root} holds a {RUNS_FILE}")
    return pd.concat(frames, ignore_index=True)
