"""One simulation of the calibration: a parameter set in, the patterns' statistics out.

:func:`simulate` runs every arm the patterns need (:func:`sim.calibration.patterns.arms_needed`) with the same
parameter values on the same seed, so the elasticity arms differ from the baseline only by their lever (common
random numbers: each mechanism draws from its own stream, :mod:`sim.streams`).  A run that fails (a parameter
set the model rejects, or a crash) returns NaN statistics, which the ABC distance treats as infinitely far: the
particle is rejected, the calibration goes on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache

import sim
from sim.calibration.patterns import ARM_SCENARIOS, ELASTICITY_ARMS, ELASTICITY_STEP, PUBLISHED, Pattern, arms_needed
from sim.calibration.patterns import statistics as pattern_statistics
from sim.calibration.priors import apply_values
from sim.config import Config


@cache
def _scenario(scenario: str, overrides: tuple[str, ...]) -> Config:
    return sim.load_config(scenario, list(overrides))


def arm_config(arm: str, values: Mapping[str, float | int], overrides: Sequence[str] = (),
               scenarios: Mapping[str, str] | None = None) -> Config:
    """The config of ``arm`` at ``values``: its scenario (``scenarios`` maps the level arms, default
    :data:`ARM_SCENARIOS`) with ``overrides``, the values set, and for an elasticity arm its lever x 1.5."""
    scenarios = {**ARM_SCENARIOS, **(scenarios or {})}
    scenario = scenarios["baseline" if arm in ELASTICITY_ARMS else arm]
    cfg = apply_values(_scenario(scenario, tuple(overrides)), values)  # a copy: the cached config is untouched
    if arm in ELASTICITY_ARMS:
        section, name = ELASTICITY_ARMS[arm].split(".")
        node = getattr(cfg, section)
        base = getattr(node, name)
        moved = base * ELASTICITY_STEP
        setattr(node, name, int(round(moved)) if isinstance(base, int) else float(moved))
    cfg.name = arm
    return cfg


def run_arms(values: Mapping[str, float | int], seed: int, patterns: Sequence[Pattern] = PUBLISHED,
             overrides: Sequence[str] = (), scenarios: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Each arm's run summary (a dict of summary columns) at ``values`` on ``seed``."""
    out = {}
    for arm in arms_needed(patterns):
        out[arm] = sim.run(arm_config(arm, values, overrides, scenarios), seed=seed, progress=False).summary.to_dict()
    return out


def simulate(values: Mapping[str, float | int], seed: int, patterns: Sequence[Pattern] = PUBLISHED,
             overrides: Sequence[str] = (), scenarios: Mapping[str, str] | None = None) -> dict[str, float]:
    """The patterns' statistics at ``values`` on ``seed``; NaN for every statistic when a run fails."""
    try:
        return pattern_statistics(run_arms(values, seed, patterns, overrides, scenarios), patterns)
    except Exception:  # noqa: BLE001 - a rejected parameter set is a rejected particle, not a failed calibration
        return {p.name: math.nan for p in patterns}
