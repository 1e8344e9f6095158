"""The numbers shown beside the curves: revenue, active customers, 12-month retention, pipeline by stage,
trust between each pair of departments, and the alignment stage and score.

Labels, units and formats come from :mod:`sim.outcomes`; trust per pair is read from the model's trust
matrix (mean of both directions, as :meth:`sim.relations.Relations.pair_trust`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from sim.outcomes import outcome
from sim.relations import DEPARTMENTS

GOLDMAN_STAGES = ("Us vs them", "Friendly role-play", "Cooperative efforts", "Collaboration", "Full alignment")
"""Goldman's names of stages 1-5 (seed 004), as :func:`sim.alignment.alignment_stage` defines them."""
PIPELINE = ("open_leads", "accepted_leads", "opportunities", "backlog", "active_customers")
"""The funnel stages shown as the pipeline, from marketing's leads to customers."""


@dataclass(frozen=True)
class Monitor:
    """One number on screen: what it is, its value as text and its unit."""

    group: str
    label: str
    text: str
    unit: str


def stage_name(stage: float) -> str:
    """Goldman's name of a stage 1-5 ("Us vs them")."""
    if stage != stage:
        return "n/a"
    return GOLDMAN_STAGES[int(stage) - 1]


def _weekly(name: str, row, group: str) -> Monitor:
    o = outcome(name, weekly=True)
    return Monitor(group, o.label, o.format(float(row[name])), o.unit)


def monitors(model) -> list[Monitor]:
    """The monitors for the model's latest week (empty before the first week)."""
    if model.steps == 0:
        return []
    weekly = model.weekly()
    row = weekly.iloc[-1]
    summary = model.summary()
    total, retention = outcome("revenue_total"), outcome("retention_12m")
    out = [_weekly("revenue", row, "Money"),
           Monitor("Money", "Revenue so far", total.format(float(summary["revenue_total"])), total.unit),
           _weekly("active_customers", row, "Customers")]
    value = float(summary["retention_12m"])
    out.append(Monitor("Customers", retention.label, retention.format(value),
                       retention.unit if not math.isnan(value) else "needs customers won a year ago"))
    out.extend(_weekly(name, row, "Pipeline") for name in PIPELINE[:-1])
    trust_unit = outcome("trust_mean", weekly=True).unit
    departments = DEPARTMENTS if model.config.purchasing.enabled else DEPARTMENTS[:3]
    for a, b in combinations(range(len(departments)), 2):
        out.append(Monitor("Trust", f"{departments[a].capitalize()} - {departments[b]}",
                           f"{model.relations.pair_trust(a, b):.2f}", trust_unit))
    stage = outcome("alignment_stage", weekly=True)
    out.append(Monitor("Alignment", stage.label, f"{int(row['alignment_stage'])} {stage_name(row['alignment_stage'])}",
                       stage.unit))
    out.append(_weekly("krk_score", row, "Alignment"))
    return out
