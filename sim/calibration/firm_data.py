"""A firm's own data: the funnel CSV it exports from its CRM and finance system, and the YAML of its structure.

The CSV has one row per period (a month or a quarter, oldest first) and the columns of :data:`COLUMNS`; the
YAML names the CSV, the period, the firm's known structure (market size, head counts, list price, budget), the
policies it knows it has on paper (pay schemes, whether a lead SLA exists) and the levers to infer.
``docs/firm_data.md`` documents both.  Every reading error is a :class:`FirmDataError` whose message is one line
naming the file, the column (or key) and the row.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

WEEKS_PER_PERIOD = {"month": 52 / 12, "quarter": 13.0}
"""Model weeks in one period of the firm's data."""
MIN_PERIODS = 6
"""Fewest periods a calibration accepts: below this a rate and its trend cannot be told apart from noise."""


class FirmDataError(ValueError):
    """A firm's CSV or YAML cannot be used; the message is one line naming the column (or key) and the row."""


@dataclass(frozen=True)
class Column:
    """One CSV column: its ``name``, ``unit``, business ``meaning``, whether it is ``required`` and its ``kind``
    (``count``: a whole number >= 0; ``money``: EUR >= 0; ``share``: in [0, 1]; ``weeks``: >= 0)."""

    name: str
    unit: str
    meaning: str
    required: bool
    kind: str


COLUMNS = (
    Column("period", "label", "the period's name (2025-Q1, 2025-01, ...), unique, oldest first", True, "label"),
    Column("inquiries", "contacts", "new inquiries from prospects (form fills, calls, event contacts)", True,
           "count"),
    Column("mqls", "leads", "marketing-qualified leads passed to sales", True, "count"),
    Column("sals", "leads", "marketing leads sales accepted and worked", True, "count"),
    Column("rep_sourced", "leads", "leads the reps found themselves (0 when the CRM does not record it)", False,
           "count"),
    Column("sqls", "opportunities", "sales-qualified opportunities (accepted and rep-sourced leads qualified)",
           True, "count"),
    Column("deals_won", "deals", "new customers signed", True, "count"),
    Column("average_discount", "share of list price", "mean discount on the period's deals", False, "share"),
    Column("sales_cycle_weeks", "weeks", "median weeks from opportunity to signature of the period's deals",
           False, "weeks"),
    Column("active_customers", "customers", "paying customers at the period's end", True, "count"),
    Column("churned_customers", "customers", "customers lost in the period", True, "count"),
    Column("revenue", "EUR", "revenue recognised in the period (new and recurring)", True, "money"),
    Column("marketing_spend", "EUR", "marketing programme spend in the period (staff excluded)", False, "money"),
    Column("sales_reps", "people", "quota-carrying reps at the period's end", False, "count"),
    Column("operations_staff", "people", "delivery and service staff at the period's end", False, "count"),
)
"""The funnel CSV's columns, in the order the docs list them."""
BY_NAME = {c.name: c for c in COLUMNS}
FUNNEL_ORDER = (("mqls", "inquiries"), ("sals", "mqls"), ("deals_won", "sqls"))
"""(narrower stage, the stage it comes from) pairs checked row by row; SQLs are checked against SALs plus
rep-sourced leads separately."""

STRUCTURE_KEYS = {
    "accounts": ("market.accounts", True, "accounts in the addressable market"),
    "initial_customers": ("market.initial_customers", False, "paying customers at the start of the data"),
    "list_price": ("market.list_price", True, "EUR per customer per year"),
    "sales_reps": ("sales.reps", True, "quota-carrying reps"),
    "operations_staff": ("operations.staff", True, "delivery and service staff"),
    "marketing_staff": ("marketing.staff", False, "marketers"),
    "marketing_budget_weekly": ("marketing.weekly_budget", True, "EUR of programme spend per week"),
}
"""YAML ``structure`` key -> (config field, required, meaning with unit)."""
YAML_KEYS = ("name", "data", "period", "base_scenario", "structure", "policy", "infer", "what_if", "seed")


