"""``alignsim dashboard`` and ``alignsim report``: the trainers' two commands.

``alignsim dashboard [port=8765]`` serves the dashboard on 127.0.0.1 only (a training room's laptop, no
network needed: the front end is served from the installed solara-assets) and prints its URL.
``alignsim report scenario=A compare_with=B [out=FILE] [replicates=10] [seed=0] [KEY=VALUE ...]``
writes the self-contained debrief pack (by default into a new folder of ``outputs/``); other ``KEY=VALUE`` pairs
are config overrides for both arms (``market.accounts=5000``).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from sim.config import ConfigError

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _pairs(argv: list[str]) -> dict[str, str]:
    out = {}
    for arg in argv:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise ConfigError(f"{arg!r} is not KEY=VALUE")
        out[key] = value
    return out


def _number(options: dict, key: str, default: int) -> int:
    text = options.pop(key, str(default))
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{key} = {text!r} is not valid: expected a whole number") from None


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def server_command(port: int) -> list[str]:
    """The command that serves :mod:`sim.viz.app` on 127.0.0.1:``port``: solara's server (production mode, no
    browser opened, no version check over the network) behind the Host and Origin checks of
    :mod:`sim.viz.guard` (:mod:`sim.viz.serve`)."""
    return [sys.executable, "-m", "sim.viz.serve", "run", "sim.viz.app", "--host", HOST, "--port", str(port),
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


KERNEL_CULL = "60s"
"""How long the server keeps a closed tab's session (its model, its play thread) for the tab to come back (a
reload, a dropped Wi-Fi) before freeing it; solara's default is 24 hours, so 100 tabs opened and closed kept
100 models and their threads for a day.  ``SOLARA_KERNEL_CULL_TIMEOUT`` in the environment overrides it."""


def server_env() -> dict[str, str]:
    """The server's environment: headless matplotlib, no usage pings from a training room, no "runs on
    Solara" banner over the curves, the page's title, and closed tabs freed after :data:`KERNEL_CULL`."""
    return {"SOLARA_KERNEL_CULL_TIMEOUT": KERNEL_CULL, **os.environ, "MPLBACKEND": "Agg",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_SHOW_BANNER": "False",
            "SOLARA_THEME_TITLE": "alignsim workshop"}


DASHBOARD_USAGE = """usage: alignsim dashboard [port=8765]

Serve the trainers' dashboard on 127.0.0.1:PORT (this laptop only; no network needed) until Ctrl-C, then open
http://127.0.0.1:PORT/ in a browser and put it on the projector."""
REPORT_USAGE = """usage: alignsim report scenario=A compare_with=B [out=FILE] [replicates=10] [seed=0] [KEY=VALUE ...]

Write the self-contained debrief pack (one HTML file that opens offline) of two presets' paired replicates.
out: the file to write (default outputs/<date>/<time>/debrief_A_vs_B.html, beside the main job's folders);
other KEY=VALUE pairs are config overrides for both arms (market.accounts=5000)."""


def _wants_help(argv: list[str]) -> bool:
    return any(a in ("--help", "-h", "help") for a in argv)


def default_report_path(scenario: str, compare_with: str, now=None) -> Path:
    """Where the debrief pack goes when no ``out=`` is given: a new folder of the outputs tree,
    ``outputs/<date>/<time with microseconds>/`` (as the main job's), so two packs never overwrite each other."""
    import datetime

    now = now or datetime.datetime.now()
    return (Path("outputs") / now.strftime("%Y-%m-%d") / now.strftime("%H-%M-%S-%f")
            / f"debrief_{scenario}_vs_{compare_with}.html")


def dashboard_main(argv: list[str]) -> int:
    """Serve the dashboard until Ctrl-C (the solara server takes over this process); returns 2 on a bad
    argument or a busy port."""
    if _wants_help(argv):
        print(DASHBOARD_USAGE)
        return 0
    try:
        port = _number(_pairs(argv), "port", DEFAULT_PORT)
    except ConfigError as err:
        print(f"alignsim dashboard: {err} (usage: alignsim dashboard [port=8765])", file=sys.stderr)
        return 2
    if not port_is_free(port):
        print(f"alignsim dashboard: port {port} on {HOST} is in use: pick another with port=N", file=sys.stderr)
        return 2
    print(f"alignsim dashboard: open http://{HOST}:{port}/ in a browser (Ctrl-C stops the server)", flush=True)
    command = server_command(port)
    os.execve(command[0], command, server_env())  # the server replaces this process: Ctrl-C and kill reach it directly
    return 0


def report_main(argv: list[str]) -> int:
    """Write the debrief pack; 2 on invalid arguments or configuration."""
    if _wants_help(argv):
        print(REPORT_USAGE)
        return 0
    from sim.viz import report

    try:
        options = _pairs(argv)
        scenario = options.pop("scenario", "hundred_years_war")
        compare_with = options.pop("compare_with", "full_alignment")
        out = options.pop("out", None) or default_report_path(scenario, compare_with)
        replicates = _number(options, "replicates", 10)
        seed = _number(options, "seed", 0)
        overrides = [f"{k}={v}" for k, v in options.items()]
        path = report.write(out, scenario, compare_with, replicates, seed, overrides)
    except ConfigError as err:
        print(f"alignsim report: invalid configuration: {err}", file=sys.stderr)
        return 2
    print(f"alignsim report: wrote {path} ({path.stat().st_size / 1e6:.1f} MB, opens offline in any browser)")
    return 0
