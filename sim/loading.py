"""Compose a validated :class:`~sim.config.Config` from the YAML presets under ``configs/`` with Hydra.

``load_config("full_alignment", overrides=["policy.max_discount=0.2"])`` composes
``configs/config.yaml`` with the scenario preset and the overrides (Hydra's override grammar),
converts the result into the plain dataclasses of :mod:`sim.config` and validates every range,
so that a bad value fails here, before any run starts.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import threading
from pathlib import Path

from sim.config import Config, ConfigError, _check_value, _describe_range, validate

CONFIG_DIR = Path(os.environ.get("ALIGNSIM_CONFIG_DIR", Path(__file__).resolve().parents[1] / "configs"))
SCHEMA_NAME = "base_config"
HYDRA_LOCK = threading.RLock()
"""Held while Hydra composes: its GlobalHydra is one per process, so concurrent callers (dashboard tabs,
threads of a notebook) take turns instead of failing with "GlobalHydra is already initialized"."""


def register_schema() -> None:
    """Register the structured schema in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA_NAME, node=Config)


def scenario_names() -> list[str]:
    """Names of the scenario presets: the files of ``configs/scenario/``."""
    return sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))


def check_scenario(name: str, field: str = "scenario") -> None:
    """Raise :class:`ConfigError` naming the allowed scenarios if ``name`` is not one of them.

    Args:
        name: the scenario asked for.
        field: the field it was given to (``scenario`` or ``compare_with``), for the message.
    """
    names = scenario_names()
    if name not in names:
        hint = difflib.get_close_matches(str(name), names, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"{field} = {name!r} is not valid: allowed values are {', '.join(names)}{did}")


def to_config(node) -> Config:
    """Turn a composed DictConfig (from Hydra) into a validated :class:`Config`."""
    from omegaconf import OmegaConf

    node = OmegaConf.masked_copy(node, [k for k in node.keys() if k != "hydra"]) if "hydra" in node else node
    merged = OmegaConf.merge(OmegaConf.structured(Config), node)
    return validate(OmegaConf.to_object(merged))


CONFIG_GROUPS = ("scenario", "market", "policy")
"""Config groups (folders of ``configs/``) that an override may choose a preset of (``market=enterprise``)."""


def schema_field(path: str) -> dataclasses.Field:
    """The schema field at the dotted ``path`` (``policy.max_discount``).

    Raises:
        ConfigError: ``path`` is not a field; the message suggests the closest one and lists the allowed fields.
    """
    *sections, key = path.split(".")
    node: type = Config
    for depth, name in enumerate([*sections, key]):
        fields = {f.name: f for f in dataclasses.fields(node)}
        if name not in fields:
            where = ".".join(sections[:depth])
            hint = difflib.get_close_matches(name, fields, n=1)
            did = f"did you mean {'.'.join([*sections[:depth], hint[0]])!r}? " if hint else ""
            raise ConfigError(f"{path} is not a field of {where or 'the config'}: {did}"
                              f"allowed fields: {', '.join(fields)}")
        found = fields[name]
        if depth < len(sections):
            if not dataclasses.is_dataclass(found.default_factory):
                raise ConfigError(f"{path} is not a field: {'.'.join(sections[:depth + 1])} has no sub-fields")
            node = found.default_factory
    return found


