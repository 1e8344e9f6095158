"""The published patterns a calibration fits all at once (pattern-oriented modelling, Grimm et al. 2005).

A :class:`Pattern` is one statistic of the model's output with the band the evidence gives for it
(``../shared/EVIDENCE.md``; the sources are cited in ``docs/calibration.md``).  The statistics come from a few
*arms* run on one seed (common random numbers, so the elasticities compare like with like):

- ``baseline``: the ``hundred_years_war`` scenario, the typical firm the funnel benchmarks describe;
- ``aligned``: ``full_alignment``, the healthy SaaS firm the retention surveys describe;
- ``budget``, ``reps``, ``price``: the baseline with the marketing budget, the sales head count or the list price
  at 1.5 x, for the arc elasticities of the meta-analyses (``sim.studies.responses.arc_elasticity``; the +50 %
  step, because a +10 % step on one seed is mostly noise).

A pattern's *tolerance* is half its band: the ABC distance (:func:`distance`) measures each statistic's distance
from the band's centre in tolerances, so a particle with every statistic inside its band is at most 1 away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

ARM_SCENARIOS = {"baseline": "hundred_years_war", "aligned": "full_alignment"}
"""The scenario each level arm runs."""
ELASTICITY_STEP = 1.5
"""The factor the elasticity arms apply to their lever."""
ELASTICITY_ARMS = {"budget": "marketing.weekly_budget", "reps": "sales.reps", "price": "market.list_price"}
"""Elasticity arm -> the field it multiplies by :data:`ELASTICITY_STEP` (on the baseline)."""


@dataclass(frozen=True)
class Pattern:
    """One published pattern: ``statistic`` of ``arm`` should lie in [``low``, ``high``].

    ``statistic`` is a run summary column (``sim.runner.RunResult.summary``) for a level, or
    ``elasticity:<outcome>`` for the arc elasticity of that summary column between ``arm``'s elasticity run and
    the baseline.  ``unit`` is how the docs print it ("share", "weeks", "elasticity")."""

    name: str
    arm: str
    statistic: str
    low: float
    high: float
    unit: str
    source: str

    @property
    def centre(self) -> float:
        return (self.low + self.high) / 2

    @property
    def tolerance(self) -> float:
        """Half the band: the distance from the centre at which the statistic leaves it."""
        return (self.high - self.low) / 2


PUBLISHED = (
    Pattern("inquiry_to_mql", "baseline", "inquiry_to_mql", 0.10, 0.25, "share",
            "SiriusDecisions demand waterfall, inquiry to MQL 10-25 % [2nd]"),
    Pattern("lead_acceptance", "baseline", "lead_acceptance", 0.40, 0.60, "share",
            "SiriusDecisions demand waterfall, MQL to SAL 40-60 % [2nd]"),
    Pattern("sal_to_sql", "baseline", "sal_to_sql", 0.50, 0.70, "share",
            "SiriusDecisions demand waterfall, SAL to SQL 50-70 % [2nd]"),
    Pattern("sql_to_won", "baseline", "sql_to_won", 0.20, 0.30, "share",
            "SiriusDecisions demand waterfall, SQL to won 20-30 % [2nd]"),
    Pattern("lead_to_customer", "baseline", "lead_to_customer", 0.02, 0.10, "share",
            "MQL to won implied by the waterfall: 40-60 % x 50-70 % x 20-30 %"),
    Pattern("sales_cycle_median", "baseline", "sales_cycle_median", 4.0, 13.0, "weeks",
            "practitioner surveys of mid-market B2B sales cycles, 1-3 months"),
    Pattern("reps_at_quota", "baseline", "reps_at_quota", 0.52, 0.60, "share",
            "CSO Insights sales performance studies 2009-2018: 52-60 % of reps at quota"),
    Pattern("churn_annual", "baseline", "churn_annual", 0.07, 0.10, "share per year",
            "SaaS Capital retention surveys 2019-2023: logo churn of B2B SaaS 7-10 % a year [2nd]"),
    Pattern("gross_margin_rate", "baseline", "gross_margin_rate", 0.70, 0.85, "share",
            "SaaS gross margins 70-85 % (EVIDENCE.md)"),
    Pattern("aligned_churn_annual", "aligned", "churn_annual", 0.07, 0.10, "share per year",
            "SaaS Capital retention surveys 2019-2023 [2nd]"),
    Pattern("aligned_grr_annual", "aligned", "grr_annual", 0.90, 0.93, "share per year",
            "SaaS Capital 2019-2023: median gross revenue retention 90-93 % [2nd]"),
    Pattern("aligned_nrr_annual", "aligned", "nrr_annual", 1.00, 1.04, "share per year",
            "SaaS Capital 2019-2023: median net revenue retention 100-104 % [2nd]"),
    Pattern("aligned_sql_to_won", "aligned", "sql_to_won", 0.20, 0.30, "share",
            "SiriusDecisions demand waterfall, SQL to won 20-30 % [2nd]"),
    Pattern("budget_elasticity", "budget", "elasticity:revenue_total", 0.05, 0.35, "elasticity",
            "Sethuraman, Tellis & Briesch (2011), JMR 48(3): advertising elasticity of sales, long-run mean 0.24, "
            "typical 0.05-0.35"),
    Pattern("reps_elasticity", "reps", "elasticity:revenue_total", 0.20, 0.48, "elasticity",
            "Albers, Mantrala & Sridhar (2010), JMR 47(5): personal-selling elasticity of sales 0.34; band +-0.14 "
            "by judgement"),
    Pattern("price_elasticity", "price", "elasticity:customers_won", -2.62, -1.00, "elasticity",
            "Bijmolt, van Heerde & Pieters (2005), JMR 42(2): -2.62; Tellis (1988), JMR 25(4): -1.76; B2B software "
            "lower in magnitude [unverified]: band -2.62 to -1.0"),
)
"""The default patterns, every one a level or an elasticity the evidence gives for a typical firm (none is an
effect of an alignment policy: those are the claims the calibrated model is then asked about)."""


def by_name(patterns=PUBLISHED) -> dict[str, Pattern]:
    return {p.name: p for p in patterns}


def arms_needed(patterns=PUBLISHED) -> list[str]:
    """The arms the patterns read, the baseline first (every elasticity is taken against it)."""
    arms = {p.arm for p in patterns} | ({"baseline"} if any(p.arm in ELASTICITY_ARMS for p in patterns) else set())
    return sorted(arms, key=lambda a: (a != "baseline", a))


def statistics(summaries: Mapping[str, Mapping[str, float]], patterns=PUBLISHED) -> dict[str, float]:
    """Each pattern's statistic from the arms' run summaries (one summary per arm, all on one seed); NaN where
    the run gives none (no deal closed, a zero revenue)."""
    from sim.studies.responses import arc_elasticity

    out = {}
    for p in patterns:
        if p.statistic.startswith("elasticity:"):
            column = p.statistic.split(":", 1)[1]
            base, moved = summaries["baseline"][column], summaries[p.arm][column]
            out[p.name] = float(arc_elasticity(base, moved, 1.0, ELASTICITY_STEP))
        else:
            out[p.name] = float(summaries[p.arm][p.statistic])
    return out


def distance(simulated: Mapping[str, float], patterns=PUBLISHED) -> float:
    """Root-mean-square distance of the statistics from their bands' centres, in tolerances (half bands):
    at most 1 when every statistic is inside its band; infinite when a statistic is missing or NaN."""
    total = 0.0
    for p in patterns:
        x = simulated.get(p.name, math.nan)
        if x is None or not math.isfinite(x):
            return math.inf
        total += ((x - p.centre) / p.tolerance) ** 2
    return math.sqrt(total / len(patterns))


def inside(value: float, pattern: Pattern) -> bool:
    return pattern.low <= value <= pattern.high
