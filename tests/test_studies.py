"""The study machinery without running the model: discovery, declarations, the evaluation rules on synthetic
runs, the verdicts, the claims table, the CLI, seeds, and no ``sys.path`` edits in the package or the tests."""

from __future__ import annotations

import dataclasses
import json
import pkgutil
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
import sim.studies
from sim.outcomes import outcome
from sim.studies import claims, execution, paths, seeds
from sim.studies.cli import main as study_cli
from sim.studies.declarations import (DECLARABLE, EMERGENT, NOT_HOLDING, REPLICATES, Arm, Check, Row, Study,
                                      StudyResult)
from sim.studies.report import counts, counts_sentence, load_rows, readme
from sim.studies.rules import directional, in_band, interior_optimum, lag, unchanged
from sim.studies.sesoi import Declared
from sim.studies.verdicts import adjudicate, reason

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_with_a_study_is_discovered_under_its_own_name():
    modules = {m.name for m in pkgutil.iter_modules(claims.__path__)}
    assert set(sim.studies.names()) == modules
    assert all(sim.studies.get(n).key == n for n in modules)


def test_unknown_study_names_the_known_ones():
    with pytest.raises(KeyError, match="f2_blame_chain"):
        sim.studies.get("f2_blame_chian")


def test_every_check_has_a_kind_and_a_reason_and_reads_declared_arms():
    for study in sim.studies.studies():
        arms = {a.name for a in study.arms}
        for chk in study.checks:
            assert chk.kind in DECLARABLE and len(chk.why_kind) > 20, chk.statement
            assert set(chk.arms) <= arms, chk.statement
            if not chk.untested:
                assert set(chk.arms) <= {a.name for a in study.arms_run(fast=True)}, chk.statement


def test_both_expected_kinds_are_used_and_statements_are_unique():
    checks = [c for s in sim.studies.studies() for c in s.checks]
    assert {c.kind for c in checks} == set(DECLARABLE)
    keys = [(c.claim, c.statement) for c in checks]
    assert len(keys) == len(set(keys))


def test_no_label_names_a_horizon_the_fast_variant_does_not_run():
    for study in sim.studies.studies():
        texts = [study.title, study.question] + [c.statement for c in study.checks]
        texts += [outcome(c.metric).label for c in study.checks] + [outcome(m).label for m in study.table_metrics]
        for text in texts:
            assert not re.search(r"\b[23]-year\b", text), f"{study.key}: {text}"


def test_an_asserted_check_whose_arm_the_fast_variant_leaves_out_is_refused():
    with pytest.raises(ValueError, match="leaves out"):
        Study("x", "x", ("F1",), "?", (Arm("a"), Arm("b")),
              (Check("F1", "b beats a", EMERGENT, "passes through a loop", "a", "b"),), fast_arms=("a",))


def test_a_check_without_a_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        Study("x", "x", ("F1",), "?", (Arm("a"), Arm("b")), (Check("F1", "b beats a", "finding", "", "a", "b"),))


def test_seed_roots_are_distinct():
    roots = (seeds.CALIBRATION, seeds.PUBLISHED_TABLE, seeds.FAST_TESTS, seeds.ROBUSTNESS, seeds.INSTRUMENT)
    assert len(set(roots)) == 5


def test_no_sys_path_edits_in_the_package_or_the_tests():
    offenders = [str(p.relative_to(ROOT)) for folder in ("sim", "tests") for p in (ROOT / folder).rglob("*.py")
                 if re.search(r"sys\.path\.(insert|append|extend|remove)|sys\.path\s*\+?=", p.read_text())
                 and p.name != Path(__file__).name]
    assert not offenders


