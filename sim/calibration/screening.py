"""Morris screening over every prior-ranged parameter: which ones the patterns (and the outcomes) respond to.

With about 150 candidate parameters a calibration cannot explore them all, so it first screens (ten Broeke, van
Voorn & Ligtenberg 2016 recommend elementary effects for agent-based models): a Morris design of ``trajectories``
one-at-a-time paths through the unit cube of the priors (SALib's sampler, 4 levels), each point simulated once
with :func:`sim.calibration.simulator.run_arms` (every arm on one seed, one seed per point).  The result keeps, per
point, the patterns' statistics *and* the baseline's outcomes (revenue, net revenue retention, ...), so the same
runs serve the calibration's screening (:func:`select`: the parameters whose effect on some pattern is a large
share of its tolerance) and the Morris stage of the global sensitivity analysis (``sim.studies.global_sensitivity``).

Noise: each point runs on its own seed, so an elementary effect includes the seed-to-seed noise of one run.  The
screen therefore reports, beside each parameter's mu*, the noise floor measured by re-running the design's first
point on ``noise_seeds`` seeds; a parameter is kept only when its mu* clears the floor.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.patterns import PUBLISHED, Pattern
from sim.calibration.patterns import statistics as pattern_statistics
from sim.calibration.priors import Prior, all_priors, values_at
from sim.calibration.simulator import run_arms

LEVELS = 4
"""Morris grid levels."""
STEP = LEVELS / (2 * (LEVELS - 1))
"""The elementary step on the unit scale (2/3 at 4 levels); SALib divides each effect by it, so mu* is a slope:
the change of the output across the whole prior range, at the step's linear rate."""
OUTCOMES = ("revenue_total", "nrr_annual", "churn_annual", "gross_margin_total", "customers_won",
            "trust_mean_end", "blame_events_per_year")
"""Baseline outcomes kept per point for the global sensitivity analysis."""


@dataclass
class Screen:
    """A Morris design and its simulated points: ``unit`` (points x fields), ``statistics`` (points x patterns),
    ``outcomes`` (points x baseline outcomes), the same two for the noise runs (one point, several seeds) and the
    facts of the run."""

    priors: dict[str, Prior]
    unit: pd.DataFrame
    statistics: pd.DataFrame
    outcomes: pd.DataFrame
    noise_statistics: pd.DataFrame
    noise_outcomes: pd.DataFrame
    patterns: list[Pattern]
    info: dict = field(default_factory=dict)

    def problem(self) -> dict:
        return {"num_vars": len(self.priors), "names": list(self.priors), "bounds": [[0.0, 1.0]] * len(self.priors)}

    def indices(self, frame: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
        """Morris mu*, its CI half-width, mu and sigma per column of ``frame`` and field (unit-cube steps)."""
        from SALib.analyze import morris

        rows = []
        x = self.unit.to_numpy()
        for column in frame.columns:
            y = frame[column].to_numpy(dtype=float)
            if not np.all(np.isfinite(y)):
                y = np.where(np.isfinite(y), y, np.nanmedian(y))  # a failed point: its effects read as zero
            si = morris.analyze(self.problem(), x, y, num_levels=LEVELS, num_resamples=500, conf_level=0.95,
                                seed=seed)
            for j, name in enumerate(self.priors):
                rows.append({"output": column, "field": name, "mu_star": float(si["mu_star"][j]),
                             "mu_star_conf": float(si["mu_star_conf"][j]), "mu": float(si["mu"][j]),
                             "sigma": float(si["sigma"][j])})
        return pd.DataFrame(rows)

    @staticmethod
    def noise_floor(noise: pd.DataFrame) -> pd.Series:
        """Per column of ``noise`` (runs of one point on different seeds), the mean absolute difference of two runs:
        what an elementary effect of a parameter with no effect at all would read."""
        cols = list(noise.columns)
        values = noise.to_numpy(dtype=float)
        diffs = np.abs(values[:, None, :] - values[None, :, :])
        n = len(values)
        return pd.Series(diffs.sum(axis=(0, 1)) / max(n * (n - 1), 1), index=cols)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = pd.concat([self.unit.add_prefix("u:"), self.statistics.add_prefix("stat:"),
                           self.outcomes.add_prefix("out:")], axis=1)
        frame["kind"] = "design"
        noise = pd.concat([self.noise_statistics.add_prefix("stat:"), self.noise_outcomes.add_prefix("out:")], axis=1)
        noise["kind"] = "noise"
        pd.concat([frame, noise], ignore_index=True).to_parquet(path, index=False)
        import json

        path.with_suffix(".json").write_text(json.dumps({"info": self.info, "fields": list(self.priors),
                                                         "patterns": [p.name for p in self.patterns]}, indent=1))
        return path

    @classmethod
    def load(cls, path: str | Path, patterns: Sequence[Pattern] = PUBLISHED) -> Screen:
        import json

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        frame = pd.read_parquet(path)
        every = all_priors()
        pri = {f: every[f] for f in meta["fields"]}
        design, noise = frame[frame["kind"] == "design"].reset_index(drop=True), frame[frame["kind"] == "noise"]
        pick = [p for p in patterns if p.name in meta["patterns"]]

        def part(df, prefix):
            cols = [c for c in df.columns if c.startswith(prefix)]
            return df[cols].rename(columns=lambda c: c[len(prefix):]).reset_index(drop=True)

        return cls(pri, part(design, "u:"), part(design, "stat:"), part(design, "out:"), part(noise, "stat:"),
                   part(noise, "out:"), pick, meta["info"])


def _point(args) -> tuple[dict, dict]:
    values, seed, patterns, overrides = args
    try:
        summaries = run_arms(values, seed, patterns, overrides)
        stats = pattern_statistics(summaries, patterns)
        outs = {k: float(summaries["baseline"][k]) for k in OUTCOMES}
    except Exception:  # noqa: BLE001 - a failed point is recorded as NaN and counted
        stats, outs = {p.name: math.nan for p in patterns}, dict.fromkeys(OUTCOMES, math.nan)
    return stats, outs


def run_screen(trajectories: int = 4, seed: int = 7, patterns: Sequence[Pattern] = PUBLISHED,
               prior_set: Mapping[str, Prior] | None = None, n_jobs: int = 1, noise_seeds: int = 6,
               overrides: Sequence[str] = (), progress: bool = True) -> Screen:
    """Simulate a Morris design of ``trajectories`` paths over ``prior_set`` (all candidates by default)."""
    from joblib import Parallel, delayed
    from SALib.sample import morris
    from tqdm.auto import tqdm

    prior_set = dict(prior_set or all_priors())
    problem = {"num_vars": len(prior_set), "names": list(prior_set), "bounds": [[0.0, 1.0]] * len(prior_set)}
    unit = morris.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    seeds = np.random.SeedSequence(seed).generate_state(len(unit) + noise_seeds)
    tasks = [(values_at(prior_set, row), int(s), tuple(patterns), tuple(overrides)) for row, s in zip(unit, seeds)]
    centre = values_at(prior_set, unit[0])
    tasks += [(centre, int(s), tuple(patterns), tuple(overrides)) for s in seeds[len(unit):]]
    started = time.monotonic()
    results = list(tqdm(Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_point)(t) for t in tasks),
                        total=len(tasks), desc="Morris screen", unit="point", disable=not progress))
    stats = pd.DataFrame([r[0] for r in results])
    outs = pd.DataFrame([r[1] for r in results])
    n = len(unit)
    info = {"trajectories": trajectories, "levels": LEVELS, "points": n, "noise_seeds": noise_seeds, "seed": seed,
            "runs": len(tasks) * len({p.arm for p in patterns} | {"baseline"}),
            "failed_points": int(stats.iloc[:n].isna().all(axis=1).sum()),
            "wall_seconds": round(time.monotonic() - started, 1), "n_jobs": n_jobs, "overrides": list(overrides)}
    return Screen(prior_set, pd.DataFrame(unit, columns=list(prior_set)), stats.iloc[:n].reset_index(drop=True),
                  outs.iloc[:n].reset_index(drop=True), stats.iloc[n:].reset_index(drop=True),
                  outs.iloc[n:].reset_index(drop=True), list(patterns), info)


