"""The blame ledger: who really cost the company what.

After the last round each company is replayed from the game's seed with some departments' human decisions
(their numbers, their votes on the agreements and their review answers) replaced by what the aligned preset
(``full_alignment``) would have done in that seat, in every combination of departments.  The value of a
combination is the company's revenue over the game; the shortfall is the revenue of the company with every
department aligned minus the revenue the people made, and each department's Shapley value is its share of it
(the mean, over all orders of aligning departments one by one, of the revenue gained when it is aligned).  The
shares add up to the shortfall exactly (Shapley's efficiency), and the ledger shows them beside whom the people
blamed at each review.  A negative share means that department did better than the aligned preset's setting.

Settings management keeps for the whole company (blame culture, pay schemes, rotations) stay at the game's
preset in every replay: the ledger splits what the seats decided, not what nobody in the room controlled.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

from sim.config import Config
from sim.relations import DEPARTMENTS
from sim.workshop.decisions import FIX, Answer, preset_values, preset_votes
from sim.workshop.model import WorkshopModel, play_round


def shapley(value: Callable[[frozenset[str]], float], players: Sequence[str]) -> dict[str, float]:
    """Exact Shapley values of a cooperative game.

    Args:
        value: the worth of each coalition (here: the company's revenue with those departments aligned, EUR);
            called once per coalition (2 ** len(players) calls, cached here).
        players: the players (departments).

    Returns:
        player -> its share of ``value(all) - value(none)``; the shares sum to that difference.
    """
    n = len(players)
    worth: dict[frozenset[str], float] = {}

    def v(coalition: frozenset[str]) -> float:
        if coalition not in worth:
            worth[coalition] = float(value(coalition))
        return worth[coalition]

    shares = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for group in combinations(others, size):
                s = frozenset(group)
                total += weight * (v(s | {p}) - v(s))
        shares[p] = total
    return shares


@dataclass
class Ledger:
    """One company's blame ledger (money in EUR).

    Attributes:
        revenue_played: revenue over the game with the people's (and empty seats' agents') decisions.
        revenue_aligned: revenue with every department at the aligned preset's settings.
        shortfall: ``revenue_aligned - revenue_played``.
        shares: department -> its Shapley share of the shortfall (they sum to it).
        coalitions: revenue with each combination of aligned departments ("none", "marketing+sales", ...).
        blamed: department -> how often the people blamed it at the reviews.
        blames: every blame the people made, as dicts (round, by, target, reason).
        played_by: department -> "people" or "agents" (who held the seat).
    """

    revenue_played: float
    revenue_aligned: float
    shortfall: float
    shares: dict[str, float]
    coalitions: dict[str, float]
    blamed: dict[str, int] = field(default_factory=dict)
    blames: list[dict] = field(default_factory=list)
    played_by: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def coalition_name(coalition: Iterable[str]) -> str:
    """"none" or the aligned departments joined with "+" in the departments' order."""
    names = [d for d in DEPARTMENTS if d in set(coalition)]
    return "+".join(names) if names else "none"


def replay(base: Config, seed: int, records: list[dict], aligned: frozenset[str] = frozenset(),
           aligned_config: Config | None = None, settle_last: bool = True):
    """The company's model after replaying ``records`` from the seed, with the ``aligned`` departments playing
    the aligned preset.

    Args:
        base: the game's config (preset, market, horizon); copied, never modified.
        seed: the game's seed.
        records: the rounds played, as :class:`~sim.workshop.game.Company` stores them.
        aligned: departments whose decisions, votes and review answers are the aligned preset's (a joint fix
            at every miss).
        aligned_config: the aligned preset's config (needed when ``aligned`` is not empty).
        settle_last: whether to apply the last round's review answers (False when its review is still open).
    """
    model = WorkshopModel(copy.deepcopy(base), rng=seed)
    values_aligned = preset_values(aligned_config) if aligned else {}
    votes_aligned = preset_votes(aligned_config) if aligned else {}
    for i, record in enumerate(records):
        values = {d: (values_aligned[d] if d in aligned else record["values"][d]) for d in DEPARTMENTS}
        votes = {d: (votes_aligned if d in aligned else record["votes"].get(d)) for d in DEPARTMENTS}
        play_round(model, base, values, votes)
        if settle_last or i < len(records) - 1:
            answers = {d: a for d, a in record_answers(record).items() if d not in aligned}
            answers.update({d: FIX for d in aligned})
            model.settle(answers)
    return model


def record_answers(record: dict):
    """The people's review answers of a round record, as :class:`~sim.workshop.decisions.Answer`."""
    return {d: Answer(a["kind"], a.get("target")) for d, a in record.get("answers", {}).items()}


def company_ledger(base: Config, aligned_config: Config, seed: int, records: list[dict],
                   played_by: dict[str, str]) -> Ledger:
    """The ledger of one company from its round records (every combination of aligned departments replayed)."""

    def revenue(coalition: frozenset[str]) -> float:
        model = replay(base, seed, records, coalition, aligned_config)
        return float(model.weekly()["revenue"].sum())

    worth: dict[frozenset[str], float] = {}

    def cached(coalition: frozenset[str]) -> float:
        if coalition not in worth:
            worth[coalition] = revenue(coalition)
        return worth[coalition]

    shares = shapley(cached, DEPARTMENTS)
    played, aligned = cached(frozenset()), cached(frozenset(DEPARTMENTS))
    blames = [{"round": r["round"], "by": d, "target": a["target"], "reason": s["reason"]}
              for r in records for s in r.get("settled", []) for d, a in r.get("answers", {}).items()
              if a["kind"] == "blame" and s["department"] == d]
    blamed = {d: sum(1 for b in blames if b["target"] == d) for d in DEPARTMENTS}
    return Ledger(revenue_played=played, revenue_aligned=aligned, shortfall=aligned - played, shares=shares,
                  coalitions={coalition_name(c): v for c, v in sorted(worth.items(), key=lambda kv: len(kv[0]))},
                  blamed=blamed, blames=blames, played_by=played_by)
