"""NetLogo-style info cards: one markdown file per preset in ``sim/viz/about/`` (package data).

Each card has NetLogo's Info-tab sections in order (:data:`SECTIONS`); ``tests/test_dashboard.py`` fails when
a preset of ``configs/scenario/`` or ``configs/market/`` has no card or a card lacks a section.
"""

from __future__ import annotations

import re
from importlib import resources

SECTIONS = ("What is it?", "How it works", "How to use it", "Things to notice", "Things to try",
            "Extending the model", "Credits and references")


def card(preset: str) -> str:
    """The markdown card of a scenario or market preset; FileNotFoundError names the preset if it has none."""
    path = resources.files("sim.viz") / "about" / f"{preset}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no About card for preset {preset!r} (expected sim/viz/about/{preset}.md)")
    return path.read_text(encoding="utf-8")


def sections(markdown: str) -> dict[str, str]:
    """The card's ``## `` sections, heading -> text."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {heading.strip(): text.strip() for heading, text in zip(parts[1::2], parts[2::2])}


def missing_sections(preset: str) -> list[str]:
    """NetLogo sections the preset's card lacks or leaves empty."""
    found = sections(card(preset))
    return [s for s in SECTIONS if not found.get(s)]
