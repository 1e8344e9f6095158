"""Global sensitivity over every prior-ranged parameter: Morris screening, then Sobol indices on the top ten.

Stage 1 (no new runs) reads the calibration's Morris screen (:class:`sim.calibration.screening.Screen`, stored at
``experiments/calibration/screening.parquet``): mu* with its bootstrap 95 % CI per parameter on each of
:data:`OUTPUTS`, beside the screen's noise floor (what one run's seed-to-seed noise reads as an elementary effect).
Parameters are ranked by their largest mu* relative to the largest mu* on the same outcome, so revenue (EUR) and
retention (a share) rank on one scale.

Stage 2 runs a Sobol design (SALib's Saltelli-type sampler, first and total order) over the :data:`TOP` parameters
of that ranking, each over its prior (log-uniform where the schema says so), every other field at its default, in
the default market (``hundred_years_war``, 20,000 accounts, 156 weeks).  Each design point runs
:data:`REPLICATES` times on the same replicate seeds as every other point (common random numbers), and the
indices are computed on the replicate means with 1,000 bootstrap resamples (:func:`sim.sweep.analysis.sobol_indices`).
The points go through the sweep engine's backends in chunks.

Run with ``python -m sim.studies.global_sensitivity [--samples N] [--replicates R] [--n-jobs N]``; it writes
``experiments/sensitivity/`` (the ranking, the runs and the indices) and the ``global_sensitivity`` section of
``docs/sensitivity.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SCREEN = Path("experiments") / "calibration" / "screening.parquet"
"""The calibration's Morris screen, relative to the repository root."""
OUT = Path("experiments") / "sensitivity"
"""Where the stage tables go, relative to the repository root."""
OUTPUTS = ("revenue_total", "nrr_annual")
"""Outcomes ranked and decomposed: 3-year revenue (EUR) and annual net revenue retention (share)."""
TOP = 10
"""Parameters carried from the Morris ranking into the Sobol stage."""
SAMPLES = 256
"""Sobol base sample N (a power of 2): N x (TOP + 2) = 3,072 design points, about 13 min on 2 cores at 0.5 s a run."""
REPLICATES = 1
"""Runs per design point, averaged (common random numbers across points).  One: in the screen's noise runs the
seed-to-seed variance of revenue and of net revenue retention is 0.2 % of their variance over the design, so a
second replicate would take at most about 0.1 % off each ST, while spending those runs on a twice larger N narrows
every bootstrap interval by about 30 %."""
SEED = 4
"""Seed root of the Sobol stage's replicate seeds (and of its design's scrambling)."""
CHUNK = 32
"""Design points per backend task."""
SCENARIO = "hundred_years_war"
UNITS = {"revenue_total": "EUR million", "nrr_annual": "share per year"}
"""Units of the outcomes as the tables print them."""
MARKER = "global_sensitivity"
"""Name of the generated section of ``docs/sensitivity.md``."""


def repository() -> Path:
    """The repository this package lives in."""
    return Path(__file__).resolve().parents[2]


# --- stage 1: Morris from the stored screen ------------------------------------------------------------------

def morris_ranking(screen, outputs: Sequence[str] = OUTPUTS) -> pd.DataFrame:
    """One row per parameter: mu* and its CI half-width on each outcome (SALib divides each elementary effect by
    the step, so mu* is in the outcome's unit per whole prior range on the unit scale), the noise floor of each
    outcome on the same scale, and ``score``: the largest over outcomes of mu* divided by that outcome's largest
    mu*; sorted by score, highest first, with ``rank`` from 1."""
    from sim.calibration.screening import STEP

    ind = screen.indices(screen.outcomes[list(outputs)])
    floor = screen.noise_floor(screen.noise_outcomes[list(outputs)]) / STEP if len(screen.noise_outcomes) else None
    wide = ind.pivot(index="field", columns="output", values=["mu_star", "mu_star_conf"])
    out = pd.DataFrame(index=wide.index)
    relative = []
    for o in outputs:
        out[f"mu_star:{o}"] = wide[("mu_star", o)]
        out[f"conf:{o}"] = wide[("mu_star_conf", o)]
        out[f"noise:{o}"] = float(floor[o]) if floor is not None else math.nan
        relative.append(wide[("mu_star", o)] / wide[("mu_star", o)].max())
    out["score"] = pd.concat(relative, axis=1).max(axis=1)
    out = out.sort_values("score", ascending=False).reset_index()
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def top_fields(ranking: pd.DataFrame, count: int = TOP) -> list[str]:
    """The ``count`` highest-ranked parameters of :func:`morris_ranking`."""
    return ranking.sort_values("score", ascending=False)["field"].head(count).tolist()


