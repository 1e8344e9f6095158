"""Claims under parameter uncertainty: the share of plausible parameter sets under which each claims-table row holds.

Every study is rerun on ``draws`` plausible parameter sets: the calibrated fields drawn from the posterior
(:class:`sim.calibration.posterior.Posterior`, by default ``experiments/calibration/posterior.parquet``), every
other prior-ranged field from its prior (:meth:`~sim.calibration.posterior.Posterior.plausible`), so the
uncertainty of the parameters the calibration left at their defaults is carried too.  Within a
draw every arm of every study runs on the same replicate seeds (common random numbers, the draw's own seed root
:func:`draw_seed`), so a draw's rows are one claims table at that parameter set: each row's own rule and the
table's Holm-Bonferroni adjustment across the draw's rows decide its verdict exactly as in
``experiments/README.md``.  Per row this module reports the share of draws in which the row holds, its Wilson
95 % interval, and whether the row is *robust across parameters*: its share is at least :data:`ROBUST_SHARE`
(declared here, before any run) over at least :data:`MIN_DRAWS` draws.

Draw values replace the schema's defaults only: a prior-ranged field that an arm sets itself (``f12``'s
``relations.blame_trust_drop=0``, ``f9``'s promise slopes, ...) keeps the arm's value, or the arm would stop being
the treatment it names.

Tasks are (draw, study) pairs, run by the sweep engine's backends (:data:`sim.sweep.backends.BACKENDS`: local
processes, Dask, SLURM through submitit) behind a progress bar.  Each finished task is one Parquet file under
``experiments/robustness/tasks/``, so an interrupted run resumes where it stopped; a task that raises is stored as
failed (its rows count as failed draws, not as draws where the claim fails) and retried on the next run.

Cost, measured on one draw of all 21 studies (83 arms, 59 distinct configs) at :data:`REPLICATES` replicates with
two local workers: 5.4 min of CPU, so about 2.7 min of wall time on 2 free cores (7.7 min on 2 cores shared with
other work at a load of 5); :data:`DRAWS` = 20 draws are therefore about 55 min on 2 free cores.  The cost is
linear in draws and in replicates.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.studies.declarations import Arm, Row, Study
from sim.studies.seeds import ROBUSTNESS

ROBUST_SHARE = 0.8
"""A row is robust across parameters when it holds in at least this share of the posterior draws."""
MIN_DRAWS = 10
"""Fewer successful draws than this give a share but no robustness verdict."""
CONFIDENCE = 0.95
"""Confidence level of the Wilson interval on each share."""
DRAWS = 20
"""Posterior draws of the default run."""
REPLICATES = 10
"""Replicates per arm within a draw (the published table has 30): a third of the runs for about 1.7 times the
smallest detectable effect, so that 20 draws fit in an hour on 2 cores (20 draws give a Wilson interval of about
± 0.17 at a share of 0.8; 30 replicates would leave 7 draws and about ± 0.25); the verdict at a draw is therefore
stricter than the published one for effects near their detection limit (the share where the rule's *form* holds,
whatever the p-value, is reported beside it)."""
SEED_ROOT = ROBUSTNESS
"""Seed root of the robustness runs (:data:`sim.studies.seeds.ROBUSTNESS`)."""
SAMPLE_SEED = 11
"""Seed of the draws from the posterior's particles."""
PRIOR_PARTICLES = 1000
"""Latin-hypercube points of the prior stand-in posterior (used only when asked for with ``--prior-draws``)."""
POSTERIOR = Path("experiments") / "calibration" / "posterior.parquet"
"""The calibrated posterior, relative to the repository root."""
FOLDER = "robustness"
"""Folder of the stored tasks, beside the studies' ``results`` folder."""
NOT_RUN = "not run"
OK, FAILED = "ok", "failed"


def repository() -> Path:
    """The repository this package lives in."""
    return Path(__file__).resolve().parents[2]


