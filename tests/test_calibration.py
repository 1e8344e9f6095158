"""The calibration chain: priors from the schema, the pattern distance, the stored posterior, ABC-SMC on pyabc,
the screen's choice, the checks and the command line's refusals."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.calibration import checks, screening
from sim.calibration.engine import fit
from sim.calibration.patterns import PUBLISHED, Pattern, distance, statistics
from sim.calibration.posterior import Posterior
from sim.calibration.priors import STRUCTURE, Prior, all_priors, priors, values_at
from sim.calibration.simulator import arm_config, simulate
from sim.config import default_prior_shape

pytest.importorskip("pyabc")


def test_every_candidate_prior_holds_its_default_and_maps_the_unit_interval_onto_its_range():
    every = all_priors()
    assert len(every) > 100
    assert not set(every) & set(STRUCTURE)
    assert not any(f.startswith(("policy.", "instrument.")) for f in every)
    for f, p in every.items():
        assert p.low <= p.default <= p.high, f
        assert math.isclose(float(p.value(0.0)), p.low, rel_tol=1e-9, abs_tol=0.5 if p.integer else 1e-12), f
        assert math.isclose(float(p.value(1.0)), p.high, rel_tol=1e-9, abs_tol=0.5 if p.integer else 1e-12), f
        if not p.integer:
            assert math.isclose(float(p.value(p.position(p.default))), p.default, rel_tol=1e-9), f


def test_prior_shape_is_log_uniform_over_a_wide_positive_range_and_uniform_otherwise():
    assert default_prior_shape(0.004, 0.03) == "log-uniform"
    assert default_prior_shape(0.5, 0.8) == "uniform"
    assert default_prior_shape(0.0, 8.0) == "uniform"
    rate = priors(["market.inquiry_rate"])["market.inquiry_rate"]
    assert rate.shape == "log-uniform"
    # the median of a log-uniform prior is the geometric mean of its bounds
    assert math.isclose(float(rate.value(0.5)), math.sqrt(rate.low * rate.high), rel_tol=1e-9)


def test_an_unknown_field_is_refused_by_name():
    with pytest.raises(ValueError, match="market.nope"):
        priors(["market.inquiry_rate", "market.nope"])
    with pytest.raises(ValueError, match="sales.reps"):
        priors(["sales.reps"])  # structure: the firm knows it, the patterns do not constrain it


def test_distance_is_at_most_one_inside_every_band_and_infinite_for_a_missing_statistic():
    centres = {p.name: p.centre for p in PUBLISHED}
    assert distance(centres) == 0
    edges = {p.name: p.high for p in PUBLISHED}
    assert math.isclose(distance(edges), 1.0)
    outside = dict(centres, reps_at_quota=0.66)  # 2.5 half bands above the centre of 52-60 %
    assert math.isclose(distance(outside), 2.5 / math.sqrt(len(PUBLISHED)))
    assert distance(dict(centres, churn_annual=math.nan)) == math.inf
    assert distance({k: v for k, v in centres.items() if k != "sql_to_won"}) == math.inf


def test_elasticity_arms_move_only_their_lever_by_half():
    base = arm_config("baseline", {"market.inquiry_rate": 0.02})
    for arm, field, factor in (("budget", "weekly_budget", 1.5), ("reps", "reps", 1.5), ("price", "list_price", 1.5)):
        cfg = arm_config(arm, {"market.inquiry_rate": 0.02})
        section = {"weekly_budget": "marketing", "reps": "sales", "list_price": "market"}[field]
        assert getattr(getattr(cfg, section), field) == pytest.approx(getattr(getattr(base, section), field) * factor)
        assert cfg.market.inquiry_rate == 0.02
    assert arm_config("aligned", {}).policy.lead_sla != base.policy.lead_sla or \
        arm_config("aligned", {}).policy.blame_culture != base.policy.blame_culture


def test_statistics_take_arc_elasticities_against_the_baseline():
    summaries = {"baseline": {"revenue_total": 100.0, "customers_won": 50.0},
                 "budget": {"revenue_total": 100.0 * 1.5 ** 0.2, "customers_won": 50.0}}
    pats = [p for p in PUBLISHED if p.name == "budget_elasticity"]
    assert statistics(summaries, pats)["budget_elasticity"] == pytest.approx(0.2)


def _posterior(n=50, seed=0) -> Posterior:
    ps = priors(["market.inquiry_rate", "sales.qualification_weeks"])
    rng = np.random.default_rng(seed)
    unit = pd.DataFrame(rng.uniform(0.2, 0.4, size=(n, 2)), columns=list(ps))
    return Posterior.from_unit(ps, unit, rng.uniform(0.5, 1.5, n), PUBLISHED[:2], {"method": "test"},
                               pd.DataFrame({"inquiry_to_mql": rng.uniform(size=n)}))


def test_posterior_round_trips_through_parquet_with_its_targets_and_commit(tmp_path):
    post = _posterior()
    path = post.save(tmp_path / "post.parquet")
    back = Posterior.load(path)
    assert back.fields == post.fields
    np.testing.assert_allclose(back.weights, post.weights)
    assert math.isclose(back.weights.sum(), 1.0)
    pd.testing.assert_frame_equal(back.values, post.values)
    assert [p.name for p in back.patterns] == ["inquiry_to_mql", "lead_acceptance"]
    assert back.patterns[0].source == PUBLISHED[0].source
    assert back.info["commit"] == post.info["commit"] != ""
    assert list(back.statistics.columns) == ["inquiry_to_mql"]
    draws = back.sample(5, seed=1)
    assert all(isinstance(d["sales.qualification_weeks"], int) for d in draws)
    assert draws == back.sample(5, seed=1)


def test_weighted_quantiles_follow_the_weights():
    ps = priors(["market.inquiry_rate"])
    unit = pd.DataFrame({"market.inquiry_rate": [0.1, 0.9]})
    post = Posterior.from_unit(ps, unit, np.array([0.999, 0.001]), [], {})
    q = post.quantiles((0.5,))
    assert q.at["market.inquiry_rate", "q50"] == pytest.approx(float(ps["market.inquiry_rate"].value(0.1)), rel=1e-2)


def _toy(values, seed):
    rng = np.random.default_rng(seed)
    return {"a": values["market.inquiry_rate"] * 1000 + rng.normal(0, 0.3),
            "b": values["market.churn_annual_satisfied"] * 100 + rng.normal(0, 0.2)}


def test_abc_smc_recovers_a_known_parameter_set_of_a_toy_simulator():
    ps = priors(["market.inquiry_rate", "market.churn_annual_satisfied"])
    truth = {"market.inquiry_rate": 0.010, "market.churn_annual_satisfied": 0.05}
    pats = [Pattern("a", "x", "a", 9.0, 11.0, "", "toy"), Pattern("b", "x", "b", 4.5, 5.5, "", "toy")]
    post = fit(ps, _toy, pats, population=60, generations=5, target_epsilon=0.2, n_procs=1, seed=3,
               progress=False)
    q = post.quantiles((0.05, 0.5, 0.95))
    for f, v in truth.items():
        assert q.at[f, "q5"] <= v <= q.at[f, "q95"], f
    con = checks.contraction(post).set_index("field")["contraction"]
    assert (con < 0.5).all(), con
    assert post.info["simulations"] >= 60 * post.info["generations"]
    assert len(post.statistics) == len(post) and set(post.statistics.columns) == {"a", "b"}


def test_importance_weights_stay_spread_on_a_ten_parameter_problem():
    """The default proposal kernel collapses the weights onto a few particles with ten parameters (benchmarks/
    abc_kernel.py): the engine's widened kernel keeps the effective sample size above a fifth of the population."""
    from benchmarks.abc_kernel import PARAMETERS, STATISTICS, TOLERANCE, _problem

    model, observed = _problem()
    ps = priors(list(all_priors())[:PARAMETERS])
    keys = list(ps)

    def toy(values, seed):
        np.random.seed(seed % 2**32)
        return model({f"u{i}": float(ps[k].position(values[k])) for i, k in enumerate(keys)})

    pats = [Pattern(f"s{k}", "x", f"s{k}", observed[f"s{k}"] - TOLERANCE, observed[f"s{k}"] + TOLERANCE, "", "toy")
            for k in range(STATISTICS)]
    post = fit(ps, toy, pats, population=60, generations=3, target_epsilon=0.0, n_procs=1, seed=2, progress=False)
    assert post.effective_size() > 12, post.info["effective_sizes"]
    assert post.info["effective_sizes"][-1] == pytest.approx(post.effective_size(), abs=0.1)


