"""Running a study: every arm on the same spawned seeds (common random numbers), the derived outcomes added,
every check evaluated, and the verdicts adjusted for the study's multiple comparisons.

Finished runs are shared between studies in one process: many studies run the same arm (the
``hundred_years_war`` baseline above all) on the same seeds and horizon.  :func:`finished_runs` keeps each
arm's batch of replicates under the arm's whole config (every field a run reads), the number of replicates and
the root seed, so a study run after another gets exactly the tables it would have computed itself: the batch
is the same call of :func:`sim.runner.run_replicates` either way, only the arm's name is written into it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass
from functools import cache

import pandas as pd

import sim
from sim.config import Config
from sim.runner import check_batch, run_replicates
from sim.studies.declarations import REPLICATES, Arm, Check, Row, Study, StudyResult
from sim.studies.derived import add_derived
from sim.studies.kinds import knockout_overrides, measure
from sim.studies.rules import directional
from sim.studies.seeds import FAST_TESTS, PUBLISHED_TABLE
from sim.studies.verdicts import adjudicate

__all__ = ["RUN_IGNORES", "StudyResult", "build_config", "clear_finished_runs", "evaluate", "finished_runs",
           "run_key", "run_study", "study_result"]

RUN_IGNORES = ("name", "description", "replicates", "compare_with", "n_jobs", "seed")
"""Top-level config fields no run reads: the scenario's label and text, and the main job's settings (a run takes
its replicate seed explicitly, spawned from the study's root).  Every other field is part of :func:`run_key`."""


def run_key(cfg: Config) -> str:
    """Every field of ``cfg`` a run reads, as canonical JSON (floats in full precision): equal keys, equal runs."""
    fields = dataclasses.asdict(cfg)
    for name in RUN_IGNORES:
        fields.pop(name)
    return json.dumps(fields, sort_keys=True, default=repr)


@dataclass(frozen=True)
class _Batch:
    runs: pd.DataFrame
    weekly: pd.DataFrame
    events: pd.DataFrame

    def named(self, arm: str) -> _Batch:
        """The batch with ``arm`` as its scenario column (the column :class:`StudyResult` selects arms by)."""
        return _Batch(*(frame.assign(scenario=arm) for frame in (self.runs, self.weekly, self.events)))


_FINISHED: dict[tuple[str, int, int], _Batch] = {}
"""Finished batches of this process, by (:func:`run_key`, replicates, root seed)."""


def clear_finished_runs() -> int:
    """Forget the finished runs this process shares between studies; returns how many batches were dropped."""
    dropped = len(_FINISHED)
    _FINISHED.clear()
    return dropped


def finished_runs(cfg: Config, replicates: int, seed: int, n_jobs: int = 1, share: bool = True) -> _Batch:
    """The ``replicates`` runs of ``cfg`` on the seeds spawned from ``seed``, tagged with ``cfg.name``: run now
    (one :func:`sim.runner.run_replicates` call for this arm alone), or taken from an earlier study of this process
    that ran the same config, replicates and root seed.  ``share=False`` neither reads nor fills the store."""
    key = (run_key(cfg), replicates, seed)
    batch = _FINISHED.get(key) if share else None
    if batch is None:
        cmp = run_replicates([cfg], replicates, seed=seed, n_jobs=n_jobs)
        batch = _Batch(cmp.runs, cmp.weekly, cmp.events)
        if share:
            _FINISHED[key] = batch
    return batch.named(cfg.name)


@cache
def _composed(scenario: str, overrides: tuple[str, ...]) -> Config:
    return sim.load_config(scenario, list(overrides))


def build_config(arm: Arm, extra: tuple[str, ...] = ()) -> Config:
    """The arm's config: its scenario with its overrides and ``extra``, named after the arm (a copy: Hydra
    composes each scenario and list of overrides once per process)."""
    cfg = copy.deepcopy(_composed(arm.scenario, (*arm.overrides, *extra)))
    cfg.name = arm.name
    return cfg


def run_study(study: Study, fast: bool = False, replicates: int | None = None, n_jobs: int = 1,
              seed: int | None = None, share: bool = True, kinds: bool | None = None) -> StudyResult:
    """Run every arm on common random numbers and evaluate every check whose arms ran.

    Args:
        study: the declaration.
        fast: the fast variant (``study.fast_overrides``, ``fast_replicates``, ``fast_arms``).
        replicates: overrides the replicates per arm.
        n_jobs: worker processes (results do not depend on it).
        seed: root seed; default :data:`seeds.FAST_TESTS` for the fast variant, :data:`seeds.PUBLISHED_TABLE`
            for the full study.
        share: take arms another study of this process already ran from :func:`finished_runs` (the tables are
            the same bit for bit); False runs every arm afresh.
        kinds: measure each row's kind (:mod:`sim.studies.kinds`: every arm again with the feedback loops knocked
            out, and the null model); default for the full study, not for the fast variant (whose rows keep the
            kind their author expected).
    """
    seed = (FAST_TESTS if fast else PUBLISHED_TABLE) if seed is None else seed
    n = replicates or (study.fast_replicates if fast else REPLICATES)
    arms = study.arms_run(fast)
    configs = {arm.name: build_config(arm, study.fast_overrides if fast else ()) for arm in arms}
    res = study_result(study, arms, configs, n, seed, n_jobs, share, fast)
    ran = set(configs)
    res.rows = [evaluate(res, chk) for chk in study.checks if set(chk.arms) <= ran]
    if kinds if kinds is not None else not fast:
        extra = study.fast_overrides if fast else ()
        knocked = {}
        for named in dict.fromkeys(chk.named_loops for chk in study.checks):
            ko = {arm.name: build_config(arm, (*extra, *knockout_overrides(named))) for arm in arms}
            knocked[named] = study_result(study, arms, ko, n, seed, n_jobs, share, fast)
        measure(res, knocked)
    adjudicate(res.rows)
    return res


def study_result(study: Study, arms: list[Arm], configs: dict[str, Config], replicates: int, seed: int,
                 n_jobs: int = 1, share: bool = True, fast: bool = False) -> StudyResult:
    """Every arm's ``replicates`` runs of ``configs`` (by arm name) on the seeds spawned from ``seed``, with the
    derived outcomes added and the study's ``prepare`` applied: the :class:`StudyResult` its checks are evaluated
    on (no rows yet)."""
    check_batch(list(configs.values()), replicates, seed, n_jobs)
    batches = [finished_runs(cfg, replicates, seed, n_jobs, share) for cfg in configs.values()]
    runs, weekly, events = (pd.concat([getattr(b, part) for b in batches], ignore_index=True)
                            for part in ("runs", "weekly", "events"))
    runs = add_derived(runs, weekly, events, {name: cfg.sales.quota_period_weeks for name, cfg in configs.items()})
    runs["lever_value"] = runs["scenario"].map({a.name: a.lever_value for a in arms}).astype(float)
    res = StudyResult(study, runs, weekly, events, arms, configs, fast, seed)
    if study.prepare is not None:
        study.prepare(res)
    return res


def evaluate(res: StudyResult, chk: Check) -> Row:
    """The check's row: its rule (the directional paired test by default), the study's key and explanation."""
    row = (chk.rule or directional)(res, chk)
    row.study = res.study.key
    if chk.explain is not None:
        row.explanation = chk.explain(res)
    return row
