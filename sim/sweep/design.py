"""Experimental designs over the levers, and applying one design point to a composed config.

A design is a table of points (one row per point, one column per lever, in config values) plus,
for the SALib designs, the continuous sample matrix it came from (which Morris analysis needs).
Sampling is delegated to SALib (Latin hypercube, Sobol, Morris); the full-factorial grid is the
Cartesian product of each lever's levels.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import Config
from sim.sweep.spec import DesignSpec, Lever

SAMPLE_PREFIX = "sample:"
"""Prefix of the design-table columns that hold the continuous samples (SALib's X matrix)."""


@dataclass
class Design:
    """Design points and where they came from.

    Attributes:
        points: one row per design point (index ``point``), one column per lever (its config value),
            then one ``sample:<lever>`` column per lever with the continuous sample (NaN for a grid).
        problem: the SALib problem (names, bounds) the samples were drawn in.
    """

    points: pd.DataFrame
    problem: dict

    @property
    def samples(self) -> np.ndarray:
        """SALib's X matrix: one row per point, one column per lever."""
        return self.points[[SAMPLE_PREFIX + name for name in self.problem["names"]]].to_numpy(float)


def problem(levers: list[Lever]) -> dict:
    """The SALib problem for ``levers``: names and the bounds of their continuous samples."""
    return {"num_vars": len(levers), "names": [lv.field for lv in levers], "bounds": [list(lv.bounds) for lv in levers]}


def build(levers: list[Lever], spec: DesignSpec) -> Design:
    """Draw the design points for ``levers`` with the method, size and seed of ``spec``."""
    prob = problem(levers)
    if spec.method == "grid":
        axes = [lv.levels if lv.kind == "level" else _grid_levels(lv, spec.levels) for lv in levers]
        values = pd.DataFrame(list(itertools.product(*axes)), columns=prob["names"])
        samples = np.full((len(values), len(levers)), np.nan)
    else:
        samples = _salib_sample(prob, spec)
        values = pd.DataFrame({lv.field: [lv.value(x) for x in samples[:, j]] for j, lv in enumerate(levers)})
    for j, name in enumerate(prob["names"]):
        values[SAMPLE_PREFIX + name] = samples[:, j]
    values.index.name = "point"
    return Design(values, prob)


def _grid_levels(lever: Lever, n: int) -> tuple:
    grid = np.linspace(lever.low, lever.high, n)
    if lever.kind == "int":
        return tuple(sorted({int(round(v)) for v in grid}))
    return tuple(float(v) for v in grid)


def _salib_sample(prob: dict, spec: DesignSpec) -> np.ndarray:
    if spec.method == "lhs":
        from SALib.sample import latin

        return latin.sample(prob, spec.samples, seed=spec.seed)
    if spec.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, spec.samples, calc_second_order=spec.second_order, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(prob, spec.samples, num_levels=spec.levels, seed=spec.seed)


def apply(base: Config, values: dict) -> Config:
    """A copy of ``base`` with each dotted field in ``values`` set (``{"policy.max_discount": 0.2}``).

    The copy is not validated here: :func:`sim.run` validates it, so that a bad combination fails
    as that run's error and not as the sweep's.
    """
    cfg = copy.deepcopy(base)
    for path, value in values.items():
        *parents, leaf = path.split(".")
        node = cfg
        for name in parents:
            node = getattr(node, name)
        setattr(node, leaf, value.item() if isinstance(value, np.generic) else value)
    return cfg