def test_abc_stops_at_the_wall_time_budget_before_starting_a_generation_it_cannot_finish():
    ps = priors(["market.inquiry_rate"])
    pats = [Pattern("a", "x", "a", 9.0, 11.0, "", "toy")]

    def slow(values, seed):
        import time

        time.sleep(0.01)
        return {"a": values["market.inquiry_rate"] * 1000}

    post = fit(ps, slow, pats, population=20, generations=50, target_epsilon=0.0, walltime_minutes=0.02,
               n_procs=1, seed=1, progress=False)
    assert post.info["stopped_by"] == "walltime"
    assert post.info["wall_seconds"] < 0.02 * 60 + 5


def test_a_failed_simulation_is_a_rejected_particle_not_a_failed_calibration():
    out = simulate({"market.inquiry_rate": -1.0}, seed=1, patterns=PUBLISHED[:1])
    assert math.isnan(out["inquiry_to_mql"])


def _fake_screen(effects: dict[str, float], noise_sd: float) -> screening.Screen:
    """A screen whose one statistic is a linear function of the unit positions plus noise."""
    from SALib.sample import morris

    ps = priors(list(effects))
    problem = {"num_vars": len(ps), "names": list(ps), "bounds": [[0, 1]] * len(ps)}
    unit = morris.sample(problem, 10, num_levels=4, seed=1)
    rng = np.random.default_rng(2)
    y = unit @ np.array(list(effects.values())) + rng.normal(0, noise_sd, len(unit))
    pat = Pattern("s", "baseline", "s", 0.0, 2.0, "", "toy")  # tolerance 1
    noise = pd.DataFrame({"s": rng.normal(0, noise_sd, 8)})
    return screening.Screen(ps, pd.DataFrame(unit, columns=list(ps)), pd.DataFrame({"s": y}), pd.DataFrame(),
                            noise, pd.DataFrame(), [pat], {})


