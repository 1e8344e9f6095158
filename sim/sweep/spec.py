"""The sweep specification: which config fields vary, over what design, how often and where it runs.

A spec is a YAML file under ``configs/sweep/`` (see ``policy_sensitivity.yaml``) or a dict with the
same keys.  It is merged into the structured schema below with OmegaConf, so a misspelt key fails
when the spec is loaded, and every lever is checked against the model's config schema
(:func:`sim.config.field_table`): a lever's range defaults to the field's declared low/high and may
not leave it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config import ConfigError, check_workers, field_table
from sim.outcomes import RUN_OUTCOMES

DESIGN_METHODS = ("grid", "lhs", "sobol", "morris")
BACKENDS = ("local", "dask", "submitit")
DEFAULT_OUTCOMES = ["revenue_total", "nrr_annual", "cac", "lead_acceptance", "trust_mean_end", "blame_events"]
"""Outcome metrics analysed when a spec names none (labels and units: :mod:`sim.outcomes`)."""


@dataclass
class LeverSpec:
    """How one config field varies.  Leave everything unset to use the field's declared range or choices."""

    low: float | None = None
    """Lowest value (in the field's unit); defaults to the field's declared low."""
    high: float | None = None
    """Highest value (in the field's unit); defaults to the field's declared high."""
    values: list[Any] | None = None
    """Explicit values to take (a grid's levels, or the categories indexed by a sampled design)."""


@dataclass
class DesignSpec:
    """The experimental design over the levers."""

    method: str = "lhs"
    """One of grid (full factorial), lhs (Latin hypercube), sobol (Saltelli/Sobol), morris (elementary effects)."""
    samples: int = 64
    """lhs: design points; sobol: base sample N (a power of 2, giving N(D+2) or N(2D+2) points);
    morris: trajectories (N(D+1) points).  Ignored by grid."""
    levels: int = 3
    """grid: values per numeric lever (evenly spaced, ends included); morris: levels of the Morris grid."""
    second_order: bool = False
    """sobol only: also sample for second-order indices (N(2D+2) instead of N(D+2) points)."""
    seed: int = 0
    """Seed of the design's random sampling (the runs' seeds come from the spec's ``seed``)."""


@dataclass
class ExecutionSpec:
    """Where the runs go.  Results never depend on any of this."""

    backend: str = "local"
    """local (joblib/loky processes on this machine), dask (a Dask cluster) or submitit (SLURM array jobs)."""
    n_jobs: int = -1
    """local: worker processes (-1 = all cores, 1 = serial in this process); dask LocalCluster: workers."""
    dask_address: str | None = None
    """Address of a running Dask scheduler (tcp://host:8786); unset: start a LocalCluster."""
    dask_processes: bool = True
    """LocalCluster only: workers as processes (true) or threads in this process (false)."""
    submitit_cluster: str | None = None
    """submitit executor: unset = SLURM if available else local; slurm, local or debug."""
    submitit_folder: str | None = None
    """Folder for submitit's job files and logs; defaults to ``<sweep dir>/submitit``."""
    submitit_parameters: dict[str, Any] = field(default_factory=lambda: {"timeout_min": 60})
    """Passed to ``executor.update_parameters`` (timeout_min, slurm_partition, slurm_array_parallelism, ...);
    what a spec gives is merged over the default one-hour time limit."""
    submitit_poll_s: float = 10.0
    """Seconds between polls of the job states (SLURM: keep it at several seconds)."""
    max_runs: int = 1_000_000
    """A sweep with more runs is refused before its design is built unless accepted (``--yes``)."""
    max_hours: float = 48.0
    """A sweep expected to take longer (at the measured run time, on its workers) is refused unless accepted
    (``--yes``)."""


