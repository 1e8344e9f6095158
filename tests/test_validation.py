"""Every class of invalid input fails before a run with the field, the value and the allowed range."""

import dataclasses
import subprocess
import sys

import pytest

import sim
from sim.config import Config, ConfigError, validate


@pytest.mark.parametrize("override, words", [
    ("policy.max_discount=1.7", ["policy.max_discount", "1.7", "[0, 0.5]"]),
    ("policy.blame_culture=-0.1", ["policy.blame_culture", "-0.1", "[0, 1]"]),
    ("marketing.weekly_budget=-5", ["marketing.weekly_budget", "-5", "[0,"]),
    ("market.accounts=0", ["market.accounts", "0", "[1,"]),
    ("policy.marketing_pay=brochures", ["policy.marketing_pay", "brochures", "lead_volume", "pipeline", "revenue"]),
    ("policy.marketing_pay=revenu", ["did you mean 'revenue'"]),
    ("market.initial_customers=30000", ["market.initial_customers", "30000", "market.accounts"]),
])
def test_out_of_range_values_name_field_value_and_range(override, words):
    with pytest.raises(ConfigError) as err:
        sim.load_config("hundred_years_war", [override])
    for word in words:
        assert word in str(err.value)


def test_typo_in_override_names_the_key_and_suggests():
    with pytest.raises(ConfigError) as err:
        sim.load_config("hundred_years_war", ["policy.max_discont=0.3"])
    assert "max_discont" in str(err.value) and "max_discount" in str(err.value)


def test_wrong_type_is_rejected():
    with pytest.raises(ConfigError) as err:
        sim.load_config("hundred_years_war", ["policy.joint_meetings=often"])
    assert "joint_meetings" in str(err.value)


def test_unknown_scenario_lists_the_allowed_ones():
    with pytest.raises(ConfigError) as err:
        sim.load_config("full_alignmnet")
    assert "full_alignmnet" in str(err.value) and "full_alignment" in str(err.value)


def test_validate_catches_values_set_in_python_before_a_run():
    cfg = Config()
    cfg.policy = dataclasses.replace(cfg.policy, ops_flexibility=1.7)
    with pytest.raises(ConfigError, match=r"policy.ops_flexibility = 1.7 is out of range: allowed \[0, 1\]"):
        validate(cfg)
    with pytest.raises(ConfigError):
        sim.run(cfg)
    cfg.policy = dataclasses.replace(cfg.policy, ops_flexibility=float("nan"))
    with pytest.raises(ConfigError):
        validate(cfg)


def test_every_scenario_preset_loads_and_validates():
    names = sim.scenario_names()
    assert {"hundred_years_war", "full_alignment", "price_war", "first_sale_only", "customer_centric"} <= set(names)
    assert sum(n.startswith("goldman_") for n in names) == 5 and sum(n.startswith("remedy_") for n in names) == 9
    for name in names:
        assert sim.load_config(name).name == name


def test_cli_rejects_bad_value_before_running(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim.cli", "policy.max_discount=1.7", f"hydra.run.dir={tmp_path}"],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "policy.max_discount = 1.7 is out of range" in done.stderr
    assert not (tmp_path / "runs.parquet").exists()
