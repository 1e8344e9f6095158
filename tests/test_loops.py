"""The relational feedback loops' switches (config section ``loops``, issue 19): each one, switched off, freezes
what its loop moves and nothing else; all off, trust and knowledge stay where they start."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config import LOOP_KNOCKOUT, ConfigError, LoopsConfig, provenance_table
from sim.runner import run

SMALL = ["market.accounts=1500", "weeks=60"]


def weekly(scenario: str, *overrides: str, seed: int = 4) -> pd.DataFrame:
    return run(sim.load_config(scenario, [*SMALL, *overrides]), seed).weekly


def events(scenario: str, *overrides: str, seed: int = 4) -> pd.DataFrame:
    return run(sim.load_config(scenario, [*SMALL, *overrides]), seed).events


def test_every_switch_is_on_by_default_and_listed_as_a_switch():
    assert all(getattr(LoopsConfig(), name) is True for name in LoopsConfig().names())
    rows = [r for r in provenance_table() if r["field"].startswith("loops.")]
    assert len(rows) == len(LoopsConfig().names()) == len(LOOP_KNOCKOUT) == 5
    assert {r["kind"] for r in rows} == {"switch"}


def test_a_switch_takes_only_on_or_off():
    with pytest.raises(ConfigError, match="loops.trust_repair"):
        sim.load_config("hundred_years_war", ["loops.trust_repair=0.5"])


def test_every_loop_off_freezes_trust_and_knowledge_at_their_start():
    w = weekly("full_alignment", *LOOP_KNOCKOUT)
    initial = sim.load_config("full_alignment").relations.initial_trust
    assert np.allclose(w["trust_mean"], initial)
    assert np.ptp(w["field_knowledge"]) == 0 and np.ptp(w["ops_knowledge"]) == 0


def test_without_blame_erosion_blame_costs_no_trust():
    w = weekly("hundred_years_war", "loops.blame_erodes_trust=false")
    e = events("hundred_years_war", "loops.blame_erodes_trust=false")
    initial = sim.load_config("hundred_years_war").relations.initial_trust
    blames = e[e["kind"] == "blame"]
    assert len(blames) > 0 and (blames["value"] == 0).all()
    assert w["trust_mean"].min() >= initial - 1e-12
    assert weekly("hundred_years_war")["trust_mean"].min() < initial - 0.05  # on, blame erodes it


def test_without_repair_trust_never_rises():
    w = weekly("full_alignment", "loops.trust_repair=false", "policy.blame_culture=0.5")
    assert (np.diff(w["trust_mean"].to_numpy()) <= 1e-12).all()
    assert (np.diff(weekly("full_alignment", "policy.blame_culture=0.5")["trust_mean"].to_numpy()) > 1e-9).any()


def test_without_feedback_learning_knowledge_moves_only_by_joint_learning():
    off = weekly("hundred_years_war", "loops.feedback_learning=false")
    assert (np.diff(off["field_knowledge"].to_numpy()) >= -1e-12).all()  # nothing is forgotten
    both = weekly("full_alignment", "loops.feedback_learning=false", "loops.joint_learning=false")
    assert np.ptp(both["field_knowledge"]) == 0
    assert np.ptp(weekly("full_alignment", "loops.feedback_learning=false")["field_knowledge"]) > 0


def test_distrust_gate_matters_only_when_trust_moves():
    frozen = ("loops.blame_erodes_trust=false", "loops.trust_repair=false")
    a = weekly("hundred_years_war", *frozen)
    b = weekly("hundred_years_war", *frozen, "loops.distrust_gates_leads=false")
    pd.testing.assert_frame_equal(a, b)  # trust stays at its start, so the gate reads the same either way
    on = weekly("hundred_years_war")
    off = weekly("hundred_years_war", "loops.distrust_gates_leads=false")
    assert off["leads_accepted"].sum() > on["leads_accepted"].sum()  # under blame, distrust raises the bar