# --- stage 2: Sobol on the top parameters --------------------------------------------------------------------

def design(fields: Sequence[str], samples: int = SAMPLES, seed: int = SEED) -> np.ndarray:
    """The Sobol design on the unit cube of ``fields``: ``samples`` x (len(fields) + 2) points, first and total
    order only."""
    from SALib.sample import sobol

    return sobol.sample(_problem(fields), samples, calc_second_order=False, seed=seed)


def _problem(fields: Sequence[str]) -> dict:
    return {"num_vars": len(fields), "names": list(fields), "bounds": [[0.0, 1.0]] * len(fields)}


def run_chunk(task: tuple[list[int], list[dict], list[int], tuple[str, ...]]) -> pd.DataFrame:
    """Run the points of one chunk: (point indices, their parameter values, the replicate seeds, the outcomes);
    one row per point and replicate with the outcomes, or NaN and the error when the run fails."""
    import sim
    from sim.calibration.priors import apply_values

    points, values, seeds, outputs = task
    base = sim.load_config(SCENARIO, [])
    rows = []
    for point, vals in zip(points, values):
        for replicate, seed in enumerate(seeds):
            row = {"point": point, "replicate": replicate, "error": ""}
            try:
                summary = sim.run(apply_values(base, vals), seed=seed, progress=False).summary
                row.update({o: float(summary[o]) for o in outputs})
            except Exception as err:  # noqa: BLE001 - a failed run is a NaN point, reported in the settings
                row.update({o: math.nan for o in outputs} | {"error": f"{type(err).__name__}: {err}"[:300]})
            rows.append(row)
    return pd.DataFrame(rows)


def run_sobol(fields: Sequence[str], samples: int, replicates: int, execution, outputs: Sequence[str] = OUTPUTS,
              folder: Path | None = None, progress: bool = True) -> tuple[np.ndarray, pd.DataFrame, int]:
    """Simulate the Sobol design over ``fields`` through the sweep backend of ``execution``; returns the design
    (unit cube), the runs (one row per point and replicate) and how many points were read back from the store.

    Each finished chunk is stored in ``folder`` (default ``experiments/sensitivity/chunks``) under a name that
    carries the design (fields, N, replicates, seed root), so a stopped run resumes with the chunks it lacks."""
    import hashlib

    from tqdm.auto import tqdm

    from sim.calibration.priors import priors, values_at
    from sim.runner import replicate_seeds
    from sim.sweep.backends import BACKENDS

    folder = Path(folder or repository() / OUT / "chunks")
    folder.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(json.dumps([list(fields), samples, replicates, SEED, list(outputs)]).encode()).hexdigest()
    prior_set = priors(fields)
    unit = design(fields, samples)
    seeds = replicate_seeds(SEED, replicates)
    tasks, parts = [], []
    for start in range(0, len(unit), CHUNK):
        stored = folder / f"{tag[:12]}-{start:06d}.parquet"
        if stored.exists():
            parts.append(pd.read_parquet(stored))
            continue
        idx = list(range(start, min(start + CHUNK, len(unit))))
        tasks.append((idx, [values_at(prior_set, unit[i]) for i in idx], seeds, tuple(outputs)))
    reused = sum(p["point"].nunique() for p in parts)
    with tqdm(total=len(unit), initial=reused, desc="Sobol", unit="point", disable=not progress) as bar:
        for frame in BACKENDS[execution.backend](run_chunk, tasks, execution, folder):
            frame.to_parquet(folder / f"{tag[:12]}-{int(frame['point'].min()):06d}.parquet", index=False)
            parts.append(frame)
            bar.update(frame["point"].nunique())
    return unit, pd.concat(parts, ignore_index=True).sort_values(["point", "replicate"], ignore_index=True), reused


