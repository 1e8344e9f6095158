"""The ``alignsim`` command: a thin Hydra front over :func:`sim.run_replicates`.

``alignsim`` with no arguments runs the main job: the ``hundred_years_war`` baseline against
``full_alignment`` (``compare_with``), 10 paired replicates each, prints the comparison table and writes
the tables and the figure into Hydra's output directory.  Hydra's override grammar works:
``alignsim scenario=price_war policy.max_discount=0.3 market.accounts=50000 seed=7``.
Policy overrides apply to the scenario only; the other overrides (market, departments, weeks, seed,
replicates) apply to both arms so that the comparison stays fair.
``alignsim SUBCOMMAND ...`` hands over to the subcommand's module (the table :data:`SUBCOMMANDS`: sweep, analyze,
collect, study, calibrate, dashboard, report, workshop, discover, optimise); ``alignsim --help`` lists them, each
answers ``--help``, and a misspelt one gets a "did you mean".  Hydra's own flags work for the main job
(``--cfg job``, ``--info``, ``-m``, ``--hydra-help``).  Exit status: 0 done, 2 bad input (one line naming the
field, the value and what is allowed), 1 an environment fault (an output folder that cannot be written), 3 a sweep
whose runs failed.
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


@dataclasses.dataclass(frozen=True)
class Subcommand:
    """One ``alignsim`` subcommand: where it lives and how ``alignsim --help`` describes it.

    Attributes:
        summary: the one line ``alignsim --help`` shows.
        target: ``module:function``; the function takes the arguments after the subcommand's name (or, with
            ``full_argv``, including it) and returns the exit status.
        usage: shown, with ``summary``, by ``alignsim NAME --help`` when the module does not answer ``--help``
            itself.
        answers_help: the function answers ``--help`` itself (it is handed the flag).
        full_argv: the function takes the subcommand's name as its first argument (the sweep engine's parser).
    """

    summary: str
    target: str
    usage: str = ""
    answers_help: bool = False
    full_argv: bool = False
    check: str = ""
    """Name of a function of this module that checks the arguments before the subcommand starts (raising
    :class:`~sim.config.ConfigError` for bad input, :class:`OutputNotWritable` for an unwritable output)."""

    def function(self):
        """The subcommand's entry point, or None if its module does not provide it (yet)."""
        import importlib

        module, _, name = self.target.partition(":")
        try:
            return getattr(importlib.import_module(module), name, None)
        except ImportError:
            return None


SUBCOMMANDS: dict[str, Subcommand] = {
    # Register a subcommand here: its one-line help, its entry point, and its usage for --help.
    "sweep": Subcommand("run (or resume) a parameter sweep into a directory of Parquet files",
                        "sim.sweep.cli:main", answers_help=True, full_argv=True),
    "analyze": Subcommand("Sobol/Morris indices, main effects and figures of a finished sweep",
                          "sim.sweep.cli:main", answers_help=True, full_argv=True),
    "collect": Subcommand("stack the runs.parquet of every job of a Hydra multirun",
                          "sim.sweep.cli:main", answers_help=True, full_argv=True),
    "study": Subcommand("run the claim studies (C1-C10, F1-F12) and write the claims table",
                        "sim.studies.cli:main", answers_help=True),
    "calibrate": Subcommand("calibrate to the published patterns (ABC-SMC on pyabc) or a firm's funnel (--firm)",
                            "sim.calibration.cli:main", answers_help=True),
    "dashboard": Subcommand("serve the trainers' dashboard on 127.0.0.1 (a browser shows it)",
                            "sim.viz.cli:dashboard_main", "alignsim dashboard [port=8765]", answers_help=True,
                            check="_check_port"),
    "report": Subcommand("write the self-contained debrief pack (HTML) of two scenarios",
                         "sim.viz.cli:report_main",
                         "alignsim report scenario=A compare_with=B [out=debrief.html] [replicates=10] [seed=0] "
                         "[KEY=VALUE ...]", answers_help=True, check="_check_out_file"),
    "workshop": Subcommand("run a workshop room: teams play the departments, quarter by quarter",
                           "sim.workshop.cli:main", answers_help=True),
    "discover": Subcommand("PRIM boxes and a CART tree for a condition on a sweep's or EMA experiments' outcomes",
                           "sim.ema.cli:discover_main", answers_help=True),
    "optimise": Subcommand("robust many-objective policy search across plausible firms (EMA workbench)",
                           "sim.ema.cli:optimise_main", answers_help=True),
}
"""Every subcommand of ``alignsim``, in the order ``alignsim --help`` lists them (one whose entry point is not
installed is left out)."""


