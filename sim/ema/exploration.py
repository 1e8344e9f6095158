"""The exploration study behind ``docs/exploration.md``: two scenario-discovery questions and one robust search.

::

    python -m sim.ema.exploration veto       # when does a spend veto help?      -> experiments/exploration/veto/
    python -m sim.ema.exploration veto-discovery    # PRIM and CART on the stored pairs (seconds)
    python -m sim.ema.exploration blame      # retention under a blame culture   -> experiments/exploration/blame/
    python -m sim.ema.exploration blame-discovery   # PRIM and CART on the stored experiments
    python -m sim.ema.exploration optimise   # robust policies; a plain sweep    -> experiments/exploration/optimise/
    python -m sim.ema.exploration render     # docs/exploration.md from what the three stored

Each part stores its runs in the sweep store, in a folder named by the runs' identity (resumable: run it again
after an interruption and only the missing chunks run; after a change of the model's code it runs afresh), then
its tables, figures and ``summary.json`` (settings, runs, wall time); ``render`` writes every number of the
document from those files.  Settings: :data:`OVERRIDES` (a small market, two years) on the ``hundred_years_war``
baseline, firms drawn from the stored posterior.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "experiments" / "exploration"
DOC = ROOT / "docs" / "exploration.md"
SCENARIO = "hundred_years_war"
OVERRIDES = ["market.accounts=2000", "weeks=104"]
"""2,000 accounts over two years (two full years for net revenue retention): about 0.2 s a run."""
N_JOBS = 2
SEED = 0

VETO_LEVERS = {"policy.veto_threshold": {"low": 0.25, "high": 2.0}, "policy.marketing_pay": None,
               "policy.blame_culture": None, "policy.shared_goal_weight": None, "policy.max_discount": None,
               "policy.lead_sla": None, "policy.marketing_reports_to_sales": None, "policy.joint_meetings": None}
"""The policy around the veto: how strict it is and what else the firm does (the veto itself is switched)."""
VETO_PAIRS = 120
VETO_REPLICATES = 1
VETO_CONDITION = "veto_cash_gain > 0 and veto_revenue_gain >= 0"
VETO_MAX_DIMS = 6
"""With 120 pairs no PRIM box of at most three inputs passes 40 % density: the veto's box may restrict six."""
VETO_INPUTS = [*VETO_LEVERS, "marketing.veto_reallocation"]
"""What PRIM reads for the veto: the policy around it and the one market parameter of the veto's mechanism (how
much of a vetoed budget marketing moves to other channels).  The screened discovery over every input is stored
beside it (``veto/screened/``) for comparison."""

BLAME_RANGE = {"low": 0.7, "high": 1.0}
BLAME_EXPERIMENTS, BLAME_REPLICATES = 192, 1
"""Each experiment is its own policy in its own firm (EMA's ``combine="sample"``): PRIM's density over the lever
space is then the share of plausible firms in which a region's policies keep NRR >= 100 %."""
BLAME_CONDITION = "nrr_annual >= 100%"

OPT_LEVERS = ["policy.blame_culture", "policy.shared_goal_weight", "policy.spend_veto", "policy.marketing_pay",
              "policy.max_discount", "policy.lead_sla", "policy.joint_meetings", "policy.account_management_share"]
OPT_FIRMS, OPT_NFE, OPT_POPULATION, OPT_REPLICATES = 4, 80, 16, 1
SCREEN = 5
"""Inputs PRIM reads when screened, of the ~175 levers and uncertainties: the highest extra-trees feature scores
(with a few hundred experiments, more inputs let PRIM's boxes restrict dimensions that only happen to separate)."""


def _register_veto_outcomes() -> None:
    """The paired differences (veto on - veto off, same firm, same policy, same seeds) as declared outcomes."""
    from sim.outcomes import Outcome, register

    register(Outcome("veto_cash_gain", "Cash gain from the spend veto", "EUR million", 1e-6,
                     description="Cash at the end with the veto minus without it (same firm, policy and seeds)."))
    register(Outcome("veto_revenue_gain", "Revenue gain from the spend veto", "EUR million", 1e-6,
                     description="Revenue over the run with the veto minus without it."))
    register(Outcome("veto_nrr_gain", "Net revenue retention gain from the spend veto", "pp", 100.0,
                     ratio_scale=False, digits=1))


def _save_json(folder: Path, data: dict) -> None:
    (folder / "summary.json").write_text(json.dumps(data, indent=1, default=str))


def _discovery_outputs(result, folder: Path, title: str) -> None:
    from sim.ema.cli import save_discovery_figures

    result.save(folder)
    save_discovery_figures(result, folder, title)


