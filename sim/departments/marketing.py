"""Marketing: spends the budget over campaigns, qualifies inquiries into leads, builds the brand.

Each :class:`Marketer` is a Mesa agent with its own field knowledge and its own slice of the budget;
its channel mix follows how marketing is paid (seed 001, #4 and #6).  The department object
:class:`Marketing` adds what the marketers share: the brand stock, the campaigns vetoed by sales and
the short-run return of each channel as sales sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.config import MarketConfig, MarketingConfig, PolicyConfig
from sim.context import WeekContext
from sim.market import Market, Stage
from sim.streams import to_index, to_normal

CHANNELS = ("targeted", "broad", "brand", "waste")
"""Campaign types: two demand-generation channels, long-term brand, and spend with no return."""
ORGANIC, TARGETED, BROAD = 0, 1, 2
"""Where an inquiry came from (``Market.channel``): no campaign, a targeted or a broad campaign (the order of the
sources :func:`sim.market.inquiry_source` returns)."""
DEMAND_CHANNELS = ("targeted", "broad")
"""The demand-generation channels: each has its own carry-over (adstock) and saturating response."""


def targeted_share(config: MarketingConfig, pay: str) -> float:
    """Share of demand-generation spend put into targeted (costlier, better-fitting) channels under a pay scheme."""
    return {"lead_volume": config.targeted_share_lead_volume, "pipeline": config.targeted_share_pipeline,
            "revenue": config.targeted_share_revenue}[pay]


class Marketer(Agent):
    """One marketer: field knowledge, a budget slice and a channel mix that follows the reward.

    Args:
        model: the :class:`~sim.model.AlignmentModel`.
        field_knowledge: what this marketer knows of real buyers (0-1); it lowers the noise of lead
            qualification, sharpens targeting and makes sales-enablement material useful.
    """

    department = "marketing"

    def __init__(self, model, field_knowledge: float):
        super().__init__(model)
        self.field_knowledge = field_knowledge
        self.away = False
        self.spend = dict.fromkeys(CHANNELS, 0.0)

    def step(self) -> None:
        """Decide whether to spend a week in sales, then plan this week's campaigns."""
        self.away = self.model.relations.maybe_rotate(self)
        self.plan_campaigns()

    def update_knowledge(self, gain: float, forget: float) -> None:
        """Close a share ``gain`` of the gap to full field knowledge and lose a share ``forget`` of what is
        known, in one step: ``k <- k + gain x (1 - k) - forget x k`` (both shares per event, 0-1)."""
        self.field_knowledge += gain * (1 - self.field_knowledge) - forget * self.field_knowledge

    def learn_on_rotation(self, gain: float) -> None:
        """A week in sales: the marketer hears real buyers and closes a share ``gain`` of the knowledge gap."""
        self.update_knowledge(gain, 0.0)

    def plan_campaigns(self) -> None:
        """Split this marketer's budget slice over channels according to reward and vetoes."""
        cfg: MarketingConfig = self.model.config.marketing
        policy: PolicyConfig = self.model.config.policy
        budget = cfg.weekly_budget / cfg.staff
        waste = cfg.waste_share * (1.0 - cfg.waste_knowledge_cut * self.field_knowledge)
        brand = cfg.brand_share * (cfg.brand_share_under_sales if policy.marketing_reports_to_sales else 1.0)
        targeted = targeted_share(cfg, policy.marketing_pay)
        targeted += policy.shared_goal_weight * (cfg.targeted_share_revenue - targeted)
        demand = 1.0 - waste - brand
        mix = {"targeted": demand * targeted, "broad": demand * (1 - targeted), "brand": brand, "waste": waste}
        self.spend = self.model.marketing.apply_vetoes({k: v * budget for k, v in mix.items()})

    @property
    def qualification_noise(self) -> float:
        """Standard deviation of this marketer's read of a lead's fit."""
        cfg = self.model.config.marketing
        return cfg.qualification_noise_max - (cfg.qualification_noise_max - cfg.qualification_noise_min) * \
            self.field_knowledge


