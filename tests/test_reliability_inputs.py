"""Issue 22: other tools' types, concurrent callers, the size guard and one command line.

* numpy integers, floats and booleans are accepted wherever Python's are, with the same strictness (the refusals
  are rows of ``tests/test_bad_input.py``), through ``sim.AlignmentModel``, ``sim.run``, ``sim.compare``,
  ``mesa.batch_run`` and a sweep;
* ``sim.load_config`` is thread-safe (20 concurrent callers);
* a sweep's size is estimated before its design is built, and ``--yes`` accepts one above the limit;
* ``alignsim --help`` lists every subcommand, each answers ``--help``, Hydra's ``--cfg job`` and ``--info`` work,
  a refused multirun leaves no folder, and ``cli.log`` holds what the job printed.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

import sim
import sim.sweep

TINY = ["market.accounts=300", "market.initial_customers=5", "weeks=5"]


def test_numpy_scalars_drive_the_model_the_runner_and_comparisons():
    levers = {"policy.joint_meetings": np.int64(4), "policy.lead_sla": np.bool_(True),
              "policy.max_discount": np.float64(0.2), "market.accounts": np.int32(300),
              "market.initial_customers": np.int64(5), "weeks": np.uint16(5)}
    model = sim.AlignmentModel(rng=1, **levers)
    policy = model.config.policy
    assert (type(policy.joint_meetings), type(policy.lead_sla), type(policy.max_discount)) == (int, bool, float)
    model.run_for(5)
    python = sim.AlignmentModel(rng=1, **{k: v.item() for k, v in levers.items()})
    python.run_for(5)
    pd.testing.assert_frame_equal(model.weekly(), python.weekly())  # the same run as with Python values
    cfg = sim.load_config("hundred_years_war", TINY)
    pd.testing.assert_frame_equal(sim.run(cfg, seed=np.int64(3)).weekly, sim.run(cfg, seed=3).weekly)
    cmp = sim.compare(replicates=np.int64(2), overrides=TINY, seed=np.uint32(1), n_jobs=np.int64(1))
    assert len(cmp.runs) == 4


def test_numpy_scalars_from_mesa_batch_run():
    import mesa

    rows = mesa.batch_run(sim.AlignmentModel, parameters={"policy.joint_meetings": np.array([0, 4]),
                                                          "market.accounts": 300, "market.initial_customers": 5,
                                                          "weeks": 3},
                          rng=[1], max_steps=3, display_progress=False)
    assert sorted({row["policy.joint_meetings"] for row in rows}) == [0, 4]


def test_a_sweep_spec_with_numpy_values(tmp_path):
    spec = {"name": "np", "overrides": TINY, "replicates": np.int64(1), "seed": np.uint64(7),
            "levers": {"policy.joint_meetings": {"values": list(np.array([0, 4]))},
                       "policy.lead_sla": {"values": [np.bool_(False), np.bool_(True)]}},
            "design": {"method": "grid"}, "execution": {"backend": "local", "n_jobs": np.int64(1)}}
    runs = sim.sweep.run_sweep(spec, tmp_path / "s", n_jobs=np.int64(1), progress=False)
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert set(runs["policy.joint_meetings"]) == {0, 4} and runs["seed"].dtype == np.uint64


def test_load_config_is_thread_safe():
    errors, configs = [], []
    start = threading.Barrier(20)

    def call(k: int):
        start.wait()
        try:
            configs.append(sim.load_config("full_alignment", [f"market.accounts={1000 + k}"]).market.accounts)
        except Exception as err:  # noqa: BLE001 - every failure is counted
            errors.append(err)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert sorted(configs) == [1000 + k for k in range(20)]  # each caller got its own overrides


def test_the_size_is_estimated_before_the_design_and_yes_accepts_a_large_sweep(tmp_path):
    from sim.sweep.execute import check_size
    from sim.sweep.spec import load_spec, resolve_levers

    spec = load_spec({"overrides": TINY, "levers": {f"policy.{name}": {} for name in (
        "max_discount", "blame_culture", "shared_data", "shared_goal_weight", "purchasing_rigidity",
        "ops_flexibility")}, "design": {"method": "grid", "levels": 10}, "replicates": 2})
    base = sim.load_config("hundred_years_war", TINY)
    estimate = check_size(spec, resolve_levers(spec), base, spec.execution, yes=True)
    assert estimate["points"] == 10 ** 6 and estimate["runs"] == 2 * 10 ** 6 and estimate["hours"] > 1
    small = {"name": "small", "overrides": TINY, "levers": {"policy.max_discount": {"values": [0.1, 0.2, 0.3]}},
             "design": {"method": "grid"}, "execution": {"backend": "local", "n_jobs": 1, "max_runs": 2}}
    with pytest.raises(sim.ConfigError, match="3 runs, .* above the limit of execution.max_runs = 2 runs"):
        sim.sweep.run_sweep(small, tmp_path / "refused", progress=False)
    assert not (tmp_path / "refused").exists()
    assert len(sim.sweep.run_sweep(small, tmp_path / "accepted", yes=True, progress=False)) == 3


def run_cli(argv, capsys, monkeypatch, tmp_path):
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    code = 0
    try:
        main(argv)  # Hydra returns after --cfg, --info and a finished job; the rest exits
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_top_level_help_lists_every_subcommand(capsys, monkeypatch, tmp_path):
    from sim.cli import available_subcommands

    code, out, err = run_cli(["--help"], capsys, monkeypatch, tmp_path)
    assert code == 0 and not err
    names = list(available_subcommands())
    assert {"sweep", "analyze", "collect", "study", "dashboard", "report"} <= set(names)
    for name in names:
        assert any(line.split()[:1] == [name] for line in out.splitlines()), name
    assert "Hydra" in out and "--cfg job" in out and len(out.splitlines()) < 40  # not Hydra's 200-line boilerplate


@pytest.mark.parametrize("name", ["sweep", "analyze", "collect", "study", "dashboard", "report"])
def test_every_subcommand_answers_help(name, capsys, monkeypatch, tmp_path):
    code, out, err = run_cli([name, "--help"], capsys, monkeypatch, tmp_path)
    assert code == 0 and out.startswith("usage: alignsim ") and name in out.splitlines()[0], (out, err)
    assert not list(tmp_path.iterdir())  # nothing written


def test_hydra_flags_work(capsys, monkeypatch, tmp_path):
    code, out, err = run_cli(["--cfg", "job", "policy.max_discount=0.3"], capsys, monkeypatch, tmp_path)
    assert code in (0, None) and "max_discount: 0.3" in out, err
    code, out, err = run_cli(["--info"], capsys, monkeypatch, tmp_path)
    assert code in (0, None) and "Hydra" in out, err
    assert not list(tmp_path.iterdir())  # --cfg and --info run nothing and write nothing


def test_a_refused_multirun_leaves_no_folder(capsys, monkeypatch, tmp_path):
    code, _, err = run_cli(["-m", "policy.blame_culture=0.2,0.4", "market.accounts=300",
                              "market.initial_customers=600", "weeks=5", "replicates=2"], capsys, monkeypatch, tmp_path)
    assert code == 2 and "market.initial_customers = 600 is out of range" in err
    assert not list(tmp_path.iterdir())  # no multirun/<date>/<time>/multirun.yaml left behind


def test_the_job_log_holds_what_the_job_printed(capsys, monkeypatch, tmp_path):
    code, _, err = run_cli([*TINY, "replicates=2"], capsys, monkeypatch, tmp_path)
    assert code in (0, None), err
    logs = list(tmp_path.glob("outputs/*/*/cli.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "hundred_years_war vs full_alignment" in text and "wrote comparison.csv" in text
    for name in ("runs", "weekly", "events"):
        frame = pd.read_parquet(logs[0].parent / f"{name}.parquet")
        assert frame["seed"].dtype == np.uint64, name  # the same integer type in every table


def test_seeds_above_2_63_stay_exact_in_every_table():
    seeds = sim.replicate_seeds(0, 8)
    assert any(s >= 2 ** 63 for s in seeds) and any(s < 2 ** 63 for s in seeds)  # both int64 and uint64 ranges
    cmp = sim.compare(replicates=8, overrides=TINY)
    for name in ("runs", "weekly", "events"):
        frame = getattr(cmp, name)
        assert frame["seed"].dtype == np.uint64 and set(frame["seed"].tolist()) <= set(seeds), name