def draw_seed(draw: int) -> int:
    """The seed root of draw ``draw``: every arm of every study at that draw spawns its replicate seeds from it."""
    return int(np.random.SeedSequence([SEED_ROOT, draw]).generate_state(1)[0])


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a binomial share: ``successes`` of ``trials`` at ``confidence``; (nan, nan) for
    no trials."""
    from scipy.stats import norm

    if trials <= 0:
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + confidence / 2))
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def prior_posterior(particles: int = PRIOR_PARTICLES, seed: int = SAMPLE_SEED):
    """A stand-in posterior of equally weighted Latin-hypercube draws from the priors (no calibration in it)."""
    from sim.calibration.posterior import Posterior
    from sim.calibration.priors import all_priors, draw

    every = all_priors()
    unit = pd.DataFrame(draw(every, particles, seed), columns=list(every))
    return Posterior.from_unit(every, unit, np.ones(particles), patterns=[], info={"source": "prior draws"})


# --- one task: a study at one draw ---------------------------------------------------------------------------

def _field(cfg, dotted: str):
    section, name = dotted.split(".", 1)
    return getattr(getattr(cfg, section), name)


def arm_values(arm: Arm, values: Mapping[str, float | int]) -> dict[str, float | int]:
    """The draw's ``values`` (dotted field -> value in the field's unit) less the fields the arm sets itself
    (those whose value in the arm differs from the hundred-years'-war default)."""
    from sim.studies.execution import build_config

    cfg, reference = build_config(arm), build_config(Arm("reference"))
    return {f: v for f, v in values.items() if _field(cfg, f) == _field(reference, f)}


def study_at(study: Study, values: Mapping[str, float | int], replicates: int, seed: int) -> list[Row]:
    """The study's rows at the parameter set ``values``: :func:`sim.studies.execution.run_study` with the values set
    on every arm (:func:`arm_values`), ``replicates`` per arm on the seeds spawned from ``seed``; the rows keep
    their raw p (adjusted later, across the draw's table)."""
    from sim.calibration.priors import apply_values
    from sim.studies.execution import build_config, evaluate, study_result

    arms = study.arms
    configs = {arm.name: apply_values(build_config(arm), arm_values(arm, values)) for arm in arms}
    res = study_result(study, arms, configs, replicates, seed)
    return [evaluate(res, chk) for chk in study.checks]


@dataclass(frozen=True)
class Task:
    """One study at one posterior draw.

    Attributes:
        draw: the draw's index (0, 1, ...); study: the study's key.
        values: the draw's parameter values by dotted field, in the fields' units.
        replicates: runs per arm; seed: the draw's seed root (:func:`draw_seed`).
    """

    draw: int
    study: str
    values: dict
    replicates: int
    seed: int

    @property
    def name(self) -> str:
        return f"d{self.draw:04d}-{self.study}"


_CURRENT_DRAW: list[int] = []
"""The draw this worker process last ran: finished runs are shared between the studies of one draw only."""


def run_task(task: Task) -> pd.DataFrame:
    """One row per check of the task's study: its raw p and whether the rule's form is met, or status failed with
    the error when the study raised (the task never raises)."""
    from sim.studies.catalogue import get
    from sim.studies.execution import clear_finished_runs

    if _CURRENT_DRAW != [task.draw]:
        clear_finished_runs()
        _CURRENT_DRAW[:] = [task.draw]
    study = get(task.study)
    began, cpu = time.monotonic(), time.process_time()
    try:
        rows = study_at(study, task.values, task.replicates, task.seed)
        records = [{"claim": r.claim, "statement": r.statement, "p": r.p, "supports": r.supports,
                    "status": OK, "error": ""} for r in rows]
    except Exception as err:  # noqa: BLE001 - a failed task is stored as failed; the other tasks go on
        message = f"{type(err).__name__}: {err}"[:500]
        records = [{"claim": c.claim, "statement": c.statement, "p": math.nan, "supports": False,
                    "status": FAILED, "error": message} for c in study.checks]
    frame = pd.DataFrame(records)
    frame.insert(0, "study", task.study)
    frame.insert(0, "draw", task.draw)
    frame["seconds"] = time.monotonic() - began
    frame["cpu_seconds"] = time.process_time() - cpu
    return frame


# --- the store of finished tasks -----------------------------------------------------------------------------

class Store:
    """Finished tasks under ``root``: ``manifest.json`` (what the draws are), ``draws.parquet`` (their values) and
    ``tasks/<task>.parquet`` (one per finished task)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tasks = self.root / "tasks"

    def manifest(self) -> dict | None:
        path = self.root / "manifest.json"
        return json.loads(path.read_text()) if path.exists() else None

    def start(self, identity: dict, draws: list[dict]) -> list[dict]:
        """Record ``identity`` (source, replicates, seed root) and the draws' values, or check them against a
        run already stored here; returns the draws.  More draws than stored extend the run (the stored ones must
        be its first draws).

        Raises:
            ValueError: the stored run has another identity or other draws.
        """
        stored = self.manifest()
        path = self.root / "draws.parquet"
        if stored is not None:
            if stored["identity"] != identity:
                raise ValueError(f"{self.root} holds a robustness run with other settings ({stored['identity']}); "
                                 "remove it or choose another folder")
            old = pd.read_parquet(path).to_dict("records")
            new = pd.DataFrame(draws).to_dict("records")
            if new[:len(old)] != old[:len(new)]:
                raise ValueError(f"{self.root}: the stored draws differ from the posterior's; remove the folder")
            if len(new) <= len(old):
                return old[:len(new)]
        self.tasks.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(draws).to_parquet(path, index=False)
        (self.root / "manifest.json").write_text(json.dumps({"identity": identity, "draws": len(draws)}, indent=1))
        return draws

    def finished(self) -> set[str]:
        """Names of the tasks stored with every row ok."""
        done = set()
        for path in self.tasks.glob("*.parquet") if self.tasks.exists() else ():
            if (pd.read_parquet(path, columns=["status"])["status"] == OK).all():
                done.add(path.stem)
        return done

    def write(self, frame: pd.DataFrame) -> Path:
        """Store one task's rows (atomically: a half-written file never reads as finished)."""
        name = Task(int(frame["draw"].iloc[0]), str(frame["study"].iloc[0]), {}, 0, 0).name
        path = self.tasks / f"{name}.parquet"
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
        return path

    def load(self) -> pd.DataFrame:
        """Every stored task's rows (empty when none)."""
        parts = sorted(self.tasks.glob("*.parquet")) if self.tasks.exists() else []
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def run_robustness(posterior, studies: Sequence[Study], draws: int, replicates: int, root: Path, execution,
                   identity: Mapping | None = None, progress: bool = True) -> pd.DataFrame:
    """Run every (draw, study) task not yet stored under ``root`` and return the stored rows.

    Args:
        posterior: a :class:`~sim.calibration.posterior.Posterior`; ``draws`` plausible parameter sets are drawn
            with :data:`SAMPLE_SEED` (:meth:`~sim.calibration.posterior.Posterior.plausible`: the calibrated
            fields from the particles, every other prior-ranged field from its prior).
        studies: the studies to rerun at each draw.
        draws: posterior draws; replicates: runs per arm within a draw.
        root: the store's folder (:class:`Store`).
        execution: a :class:`sim.sweep.spec.ExecutionSpec` (backend, workers, Dask address, SLURM parameters).
        identity: what the draws come from (source, path, commit), checked on resume.
        progress: show a progress bar over the tasks.
    """
    from tqdm.auto import tqdm

    from sim.sweep.backends import BACKENDS

    store = Store(root)
    ident = {**dict(identity or {}), "replicates": replicates, "seed_root": SEED_ROOT, "sample_seed": SAMPLE_SEED}
    values = store.start(ident, posterior.plausible(draws, SAMPLE_SEED))
    done = store.finished()
    tasks = [Task(d, s.key, dict(v), replicates, draw_seed(d)) for d, v in enumerate(values) for s in studies]
    todo = [t for t in tasks if t.name not in done]
    backend = BACKENDS[execution.backend]
    with tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc="robustness", unit="task",
              disable=not progress) as bar:
        for frame in backend(run_task, todo, execution, store.root):
            store.write(frame)
            if (frame["status"] == FAILED).any():
                bar.write(f"failed: draw {frame['draw'].iloc[0]} {frame['study'].iloc[0]}: {frame['error'].iloc[0]}")
            bar.update(1)
    return store.load()