# ------------------------------------------------------------------ rules on synthetic runs
def synthetic(values: dict[str, np.ndarray], metric: str = "revenue_total") -> StudyResult:
    """A StudyResult over hand-made per-replicate values of one outcome."""
    runs = pd.concat([pd.DataFrame({"scenario": arm, "replicate": np.arange(len(v)), metric: v})
                      for arm, v in values.items()], ignore_index=True)
    arms = tuple(Arm(a) for a in values)
    study = Study("synthetic", "synthetic", ("F1",), "?", arms, ())
    return StudyResult(study, runs, pd.DataFrame(), pd.DataFrame(), arms, {}, False, 0)


RNG = np.random.default_rng(0)
NOISE = RNG.normal(0, 1, 30)


def check(rule=None, metric="revenue_total", expected=+1, baseline="a", treatment="b", sesoi=None):
    return Check("F1", "claim", EMERGENT, "a loop the claim does not name", baseline, treatment, metric, expected,
                 rule=rule, sesoi=sesoi)


def test_directional_needs_the_claimed_sign():
    res = synthetic({"a": 100 + NOISE, "b": 105 + NOISE + RNG.normal(0, 0.5, 30)})
    assert adjudicate([directional(res, check())])[0].holds
    row = adjudicate([directional(res, check(expected=-1))])[0]
    assert not row.holds and "claim is a fall" in reason(row)


def test_a_significant_effect_below_the_smallest_effect_of_interest_does_not_hold():
    res = synthetic({"a": 100 + NOISE, "b": 101 + NOISE + RNG.normal(0, 0.2, 30)})  # +1 %, t-test p < 1e-10
    row = adjudicate([directional(res, check())])[0]  # default bound: 2 % of the baseline
    assert not row.holds and "smaller than the smallest effect of interest" in row.shortfall
    assert adjudicate([directional(res, check(sesoi=Declared(0.005, "half a percent", relative=True)))])[0].holds


def test_unchanged_is_equivalence_against_the_bound_alone():
    base = 100 + NOISE
    small_but_significant = synthetic({"a": base, "b": base - 3 + RNG.normal(0, 0.2, 30)})
    wide = Declared(0.05, "five percent", relative=True)
    assert adjudicate([unchanged(small_but_significant, check(sesoi=wide))])[0].holds  # significant, yet within 5 %
    row = adjudicate([unchanged(small_but_significant, check())])[0]  # 3 % > the default 2 %
    assert not row.supports and not row.holds and "larger than the equivalence bound" in row.shortfall


def test_more_replicates_make_equivalence_easier_never_harder():
    rng = np.random.default_rng(3)
    p = []
    for n in (10, 40, 160):
        a = 100 + rng.normal(0, 1, n)
        res = synthetic({"a": a, "b": a - 1 + rng.normal(0, 1, n)})
        p.append(unchanged(res, check()).p)
    assert p[0] > p[1] > p[2] and p[2] < 1e-4


def test_interior_optimum_chooses_the_peak_on_one_half_and_tests_it_on_the_other():
    rng = np.random.default_rng(5)
    levers = np.linspace(0, 1, 6)

    def sweep(height):
        values = {f"s{i}": 100 + height * (1 - (2 * x - 1) ** 2) + rng.normal(0, 1, 30) for i, x in enumerate(levers)}
        res = synthetic(values)
        res.arms = tuple(Arm(f"s{i}", lever_value=float(x)) for i, x in enumerate(levers))
        return res
    peaked, flat = sweep(10.0), sweep(0.0)
    assert adjudicate([interior_optimum(peaked, check(interior_optimum, baseline="", treatment=""))])[0].holds
    row = interior_optimum(flat, check(interior_optimum, baseline="", treatment=""))
    assert "chosen and tested on separate halves" in row.compared
    assert not adjudicate([row])[0].holds  # noise alone never makes a peak


def test_in_band_needs_the_whole_confidence_interval_inside_the_band():
    inside = synthetic({"a": 0.56 + RNG.normal(0, 0.01, 30)}, "reps_at_quota")
    edge = synthetic({"a": 0.53 + RNG.normal(0, 0.05, 30)}, "reps_at_quota")
    band = in_band(0.52, 0.60)
    assert adjudicate([band(inside, check(band, "reps_at_quota", treatment="a", baseline=""))])[0].holds
    row = adjudicate([band(edge, check(band, "reps_at_quota", treatment="a", baseline=""))])[0]
    assert not row.holds and "not inside the band" in row.shortfall


