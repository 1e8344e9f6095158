"""Calibration on one seed root, validation on another: the defaults against EVIDENCE's ranges.

``python -m sim.studies.calibration`` runs the baseline (``hundred_years_war``) and ``full_alignment`` at the
default market on the calibration root (:data:`sim.studies.seeds.CALIBRATION`) and on the validation root
(:data:`sim.studies.seeds.PUBLISHED_TABLE`, never used to set a default), and writes each target's mean and
95 % CI beside its published range into ``docs/calibration.md`` and ``docs/validation.md``.

``--fit-quota`` re-derives the one default fitted to a target, the quota (``sales.quota_deals``, deals at list price
per rep and period): bisection on the calibration root for the quota at which the baseline's share of reps at quota
is the middle of CSO Insights' 52-60 %.  The
fitted value is then set by hand in ``sim/config.py`` and checked here on the validation root.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import sim
from sim.outcomes import outcome
from sim.runner import run_replicates
from sim.stats import mean_ci
from sim.studies import results_dir, seeds
from sim.studies.markers import splice_if_marked

DOCS = Path(__file__).resolve().parents[2] / "docs"


@dataclass(frozen=True)
class Target:
    """A published range an outcome of a scenario should fall in."""

    outcome: str
    scenario: str
    low: float
    high: float
    source: str


TARGETS = (
    Target("inquiry_to_mql", "hundred_years_war", 0.10, 0.25, "SiriusDecisions waterfall [2nd]"),
    Target("lead_acceptance", "hundred_years_war", 0.40, 0.60, "SiriusDecisions waterfall [2nd]"),
    Target("leads_ignored", "hundred_years_war", 0.30, 0.80, "BPM Forum / CMO Council [2nd]"),
    Target("sal_to_sql", "hundred_years_war", 0.50, 0.70, "SiriusDecisions waterfall [2nd]"),
    Target("sql_to_won", "hundred_years_war", 0.20, 0.30, "SiriusDecisions waterfall [2nd]"),
    Target("sales_cycle_median", "hundred_years_war", 4, 13, "practitioner surveys, mid-market"),
    Target("reps_at_quota", "hundred_years_war", 0.52, 0.60, "CSO Insights 2009-2018"),
    Target("churn_annual", "full_alignment", 0.07, 0.10, "SaaS Capital 2019-23 (healthy B2B SaaS)"),
    Target("churn_annual", "hundred_years_war", 0.07, 0.10, "SaaS Capital 2019-23 (healthy B2B SaaS)"),
    Target("gross_margin_rate", "hundred_years_war", 0.70, 0.85, "SaaS gross margins"),
    Target("lead_to_customer", "hundred_years_war", 0.02, 0.10,
           "MQL to won implied by the waterfall: 40-60 % x 50-70 % x 20-30 %"),
    Target("lead_to_customer", "full_alignment", 0.02, 0.10,
           "MQL to won implied by the waterfall: 40-60 % x 50-70 % x 20-30 % (typical firms: a lead SLA lifts MQL to "
           "SAL past 60 % by design, F7)"),
    Target("sal_to_sql", "full_alignment", 0.50, 0.70, "SiriusDecisions waterfall [2nd]"),
    Target("sql_to_won", "full_alignment", 0.20, 0.30, "SiriusDecisions waterfall [2nd]"),
    Target("grr_annual", "full_alignment", 0.90, 0.93, "SaaS Capital 2019-23: gross revenue retention 90-93 %"),
    Target("nrr_annual", "full_alignment", 1.00, 1.04, "SaaS Capital 2019-23: net revenue retention median 100-104 % "
                                                       "[2nd]"),
)
QUOTA_TARGET = 0.56
"""Share of reps at quota the quota is fitted to: the middle of CSO Insights' 52-60 %."""