@dataclass
class SweepSpec:
    """A whole sweep: base scenario and overrides, levers, design, replicates, chunking, outcomes, execution."""

    name: str = "sweep"
    """Name of the sweep (for titles and the manifest)."""
    scenario: str = "hundred_years_war"
    """Scenario preset the sweep starts from (a file of ``configs/scenario/``)."""
    overrides: list[str] = field(default_factory=list)
    """Hydra overrides applied once to the base config (e.g. ``market.accounts=5000``, ``weeks=104``)."""
    levers: dict[str, LeverSpec] = field(default_factory=dict)
    """Config fields that vary, by dotted path (``policy.max_discount``), each with an optional range."""
    design: DesignSpec = field(default_factory=DesignSpec)
    replicates: int = 1
    """Runs per design point; replicate k of every point uses the same seed (common random numbers)."""
    seed: int = 0
    """Root seed: replicate seeds are spawned from ``numpy.random.SeedSequence(seed)``."""
    chunk_size: int = 50
    """Runs per chunk: one task for a worker and one Parquet file per table."""
    weekly: bool = False
    """Also store every run's weekly table (one row per run and week)."""
    outcomes: list[str] = field(default_factory=list)
    """Summary metrics to analyse (names of :data:`sim.outcomes.RUN_OUTCOMES`, whose labels and units the tables
    and figures use); none given: :data:`DEFAULT_OUTCOMES`."""
    execution: ExecutionSpec = field(default_factory=ExecutionSpec)

    def identity(self) -> dict:
        """Everything that determines the results (the spec without ``execution``): resume compares it."""
        data = dataclasses.asdict(self)
        del data["execution"]
        return data


@dataclass(frozen=True)
class Lever:
    """A resolved lever: a config field with its type, range or levels and unit.

    Attributes:
        field: dotted path of the config field (``policy.max_discount``).
        kind: float, int (rounded down from a continuous sample) or level (an index over ``levels``:
            booleans as 0/1, categories such as ``policy.marketing_pay`` by their order).
        low, high: range of a float or int lever, in the field's unit.
        levels: the values of a level lever.
        unit: the field's unit.
    """

    field: str
    kind: str
    low: float
    high: float
    levels: tuple = ()
    unit: str = ""

    @property
    def bounds(self) -> tuple[float, float]:
        """Bounds of the continuous sample that maps onto this lever's values."""
        if self.kind == "level":
            return 0.0, float(len(self.levels))
        if self.kind == "int":
            return self.low, self.high + 1.0
        return self.low, self.high

    def value(self, x: float) -> Any:
        """The config value for the continuous sample ``x`` (within :attr:`bounds`)."""
        if self.kind == "level":
            return self.levels[min(int(math.floor(x)), len(self.levels) - 1)]
        if self.kind == "int":
            return int(min(math.floor(x), self.high))
        return float(x)


def resolve_levers(spec: SweepSpec) -> list[Lever]:
    """Turn the spec's levers into :class:`Lever` objects, checking each against the config schema.

    Raises:
        ConfigError: an unknown field, a range outside the field's declared range, or a value that is
            not one of the field's choices.
    """
    table = {row["field"]: row for row in field_table()}
    levers = []
    for path, given in spec.levers.items():
        if path not in table:
            import difflib

            hint = difflib.get_close_matches(path, table, n=1)
            raise ConfigError(f"sweep lever {path!r} is not a config field" + (f" (did you mean {hint[0]!r}?)"
                                                                               if hint else ""))
        if path in NOT_LEVERS:
            raise ConfigError(f"sweep lever {path} is not valid: {NOT_LEVERS[path]}")
        row = table[path]
        levers.append(_resolve(path, row, given or LeverSpec()))
    if not levers:
        raise ConfigError("a sweep needs at least one lever (spec key 'levers')")
    return levers


NOT_LEVERS = {
    "seed": "the runs' seeds come from the spec's 'seed' and 'replicates' (common random numbers), so a seed lever "
            "would do nothing; set the spec key seed instead",
    "replicates": "replicates are runs per design point (the spec key 'replicates'), not a model parameter",
    "n_jobs": "worker processes are where runs go (execution.n_jobs), not a model parameter",
}
"""Config fields that are not model parameters, each with why it cannot be a sweep lever."""


