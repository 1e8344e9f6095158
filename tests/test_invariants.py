"""Conservation checked every week over many random valid configurations (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import sim
from sim.market import NOBODY, Stage
from sim.model import AlignmentModel

RATE_COLUMNS = ("lead_acceptance", "lead_to_customer", "churn_rate", "satisfaction_mean",
                "trust_mean", "trust_sales_in_marketing", "trust_marketing_in_sales", "reps_at_quota",
                "field_knowledge", "ops_knowledge", "service_quality", "enablement", "care_mean")

policies = st.fixed_dictionaries({
    "blame_culture": st.floats(0, 1), "shared_goal_weight": st.floats(0, 1), "spend_veto": st.booleans(),
    "veto_threshold": st.floats(0, 3), "marketing_pay": st.sampled_from(["lead_volume", "pipeline", "revenue"]),
    "sales_pay": st.sampled_from(["new_revenue", "total_revenue", "margin"]), "max_discount": st.floats(0, 0.5),
    "lead_sla": st.booleans(), "sla_fit_threshold": st.floats(0, 1), "sla_followup_weeks": st.integers(1, 6),
    "cross_training_rate": st.floats(0, 4), "joint_meetings": st.integers(0, 13), "shared_data": st.floats(0, 1),
    "marketing_reports_to_sales": st.booleans(), "marketing_sales_experience": st.floats(0, 1),
    "purchasing_rigidity": st.floats(0, 1), "account_management_share": st.floats(0, 1),
    "ops_flexibility": st.floats(0, 1),
})


def _config(policy: dict, accounts: int, customers: int, weeks: int):
    overrides = [f"market.accounts={accounts}", f"market.initial_customers={customers}", f"weeks={weeks}"]
    overrides += [f"policy.{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in policy.items()]
    return sim.load_config("hundred_years_war", overrides)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: keeps CI bounded
@given(policy=policies, accounts=st.integers(50, 1500), share=st.floats(0, 0.3), weeks=st.integers(14, 60),
       seed=st.integers(0, 2**32))
def test_conservation_every_week(policy, accounts, share, weeks, seed):
    cfg = _config(policy, accounts, int(accounts * share), weeks)
    model = AlignmentModel(cfg, rng=seed)
    m = model.market
    ever_customer = m.stage == Stage.CUSTOMER
    for _ in range(weeks):
        model.step()
        counts = m.stage_counts()
        assert counts.sum() == accounts and counts.size == len(Stage)  # no account lost or created
        assert np.isin(m.stage, list(Stage)).all()  # every account in exactly one known stage
        assert not (m.onboarded & (m.stage != Stage.CUSTOMER)).any()
        worked = np.isin(m.stage, [Stage.LEAD, Stage.ACCEPTED, Stage.OPPORTUNITY])
        assert (m.owner[worked] != NOBODY).all()
        assert ((m.satisfaction >= 0) & (m.satisfaction <= 1)).all()
        ever_customer |= m.stage == Stage.CUSTOMER
        assert not ((m.stage == Stage.CHURNED) & ~ever_customer).any()  # only customers churn
        assert ((model.relations.trust >= 0) & (model.relations.trust <= 1)).all()
    weekly = model.weekly()
    # money: cash moves by revenue minus spend minus payroll, and revenue splits into new + recurring
    flows = weekly["revenue"] - weekly["marketing_spend"] - weekly["payroll"]
    np.testing.assert_allclose(weekly["cash_balance"], flows.cumsum(), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(weekly["revenue"], weekly["new_customer_revenue"] + weekly["recurring_revenue"])
    assert (weekly["marketing_spend"] <= cfg.marketing.weekly_budget + 1e-6).all()
    # stage flows add up: the churned total grows exactly by the week's churn
    np.testing.assert_array_equal(np.diff(weekly["churned_total"]), weekly["churned"].iloc[1:])
    for column in RATE_COLUMNS:
        if column in weekly:
            values = weekly[column].dropna()
            assert ((values >= 0) & (values <= 1)).all(), column
    assert 1 <= weekly["alignment_stage"].min() and weekly["alignment_stage"].max() <= 5
    assert ((weekly["krk_score"] >= 20) & (weekly["krk_score"] <= 100)).all()
