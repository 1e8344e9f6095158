"""Written results: a study's tables, figure and Markdown summary, and the claims table of
``experiments/README.md`` rebuilt from every study's stored rows with one multiple-comparison correction."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.outcomes import outcome
from sim.stats import LEVEL
from sim.studies.declarations import CALIBRATION, EMERGENT, FAST_OVERRIDES, KINDS, MECHANISM, Row, Study, StudyResult
from sim.studies.figures import plot
from sim.studies.kinds import EMERGENT_SHARE, RULE
from sim.studies.narrative import difference, fmt, fmt_p
from sim.studies.paths import refusal, result_variant
from sim.studies.robustness import NOT_RUN, table_column
from sim.studies.seeds import CALIBRATION as CALIBRATION_ROOT
from sim.studies.seeds import FAST_TESTS
from sim.studies.verdicts import ALPHA, METHOD_NAME, adjudicate, reason

ROWS_FILE = "rows.json"
RUN_FILE = "run.json"


def effects_table(res: StudyResult) -> pd.DataFrame:
    """Paired differences of every compared pair of arms on the study's quoted outcomes."""
    study = res.study
    ran = {a.name for a in res.arms}
    pairs = {study.pair()} | {(c.baseline, c.treatment) for c in study.checks if c.baseline and c.treatment}
    pairs = sorted(p for p in pairs if set(p) <= ran)
    metrics = list(dict.fromkeys([*study.table_metrics, *(c.metric for c in study.checks), *study.mechanism]))
    return pd.DataFrame([{"metric": m, "baseline": a, "treatment": b, **res.compare(a, b, m).as_dict()}
                         for a, b in pairs for m in metrics if m in res.runs])


def setting(res: StudyResult) -> str:
    """The runs' setting in words: variant, replicates and seed root."""
    variant = (f"fast variant ({', '.join(res.study.fast_overrides) or 'full horizon'})" if res.fast
               else "default calibration")
    return f"{variant}; {res.replicates} replicates per arm paired by seed, seed root {res.seed}"


def mechanism_sentence(res: StudyResult) -> str:
    """The study's mechanism text completed with the quoted outcomes' arm means."""
    base, treat = res.study.pair()
    if not {base, treat} <= {a.name for a in res.arms}:
        return res.study.mechanism_text
    parts = []
    for metric in res.study.mechanism:
        if metric in res.runs:
            c = res.compare(base, treat, metric)
            o = outcome(metric)
            parts.append(f"{o.label} went from {fmt(c.baseline_mean, metric)} to {fmt(c.treatment_mean, metric)} "
                         f"{o.unit}")
    return f"{res.study.mechanism_text} In the runs ({base} → {treat}): " + "; ".join(parts) + "."