def _comparison_overrides(task_overrides: list[str], compare_with: str) -> list[str]:
    """The user's overrides minus the scenario choice and policy changes, plus the other scenario."""
    keep = [o for o in task_overrides if not o.lstrip("+~").startswith(("scenario=", "policy.", "policy="))]
    return [*keep, f"scenario={compare_with}"]


def _cell(spec, value: float, signed: bool = False) -> str:
    """A value already in the outcome's display unit, with the outcome's precision."""
    from sim.outcomes import shown

    return shown(spec, value, signed)


def _interval(spec, mean: float, low: float, high: float, n: int, signed: bool = False) -> str:
    """"mean [low, high]", or the mean with the reason why there is no CI (:func:`sim.outcomes.interval_text`)."""
    from sim.outcomes import interval_text

    return interval_text(spec, mean, low, high, n, signed)


def _change(spec, relative: float) -> str:
    """The relative change in %, or why there is none (:func:`sim.outcomes.change_text`)."""
    from sim.outcomes import change_text

    return change_text(spec, relative)


def format_table(table: pd.DataFrame, baseline: str, other: str) -> str:
    """The comparison table as aligned text in the user's units: per outcome, its label and unit, each arm's
    mean [95 % CI], the paired difference [95 % CI] (in percentage points, ``pp``, for a percentage; "no
    variance across replicates: no test" where every paired difference is the same), the relative change in %
    (only where the scale has a true zero) and the paired t-test p-value.  The wording is
    :mod:`sim.outcomes`' (:func:`~sim.outcomes.difference_text`, :func:`~sim.outcomes.p_value_text`), shared
    with the dashboard and the debrief pack."""
    from sim.outcomes import difference_text, p_value_text

    header = ["outcome (unit)", baseline, other, f"difference ({other} - {baseline})", "change", "p (paired t)"]
    rows = []
    for _, r in table.iterrows():
        spec = outcome(r["metric"])
        flat = bool(r.get("no_variance", False))
        rows.append([f"{r['label']} ({r['unit']})" if r["unit"] else r["label"],
                     *(_interval(spec, r[f"{arm}_mean"], r[f"{arm}_ci_low"], r[f"{arm}_ci_high"], r[f"{arm}_n"])
                       for arm in (baseline, other)),
                     difference_text(spec, r["difference"], r["difference_ci_low"], r["difference_ci_high"],
                                     r["n"], flat),
                     _change(spec, r["relative_change"]),
                     p_value_text(r["p_value"], flat)])
    widths = [max(len(line[j]) for line in [header, *rows]) for j in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [header, *rows]]
    return "\n".join(lines) + ("\nmean [95 % confidence interval] over paired replicates (common random numbers); "
                               "pp: percentage points, the difference of two percentages; change: relative to "
                               f"{baseline}")


def _arms(overrides: list[str]) -> tuple[Config, Config]:
    """The scenario's config and ``compare_with``'s, composed from the user's overrides (Hydra compose)."""
    from hydra import compose

    cfg = to_config(compose(config_name="config", overrides=overrides))
    other = to_config(compose(config_name="config", overrides=_comparison_overrides(overrides, cfg.compare_with)))
    if other.name == cfg.name:
        other.name += "_b"
    return cfg, other


class OutputNotWritable(OSError):
    """The folder a job would write its outputs into cannot be written (an environment fault: exit 1)."""


def hydra_arguments(args: list[str]):
    """The command line parsed by Hydra's own parser: its flags (``cfg``, ``info``, ``multirun``, ...) and the
    overrides (``.overrides``), so a flag's value (``--cfg job``) is never taken for an override.

    Raises:
        ConfigError: an unknown flag or a flag without its value.
    """
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

    def refuse(message: str):
        raise ConfigError(f"{message} (alignsim --help; Hydra's flags: alignsim --hydra-help)")

    parser.error = refuse
    return parser.parse_args(args)


def check_output_dir(path: str | Path, field_name: str) -> None:
    """Refuse an empty output folder (bad input) or one that cannot be created or written (an environment fault),
    before any run.

    Raises:
        ConfigError: ``path`` is empty.
        OutputNotWritable: the nearest existing folder of ``path`` is not a writable folder.
    """
    if not str(path).strip():
        raise ConfigError(f"{field_name} = '' is not valid: give a folder for the outputs (or leave it unset)")
    from sim.sweep.store import NotWritable, check_writable

    try:
        check_writable(str(path).split("${", 1)[0] or ".", field_name)
    except NotWritable as err:
        raise OutputNotWritable(str(err)) from None


