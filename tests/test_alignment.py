"""The alignment stage is read from behaviour, never from the policy it is meant to detect (DESIGN C10)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.alignment import alignment_stage, observed_behaviour
from sim.runner import replicate_seeds
from sim.stats import paired

SEEDS = replicate_seeds(2, 6)


class PolicyTrap:
    """Stands in for the policy: any read of a policy field fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the alignment stage read policy.{name}")


def test_stage_reads_no_policy_field():
    model = sim.AlignmentModel(sim.load_config("full_alignment", ["market.accounts=3000", "weeks=30"]), rng=1)
    model.run_for(30)
    expected = alignment_stage(model)
    model.config.policy = PolicyTrap()  # every department reads the policy from here (sim.model.live_policy)
    assert alignment_stage(model) == expected
    observed_behaviour(model)


def _last_year_stage(scenario: str, overrides: list[str]) -> np.ndarray:
    cfg = sim.load_config(scenario, [*overrides, "weeks=104"])
    return np.array([sim.run(cfg, s).weekly["alignment_stage"].iloc[-52:].mean() for s in SEEDS])


@pytest.fixture(scope="module")
def stage5_policies():
    return _last_year_stage("goldman_5_full_alignment", [])


def test_stage_falls_below_the_preset_when_behaviour_breaks_down(stage5_policies):
    broken = _last_year_stage("goldman_5_full_alignment", ["policy.blame_culture=1.0", "relations.initial_trust=0.1"])
    assert broken.mean() < 5
    result = paired(stage5_policies, broken)
    assert result.difference < 0 and result.p < 0.05, result


def test_stage_rises_above_the_preset_when_behaviour_is_good():
    good = _last_year_stage("goldman_2_friendly_role_play",
                            ["policy.blame_culture=0.0", "relations.initial_trust=0.9", "policy.joint_meetings=4"])
    assert good.mean() > 2.5, good


def test_baseline_is_us_versus_them_and_full_alignment_reaches_stage_5(stage5_policies):
    assert _last_year_stage("hundred_years_war", []).max() < 2
    assert stage5_policies.mean() > 4
