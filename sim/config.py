"""Configuration schema: every number the model uses, with its business meaning, unit and range.

Each field is declared with :func:`param`, which records the allowed range and the unit in the
field's metadata; the attribute docstring under it says what the number means for the business
and where its default comes from (see ``docs/calibration.md`` for the sources).  The schema is
registered in Hydra's ConfigStore as ``base_config`` so that a typo in an override fails at
composition time, and :func:`validate` checks every range before any run starts.

The model itself only ever sees the plain dataclasses defined here; it knows nothing of Hydra.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

MARKETING_PAY_SCHEMES = ("lead_volume", "pipeline", "revenue")
SALES_PAY_SCHEMES = ("new_revenue", "total_revenue", "margin")


class ConfigError(ValueError):
    """An invalid configuration value; the message names the field, the value and the allowed range."""


def param(default: Any, low: float | None = None, high: float | None = None, unit: str = "",
          choices: tuple[str, ...] | None = None, on_reset: bool = False, *, source: str | None = None,
          fitted: str | None = None, prior: tuple[float, float] | None = None, prior_shape: str | None = None):
    """Declare a config field with its allowed range (inclusive) or its allowed choices and its unit.

    ``on_reset`` marks a policy lever that the model reads only when it is built (moving it in a running model
    changes nothing, so the dashboard says "applies on reset"); every other policy lever is read live, each
    week, by the mechanism that uses it.

    Provenance (every non-policy field states one, see :func:`provenance`):

    - ``source``: a dated published source and the figure taken from it ("Sultan, Farley & Lehmann (1990),
      J. Marketing Research 27(1): p = 0.03 per year");
    - ``fitted``: which calibration fitted the default, to which targets;
    - ``prior``: ``(low, high)``, the range of values a later calibration may explore.  Alone it marks a
      *judgement* (set by hand within that range); beside a source or a fit it is the range the source gives
      or the calibration searched.
    - ``prior_shape``: how a calibration draws inside the prior range, "uniform" or "log-uniform"; by default
      :func:`default_prior_shape` (log-uniform where the range spans a factor of 4 or more, so each order of
      magnitude is as likely as the next)."""
    if prior_shape is not None and prior_shape not in PRIOR_SHAPES:
        raise ValueError(f"prior_shape {prior_shape!r} is not one of {PRIOR_SHAPES}")
    return field(default=default, metadata={"low": low, "high": high, "unit": unit, "choices": choices,
                                            "on_reset": on_reset, "source": source, "fitted": fitted,
                                            "prior": prior, "prior_shape": prior_shape})


PRIOR_SHAPES = ("uniform", "log-uniform")
"""How a calibration may draw a parameter inside its prior range."""
LOG_PRIOR_SPAN = 4.0
"""A prior range whose high bound is at least this many times its (positive) low bound is log-uniform by default:
over such a span the scale itself is uncertain (a rate of 0.004 or 0.03 a week), and a uniform prior would put
nine tenths of its mass in the top decade."""


def default_prior_shape(low: float, high: float) -> str:
    """The prior shape a field gets unless it declares one: log-uniform when ``low > 0`` and
    ``high / low >= LOG_PRIOR_SPAN``, uniform otherwise (a range through zero, or a narrow one)."""
    return "log-uniform" if low > 0 and high / low >= LOG_PRIOR_SPAN else "uniform"


@dataclass(frozen=True)
class Provenance:
    """Where a default comes from: ``kind`` is "source", "fitted", "judgement", "lever" (a policy lever: it
    describes a firm's choice, not the world), "switch" (a feedback loop's on/off switch: an experiment's
    setting, :class:`LoopsConfig`) or "none" (not yet stated); ``text`` the source or the fit;
    ``prior`` the (low, high) range a calibration may explore."""

    kind: str
    text: str = ""
    prior: tuple[float, float] | None = None
    prior_shape: str | None = None


PROVENANCE_KINDS = ("source", "fitted", "judgement", "lever", "switch", "none")


@dataclass
class MarketConfig:
    """The customer accounts: who they are, how they hear of us, buy, stay and leave."""

    accounts: int = param(20_000, 1, 50_000_000, "accounts", prior=(5_000, 50_000))
    """Number of business accounts in the addressable market (prospects and customers alike)."""
    initial_customers: int = param(-1, -1, 50_000_000, "accounts (-1: installed_base_share x accounts)",
                                   prior=(-1, -1))
    """Accounts that are already active customers at week 0 (the installed base), as a count; -1 (the default)
    takes ``installed_base_share`` of ``accounts`` instead, so the installed base scales with the market.  A
    count given here (``market.initial_customers=60``) means what it always meant and wins over the share.  A
    switch, not a quantity: its prior keeps it at -1 and a calibration explores ``installed_base_share``."""
    installed_base_share: float = param(0.02, 0.0, 1.0, "share of accounts", prior=(0.005, 0.1))
    """Share of the addressable market's accounts that are customers at week 0 (market penetration of a firm
    about three years into its market), rounded to the nearest whole account; used when ``initial_customers``
    is -1.  2 % is the old default's 400 of 20,000 accounts (set by judgement; the presets state theirs)."""
    initial_awareness: float = param(0.10, 0.0, 1.0, "share of accounts", prior=(0.02, 0.3))
    """Share of prospects that already know the company at week 0 (have heard of it and would recall it: not an
    intent to buy; set by judgement for a firm about three years into its market)."""
    fit_alpha: float = param(1.5, 0.1, 50.0, "Beta shape a", prior=(0.75, 3.0))
    """Shape a of the Beta distribution of latent fit (0-1: how well the offer solves the account's problem)."""
    fit_beta: float = param(5.0, 0.1, 50.0, "Beta shape b", prior=(2.5, 10.0))
    """Shape b of the Beta distribution of latent fit; default Beta(1.5, 5) has mean fit 0.23: most
    accounts that inquire are poor fits, which is why qualification matters."""
    list_price: float = param(24_000.0, 0.0, 1e9, "EUR per account per year", prior=(12_000.0, 48_000.0))
    """Annual contract value at list price (mid-market B2B subscription)."""
    price_sensitivity_mean: float = param(0.5, 0.0, 1.0, "0-1 score", prior=(0.3, 0.7))
    """Mean price sensitivity of accounts (0 indifferent to price, 1 fully sensitive): it scales how strongly the
    price asked against ``reference_price`` moves an account's win and churn hazards (:mod:`sim.pricing`)."""
    reference_price: float = param(24_000.0, 1.0, 1e9, "EUR per account per year", prior=(18_000.0, 30_000.0))
    """Price of the buyers' next-best alternative, a competitor's contract of the same scope: the anchor against
    which every price asked or paid is judged.  At the default the list price is at par with the competition."""
    price_response: float = param(24.0, 0.0, 100.0, "logit coefficient per unit of relative premium",
                                  prior=(8.0, 40.0))
    """Logit price coefficient of a fully price-sensitive account: the win hazard is multiplied by
    2 / (1 + exp(b x s x (price / reference - 1))) (:func:`sim.pricing.win_price_factor`), s the account's price
    sensitivity after the brand's shield.  The calibration target is the elasticity of customers won to the list
    price: at the default, -1.1 over three years in the baseline (``python -m benchmarks.price_response``),
    inside the span from "B2B software is less elastic" to the meta-analytic mean of -1.76 (Tellis 1988, JMR
    25(4); -2.62 in Bijmolt, van Heerde & Pieters 2005, JMR 42(2), both mostly consumer goods).  The win hazard's
    own elasticity at par is b x s / 2, 3.6 for the mean account at the reference brand; customers won answer
    less, because a deal lost on price may come back and reps behind quota discount more."""
    renewal_price_response: float = param(4.0, 0.0, 20.0, "log churn per unit of relative premium",
                                          prior=(0.0, 8.0))
    """How strongly the price a customer pays, against ``reference_price``, moves its churn: annual churn x
    exp(r x s x (paid / reference - 1)) (:func:`sim.pricing.renewal_price_factor`).  At the default a customer of
    mean sensitivity 0.5 paying 10 % above the alternative churns 22 % more, one on a 10 % discount 18 % less;
    at twice the reference price churn is 7.4 times higher (a renewal is when a buyer re-tenders)."""
    churn_annual_max: float = param(0.99, 0.0, 1.0, "share per year", prior=(0.9, 0.999))
    """Highest annual churn of any customer, however unhappy or overcharged (keeps the weekly hazard defined)."""
    bass_innovation: float = param(0.03, 0.0, 1.0, "per year", prior=(0.005, 0.1))
    """Unprompted awareness rate (the innovation term p of Bass 1969, applied to *awareness of one vendor*): the
    yearly hazard at which an unaware account learns of us through no campaign, brand or customer of ours (trade
    press, search, analysts, a new hire who knew us).  Bass's p for product adoption is about 0.03 a year
    (Sultan, Farley & Lehmann 1990, J. Marketing Research 27(1)); hearing of one vendor is a lower bar than
    adopting a category but one vendor among many is less visible than the category, so that figure is kept only
    as the middle of a prior range (set by judgement)."""
    bass_imitation: float = param(5.0, 0.0, 50.0, "accounts made aware per net promoter per year",
                                  prior=(1.0, 12.0))
    """Word of mouth (the imitation term q of Bass 1969, for awareness of one vendor): peers a customer who
    recommends us (a promoter, net of detractors who warn peers off) makes aware of us in a year, spread over
    the market's accounts, so an unaware account's weekly hazard is q / 52 x (promoters - detractors) / accounts.
    Bass's q for product adoption, about 0.38 a year (Sultan, Farley & Lehmann 1990), counts adoptions an
    adopter causes; awareness of a vendor spreads further than adoption (a recommendation reaches several peers;
    B2B buyers name peers as their first source on vendors), so 5 peers a year (about one every ten weeks) is a
    judgement within its prior."""
    inquiry_rate: float = param(0.012, 0.0, 1.0, "probability per week", prior=(0.004, 0.03))
    """Weekly probability that an aware prospect of urgency 1 sends an inquiry unprompted (with no campaign this
    week and the brand at reference): the need arises and the account calls a vendor it knows (set by
    judgement)."""
    campaign_response: float = param(0.015, 0.0, 1.0, "probability per week at saturation", prior=(0.005, 0.05))
    """Largest weekly inquiry probability one demand-generation channel (targeted or broad) adds to an aware
    prospect of urgency 1 when its adstocked spend saturates it; at a given spend the channel adds this times its
    Hill response (``marketing.half_saturation_*``, ``marketing.response_shape``).  Set by judgement so that, at
    the default budget, campaigns prompt about half the inquiries of aware accounts."""
    lead_decay: float = param(0.25, 0.0, 5.0, "per week waited", prior=(0.125, 0.5))
    """Lead-response decay: a lead's chance to convert is multiplied by exp(-lead_decay x weeks waiting);
    steep, after Oldroyd, McElheran & Elkington (2011), HBR 89(3), who measure the fall in hours (7x the odds of
    qualifying when a lead is answered within 1 h); the weekly rate itself is set by judgement."""
    lead_timeout_weeks: int = param(6, 1, 104, "weeks", prior=(3, 12))
    """Weeks an unworked lead waits before it goes back to the prospect pool (recycled)."""
    recycle_weeks: int = param(26, 1, 520, "weeks", prior=(13, 52))
    """Weeks a recycled or disqualified account stays quiet before it may inquire again."""
    churn_annual_satisfied: float = param(0.06, 0.0, 1.0, "share per year", prior=(0.03, 0.10))
    """Annual churn of a customer at neutral-to-good satisfaction, set by judgement below the 7-10 % gross churn
    of the whole base of healthy B2B SaaS firms (SaaS Capital 2019-23), which is a calibration target, not this
    figure."""
    churn_satisfaction_slope: float = param(5.0, 0.0, 100.0, "logit per satisfaction unit", prior=(2.5, 10.0))
    """How sharply churn rises as satisfaction falls below the neutral level (log churn per unit)."""
    satisfaction_neutral: float = param(0.70, 0.0, 1.0, "0-1 score", prior=(0.55, 0.85))
    """Satisfaction below which churn rises above its satisfied level (the expectation anchor)."""
    satisfaction_base: float = param(0.65, 0.0, 1.0, "0-1 score", prior=(0.5, 0.8))
    """Satisfaction a customer settles at when delivery matches the promise and care is half of full."""
    satisfaction_adjustment: float = param(0.15, 0.0, 1.0, "share per week", prior=(0.075, 0.3))
    """Weekly speed at which satisfaction moves toward what delivery and care justify."""
    disconfirmation_weight: float = param(1.5, 0.0, 10.0, "satisfaction per service-level unit", prior=(0.75, 3.0))
    """Expectation-disconfirmation weight: satisfaction gained per unit of delivered minus promised service."""
    care_weight: float = param(0.25, 0.0, 5.0, "satisfaction per care unit", prior=(0.125, 0.5))
    """Satisfaction gained from full account-management care versus none (the 'last sale')."""
    expansion_annual: float = param(0.5, 0.0, 5.0, "expansions per year", prior=(0.2, 1.0))
    """Yearly rate of repeat business (upsell) of a fully satisfied, fully cared-for customer.  With
    ``expansion_size`` set by hand so that full alignment's net revenue retention lands in the SaaS median of
    100-104 % (SaaS Capital 2019-23, EVIDENCE) and the baseline's below it (0.25 x 0.15 gave 96 % aligned)."""
    expansion_size: float = param(0.2, 0.0, 5.0, "share of contract value", prior=(0.075, 0.3))
    """Contract value added by one expansion, as a share of the current contract value."""
    npv_rate_annual: float = param(0.10, 0.0, 1.0, "per year", prior=(0.05, 0.2))
    """Discount rate for the net present value of revenue."""
    price_sensitivity_shape: float = param(2.0, 0.1, 100.0, "Beta shape (a = b)", prior=(1.0, 4.0))
    """Shape of the symmetric Beta distribution of price sensitivity, rescaled to mean
    ``price_sensitivity_mean``; 2 gives a hump with most accounts in the middle (set by judgement)."""
    in_market_share: float = param(0.7, 0.0, 1.0, "share of new leads", prior=(0.4, 0.95))
    """Share of accounts that, when they become a lead, have a funded project in its buying window (BANT's budget
    and timing): only they can become opportunities (:func:`sim.departments.sales.qualify`).  Fit says whether
    the offer solves the account's problem, not whether it will buy this quarter; most B2B buyers are out of
    market at any time (Dawes 2021, "the 95-5 rule", LinkedIn B2B Institute), and those who get in touch are
    in market far more often than the rest.  The share among leads is a judgement."""
    urgency_alpha: float = param(1.5, 0.1, 50.0, "Beta shape a", prior=(0.75, 3.0))
    """Shape a of the Beta distribution of urgency (0-1: how pressing the need is; scales inquiry rates)."""
    urgency_beta: float = param(3.0, 0.1, 50.0, "Beta shape b", prior=(1.5, 6.0))
    """Shape b of the Beta distribution of urgency; Beta(1.5, 3) has mean 1/3: most needs can wait
    (set by judgement)."""
    installed_base_discount_max: float = param(0.15, 0.0, 0.5, "share of list price", prior=(0.0, 0.3))
    """Largest discount held by a customer of the installed base at week 0 (uniform from 0; set by judgement)."""
    installed_base_tenure_weeks_max: int = param(156, 2, 5_200, "weeks", prior=(52, 520))
    """Longest tenure of an installed-base customer at week 0 (tenures uniform from 1 week; three years: a firm
    about three years into its market; set by judgement)."""
    installed_base_satisfaction_mean: float = param(0.62, 0.0, 1.0, "0-1 score", prior=(0.5, 0.75))
    """Mean satisfaction of the installed base at week 0, just under the neutral level (set by judgement)."""
    installed_base_satisfaction_sd: float = param(0.08, 0.0, 1.0, "0-1 score (s.d.)", prior=(0.02, 0.15))
    """Spread of the installed base's satisfaction at week 0 (set by judgement)."""
    promoter_satisfaction: float = param(0.7, 0.0, 1.0, "0-1 score", prior=(0.6, 0.9))
    """Satisfaction above which a customer recommends us (a promoter in the word-of-mouth term)."""
    detractor_satisfaction: float = param(0.3, 0.0, 1.0, "0-1 score", prior=(0.15, 0.5))
    """Satisfaction below which a customer warns others off (a detractor)."""
    satisfaction_noise: float = param(0.02, 0.0, 1.0, "0-1 score (s.d. per week)", prior=(0.01, 0.04))
    """Week-to-week noise in each customer's satisfaction (moods, incidents we do not model)."""


