"""The alignment instrument studied as an instrument (issue 19, item 5): is its reading reliable, and is it valid?

This is a study of the *observation model* (:mod:`sim.alignment`: Goldman's stage 1-5 and the KRK score 20-100),
not a claim study: it asks how far the reading can be trusted, not what the firm does.

- **Reliability** (:func:`reliability`): the same policy run on many seeds.  Per preset, the share of runs whose
  end stage is the modal one (with its Wilson interval) and the *flicker*: week-to-week changes of the stage in the
  run's last year (changes per year).  Both are read from the same runs at each hold of :data:`HOLDS`, from the
  weekly read (``alignment_stage_raw``, a hold of one week: before the hysteresis) to the held stage the model
  reports (``alignment_stage``, ``instrument.stage_hold_weeks``: after it), recomputed with
  :func:`~sim.alignment.held_stages`: the instrument never changes what the model does, so one run gives all.
- **Validity** (:func:`validity`): random policy mixes from a Latin hypercube over every lever of
  :class:`~sim.config.PolicyConfig` (each within its declared range; a switch is on in the upper half of its
  axis, a scheme takes the share of the axis its rank gives), each on :data:`MIX_SEEDS` seeds.  Spearman rank
  correlations of the end stage and the KRK score with the run's revenue, net revenue retention, end trust and
  blame events per year, with percentile intervals from a bootstrap that resamples policy mixes (the runs of one
  mix share its policy, so they are not independent draws).  :func:`lever_tracking` puts beside them each lever's
  rank correlation with the stage and with revenue: a stage that follows a lever the outcomes do not follow
  reads the setting, not its consequence.
- **Named cases** (:func:`cases`): the cases issue 19 names, full alignment with one setting moved, each paired by
  seed with full alignment itself.  A case's stage move (its paired interval excluding 0) *tracks the setting*
  when neither revenue nor net revenue
  retention moves the same way with a paired 95 % interval that excludes 0, *overstates the move* when revenue
  does but by a far smaller share of its range than the stage's share of its scale, and is *backed by outcomes*
  otherwise (:func:`case_verdict`).

``python -m sim.studies.instrument`` runs the parts (``--part presets|mixes|cases``, each under a few minutes on
one core, so they can be run one at a time), stores each part's runs under ``experiments/instrument/``, and
``--part report`` writes the tables and the generated section of ``docs/odd.md`` (between the
``instrument_validity`` markers) from the stored runs; ``--part all`` does everything.  Cost of the stored run,
measured: 304 runs in about 4 minutes of wall time on one worker (presets 1.0, cases 0.8, mixes 2.2 min, on two
cores shared with other work; the report about 10 s), written into the generated section from ``runs_meta.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

import sim
from sim.alignment import held_stages
from sim.config import InstrumentConfig, PolicyConfig
from sim.market import WEEKS_PER_YEAR
from sim.runner import replicate_seeds
from sim.stats import paired
from sim.studies.markers import splice_if_marked
from sim.studies.seeds import INSTRUMENT

PRESETS = ("goldman_1_us_vs_them", "goldman_2_friendly_role_play", "goldman_3_cooperative_efforts",
           "goldman_4_collaboration", "goldman_5_full_alignment", "hundred_years_war", "full_alignment")
"""The presets whose reliability is measured."""
PRESET_SEEDS = 8
"""Seeds per preset (and per named case)."""
PRESET_OVERRIDES = ()
"""Presets and named cases run at the default market (20,000 accounts) and horizon (156 weeks): the size at which
issue 19 saw the stage flicker."""
MIXES = 100
"""Latin-hypercube policy mixes of the validity part."""
MIX_SEEDS = 2
"""Seeds per policy mix."""
MIX_OVERRIDES = ("market.accounts=5000", "weeks=104")
"""The validity runs are smaller (5,000 accounts, two years: the stage and the outcomes at the end of year 2);
a run costs about what one of 2,000 accounts costs, with less noise in the outcomes."""
MIX_BASE = "hundred_years_war"
"""Scenario whose non-policy settings the mixes keep (every policy lever is drawn)."""
CASE_BASE = "full_alignment"
CASES = {"full alignment": (), "shared data 0": ("policy.shared_data=0.0",),
         "shared data 0.5": ("policy.shared_data=0.5",), "no meetings": ("policy.joint_meetings=0",),
         "SLA threshold 0.1": ("policy.sla_fit_threshold=0.1",), "blame culture 1.0": ("policy.blame_culture=1.0",)}
"""Issue 19's named cases: full alignment with one setting moved (the first is full alignment itself)."""
SEED_ROOT = INSTRUMENT
"""Seed root of this study (:data:`sim.studies.seeds.INSTRUMENT`; the others are listed in :mod:`sim.studies.seeds`)."""
LHS_SEED = 19
"""Seed of the Latin hypercube (scrambled)."""
OUTCOMES = {"revenue_total": "revenue over the run", "nrr_annual": "net revenue retention",
            "trust_mean_end": "mean trust at the end", "blame_events_per_year": "blame events per year"}