def veto() -> dict:
    """Question 1: each of :data:`VETO_PAIRS` (firm, policy) pairs run with the veto off and on, on the same seeds;
    PRIM and CART on where the veto raises cash without costing revenue."""
    from sim.ema.firms import plausible_values, source
    from sim.ema.points import batch_identity, run_points
    from sim.loading import load_config
    from sim.sweep.design import build
    from sim.sweep.spec import DesignSpec, ExecutionSpec, LeverSpec, SweepSpec, resolve_levers

    folder = FOLDER / "veto"
    levers = resolve_levers(SweepSpec(levers={k: LeverSpec(**(v or {})) for k, v in VETO_LEVERS.items()}))
    policies = build(levers, DesignSpec(method="lhs", samples=VETO_PAIRS, seed=SEED)).points[list(VETO_LEVERS)]
    firms = plausible_values(VETO_PAIRS, SEED)
    points = [{**firm, **policy, "policy.spend_veto": veto_on}
              for firm, policy in zip(firms, policies.to_dict("records")) for veto_on in (False, True)]
    base = load_config(SCENARIO, OVERRIDES)
    start = time.perf_counter()
    identity = batch_identity(points, base, replicates=VETO_REPLICATES, seed=SEED, name="veto")
    runs = run_points(points, base, folder / "runs" / identity, replicates=VETO_REPLICATES, seed=SEED,
                      execution=ExecutionSpec(n_jobs=N_JOBS), name="veto", progress=True)
    seconds = time.perf_counter() - start
    means = runs[runs["status"] == "ok"].groupby("point")[["cash_balance_end", "revenue_total", "nrr_annual",
                                                           "vetoes"]].mean()
    off, on = means.iloc[0::2].reset_index(drop=True), means.iloc[1::2].reset_index(drop=True)
    gains = pd.DataFrame({"veto_cash_gain": on["cash_balance_end"] - off["cash_balance_end"],
                          "veto_revenue_gain": on["revenue_total"] - off["revenue_total"],
                          "veto_nrr_gain": on["nrr_annual"] - off["nrr_annual"], "vetoes": on["vetoes"]})
    inputs = pd.concat([pd.DataFrame(firms), policies.reset_index(drop=True)], axis=1)
    pd.concat([inputs, gains], axis=1).to_parquet(folder / "table.parquet")
    summary = {"pairs": VETO_PAIRS, "replicates": VETO_REPLICATES, "runs": len(runs), "seconds": seconds,
               "failed": int((runs["status"] != "ok").sum()), "condition": VETO_CONDITION,
               "firms_from": source(), "levers": VETO_LEVERS, "gains": gains.describe().to_dict()}
    _save_json(folder, summary)
    return summary


def veto_discovery() -> dict:
    """PRIM and CART on the stored pairs of :func:`veto`: where the veto raises cash without costing revenue."""
    from sim.ema.discovery import discover

    folder = FOLDER / "veto"
    table = pd.read_parquet(folder / "table.parquet")
    gains = ["veto_cash_gain", "veto_revenue_gain", "veto_nrr_gain", "vetoes"]
    _register_veto_outcomes()
    result = discover(table.drop(columns=gains), table[gains], VETO_CONDITION, columns=VETO_INPUTS, seed=SEED,
                      max_dims=VETO_MAX_DIMS)
    _discovery_outputs(result, folder, "the spend veto raises cash, revenue no lower")
    screened = discover(table.drop(columns=gains), table[gains], VETO_CONDITION, screen=SCREEN, seed=SEED)
    screened.save(folder / "screened")
    return result.facts()


def blame() -> dict:
    """Question 2: every policy with blame culture held in [0.7, 1] (all other policy levers free), in plausible
    firms, through ``perform_experiments`` on the sweep engine; PRIM and CART on where NRR stays >= 100 %."""
    from ema_workbench import save_results

    from sim.ema import adapter
    from sim.ema.evaluator import SweepEvaluator
    from sim.ema.firms import plausible_firms, source
    from sim.ema.inputs import from_ema
    from sim.ema.parameters import policy_fields

    folder = FOLDER / "blame"
    folder.mkdir(parents=True, exist_ok=True)
    levers = {f: (BLAME_RANGE if f == "policy.blame_culture" else None) for f in policy_fields()}
    model = adapter.model(SCENARIO, OVERRIDES, levers=levers, replicates=BLAME_REPLICATES, seed=SEED)
    firms = plausible_firms(BLAME_EXPERIMENTS, SEED, ema_model=model)
    with SweepEvaluator(model, folder / "runs", n_jobs=N_JOBS, progress=True) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=firms, policies=BLAME_EXPERIMENTS,
                                                              lever_sampling_kwargs={"rng": SEED}, combine="sample")
    save_results((experiments, outcomes), str(folder / "experiments.tar.gz"))
    _, table = from_ema(experiments, outcomes)
    summary = {"firms": BLAME_EXPERIMENTS, "policies": BLAME_EXPERIMENTS, "replicates": BLAME_REPLICATES,
               "experiments": len(experiments), "runs": evaluator.runs, "seconds": evaluator.seconds,
               "condition": BLAME_CONDITION, "firms_from": source(), "blame_range": BLAME_RANGE,
               "nrr_quantiles": pd.Series(table["nrr_annual"]).quantile([0.1, 0.5, 0.9]).to_dict()}
    _save_json(folder, summary)
    return summary


