"""The model the workshop plays: :class:`~sim.model.AlignmentModel` with the quarter review left to the people.

:class:`WorkshopRelations` keeps every rule of :class:`~sim.relations.Relations` except the review's decision:
at the quarter end it finds the misses as the agents do (same KPIs, same usual suspect) and logs them, then
waits.  :meth:`WorkshopRelations.settle` applies the answers: a seat's blame is :meth:`Relations._blame` (trust
erodes both ways), its joint fix is :meth:`Relations._fix` (the knowledge gap behind the miss closes) and both
are logged as the model's events; a miss nobody answered is decided by the agents' own rule, with the same random
draws as the plain model (they are drawn at the review and only applied later), so a company whose seats are
all empty is the plain model.

:class:`WorkshopModel` adds the quarter: :meth:`WorkshopModel.play_quarter` runs 13 weeks and returns the
quarter's KPIs per department (:class:`QuarterReport`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from sim.config import Config
from sim.market import Stage
from sim.pricing import quota_value
from sim.model import AlignmentModel
from sim.relations import DEPARTMENTS, Relations
from sim.workshop.decisions import Answer, agreements_in_force, apply

QUARTER_WEEKS = 13
"""Weeks in one round of the game (one quota period of the default config)."""


class WorkshopRelations(Relations):
    """Relations whose period review asks the people.

    The review runs as :meth:`Relations.review` does (the same misses, usual suspects and random draws), but
    what the agents would do about each miss is only noted, not done; :meth:`settle` then does, per miss, what
    the department's seat answered, or what the agents chose where nobody answered.
    """

    pending: list[dict]
    """The last review's misses (owner, suspect, reason and the agents' choice), until settled."""

    def review(self, outcome, marketers, reps) -> None:
        """Find and log each miss and note the agents' choice about it; nothing is blamed or fixed yet."""
        self.pending, self._collecting, self._staff = [], True, (marketers, reps)
        try:
            super().review(outcome, marketers, reps)
        finally:
            self._collecting = False

    def log(self, kind: str, source: str, target: str, reason: str, value: float = 1.0) -> None:
        if getattr(self, "_collecting", False):
            if kind == "fix":
                return  # the agents' fix is noted by _fix below and logged when settled
            if kind == "miss":
                self.pending.append({"owner": DEPARTMENTS.index(source), "suspect": DEPARTMENTS.index(target),
                                     "reason": reason, "agents": Answer("accept")})
        super().log(kind, source, target, reason, value)

    def _blame(self, source: int, target: int, reason: str) -> None:
        if getattr(self, "_collecting", False):
            self.pending[-1]["agents"] = Answer("blame", DEPARTMENTS[target])
            return
        super()._blame(source, target, reason)

    def _fix(self, reason: str, marketers, reps) -> None:
        if getattr(self, "_collecting", False):
            self.pending[-1]["agents"] = Answer("fix")
            return
        super()._fix(reason, marketers, reps)

    def settle(self, answers: dict[str, Answer]) -> list[dict]:
        """Apply the review's answers, one per department that missed.

        Args:
            answers: department -> its seat's answer; a department missing here gets the agents' choice (blame
                the usual suspect with the blame culture's probability, else a joint fix if a meeting was held in
                the quarter, else nothing).

        Returns:
            Per miss: department, suspect, reason, the answer's kind and target, and who decided ("people" or
            "agents").
        """
        marketers, reps = getattr(self, "_staff", ((), ()))
        settled = []
        for miss in self.pending:
            owner, suspect, reason = miss["owner"], miss["suspect"], miss["reason"]
            department = DEPARTMENTS[owner]
            answer, by = answers.get(department), "people"
            if answer is None:
                answer, by = miss["agents"], "agents"
            if answer.kind == "blame":
                self._blame(owner, DEPARTMENTS.index(answer.target), reason)
            elif answer.kind == "fix":
                self._fix(reason, marketers, reps)
                self.log("fix", department, DEPARTMENTS[suspect], reason)
            settled.append({"department": department, "suspect": DEPARTMENTS[suspect], "reason": reason,
                            "kind": answer.kind, "target": answer.target, "by": by})
        self.pending = []
        return settled


@dataclass
class QuarterReport:
    """What one quarter did, per department and for the company (money in EUR, shares 0-1).

    Attributes:
        round: the round played (1 = the first quarter).
        company: revenue (this quarter), revenue_total (the game so far), nrr (net revenue retention: annual
            contract value at the quarter's end of the customers active at its start, over theirs at the start),
            cash (balance at the quarter's end), stage (Goldman alignment stage 1-5) and trust (mean trust, 0-1).
        departments: per department, its KPIs and target.
        misses: the review's misses as dicts (department, suspect, reason).
    """

    round: int
    company: dict[str, float]
    departments: dict[str, dict[str, float]]
    misses: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class RecordedWeeks:
    """The weeks a model has recorded, read straight from its recorder's columns (NumPy arrays, one entry per
    week played) for the quarter report.

    :meth:`AlignmentModel.weekly` rebuilds the whole weekly table (every column, the rolling funnel rates, the
    event counts) on each call: about a third of a quarter's CPU at 20,000 accounts, spent while the room's
    players wait for the result.  The report needs only sums, means and last values of raw columns; like pandas',
    the sums and means skip missing (NaN) weeks.

    Args:
        model: the model that played the weeks.
        start: the first week of the quarter (0-based).
    """

    def __init__(self, model: AlignmentModel, start: int):
        self.columns = model.recorder.columns
        self.start = start
        self.end = len(model.recorder.cycles)

    def total(self, name: str, since: int | None = None) -> float:
        """Sum of column ``name`` over the quarter (or from week ``since``), missing weeks skipped."""
        return float(np.nansum(self.columns[name][self.start if since is None else since:self.end]))

    def mean(self, name: str) -> float:
        """Mean of column ``name`` over the quarter's recorded weeks (NaN when none is recorded)."""
        values = self.columns[name][self.start:self.end]
        values = values[np.isfinite(values)]
        return float(values.mean()) if values.size else float("nan")

    def last(self, name: str) -> float:
        """Column ``name`` in the last week played."""
        return float(self.columns[name][self.end - 1])


