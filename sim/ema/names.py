"""How alignsim's config fields are named in the EMA workbench.

EMA 3.0 wants every parameter and outcome name to be a Python identifier, so a dotted config field
(``policy.blame_culture``) is spelt with a double underscore (``policy__blame_culture``), the spelling
:class:`sim.AlignmentModel` already accepts as a keyword.  The dotted field stays the parameter's
``variable_name``: that is what the model function receives.
"""

from __future__ import annotations

SEPARATOR = "__"


def ema_name(field: str) -> str:
    """The EMA name of a dotted config field: ``policy.blame_culture`` -> ``policy__blame_culture``."""
    return field.replace(".", SEPARATOR)


def field_name(name: str) -> str:
    """The dotted config field of an EMA name (the inverse of :func:`ema_name`); a dotted name is returned as is."""
    return name.replace(SEPARATOR, ".")