def blame_discovery() -> dict:
    """PRIM and CART on the stored experiments of :func:`blame`: where NRR stays >= 100 % under a blame culture,
    twice: over every lever and uncertainty, screened to the :data:`SCREEN` with the highest feature scores (what
    matters), and over the policy levers alone (what the firm can decide, in ``blame/levers/``)."""
    from sim.ema.discovery import discover
    from sim.ema.inputs import load
    from sim.ema.parameters import policy_fields

    folder = FOLDER / "blame"
    inputs, table = load(folder / "experiments.tar.gz")
    title = "net revenue retention >= 100 % under a blame culture of 0.7-1"
    screened = discover(inputs, table, BLAME_CONDITION, screen=SCREEN, seed=SEED)
    _discovery_outputs(screened, folder, title)
    levers = discover(inputs, table, BLAME_CONDITION, columns=policy_fields(), seed=SEED)
    _discovery_outputs(levers, folder / "levers", f"{title}, policy levers only")
    return {"cases": screened.cases, "experiments": screened.experiments}


def optimise() -> dict:
    """The robust search (:func:`sim.ema.optimisation.optimise`) and, for its speed, a plain sweep (Latin
    hypercube over the same levers) of as many runs per generation on the same market and workers."""
    from sim.ema.cli import save_optimisation_tables, save_pareto_figure
    from sim.ema.optimisation import optimise as search
    from sim.sweep.execute import run_sweep

    folder = FOLDER / "optimise"
    result = search(folder / "search", levers=OPT_LEVERS, firms=OPT_FIRMS, nfe=OPT_NFE, population=OPT_POPULATION,
                    replicates=OPT_REPLICATES, seed=SEED, scenario=SCENARIO, overrides=OVERRIDES, n_jobs=N_JOBS,
                    progress=True)
    save_optimisation_tables(result, folder)
    summary = {"levers": OPT_LEVERS, "firms": OPT_FIRMS, "nfe": OPT_NFE, "population": OPT_POPULATION,
               "replicates": OPT_REPLICATES, "runs": result.runs, "seconds": result.seconds,
               "runs_per_second": result.runs_per_second, "pareto_size": len(result.pareto),
               "settings": result.settings}
    _save_json(folder, summary)
    save_pareto_figure(result, folder)
    plain = folder / "plain_sweep"
    spec = {"name": "plain", "scenario": SCENARIO, "overrides": OVERRIDES, "levers": dict.fromkeys(OPT_LEVERS, {}),
            "design": {"method": "lhs", "samples": OPT_POPULATION * OPT_FIRMS, "seed": SEED}, "replicates": 1,
            "seed": SEED, "chunk_size": 16, "execution": {"n_jobs": N_JOBS}}
    start = time.perf_counter()
    runs = run_sweep(spec, plain, resume=plain.exists(), progress=True)
    plain_seconds = time.perf_counter() - start
    summary.update(plain_runs=len(runs), plain_seconds=plain_seconds, plain_runs_per_second=len(runs) / plain_seconds,
                   plain_run_seconds_median=float(runs["seconds"].median()))
    _save_json(folder, summary)
    return summary


PARTS = {"veto": veto, "veto-discovery": veto_discovery, "blame": blame, "blame-discovery": blame_discovery,
         "optimise": optimise}


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.ema.exploration PART`` (veto, blame, optimise, render)."""
    from sim.ema.exploration_doc import render

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in (*PARTS, "render"):
        print(f"usage: python -m sim.ema.exploration {{{','.join((*PARTS, 'render'))}}}", file=sys.stderr)
        return 2
    if args[0] == "render":
        DOC.write_text(render(FOLDER))
        print(f"written {DOC}")
        return 0
    print(json.dumps(PARTS[args[0]](), indent=1, default=str)[:2000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
