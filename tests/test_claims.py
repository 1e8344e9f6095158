"""Fast versions of the claim studies (experiments/): direction and significance of each claim that holds.

Each study of ``experiments/registry.py`` runs in its fast variant (the default market over two years,
12 paired replicates, only the arms the tested checks need) and every check marked ``tested`` must hold:
the claimed sign and p < 0.05.  Checks that do not hold under the default calibration are reported in
``experiments/README.md`` and are not asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import run_study  # noqa: E402
from experiments.registry import studies  # noqa: E402

STUDIES = {s.key: s for s in studies()}


@pytest.mark.parametrize("key", list(STUDIES))
def test_claims_hold_in_fast_variant(key):
    study = STUDIES[key]
    tested = [c for c in study.checks if c.tested]
    if not tested:
        pytest.skip("no check of this study holds under the default calibration")
    res = run_study(study, fast=True, n_jobs=2)
    by_statement = {r.statement: r for r in res.rows}
    failures = []
    for chk in tested:
        row = by_statement.get(chk.statement)
        if row is None:  # needs an arm the fast variant leaves out
            continue
        if not row.holds:
            failures.append(f"{row.claim} {row.statement}: {row.effect}, CI {row.ci}, p = {row.p:.3g}")
    assert not failures, "\n".join(failures)