"""Outcomes the instrument's reading should rank like (per-run summary fields, :mod:`sim.outcomes`)."""
HOLD = InstrumentConfig().stage_hold_weeks
"""The hold the model reports its stage with (``instrument.stage_hold_weeks``, default)."""
HOLDS = (1, 2, HOLD, 8)
"""Holds (weeks) whose reliability is compared from the same runs; 1 is the weekly read (no hysteresis)."""
WEEKLY, HELD = "stage_h1", f"stage_h{HOLD}"
"""Columns of the end stage as the weekly read and as the model reports it."""
READS = {HELD: f"stage (held {HOLD} weeks)", WEEKLY: "stage (weekly read)", "krk_score_end": "KRK score"}
"""The instrument's end readings whose validity is measured."""
QUARTER = 13
"""Weeks of a quota period: a stage change undone within it is short-lived (:func:`reversals`)."""
STAGES = 5
"""Goldman's stages: the stage scale runs 1-5."""
PROPORTION = 0.5
"""A named case's stage move *overstates* the firm's move when revenue falls by less than this share of what the
stage's fall is of its scale (see :func:`case_verdict`); a judgement (set after a first look at the cases, which
is why the two shares are printed beside the verdict)."""
BOOTSTRAP = 2000
"""Bootstrap resamples of policy mixes for each rank correlation's interval."""
CONFIDENCE = 0.95
FOLDER = Path("experiments") / "instrument"
"""Where the stored runs and tables go, relative to the repository root."""
DOC = Path("docs") / "odd.md"
MARKER = "instrument_validity"
"""Name of the generated section's markers in ``docs/odd.md``."""


def repository() -> Path:
    """The repository this package lives in."""
    return Path(__file__).resolve().parents[2]


def flicker(stages: Sequence[int]) -> int:
    """Week-to-week changes of the stage in the run's last 52 weeks (changes per year): each of the last year's
    weeks whose stage differs from the week before."""
    last = np.asarray(stages)[-(WEEKS_PER_YEAR + 1):]
    return int(np.count_nonzero(np.diff(last)))


def reversals(stages: Sequence[int], within: int = QUARTER) -> int:
    """The last year's week-to-week changes (:func:`flicker`) that are undone, the stage changing again, within
    ``within`` weeks: short-lived readings rather than moves that last."""
    stages = np.asarray(stages)
    changed = np.flatnonzero(np.diff(stages)) + 1  # the weeks whose stage differs from the week before
    recent = changed[changed >= stages.size - WEEKS_PER_YEAR]
    return int(sum(np.any((changed > week) & (changed < week + within)) for week in recent))


def measure(weekly: pd.DataFrame, summary: pd.Series, holds: Sequence[int]) -> dict[str, float]:
    """One run's readings and outcomes: per hold ``n`` of ``holds`` (weeks) the end stage ``stage_h{n}`` and the
    flicker ``flicker_h{n}`` of the stage held for n weeks (recomputed from the weekly reads; n = 1 is the weekly
    read itself), the KRK score at the end, and :data:`OUTCOMES`."""
    weekly_read = weekly["alignment_stage_raw"].to_numpy(dtype=int)
    out: dict[str, float] = {}
    for n in holds:
        held = held_stages(weekly_read, n)
        out |= {f"stage_h{n}": int(held[-1]), f"flicker_h{n}": flicker(held), f"reversed_h{n}": reversals(held)}
    return {**out, "krk_score_end": float(summary["krk_score_end"]), **{k: float(summary[k]) for k in OUTCOMES}}


def run_one(scenario: str, overrides: Sequence[str], seed: int, holds: Sequence[int] = ()) -> dict[str, float]:
    """Run ``scenario`` with ``overrides`` on ``seed`` and measure it at :data:`HOLDS` and the configured hold."""
    cfg = sim.load_config(scenario, list(overrides))
    result = sim.run(cfg, seed)
    return measure(result.weekly, result.summary, sorted({*HOLDS, *holds, cfg.instrument.stage_hold_weeks}))