@dataclass
class MarketingConfig:
    """The marketing department: budget, channels, lead qualification and brand."""

    staff: int = param(4, 1, 10_000, "people", prior=(2, 10))
    """Number of marketers (Mesa agents)."""
    weekly_budget: float = param(25_000.0, 0.0, 1e10, "EUR per week", prior=(10_000.0, 50_000.0))
    """Programme budget spent each week over campaigns (demand generation, brand, and the rest)."""
    cost_per_touch_broad: float = param(12.0, 0.01, 1e6, "EUR per account touched", prior=(4.0, 30.0))
    """Cost of touching one account with a broad, cheap channel (lists, display, trade shows)."""
    cost_per_touch_targeted: float = param(40.0, 0.01, 1e6, "EUR per account touched", prior=(15.0, 120.0))
    """Cost of touching one account with a targeted channel (account-based campaigns)."""
    targeting_precision: float = param(3.0, 0.0, 20.0, "exponent on fit", prior=(1.0, 6.0))
    """How strongly targeted channels reach high-fit accounts (touch weight = fit ** precision x knowledge)."""
    waste_share: float = param(0.15, 0.0, 1.0, "share of budget", prior=(0.05, 0.3))
    """Share of the budget that goes to items with no measurable return (gadgets, unused brochures) when nobody
    checks."""
    brand_share: float = param(0.25, 0.0, 1.0, "share of budget", prior=(0.1, 0.5))
    """Share of the budget marketing puts into long-term brand building under a long-horizon reward."""
    brand_decay: float = param(0.012, 0.0, 1.0, "share per week", prior=(0.005, 0.03))
    """Weekly decay of the brand stock (half-life about a year at 0.012: longer than a campaign's carry-over,
    ``adstock_half_life_weeks``, as brand effects outlast activation; set by judgement)."""
    brand_reference_spend: float = param(6_250.0, 0.0, 1e10, "EUR per week", prior=(3_125.0, 12_500.0))
    """Brand spend whose steady-state stock is brand level 1: the company's brand at week 0 was built by
    this much a week (the default budget x the default brand share)."""
    brand_awareness_effect: float = param(0.0026, 0.0, 1.0, "hazard per week at the reference brand",
                                          prior=(0.0005, 0.006))
    """Weekly awareness hazard the brand stock gives an unaware account at brand level 1 (the reference),
    proportional to the brand level: a firm that lets its brand decay is heard of less, one that invests more
    is heard of more.  0.0026 (about 13 % of the unaware a year) is the old rule's p/52 x brand plus 0.002 x brand
    at the reference, now one coefficient (set by judgement)."""
    brand_price_effect: float = param(0.6, 0.0, 1.0, "share of price sensitivity", prior=(0.2, 0.9))
    """Largest share of an account's price sensitivity a brand can remove (a very strong brand earns a price
    premium): the share removed is effect x brand / (brand + ``brand_price_half_level``)
    (:func:`sim.pricing.brand_price_shield`); 0.4 of it at the reference brand with the default half level."""
    brand_price_half_level: float = param(0.5, 0.01, 100.0, "brand level (1 = reference)", prior=(0.2, 2.0))
    """Brand level at which the brand removes half of its largest share of price sensitivity (saturation)."""
    brand_inquiry_elasticity: float = param(
        0.24, 0.0, 2.0, "elasticity", prior=(0.05, 0.5),
        source="Sethuraman, Tellis & Briesch (2011), J. Marketing Research 48(3): mean long-run advertising "
               "elasticity of sales 0.24")
    """Elasticity of aware prospects' unprompted inquiry rate to the brand stock: the rate is multiplied by
    brand_level ** elasticity (1 at the starting brand).  The brand stock carries past spend forward (decay
    ``brand_decay``), so this is a long-run elasticity; 0.24 is the mean long-run advertising elasticity of
    sales in the meta-analysis of Sethuraman, Tellis & Briesch (2011, JMR 48(3)), applied here to the
    propensity to get in touch, the first step of a B2B sale."""
    touch_awareness: float = param(0.10, 0.0, 1.0, "probability per touch", prior=(0.03, 0.3))
    """Probability that a campaign touch (an e-mail, an ad, a stand visited) makes an unaware account aware of us:
    most touches are not remembered, so awareness builds over many touches and months, not at the first contact
    (set by judgement)."""
    adstock_half_life_weeks: float = param(
        9.0, 0.0, 520.0, "weeks", prior=(4.0, 20.0),
        source="Clarke (1976), J. Marketing Research 13(4): 90 % of the cumulative effect of advertising on sales "
               "within 3-15 months; Leone (1995), Marketing Science 14(3): 6-9 months")
    """Half-life of a demand channel's carry-over (adstock): the effective spend of a channel is its spend
    geometrically averaged over past weeks, so a campaign keeps prompting inquiries after it stops.  With weekly
    retention r = 0.5 ** (1 / half-life), 90 % of a week's effect comes within log(0.1) / log(r) = 3.32 half-lives;
    9 weeks puts that at 30 weeks (6.9 months), inside Leone's 6-9 months and Clarke's 3-15; the prior spans
    Clarke's range (13-65 weeks for 90 %: half-lives 4-20 weeks).  0 means no carry-over."""
    half_saturation_broad: float = param(10_000.0, 1.0, 1e10, "EUR per week (adstocked)", prior=(3_000.0, 40_000.0))
    """Adstocked weekly spend at which a broad channel gives half its largest inquiry response (the Hill
    curve's half-saturation point, as in media-mix models: Jin, Wang, Sun, Chan & Koehler 2017, Google); near the
    default plan's broad spend, so an extra euro there earns about half what the first euro did (set by
    judgement)."""
    half_saturation_targeted: float = param(6_000.0, 1.0, 1e10, "EUR per week (adstocked)",
                                            prior=(2_000.0, 25_000.0))
    """Adstocked weekly spend at which a targeted (account-based) channel gives half its largest inquiry
    response; lower than the broad channel's because the same euros speak to fewer, better chosen accounts
    (set by judgement)."""
    response_shape: float = param(1.0, 0.1, 10.0, "Hill exponent", prior=(0.5, 2.5))
    """Shape of each demand channel's saturating response (the Hill exponent; ADBUDG's c in Little 1970,
    Management Science 16(8)): 1 is concave from the first euro (every extra euro earns less), above 1 an
    S-curve with a threshold below which spend does little (set by judgement)."""
    qualification_noise_max: float = param(0.30, 0.0, 2.0, "fit units (s.d.)", prior=(0.15, 0.5))
    """Noise in marketing's estimate of a lead's fit when marketing has no field knowledge."""
    qualification_noise_min: float = param(0.05, 0.0, 2.0, "fit units (s.d.)", prior=(0.02, 0.15))
    """Noise in marketing's estimate of fit at full field knowledge."""
    field_knowledge_initial: float = param(0.15, 0.0, 1.0, "0-1 score", prior=(0.05, 0.3))
    """Field knowledge of a marketer with no sales experience (what they know of real buyers)."""
    field_knowledge_sales_experienced: float = param(0.6, 0.0, 1.0, "0-1 score", prior=(0.4, 0.8))
    """Field knowledge of a marketer hired with at least six months of selling (seed 001, remedy 1)."""
    learning_rate: float = param(0.05, 0.0, 1.0, "share per week", prior=(0.01, 0.15))
    """Weekly share of the knowledge gap closed by feedback that actually arrives from sales."""
    forgetting_rate: float = param(0.005, 0.0, 1.0, "share per week", prior=(0.001, 0.02))
    """Weekly loss of field knowledge as the market moves on."""
    mql_threshold_volume: float = param(0.42, 0.0, 1.0, "estimated fit", prior=(0.35, 0.5))
    """Lead-passing threshold of marketers paid on lead volume (a low bar)."""
    mql_threshold_pipeline: float = param(0.45, 0.0, 1.0, "estimated fit", prior=(0.38, 0.52))
    """Lead-passing threshold of marketers paid on pipeline."""
    mql_threshold_revenue: float = param(0.50, 0.0, 1.0, "estimated fit", prior=(0.42, 0.6))
    """Lead-passing threshold of marketers paid on revenue or a shared goal (a quality bar)."""
    targeted_share_lead_volume: float = param(0.3, 0.0, 1.0, "share of demand-generation spend", prior=(0.1, 0.5))
    """Share of demand-generation spend put into targeted channels by marketers paid on lead volume
    (cheap reach wins: seed 001, #4; set by judgement)."""
    targeted_share_pipeline: float = param(0.55, 0.0, 1.0, "share of demand-generation spend", prior=(0.35, 0.75))
    """Share put into targeted channels by marketers paid on pipeline."""
    targeted_share_revenue: float = param(0.75, 0.0, 1.0, "share of demand-generation spend", prior=(0.55, 0.9))
    """Share put into targeted channels by marketers paid on revenue (or fully on the shared goal)."""
    waste_knowledge_cut: float = param(0.5, 0.0, 1.0, "share of waste at full knowledge", prior=(0.2, 0.8))
    """Share of the wasted budget a marketer with full field knowledge avoids (they know what sells)."""
    brand_share_under_sales: float = param(0.4, 0.0, 1.0, "x brand share", prior=(0.2, 0.7))
    """Brand budget kept when marketing reports to sales, as a multiple of ``brand_share``: a sales boss's
    horizon is the quarter (seed 001, remedy 5; set by judgement)."""
    sales_direction_enablement_boost: float = param(1.3, 1.0, 5.0, "x usefulness", prior=(1.0, 1.6))
    """Multiplier on the usefulness of sales material when marketing reports to sales (sales directs what
    gets made: seed 001, remedy 5; set by judgement).  Usefulness is capped at 1."""
    brand_attribution: float = param(0.3, 0.0, 1.0, "share of organic leads", prior=(0.1, 0.6))
    """Share of organic leads that sales' CRM credits to the brand when it judges campaigns' short-run return."""
    veto_reallocation: float = param(0.5, 0.0, 1.0, "share of vetoed budget", prior=(0.0, 1.0))
    """Share of a vetoed campaign's budget moved to the surviving demand channels; the rest is saved."""
    staff_cost_weekly: float = param(2_000.0, 0.0, 1e7, "EUR per person per week", prior=(1_500.0, 3_000.0))
    """Loaded weekly cost of one marketer."""


