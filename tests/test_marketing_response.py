"""Marketing money behaves like marketing money (issue 17, item 3).

Exact checks on the rule functions (the saturating Hill response, the adstock carry-over, awareness from a touch,
where an inquiry comes from, the brand against its fixed reference) and a replicate check that more budget raises
inquiries over paired seeds of a small market.
"""

import math

import numpy as np
import pytest
from scipy import stats

import sim
from sim.config import MarketConfig, MarketingConfig
from sim.departments.marketing import (BROAD, ORGANIC, TARGETED, CampaignMemory, Marketing, adstock,
                                       adstock_retention, campaign_response, channel_response, fit_weights, hill)
from sim.market import (aware_probability, awareness_hazard, inquiry_source, inquiry_thresholds,
                        targeting_weights)
from sim.runner import replicate_seeds


def test_hill_is_half_at_the_half_saturation_spend_and_concave():
    assert hill(5_000.0, 5_000.0, 1.0) == pytest.approx(0.5)
    assert hill(5_000.0, 5_000.0, 2.5) == pytest.approx(0.5)
    assert hill(0.0, 5_000.0, 1.0) == 0.0
    spends = np.array([1_000.0, 5_000.0, 20_000.0, 80_000.0])
    for shape in (0.5, 1.0):
        assert np.all(hill(2 * spends, 5_000.0, shape) < 2 * hill(spends, 5_000.0, shape))
        assert np.all(hill(spends, 5_000.0, shape) < 1.0)


def test_doubling_the_budget_raises_the_campaign_inquiry_chance_by_less_than_double():
    market, marketing = MarketConfig(), MarketingConfig()
    base = {"targeted": 4_500.0, "broad": 10_500.0}
    doubled = {c: 2 * v for c, v in base.items()}
    one = campaign_response(CampaignMemory(), base, market, marketing, 1.0, 0.2)
    two = campaign_response(CampaignMemory(), doubled, market, marketing, 1.0, 0.2)
    assert two.targeted > one.targeted and two.broad > one.broad
    assert two.targeted < 2 * one.targeted and two.broad < 2 * one.broad
    # and so a prospect's chance to inquire (organic part unchanged) less than doubles too
    p_one = inquiry_thresholds(1.0, one.organic, one.targeted, one.broad, 1.0)[2]
    p_two = inquiry_thresholds(1.0, two.organic, two.targeted, two.broad, 1.0)[2]
    assert p_one < p_two < 2 * p_one
    # each channel: largest response x Hill, exactly
    added = channel_response(base, marketing, market.campaign_response)
    half = marketing.half_saturation_broad
    assert added["broad"] == pytest.approx(market.campaign_response * 10_500 / (10_500 + half))


def test_adstock_carries_a_pulse_of_spend_into_later_weeks_exactly():
    half_life = 9.0
    r = adstock_retention(half_life)
    assert r ** half_life == pytest.approx(0.5)
    memory = CampaignMemory()
    memory.update({"targeted": 0.0, "broad": 0.0}, r)  # the plan before: nothing
    pulse = 10_000.0
    effective = [memory.update({"targeted": pulse, "broad": 0.0}, r)["targeted"]]
    effective += [memory.update({"targeted": 0.0, "broad": 0.0}, r)["targeted"] for _ in range(60)]
    for lag, value in enumerate(effective):
        assert value == pytest.approx((1 - r) * r ** lag * pulse)
    assert effective[9] == pytest.approx(effective[0] / 2)  # half the effect one half-life later
    assert sum(effective) == pytest.approx(pulse * (1 - r ** 61))  # all of the pulse, spread over weeks
    assert 1 - r ** math.ceil(math.log(0.1) / math.log(r)) >= 0.9  # 90 % of the effect within 3.32 half-lives
    assert adstock(7.0, 7.0, r) == pytest.approx(7.0)  # a steady spend is its own effective spend
    assert adstock_retention(0.0) == 0.0 and adstock(5.0, 2.0, 0.0) == 2.0  # no carry-over


def test_the_memory_starts_at_the_plan_and_a_cut_decays_through_the_carry_over():
    r = adstock_retention(9.0)
    memory = CampaignMemory()
    assert memory.update({"targeted": 4_000.0, "broad": 8_000.0}, r) == {"targeted": 4_000.0, "broad": 8_000.0}
    after_cut = memory.update({"targeted": 0.0, "broad": 8_000.0}, r)
    assert after_cut["targeted"] == pytest.approx(r * 4_000.0) and after_cut["broad"] == pytest.approx(8_000.0)