def summary_markdown(res: StudyResult, effects: pd.DataFrame) -> str:
    """The study's summary page: arms, effects, sweep curve, verdicts (adjusted within the study), mechanism."""
    study = res.study
    base, treat = study.pair()
    lines = [f"# {study.title}", "", f"Claims: {', '.join(study.claims)}. {study.question}", "",
             f"Arms ({setting(res)}; common random numbers):", "", "| arm | scenario | overrides |", "|---|---|---|"]
    lines += [f"| {a.name} | {a.scenario} | {', '.join(a.overrides) or '—'} |" for a in res.arms]
    quoted = ", ".join(outcome(m).label for m in study.table_metrics)
    lines += ["", f"## Effects on {quoted}", "",
              f"Paired t-test on replicates that share seeds; Wilcoxon signed-rank p as a check; {LEVEL:.0%} CI.", "",
              "| comparison | outcome | baseline mean | treatment mean | difference [CI] | p (paired t) | "
              "p (Wilcoxon) |", "|---|---|---|---|---|---|---|"]
    for _, e in effects.iterrows():
        if e["metric"] not in study.table_metrics and (e["baseline"], e["treatment"]) != (base, treat):
            continue
        m = e["metric"]
        same = e["n"] >= 2 and e["sd"] == 0
        tests = ("no test (no variance)",) * 2 if same else (fmt_p(e["p"]), fmt_p(e["p_wilcoxon"]))
        lines.append(f"| {e['treatment']} vs {e['baseline']} | {outcome(m).axis_label} | {fmt(e['baseline_mean'], m)} "
                     f"| {fmt(e['treatment_mean'], m)} | {difference(e['difference'], m)} "
                     f"[{fmt(e['low'], m)}, {fmt(e['high'], m)}] | {tests[0]} | {tests[1]} |")
    if study.sweep_lever:
        lines += ["", f"## Curve over {study.sweep_lever}", "",
                  "| " + " | ".join([study.sweep_lever, *(outcome(m).axis_label for m in study.sweep_metrics)]) + " |",
                  "|---" * (len(study.sweep_metrics) + 1) + "|"]
        curves = {m: res.curve(m).set_index("lever") for m in study.sweep_metrics}
        for lever in curves[study.sweep_metrics[0]].index:
            cells = [f"{fmt(c.loc[lever, 'mean'], m)} [{fmt(c.loc[lever, 'low'], m)}, {fmt(c.loc[lever, 'high'], m)}]"
                     for m, c in curves.items()]
            lines.append(f"| {lever:g} | " + " | ".join(cells) + " |")
    lines += ["", "## Verdicts", "",
              f"Adjusted p: {METHOD_NAME} within this study ({len(res.rows)} tests); the claims table in "
              "`experiments/README.md` adjusts across the whole table.", "",
              "| claim | statement | kind | compared | measured effect | CI | smallest effect of interest | raw p | "
              "adjusted p | verdict | loop share [95 % CI] | null model |", "|---" * 12 + "|"]
    lines += [f"| {r.claim} | {r.statement} | {r.kind} | {r.compared} | {r.effect} | {r.ci} | {r.sesoi} | "
              f"{p_cell(r, r.p)} | {p_cell(r, r.p_adjusted)} | {verdict(r)} | {share_cell(r)} | {r.null_model} |"
              for r in res.rows]
    failing = [r for r in res.rows if not r.holds]
    if failing:
        lines += ["", "Why a row does not hold (measured):", ""] + [f"- **{r.statement}**: {reason(r)}"
                                                                     for r in failing]
    lines += ["", f"Kinds (measured: {RULE}):", ""] + [f"- {r.statement}: **{r.kind}** (expected: {r.declared_kind}) "
                                                          f"— {r.why_kind}" for r in res.rows]
    lines += ["", "## Mechanism", "", mechanism_sentence(res), "", "![figure](figure.png)", "",
              f"Files: `runs.csv` (one row per run), `effects.csv` (paired differences), `{ROWS_FILE}` (the rows), "
              f"`{RUN_FILE}` (setting and wall time), `figure.png`.", ""]
    return "\n".join(lines)


def verdict(row: Row) -> str:
    """The verdict cell: holds (emergent finding) / wired (mechanism check) / fits (calibration check) / does not
    hold."""
    if not row.holds:
        return "**does not hold**"
    return {MECHANISM: "**wired**", CALIBRATION: "**fits**"}.get(row.kind, "**holds**")


def p_cell(row: Row, p: float) -> str:
    """A p-value cell, or "no test (no variance)" where every paired difference is the same."""
    return "no test (no variance)" if row.no_variance else fmt_p(p)


def share_cell(row: Row) -> str:
    """The loop share with its CI, in %; "n/a" for a level."""
    if not pd.notna(row.loop_share):
        return "n/a"
    return f"{100 * row.loop_share:.0f} % [{100 * row.loop_share_low:.0f}, {100 * row.loop_share_high:.0f}]"


def kind_evidence(row: Row) -> str:
    """Why the row measured as its kind, in numbers."""
    if row.kind == CALIBRATION:
        return f"restates the calibration target `{row.calibration_target}`"
    share = share_cell(row)
    if share == "n/a":
        return f"no effect to share with the loops; null model {row.null_model}"
    bar = f"{100 * EMERGENT_SHARE:g} %"
    return f"loop share {share} (emergent from {bar} with the CI above 0); null model {row.null_model}"


def write_study(res: StudyResult, root: Path, seconds: float = float("nan"), n_jobs: int = 1) -> Path:
    """Write runs.csv, effects.csv, rows.json, run.json, figure.png and summary.md into ``root/<study>``.

    Raises:
        ValueError: ``res`` is a variant (fast, other replicates or seed root) and ``root`` is the committed
            results folder (:func:`sim.studies.paths.results_dir`); nothing is written.
    """
    refused = refusal(root, result_variant(res))
    if refused:
        raise ValueError(refused)
    out = root / res.study.key
    out.mkdir(parents=True, exist_ok=True)
    res.runs.round(6).to_csv(out / "runs.csv", index=False)
    effects = effects_table(res)
    effects.to_csv(out / "effects.csv", index=False, float_format="%.6g")
    (out / ROWS_FILE).write_text(json.dumps([r.record() for r in res.rows], indent=1, default=float))
    (out / RUN_FILE).write_text(json.dumps({"runs": len(res.runs), "replicates": res.replicates, "fast": res.fast,
                                            "seed": res.seed, "seconds": seconds, "n_jobs": n_jobs}))
    plot(res, out / "figure.png")
    (out / "summary.md").write_text(summary_markdown(res, effects))
    return out


