"""Running a study: every arm on the same spawned seeds (common random numbers), the derived outcomes added,
every check evaluated, and the verdicts adjusted for the study's multiple comparisons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import sim
from sim.config import Config
from sim.stats import Paired, mean_ci, paired
from sim.studies import seeds
from sim.studies.declarations import REPLICATES, Arm, Check, Row, Study
from sim.studies.derived import add_derived
from sim.studies.rules import directional
from sim.studies.verdicts import adjudicate


@dataclass
class StudyResult:
    """The runs of a study and the rows its checks produced.

    Attributes:
        runs: one row per run (scenario = arm name, replicate, seed, summary and derived outcomes, lever_value).
        weekly, events: the stacked weekly tables and event logs.
        arms, configs: the arms run and the config each ran.
        fast: whether this is the fast variant; seed: the root the replicate seeds were spawned from.
        rows: one per check whose arms ran, with the verdict adjusted within the study.
    """

    study: Study
    runs: pd.DataFrame
    weekly: pd.DataFrame
    events: pd.DataFrame
    arms: tuple[Arm, ...]
    configs: dict[str, Config]
    fast: bool
    seed: int
    rows: list[Row] = field(default_factory=list)

    def values(self, arm: str, metric: str) -> np.ndarray:
        """Per-replicate values of ``metric`` in ``arm``, ordered by replicate (the pairing)."""
        r = self.runs[self.runs["scenario"] == arm].sort_values("replicate")
        return r[metric].to_numpy(float)

    def compare(self, baseline: str, treatment: str, metric: str) -> Paired:
        """Paired comparison of two arms on ``metric`` (:func:`sim.stats.paired`)."""
        return paired(self.values(baseline, metric), self.values(treatment, metric))

    def curve(self, metric: str) -> pd.DataFrame:
        """Mean and 95 % CI of ``metric`` at each point of the sweep (arms with a ``lever_value``), by lever."""
        rows = []
        for arm in self.arms:
            if arm.lever_value is not None:
                ci = mean_ci(self.values(arm.name, metric))
                rows.append({"arm": arm.name, "lever": arm.lever_value, "mean": ci.mean, "low": ci.low,
                             "high": ci.high})
        return pd.DataFrame(rows).sort_values("lever", ignore_index=True)

    @property
    def replicates(self) -> int:
        """Replicates per arm (the smallest count over arms)."""
        return int(self.runs.groupby("scenario")["replicate"].nunique().min())


def build_config(arm: Arm, extra: tuple[str, ...] = ()) -> Config:
    """The arm's config: its scenario with its overrides and ``extra``, named after the arm."""
    cfg = sim.load_config(arm.scenario, [*arm.overrides, *extra])
    cfg.name = arm.name
    return cfg


def run_study(study: Study, fast: bool = False, replicates: int | None = None, n_jobs: int = 1,
              seed: int | None = None) -> StudyResult:
    """Run every arm on common random numbers and evaluate every check whose arms ran.

    Args:
        study: the declaration.
        fast: the fast variant (``study.fast_overrides``, ``fast_replicates``, ``fast_arms``).
        replicates: overrides the replicates per arm.
        n_jobs: worker processes (results do not depend on it).
        seed: root seed; default :data:`seeds.FAST_TESTS` for the fast variant, :data:`seeds.PUBLISHED_TABLE`
            for the full study.
    """
    seed = (seeds.FAST_TESTS if fast else seeds.PUBLISHED_TABLE) if seed is None else seed
    n = replicates or (study.fast_replicates if fast else REPLICATES)
    arms = study.arms_run(fast)
    configs = {arm.name: build_config(arm, study.fast_overrides if fast else ()) for arm in arms}
    cmp = sim.run_replicates(list(configs.values()), n, seed=seed, n_jobs=n_jobs)
    runs = add_derived(cmp.runs, cmp.weekly, cmp.events,
                       {name: cfg.sales.quota_period_weeks for name, cfg in configs.items()})
    runs["lever_value"] = runs["scenario"].map({a.name: a.lever_value for a in arms}).astype(float)
    res = StudyResult(study, runs, cmp.weekly, cmp.events, arms, configs, fast, seed)
    if study.prepare is not None:
        study.prepare(res)
    ran = set(configs)
    res.rows = [evaluate(res, chk) for chk in study.checks if set(chk.arms) <= ran]
    adjudicate(res.rows)
    return res


def evaluate(res: StudyResult, chk: Check) -> Row:
    """The check's row: its rule (the directional paired test by default), the study's key and explanation."""
    row = (chk.rule or directional)(res, chk)
    row.study = res.study.key
    if chk.explain is not None:
        row.explanation = chk.explain(res)
    return row
