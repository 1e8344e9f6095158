"""Speed benchmarks of alignsim: one command, writes tables (CSV + Markdown) and a figure.

    python -m benchmarks.run_benchmarks            # full run (~5 min on 2 cores)
    python -m benchmarks.run_benchmarks --quick    # smaller grid, for a smoke test
    python -m benchmarks.run_benchmarks --ratio    # only the speed ratio vectorised / per-agent, default run

Run from the repository root (``benchmarks`` is imported as a package there, by the timed children and the
equivalence workers too).

What it measures (every timed run in a fresh child process pinned to one core, so peak memory is that
run's own and runs never share a core):

1. wall time (median of ``--repeats`` runs, imports excluded) and peak resident memory of one run of the
   default scenario against the number of accounts (10^3 ... 10^6, 156 weeks), weeks (52 ... 520,
   20,000 accounts) and staff (10 ... 500 people, 20,000 accounts, 156 weeks);
2. the cost per week per account (linear fit of wall time on accounts);
3. the share of time per phase of a step and the top entries of a cProfile of the default run;
4. the speed ratio vectorised / per-agent reference (``benchmarks/reference/per_agent.py``), same
   config, same machine, same invocation (the default run: 20,000 accounts, 156 weeks);
5. the statistical equivalence of the two (KS tests over replicates) and a power check: a reference
   with one rule changed (win hazard x 1.5) must be told apart.

Results go to ``benchmarks/results/``: ``scaling.csv``, ``phases.csv``, ``profile_top.txt``,
``reference.csv``, ``equivalence.csv``, ``tables.md`` (the tables of ``benchmarks/README.md``) and
``scaling.png``.  Nothing here asserts a wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SCENARIO = "hundred_years_war"
DEFAULT_STAFF = {"marketing.staff": 4, "sales.reps": 8, "operations.staff": 12, "purchasing.staff": 1}


def staff_overrides(total: int | None) -> list[str]:
    """Overrides that scale every department's headcount in the default proportions to ``total`` people."""
    if total is None:
        return []
    base = sum(DEFAULT_STAFF.values())
    out = {k: max(1, round(v * total / base)) for k, v in DEFAULT_STAFF.items()}
    ops_max = max(60, 5 * out["operations.staff"])
    return [f"{k}={v}" for k, v in out.items()] + [f"operations.max_staff={ops_max}"]


def overrides_for(accounts: int, weeks: int, staff: int | None) -> list[str]:
    initial = max(1, round(accounts * 400 / 20_000))  # the default 2 % installed base
    return [f"market.accounts={accounts}", f"market.initial_customers={initial}", f"weeks={weeks}",
            *staff_overrides(staff)]


