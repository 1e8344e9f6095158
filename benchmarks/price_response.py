"""How the commercial core answers price and discount authority: paired seeds, the default market, 3 years.

``python -m benchmarks.price_response [--seeds 8] [--n-jobs 2]`` prints, for ``hundred_years_war``, the list price
from x0.5 to x2 of its default (the buyers' reference price held fixed) and the discount authority from 0 to 0.5:
customers won, 3-year revenue, gross margin, reps at quota, the mean discount and annual churn (means over the
paired seeds), and the arc elasticity of customers won to the list price at +-10 %.  The referee's table in
issue 17 was measured the same way before the price rules (the win and churn hazards then read no price).
"""

from __future__ import annotations

import argparse

import sim
from sim.runner import run_replicates

COLUMNS = ("customers_won", "revenue_total", "gross_margin_total", "reps_at_quota", "discount_mean", "churn_annual")


def table(scenario: str, field: str, values: list[float], seeds: int, n_jobs: int, overrides=()):
    """Mean of each column per value of ``field`` (the other fields at the scenario's defaults and ``overrides``),
    paired seeds."""
    cfgs = [sim.load_config(scenario, overrides=[*overrides, f"{field}={v}"]) for v in values]
    runs = run_replicates(cfgs, seeds, seed=0, n_jobs=n_jobs).runs
    runs["value"] = [values[i // seeds] for i in range(len(runs))]  # runs come config by config, seeds within
    return runs, runs.groupby("value")[list(COLUMNS)].mean()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--scenario", default="hundred_years_war")
    parser.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override for every arm (repeatable)")
    parser.add_argument("--no-discounts", action="store_true", help="skip the discount-authority table")
    args = parser.parse_args(argv)
    base = sim.load_config(args.scenario, overrides=args.override).market.list_price
    prices = [base * k for k in (0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0)]
    _, by_price = table(args.scenario, "market.list_price", prices, args.seeds, args.n_jobs, args.override)
    print(f"{args.scenario}: list price (reference price {base:,.0f} EUR fixed), {args.seeds} paired seeds")
    print(by_price.round(3).to_string())
    won = by_price["customers_won"]
    lo, hi = won.loc[base * 0.9], won.loc[base * 1.1]
    print(f"arc elasticity of customers won to list price (+-10 %): {(hi - lo) / (hi + lo) / (0.2 / 2.0):+.2f}")
    rev = by_price["revenue_total"]
    print(f"revenue-maximising list price on this grid: {rev.idxmax():,.0f} EUR "
          f"(gross margin peaks at {by_price['gross_margin_total'].idxmax():,.0f})")
    if args.no_discounts:
        return
    _, by_discount = table(args.scenario, "policy.max_discount", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5], args.seeds,
                           args.n_jobs, args.override)
    print("discount authority")
    print(by_discount.round(3).to_string())


if __name__ == "__main__":
    main()
