"""Forrester's capacity channel (issue 9): halving operations staff lengthens the delivery delay, lowers the
win rate through delivery credibility, and lowers satisfaction; the delay is backlog / throughput.

Paired replicates (common random numbers) on a smaller market with operations scaled to it: 8,000 accounts,
160 customers at week 0 and 6 operations staff (the default's 20,000 / 400 / 12, roughly x 0.4), one year: the
year in which the shortfall bites, before late hiring and churn have closed the gap.
"""

import numpy as np
import pytest

import sim
from sim.departments.operations import delivery_credibility, littles_law_delay
from sim.market import Stage
from sim.model import AlignmentModel
from sim.runner import replicate_seeds, run
from sim.stats import paired

SCALED = ("market.accounts=8000", "market.initial_customers=160", "operations.staff=6", "operations.max_staff=24",
          "weeks=52")
HALF = "operations.staff=3"
REPLICATES = 10


@pytest.fixture(scope="module")
def arms():
    """Per-replicate outcomes of the scaled baseline and of the same company with half the operations staff."""
    seeds = replicate_seeds(1, REPLICATES)
    out = {}
    for name, extra in (("full", ()), ("half", (HALF,))):
        cfg = sim.load_config("hundred_years_war", overrides=[*SCALED, *extra])
        rows = []
        for seed in seeds:
            r = run(cfg, seed)
            w = r.weekly
            normal = cfg.operations.normal_delivery_weeks
            rows.append(dict(delay=w["delivery_delay"].mean(), delay_peak=w["delivery_delay"].max(),
                             credibility=np.mean([delivery_credibility(d, normal) for d in w["delivery_delay"]]),
                             win_rate=r.summary["sql_to_won"], satisfaction=w["satisfaction_mean"].mean()))
        out[name] = {k: np.array([row[k] for row in rows]) for k in rows[0]}
    return out


def test_half_staff_lengthens_the_delay(arms):
    res = paired(arms["full"]["delay"], arms["half"]["delay"])
    assert res.difference > 0 and res.low > 0, res
    peak = paired(arms["full"]["delay_peak"], arms["half"]["delay_peak"])
    assert peak.low > 0, peak


def test_half_staff_lowers_delivery_credibility(arms):
    """The multiplier on the win hazard (Forrester's table on the delay prospects hear of) is lower."""
    cred = paired(arms["full"]["credibility"], arms["half"]["credibility"])
    assert cred.high < 0, cred


def test_half_staff_lowers_the_win_rate(arms):
    """Was an expected failure with one shared random stream (-0.8 pp, p 0.40 over 10 pairs): with one stream
    per mechanism and per account the pairs share their selling draws and the same 10 pairs detect it."""
    wins = paired(arms["full"]["win_rate"], arms["half"]["win_rate"])
    assert wins.difference < 0 and wins.p < 0.05, wins


def test_half_staff_lowers_satisfaction(arms):
    res = paired(arms["full"]["satisfaction"], arms["half"]["satisfaction"])
    assert res.high < 0, res


class Watched(AlignmentModel):
    """The model with the onboarding backlog counted from the market arrays before operations works on it."""

    def operations_phase(self):
        m = self.market
        self.backlog_seen = int(((m.stage == Stage.CUSTOMER.value) & ~m.onboarded).sum())
        self.delay_before = self.operations.delay
        return super().operations_phase()


def test_delay_is_backlog_over_throughput():
    cfg = sim.load_config("hundred_years_war", overrides=[*SCALED, HALF])
    model = Watched(cfg, rng=replicate_seeds(1, 1)[0])
    ops, news = cfg.operations, cfg.operations.delay_news_weeks
    moved = 0
    for _ in range(cfg.weeks):
        model.step()
        week = model.operations.last
        assert week.backlog_start == model.backlog_seen
        assert week.throughput == pytest.approx(week.backlog_start * week.fulfilment / ops.normal_delivery_weeks)
        expected = (ops.normal_delivery_weeks if week.backlog_start == 0
                    else min(ops.max_queue_delay_weeks, week.backlog_start / week.throughput))
        assert week.indicated_delay == pytest.approx(expected)
        assert week.indicated_delay == pytest.approx(littles_law_delay(week.backlog_start, week.throughput, ops))
        assert model.operations.delay == pytest.approx(
            model.delay_before + (week.indicated_delay - model.delay_before) / news)
        moved += week.indicated_delay > ops.normal_delivery_weeks * 1.2
    assert moved > 0, "half the staff never pushed the delay 20 % above normal"
