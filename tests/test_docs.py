"""The model's documentation names what the code has (docs/odd.md, docs/validation.md).

- every phase of the week named in the ODD's process overview is a method of ``sim.AlignmentModel``, and every
  phase ``AlignmentModel.step`` calls (and the scheduled ``period_review``) is named there;
- every config field written in backticks as ``section.field`` in the ODD exists in the schema;
- every file path linked from either document exists in the repository;
- the validation document has TRACE's eight sections, in order, and the markers for its generated tables, each
  once and inside its section.

No model is run and the model module is not imported (Mesa and pandas take seconds to import): the model's
methods are read from the source of ``sim/model.py`` with :mod:`ast`, the schema from :mod:`sim.config`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sim.config import field_table
from sim.levers import lever_names

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ODD = DOCS / "odd.md"
VALIDATION = DOCS / "validation.md"

SECTIONS = ("market", "marketing", "sales", "operations", "purchasing", "relations", "policy")
TRACE = ("Problem formulation", "Model description", "Data evaluation", "Conceptual model evaluation",
         "Implementation verification", "Model output verification", "Model analysis",
         "Model output corroboration")
MODEL = ROOT / "sim" / "model.py"
MARKERS = {"calibration": 6, "responses": 7, "dose_response": 7, "lever_channels": 7, "market_size": 7}
"""Generated table -> the TRACE section that holds its markers."""


def _section(text: str, heading: str) -> str:
    """The text of the level-2 section whose heading contains ``heading`` (up to the next level-2 heading)."""
    match = re.search(rf"^## [^\n]*{re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no '## ... {heading}' section"
    return match.group(1)


def _model_class() -> ast.ClassDef:
    """The definition of ``AlignmentModel`` in ``sim/model.py`` (the class ``sim.AlignmentModel`` resolves to)."""
    tree = ast.parse(MODEL.read_text())
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AlignmentModel")


def _methods() -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in _model_class().body if isinstance(n, ast.FunctionDef)}


def _phases_in_overview() -> list[str]:
    """Phase methods named in the first column of the ODD's process-overview table."""
    overview = _section(ODD.read_text(), "Process overview and scheduling")
    return re.findall(r"^\|[^|\n]*\|\s*`(\w+)`\s*\|", overview, re.M)


def test_every_phase_named_in_the_odd_is_a_model_method():
    phases = _phases_in_overview()
    assert phases, "the process overview names no phase"
    methods = _methods()
    for name in phases:
        assert name in methods, f"docs/odd.md names a phase {name!r} that sim.AlignmentModel does not define"


def test_every_phase_of_the_week_is_named_in_the_odd():
    step = _methods()["step"]
    called = {n.func.attr for n in ast.walk(step) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
              and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"}
    init = _methods()["__init__"]
    scheduled = {n.args[0].attr for n in ast.walk(init) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr == "schedule_recurring"}
    assert called and scheduled, "no phase found in AlignmentModel.step or schedule_recurring"
    missing = (called | scheduled) - set(_phases_in_overview())
    assert not missing, f"docs/odd.md's process overview does not name {sorted(missing)}"


def test_every_config_field_named_in_the_odd_exists():
    known = {row["field"] for row in field_table()} | set(lever_names())
    named = set(re.findall(rf"`((?:{'|'.join(SECTIONS)})\.\w+)`", ODD.read_text()))
    assert len(named) > 50, "expected the ODD to name the key config fields"
    unknown = sorted(named - known)
    assert not unknown, f"docs/odd.md names config fields the schema lacks: {unknown}"


@pytest.mark.parametrize("doc", [ODD, VALIDATION], ids=lambda p: p.name)
def test_every_linked_file_exists(doc):
    targets = re.findall(r"\]\(([^)\s]+)\)", doc.read_text())
    local = [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    assert local, f"{doc.name} links no file"
    missing = [t for t in local if t and not (doc.parent / t).resolve().exists()]
    assert not missing, f"{doc.name} links files that do not exist: {missing}"


def test_validation_has_the_eight_trace_sections_in_order():
    headings = re.findall(r"^## (\d+)\. (.+?)\s*$", VALIDATION.read_text(), re.M)
    assert headings == [(str(i), name) for i, name in enumerate(TRACE, 1)], headings


@pytest.mark.parametrize("name, section", MARKERS.items())
def test_generated_table_markers_sit_once_in_their_section(name, section):
    text = VALIDATION.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    assert text.count(start) == 1 and text.count(end) == 1, f"{name} markers must appear once each"
    body = _section(text, f"{section}. {TRACE[section - 1]}")
    assert start in body and end in body and body.index(start) < body.index(end), \
        f"the {name} markers must sit, start before end, in section {section}"
