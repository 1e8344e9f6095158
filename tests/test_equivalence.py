"""The vectorised model is the same model as the textbook per-agent Mesa reference (benchmarks/reference).

Over 24 independent seeds each of a small market (2,000 accounts, one year), the distributions of the key
outputs must agree: two-sample KS p-value above 0.01 and means within 4 standard errors of each other.
A rule that diverges between the fast path and the reference (a hazard, a threshold, a stage move)
shifts at least one of these distributions and fails the test.  No wall-time asserts.

The reference is imported as the package ``benchmarks.reference`` from the repository root (pytest's
rootdir; run ``python -m pytest`` from there).
"""

from types import FunctionType

import mesa
import pytest

import sim
from benchmarks.reference.equivalence import KEY_OUTPUTS, SMALL_OVERRIDES, compare_models
from benchmarks.reference.per_agent import Account, AccountAgents, PerAgentModel
from sim.accounts import AccountLayer, VectorisedMarket
from sim.model import AlignmentModel

TINY = ("market.accounts=300", "market.initial_customers=6", "weeks=3")


@pytest.fixture(scope="module")
def equivalence():
    cfg = sim.load_config("hundred_years_war", overrides=list(SMALL_OVERRIDES))
    return compare_models(cfg, replicates=24, root_seed=0, n_jobs=1)


def test_reference_is_a_per_agent_model():
    model = PerAgentModel(sim.load_config("hundred_years_war", overrides=list(TINY)), rng=1)
    model.run_for(3)
    assert len(model.agents_by_type[Account]) == 300
    assert all(isinstance(a, mesa.Agent) for a in model.market.accounts)


def test_reference_only_swaps_the_account_layer():
    methods = {name for name, member in vars(PerAgentModel).items()
               if isinstance(member, (FunctionType, classmethod, staticmethod, property))}
    assert not methods & set(dir(AlignmentModel)), "PerAgentModel overrides methods of AlignmentModel"
    assert PerAgentModel.account_layer is AccountAgents


@pytest.mark.parametrize("model_class", [AlignmentModel, PerAgentModel])
def test_both_layers_implement_the_account_layer(model_class):
    model = model_class(sim.load_config("hundred_years_war", overrides=list(TINY)), rng=1)
    assert isinstance(model.market, AccountLayer)
    assert isinstance(model.market, VectorisedMarket if model_class is AlignmentModel else AccountAgents)


@pytest.mark.parametrize("output", KEY_OUTPUTS)
def test_same_distribution_as_per_agent_reference(equivalence, output):
    fast, ref, table = equivalence
    row = table.set_index("output").loc[output]
    assert row["ks_p_value"] > 0.01, table.to_string()
    assert abs(row["difference"]) <= 4 * row["se_difference"], table.to_string()
    assert fast[output].notna().sum() >= 20 and ref[output].notna().sum() >= 20
