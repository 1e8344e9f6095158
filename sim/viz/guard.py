"""Who may talk to a server on the trainer's laptop: the checks the dashboard and the workshop game share.

A page of another site open in the trainer's browser can open a WebSocket to ``127.0.0.1`` (browsers do not
stop it) and drive the dashboard or the game; a DNS-rebinding page can even make its own name resolve to
``127.0.0.1``.  Both are refused here: the ``Host`` header must be one of the server's own names and port, and an
``Origin`` (sent by every browser page on a WebSocket handshake and a cross-site POST) must be the server's own
``http://name:port``.  A request with no ``Origin`` does not come from a page (a script, a test client) and passes.

:func:`guarded` wraps any ASGI application (the solara server's) with these checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

LOCAL_NAMES = ("127.0.0.1", "localhost")


def host_allowed(host_header: str | None, names: Iterable[str], port: int) -> bool:
    """Whether a ``Host`` header names this server: one of ``names`` (case-insensitive) at ``port``."""
    if not host_header:
        return False
    parts = urlsplit(f"//{host_header}")
    try:
        given = parts.port or 80
    except ValueError:
        return False
    return (parts.hostname or "").lower() in {n.lower() for n in names} and given == port


def origin_allowed(origin: str | None, names: Iterable[str], port: int) -> bool:
    """Whether an ``Origin`` header is this server's own page (no Origin: not a browser page, allowed)."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    try:
        given = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "").lower() in {n.lower() for n in names} and given == port


def guarded(app, port: int, names: Iterable[str] = LOCAL_NAMES):
    """``app`` (ASGI) behind the Host and Origin checks: an HTTP request to another host gets 421, a POST from
    another site 403, and a WebSocket handshake from another site or host is closed with code 1008 (policy
    violation) before the application sees it."""
    names = tuple(names)

    async def checked(scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
            host_ok = host_allowed(headers.get("host"), names, port)
            origin_ok = origin_allowed(headers.get("origin"), names, port)
            if scope["type"] == "websocket" and not (host_ok and origin_ok):
                await receive()  # the handshake's websocket.connect
                await send({"type": "websocket.close", "code": 1008, "reason": "cross-site connection refused"})
                return
            if scope["type"] == "http" and (not host_ok or (scope.get("method") == "POST" and not origin_ok)):
                status, text = (421, b"unknown host") if not host_ok else (403, b"cross-site request refused")
                await send({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"text/plain"),
                                        (b"content-length", str(len(text)).encode())]})
                await send({"type": "http.response.body", "body": text})
                return
        await app(scope, receive, send)

    return checked