def _resolve(path: str, row: dict, given: LeverSpec) -> Lever:
    """One spec lever checked against its config field's type and declared range or choices."""
    default = row["default"]
    declared = tuple(row["choices"]) if row["choices"] else (False, True) if isinstance(default, bool) else None
    if declared is not None:
        if given.low is not None or given.high is not None:
            raise ConfigError(f"sweep lever {path} low/high are not valid: {path} is "
                              f"{'an on/off' if isinstance(default, bool) else 'a choice'} field: give values "
                              f"(a subset of {list(declared)}) or nothing")
        levels = tuple(given.values) if given.values is not None else declared
        if not levels or any(not _same_kind(v, default) or v not in declared for v in levels):
            raise ConfigError(f"sweep lever {path} values {list(levels)} are not valid: allowed {list(declared)}"
                              + (" (true/false, not 0/1)" if isinstance(default, bool) else ""))
        return Lever(path, "level", 0.0, float(len(levels) - 1), levels, row["unit"])
    if not isinstance(default, (int, float)):
        raise ConfigError(f"sweep lever {path} is not valid: {path} is a {type(default).__name__} field "
                          f"({row['unit'] or 'text'}); a lever must be a number, an on/off or a choice field")
    kind = "int" if isinstance(default, int) else "float"
    if given.values is not None:
        values = tuple(_lever_number(path, row, v, kind) for v in given.values)
        if not values:
            raise ConfigError(f"sweep lever {path} values [] are not valid: give at least one value")
        _check_range(path, row, min(values), max(values))
        return Lever(path, "level", 0.0, float(len(values) - 1), values, row["unit"])
    low = row["low"] if given.low is None else _lever_number(path, row, given.low, kind)
    high = row["high"] if given.high is None else _lever_number(path, row, given.high, kind)
    _check_range(path, row, low, high)
    return Lever(path, kind, float(low), float(high), (), row["unit"])


def _same_kind(value: Any, default: Any) -> bool:
    """Whether ``value`` has the type of the field's default (1 is not a bool, True is not a choice)."""
    return isinstance(value, bool) == isinstance(default, bool)


def _lever_number(path: str, row: dict, value: Any, kind: str) -> int | float:
    """A lever's value or bound as the field's number type; ConfigError for text, NaN, inf or 1.5 for an int."""
    allowed = f"[{row['low']:g}, {row['high']:g}] ({row['unit']})"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"sweep lever {path} value {value!r} is not valid: expected a number in {allowed}")
    if kind == "int" and not float(value).is_integer():
        raise ConfigError(f"sweep lever {path} value {value!r} is not valid: expected a whole number in {allowed}")
    return int(value) if kind == "int" else float(value)


def _check_range(path: str, row: dict, low: float, high: float) -> None:
    """A lever's range must lie within its field's declared range, low <= high."""
    if not row["low"] <= low <= high <= row["high"]:
        raise ConfigError(f"sweep lever {path} range [{low:g}, {high:g}] is not valid: allowed "
                          f"[{row['low']:g}, {row['high']:g}] ({row['unit']}), low <= high")


def load_spec(source: str | Path | dict | SweepSpec, overrides: list[str] | None = None) -> SweepSpec:
    """Read a sweep spec from a YAML file, a dict or a spec; unknown keys and wrong types raise ConfigError.

    Args:
        source: the spec.
        overrides: ``key=value`` changes in OmegaConf's dotted form, applied over ``source``
            (``design.samples=32``, ``replicates=1``, ``overrides=[market.accounts=1000,weeks=52]``,
            ``execution.dask_address=tcp://host:8786``, ``execution.submitit_parameters.slurm_partition=cpu``).
            Levers are changed in the YAML: their names contain dots.
    """
    import yaml
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(source, SweepSpec) and not overrides:
        return _check(source)
    try:
        if isinstance(source, SweepSpec):
            data = OmegaConf.structured(source)
        else:
            data = OmegaConf.create(_read(source) if isinstance(source, (str, Path)) else _legacy(_plain(source)))
        layers = [OmegaConf.structured(SweepSpec), data]
        if overrides:
            bad = [o for o in overrides if "=" not in o]
            if bad:
                raise ConfigError(f"sweep spec override {bad[0]!r} is not valid: give key=value "
                                  "(e.g. design.samples=32)")
            layers.append(OmegaConf.from_dotlist(list(overrides)))
        spec = OmegaConf.to_object(OmegaConf.merge(*layers))
    except OmegaConfBaseException as err:
        raise ConfigError(f"sweep spec: {_one_line(err)}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"sweep spec override is not valid YAML: {_one_line(err)}") from err
    return _check(spec)


def _read(path: str | Path) -> dict:
    """A spec file's mapping; ConfigError for a missing file, bad YAML (with line and column) or a non-mapping."""
    import yaml

    try:
        data = yaml.load(Path(path).read_text(), Loader=_unique_loader())
    except FileNotFoundError as err:
        raise FileNotFoundError(f"sweep spec {path} does not exist") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"sweep spec {path} is not valid YAML{where}: {getattr(err, 'problem', None) or err}") \
            from err
    if not isinstance(data, dict):
        raise ConfigError(f"sweep spec {path} is not valid: expected a mapping of spec keys (name, levers, design, "
                          f"...), got {type(data).__name__}")
    return _legacy(data)


