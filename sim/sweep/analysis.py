"""Sensitivity analysis of a stored sweep: Sobol and Morris indices (SALib), main effects, figures.

Outcomes are averaged over the replicates of each design point first (common random numbers make
that mean a smooth function of the levers), then handed to SALib: Sobol first-order and total
indices for a Sobol design, Morris mu*, mu and sigma for a Morris design, each with its bootstrap
95 % confidence interval.  Main effects (the outcome's mean at each lever's low and high end) work
for every design, grids and Latin hypercubes included, and feed the tornado chart.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.outcomes import outcome
from sim.sweep.design import SAMPLE_PREFIX
from sim.sweep.groups import NUMERIC_BINS, lever_groups
from sim.sweep.spec import Lever, check_outcome, load_spec
from sim.sweep.store import SweepStore

CONF_LEVEL = 0.95
"""Confidence level of the bootstrap intervals on the indices."""
RESAMPLES = 1000
"""Bootstrap resamples behind each confidence interval (SALib's default of 100 leaves the 95 % bounds noisy)."""
BOOTSTRAP_SEED = 12345
"""Seed of SALib's bootstrap resampling, so the same sweep gives the same CIs on every ``analyze``.  Not 0:
SALib's ``sobol.analyze`` tests ``if seed:`` and treats 0 as no seed at all (SALib 1.6, analyze/sobol.py)."""
SOBOL_MIN_SAMPLES = 64
"""Below this base sample N, Sobol estimates are rough (indices may leave [0, 1]) and a warning says so."""


def point_means(runs: pd.DataFrame, outcomes: list[str], points: int) -> pd.DataFrame:
    """Mean of each outcome over the successful replicates of each design point (NaN where none)."""
    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    return ok.groupby("point")[outcomes].mean().reindex(range(points)) if len(ok) else \
        pd.DataFrame(np.nan, index=range(points), columns=outcomes)


def sobol_indices(problem: dict, means: pd.DataFrame, second_order: bool, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Sobol first-order (S1) and total (ST) indices per outcome and lever, with CI half-widths.

    Args:
        problem: the SALib problem of the design.
        means: one row per design point, one column per outcome.
        second_order: whether the design was sampled for second-order indices.
        seed: the bootstrap's seed (>= 1: SALib ignores 0).
    """
    from SALib.analyze import sobol

    rows = []
    for metric, y in _complete(means):
        si = sobol.analyze(problem, y, calc_second_order=second_order, num_resamples=RESAMPLES,
                          conf_level=CONF_LEVEL, seed=seed)
        for index in ("S1", "ST"):
            rows += [{"outcome": metric, "lever": name, "index": index, "value": v, "conf": c}
                     for name, v, c in zip(problem["names"], si[index], si[index + "_conf"])]
    return pd.DataFrame(rows, columns=["outcome", "lever", "index", "value", "conf"])


def morris_indices(problem: dict, samples: np.ndarray, means: pd.DataFrame, levels: int,
                   seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Morris mu* (with CI half-width), mu and sigma per outcome and lever, in outcome units per
    elementary step of the lever (2/3 of its range at 4 levels)."""
    from SALib.analyze import morris

    rows = []
    for metric, y in _complete(means):
        si = morris.analyze(problem, samples, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, num_levels=levels,
                            seed=seed)
        for j, name in enumerate(problem["names"]):
            rows += [{"outcome": metric, "lever": name, "index": "mu_star", "value": si["mu_star"][j],
                      "conf": si["mu_star_conf"][j]},
                     {"outcome": metric, "lever": name, "index": "mu", "value": si["mu"][j], "conf": np.nan},
                     {"outcome": metric, "lever": name, "index": "sigma", "value": si["sigma"][j], "conf": np.nan}]
    return pd.DataFrame(rows, columns=["outcome", "lever", "index", "value", "conf"])


def _complete(means: pd.DataFrame):
    """Yield (outcome, values) for outcomes known at every point; warn about the others."""
    for metric in means.columns:
        y = means[metric].to_numpy(float)
        missing = int(np.isnan(y).sum())
        if missing:
            warnings.warn(f"{metric}: skipped, no value at {missing} of {y.size} design points "
                          "(failed or missing runs, or an undefined metric); resume or rerun the sweep", stacklevel=3)
            continue
        yield metric, y


def main_effects(runs: pd.DataFrame, levers: list[Lever], outcome: str) -> pd.DataFrame:
    """Per lever, the outcome's mean at its low end and at its high end (first and last level or bin).

    Columns: lever, low_label, high_label, low, high, swing (high - low), unit (the lever's).
    """
    ok = runs[(runs["status"] == "ok") & runs[outcome].notna()]
    rows = []
    for lever in levers:
        means = ok.groupby(lever_groups(ok[lever.field], lever, NUMERIC_BINS), observed=True)[outcome].mean()
        if len(means) < 2:
            continue
        rows.append({"lever": lever.field, "low_label": str(means.index[0]), "high_label": str(means.index[-1]),
                     "low": means.iloc[0], "high": means.iloc[-1], "swing": means.iloc[-1] - means.iloc[0],
                     "unit": lever.unit})
    table = pd.DataFrame(rows, columns=["lever", "low_label", "high_label", "low", "high", "swing", "unit"])
    return table.reindex(table["swing"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def ranking(indices: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome's levers ranked by their main index (Sobol ST, or Morris mu*), largest first.

    Columns: rank, lever, then per index its value and the bounds of its 95 % CI (``ST``, ``ST_low``,
    ``ST_high``, ``S1``, ... or ``mu_star``, ..., ``mu``, ``sigma``).
    """
    rows = indices[indices["outcome"] == outcome]
    kinds = [k for k in ("ST", "S1", "mu_star", "mu", "sigma") if (rows["index"] == k).any()]
    table = pd.DataFrame({"lever": rows["lever"].drop_duplicates().tolist()}).set_index("lever")
    for kind in kinds:
        part = rows[rows["index"] == kind].set_index("lever")
        table[kind] = part["value"]
        if part["conf"].notna().any():
            table[f"{kind}_low"] = part["value"] - part["conf"]
            table[f"{kind}_high"] = part["value"] + part["conf"]
    if kinds:
        table = table.sort_values(kinds[0], ascending=False)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index()


def ranking_markdown(indices: pd.DataFrame, outcomes: list[str]) -> str:
    """The rankings of :func:`ranking` as Markdown tables, one per outcome ("value [CI low, CI high]"),
    each headed by the outcome's label and unit from :mod:`sim.outcomes`."""
    parts = []
    for name in outcomes:
        table = ranking(indices, name)
        if table.empty:
            continue
        kinds = [k for k in ("ST", "S1", "mu_star", "mu", "sigma") if k in table]
        head = {"ST": "total ST [95 % CI]", "S1": "first-order S1 [95 % CI]", "mu_star": "mu* [95 % CI]",
                "mu": "mu", "sigma": "sigma"}
        lines = [f"**{outcome(name).axis_label}** (`{name}`)", "",
                 "| rank | lever | " + " | ".join(head[k] for k in kinds) + " |",
                 "|---|---|" + "---|" * len(kinds)]
        for _, r in table.iterrows():
            cells = [f"{r[k]:.3f} [{r[k + '_low']:.3f}, {r[k + '_high']:.3f}]" if f"{k}_low" in table
                     else f"{r[k]:.3g}" for k in kinds]
            lines.append(f"| {r['rank']} | `{r['lever']}` | " + " | ".join(cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def analyze(path: str | Path, outcomes: list[str] | None = None, figures: bool = True,
            heatmap_levers: tuple[str, str] | None = None) -> pd.DataFrame:
    """Analyse the sweep stored in ``path`` and write tables and figures into ``path/analysis``:
    ``indices.csv``, ``ranking.md`` (levers ranked by ST or mu*, Sobol/Morris designs), ``main_effects.csv``
    and the PNG figures.

    Args:
        path: the sweep directory.
        outcomes: summary metrics to analyse (names of :data:`sim.outcomes.RUN_OUTCOMES`); defaults to the
            spec's outcomes.
        figures: also draw the indices bar chart (Sobol/Morris designs), the tornado chart and the
            heat map of each outcome as PNG files.
        heatmap_levers: the two levers of the heat maps; defaults to the two with the largest swing.

    Returns:
        The indices table (outcome, lever, index, value, conf = CI half-width); empty for grid
        and Latin-hypercube designs, whose analysis is the main effects and the figures.
    """
    store = SweepStore(path)
    manifest = store.manifest()
    spec = load_spec(manifest["spec"])
    levers = [Lever(**{**d, "levels": tuple(d["levels"])}) for d in manifest["levers"]]
    outcomes = list(outcomes or spec.outcomes)
    runs = _finished_runs(store, outcomes)
    means = point_means(runs, outcomes, manifest["points"])
    problem = manifest["problem"]
    if spec.design.method == "sobol":
        indices = sobol_indices(problem, means, spec.design.second_order)
        _warn_rough_sobol(indices, spec.design.samples)
    elif spec.design.method == "morris":
        samples = store.design()[[SAMPLE_PREFIX + n for n in problem["names"]]].to_numpy(float)
        indices = morris_indices(problem, samples, means, spec.design.levels)
    else:
        indices = pd.DataFrame(columns=["outcome", "lever", "index", "value", "conf"])
    folder = store.root / "analysis"
    folder.mkdir(exist_ok=True)
    indices.to_csv(folder / "indices.csv", index=False)
    if len(indices):
        (folder / "ranking.md").write_text(ranking_markdown(indices, [o for o in outcomes
                                                                      if (indices["outcome"] == o).any()]))
    effects = {o: main_effects(runs, levers, o) for o in outcomes}
    pd.concat([e.assign(outcome=o) for o, e in effects.items()], ignore_index=True).to_csv(
        folder / "main_effects.csv", index=False)
    if figures:
        _draw(folder, spec.name, runs, levers, indices, effects, heatmap_levers)
    return indices


def _finished_runs(store: SweepStore, outcomes: list[str]) -> pd.DataFrame:
    """The sweep's run table, refused with a one-line reason when it cannot be analysed: an unknown outcome
    (with a 'did you mean'), no stored runs, or no successful run."""
    for name in outcomes:
        check_outcome(name)
    runs = store.load()
    if runs.empty:
        raise ConfigError(f"{store.root} holds no finished runs yet: run `alignsim sweep --resume --out "
                          f"{store.root}` first")
    ok = int((runs["status"] == "ok").sum())
    if ok == 0:
        first = str(runs["error"].dropna().iloc[0]).strip().splitlines()[-1] if runs["error"].notna().any() else ""
        raise ConfigError(f"{store.root}: all {len(runs)} runs failed, nothing to analyse (first error: {first})")
    absent = [name for name in outcomes if name not in runs]
    if absent:
        raise ConfigError(f"outcome {absent[0]!r} is not a column of the runs in {store.root}: allowed: "
                          + ", ".join(_summary_columns(runs)))
    return runs


def _summary_columns(runs: pd.DataFrame) -> list[str]:
    """The numeric outcome columns of a run table (what analyze can take)."""
    from sim.outcomes import RUN_OUTCOMES

    return [c for c in runs.columns if c in RUN_OUTCOMES]


def _warn_rough_sobol(indices: pd.DataFrame, samples: int) -> None:
    """Warn when Sobol indices come from a small base sample or leave [-1, 1] (estimation noise)."""
    if samples < SOBOL_MIN_SAMPLES:
        warnings.warn(f"Sobol indices from design.samples = {samples} base samples are rough (wide CIs; "
                      f"use >= {SOBOL_MIN_SAMPLES} for a ranking you report)", stacklevel=3)
    outside = indices[indices["value"].abs() > 1]
    if len(outside):
        worst = outside.loc[outside["value"].abs().idxmax()]
        warnings.warn(f"{len(outside)} Sobol indices lie outside [-1, 1] (e.g. {worst['index']} of {worst['lever']} "
                      f"on {worst['outcome']} = {worst['value']:.2f} +/- {worst['conf']:.2f}): estimation noise "
                      "from too few samples; raise design.samples", stacklevel=3)


def _draw(folder: Path, name: str, runs: pd.DataFrame, levers: list[Lever], indices: pd.DataFrame,
          effects: dict[str, pd.DataFrame], heatmap_levers: tuple[str, str] | None) -> None:
    """Write each outcome's tornado chart, indices bar chart (Sobol/Morris) and heat map as PNG files."""
    from sim.sweep import plots

    by_field = {lv.field: lv for lv in levers}
    for metric, effect in effects.items():
        if effect.empty:
            continue
        label = outcome(metric).label
        figs = {"tornado": plots.tornado(effect, metric, title=f"{name}: main effects on {label}")}
        if len(indices) and (indices["outcome"] == metric).any():
            figs["indices"] = plots.indices_bars(indices[indices["outcome"] == metric], metric,
                                                 title=f"{name}: sensitivity of {label}")
        pair = heatmap_levers or tuple(effect["lever"].head(2))
        if len(pair) == 2:
            figs["heatmap"] = plots.heatmap(runs, by_field[pair[0]], by_field[pair[1]], metric,
                                            title=f"{name}: mean {label}")
        for kind, fig in figs.items():
            fig.savefig(folder / f"{metric}_{kind}.png", dpi=120, bbox_inches="tight")