@dataclass
class FirmSpec:
    """A firm as its YAML describes it.

    Attributes:
        name: the firm's name (printed on the figure and the tables).
        data_path: the funnel CSV.
        period: ``month`` or ``quarter``.
        base_scenario: the scenario whose settings hold for whatever the firm does not state.
        structure: config field -> value, the firm's known size, head counts, price and budget.
        policy: config field -> value, the policies the firm knows it has (pay schemes, an SLA on paper...).
        infer: config field -> its prior (:func:`lever_prior`): the levers and parameters to infer.
        what_if: the named policy changes to evaluate (:data:`sim.calibration.firm.CHANGES`).
        seed: root seed of the calibration and the what-ifs.
    """

    name: str
    data_path: Path
    period: str
    base_scenario: str = "hundred_years_war"
    structure: dict = field(default_factory=dict)
    policy: dict = field(default_factory=dict)
    infer: dict = field(default_factory=dict)
    what_if: list = field(default_factory=list)
    seed: int = 0

    @property
    def weeks_per_period(self) -> float:
        return WEEKS_PER_PERIOD[self.period]


def _where(path: Path, row: int | None, column: str | None, period: str | None = None) -> str:
    parts = [path.name]
    if row is not None:
        parts.append(f"row {row}" + (f" (period {period})" if period is not None else ""))
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def read_funnel(path: str | Path) -> pd.DataFrame:
    """Read and check a funnel CSV; return it with numeric columns as floats (rows in file order).

    Raises:
        FirmDataError: an unreadable file, a missing or unknown column, a blank, non-numeric, negative or
            fractional count, a share outside [0, 1], a duplicate period, a funnel stage wider than the one
            before it, or fewer than :data:`MIN_PERIODS` periods; the message names the column and the row
            (the file's line number, the header being row 1).
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise FirmDataError(f"{path.name}: cannot be read as CSV ({str(err).splitlines()[0]})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    unknown = [c for c in raw.columns if c not in BY_NAME]
    if unknown:
        raise FirmDataError(f"{_where(path, 1, unknown[0])}: unknown column (known: {', '.join(BY_NAME)})")
    missing = [c.name for c in COLUMNS if c.required and c.name not in raw.columns]
    if missing:
        raise FirmDataError(f"{_where(path, 1, missing[0])}: required column is missing (header row)")
    out = pd.DataFrame({"period": raw["period"].str.strip()})
    for i, label in enumerate(out["period"]):
        if not label:
            raise FirmDataError(f"{_where(path, i + 2, 'period')}: blank period label")
    duplicated = out["period"].duplicated()
    if duplicated.any():
        i = int(duplicated.to_numpy().argmax())
        raise FirmDataError(f"{_where(path, i + 2, 'period', out['period'][i])}: period repeats an earlier row")
    for column in (c for c in COLUMNS if c.name in raw.columns and c.kind != "label"):
        out[column.name] = [_number(path, i + 2, column, out["period"][i], text)
                            for i, text in enumerate(raw[column.name].str.strip())]
    _check_funnel(path, out)
    if len(out) < MIN_PERIODS:
        last = f"rows 2-{len(out) + 1}" if len(out) else "no data rows"
        raise FirmDataError(f"{path.name}, {last}, column 'period': {len(out)} periods, at least {MIN_PERIODS} "
                            "needed to calibrate")
    return out


def _number(path: Path, row: int, column: Column, period: str, text: str) -> float:
    where = _where(path, row, column.name, period)
    if text == "":
        if column.required:
            raise FirmDataError(f"{where}: blank value in a required column")
        return math.nan
    try:
        x = float(text)
    except ValueError:
        raise FirmDataError(f"{where}: {text!r} is not a number ({column.unit})") from None
    if not math.isfinite(x) or x < 0:
        raise FirmDataError(f"{where}: {text} is negative or not finite ({column.unit} cannot be)")
    if column.kind == "count" and x != round(x):
        raise FirmDataError(f"{where}: {text} is not a whole number ({column.unit} are counted)")
    if column.kind == "share" and x > 1:
        raise FirmDataError(f"{where}: {text} is above 1 (a {column.unit} is written 0-1, 0.12 for 12 %)")
    return x


def _check_funnel(path: Path, data: pd.DataFrame) -> None:
    """Each stage is at most the stage it comes from, row by row."""
    sourced = data["rep_sourced"].fillna(0) if "rep_sourced" in data else pd.Series(0.0, index=data.index)
    for i in range(len(data)):
        period = data["period"][i]
        for narrow, wide in FUNNEL_ORDER:
            if data[narrow][i] > data[wide][i]:
                raise FirmDataError(f"{_where(path, i + 2, narrow, period)}: {data[narrow][i]:g} exceeds the "
                                    f"{data[wide][i]:g} {wide} of the same period (the funnel widens)")
        if data["sqls"][i] > data["sals"][i] + sourced[i]:
            raise FirmDataError(f"{_where(path, i + 2, 'sqls', period)}: {data['sqls'][i]:g} exceeds the "
                                f"{data['sals'][i] + sourced[i]:g} sals plus rep_sourced of the same period "
                                "(the funnel widens)")


def read_firm(path: str | Path) -> tuple[FirmSpec, pd.DataFrame]:
    """Read and check a firm's YAML (:func:`read_spec`) and the funnel CSV it names (:func:`read_funnel`)."""
    spec = read_spec(path)
    return spec, read_funnel(spec.data_path)


