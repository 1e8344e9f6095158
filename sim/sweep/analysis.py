"""Sensitivity analysis of a stored sweep: indices, main effects and interactions with CIs, figures.

Outcomes are averaged over the replicates of each design point first (common random numbers make
that mean a smooth function of the levers), then handed to SALib: Sobol first-order and total
indices for a Sobol design, Morris mu*, mu and sigma for a Morris design, each with its bootstrap
95 % confidence interval.  A grid or a Latin hypercube gets eta squared instead (the share of the point means'
variance each lever explains alone).  Main effects (the outcome's mean at each lever's low and high end, and
their difference) and two-lever interactions work for every design, in the outcome's display unit
(:mod:`sim.outcomes`: EUR million, %, pp), each with a bootstrap 95 % CI that resamples the replicates jointly
(keeping common random numbers paired) and, for a sampled design, the design points.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.outcomes import outcome, shown
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


def replicate_table(runs: pd.DataFrame, metric: str, points: int, replicates: int) -> np.ndarray:
    """The outcome of every run as a (points x replicates) array, NaN where a run failed or left it undefined."""
    table = np.full((points, replicates), np.nan)
    ok = runs[(runs["status"] == "ok") & runs[metric].notna()]
    table[ok["point"].to_numpy(int), ok["replicate"].to_numpy(int)] = ok[metric].to_numpy(float)
    return table


def bootstrap_weights(points: int, replicates: int, resample_points: bool, seed: int = BOOTSTRAP_SEED,
                      resamples: int = RESAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap multiplicities of the replicates (resamples x replicates) and the points (resamples x points).

    Replicates are resampled jointly across points, so replicate k stays paired over the design (common random
    numbers: a difference between two points keeps its shared seed).  Points are resampled too for a sampled
    design (Latin hypercube, Sobol, Morris: its points are a sample of the lever space); a grid's points are the
    whole design and stay as they are."""
    rng = np.random.default_rng(seed)
    reps = rng.multinomial(replicates, np.full(replicates, 1 / replicates), size=resamples).astype(float)
    pts = rng.multinomial(points, np.full(points, 1 / points), size=resamples).astype(float) if resample_points \
        else np.ones((resamples, points))
    return reps, pts