def check_overrides(overrides) -> None:
    """Check Hydra overrides against the schema before anything is composed or written.

    Each ``FIELD=VALUE`` must name a field of :class:`~sim.config.Config` and give a value of its type in its
    range (``policy.lead_sla=1`` is refused: an on/off field takes true or false); ``GROUP=PRESET`` must name a
    preset; ``+KEY=VALUE`` (adding a key) and ``~KEY`` (deleting one) are refused, the schema being fixed.
    Multirun sweeps (``a=1,2``, ``range(3)``) are checked value by value; ``hydra.*`` overrides are Hydra's own.

    Args:
        overrides: a list of override strings such as ``["market.accounts=5000", "policy.max_discount=0.2"]``.

    Raises:
        ConfigError: the first bad override, with the field, the value and what is allowed.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    if isinstance(overrides, str) or not all(isinstance(o, str) for o in overrides):
        raise ConfigError(f"overrides = {overrides!r} is not valid: expected a list of FIELD=VALUE strings, "
                          "e.g. ['market.accounts=5000']")
    parser = OverridesParser.create()
    for text in overrides:
        try:
            override = parser.parse_override(text)
        except HydraException as err:
            raise ConfigError(f"override {text!r} is not valid: {str(err).splitlines()[0]}; "
                              "expected FIELD=VALUE, e.g. policy.max_discount=0.2") from err
        _check_override(text, override)


def _check_override(text: str, override) -> None:
    """One parsed override against the schema (see :func:`check_overrides`)."""
    key = override.key_or_group
    if not key:
        raise ConfigError(f"override {text!r} is not valid: no field before '='; expected FIELD=VALUE, "
                          "e.g. policy.max_discount=0.2")
    if key == "hydra" or key.startswith(("hydra.", "hydra/")):
        return
    if override.is_add() or override.is_force_add() or override.is_delete():
        sign = "~" if override.is_delete() else "+"
        hint = ""
        try:
            schema_field(key)
            hint = f"write {key}=VALUE to change it"
        except ConfigError as err:
            hint = str(err)
        raise ConfigError(f"override {text!r} is not valid: '{sign}' adds or deletes a key, and the config schema "
                          f"is fixed; {hint}")
    if override.is_discrete_sweep():
        values = list(override.sweep_iterator())
    else:
        values = [] if override.is_sweep_override() else [override.value()]
    if key in CONFIG_GROUPS:
        for value in values:
            check_preset(key, value)
        return
    found = schema_field(key)
    for value in values:
        if value is None:
            raise ConfigError(f"{key} = null is not valid: allowed {_describe_range(found.metadata)}")
        if key == "compare_with":
            check_scenario(value, key)
        if found.type in (int, "int") and isinstance(value, float) and value.is_integer():
            raise ConfigError(f"{key} = {value!r} is not valid: expected a whole number in "
                              f"{_describe_range(found.metadata)}; write {int(value)}")
        _check_value(key, value, found)


def check_preset(group: str, name) -> None:
    """Raise :class:`ConfigError` naming the allowed presets if ``name`` is not a preset of ``group``."""
    if group == "scenario":
        check_scenario(name)
        return
    names = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
    if name not in names:
        hint = difflib.get_close_matches(str(name), names, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"{group} = {name!r} is not valid: allowed values are {', '.join(names)}{did}")


def load_config(scenario: str = "hundred_years_war", overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Compose and validate the config for one scenario.

    Args:
        scenario: name of a preset in ``configs/scenario/`` (for instance ``"full_alignment"``).
        overrides: Hydra overrides such as ``"market.accounts=5000"`` or ``"policy.max_discount=0.2"``
            (a list, even for one override).

    Returns:
        A validated :class:`Config`.

    Raises:
        ConfigError: an unknown scenario, an unknown field, a wrong type or an out-of-range value,
            with the field, the value and the allowed range in the message.
    """
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    check_scenario(scenario)
    check_overrides(overrides)
    chosen = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") == "scenario"]
    if chosen:
        raise ConfigError(f"override {chosen[0]!r} is not valid here: the scenario is load_config's first argument "
                          f"(load_config({chosen[0].split('=', 1)[1]!r}, ...)), and {scenario!r} was given")
    register_schema()
    try:
        with HYDRA_LOCK, initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            node = compose(config_name="config", overrides=[f"scenario={scenario}", *overrides])
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(_explain(err)) from err
    return to_config(node)


def _explain(err: Exception) -> str:
    """Hydra's message about a composition error on one line, with the first line of its cause."""
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).splitlines():
        message += ": " + str(cause).splitlines()[0]
    return message