# --- shares, intervals and the verdict -----------------------------------------------------------------------

def draw_verdicts(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` (stored task rows) with ``holds`` per row and draw: the rule's form met and the p adjusted
    (Holm-Bonferroni, :mod:`sim.studies.verdicts`) across that draw's successful rows below ALPHA."""
    from sim.stats import adjust
    from sim.studies.verdicts import ALPHA, METHOD

    out = records.copy()
    out["holds"] = False
    ok = out["status"] == OK
    for _, index in out[ok].groupby("draw").groups.items():
        adjusted = adjust(out.loc[index, "p"].to_numpy(float), METHOD)
        out.loc[index, "holds"] = out.loc[index, "supports"].to_numpy(bool) & np.isfinite(adjusted) & (adjusted < ALPHA)
    return out


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """Per row (study, claim, statement): successful and failed draws, draws where it holds and where its rule's
    form is met, the share holding with its Wilson interval, and ``robust`` (share >= :data:`ROBUST_SHARE` over
    at least :data:`MIN_DRAWS` draws)."""
    columns = ["study", "claim", "statement", "draws", "failed", "holding", "formed", "share", "low", "high",
               "form_share", "robust"]
    if records.empty:
        return pd.DataFrame(columns=columns)
    judged = draw_verdicts(records)
    out = []
    for (study, claim, statement), g in judged.groupby(["study", "claim", "statement"], sort=False):
        ok = g[g["status"] == OK]
        n, k = len(ok), int(ok["holds"].sum())
        low, high = wilson(k, n)
        share = k / n if n else math.nan
        out.append({"study": study, "claim": claim, "statement": statement, "draws": n,
                    "failed": int((g["status"] == FAILED).sum()), "holding": k, "formed": int(ok["supports"].sum()),
                    "share": share, "low": low, "high": high,
                    "form_share": ok["supports"].mean() if n else math.nan,
                    "robust": bool(n >= MIN_DRAWS and share >= ROBUST_SHARE)})
    return pd.DataFrame(out, columns=columns)


def cell(summary_row: Mapping | None) -> str:
    """The claims table's "robust across parameters" cell of one row's summary (``not run`` when None)."""
    if summary_row is None or not summary_row["draws"]:
        return NOT_RUN if summary_row is None else f"every draw failed ({summary_row['failed']})"
    s = summary_row
    if s["draws"] < MIN_DRAWS:
        verdict = f"too few draws (< {MIN_DRAWS})"
    else:
        verdict = "**robust**" if s["robust"] else "**not robust**"
    failed = f", {s['failed']} failed" if s["failed"] else ""
    return (f"{verdict}: {s['share']:.2f} [{s['low']:.2f}, {s['high']:.2f}] ({s['holding']}/{s['draws']} draws"
            f"{failed}); rule's form {s['form_share']:.2f}")


def table_column(results: Path) -> tuple[str, dict[tuple[str, str, str], str]]:
    """For the claims table built from ``results``: the paragraph that states the robustness settings and the
    cells by (study, claim, statement), read from the store beside ``results`` (no cells when none ran)."""
    store = Store(Path(results).parent / FOLDER)
    manifest = store.manifest()
    head = (f"**Robust across parameters.** Declared before any run: a row is robust when it holds (its rule and "
            f"the Holm-adjusted p across that draw's table) in at least {ROBUST_SHARE * 100:.0f} % of the parameter "
            f"sets drawn from the calibrated posterior, over at least {MIN_DRAWS} draws; the cell gives the share with "
            f"its Wilson {CONFIDENCE * 100:.0f} % interval and the share where the rule's form holds whatever its p. ")
    if manifest is None:
        return head + "Not run yet (`alignsim study --all --robustness`).", {}
    ident = manifest["identity"]
    summary = summarise(store.load())
    source = ident.get("source", "posterior")
    warning = " **These are prior draws, not a calibrated posterior.**" if source != "posterior" else ""
    particles = (f", {ident['particles']} particles of effective size {ident['effective_size']:g}"
                 if "particles" in ident else "")
    head += (f"Settings: {manifest['draws']} draws from {ident.get('path', source)} ({source}, commit "
             f"{ident.get('commit', 'unknown')}{particles}), {ident['replicates']} replicates per arm within a draw "
             f"on the draw's own seeds (root {ident['seed_root']}).{warning}")
    return head, {(r["study"], r["claim"], r["statement"]): cell(r) for r in summary.to_dict("records")}


# --- command line --------------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``alignsim study --robustness``."""
    g = parser.add_argument_group("robustness (--robustness)")
    g.add_argument("--robustness", action="store_true",
                   help="rerun the chosen studies on posterior draws and add each row's share to the claims table")
    g.add_argument("--draws", type=int, default=DRAWS, help=f"posterior draws (default {DRAWS})")
    g.add_argument("--posterior", type=Path, default=None, help=f"posterior Parquet file (default {POSTERIOR})")
    g.add_argument("--prior-draws", action="store_true",
                   help="no posterior: draw from the priors instead (stated as such in the table)")
    g.add_argument("--backend", choices=("local", "dask", "submitit"), default="local", help="sweep backend")
    g.add_argument("--dask-address", default=None, help="a running Dask scheduler (default: a local cluster)")
    g.add_argument("--submitit-cluster", default=None, help="submitit: slurm, local or debug")


def command(args: argparse.Namespace, studies: list[Study]) -> int:
    """Run the robustness study from the parsed ``alignsim study`` arguments; returns the exit status.  The tasks
    go to ``robustness/`` beside the results folder (``--out``, default ``experiments/results``); the caller
    rebuilds the claims table beside it."""
    from sim.calibration.posterior import Posterior
    from sim.studies.paths import results_dir
    from sim.sweep.spec import ExecutionSpec, check_execution

    if not studies:
        print("alignsim study --robustness: name the studies or pass --all")
        return 2
    path = args.posterior or repository() / POSTERIOR
    if args.prior_draws:
        posterior, identity = prior_posterior(), {"source": "prior draws", "path": "the priors"}
        print("alignsim study --robustness: PRIOR draws (--prior-draws), not a calibrated posterior")
    elif not Path(path).exists():
        print(f"alignsim study --robustness: no posterior at {path}; run the calibration first, pass --posterior, "
              "or --prior-draws to draw from the priors instead")
        return 2
    else:
        posterior = Posterior.load(path)
        identity = {"source": "posterior", "path": str(path), "commit": posterior.info.get("commit", "unknown"),
                    "particles": len(posterior), "effective_size": round(posterior.effective_size(), 1)}
    execution = check_execution(ExecutionSpec(backend=args.backend, n_jobs=args.n_jobs,
                                              dask_address=args.dask_address,
                                              submitit_cluster=args.submitit_cluster))
    replicates = args.replicates or REPLICATES
    results = args.out or results_dir()
    root = results.parent / FOLDER
    began = time.monotonic()
    records = run_robustness(posterior, studies, args.draws, replicates, root, execution, identity)
    wall = time.monotonic() - began
    summary = summarise(records)
    summary.to_csv(root / "summary.csv", index=False, float_format="%.4g")
    for r in summary.to_dict("records"):
        print(f"{r['claim']} {r['statement']}: {cell(r)}")
    per_task = records.groupby(["draw", "study"])[["seconds", "cpu_seconds"]].first()
    print(f"{len(records)} task rows under {root}; this call {wall / 60:.1f} min of wall time; per draw "
          f"{per_task['seconds'].sum() / args.draws / 60:.1f} min of task time, "
          f"{per_task['cpu_seconds'].sum() / args.draws / 60:.1f} min of CPU")
    return 0

