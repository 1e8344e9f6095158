"""Gather the outputs of a Hydra multirun into one table.

A Hydra multirun writes one job directory per job (``multirun/<date>/<time>/<job number>/``), in
which the main job stores its run table as ``runs.parquet`` and Hydra its overrides as
``.hydra/overrides.yaml``.  :func:`collect` stacks the run tables and tags each row with its job
directory, its overrides as one string, and one column per overridden key with the job's value
(``policy.blame_culture``; a key that is already a column of the run table, such as ``seed``, is
named ``job.seed``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RUNS_FILE = "runs.parquet"
"""Name of the run table a multirun job writes into its job directory."""


def collect(path: str | Path) -> pd.DataFrame:
    """Stack every ``runs.parquet`` found under ``path``, with ``job`` (the job directory relative to
    ``path``), ``overrides`` (Hydra's overrides of that job, space-separated) and one column per
    overridden key (its value parsed as YAML: ``0.5`` a number, ``price_war`` a string) in front.

    Raises:
        FileNotFoundError: no job directory under ``path`` holds a ``runs.parquet``.
    """
    from omegaconf import OmegaConf

    root = Path(path)
    frames, keys = [], {}
    for file in sorted(root.rglob(RUNS_FILE), key=lambda f: _job_order(f.parent.relative_to(root))):
        if file.parent == root:
            continue
        overrides_file = file.parent / ".hydra" / "overrides.yaml"
        overrides = [str(o) for o in OmegaConf.load(overrides_file)] if overrides_file.exists() else []
        frame = pd.read_parquet(file)
        values = dict(_parse(o) for o in overrides if "=" in o)
        names = {key: f"job.{key}" if key in frame.columns else key for key in values}
        keys.update(dict.fromkeys(names.values()))
        for key in reversed(list(values)):
            frame.insert(0, names[key], [values[key]] * len(frame))
        frame.insert(0, "overrides", " ".join(overrides))
        frame.insert(0, "job", str(file.parent.relative_to(root)))
        frames.append(frame)
    if not frames:
        raise FileNotFoundError(f"no job directory under {root} holds a {RUNS_FILE}")
    table = pd.concat(frames, ignore_index=True)
    for name in keys:  # a key with numbers in some jobs and text in others is kept as text
        if table[name].dtype == object and table[name].map(type).nunique() > 1:
            table[name] = table[name].map(lambda v: v if pd.isna(v) else str(v))
    front = ["job", "overrides", *keys]
    return table[front + [c for c in table.columns if c not in front]]


def _parse(override: str) -> tuple[str, object]:
    """``policy.blame_culture=0.5`` -> (``policy.blame_culture``, 0.5); a leading + or ~ is dropped."""
    import yaml

    key, _, text = override.lstrip("+~").partition("=")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    return key, value if isinstance(value, (int, float, str, bool)) or value is None else text


def _job_order(job: Path) -> tuple:
    """Sort job directories numerically where they are numbers (2 before 10)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in job.parts)
