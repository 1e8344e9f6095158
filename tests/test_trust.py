"""Trust dynamics (issue 9, part 2): a blame erodes a share of the trust that is left, so trust stays in [0, 1],
never pins at 0, and every further blame still moves it; repair brings it back."""

import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.config import PolicyConfig, RelationsConfig
from sim.context import Clock
from sim.model import AlignmentModel
from sim.relations import MARKETING, OPERATIONS, SALES, PeriodOutcome, Relations, erode, repair
from sim.runner import replicate_seeds
from sim.stats import paired
from sim.streams import Streams

unit = st.floats(0.0, 1.0, allow_nan=False)
ALL_MISSED = PeriodOutcome(bookings=0.0, quota=1.0, lead_acceptance=0.0, delay_ratio=3.0, quality=0.5,
                           promise_gap=0.5, pending_approval_share=0.5)
"""A period in which every department misses its KPI: sales, marketing and operations each have someone to blame."""


class Person:
    """A stand-in staff member with the methods the relations layer calls (knowledge in [0, 1])."""

    def __init__(self, department: str, unique_id: int):
        self.department = department
        self.unique_id = unique_id
        self.knowledge = 0.3

    def update_knowledge(self, gain: float, forget: float) -> None:
        self.knowledge += gain * (1 - self.knowledge) - forget * self.knowledge

    def learn_on_rotation(self, gain: float) -> None:
        self.update_knowledge(gain, 0.0)


def relations(blame_culture: float = 1.0, shared_goal_weight: float = 0.0, cross_training_rate: float = 0.0,
              seed: int = 0, **relations_config) -> Relations:
    policy = PolicyConfig(blame_culture=blame_culture, shared_goal_weight=shared_goal_weight,
                          cross_training_rate=cross_training_rate)
    return Relations(RelationsConfig(**relations_config), lambda: policy, Streams.for_rng(seed), Clock(), 0.05, 0.01)


def blame_sales_on_marketing(rel: Relations) -> None:
    rel._blame(SALES, MARKETING, "bad leads")


@given(unit, unit)
def test_erode_and_repair_stay_in_the_unit_interval(trust, share):
    assert 0.0 <= erode(trust, share) <= trust <= repair(trust, share) <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["review", "meeting", "recover", "rotate"]), max_size=60),
       unit, unit, unit, unit, unit, unit, unit, st.integers(0, 2**32 - 1))
def test_trust_stays_in_unit_interval_under_any_sequence(actions, initial, drop, meeting, recovery, goal, gain,
                                                         weight, seed):
    rel = relations(shared_goal_weight=weight, cross_training_rate=4.0, seed=seed, initial_trust=initial,
                    blame_trust_drop=drop, meeting_trust_gain=meeting, trust_recovery=recovery,
                    shared_goal_trust_gain=goal, rotation_trust_gain=gain)
    people = [Person(d, i) for i, d in enumerate(("marketing", "sales", "operations", "purchasing"))]
    for week, action in enumerate(actions):
        rel.clock.week = week
        if action == "review":
            rel.review(ALL_MISSED, people[:1], people[1:2])
        elif action == "meeting":
            rel.hold_meeting(people[:1], people[1:2])
        elif action == "recover":
            rel.recover_trust()
        else:
            rel.draw_rotations(people)
            for person in people:
                rel.maybe_rotate(person)
        assert np.all((rel.trust >= 0.0) & (rel.trust <= 1.0))
        assert np.all(np.diag(rel.trust) == 1.0)
        assert 0.0 <= rel.pair_trust(SALES, MARKETING) <= 1.0
        assert 0.0 <= rel.flow(SALES, MARKETING) <= 1.0


def test_a_blame_at_low_trust_still_lowers_trust():
    """Near the bound every blame still moves trust, in both directions, and trust never reaches 0 (under the old
    rule, max(0, trust - 0.12), the first blame below 0.12 set it to 0 and the next ones changed nothing)."""
    rel = relations()
    rel.trust[SALES, MARKETING] = rel.trust[MARKETING, SALES] = 0.01
    seen = [0.01]
    for _ in range(10):
        blame_sales_on_marketing(rel)
        seen.append(rel.trust[SALES, MARKETING])
        assert rel.trust[MARKETING, SALES] == seen[-1]
    assert np.all(np.diff(seen) < 0) and seen[-1] > 0
    blames = [e for e in rel.events if e[1] == "blame"]
    assert np.allclose([e[5] for e in blames], -np.diff(seen))  # the event's value is the trust lost


def test_a_blame_costs_a_share_of_the_trust_left():
    rel = relations()
    blame_sales_on_marketing(rel)
    assert rel.trust[SALES, MARKETING] == rel.config.initial_trust * (1 - rel.config.blame_trust_drop)
    assert rel.trust[SALES, OPERATIONS] == rel.config.initial_trust  # other relations untouched