def sobol_table(fields: Sequence[str], runs: pd.DataFrame, points: int, outputs: Sequence[str] = OUTPUTS):
    """S1 and ST with their 95 % CI half-widths per outcome and parameter, on the replicate means per point."""
    from sim.sweep.analysis import sobol_indices

    means = runs.groupby("point")[list(outputs)].mean().reindex(range(points))
    return sobol_indices(_problem(fields), means, second_order=False)


# --- the document --------------------------------------------------------------------------------------------

def _fmt(x: float, output: str) -> str:
    return f"{x / 1e6:.2f}" if output == "revenue_total" else f"{x:.4f}"


def morris_markdown(ranking: pd.DataFrame, rows: int = 20, outputs: Sequence[str] = OUTPUTS) -> str:
    """The Morris table: the first ``rows`` parameters with mu* [± CI] per outcome and the noise floor."""
    head = " | ".join(f"mu* {o} ({UNITS.get(o, '')}) ± 95 % CI" for o in outputs)
    lines = [f"| rank | parameter | {head} | score |", "|---" * (len(outputs) + 3) + "|"]
    for r in ranking.head(rows).to_dict("records"):
        cells = " | ".join(f"{_fmt(r[f'mu_star:{o}'], o)} ± {_fmt(r[f'conf:{o}'], o)}" for o in outputs)
        lines.append(f"| {r['rank']} | `{r['field']}` | {cells} | {r['score']:.2f} |")
    top = ranking.head(rows)
    spread = np.median(np.concatenate([top[f"conf:{o}"] / top[f"mu_star:{o}"] for o in outputs]))
    floor = ", ".join(f"{o} {_fmt(ranking[f'noise:{o}'].iloc[0], o)}" for o in outputs)
    lines += ["", "Noise floor on the scale of mu* (the mean absolute difference of two runs of one point on "
              f"different seeds, divided by the Morris step as every elementary effect is): {floor}. The median CI "
              f"half-width is {spread:.0%} of mu* over these rows and both outcomes: the screen separates the "
              "leading parameters from the rest, not the order among neighbours."]
    return "\n".join(lines)


def sobol_markdown(indices: pd.DataFrame, outputs: Sequence[str] = OUTPUTS) -> str:
    """The Sobol table: S1 and ST [95 % CI] per parameter and outcome, ordered by ST on the first outcome."""
    wide = indices.pivot_table(index="lever", columns=["outcome", "index"], values=["value", "conf"])
    present = [o for o in outputs if ("value", o, "ST") in wide.columns]
    if not present:
        return "No Sobol indices: every outcome had failed points."
    wide = wide.sort_values(("value", present[0], "ST"), ascending=False)
    head = " | ".join(f"{i} {o}" for o in present for i in ("S1", "ST"))
    lines = [f"| parameter | {head} |", "|---" * (2 * len(present) + 1) + "|"]
    for lever, r in wide.iterrows():
        cells = [f"{r[('value', o, i)]:.3f} ± {r[('conf', o, i)]:.3f}" for o in present for i in ("S1", "ST")]
        lines.append(f"| `{lever}` | " + " | ".join(cells) + " |")
    widths = indices.groupby(["outcome", "index"])["conf"].agg(["median", "max"])
    lines += ["", "CI half-widths (median, largest): " + "; ".join(
        f"{o} {i} {w['median']:.3f}, {w['max']:.3f}" for (o, i), w in widths.iterrows()) + "."]
    return "\n".join(lines)