def runs(scenario: str, root: int, replicates: int, n_jobs: int, overrides: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per-run summaries of ``scenario`` on ``replicates`` seeds spawned from ``root``."""
    frame = run_replicates([sim.load_config(scenario, list(overrides))], replicates, seed=root, n_jobs=n_jobs).runs
    frame["leads_ignored"] = 1 - frame["lead_acceptance"]
    return frame


def target_rows(replicates: int, n_jobs: int, overrides: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each target on the calibration and the validation root: mean, CI and whether the CI is in range."""
    cache: dict[tuple[str, int], pd.DataFrame] = {}
    rows = []
    for t in TARGETS:
        row = {"outcome": t.outcome, "scenario": t.scenario, "low": t.low, "high": t.high, "source": t.source}
        for name, root in (("calibration", seeds.CALIBRATION), ("validation", seeds.PUBLISHED_TABLE)):
            key = (t.scenario, root)
            if key not in cache:
                cache[key] = runs(t.scenario, root, replicates, n_jobs, overrides)
            ci = mean_ci(cache[key][t.outcome].to_numpy(float), bounds=outcome(t.outcome).bounds)
            row |= {f"{name}_mean": ci.mean, f"{name}_low": ci.low, f"{name}_high": ci.high,
                    f"{name}_mean_in_range": bool(t.low <= ci.mean <= t.high),
                    f"{name}_ci_in_range": bool(t.low <= ci.low and ci.high <= t.high)}
        rows.append(row)
    return pd.DataFrame(rows)


QUOTA_STEP = 0.05
"""Resolution of the fitted quota (deals at list price per rep and period)."""


def fit_quota(replicates: int, n_jobs: int, low: float = 1.5, high: float = 4.5,
              iterations: int = 6) -> tuple[float, float]:
    """Bisection on the calibration root for the quota (``sales.quota_deals``: deals at list price per rep and
    period) giving :data:`QUOTA_TARGET` reps at quota in the baseline.  Returns (quota rounded to
    :data:`QUOTA_STEP`, share reached at it)."""
    for _ in range(iterations):
        mid = (low + high) / 2
        share = runs("hundred_years_war", seeds.CALIBRATION, replicates, n_jobs, (f"sales.quota_deals={mid}",))[
            "reps_at_quota"].mean()
        low, high = (mid, high) if share > QUOTA_TARGET else (low, mid)
    quota = round((low + high) / 2 / QUOTA_STEP) * QUOTA_STEP
    share = runs("hundred_years_war", seeds.CALIBRATION, replicates, n_jobs, (f"sales.quota_deals={quota}",))[
        "reps_at_quota"].mean()
    return quota, float(share)


def table_markdown(frame: pd.DataFrame, replicates: int) -> str:
    """The targets table in Markdown; every number from ``frame``."""
    cfg = sim.load_config()
    lines = [f"Default market ({cfg.market.accounts:,} accounts, {cfg.sales.reps} reps, {cfg.weeks} weeks), "
             f"{replicates} replicates per root; mean [95 % CI]. Calibration root {seeds.CALIBRATION}, validation "
             f"root {seeds.PUBLISHED_TABLE} (never used to set a default). On the validation root: whether the mean "
             "lies "
             "in the published range, and whether the whole CI does. Generated by `python -m sim.studies.calibration`.",
             "", "| target | scenario | published range | calibration root | validation root | validation: mean in "
             "range / CI in range | source |", "|---|---|---|---|---|---|---|"]
    for _, r in frame.iterrows():
        o = outcome(r["outcome"])
        cell = {k: f"{o.format(r[f'{k}_mean'])} [{o.format(r[f'{k}_low'])}, {o.format(r[f'{k}_high'])}]"
                for k in ("calibration", "validation")}
        lines.append(f"| {o.label} ({o.unit}) | {r['scenario']} | {o.format(r['low'])}-{o.format(r['high'])} | "
                     f"{cell['calibration']} | {cell['validation']} | {_yes(r['validation_mean_in_range'])} / "
                     f"{_yes(r['validation_ci_in_range'])} | {r['source']} |")
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.studies.calibration", description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=20)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--fit-quota", action="store_true", help="re-derive the quota on the calibration root")
    args = p.parse_args(argv)
    if args.fit_quota:
        quota, share = fit_quota(args.replicates, args.n_jobs)
        print(f"quota {quota:.2f} deals at list price per rep per period gives {share:.1%} reps at quota on root "
              f"{seeds.CALIBRATION}")
        return 0
    frame = target_rows(args.replicates, args.n_jobs)
    out = results_dir() / "calibration"
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "targets.csv", index=False)
    text = table_markdown(frame, args.replicates)
    (out / "table.md").write_text(text + "\n")
    for doc in (DOCS / "calibration.md", DOCS / "validation.md"):
        splice_if_marked(doc, "calibration", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
