"""What a study is, as data: its arms, the checks that settle each claim, the rows they produce, and the
result (:class:`StudyResult`: the runs and the rows) every rule, sentence and figure reads.

A :class:`Study` compares arms (a scenario preset plus overrides each), or sweeps one lever, on common random
numbers; each :class:`Check` turns the per-run table into one :class:`Row` of the claims table.  A row's
*kind* is measured (:mod:`sim.studies.kinds`), not declared:

- an **emergent finding**: at least :data:`sim.studies.kinds.EMERGENT_SHARE` of the effect passes through the
  relational feedback loops (it vanishes when they are knocked out) and a fixed-rate funnel (the null model)
  does not reproduce it;
- a **mechanism check**: the effect survives the knockout, or the null funnel reproduces it: a coded rule;
- a **calibration check**: the row restates a pattern the parameters were calibrated to, so it is not
  corroboration.

Each check still states the kind its author expected (``Check.kind``), which the table compares with the
measured one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
import pandas as pd

from sim.config import Config, LoopsConfig
from sim.outcomes import outcome
from sim.stats import Paired, mean_ci, paired
from sim.studies.sesoi import Declared

Kind = Literal["emergent finding", "mechanism check", "calibration check"]
EMERGENT: Kind = "emergent finding"
MECHANISM: Kind = "mechanism check"
CALIBRATION: Kind = "calibration check"
KINDS: tuple[Kind, ...] = (EMERGENT, MECHANISM, CALIBRATION)
DECLARABLE: tuple[Kind, ...] = (EMERGENT, MECHANISM)
"""The kinds a check's author may expect (a calibration check is found by matching the calibration's patterns)."""

REPLICATES = 30
"""Replicates per arm in the published table (paired by seed across arms)."""
FAST_OVERRIDES = ("weeks=104",)
"""The fast variant the tests run: the default market over two years (a run's cost is mostly per week, and a
smaller market with the same staff would change the calibration, e.g. quota attainment)."""
FAST_REPLICATES = 12
NOT_HOLDING = "does not hold at the default calibration"
"""The ``untested`` reason of a check the published table reports as not holding (kept consistent by a test)."""


@dataclass(frozen=True)
class Arm:
    """One arm of a study: a scenario preset with overrides, under a distinct name."""

    name: str
    scenario: str = "hundred_years_war"
    overrides: tuple[str, ...] = ()
    description: str = ""
    lever_value: float | None = None
    """Position on the x-axis of a sweep (None for a reference arm outside the sweep)."""


@dataclass
class Row:
    """One row of the claims table: a claim checked by one test.

    ``p`` is the raw p-value of the row's test, where a small p supports the claim (a directional paired test,
    an equivalence or a band test).  ``supports`` is the rest of the rule (the sign, an interior optimum, a CI
    inside a band); ``shortfall`` says in measured numbers what failed when it is False.  The verdict needs
    the *adjusted* p (:func:`sim.studies.verdicts.adjudicate`), so ``p_adjusted`` and ``holds`` are set there.
    """

    claim: str
    statement: str
    kind: Kind
    why_kind: str
    compared: str
    metric: str
    effect: str
    ci: str
    p: float
    supports: bool
    detectable: str = "n/a"
    """The smallest effect the row's test detects with 80 % power (alpha 0.05), in the outcome's unit."""
    shortfall: str = ""
    explanation: str = ""
    """The study's account of the measured mechanism, generated from the runs (shown when the row fails)."""
    study: str = ""
    p_adjusted: float = float("nan")
    holds: bool = False
    sesoi: str = ""
    """The smallest effect of interest the test used, in the outcome's unit, with its reason."""
    no_variance: bool = False
    """Every paired difference is the same: there is nothing to test (the table says so instead of a p)."""
    declared_kind: str = ""
    """The kind the check's author expected (``Check.kind``); ``kind`` is the measured one."""
    loop_share: float = float("nan")
    loop_share_low: float = float("nan")
    loop_share_high: float = float("nan")
    """Share of the effect that the relational feedback loops carry, 1 - (effect with the loops knocked out) /
    (effect), with its paired bootstrap 95 % CI (NaN for a level, which has no effect to share)."""
    null_model: str = "n/a"
    """Whether the fixed-rate funnel (:mod:`sim.null_model`) reproduces the effect: "reproduces", "does not
    reproduce", or "n/a (...)" where the funnel has no such outcome."""
    calibration_target: str = ""
    """The calibration pattern the row restates (empty when it restates none)."""
    contrast: Callable[[StudyResult], np.ndarray] | None = field(default=None, repr=False, compare=False)
    """Per-replicate effect the rule tested, as a function of a result (parts x replicates): evaluated again on
    the knockout and the null model's runs.  Not stored."""

    def record(self) -> dict:
        """The row as stored in ``rows.json`` (every field but :attr:`contrast`)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "contrast"}


Rule = Callable[["StudyResult", "Check"], Row]
Explanation = Callable[["StudyResult"], str]


@dataclass(frozen=True)
class Check:
    """One claim settled by one test of ``treatment`` against ``baseline`` on ``metric``.

    Attributes:
        claim, statement: the claim's key (C1-C10, F1-F12) and what is asserted, in words.
        kind, why_kind: emergent finding or mechanism check, and the one-line reason.
        baseline, treatment, metric, expected: the default rule's paired comparison and the claimed sign.
        rule: replaces the directional paired test (bands, equivalence, lags, sweeps).
        explain: generates, from the runs, the mechanism behind the result (quoted when the row fails).
        untested: why the fast tests do not assert this row; empty when they do.
    """

    claim: str
    statement: str
    kind: Kind
    why_kind: str
    baseline: str = ""
    treatment: str = ""
    metric: str = "revenue_total"
    expected: int = +1
    rule: Rule | None = None
    explain: Explanation | None = None
    untested: str = ""
    arms_needed: tuple[str, ...] = ()
    """Arms a custom rule reads besides ``baseline``/``treatment``."""
    sesoi: Declared | None = None
    """The row's own smallest effect of interest; default by the outcome's unit (:mod:`sim.studies.sesoi`)."""
    named_loops: tuple[str, ...] = ()
    """Loops (fields of :class:`~sim.config.LoopsConfig`) the claim itself names, e.g. "blame lowers trust"
    names ``blame_erodes_trust``: they stay on in the knockout, which asks whether the effect needs any *other*
    loop."""

    @property
    def arms(self) -> tuple[str, ...]:
        """Every arm the check reads."""
        return tuple(a for a in (self.baseline, self.treatment, *self.arms_needed) if a)


@dataclass(frozen=True)
class Study:
    """A study: its arms (or a sweep), the checks it settles, and what to plot and quote."""

    key: str
    title: str
    claims: tuple[str, ...]
    question: str
    arms: tuple[Arm, ...]
    checks: tuple[Check, ...]
    panels: tuple[str, ...] = ("revenue", "active_customers")
    """Weekly columns plotted for arm comparisons (mean and 95 % band over replicates)."""
    mechanism: tuple[str, ...] = ("blame_events_per_year",)
    """Per-run outcomes quoted (baseline -> treatment) in the mechanism sentence."""
    mechanism_text: str = ""
    sweep_lever: str = ""
    """For sweeps: the lever on the x-axis; the swept arms carry ``lever_value``."""
    sweep_metrics: tuple[str, ...] = ()
    fast_overrides: tuple[str, ...] = FAST_OVERRIDES
    fast_replicates: int = FAST_REPLICATES
    fast_arms: tuple[str, ...] = ()
    """Arms the fast variant runs (all when empty); every asserted check must find its arms among them."""
    table_metrics: tuple[str, ...] = ("revenue_total", "nrr_annual")
    main_pair: tuple[str, str] | None = None
    """(baseline, treatment) quoted in the summary; default the first check's pair."""
    prepare: Callable[[StudyResult], None] | None = None
    """Adds study-specific per-run outcomes to ``res.runs`` before the checks."""

    def __post_init__(self):
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.key}: arm names repeat: {names}")
        for chk in self.checks:
            if chk.kind not in DECLARABLE or not chk.why_kind:
                raise ValueError(f"{self.key}: '{chk.statement}' needs an expected kind in {DECLARABLE} and a reason")
            unknown = set(chk.named_loops) - set(LoopsConfig().names())
            if unknown:
                raise ValueError(f"{self.key}: '{chk.statement}' names unknown loops {sorted(unknown)}: allowed "
                                 f"{LoopsConfig().names()}")
            missing = set(chk.arms) - set(names)
            if missing:
                raise ValueError(f"{self.key}: '{chk.statement}' reads undeclared arms {sorted(missing)}")
            if not chk.untested and self.fast_arms and set(chk.arms) - set(self.fast_arms):
                raise ValueError(f"{self.key}: asserted check '{chk.statement}' needs arms the fast variant "
                                 f"leaves out: {sorted(set(chk.arms) - set(self.fast_arms))}")

    def arms_run(self, fast: bool) -> tuple[Arm, ...]:
        """The arms of the full study, or of its fast variant."""
        if not fast or not self.fast_arms:
            return self.arms
        return tuple(a for a in self.arms if a.name in self.fast_arms)

    def pair(self) -> tuple[str, str]:
        """The (baseline, treatment) pair quoted in the summary."""
        if self.main_pair:
            return self.main_pair
        for chk in self.checks:
            if chk.baseline and chk.treatment:
                return chk.baseline, chk.treatment
        return self.arms[0].name, self.arms[-1].name