class Marketing:
    """What the marketers share: brand stock, vetoed channels, lead threshold and channel returns.

    Args:
        config: the marketing section of the configuration.
        live_policy: returns the policy levers as they stand now (the model's ``config.policy``).
    """

    def __init__(self, config: MarketingConfig, live_policy: Callable[[], PolicyConfig]):
        self.config = config
        self._live_policy = live_policy
        self.brand_reference = max(config.brand_reference_spend, 1e-9) / max(config.brand_decay, 1e-9)
        self.brand_stock = self.brand_reference
        self.vetoed: set[str] = set()
        self.period_spend = dict.fromkeys(CHANNELS, 0.0)
        self.period_accepted = np.zeros(3)

    @property
    def policy(self) -> PolicyConfig:
        """The policy levers as they stand this week."""
        return self._live_policy()

    @property
    def brand_level(self) -> float:
        """Brand stock relative to the steady state of ``brand_reference_spend`` a week (1 = as at the start).

        The reference is fixed, not the scenario's own budget: a company that spends more on brand from week 0
        on builds a stronger brand over time (and one that stops lets it decay)."""
        return self.brand_stock / self.brand_reference

    @property
    def mql_threshold(self) -> float:
        """Estimated fit marketing needs to see to pass a lead: set by pay, blended toward quality by the
        shared goal, and fixed at the agreed definition when a lead SLA is in force."""
        if self.policy.lead_sla:
            return self.policy.sla_fit_threshold
        cfg = self.config
        own = {"lead_volume": cfg.mql_threshold_volume, "pipeline": cfg.mql_threshold_pipeline,
               "revenue": cfg.mql_threshold_revenue}[self.policy.marketing_pay]
        return own + self.policy.shared_goal_weight * (cfg.mql_threshold_revenue - own)

    def apply_vetoes(self, spend: dict[str, float]) -> dict[str, float]:
        """Cut vetoed channels; move part of their budget to the demand channels that survive."""
        if not self.vetoed:
            return spend
        freed = sum(spend[c] for c in self.vetoed)
        spend = {c: (0.0 if c in self.vetoed else v) for c, v in spend.items()}
        survivors = [c for c in ("targeted", "broad") if c not in self.vetoed]
        base = sum(spend[c] for c in survivors)
        for c in survivors:
            spend[c] += self.config.veto_reallocation * freed * (spend[c] / base if base > 0 else 1 / len(survivors))
        return spend

    def invest_in_brand(self, brand_spend: float) -> None:
        """Brand stock accumulates spend and decays: brand <- (1 - decay) x brand + spend."""
        self.brand_stock = (1.0 - self.config.brand_decay) * self.brand_stock + brand_spend

    def record(self, spend: dict[str, float]) -> None:
        """Add this week's spend to the period's totals (for the spend review)."""
        for c in CHANNELS:
            self.period_spend[c] += spend[c]

    def short_run_returns(self) -> dict[str, float]:
        """Accepted leads per euro of each channel this period, as sales' CRM attributes them."""
        credit = {"targeted": self.period_accepted[TARGETED], "broad": self.period_accepted[BROAD],
                  "brand": self.config.brand_attribution * self.period_accepted[ORGANIC], "waste": 0.0}
        return {c: credit[c] / self.period_spend[c] for c in CHANNELS if self.period_spend[c] > 0}

    def review_spend(self, threshold: float) -> list[tuple[str, float]]:
        """Sales' veto (seed 001, remedy 7): campaigns whose short-run return is below ``threshold`` x the
        spend-weighted average are cut from the next period on.  Returns the newly vetoed (channel, return)."""
        returns = self.short_run_returns()
        spent = {c: self.period_spend[c] for c in returns}
        total = sum(spent.values())
        average = sum(returns[c] * spent[c] for c in returns) / total if total > 0 else 0.0
        vetoed = [(c, r / average if average > 0 else 0.0) for c, r in returns.items()
                  if c not in self.vetoed and (average <= 0 or r < threshold * average)]
        self.vetoed.update(c for c, _ in vetoed)
        return vetoed

    def start_period(self) -> None:
        """Reset the period's spend and accepted-lead tallies."""
        self.period_spend = dict.fromkeys(CHANNELS, 0.0)
        self.period_accepted = np.zeros(3)