def test_a_touch_makes_an_account_aware_only_with_a_probability():
    assert aware_probability(0.0, 0.1, True) == pytest.approx(0.1)
    assert aware_probability(0.0, 0.1, False) == 0.0
    h = 0.01
    assert aware_probability(h, 0.1, True) == pytest.approx(1 - math.exp(-h) * 0.9)
    assert np.allclose(aware_probability(h, 0.1, np.array([0.0, 1.0])), [1 - math.exp(-h), 1 - math.exp(-h) * 0.9])
    assert aware_probability(-1.0, 0.0, False) == 0.0  # detractors cancel the hazard, never reverse it


def test_awareness_hazard_by_source_exactly():
    cfg = MarketConfig()
    parts = awareness_hazard(cfg, 0.002, 1.5, 0.01)
    assert parts.innovation == pytest.approx(cfg.bass_innovation / 52)
    assert parts.brand == pytest.approx(0.002 * 1.5)
    assert parts.word_of_mouth == pytest.approx(cfg.bass_imitation / 52 * 0.01)
    assert parts.total == pytest.approx(sum(parts))
    assert awareness_hazard(cfg, 0.0, 0.0, -1.0).total == 0.0


def test_one_draw_decides_whether_and_through_which_source_an_account_inquires():
    thresholds = inquiry_thresholds(0.5, 0.02, 0.04, 0.06, 2.0)  # organic 0.01, targeted 0.04, broad 0.03
    assert np.allclose(thresholds, (0.01, 0.05, 0.08))
    u = np.array([0.005, 0.02, 0.07, 0.5])
    assert inquiry_source(u, thresholds).tolist() == [ORGANIC, TARGETED, BROAD, -1]
    assert inquiry_thresholds(1.0, 0.9, 0.9, 0.9, 1.0)[2] == 1.0  # capped at 1


def test_targeting_weights_move_the_response_toward_fit_without_creating_any():
    fit = np.array([0.1, 0.2, 0.4, 0.8])
    w = targeting_weights(fit_weights(np.log(fit), 2.0), 2.0)
    assert w.mean() == pytest.approx(1.0) and np.all(np.diff(w) > 0)
    assert np.array_equal(targeting_weights(fit_weights(np.log(fit), 0.0), 0.0), np.ones(4))


def test_the_brand_is_measured_against_a_fixed_reference():
    config = MarketingConfig()
    cut, invest = Marketing(config, lambda: None), Marketing(config, lambda: None)
    assert cut.brand_level == pytest.approx(1.0) and invest.brand_level == pytest.approx(1.0)
    for _ in range(104):
        cut.invest_in_brand(0.5 * config.brand_reference_spend)
        invest.invest_in_brand(1.5 * config.brand_reference_spend)
    steady = 1 - (1 - config.brand_decay) ** 104
    assert cut.brand_level == pytest.approx(1 - 0.5 * steady)
    assert invest.brand_level == pytest.approx(1 + 0.5 * steady)


def _inquiries(budget_factor: float, seed: int) -> float:
    cfg = sim.load_config("hundred_years_war", ["market.accounts=3000", "market.initial_customers=60", "weeks=40"])
    cfg.marketing.weekly_budget *= budget_factor
    return float(sim.run(cfg, seed=seed).weekly["inquiries"].sum())


def test_more_budget_raises_inquiries_over_paired_replicates():
    seeds = replicate_seeds(17, 6)
    base = np.array([_inquiries(1.0, s) for s in seeds])
    more = np.array([_inquiries(1.5, s) for s in seeds])
    assert stats.ttest_rel(more, base, alternative="greater").pvalue < 0.01
    assert np.all(more < 1.5 * base)  # +50 % budget, less than +50 % inquiries


def test_the_per_agent_reference_reads_the_same_awareness_hazard():
    from benchmarks.reference.per_agent import PerAgentModel
    from sim.market import awareness_hazards
    from sim.model import AlignmentModel

    cfg = sim.load_config("hundred_years_war", ["market.accounts=400", "market.initial_customers=40", "weeks=2"])
    fast, ref = AlignmentModel(cfg, rng=5), PerAgentModel(cfg, rng=5)  # the same drawn population at week 0
    effect = cfg.marketing.brand_awareness_effect
    for brand in (0.5, 1.0, 1.5):
        assert ref.market._awareness_hazard(brand, effect) == pytest.approx(awareness_hazards(fast.market,
                                                                                              fast.context, brand))
    assert awareness_hazards(fast.market, fast.context, 1.0).word_of_mouth != 0.0  # the base has net promoters
