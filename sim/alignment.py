"""How aligned the organisation is, read from what it does: Goldman's stage (1-5) and the
Kotler-Rackham-Krishnaswamy score (20-100).

Nothing here reads a policy setting (``tests/test_alignment.py`` fails if it does): the stage would otherwise
restate the preset it is meant to detect (DESIGN C10).  The evidence is behaviour over the last year:
leads that sales actually works, reviews that end in blame or in a joint fix, feedback that actually
arrives, time spent together (meetings held, role swaps made), promises kept, and the trust that all of
this leaves (forecast accuracy enters the KRK score only: the model has no sales forecast, only quota).
Every threshold and scoring setting is a field of the ``instrument`` config section
(:class:`~sim.config.InstrumentConfig`): they settle what the model reports, never what it does.  KRK items that
are structural by nature (who reports to whom, what people are paid on) are read from behaviour where the
behaviour exists and are listed in :data:`STRUCTURAL_ITEMS`; none of them enters the stage.

The weekly read (:func:`alignment_stage`) is noisy where its evidence is a week's (trust, feedback, promise gap), so
the reported stage is held (:class:`StageHold`, :func:`held_stage`): it moves only when ``instrument.stage_hold_weeks``
consecutive weekly reads all lie on the same side of it, a month of consistent evidence by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.market import WEEKS_PER_YEAR
from sim.numeric import clip01, mean_of
from sim.relations import MARKETING, OPERATIONS, SALES

STRUCTURAL_ITEMS = ("rise or fall together", "one executive over both")
"""KRK items about the org chart and pay that can only be read from structure; kept out of the stage."""
READINGS = ("alignment_stage", "alignment_stage_raw", "krk_score")
"""The weekly columns the instrument writes: the held (reported) stage, the weekly read behind it, the KRK score.
Every other column is behaviour, which no instrument setting may change."""


@dataclass(frozen=True)
class Behaviour:
    """The last year's evidence of alignment, from the event log and the departments' state."""

    trust: float
    """Mutual marketing-sales trust (0-1)."""
    blames: int
    """Blame events in the last 52 weeks."""
    fixes: int
    """Misses worked on jointly (fixed) in the last 52 weeks."""
    joint_time: int
    """Joint meetings held plus role swaps made in the last 52 weeks."""
    follow_up: float
    """Share of marketing's leads sales worked in the last finished quota period (see :func:`follow_up_share`)."""
    feedback: float
    """Share of sales' feedback on leads that reached marketing this week (0-1)."""
    forecast: float
    """1 - |bookings / quota - 1| in the last quota period, at least 0."""
    promise_gap: float
    """Service promised minus delivered, mean over active customers."""

    @property
    def blame_share(self) -> float:
        """Share of the year's handled misses that ended in blame rather than a joint fix."""
        handled = self.blames + self.fixes
        return self.blames / handled if handled else 0.0


def follow_up_share(model) -> float:
    """Share of marketing's leads sales worked, as the instrument reads it.

    After the first period review: the last finished quota period's accepted / (accepted + expired)
    (``model.last_acceptance``).  Before it: the same ratio over the current period so far, and
    ``instrument.follow_up_before_evidence`` while no lead has been resolved at all (so a firm that works every
    lead does not read "leads not worked" for its whole first quarter).
    """
    if model.reps_at_quota:  # a period review has run
        return model.last_acceptance
    p = model.period
    resolved = p.accepted_from_marketing + p.expired
    return p.accepted_from_marketing / resolved if resolved else model.config.instrument.follow_up_before_evidence


def observed_behaviour(model, promise_gap: float | None = None) -> Behaviour:
    """Collect the evidence from the model's event log, relations, period results and accounts.

    Args:
        model: the :class:`~sim.model.AlignmentModel`.
        promise_gap: the active customers' promise gap when the caller has it already (the observer reads it
            from the week's :class:`~sim.accounts.CustomerWeek`); otherwise it is measured on the accounts.
    """
    rel = model.relations
    since = model.week - WEEKS_PER_YEAR
    counts = {"blame": 0, "fix": 0, "meeting": 0, "rotation": 0}
    for event in reversed(rel.events):
        if event[0] <= since:
            break
        if event[1] in counts:
            counts[event[1]] += 1
    return Behaviour(trust=rel.pair_trust(MARKETING, SALES), blames=counts["blame"], fixes=counts["fix"],
                     joint_time=counts["meeting"] + counts["rotation"], follow_up=follow_up_share(model),
                     feedback=model.feedback_to_marketing, forecast=max(0.0, 1 - abs(model.last_attainment - 1)),
                     promise_gap=model.market.promise_gap() if promise_gap is None else promise_gap)


