"""The priors a calibration explores: one per prior-ranged model parameter, read from the schema.

Every non-policy field of :mod:`sim.config` states a prior range beside its default (``param(..., prior=(low,
high))``) and a shape (``prior_shape``, by default :func:`sim.config.default_prior_shape`: log-uniform where the
range spans a factor of 4 or more).  This module turns them into :class:`Prior` objects that map the unit
interval onto the parameter's own units, so every method downstream (Morris and Sobol designs, ABC-SMC, the
robustness draws, the EMA uncertainties) works on the same unit cube and speaks the schema's units only when it
builds a config.

Not every prior-ranged field is a *calibration candidate*: :data:`STRUCTURE` lists the fields that describe the
firm rather than the world (its market size, head counts, budget, price list and cost of staff: a firm knows
them, the published patterns do not constrain them), and the ``instrument`` section is the observation model of
the alignment stage (it reads the model, it does not drive it).  Both keep their defaults in a calibration to
published patterns; a firm's calibration (:mod:`sim.calibration.firm`) sets the structure from the firm's YAML.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from sim.config import Config, provenance_table

STRUCTURE = (
    "market.accounts", "market.initial_customers", "market.installed_base_share", "market.list_price",
    "market.npv_rate_annual",
    "marketing.staff", "marketing.weekly_budget", "marketing.staff_cost_weekly",
    "sales.reps", "sales.quota_period_weeks", "sales.staff_cost_weekly", "sales.hours_per_week",
    "operations.staff", "operations.max_staff", "operations.staff_cost_weekly",
    "purchasing.enabled", "purchasing.staff", "purchasing.staff_cost_weekly",
)
"""Fields that describe the firm (size, head counts, budget, prices, pay, the finance rate used to value customers)
rather than how markets and people behave: not calibrated to published patterns."""
OBSERVATION_SECTIONS = ("instrument",)
"""Sections that observe the model without driving it (the alignment stage's thresholds)."""


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: uniform (or log-uniform) on ``[low, high]`` in the field's own ``unit``.

    ``integer`` fields (weeks, counts) are rounded to the nearest whole value when a config is built, so a draw
    in the unit cube maps onto the field's allowed values."""

    field: str
    low: float
    high: float
    default: float
    shape: str
    integer: bool
    unit: str = ""

    @property
    def log(self) -> bool:
        return self.shape == "log-uniform"

    def value(self, u):
        """The parameter value at position ``u`` in [0, 1] of the prior (its quantile function); arrays too."""
        u = np.asarray(u, dtype=float)
        if self.log:
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return np.round(x) if self.integer else x

    def position(self, x):
        """The inverse of :meth:`value`: where ``x`` (in the field's units) lies in the prior, in [0, 1]."""
        x = np.asarray(x, dtype=float)
        if self.log:
            return (np.log(x) - np.log(self.low)) / (np.log(self.high) - np.log(self.low))
        return (x - self.low) / (self.high - self.low)

    def as_field_value(self, x) -> float | int:
        """A drawn value as the config field takes it (an int for whole-valued fields)."""
        return int(round(float(x))) if self.integer else float(x)

    @property
    def sd_unit(self) -> float:
        """The prior's standard deviation on the unit scale (uniform on [0, 1]): ``1 / sqrt(12)``; a posterior SD
        on the same scale over this is the contraction of :func:`sim.calibration.checks.contraction`."""
        return 1 / math.sqrt(12)


def _is_candidate(row: dict) -> bool:
    section = row["field"].split(".")[0]
    return (row["kind"] not in ("lever", "none") and section not in OBSERVATION_SECTIONS
            and row["field"] not in STRUCTURE and row["prior_low"] is not None
            and not isinstance(row["default"], bool) and isinstance(row["default"], (int, float))
            and row["prior_high"] > row["prior_low"])


def all_priors() -> dict[str, Prior]:
    """Every calibration candidate's prior, by dotted field name, in schema order."""
    out = {}
    for row in provenance_table():
        if _is_candidate(row):
            out[row["field"]] = Prior(row["field"], float(row["prior_low"]), float(row["prior_high"]),
                                      row["default"], row["prior_shape"], isinstance(row["default"], int),
                                      row["unit"])
    return out


def priors(fields: Iterable[str] | None = None) -> dict[str, Prior]:
    """The priors of ``fields`` (all candidates when None); an unknown or non-candidate field is an error that
    names it and where the candidates are listed."""
    every = all_priors()
    if fields is None:
        return every
    fields = list(fields)
    unknown = [f for f in fields if f not in every]
    if unknown:
        raise ValueError(f"not calibration candidates: {', '.join(unknown)} (a candidate is a non-policy field with a "
                         "prior range outside the firm's structure; see sim.calibration.priors.all_priors())")
    return {f: every[f] for f in fields}


def values_at(prior_set: Mapping[str, Prior], unit_point: Mapping[str, float] | np.ndarray) -> dict[str, float | int]:
    """The config values at a point of the unit cube (a mapping by field, or an array in ``prior_set``'s order)."""
    if not isinstance(unit_point, Mapping):
        unit_point = dict(zip(prior_set, np.asarray(unit_point, dtype=float)))
    return {f: p.as_field_value(p.value(unit_point[f])) for f, p in prior_set.items()}


def defaults_position(prior_set: Mapping[str, Prior]) -> dict[str, float]:
    """Where each default lies in its prior, in [0, 1]."""
    return {f: float(p.position(p.default)) for f, p in prior_set.items()}


def apply_values(cfg: Config, values: Mapping[str, float | int]) -> Config:
    """A copy of ``cfg`` with the dotted fields of ``values`` set (not validated: :func:`sim.run` validates)."""
    from sim.sweep.design import apply

    return apply(cfg, dict(values))


def draw(prior_set: Mapping[str, Prior], n: int, seed: int) -> np.ndarray:
    """``n`` points of the unit cube drawn independently from the priors (a Latin hypercube, so even a few draws
    cover every parameter's range), shape ``(n, len(prior_set))``."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=len(prior_set), seed=np.random.default_rng(seed)).random(n)