def run_tasks(tasks: list[dict], n_jobs: int = 1) -> pd.DataFrame:
    """Run each task (``scenario``, ``overrides``, ``seed`` plus labels kept in the row) and tabulate the runs."""
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=n_jobs)(delayed(run_one)(t["scenario"], t["overrides"], t["seed"]) for t in tasks)
    labels = [{k: v for k, v in t.items() if k != "overrides"} for t in tasks]
    return pd.DataFrame([{**label, **row} for label, row in zip(labels, rows)])


def preset_tasks(presets: Sequence[str] = PRESETS, seeds: int = PRESET_SEEDS,
                 overrides: Sequence[str] = PRESET_OVERRIDES) -> list[dict]:
    """Every preset on the same ``seeds`` replicate seeds."""
    return [{"scenario": p, "overrides": tuple(overrides), "seed": s, "replicate": r}
            for p in presets for r, s in enumerate(replicate_seeds(SEED_ROOT, seeds))]


def case_tasks(cases: dict[str, Sequence[str]] = CASES, seeds: int = PRESET_SEEDS,
               overrides: Sequence[str] = PRESET_OVERRIDES) -> list[dict]:
    """Every named case on the same replicate seeds (paired with full alignment by seed)."""
    return [{"scenario": CASE_BASE, "case": name, "overrides": (*overrides, *moved), "seed": s, "replicate": r}
            for name, moved in cases.items() for r, s in enumerate(replicate_seeds(SEED_ROOT, seeds))]


def policy_levers() -> list[dataclasses.Field]:
    """The policy levers: every field of :class:`~sim.config.PolicyConfig`, with its range or choices."""
    return list(dataclasses.fields(PolicyConfig))


def lever_value(lever: dataclasses.Field, u: float) -> float | int | bool | str:
    """The value of ``lever`` at position ``u`` (0-1) of its axis: a float scales over its range, an integer is
    the nearest whole value, a switch is on above 0.5, a scheme is the choice whose share of the axis holds u."""
    meta = lever.metadata
    if meta.get("choices"):
        choices = meta["choices"]
        return choices[min(int(u * len(choices)), len(choices) - 1)]
    if isinstance(lever.default, bool):
        return bool(u >= 0.5)
    value = meta["low"] + u * (meta["high"] - meta["low"])
    return int(round(value)) if isinstance(lever.default, int) else float(value)


def policy_mixes(n: int = MIXES, seed: int = LHS_SEED) -> pd.DataFrame:
    """``n`` policy mixes from a scrambled Latin hypercube over every policy lever (one row per mix)."""
    levers = policy_levers()
    unit = qmc.LatinHypercube(d=len(levers), seed=seed).random(n)
    return pd.DataFrame([{lever.name: lever_value(lever, u) for lever, u in zip(levers, row)} for row in unit])


def mix_overrides(mix: pd.Series) -> tuple[str, ...]:
    """The config overrides that set one policy mix."""
    def text(v):
        return str(v).lower() if isinstance(v, (bool, np.bool_)) else str(v)
    return tuple(f"policy.{name}={text(value)}" for name, value in mix.items())


def mix_tasks(mixes: pd.DataFrame, seeds: int = MIX_SEEDS, overrides: Sequence[str] = MIX_OVERRIDES) -> list[dict]:
    """Every policy mix on the same ``seeds`` replicate seeds."""
    return [{"scenario": MIX_BASE, "mix": i, "overrides": (*overrides, *mix_overrides(mix)), "seed": s,
             "replicate": r}
            for i, mix in mixes.iterrows() for r, s in enumerate(replicate_seeds(SEED_ROOT, seeds))]


