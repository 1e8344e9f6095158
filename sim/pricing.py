"""Price: how the price an account is asked, against the price of its next-best alternative, moves its decisions.

Every buyer compares our price with a reference price (``market.reference_price``: what a competitor's contract of
the same scope costs).  The relative premium ``x = asked / reference - 1`` enters a binary logit choice between us
and that alternative, the standard model of brand choice (Guadagni & Little 1983, *Marketing Science* 2(3)), with a
price coefficient proportional to the account's own price sensitivity ``s`` (0-1, heterogeneous across accounts).
At par (x = 0) the price multiplies nothing; a discount is a price cut like any other; the win hazard's price
elasticity ``coefficient x s x (1 - L)`` (L the logit share) is low for cheap offers and rises with the premium, so
the revenue-maximising price is finite.  Renewal works the same way on the price the customer pays.

The rules are written once, for numpy arrays and for Python floats alike, so that the vectorised market and the
per-agent reference (``benchmarks/reference/per_agent.py``) call the same functions.
"""

from __future__ import annotations

import numpy as np

from sim.config import Config, MarketConfig


def price_premium(asked, reference_price: float):
    """The relative premium over the buyer's alternative: ``asked / reference_price - 1`` (0 at par, -0.2 for a
    price 20 % below the competitor's).  ``asked`` in EUR per year, an array or a float."""
    return asked / reference_price - 1.0


def win_price_factor(premium, sensitivity, price_response: float):
    """Multiplier on the weekly win hazard from price: ``2 / (1 + exp(b x s x premium))``.

    This is twice the logit probability of choosing us over an alternative at the reference price, so it is 1 at
    par, rises toward 2 for a deep discount and falls toward 0 for a high premium.  ``b`` is
    ``market.price_response`` (the logit coefficient of a fully price-sensitive account, per unit of relative
    premium) and ``s`` the account's price sensitivity (0-1).  The elasticity of the factor at par is ``b x s / 2``.
    """
    return 2.0 / (1.0 + np.exp(price_response * sensitivity * premium))


def renewal_price_factor(premium, sensitivity, renewal_price_response: float):
    """Multiplier on a customer's annual churn from the price it pays: ``exp(r x s x premium)``: 1 at par, higher
    for a customer paying above the alternative (it shops around at renewal), lower for one on a discount.
    ``r`` is ``market.renewal_price_response`` and ``s`` the customer's price sensitivity (0-1)."""
    return np.exp(renewal_price_response * sensitivity * premium)


def price_paid(market: MarketConfig, discount):
    """What a customer pays per year for the contract it signed (before expansions): list x (1 - discount)."""
    return market.list_price * (1.0 - discount)


def quota_value(config: Config) -> float:
    """A rep's bookings target per quota period in EUR of new annual contract value: ``sales.quota_deals`` deals
    at list price.  Set in deals rather than in a fixed sum of euros, as a sales organisation resets its targets
    when it reprices, a higher list price does not make the quota easier by construction: a deal at list price is
    worth the same share of it at any price."""
    return config.sales.quota_deals * config.market.list_price


def brand_price_shield(brand_level: float, largest_share: float, half_level: float) -> float:
    """Share of price sensitivity a brand removes: ``largest_share x brand / (brand + half_level)``, a saturating
    (Michaelis-Menten) curve: none without a brand, ``largest_share`` for a very strong one.  ``brand_level`` is the
    brand stock over its fixed reference (1 = reference); the two shares are ``marketing.brand_price_effect`` and
    ``marketing.brand_price_half_level``."""
    brand_level = max(brand_level, 0.0)
    return largest_share * brand_level / (brand_level + half_level)