def preflight(args: list[str]) -> None:
    """Check the command line before Hydra creates an output directory: every override against the schema
    (type, range, unknown field with a 'did you mean'), the output folder (not empty, writable), and for a single
    job both arms' configs, the replicates, seed and n_jobs, and the memory the runs need.

    Raises:
        ConfigError: the first problem, naming the field, the value and what is allowed.
        OutputNotWritable: the output folder cannot be written.
    """
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.loading import HYDRA_LOCK, check_overrides
    from sim.runner import check_batch

    parsed = hydra_arguments(args)
    overrides = list(parsed.overrides)
    check_overrides(overrides)
    if parsed.help or parsed.hydra_help or parsed.shell_completion:
        return
    dirs = {o.split("=", 1)[0]: o.split("=", 1)[1] for o in overrides
            if o.split("=", 1)[0] in ("hydra.run.dir", "hydra.sweep.dir") and "=" in o}
    info_only = parsed.cfg is not None or parsed.info is not None
    if not info_only:
        key = "hydra.sweep.dir" if parsed.multirun else "hydra.run.dir"
        check_output_dir(dirs.get(key, "multirun" if parsed.multirun else "outputs"), key)
    for key, value in dirs.items():
        if not value.strip():
            raise ConfigError(f"{key} = '' is not valid: give a folder for the outputs (or leave it unset)")
    if parsed.multirun or info_only:  # multirun: checked value by value above; --cfg/--info run nothing
        return
    register_schema()
    mine = [o for o in overrides if not o.startswith(("hydra.", "hydra/"))]
    try:
        with HYDRA_LOCK, initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
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
    say = _job_log()
    say(f"alignsim: {cfg.name} vs {other.name}, {cfg.replicates} paired replicate{'s' * (cfg.replicates > 1)}, "
        f"{cfg.market.accounts:,} accounts, {cfg.weeks} weeks -> {out}")
    result = run_replicates([cfg, other], cfg.replicates, cfg.seed, cfg.n_jobs)
    table = comparison_table(result.runs, cfg.name, other.name)
    say(format_table(table, cfg.name, other.name))
    runs, weekly, events = (_seed_as_uint64(frame) for frame in (result.runs, result.weekly, result.events))
    table.to_csv(out / "comparison.csv", index=False)
    table.to_parquet(out / "comparison.parquet", index=False)
    runs.to_parquet(out / "runs.parquet", index=False)
    runs.to_csv(out / "runs.csv", index=False)
    weekly.to_parquet(out / "weekly.parquet", index=False)
    events.to_parquet(out / "events.parquet", index=False)
    plot_comparison(result.weekly, out / "comparison.png", title=f"{cfg.name} vs {other.name}")
    say(f"wrote comparison.csv/.parquet, runs.parquet/.csv, weekly.parquet, events.parquet, comparison.png in {out}")


def _seed_as_uint64(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``seed`` column as unsigned 64-bit integers, the type of the seeds in every table."""
    return frame.astype({"seed": "uint64"}) if "seed" in frame.columns and frame["seed"].notna().all() else frame


def _job_log():
    """A function that prints a line and writes it to the job's log file (Hydra's ``cli.log``), so the log holds
    what the job said."""
    import logging

    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    log = logging.getLogger("alignsim.job")
    log.propagate = False
    log.setLevel(logging.INFO)
    for handler in files:
        if handler not in log.handlers:
            log.addHandler(handler)

    def say(text: str) -> None:
        print(text)
        for line in text.splitlines():
            log.info(line)

    return say


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
        from hydra.types import RunMode

        hc = HydraConfig.get()
        _remove_if_empty(Path(hc.runtime.output_dir))
        if hc.mode == RunMode.MULTIRUN:  # nothing ran: no multirun folder holding only multirun.yaml
            sweep_dir = Path(hc.sweep.dir)
            if sweep_dir.is_dir() and {p.name for p in sweep_dir.iterdir()} <= {"multirun.yaml"}:
                import shutil

                shutil.rmtree(sweep_dir, ignore_errors=True)
                for parent in sweep_dir.absolute().parents:  # the date folder, multirun/, if now empty
                    if parent == Path.cwd() or not parent.is_dir() or any(parent.iterdir()):
                        break
                    parent.rmdir()
        print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)


def _remove_if_empty(out: Path) -> None:
    """Delete a job's output folder that holds nothing but Hydra's ``.hydra/`` and the job log."""
    import shutil

    if out.is_dir() and {p.name for p in out.iterdir()} <= {".hydra", "cli.log"}:
        shutil.rmtree(out, ignore_errors=True)
        for parent in out.absolute().parents:  # the date folder, outputs/, if now empty
            if parent == Path.cwd() or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``alignsim``): a subcommand, the top-level help, or the main job (Hydra)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in ("--help", "-h", "help"):
        print(top_help())
        sys.exit(0)
    if args and args[0] in SUBCOMMANDS:
        sys.exit(_subcommand(args[0], args[1:]))
    try:
        _refuse_bare_words(args)
        preflight(args)
    except ConfigError as err:
        print(f"alignsim: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)
    except OutputNotWritable as err:
        print(f"alignsim: {err}", file=sys.stderr)
        sys.exit(1)
    sys.argv = [sys.argv[0], *args]
    _hydra_entry()


def available_subcommands() -> dict[str, Subcommand]:
    """The subcommands whose entry point is installed."""
    return {name: sub for name, sub in SUBCOMMANDS.items() if sub.function() is not None}


def top_help() -> str:
    """What ``alignsim --help`` prints: the main job, its overrides and Hydra's flags, and every subcommand."""
    import textwrap

    from sim.loading import scenario_names

    width = max(len(name) for name in SUBCOMMANDS)
    lines = ["usage: alignsim [KEY=VALUE ...] [--cfg job | --info | -m]   run the main job",
             "       alignsim SUBCOMMAND [--help] ...",
             "",
             "The main job runs a scenario against compare_with over paired replicates, prints the comparison table",
             "and writes tables and a figure into outputs/<date>/<time>/. Overrides use Hydra's grammar:",
             "  alignsim scenario=price_war policy.max_discount=0.3 market.accounts=50000 seed=7 replicates=30",
             "  fields: every field of sim/config.py (alignsim --cfg job prints them with their values);",
             "  config groups: scenario, market, policy; -m runs a multirun (a=1,2); --hydra-help for Hydra's flags.",
             *textwrap.wrap(f"scenarios: {', '.join(scenario_names())}", 110, initial_indent="  ",
                            subsequent_indent="    "),
             "",
             "subcommands (alignsim SUBCOMMAND --help for each):"]
    lines += [f"  {name.ljust(width)}  {sub.summary}" for name, sub in available_subcommands().items()]
    lines += ["", "Exit status: 0 done, 2 bad input (one line naming the field, the value and what is allowed),",
              "1 an environment fault (damaged files, full disk, read-only folder), 3 a sweep with failed runs."]
    return "\n".join(lines)


