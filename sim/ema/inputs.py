"""What scenario discovery reads: one row per experiment, its inputs (levers and uncertainties, by dotted field)
and its outcomes, from a sweep directory or an EMA experiment set.

- A **sweep directory** (``alignsim sweep``, or a batch the EMA evaluator stored): one row per design point, the
  inputs its manifest lists, each outcome averaged over the point's successful replicates.
- An **EMA experiment set**: the tarball ``ema_workbench.save_results`` writes (``.tar.gz``), or the pair
  ``(experiments, outcomes)`` that ``perform_experiments`` returns; EMA names (``policy__blame_culture``) become
  dotted fields and EMA's bookkeeping columns (scenario, policy, model) are dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.config import ConfigError
from sim.ema.names import field_name

EMA_BOOKKEEPING = ("scenario", "policy", "model")


def from_sweep(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inputs, outcomes)`` of a sweep directory, one row per design point with at least one successful run."""
    from sim.outcomes import RUN_OUTCOMES
    from sim.sweep.store import SweepStore

    store = SweepStore(path)
    fields = [lever["field"] for lever in store.manifest()["levers"]]
    runs = store.load()
    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    if ok.empty:
        raise ConfigError(f"{store.root} holds no successful run to discover scenarios in")
    names = [c for c in ok.columns if c in RUN_OUTCOMES]
    inputs = ok.groupby("point")[fields].first()
    outcomes = ok.groupby("point")[names].mean()
    return inputs.reset_index(drop=True), outcomes.reset_index(drop=True)


def from_ema(experiments: pd.DataFrame, outcomes: dict | pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inputs, outcomes)`` of an EMA experiment set (inputs renamed to dotted fields)."""
    inputs = experiments.drop(columns=[c for c in EMA_BOOKKEEPING if c in experiments])
    inputs = inputs.rename(columns=field_name).reset_index(drop=True)
    table = pd.DataFrame({k: list(v) for k, v in dict(outcomes).items()}).reset_index(drop=True)
    for column in inputs.select_dtypes("category"):
        inputs[column] = inputs[column].astype(object)
    return inputs, table


def load(source: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inputs, outcomes)`` of a sweep directory or an EMA results tarball.

    Raises:
        FileNotFoundError: ``source`` does not exist.
        ConfigError: it is neither a sweep directory (no ``manifest.json``) nor a ``.tar.gz`` EMA result set.
    """
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: give a sweep directory or an EMA results .tar.gz")
    if path.is_dir():
        if not (path / "manifest.json").exists():
            raise ConfigError(f"{path} is not a sweep directory (no manifest.json): give a sweep directory or an "
                              "EMA results .tar.gz (ema_workbench.save_results)")
        return from_sweep(path)
    if not path.name.endswith((".tar.gz", ".tgz")):
        raise ConfigError(f"{path} is not an EMA result set: expected a .tar.gz written by "
                          "ema_workbench.save_results, or a sweep directory")
    from ema_workbench import load_results

    experiments, outcomes = load_results(str(path))
    return from_ema(experiments, outcomes)