def read_spec(path: str | Path) -> FirmSpec:
    """Read and check a firm's YAML (the CSV it names, relative to the YAML's folder, is not read).

    Raises:
        FirmDataError: an unreadable YAML, an unknown or missing key, a value of the wrong kind or one the
            model's schema rejects, named by its key.
    """
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise FirmDataError(f"{path.name}: cannot be read as YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise FirmDataError(f"{path.name}: expected a mapping of keys ({', '.join(YAML_KEYS)})")
    unknown = [k for k in doc if k not in YAML_KEYS]
    if unknown:
        raise FirmDataError(f"{path.name}, key '{unknown[0]}': unknown key (known: {', '.join(YAML_KEYS)})")
    for key in ("data", "period", "structure"):
        if key not in doc:
            raise FirmDataError(f"{path.name}, key '{key}': required key is missing")
    if doc["period"] not in WEEKS_PER_PERIOD:
        raise FirmDataError(f"{path.name}, key 'period': {doc['period']!r} is not one of "
                            f"{', '.join(WEEKS_PER_PERIOD)}")
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise FirmDataError(f"{path.name}, key 'seed': {seed!r} is not a whole number >= 0")
    what_if = doc.get("what_if") or []
    if not (isinstance(what_if, list) and all(isinstance(w, str) for w in what_if)):
        raise FirmDataError(f"{path.name}, key 'what_if': expected a list of change names")
    spec = FirmSpec(name=str(doc.get("name", path.stem)), data_path=path.parent / str(doc["data"]),
                    period=doc["period"], base_scenario=str(doc.get("base_scenario", "hundred_years_war")),
                    structure=_structure(path, doc["structure"]), policy=_policy(path, doc.get("policy") or {}),
                    infer=_infer(path, doc.get("infer") or {}), what_if=what_if, seed=seed)
    _check_against_schema(path, spec)
    return spec


def _structure(path: Path, block) -> dict:
    if not isinstance(block, dict):
        raise FirmDataError(f"{path.name}, key 'structure': expected a mapping ({', '.join(STRUCTURE_KEYS)})")
    for key in block:
        if key not in STRUCTURE_KEYS:
            raise FirmDataError(f"{path.name}, key 'structure.{key}': unknown key (known: "
                                f"{', '.join(STRUCTURE_KEYS)})")
    for key, (_, required, meaning) in STRUCTURE_KEYS.items():
        if required and key not in block:
            raise FirmDataError(f"{path.name}, key 'structure.{key}': required key is missing ({meaning})")
    return {STRUCTURE_KEYS[k][0]: v for k, v in block.items()}


def _policy_fields() -> dict:
    from sim.config import PolicyConfig

    return {f.name: f for f in dataclasses.fields(PolicyConfig)}


def _policy(path: Path, block) -> dict:
    fields = _policy_fields()
    if not isinstance(block, dict):
        raise FirmDataError(f"{path.name}, key 'policy': expected a mapping of policy levers")
    for key in block:
        if key not in fields:
            raise FirmDataError(f"{path.name}, key 'policy.{key}': not a policy lever (see sim/config.py "
                                "PolicyConfig)")
    return {f"policy.{k}": v for k, v in block.items()}


def _infer(path: Path, block) -> dict:
    """``infer`` entries as config field -> :class:`~sim.calibration.priors.Prior`; a bare name is a lever."""
    if not isinstance(block, dict):
        raise FirmDataError(f"{path.name}, key 'infer': expected a mapping of field: [low, high] (or null)")
    out = {}
    for key, bounds in block.items():
        dotted = key if "." in key else f"policy.{key}"
        if bounds is not None and not (isinstance(bounds, list) and len(bounds) == 2
                                       and all(isinstance(b, (int, float)) for b in bounds) and bounds[0] < bounds[1]):
            raise FirmDataError(f"{path.name}, key 'infer.{key}': expected [low, high] with low < high, or null")
        try:
            out[dotted] = lever_prior(dotted, None if bounds is None else (float(bounds[0]), float(bounds[1])))
        except ValueError as err:
            raise FirmDataError(f"{path.name}, key 'infer.{key}': {err}") from None
    return out


def lever_prior(dotted: str, bounds: tuple[float, float] | None = None):
    """The prior of a field to infer: uniform on ``bounds`` (within the schema's range) or, without bounds, on
    the schema's whole range for a policy lever (never log-uniform: a lever's zero is a real setting) and the
    calibration prior for a model parameter (``sim.calibration.priors.all_priors``).

    Raises:
        ValueError: an on/off lever or a pay scheme (a firm states those under ``policy``), bounds outside the
            schema's range, or a field that is neither a lever nor a calibration candidate.
    """
    from sim.calibration.priors import Prior, all_priors
    from sim.config import PolicyConfig

    levers = {f"policy.{f.name}": f for f in dataclasses.fields(PolicyConfig)}
    if dotted in levers:
        meta, default = levers[dotted].metadata, levers[dotted].default
        if isinstance(default, (bool, str)) or meta.get("low") is None:
            raise ValueError("not a continuous lever (an on/off lever or a pay scheme is stated under 'policy')")
        low, high = float(meta["low"]), float(meta["high"])
        lo, hi = bounds or (low, high)
        if lo < low or hi > high:
            raise ValueError(f"[{lo:g}, {hi:g}] leaves the lever's range [{low:g}, {high:g}] ({meta['unit']})")
        return Prior(dotted, lo, hi, float(default), "uniform", isinstance(default, int), meta.get("unit", ""))
    every = all_priors()
    if dotted not in every:
        raise ValueError("neither a policy lever nor a calibration candidate (sim.calibration.priors.all_priors)")
    return dataclasses.replace(every[dotted], low=bounds[0], high=bounds[1]) if bounds else every[dotted]


def _check_against_schema(path: Path, spec: FirmSpec) -> None:
    """Every value the YAML sets is one the model's schema allows (the YAML's key named, not the config field)."""
    names = {v[0]: f"structure.{k}" for k, v in STRUCTURE_KEYS.items()}
    settings = tuple(f"{f}={hydra_value(v)}" for f, v in {**spec.structure, **spec.policy}.items())
    if _schema_error(spec.base_scenario, settings) is None:
        return
    if _schema_error(spec.base_scenario, ()) is not None:
        raise FirmDataError(f"{path.name}, key 'base_scenario': {_schema_error(spec.base_scenario, ())}")
    for setting in settings:  # only on failure: find the key to name
        message = _schema_error(spec.base_scenario, (setting,))
        if message is not None:
            raise FirmDataError(f"{path.name}, key '{names.get(setting.split('=')[0], setting)}': {message}")
    raise FirmDataError(f"{path.name}, key 'structure': the model rejects these settings together "
                        f"({_schema_error(spec.base_scenario, settings)})")


@functools.cache
def _schema_error(scenario: str, settings: tuple[str, ...]) -> str | None:
    """The first line of the model's objection to ``settings`` on ``scenario``, or None (cached: a firm's YAML
    is checked once per process, however often it is read)."""
    from sim.config import ConfigError
    from sim.loading import load_config

    try:
        load_config(scenario, list(settings))
    except ConfigError as err:
        return str(err).splitlines()[0]
    return None


def hydra_value(value) -> str:
    """A YAML value as a Hydra override writes it (``true``/``false`` for on/off)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = ["COLUMNS", "FirmDataError", "FirmSpec", "MIN_PERIODS", "WEEKS_PER_PERIOD", "hydra_value", "lever_prior",
           "read_firm", "read_funnel", "read_spec"]
