"""Scenario discovery: where in the space of levers and uncertainties does a stated condition hold?

PRIM (EMA's ``prim.Prim``) peels a box around the experiments that meet the condition: its *coverage* is the
share of all experiments meeting the condition that fall in the box, its *density* the share of the box's
experiments that meet it, its *mass* the share of all experiments inside it.  The peeling trajectory lists every
box on the way, from the whole space (coverage 1, density = the base rate) to the smallest; the box reported is
the one of highest coverage among those with at least ``min_density`` density that restrict at most ``max_dims``
inputs (a box a reader can act on; where none reaches the density, the densest box within ``max_dims``).  CART
(EMA's ``cart.CART``, a scikit-learn tree) splits the same space into leaves, each with its coverage and density.
Box limits are in the inputs' own units (the schema's); an on/off or choice input lists the values it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.ema.condition import Condition, parse

MIN_DENSITY = 0.8
"""Density the reported PRIM box must reach (the usual scenario-discovery target)."""
MAX_DIMS = 3
"""Most inputs the reported PRIM box restricts (boxes of many dimensions fit noise and cannot be read)."""
MASS_MIN = 0.05
"""Smallest share of the experiments a PRIM box or a CART leaf may hold."""


@dataclass
class Box:
    """One PRIM box: its statistics and its limits (one row per restricted input)."""

    number: int
    step: int
    coverage: float
    density: float
    mass: float
    res_dim: int
    limits: pd.DataFrame
    prim_box: object = field(default=None, repr=False)
    """EMA's ``PrimBox`` (its figures: :mod:`sim.ema.figures`)."""


@dataclass
class Discovery:
    """The result of :func:`discover`.

    Attributes:
        condition: the parsed condition.
        experiments: how many experiments were read; ``cases`` how many meet the condition.
        boxes: the PRIM boxes found (one per round of PRIM's covering: the second is found among the experiments
            the first leaves out).
        trajectory: the peeling trajectory of every box (box, step, coverage, density, mass, res_dim).
        cart: the CART leaves (leaf, coverage, density, mass, rule).
        inputs: the input columns PRIM and CART saw.
    """

    condition: Condition
    experiments: int
    cases: int
    boxes: list[Box]
    trajectory: pd.DataFrame
    cart: pd.DataFrame
    inputs: list[str] = field(default_factory=list)
    scores: pd.Series | None = None
    """With ``screen``: every input's extra-trees feature score (EMA's ``get_ex_feature_scores``), highest first."""
    tree: object = field(default=None, repr=False)
    """EMA's fitted ``CART`` (its figure: :mod:`sim.ema.figures`)."""

    @property
    def base_rate(self) -> float:
        """Share of the experiments meeting the condition."""
        return self.cases / self.experiments if self.experiments else float("nan")

    def limits_table(self) -> pd.DataFrame:
        """Every box's limits in one table (box, input, unit, kept range or values, qp values)."""
        return pd.concat([b.limits.assign(box=b.number) for b in self.boxes], ignore_index=True) \
            if self.boxes else pd.DataFrame(columns=["box", "input", "unit", "limits"])

    def markdown(self) -> str:
        """The boxes as Markdown: the condition, the base rate and one table of limits per box."""
        lines = [f"Condition: **{self.condition.describe()}** (`{self.condition.text}`), met by {self.cases} of "
                 f"{self.experiments} experiments ({100 * self.base_rate:.1f} %)."]
        if self.scores is not None:
            lines += ["", f"PRIM and CART read the {len(self.inputs)} inputs of the {len(self.scores)} with the "
                      "highest extra-trees feature scores: "
                      + ", ".join(f"`{n}` ({self.scores[n]:.3f})" for n in self.inputs) + "."]
        for box in self.boxes:
            if box.res_dim == 0:
                lines += ["", f"PRIM box {box.number} restricts nothing: the whole space already has a density of "
                          f"{100 * box.density:.1f} %; ask the opposite question (`not ({self.condition.text})`) or "
                          "raise the density the box must reach (--min-density)."]
                continue
            lines += ["", f"PRIM box {box.number}: coverage {100 * box.coverage:.1f} %, density "
                      f"{100 * box.density:.1f} %, mass {100 * box.mass:.1f} % ({box.res_dim} restricted inputs, "
                      f"step {box.step} of the peeling trajectory)", ""]
            lines += ["| input | unit | box limits | whole range | quasi-p |", "|---|---|---|---|---|"]
            for r in box.limits.itertuples():
                lines.append(f"| `{r.input}` | {r.unit} | {r.limits} | {r.whole} | {r.qp} |")
        if len(self.cart):
            lines += ["", "CART leaves where the condition holds most (coverage, density, rule):", ""]
            lines += ["| leaf | coverage | density | mass | rule |", "|---|---|---|---|---|"]
            best = self.cart.sort_values("density", ascending=False).head(3)
            for r in best.itertuples():
                lines.append(f"| {r.leaf} | {100 * r.coverage:.1f} % | {100 * r.density:.1f} % | "
                             f"{100 * r.mass:.1f} % | {r.rule} |")
        return "\n".join(lines) + "\n"

    def facts(self) -> dict:
        """The result's numbers: experiments, cases, base rate, each box's statistics, the top feature score."""
        return {"condition": self.condition.text, "experiments": self.experiments, "cases": self.cases,
                "base_rate": self.base_rate, "inputs": self.inputs,
                "boxes": [{"coverage": b.coverage, "density": b.density, "mass": b.mass, "res_dim": b.res_dim,
                           "step": b.step} for b in self.boxes],
                "screened_from": None if self.scores is None else len(self.scores),
                "top_score": None if self.scores is None else float(self.scores.iloc[0])}

    def save(self, folder: str | Path) -> Path:
        """Write ``trajectory.csv``, ``boxes.csv``, ``cart.csv``, ``discovery.md`` and ``discovery.json``
        (:meth:`facts`) into ``folder``."""
        import json

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "discovery.json").write_text(json.dumps(self.facts(), indent=1))
        self.trajectory.to_csv(folder / "trajectory.csv", index=False)
        self.limits_table().to_csv(folder / "boxes.csv", index=False)
        self.cart.to_csv(folder / "cart.csv", index=False)
        (folder / "discovery.md").write_text(self.markdown())
        return folder


