"""The customer accounts, stored column-wise: one numpy array per attribute, one entry per account.

Each account is an individual with its own latent fit, price sensitivity, urgency, awareness, funnel
stage, promise, delivery and satisfaction, but a week of the whole market is a handful of vectorised
operations, never a Python loop over accounts.  ``Market.account(i)`` gives a readable snapshot of
one account for teaching and debugging.

The customer-side rules live here, one small function each (awareness, inquiry, satisfaction,
churn, expansion, billing); the departments' rules (qualification, acceptance, selling, delivery)
live in :mod:`sim.departments` and act on these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from sim.config import MarketConfig
from sim.context import Clock, WeekContext
from sim.pricing import price_paid, price_premium, renewal_price_factor
from sim.streams import Streams

WEEKS_PER_YEAR = 52


class Stage(IntEnum):
    """Funnel stage of an account; every account is in exactly one stage every week."""

    PROSPECT = 0      #: not (currently) in contact: unaware, aware, or resting after a failed attempt
    LEAD = 1          #: a marketing-qualified lead (MQL) waiting for a rep
    ACCEPTED = 2      #: a sales-accepted lead (SAL) in discovery calls
    OPPORTUNITY = 3   #: a sales-qualified opportunity (SQL) being worked
    CUSTOMER = 4      #: signed: waiting for onboarding or being served
    CHURNED = 5       #: a former customer who left
    DISQUALIFIED = 6  #: found not to fit at qualification; rests, then returns to the prospect pool


NOBODY = -1  #: owner of an account no rep works


@dataclass(frozen=True)
class AccountSnapshot:
    """A readable copy of one account's state at the current week."""

    index: int
    stage: str
    weeks_in_stage: int
    fit: float
    price_sensitivity: float
    urgency: float
    aware: bool
    owner: int
    via_marketing: bool
    promised_service: float
    delivered_service: float
    satisfaction: float
    contract_value: float
    discount: float
    tenure_weeks: int
    onboarded: bool


def installed_base_size(config: MarketConfig) -> int:
    """Customers at week 0: ``initial_customers`` when it is given (>= 0), otherwise ``installed_base_share`` x
    ``accounts`` rounded to the nearest whole account (halves up), so the installed base scales with the market."""
    if config.initial_customers >= 0:
        return config.initial_customers
    return int(np.floor(config.installed_base_share * config.accounts + 0.5))