def section(ranking: pd.DataFrame, indices: pd.DataFrame, settings: Mapping) -> str:
    """The generated section of ``docs/sensitivity.md``: settings, the Morris ranking and the Sobol table."""
    s = settings
    earlier = s["points"] - s["points_run"]
    resumed = f" ({earlier} were read back from the chunks an earlier, stopped call stored)" if earlier else ""
    noise = ", ".join(f"{v:.1%} of the variance of {o}" for o, v in s["noise_share"].items())
    return "\n".join([
        f"Generated by `python -m sim.studies.global_sensitivity` (commit `{s['commit']}`); do not edit by hand.", "",
        f"**Morris stage** (no new runs): the calibration's screen, {s['morris_points']} points of "
        f"{s['morris_trajectories']} trajectories over all {s['parameters']} prior-ranged parameters, one run per "
        f"point at the default market; mu* is the mean absolute elementary effect (the change of one Morris "
        "step divided by the step, i.e. per whole prior range on the unit scale), with its bootstrap 95 % CI; the "
        "score is the larger over the two outcomes of mu* over that outcome's largest mu*.", "",
        morris_markdown(ranking), "",
        f"**Sobol stage** on the top {len(s['fields'])} parameters by score, each over its prior, every other field "
        f"at its default, `{SCENARIO}` at its default market (20,000 accounts, 156 weeks): base sample N = "
        f"{s['samples']}, {s['points']} points x {s['replicates']} replicates on common seeds (root {SEED}) = "
        f"{s['runs']} runs, {s['failed']} failed; the last call ran {s['points_run']} of the points{resumed} in "
        f"{s['wall_minutes']:.1f} min of wall time on {s['n_jobs']} workers; first-order (S1) and total (ST) "
        "indices of the replicate means with 1,000-resample bootstrap 95 % CI half-widths. Seed noise left in "
        f"the replicate means adds to every ST: in the screen's noise runs the seed-to-seed variance is {noise} "
        "over the design.", "",
        sobol_markdown(indices)])


def main(argv: list[str] | None = None) -> int:
    from sim.calibration.posterior import code_commit
    from sim.calibration.screening import Screen
    from sim.studies.markers import splice_if_marked
    from sim.sweep.spec import ExecutionSpec, check_execution

    p = argparse.ArgumentParser(prog="python -m sim.studies.global_sensitivity", description=__doc__.splitlines()[0])
    p.add_argument("--screen", type=Path, default=repository() / SCREEN, help="the stored Morris screen")
    p.add_argument("--samples", type=int, default=SAMPLES, help="Sobol base sample N (a power of 2)")
    p.add_argument("--replicates", type=int, default=REPLICATES, help="runs per Sobol point")
    p.add_argument("--n-jobs", type=int, default=2, help="worker processes")
    p.add_argument("--backend", choices=("local", "dask", "submitit"), default="local")
    p.add_argument("--doc", type=Path, default=repository() / "docs" / "sensitivity.md")
    p.add_argument("--reanalyse", action="store_true", help="no runs: recompute the tables from the stored runs")
    args = p.parse_args(argv)
    if not args.screen.exists():
        print(f"no Morris screen at {args.screen}: run the calibration's screening first")
        return 2
    screen = Screen.load(args.screen)
    ranking = morris_ranking(screen)
    fields = top_fields(ranking)
    out = repository() / OUT
    out.mkdir(parents=True, exist_ok=True)
    ranking.to_csv(out / "morris_ranking.csv", index=False, float_format="%.6g")
    if args.reanalyse:
        settings = json.loads((out / "settings.json").read_text())
        runs = pd.read_parquet(out / "sobol_runs.parquet")
        if settings["fields"] != fields:
            print(f"the stored Sobol runs vary {settings['fields']}, the screen now ranks {fields} first: rerun")
            return 2
    else:
        execution = check_execution(ExecutionSpec(backend=args.backend, n_jobs=args.n_jobs))
        began = time.monotonic()
        unit, runs, reused = run_sobol(fields, args.samples, args.replicates, execution)
        runs.to_parquet(out / "sobol_runs.parquet", index=False)
        settings = {"commit": code_commit(), "fields": fields, "samples": args.samples, "points": len(unit),
                    "replicates": args.replicates, "runs": len(runs),
                    "failed": int(runs[list(OUTPUTS)].isna().any(axis=1).sum()),
                    "wall_minutes": (time.monotonic() - began) / 60, "points_run": len(unit) - reused,
                    "n_jobs": args.n_jobs}
        (out / "settings.json").write_text(json.dumps(settings, indent=1))
    indices = sobol_table(fields, runs, settings["points"])
    indices.to_csv(out / "sobol_indices.csv", index=False, float_format="%.6g")
    noise_share = {o: float(screen.noise_outcomes[o].var() / screen.outcomes[o].var()) for o in OUTPUTS}
    text = section(ranking, indices, {**settings, "morris_points": len(screen.unit), "noise_share": noise_share,
                                      "morris_trajectories": screen.info.get("trajectories", "?"),
                                      "parameters": len(screen.priors)})
    (out / "section.md").write_text(text + "\n")
    splice_if_marked(args.doc, MARKER, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