def _unit(name: str) -> str:
    from sim.config import field_table

    return next((r["unit"] for r in field_table() if r["field"] == name), "")


def _format(value) -> str:
    if isinstance(value, (bool, np.bool_, str)):
        return str(value)
    return f"{float(value):.3g}"


def _limits(box_lim: pd.DataFrame, box_init: pd.DataFrame, qp: dict) -> pd.DataFrame:
    from ema_workbench.analysis import scenario_discovery_util as sdutil

    rows = []
    for name in sdutil._determine_restricted_dims(box_lim, box_init):
        low, high = box_lim[name].iloc[0], box_lim[name].iloc[1]
        if isinstance(low, set):
            kept, whole = ", ".join(sorted(map(str, low))), ", ".join(sorted(map(str, box_init[name].iloc[0])))
        else:
            kept = f"{_format(low)} to {_format(high)}"
            whole = f"{_format(box_init[name].iloc[0])} to {_format(box_init[name].iloc[1])}"
        p = [v for v in qp.get(name, []) if v is not None and v >= 0]
        rows.append({"input": name, "unit": _unit(name), "limits": kept, "whole": whole,
                     "qp": ", ".join(f"{v:.2g}" for v in p) or "n/a"})
    return pd.DataFrame(rows, columns=["input", "unit", "limits", "whole", "qp"])


def _prepare(inputs: pd.DataFrame) -> pd.DataFrame:
    """Inputs as PRIM and CART take them: constant columns dropped, on/off and choice inputs as categories, numbers
    as floats (whole numbers too: EMA 3.0's PRIM pastes and CART splits them at fractional values, which pandas 3
    refuses to write into an int64 box)."""
    x = inputs.loc[:, inputs.nunique(dropna=False) > 1].copy()
    for column in x.columns:
        if pd.api.types.is_bool_dtype(x[column]) or not pd.api.types.is_numeric_dtype(x[column]):
            x[column] = x[column].astype(str).astype(object).astype("category")
        else:
            x[column] = x[column].astype(float)
    return x


