"""The lever-channel study (sim.studies.lever_channels): its arms pair each knockout, and the shares are exact."""

import numpy as np
import pandas as pd
import pytest

from sim.studies import lever_channels as lc
from sim.studies.responses import ArmRuns


def test_every_channel_is_knocked_out_in_both_arms_and_only_the_move_differs():
    lever = lc.LEVERS[0]
    arms = lc.arm_names(lever)
    assert len(arms) == 2 * (1 + len(lever.channels))
    for channel, knockout in lever.channels.items():
        base, moved = arms[f"{lever.label} | {channel} | base"], arms[f"{lever.label} | {channel} | moved"]
        assert base == knockout and moved == knockout + lever.move


def test_channel_share_is_one_minus_the_effect_left_over_the_full_effect():
    lever = lc.Lever("toy", ("policy.joint_meetings=4",), {"half": ("relations.meeting_trust_gain=0",)})
    values = {"toy | all | base": [100.0, 100.0], "toy | all | moved": [110.0, 110.0],
              "toy | half | base": [100.0, 100.0], "toy | half | moved": [105.0, 105.0]}
    runs = pd.DataFrame([{"arm": a, "replicate": k, "seed": k, "revenue_total": v}
                         for a, vs in values.items() for k, v in enumerate(vs)])
    batch = ArmRuns(runs=runs, failures=pd.DataFrame(), executed=8, seconds=0.0, replicates=2)
    frame = lc.measure(batch, (lever,)).set_index("channel")
    assert frame.loc["all channels", "effect"] == pytest.approx(0.10)
    assert frame.loc["half", "effect"] == pytest.approx(0.05)
    assert frame.loc["half", "share"] == pytest.approx(0.5)
    assert np.isnan(frame.loc["all channels", "share_low"])
