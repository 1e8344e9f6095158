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

import dataclasses
import sys
from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig

from sim.config import Config, ConfigError
from sim.loading import CONFIG_DIR, register_schema, to_config
from sim.outcomes import outcome

SUBCOMMANDS = ("sweep", "analyze", "collect")


def _comparison_overrides(task_overrides: list[str], compare_with: str) -> list[str]:
    """The user's overrides minus the scenario choice and policy changes, plus the other scenario."""
    keep = [o for o in task_overrides if not o.lstrip("+~").startswith(("scenario=", "policy.", "policy="))]
    return [*keep, f"scenario={compare_with}"]


def _cell(spec, value: float, signed: bool = False) -> str:
    """A value already in the outcome's display unit, with the outcome's precision."""
    return dataclasses.replace(spec, scale=1.0).format(value, signed=signed)


def _interval(spec, mean: float, low: float, high: float, n: int, signed: bool = False) -> str:
    """"mean [low, high]", or the mean with the reason why there is no CI."""
    if pd.isna(mean):
        return "n/a (undefined in every run)"
    if pd.isna(low):
        return f"{_cell(spec, mean, signed)} [n/a: {n} run{'s' if n != 1 else ''}]"
    return f"{_cell(spec, mean, signed)} [{_cell(spec, low, signed)}, {_cell(spec, high, signed)}]"


def _change(spec, relative: float) -> str:
    """The relative change, or why there is none."""
    if not spec.ratio_scale:
        return "n/a (no true zero)"
    return f"{relative:+.1%}" if pd.notna(relative) else "n/a"


def format_table(table: pd.DataFrame, baseline: str, other: str) -> str:
    """The comparison table as aligned text in the user's units: per outcome, its label and unit, each arm's
    mean [95 % CI], the paired difference [95 % CI], the relative change (only where the scale has a true
    zero) and the paired t-test p-value."""
    header = ["outcome (unit)", baseline, other, f"difference ({other} - {baseline})", "change", "p (paired t)"]
    rows = []
    for _, r in table.iterrows():
        spec = outcome(r["metric"])
        rows.append([f"{r['label']} ({r['unit']})" if r["unit"] else r["label"],
                     *(_interval(spec, r[f"{arm}_mean"], r[f"{arm}_ci_low"], r[f"{arm}_ci_high"], r[f"{arm}_n"])
                       for arm in (baseline, other)),
                     _interval(spec, r["difference"], r["difference_ci_low"], r["difference_ci_high"], r["n"],
                               signed=True),
                     _change(spec, r["relative_change"]),
                     f"{r['p_value']:.2g}" if pd.notna(r["p_value"]) else "n/a"])
    widths = [max(len(line[j]) for line in [header, *rows]) for j in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [header, *rows]]
    return "\n".join(lines) + "\nmean [95 % confidence interval] over paired replicates (common random numbers)"


def _arms(overrides: list[str]) -> tuple[Config, Config]:
    """The scenario's config and ``compare_with``'s, composed from the user's overrides (Hydra compose)."""
    from hydra import compose

    cfg = to_config(compose(config_name="config", overrides=overrides))
    other = to_config(compose(config_name="config", overrides=_comparison_overrides(overrides, cfg.compare_with)))
    if other.name == cfg.name:
        other.name += "_b"
    return cfg, other


def preflight(args: list[str]) -> None:
    """Check the command line before Hydra creates an output directory: every override against the schema
    (type, range, unknown field with a 'did you mean'), and for a single job both arms' configs, the
    replicates, seed and n_jobs, and the memory the runs need.

    Raises:
        ConfigError: the first problem, naming the field, the value and what is allowed.
    """
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.loading import check_overrides
    from sim.runner import check_batch

    overrides = [a for a in args if not a.startswith("-")]
    check_overrides(overrides)
    if any(a.startswith("-") for a in args):  # multirun (checked value by value above), --help, --cfg...
        return
    register_schema()
    mine = [o for o in overrides if not o.startswith("hydra.")]
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg, other = _arms(mine)
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(str(err).splitlines()[0]) from err
    check_batch([cfg, other], cfg.replicates, cfg.seed, cfg.n_jobs)


def main_job(node: DictConfig) -> None:
    """Run the scenario against ``compare_with`` and write comparison.csv/.parquet, runs, weekly,
    events and comparison.png into the Hydra output directory."""
    from hydra.core.hydra_config import HydraConfig

    from sim.plots import plot_comparison
    from sim.runner import comparison_table, run_replicates

    hc = HydraConfig.get()
    cfg, other = _arms(list(hc.overrides.task))
    out = Path(hc.runtime.output_dir)
    print(f"alignsim: {cfg.name} vs {other.name}, {cfg.replicates} paired replicate{'s' * (cfg.replicates > 1)}, "
          f"{cfg.market.accounts:,} accounts, {cfg.weeks} weeks -> {out}")
    result = run_replicates([cfg, other], cfg.replicates, cfg.seed, cfg.n_jobs)
    table = comparison_table(result.runs, cfg.name, other.name)
    print(format_table(table, cfg.name, other.name))
    table.to_csv(out / "comparison.csv", index=False)
    table.to_parquet(out / "comparison.parquet", index=False)
    result.runs.to_parquet(out / "runs.parquet", index=False)
    result.runs.to_csv(out / "runs.csv", index=False)
    result.weekly.to_parquet(out / "weekly.parquet", index=False)
    result.events.to_parquet(out / "events.parquet", index=False)
    plot_comparison(result.weekly, out / "comparison.png", title=f"{cfg.name} vs {other.name}")
    print(f"wrote comparison.csv/.parquet, runs.parquet/.csv, weekly.parquet, events.parquet, comparison.png in {out}")


def _hydra_entry() -> None:
    register_schema()
    app = hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")(_checked_job)
    app()


def _checked_job(node: DictConfig) -> None:
    """The main job; a ConfigError becomes one line on stderr, exit status 2, and no output folder left
    holding only Hydra's own files."""
    try:
        main_job(node)
    except ConfigError as err:
        from hydra.core.hydra_config import HydraConfig

        _remove_if_empty(Path(HydraConfig.get().runtime.output_dir))
        print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)


def _remove_if_empty(out: Path) -> None:
    """Delete a job's output folder that holds nothing but Hydra's ``.hydra/`` and the job log."""
    import shutil

    if out.is_dir() and {p.name for p in out.iterdir()} <= {".hydra", "cli.log"}:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``alignsim``)."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "study":
        from sim.studies.cli import main as study_main

        sys.exit(study_main(args[1:]))
    if args and args[0] in ("dashboard", "report"):
        from sim.viz import cli as viz_cli

        sys.exit(getattr(viz_cli, f"{args[0]}_main")(args[1:]))
    if args and args[0] in SUBCOMMANDS:
        from sim.sweep.cli import main as sweep_main

        sys.exit(sweep_main(args))
    try:
        preflight(args)
    except ConfigError as err:
        print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)
    sys.argv = [sys.argv[0], *args]
    _hydra_entry()


if __name__ == "__main__":
    main()