def test_lag_tests_the_difference_between_late_and_early_effects():
    n = np.arange(30.0)
    runs = {"a": {"revenue_year1": 10 + NOISE, "revenue_last_year": 12 + NOISE},
            "b": {"revenue_year1": 10 + NOISE - 0.1, "revenue_last_year": 12 + NOISE - 1 - 0.01 * n}}
    frame = pd.concat([pd.DataFrame({"scenario": a, "replicate": np.arange(30), **cols}) for a, cols in runs.items()])
    res = synthetic({"a": NOISE, "b": NOISE})
    res.runs = frame
    rule = lag("revenue_year1", "revenue_last_year")
    assert adjudicate([rule(res, check(rule, "revenue_last_year", expected=-1))])[0].holds
    assert not adjudicate([rule(res, check(rule, "revenue_last_year", expected=+1))])[0].holds


def test_verdicts_use_holm_adjusted_p_values():
    rows = [Row("F1", f"r{i}", EMERGENT, "why", "b vs a", "revenue_total", "", "", p, True)
            for i, p in enumerate([0.001, 0.02, 0.04])]
    adjudicate(rows)
    assert [round(r.p_adjusted, 3) for r in rows] == [0.003, 0.04, 0.04]
    assert [r.holds for r in rows] == [True, True, True]
    rows[1].p = 0.03
    adjudicate(rows)
    assert [r.holds for r in rows] == [True, False, False]


def test_claims_table_counts_kinds_apart_and_states_the_correction(tmp_path):
    study = sim.studies.get("f2_blame_chain")
    rows = [Row("F2", c.statement, c.kind, c.why_kind, "x", c.metric, "effect", "[1, 2]", p, True, study=study.key)
            for c, p in zip(study.checks, (1e-6, 1e-6, 1e-6, 0.2))]
    (tmp_path / study.key).mkdir()
    (tmp_path / study.key / "rows.json").write_text(json.dumps([r.__dict__ for r in rows]))
    (tmp_path / study.key / "run.json").write_text(json.dumps({"runs": 60, "replicates": 30, "fast": False,
                                                                "seed": 1, "seconds": 12.0, "n_jobs": 2}))
    text = readme([study], tmp_path)
    n = counts(adjudicate(load_rows(tmp_path, study)))
    assert n["mechanism checks wired"] == 2 and n["emergent findings holding"] == 1
    assert n["emergent findings not holding"] == 1
    assert "Holm-Bonferroni across all 4 rows" in text and "| kind |" in text and "adjusted p" in text
    assert "Emergent findings: 1 hold, 1 do not. Mechanism checks: 2 wired, 0 not." in text


def test_stored_rows_agree_with_the_checks_untested_reasons():
    """A row that holds in the table is asserted by the fast tests or excused for another reason than not
    holding; a row that does not hold is not asserted."""
    results = sim.studies.results_dir()
    try:
        rows = adjudicate([r for s in sim.studies.studies() for r in load_rows(results, s)])
    except ValueError:
        pytest.skip("the stored results predate sim.studies; `alignsim study --all` regenerates them")
    checks = {(s.key, c.statement): c for s in sim.studies.studies() for c in s.checks}
    for row in rows:
        chk = checks[(row.study, row.statement)]
        if row.holds:
            assert chk.untested != NOT_HOLDING, f"{row.study}: '{row.statement}' holds: assert it in the fast tests"
        else:
            assert chk.untested, f"{row.study}: '{row.statement}' does not hold in the table but is asserted"