def test_the_screen_keeps_parameters_above_the_noise_floor_in_order_of_effect():
    screen = _fake_screen({"market.inquiry_rate": 3.0, "market.lead_decay": 1.0, "market.recycle_weeks": 0.0,
                           "market.fit_alpha": 0.0}, noise_sd=0.05)
    assert screening.select(screen, 4) == ["market.inquiry_rate", "market.lead_decay"]
    assert screening.select(screen, 1, always=["market.fit_alpha"]) == ["market.fit_alpha"]
    ranked = screening.ranking(screen)
    assert ranked["field"].iloc[0] == "market.inquiry_rate"
    assert ranked["effect"].iloc[0] == pytest.approx(3.0, rel=0.1)  # mu* is the slope over the unit range


def test_predictive_table_reports_every_pattern_with_its_interval_and_the_defaults():
    post = _posterior()
    pats = [Pattern("a", "x", "a", 0.0, 100.0, "", "toy"), Pattern("b", "x", "b", 0.0, 1.0, "", "toy")]
    post = replace(post, patterns=pats)

    def toy(values, seed):
        return {"a": values["market.inquiry_rate"] * 1000 + np.random.default_rng(seed).normal(), "b": 5.0}

    defaults = {f: p.default for f, p in post.priors.items()}
    table = checks.predictive(post, toy, draws=30, defaults=defaults).set_index("pattern")
    assert table.at["a", "q05"] <= table.at["a", "median"] <= table.at["a", "q95"]
    assert bool(table.at["a", "inside"]) and not bool(table.at["b", "inside"])
    assert table.at["b", "share_in_band"] == 0
    assert table.at["a", "default_median"] == pytest.approx(12.0, abs=1.0)  # inquiry_rate default 0.012


def test_recovery_on_the_model_puts_the_truth_inside_the_credible_intervals():
    """The fast variant of the recovery test: two parameters that act on two statistics of a small market (3,000
    accounts, one year), one synthetic data set, a small ABC run; the slow variant is `alignsim calibrate
    --recovery N` on the published patterns."""
    from functools import partial

    ps = priors(["sales.base_win_hazard", "market.churn_annual_satisfied"])
    pats = [Pattern("sql_to_won", "baseline", "sql_to_won", 0, 0.06, "share", "synthetic"),
            Pattern("churn_annual", "baseline", "churn_annual", 0, 0.02, "share per year", "synthetic")]
    sim_fn = partial(simulate, patterns=tuple(pats), overrides=("market.accounts=3000", "weeks=52"))
    rec = checks.recovery(ps, sim_fn, pats, datasets=1,
                          fit_kwargs={"population": 20, "generations": 4, "target_epsilon": 0.3, "n_procs": 1,
                                      "progress": False}, seed=5)
    assert rec["inside"].all(), rec
    assert (rec["contraction"] < 0.9).all(), rec


def test_command_line_refuses_bad_budgets_before_any_run(capsys):
    from sim.calibration.cli import main

    assert main(["--population", "0"]) == 2
    assert "--population" in capsys.readouterr().err
    assert main(["--minutes", "-1"]) == 2
    assert main(["--fields", "market.inquiry_rate,market.nope"]) == 2
    assert "market.nope" in capsys.readouterr().err
    assert main(["--n-jobs", "0"]) == 2


def test_values_at_rounds_whole_valued_fields():
    ps = priors(["sales.qualification_weeks", "market.inquiry_rate"])
    vals = values_at(ps, {"sales.qualification_weeks": 0.49, "market.inquiry_rate": 0.5})
    assert isinstance(vals["sales.qualification_weeks"], int)
    assert isinstance(all_priors()["market.inquiry_rate"], Prior)


def test_plausible_sets_draw_the_uncalibrated_parameters_from_their_priors():
    post = _posterior()
    sets = post.plausible(8, seed=4)
    every = all_priors()
    assert all(set(s) == set(every) for s in sets)
    assert not set(sets[0]) & set(STRUCTURE)
    # calibrated fields come from the particles (unit positions 0.2-0.4), the rest spread over their priors
    rates = [every["market.inquiry_rate"].position(s["market.inquiry_rate"]) for s in sets]
    assert all(0.2 - 1e-9 <= r <= 0.4 + 1e-9 for r in rates)
    decay = sorted(every["market.lead_decay"].position(s["market.lead_decay"]) for s in sets)
    assert decay[0] < 0.125 and decay[-1] > 0.875  # a Latin hypercube puts one draw in each eighth
    assert sets == post.plausible(8, seed=4)
