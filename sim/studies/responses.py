"""The response table: arc elasticities of revenue, new-business revenue, gross margin and customers won to five
business levers, at -50 %, -10 %, +10 % and +50 % of their default, beside published figures.

Every arm runs on the same spawned seeds (common random numbers, :func:`sim.runner.replicate_seeds` on the
published table's seed root), so each replicate gives one paired arc elasticity per step (:func:`arc_elasticity`);
the table shows the mean with its 95 % CI over replicates, whether the response saturates (the +50 % elasticity
below the +10 % one, paired over replicates) and whether it is symmetric (the -50 % and +50 % elasticities
compared the same way).  Run with::

    python -m sim.studies.responses [--replicates 20] [--n-jobs N] [--override KEY=VALUE ...]

The published settings (20 replicates, seed root 1, no override) write ``experiments/results/responses/`` and
the ``responses`` section of ``docs/validation.md``; any variant writes ``outputs/studies/<variant>/results/
responses/`` and touches no document unless ``--doc`` names one.

This module also holds the run machinery the one-lever studies share (:mod:`sim.studies.dose_response` uses it):
:func:`run_arms` runs named configs on common random numbers with joblib and a tqdm bar, runs an identical config
(:func:`sim.studies.execution.run_key`) once for every arm that has it, and records a run that fails instead of
stopping the study.
"""

from __future__ import annotations

import argparse
import copy
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.config import Config, ConfigError
from sim.levers import set_lever
from sim.outcomes import outcome
from sim.runner import check_batch, replicate_seeds, run
from sim.stats import mean_ci
from sim.studies import results_dir, scratch_dir, seeds
from sim.studies.execution import run_key
from sim.studies.markers import splice_if_marked

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
"""The document whose marked sections the one-lever studies regenerate."""


@dataclass(frozen=True)
class Response:
    """One lever of the table: the field, its label, and what the literature says about the response of sales."""

    lever: str
    label: str
    published: str
    """The published elasticity of sales (revenue) or why there is none, short enough for a table cell: shown on
    the revenue and new-business revenue rows."""
    source: str
    """Where the published figure comes from (authors, year, venue)."""
    published_volume: str = ""
    """The published elasticity of sales volume, shown on the customers-won row (price: the volume elasticity)."""


RESPONSES = (
    Response("marketing.weekly_budget", "Marketing budget", "0.12 short-run, 0.24 long-run (typical 0.05-0.35)",
             "advertising elasticity of sales, meta-analysis: Sethuraman, Tellis & Briesch (2011), JMR 48(3)"),
    Response("sales.reps", "Sales headcount", "0.34",
             "personal-selling elasticity of sales, meta-analysis: Albers, Mantrala & Sridhar (2010), JMR 47(5)"),
    Response("operations.staff", "Operations headcount", "none published", "no elasticity published for this "
             "setting"),
    Response("market.list_price", "List price", "-1.62 (-0.76): 1 + the volume elasticity",
             "price elasticity of sales volume, meta-analyses: Bijmolt, van Heerde & Pieters (2005), JMR 42(2) "
             "(-2.62); Tellis (1988), JMR 25(4) (-1.76); mostly consumer goods, B2B software usually lower in "
             "magnitude", published_volume="-2.62 (-1.76)"),
    Response("policy.max_discount", "Discount authority", "none; inverted U on margin",
             "no elasticity published; an inverted U of discount authority on gross margin: Stephenson, Cron & "
             "Frazier (1979), J. Marketing 43(2)"),
)
STEPS = (0.5, 0.9, 1.1, 1.5)
"""Each lever's values as multiples of its default (-50 %, -10 %, +10 %, +50 %); whole-number fields are rounded,
and the elasticity uses the rounded value."""
NEW_BUSINESS = "new_business_revenue"
"""The table's name for revenue from customers won during the run (see :func:`new_business_revenue`)."""
OUTCOMES = ("revenue_total", NEW_BUSINESS, "gross_margin_total", "customers_won")
"""The outcomes whose elasticities the table shows, in this order."""
SCENARIOS = ("hundred_years_war", "full_alignment")
NEW_BUSINESS_COLUMNS = ("new_business_revenue_total", "revenue_new_business_total", "revenue_new_business",
                        "new_business_revenue", "won_customer_revenue_total", "revenue_won_total")
