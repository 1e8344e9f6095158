"""Each policy lever moves its own direct mechanism the right way, over paired replicates (paired t-test).

Small market (3,000 accounts, 78 weeks), 8 paired replicates per arm; each case states the lever, the
mechanism it must move, and the direction.  One-sided paired t-test at 5 %.
"""

import numpy as np
import pytest
from scipy import stats

from sim.runner import run_replicates
from tests.conftest import small_config

REPLICATES = 8

CASES = [
    # lever off/low overrides, lever on/high overrides, summary metric, expected sign of (on - off)
    ("spend veto lowers marketing spend", ["policy.spend_veto=false"], ["policy.spend_veto=true"],
     "marketing_spend_total", -1),
    ("lead SLA raises the share of leads sales accepts", ["policy.lead_sla=false"], ["policy.lead_sla=true"],
     "lead_acceptance", +1),
    ("blame culture lowers trust", ["policy.blame_culture=0.0"], ["policy.blame_culture=1.0"], "trust_mean_end", -1),
    ("blame culture raises blame events", ["policy.blame_culture=0.0"], ["policy.blame_culture=1.0"],
     "blame_events", +1),
    ("shared goals damp discounting", ["policy.shared_goal_weight=0"], ["policy.shared_goal_weight=0.8"],
     "discount_mean", -1),
    ("marketing paid on revenue passes fewer, better leads", ["policy.marketing_pay=lead_volume"],
     ["policy.marketing_pay=revenue"], "inquiry_to_mql", -1),
    ("marketing paid on revenue raises lead-to-customer conversion", ["policy.marketing_pay=lead_volume"],
     ["policy.marketing_pay=revenue"], "lead_to_customer", +1),
    ("discount authority raises discounts", ["policy.max_discount=0.05"], ["policy.max_discount=0.4"],
     "discount_mean", +1),
    ("cross-training raises marketers' field knowledge", ["policy.cross_training_rate=0"],
     ["policy.cross_training_rate=2"], "field_knowledge_end", +1),
    ("joint meetings raise trust", ["policy.joint_meetings=0"], ["policy.joint_meetings=4"], "trust_mean_end", +1),
    ("shared data raises marketers' field knowledge", ["policy.shared_data=0"], ["policy.shared_data=1"],
     "field_knowledge_end", +1),
    ("marketing under sales lowers brand investment", ["policy.marketing_reports_to_sales=false"],
     ["policy.marketing_reports_to_sales=true"], "brand_level_end", -1),
    ("marketers with sales experience know the field better", ["policy.marketing_sales_experience=0"],
     ["policy.marketing_sales_experience=1"], "field_knowledge_end", +1),
    ("purchasing rigidity lowers the opportunity win rate", ["policy.purchasing_rigidity=0"],
     ["policy.purchasing_rigidity=1"], "sql_to_won", -1),
    ("account-management time lowers churn", ["policy.account_management_share=0.02"],
     ["policy.account_management_share=0.4"], "churn_annual", -1),
    ("reps paid on total revenue give customers time: satisfaction rises", ["policy.sales_pay=new_revenue"],
     ["policy.sales_pay=total_revenue"], "satisfaction_end", +1),
    ("reps paid on margin discount less", ["policy.sales_pay=new_revenue"], ["policy.sales_pay=margin"],
     "discount_mean", -1),
    ("operations flexibility narrows the promise gap", ["policy.ops_flexibility=0"], ["policy.ops_flexibility=1"],
     "promise_gap_mean", -1),
]


@pytest.mark.parametrize("name, off, on, metric, sign", CASES, ids=[c[0] for c in CASES])
def test_lever_moves_its_mechanism(name, off, on, metric, sign):
    low, high = small_config("hundred_years_war", *off), small_config("hundred_years_war", *on)
    low.name, high.name = "off", "on"
    runs = run_replicates([low, high], REPLICATES, seed=3).runs
    a = runs[runs.scenario == "off"].sort_values("replicate")[metric].to_numpy(float)
    b = runs[runs.scenario == "on"].sort_values("replicate")[metric].to_numpy(float)
    diff = sign * (b - a)
    assert diff.mean() > 0, f"{name}: mean change {b.mean() - a.mean():+.4g} has the wrong sign"
    if np.ptp(diff) > 0:
        p = stats.ttest_rel(sign * b, sign * a, alternative="greater").pvalue
        assert p < 0.05, f"{name}: p = {p:.3g}"


def test_discount_targeting_aims_discounts_at_price_sensitive_buyers():
    """With policy.discount_targeting = 1 the discount a new customer got rises with its price sensitivity;
    with 0 it does not (a rep's discount follows quota pressure, whoever the buyer)."""
    from sim.model import AlignmentModel

    def rho(targeting: float) -> float:
        model = AlignmentModel(small_config("hundred_years_war", f"policy.discount_targeting={targeting}"), rng=5)
        model.run_for(model.config.weeks)
        won = model.market.won_week >= 0
        return stats.spearmanr(model.market.price_sensitivity[won], model.market.discount[won]).statistic

    assert rho(1.0) > 0.5
    assert abs(rho(0.0)) < 0.2
