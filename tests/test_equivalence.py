"""The vectorised model is the same model as the textbook per-agent Mesa reference (benchmarks/reference).

Over 24 independent seeds each of a small market (2,000 accounts, one year), the distributions of the key
outputs must agree: two-sample KS p-value above 0.01 and means within 4 standard errors of each other.
A rule that diverges between the fast path and the reference (a hazard, a threshold, a stage move)
shifts at least one of these distributions and fails the test.  No wall-time asserts.
"""

import sys
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "benchmarks" / "reference"


@pytest.fixture(scope="module")
def equivalence():
    sys.path.insert(0, str(REFERENCE))
    try:
        import sim
        from equivalence import SMALL_OVERRIDES, compare_models

        cfg = sim.load_config("hundred_years_war", overrides=list(SMALL_OVERRIDES))
        # in-process: loky workers started earlier in this pytest worker would not see the reference on sys.path
        return compare_models(cfg, replicates=24, root_seed=0, n_jobs=1)
    finally:
        sys.path.remove(str(REFERENCE))


def test_reference_is_a_per_agent_model():
    sys.path.insert(0, str(REFERENCE))
    try:
        import mesa
        import sim
        from per_agent import Account, PerAgentModel

        cfg = sim.load_config("hundred_years_war", overrides=["market.accounts=300", "market.initial_customers=6",
                                                              "weeks=3"])
        model = PerAgentModel(cfg, rng=1)
        model.run_for(3)
        assert len(model.agents_by_type[Account]) == 300
        assert all(isinstance(a, mesa.Agent) for a in model.account_list)
    finally:
        sys.path.remove(str(REFERENCE))


@pytest.mark.parametrize("output", ["revenue_total", "customers_won", "active_customers_end", "lead_acceptance",
                                    "churn_annual"])
def test_same_distribution_as_per_agent_reference(equivalence, output):
    fast, ref, table = equivalence
    row = table.set_index("output").loc[output]
    assert row["ks_p_value"] > 0.01, table.to_string()
    assert abs(row["difference"]) <= 4 * row["se_difference"], table.to_string()
    assert fast[output].notna().sum() >= 20 and ref[output].notna().sum() >= 20
