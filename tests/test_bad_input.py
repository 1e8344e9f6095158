"""Every class of bad input is refused before anything runs or is written, with one line that names the field,
the value and what is allowed: through the API and through the command line (``sim.cli.main`` in-process).

Each row of ``CASES`` is one class of bad input: an id, the ``alignsim`` arguments that give it, the API call
that gives it (or None where it only exists on one side), and a fragment the message must contain.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
import sim.sweep
from sim.config import ConfigError
from tests.conftest import small_config

TINY = ["market.accounts=300", "market.initial_customers=5", "weeks=5", "replicates=2"]
"""A main job of a few milliseconds, so that a wrongly accepted input fails the test quickly, not slowly."""
GRID = {"name": "tiny", "overrides": ["market.accounts=300", "market.initial_customers=5", "weeks=5"],
        "levers": {"policy.max_discount": {"values": [0.1, 0.3]}}, "design": {"method": "grid"},
        "replicates": 1, "execution": {"backend": "local", "n_jobs": 1}}
"""A two-run sweep spec; a case changes one key of it."""


def spec_file(folder: Path, name: str, **changes) -> str:
    """Write the tiny sweep spec with ``changes`` into ``folder`` and return its path."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**GRID, **changes}))
    return str(path)


def bad_lever(**lever) -> dict:
    """The tiny spec's changes for one bad lever."""
    return {"levers": lever}


def load(*overrides):
    return lambda tmp: sim.load_config("hundred_years_war", list(overrides))


def sweep(**changes):
    def call(tmp):
        return sim.sweep.run_sweep({**GRID, **changes}, tmp / "api_sweep", progress=False)

    call.changes = changes  # the command line's spec file gets the same change
    return call