def test_blame_costing_no_trust_leaves_trust_alone():
    """The F12 counterfactual (relations.blame_trust_drop = 0) still cuts the loop."""
    rel = relations(blame_trust_drop=0.0)
    for _ in range(5):
        blame_sales_on_marketing(rel)
    assert rel.trust[SALES, MARKETING] == rel.config.initial_trust


def test_repair_after_blame_recovers():
    """After a run of blames, meetings and the weekly fading of grudges bring trust back toward its initial level,
    however low it had fallen."""
    rel = relations(shared_goal_weight=0.5)
    for _ in range(20):
        blame_sales_on_marketing(rel)
    low = rel.trust[SALES, MARKETING]
    assert low < 0.01
    path = [low]
    for week in range(104):
        rel.recover_trust()
        if week % 4 == 0:
            rel.hold_meeting([], [])
        path.append(rel.trust[SALES, MARKETING])
    path = np.array(path)
    below = path[:-1] < rel.config.initial_trust  # above it the fading of grudges pulls back toward it
    assert below.sum() > 10 and np.all(np.diff(path)[below] > 0)
    assert path[-1] > rel.config.initial_trust / 2


def old_blame(self, source, target, reason):
    """The additive rule this replaced (0.12 trust units per blame, clipped at 0), kept here as the reference."""
    for a, b in ((source, target), (target, source)):
        self.trust[a, b] = max(0.0, self.trust[a, b] - 0.12)
    self.log("blame", "", "", reason, 0.12)


class OldTrustModel(AlignmentModel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relations._blame = types.MethodType(old_blame, self.relations)


PINNED = 0.05
OLD_RULE_PINNED_WEEKS = 13
"""Fewest weeks (of 156) with sales' trust in marketing below 0.05 under the old rule in the baseline at this test's
3,000 accounts, seeds ``replicate_seeds(1, 8)``: 13, 39, 91, 65, 91, 52, 78, 78 on the model of issue 17 (52-117
on the model before it, with more misses a quarter); the new rule: 0 on every seed."""
SEEDS = 8


def test_blame_culture_leaves_sales_trust_in_marketing_responsive():
    """Baseline (blame culture 0.8), paired seeds, new rule against the old: sales' trust in marketing is pinned
    below 0.05 for far fewer weeks (the old rule's measured count is the regression bound), and it still sits
    well below the no-blame level, so blame keeps mattering."""
    cfg = sim.load_config("hundred_years_war", ["market.accounts=3000", "market.initial_customers=60"])
    calm = sim.load_config("hundred_years_war", ["market.accounts=3000", "market.initial_customers=60",
                                                 "policy.blame_culture=0.0"])
    pinned = {"old": [], "new": []}
    trust_end = {"new": [], "calm": []}
    for seed in replicate_seeds(1, SEEDS):
        old = sim.run(cfg, seed, model_class=OldTrustModel).weekly["trust_sales_in_marketing"]
        new = sim.run(cfg, seed).weekly["trust_sales_in_marketing"]
        pinned["old"].append(int((old < PINNED).sum()))
        pinned["new"].append(int((new < PINNED).sum()))
        trust_end["new"].append(float(new.iloc[-13:].mean()))
        trust_end["calm"].append(float(sim.run(calm, seed).weekly["trust_sales_in_marketing"].iloc[-13:].mean()))
    fewer = paired(pinned["old"], pinned["new"])
    assert fewer.high < 0, (pinned, fewer)
    assert max(pinned["new"]) < OLD_RULE_PINNED_WEEKS / 4 < OLD_RULE_PINNED_WEEKS <= min(pinned["old"]), pinned
    blame_lowers = paired(trust_end["calm"], trust_end["new"])
    assert blame_lowers.high < -0.1, (trust_end, blame_lowers)


def test_a_joint_fix_needs_no_meeting_where_trust_and_shared_data_are_there():
    rel = relations()
    start = rel.fix_probability(SALES, MARKETING)
    assert start == pytest.approx(RelationsConfig().unmet_fix_share)  # initial trust, goodwill alone
    blame_sales_on_marketing(rel)
    assert rel.fix_probability(SALES, MARKETING) < start  # distrust makes an ad hoc fix rarer
    shared = PolicyConfig(blame_culture=1.0, shared_data=1.0)
    with_data = Relations(RelationsConfig(), lambda: shared, Streams.for_rng(0), Clock(), 0.05, 0.01)
    assert with_data.fix_probability(SALES, MARKETING) == 1.0 > start  # shared data: no meeting needed
    rel.meetings_this_period = 1
    assert rel.fix_probability(SALES, MARKETING) == 1.0
