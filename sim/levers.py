"""Keyword levers: change config fields by name, as Mesa's ``batch_run`` and ``SolaraViz`` pass them.

``AlignmentModel(**{"policy.blame_culture": 0.2})`` or ``AlignmentModel(policy__blame_culture=0.2)`` start from
a scenario preset and change the named fields; every name is checked against the schema (with a "did you
mean") and every value is validated like any config, before the model is built.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from typing import Any

from sim.config import Config, ConfigError, validate

DEFAULT_PRESET = "hundred_years_war"
"""The scenario a model starts from when given neither a config nor a preset."""


def lever_names(cls: type = Config, prefix: str = "") -> list[str]:
    """Every settable field of the schema, by dotted name (``policy.blame_culture``)."""
    names = []
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(f.default_factory) if f.default_factory is not dataclasses.MISSING else False:
            names += lever_names(f.default_factory, f"{prefix}{f.name}.")
        else:
            names.append(f"{prefix}{f.name}")
    return names


def set_lever(cfg: Config, name: str, value: Any) -> None:
    """Set the field ``name`` (dotted or double-underscored) of ``cfg`` in place.

    Raises:
        ConfigError: ``name`` is not a field of the schema (the message suggests the closest).
    """
    dotted = name.replace("__", ".")
    known = lever_names()
    if dotted not in known:
        hint = difflib.get_close_matches(dotted, known, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"{name!r} is not a config field{did}; fields are named like 'policy.blame_culture'")
    *path, field = dotted.split(".")
    node = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, field, value)


def configure(config: Config | None, preset: str | None, levers: dict[str, Any]) -> Config:
    """The config a model runs: ``config`` (or the ``preset`` scenario) with ``levers`` applied, validated.

    ``config`` is never modified: levers go into a copy.
    """
    if config is not None and preset is not None:
        raise ConfigError("give either a config or a preset, not both")
    if config is None:
        from sim.loading import load_config

        config = load_config(preset or DEFAULT_PRESET)
    elif levers:
        config = copy.deepcopy(config)
    for name, value in levers.items():
        set_lever(config, name, value)
    return validate(config) if levers else config