CASES = [
    # (id, alignsim arguments, API call, message fragment)
    ("field typo", ["policy.max_discont=0.2"], load("policy.max_discont=0.2"),
     "policy.max_discont is not a field of policy: did you mean 'policy.max_discount'?"),
    ("added key", ["+policy.max_discont=0.2"], load("+policy.max_discont=0.2"),
     "'+' adds or deletes a key, and the config schema is fixed"),
    ("int as bool", ["policy.lead_sla=1"], load("policy.lead_sla=1"),
     "policy.lead_sla = 1 is not valid: expected true or false"),
    ("text for a number", ["weeks=abc"], load("weeks=abc"),
     "weeks = 'abc' is not valid: expected a whole number in [1, 5200] (weeks)"),
    ("fractional seed", ["seed=1.5"], load("seed=1.5"), "seed = 1.5 is not valid: expected a whole number"),
    ("out of range", ["policy.max_discount=1.7"], load("policy.max_discount=1.7"),
     "policy.max_discount = 1.7 is out of range: allowed [0, 0.5] (share of list price)"),
    ("null value", ["policy.max_discount=null"], load("policy.max_discount=null"),
     "policy.max_discount = null is not valid: allowed [0, 0.5]"),
    ("no field name", ["=0.3"], load("=0.3"), "override '=0.3' is not valid: no field before '='"),
    ("unknown preset", ["market=enterprize"], load("market=enterprize"),
     "market = 'enterprize' is not valid: allowed values are enterprise, midmarket, smb (did you mean 'enterprise'?)"),
    ("unknown scenario", ["scenario=full_alignmnet"], lambda tmp: sim.load_config("full_alignmnet"),
     "scenario = 'full_alignmnet' is not valid"),
    ("compare_with typo", ["compare_with=full_alignmnet"], load("compare_with=full_alignmnet"),
     "compare_with = 'full_alignmnet' is not valid: allowed values are"),
    ("zero workers", ["n_jobs=0", *TINY], load("n_jobs=0"), "n_jobs = 0 is not valid: allowed -1 (all cores)"),
    ("multirun value out of range", ["-m", "policy.blame_culture=0,2"], load("policy.blame_culture=0,2"),
     "policy.blame_culture = 2 is out of range: allowed [0, 1]"),
    ("overrides not a list", None, lambda tmp: sim.load_config("hundred_years_war", "market.accounts=5"),
     "overrides = 'market.accounts=5' is not valid: expected a list"),
    ("fractional run seed", None, lambda tmp: sim.run(small_config(), seed=1.5),
     "seed = 1.5 is not valid: expected a whole number >= 0"),
    ("zero replicates", ["replicates=0"], lambda tmp: sim.compare(replicates=0, overrides=TINY[:3]),
     "replicates = 0 is out of range: allowed [1, 100000]"),
    ("market too big for memory", ["market.accounts=50000000", "market.initial_customers=5"],
     lambda tmp: sim.run(sim.load_config("hundred_years_war", ["market.accounts=50000000"])),
     "market.accounts = 50,000,000 needs about"),
    # sweeps
    ("on/off lever as 0/1", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{"policy.lead_sla": {"values": [0, 1]}})),
     "sweep lever policy.lead_sla values [0, 1] are not valid: allowed [False, True] (true/false, not 0/1)"),
    ("NaN lever value", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{"policy.max_discount": {"values": [0.1, float("nan")]}})),
     "sweep lever policy.max_discount value nan is not valid: expected a number in [0, 0.5]"),
    ("fractional lever value for a whole-number field", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{"policy.joint_meetings": {"values": [1, 2.5]}})),
     "sweep lever policy.joint_meetings value 2.5 is not valid: expected a whole number in [0, 52]"),
    ("text field as lever", ["sweep", "{spec}", "--out", "{out}"], sweep(**bad_lever(compare_with={})),
     "sweep lever compare_with is not valid: compare_with is a str field"),
    ("lever typo", ["sweep", "{spec}", "--out", "{out}"], sweep(**bad_lever(**{"policy.max_discont": {}})),
     "sweep lever 'policy.max_discont' is not a config field (did you mean 'policy.max_discount'?)"),
    ("spec outcome typo", ["sweep", "{spec}", "--out", "{out}"], sweep(outcomes=["revenue_totl"]),
     "outcome 'revenue_totl' is not a summary metric: did you mean 'revenue_total'?"),
    ("sweep with zero workers", ["sweep", "{spec}", "--out", "{out}", "--n-jobs", "0"],
     lambda tmp: sim.sweep.run_sweep(GRID, tmp / "api_sweep", n_jobs=0, progress=False),
     "execution.n_jobs = 0 is not valid (--n-jobs): allowed -1 (all cores)"),
    ("malformed spec YAML", ["sweep", "{broken}", "--out", "{out}"],
     lambda tmp: sim.sweep.run_sweep(str(tmp / "broken.yaml"), tmp / "api_sweep", progress=False),
     "is not valid YAML at line 3, column 1"),
    ("analyze outcome typo", ["analyze", "{done}", "--outcome", "revenue_totl"],
     lambda tmp: sim.sweep.analyze(tmp / "done", outcomes=["revenue_totl"]),
     "outcome 'revenue_totl' is not a summary metric: did you mean 'revenue_total'?"),
    ("analyze a sweep without runs", ["analyze", "{empty}"], lambda tmp: sim.sweep.analyze(tmp / "empty"),
     "holds no finished runs yet"),
    # issue 22: types from other tools, cross-field rules, levers that are not parameters, sizes, one CLI
    ("numpy float with a fraction for a whole-number field", None,
     lambda tmp: sim.AlignmentModel(**{"policy.joint_meetings": np.float64(4.5)}),
     "policy.joint_meetings = 4.5 is not valid: expected a whole number in [0, 52]"),
    ("numpy integer for an on/off field", None, lambda tmp: sim.AlignmentModel(**{"policy.lead_sla": np.int64(1)}),
     "policy.lead_sla = 1 is not valid: expected true or false"),
    ("float notation for a whole-number field", ["market.accounts=1e3"], load("market.accounts=1e3"),
     "market.accounts = 1000.0 is not valid: expected a whole number in [1, 5e+07] (accounts); write 1000"),
    ("float for a whole-number field", ["policy.joint_meetings=4.0"], load("policy.joint_meetings=4.0"),
     "policy.joint_meetings = 4.0 is not valid: expected a whole number in [0, 52]"),
    ("more staff than the most allowed", ["operations.staff=100", "operations.max_staff=1"],
     load("operations.staff=100", "operations.max_staff=1"),
     "operations.staff = 100 is out of range: allowed at most operations.max_staff = 1"),
    ("meetings longer than the week", ["sales.meeting_hours=30", "sales.hours_per_week=20"],
     load("sales.meeting_hours=30", "sales.hours_per_week=20"),
     "sales.meeting_hours = 30 is out of range: allowed at most sales.hours_per_week = 20"),
    ("planned delay above its cap", ["operations.normal_delivery_weeks=60", "operations.max_queue_delay_weeks=52"],
     load("operations.normal_delivery_weeks=60", "operations.max_queue_delay_weeks=52"),
     "operations.normal_delivery_weeks = 60 is out of range: allowed at most operations.max_queue_delay_weeks = 52"),
    ("scenario inside load_config's overrides", None, load("scenario=price_war"),
     "override 'scenario=price_war' is not valid here: the scenario is load_config's first argument"),
    ("misspelt subcommand", ["dashbaord"], None,
     "'dashbaord' is not a subcommand nor a KEY=VALUE override: did you mean 'alignsim dashboard'?"),
    ("subcommand as a config field", ["sweep=configs/sweep/discount_sla_grid.yaml"], None,
     "sweep is a subcommand, not a config field: alignsim sweep --help"),
    ("empty output folder", ["hydra.run.dir=", *TINY], None, "hydra.run.dir = '' is not valid"),
    ("unknown Hydra flag", ["--cfgg", "job"], None, "unrecognized arguments: --cfgg"),
    ("dashboard port out of range", ["dashboard", "port=99999"], None,
     "port = 99999 is out of range: allowed [1, 65535]"),
    ("seed as a sweep lever", ["sweep", "{spec}", "--out", "{out}"], sweep(**bad_lever(seed={"values": [1, 2]})),
     "sweep lever seed is not valid: the runs' seeds come from the spec's 'seed'"),
    ("replicates as a sweep lever", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(replicates={"values": [1, 2]})), "sweep lever replicates is not valid"),
    ("range keys on an on/off lever", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{"policy.lead_sla": {"low": 0, "high": 1}})),
     "sweep lever policy.lead_sla low/high are not valid: policy.lead_sla is an on/off field"),
    ("duplicate key in the spec YAML", ["sweep", "{duplicate}", "--out", "{out}"],
     lambda tmp: sim.sweep.run_sweep(str(tmp / "duplicate.yaml"), tmp / "api_sweep", progress=False),
     "key 'replicates' is given twice"),
    ("sweep too large to build", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{f"policy.{name}": {} for name in ("max_discount", "blame_culture", "shared_data",
                                                            "shared_goal_weight", "purchasing_rigidity",
                                                            "ops_flexibility")}), design={"method": "grid",
                                                                                          "levels": 100}),
     "sweep size: 1,000,000,000,000 design points x 1 replicate(s)"),
    ("sweep above the run limit", ["sweep", "{spec}", "--out", "{out}"],
     sweep(design={"method": "lhs", "samples": 2_000_000}),
     "above the limit of execution.max_runs = 1,000,000 runs"),
    ("lever market too big for memory", ["sweep", "{spec}", "--out", "{out}"],
     sweep(**bad_lever(**{"market.accounts": {"low": 40_000_000, "high": 50_000_000}}),
           design={"method": "lhs", "samples": 2}),
     "market.accounts = 50,000,000 needs about"),
    ("empty sweep folder", ["sweep", "{spec}", "--out", ""],
     lambda tmp: sim.sweep.run_sweep(GRID, "", progress=False), "out = '' is not valid"),
]
"""Each class of bad input with the fragment its one-line message must contain."""

