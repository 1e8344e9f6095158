"""The dose-response table: every policy lever at five values across its allowed range, in the baseline and under
full alignment, with revenue, gross margin and net revenue retention (mean and 95 % CI over paired seeds).

The levers and their ranges are read from the schema (the ``policy.`` rows of :func:`sim.config.field_table`):
a number takes five evenly spaced values from its low to its high bound (:func:`lever_values`; whole-number
levers rounded), an on/off lever off and on, a choice each of its choices; the scenario's own value is added
where it is not one of them, and marked.  Every arm runs on the same spawned seeds (common random numbers), and
each row also gives the paired difference in revenue from the scenario's value.  Run with::

    python -m sim.studies.dose_response [--seeds 8] [--n-jobs N] [--override KEY=VALUE ...]

The published settings (8 seeds, seed root 1, no override) write ``experiments/results/dose_response/`` (one CSV
of rows, one of runs, the failures, a figure per scenario) and the ``dose_response`` section of
``docs/validation.md``; a variant writes ``outputs/studies/<variant>/results/dose_response/`` and no document
unless ``--doc`` names one.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.config import Config, ConfigError, field_table
from sim.outcomes import outcome
from sim.stats import mean_ci, paired
from sim.studies.responses import (
    DOC,
    ArmRuns,
    add_common_arguments,
    command,
    failures_markdown,
    get_field,
    output_folder,
    publish,
    run_arms,
    save_batch,
    variant_name,
    with_lever,
)

OUTCOMES = ("revenue_total", "gross_margin_total", "nrr_annual")
"""The table's outcomes, in this order; the first is the figure's.  Net revenue retention is ``nrr_annual``
(annual, over the customers active at the start of each year, installed base included: :mod:`sim.outcomes`).  A
name the run summary lacks is read through :data:`FALLBACKS` (and the table says so)."""
FALLBACKS = {"nrr_annual": "retention_12m"}
"""Outcome -> the summary column used while the run summary does not have it."""
SCENARIOS = ("hundred_years_war", "full_alignment")
SEEDS = 8
"""Paired seeds per arm in the published table."""
POINTS = 5
"""Values per numeric lever, evenly spaced over its allowed range, ends included."""
STUDY = "dose_response"


@dataclass(frozen=True)
class Lever:
    """A policy lever as the schema declares it: its dotted field, its kind, its range or choices and unit."""

    field: str
    kind: str
    """"number", "integer", "switch" (on/off) or "choice"."""
    low: float | None
    high: float | None
    choices: tuple | None
    unit: str


def levers() -> list[Lever]:
    """Every policy lever of the schema (:class:`sim.config.PolicyConfig`), in its declaration order."""
    out = []
    for row in field_table():
        if not row["field"].startswith("policy."):
            continue
        default = row["default"]
        kind = ("choice" if row["choices"] else "switch" if isinstance(default, bool)
                else "integer" if isinstance(default, int) else "number")
        out.append(Lever(row["field"], kind, row["low"], row["high"], row["choices"], row["unit"]))
    return out


def lever_values(lever: Lever, points: int = POINTS) -> tuple:
    """The lever's values: ``points`` evenly spaced from its low to its high bound (whole-number levers rounded,
    repeats dropped), off and on for an on/off lever, its choices for a choice."""
    if lever.kind == "switch":
        return (False, True)
    if lever.kind == "choice":
        return tuple(lever.choices)
    grid = np.linspace(lever.low, lever.high, points)
    if lever.kind == "integer":
        return tuple(dict.fromkeys(round(float(v)) for v in grid))
    return tuple(float(v) for v in grid)


def arm_name(scenario: str, lever: str, value: Any) -> str:
    return f"{scenario}/{lever}={value}"


def default_arm(scenario: str) -> str:
    return f"{scenario}/default"


def design(scenarios=SCENARIOS, overrides: list[str] | tuple[str, ...] = (),
           points: int = POINTS) -> tuple[dict[str, Config], pd.DataFrame]:
    """The arms and a table of them: per scenario its own config (the default arm) and each lever at each value
    (plus the scenario's own value where the grid lacks it).  The plan has one row per scenario, lever and value:
    ``scenario``, ``lever``, ``kind``, ``unit``, ``value``, ``is_default`` (the scenario's value), ``arm``
    (the default arm for the scenario's value, so it is run once for every lever)."""
    arms, rows = {}, []
    for scenario in scenarios:
        base = sim.load_config(scenario, list(overrides))
        base.name = default_arm(scenario)
        arms[base.name] = base
        for lever in levers():
            current = get_field(base, lever.field)
            values = list(lever_values(lever, points))
            if current not in values:
                values.append(current)
                if lever.kind in ("number", "integer"):
                    values.sort()
            for value in values:
                is_default = value == current
                arm = base.name if is_default else arm_name(scenario, lever.field, value)
                if not is_default:
                    arms[arm] = with_lever(base, lever.field, value, arm)
                rows.append({"scenario": scenario, "lever": lever.field, "kind": lever.kind, "unit": lever.unit,
                             "value": value, "is_default": is_default, "arm": arm})
    return arms, pd.DataFrame(rows)


def outcome_column(columns, name: str) -> tuple[str, str]:
    """The summary column read for the table's outcome ``name`` and a note ("" when it is the outcome itself):
    ``name``; else the first column that starts with ``name`` (``nrr_annual_base``); else its
    :data:`FALLBACKS` entry."""
    columns = list(columns)
    if name in columns:
        return name, ""
    longer = sorted((c for c in columns if c.startswith(name)), key=len)
    if longer:
        return longer[0], ""
    fallback = FALLBACKS.get(name)
    if fallback is not None and fallback in columns:
        return fallback, (f"{outcome(name).label} (`{name}`) is not in the run summary yet: the column shows "
                          f"`{fallback}` ({outcome(fallback).label})")
    return name, f"{outcome(name).label} (`{name}`) is not in the run summary"


def measure(batch: ArmRuns, plan: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per scenario, lever and value: each outcome's mean, 95 % CI and runs, the paired difference of
    revenue from the scenario's value (EUR and share of the default's mean) and whether every value of the lever
    gave the same runs (``inert``); and the outcome -> column map with notes."""
    columns = {name: outcome_column(batch.runs.columns, name) for name in OUTCOMES}
    rows = []
    for row in plan.itertuples():
        out = {"scenario": row.scenario, "lever": row.lever, "kind": row.kind, "unit": row.unit,
               "value": row.value, "is_default": row.is_default, "arm": row.arm}
        for name, (column, _) in columns.items():
            values = batch.values(row.arm, column).to_numpy() if column in batch.runs.columns else np.full(
                batch.replicates, np.nan)
            ci = mean_ci(values, bounds=outcome(column).bounds)
            out.update({f"{name}_mean": ci.mean, f"{name}_low": ci.low, f"{name}_high": ci.high, f"{name}_n": ci.n})
        revenue = columns[OUTCOMES[0]][0]
        if revenue in batch.runs.columns:
            d = paired(batch.values(default_arm(row.scenario), revenue).to_numpy(),
                       batch.values(row.arm, revenue).to_numpy())
            out.update({"revenue_difference": d.difference, "revenue_difference_low": d.low,
                        "revenue_difference_high": d.high, "revenue_relative": d.relative,
                        "revenue_relative_low": d.low / d.baseline_mean if d.baseline_mean else np.nan,
                        "revenue_relative_high": d.high / d.baseline_mean if d.baseline_mean else np.nan,
                        "pairs": d.n})
        rows.append(out)
    frame = pd.DataFrame(rows)
    frame["inert"] = False
    summary_columns = [c for c in batch.runs.columns if c not in ("arm", "replicate", "seed")]
    for (scenario, lever), group in plan.groupby(["scenario", "lever"], sort=False):
        tables = [batch.arm(arm)[summary_columns].to_numpy(float) for arm in group["arm"]]
        same = all(t.shape == tables[0].shape and np.array_equal(t, tables[0], equal_nan=True) for t in tables)
        frame.loc[(frame["scenario"] == scenario) & (frame["lever"] == lever), "inert"] = same and len(tables) > 1
    return frame, {name: note for name, (_, note) in columns.items()}


def _interval(name: str, mean: float, low: float, high: float, n: int) -> str:
    spec = outcome(name)
    if not np.isfinite(mean):
        return "n/a"
    if not np.isfinite(low):
        return f"{spec.format(mean)} [n/a: {n} run(s)]"
    return f"{spec.format(mean)} [{spec.format(low)}, {spec.format(high)}]"


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def section_markdown(frame: pd.DataFrame, notes: dict[str, str], batch: ArmRuns, arms: dict[str, Config],
                     cmd: str, seed: int, figures: str = f"experiments/results/{STUDY}") -> str:
    """The dose-response section in Markdown: one table per scenario, one row per lever and value."""
    columns = {name: outcome_column(batch.runs.columns, name)[0] for name in OUTCOMES}
    cfg = next(iter(arms.values()))
    n_rows = len(frame)
    lines = [(
        f"Every policy lever of the schema at {POINTS} values evenly spaced over its allowed range (whole numbers "
        f"rounded; on/off levers off and on; choices each choice), plus the scenario's own value (**bold**, "
        f"\"default\") where the grid lacks it; {batch.replicates} paired seeds per arm (seed root {seed}), "
        f"{cfg.market.accounts:,} accounts, {cfg.weeks} weeks. Mean [95 % CI] over seeds; \"vs default\" is the "
        f"paired difference in revenue from the scenario's value, as a share of its mean. Generated by `{cmd}`: "
        f"{n_rows} rows, {len(arms)} arms x {batch.replicates} seeds = {len(arms) * batch.replicates} runs "
        f"({batch.executed} computed, arms with equal configs share runs), {len(batch.failures)} failed, "
        f"{batch.seconds / 60:.1f} min wall time. Figures: `{figures}/<scenario>.png`."), ""]
    for name, note in notes.items():
        if note:
            lines += [f"*Note*: {note}.", ""]
    labels = [outcome(columns[name]).axis_label for name in OUTCOMES]
    for scenario, group in frame.groupby("scenario", sort=False):
        lines += [f"**{scenario}**", "", "| lever | value | " + " | ".join(labels) + " | revenue vs default | runs |",
                  "|---|---|" + "---|" * len(OUTCOMES) + "---|---|"]
        for row in group.to_dict("records"):
            value = _shown_value(row["value"])
            value = f"**{value}** (default)" if row["is_default"] else value
            cells = [_interval(columns[name], row[f"{name}_mean"], row[f"{name}_low"], row[f"{name}_high"],
                               row[f"{name}_n"]) for name in OUTCOMES]
            if row["is_default"]:
                versus = "-"
            elif np.isfinite(row.get("revenue_relative_low", np.nan)):
                versus = (f"{100 * row['revenue_relative']:+.1f} % [{100 * row['revenue_relative_low']:+.1f}, "
                          f"{100 * row['revenue_relative_high']:+.1f}]")
            else:
                versus = "n/a"
            lever = f"`{row['lever']}`" + (" (no effect here: every value gives the same runs)"
                                           if row["inert"] else "")
            lines.append(f"| {lever} ({row['unit']}) | {value} | " + " | ".join(cells)
                         + f" | {versus} | {row[f'{OUTCOMES[0]}_n']} |")
        lines.append("")
    failed = failures_markdown(batch.failures)
    if failed:
        lines += [failed]
    return "\n".join(lines).rstrip()


def plot_scenario(frame: pd.DataFrame, scenario: str, revenue_column: str, replicates: int, path=None):
    """Small multiples for one scenario: one panel per lever, revenue against the lever's value with its 95 % CI
    band (error bars for on/off and choice levers), the scenario's value marked.  Saves to ``path`` when given;
    returns the figure (not registered with pyplot)."""
    from matplotlib.figure import Figure

    group = frame[frame["scenario"] == scenario]
    names = list(dict.fromkeys(group["lever"]))
    ncols = 5
    nrows = -(-len(names) // ncols)
    fig = Figure(figsize=(3.2 * ncols, 2.6 * nrows + 0.8), constrained_layout=True)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    spec = outcome(revenue_column)
    key = OUTCOMES[0]
    for i, (ax, name) in enumerate(zip(axes.flat, names)):
        g = group[group["lever"] == name]
        mean, low, high = (spec.display(g[f"{key}_{part}"].to_numpy(float)) for part in ("mean", "low", "high"))
        numeric = g["kind"].iloc[0] in ("number", "integer")
        x = g["value"].to_numpy(float) if numeric else np.arange(len(g))
        if numeric:
            ax.plot(x, mean, marker="o", color="C0", label="mean")
            ax.fill_between(x, low, high, color="C0", alpha=0.2, label="95 % CI")
        else:
            ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="o", color="C0", capsize=3,
                        label="mean, 95 % CI")
            ax.set_xticks(x, [_shown_value(v) for v in g["value"]], rotation=20, fontsize=7)
            ax.set_xlim(-0.5, len(g) - 0.5)
        d = g["is_default"].to_numpy(bool)
        ax.plot(x[d], mean[d], marker="*", markersize=13, color="C3", linestyle="none", label="scenario's value")
        ax.set_title(name.removeprefix("policy."), fontsize=9)
        ax.set_xlabel(g["unit"].iloc[0] or "value", fontsize=8)
        if i % ncols == 0:
            ax.set_ylabel(spec.axis_label, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower right", fontsize=8)
    fig.suptitle(f"Dose-response of {spec.label.lower()} to each policy lever: {scenario} "
                 f"({replicates} paired seeds per value, mean and 95 % CI)")
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def _shown_path(path: Path) -> str:
    """``path`` relative to the repository (or the working directory) when it lies inside, else as it is."""
    for root in (DOC.parents[1], Path.cwd()):
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    p = argparse.ArgumentParser(prog="python -m sim.studies.dose_response", description=__doc__.splitlines()[0])
    add_common_arguments(p, SEEDS, "--seeds")
    args = p.parse_args(argv)
    try:
        arms, plan = design(SCENARIOS, args.override)
        batch = run_arms(arms, args.replicates, args.seed, args.n_jobs, desc="dose-response",
                         progress=not args.no_progress)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    frame, notes = measure(batch, plan)
    variant = variant_name(args.replicates, SEEDS, args.seed, args.override)
    out = output_folder(STUDY, variant)
    save_batch(out, {"table.csv": frame}, batch)
    revenue = outcome_column(batch.runs.columns, OUTCOMES[0])[0]
    for scenario in SCENARIOS:
        plot_scenario(frame, scenario, revenue, batch.replicates, out / f"{scenario}.png")
    text = section_markdown(frame, notes, batch, arms, command("python -m sim.studies.dose_response", argv),
                            args.seed, _shown_path(out))
    publish(text, out, STUDY, args.doc, variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