"""Summary columns that hold revenue from customers won during the run, in order of preference; a summary
column whose name holds both "new_business" and "revenue" is taken too (the installed-base split names it)."""
UNAVAILABLE = ("not available: the run summary has no revenue from customers won during the run (the installed "
               "base / new business split of the revenue)")


def new_business_column(columns) -> str | None:
    """The column of a run summary (or per-run table) that holds revenue from customers won during the run: one of
    :data:`NEW_BUSINESS_COLUMNS`, else the first column whose name holds "new_business" and "revenue"; None when
    the summary has none (``new_customer_revenue_total`` is first-year revenue only, not the split)."""
    columns = list(columns)
    for name in NEW_BUSINESS_COLUMNS:
        if name in columns:
            return name
    found = sorted(c for c in columns if "new_business" in c and "revenue" in c and not c.endswith("_share"))
    return found[0] if found else None


def new_business_revenue(summary: pd.Series | pd.DataFrame):
    """Revenue from customers won during the run, from a run's summary (a Series: a number) or a per-run table (a
    DataFrame: a Series); None when the summary has no such column (the table then says it is not available)."""
    column = new_business_column(summary.index if isinstance(summary, pd.Series) else summary.columns)
    return None if column is None else summary[column]


def outcome_column(runs: pd.DataFrame, name: str) -> str | None:
    """The per-run column of the table's outcome ``name`` (:data:`NEW_BUSINESS`: the column
    :func:`new_business_revenue` reads); None when the runs do not have it."""
    if name == NEW_BUSINESS:
        return new_business_column(runs.columns)
    return name if name in runs.columns else None


def outcome_label(name: str) -> str:
    if name == NEW_BUSINESS:
        return "New-business revenue"
    return outcome(name).label