@dataclass
class StudyResult:
    """The runs of a study and the rows its checks produced.

    Attributes:
        runs: one row per run (scenario = arm name, replicate, seed, summary and derived outcomes, lever_value).
        weekly, events: the stacked weekly tables and event logs.
        arms, configs: the arms run and the config each ran.
        fast: whether this is the fast variant; seed: the root the replicate seeds were spawned from.
        rows: one per check whose arms ran, with the verdict adjusted within the study.
    """

    study: Study
    runs: pd.DataFrame
    weekly: pd.DataFrame
    events: pd.DataFrame
    arms: tuple[Arm, ...]
    configs: dict[str, Config]
    fast: bool
    seed: int
    rows: list[Row] = field(default_factory=list)

    def values(self, arm: str, metric: str) -> np.ndarray:
        """Per-replicate values of ``metric`` in ``arm``, ordered by replicate (the pairing)."""
        r = self.runs[self.runs["scenario"] == arm].sort_values("replicate")
        return r[metric].to_numpy(float)

    def compare(self, baseline: str, treatment: str, metric: str) -> Paired:
        """Paired comparison of two arms on ``metric`` (:func:`sim.stats.paired`; the difference's CI cut to
        the outcome's scale)."""
        return paired(self.values(baseline, metric), self.values(treatment, metric), bounds=outcome(metric).bounds)

    def curve(self, metric: str) -> pd.DataFrame:
        """Mean and 95 % CI of ``metric`` at each point of the sweep (arms with a ``lever_value``), by lever."""
        rows = []
        for arm in self.arms:
            if arm.lever_value is not None:
                ci = mean_ci(self.values(arm.name, metric), bounds=outcome(metric).bounds)
                rows.append({"arm": arm.name, "lever": arm.lever_value, "mean": ci.mean, "low": ci.low,
                             "high": ci.high})
        return pd.DataFrame(rows).sort_values("lever", ignore_index=True)

    @property
    def replicates(self) -> int:
        """Replicates per arm (the smallest count over arms)."""
        return int(self.runs.groupby("scenario")["replicate"].nunique().min())
