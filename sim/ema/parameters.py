"""The config schema's ranges as EMA parameters: policy levers and market/behaviour uncertainties.

*Levers* are what management decides: every field of :class:`sim.config.PolicyConfig` by default, or any
config field named (``marketing.weekly_budget``), each over its declared range (or a narrower one given) in its
own unit.  On/off fields become ``BooleanParameter``, choice fields ``CategoricalParameter``, whole-number
fields ``IntegerParameter`` and the rest ``RealParameter``.

*Uncertainties* are what the firm cannot know precisely about its market and its people: every prior-ranged
calibration candidate (:func:`sim.calibration.priors.all_priors`; the firm's structure and the alignment
instrument are not among them), over its prior range in its own unit.  EMA samples a range uniformly, also
where the prior is log-uniform; :func:`sim.ema.firms.plausible_firms` draws firms by the priors' shapes and
from the calibrated posterior.

Each parameter's default is the base scenario's value, so a lever or uncertainty a sample leaves out keeps the
preset's setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields

from sim.config import Config, ConfigError, PolicyConfig
from sim.ema.names import ema_name
from sim.sweep.spec import LeverSpec, SweepSpec, resolve_levers


def policy_fields() -> list[str]:
    """Every policy lever of the schema, dotted (``policy.blame_culture``), in declaration order."""
    return [f"policy.{f.name}" for f in fields(PolicyConfig)]


def _value(cfg: Config, field: str):
    node = cfg
    for part in field.split("."):
        node = getattr(node, part)
    return node


def levers(base: Config, chosen: Iterable[str] | Mapping[str, Mapping | None] | None = None) -> list:
    """EMA levers for ``chosen`` config fields (all policy levers when None).

    Args:
        base: the base config; each lever's default is its value there.
        chosen: field names, or a mapping field -> ``{"low": .., "high": ..}`` / ``{"values": [...]}`` (as a sweep
            spec's levers) to narrow a range.

    Raises:
        ConfigError: an unknown field (with a "did you mean"), or a range outside the field's declared range
            (naming the field and the allowed range).
    """
    from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter

    chosen = policy_fields() if chosen is None else chosen
    given = dict(chosen) if isinstance(chosen, Mapping) else dict.fromkeys(chosen)
    try:
        resolved = resolve_levers(SweepSpec(levers={k: LeverSpec(**(v or {})) for k, v in given.items()}))
    except ConfigError as err:  # the sweep engine's checks, in the words of an EMA lever
        raise ConfigError(str(err).replace("sweep lever", "lever")) from None
    out = []
    for lever in resolved:
        name, default = ema_name(lever.field), _value(base, lever.field)
        if lever.kind == "level" and set(lever.levels) <= {False, True} and isinstance(default, bool):
            out.append(BooleanParameter(name, default=default, variable_name=lever.field))
        elif lever.kind == "level":
            out.append(CategoricalParameter(name, list(lever.levels), default=default, variable_name=lever.field))
        elif lever.kind == "int":
            out.append(IntegerParameter(name, int(lever.low), int(lever.high), default=default,
                                        variable_name=lever.field))
        else:
            out.append(RealParameter(name, lever.low, lever.high, default=default, variable_name=lever.field))
    return out


def uncertainties(base: Config, chosen: Iterable[str] | None = None) -> list:
    """EMA uncertainties over the prior ranges of ``chosen`` fields (every calibration candidate when None).

    Raises:
        ConfigError: a field that is not a prior-ranged calibration candidate (naming it).
    """
    from ema_workbench import IntegerParameter, RealParameter

    from sim.calibration.priors import priors

    try:
        prior_set = priors(chosen)
    except ValueError as err:
        raise ConfigError(f"uncertainties: {err}") from None
    out = []
    for field, prior in prior_set.items():
        kind = IntegerParameter if prior.integer else RealParameter
        low, high = (int(prior.low), int(prior.high)) if prior.integer else (prior.low, prior.high)
        out.append(kind(ema_name(field), low, high, default=_value(base, field), variable_name=field))
    return out


def encode_choices(params: list) -> tuple[list, dict[str, tuple]]:
    """``params`` with every on/off and choice lever as an ``IntegerParameter`` over its values' positions, and
    the values per dotted field (for :meth:`sim.ema.adapter.Replicates.decode`).

    EMA 3.0's optimisation cannot take them as they are: platypus encodes a ``CategoricalParameter`` as a
    ``Subset`` whose decoded value is a one-element list, and EMA's ``process_jobs`` then fails to build its
    sample array ("inhomogeneous shape")."""
    from ema_workbench import CategoricalParameter, IntegerParameter

    out, choices = [], {}
    for p in params:
        if isinstance(p, CategoricalParameter):
            values = tuple(c.value for c in p.categories)
            field = p.variable_name[0]
            choices[field] = values
            out.append(IntegerParameter(p.name, 0, len(values) - 1, default=values.index(p.default),
                                        variable_name=field))
        else:
            out.append(p)
    return out, choices