def pattern_sensitivity(screen: Screen) -> pd.DataFrame:
    """Per field and pattern, mu* in tolerances of the pattern (how far the statistic moves across the field's
    prior range, at the Morris step's rate, measured in half bands), with the noise floor in the same units (the
    seed-to-seed difference of one point, divided by the step as SALib divides each effect); one row per pair."""
    ind = screen.indices(screen.statistics)
    tol = {p.name: p.tolerance for p in screen.patterns}
    floor = screen.noise_floor(screen.noise_statistics)
    ind["tolerance"] = ind["output"].map(tol)
    ind["effect"] = ind["mu_star"] / ind["tolerance"]
    ind["effect_conf"] = ind["mu_star_conf"] / ind["tolerance"]
    ind["noise"] = ind["output"].map(floor) / STEP / ind["tolerance"]
    return ind


def select(screen: Screen, count: int = 12, always: Sequence[str] = (), per_pattern: int = 1) -> list[str]:
    """The fields to calibrate, at most ``count``: ``always`` first, then the strongest ``per_pattern`` driver(s)
    of each pattern (so no pattern is left without the parameter that moves it most), then the rest by their
    largest effect on any pattern.  Only effects clear of the noise floor count: mu* (in half bands) above twice
    the effect a parameter with no influence would show (:func:`pattern_sensitivity`'s ``noise``)."""
    ind = pattern_sensitivity(screen)
    ind = ind[ind["effect"] > 2 * ind["noise"]]
    chosen = [f for f in always if f in screen.priors]
    drivers = (ind.sort_values("effect", ascending=False).groupby("output", sort=False).head(per_pattern)
               .sort_values("effect", ascending=False))
    for f in list(drivers["field"]) + list(ind.groupby("field")["effect"].max().sort_values(ascending=False).index):
        if len(chosen) >= count:
            break
        if f not in chosen:
            chosen.append(f)
    return chosen


def ranking(screen: Screen) -> pd.DataFrame:
    """Every field ranked by its largest effect on a pattern (in tolerances), with the pattern it moves most."""
    ind = pattern_sensitivity(screen)
    top = ind.loc[ind.groupby("field")["effect"].idxmax()]
    return (top[["field", "output", "effect", "effect_conf", "noise"]].rename(columns={"output": "pattern"})
            .sort_values("effect", ascending=False).reset_index(drop=True))
