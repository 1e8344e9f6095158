"""A row's kind, measured: how much of its effect the relational feedback loops carry, whether a fixed-rate
funnel reproduces it, and whether it restates a calibration target (issue 19).

The rule, stated once (the claims table prints :data:`RULE`):

1. a row whose test is an arm's level against a published band, on an outcome a calibration pattern targets in
   the same arm (:data:`sim.calibration.patterns.PUBLISHED`), is a **calibration check**: the parameters were
   fitted to it, so it is not corroboration;
2. otherwise the row's effect (the per-replicate contrast its rule tested) is measured again with every
   relational feedback loop knocked out (:data:`sim.config.LOOP_KNOCKOUT`, except the loops the claim itself
   names) on the same seeds.  The **loop share** is 1 - (effect knocked out) / (effect), with a paired bootstrap
   95 % CI over replicates; a row with several parts takes its smallest part's share;
3. the same contrast is measured in the **null model** (:mod:`sim.null_model`): the funnel with rates fixed at
   the study's reference arm, no agents, no feedback;
4. a row is an **emergent finding** when its loop share is at least :data:`EMERGENT_SHARE` with the CI's lower
   end above 0, and the null model does not reproduce it; otherwise a **mechanism check**.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.patterns import ARM_SCENARIOS, PUBLISHED
from sim.config import LOOP_KNOCKOUT
from sim.null_model import fit_rates, null_runs
from sim.stats import LEVEL, mean_ci
from sim.studies.declarations import CALIBRATION, EMERGENT, MECHANISM, Check, Row, Study, StudyResult

EMERGENT_SHARE = 0.5
"""Share of an effect that must pass through the loops for the row to be an emergent finding: most of it."""
BOOTSTRAP = 2000
"""Paired bootstrap resamples of the loop share's CI (seeded, so the table is reproducible)."""
COMPLEMENTS = {"leads_ignored": "lead_acceptance"}
"""Outcomes that are one minus a calibrated outcome (a band on one is a band on the other)."""
RULE = (f"a row is a *calibration check* when it tests an arm's level against a band on an outcome the calibration "
        f"fitted in that arm; otherwise an *emergent finding* when at least {100 * EMERGENT_SHARE:g} % of its effect "
        "passes through the relational feedback loops (the loop share: 1 - effect with every loop the claim does not "
        "name knocked out / effect, on the same seeds; the lower end of its paired bootstrap 95 % CI above 0) and the "
        "null model (the same funnel with rates fixed at the study's reference arm, no agents, no feedback) does "
        "not reproduce it; otherwise a *mechanism check*. The knockout covers the relational loops (trust, blame, "
        "learning); operations' capacity and customers' satisfaction are not switched, so an effect that travels "
        "only through them reads as a mechanism check")


def calibration_target(res: StudyResult, chk: Check) -> str:
    """The calibration pattern a level row restates, or "" (see the module's rule 1)."""
    if chk.baseline or not chk.treatment:
        return ""
    arm = next(a for a in res.arms if a.name == chk.treatment)
    metric = COMPLEMENTS.get(chk.metric, chk.metric)
    for pattern in PUBLISHED:
        if (pattern.statistic == metric and ARM_SCENARIOS.get(pattern.arm) == arm.scenario
                and not arm.overrides):
            return pattern.name
    return ""