def modal_share(stages: Sequence[int]) -> tuple[int, float]:
    """The modal stage of a set of runs and the share of runs at it (the lowest stage wins a tie)."""
    counts = np.bincount(np.asarray(stages, dtype=int), minlength=6)
    return int(counts.argmax()), float(counts.max() / counts.sum())


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson interval of a share."""
    ci = stats.binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def stage_counts(stages: Sequence[int]) -> str:
    """How many runs ended at each stage, e.g. ``"3x4 5x5"`` (3 runs at stage 4, 5 at stage 5)."""
    counts = np.bincount(np.asarray(stages, dtype=int), minlength=6)
    return " ".join(f"{c}x{s}" for s, c in enumerate(counts) if c)


def reliability(runs: pd.DataFrame, holds: Sequence[int] = HOLDS, group: str = "scenario") -> pd.DataFrame:
    """Per preset (or ``group``) and hold (weeks; 1 = the weekly read): the modal end stage, the share of runs at it
    with its Wilson interval, the end stages, the flicker (changes per year in the last year: mean and most) and
    the mean number of those changes undone within a quarter (:func:`reversals`)."""
    rows = []
    for name, g in runs.groupby(group, sort=False):
        for n in holds:
            ends = g[f"stage_h{n}"]
            modal, share = modal_share(ends)
            low, high = wilson(round(share * len(g)), len(g))
            rows.append({group: name, "hold_weeks": n, "runs": len(g), "modal_stage": modal, "agreement": share,
                         "agreement_low": low, "agreement_high": high, "end_stages": stage_counts(ends),
                         "flicker_mean": float(g[f"flicker_h{n}"].mean()),
                         "flicker_max": int(g[f"flicker_h{n}"].max()),
                         "reversed_mean": float(g[f"reversed_h{n}"].mean())})
    return pd.DataFrame(rows)


def spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rank correlation of each row of ``x`` with the same row of ``y`` (2-D, NaN marks no run), NaN
    where a row is constant on either side."""
    rx, ry = (stats.rankdata(v, axis=1, nan_policy="omit") for v in (x, y))
    rx, ry = rx - np.nanmean(rx, axis=1, keepdims=True), ry - np.nanmean(ry, axis=1, keepdims=True)
    num, den = np.nansum(rx * ry, axis=1), np.sqrt(np.nansum(rx ** 2, axis=1) * np.nansum(ry ** 2, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation of two series, NaN where either is constant."""
    return float(spearman_rows(np.asarray(x, dtype=float)[None], np.asarray(y, dtype=float)[None])[0])


def spearman_ci(runs: pd.DataFrame, x: str, y: str, cluster: str = "mix", resamples: int = BOOTSTRAP,
                seed: int = LHS_SEED) -> tuple[float, float, float]:
    """Spearman's rho of ``x`` with ``y`` over all runs, and its percentile interval from resampling the
    ``cluster`` (policy mixes) with replacement, all runs of a drawn mix kept together."""
    ok = runs[[cluster, x, y]].dropna().reset_index(drop=True)
    members = list(ok.groupby(cluster).indices.values())
    padded = np.full((len(members), max(map(len, members))), len(ok))  # index len(ok): no run (NaN)
    for i, rows in enumerate(members):
        padded[i, :len(rows)] = rows
    picks = padded[np.random.default_rng(seed).integers(0, len(members), (resamples, len(members)))]
    xs, ys = (np.append(ok[c].to_numpy(dtype=float), np.nan)[picks.reshape(resamples, -1)] for c in (x, y))
    draws = spearman_rows(xs, ys)
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.nanpercentile(draws, [tail, 100 - tail]) if np.isfinite(draws).any() else (np.nan, np.nan)
    return spearman(ok[x], ok[y]), float(low), float(high)


def validity(runs: pd.DataFrame, resamples: int = BOOTSTRAP) -> pd.DataFrame:
    """Rank correlations of each reading (:data:`READS`) with each outcome (:data:`OUTCOMES`) over the mixes."""
    rows = []
    for read in READS:
        for outcome in OUTCOMES:
            rho, low, high = spearman_ci(runs, read, outcome, resamples=resamples)
            rows.append({"reading": read, "outcome": outcome, "rho": rho, "low": low, "high": high,
                         "runs": int(runs[[read, outcome]].notna().all(axis=1).sum()), "mixes": runs["mix"].nunique()})
    return pd.DataFrame(rows)


def lever_tracking(runs: pd.DataFrame, mixes: pd.DataFrame, resamples: int = BOOTSTRAP) -> pd.DataFrame:
    """Each policy lever's rank correlation with the held end stage and with revenue over the mixes (switches and
    schemes as their axis position: off/on, the order of the choices)."""
    axis = mixes.apply(lambda c: c.map({v: i for i, v in enumerate(lever_choices(c.name))}) if lever_choices(c.name)
                       else c.astype(float))
    joined = runs.join(axis, on="mix")
    rows = []
    for lever in mixes.columns:
        stage = spearman_ci(joined, lever, HELD, resamples=resamples)
        revenue = spearman_ci(joined, lever, "revenue_total", resamples=resamples)
        rows.append({"lever": lever, "rho_stage": stage[0], "stage_low": stage[1], "stage_high": stage[2],
                     "rho_revenue": revenue[0], "revenue_low": revenue[1], "revenue_high": revenue[2]})
    return pd.DataFrame(rows)


def lever_choices(name: str) -> tuple | None:
    """The choices of a scheme lever in their declared order (a switch: off, on), None for a numeric lever."""
    lever = {f.name: f for f in policy_levers()}[name]
    if lever.metadata.get("choices"):
        return lever.metadata["choices"]
    return (False, True) if isinstance(lever.default, bool) else None


def cases(runs: pd.DataFrame, baseline_revenue: float) -> pd.DataFrame:
    """Per named case: its end stages (weekly read and held), mean KRK score, its paired differences from full
    alignment in held stage, revenue (M EUR), net revenue retention (percentage points) and trust, the share of the
    ladder from full alignment down to ``baseline_revenue`` (the hundred years' war's mean revenue over the run,
    EUR) that the stage and revenue each say the case lost, and the verdict (:func:`case_verdict`)."""
    base = runs[runs["case"] == "full alignment"].sort_values("replicate")
    ladder = (base["revenue_total"].mean() - baseline_revenue) * 1e-6
    rows = []
    for name, g in runs.groupby("case", sort=False):
        g = g.sort_values("replicate")
        diff = {k: paired(base[col].to_numpy() * scale, g[col].to_numpy() * scale, bounds=bounds)
                for k, col, scale, bounds in (("stage", HELD, 1, (1, STAGES)), ("revenue", "revenue_total", 1e-6, None),
                                              ("nrr", "nrr_annual", 100, None), ("trust", "trust_mean_end", 1, (0, 1)))}
        rows.append({"case": name, "end_stages_weekly": stage_counts(g[WEEKLY]),
                     "end_stages_held": stage_counts(g[HELD]), "krk_mean": float(g["krk_score_end"].mean()),
                     **{f"{k}_{f}": getattr(d, attr) for k, d in diff.items()
                        for f, attr in (("diff", "difference"), ("low", "low"), ("high", "high"))},
                     "stage_ladder_lost": -diff["stage"].difference / (STAGES - 1),
                     "revenue_ladder_lost": -diff["revenue"].difference / ladder,
                     "verdict": case_verdict(diff, ladder)})
    return pd.DataFrame(rows)


def case_verdict(diff: dict, ladder: float) -> str:
    """What a case's stage move against full alignment says about the firm.

    - *same stage*: no move; *no clear move*: the stage's paired interval includes 0 (runs differ both ways);
    - *tracks the setting*: neither revenue nor net revenue retention moves the same way with a paired interval
      that excludes 0;
    - *overstates the move*: revenue moves the same way, but by less than :data:`PROPORTION` of the stage's share
      of its scale (a fall from 5 to 2 is 3/4 of the scale; revenue's share is of ``ladder``, the revenue gap in
      M EUR from full alignment down to the hundred years' war);
    - *backed by outcomes*: otherwise.
    """
    stage = diff["stage"].difference
    if stage == 0:
        return "same stage"
    if diff["stage"].low <= 0 <= diff["stage"].high:
        return "no clear move"
    if not any(np.sign(diff[k].difference) == np.sign(stage) and (diff[k].low > 0 or diff[k].high < 0)
               for k in ("revenue", "nrr")):
        return "tracks the setting"
    stage_share, revenue_share = abs(stage) / (STAGES - 1), abs(diff["revenue"].difference) / abs(ladder)
    return "overstates the move" if revenue_share < PROPORTION * stage_share else "backed by outcomes"


def folder(root: Path | None = None) -> Path:
    """The study's folder (created)."""
    out = (root or repository()) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    return out


PARTS = {"presets": lambda: preset_tasks(), "cases": lambda: case_tasks(), "mixes": lambda: mix_tasks(policy_mixes())}
"""The study's parts and the runs each makes."""


def commit() -> str:
    """The code's git commit (``unknown`` outside a checkout)."""
    import subprocess

    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repository(), capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def run_part(part: str, out: Path, n_jobs: int = 1) -> pd.DataFrame:
    """Run one part, store its runs as ``{part}_runs.csv`` and its cost in ``runs_meta.json`` under ``out``."""
    import json

    start = time.perf_counter()
    runs = run_tasks(PARTS[part](), n_jobs)
    wall = time.perf_counter() - start
    runs.to_csv(out / f"{part}_runs.csv", index=False)
    meta_path = out / "runs_meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta[part] = {"runs": len(runs), "wall_s": round(wall, 1), "n_jobs": n_jobs, "commit": commit()}
    meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    if part == "mixes":
        policy_mixes().to_csv(out / "mixes.csv", index_label="mix")
    return runs


def tables(out: Path, resamples: int = BOOTSTRAP) -> dict[str, pd.DataFrame]:
    """The study's tables from the stored runs under ``out`` (also written there as CSV)."""
    presets, mixes, named = (pd.read_csv(out / f"{p}_runs.csv") for p in ("presets", "mixes", "cases"))
    design = pd.read_csv(out / "mixes.csv", index_col="mix")
    baseline = presets.loc[presets["scenario"] == "hundred_years_war", "revenue_total"].mean()
    result = {"reliability": reliability(presets), "validity": validity(mixes, resamples),
              "levers": lever_tracking(mixes, design, resamples), "cases": cases(named, baseline)}
    for name, frame in result.items():
        frame.to_csv(out / f"{name}.csv", index=False, float_format="%.4g")
    return result


def interval(value: float, low: float, high: float, digits: int = 2) -> str:
    """``value [low, high]`` with signs, e.g. ``+0.41 [+0.22, +0.57]``."""
    value, low, high = (v + 0.0 for v in (value, low, high))  # no "-0.00"
    return f"{value:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def share_text(share: float, low: float, high: float) -> str:
    """A share with its interval, e.g. ``0.88 [0.53, 0.98]``."""
    return f"{share:.2f} [{low:.2f}, {high:.2f}]"


def markdown(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (its values already formatted)."""
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    return "\n".join([head, rule, *("| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False))])


def reliability_table(rel: pd.DataFrame) -> str:
    """Per preset: end stages, agreement and flicker of the weekly read beside the held stage's."""
    rows = []
    for preset, g in rel.groupby("scenario", sort=False):
        row = {"preset": preset, "runs": g["runs"].iloc[0]}
        for label, hold in (("weekly read", 1), (f"held {HOLD} weeks", HOLD)):
            r = g[g["hold_weeks"] == hold].iloc[0]
            row |= {f"{label}: end stages": r["end_stages"],
                    f"{label}: agreement": share_text(r["agreement"], r["agreement_low"], r["agreement_high"]),
                    f"{label}: flicker / year": f"{r['flicker_mean']:.2f} (max {r['flicker_max']})",
                    f"{label}: undone in a quarter": f"{r['reversed_mean']:.2f}"}
        rows.append(row)
    return markdown(pd.DataFrame(rows))


def hold_table(rel: pd.DataFrame) -> str:
    """Mean flicker and mean agreement over the presets at each hold compared."""
    by = rel.groupby("hold_weeks").agg(flicker=("flicker_mean", "mean"), worst=("flicker_max", "max"),
                                       undone=("reversed_mean", "mean"), agreement=("agreement", "mean"))
    return markdown(pd.DataFrame({"hold (weeks)": by.index, "mean flicker / year": by["flicker"].map("{:.2f}".format),
                                  "most in one run": by["worst"],
                                  "undone within a quarter / year": by["undone"].map("{:.2f}".format),
                                  "mean agreement": by["agreement"].map("{:.2f}".format)}))


def validity_table(val: pd.DataFrame) -> str:
    """Rank correlations (rho [95 % interval]) of each reading with each outcome."""
    cells = val.assign(cell=[interval(r.rho, r.low, r.high) for r in val.itertuples()])
    wide = cells.pivot(index="reading", columns="outcome", values="cell").loc[list(READS), list(OUTCOMES)]
    wide.index = [READS[r] for r in wide.index]
    wide.columns = [OUTCOMES[c] for c in wide.columns]
    return markdown(wide.reset_index(names="reading"))


def lever_table(lev: pd.DataFrame) -> str:
    """Each lever's rank correlation with the held stage and with revenue, strongest stage correlation first."""
    lev = lev.reindex(lev["rho_stage"].abs().sort_values(ascending=False).index)
    return markdown(pd.DataFrame({
        "lever": lev["lever"],
        "with the stage": [interval(r.rho_stage, r.stage_low, r.stage_high) for r in lev.itertuples()],
        "with revenue": [interval(r.rho_revenue, r.revenue_low, r.revenue_high) for r in lev.itertuples()]}))


def cases_table(cs: pd.DataFrame) -> str:
    """Per named case: end stages, KRK, paired differences from full alignment and the verdict."""
    return markdown(pd.DataFrame({
        "case": cs["case"], "end stages, weekly read": cs["end_stages_weekly"],
        "end stages, held": cs["end_stages_held"],
        "KRK": cs["krk_mean"].map("{:.1f}".format),
        "stage diff": [interval(r.stage_diff, r.stage_low, r.stage_high) for r in cs.itertuples()],
        "revenue diff (M EUR)": [interval(r.revenue_diff, r.revenue_low, r.revenue_high) for r in cs.itertuples()],
        "NRR diff (pp)": [interval(r.nrr_diff, r.nrr_low, r.nrr_high, 1) for r in cs.itertuples()],
        "trust diff": [interval(r.trust_diff, r.trust_low, r.trust_high, 3) for r in cs.itertuples()],
        "ladder lost: stage / revenue": [f"{r.stage_ladder_lost + 0.0:.2f} / {r.revenue_ladder_lost + 0.0:.2f}"
                                         for r in cs.itertuples()],
        "verdict": cs["verdict"]}))


def settings_text(meta: dict, resamples: int) -> str:
    """The stored run's settings and cost, from ``runs_meta.json``."""
    cost = sum(m["wall_s"] for m in meta.values())
    jobs = sorted({m["n_jobs"] for m in meta.values()})
    commits = ", ".join(sorted({m["commit"] for m in meta.values()}))
    default = sim.load_config("hundred_years_war")
    runs = sum(m["runs"] for m in meta.values())
    return (f"Stored run (commit {commits}; {runs} runs in {cost:.0f} s of wall time on {', '.join(map(str, jobs))} "
            f"worker(s)): the {len(PRESETS)} presets and the {len(CASES)} named cases at "
            f"the default market ({default.market.accounts:,} accounts, {default.weeks} weeks), {PRESET_SEEDS} seeds "
            f"each; {MIXES} Latin-hypercube policy mixes over the {len(policy_levers())} levers of `PolicyConfig` "
            f"(scrambled, seed {LHS_SEED}) on {MIX_SEEDS} seeds each, at {', '.join(MIX_OVERRIDES)}; seed root "
            f"{SEED_ROOT}; the stage held for `instrument.stage_hold_weeks` = {HOLD} weeks; intervals: Wilson for "
            f"shares, {resamples} bootstrap resamples of policy mixes for rank correlations, paired t for the cases' "
            f"differences, all {CONFIDENCE:.0%}.")


def reliability_text(rel: pd.DataFrame) -> str:
    """What the hold does to flicker and agreement, in numbers from the table."""
    weekly, held = rel[rel["hold_weeks"] == 1], rel[rel["hold_weeks"] == HOLD]
    full_agree = int((held["agreement"] == 1).sum())
    worst = held.loc[held["agreement"].idxmin()]
    return (f"Over the {len(held)} presets the weekly read changes stage {weekly['flicker_mean'].mean():.2f} times "
            f"a year in the last year on average (at most {int(weekly['flicker_max'].max())} in one run); held for "
            f"{HOLD} weeks, {held['flicker_mean'].mean():.2f} (at most {int(held['flicker_max'].max())}); of these "
            f"changes {held['reversed_mean'].mean():.2f} a year are undone within a quarter (weekly read "
            f"{weekly['reversed_mean'].mean():.2f}), the rest are moves that last. The end "
            f"stage agrees across seeds in {held['agreement'].mean():.2f} of runs on average (weekly read "
            f"{weekly['agreement'].mean():.2f}); {full_agree} of {len(held)} presets end at one stage in every run, "
            f"the least reliable is {worst['scenario']} ({worst['end_stages']}: modal share {worst['agreement']:.2f}).")


def hold_text(rel: pd.DataFrame) -> str:
    """The shortest hold that removes as much flicker as the default hold does."""
    by = rel.groupby("hold_weeks")["flicker_mean"].mean()
    shortest = int(by.index[by <= by.loc[HOLD]].min())
    return (f"The shortest hold with no more flicker than the default's is {shortest} week(s); the longest compared, "
            f"{int(by.index.max())} weeks, gives {by.iloc[-1]:.2f} changes a year.")


def validity_text(val: pd.DataFrame, lev: pd.DataFrame) -> str:
    """The held stage's and the KRK score's rank correlations with revenue, and the levers the stage follows
    without revenue following them."""
    def rho(reading, outcome):
        r = val[(val["reading"] == reading) & (val["outcome"] == outcome)].iloc[0]
        return interval(r["rho"], r["low"], r["high"])

    excludes = lev["stage_low"].gt(0) | lev["stage_high"].lt(0)
    flat_revenue = lev["revenue_low"].le(0) & lev["revenue_high"].ge(0)
    tracked = lev[excludes & flat_revenue]["lever"].tolist()
    return (f"Across the mixes the held end stage ranks with revenue at rho {rho(HELD, 'revenue_total')}, with net "
            f"revenue retention at {rho(HELD, 'nrr_annual')}, with end trust at {rho(HELD, 'trust_mean_end')} and "
            f"with blame at {rho(HELD, 'blame_events_per_year')}; the KRK score at "
            f"{rho('krk_score_end', 'revenue_total')}, {rho('krk_score_end', 'nrr_annual')}, "
            f"{rho('krk_score_end', 'trust_mean_end')} and "
            f"{rho('krk_score_end', 'blame_events_per_year')}. Trust and blame are themselves evidence the stage and "
            f"the score read, so those correlations are partly by construction; revenue and retention are the "
            f"independent criteria. Levers the stage follows (interval excluding 0) while "
            f"revenue does not: {', '.join(f'`{t}`' for t in tracked) if tracked else 'none'}.")


def cases_text(cs: pd.DataFrame) -> str:
    """Which named cases' stage moves are backed by outcomes and which track the setting."""
    moved = cs[cs["case"] != "full alignment"]
    parts = [f"{r['case']}: {r['verdict']}" for _, r in moved.iterrows()]
    tracking = int(moved["verdict"].isin(["tracks the setting", "overstates the move"]).sum())
    return (f"Of the {len(moved)} named cases, {tracking} move the stage without revenue or retention moving the "
            f"same way or by as much (the stage tracks the setting or overstates its consequence): "
            f"{'; '.join(parts)}.")


def section(out: Path, result: dict[str, pd.DataFrame], resamples: int = BOOTSTRAP) -> str:
    """The generated section of ``docs/odd.md``: settings, tables and the findings in numbers from them."""
    import json

    meta = json.loads((out / "runs_meta.json").read_text())
    rel, val, lev, cs = (result[k] for k in ("reliability", "validity", "levers", "cases"))
    return "\n\n".join([
        "*Generated by `python -m sim.studies.instrument` from the runs stored in `experiments/instrument/`; do not "
        "edit by hand.*", settings_text(meta, resamples),
        "**Reliability** (same preset, many seeds; agreement = share of runs at the modal end stage, flicker = "
        "week-to-week stage changes in the last year):", reliability_table(rel), reliability_text(rel),
        "Flicker and agreement by hold, over the presets (the same runs, the stage recomputed from the weekly reads):",
        hold_table(rel), hold_text(rel),
        "**Validity** (Spearman's rho over the policy mixes, 95 % bootstrap interval):", validity_table(val),
        validity_text(val, lev),
        "Each lever's rank correlation with the held end stage and with revenue over the mixes:", lever_table(lev),
        "**Named cases** (full alignment with one setting moved; differences paired by seed against full alignment):",
        cases_table(cs), cases_text(cs)])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run parts of the study and/or write its tables and the generated section of ``docs/odd.md``."""
    parser = argparse.ArgumentParser(prog="python -m sim.studies.instrument", description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=[*PARTS, "report", "all"], default="all",
                        help="which part to run ('report' only rewrites tables and docs from the stored runs)")
    parser.add_argument("--n-jobs", type=int, default=1, help="worker processes for the runs")
    parser.add_argument("--out", type=Path, default=None, help="folder of runs and tables (experiments/instrument)")
    parser.add_argument("--doc", type=Path, default=None, help="document with the generated section (docs/odd.md)")
    parser.add_argument("--resamples", type=int, default=BOOTSTRAP, help="bootstrap resamples per rank correlation")
    args = parser.parse_args(argv)
    out = args.out or folder()
    out.mkdir(parents=True, exist_ok=True)
    for part in (PARTS if args.part == "all" else [args.part] if args.part in PARTS else []):
        runs = run_part(part, out, args.n_jobs)
        print(f"{part}: {len(runs)} runs stored in {out}")
    if args.part in ("report", "all"):
        result = tables(out, args.resamples)
        splice_if_marked(args.doc or repository() / DOC, MARKER, section(out, result, args.resamples))
        print(f"tables written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
