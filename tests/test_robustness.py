"""Claims under parameter uncertainty: the share arithmetic, the declared threshold, resuming, failed tasks."""

import argparse
import math

import pandas as pd
import pytest

import sim.studies
from sim.studies import robustness as rb
from sim.studies.execution import build_config
from sim.sweep.spec import ExecutionSpec

SERIAL = ExecutionSpec(backend="local", n_jobs=1)


def test_wilson_interval_matches_the_closed_form():
    low, high = rb.wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert rb.wilson(10, 10)[1] == pytest.approx(1.0) and round(rb.wilson(10, 10)[0], 4) == 0.7225
    assert rb.wilson(0, 20)[0] == 0.0
    assert all(math.isnan(x) for x in rb.wilson(0, 0))


def _records(outcomes: dict[str, list[tuple[float, bool]]], status: dict[int, str] | None = None) -> pd.DataFrame:
    """Stored task rows: per statement, (raw p, rule's form) at draws 0, 1, ..."""
    rows = []
    for statement, per_draw in outcomes.items():
        for draw, (p, supports) in enumerate(per_draw):
            state = (status or {}).get(draw, rb.OK)
            rows.append({"draw": draw, "study": "s", "claim": "C0", "statement": statement, "p": p,
                         "supports": supports, "status": state, "error": "", "seconds": 1.0})
    return pd.DataFrame(rows)


def test_share_interval_and_the_declared_threshold():
    n = 10
    records = _records({"holds in 8": [(1e-4, True)] * 8 + [(1e-4, False), (0.5, True)],
                        "holds in 7": [(1e-4, True)] * 7 + [(0.9, True)] * 3})
    summary = rb.summarise(records).set_index("statement")
    eight, seven = summary.loc["holds in 8"], summary.loc["holds in 7"]
    assert (eight["holding"], eight["draws"], eight["formed"]) == (8, n, 9)
    assert eight["share"] == pytest.approx(0.8) and (eight["low"], eight["high"]) == pytest.approx(rb.wilson(8, n))
    assert rb.ROBUST_SHARE == 0.8 and eight["robust"] and not seven["robust"]
    assert rb.cell(eight.to_dict()).startswith("**robust**: 0.80 [0.49, 0.94] (8/10 draws)")
    assert rb.cell(seven.to_dict()).startswith("**not robust**: 0.70")
    assert rb.cell(None) == rb.NOT_RUN


def test_a_draw_adjusts_across_its_own_table():
    """p = 0.03 alone holds; beside a second row at p = 0.04 in the same draw Holm lifts both to 0.06."""
    alone = rb.draw_verdicts(_records({"a": [(0.03, True)]}))
    together = rb.draw_verdicts(_records({"a": [(0.03, True)], "b": [(0.04, True)]}))
    assert alone["holds"].tolist() == [True]
    assert together["holds"].tolist() == [False, False]


def test_too_few_draws_give_no_verdict_and_failed_draws_are_not_failures():
    records = _records({"x": [(1e-4, True)] * (rb.MIN_DRAWS + 1)}, status={0: rb.FAILED})
    row = rb.summarise(records).iloc[0]
    assert (row["draws"], row["failed"], row["share"], row["robust"]) == (rb.MIN_DRAWS, 1, 1.0, True)
    few = rb.summarise(_records({"x": [(1e-4, True)] * (rb.MIN_DRAWS - 1)})).iloc[0]
    assert not few["robust"] and "too few draws" in rb.cell(few.to_dict())


def test_a_failing_task_is_recorded_as_failed():
    study = sim.studies.get("f12_blame_feedback")
    frame = rb.run_task(rb.Task(0, study.key, {"relations.initial_trust": 7.0}, 2, rb.draw_seed(0)))
    assert (frame["status"] == rb.FAILED).all() and len(frame) == len(study.checks)
    assert frame["error"].str.contains("initial_trust = 7.0 is out of range").all()
    assert frame["statement"].tolist() == [c.statement for c in study.checks]


def test_an_arm_keeps_the_prior_ranged_fields_it_sets():
    arm = next(a for a in sim.studies.get("f12_blame_feedback").arms if a.name == "blame_costs_no_trust")
    values = {"relations.blame_trust_drop": 0.5, "relations.initial_trust": 0.4}
    assert rb.arm_values(arm, values) == {"relations.initial_trust": 0.4}
    assert build_config(arm).relations.blame_trust_drop != 0.5


def _fake_task(calls: list, stop_after: int | None = None):
    def run(task: rb.Task) -> pd.DataFrame:
        if stop_after is not None and len(calls) == stop_after:
            raise KeyboardInterrupt
        calls.append(task.name)
        failed = task.draw == 1 and task.study == "f12_blame_feedback" and stop_after is not None
        return pd.DataFrame([{"draw": task.draw, "study": task.study, "claim": "C0", "statement": "s",
                              "p": 1e-4, "supports": True, "status": rb.FAILED if failed else rb.OK,
                              "error": "boom" if failed else "", "seconds": 0.1, "cpu_seconds": 0.1}])
    return run


def test_an_interrupted_run_resumes_and_retries_failed_tasks(tmp_path, monkeypatch):
    posterior = rb.prior_posterior(20)
    studies = [sim.studies.get("f12_blame_feedback"), sim.studies.get("f2_blame_chain")]
    first: list = []
    monkeypatch.setattr(rb, "run_task", _fake_task(first, stop_after=3))
    with pytest.raises(KeyboardInterrupt):
        rb.run_robustness(posterior, studies, 3, 2, tmp_path, SERIAL, {"source": "test"}, progress=False)
    assert len(first) == 3 and len(list((tmp_path / "tasks").glob("*.parquet"))) == 3
    second: list = []
    monkeypatch.setattr(rb, "run_task", _fake_task(second))
    records = rb.run_robustness(posterior, studies, 3, 2, tmp_path, SERIAL, {"source": "test"}, progress=False)
    assert "d0001-f12_blame_feedback" in second  # stored as failed: run again
    assert sorted(second) == sorted({f"d{d:04d}-{s.key}" for d in range(3) for s in studies} - set(first[:2]))
    assert len(records) == 6 and (records["status"] == rb.OK).all()
    with pytest.raises(ValueError, match="other settings"):
        rb.run_robustness(posterior, studies, 3, 5, tmp_path, SERIAL, {"source": "test"}, progress=False)


def test_the_command_says_when_there_is_no_posterior(tmp_path, capsys):
    args = argparse.Namespace(posterior=tmp_path / "none.parquet", prior_draws=False, out=None)
    assert rb.command(args, [sim.studies.get("f2_blame_chain")]) == 2
    assert "no posterior at" in capsys.readouterr().out


def test_the_claims_table_says_not_run_without_results(tmp_path):
    note, cells = rb.table_column(tmp_path / "results")
    assert cells == {} and "Not run yet" in note
    assert f"at least {rb.ROBUST_SHARE * 100:.0f} % of the parameter sets" in note
