"""Live policy (issue 16): every policy lever moved in a running model changes the run from the next week on, and
not before; a lever the model reads only when it is built changes nothing mid-run.

The test is generated from the schema: each field of :class:`sim.config.PolicyConfig` is moved at week
``MOVED_AT`` to each end of its range (or to the other value of an on/off lever, or to every other scheme of a
choice), and the weekly table and the event log are compared with the unmoved run on the same seed.  The base is
the baseline with the conditional agreements in force (a lead SLA, the spend veto), two reps of ten selling hours
a week and a quota of four deals a quarter, so that reps are overloaded and miss, and the levers that act only through
an agreement, through overload (the SLA's follow-up window) or through a miss (blame) can act.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config import ConfigError, PolicyConfig, applies_on_reset

MOVED_AT = 10
"""The week from which a moved lever applies (it is moved after week MOVED_AT - 1 has been simulated)."""
WEEKS = 104
BASE = ["market.accounts=3000", "sales.reps=2", "sales.hours_per_week=10", "sales.quota_deals=4", f"weeks={WEEKS}",
        "policy.lead_sla=true", "policy.spend_veto=true"]
SEED = 3
BASE_CONFIG = sim.load_config("hundred_years_war", BASE)


def _targets(f: dataclasses.Field, current) -> list:
    """The values a lever is moved to: both ends of its range, the other on/off value, every other scheme."""
    meta = f.metadata
    if meta["choices"]:
        return [c for c in meta["choices"] if c != current]
    if isinstance(current, bool):
        return [not current]
    ends = [meta["low"], meta["high"]]
    if isinstance(current, int):
        ends = [int(v) for v in ends]
    return [v for v in ends if v != current]


LIVE = [f for f in dataclasses.fields(PolicyConfig) if not applies_on_reset(f"policy.{f.name}")]
ON_RESET = [f for f in dataclasses.fields(PolicyConfig) if applies_on_reset(f"policy.{f.name}")]
CASES = [(f.name, value) for f in LIVE for value in _targets(f, getattr(BASE_CONFIG.policy, f.name))]


def _trace(model: sim.AlignmentModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    return model.weekly(), model.events()


def _run(moves: dict | None = None, direct: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The base run, with ``moves`` applied after week MOVED_AT - 1 (through ``set_lever``, or written straight
    into the live config when ``direct``)."""
    model = sim.AlignmentModel(copy.deepcopy(BASE_CONFIG), rng=SEED)
    for _ in range(MOVED_AT):
        model.step()
    for name, value in (moves or {}).items():
        if direct:
            setattr(model.config.policy, name, value)
        else:
            assert model.set_lever(f"policy.{name}", value) == MOVED_AT
    for _ in range(WEEKS - MOVED_AT):
        model.step()
    return _trace(model)


@pytest.fixture(scope="module")
def unmoved():
    return _run()


def _first_difference(a: pd.DataFrame, b: pd.DataFrame) -> int | None:
    """The first week whose row differs between two weekly tables (NaN equal to NaN), or None."""
    columns = [c for c in a.columns if pd.api.types.is_numeric_dtype(a[c])]
    same = np.isclose(a[columns].to_numpy(float), b[columns].to_numpy(float), rtol=0, atol=0, equal_nan=True)
    differing = np.flatnonzero(~same.all(axis=1))
    return int(a["week"].iloc[differing[0]]) if differing.size else None


def test_every_policy_lever_is_checked():
    names = {f.name for f in dataclasses.fields(PolicyConfig)}
    assert {n for n, _ in CASES} | {f.name for f in ON_RESET} == names
    assert len(CASES) >= len(LIVE) >= 18


@pytest.mark.parametrize("name,value", CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_live_lever_changes_the_run_from_the_next_week_and_not_before(unmoved, name, value):
    weekly, events = _run({name: value})
    base_weekly, base_events = unmoved
    first = _first_difference(base_weekly, weekly)
    events_before = events[events["week"] < MOVED_AT].reset_index(drop=True)
    base_before = base_events[base_events["week"] < MOVED_AT].reset_index(drop=True)
    pd.testing.assert_frame_equal(events_before, base_before)
    changed_events = not events.reset_index(drop=True).equals(base_events.reset_index(drop=True))
    assert first is None or first >= MOVED_AT, f"policy.{name} = {value} changed week {first}, before it was moved"
    assert first is not None or changed_events, f"policy.{name} = {value} moved at week {MOVED_AT} changed nothing"


@pytest.mark.parametrize("field", ON_RESET, ids=[f.name for f in ON_RESET])
def test_build_time_lever_changes_nothing_mid_run_and_is_refused_live(unmoved, field):
    current = getattr(BASE_CONFIG.policy, field.name)
    for value in _targets(field, current):
        weekly, events = _run({field.name: value}, direct=True)
        pd.testing.assert_frame_equal(weekly, unmoved[0])
        pd.testing.assert_frame_equal(events, unmoved[1])
    model = sim.AlignmentModel(copy.deepcopy(BASE_CONFIG), rng=SEED)
    with pytest.raises(ConfigError, match="applies on reset"):
        model.set_lever(f"policy.{field.name}", 1.0)


def test_set_lever_refuses_bad_values_and_non_policy_fields():
    model = sim.AlignmentModel(copy.deepcopy(BASE_CONFIG), rng=SEED)
    with pytest.raises(ConfigError, match=r"policy.max_discount = 1.7 is out of range"):
        model.set_lever("policy.max_discount", 1.7)
    with pytest.raises(ConfigError, match="not a policy lever"):
        model.set_lever("market.list_price", 30_000.0)
    with pytest.raises(ConfigError, match="did you mean"):
        model.set_lever("policy.max_discont", 0.1)
    assert model.config.policy.max_discount == 0.25
