"""What each seat of the workshop game may decide, mapped to the model's config fields, and the checks the
server runs on every decision before anything changes.

A department's decision screen is a few numbers (:class:`Decision`), each written into one field of the
company's config at the start of the quarter; a cross-department agreement (:class:`Agreement`: a lead SLA,
shared goals, joint meetings, a spend veto, shared data) is in force only when every department that is party to
it and has a person in its seat accepts it.  Seats nobody took (played by the agents) go along with the people
present; when no party has a person, the preset's setting stands.  The review answer (:class:`Answer`) is what
a seat that missed its KPI says at the quarter end: blame a department, call a joint fix, or let it go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from sim.config import Config
from sim.relations import DEPARTMENTS

DEPARTMENT_LABELS = {"marketing": "Marketing", "sales": "Sales", "operations": "Operations",
                     "purchasing": "Purchasing"}
ALIGNED_PRESET = "full_alignment"
"""The preset whose settings a department is replaced with in the blame ledger."""


class GameError(ValueError):
    """A request the game refuses; the message says why, in the players' words, and nothing was changed."""


_MQL_FIELD = {"lead_volume": "mql_threshold_volume", "pipeline": "mql_threshold_pipeline",
              "revenue": "mql_threshold_revenue"}


def _fixed(path: str) -> Callable[[Config], str]:
    return lambda cfg: path


@dataclass(frozen=True)
class Decision:
    """One number a department sets for the coming quarter.

    Attributes:
        key: the decision's name in messages and saved games ("max_discount").
        department: the department whose seat sets it.
        label: what the screen calls it.
        unit: its unit in business terms.
        low, high: the allowed range (inclusive); the server refuses anything outside it.
        step: the screen's slider step.
        help: one sentence on what it does in the company.
        path: the config field it is written into, as a function of the company's config (marketing's
            campaign mix and lead bar are the fields of marketing's current pay scheme).
    """

    key: str
    department: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    help: str
    path: Callable[[Config], str]

    def read(self, cfg: Config) -> float:
        """The decision's value in ``cfg``."""
        return float(_get(cfg, self.path(cfg)))

    def write(self, cfg: Config, value: float) -> None:
        """Set the decision's field of ``cfg`` in place (the running model reads its config live)."""
        path = self.path(cfg)
        current = _get(cfg, path)
        _set(cfg, path, int(round(value)) if isinstance(current, int) and not isinstance(current, bool)
             else float(value))


DECISIONS: tuple[Decision, ...] = (
    Decision("brand_share", "marketing", "Budget on brand", "share of the marketing budget", 0.0, 0.8, 0.05,
             "The rest of the budget, less waste, goes to demand generation (campaigns that bring inquiries).",
             _fixed("marketing.brand_share")),
    Decision("targeted_share", "marketing", "Campaigns targeted at good-fit accounts",
             "share of demand-generation spend", 0.0, 1.0, 0.05,
             "Targeted campaigns cost more per account touched and reach better-fitting buyers.",
             lambda cfg: f"marketing.targeted_share_{cfg.policy.marketing_pay}"),
    Decision("lead_threshold", "marketing", "Lead bar", "estimated fit (0-1)", 0.2, 0.8, 0.01,
             "An inquiry becomes a lead passed to sales when marketing rates its fit at least this high "
             "(a lead SLA replaces it with the agreed definition).",
             lambda cfg: f"marketing.{_MQL_FIELD[cfg.policy.marketing_pay]}"),
    Decision("max_discount", "sales", "Discount authority", "share of list price", 0.0, 0.5, 0.01,
             "The largest discount a rep may give; reps under quota pressure go up to it.",
             _fixed("policy.max_discount")),
    Decision("acceptance_threshold", "sales", "Lead acceptance bar", "estimated fit (0-1)", 0.1, 0.7, 0.01,
             "Reps work a lead from marketing when they rate its fit above this bar (raised by distrust "
             "and overload).", _fixed("sales.acceptance_threshold")),
    Decision("account_management_share", "sales", "Time for existing customers", "share of rep hours", 0.0,
             0.6, 0.01, "Hours reserved for the 'last sale': care that keeps customers and grows them.",
             _fixed("policy.account_management_share")),
    Decision("capacity_adjustment_weeks", "operations", "Hiring speed", "weeks to close a staffing gap", 4, 52, 1,
             "How many weeks operations takes to hire up to the staff that the workload needs.",
             _fixed("operations.capacity_adjustment_weeks")),
    Decision("ops_flexibility", "operations", "Flexibility on custom promises", "0-1 score", 0.0, 1.0, 0.05,
             "How far operations honours what sales promised beyond the standard service, at a cost in capacity.",
             _fixed("policy.ops_flexibility")),
    Decision("purchasing_rigidity", "purchasing", "Rigidity of approvals", "0-1 score", 0.0, 1.0, 0.05,
             "How many deals need purchasing's approval and how long they wait for it.",
             _fixed("policy.purchasing_rigidity")),
)


