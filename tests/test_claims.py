"""Fast variants of the claim studies (``sim.studies``) on the fast tests' own seed root.

Each study runs its fast variant (the default market over two years unless the study keeps the full horizon,
only the arms its asserted checks read) on :data:`sim.studies.seeds.FAST_TESTS`, independent of the runs behind
the published table and of the calibration runs.  Every check without an ``untested`` reason must produce a row
and that row must hold (its rule met and its p, Holm-adjusted within the study, below 0.05).  A check whose arms
did not run fails here: it is never skipped.  Checks the fast tests do not assert say why in ``Check.untested``.
One test per study, so ``pytest -n 2`` spreads them over the workers.  Studies that run the same arm on the same
seeds and horizon (the ``hundred_years_war`` baseline above all) share its runs within a worker process
(:func:`sim.studies.execution.finished_runs`; ``tests/test_studies.py`` shows a shared study's tables and rows are
bit-identical to running it alone), so each arm runs once per worker, not once per study.
"""

from __future__ import annotations

import pytest

import sim.studies
from sim.studies.verdicts import reason


ASSERTED = [n for n in sim.studies.names() if any(not chk.untested for chk in sim.studies.get(n).checks)]
"""Studies with at least one check the fast variant asserts (running the others here could fail no assertion)."""
NOTHING_ASSERTED = {"f8_targeted_discounts": "its lever's mechanism (discounts follow price sensitivity) is "
                                             "asserted in tests/test_levers.py; its margin rows are below "
                                             "what the fast variant resolves (see each Check.untested)",
                    "c11_return_on_marketing": "its one row does not hold at the default calibration (the aligned "
                                               "firm's reps are full); the budget response it reads is tested in "
                                               "tests/test_marketing_response.py"}
"""Studies none of whose rows the fast variant asserts, with where their mechanism is tested instead."""


def test_every_study_asserts_a_row_or_says_why_not():
    assert set(sim.studies.names()) - set(ASSERTED) == set(NOTHING_ASSERTED)


@pytest.mark.parametrize("name", ASSERTED)
def test_asserted_rows_hold_in_fast_variant(name):
    study = sim.studies.get(name)
    res = sim.studies.run(name, fast=True, n_jobs=1)
    rows = {r.statement: r for r in res.rows}
    failures = []
    for chk in study.checks:
        if chk.untested:
            continue
        row = rows.get(chk.statement)
        if row is None:
            failures.append(f"{chk.claim} {chk.statement}: no row (arms {chk.arms} not all run in the fast variant)")
        elif not row.holds:
            failures.append(f"{row.claim} {row.statement}: {row.effect}; CI {row.ci}; adjusted p "
                            f"{row.p_adjusted:.3g}: {reason(row)}")
    assert not failures, "\n".join(failures)