def load_rows(root: Path, study: Study) -> list[Row]:
    """The rows a study stored under ``root`` (empty when it has not run)."""
    path = root / study.key / ROWS_FILE
    if not path.exists():
        return []
    try:
        return [Row(**r) for r in json.loads(path.read_text())]
    except TypeError as err:
        raise ValueError(f"{path} was written by an older version of the studies; rerun "
                         f"`alignsim study {study.key}`") from err


def counts(rows: list[Row]) -> dict[str, int]:
    """Rows by measured kind and verdict; calibration checks are counted apart (they are not corroboration)."""
    return {"rows": len(rows),
            "emergent findings holding": sum(r.holds and r.kind == EMERGENT for r in rows),
            "mechanism checks wired": sum(r.holds and r.kind == MECHANISM for r in rows),
            "emergent findings not holding": sum(not r.holds and r.kind == EMERGENT for r in rows),
            "mechanism checks not holding": sum(not r.holds and r.kind == MECHANISM for r in rows),
            "calibration checks fitting": sum(r.holds and r.kind == CALIBRATION for r in rows),
            "calibration checks not fitting": sum(not r.holds and r.kind == CALIBRATION for r in rows),
            "kinds changed": sum(bool(r.declared_kind) and r.kind != r.declared_kind for r in rows)}


def counts_sentence(n: dict[str, int]) -> str:
    """The counts by measured kind in one sentence, as the claims table and the project README quote them."""
    holding = n["emergent findings holding"] + n["mechanism checks wired"] + n["calibration checks fitting"]
    return (f"{n['rows']} rows: {n['emergent findings holding']} emergent findings hold, "
            f"{n['mechanism checks wired']} mechanism checks are wired, {n['calibration checks fitting']} "
            f"calibration checks fit their target, and {n['rows'] - holding} rows do not hold")


def horizon_text(fast: bool) -> str:
    """The studies' horizon in words: every arm runs the default config's ``weeks`` (the fast variant its own)."""
    from sim.loading import load_config

    weeks = load_config(overrides=list(FAST_OVERRIDES) if fast else []).weeks
    return f"{weeks} weeks ({weeks / 52:g} years) for every arm, revenue and retention measured over it"


def knockout_runs(studies: list[Study], root: Path) -> int:
    """Runs the stored studies made with the loops knocked out: each study's runs again for every distinct set of
    loops its checks name (:func:`sim.studies.execution.run_study`); none for a fast variant."""
    total = 0
    for s in studies:
        path = root / s.key / RUN_FILE
        if path.exists():
            run = json.loads(path.read_text())
            total += 0 if run["fast"] else run["runs"] * len({c.named_loops for c in s.checks})
    return total


