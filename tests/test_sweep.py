"""Tests of the sweep engine (sim.sweep): designs, parallel and cluster backends, resume, failures, analysis."""

from __future__ import annotations

import pandas as pd
import pytest

import sim.sweep
from sim.config import ConfigError
from sim.sweep import execute
from sim.sweep.design import build
from sim.sweep.spec import load_spec, resolve_levers

SMALL = ["market.accounts=1000", "weeks=26"]


def small_spec(**changes) -> dict:
    """A fast LHS sweep over three kinds of lever: 6 points x 2 replicates = 12 runs in 4 chunks."""
    spec = {"name": "test", "overrides": SMALL, "replicates": 2, "chunk_size": 3,
            "levers": {"policy.max_discount": {}, "policy.lead_sla": {}, "policy.marketing_pay": {},
                       "policy.joint_meetings": {"low": 0, "high": 13}},
            "design": {"method": "lhs", "samples": 6, "seed": 3},
            "outcomes": ["revenue_total", "trust_mean_end"],
            "execution": {"backend": "local", "n_jobs": 1}}
    spec.update(changes)
    return spec


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """The run table without the wall-clock column."""
    return runs.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> pd.DataFrame:
    return sim.sweep.run_sweep(small_spec(), tmp_path_factory.mktemp("serial") / "s", progress=False)


def test_designs_cover_ranges_and_types():
    spec = load_spec(small_spec(design={"method": "grid", "levels": 3}))
    points = build(resolve_levers(spec), spec.design).points
    assert len(points) == 3 * 2 * 3 * 3
    assert set(points["policy.marketing_pay"]) == {"lead_volume", "pipeline", "revenue"}
    assert set(points["policy.joint_meetings"]) == {0, 6, 13}
    assert points["policy.max_discount"].between(0, 0.5).all()
    sobol = load_spec(small_spec(design={"method": "sobol", "samples": 8}))
    assert len(build(resolve_levers(sobol), sobol.design).points) == 8 * (4 + 2)
    morris = load_spec(small_spec(design={"method": "morris", "samples": 3, "levels": 4}))
    assert len(build(resolve_levers(morris), morris.design).points) == 3 * (4 + 1)