def discover(inputs: pd.DataFrame, outcomes: pd.DataFrame, condition: str | Condition, *, boxes: int = 1,
             min_density: float = MIN_DENSITY, peel_alpha: float = 0.05, mass_min: float = MASS_MIN,
             columns: list[str] | None = None, screen: int | None = None, seed: int = 0,
             max_dims: int = MAX_DIMS) -> Discovery:
    """PRIM boxes and a CART tree for ``condition`` over ``inputs`` (one row per experiment).

    Args:
        inputs: the experiments' inputs (levers and uncertainties by dotted field, in their units).
        outcomes: the experiments' outcomes (model units), row for row.
        condition: e.g. ``"nrr_annual >= 1.0 and cash_balance_end > 0"`` (:mod:`sim.ema.condition`).
        boxes: PRIM boxes to find (PRIM's covering: each next box among the experiments the previous ones leave).
        min_density: the density the reported box must reach.
        max_dims: the most inputs the reported box may restrict.
        peel_alpha: share of the experiments PRIM peels off per step.
        mass_min: smallest share of the experiments a box or a leaf holds.
        columns: the inputs to restrict (all varying ones when None).
        screen: keep only this many inputs, those with the highest extra-trees feature scores for the condition
            (EMA's feature scoring): with a hundred uncertain parameters and a few hundred experiments, PRIM would
            otherwise restrict inputs that only happen to separate the cases.
        seed: seed of the feature scoring's trees.

    Raises:
        ConfigError: a bad condition, unknown columns, inputs and outcomes of different lengths, or a condition
            that no experiment (or every experiment) meets.
    """
    from ema_workbench.analysis import cart, prim

    cond = parse(condition) if isinstance(condition, str) else condition
    if len(inputs) != len(outcomes):
        raise ConfigError(f"inputs ({len(inputs)} rows) and outcomes ({len(outcomes)} rows) differ in length")
    if columns is not None:
        unknown = [c for c in columns if c not in inputs]
        if unknown:
            raise ConfigError(f"input {unknown[0]!r} is not a column of the experiments: allowed: "
                              + ", ".join(inputs.columns))
        inputs = inputs[columns]
    y = cond(outcomes)
    if not y.any() or y.all():
        raise ConfigError(f"condition {cond.text!r} holds in {int(y.sum())} of {len(y)} experiments: scenario "
                          "discovery needs experiments on both sides of it")
    x = _prepare(inputs)
    scores = None
    if screen is not None and screen < x.shape[1]:
        scores = feature_scores(x, y, seed)
        x = x[list(scores.index[:screen])]
    finder = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
    found, steps = [], []
    for number in range(1, boxes + 1):
        box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        readable = trajectory[trajectory["res_dim"] <= max_dims]
        good = readable[readable["density"] >= min_density]
        step = int(good["coverage"].idxmax()) if len(good) else \
            int(readable.sort_values(["density", "coverage"], ascending=False).index[0])
        box.select(step)
        found.append(Box(number, step, float(box.coverage), float(box.density), float(box.mass), int(box.res_dim),
                         _limits(box.box_lims[step], finder.box_init, box.p_values[step]), box))
        steps.append(trajectory.assign(box=number)[["box", "id", "coverage", "density", "mass", "res_dim"]])
    tree = cart.CART(x, y, mass_min=max(mass_min, 1 / len(y)))
    tree.build_tree()
    return Discovery(cond, len(y), int(y.sum()), found, pd.concat(steps, ignore_index=True).rename(
        columns={"id": "step"}), _cart_leaves(tree), list(x.columns), scores, tree)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.Series:
    """Each input's extra-trees feature score for the condition ``y`` (EMA's ``get_ex_feature_scores``, 100
    trees), highest first; on/off and choice inputs are scored by their category codes."""
    from ema_workbench.analysis import feature_scoring

    coded = x.apply(lambda c: c.cat.codes if isinstance(c.dtype, pd.CategoricalDtype) else c)
    scores, _ = feature_scoring.get_ex_feature_scores(coded, y.astype(int), random_state=seed)
    return scores.iloc[:, 0].sort_values(ascending=False)


def _cart_leaves(tree) -> pd.DataFrame:
    """One row per CART leaf: coverage, density, mass and its rule in the inputs' units.

    The rules are read from the fitted scikit-learn tree itself (EMA 3.0's ``CART.boxes`` writes the same category
    into every leaf of a split on an on/off or choice input); a split on such an input reads "input = value" or
    "input != value"."""
    clf, names, sep = tree.clf, tree.feature_names, tree.sep
    nodes = clf.tree_
    leaf_of = clf.apply(tree._x)
    y = np.asarray(tree.y, dtype=bool)
    rows = []

    def walk(node: int, rule: list[str]) -> None:
        if nodes.children_left[node] == nodes.children_right[node]:  # a leaf
            inside = leaf_of == node
            rows.append({"leaf": len(rows) + 1, "coverage": y[inside].sum() / y.sum(),
                         "density": y[inside].mean(), "mass": inside.mean(),
                         "rule": " and ".join(_merge(rule)) or "everywhere"})
            return
        name, threshold = names[nodes.feature[node]], nodes.threshold[node]
        if sep in name:
            column, value = name.split(sep, 1)
            left, right = f"{column} != {value}", f"{column} = {value}"
        else:
            left, right = f"{name} <= {_format(threshold)}", f"{name} > {_format(threshold)}"
        walk(nodes.children_left[node], [*rule, left])
        walk(nodes.children_right[node], [*rule, right])

    walk(0, [])
    return pd.DataFrame(rows, columns=["leaf", "coverage", "density", "mass", "rule"])


def _merge(rule: list[str]) -> list[str]:
    """A leaf's conditions with repeated bounds on one input merged (the tightest kept)."""
    kept: dict[tuple[str, str], str] = {}
    for part in rule:
        column, op = part.split(" ", 2)[:2]
        key = (column, op) if op in ("<=", ">") else (column, part)
        kept[key] = part if op not in ("<=", ">") or key not in kept else \
            min(kept[key], part, key=lambda p: float(p.rsplit(" ", 1)[1]) * (1 if op == "<=" else -1))
    return list(kept.values())