def _group_means(table: np.ndarray, groups: np.ndarray, n_groups: int, reps: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Mean of the runs in each group under each bootstrap weighting: (resamples + 1) x groups; row 0 is the
    estimate on the data as they are."""
    reps = np.vstack([np.ones(table.shape[1]), reps])
    pts = np.vstack([np.ones(table.shape[0]), pts])
    known = ~np.isnan(table)
    values = np.where(known, table, 0.0)
    onehot = np.zeros((table.shape[0], n_groups))
    onehot[np.arange(table.shape[0])[groups >= 0], groups[groups >= 0]] = 1.0
    sums = (pts * (values @ reps.T).T) @ onehot
    counts = (pts * (known.astype(float) @ reps.T).T) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def _codes(design: pd.DataFrame, lever: Lever, bins: int) -> tuple[np.ndarray, list[str]]:
    """Each design point's group on ``lever`` (its level, value or bin; -1 for none) and the groups' labels."""
    groups = lever_groups(design[lever.field], lever, bins)
    categorical = pd.Categorical(groups, ordered=True) if not isinstance(groups.dtype, pd.CategoricalDtype) \
        else groups.cat
    codes = np.asarray(categorical.codes, dtype=int)
    return codes, [str(c) for c in categorical.categories]


def _interval(samples: np.ndarray) -> tuple[float, float]:
    """Estimate (row 0) and 95 % half-width (1.96 bootstrap standard deviations, as SALib reports ``conf``)."""
    with warnings.catch_warnings():  # an outcome undefined in every resample has no interval: NaN, said by the table
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(samples[0]), float(1.96 * np.nanstd(samples[1:], ddof=1))


def main_effects(runs: pd.DataFrame, levers: list[Lever], metric: str, design: pd.DataFrame, replicates: int,
                 sampled: bool) -> pd.DataFrame:
    """Per lever, the outcome's mean at its low end and at its high end (first and last level or bin) and the
    effect (high - low) with its 95 % CI, all in the outcome's display unit.

    Args:
        runs: the sweep's run table.
        levers: the levers (from the manifest).
        metric: the outcome.
        design: the design table (one row per point: each lever's value).
        replicates: replicates per point.
        sampled: whether the design's points are a sample (resampled by the bootstrap) rather than a grid.

    Columns: lever, lever_unit, low_label, high_label, low, high, effect, effect_low, effect_high, unit (the
    outcome's display unit; a difference of percentages is in pp), sorted by the effect's size.
    """
    spec = outcome(metric)
    table = spec.display(replicate_table(runs, metric, len(design), replicates))
    reps, pts = bootstrap_weights(len(design), replicates, sampled)
    rows = []
    for lever in levers:
        codes, labels = _codes(design, lever, NUMERIC_BINS)
        if len(labels) < 2:
            continue
        means = _group_means(table, codes, len(labels), reps, pts)
        effect, half = _interval(means[:, -1] - means[:, 0])
        rows.append({"lever": lever.field, "lever_unit": lever.unit, "low_label": labels[0], "high_label": labels[-1],
                     "low": means[0, 0], "high": means[0, -1], "effect": effect, "effect_low": effect - half,
                     "effect_high": effect + half, "unit": spec.difference_unit})
    columns = ["lever", "lever_unit", "low_label", "high_label", "low", "high", "effect", "effect_low", "effect_high",
               "unit"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.reindex(frame["effect"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def interactions(runs: pd.DataFrame, levers: list[Lever], metric: str, design: pd.DataFrame, replicates: int,
                 sampled: bool) -> pd.DataFrame:
    """Per pair of levers, the interaction: how much the first lever's effect (high - low end) changes when the
    second goes from its low to its high end, ``(hh - lh) - (hl - ll)``, with its 95 % CI, in the outcome's display
    unit of a difference.  Columns: lever_a, lever_b, interaction, low, high, unit."""
    spec = outcome(metric)
    table = spec.display(replicate_table(runs, metric, len(design), replicates))
    reps, pts = bootstrap_weights(len(design), replicates, sampled, seed=BOOTSTRAP_SEED + 1)
    coded = [(lv, *_codes(design, lv, NUMERIC_BINS)) for lv in levers]
    rows = []
    for i, (a, codes_a, labels_a) in enumerate(coded):
        for b, codes_b, labels_b in coded[i + 1:]:
            if len(labels_a) < 2 or len(labels_b) < 2:
                continue
            last_a, last_b = len(labels_a) - 1, len(labels_b) - 1
            corner = np.where(((codes_a == 0) | (codes_a == last_a)) & ((codes_b == 0) | (codes_b == last_b)),
                              (codes_a == last_a) * 2 + (codes_b == last_b), -1)
            m = _group_means(table, corner, 4, reps, pts)  # corners: ll, lh, hl, hh
            value, half = _interval((m[:, 3] - m[:, 1]) - (m[:, 2] - m[:, 0]))
            rows.append({"lever_a": a.field, "lever_b": b.field, "interaction": value, "low": value - half,
                         "high": value + half, "unit": spec.difference_unit})
    return pd.DataFrame(rows, columns=["lever_a", "lever_b", "interaction", "low", "high", "unit"])


def variance_shares(runs: pd.DataFrame, levers: list[Lever], metric: str, design: pd.DataFrame, replicates: int,
                    sampled: bool) -> pd.DataFrame:
    """Per lever, eta squared: the share of the variance of the point means that the lever's groups (levels, or
    equal-width thirds of its range) explain on their own, with its bootstrap 95 % half-width.  For a full grid
    it is the main effect's share of the ANOVA sum of squares; it is how a grid or a Latin hypercube ranks its
    levers (Sobol and Morris designs have their own indices).  Rows as :func:`sobol_indices` (index ``eta2``)."""
    table = replicate_table(runs, metric, len(design), replicates)
    reps, pts = bootstrap_weights(len(design), replicates, sampled, seed=BOOTSTRAP_SEED + 2)
    rows = []
    for lever in levers:
        codes, labels = _codes(design, lever, NUMERIC_BINS)
        if len(labels) < 2:
            continue
        onehot = np.eye(len(labels))[np.clip(codes, 0, None)] * (codes >= 0)[:, None]
        shares = _eta2(table, onehot, reps, pts)
        value, half = _interval(shares)
        rows.append({"outcome": metric, "lever": lever.field, "index": "eta2", "value": value, "conf": half})
    return pd.DataFrame(rows, columns=["outcome", "lever", "index", "value", "conf"])


def _eta2(table: np.ndarray, onehot: np.ndarray, reps: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Between-group over total sum of squares of the point means, under each bootstrap weighting (row 0: the
    data as they are)."""
    reps = np.vstack([np.ones(table.shape[1]), reps])
    pts = np.vstack([np.ones(table.shape[0]), pts])
    known = ~np.isnan(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        point_mean = (np.where(known, table, 0.0) @ reps.T) / (known.astype(float) @ reps.T)  # points x resamples
    weight = pts.T * ~np.isnan(point_mean)
    y = np.nan_to_num(point_mean)
    grand = (weight * y).sum(0) / weight.sum(0)
    total = (weight * (y - grand) ** 2).sum(0)
    group_n = onehot.T @ weight
    with np.errstate(invalid="ignore", divide="ignore"):
        group_mean = (onehot.T @ (weight * y)) / group_n
        between = np.nansum(group_n * (group_mean - grand) ** 2, axis=0)
        return between / total


def too_few_replicates(runs: pd.DataFrame, effects: pd.DataFrame, metric: str, design: pd.DataFrame,
                       levers: list[Lever], replicates: int) -> str | None:
    """A warning when replicates are too few for the effects' size, or None.

    With one replicate the seed's noise cannot be told from a lever's effect.  With more, each main effect is set
    against the smallest effect the replicates detect (80 % power, 5 % two-sided): 2.8 x the pooled
    within-point standard deviation x sqrt(1 / runs at the low end + 1 / runs at the high end) (conservative:
    common random numbers narrow it); levers whose effect is smaller are named with the replicates per point that
    would detect it."""
    spec = outcome(metric)
    if replicates < 2:
        return (f"{spec.label}: 1 replicate per design point: the seeds' noise cannot be told from the levers' "
                "effects (use replicates >= 2; the CIs only resample the design points)")
    table = spec.display(replicate_table(runs, metric, len(design), replicates))
    spread = np.nanvar(table, axis=1, ddof=1)
    sd = float(np.sqrt(np.nanmean(spread))) if np.isfinite(spread).any() else float("nan")
    short = []
    for row in effects.itertuples():
        codes, labels = _codes(design, next(lv for lv in levers if lv.field == row.lever), NUMERIC_BINS)
        n_low = np.isfinite(table[codes == 0]).sum()
        n_high = np.isfinite(table[codes == len(labels) - 1]).sum()
        detectable = 2.8 * sd * np.sqrt(1 / max(n_low, 1) + 1 / max(n_high, 1))
        if abs(row.effect) < detectable:
            needed = int(np.ceil(replicates * (detectable / max(abs(row.effect), 1e-12)) ** 2))
            short.append(f"{row.lever} ({row.effect:+.3g} {row.unit}: about {needed:,} replicates)")
    if not short:
        return None
    return (f"{spec.label}: effects smaller than {replicates} replicates per point detect (80 % power, 5 % "
            "two-sided): " + "; ".join(short[:4]) + (f" and {len(short) - 4} more" if len(short) > 4 else "")
            + " per point would detect them")


def ranking(indices: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome's levers ranked by their main index (Sobol ST, Morris mu*, or eta squared for a grid or a
    Latin hypercube), largest first.

    Columns: rank, lever, then per index its value and the bounds of its 95 % CI (``ST``, ``ST_low``,
    ``ST_high``, ``S1``, ... or ``mu_star``, ..., ``mu``, ``sigma``, or ``eta2``, ...).
    """
    rows = indices[indices["outcome"] == outcome]
    kinds = [k for k in INDEX_ORDER if (rows["index"] == k).any()]
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


INDEX_ORDER = ("ST", "S1", "mu_star", "mu", "sigma", "eta2")
INDEX_HEADS = {"ST": "total ST [95 % CI]", "S1": "first-order S1 [95 % CI]", "mu_star": "mu* [95 % CI]", "mu": "mu",
               "sigma": "sigma", "eta2": "eta² (share of variance explained alone) [95 % CI]"}


def ranking_markdown(indices: pd.DataFrame, outcomes: list[str], effects: dict[str, pd.DataFrame] | None = None,
                     warnings_: dict[str, str] | None = None) -> str:
    """The rankings of :func:`ranking` as Markdown tables, one per outcome ("value [CI low, CI high]"), each headed
    by the outcome's label and unit from :mod:`sim.outcomes`, followed by its main effects in the outcome's unit
    (mean at each lever's low and high end, the effect with its 95 % CI) and its replicates warning, if any."""
    parts = []
    for name in outcomes:
        table = ranking(indices, name)
        lines = [f"**{outcome(name).axis_label}** (`{name}`)"]
        if not table.empty:
            kinds = [k for k in INDEX_ORDER if k in table]
            lines += ["", "| rank | lever | " + " | ".join(INDEX_HEADS[k] for k in kinds) + " |",
                      "|---|---|" + "---|" * len(kinds)]
            for _, r in table.iterrows():
                cells = [f"{r[k]:.3f} [{r[k + '_low']:.3f}, {r[k + '_high']:.3f}]" if f"{k}_low" in table
                         else f"{r[k]:.3g}" for k in kinds]
                lines.append(f"| {r['rank']} | `{r['lever']}` | " + " | ".join(cells) + " |")
        effect = (effects or {}).get(name)
        if effect is not None and len(effect):
            spec = outcome(name)
            lines += ["", f"Main effects ({spec.unit}; effect = high end - low end, in {spec.difference_unit}, "
                      "[95 % CI]):", "", "| lever | low end | high end | mean at low | mean at high | effect |",
                      "|---|---|---|---|---|---|"]
            for r in effect.itertuples():
                unit = f" ({r.lever_unit})" if r.lever_unit else ""
                lines.append(f"| `{r.lever}`{unit} | {r.low_label} | {r.high_label} | {shown(spec, r.low)} | "
                             f"{shown(spec, r.high)} | {shown(spec, r.effect, True)} [{shown(spec, r.effect_low, True)}"
                             f", {shown(spec, r.effect_high, True)}] |")
        if (warnings_ or {}).get(name):
            lines += ["", f"Warning: {warnings_[name]}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def analyze(path: str | Path, outcomes: list[str] | None = None, figures: bool = True,
            heatmap_levers: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Analyse the sweep stored in ``path`` and write tables and figures into ``path/analysis``, for every design:
    ``indices.csv`` (Sobol S1/ST, Morris mu*/mu/sigma, or for a grid or a Latin hypercube eta squared), ``ranking.md``
    (levers ranked by ST, mu* or eta squared, then each outcome's main effects in its unit), ``main_effects.csv``
    and ``interactions.csv`` (in each outcome's display unit, with 95 % CIs) and the PNG figures.  A warning says
    when the replicates are too few for the effects' size (:func:`too_few_replicates`).

    Args:
        path: the sweep directory.
        outcomes: summary metrics to analyse (names of :data:`sim.outcomes.RUN_OUTCOMES`); defaults to the
            spec's outcomes.
        figures: also draw each outcome's indices bar chart (Sobol/Morris), tornado chart and heat maps.
        heatmap_levers: the levers whose pairs get heat maps; defaults to every lever (up to
            :data:`sim.sweep.plots.MAX_HEATMAP_LEVERS`, the ones with the largest effects).

    Returns:
        The indices table (outcome, lever, index, value, conf = CI half-width).
    """
    store = SweepStore(path)
    manifest = store.manifest()
    spec = load_spec(manifest["spec"])
    levers = [Lever(**{**d, "levels": tuple(d["levels"])}) for d in manifest["levers"]]
    outcomes = list(outcomes or spec.outcomes)
    runs = _finished_runs(store, outcomes)
    design = store.design()[[lv.field for lv in levers]].reset_index(drop=True)
    sampled = spec.design.method != "grid"
    problem = manifest["problem"]
    if spec.design.method == "sobol":
        indices = sobol_indices(problem, point_means(runs, outcomes, manifest["points"]), spec.design.second_order)
        _warn_rough_sobol(indices, spec.design.samples)
    elif spec.design.method == "morris":
        samples = store.design()[[SAMPLE_PREFIX + n for n in problem["names"]]].to_numpy(float)
        indices = morris_indices(problem, samples, point_means(runs, outcomes, manifest["points"]),
                                 spec.design.levels)
    else:
        indices = pd.concat([variance_shares(runs, levers, o, design, spec.replicates, sampled) for o in outcomes],
                            ignore_index=True)
    effects = {o: main_effects(runs, levers, o, design, spec.replicates, sampled) for o in outcomes}
    pairs = {o: interactions(runs, levers, o, design, spec.replicates, sampled) for o in outcomes}
    notes = {o: too_few_replicates(runs, effects[o], o, design, levers, spec.replicates) for o in outcomes}
    for note in dict.fromkeys(n for n in notes.values() if n):
        warnings.warn(note, stacklevel=2)
    folder = store.root / "analysis"
    folder.mkdir(exist_ok=True)
    indices.to_csv(folder / "indices.csv", index=False)
    (folder / "ranking.md").write_text(ranking_markdown(indices, outcomes, effects, notes))
    _labelled(effects).to_csv(folder / "main_effects.csv", index=False)
    _labelled(pairs).to_csv(folder / "interactions.csv", index=False)
    if figures:
        _draw(folder, spec.name, runs, levers, indices, effects, heatmap_levers)
    return indices


def _labelled(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per-outcome tables stacked, each row headed by its outcome's name and label."""
    return pd.concat([t.assign(outcome=o, label=outcome(o).label)[["outcome", "label", *t.columns]]
                      for o, t in tables.items()], ignore_index=True)


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
          effects: dict[str, pd.DataFrame], heatmap_levers: tuple[str, ...] | None) -> None:
    """Write each outcome's tornado chart, indices bar chart (Sobol/Morris) and lever-pair heat maps as PNG files."""
    from sim.sweep import plots

    by_field = {lv.field: lv for lv in levers}
    for metric, effect in effects.items():
        if effect.empty:
            continue
        label = outcome(metric).label
        figs = {"tornado": plots.tornado(effect, metric, title=f"{name}: main effects on {label}")}
        if (indices["outcome"] == metric).any() and (indices["index"] != "eta2").any():
            figs["indices"] = plots.indices_bars(indices[indices["outcome"] == metric], metric,
                                                 title=f"{name}: sensitivity of {label}")
        chosen = [by_field[f] for f in heatmap_levers] if heatmap_levers else \
            [by_field[f] for f in effect["lever"]][:plots.MAX_HEATMAP_LEVERS]
        if len(chosen) >= 2:
            chosen = [lv for lv in levers if lv in chosen]  # the spec's order: the same orientation in every figure
            figs["heatmap"] = plots.heatmaps(runs, chosen, metric, title=f"{name}: {label}", of_total=len(levers))
        for kind, fig in figs.items():
            fig.savefig(folder / f"{metric}_{kind}.png", dpi=110, bbox_inches="tight")