# --------------------------------------------------------------------- vectorised marketing rules
def brand_pull(brand_level: float, elasticity: float) -> float:
    """The brand's pull on unprompted inquiries: brand_level ** elasticity (a constant-elasticity response,
    1 at the starting brand stock; Sethuraman, Tellis & Briesch 2011)."""
    return brand_level ** elasticity if brand_level > 0 else 0.0


def adstock_retention(half_life_weeks: float) -> float:
    """Weekly retention of a channel's carry-over: r = 0.5 ** (1 / half-life), so a week's effect halves every
    ``half_life_weeks``; 0 (no carry-over) for a half-life of 0 (Clarke 1976, JMR 13(4); see
    ``marketing.adstock_half_life_weeks``)."""
    return 0.5 ** (1.0 / half_life_weeks) if half_life_weeks > 0 else 0.0


def adstock(previous, spend, retention: float):
    """Effective (adstocked) spend this week: A_t = r x A_(t-1) + (1 - r) x x_t, the geometric carry-over of
    Koyck and Clarke (1976) normalised so that a steady spend x has effective spend x (the weights (1 - r) r^l
    sum to 1, as in the media-mix models of Jin, Wang, Sun, Chan & Koehler 2017).  A pulse of spend in one week
    keeps a share (1 - r) r^l of itself in the effective spend l weeks later.  Works on scalars and arrays."""
    return retention * previous + (1.0 - retention) * spend


def hill(effective_spend, half_saturation: float, shape: float):
    """Saturating response of a channel: H(A) = A^s / (A^s + K^s), 0 at no spend, 1/2 at the half-saturation
    spend K, tending to 1 (the Hill curve of media-mix models, Jin et al. 2017; ADBUDG with floor 0 and ceiling
    1, Little 1970, Management Science 16(8)).  With s <= 1 every extra euro earns less than the one before, so
    doubling a budget never doubles the response.  Works on scalars and arrays."""
    effective_spend = np.maximum(effective_spend, 0.0)
    ratio = (effective_spend / half_saturation) ** shape
    return ratio / (1.0 + ratio)


class CampaignMemory:
    """The market's memory of each demand channel's spend: its adstock (Nerlove & Arrow 1962's goodwill, one stock
    per channel), held by the account layer because it lives in the buyers' minds, not in marketing's books.

    The stock starts at the first week's spend: the firm has run its plan before week 0, so a run starts at the
    plan's steady state, and a change during the run (a veto, a lever moved) works through the carry-over."""

    def __init__(self) -> None:
        self.effective: dict[str, float] | None = None
        """Adstocked spend per demand channel (EUR per week), None before the first week."""

    def update(self, spend: dict[str, float], retention: float) -> dict[str, float]:
        """Carry last week's stock into this week's spend (:func:`adstock`); returns the effective spends."""
        if self.effective is None:
            self.effective = {c: float(spend[c]) for c in DEMAND_CHANNELS}
        else:
            self.effective = {c: float(adstock(self.effective[c], spend[c], retention)) for c in DEMAND_CHANNELS}
        return dict(self.effective)


@dataclass(frozen=True)
class CampaignResponse:
    """What this week's marketing does to an aware prospect's weekly chance of inquiring, at urgency 1."""

    organic: float
    """Unprompted inquiry probability (``inquiry_rate`` x the brand's pull)."""
    targeted: float
    """Inquiry probability the targeted channel adds for an account of average targeting weight."""
    broad: float
    """Inquiry probability the broad channel adds, the same for every aware prospect."""
    targeting_exponent: float
    """Targeting weight exponent: an account's share of the targeted response is fit ** exponent over the mean."""


