"""The studies, discovered: every module of :mod:`sim.studies.claims` that defines ``STUDY``.

A new study is a new module in ``sim/studies/claims/`` named after its key; nothing else lists it.  Studies are
ordered by their first claim (C1-C10 of DESIGN section 1, then F1-F12 of EVIDENCE).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

import sim.studies.claims
from sim.studies.declarations import Study


def _claim_order(study: Study) -> tuple[int, int, str]:
    letter, number = re.fullmatch(r"([CF])(\d+)", study.claims[0]).groups()
    return ("CF".index(letter), int(number), study.key)


@cache
def _discover() -> dict[str, Study]:
    found = []
    for info in pkgutil.iter_modules(sim.studies.claims.__path__):
        module = importlib.import_module(f"sim.studies.claims.{info.name}")
        study = getattr(module, "STUDY", None)
        if isinstance(study, Study):
            if study.key != info.name:
                raise ValueError(f"study key {study.key!r} differs from its module name {info.name!r}")
            found.append(study)
    return {s.key: s for s in sorted(found, key=_claim_order)}


def studies() -> list[Study]:
    """Every study, in claim order."""
    return list(_discover().values())


def names() -> list[str]:
    """The keys of every study, in claim order."""
    return list(_discover())


def get(name: str) -> Study:
    """The study called ``name``; a ``KeyError`` lists the names that exist."""
    try:
        return _discover()[name]
    except KeyError:
        raise KeyError(f"no study {name!r}; known studies: {', '.join(names())}") from None