def readme(studies: list[Study], root: Path) -> str:
    """The claims table of every study under ``root``, adjusted across the whole table."""
    rows = adjudicate([r for s in studies for r in load_rows(root, s)])
    runs = [json.loads((root / s.key / RUN_FILE).read_text()) for s in studies if (root / s.key / RUN_FILE).exists()]
    fast = any(r["fast"] for r in runs)
    n = counts(rows)
    robust_note, robust = table_column(root)
    lines = [
        "# Claim studies", "",
        "Every claim of the seeds (C1–C10, `../shared/DESIGN.md` §1) and every stylised fact (F1–F12, "
        "`../shared/EVIDENCE.md`) checked with replicated experiments on common random numbers. Generated by "
        "`alignsim study --all`; do not edit by hand.", "",
        f"Settings: {'fast variant (' + ', '.join(FAST_OVERRIDES) + ')' if fast else 'default calibration'}; "
        f"replicates per arm: {', '.join(sorted({str(r['replicates']) for r in runs}))} (paired by seed, seed root "
        f"{', '.join(sorted({str(r['seed']) for r in runs}))}; calibration used root {CALIBRATION_ROOT}, the fast "
        f"tests root {FAST_TESTS}); horizon {horizon_text(fast)}; {sum(r['runs'] for r in runs)} runs, and "
        f"{knockout_runs(studies, root)} more with the feedback loops knocked out, "
        f"{sum(r['seconds'] for r in runs) / 60:.1f} min of wall time summed over the studies.", "",
        f"**Kinds, measured.** Each row's kind is computed, not declared: {RULE}. The loop knockout runs every "
        "arm again on the same seeds with the switches of the config section `loops` off (`sim.config.LoopsConfig`: "
        "blame erodes trust, trust repair, feedback learning, joint learning, distrust gates leads); the null model "
        "is `sim.null_model`. Calibration checks are listed but not counted as corroboration.", "",
        "**Tests.** Every effect is held to the row's smallest effect of interest, declared before any run "
        "(`sim.studies.sesoi`: 2 % of the baseline mean for amounts, 1 percentage point for percentages, 0.02 on a "
        "0-1 scale, half a Goldman stage, 0.1 of a rank correlation, unless the row declares its own with a reason). "
        "Each row's p is small when the data support the claim: a one-sided minimum-effect test of the paired "
        "difference against that bound (directional claims), paired TOST against the bound alone (\"largely "
        "unchanged\"), TOST against the band's edges with the 95 % CI inside the band (\"within a band\"), the "
        "same minimum-effect test on the paired difference of late and early effects (lags) and of two gains, and "
        "for a sweep the peak chosen on one half of the replicates and tested against both ends on the other half "
        "(the larger p). Differences of percentages are in percentage points (pp). A comparison whose paired "
        "differences are all equal has no variance and no test; it holds when its constant effect clears the bound. "
        f"Adjusted p: {METHOD_NAME} across all {len(rows)} rows of this table; a row holds when its rule is met "
        f"and its adjusted p < {ALPHA:g}. *Detectable* is the smallest effect each test finds with 80 % power at "
        f"alpha {ALPHA:g} (unadjusted), in the unit of a difference.", "",
        f"**Counts.** {counts_sentence(n)}. Emergent findings: {n['emergent findings holding']} hold, "
        f"{n['emergent findings not holding']} do not. Mechanism checks: {n['mechanism checks wired']} wired, "
        f"{n['mechanism checks not holding']} not. Calibration checks (not corroboration): "
        f"{n['calibration checks fitting']} fit their target, {n['calibration checks not fitting']} do not. The "
        f"measured kind differs from the one its author expected in {n['kinds changed']} rows.", "", robust_note, "",
        "| claim | statement | kind | compared | measured effect | 95 % CI | smallest effect of interest | raw p | "
        "adjusted p | verdict | loop share [95 % CI] | null model | detectable at 80 % power | "
        "robust across parameters | study |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r.claim} | {r.statement} | {r.kind} | {r.compared} | {r.effect} | {r.ci} | {r.sesoi} | "
              f"{p_cell(r, r.p)} | {p_cell(r, r.p_adjusted)} | {verdict(r)} | {share_cell(r)} | {r.null_model} | "
              f"{r.detectable} | {robust.get((r.study, r.claim, r.statement), NOT_RUN)} | "
              f"[{r.study}](results/{r.study}/summary.md) |" for r in rows]
    lines += ["", "## Where a claim does not hold, and why", ""]
    failing = [r for r in rows if not r.holds]
    lines += [f"- **{r.claim}** — {r.statement}: {reason(r)}" for r in failing] or ["Every row holds."]
    changed = [r for r in rows if r.declared_kind and r.kind != r.declared_kind]
    lines += ["", "## Rows whose measured kind differs from the expected one", ""]
    lines += [f"- **{r.claim}** — {r.statement}: expected {r.declared_kind}, measured **{r.kind}** "
              f"({kind_evidence(r)})" for r in changed] or ["None."]
    lines += ["", "## Why each row has its kind", "",
              "| claim | statement | measured kind | evidence | the author's expectation and reason |",
              "|---|---|---|---|---|"]
    lines += [f"| {r.claim} | {r.statement} | {r.kind} | {kind_evidence(r)} | {r.declared_kind}: {r.why_kind} |"
              for r in rows]
    missing = [s.key for s in studies if not load_rows(root, s)]
    lines += ["", "## Studies", "", "| study | claims | module | summary |", "|---|---|---|---|"]
    lines += [f"| {s.title} | {', '.join(s.claims)} | [`{s.key}.py`](../sim/studies/claims/{s.key}.py) | "
              f"{'not run' if s.key in missing else f'[summary](results/{s.key}/summary.md)'} |" for s in studies]
    lines += ["", "Run one study: `alignsim study NAME [--fast] [--n-jobs N]`; all of them and this file: "
              "`alignsim study --all`; list them: `alignsim study --list`. From Python: "
              "`sim.studies.run(NAME)`. Kinds in use: " + ", ".join(KINDS) + ".", ""]
    return "\n".join(lines)
