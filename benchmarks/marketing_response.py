"""How marketing money answers: budget elasticities, awareness over time and word of mouth's share (issue 17).

For each scenario (``hundred_years_war``, ``full_alignment``) the default run and the run with the marketing
budget multiplied by 0.5, 0.9, 1.1 and 1.5 share their seeds (common random numbers).  Per replicate the arc
elasticity ``(y1 / y0 - 1) / (x1 / x0 - 1)`` of

* 3-year revenue (``revenue_total``);
* new-customer revenue: revenue billed to customers won during the run (the installed base left out), summed
  from the accounts each week;
* customers won and marketing leads,

is shown as mean [95 % CI] beside the published advertising elasticity of sales: 0.05-0.35, mean 0.12 short-run
and 0.24 long-run (Sethuraman, Tellis & Briesch 2011, JMR 48(3)).  The return on extra marketing money (extra
3-year revenue per extra EUR spent) is compared between the scenarios, paired by seed (seed 004: alignment
"improves the return on marketing investment").  From the default runs: the share of accounts aware at the end
of weeks 12, 52 and 104, and word of mouth's share of the awareness hazard (its expected flow of newly aware
accounts over the run, against all sources: innovation, brand, word of mouth and campaign touches).

    python -m benchmarks.marketing_response [--seeds 8] [--accounts 20000] [--weeks 156] [--root 17]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import sim
from sim.market import WEEKS_PER_YEAR, Stage, awareness_hazards
from sim.model import AlignmentModel
from sim.runner import replicate_seeds
from sim.stats import mean_ci, paired

SCENARIOS = ("hundred_years_war", "full_alignment")
FACTORS = (0.5, 0.9, 1.1, 1.5)
"""Budget multiples compared with the default budget."""
AWARE_WEEKS = (12, 52, 104)
OUTCOMES = {"revenue_total": "3-year revenue", "new_business_revenue": "new-customer revenue",
            "customers_won": "customers won", "leads": "marketing leads"}


class RecordingModel(AlignmentModel):
    """The model, recording each week the aware share, the awareness flows by source and the revenue of
    customers won during the run.  It changes nothing the model does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.aware_share: list[float] = []
        self.flows = np.zeros(4)  # expected newly aware accounts: innovation, brand, word of mouth, campaigns
        self.new_business_revenue = 0.0

    def marketing_phase(self):
        market = self.market
        unaware = ~market.aware
        parts = awareness_hazards(market, self.context, self.marketing.brand_level)
        week = super().marketing_phase()
        n_unaware = np.count_nonzero(unaware)
        touched = np.count_nonzero((week.reach.targeted | week.reach.broad) & unaware)
        self.flows += (parts.innovation * n_unaware, parts.brand * n_unaware, max(parts.word_of_mouth, 0.0)
                       * n_unaware, self.config.marketing.touch_awareness * touched)
        return week

    def step(self) -> None:
        super().step()
        m = self.market
        self.aware_share.append(float(m.aware.mean()))
        won = (m.stage == Stage.CUSTOMER.value) & m.onboarded & (m.won_week >= 0)
        self.new_business_revenue += float(m.contract_value[won].sum()) / WEEKS_PER_YEAR


def one_run(scenario: str, factor: float, seed: int, accounts: int, weeks: int) -> dict:
    cfg = sim.load_config(scenario, [f"market.accounts={accounts}", f"weeks={weeks}"])
    cfg.marketing.weekly_budget *= factor
    model = RecordingModel(cfg, rng=seed)
    model.run_for(weeks)
    summary, weekly = model.summary(), model.weekly()
    row = {"scenario": scenario, "factor": factor, "seed": seed, "revenue_total": summary["revenue_total"],
           "new_business_revenue": model.new_business_revenue, "customers_won": summary["customers_won"],
           "leads": float(weekly["leads"].sum()), "spend": summary["marketing_spend_total"],
           "wom_share": model.flows[2] / model.flows.sum() if model.flows.sum() > 0 else np.nan,
           "wom_share_of_hazard": model.flows[2] / model.flows[:3].sum() if model.flows[:3].sum() > 0 else np.nan,
           "campaign_share": model.flows[3] / model.flows.sum() if model.flows.sum() > 0 else np.nan}
    for w in AWARE_WEEKS:
        row[f"aware_w{w}"] = model.aware_share[w - 1] if len(model.aware_share) >= w else np.nan
    return row


def fmt(ci) -> str:
    return f"{ci.mean:+.3f} [{ci.low:+.3f}, {ci.high:+.3f}]"


def report(runs: pd.DataFrame) -> None:
    base = runs[runs.factor == 1.0].set_index(["scenario", "seed"])
    print("Arc elasticity to the marketing budget, mean [95 % CI] over paired seeds "
          "(published 0.05-0.35; mean 0.12 short-run, 0.24 long-run: Sethuraman, Tellis & Briesch 2011)")
    for scenario in SCENARIOS:
        print(f"\n{scenario}")
        print("  outcome                  " + "  ".join(f"x{f:<24}" for f in FACTORS))
        for name, label in OUTCOMES.items():
            cells = []
            for f in FACTORS:
                arm = runs[(runs.scenario == scenario) & (runs.factor == f)].set_index(["scenario", "seed"])
                y0, y1 = base.loc[arm.index, name], arm[name]
                cells.append(f"{fmt(mean_ci((y1 / y0 - 1) / (f - 1))):<25}")
            print(f"  {label:<24} " + "  ".join(cells))
    print("\nReturn on extra marketing money: extra 3-year revenue per extra EUR spent, mean [95 % CI]")
    for f in (1.1, 1.5):
        romi = {}
        for scenario in SCENARIOS:
            arm = runs[(runs.scenario == scenario) & (runs.factor == f)].set_index("seed")
            b = base.loc[scenario].loc[arm.index]
            romi[scenario] = ((arm.revenue_total - b.revenue_total) / (arm.spend - b.spend)).to_numpy()
            print(f"  x{f} {scenario:<18} {fmt(mean_ci(romi[scenario]))}")
        d = paired(romi[SCENARIOS[0]], romi[SCENARIOS[1]])
        print(f"  x{f} aligned - baseline   {d.difference:+.3f} [{d.low:+.3f}, {d.high:+.3f}], paired t p = {d.p:.3f}")
    print("\nAwareness and word of mouth (default budget), mean over seeds")
    for scenario in SCENARIOS:
        b = base.loc[scenario]
        aware = ", ".join(f"week {w}: {b[f'aware_w{w}'].mean():.1%}" for w in AWARE_WEEKS)
        print(f"  {scenario:<18} aware {aware}; word of mouth {b.wom_share_of_hazard.mean():.1%} of the awareness "
              f"hazard ({b.wom_share.mean():.1%} of all newly aware, campaign touches {b.campaign_share.mean():.1%})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--root", type=int, default=17, help="root seed of the paired replicates")
    parser.add_argument("--out", default=None, help="optional CSV of the per-run rows")
    args = parser.parse_args(argv)
    seeds = replicate_seeds(args.root, args.seeds)
    rows = [one_run(s, f, seed, args.accounts, args.weeks)
            for s in SCENARIOS for f in (1.0, *FACTORS) for seed in seeds]
    runs = pd.DataFrame(rows)
    if args.out:
        runs.to_csv(args.out, index=False)
    print(f"{args.seeds} paired seeds (root {args.root}), {args.accounts} accounts, {args.weeks} weeks\n")
    report(runs)


if __name__ == "__main__":
    main()
