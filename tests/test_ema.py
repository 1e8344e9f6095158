"""The EMA workbench adapter (sim.ema): the schema as levers and uncertainties, outcomes with direction,
replicates on common random numbers, the sweep-engine evaluator, plausible firms and the robust search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

import sim  # noqa: E402
import sim.ema  # noqa: E402
from sim.config import ConfigError  # noqa: E402

TINY = ["market.accounts=1500", "weeks=30"]
"""1,500 accounts over 30 weeks: about 0.05 s a run."""


def tiny_model(**kwargs):
    kwargs = {"levers": ["policy.blame_culture", "policy.joint_meetings"],
              "uncertainties": ["market.fit_beta", "market.inquiry_rate"],
              "outcomes": ["revenue_total", "trust_mean_end", "cac"], "replicates": 2, **kwargs}
    return sim.ema.model(overrides=TINY, **kwargs)


def test_levers_uncertainties_and_outcomes_follow_the_schema():
    from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter, ScalarOutcome

    from sim.calibration.priors import all_priors
    from sim.config import MARKETING_PAY_SCHEMES, PolicyConfig

    m = sim.ema.model(overrides=TINY)
    base = sim.load_config("hundred_years_war", TINY)
    levers = {p.name: p for p in m.levers}
    assert len(levers) == len(PolicyConfig.__dataclass_fields__)
    blame = levers["policy__blame_culture"]
    assert isinstance(blame, RealParameter) and (blame.lower_bound, blame.upper_bound) == (0.0, 1.0)
    assert blame.default == base.policy.blame_culture and blame.variable_name == ["policy.blame_culture"]
    assert isinstance(levers["policy__spend_veto"], BooleanParameter)
    pay = levers["policy__marketing_pay"]
    assert isinstance(pay, CategoricalParameter) and [c.value for c in pay.categories] == list(MARKETING_PAY_SCHEMES)
    meetings = levers["policy__joint_meetings"]
    assert isinstance(meetings, IntegerParameter) and (meetings.lower_bound, meetings.upper_bound) == (0, 52)
    priors = all_priors()
    assert [p.variable_name[0] for p in m.uncertainties] == list(priors)
    beta = next(p for p in m.uncertainties if p.name == "market__fit_beta")
    assert (beta.lower_bound, beta.upper_bound) == (priors["market.fit_beta"].low, priors["market.fit_beta"].high)
    kinds = {o.name: o.kind for o in m.outcomes}
    assert kinds["revenue_total"] == ScalarOutcome.MAXIMIZE and kinds["cac"] == ScalarOutcome.MINIMIZE
    assert kinds["vetoes"] == ScalarOutcome.INFO
    narrowed = sim.ema.model(overrides=TINY, levers={"policy.max_discount": {"low": 0.1, "high": 0.3}},
                             objectives=["revenue_total"])
    assert (narrowed.levers[0].lower_bound, narrowed.levers[0].upper_bound) == (0.1, 0.3)
    assert {o.name for o in narrowed.outcomes if o.kind != ScalarOutcome.INFO} == {"revenue_total"}


@pytest.mark.parametrize("kwargs, words", [
    ({"levers": ["policy.max_discont"]}, ["lever 'policy.max_discont'", "did you mean 'policy.max_discount'"]),
    ({"levers": {"policy.max_discount": {"low": 0.0, "high": 0.9}}}, ["policy.max_discount", "[0, 0.5]"]),
    ({"outcomes": ["revenue_totl"]}, ["revenue_totl", "did you mean 'revenue_total'"]),
    ({"uncertainties": ["market.accounts"]}, ["market.accounts", "not calibration candidates"]),
    ({"replicates": 0}, ["replicates = 0", ">= 1"]),
])
def test_bad_input_names_the_field_and_what_is_allowed(kwargs, words):
    with pytest.raises(ConfigError) as err:
        sim.ema.model(overrides=TINY, **kwargs)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_perform_experiments_works_with_no_other_glue():
    from ema_workbench import perform_experiments

    experiments, outcomes = perform_experiments(tiny_model(), scenarios=2, policies=2)
    assert len(experiments) == 4 and {"policy__blame_culture", "market__fit_beta"} <= set(experiments.columns)
    assert set(outcomes) == {"revenue_total", "trust_mean_end", "cac"} and np.isfinite(outcomes["revenue_total"]).all()
    by_policy = pd.Series(outcomes["trust_mean_end"]).groupby(experiments["policy"].astype(str).to_numpy()).first()
    by_firm = pd.Series(outcomes["revenue_total"]).groupby(experiments["scenario"].astype(str).to_numpy()).first()
    assert by_policy.nunique() == 2 and by_firm.nunique() == 2      # the levers and the firm both reach the model


def test_an_experiment_is_the_mean_of_its_replicates_on_common_random_numbers():
    m = tiny_model()
    values = {"policy.blame_culture": 0.3, "policy.joint_meetings": 4, "market.fit_beta": 4.0}
    got = m.function(**values)
    cfg = sim.load_config("hundred_years_war", [*TINY, "policy.blame_culture=0.3", "policy.joint_meetings=4",
                                                 "market.fit_beta=4.0"])
    runs = [sim.run(cfg, seed=s).summary for s in sim.replicate_seeds(0, 2)]
    assert got["revenue_total"] == pytest.approx(np.mean([r["revenue_total"] for r in runs]))
    assert m.function(**values) == got                                  # the same seeds in every experiment
    assert tiny_model(seed=1).function(**values) != got                 # another root seed, other luck


def _fixed_experiments(m):
    from ema_workbench.em_framework.points import SampleCollection

    scenarios = SampleCollection(np.array([[3.0, 0.01], [6.0, 0.02]]), m.uncertainties)
    policies = SampleCollection(np.array([[0.1, 0], [0.9, 13]]), m.levers)
    return scenarios, policies


def test_sweep_evaluator_gives_the_model_functions_outcomes_and_resumes(tmp_path, monkeypatch):
    from ema_workbench import perform_experiments

    from sim.sweep import execute

    m = tiny_model()
    scenarios, policies = _fixed_experiments(m)
    _, direct = perform_experiments(m, scenarios=scenarios, policies=policies)
    with sim.ema.SweepEvaluator(m, tmp_path / "ema", n_jobs=2) as evaluator:
        _, swept = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    assert evaluator.runs == 8 and len(evaluator.batches) == 1
    for name in direct:
        np.testing.assert_allclose(swept[name], direct[name])
    batch = evaluator.batches[0]
    assert sorted(p.name for p in (batch / "runs").glob("*.sha256"))  # checksummed parts of the sweep store
    calls = []
    real = execute.execute_chunks
    monkeypatch.setattr(execute, "execute_chunks",
                        lambda tasks, *a, **k: (calls.append(len(tasks)), real(tasks, *a, **k)))
    with sim.ema.SweepEvaluator(m, tmp_path / "ema", n_jobs=1) as again:
        _, resumed = again.perform_experiments(scenarios=scenarios, policies=policies)
    assert calls == [0]                                             # everything was stored: nothing ran again
    np.testing.assert_allclose(resumed["revenue_total"], swept["revenue_total"])


def test_plausible_firms_come_from_the_posterior_and_the_priors():
    from sim.calibration.api import POSTERIOR_FILE, load_posterior
    from sim.calibration.priors import all_priors
    from sim.ema.firms import plausible_values

    if not POSTERIOR_FILE.exists():
        pytest.skip("no stored posterior")
    post = load_posterior()
    firms = plausible_values(5, seed=3)
    particles = post.values
    for firm in firms:
        field = post.fields[0]
        assert np.isclose(particles[field], firm[field]).any()         # a calibrated field is a particle's value
        for name, prior in all_priors().items():
            assert prior.low - 1e-9 <= firm[name] <= prior.high + 1e-9, name
    collection = sim.ema.plausible_firms(5, seed=3, ema_model=tiny_model())
    assert len(collection) == 5 and collection.samples.shape == (5, 2)
    with pytest.raises(ConfigError, match="firms = 0"):
        plausible_values(0)


def test_choice_levers_as_positions_decode_to_their_values():
    from ema_workbench import IntegerParameter

    m = sim.ema.model(overrides=TINY, levers=["policy.marketing_pay", "policy.lead_sla"], choices_as_positions=True)
    assert all(isinstance(p, IntegerParameter) for p in m.levers)
    assert m.function.decode({"policy.marketing_pay": 2, "policy.lead_sla": 1}) == \
        {"policy.marketing_pay": "revenue", "policy.lead_sla": True}


def test_robustness_is_the_tenth_percentile_across_firms():
    from sim.ema.optimisation import robustness

    assert robustness(np.arange(11.0)) == pytest.approx(1.0)
    assert robustness([np.nan, 2.0, 4.0]) == pytest.approx(2.2)
    assert np.isnan(robustness([np.nan, np.nan]))


def test_robust_search_returns_a_pareto_set_in_units(tmp_path):
    from sim.ema.optimisation import optimise

    result = optimise(tmp_path / "opt", levers=["policy.blame_culture", "policy.lead_sla"], firms=2, nfe=4,
                      population=4, overrides=TINY, n_jobs=1, objectives=("revenue_total", "gross_margin_total"))
    table = result.table()
    assert len(result.pareto) >= 1 and result.runs == 8 and result.pareto["policy.lead_sla"].isin([True, False]).all()
    assert list(table.columns) == ["policy.blame_culture (probability)", "policy.lead_sla (on/off)",
                                   "Revenue over the run, p10 across firms (EUR million)",
                                   "Gross margin, p10 across firms (EUR million)"]
    assert table.iloc[:, 2].between(0.01, 100).all()                                 # EUR million, not EUR


def test_exports_are_not_shadowed_by_submodules():
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(sim.ema.__path__):
        importlib.import_module(f"sim.ema.{info.name}")  # binds each submodule onto the package
    for name in sim.ema.__all__:
        assert callable(getattr(sim.ema, name)), name


@pytest.mark.slow
def test_sweep_evaluator_on_a_dask_cluster_gives_the_same_outcomes(tmp_path):
    """The same experiments on the Dask backend (a LocalCluster of 2 workers) as on joblib."""
    pytest.importorskip("distributed")
    m = tiny_model()
    scenarios, policies = _fixed_experiments(m)
    with sim.ema.SweepEvaluator(m, tmp_path / "local", n_jobs=2) as local:
        _, expected = local.perform_experiments(scenarios=scenarios, policies=policies)
    with sim.ema.SweepEvaluator(m, tmp_path / "dask", backend="dask", n_jobs=2) as dask:
        _, got = dask.perform_experiments(scenarios=scenarios, policies=policies)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name])
