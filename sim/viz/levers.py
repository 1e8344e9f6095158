"""The levers a trainer can move in the dashboard, described from the config schema.

Every policy field of :class:`sim.config.PolicyConfig` is a lever; a few structural settings (market size,
staff, horizon) are levers too but only take effect when the run is reset.  Unit and range come from
:func:`sim.config.field_table`, the one-line tooltip from the field's docstring in :mod:`sim.config`.

A policy lever the model reads only when it is built is marked in the schema (``param(on_reset=True)``:
``marketing_sales_experience`` draws which marketers have sold before) and is shown as "applies on reset" too;
every other policy lever is read live by its mechanism, and ``tests/test_live_policy.py`` checks that each one
changes the run from the week it is moved and not before.
"""

from __future__ import annotations

import ast
import math
import copy
import dataclasses
import inspect
from dataclasses import dataclass
from functools import cache

from sim.config import Config, ConfigError, PolicyConfig, applies_on_reset, field_table, validate

STRUCTURAL = ("market.accounts", "market.installed_base_share", "marketing.staff", "sales.reps", "operations.staff",
              "weeks")
"""Settings shown as levers that only apply when the run is reset (the model is built from them)."""
POLICY_ON_RESET = tuple(f"policy.{f.name}" for f in dataclasses.fields(PolicyConfig)
                        if applies_on_reset(f"policy.{f.name}"))
"""Policy levers the model reads only when it is built (from the schema's ``on_reset`` marks)."""


@dataclass(frozen=True)
class Lever:
    """One adjustable setting.

    Attributes:
        path: the dotted config path ("policy.blame_culture").
        label: a readable name ("Blame culture").
        kind: "float", "int", "bool" or "choice".
        low, high: the allowed range (None for bool and choice).
        choices: the allowed values of a choice.
        unit: the schema's unit.
        tooltip: the first sentence of the field's docstring.
        live: True when a change applies from the next week, False when it applies on reset.
    """

    path: str
    label: str
    kind: str
    low: float | None
    high: float | None
    choices: tuple[str, ...] | None
    unit: str
    tooltip: str
    live: bool

    @property
    def section(self) -> str:
        return self.path.split(".")[0] if "." in self.path else ""

    @property
    def name(self) -> str:
        return self.path.split(".")[-1]

    @property
    def range_text(self) -> str:
        """The allowed values in words: "0 to 1 probability" or "one of lead_volume, pipeline, revenue"."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices or ())
        if self.kind == "bool":
            return "on or off"
        fmt = ",.0f" if self.kind == "int" else "g"
        return f"{self.low:{fmt}} to {self.high:{fmt}} {self.unit}".strip()

    @property
    def step(self) -> float:
        """Slider step: whole numbers for int levers, the power of ten at or below a hundredth of the range
        for float ones (so a preset's value such as 0.5 lies on the slider's grid)."""
        if self.kind == "int":
            return 1
        return 10.0 ** math.floor(math.log10((self.high - self.low) / 100))

    @property
    def slider_high(self) -> float:
        """Upper end of the slider: the schema's bound, capped for structural counts whose bound is huge
        (a number box still accepts anything in the schema's range)."""
        caps = {"market.accounts": 100_000, "weeks": 520}
        if self.path in caps:
            return min(self.high, caps[self.path])
        if self.kind == "int" and self.high > 200:
            return 200
        return self.high


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


@cache
def attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under each field of a schema dataclass (``field: type = param(...)`` then a string)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body
    docs = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = following.value.value
    return docs


def _section_class(section: str) -> type:
    if not section:
        return Config
    return {f.name: f.default_factory for f in dataclasses.fields(Config)
            if f.default_factory is not dataclasses.MISSING}[section]


def _kind(row: dict) -> str:
    if row["choices"]:
        return "choice"
    if isinstance(row["default"], bool):
        return "bool"
    return "int" if isinstance(row["default"], int) else "float"


@cache
def levers() -> tuple[Lever, ...]:
    """Every policy lever, then the structural settings, in schema order."""
    rows = {r["field"]: r for r in field_table()}
    paths = [p for p in rows if p.startswith("policy.")] + list(STRUCTURAL)
    out = []
    for path in paths:
        row = rows[path]
        section, _, name = path.rpartition(".")
        doc = row.get("doc") or attribute_docs(_section_class(section)).get(name, "")
        out.append(Lever(path=path, label=name.replace("_", " ").capitalize(), kind=_kind(row), low=row["low"],
                         high=row["high"], choices=tuple(row["choices"]) if row["choices"] else None,
                         unit=row["unit"], tooltip=_first_sentence(doc),
                         live=path.startswith("policy.") and path not in POLICY_ON_RESET))
    return tuple(out)


def lever(path: str) -> Lever:
    """The lever at ``path``; :class:`ConfigError` naming the levers if there is none."""
    for item in levers():
        if item.path == path:
            return item
    raise ConfigError(f"{path!r} is not a dashboard lever: allowed {', '.join(x.path for x in levers())}")


def get_value(cfg: Config, path: str):
    """The value at a dotted ``path`` of ``cfg``."""
    target = cfg
    for part in path.split("."):
        target = getattr(target, part)
    return target


def with_value(cfg: Config, path: str, value) -> Config:
    """A validated copy of ``cfg`` with ``path`` set to ``value``; :class:`ConfigError` with the field, the
    value and the allowed range when it is out of range or of the wrong type."""
    item = lever(path)
    if item.kind == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    new = copy.deepcopy(cfg)
    section = get_value(new, item.section) if item.section else new
    setattr(section, item.name, value)
    validate(new)
    return new