SPEC_CHANGES = {**{case[0]: case[2].changes for case in CASES if hasattr(case[2], "changes")},
                "on/off lever as 0/1": bad_lever(**{"policy.lead_sla": {"values": [0, 1]}}),
                "NaN lever value": bad_lever(**{"policy.max_discount": {"values": [0.1, float("nan")]}}),
                "fractional lever value for a whole-number field": bad_lever(
                    **{"policy.joint_meetings": {"values": [1, 2.5]}}),
                "text field as lever": bad_lever(compare_with={}),
                "lever typo": bad_lever(**{"policy.max_discont": {}}),
                "spec outcome typo": {"outcomes": ["revenue_totl"]}}
"""The spec file each sweep case writes for its command line (the same change as its API call)."""


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> Path:
    """A folder with a finished two-run sweep (``done``), one with its runs removed (``empty``) and a spec file
    that is not valid YAML (``broken.yaml``)."""
    folder = tmp_path_factory.mktemp("sweeps")
    sim.sweep.run_sweep(GRID, folder / "done", progress=False)
    sim.sweep.run_sweep(GRID, folder / "empty", progress=False)
    for part in (folder / "empty" / "runs").glob("*.parquet"):
        part.unlink()
    (folder / "broken.yaml").write_text("name: broken\nlevers: {policy.max_discount: {low: 0\n")
    (folder / "duplicate.yaml").write_text(yaml.safe_dump(GRID) + "replicates: 1\n")
    return folder