def alignment_stage(model, behaviour: Behaviour | None = None) -> int:
    """Goldman's stage (1-5) from this week's behaviour (seed 004; Goldman's five stages of sales-marketing
    alignment): the weekly read, which the observer holds (:class:`StageHold`) before it reports it.

    1 Us vs Them: trust below ``stage_trust_us_vs_them`` (0.45), or more than ``us_vs_them_blame_share`` (0.5)
      of the year's handled misses ended in blame.
    2 Friendly role-play: civil, but marketing's leads are not systematically worked (follow-up below
      ``follow_up_agreed``, 0.7).
    3 Cooperative efforts: leads are worked, but little feedback arrives (below ``feedback_shared``, 0.5), more
      than ``fixed_together_blame_share`` (0.2) of the year's misses still ended in blame, or trust is below
      ``stage_trust_cooperative`` (0.6).
    4 Collaboration: feedback flows and problems are fixed together, but trust is below ``stage_trust_full``
      (0.75), promises are broken (gap above ``promises_kept_gap``, 0.05) or the departments spent little time
      together (fewer than ``joint_time_per_year``, 4, meetings plus role swaps).
    5 Full alignment: all of it.

    The blame shares count only in a year with at least ``min_handled_misses`` (3) handled misses: a single blame
    with no fix in a quiet year would otherwise read stage 1.  Every threshold is a field of ``config.instrument``
    (defaults in parentheses).
    """
    b, cut = behaviour or observed_behaviour(model), model.config.instrument
    evidence = b.blames + b.fixes >= cut.min_handled_misses  # one blame in a quiet year is not a blame culture
    if b.trust < cut.stage_trust_us_vs_them or (evidence and b.blame_share > cut.us_vs_them_blame_share):
        return 1
    if b.follow_up < cut.follow_up_agreed:
        return 2
    if (b.feedback < cut.feedback_shared or (evidence and b.blame_share > cut.fixed_together_blame_share)
            or b.trust < cut.stage_trust_cooperative):
        return 3
    if (b.trust < cut.stage_trust_full or b.promise_gap > cut.promises_kept_gap
            or b.joint_time < cut.joint_time_per_year):
        return 4
    return 5


def krk_items(model, behaviour: Behaviour | None = None) -> dict[str, float]:
    """The Kotler-Rackham-Krishnaswamy (2006) diagnostic: 20 statements, each scored 1-5 from behaviour.

    The statements paraphrase the themes of the published questionnaire; each is operationalised by the
    observed quantity in its line (1 = strongly disagree, 5 = strongly agree).  :data:`STRUCTURAL_ITEMS` read
    the org chart and pay through their visible consequences.  An item that joins two observations is their mean;
    the items on fixing misses read ``instrument.no_evidence_score`` in a year with no handled miss, and "nobody
    blames the other side" falls linearly to its worst at ``instrument.blames_for_worst_score`` blame events a
    year.
    """
    b, rel, scoring = behaviour or observed_behaviour(model), model.relations, model.config.instrument
    fix_rate = 1 - b.blame_share if b.blames + b.fixes else scoring.no_evidence_score
    together = min(1.0, b.joint_time / scoring.joint_time_per_year)
    items = {
        "sales close to forecast": b.forecast,
        "nobody blames the other side": 1 - min(1.0, b.blames / scoring.blames_for_worst_score),
        "marketers go on customer calls": mean_of([m.field_knowledge for m in model.marketers]),
        "marketing asks sales for input": rel.trust[MARKETING, SALES],
        "reps find marketing material useful": model.enablement,
        "common definition of a lead": b.follow_up,
        "jointly designed funnel": mean_of([b.follow_up, fix_rate]),
        "common metrics": fix_rate,
        "rise or fall together": fix_rate,
        "one executive over both": b.feedback,
        "people move between functions": together,
        "joint training": mean_of([together, fix_rate]),
        "sales reports lead quality back": b.feedback,
        "shared customer data": model.feedback_to_marketing,
        "joint planning meetings": together,
        "marketing spend reviewed with sales": 1 - model.marketing_waste_share,
        "sales follows up marketing leads": b.follow_up,
        "operations consulted before promising": mean_of([r.ops_knowledge for r in model.reps]),
        "sales and operations trust each other": rel.pair_trust(SALES, OPERATIONS),
        "marketing balances brand and leads": 1 - model.marketing_waste_share,
    }
    return {k: 1 + 4 * clip01(float(v)) for k, v in items.items()}


def held_stage(reported: int, recent: Sequence[int]) -> int:
    """The stage reported this week, from last week's report and the latest weekly reads (oldest first).

    Hysteresis by persistence: the stage moves up only when every read in ``recent`` lies above the reported stage,
    to the lowest of them (the stage all of that evidence supports), and down only when every read lies below it,
    to the highest of them; otherwise it stays.  A one-week ``recent`` reports the weekly read itself.
    """
    lowest, highest = min(recent), max(recent)
    if lowest > reported:
        return lowest
    if highest < reported:
        return highest
    return reported


@dataclass
class StageHold:
    """The reported Goldman stage and the weekly reads that may move it (the observer keeps one per run)."""

    reported: int | None = None
    """The stage reported last week (None before the first week: the first read is reported as it is)."""
    recent: list[int] = field(default_factory=list)
    """The latest weekly reads, oldest first, at most ``hold_weeks`` of them."""

    def read(self, raw: int, hold_weeks: int) -> int:
        """Add this week's read ``raw`` and return the stage reported this week (see :func:`held_stage`)."""
        self.recent = [*self.recent, int(raw)][-hold_weeks:]
        self.reported = self.recent[-1] if self.reported is None else held_stage(self.reported, self.recent)
        return self.reported


def held_stages(raw: Sequence[int], hold_weeks: int) -> np.ndarray:
    """The stage reported each week from a run's weekly reads (the ``alignment_stage_raw`` column): what the
    observer writes as ``alignment_stage``, recomputed after the run for another ``hold_weeks``."""
    hold = StageHold()
    return np.array([hold.read(r, hold_weeks) for r in raw], dtype=int)