def arc_elasticity(y0, y1, x0, x1):
    """The arc elasticity of ``y`` to ``x`` between two points, in logarithms:
    ``ln(y1 / y0) / ln(x1 / x0)``.

    It is the elasticity of the constant-elasticity curve ``y = a x^e`` through both points, the form of the
    log-log sales-response models the published meta-analyses pool (Sethuraman, Tellis & Briesch 2011; Albers,
    Mantrala & Sridhar 2010; Bijmolt, van Heerde & Pieters 2005), so a response that keeps a constant elasticity
    gives the same value at every step and in both directions: a +50 % value below the +10 % one is saturation,
    a -50 % value different from the +50 % one is asymmetry.  It is symmetric in the two points and equals the
    midpoint arc elasticity ``(dy / mean y) / (dx / mean x)`` to first order (within 1.5 % at +-50 % for
    elasticities in 0-1).  NaN where a ``y`` is not positive or ``x1 = x0``; works on arrays element by element.
    """
    y0, y1 = np.asarray(y0, dtype=float), np.asarray(y1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = np.log(np.asarray(x1, dtype=float) / np.asarray(x0, dtype=float))
        dy = np.where((y0 > 0) & (y1 > 0), np.log(np.where(y0 > 0, y1, 1.0) / np.where(y0 > 0, y0, 1.0)), np.nan)
        out = np.where(dx != 0, dy / np.where(dx != 0, dx, 1.0), np.nan)
    return out if out.ndim else float(out)


def stepped(value: Any, step: float) -> Any:
    """The lever's value at ``step`` times its default: ``value x step``, rounded for whole-number fields."""
    if isinstance(value, bool):
        raise ConfigError(f"an on/off lever ({value!r}) has no multiple")
    return round(value * step) if isinstance(value, int) else value * step


def get_field(cfg: Config, dotted: str) -> Any:
    node = cfg
    for name in dotted.split("."):
        node = getattr(node, name)
    return node


def with_lever(cfg: Config, lever: str, value: Any, name: str) -> Config:
    """A validated copy of ``cfg`` with ``lever`` set to ``value``, named ``name`` (``cfg`` is not changed)."""
    from sim.config import validate

    out = copy.deepcopy(cfg)
    set_lever(out, lever, value)
    out.name = name
    return validate(out)


# -- running arms ------------------------------------------------------------------------------------------------

@dataclass
class ArmRuns:
    """The runs of a set of named arms on common random numbers.

    Attributes:
        runs: one row per arm and replicate that finished: ``arm``, ``replicate``, ``seed``, then the run summary.
        failures: one row per run that raised: ``arm``, ``replicate``, ``seed``, ``error``.
        executed: runs actually computed (arms with the same config share theirs).
        seconds: wall time of the batch.
    """

    runs: pd.DataFrame
    failures: pd.DataFrame
    executed: int
    seconds: float
    replicates: int
    seeds: list[int] = field(default_factory=list)
    _by_arm: dict | None = field(default=None, repr=False, compare=False)

    def arm(self, arm: str) -> pd.DataFrame:
        """The arm's runs, one row per replicate 0..n-1 (NaN where its run failed)."""
        if self._by_arm is None:
            self._by_arm = {name: rows.set_index("replicate").reindex(range(self.replicates))
                            for name, rows in self.runs.groupby("arm", sort=False)}
        found = self._by_arm.get(arm)
        return found if found is not None else pd.DataFrame(index=range(self.replicates),
                                                            columns=self.runs.columns.drop("replicate"))

    def values(self, arm: str, column: str) -> pd.Series:
        """The arm's values of a summary column by replicate 0..n-1 (NaN where its run failed)."""
        return self.arm(arm)[column].astype(float)


def _attempt(cfg: Config, seed: int) -> tuple[dict | None, str]:
    """One run's summary as a dict, or None and the error it raised (a failed run is recorded, not fatal)."""
    try:
        return run(cfg, seed, progress=False).summary.to_dict(), ""
    except Exception as err:  # noqa: BLE001 -- any fault of one run is reported with the study, not fatal
        return None, f"{type(err).__name__}: {err}"


def run_arms(arms: dict[str, Config], replicates: int, seed: int, n_jobs: int = 1, desc: str = "runs",
             progress: bool = True) -> ArmRuns:
    """Run every arm ``replicates`` times on the seeds spawned from ``seed`` (common random numbers: replicate k of
    every arm has the same seed, the same seeds :func:`sim.runner.run_replicates` gives), in parallel with joblib
    when ``n_jobs`` is not 1, with a tqdm bar over the runs.  Arms whose configs are equal
    (:func:`~sim.studies.execution.run_key`) are run once and share the rows.  A run that raises is recorded in
    ``failures`` and the batch goes on.

    Raises:
        ConfigError: bad replicates, seed or n_jobs, an invalid arm, or a batch too big for the memory, before any
            run (:func:`sim.runner.check_batch`).
    """
    from tqdm.auto import tqdm

    check_batch(list(arms.values()), replicates, seed, n_jobs)
    spawned = replicate_seeds(seed, replicates)
    keys = {name: run_key(cfg) for name, cfg in arms.items()}
    unique = {}
    for name, cfg in arms.items():
        unique.setdefault(keys[name], cfg)
    tasks = [(key, k, s) for key in unique for k, s in enumerate(spawned)]
    start = time.perf_counter()
    if n_jobs == 1:
        outputs = (_attempt(unique[key], s) for key, _, s in tasks)
    else:
        from joblib import Parallel, delayed

        outputs = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_attempt)(unique[key], s)
                                                                  for key, _, s in tasks)
    done = {}
    for task, result in zip(tasks, tqdm(outputs, total=len(tasks), unit="run", desc=desc, disable=not progress)):
        done[task[:2]] = result
    rows, failed = [], []
    for name, key in keys.items():
        for k, s in enumerate(spawned):
            summary, error = done[(key, k)]
            if summary is None:
                failed.append({"arm": name, "replicate": k, "seed": s, "error": error})
            else:
                rows.append({"arm": name, "replicate": k, "seed": s, **summary})
    runs = pd.DataFrame(rows, columns=None if rows else ["arm", "replicate", "seed"])
    failures = pd.DataFrame(failed, columns=["arm", "replicate", "seed", "error"])
    return ArmRuns(runs.astype({"seed": "uint64"}), failures.astype({"seed": "uint64"}), len(tasks),
                   time.perf_counter() - start, replicates, spawned)