def _unique_mapping(loader, node, deep=False):
    """A YAML mapping whose keys must be unique (PyYAML keeps the last of a repeated key silently)."""
    import yaml

    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice (first at line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _unique_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
    return Loader


def _plain(data: Any) -> Any:
    """``data`` with numpy scalars (from SALib, pandas, the EMA workbench) as Python values, at any depth."""
    from sim.config import plain

    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value) for value in data]
    return plain(data)


def _legacy(data: dict) -> dict:
    """Specs stored before outcomes became a list gave a mapping outcome -> unit: keep its names."""
    if isinstance(data.get("outcomes"), dict):
        data = {**data, "outcomes": list(data["outcomes"])}
    return data


def _one_line(err: Exception) -> str:
    """An OmegaConf or YAML error as one line (its message and the key it is about)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    key = next((line for line in lines if line.startswith("full_key:")), "")
    return lines[0] + (f" ({key})" if key else "") if lines else type(err).__name__


def _check(spec: SweepSpec) -> SweepSpec:
    """Check the spec's design, sizes, outcomes and execution (the levers: :func:`resolve_levers`)."""
    spec.outcomes = list(spec.outcomes or DEFAULT_OUTCOMES)
    if spec.design.method not in DESIGN_METHODS:
        raise ConfigError(f"design.method = {spec.design.method!r} is not valid: allowed {', '.join(DESIGN_METHODS)}")
    n = spec.design.samples
    if spec.design.method == "sobol" and (n < 2 or n & (n - 1)):
        raise ConfigError(f"design.samples = {n} is not valid for sobol: a power of 2 (e.g. 64, 128, 256)")
    for name, low in (("replicates", 1), ("chunk_size", 1), ("design.samples", 1), ("design.levels", 2)):
        value = getattr(spec.design, name.split(".")[1]) if "." in name else getattr(spec, name)
        if value < low:
            raise ConfigError(f"{name} = {value} is out of range: allowed >= {low}")
    for seed in ("seed", "design.seed"):
        value = spec.design.seed if "." in seed else spec.seed
        if value < 0:
            raise ConfigError(f"{seed} = {value} is out of range: allowed a whole number >= 0")
    for name in spec.outcomes:
        check_outcome(name)
    check_execution(spec.execution)
    return spec


def check_outcome(name: str) -> None:
    """Raise :class:`ConfigError` with a 'did you mean' if ``name`` is not a declared per-run outcome."""
    if name not in RUN_OUTCOMES:
        import difflib

        hint = difflib.get_close_matches(name, RUN_OUTCOMES, n=1)
        did = f"did you mean {hint[0]!r}? " if hint else ""
        raise ConfigError(f"outcome {name!r} is not a summary metric: {did}allowed: {', '.join(RUN_OUTCOMES)}")


def check_execution(execution: ExecutionSpec) -> ExecutionSpec:
    """Check where the runs go (backend, workers) before anything is written; returns ``execution``."""
    if execution.backend not in BACKENDS:
        raise ConfigError(f"execution.backend = {execution.backend!r} is not valid: allowed {', '.join(BACKENDS)}")
    check_workers(execution.n_jobs, "execution.n_jobs", " (--n-jobs)")
    return execution