class Market:
    """All accounts of the addressable market as parallel numpy arrays.

    Args:
        config: the market section of the configuration.
        n_reps: number of sales reps (owners are rep indices ``0 .. n_reps-1``).
        standard_service: service level of the standard offer (what initial customers were promised).
        streams: the run's random streams; each fixed trait and the installed base draw from their own.
        clock: the model's week (a clock of its own when the market stands alone).
    """

    def __init__(self, config: MarketConfig, n_reps: int, standard_service: float, streams: Streams,
                 clock: Clock | None = None):
        n = config.accounts
        self.config = config
        self.size = n
        self.fit = streams("fit").beta(config.fit_alpha, config.fit_beta, n)
        with np.errstate(divide="ignore"):
            self.log_fit = np.log(self.fit)  # cached: targeting weights fit ** x are exp(x log fit)
        shape = config.price_sensitivity_shape
        self.price_sensitivity = np.clip(streams("price_sensitivity").beta(shape, shape, n) * 2
                                         * config.price_sensitivity_mean, 0, 1)
        self.urgency = streams("urgency").beta(config.urgency_alpha, config.urgency_beta, n)
        self.aware = streams("initial_awareness").random(n) < config.initial_awareness
        self.stage = np.full(n, Stage.PROSPECT, dtype=np.int8)
        self.stage_week = np.zeros(n, dtype=np.int32)
        self.quiet_until = np.zeros(n, dtype=np.int32)
        self.owner = np.full(n, NOBODY, dtype=np.int32)
        self.via_marketing = np.zeros(n, dtype=bool)
        self.channel = np.zeros(n, dtype=np.int8)
        self.marketing_estimate = np.zeros(n)
        self.reviewed = np.zeros(n, dtype=bool)
        self.freshness = np.ones(n)
        self.accepted_week = np.zeros(n, dtype=np.int32)
        self.approval_wait = np.zeros(n, dtype=np.int32)
        self.discount = np.zeros(n)
        self.promised = np.zeros(n)
        self.delivered = np.zeros(n)
        self.satisfaction = np.zeros(n)
        self.contract_value = np.zeros(n)
        self.won_week = np.full(n, -10**6, dtype=np.int32)
        self.onboarded = np.zeros(n, dtype=bool)
        self.remaining_onboarding = np.zeros(n)
        self.in_market = np.zeros(n, dtype=bool)
        """Whether the account, when it last became a lead, had a funded project in its buying window (read at
        lead review or prospecting, found out at discovery: :func:`sim.departments.sales.qualify`)."""
        self.clock = clock if clock is not None else Clock()
        """The week, shared with the model (:meth:`sim.accounts.VectorisedMarket.for_model` hands over its clock)."""
        self._seed_installed_base(n_reps, standard_service, streams("installed_base"))

    def _seed_installed_base(self, n_reps: int, standard_service: float, rng: np.random.Generator) -> None:
        """Make :func:`installed_base_size` accounts, chosen with probability rising with fit, active customers,
        and mark them: ``installed_base`` (fixed for the run: churned is final, so a week-0 customer is never won
        again) and ``start_contract_value`` (their contract value at the start of week 0, the base of the first
        year's revenue retention)."""
        self.installed_base = np.zeros(self.size, dtype=bool)
        """Whether the account was a customer at week 0 (the installed base); never changes during the run."""
        self.start_contract_value = np.zeros(self.size)
        """Annual contract value (EUR per year) each account held at the start of week 0 (0 outside the base)."""
        k = installed_base_size(self.config)
        if k == 0:
            return
        weights = self.fit / self.fit.sum()
        idx = rng.choice(self.size, size=k, replace=False, p=weights)
        self.stage[idx] = Stage.CUSTOMER
        self.aware[idx] = True
        self.owner[idx] = rng.integers(0, n_reps, k)
        self.won_week[idx] = -rng.integers(1, self.config.installed_base_tenure_weeks_max, k)
        self.stage_week[idx] = self.won_week[idx]
        self.onboarded[idx] = True
        self.discount[idx] = rng.uniform(0.0, self.config.installed_base_discount_max, k)
        self.contract_value[idx] = self.config.list_price * (1 - self.discount[idx])
        self.promised[idx] = standard_service
        self.delivered[idx] = standard_service
        self.satisfaction[idx] = np.clip(rng.normal(self.config.installed_base_satisfaction_mean,
                                                    self.config.installed_base_satisfaction_sd, k), 0, 1)
        self.installed_base[idx] = True
        self.start_contract_value[idx] = self.contract_value[idx]

    @property
    def week(self) -> int:
        """The current week (the model's clock)."""
        return self.clock.week

    # ----------------------------------------------------------------- bookkeeping
    def in_stage(self, stage: Stage) -> np.ndarray:
        """Indices of the accounts currently in ``stage``."""
        return np.flatnonzero(self.stage == int(stage))  # a plain int: an IntEnum makes numpy upcast to int64

    def move(self, idx: np.ndarray, stage: Stage, week: int) -> None:
        """Move accounts ``idx`` to ``stage`` as of ``week``."""
        self.stage[idx] = stage
        self.stage_week[idx] = week

    def rest(self, idx: np.ndarray, stage: Stage, week: int) -> None:
        """Send accounts to ``stage`` (prospect or disqualified) and keep them quiet for ``recycle_weeks``."""
        self.move(idx, stage, week)
        self.owner[idx] = NOBODY
        self.via_marketing[idx] = False
        self.reviewed[idx] = False
        self.quiet_until[idx] = week + self.config.recycle_weeks

    def in_contact_pool(self, week: int) -> np.ndarray:
        """Whether each account is in the contact pool (a prospect not resting after a failed attempt: whom
        campaigns, inquiries and prospecting can reach), as a boolean mask over accounts."""
        return (self.stage == Stage.PROSPECT.value) & (self.quiet_until <= week)

    def stage_counts(self) -> np.ndarray:
        """Number of accounts per stage, in :class:`Stage` order."""
        stage = self.stage
        return np.array([np.count_nonzero(stage == s) for s in range(len(Stage))])  # plain ints: no int64 upcast

    def active_customers(self) -> np.ndarray:
        """Indices of onboarded customers (the ones served and billed)."""
        return np.flatnonzero((self.stage == Stage.CUSTOMER.value) & self.onboarded)

    def account(self, i: int) -> AccountSnapshot:
        """A readable snapshot of account ``i`` in the current week (see :class:`AccountSnapshot`)."""
        if not 0 <= i < self.size:
            raise IndexError(f"account index {i} is out of range: allowed [0, {self.size - 1}]")
        week = self.week
        return AccountSnapshot(
            index=i, stage=Stage(self.stage[i]).name.lower(), weeks_in_stage=week - int(self.stage_week[i]),
            fit=float(self.fit[i]), price_sensitivity=float(self.price_sensitivity[i]),
            urgency=float(self.urgency[i]), aware=bool(self.aware[i]), owner=int(self.owner[i]),
            via_marketing=bool(self.via_marketing[i]), promised_service=float(self.promised[i]),
            delivered_service=float(self.delivered[i]), satisfaction=float(self.satisfaction[i]),
            contract_value=float(self.contract_value[i]), discount=float(self.discount[i]),
            tenure_weeks=max(0, week - int(self.won_week[i])) if self.stage[i] == Stage.CUSTOMER else 0,
            onboarded=bool(self.onboarded[i]))