def test_the_readmes_count_by_kind_the_claims_table_has():
    rows = adjudicate([r for s in sim.studies.studies() for r in load_rows(sim.studies.results_dir(), s)])
    sentence = counts_sentence(counts(rows))
    for doc in (ROOT / "README.md", ROOT / "experiments" / "README.md"):
        assert sentence in " ".join(doc.read_text().split()), f"{doc.name} does not say: {sentence}"


def test_cli_lists_every_study(capsys):
    assert study_cli(["--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in sim.studies.names())


def test_cli_refuses_an_unknown_study(capsys):
    assert study_cli(["no_such_study"]) == 2
    assert "known" in capsys.readouterr().out


# ------------------------------------------------------------------ shared runs and published results
TINY = ("market.accounts=1500", "market.initial_customers=30", "weeks=26")
"""A market small and short enough that a study of two arms and three replicates runs in about a second."""


def tiny_study(key: str, arms: tuple[Arm, ...], prepare=None) -> Study:
    """A study over ``arms`` whose full and fast variants are both tiny, with one directional check."""
    arms = tuple(dataclasses.replace(a, overrides=(*a.overrides, *TINY)) for a in arms)
    return Study(key, key, ("F1",), "?", arms,
                 (Check("F1", f"{arms[1].name} differs from {arms[0].name}", EMERGENT,
                        "a loop the claim does not name", arms[0].name, arms[1].name),),
                 fast_overrides=(), fast_replicates=2, prepare=prepare)


def tables(res: StudyResult) -> tuple:
    return res.runs, res.weekly, res.events


def assert_same_result(a: StudyResult, b: StudyResult):
    for x, y in zip(tables(a), tables(b)):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert [r.record() for r in a.rows] == [r.record() for r in b.rows]


def test_shared_runs_give_each_study_exactly_its_own_results(monkeypatch):
    """A study whose arm another study of the process already ran (under another name) gets the same tables and
    rows, bit for bit, as when it runs alone; only the arms it has not seen are run."""
    first = tiny_study("first", (Arm("baseline"), Arm("no_blame", overrides=("policy.blame_culture=0.0",))))
    second = tiny_study("second", (Arm("conflict"), Arm("sla", overrides=("policy.lead_sla=true",))))
    execution.clear_finished_runs()
    alone = execution.run_study(second, fast=True)
    calls = []
    real = execution.run_replicates
    monkeypatch.setattr(execution, "run_replicates", lambda cfgs, *a, **k: calls.append(cfgs[0].name) or real(
        cfgs, *a, **k))
    execution.clear_finished_runs()
    execution.run_study(first, fast=True)
    shared = execution.run_study(second, fast=True)
    assert calls == ["baseline", "no_blame", "sla"], "the conflict arm is the baseline's runs, not run again"
    assert_same_result(alone, shared)
    assert set(shared.runs["scenario"]) == set(shared.weekly["scenario"]) == {"conflict", "sla"}
    unshared = execution.run_study(second, fast=True, share=False)
    assert calls[-2:] == ["conflict", "sla"]
    assert_same_result(alone, unshared)
    joint = real(list(alone.configs.values()), 2, seed=seeds.FAST_TESTS)
    for x, y in ((alone.weekly, joint.weekly), (alone.events, joint.events)):
        pd.testing.assert_frame_equal(x, y, check_exact=True, check_dtype=False)
    pd.testing.assert_frame_equal(alone.runs[joint.runs.columns], joint.runs, check_exact=True, check_dtype=False)


def test_shared_runs_are_keyed_by_every_field_a_run_reads_and_not_changed_by_a_study():
    base = sim.load_config("hundred_years_war", list(TINY))
    renamed = sim.load_config("hundred_years_war", list(TINY))
    renamed.name, renamed.description, renamed.replicates = "other", "another text", 99
    assert execution.run_key(base) == execution.run_key(renamed)
    for override in ("policy.blame_culture=0.79", "weeks=27", "market.accounts=1501", "sales.reps=9"):
        assert execution.run_key(sim.load_config("hundred_years_war", [*TINY, override])) != execution.run_key(base)

    def scribble(res):
        res.runs["scribbled"] = 1.0
        res.weekly["revenue"] = 0.0
        res.events["value"] = -1.0

    execution.clear_finished_runs()
    study = tiny_study("scribbler", (Arm("baseline"), Arm("calm", overrides=("policy.blame_culture=0.0",))))
    first = execution.run_study(study, fast=True, replicates=2)
    again = execution.run_study(dataclasses.replace(study, prepare=scribble), fast=True, replicates=2)
    assert (again.weekly["revenue"] == 0).all() and (again.events["value"] == -1).all()
    third = execution.run_study(study, fast=True, replicates=2)
    assert_same_result(first, third)
    assert "scribbled" not in third.runs
    assert execution.run_study(study, fast=True, replicates=3).replicates == 3
    assert execution.clear_finished_runs() == 4


def test_variants_are_named_and_only_the_published_settings_reach_the_committed_results():
    assert paths.variant() == paths.variant(replicates=REPLICATES, seed=seeds.PUBLISHED_TABLE) == ""
    assert paths.variant(fast=True) == "fast"
    assert paths.variant(replicates=5) == "replicates-5" and paths.variant(seed=7) == "seed-7"
    assert paths.variant(fast=True, replicates=12, seed=seeds.FAST_TESTS) == "fast-replicates-12"
    published = sim.studies.results_dir()
    assert paths.refusal(published, "") == paths.refusal(published.parent / "scratch", "fast") == ""
    assert "refusing to write the fast variant" in paths.refusal(published / "f2_blame_chain" / "..", "fast")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_a_variant_is_written_to_a_scratch_folder_never_into_the_committed_results(tmp_path, monkeypatch, capsys):
    """``alignsim study NAME --fast`` (or other replicates or seed root) writes to ``outputs/studies/<variant>/``
    under the working directory; ``--out`` naming the committed results for a variant is refused (exit 2) before
    anything runs; a fast result is never written there from Python either."""
    published = sim.studies.results_dir()
    before = _snapshot(published)
    study = tiny_study("f2_blame_chain", (Arm("no_blame", overrides=("policy.blame_culture=0.0",)), Arm("baseline")))
    monkeypatch.setattr(sim.studies.catalogue, "get", lambda name: study)
    monkeypatch.chdir(tmp_path)
    assert study_cli(["f2_blame_chain", "--fast"]) == 0
    assert "fast variant: results go to" in capsys.readouterr().out
    assert (tmp_path / "outputs" / "studies" / "fast" / "results" / "f2_blame_chain" / "rows.json").exists()
    assert study_cli(["f2_blame_chain", "--replicates", "2", "--seed", "5"]) == 0
    run = json.loads((tmp_path / "outputs/studies/replicates-2-seed-5/results/f2_blame_chain/run.json").read_text())
    assert (run["replicates"], run["seed"], run["fast"]) == (2, 5, False)
    for argv in (["--fast"], ["--replicates", "12"], ["--seed", "3"], ["--fast", "--all"]):
        assert study_cli(["f2_blame_chain", *argv, "--out", str(published)][int("--all" in argv):]) == 2
        assert "refusing to write the" in capsys.readouterr().out
    res = execution.run_study(study, fast=True)
    with pytest.raises(ValueError, match="only the published settings"):
        sim.studies.write(res, published)
    assert sim.studies.write(res) == tmp_path / "outputs" / "studies" / "fast" / "results" / "f2_blame_chain"
    assert _snapshot(published) == before


@pytest.mark.parametrize("scenario", ["hundred_years_war", "full_alignment"])
def test_return_on_marketing_steps_both_scenarios_from_the_same_budget(scenario):
    from sim.studies.claims import c11_return_on_marketing as c11

    assert sim.load_config(scenario).marketing.weekly_budget == c11.DEFAULT_BUDGET