def channel_response(effective: dict[str, float], config: MarketingConfig, largest: float) -> dict[str, float]:
    """Inquiry probability each demand channel adds this week: ``largest`` (``market.campaign_response``) x the
    channel's Hill response to its adstocked spend (:func:`hill`, half-saturation ``half_saturation_<channel>``,
    shape ``response_shape``)."""
    half = {"targeted": config.half_saturation_targeted, "broad": config.half_saturation_broad}
    return {c: float(largest * hill(effective[c], half[c], config.response_shape)) for c in DEMAND_CHANNELS}


def campaign_response(memory: CampaignMemory, spend: dict[str, float], market: MarketConfig,
                      marketing: MarketingConfig, brand_level: float, field_knowledge: float) -> CampaignResponse:
    """This week's inquiry response: the brand's pull on unprompted inquiries (:func:`brand_pull`) and each
    demand channel's saturating response to its carried-over spend (:func:`adstock`, :func:`channel_response`);
    advances the channels' memory by one week."""
    effective = memory.update(spend, adstock_retention(marketing.adstock_half_life_weeks))
    added = channel_response(effective, marketing, market.campaign_response)
    return CampaignResponse(organic=market.inquiry_rate * brand_pull(brand_level, marketing.brand_inquiry_elasticity),
                            targeted=added["targeted"], broad=added["broad"],
                            targeting_exponent=marketing.targeting_precision * field_knowledge)



def fit_weights(log_fit: np.ndarray, exponent: float) -> np.ndarray:
    """Targeting weights ``fit ** exponent`` from ``log_fit`` (log fit of the accounts), unnormalised; all 1 for
    blind targeting (exponent 0)."""
    return np.exp(exponent * log_fit) if exponent != 0 else np.ones(log_fit.size)


def run_campaigns(market: Market, ctx: WeekContext, spend: dict[str, float], pool: np.ndarray, in_pool: np.ndarray,
                  weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Demand generation touches prospects of this week's contact ``pool`` (``in_pool``: the same accounts as a
    mask over the market; ``weight``: their :func:`fit_weights` at this week's targeting exponent).

    Broad channels touch spend / cost_per_touch_broad prospects at random; targeted channels touch
    spend / cost_per_touch_targeted prospects with weight fit ** (precision x field knowledge): without
    field knowledge, 'targeting' is blind.  Returns two boolean masks over accounts (targeted, broad).
    Draws: one per account of the market from ``campaign_broad`` and from ``campaign_targeted``.
    """
    config = ctx.config.marketing
    targeted = np.zeros(market.size, dtype=bool)
    if pool.size == 0:
        return targeted, np.zeros(market.size, dtype=bool)
    n_broad = spend["broad"] / config.cost_per_touch_broad
    n_targeted = spend["targeted"] / config.cost_per_touch_targeted
    broad = (ctx.rng("campaign_broad").random(market.size) < min(1.0, n_broad / pool.size)) & in_pool
    p = np.minimum(1.0, n_targeted * weight / weight.sum())
    targeted[pool[ctx.rng("campaign_targeted").random(market.size)[pool] < p]] = True
    return targeted, broad


def qualify_inquiries(market: Market, ctx: WeekContext, inquiries: np.ndarray, noise: np.ndarray,
                      threshold: float) -> np.ndarray:
    """Marketing qualification (MQL): pass an inquiry when fit + noise >= the lead threshold.

    ``noise`` is the qualifying marketer's standard deviation for each inquiry.  Passed leads go to a
    rep chosen at random and wait for review; the others are nurtured (back to the pool, resting).
    Returns the indices of the new leads.  Draws, per inquiry: the read (``lead_qualification``), the rep
    (``lead_routing``, draw 1).
    """
    week = ctx.week
    draws = ctx.uniforms(inquiries, ("lead_qualification", 0), ("lead_routing", 1))
    estimate = market.fit[inquiries] + to_normal(draws[0], 1.0) * noise
    passed = estimate >= threshold
    leads = inquiries[passed]
    market.move(leads, Stage.LEAD, week)
    market.marketing_estimate[leads] = estimate[passed]
    market.via_marketing[leads] = True
    market.reviewed[leads] = False
    market.owner[leads] = to_index(draws[1, passed], ctx.config.sales.reps)
    market.rest(inquiries[~passed], Stage.PROSPECT, week)
    return leads