# --------------------------------------------------------------------- customer-side rules
class AwarenessHazard(NamedTuple):
    """An unaware account's weekly awareness hazard by source (per week; word of mouth may be negative)."""

    innovation: float
    """Unprompted: ``bass_innovation`` / 52."""
    brand: float
    """From the brand stock: ``marketing.brand_awareness_effect`` x brand level."""
    word_of_mouth: float
    """From customers: ``bass_imitation`` / 52 x (promoters - detractors) / accounts."""

    @property
    def total(self) -> float:
        """The hazard of all three sources, never below 0 (detractors can cancel the rest, not reverse it)."""
        return max(self.innovation + self.brand + self.word_of_mouth, 0.0)


def awareness_hazard(config: MarketConfig, brand_effect: float, brand_level: float,
                     net_promoter_share: float) -> AwarenessHazard:
    """Bass (1969) for awareness of one vendor: h = p / 52 + brand_effect x brand_level + q / 52 x net promoter
    share, where p (``bass_innovation``, per year) is learning of us unprompted, ``brand_effect``
    (``marketing.brand_awareness_effect``, per week at the reference brand) scales with the brand stock against
    its fixed reference, and q (``bass_imitation``: peers a net promoter makes aware per year) spreads over the
    market through (promoters - detractors) / accounts.  Campaign touches are not in h (:func:`aware_probability`).
    The priors of p and q and why Bass's product-adoption figures are not used as they stand: ``sim.config``."""
    return AwarenessHazard(innovation=config.bass_innovation / WEEKS_PER_YEAR, brand=brand_effect * brand_level,
                           word_of_mouth=config.bass_imitation / WEEKS_PER_YEAR * net_promoter_share)


def aware_probability(hazard: float, touch_awareness: float, touched):
    """Weekly probability that an unaware account becomes aware: 1 - exp(-h) x (1 - a x touched), the hazard h
    (:func:`awareness_hazard`) and, when a campaign touched it this week, a touch that is remembered with
    probability a (``marketing.touch_awareness``), independently.  A touch no longer makes an account aware at
    once and for good.  Works on scalars and arrays of ``touched``."""
    return 1.0 - np.exp(-max(hazard, 0.0)) * (1.0 - touch_awareness * touched)


def net_promoter_share(market: Market) -> float:
    """(Promoters - detractors) / accounts: active customers with satisfaction above ``promoter_satisfaction``
    less those below ``detractor_satisfaction``, over the whole market."""
    cfg = market.config
    sat = market.satisfaction[market.active_customers()]
    return (np.count_nonzero(sat > cfg.promoter_satisfaction)
            - np.count_nonzero(sat < cfg.detractor_satisfaction)) / market.size


def awareness_hazards(market: Market, ctx: WeekContext, brand_level: float) -> AwarenessHazard:
    """This week's awareness hazard of the market's unaware accounts, by source (:func:`awareness_hazard`)."""
    return awareness_hazard(market.config, ctx.config.marketing.brand_awareness_effect, brand_level,
                            net_promoter_share(market))