def failures_markdown(failures: pd.DataFrame, limit: int = 20) -> str:
    """The failed runs, one line each (the first ``limit``), or "" when none failed."""
    if failures.empty:
        return ""
    lines = [f"**{len(failures)} run(s) failed** and are left out of the means (pairs need both runs):", ""]
    for row in failures.head(limit).itertuples():
        lines.append(f"- `{row.arm}`, replicate {row.replicate} (seed {row.seed}): {row.error}")
    if len(failures) > limit:
        lines.append(f"- ... and {len(failures) - limit} more (all in `failures.csv`)")
    return "\n".join(lines)


def command(prog: str, argv: list[str]) -> str:
    """The shell command that regenerates a table: ``prog`` and its arguments."""
    return " ".join([prog, *(shlex.quote(a) for a in argv)])


def variant_name(replicates: int, published_replicates: int, seed: int, overrides: list[str]) -> str:
    """"" for the published settings, else a folder name naming what differs (replicates, seed root, overrides)."""
    parts = []
    if replicates != published_replicates:
        parts.append(f"replicates-{replicates}")
    if seed != seeds.PUBLISHED_TABLE:
        parts.append(f"seed-{seed}")
    if overrides:
        parts.append("overrides-" + "-".join(o.replace("=", "_").replace(".", "_").replace("/", "_")
                                             for o in overrides))
    return "-".join(parts)


def output_folder(study: str, variant: str) -> Path:
    """``experiments/results/<study>`` for the published settings, ``outputs/studies/<variant>/results/<study>``
    for a variant (a variant never overwrites the committed results)."""
    return (results_dir() if not variant else scratch_dir(variant)) / study


