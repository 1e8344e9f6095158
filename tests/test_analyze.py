"""``alignsim analyze`` (sim.sweep.analysis, sim.sweep.plots): values in the outcome schema's units, main effects
and interactions with CIs that recount from the runs, eta squared for a grid or a Latin hypercube, ranking.md for
every design, heat maps of every lever pair in one orientation with values in the cells, titles from the labels,
and the warning when replicates are too few."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sim.sweep
from sim.sweep import analysis, plots
from sim.sweep.spec import Lever

TINY = ["market.accounts=1500", "weeks=30"]


def grid_spec(replicates: int = 3, **changes) -> dict:
    """A 2 x 2 x 2 grid: lead SLA off/on x blame culture 0/1 x shared goal weight 0/1, on a tiny market."""
    spec = {"name": "grid", "overrides": TINY, "replicates": replicates, "chunk_size": 12,
            "levers": {"policy.lead_sla": {}, "policy.blame_culture": {"values": [0.0, 1.0]},
                       "policy.shared_goal_weight": {"values": [0.0, 1.0]}},
            "design": {"method": "grid"}, "outcomes": ["revenue_total", "lead_acceptance"],
            "execution": {"n_jobs": 2}}
    spec.update(changes)
    return spec


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyze") / "grid"
    runs = sim.sweep.run_sweep(grid_spec(), path, progress=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        indices = sim.sweep.analyze(path)
    return path, runs, indices, [str(w.message) for w in caught]


def test_a_grid_writes_indices_and_a_ranking(grid):
    path, _, indices, _ = grid
    assert len(indices) == 6 and set(indices["index"]) == {"eta2"}       # 3 levers x 2 outcomes, never empty
    assert ((indices["value"] >= -0.01) & (indices["value"] <= 1.01)).all()
    stored = pd.read_csv(path / "analysis" / "indices.csv")
    assert len(stored) == 6
    ranking = (path / "analysis" / "ranking.md").read_text()
    assert "**Leads accepted by sales (%)**" in ranking and "Main effects (%" in ranking
    top = analysis.ranking(indices, "lead_acceptance")
    assert top["lever"].iloc[0] == "policy.lead_sla"                     # the SLA makes sales follow leads up


def test_main_effects_are_in_display_units_and_recount_from_the_runs(grid):
    path, runs, _, _ = grid
    effects = pd.read_csv(path / "analysis" / "main_effects.csv")
    sla = effects[(effects["outcome"] == "lead_acceptance") & (effects["lever"] == "policy.lead_sla")].iloc[0]
    by_sla = runs.groupby("policy.lead_sla")["lead_acceptance"].mean() * 100
    assert sla["low"] == pytest.approx(by_sla[False]) and sla["high"] == pytest.approx(by_sla[True])
    assert sla["effect"] == pytest.approx(by_sla[True] - by_sla[False]) and sla["unit"] == "pp"
    assert sla["effect_low"] <= sla["effect"] <= sla["effect_high"]
    revenue = effects[effects["outcome"] == "revenue_total"]
    assert (revenue["unit"] == "EUR million").all() and revenue["low"].between(0.01, 100).all()


def test_interactions_recount_from_the_corners(grid):
    path, runs, _, _ = grid
    table = pd.read_csv(path / "analysis" / "interactions.csv")
    row = table[(table["outcome"] == "lead_acceptance") & (table["lever_a"] == "policy.lead_sla")
                & (table["lever_b"] == "policy.blame_culture")].iloc[0]
    m = runs.groupby(["policy.lead_sla", "policy.blame_culture"])["lead_acceptance"].mean() * 100
    expected = (m[(True, 1.0)] - m[(False, 1.0)]) - (m[(True, 0.0)] - m[(False, 0.0)])
    assert row["interaction"] == pytest.approx(expected) and row["low"] <= row["interaction"] <= row["high"]
    assert len(table) == 2 * 3                                           # every pair, for each outcome


def test_figures_have_every_pair_one_orientation_values_and_plain_titles(grid):
    path, runs, _, _ = grid
    for name in ("revenue_total_heatmap.png", "revenue_total_tornado.png"):
        assert (path / "analysis" / name).stat().st_size > 0
    levers = [Lever("policy.lead_sla", "level", 0, 1, (False, True), "on/off"),
              Lever("policy.blame_culture", "level", 0, 1, (0.0, 1.0), "probability"),
              Lever("policy.shared_goal_weight", "level", 0, 1, (0.0, 1.0), "weight")]
    fig = plots.heatmaps(runs, levers, "trust_mean_end", title="grid: Mean trust at the end")
    panels = [ax for ax in fig.axes if ax.get_xlabel() and ax.images]
    pairs = {(ax.get_xlabel().split(" (")[0], ax.get_ylabel().split(" (")[0]) for ax in panels}
    order = [lv.field for lv in levers]
    assert pairs == {(a, b) for i, a in enumerate(order) for b in order[i + 1:]}   # every pair, earlier lever on x
    assert all(len(ax.texts) == 4 for ax in panels)                      # a value in each of the 2 x 2 cells
    title = fig.texts[0].get_text() if fig.texts else fig._suptitle.get_text()
    assert "mean Mean" not in title and title.startswith("grid: Mean trust at the end")


def test_too_few_replicates_are_warned_about(grid, tmp_path):
    _, _, _, caught = grid
    assert not any("1 replicate" in m for m in caught)
    sim.sweep.run_sweep(grid_spec(replicates=1, levers={"policy.lead_sla": {}}), tmp_path / "one", progress=False)
    with pytest.warns(UserWarning, match="1 replicate per design point"):
        sim.sweep.analyze(tmp_path / "one", figures=False)


def test_an_effect_below_the_replicates_resolution_names_the_replicates_needed():
    rng = np.random.default_rng(0)
    design = pd.DataFrame({"policy.lead_sla": [False, True] * 10})
    rows = [{"run_id": p * 3 + r, "point": p, "replicate": r, "status": "ok",
             "revenue_total": 1e6 + 1e4 * design["policy.lead_sla"][p] + rng.normal(0, 1e5)}
            for p in range(20) for r in range(3)]
    runs = pd.DataFrame(rows)
    lever = [Lever("policy.lead_sla", "level", 0, 1, (False, True), "on/off")]
    effects = analysis.main_effects(runs, lever, "revenue_total", design, 3, sampled=False)
    message = analysis.too_few_replicates(runs, effects, "revenue_total", design, lever, 3)
    assert message and "policy.lead_sla" in message and "replicates" in message
    big = runs.assign(revenue_total=runs["revenue_total"] + 1e7 * runs["point"].map(design["policy.lead_sla"]))
    effects = analysis.main_effects(big, lever, "revenue_total", design, 3, sampled=False)
    assert analysis.too_few_replicates(big, effects, "revenue_total", design, lever, 3) is None


def test_a_latin_hypercube_resamples_its_points_as_well():
    design = pd.DataFrame({"policy.max_discount": np.linspace(0, 0.5, 30)})
    runs = pd.DataFrame([{"run_id": p * 2 + r, "point": p, "replicate": r, "status": "ok",
                          "revenue_total": 1e6 * (1 + design["policy.max_discount"][p]) + 1e3 * r}
                         for p in range(30) for r in range(2)])
    lever = [Lever("policy.max_discount", "float", 0.0, 0.5, (), "share of list price")]
    grid_like = analysis.main_effects(runs, lever, "revenue_total", design, 2, sampled=False).iloc[0]
    sampled = analysis.main_effects(runs, lever, "revenue_total", design, 2, sampled=True).iloc[0]
    assert grid_like["effect_high"] - grid_like["effect_low"] == pytest.approx(0, abs=1e-9)  # no seed noise
    assert sampled["effect_high"] - sampled["effect_low"] > 0.01          # which points were drawn matters