def spread_awareness(market: Market, ctx: WeekContext, touched: np.ndarray, brand_level: float) -> int:
    """Awareness: unaware accounts learn of the company, over months, from several sources.

    An unaware account becomes aware this week with probability ``1 - exp(-h) x (1 - a x touched)``
    (:func:`aware_probability`): h is the Bass-style hazard of unprompted discovery, the brand and word of mouth
    (:func:`awareness_hazard`), a the chance a campaign touch is remembered (``marketing.touch_awareness``).
    Awareness is not intent: an aware account inquires only when it has a need (:func:`receive_inquiries`).

    Returns the number of accounts that became aware this week.  Draws: one per account of the market
    (``awareness``): one uniform decides, so a higher probability in one arm only adds accounts to the other's.
    """
    if market.aware.all():  # nobody left to learn of us: skip the week's draw (no other stream moves)
        return 0
    hazard, remembered = awareness_hazards(market, ctx, brand_level).total, ctx.config.marketing.touch_awareness
    p = np.where(touched, aware_probability(hazard, remembered, True), aware_probability(hazard, remembered, False))
    learn = ~market.aware & (ctx.rng("awareness").random(market.size) < p)
    market.aware |= learn
    return int(np.count_nonzero(learn))


def targeting_weights(fit_weight: np.ndarray, exponent: float) -> np.ndarray:
    """Each account's share of a targeted campaign's response, over the accounts it can reach: fit ** exponent
    (``fit_weight``, :func:`sim.departments.marketing.fit_weights`) over its mean (mean 1: targeting moves the
    response toward high-fit accounts without creating any; all 1 when the exponent is 0, blind targeting)."""
    if exponent == 0 or fit_weight.size == 0:
        return np.ones(fit_weight.size)
    return fit_weight / fit_weight.mean()


def inquiry_probability(urgency, organic: float, targeted: float, broad: float, targeting_weight):
    """An aware prospect's weekly inquiry probability: urgency x (organic + targeted x targeting weight + broad),
    capped at 1.  The need (urgency) gates every source: a campaign raises the chance that an account with a need
    calls us, it does not create the need.  Works on scalars and arrays."""
    return np.minimum(urgency * (organic + targeted * targeting_weight + broad), 1.0)


def inquiry_thresholds(urgency, organic: float, targeted: float, broad: float, targeting_weight):
    """The cumulative thresholds (organic, organic + targeted, total = :func:`inquiry_probability`) against which
    one uniform draw decides both whether and through which source an aware prospect inquires
    (:func:`inquiry_source`).  Works on scalars and arrays."""
    return (np.minimum(urgency * organic, 1.0), np.minimum(urgency * (organic + targeted * targeting_weight), 1.0),
            inquiry_probability(urgency, organic, targeted, broad, targeting_weight))


def inquiry_source(u, thresholds):
    """Where an inquiry drawn with uniform ``u`` came from: 0 organic, 1 targeted, 2 broad (the order of
    :data:`sim.departments.marketing.ORGANIC`, ``TARGETED``, ``BROAD``), -1 no inquiry.  Works on scalars and
    arrays."""
    to_organic, to_targeted, total = thresholds
    return np.where(u < to_organic, 0, np.where(u < to_targeted, 1, np.where(u < total, 2, -1)))