class WorkshopModel(AlignmentModel):
    """An :class:`~sim.model.AlignmentModel` played a quarter at a time, its review answered by the people.

    Args:
        config: the company's validated config (its ``weeks`` is the game's horizon: rounds x 13).
        rng: the game's seed (every company of a room gets the same one).
    """

    def __init__(self, config: Config, rng=None):
        super().__init__(config, rng=rng)
        # Swap the review's class on the relations the model built, keeping its state and random stream.
        self.relations.__class__ = WorkshopRelations
        self.relations.pending = []

    @property
    def finished(self) -> bool:
        return self.steps >= self.config.weeks

    def play_quarter(self) -> QuarterReport:
        """Run the next 13 weeks (the quarter review at their end finds the misses) and report the quarter."""
        if self.finished:
            raise RuntimeError(f"the game's horizon of {self.config.weeks} weeks is reached")
        start = self.steps
        market = self.market
        base = market.active_customers()
        base_value = float(market.contract_value[base].sum())
        for _ in range(min(QUARTER_WEEKS, self.config.weeks - start)):
            self.step()
        kept = base[market.stage[base] == Stage.CUSTOMER.value]
        nrr = float(market.contract_value[kept].sum()) / base_value if base_value > 0 else float("nan")
        weeks = RecordedWeeks(self, start)
        total, last = weeks.total, weeks.last
        cfg = self.config
        resolved = total("leads_accepted") + total("leads_expired")
        leads, spend, bookings = total("leads"), total("marketing_spend"), total("bookings")
        team_quota = quota_value(cfg) * cfg.sales.reps
        priced = bookings + total("discount_given")
        company = {"revenue": total("revenue"), "revenue_total": weeks.total("revenue", since=0),
                   "nrr": nrr, "cash": last("cash_balance"), "stage": int(last("alignment_stage")),
                   "trust": last("trust_mean"), "customers": int(last("active_customers"))}
        departments = {
            "marketing": {"leads": leads, "lead_acceptance": total("leads_accepted") / resolved
                          if resolved else float("nan"), "target": cfg.relations.lead_acceptance_target,
                          "spend": spend, "cost_per_lead": spend / leads if leads else float("nan")},
            "sales": {"bookings": bookings, "quota": team_quota, "attainment": bookings / team_quota
                      if team_quota else float("nan"), "wins": int(total("wins")),
                      "discount": total("discount_given") / priced if priced else 0.0},
            "operations": {"delivery_delay": last("delivery_delay"),
                           "normal_delivery": cfg.operations.normal_delivery_weeks,
                           "quality": weeks.mean("service_quality"), "target": cfg.relations.quality_target,
                           "utilisation": weeks.mean("utilisation"), "staff": int(last("ops_staff"))},
            "purchasing": {"pending": int(self.purchasing.pending), "opportunities": int(last("opportunities")),
                           "approval_share": float(self.purchasing.approval_terms()[0])},
        }
        misses = [{"department": DEPARTMENTS[m["owner"]], "suspect": DEPARTMENTS[m["suspect"]],
                   "reason": m["reason"]} for m in self.relations.pending]
        return QuarterReport(round=self.steps // QUARTER_WEEKS, company=company, departments=departments,
                             misses=misses)

    def settle(self, answers: dict[str, Answer]) -> list[dict]:
        """Apply the quarter review's answers (see :meth:`WorkshopRelations.settle`)."""
        return self.relations.settle(answers)


def play_round(model: WorkshopModel, preset: Config, values: dict[str, dict[str, float]],
               votes: dict[str, dict[str, bool] | None]) -> tuple[QuarterReport, dict[str, bool]]:
    """One round: write the departments' decisions and the agreements their votes put in force into the model's
    config, and run the quarter.

    Args:
        model: the company's model.
        preset: the game's config as loaded (an agreement with no person among its parties keeps its setting).
        values: department -> decision key -> value (see :mod:`sim.workshop.decisions`).
        votes: department -> agreement key -> accepts, or None for a seat the agents play.

    Returns:
        The quarter's report and the agreements that were in force.
    """
    agreements = agreements_in_force(votes, preset)
    apply(model.config, values, agreements)
    return model.play_quarter(), agreements


def clean(value):
    """``value`` with NaN and infinities replaced by None, recursively, for JSON."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
