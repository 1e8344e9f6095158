"""The ``alignsim`` command: a thin Hydra front over :func:`sim.run_replicates`.

``alignsim`` with no arguments runs the main job: the ``hundred_years_war`` baseline against
``full_alignment`` (``compare_with``), 10 paired replicates each, prints the comparison table and writes
the tables and the figure into Hydra's output directory.  Hydra's override grammar works:
``alignsim scenario=price_war policy.max_discount=0.3 market.accounts=50000 seed=7``.
Policy overrides apply to the scenario only; the other overrides (market, departments, weeks, seed,
replicates) apply to both arms so that the comparison stays fair.
``alignsim sweep|analyze|collect ...`` hand over to the sweep engine (:mod:`sim.sweep.cli`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.loading import CONFIG_DIR, register_schema, to_config

SUBCOMMANDS = ("sweep", "analyze", "collect")


def _comparison_overrides(task_overrides: list[str], compare_with: str) -> list[str]:
    """The user's overrides minus the scenario choice and policy changes, plus the other scenario."""
    keep = [o for o in task_overrides if not o.lstrip("+~").startswith(("scenario=", "policy.", "policy="))]
    return [*keep, f"scenario={compare_with}"]


def format_table(table) -> str:
    """The comparison table as aligned text: mean [95 % CI] per arm, the difference and p."""
    import pandas as pd

    cols = [c for c in table.columns if c.endswith("_mean")]
    rows = []
    for _, r in table.iterrows():
        row = {"metric": r["metric"]}
        for c in cols:
            arm = c[: -len("_mean")]
            lo, hi = r[f"{arm}_ci"]
            row[arm] = f"{r[c]:,.4g} [{lo:,.4g}, {hi:,.4g}]"
        lo, hi = r["difference_ci"]
        row["difference"] = f"{r['difference']:+,.4g} [{lo:+,.4g}, {hi:+,.4g}]"
        row["change"] = f"{r['relative_change']:+.1%}" if pd.notna(r["relative_change"]) else ""
        row["p (paired t)"] = f"{r['p_value']:.2g}" if pd.notna(r["p_value"]) else ""
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def main_job(node: DictConfig) -> None:
    """Run the scenario against ``compare_with`` and write comparison.csv/.parquet, runs, weekly,
    events and comparison.png into the Hydra output directory."""
    from hydra import compose
    from hydra.core.hydra_config import HydraConfig

    from sim.plots import plot_comparison
    from sim.runner import comparison_table, run_replicates

    cfg = to_config(node)
    hc = HydraConfig.get()
    other = to_config(compose(config_name="config",
                              overrides=_comparison_overrides(list(hc.overrides.task), cfg.compare_with)))
    if other.name == cfg.name:
        other.name += "_b"
    out = Path(hc.runtime.output_dir)
    print(f"alignsim: {cfg.name} vs {other.name}, {cfg.replicates} paired replicates, "
          f"{cfg.market.accounts:,} accounts, {cfg.weeks} weeks -> {out}")
    result = run_replicates([cfg, other], cfg.replicates, cfg.seed, cfg.n_jobs)
    table = comparison_table(result.runs, cfg.name, other.name)
    print(format_table(table))
    table.assign(**{c: table[c].astype(str) for c in table.columns if c.endswith("_ci")}).to_csv(
        out / "comparison.csv", index=False)
    result.runs.to_parquet(out / "runs.parquet", index=False)
    result.runs.to_csv(out / "runs.csv", index=False)
    result.weekly.to_parquet(out / "weekly.parquet", index=False)
    result.events.to_parquet(out / "events.parquet", index=False)
    plot_comparison(result.weekly, out / "comparison.png", title=f"{cfg.name} vs {other.name}")
    print(f"wrote comparison.csv, runs.parquet/.csv, weekly.parquet, events.parquet, comparison.png in {out}")


def _hydra_entry() -> None:
    register_schema()
    app = hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")(_checked_job)
    app()


def _checked_job(node: DictConfig) -> None:
    try:
        main_job(node)
    except ConfigError as err:
        print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``alignsim``)."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in SUBCOMMANDS:
        from sim.sweep.cli import main as sweep_main

        sys.exit(sweep_main(args))
    from sim.loading import check_scenario

    for arg in args:
        if arg.startswith("scenario=") and "," not in arg:
            try:
                check_scenario(arg.split("=", 1)[1])
            except ConfigError as err:
                print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
                sys.exit(2)
    sys.argv = [sys.argv[0], *args]
    _hydra_entry()


if __name__ == "__main__":
    main()