def receive_inquiries(market: Market, ctx: WeekContext, contact_pool: np.ndarray, response,
                      pool_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aware prospects with a need get in touch.

    Weekly probability = urgency x (organic + targeted x targeting weight + broad) (:func:`inquiry_probability`),
    where ``response`` (a :class:`sim.departments.marketing.CampaignResponse`) holds the organic rate (raised by
    the brand) and what each demand channel's adstocked, saturating spend adds; the targeted part is shared out
    by fit ** (precision x field knowledge) over the aware prospects of the pool (``pool_weight``: the contact
    pool's unnormalised weights, the campaigns' own, :func:`sim.departments.marketing.fit_weights`).
    ``contact_pool`` is this week's pool (no stage has changed since it was taken): accounts resting after a
    failed attempt stay quiet.  Returns the indices of the accounts that inquired and the source of each
    (:func:`inquiry_source`).  Draws: one per account of the market (``inquiry``).
    """
    aware = market.aware[contact_pool]
    pool = contact_pool[aware]
    weight = targeting_weights(pool_weight[aware], response.targeting_exponent)
    urgency, organic, targeted, broad = market.urgency[pool], response.organic, response.targeted, response.broad
    u = ctx.rng("inquiry").random(market.size)[pool]
    inquired = u < inquiry_probability(urgency, organic, targeted, broad, weight)
    # the source is read for the few who inquire only (the same thresholds as for all)
    thresholds = inquiry_thresholds(urgency[inquired], organic, targeted, broad, weight[inquired])
    return pool[inquired], inquiry_source(u[inquired], thresholds)


def update_satisfaction(market: Market, ctx: WeekContext, customers: np.ndarray, care: np.ndarray) -> None:
    """Expectation-disconfirmation: satisfaction drifts toward what delivery and care justify.

    target = base + disconfirmation_weight x (delivered - promised) + care_weight x (care - 0.5);
    satisfaction moves a share ``satisfaction_adjustment`` of the way each week, plus small noise,
    and stays in [0, 1] (Oliver 1980's expectation-disconfirmation model).  Draws: one per customer
    (``satisfaction``).
    """
    cfg = market.config
    gap = market.delivered[customers] - market.promised[customers]
    target = cfg.satisfaction_base + cfg.disconfirmation_weight * gap + cfg.care_weight * (care - 0.5)
    s = market.satisfaction[customers]
    s = s + cfg.satisfaction_adjustment * (target - s) + ctx.normal("satisfaction", customers, cfg.satisfaction_noise)
    market.satisfaction[customers] = np.clip(s, 0.0, 1.0)


def churn(market: Market, ctx: WeekContext, customers: np.ndarray) -> np.ndarray:
    """Unhappy customers leave.

    Annual churn = churn_annual_satisfied x exp(slope x max(0, neutral - satisfaction)) x the renewal price
    factor (:func:`sim.pricing.renewal_price_factor` of the price paid against the alternative), capped at
    ``churn_annual_max``, turned into a weekly hazard.  A satisfied customer at par churns at the SaaS benchmark
    rate (7-10 % a year, SaaS Capital 2019-23); one at satisfaction 0.3 about half the time.  Returns the churned
    indices.  Draws: one per customer (``churn``).
    """
    cfg = market.config
    shortfall = np.maximum(0.0, cfg.satisfaction_neutral - market.satisfaction[customers])
    premium = price_premium(price_paid(cfg, market.discount[customers]), cfg.reference_price)
    annual = np.minimum(cfg.churn_annual_satisfied * np.exp(cfg.churn_satisfaction_slope * shortfall)
                        * renewal_price_factor(premium, market.price_sensitivity[customers],
                                               cfg.renewal_price_response), cfg.churn_annual_max)
    weekly = 1.0 - (1.0 - annual) ** (1.0 / WEEKS_PER_YEAR)
    gone = customers[ctx.uniform("churn", customers) < weekly]
    market.move(gone, Stage.CHURNED, ctx.week)
    market.onboarded[gone] = False
    market.owner[gone] = NOBODY
    return gone


def expand(market: Market, ctx: WeekContext, customers: np.ndarray, care: np.ndarray) -> float:
    """Repeat business ('the last sale', seed 003): happy, cared-for customers buy more.

    Weekly probability = expansion_annual / 52 x satisfaction x care; one expansion adds
    ``expansion_size`` of the contract value.  Returns the annual contract value added.  Draws: one per customer
    (``expansion``).
    """
    cfg = market.config
    p = cfg.expansion_annual / WEEKS_PER_YEAR * market.satisfaction[customers] * care
    grow = customers[ctx.uniform("expansion", customers) < p]
    added = market.contract_value[grow] * cfg.expansion_size
    market.contract_value[grow] += added
    return float(added.sum())


def invoice(contract_value, won_week, installed_base, week: int):
    """One week's invoice of onboarded customers and how it is booked: contract value / 52 each
    (``WEEKS_PER_YEAR``); first-year revenue when the customer was won less than a year before ``week``;
    installed-base revenue when it was a customer at week 0.  Works on arrays (the vectorised market) and on
    scalars (one account of the per-agent reference) alike.  Returns (invoice, first_year, from_installed_base)."""
    return contract_value / WEEKS_PER_YEAR, (week - won_week) < WEEKS_PER_YEAR, installed_base


def bill(market: Market, customers: np.ndarray, week: int) -> tuple[float, float, float]:
    """Weekly invoices of onboarded customers (:func:`invoice`).

    Returns (revenue from customers in their first year, revenue from customers beyond it, revenue from the
    installed base, i.e. the week-0 customers; the first two add up to the week's revenue, and the rest of it,
    revenue minus the installed base's, is new business: customers won during the run).
    """
    weekly, first_year, base = invoice(market.contract_value[customers], market.won_week[customers],
                                       market.installed_base[customers], week)
    return float(weekly[first_year].sum()), float(weekly[~first_year].sum()), float(weekly[base].sum())