def test_bad_specs_fail_before_any_run(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'policy.max_discount'"):
        resolve_levers(load_spec(small_spec(levers={"policy.max_discont": {}})))
    with pytest.raises(ConfigError, match=r"allowed \[0, 0.5\]"):
        resolve_levers(load_spec(small_spec(levers={"policy.max_discount": {"high": 0.9}})))
    with pytest.raises(ConfigError, match="power of 2"):
        load_spec(small_spec(design={"method": "sobol", "samples": 10}))
    with pytest.raises(ConfigError):
        load_spec(small_spec(replicat=3))


def test_serial_sweep_stores_every_run(serial):
    assert len(serial) == 12 and (serial["status"] == "ok").all()
    assert serial["run_id"].tolist() == list(range(12))
    assert serial.groupby("point")["seed"].apply(tuple).nunique() == 1  # common random numbers
    assert serial["revenue_total"].gt(0).all()


def test_parallel_sweep_gives_the_serial_table(serial, tmp_path):
    parallel = sim.sweep.run_sweep(small_spec(), tmp_path / "p", n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(comparable(parallel), comparable(serial))


def test_interrupted_sweep_resumes_to_the_same_table(serial, tmp_path, monkeypatch):
    calls = {"n": 0}
    real = execute.run_model

    def interrupt_on_the_seventh_run(cfg, seed):
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real(cfg, seed)

    monkeypatch.setattr(execute, "run_model", interrupt_on_the_seventh_run)
    with pytest.raises(KeyboardInterrupt):
        sim.sweep.run_sweep(small_spec(), tmp_path / "r", progress=False)
    assert len(sim.sweep.load(tmp_path / "r")) == 6  # two chunks of three stored
    with pytest.raises(FileExistsError):
        sim.sweep.run_sweep(small_spec(), tmp_path / "r", progress=False)
    with pytest.raises(ConfigError, match="differs"):
        sim.sweep.run_sweep(small_spec(seed=9), tmp_path / "r", resume=True, progress=False)
    monkeypatch.setattr(execute, "run_model", real)
    calls["n"] = 0
    counted = execute.run_chunk
    monkeypatch.setattr(execute, "run_chunk", lambda task: (calls.__setitem__("n", calls["n"] + len(task.runs)),
                                                            counted(task))[1])
    resumed = sim.sweep.run_sweep(None, tmp_path / "r", resume=True, progress=False)
    assert calls["n"] == 6  # only the missing runs
    pd.testing.assert_frame_equal(comparable(resumed), comparable(serial))


def test_a_failing_run_is_recorded_and_the_others_go_on(serial, tmp_path, monkeypatch):
    real = execute.run_model
    bad_seed = int(serial.loc[4, "seed"])
    bad_point = int(serial.loc[4, "point"])

    def fail_once(cfg, seed):
        if seed == bad_seed and cfg.policy.max_discount == serial.loc[4, "policy.max_discount"]:
            raise RuntimeError("model exploded")
        return real(cfg, seed)

    monkeypatch.setattr(execute, "run_model", fail_once)
    runs = sim.sweep.run_sweep(small_spec(), tmp_path / "f", progress=False)
    failed = runs[runs["status"] == "failed"]
    assert failed["run_id"].tolist() == [4] and failed["point"].tolist() == [bad_point]
    assert "model exploded" in failed["error"].iloc[0]
    assert '"max_discount"' in failed["config"].iloc[0]
    assert failed["revenue_total"].isna().all()
    pd.testing.assert_frame_equal(comparable(runs[runs["status"] == "ok"]).drop(columns=["error", "config"]),
                                  comparable(serial.drop(index=4)).drop(columns=["error", "config"]))


def test_invalid_combination_fails_only_its_runs(tmp_path):
    spec = small_spec(levers={"market.initial_customers": {"low": 0, "high": 2000}}, replicates=1,
                      design={"method": "grid", "levels": 3})
    runs = sim.sweep.run_sweep(spec, tmp_path / "v", progress=False)
    assert runs.set_index("market.initial_customers")["status"].to_dict() == {0: "ok", 1000: "ok", 2000: "failed"}
    assert "initial_customers" in runs["error"].iloc[2]


def test_weekly_rows_are_stored_when_asked(tmp_path):
    spec = small_spec(weekly=True, design={"method": "lhs", "samples": 2, "seed": 3}, replicates=1)
    sim.sweep.run_sweep(spec, tmp_path / "w", progress=False)
    weekly = sim.sweep.load(tmp_path / "w", "weekly")
    assert len(weekly) == 2 * 26 and set(weekly["run_id"]) == {0, 1}


def test_dask_backend_on_a_local_cluster(serial, tmp_path):
    pytest.importorskip("distributed")
    spec = small_spec(execution={"backend": "dask", "n_jobs": 2, "dask_processes": False})
    runs = sim.sweep.run_sweep(spec, tmp_path / "d", progress=False)
    pd.testing.assert_frame_equal(comparable(runs), comparable(serial))


def test_submitit_backend_with_its_debug_executor(serial, tmp_path):
    pytest.importorskip("submitit")
    spec = small_spec(execution={"backend": "submitit", "submitit_cluster": "debug", "submitit_poll_s": 0.1})
    runs = sim.sweep.run_sweep(spec, tmp_path / "b", progress=False)
    pd.testing.assert_frame_equal(comparable(runs), comparable(serial))


@pytest.mark.slow
def test_submitit_backend_with_its_local_executor(serial, tmp_path):
    pytest.importorskip("submitit")
    spec = small_spec(execution={"backend": "submitit", "submitit_cluster": "local", "submitit_poll_s": 0.5})
    runs = sim.sweep.run_sweep(spec, tmp_path / "b", progress=False)
    pd.testing.assert_frame_equal(comparable(runs), comparable(serial))


def test_sobol_analysis_and_figures(tmp_path):
    spec = small_spec(levers={"policy.max_discount": {}, "policy.blame_culture": {}}, replicates=1,
                      chunk_size=16, design={"method": "sobol", "samples": 8, "seed": 1})
    sim.sweep.run_sweep(spec, tmp_path / "a", n_jobs=2, progress=False)
    indices = sim.sweep.analyze(tmp_path / "a")
    assert set(indices["index"]) == {"S1", "ST"} and set(indices["outcome"]) == {"revenue_total", "trust_mean_end"}
    assert indices["conf"].notna().all()
    for kind in ("indices", "tornado", "heatmap"):
        assert (tmp_path / "a" / "analysis" / f"revenue_total_{kind}.png").stat().st_size > 0
    ranked = sim.sweep.analysis.ranking(indices, "revenue_total")
    assert ranked["ST"].is_monotonic_decreasing and ranked["rank"].tolist() == [1, 2]
    assert (ranked["ST_low"] <= ranked["ST"]).all() and (ranked["ST"] <= ranked["ST_high"]).all()
    assert (tmp_path / "a" / "analysis" / "ranking.md").read_text().count("| 1 | `policy.") == 2


def test_morris_analysis(tmp_path):
    spec = small_spec(levers={"policy.max_discount": {}, "policy.lead_sla": {}}, replicates=1, chunk_size=9,
                      design={"method": "morris", "samples": 3, "levels": 4, "seed": 1})
    sim.sweep.run_sweep(spec, tmp_path / "m", progress=False)
    indices = sim.sweep.analyze(tmp_path / "m", outcomes=["revenue_total"], figures=False)
    assert set(indices["index"]) == {"mu_star", "mu", "sigma"} and len(indices) == 6


def test_cli_sweep_analyze_and_collect(tmp_path, capsys):
    from omegaconf import OmegaConf

    from sim.sweep.cli import main

    spec_file = tmp_path / "spec.yaml"
    OmegaConf.save(OmegaConf.create(small_spec(design={"method": "lhs", "samples": 2, "seed": 3})), spec_file)
    assert main(["sweep", str(spec_file), "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert main(["sweep", str(spec_file), "--out", str(tmp_path / "c"), "--quiet"]) == 2  # bad input: it exists
    assert main(["sweep", "--resume", "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert main(["analyze", str(tmp_path / "c"), "--no-figures"]) == 0
    for job in ("0", "1"):
        (tmp_path / "multi" / job / ".hydra").mkdir(parents=True)
        (tmp_path / "multi" / job / ".hydra" / "overrides.yaml").write_text(f"- seed={job}\n")
        sim.sweep.load(tmp_path / "c").to_parquet(tmp_path / "multi" / job / "runs.parquet")
    assert main(["collect", str(tmp_path / "multi")]) == 0
    collected = pd.read_parquet(tmp_path / "multi" / "collected.parquet")
    assert len(collected) == 8 and set(collected["overrides"]) == {"seed=0", "seed=1"}
    assert "error" in capsys.readouterr().err


def test_cli_key_value_changes_to_the_spec(tmp_path, capsys):
    from omegaconf import OmegaConf

    from sim.sweep.cli import main

    spec_file = tmp_path / "spec.yaml"
    OmegaConf.save(OmegaConf.create(small_spec()), spec_file)
    out = str(tmp_path / "kv")
    assert main(["sweep", str(spec_file), "--out", out, "--quiet", "design.samples=2", "replicates=1"]) == 0
    runs = sim.sweep.load(out)
    assert len(runs) == 2 and set(runs["replicate"]) == {0}
    manifest = execute.SweepStore(out).manifest()
    assert manifest["spec"]["design"]["samples"] == 2
    commit = manifest["code"]["commit"]
    assert commit is None or len(commit) == 40
    assert main(["sweep", "--resume", "--out", out, "--quiet", "execution.n_jobs=2"]) == 0  # execution may change
    assert main(["sweep", "--resume", "--out", out, "--quiet", "replicates=2"]) == 2       # the design may not
    assert "differs" in capsys.readouterr().err
    assert main(["sweep", str(spec_file), "--out", str(tmp_path / "bad"), "design.sample=2"]) == 2
    assert "design.sample" in capsys.readouterr().err


def test_resume_runs_on_the_given_execution(tmp_path, monkeypatch):
    sim.sweep.run_sweep(small_spec(design={"method": "lhs", "samples": 2, "seed": 3}), tmp_path / "r",
                        progress=False)
    seen = {}
    monkeypatch.setattr(execute, "execute_chunks", lambda tasks, execution, *a, **k: seen.update(e=execution))
    spec = small_spec(design={"method": "lhs", "samples": 2, "seed": 3},
                      execution={"backend": "dask", "n_jobs": 3, "dask_address": "tcp://scheduler:8786"})
    sim.sweep.run_sweep(spec, tmp_path / "r", resume=True, progress=False)
    assert (seen["e"].backend, seen["e"].n_jobs, seen["e"].dask_address) == ("dask", 3, "tcp://scheduler:8786")


def test_collect_adds_a_column_per_override(tmp_path):
    runs = pd.DataFrame({"scenario": ["a", "b"], "seed": [11, 12], "revenue_total": [1.0, 2.0]})
    for job, value in (("0", "0"), ("1", "0.5"), ("10", "1")):
        (tmp_path / job / ".hydra").mkdir(parents=True)
        (tmp_path / job / ".hydra" / "overrides.yaml").write_text(
            f"- policy.blame_culture={value}\n- seed={job}\n- scenario=price_war\n")
        runs.to_parquet(tmp_path / job / "runs.parquet")
    table = sim.sweep.collect(tmp_path)
    assert table.columns[:5].tolist() == ["job", "overrides", "policy.blame_culture", "job.seed", "job.scenario"]
    assert table["job"].tolist() == ["0", "0", "1", "1", "10", "10"]
    assert table["policy.blame_culture"].tolist() == [0, 0, 0.5, 0.5, 1, 1]
    assert table["job.seed"].tolist() == [0, 0, 1, 1, 10, 10] and table["seed"].tolist() == [11, 12] * 3
    assert table.groupby("policy.blame_culture")["revenue_total"].mean().tolist() == [1.5, 1.5, 1.5]


def test_exports_are_not_shadowed_by_submodules():
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(sim.sweep.__path__):
        importlib.import_module(f"sim.sweep.{info.name}")  # binds each submodule onto the package
    for name in sim.sweep.__all__:
        assert callable(getattr(sim.sweep, name)), name


def test_damaged_parts_are_named_on_load_and_rerun_on_resume(serial, tmp_path):
    from sim.sweep.store import DamagedSweep

    out = tmp_path / "d"
    sim.sweep.run_sweep(small_spec(), out, progress=False)
    runs = out / "runs"
    assert sorted(p.name for p in runs.glob("*.sha256")) == [f"part-00000{k}.parquet.sha256" for k in range(4)]
    (runs / "part-000001.parquet").write_bytes((runs / "part-000001.parquet").read_bytes()[:500])  # truncated
    (runs / "part-000002.parquet").write_bytes((runs / "part-000000.parquet").read_bytes())  # swapped
    with pytest.raises(DamagedSweep, match=r"2 damaged part\(s\): runs/part-000001.parquet: .*runs/part-000002"):
        sim.sweep.load(out)
    with pytest.warns(UserWarning, match=r"re-running 2 damaged part\(s\)"):
        resumed = sim.sweep.run_sweep(None, out, resume=True, progress=False)
    pd.testing.assert_frame_equal(comparable(resumed), comparable(serial))


def test_a_sweep_directory_in_use_is_refused(tmp_path):
    from sim.sweep.store import SweepInUse, SweepStore

    with SweepStore(tmp_path / "busy").lock(), \
            pytest.raises(SweepInUse, match=r"busy is in use by another sweep \(pid \d+"):
        sim.sweep.run_sweep(small_spec(), tmp_path / "busy", progress=False)
    assert not (tmp_path / "busy").exists()  # nothing was written, the empty directory is gone


def test_failed_runs_make_the_command_fail_with_their_number(tmp_path, capsys):
    import yaml

    from sim.cli import main

    spec = small_spec(levers={"market.initial_customers": {"low": 0, "high": 2000}}, replicates=1,
                      design={"method": "grid", "levels": 3})
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "f"), "--quiet"])
    assert exit_.value.code == 3
    assert "error: 1 of 3 runs failed (first: run 2: sim.config.ConfigError: market.initial_customers" in \
        capsys.readouterr().err