@dataclass
class SalesConfig:
    """The sales force: hours, leads, opportunities, quota, discounts and promises."""

    reps: int = param(8, 1, 10_000, "people", prior=(4, 16))
    """Number of sales reps (Mesa agents)."""
    hours_per_week: float = param(40.0, 1.0, 100.0, "hours per rep per week", prior=(32.0, 50.0))
    """Selling hours of one rep per week."""
    hours_per_lead_review: float = param(0.5, 0.0, 40.0, "hours per lead", prior=(0.25, 1.0))
    """Time to look at a new marketing lead and decide whether to work it."""
    hours_per_open_deal: float = param(2.5, 0.0, 40.0, "hours per deal per week", prior=(1.25, 5.0))
    """Weekly time one accepted lead or opportunity takes while it is open."""
    hours_per_customer_care: float = param(0.1, 0.0, 40.0, "hours per customer per week", prior=(0.05, 0.2))
    """Weekly account-management time one customer needs for full care."""
    quota_period_weeks: int = param(13, 1, 52, "weeks", prior=(4, 13))
    """Length of a quota period (13 = quarterly); the period review where blame happens runs at its end.  Sales
    targets are settled per month or per quarter (seed 002), the span of the prior."""
    quota_deals: float = param(2.6, 0.0, 1e6, "deals at list price per rep per period", prior=(1.5, 4.0),
                               fitted="bisection on the calibration seed root to 56 % of the baseline's reps at "
                                      "quota, the middle of CSO Insights' 52-60 % (python -m "
                                      "sim.studies.calibration --fit-quota)")
    """Bookings target per rep per quota period, in deals at list price: a rep's quota is
    quota_deals x list_price of new annual contract value (:func:`sim.pricing.quota_value`), so repricing resets
    it as a sales organisation would.  Fitted on the calibration seed root to reps at quota and checked on the
    validation root.  It holds for the default market's 2,500 accounts per rep (20,000 accounts, 8 reps): with
    fewer accounts per rep, fewer reps reach it."""
    skill_sd: float = param(0.25, 0.0, 2.0, "multiplier s.d.", prior=(0.1, 0.5))
    """Spread of rep selling skill (log-normal multiplier on the win hazard, mean 1)."""
    estimation_noise: float = param(0.15, 0.0, 2.0, "fit units (s.d.)", prior=(0.075, 0.3))
    """Noise in a rep's first read of a lead's fit."""
    qualification_noise: float = param(0.06, 0.0, 2.0, "fit units (s.d.)", prior=(0.03, 0.12))
    """Noise in the rep's read of fit after qualification calls."""
    acceptance_threshold: float = param(0.30, 0.0, 1.0, "estimated fit", prior=(0.15, 0.5))
    """Fit a rep needs to see to work a lead when trust in marketing is full and workload normal."""
    distrust_threshold_slope: float = param(0.35, 0.0, 2.0, "fit units per unit distrust", prior=(0.175, 0.7))
    """How much the acceptance bar rises as trust in marketing falls (k1 in MECHANISMS rule 4)."""
    overload_threshold_slope: float = param(0.15, 0.0, 2.0, "fit units per unit overload", prior=(0.075, 0.3))
    """How much the acceptance bar rises with workload above capacity (k2)."""
    project_signal: float = param(0.3, 0.0, 2.0, "fit units", prior=(0.0, 0.6))
    """How much better an in-market lead reads to a rep than one out of market (signs of a live project: a budget
    holder on the call, a date to decide by), in units of estimated fit (:func:`sim.departments.sales.lead_read`).
    Marketing's scoring does not see it, so a lead SLA makes sales follow up out-of-market leads it would skip."""
    qualification_threshold: float = param(0.25, 0.0, 1.0, "estimated fit", prior=(0.15, 0.5))
    """Fit a rep needs to see after qualification to open an opportunity (SAL to SQL); set by hand (0.30 before
    leads could be out of market) so the baseline's SAL to SQL lands in 50-70 % (SiriusDecisions waterfall)."""
    qualification_weeks: int = param(2, 1, 26, "weeks", prior=(1, 4))
    """Weeks of discovery calls between accepting a lead and qualifying or dropping it."""
    late_pickup_probability: float = param(0.08, 0.0, 1.0, "probability per week", prior=(0.04, 0.16))
    """Weekly chance that an ignored lead is picked up after all (in a quiet week)."""
    base_win_hazard: float = param(0.10, 0.0, 1.0, "probability per week", prior=(0.05, 0.2))
    """Weekly win probability of a perfect-fit opportunity, worked fully, at par with the competitor's price,
    normal delivery; set by hand (0.12 before the price logit) so that SQL to won lands in 20-30 %
    (SiriusDecisions waterfall) in the baseline and under full alignment."""
    base_loss_hazard: float = param(0.12, 0.0, 1.0, "probability per week", prior=(0.06, 0.24))
    """Weekly loss hazard scale: a deal's loss hazard is base x (loss_hazard_offset - fit)."""
    fit_exponent: float = param(1.5, 0.0, 10.0, "exponent", prior=(0.75, 3.0))
    """Exponent alpha on fit in the win hazard."""
    enablement_effect: float = param(0.5, 0.0, 10.0, "hazard multiplier at full usefulness", prior=(0.25, 1.0))
    """Extra win hazard from fully useful sales-enablement material (seed 000: useless tools block sales)."""
    promise_effect: float = param(1.0, 0.0, 50.0, "hazard multiplier per unit promise inflation", prior=(0.5, 2.0))
    """Extra win hazard per unit of service promised above standard (why overpromising tempts)."""
    base_discount: float = param(0.04, 0.0, 0.5, "share of list price", prior=(0.02, 0.08))
    """Discount a rep gives with no quota pressure (bounded by the discount authority)."""
    pressure_discount_slope: float = param(0.35, 0.0, 5.0, "discount per unit pressure", prior=(0.175, 0.7))
    """Extra discount per unit of quota pressure (shortfall x time into period), before the authority cap."""
    promise_inflation_slope: float = param(0.5, 0.0, 5.0, "inflation per unit pressure", prior=(0.25, 1.0))
    """Service promised above what operations can deliver, per unit pressure, at zero operations knowledge."""
    own_care_share: float = param(0.2, 0.0, 1.0, "share of rep hours", prior=(0.05, 0.4))
    """Share of the hours the policy leaves to selling that a rep paid on total revenue or margin gives existing
    customers of their own accord, on top of the policy's share: their renewals and expansions count in that pay
    (set by judgement)."""
    prospecting_share: float = param(0.10, 0.0, 1.0, "share of free hours", prior=(0.05, 0.3))
    """Share of a rep's free hours spent prospecting on their own."""
    hours_per_prospect: float = param(4.0, 0.1, 100.0, "hours per self-sourced lead", prior=(2.0, 8.0))
    """Time to find and open one self-sourced lead."""
    prospects_screened_per_lead: int = param(3, 1, 100, "prospects per self-sourced lead", prior=(1, 6))
    """Aware prospects a rep screens for each self-sourced lead opened (it opens the best reads)."""
    meeting_hours: float = param(2.0, 0.0, 40.0, "hours per rep per meeting", prior=(1.0, 4.0))
    """Selling hours a joint meeting takes from each rep's week."""
    overload_cap: float = param(3.0, 0.0, 100.0, "demand / available hours - 1", prior=(1.5, 6.0))
    """Largest overload a rep's acceptance bar responds to (past it, more work changes nothing)."""
    busy_followup_slope: float = param(1.0, 0.0, 20.0, "per unit overload", prior=(0.25, 4.0))
    """How fast a busy rep stops getting to leads outside the fresh review (late pick-ups, SLA follow-ups): the
    weekly chance is 1 / (1 + slope x overload) (:func:`sim.departments.sales.followup_chance`)."""
    margin_pay_discount_factor: float = param(0.5, 0.0, 1.0, "x wanted discount", prior=(0.25, 0.75))
    """Share of the discount a rep paid on margin still wants to give (the discount comes out of their pay)."""
    loss_hazard_offset: float = param(1.3, 1.0, 5.0, "fit units", prior=(1.1, 2.0))
    """Weekly loss hazard of an opportunity = base_loss_hazard x (offset - fit): a perfect-fit deal is
    still lost at 0.3 x base (competitors, budgets; set by judgement)."""
    approval_loss_multiplier: float = param(1.5, 1.0, 10.0, "x loss hazard", prior=(1.0, 3.0))
    """Loss hazard multiplier while a deal waits for purchasing's approval (it slips to a competitor)."""
    ops_knowledge_initial: float = param(0.3, 0.0, 1.0, "0-1 score", prior=(0.1, 0.6))
    """What a rep knows of operations' real capacity at the start (K_S)."""
    staff_cost_weekly: float = param(2_500.0, 0.0, 1e7, "EUR per person per week", prior=(1_500.0, 4_000.0))
    """Loaded weekly cost of one rep."""


