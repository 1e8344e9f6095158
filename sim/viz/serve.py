"""Run the solara server with :func:`sim.viz.guard.guarded` around its application.

``python -m sim.viz.serve run sim.viz.app --host 127.0.0.1 --port 8765 ...`` takes solara's own ``run``
arguments.  Solara's command hands uvicorn the name ``solara.server.starlette:app``; uvicorn imports it in this
same process, so replacing that module's ``app`` with the guarded one before the command starts puts the Host and
Origin checks in front of every page, asset and WebSocket (the kernel connection that drives the model).  It also
mends solara's router widget, whose script otherwise puts a warning in every tab's console
(:func:`mend_navigator_script`).
"""

from __future__ import annotations

import sys
from pathlib import Path

NAVIGATOR_TYPO = "modules.export ="
"""The misspelt first line of the script of solara 1.58.2's ``solara/widgets/vue/navigator.vue``."""


def mend_navigator_script() -> bool:
    """Give solara a router widget whose script says ``module.exports =``; True when solara needed it.

    Solara's ``RoutingProvider`` (``solara/autorouting.py``) puts a ``Navigator`` widget (the page's router: the
    URL, back and forward, scrolling to a #hash) on every page.  Its template's script begins ``modules.export = {``
    instead of ``module.exports = {``.  ipyvue (``ipyvue/nbextension``, the Vue template compiler) runs a
    template's script as ``new Function("module", "exports", script)``: the misspelt ``modules`` is not defined, the
    call throws a ReferenceError, ipyvue logs "Failed to evaluate Vue script and find module.exports, falling back
    to old method, please use module.exports = { ... }" as a console warning and evaluates the object literal the
    old way, which works.  So the router worked, and every tab's console carried that warning.  This swaps the
    widget class behind ``solara.Navigator`` for a subclass whose template is solara's own file with that one word
    mended; a solara whose file is already right is left as it is."""
    import reacton.core
    import solara
    import solara.widgets.widgets as widgets

    text = Path(widgets.Navigator.template_file).read_text(encoding="utf-8")
    if NAVIGATOR_TYPO not in text:
        return False
    mended = text.replace(NAVIGATOR_TYPO, "module.exports =", 1)

    class Navigator(widgets.Navigator):
        """Solara's router widget with the script's first line mended."""

        template_file = None

        def __init__(self, **kwargs):
            from ipyvue import Template

            super().__init__(template=Template(template=mended), **kwargs)

    solara.Navigator = reacton.core.ComponentWidget(Navigator)
    return True


def _option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else default


WS_PING_TIMEOUT = 120.0
"""Seconds uvicorn waits for a tab's answer to its WebSocket ping before closing the kernel connection (uvicorn's
default is 20).  With 20 tabs opened at once on 2 cores the first renders take over a minute; tabs whose pong
came later than 20 s were cut off mid-render, and solara's reconnect did not recover them ("widget model not
found", or "Loading app" for ever): 2 of 20 tabs never rendered."""


def lengthen_ws_ping_timeout() -> None:
    """Make every ``uvicorn.Config`` (the one solara's ``run`` builds) default to :data:`WS_PING_TIMEOUT`."""
    import uvicorn

    original = uvicorn.Config.__init__

    def init(self, *args, **kwargs):
        kwargs.setdefault("ws_ping_timeout", WS_PING_TIMEOUT)
        original(self, *args, **kwargs)

    uvicorn.Config.__init__ = init


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
    mend_navigator_script()
    lengthen_ws_ping_timeout()
    import warnings

    # Over plain http on 127.0.0.1 solara falls back to samesite=lax cookies, which is what a local server wants
    # (it is never embedded in another site's frame), and says so on every first load: not the trainer's concern.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *argv]
    solara_main()


if __name__ == "__main__":
    main()