@pytest.fixture
def little_memory(monkeypatch):
    """This machine has 1 GiB available, whatever it really has (the memory check must not depend on it)."""
    import sim.runner

    monkeypatch.setattr(sim.runner, "available_memory", lambda: 2**30)


def _argv(argv: list[str], case: str, sweeps: Path, tmp: Path) -> list[str]:
    spec = spec_file(tmp, "spec", **SPEC_CHANGES.get(case, {}))
    names = {"spec": spec, "out": str(tmp / "cli_sweep"), "broken": str(sweeps / "broken.yaml"),
             "duplicate": str(sweeps / "duplicate.yaml"),
             "done": str(sweeps / "done"), "empty": str(sweeps / "empty")}
    return [a.format(**names) for a in argv]


@pytest.mark.parametrize("case, argv, call, fragment", [c for c in CASES if c[1] is not None],
                         ids=[c[0] for c in CASES if c[1] is not None])
def test_command_line_refuses_with_one_line(case, argv, call, fragment, sweeps, tmp_path, monkeypatch, capsys,
                                            little_memory):
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(_argv(argv, case, sweeps, tmp_path))
    err = capsys.readouterr().err
    assert exit_.value.code == 2, err  # bad input, everywhere
    assert fragment in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "cli_sweep").exists()  # nothing half-written


@pytest.mark.parametrize("case, argv, call, fragment", [c for c in CASES if c[2] is not None],
                         ids=[c[0] for c in CASES if c[2] is not None])
def test_api_refuses_with_the_same_message(case, argv, call, fragment, sweeps, tmp_path, little_memory):
    for name in ("broken.yaml", "duplicate.yaml"):
        (tmp_path / name).write_text((sweeps / name).read_text())
    for name in ("done", "empty"):
        (tmp_path / name).symlink_to(sweeps / name)
    with pytest.raises(ConfigError) as err:
        call(tmp_path)
    assert fragment in str(err.value)
    assert not (tmp_path / "api_sweep").exists()


def test_every_class_is_listed_once():
    assert len({c[0] for c in CASES}) == len(CASES) >= 45