def save_batch(out: Path, tables: dict[str, pd.DataFrame], batch: ArmRuns) -> None:
    """Write a study's ``tables`` (file name -> table) and the batch's runs and failures as CSV into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out / name, index=False)
    batch.runs.to_csv(out / "runs.csv", index=False)
    batch.failures.to_csv(out / "failures.csv", index=False)


def publish(text: str, out: Path, marker: str, doc: Path | None, variant: str) -> None:
    """Write the generated section ``text`` to ``out/table.md``, splice it between the ``marker`` markers of
    ``doc`` (default :data:`DOC` for the published settings, none for a variant) and print it."""
    (out / "table.md").write_text(text + "\n")
    doc = doc if doc is not None else (None if variant else DOC)
    if doc is not None:
        splice_if_marked(Path(doc), marker, text)
    print(text)
    print(f"\nwritten to {out}" + (f" and {doc}" if doc is not None else ""))


def add_common_arguments(p: argparse.ArgumentParser, replicates: int, name: str = "--replicates") -> None:
    p.add_argument(name, type=int, default=replicates, dest="replicates",
                   help=f"paired replicates (seeds) per arm (default {replicates})")
    p.add_argument("--n-jobs", type=int, default=1, help="joblib worker processes (-1 = all cores; default 1)")
    p.add_argument("--seed", type=int, default=seeds.PUBLISHED_TABLE,
                   help=f"root seed of the replicates (default {seeds.PUBLISHED_TABLE}, the published table's)")
    p.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                   help="a config override applied to every arm, e.g. market.accounts=2000 weeks=52 (repeatable); "
                        "a variant: results go to outputs/studies/ and no document is written unless --doc")
    p.add_argument("--doc", type=Path, default=None,
                   help="document whose marked section is rewritten (default docs/validation.md for the published "
                        "settings, none for a variant)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


# -- the response study ------------------------------------------------------------------------------------------

def default_arm(scenario: str) -> str:
    return f"{scenario}/default"


def step_arm(scenario: str, lever: str, step: float) -> str:
    return f"{scenario}/{lever}x{step:g}"


def design(scenarios=SCENARIOS, overrides: list[str] | tuple[str, ...] = (),
           responses=RESPONSES, steps=STEPS) -> tuple[dict[str, Config], pd.DataFrame]:
    """The arms: per scenario its default and each lever at each step; and a table of them (scenario, lever, step,
    arm, value, default value).

    ``overrides`` apply to every arm (a small market, a short horizon); the lever is set after them."""
    arms, rows = {}, []
    for scenario in scenarios:
        base = sim.load_config(scenario, list(overrides))
        base.name = default_arm(scenario)
        arms[base.name] = copy.deepcopy(base)
        for r in responses:
            x0 = get_field(base, r.lever)
            for step in steps:
                arm = step_arm(scenario, r.lever, step)
                x1 = stepped(x0, step)
                arms[arm] = with_lever(base, r.lever, x1, arm)
                rows.append({"scenario": scenario, "lever": r.lever, "step": step, "arm": arm, "default": x0,
                             "value": x1})
    return arms, pd.DataFrame(rows)


def _paired_difference(a: np.ndarray, b: np.ndarray):
    d = b - a
    return mean_ci(d[~np.isnan(d)])


def measure(batch: ArmRuns, plan: pd.DataFrame, responses=RESPONSES) -> pd.DataFrame:
    """One row per scenario, lever, outcome and step: the elasticity's mean, 95 % CI and replicates, the arm
    means behind it; plus per scenario, lever and outcome the saturation ``e(+50 %) - e(+10 %)`` and the
    asymmetry ``e(+50 %) - e(-50 %)`` (paired over replicates) as rows with ``step`` "saturation" and
    "asymmetry"."""
    label = {r.lever: r for r in responses}
    rows = []
    for (scenario, lever), group in plan.groupby(["scenario", "lever"], sort=False):
        base_arm = default_arm(scenario)
        for name in OUTCOMES:
            column = outcome_column(batch.runs, name)
            common = {"scenario": scenario, "lever": lever, "label": label[lever].label, "outcome": name,
                      "published": label[lever].published, "default": group["default"].iloc[0]}
            if column is None:
                rows.append({**common, "step": np.nan, "value": np.nan, "available": False})
                continue
            y0 = batch.values(base_arm, column).to_numpy()
            per_step = {}
            for r in group.itertuples():
                y1 = batch.values(r.arm, column).to_numpy()
                e = arc_elasticity(y0, y1, r.default, r.value)
                per_step[r.step] = e
                ci = mean_ci(e)
                rows.append({**common, "step": r.step, "value": r.value, "available": True,
                             "default_mean": np.nanmean(y0) if np.isfinite(y0).any() else np.nan,
                             "value_mean": np.nanmean(y1) if np.isfinite(y1).any() else np.nan,
                             "elasticity": ci.mean, "ci_low": ci.low, "ci_high": ci.high, "replicates": ci.n})
            for kind, (lo, hi) in (("saturation", (1.1, 1.5)), ("asymmetry", (0.5, 1.5))):
                if lo in per_step and hi in per_step:
                    ci = _paired_difference(per_step[lo], per_step[hi])
                    rows.append({**common, "step": kind, "value": np.nan, "available": True,
                                 "elasticity": ci.mean, "ci_low": ci.low, "ci_high": ci.high, "replicates": ci.n})
    return pd.DataFrame(rows)


def _cell(row) -> str:
    if not np.isfinite(row["elasticity"]):
        return "n/a"
    if not np.isfinite(row["ci_low"]):
        return f"{row['elasticity']:+.2f} [n/a: {int(row['replicates'])} pair(s)]"
    return f"{row['elasticity']:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"


def _reading(row, word) -> str:
    """The difference with its CI and what it says, or "n/a" when it could not be computed."""
    return f"{_cell(row)} {word(row)}" if np.isfinite(row["ci_low"]) else _cell(row)


def saturation_word(row) -> str:
    """Reading of ``e(+50 %) - e(+10 %)``: below 0 (CI) the response saturates, above 0 it steepens."""
    if not np.isfinite(row["ci_low"]):
        return "n/a"
    return "saturates" if row["ci_high"] < 0 else "steepens" if row["ci_low"] > 0 else "n.s."


def asymmetry_word(row) -> str:
    """Reading of ``e(+50 %) - e(-50 %)``: below 0 (CI) a cut moves the outcome more than a rise, above 0 less."""
    if not np.isfinite(row["ci_low"]):
        return "n/a"
    return "cut moves more" if row["ci_high"] < 0 else "rise moves more" if row["ci_low"] > 0 else "symmetric (n.s.)"


def _value(x) -> str:
    return f"{x:g}" if isinstance(x, (int, float, np.floating, np.integer)) else str(x)


def table_markdown(frame: pd.DataFrame, batch: ArmRuns, plan: pd.DataFrame, arms: dict[str, Config], cmd: str,
                   seed: int, responses=RESPONSES) -> str:
    """The response section in Markdown, every number from ``frame``."""
    label_of = {r.lever: r for r in responses}
    any_cfg = next(iter(arms.values()))
    n_arms = len(arms)
    lines = [(
        f"Log arc elasticities `ln(y1/y0) / ln(x1/x0)` (`sim.studies.responses.arc_elasticity`) over "
        f"{batch.replicates} paired replicates (seed root {seed}), {any_cfg.market.accounts:,} accounts, "
        f"{any_cfg.weeks} weeks; mean [95 % CI] over replicates. Each lever at -50 %, -10 %, +10 %, +50 % of the "
        f"scenario's value (whole numbers rounded; the elasticity uses the rounded value). **Saturation** is "
        f"e(+50 %) - e(+10 %) paired over replicates (below 0: the response saturates); **asymmetry** is "
        f"e(+50 %) - e(-50 %) (0 for a constant-elasticity response). Generated by `{cmd}`: {n_arms} arms "
        f"({len(plan['scenario'].unique())} scenarios x (1 default + {len(responses)} levers x "
        f"{len(plan['step'].unique())} steps)) x {batch.replicates} replicates = {n_arms * batch.replicates} runs "
        f"({batch.executed} computed, arms with equal configs share runs), {len(batch.failures)} failed, "
        f"{batch.seconds / 60:.1f} min wall time."), ""]
    nb = frame[frame["outcome"] == NEW_BUSINESS]
    if not nb.empty and not nb["available"].any():
        lines += [f"New-business revenue: {UNAVAILABLE}.", ""]
    head = "| lever (scenario's value: -50 % / -10 % / +10 % / +50 %) | scenario | outcome | -50 % | -10 % | +10 % | " \
           "+50 % | saturation | asymmetry | published |"
    lines += [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for (scenario, lever), group in frame.groupby(["scenario", "lever"], sort=False):
        values = plan[(plan["scenario"] == scenario) & (plan["lever"] == lever)]
        first = group.iloc[0]
        lever_cell = (f"{first['label']} (`{lever}`: {_value(first['default'])}: "
                      + " / ".join(_value(v) for v in values["value"]) + ")")
        for name in OUTCOMES:
            g = group[group["outcome"] == name]
            published = (first["published"] if name in ("revenue_total", NEW_BUSINESS)
                         else label_of[lever].published_volume if name == "customers_won" else "")
            if g.empty or not g["available"].iloc[0]:
                cells = ["n/a"] * 6
            else:
                by = g.set_index(g["step"].astype(str))
                cells = [_cell(by.loc[str(s)]) if str(s) in by.index else "n/a" for s in STEPS]
                sat, asym = by.loc["saturation"], by.loc["asymmetry"]
                cells += [_reading(sat, saturation_word), _reading(asym, asymmetry_word)]
            lines.append(f"| {lever_cell} | {scenario} | {outcome_label(name)} | " + " | ".join(cells)
                         + f" | {published} |")
    lines += ["", "Published figures: " + "; ".join(f"{r.label}: {r.source}" for r in responses) + "."]
    failed = failures_markdown(batch.failures)
    if failed:
        lines += ["", failed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    p = argparse.ArgumentParser(prog="python -m sim.studies.responses", description=__doc__.splitlines()[0])
    add_common_arguments(p, 20)
    args = p.parse_args(argv)
    try:
        arms, plan = design(SCENARIOS, args.override)
        batch = run_arms(arms, args.replicates, args.seed, args.n_jobs, desc="responses",
                         progress=not args.no_progress)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    frame = measure(batch, plan)
    variant = variant_name(args.replicates, 20, args.seed, args.override)
    out = output_folder("responses", variant)
    save_batch(out, {"elasticities.csv": frame}, batch)
    text = table_markdown(frame, batch, plan, arms, command("python -m sim.studies.responses", argv), args.seed)
    publish(text, out, "responses", args.doc, variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