@dataclass(frozen=True)
class Agreement:
    """A cross-department agreement: in force only when every party with a person in its seat accepts.

    Attributes:
        key: the agreement's name in messages and saved games.
        label: what the screen calls it.
        parties: the departments that must accept.
        path: the config field it sets.
        on: the field's value while the agreement is in force (the ``full_alignment`` preset's setting, or,
            for the spend veto that preset does not use, switched on).
        off: the field's value without it.
        help: one sentence on what it commits the parties to.
    """

    key: str
    label: str
    parties: tuple[str, ...]
    path: str
    on: Any
    off: Any
    help: str

    def preset_on(self, cfg: Config) -> bool:
        """Whether ``cfg`` (a preset) has this agreement in force."""
        return _get(cfg, self.path) != self.off


AGREEMENTS: tuple[Agreement, ...] = (
    Agreement("lead_sla", "Lead SLA", ("marketing", "sales"), "policy.lead_sla", True, False,
              "Sales follows up within a week every lead above the agreed fit, and tells marketing which were bad."),
    Agreement("shared_goals", "Shared company goal", DEPARTMENTS, "policy.shared_goal_weight", 0.7, 0.0,
              "Every department is rewarded on the company's result as well as its own KPI."),
    Agreement("joint_meetings", "Monthly joint meeting", ("marketing", "sales", "operations"),
              "policy.joint_meetings", 4, 0,
              "Marketing, sales and operations meet every four weeks to share constraints; a miss can be fixed "
              "together."),
    Agreement("spend_veto", "Sales veto on campaigns", ("marketing", "sales"), "policy.spend_veto", True, False,
              "Sales may stop marketing campaigns whose short-run return looks low."),
    Agreement("shared_data", "Shared pipeline data", DEPARTMENTS, "policy.shared_data", 0.9, 0.0,
              "One CRM for all: every department sees the others' numbers and decisions."),
)

SHARED_DATA_VISIBLE = 0.5
"""From this ``policy.shared_data`` on, a seat sees the other departments' KPIs and decisions."""

ANSWER_KINDS = ("blame", "fix", "accept")
"""Review answers: blame a department, call a joint fix, or let the miss go."""


@dataclass(frozen=True)
class Answer:
    """A seat's answer at the quarter review.

    Attributes:
        kind: "blame" (trust falls both ways), "fix" (a joint fix: the knowledge gap behind the miss closes
            by the relations' ``fix_effect``) or "accept" (nothing happens).
        target: the department blamed (only for "blame").
    """

    kind: str
    target: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "target": self.target}


FIX = Answer("fix")
"""What a department playing the aligned preset answers at every review in the ledger's replays."""


def decisions_of(department: str) -> tuple[Decision, ...]:
    """The decisions on ``department``'s screen."""
    return tuple(d for d in DECISIONS if d.department == department)


def agreements_of(department: str) -> tuple[Agreement, ...]:
    """The agreements ``department`` is a party to."""
    return tuple(a for a in AGREEMENTS if department in a.parties)


def check_department(department: Any) -> str:
    if department not in DEPARTMENTS:
        raise GameError(f"{department!r} is not a department: choose one of {', '.join(DEPARTMENTS)}")
    return department


