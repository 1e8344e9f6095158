"""Every model parameter states where its default comes from (issue 17, item 6).

- every field of a model section other than ``policy`` declares a provenance in its ``param(...)`` call: a dated
  ``source``, a ``fitted`` calibration, or a judgement's ``prior`` range (the failure lists the offenders);
- a ``source`` names a year (19xx or 20xx);
- every prior holds its default (low <= default <= high) and lies inside the field's allowed range;
- a ``fitted`` text names the calibration that fits it (and any ``sim.studies`` module it names exists);
- the provenance section of ``docs/calibration.md`` is what ``python -m sim.studies.provenance`` writes today.

The checks are plain functions run on the schema's rows; ``test_the_checks_catch_bad_declarations`` feeds them
broken rows so that each can be seen to fail.  No model is run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.config import field_table, provenance_table

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_DOC = ROOT / "docs" / "calibration.md"
YEAR = re.compile(r"\b(19|20)\d{2}\b")
STUDY_MODULE = re.compile(r"\bsim\.studies\.(\w+)")


def _rows() -> list[dict]:
    """The schema's model parameters outside ``policy``, each with its allowed range from :func:`field_table`."""
    allowed = {r["field"]: (r["low"], r["high"]) for r in field_table()}
    return [{**r, "allowed": allowed[r["field"]]} for r in provenance_table() if r["kind"] != "lever"]


def missing_provenance(row: dict) -> str | None:
    return f"{row['field']} states no provenance" if row["kind"] == "none" else None


def source_without_year(row: dict) -> str | None:
    if row["kind"] == "source" and not YEAR.search(row["text"]):
        return f"{row['field']}: source {row['text']!r} names no year"
    return None


def bad_prior(row: dict) -> str | None:
    """What is wrong with a row's prior range, or None (also None when it has no prior)."""
    low, high = row["prior_low"], row["prior_high"]
    if low is None and high is None:
        return None
    if low is None or high is None or isinstance(low, bool) or isinstance(high, bool):
        return f"{row['field']}: prior ({low}, {high}) is not a pair of numbers"
    default, (allowed_low, allowed_high) = row["default"], row["allowed"]
    if not low <= default <= high:
        return f"{row['field']}: prior [{low}, {high}] does not hold the default {default}"
    if (allowed_low is not None and low < allowed_low) or (allowed_high is not None and high > allowed_high):
        return f"{row['field']}: prior [{low}, {high}] leaves the allowed range [{allowed_low}, {allowed_high}]"
    return None


def unnamed_fit(row: dict) -> str | None:
    if row["kind"] != "fitted":
        return None
    if "calibration" not in row["text"].lower():
        return f"{row['field']}: fitted {row['text']!r} does not name its calibration"
    absent = [m for m in STUDY_MODULE.findall(row["text"]) if not (ROOT / "sim" / "studies" / f"{m}.py").exists()]
    if absent:
        return f"{row['field']}: fitted names sim.studies modules that do not exist: {absent}"
    return None


def _problems(check) -> list[str]:
    return [p for p in map(check, _rows()) if p]


def test_every_model_parameter_outside_policy_states_a_provenance():
    offenders = _problems(missing_provenance)
    assert not offenders, (f"{len(offenders)} model parameters state no provenance (add source=, fitted= or "
                           f"prior= to their param()): {', '.join(o.split()[0] for o in offenders)}")


def test_every_source_names_a_year():
    offenders = _problems(source_without_year)
    assert not offenders, "\n".join(offenders)


def test_every_prior_holds_its_default_inside_the_allowed_range():
    rows = _rows()
    assert sum(r["prior_low"] is not None for r in rows) > 50, "expected most parameters to carry a prior"
    offenders = _problems(bad_prior)
    assert not offenders, "\n".join(offenders)


def test_every_fit_names_its_calibration():
    rows = _rows()
    assert any(r["kind"] == "fitted" for r in rows), "the quota is fitted: expected at least one fitted default"
    offenders = _problems(unnamed_fit)
    assert not offenders, "\n".join(offenders)


def _row(**kw) -> dict:
    base = {"field": "x.y", "default": 0.5, "unit": "", "kind": "judgement", "text": "", "prior_low": 0.25,
            "prior_high": 1.0, "allowed": (0.0, 1.0)}
    return {**base, **kw}


@pytest.mark.parametrize("check, row", [
    (missing_provenance, _row(kind="none", prior_low=None, prior_high=None)),
    (source_without_year, _row(kind="source", text="Forrester, Industrial Dynamics: x 0.75 at 1.5x delay")),
    (bad_prior, _row(prior_low=0.6)),
    (bad_prior, _row(prior_high=0.4)),
    (bad_prior, _row(prior_low=-0.1)),
    (bad_prior, _row(prior_high=1.5)),
    (unnamed_fit, _row(kind="fitted", text="tuned by hand until it looked right")),
    (unnamed_fit, _row(kind="fitted", text="python -m sim.studies.no_such_calibration")),
], ids=["none", "source-no-year", "prior-above-default", "prior-below-default", "prior-below-allowed",
        "prior-above-allowed", "fit-unnamed", "fit-missing-module"])
def test_the_checks_catch_bad_declarations(check, row):
    assert check(row), f"{check.__name__} let a bad row through: {row}"
    good = _row(kind="source", text="Sultan, Farley & Lehmann (1990), JMR 27(1): p = 0.03") \
        if check is source_without_year else _row(kind="fitted", text="sim.studies.calibration --fit-quota") \
        if check is unnamed_fit else _row()
    assert check(good) is None, f"{check.__name__} rejects a good row: {good}"


def test_the_provenance_section_of_the_calibration_doc_is_current():
    from sim.studies.provenance import MARKER, section_markdown

    doc = CALIBRATION_DOC.read_text()
    start, end = f"<!-- {MARKER}:start -->", f"<!-- {MARKER}:end -->"
    assert doc.count(start) == 1 and doc.count(end) == 1, f"docs/calibration.md needs the {MARKER} markers once"
    written = doc.split(start, 1)[1].split(end, 1)[0].strip()
    assert written == section_markdown().strip(), \
        "docs/calibration.md's provenance section is stale: run `python -m sim.studies.provenance`"