def loop_share(full: np.ndarray, knocked: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """The smallest part's share of the effect that the loops carry, 1 - mean(knocked) / mean(full), and its
    paired bootstrap CI (replicates resampled together in both arrays).  ``full``, ``knocked``: parts x
    replicates, on the same seeds.  NaN where the effect is zero or undefined."""
    full, knocked = np.atleast_2d(full).astype(float), np.atleast_2d(knocked).astype(float)
    ok = ~(np.isnan(full).any(axis=0) | np.isnan(knocked).any(axis=0))
    full, knocked = full[:, ok], knocked[:, ok]
    if full.shape[1] < 2:
        return np.nan, np.nan, np.nan

    def share(f: np.ndarray, k: np.ndarray) -> np.ndarray:
        m = f.mean(axis=-1)
        s = np.where(np.abs(m) > 0, 1 - k.mean(axis=-1) / np.where(m == 0, 1.0, m), np.nan)
        return s.min(axis=-1)

    point = float(share(full, knocked))
    if not np.isfinite(point):
        return np.nan, np.nan, np.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, full.shape[1], size=(BOOTSTRAP, full.shape[1]))
    boot = share(full[:, idx].transpose(1, 0, 2), knocked[:, idx].transpose(1, 0, 2))
    boot = boot[np.isfinite(boot)]
    tail = (1 - LEVEL) / 2
    return point, float(np.quantile(boot, tail)), float(np.quantile(boot, 1 - tail))


def null_verdict(row: Row, null: StudyResult, full: np.ndarray) -> str:
    """Whether the null model's contrast reproduces the row's effect: each part's mean has the agent model's sign
    and its 95 % CI excludes zero."""
    try:
        parts = np.atleast_2d(row.contrast(null)).astype(float)
    except KeyError as missing:
        return f"n/a (the funnel has no {missing.args[0]})"
    if np.isnan(parts).all():
        return "n/a (undefined in the funnel)"
    for part, f in zip(parts, np.atleast_2d(full)):
        ci = mean_ci(part)
        sign = np.sign(np.nanmean(f))
        if not (ci.computable and np.sign(ci.mean) == sign and (ci.low > 0 if sign > 0 else ci.high < 0)):
            return "does not reproduce"
    return "reproduces"


def null_result(res: StudyResult) -> StudyResult:
    """The null model's runs of every arm of ``res`` on its seeds, with rates fitted on the study's reference arm
    (the baseline of its main pair)."""
    reference = res.study.pair()[0]
    if reference not in res.configs:
        reference = res.arms[0].name
    runs = res.runs[res.runs["scenario"] == reference]
    rates = fit_rates(res.weekly[res.weekly["scenario"] == reference], runs, res.configs[reference])
    seeds = dict(zip(runs["replicate"].astype(int), runs["seed"].astype("uint64").map(int)))
    table = null_runs(rates, res.configs, seeds)
    table["lever_value"] = table["scenario"].map({a.name: a.lever_value for a in res.arms}).astype(float)
    return StudyResult(res.study, table, pd.DataFrame(), pd.DataFrame(), res.arms, res.configs, res.fast, res.seed)


def knockout_overrides(named: tuple[str, ...]) -> tuple[str, ...]:
    """Overrides that switch every loop off but the ``named`` ones."""
    return tuple(o for o in LOOP_KNOCKOUT if o.split("=")[0].split(".", 1)[1] not in named)


def classify(row: Row) -> str:
    """The kind of a row whose loop share, null verdict and calibration target are set (the module's rule)."""
    if row.calibration_target:
        return CALIBRATION
    through_loops = (np.isfinite(row.loop_share) and row.loop_share >= EMERGENT_SHARE
                     and np.isfinite(row.loop_share_low) and row.loop_share_low > 0)
    return EMERGENT if through_loops and row.null_model != "reproduces" else MECHANISM


def measure(res: StudyResult, knocked: dict[tuple[str, ...], StudyResult]) -> None:
    """Set every row's calibration target, loop share, null verdict and measured kind.

    Args:
        res: the study's result with its rows evaluated (each row carries its contrast).
        knocked: the same arms with the loops knocked out, by the loops left on (a check's ``named_loops``).
    """
    study: Study = res.study
    checks = {c.statement: c for c in study.checks}
    null = null_result(res)
    for row in res.rows:
        chk = checks[row.statement]
        row.calibration_target = calibration_target(res, chk)
        if row.contrast is not None:
            full = row.contrast(res)
            row.loop_share, row.loop_share_low, row.loop_share_high = loop_share(
                full, row.contrast(knocked[chk.named_loops]))
            row.null_model = null_verdict(row, null, full)
        else:
            row.null_model = "n/a (a level, not an effect)"
        row.kind = classify(row)
