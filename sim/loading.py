"""Compose a validated :class:`~sim.config.Config` from the YAML presets under ``configs/`` with Hydra.

``load_config("full_alignment", overrides=["policy.max_discount=0.2"])`` composes
``configs/config.yaml`` with the scenario preset and the overrides (Hydra's override grammar),
converts the result into the plain dataclasses of :mod:`sim.config` and validates every range,
so that a bad value fails here, before any run starts.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from sim.config import Config, ConfigError, validate

CONFIG_DIR = Path(os.environ.get("ALIGNSIM_CONFIG_DIR", Path(__file__).resolve().parents[1] / "configs"))
SCHEMA_NAME = "base_config"


def register_schema() -> None:
    """Register the structured schema in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA_NAME, node=Config)


def scenario_names() -> list[str]:
    """Names of the scenario presets: the files of ``configs/scenario/``."""
    return sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))


def check_scenario(name: str) -> None:
    """Raise :class:`ConfigError` naming the allowed scenarios if ``name`` is not one of them."""
    names = scenario_names()
    if name not in names:
        hint = difflib.get_close_matches(name, names, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"scenario = {name!r} is not valid: allowed values are {', '.join(names)}{did}")


def to_config(node) -> Config:
    """Turn a composed DictConfig (from Hydra) into a validated :class:`Config`."""
    from omegaconf import OmegaConf

    node = OmegaConf.masked_copy(node, [k for k in node.keys() if k != "hydra"]) if "hydra" in node else node
    merged = OmegaConf.merge(OmegaConf.structured(Config), node)
    return validate(OmegaConf.to_object(merged))


def load_config(scenario: str = "hundred_years_war", overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Compose and validate the config for one scenario.

    Args:
        scenario: name of a preset in ``configs/scenario/`` (for instance ``"full_alignment"``).
        overrides: Hydra overrides such as ``"market.accounts=5000"`` or ``"policy.max_discount=0.2"``.

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
    register_schema()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            node = compose(config_name="config", overrides=[f"scenario={scenario}", *overrides])
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(_explain(err)) from err
    return to_config(node)


def _explain(err: Exception) -> str:
    """Hydra's message about a bad override, plus the allowed fields and a 'did you mean' hint."""
    import dataclasses
    import re

    message = str(err)
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).splitlines():
        message += "\n" + str(cause).splitlines()[0]
    match = re.search(r"override '([\w.]+)'", message) or re.search(r"Key '([\w.]+)'", message)
    if not match:
        return message
    *section, key = match.group(1).split(".")
    node: type = Config
    for name in section:
        fields = {f.name: f for f in dataclasses.fields(node)}
        if name not in fields or not dataclasses.is_dataclass(fields[name].default_factory):
            return message
        node = fields[name].default_factory
    names = [f.name for f in dataclasses.fields(node)]
    if key not in names:
        hint = difflib.get_close_matches(key, names, n=1)
        did = f"did you mean {'.'.join([*section, hint[0]])!r}? " if hint else ""
        where = ".".join(section) or "the top level"
        message += f"\n{match.group(1)} is not a field of {where}: {did}allowed fields: {', '.join(names)}"
    return message
