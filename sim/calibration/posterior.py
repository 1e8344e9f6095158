"""A calibrated posterior: weighted particles over parameters, stored as Parquet with what produced them.

A :class:`Posterior` holds one row per particle, in two spellings: each parameter's position in its prior (the
unit cube the inference ran on) and its value in the field's own units, with the particle's normalised weight
and, where the calibration kept them, the patterns' statistics the particle produced.  :meth:`Posterior.save`
writes one Parquet file whose schema metadata carries the priors, the patterns (with their bands and sources),
the code's commit and the run's facts (method, simulations, wall time, thresholds), so a posterior read back
later says exactly what it was fitted to.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.patterns import Pattern
from sim.calibration.priors import Prior

WEIGHT = "weight"
"""Column of the particles' normalised weights."""
UNIT_PREFIX = "u:"
"""Prefix of the columns holding a parameter's position in its prior."""
STAT_PREFIX = "stat:"
"""Prefix of the columns holding the statistics a particle produced."""
META_KEY = b"alignsim.posterior"


def code_commit() -> str:
    """The git commit of the code (with ``+dirty`` when the tree has changes), or "unknown" outside a checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass
class Posterior:
    """Weighted particles over ``priors``' fields, fitted to ``patterns``.

    ``values`` (field units) and ``unit`` (prior positions) have one column per field and one row per particle;
    ``weights`` sum to 1; ``statistics`` holds the patterns' statistics per particle (may be empty); ``info``
    the run's facts (method, simulations, wall time, commit, ...)."""

    priors: dict[str, Prior]
    unit: pd.DataFrame
    weights: np.ndarray
    patterns: list[Pattern]
    info: dict = field(default_factory=dict)
    statistics: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_unit(cls, priors: Mapping[str, Prior], unit: pd.DataFrame, weights: np.ndarray,
                  patterns: Sequence[Pattern], info: Mapping | None = None,
                  statistics: pd.DataFrame | None = None) -> Posterior:
        weights = np.asarray(weights, dtype=float)
        info = {"commit": code_commit(), **dict(info or {})}
        stats = statistics if statistics is not None and len(statistics) == len(unit) else pd.DataFrame()
        return cls(dict(priors), unit.reset_index(drop=True)[list(priors)], weights / weights.sum(), list(patterns),
                   info, stats.reset_index(drop=True))

    @property
    def fields(self) -> list[str]:
        return list(self.priors)

    @property
    def values(self) -> pd.DataFrame:
        """Each particle's parameter values in the fields' own units (whole numbers for integer fields)."""
        return pd.DataFrame({f: p.value(self.unit[f].to_numpy()) for f, p in self.priors.items()})

    def __len__(self) -> int:
        return len(self.unit)

    def effective_size(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(1 / np.sum(self.weights ** 2))

    def sample(self, n: int, seed: int) -> list[dict[str, float | int]]:
        """``n`` parameter sets drawn from the particles by their weights (with replacement), as config values."""
        rng = np.random.default_rng(seed)
        rows = rng.choice(len(self), size=n, replace=True, p=self.weights)
        values = self.values
        return [{f: self.priors[f].as_field_value(values.at[i, f]) for f in self.fields} for i in rows]

    def plausible(self, n: int, seed: int) -> list[dict[str, float | int]]:
        """``n`` plausible parameter sets over *every* calibration candidate: the calibrated fields drawn from the
        particles by weight (:meth:`sample`), every other prior-ranged field drawn from its prior (a Latin
        hypercube over them), so the uncertainty of the parameters the calibration left at their defaults is
        carried too instead of hidden.  The firm's structure and the policy levers are not drawn."""
        from sim.calibration.priors import all_priors, draw, values_at

        rest = {f: p for f, p in all_priors().items() if f not in self.priors}
        calibrated = self.sample(n, seed)
        if not rest:
            return calibrated
        others = draw(rest, n, seed + 1)
        return [{**values_at(rest, row), **cal} for row, cal in zip(others, calibrated)]

    def quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Weighted quantiles of each parameter in its own units: one row per field, one column per quantile."""
        values = self.values
        order_rows = {}
        for f in self.fields:
            x = values[f].to_numpy()
            order = np.argsort(x)
            cum = np.cumsum(self.weights[order])
            cum = (cum - self.weights[order] / 2)  # midpoint rule: the quantile of a single particle is itself
            order_rows[f] = [float(np.interp(qq, cum, x[order])) for qq in q]
        return pd.DataFrame.from_dict(order_rows, orient="index", columns=[f"q{int(round(qq * 100))}" for qq in q])

    def point(self) -> dict[str, float | int]:
        """One parameter set: the weighted median of each parameter (a summary, not a particle)."""
        med = self.quantiles((0.5,))["q50"]
        return {f: self.priors[f].as_field_value(med[f]) for f in self.fields}

    # --- storage -------------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        frame = self.values.copy()
        for f in self.fields:
            frame[UNIT_PREFIX + f] = self.unit[f].to_numpy()
        frame[WEIGHT] = self.weights
        for name in self.statistics.columns:
            frame[STAT_PREFIX + name] = self.statistics[name].to_numpy()
        return frame

    def save(self, path: str | Path) -> Path:
        """Write the particles, weights and statistics to ``path`` (Parquet) with the priors, patterns and run
        facts in the file's metadata; returns the path."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(self.to_frame(), preserve_index=False)
        meta = {"priors": {f: asdict(p) for f, p in self.priors.items()},
                "patterns": [asdict(p) for p in self.patterns], "info": self.info}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               META_KEY: json.dumps(meta, default=float).encode()})
        tmp = path.with_suffix(path.suffix + ".tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read a posterior written by :meth:`save`."""
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(META_KEY)
        if raw is None:
            raise ValueError(f"{path} is not an alignsim posterior (no {META_KEY.decode()} metadata)")
        meta = json.loads(raw)
        frame = table.to_pandas()
        priors = {f: Prior(**p) for f, p in meta["priors"].items()}
        unit = pd.DataFrame({f: frame[UNIT_PREFIX + f].to_numpy() for f in priors})
        stats = pd.DataFrame({c[len(STAT_PREFIX):]: frame[c].to_numpy() for c in frame.columns
                              if c.startswith(STAT_PREFIX)})
        return cls(priors, unit, frame[WEIGHT].to_numpy(dtype=float), [Pattern(**p) for p in meta["patterns"]],
                   meta["info"], stats)