# ---------------------------------------------------------------------------- child: one measurement
def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(spec: dict) -> dict:
    """Run one config ``repeats`` times in this process (pinned to one core); report times and memory."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import sim

    sim.run(sim.load_config(SCENARIO, overrides=overrides_for(1000, 2, None)), seed=0)  # imports and warm-up
    base_rss = _current_rss_mb()
    cfg = sim.load_config(SCENARIO, overrides=overrides_for(spec["accounts"], spec["weeks"], spec["staff"]))
    times = []
    if spec.get("model") == "per_agent":
        from benchmarks.reference.per_agent import PerAgentModel

        for r in range(spec["repeats"]):
            t = time.perf_counter()
            model = PerAgentModel(cfg, rng=r + 1)
            model.run_for(cfg.weeks)
            model.weekly(), model.summary()
            times.append(time.perf_counter() - t)
    else:
        for r in range(spec["repeats"]):
            t = time.perf_counter()
            sim.run(cfg, seed=r + 1)
            times.append(time.perf_counter() - t)
    return {**spec, "times": times, "base_rss_mb": base_rss, "peak_rss_mb": _peak_rss_mb()}


def measure(accounts: int, weeks: int, staff: int | None, repeats: int, model: str = "vectorised") -> dict:
    spec = {"accounts": accounts, "weeks": weeks, "staff": staff, "repeats": repeats, "model": model}
    out = subprocess.run([sys.executable, "-m", "benchmarks.run_benchmarks", "--child", json.dumps(spec)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    import numpy as np

    res["median_s"] = float(np.median(res["times"]))
    print(f"  {model:10s} accounts={accounts:>9,d} weeks={weeks:>3d} staff={staff or 25:>3d}: "
          f"median {res['median_s']:.3f} s, peak RSS {res['peak_rss_mb']:.0f} MB", flush=True)
    return res


# ---------------------------------------------------------------------------- profile of the default run
PHASES = {"staff decide (start_week)": "start_week", "marketing & market": ("marketing_phase", "inquiry_phase"),
          "sales": ("sales_desk", "leads_phase", "purchasing_phase", "deals_phase"), "operations": "operations_phase",
          "customers (care, satisfaction, churn, billing)": "customers_phase",
          "information flow & trust": "relations_phase", "books": "close_books", "recording": "observe",
          "period reviews": "period_review", "weekly table & summary": ("weekly", "summary")}


def profile_default(top: int = 25):
    """cProfile of one default run: phase shares (from cumulative times) and the top entries."""
    import cProfile
    import io
    import pstats

    import sim

    cfg = sim.load_config(SCENARIO)
    sim.run(cfg, seed=0)
    prof = cProfile.Profile()
    prof.enable()
    sim.run(cfg, seed=1)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    cum: dict[str, float] = {}
    for (_file, _line, name), (_cc, _nc, _tt, ct, _callers) in st.stats.items():
        if ("sim" in _file or "agentset" in _file):
            cum[name] = cum.get(name, 0.0) + ct
    rows = []
    for label, names in PHASES.items():
        names = (names,) if isinstance(names, str) else names
        seconds = sum(cum.get(n, 0.0) for n in names)
        rows.append({"phase": label, "seconds_profiled": seconds, "share": seconds / total})
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    text = text[text.index("ncalls"):] if "ncalls" in text else text
    return rows, total, text.replace(str(Path(sys.prefix)), "<venv>").replace(str(HERE.parent), "<repo>")


# ---------------------------------------------------------------------------- figure and tables
def figure(scaling, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    acc = scaling[scaling["sweep"] == "accounts"]
    ax = axes[0]
    ax.loglog(acc["accounts"], acc["median_s"], "o-", label="vectorised, 156 weeks")
    ax.loglog(acc["accounts"], acc["median_s"].iloc[-1] * acc["accounts"] / acc["accounts"].iloc[-1], ":",
              color="grey", label="linear in accounts")
    ax.set(xlabel="accounts in the market (count)", ylabel="wall time per run (s)", title="Time vs accounts")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.loglog(acc["accounts"], acc["peak_rss_mb"], "o-", label="peak RSS")
    ax.loglog(acc["accounts"], acc["peak_rss_mb"] - acc["base_rss_mb"], "s--", label="peak RSS - interpreter")
    ax.set(xlabel="accounts in the market (count)", ylabel="peak resident memory (MB)",
           title="Peak memory vs accounts")
    ax.legend(fontsize=8)
    for ax, col, xlabel in ((axes[2], "weeks", "simulated weeks"), (axes[3], "staff", "staff (people)")):
        d = scaling[scaling["sweep"] == col]
        ax.plot(d[col], d["median_s"], "o-", label="vectorised, 20,000 accounts")
        ax.set(xlabel=xlabel, ylabel="wall time per run (s)", title=f"Time vs {col}", ylim=(0, None))
        ax.legend(fontsize=8)
    fig.suptitle("alignsim run cost (median of runs, one pinned core)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def md_table(df, floatfmt: dict | None = None) -> str:
    floatfmt = floatfmt or {}
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            fmt = floatfmt.get(c)
            cells.append(format(v, fmt) if fmt and v == v else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- speed ratio
def speed_ratio(accounts: int, repeats: int):
    """Per-agent reference (one run) against the vectorised model (median of ``repeats``), 156 weeks, same
    config and machine, each in its own pinned child process.  Returns a one-row table."""
    import pandas as pd

    print("per-agent reference (same config, same machine)")
    ref = measure(accounts, 156, None, 1, model="per_agent")
    fast = measure(accounts, 156, None, repeats)
    ratio = ref["median_s"] / fast["median_s"]
    print(f"  speed ratio {ratio:.0f}x")
    return pd.DataFrame([{"accounts": accounts, "weeks": 156, "vectorised_median_s": fast["median_s"],
                          "per_agent_s": ref["median_s"], "speed_ratio": ratio,
                          "vectorised_peak_rss_mb": fast["peak_rss_mb"], "per_agent_peak_rss_mb": ref["peak_rss_mb"]}])


# ---------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="small grid (smoke test)")
    ap.add_argument("--ratio", action="store_true",
                    help="only the speed ratio vectorised / per-agent on the default run (20,000 accounts, 156 weeks)")
    ap.add_argument("--repeats", type=int, default=5, help="runs per point (median reported)")
    ap.add_argument("--replicates", type=int, default=30, help="seeds per model in the equivalence check")
    args = ap.parse_args()
    if not __package__:
        ap.error("run from the repository root as: python -m benchmarks.run_benchmarks")
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.ratio:
        print(speed_ratio(20_000, args.repeats).to_string(index=False))
        return

    import numpy as np
    import pandas as pd

    RESULTS.mkdir(exist_ok=True)
    quick = args.quick
    reps = 1 if quick else args.repeats
    big = 3 if not quick else 1
    grid = []
    for n in ([1000, 10_000, 20_000] if quick else [1000, 10_000, 20_000, 100_000, 300_000, 1_000_000]):
        grid.append(("accounts", n, 156, None, reps if n <= 100_000 else big))
    for w in ([52, 156] if quick else [52, 104, 156, 260, 520]):
        grid.append(("weeks", 20_000, w, None, reps))
    for s in ([10, 25] if quick else [10, 25, 50, 100, 250, 500]):
        grid.append(("staff", 20_000, 156, s, reps))
    print(f"scaling ({len(grid)} points, one core each)")
    rows = []
    for sweep, n, w, s, r in grid:
        res = measure(n, w, s, r)
        rows.append({"sweep": sweep, "accounts": n, "weeks": w, "staff": s or 25, "repeats": r,
                     "median_s": res["median_s"], "min_s": min(res["times"]), "max_s": max(res["times"]),
                     "ms_per_week": 1000 * res["median_s"] / w, "peak_rss_mb": res["peak_rss_mb"],
                     "base_rss_mb": res["base_rss_mb"]})
    scaling = pd.DataFrame(rows)
    acc = scaling[scaling["sweep"] == "accounts"]
    slope, intercept = np.polyfit(acc["accounts"], acc["ms_per_week"], 1)
    scaling["us_per_account_week"] = 1000 * scaling["ms_per_week"] / scaling["accounts"]
    scaling.to_csv(RESULTS / "scaling.csv", index=False)

    print("profile of the default run")
    phases, profiled_total, top = profile_default()
    phases = pd.DataFrame(phases)
    phases.to_csv(RESULTS / "phases.csv", index=False)
    (RESULTS / "profile_top.txt").write_text(top)

    ref_accounts = 2000 if quick else 20_000
    reference = speed_ratio(ref_accounts, reps)
    reference.to_csv(RESULTS / "reference.csv", index=False)
    ref = reference.iloc[0]

    print("equivalence (KS tests over replicates) and power check")
    import sim
    from benchmarks.reference.equivalence import SMALL_OVERRIDES, compare_models

    cfg = sim.load_config(SCENARIO, overrides=list(SMALL_OVERRIDES))
    n_rep = 8 if quick else args.replicates
    _, _, eq = compare_models(cfg, replicates=n_rep, root_seed=2024, n_jobs=2)
    altered = sim.load_config(SCENARIO, overrides=[*SMALL_OVERRIDES,
                                                   f"sales.base_win_hazard={cfg.sales.base_win_hazard * 1.5}"])
    _, _, power = compare_models(cfg, replicates=n_rep, root_seed=2024, n_jobs=2, reference_cfg=altered)
    eq["power_check_ks_p_value"] = power["ks_p_value"]
    eq.to_csv(RESULTS / "equivalence.csv", index=False)
    print(eq.to_string())

    figure(scaling, RESULTS / "scaling.png")
    default = scaling[(scaling["sweep"] == "accounts") & (scaling["accounts"] == 20_000)].iloc[0]
    million = scaling[scaling["accounts"] == scaling["accounts"].max()].iloc[0]
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}; every run pinned to one core.",
        "",
        f"* default run (20,000 accounts, 25 staff, 156 weeks): median **{default['median_s']:.3f} s** "
        f"({int(default['repeats'])} runs), peak RSS {default['peak_rss_mb']:.0f} MB",
        f"* {int(million['accounts']):,} accounts x 156 weeks: median **{million['median_s']:.2f} s** "
        f"({int(million['repeats'])} runs), peak RSS **{million['peak_rss_mb']:.0f} MB** "
        f"({million['peak_rss_mb'] - million['base_rss_mb']:.0f} MB above the interpreter with its imports)",
        f"* cost per week = {intercept:.2f} ms + {1000 * slope:.3f} ms per 1,000 accounts (least squares over the "
        "accounts sweep)",
        f"* per-agent reference on {ref_accounts:,} accounts x 156 weeks: {ref['per_agent_s']:.1f} s; vectorised "
        f"{ref['vectorised_median_s']:.3f} s; **speed ratio {ref['speed_ratio']:.0f}x**",
        "",
        "### Scaling", "",
        md_table(scaling[["sweep", "accounts", "weeks", "staff", "repeats", "median_s", "ms_per_week",
                          "us_per_account_week", "peak_rss_mb"]],
                 {"median_s": ".3f", "ms_per_week": ".2f", "us_per_account_week": ".3f", "peak_rss_mb": ".0f"}),
        "", f"### Time per phase of a step (cProfile, default run, {profiled_total:.2f} s under the profiler)", "",
        md_table(phases, {"seconds_profiled": ".3f", "share": ".1%"}),
        "", "### Equivalence with the per-agent reference "
        f"({n_rep} seeds each, {', '.join(SMALL_OVERRIDES)})", "",
        md_table(eq, {"vectorised_mean": ".4g", "per_agent_mean": ".4g", "difference": ".3g",
                      "se_difference": ".3g", "ks_statistic": ".3f", "ks_p_value": ".3f",
                      "power_check_ks_p_value": ".2g"}),
        "", "### Top of the profile (default run, sorted by own time)", "", "```", top.strip(), "```",
    ]
    (RESULTS / "tables.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}/tables.md, scaling.csv, phases.csv, profile_top.txt, reference.csv, equivalence.csv, "
          "scaling.png")


if __name__ == "__main__":
    main()