def _number(label: str, value: Any, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise GameError(f"{label} = {value!r} is not a number: allowed {low:g} to {high:g} ({unit})")
    if not low <= value <= high:
        raise GameError(f"{label} = {value:g} is out of range: allowed {low:g} to {high:g} ({unit})")
    return float(value)


def check_values(department: str, values: Any) -> dict[str, float]:
    """``values`` (decision key -> number) checked for ``department``: every key one of its decisions, every
    number in range.  Raises :class:`GameError` naming the decision, the value and what is allowed."""
    if not isinstance(values, dict):
        raise GameError("a decision is a set of named numbers")
    allowed = {d.key: d for d in decisions_of(department)}
    out = {}
    for key, value in values.items():
        if key not in allowed:
            raise GameError(f"{key!r} is not a decision of {DEPARTMENT_LABELS[department]}: it decides "
                            + ", ".join(d.label.lower() for d in allowed.values()))
        d = allowed[key]
        out[key] = _number(d.label, value, d.low, d.high, d.unit)
    return out


def check_votes(department: str, votes: Any) -> dict[str, bool]:
    """``votes`` (agreement key -> accept or not) checked for ``department``: only agreements it is party to."""
    if not isinstance(votes, dict):
        raise GameError("votes are a set of named yes/no answers")
    allowed = {a.key: a for a in agreements_of(department)}
    out = {}
    for key, vote in votes.items():
        if key not in allowed:
            raise GameError(f"{key!r} is not an agreement {DEPARTMENT_LABELS[department]} is party to")
        if not isinstance(vote, bool):
            raise GameError(f"the vote on {allowed[key].label} must be yes or no, not {vote!r}")
        out[key] = vote
    return out


def check_answer(department: str, payload: Any) -> Answer:
    """A review answer from ``department``'s seat, checked: a known kind, and a blame names another department."""
    if not isinstance(payload, dict) or payload.get("kind") not in ANSWER_KINDS:
        raise GameError("a review answer is: blame a department, call a joint fix, or let it go")
    kind, target = payload["kind"], payload.get("target")
    if kind != "blame":
        return Answer(kind)
    if target not in DEPARTMENTS:
        raise GameError(f"blame whom? {target!r} is not a department: choose one of {', '.join(DEPARTMENTS)}")
    if target == department:
        raise GameError(f"{DEPARTMENT_LABELS[department]} cannot blame itself: call a joint fix or let it go")
    return Answer("blame", target)


def preset_values(cfg: Config) -> dict[str, dict[str, float]]:
    """Each department's decisions as ``cfg`` (a preset) sets them: what the agents play in an empty seat."""
    return {dept: {d.key: d.read(cfg) for d in decisions_of(dept)} for dept in DEPARTMENTS}


def preset_votes(cfg: Config) -> dict[str, bool]:
    """Whether ``cfg`` (a preset) has each agreement in force: a person's vote before they change it."""
    return {a.key: a.preset_on(cfg) for a in AGREEMENTS}


def agreements_in_force(votes: dict[str, dict[str, bool] | None], preset: Config) -> dict[str, bool]:
    """Which agreements hold this quarter.

    Args:
        votes: per department, its votes (agreement key -> accepts), or None for a seat played by the agents
            (which goes along with the people present).
        preset: the game's preset; an agreement none of whose parties has a person keeps the preset's setting.
    """
    out = {}
    for a in AGREEMENTS:
        cast = [votes[p].get(a.key, False) for p in a.parties if votes.get(p) is not None]
        out[a.key] = all(cast) if cast else a.preset_on(preset)
    return out


def apply(cfg: Config, values: dict[str, dict[str, float]], agreements: dict[str, bool]) -> None:
    """Write every department's decisions and the agreements in force into ``cfg`` (in place)."""
    by_key = {d.key: d for d in DECISIONS}
    for dept_values in values.values():
        for key, value in dept_values.items():
            by_key[key].write(cfg, value)
    for a in AGREEMENTS:
        _set(cfg, a.path, a.on if agreements[a.key] else a.off)


def describe() -> dict:
    """The decision screens and agreements as plain data for the web page."""
    return {"departments": [{"key": dept, "label": DEPARTMENT_LABELS[dept],
                             "decisions": [{"key": d.key, "label": d.label, "unit": d.unit, "low": d.low,
                                            "high": d.high, "step": d.step, "help": d.help}
                                           for d in decisions_of(dept)],
                             "agreements": [a.key for a in agreements_of(dept)]} for dept in DEPARTMENTS],
            "agreements": [{"key": a.key, "label": a.label, "parties": list(a.parties), "help": a.help}
                           for a in AGREEMENTS]}


def _get(cfg: Config, path: str) -> Any:
    node = cfg
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _set(cfg: Config, path: str, value: Any) -> None:
    *parents, name = path.split(".")
    node = cfg
    for part in parents:
        node = getattr(node, part)
    setattr(node, name, value)
