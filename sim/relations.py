"""Relations between departments: trust, blame, joint meetings, rotations and information flow.

``trust[x, y]`` is how much department x trusts department y (0-1).  Information flows from x to y in
proportion to x's trust in y and to the quality of the channel (goodwill alone, or shared data).
At every period review each department compares its KPI with its target; a miss is blamed on the
usual suspect with a probability set by the blame culture (trust falls both ways and the learning
loop stays shut: Edmondson 1999), or, when a calm joint meeting fell in the period, its cause is
found and fixed.  Every blame, fix, meeting and rotation is an event with week, who, whom and why.

Trust moves by shares, so it stays in [0, 1] and never pins at a bound: a blame destroys a share of the trust
that is left (:func:`erode`), a meeting, a rotation or a week under a shared goal restores a share of the trust
that is missing (:func:`repair`), and grudges fade toward the initial level (:meth:`Relations.recover_trust`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.config import LoopsConfig, PolicyConfig, RelationsConfig
from sim.context import Clock
from sim.streams import Streams

DEPARTMENTS = ("marketing", "sales", "operations", "purchasing")
MARKETING, SALES, OPERATIONS, PURCHASING = range(4)
ROTATION_TARGET = {"marketing": SALES, "sales": OPERATIONS, "operations": SALES, "purchasing": SALES}
"""Where a person spends a rotation week: marketers and purchasing in sales, reps in operations,
operations staff on sales calls (seed 003: 'get in the car with the sales staff')."""
EVENT_COLUMNS = ("week", "kind", "source", "target", "reason", "value")


@dataclass
class PeriodOutcome:
    """The facts a period review looks at."""

    bookings: float
    quota: float
    lead_acceptance: float
    delay_ratio: float
    quality: float
    promise_gap: float
    pending_approval_share: float


class Relations:
    """The trust matrix, the event log and the rules that move them.

    Args:
        config: the relations section of the configuration.
        live_policy: returns the policy levers as they stand now (the model's ``config.policy``), read every
            time a rule needs one, so a lever moved mid-run applies from the next week on.
        streams: the run's random streams (rotations draw from ``rotation``, the review from ``blame``).
        clock: the model's week.
        learning_rate: weekly share of a knowledge gap closed by feedback that arrives in full.
        forgetting_rate: weekly share of knowledge lost as the market moves on.
        loops: which relational feedback loops run (:class:`~sim.config.LoopsConfig`; all on by default).
    """

    def __init__(self, config: RelationsConfig, live_policy: Callable[[], PolicyConfig], streams: Streams,
                 clock: Clock, learning_rate: float, forgetting_rate: float, loops: LoopsConfig | None = None):
        self.config = config
        self.loops = loops or LoopsConfig()
        self.learning_rate = learning_rate
        self.forgetting_rate = forgetting_rate
        self._live_policy = live_policy
        self.streams = streams
        self.clock = clock
        self.trust = np.full((4, 4), config.initial_trust)
        np.fill_diagonal(self.trust, 1.0)
        self.events: list[tuple] = []
        self.meetings_this_period = 0
        self._rotation_draws: dict[int, float] = {}

    @property
    def policy(self) -> PolicyConfig:
        """The policy levers as they stand this week."""
        return self._live_policy()

    @property
    def week(self) -> int:
        return self.clock.week

    # ------------------------------------------------------------------ reading the state
    def pair_trust(self, a: int, b: int) -> float:
        """Mutual trust of two departments (mean of both directions)."""
        return float((self.trust[a, b] + self.trust[b, a]) / 2)

    @property
    def mean_trust(self) -> float:
        """Mean trust over all ordered pairs of different departments."""
        return float(self.trust[~np.eye(4, dtype=bool)].mean())

    def trust_gating_leads(self) -> float:
        """Sales' trust in marketing as reps' lead bar reads it: the live trust, or the initial trust when the
        ``loops.distrust_gates_leads`` loop is knocked out."""
        if self.loops.distrust_gates_leads:
            return float(self.trust[SALES, MARKETING])
        return self.config.initial_trust

    @property
    def channel_quality(self) -> float:
        """Share of feedback a fully trusting sender gets across: goodwill alone, or shared data."""
        c = self.config.informal_flow
        return c + (1 - c) * self.policy.shared_data

    def flow(self, sender: int, receiver: int) -> float:
        """Information flow from sender to receiver (0-1), raised by the shared goal (a reason to share)
        and, between marketing and sales, by a common boss.

        Two channels.  Goodwill: the ``informal_flow`` share of the feedback, passed on in proportion to
        the sender's trust.  Shared data: the rest, in proportion to ``shared_data``; of it, the
        ``recorded_share`` that the shared system logs by itself (accepted, rejected, won, lost) reaches
        the receiver whatever the sender thinks of them, and the remainder (reasons, notes) needs the
        sender's trust too.  With no shared data this is trust x informal_flow; with full trust it is
        ``channel_quality``.  Sharing customer information helps where a cooperative climate alone does
        not (Troy, Hirunyawipada & Paswan 2008), which is EVIDENCE's F6.
        """
        c, recorded = self.config.informal_flow, self.config.recorded_share
        trust = self.trust[sender, receiver]
        data = (1 - c) * self.policy.shared_data * (recorded + (1 - recorded) * trust)
        boost = 1 + self.config.shared_goal_flow_boost * self.policy.shared_goal_weight
        if self.policy.marketing_reports_to_sales and {sender, receiver} == {MARKETING, SALES}:
            boost += self.config.common_boss_flow_boost
        return float(min(1.0, (c * trust + data) * boost))

    def log(self, kind: str, source: str, target: str, reason: str, value: float = 1.0) -> None:
        """Record an event of this week."""
        self.events.append((self.week, kind, source, target, reason, float(value)))

    # ------------------------------------------------------------------ weekly rules
    def draw_rotations(self, people) -> None:
        """This week's rotation draws, one per person keyed by Mesa's unique id, so a person's draw depends
        neither on the order the staff act in nor on who else is on the staff."""
        if self.policy.cross_training_rate <= 0:
            self._rotation_draws = {}
            return
        ids = np.array([p.unique_id for p in people])
        draws = self.streams.uniform("rotation", self.week, ids)
        self._rotation_draws = dict(zip(ids.tolist(), draws.tolist()))

    def maybe_rotate(self, person) -> bool:
        """Role swap (seed 002): with probability cross_training_rate / 52 a person spends this week in
        another department; what they learn there (:meth:`learn_on_rotation` of the person) and trust between
        the two departments rise.  Returns True when away."""
        rate = self.policy.cross_training_rate
        if rate <= 0 or self._rotation_draws.get(person.unique_id, 1.0) >= rate / 52:
            return False
        home = DEPARTMENTS.index(person.department)
        host = ROTATION_TARGET[person.department]
        if self.loops.joint_learning:
            person.learn_on_rotation(self.config.rotation_knowledge_gain)
        self._raise_trust([(home, host), (host, home)], self.config.rotation_trust_gain)
        self.log("rotation", DEPARTMENTS[home], DEPARTMENTS[host], "role swap")
        return True

    def share_information(self, marketers, reps) -> None:
        """Weekly learning from what actually arrives: sales' feedback on lead quality raises marketers'
        field knowledge; operations' capacity news raises reps' knowledge of what can be delivered.
        Knowledge also fades as the market moves on.  Nothing moves when ``loops.feedback_learning`` is off."""
        if not self.loops.feedback_learning:
            return
        lr, forget = self.learning_rate, self.forgetting_rate
        to_marketing = self.flow(SALES, MARKETING)
        for m in marketers:
            m.update_knowledge(lr * to_marketing, forget)
        to_sales = self.flow(OPERATIONS, SALES)
        for r in reps:
            r.update_knowledge(lr * to_sales, forget)

    def recover_trust(self) -> None:
        """Every week, grudges fade a little toward the initial trust, and shared goals rebuild trust (neither
        when ``loops.trust_repair`` is off)."""
        c = self.config
        if not self.loops.trust_repair:
            return
        off_diagonal = ~np.eye(4, dtype=bool)
        self.trust[off_diagonal] += c.trust_recovery * (c.initial_trust - self.trust[off_diagonal])
        gain = c.shared_goal_trust_gain * self.policy.shared_goal_weight
        if gain > 0:
            self._raise_trust([(a, b) for a in range(4) for b in range(4) if a != b], gain)

    def hold_meeting(self, marketers, reps) -> None:
        """A calm joint meeting (seed 000): each side presents its constraints; trust among marketing,
        sales and operations rises and both knowledge gaps shrink through the channel."""
        pairs = [(a, b) for a in (MARKETING, SALES, OPERATIONS) for b in (MARKETING, SALES, OPERATIONS) if a != b]
        self._raise_trust(pairs, self.config.meeting_trust_gain)
        if self.loops.joint_learning:
            learned = self.config.meeting_learning_weeks * self.learning_rate * self.channel_quality
            for person in (*marketers, *reps):
                person.update_knowledge(learned, 0.0)
        self.meetings_this_period += 1
        self.log("meeting", "all", "all", "joint meeting")

    # ------------------------------------------------------------------ the period review
    def blame_probability(self) -> float:
        """Probability that a miss is blamed: blame culture, damped a little by shared goals alone, more by
        a joint meeting in the period, and most by both together (F3)."""
        c, w = self.config, self.policy.shared_goal_weight
        met = 1.0 if self.meetings_this_period > 0 else 0.0
        return (self.policy.blame_culture * (1 - c.shared_goal_blame_damping * w)
                * (1 - c.meeting_blame_damping * met) * (1 - c.leadership_blame_damping * w * met))

    def fix_probability(self, owner: int, suspect: int) -> float:
        """Probability that a miss nobody blamed is worked on jointly by the department that missed (``owner``)
        and the one it suspected: 1 when a calm joint meeting fell in the period (constraints are on the table);
        otherwise an ad hoc call, which needs the behaviour a meeting would have forced: ``relations.unmet_fix_share``
        scaled by the two departments' mutual trust (relative to the initial trust) and by the channel between them
        (goodwill alone, or shared data, relative to goodwill alone), at most 1.  At the start of a firm with no shared
        data it is ``unmet_fix_share``; distrust makes it rarer, shared data more common.  Psychological safety, not
        the meeting calendar, opens the learning loop (Edmondson 1999)."""
        if self.meetings_this_period > 0:
            return 1.0
        c = self.config
        trust = self.pair_trust(owner, suspect) / c.initial_trust if c.initial_trust > 0 else 1.0
        channel = self.channel_quality / c.informal_flow if c.informal_flow > 0 else 1.0
        return float(min(1.0, c.unmet_fix_share * trust * channel))

    def review(self, outcome: PeriodOutcome, marketers, reps) -> None:
        """Each department checks its KPI; each miss is blamed, fixed jointly (:meth:`fix_probability`: in a meeting,
        or ad hoc where trust and shared data allow), or left as it is.  Draws: the usual suspect, whether each miss
        is blamed and whether an unblamed one is fixed (``blame``)."""
        rng = self.streams("blame", self.week)
        for miss in self._misses(outcome, rng):
            owner, suspect, reason = miss
            self.log("miss", DEPARTMENTS[owner], DEPARTMENTS[suspect], reason)
            if rng.random() < self.blame_probability():
                self._blame(owner, suspect, reason)
            elif rng.random() < self.fix_probability(owner, suspect):
                self._fix(reason, marketers, reps)
                self.log("fix", DEPARTMENTS[owner], DEPARTMENTS[suspect], reason)
        self.meetings_this_period = 0

    def _misses(self, o: PeriodOutcome, rng: np.random.Generator) -> list[tuple[int, int, str]]:
        """Missed KPIs as (department that missed, usual suspect, why)."""
        c, misses = self.config, []
        if o.bookings < o.quota:
            excuses = {MARKETING: c.bad_leads_excuse_base + (1 - o.lead_acceptance),
                       OPERATIONS: max(0.0, o.delay_ratio - 1) + c.promise_gap_excuse_weight * o.promise_gap,
                       PURCHASING: c.red_tape_excuse_weight * o.pending_approval_share}
            if self.policy.marketing_reports_to_sales:
                del excuses[MARKETING]
            weights = np.array(list(excuses.values()))
            if weights.sum() > 0:  # with marketing under sales and no delay or red tape, nobody else to blame
                suspect = list(excuses)[int(rng.choice(len(weights), p=weights / weights.sum()))]
                reason = {MARKETING: "bad leads", OPERATIONS: "late delivery", PURCHASING: "red tape"}[suspect]
                misses.append((SALES, suspect, reason))
        if o.lead_acceptance < c.lead_acceptance_target and not self.policy.marketing_reports_to_sales:
            misses.append((MARKETING, SALES, "no follow-up"))
        if o.delay_ratio > c.delay_ratio_target or o.quality < c.quality_target or o.promise_gap > c.promise_gap_target:
            misses.append((OPERATIONS, SALES, "impossible promises"))
        return misses

    def _blame(self, source: int, target: int, reason: str) -> None:
        """A blame erodes trust both ways by a share of the trust that is left (see :func:`erode`); the event's
        value is the trust the blaming side lost in the blamed one, in trust units."""
        before = float(self.trust[source, target])
        drop = self.config.blame_trust_drop if self.loops.blame_erodes_trust else 0.0
        for a, b in ((source, target), (target, source)):
            self.trust[a, b] = erode(self.trust[a, b], drop)
        self.log("blame", DEPARTMENTS[source], DEPARTMENTS[target], reason, before - float(self.trust[source, target]))

    def _fix(self, reason: str, marketers, reps) -> None:
        """Joint problem solving closes part of the knowledge gap behind the miss (nothing when
        ``loops.joint_learning`` is off)."""
        gain = self.config.fix_effect if self.loops.joint_learning else 0.0
        for person in (marketers if reason in ("bad leads", "no follow-up") else reps):
            person.update_knowledge(gain, 0.0)

    def _raise_trust(self, pairs: list[tuple[int, int]], share: float) -> None:
        """Repair trust on each ordered pair by ``share`` of the gap (nothing when ``loops.trust_repair`` is off)."""
        if not self.loops.trust_repair:
            return
        for a, b in pairs:
            self.trust[a, b] = repair(self.trust[a, b], share)


def erode(trust: float, share: float) -> float:
    """Trust after one violation: a ``share`` of the trust that is left is lost, ``trust x (1 - share)``.

    The mirror of :func:`repair`: a violation destroys a share of what trust there is, a repair restores a share
    of what is missing.  Trust approaches 0 only asymptotically, so every further blame still moves it (by
    ``share x trust``: a constant step in log-trust, which near 0 is a constant step in log-odds), and a
    relation that is never blamed again recovers from wherever it stands.  Outcomes of working together feed
    back into perceived trustworthiness (Mayer, Davis & Schoorman 1995, *Academy of Management Review* 20(3));
    trust is built and damaged incrementally inside a relationship that goes on (Lewicki & Bunker 1996, in
    Kramer & Tyler, *Trust in Organizations*), and damaged trust can be repaired (Kim, Dirks & Cooper 2009,
    *Academy of Management Review* 34(3)).  The old rule, ``max(0, trust - drop)``, hit exactly 0 after a few
    blames, and from there blame changed nothing.
    """
    return trust * (1.0 - share)


def repair(trust: float, share: float) -> float:
    """Trust after one repairing experience (a calm meeting, a rotation, a week under a shared goal): a
    ``share`` of the gap to full trust is closed, ``trust + share x (1 - trust)``."""
    return trust + share * (1.0 - trust)
