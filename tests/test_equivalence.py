"""The vectorised model is the same model as the textbook per-agent Mesa reference (benchmarks/reference).

Over 24 independent seeds each of a small market (2,000 accounts, one year), the distributions of the key
outputs must agree: two-sample KS p-value above 0.01 and means within 4 standard errors of each other.
A rule that diverges between the fast path and the reference (a hazard, a threshold, a stage move)
shifts at least one of these distributions and fails the test.  No wall-time asserts.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "benchmarks" / "reference"


def reference_module(name: str):
    """Import ``benchmarks/reference/<name>.py`` by its file path under its own name (the reference modules
    import each other by bare name), without touching ``sys.path``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REFERENCE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def equivalence():
    import sim

    reference_module("per_agent")
    reference = reference_module("equivalence")
    cfg = sim.load_config("hundred_years_war", overrides=list(reference.SMALL_OVERRIDES))
    # in-process: worker processes would not have the reference modules imported
    return reference.compare_models(cfg, replicates=24, root_seed=0, n_jobs=1)


def test_reference_is_a_per_agent_model():
    import mesa
    import sim

    per_agent = reference_module("per_agent")
    cfg = sim.load_config("hundred_years_war", overrides=["market.accounts=300", "market.initial_customers=6",
                                                          "weeks=3"])
    model = per_agent.PerAgentModel(cfg, rng=1)
    model.run_for(3)
    assert len(model.agents_by_type[per_agent.Account]) == 300
    assert all(isinstance(a, mesa.Agent) for a in model.account_list)


@pytest.mark.parametrize("output", ["revenue_total", "customers_won", "active_customers_end", "lead_acceptance",
                                    "churn_annual"])
def test_same_distribution_as_per_agent_reference(equivalence, output):
    fast, ref, table = equivalence
    row = table.set_index("output").loc[output]
    assert row["ks_p_value"] > 0.01, table.to_string()
    assert abs(row["difference"]) <= 4 * row["se_difference"], table.to_string()
    assert fast[output].notna().sum() >= 20 and ref[output].notna().sum() >= 20
