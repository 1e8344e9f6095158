"""Run the solara server with :func:`sim.viz.guard.guarded` around its application.

``python -m sim.viz.serve run sim.viz.app --host 127.0.0.1 --port 8765 ...`` takes solara's own ``run``
arguments.  Solara's command hands uvicorn the name ``solara.server.starlette:app``; uvicorn imports it in this
same process, so replacing that module's ``app`` with the guarded one before the command starts puts the Host and
Origin checks in front of every page, asset and WebSocket (the kernel connection that drives the model).
"""

from __future__ import annotations

import sys


def _option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else default


def main(argv: list[str] | None = None) -> None:
    import os

    argv = sys.argv[1:] if argv is None else argv
    port = int(_option(argv, "--port", "8765"))
    # what solara's run command sets before uvicorn imports the server module, which reads them when imported
    os.environ["SOLARA_APP"] = argv[1] if len(argv) > 1 and argv[0] == "run" else "sim.viz.app"
    os.environ["SERVER_NAME"] = _option(argv, "--host", "127.0.0.1")
    os.environ["SERVER_PORT"] = str(port)
    import solara.server.starlette as solara_server

    from sim.viz.guard import guarded

    solara_server.app = guarded(solara_server.app, port)
    import warnings

    # Over plain http on 127.0.0.1 solara falls back to samesite=lax cookies, which is what a local server wants
    # (it is never embedded in another site's frame), and says so on every first load: not the trainer's concern.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *argv]
    solara_main()


if __name__ == "__main__":
    main()
