"""The alignment instrument's settings (config section ``instrument``, issue 17 item 6): they change what the model
reports (Goldman's stage, the KRK score, the funnel window), never what it does; the funnel window follows the
quota period; a firm that works every lead no longer reads stage 2 for its whole first quarter."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.alignment import READINGS, follow_up_share
from sim.config import MODEL_SECTIONS, InstrumentConfig, provenance_table
from sim.model import AlignmentModel
from sim.runner import run

SMALL = ["market.accounts=1500", "weeks=30"]


def test_every_instrument_field_is_a_judgement_with_a_prior():
    rows = [r for r in provenance_table() if r["field"].startswith("instrument.")]
    assert "instrument" in MODEL_SECTIONS
    assert len(rows) == len(InstrumentConfig.__dataclass_fields__) >= 12
    assert all(r["kind"] == "judgement" and r["prior_low"] <= r["default"] <= r["prior_high"] for r in rows), rows


@pytest.mark.parametrize("override", ["instrument.stage_trust_us_vs_them=0.9", "instrument.blames_for_worst_score=2",
                                      "instrument.follow_up_before_evidence=1.0", "instrument.no_evidence_score=0.9",
                                      "instrument.stage_hold_weeks=1"])
def test_instrument_settings_change_the_reading_never_the_firm(override):
    base = run(sim.load_config("hundred_years_war", SMALL), 5).weekly
    other = run(sim.load_config("hundred_years_war", [*SMALL, override]), 5).weekly
    behaviour = [c for c in base.columns if c not in READINGS]
    pd.testing.assert_frame_equal(base[behaviour], other[behaviour])  # bit for bit
    assert not all(base[c].equals(other[c]) for c in READINGS), f"{override} changed no reading"


def test_a_trust_threshold_above_every_trust_reads_us_vs_them_every_week():
    w = run(sim.load_config("full_alignment", [*SMALL, "instrument.stage_trust_us_vs_them=1.0"]), 3).weekly
    assert (w["alignment_stage"] == 1).all()


def test_the_funnel_window_follows_the_quota_period():
    cfg = sim.load_config("hundred_years_war", [*SMALL, "sales.quota_period_weeks=4"])
    model = AlignmentModel(cfg, rng=2)
    for _ in range(cfg.weeks):
        model.step()
    assert model.recorder.window_weeks == 4
    w = model.weekly()
    roll = w[["leads_accepted", "leads_expired"]].rolling(4, min_periods=1).sum()
    expected = (roll["leads_accepted"] / (roll["leads_accepted"] + roll["leads_expired"])).clip(0, 1)
    np.testing.assert_allclose(w["lead_acceptance"], expected, rtol=0, atol=1e-12)


def test_follow_up_before_the_first_review_is_read_from_the_current_period():
    model = AlignmentModel(sim.load_config("full_alignment", SMALL), rng=4)
    assert follow_up_share(model) == model.config.instrument.follow_up_before_evidence  # nothing resolved yet
    for _ in range(5):
        model.step()
    p = model.period
    resolved = p.accepted_from_marketing + p.expired
    assert resolved > 0 and follow_up_share(model) == p.accepted_from_marketing / resolved


def test_full_alignment_does_not_read_stage_2_for_its_first_quarter():
    """Before the instrument read a starting follow-up of 0.5 for 13 weeks, so every firm read at most stage 2
    then; now a firm whose sales works marketing's leads reads stage 3 or more within its first month (the weekly
    read), and reports it once the hold (``instrument.stage_hold_weeks``) has confirmed it."""
    hold = InstrumentConfig().stage_hold_weeks
    for seed in (1, 2, 3):
        w = run(sim.load_config("full_alignment", SMALL), seed).weekly
        assert (w["alignment_stage_raw"].iloc[4:13] >= 3).all(), w["alignment_stage_raw"].tolist()
        assert (w["alignment_stage"].iloc[4 + hold:13] >= 3).all(), w["alignment_stage"].tolist()