@dataclass
class OperationsConfig:
    """Operations: onboarding won deals and serving customers, with a capacity that adjusts late."""

    staff: int = param(12, 1, 100_000, "people", prior=(8, 16))
    """Operations staff at week 0 (Mesa agents; more are hired when delivery runs late).  Set by judgement so that
    the team serves the default installed base of 400 customers at about 95 % of its capacity (12 x 35 = 420)."""
    customers_per_staff: float = param(35.0, 1.0, 1e6, "customers per person", prior=(20.0, 60.0))
    """Customers one operations person serves at standard service level (set by judgement: a mid-market
    customer-success and support load)."""
    onboarding_effort: float = param(10.0, 0.0, 1000.0, "customer-equivalents", prior=(5.0, 20.0))
    """Capacity one onboarding takes, in weeks of serving one customer (spread over the delivery); set by
    judgement: onboarding a customer is about ten weeks of serving one."""
    normal_delivery_weeks: float = param(3.0, 0.1, 104.0, "weeks", prior=(2.0, 8.0))
    """Delivery delay operations plans for; promises and sales credibility are set against it (set by judgement:
    a mid-market subscription goes live in a few weeks)."""
    standard_service: float = param(0.7, 0.0, 1.0, "service level 0-1", prior=(0.5, 0.9))
    """Service level of the standard offer, delivered when utilisation is normal."""
    utilisation_knee: float = param(0.85, 0.1, 2.0, "load / capacity", prior=(0.75, 0.95))
    """Utilisation above which service quality starts to fall: quality is the share of the service work done
    against the share a team at this load gets done (:func:`sim.departments.operations.service_quality`), and
    management plans headcount for ``target_utilisation_margin`` below it.  Set by judgement where queueing
    delays start to climb steeply, the 80-90 % of queueing practice."""
    capacity_adjustment_weeks: float = param(26.0, 1.0, 520.0, "weeks", prior=(13.0, 52.0))
    """Time over which management closes the gap between the headcount it wants and the people at work or already
    hired (Forrester's capacity adjustment; the people then arrive ``hiring_delay_weeks`` later).  Set by
    judgement at half a year: hiring is budgeted and approved in steps."""
    delay_perception_weeks: float = param(8.0, 1.0, 104.0, "weeks", prior=(4.0, 16.0))
    """Smoothing time with which management perceives the delivery delay."""
    hiring_delay_weeks: int = param(13, 0, 104, "weeks", prior=(6, 26))
    """Weeks from the decision to hire an operations person to a productive one (recruiting, notice period and
    ramp-up): Forrester's capacity acquisition delay, the vacancies and trainees of Sterman's labour supply chain
    (Business Dynamics 2000, ch. 19), during which the shortfall stays.  Set by judgement at a quarter; 0 gives the
    old instant hire."""
    max_staff: int = param(60, 1, 1_000_000, "people", prior=(30, 120))
    """Headcount cap for operations (budget ceiling)."""
    custom_work_effort: float = param(1.0, 0.0, 20.0, "customer-equivalents per unit service", prior=(0.5, 2.0))
    """Extra capacity a customer takes per unit of service promised above standard, when operations accepts it."""
    min_onboarding_share: float = param(0.0, 0.0, 1.0, "share of capacity", prior=(0.0, 0.2))
    """Share of capacity guaranteed to onboarding when demand exceeds capacity (0: none, so the load reaches the
    delivery delay; the old fixed 0.15 kept it from ever doing so, issue 9)."""
    service_priority: float = param(1.0, 0.0, 1.0, "0 shared - 1 service first", prior=(0.5, 1.0))
    """How a short operations team shares itself between the installed base and the onboarding backlog
    (:func:`sim.departments.operations.capacity_split`): 0 cuts both in the same proportion (Sterman 2000 ch. 18's
    fulfilment share on the total demand), 1 serves the customers under contract first and onboards with the
    capacity that leaves, so won deals queue (Forrester's order backlog; Forrester 1968 has no installed base to
    serve, every unit of capacity delivers the backlog).  Set by judgement at 1: a subscription firm protects the
    revenue it has under contract, and the implementation backlog, the new customer's time to go live, is what
    stretches."""
    target_utilisation_margin: float = param(0.05, 0.0, 1.0, "utilisation", prior=(0.0, 0.15))
    """Operations plans headcount for a utilisation this far below the quality knee."""
    quality_floor: float = param(0.1, 0.0, 1.0, "0-1 score", prior=(0.0, 0.3))
    """Lowest service quality, however overloaded operations is (what a customer still gets from the product
    itself with no one serving it)."""
    utilisation_without_capacity: float = param(2.0, 1.0, 100.0, "load / capacity", prior=(1.5, 3.0))
    """Utilisation recorded (and read by hiring and service quality) in a week when work is asked of an
    operations team with nobody present (every person away on rotation): a stand-in for "far over capacity",
    above the utilisation at which quality reaches its floor (0.85 + 0.9 / 1.2 = 1.6 at the defaults).  Set by
    judgement."""
    max_queue_delay_weeks: float = param(52.0, 1.0, 520.0, "weeks", prior=(26.0, 104.0))
    """Cap on the delivery delay the backlog implies (Little's law), reached when the backlog does not move; a
    year, beyond which no prospect distinguishes one delay from another (set by judgement)."""
    delay_news_weeks: float = param(4.0, 1.0, 52.0, "weeks", prior=(2.0, 8.0))
    """Time over which prospects hear of a change in the delivery delay (references, word of mouth, the
    dates sales quotes): first-order information delay on the delay Little's law gives (Sterman 2000, ch. 11).
    Set by judgement at about a month: shorter than management's ``delay_perception_weeks``, who read reports."""
    credibility_at_1_5x_delay: float = param(
        0.75, 0.0, 1.0, "x win hazard", prior=(0.6, 0.9),
        source="Forrester (1968), Industrial Management Review 9(2), market-growth model, via Morecroft (2007), "
               "Strategic Modelling and Business Dynamics, ch. 7: sales effectiveness 0.75 at 1.5 x normal delay")
    """Forrester's table of sales effectiveness against delivery delay: the multiplier on the win hazard when the
    delay prospects hear of is 1.5 times the normal delay (1 at the normal delay; linear between the points,
    :func:`sim.departments.operations.delivery_credibility`)."""
    credibility_at_2x_delay: float = param(
        0.5, 0.0, 1.0, "x win hazard", prior=(0.35, 0.65),
        source="Forrester (1968), Industrial Management Review 9(2), via Morecroft (2007), ch. 7: sales "
               "effectiveness 0.5 at 2 x normal delay")
    """The win-hazard multiplier at twice the normal delay (Forrester's table)."""
    credibility_at_3x_delay: float = param(
        0.3, 0.0, 1.0, "x win hazard", prior=(0.15, 0.45),
        source="Forrester (1968), Industrial Management Review 9(2), via Morecroft (2007), ch. 7: sales "
               "effectiveness 0.3 at 3 x normal delay")
    """The win-hazard multiplier at three times the normal delay and beyond (Forrester's table, flat past 3x)."""
    fulfilment_at_0_6x: float = param(
        0.58, 0.0, 0.6, "share of demand met", prior=(0.5, 0.6),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment (fulfilment ratio against "
               "maximum / desired shipments): 0.58 at 0.6, read from the plotted curve")
    """Sterman's table for order fulfilment: the share of the demand on operations met when capacity is 0.6 of
    the demand (the table follows the line f = capacity / demand below 0.6, cannot rise above it, and is 1 from
    1.8; :func:`sim.departments.operations.fulfilment`).  A point of the curve's shape, not a fit."""
    fulfilment_at_0_8x: float = param(
        0.73, 0.0, 0.8, "share of demand met", prior=(0.65, 0.8),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment: 0.73 at 0.8, read from "
               "the plotted curve")
    """Share of demand met when capacity is 0.8 of the demand (Sterman's table)."""
    fulfilment_at_1x: float = param(
        0.85, 0.0, 1.0, "share of demand met", prior=(0.75, 0.95),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment: 0.85 at 1, read from the "
               "plotted curve")
    """Share of demand met when capacity equals the demand: below 1 because work arrives unevenly and people
    cannot be split across every task (Sterman's table)."""
    fulfilment_at_1_2x: float = param(
        0.93, 0.0, 1.0, "share of demand met", prior=(0.85, 1.0),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment: 0.93 at 1.2, read from "
               "the plotted curve")
    """Share of demand met when capacity is 1.2 times the demand (Sterman's table)."""
    fulfilment_at_1_4x: float = param(
        0.97, 0.0, 1.0, "share of demand met", prior=(0.92, 1.0),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment: 0.97 at 1.4, read from "
               "the plotted curve")
    """Share of demand met when capacity is 1.4 times the demand (Sterman's table)."""
    fulfilment_at_1_6x: float = param(
        0.99, 0.0, 1.0, "share of demand met", prior=(0.95, 1.0),
        source="Sterman (2000), Business Dynamics, ch. 18, table for order fulfilment: 0.99 at 1.6, read from "
               "the plotted curve")
    """Share of demand met when capacity is 1.6 times the demand (Sterman's table; 1 from 1.8 on)."""
    onboarded_satisfaction: float = param(0.65, 0.0, 1.0, "0-1 score", prior=(0.55, 0.75))
    """Satisfaction of a customer onboarded on time (the delivery promise kept)."""
    late_satisfaction_loss: float = param(0.03, 0.0, 1.0, "0-1 score per week late", prior=(0.01, 0.06))
    """Satisfaction lost per week an onboarding runs past the normal delivery time."""
    pipeline_news_lag_cut: float = param(0.75, 0.0, 1.0, "share of the perception lag", prior=(0.5, 0.9))
    """Share of the delay-perception lag removed when sales' pipeline news reaches operations in full
    (joint planning: operations sees growth coming)."""
    staff_cost_weekly: float = param(2_000.0, 0.0, 1e7, "EUR per person per week", prior=(1_500.0, 3_000.0))
    """Loaded weekly cost of one operations person (the cost of service in the gross margin)."""


@dataclass
class PurchasingConfig:
    """Purchasing: approvals of non-standard deals (seed 000: rigid procedures block sales)."""

    enabled: bool = param(True, unit="on/off", prior=(0, 1))
    """Whether deals pass through purchasing approval at all (a switch: on in every preset, seed 000)."""
    staff: int = param(1, 1, 10_000, "people", prior=(1, 3))
    """Purchasing officers (Mesa agents)."""
    approval_share_max: float = param(0.8, 0.0, 1.0, "share of deals", prior=(0.5, 1.0))
    """Share of opportunities that need approval at rigidity 1 (scaled by rigidity)."""
    approval_weeks_max: float = param(8.0, 0.0, 104.0, "weeks", prior=(4.0, 13.0))
    """Mean approval wait at rigidity 1 (scaled by rigidity); the deal cannot close meanwhile.  Set by judgement:
    two months of procedure at the most rigid."""
    approvals_per_officer: int = param(100, 1, 10_000, "approval files per officer per week", prior=(15, 200))
    """Approval files one purchasing officer moves forward a week: purchasing's capacity, a parameter apart from
    rigidity (which sets how many files there are and how long each takes).  Set by judgement so that it does not
    bind in the presets: at rigidity 1 one officer holds 40-80 files in the default market, so rigidity's effect is
    rigidity's; the old 15 bound every week at rigidity 1 and made 33 % of rigidity's revenue effect a queue
    (``benchmarks/capacity_response.py``, 8 paired seeds; 0 % at 100).  Lower it to study an understaffed
    purchasing department."""
    staff_cost_weekly: float = param(1_600.0, 0.0, 1e7, "EUR per person per week", prior=(1_200.0, 2_400.0))
    """Loaded weekly cost of one purchasing officer."""


@dataclass
class RelationsConfig:
    """Trust, blame and information flow between departments."""

    initial_trust: float = param(0.5, 0.0, 1.0, "0-1 score", prior=(0.2, 0.8))
    """Trust every department has in every other at week 0."""
    blame_trust_drop: float = param(0.24, 0.0, 1.0, "share of trust per blame", prior=(0.12, 0.48))
    """Share of the trust that is left lost, both ways, in one blame event: trust x (1 - drop), so trust
    approaches 0 without reaching it and every further blame still moves it (``relations.erode``).  Set by
    judgement so that a blame at the initial trust of 0.5 costs 0.12, what it cost under the old additive rule;
    from 0.5, with no repair in between, 3 blames halve trust and 9 bring it below 0.05."""
    meeting_trust_gain: float = param(0.04, 0.0, 1.0, "share of the gap per meeting", prior=(0.02, 0.08))
    """Share of the distance to full trust recovered in one calm joint meeting (seed 000)."""
    shared_goal_trust_gain: float = param(0.004, 0.0, 1.0, "share of the gap per week", prior=(0.002, 0.008))
    """Weekly trust recovery at shared-goal weight 1."""
    rotation_trust_gain: float = param(0.03, 0.0, 1.0, "share of the gap per rotation", prior=(0.015, 0.06))
    """Trust gained between two departments when one person works a stint in the other."""
    trust_recovery: float = param(0.004, 0.0, 1.0, "share of the gap per week", prior=(0.002, 0.008))
    """Weekly drift of trust back toward its initial level once blame stops (grudges fade slowly)."""
    informal_flow: float = param(0.3, 0.0, 1.0, "share of feedback", prior=(0.1, 0.5))
    """Share of feedback that reaches the other side through goodwill alone, with no shared data.  Below what
    shared data carries because sharing customer information helps more than a cooperative climate (Troy,
    Hirunyawipada & Paswan 2008, J. Marketing 72: beta .21 vs -.15); the share is set by judgement."""
    recorded_share: float = param(0.5, 0.0, 1.0, "share of shared-data feedback", prior=(0.2, 0.8))
    """Share of the feedback carried by shared data that the system records by itself (lead accepted,
    rejected, won, lost) and so reaches the other side without the sender's goodwill; the rest (reasons,
    notes) is passed on only as far as the sender trusts the receiver."""
    fix_effect: float = param(0.25, 0.0, 1.0, "share of the gap", prior=(0.125, 0.5))
    """Share of a knowledge gap closed when a missed target is worked on jointly instead of blamed."""
    unmet_fix_share: float = param(0.5, 0.0, 1.0, "share of unblamed misses", prior=(0.2, 0.9))
    """Share of the misses nobody blamed that the two departments still work on together when no joint meeting
    fell in the period (a call, an ad hoc review), at the initial trust with goodwill alone as the channel; it rises
    with their mutual trust and with shared data and falls with distrust (``Relations.fix_probability``, at most 1);
    with a meeting every unblamed miss is worked on.  Before, a miss could be fixed only in a meeting, so without
    meetings blame culture changed little (issue 17); joint problem solving needs the behaviour, not the calendar
    (issue 19).  Set by judgement."""
    shared_goal_blame_damping: float = param(0.25, 0.0, 1.0, "share of blame", prior=(0.0, 0.4))
    """Share of blame removed by a shared goal alone: aligned rewards raise collaboration but barely cut
    conflict (Le Meunier-FitzHugh, Massey & Piercy 2011): the source gives the direction, the share is set by
    judgement, with a prior that reaches 0 (no reduction at all)."""
    meeting_blame_damping: float = param(0.5, 0.0, 1.0, "share of blame", prior=(0.25, 0.75))
    """Share of blame removed when a calm joint meeting fell in the period (constraints were shared)."""
    leadership_blame_damping: float = param(0.5, 0.0, 1.0, "share of blame", prior=(0.25, 0.75))
    """Extra share removed when shared goals and joint meetings come together (senior-management
    support, which reduces conflict strongly: Le Meunier-FitzHugh, Massey & Piercy 2011; the direction is theirs,
    the share is set by judgement)."""
    rotation_knowledge_gain: float = param(0.2, 0.0, 1.0, "share of the gap", prior=(0.1, 0.4))
    """Share of the knowledge gap closed by one week spent in the other department."""
    meeting_learning_weeks: float = param(4.0, 0.0, 52.0, "weeks of feedback", prior=(1.0, 8.0))
    """What one joint meeting teaches, in weeks of feedback arriving in full over the channel."""
    shared_goal_flow_boost: float = param(0.5, 0.0, 5.0, "x information flow at weight 1", prior=(0.25, 1.0))
    """Extra information flow between departments at shared-goal weight 1 (a reason to share)."""
    common_boss_flow_boost: float = param(0.3, 0.0, 5.0, "x information flow", prior=(0.15, 0.6))
    """Extra flow between marketing and sales when marketing reports to sales (one boss)."""
    lead_acceptance_target: float = param(0.6, 0.0, 1.0, "share of leads", prior=(0.4, 0.8))
    """Marketing's KPI: the share of its leads sales should work; below it marketing blames sales."""
    delay_ratio_target: float = param(1.25, 1.0, 10.0, "x normal delivery time", prior=(1.1, 2.0))
    """Operations' KPI: perceived delivery delay over normal; above it operations has missed."""
    quality_target: float = param(0.95, 0.0, 1.0, "0-1 score", prior=(0.85, 0.99))
    """Operations' KPI: service quality; below it operations has missed."""
    promise_gap_target: float = param(0.05, 0.0, 1.0, "service level", prior=(0.025, 0.1))
    """Operations' KPI: the promise gap of active customers; above it operations blames sales' promises."""
    bad_leads_excuse_base: float = param(0.2, 0.0, 10.0, "excuse weight", prior=(0.1, 0.4))
    """Weight of 'bad leads' among sales' excuses for a missed quota, before the share of leads ignored
    is added (marketing is the habitual suspect: seed 001, remedy 9)."""
    promise_gap_excuse_weight: float = param(2.0, 0.0, 20.0, "excuse weight per service-level unit", prior=(1.0, 4.0))
    """Weight of 'late delivery' per unit of promise gap, added to the delay above normal."""
    red_tape_excuse_weight: float = param(2.0, 0.0, 20.0, "excuse weight per share of deals waiting", prior=(1.0, 4.0))
    """Weight of 'red tape' per share of opportunities waiting for purchasing."""


@dataclass
class PolicyConfig:
    """The alignment levers of DESIGN section 3: what management can decide."""

    blame_culture: float = param(0.8, 0.0, 1.0, "probability")
    """Probability that a missed target is blamed on another department rather than worked on."""
    shared_goal_weight: float = param(0.0, 0.0, 1.0, "weight")
    """Weight of the shared company goal in every department's reward (damps blame, discounting, overpromising)."""
    spend_veto: bool = param(False, unit="on/off")
    """Sales may veto marketing campaigns whose short-run return looks too low (seed 001, remedy 7)."""
    veto_threshold: float = param(0.5, 0.0, 3.0, "x average short-run return")
    """A campaign is vetoed when its short-run return, as sales sees it, is below this multiple of the average."""
    marketing_pay: str = param("lead_volume", unit="scheme", choices=MARKETING_PAY_SCHEMES)
    """What marketing is paid on: lead_volume, pipeline or revenue (seed 001, #4 and #6)."""
    sales_pay: str = param("new_revenue", unit="scheme", choices=SALES_PAY_SCHEMES)
    """What reps are paid on: new_revenue (the 'first sale'), total_revenue (renewals count) or margin."""
    max_discount: float = param(0.25, 0.0, 0.5, "share of list price")
    """Discount authority: the largest discount a rep may give without escalation."""
    discount_targeting: float = param(0.0, 0.0, 1.0, "share of discounting targeted")
    """How far reps aim their discount at price-sensitive buyers instead of giving it to every deal: a buyer of
    price sensitivity s is offered the rep's discount x ((1 - t) + t x s / mean sensitivity), within the
    discount authority.  0 (default) gives every buyer the same discount; pricing research recommends
    discounting by segment rather than across the board (Marn & Rosiello 1992, HBR; set by judgement)."""
    lead_sla: bool = param(False, unit="on/off")
    """A service-level agreement on leads: leads meeting the agreed definition must be followed up."""
    sla_fit_threshold: float = param(0.4, 0.0, 1.0, "estimated fit")
    """The agreed lead definition: marketing passes, and sales must work, leads above this estimated fit."""
    sla_followup_weeks: int = param(1, 1, 52, "weeks")
    """Weeks within which an SLA lead must be followed up."""
    cross_training_rate: float = param(0.0, 0.0, 4.0, "share of staff per year")
    """Share of staff per year who spend a week in another department (role swaps, seed 002)."""
    joint_meetings: int = param(0, 0, 52, "weeks between meetings (0 = never)")
    """Cadence of calm joint sales-marketing-operations meetings where constraints are shared (seed 000, 002)."""
    shared_data: float = param(0.0, 0.0, 1.0, "share")
    """Accuracy and reach of the shared pipeline data (CRM, dashboards): 0 none, 1 full (Goldman stages 4-5)."""
    marketing_reports_to_sales: bool = param(False, unit="on/off")
    """Marketing reports to the head of sales (seed 001, remedy 5): no M-S blame channel, shorter horizon."""
    marketing_sales_experience: float = param(0.0, 0.0, 1.0, "share of marketers", on_reset=True)
    """Share of marketers with at least six months of sales experience (seed 001, remedy 1); drawn once, when the
    model is built (who was hired with sales experience), so it applies on reset."""
    purchasing_rigidity: float = param(0.5, 0.0, 1.0, "0-1 score")
    """How rigid purchasing's procedures are: the share of deals needing approval and the wait."""
    account_management_share: float = param(0.10, 0.0, 1.0, "share of rep hours")
    """Share of rep time reserved for existing customers (the 'last sale', seed 003)."""
    ops_flexibility: float = param(0.3, 0.0, 1.0, "0-1 score")
    """How far operations honours custom promises (at a cost in capacity) rather than refusing them."""


@dataclass
class LoopsConfig:
    """The relational feedback loops, one switch each (all on: the model as published).

    A study knocks a loop out to measure how much of an effect passes through it (issue 19): an effect that
    survives with every loop off comes from directly coded levers (a *mechanism check*), one that vanishes
    travels through the loops (an *emergent finding*).  A switch that is off freezes the state the loop moves
    (trust or knowledge) where the rest of the model leaves it; it never changes a level by itself: with every
    loop off, trust stays at ``relations.initial_trust`` and each person's knowledge at its starting value.
    Switches describe an experiment, not the world, so they carry no prior and are never calibrated."""

    blame_erodes_trust: bool = param(True, unit="on/off")
    """A blame event costs trust both ways (``relations.blame_trust_drop``)."""
    trust_repair: bool = param(True, unit="on/off")
    """Meetings, role swaps, shared goals and time rebuild trust (``relations.meeting_trust_gain``,
    ``rotation_trust_gain``, ``shared_goal_trust_gain``, ``trust_recovery``)."""
    feedback_learning: bool = param(True, unit="on/off")
    """Field knowledge rises with the feedback that actually arrives and fades as the market moves on
    (``marketing.learning_rate``, ``marketing.forgetting_rate``)."""
    joint_learning: bool = param(True, unit="on/off")
    """Misses fixed jointly, meetings and role swaps teach (``relations.fix_effect``,
    ``relations.meeting_learning_weeks``, ``relations.rotation_knowledge_gain``)."""
    distrust_gates_leads: bool = param(True, unit="on/off")
    """Reps raise their bar for marketing's leads as their trust in marketing falls
    (``sales.distrust_threshold_slope``); off, the bar reads the initial trust."""

    def names(self) -> tuple[str, ...]:
        """The switches, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(self))


LOOP_KNOCKOUT = tuple(f"loops.{f.name}=false" for f in dataclasses.fields(LoopsConfig))
"""Overrides that switch every relational feedback loop off (the studies' knockout arm)."""


@dataclass
class InstrumentConfig:
    """How the alignment instrument (:mod:`sim.alignment`) reads behaviour: Goldman's stage thresholds and the
    scoring of the KRK items.  These settle what the model *reports*, never what it does: no mechanism reads
    them.  Each is a judgement within a prior range (the published instruments give stages and statements,
    not numeric cut-offs)."""

    stage_trust_us_vs_them: float = param(0.45, 0.0, 1.0, "trust 0-1", prior=(0.35, 0.55))
    """Mutual marketing-sales trust below which the firm reads stage 1 (Us vs Them)."""
    stage_trust_cooperative: float = param(0.6, 0.0, 1.0, "trust 0-1", prior=(0.5, 0.7))
    """Trust needed for stage 4 (Collaboration): below it the firm reads at most stage 3."""
    stage_trust_full: float = param(0.75, 0.0, 1.0, "trust 0-1", prior=(0.65, 0.85))
    """Trust needed for stage 5 (Full alignment)."""
    us_vs_them_blame_share: float = param(0.5, 0.0, 1.0, "share of handled misses", prior=(0.4, 0.7))
    """Share of the year's handled misses ending in blame above which the firm reads stage 1 whatever its trust
    ("most misses end in blame")."""
    follow_up_agreed: float = param(0.7, 0.0, 1.0, "share of marketing leads", prior=(0.5, 0.8))
    """Share of marketing leads sales works from which the lead process counts as agreed in practice (stage 3)."""
    feedback_shared: float = param(0.5, 0.0, 1.0, "share of sales' feedback", prior=(0.3, 0.7))
    """Share of sales' feedback on leads that reaches marketing from which data counts as shared (stage 4)."""
    fixed_together_blame_share: float = param(0.2, 0.0, 1.0, "share of handled misses", prior=(0.1, 0.3))
    """Largest share of the year's handled misses ending in blame at which problems count as fixed together
    (stage 4)."""
    min_handled_misses: int = param(3, 1, 520, "handled misses per year", prior=(2, 6))
    """Handled misses (blamed or fixed) a year needs before its blame share can read stage 1 or hold a firm at
    stage 3: with fewer, one blame in a quiet year would set the stage (issue 19: a full-alignment run with a single
    blame and no fix read stage 1 for a year)."""
    promises_kept_gap: float = param(0.05, 0.0, 1.0, "service level", prior=(0.025, 0.1))
    """Largest promise gap (promised minus delivered service) at which promises count as kept (stage 5)."""
    joint_time_per_year: int = param(4, 1, 520, "meetings plus role swaps per year", prior=(2, 12))
    """Joint meetings held plus role swaps made in a year from which the departments count as working together
    (stage 5; the KRK items on joint planning and job moves score their best from here)."""
    blames_for_worst_score: float = param(8.0, 1.0, 520.0, "blame events per year", prior=(4.0, 16.0))
    """Blame events in a year at which the KRK item "nobody blames the other side" scores its worst (1 of 5)."""
    no_evidence_score: float = param(0.5, 0.0, 1.0, "0-1 item score", prior=(0.3, 0.7))
    """What a KRK item about fixing misses together reads in a year with no handled miss (no evidence either
    way: the middle of the scale)."""
    follow_up_before_evidence: float = param(0.5, 0.0, 1.0, "share of marketing leads", prior=(0.0, 1.0))
    """Follow-up the instrument assumes before any marketing lead has been resolved (worked or left to expire);
    from the first resolved lead it reads the current quota period's share, and after the first period review
    the last finished period's."""
    stage_hold_weeks: int = param(4, 1, 52, "weeks", prior=(2, 8))
    """Hysteresis of the reported Goldman stage: it moves only when this many consecutive weekly reads all lie on
    the same side of it (up to the lowest of them, down to the highest), so a week or two of noise in the
    weekly evidence (trust, feedback, promise gap) does not move it; 1 reports the weekly read itself.  A month
    (4 weeks) by judgement: stage moves are organisational change, confirmed over weeks, while the noise seen in
    the weekly reads lasts one to two weeks (``docs/odd.md``, observation model); the prior runs from a fortnight
    to two months, shorter than one quota period (13 weeks), so a real move still shows within a quarter."""


@dataclass
class Config:
    """A whole experiment: the market, four departments, their relations, the policy and the run."""

    name: str = param("custom", unit="scenario name")
    """Name of the scenario preset this config came from."""
    description: str = param("", unit="text")
    """One sentence on what the scenario represents."""
    weeks: int = param(156, 1, 5_200, "weeks")
    """Simulated horizon (156 weeks = 3 years)."""
    replicates: int = param(10, 1, 100_000, "runs")
    """Replicates per scenario in comparisons (common random numbers across arms)."""
    seed: int = param(0, 0, 2**63 - 1, "integer")
    """Root seed; replicate seeds are spawned from it with numpy's SeedSequence."""
    compare_with: str = param("full_alignment", unit="scenario name")
    """Scenario the main job compares this one with (the CLI's second arm)."""
    n_jobs: int = param(1, -1, 4096, "worker processes (-1 = all cores)")
    """Parallel worker processes for replicates (joblib); results do not depend on it."""
    market: MarketConfig = field(default_factory=MarketConfig)
    marketing: MarketingConfig = field(default_factory=MarketingConfig)
    sales: SalesConfig = field(default_factory=SalesConfig)
    operations: OperationsConfig = field(default_factory=OperationsConfig)
    purchasing: PurchasingConfig = field(default_factory=PurchasingConfig)
    relations: RelationsConfig = field(default_factory=RelationsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    instrument: InstrumentConfig = field(default_factory=InstrumentConfig)
    loops: LoopsConfig = field(default_factory=LoopsConfig)


def applies_on_reset(dotted: str) -> bool:
    """Whether the policy field ``dotted`` (``policy.marketing_sales_experience``) is read only when a model is
    built (see :func:`param`)."""
    section, _, name = dotted.rpartition(".")
    if section != "policy":
        return False
    fields = {f.name: f for f in dataclasses.fields(PolicyConfig)}
    return bool(name in fields and fields[name].metadata.get("on_reset"))


def _describe_range(meta: dict) -> str:
    """What a field allows, in words: its choices, or its inclusive range with its unit."""
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    low, high = meta.get("low"), meta.get("high")
    unit = f" ({meta['unit']})" if meta.get("unit") else ""
    if low is None or high is None:
        return f"any value{unit}"
    return f"[{low:g}, {high:g}]{unit}"


def plain(value: Any) -> Any:
    """A numpy scalar (``np.int64(4)``, ``np.float64(0.2)``, ``np.bool_(True)``) as the Python value it holds;
    any other value unchanged.  Other tools (SALib, the EMA workbench, pandas) hand numpy scalars over."""
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value


def _check_value(path: str, value: Any, f: dataclasses.Field) -> None:
    """Check one value against its field's type and range or choices (numpy scalars as their Python value:
    ``np.int64(4)`` is a whole number, ``np.float64(4.5)`` is not; ``np.bool_`` is on/off, 1 is not)."""
    value = plain(value)
    meta = f.metadata
    expected = f.type if isinstance(f.type, type) else {"int": int, "float": float, "bool": bool,
                                                         "str": str}.get(str(f.type))
    if expected is bool and not isinstance(value, bool):
        raise ConfigError(f"{path} = {value!r} is not valid: expected true or false")
    if expected in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
        kind = "a whole number" if expected is int else "a number"
        raise ConfigError(f"{path} = {value!r} is not valid: expected {kind} in {_describe_range(meta)}")
    if expected is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{path} = {value!r} is not valid: expected a whole number in {_describe_range(meta)}")
    if meta.get("choices") is not None:
        if value not in meta["choices"]:
            hint = difflib.get_close_matches(str(value), meta["choices"], n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ConfigError(f"{path} = {value!r} is not valid: allowed values are "
                              f"{_describe_range(meta)}{did}")
    elif meta.get("low") is not None:
        if value != value or not meta["low"] <= value <= meta["high"]:  # value != value catches NaN
            raise ConfigError(f"{path} = {value!r} is out of range: allowed {_describe_range(meta)}")


def check_workers(n_jobs: int, field_name: str = "n_jobs", where: str = "") -> int:
    """``n_jobs`` if it names a number of worker processes joblib accepts: -1 (all cores) or at least 1; else
    :class:`ConfigError` naming ``field_name`` (and ``where`` it was given, e.g. " (--n-jobs)").  Joblib refuses 0
    only with a traceback after work has started."""
    if n_jobs == 0 or n_jobs < -1:
        raise ConfigError(f"{field_name} = {n_jobs} is not valid{where}: allowed -1 (all cores) or a number of "
                          "worker processes >= 1")
    return n_jobs


def validate(cfg: Config, prefix: str = "") -> Config:
    """Check every field of ``cfg`` against its declared type and range; raise :class:`ConfigError` if not.

    Cross-field rules (for instance, no more initial customers than accounts) are checked too.
    Returns ``cfg`` unchanged so that it can be used inline.
    """
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            validate(value, prefix=path + ".")
        else:
            _check_value(path, value, f)
            if plain(value) is not value:  # a numpy scalar: the model sees the Python value
                setattr(cfg, f.name, plain(value))
    if not prefix:
        check_workers(cfg.n_jobs)
        if cfg.market.initial_customers > cfg.market.accounts:
            raise ConfigError(f"market.initial_customers = {cfg.market.initial_customers} is out of range: "
                              f"allowed [0, market.accounts = {cfg.market.accounts}]")
        if cfg.marketing.qualification_noise_min > cfg.marketing.qualification_noise_max:
            raise ConfigError("marketing.qualification_noise_min = "
                              f"{cfg.marketing.qualification_noise_min} is out of range: allowed "
                              f"[0, marketing.qualification_noise_max = {cfg.marketing.qualification_noise_max}]")
        if cfg.marketing.waste_share + cfg.marketing.brand_share > 1.0:
            raise ConfigError(f"marketing.waste_share + marketing.brand_share = "
                              f"{cfg.marketing.waste_share + cfg.marketing.brand_share:g} is out of range: "
                              "allowed [0, 1] (shares of one budget)")
        _check_cross_fields(cfg)
    return cfg


CROSS_FIELD_RULES = (
    ("operations.staff", "operations.max_staff", "people: the staff at week 0 cannot exceed the most operations "
                                                 "may employ"),
    ("sales.meeting_hours", "sales.hours_per_week", "hours: a joint meeting takes its hours out of a rep's week"),
    ("operations.normal_delivery_weeks", "operations.max_queue_delay_weeks",
     "weeks: the cap on the delivery delay cannot lie below the planned delay"),
)
"""Pairs of fields whose meanings bound each other: (field, its upper bound, why).  Checked by :func:`validate`
beside market.initial_customers <= market.accounts, the qualification noise's min <= max and the budget shares.
(sales.own_care_share and policy.account_management_share need no bound: the own share is taken of the hours the
policy's share leaves, so both at 1 is a valid extreme, not hours counted twice.)"""


def _check_cross_fields(cfg: Config) -> None:
    """Each rule of :data:`CROSS_FIELD_RULES`, with one line naming both fields and their values."""
    def get(dotted: str):
        node = cfg
        for name in dotted.split("."):
            node = getattr(node, name)
        return node

    for low, high, why in CROSS_FIELD_RULES:
        if get(low) > get(high):
            raise ConfigError(f"{low} = {get(low):g} is out of range: allowed at most {high} = {get(high):g} "
                              f"({why})")


def field_table(cls: type = Config, prefix: str = "") -> list[dict]:
    """Every leaf field of the schema as rows (path, default, range, unit): for docs and sweep designs."""
    rows = []
    for f in dataclasses.fields(cls):
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default):
            rows.extend(field_table(type(default), prefix + f.name + "."))
        else:
            rows.append({"field": prefix + f.name, "default": default, "low": f.metadata.get("low"),
                         "high": f.metadata.get("high"), "choices": f.metadata.get("choices"),
                         "unit": f.metadata.get("unit", "")})
    return rows


def provenance_of(f: dataclasses.Field, section: str) -> Provenance:
    """The provenance a schema field declares (see :func:`param`); ``section`` is its config section."""
    meta = f.metadata
    prior = tuple(meta["prior"]) if meta.get("prior") is not None else None
    shape = None if prior is None else (meta.get("prior_shape") or default_prior_shape(*prior))
    if section == "policy":
        return Provenance("lever", "", prior, shape)
    if section == "loops":
        return Provenance("switch")
    if meta.get("source"):
        return Provenance("source", meta["source"], prior, shape)
    if meta.get("fitted"):
        return Provenance("fitted", meta["fitted"], prior, shape)
    if prior is not None:
        return Provenance("judgement", "", prior, shape)
    return Provenance("none")


MODEL_SECTIONS = ("market", "marketing", "sales", "operations", "purchasing", "relations", "policy", "instrument",
                  "loops")
"""The config sections that hold model parameters (the rest of :class:`Config` says how to run)."""


def provenance_table() -> list[dict]:
    """Every model parameter (the fields of :data:`MODEL_SECTIONS`) with its default, unit and provenance:
    one row each, for ``docs/calibration.md`` and the calibration's priors."""
    rows = []
    for section in MODEL_SECTIONS:
        cls = {f.name: f for f in dataclasses.fields(Config)}[section].default_factory
        for f in dataclasses.fields(cls):
            prov = provenance_of(f, section)
            rows.append({"field": f"{section}.{f.name}", "default": f.default, "unit": f.metadata.get("unit", ""),
                         "kind": prov.kind, "text": prov.text,
                         "prior_low": prov.prior[0] if prov.prior else None,
                         "prior_high": prov.prior[1] if prov.prior else None, "prior_shape": prov.prior_shape})
    return rows


def provenance_counts() -> dict[str, int]:
    """How many non-policy parameters cite a dated source, are fitted, are set by judgement (with a prior range)
    or say nothing yet."""
    counts = dict.fromkeys(("source", "fitted", "judgement", "none"), 0)
    for row in provenance_table():
        if row["kind"] not in ("lever", "switch"):
            counts[row["kind"]] += 1
    return counts