def _subcommand(name: str, rest: list[str]) -> int:
    """Run subcommand ``name`` with the arguments after it (``--help`` answered here unless it answers itself)."""
    sub = SUBCOMMANDS[name]
    function = sub.function()
    if function is None:
        print(f"alignsim {name}: not available in this installation (alignsim --help lists the subcommands)",
              file=sys.stderr)
        return 1
    if not sub.answers_help and any(a in ("--help", "-h") for a in rest):
        print(f"usage: {sub.usage or 'alignsim ' + name}\n\n{sub.summary}")
        return 0
    if sub.check and not any(a in ("--help", "-h") for a in rest):
        try:
            globals()[sub.check](rest)
        except ConfigError as err:
            print(f"alignsim {name}: {err} (usage: {sub.usage})", file=sys.stderr)
            return 2
        except OutputNotWritable as err:
            print(f"alignsim {name}: {err}", file=sys.stderr)
            return 1
    status = function([name, *rest] if sub.full_argv else rest)
    return 0 if status is None else int(status)


def _option(rest: list[str], key: str) -> str | None:
    """The value of the last ``key=VALUE`` among a subcommand's arguments, or None."""
    values = [a.split("=", 1)[1] for a in rest if a.startswith(f"{key}=")]
    return values[-1] if values else None


def _check_port(rest: list[str]) -> None:
    """``port=N`` must be a TCP port, 1 to 65535."""
    text = _option(rest, "port")
    if text is not None and text.strip().lstrip("+-").isdigit() and not 1 <= int(text) <= 65535:
        raise ConfigError(f"port = {text} is out of range: allowed [1, 65535]")


def _check_out_file(rest: list[str]) -> None:
    """``out=FILE``'s folder must be writable, before any replicate runs (an empty ``out=`` is the default)."""
    text = _option(rest, "out")
    if not text or not text.strip():
        return
    from sim.sweep.store import NotWritable, check_writable

    try:
        check_writable(Path(text).absolute().parent, "out")
    except NotWritable as err:
        raise OutputNotWritable(str(err)) from None


def _refuse_bare_words(args: list[str]) -> None:
    """A word that is neither an override nor a flag: a misspelt subcommand gets a "did you mean"; a subcommand
    used as a config field (``sweep=...``) is named as the subcommand it is."""
    import difflib

    if not args or args[0].startswith("-"):
        return
    word, sep, _ = args[0].partition("=")
    if sep and word in SUBCOMMANDS:
        raise ConfigError(f"{word} is a subcommand, not a config field: alignsim {word} --help")
    if not sep and not word.startswith(("~", "+")):
        hint = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.6)
        did = f"did you mean 'alignsim {hint[0]}'? " if hint else ""
        raise ConfigError(f"{word!r} is not a subcommand nor a KEY=VALUE override: {did}"
                          f"subcommands: {', '.join(available_subcommands())} (alignsim --help)")


if __name__ == "__main__":
    main()
