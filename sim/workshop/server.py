"""The workshop's web front: a Starlette app with one WebSocket per screen.

Pages (plain HTML and one script, served from the package: no network needed in the training room):
``/host`` the facilitator's start page (opens rooms; needs the server key printed by ``alignsim workshop``),
``/console/<code>`` the facilitator console (needs the room's facilitator token), ``/join/<code>`` a player's
screen (phone or laptop), ``/projector/<code>`` the projector view, ``/qr/<code>.svg`` the join URL as a QR code.

Every screen talks to ``/ws/<code>`` in JSON.  A screen says who it is (``hello``: player with its seat token,
facilitator with its token, or projector); the server answers with that screen's own view
(:meth:`~sim.workshop.game.Room.player_view` etc.) after every change in the room, and with ``error`` (one
sentence; nothing changed) when it refuses a request.  The server is the authority: a seat is the one its token
names, whatever the page sends.

Where the work runs (the load target: the round's result on every screen within 1 s of the last submit, 10 rooms
of 5 players on a 2-core laptop): the event loop only reads and writes sockets and makes views, and never waits
for a room's lock (a view wanted while a quarter holds it is made in a worker thread); every change to a room
runs in one "rounds" thread, first come first served (:meth:`Workshop.change`), so rounds that close together
finish one after another instead of all as late as the last; the ledgers' replays run in a worker process at a
lower CPU priority (:data:`LEDGER_NICE`).

Security for a laptop in a training room: the server listens on 127.0.0.1 unless the trainer gives ``--host``;
requests whose ``Host`` is not one of the server's own names are refused (DNS rebinding); a WebSocket or POST
whose ``Origin`` is another site is refused (a page open in the trainer's browser cannot drive the game); rooms
are opened only with the server key, and facilitator controls need the room's token.  A screen that closes
leaves nothing behind but its entry in the room's list of screens, which is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import multiprocessing
import os
import secrets
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from dataclasses import dataclass, field
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from sim.viz.guard import host_allowed, origin_allowed
from sim.workshop.decisions import GameError, describe
from sim.workshop.ledger import company_ledger
from sim.workshop.report import render as render_report
from sim.workshop.game import MAX_ROUNDS, MAX_TEAMS, PRESET_LABELS, Room, Rooms, preset_label

log = logging.getLogger("alignsim.workshop")
MAX_MESSAGE = 16_384
"""Largest WebSocket message a screen may send (bytes); a decision is a few hundred."""
TICK_SECONDS = 0.25
"""How often the server checks the rooms' timers."""
LEDGER_NICE = 10
"""How much lower the ledger worker's CPU priority is than the server's (``os.nice`` steps): a finished room's
ledger (16 replays of the game per company, tens of seconds of CPU) then takes the CPU only when the rooms still
playing leave it idle, instead of slowing their quarters down."""


@dataclass(eq=False)
class Screen:
    """One open page: its socket, its room and who it is."""

    socket: WebSocket
    room: Room
    role: str | None = None
    token: str | None = None
    sent_version: int = -1
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Workshop:
    """The server's state: the rooms, the screens open on each, and the names it answers to.

    Args:
        rooms: the rooms (resumed from their store folder).
        key: the server key that opens rooms (printed in the facilitator's link).
        hosts: the host names and addresses the server is reached by (``127.0.0.1``, ``localhost`` and, with
            ``--host``, the room network's address); ``Host`` and ``Origin`` headers must name one of them.
        port: the port it listens on.
        public_host: the address put in the join URL and its QR code.
        room_defaults: options for every new room (``overrides=["market.accounts=5000"]``).
    """

    def __init__(self, rooms: Rooms, key: str, hosts: list[str], port: int, public_host: str = "127.0.0.1",
                 room_defaults: dict | None = None):
        self.rooms = rooms
        self.key = key
        self.hosts = {h.lower() for h in hosts}
        self.port = port
        self.public_host = public_host
        self.room_defaults = dict(room_defaults or {})
        self.screens: dict[str, set[Screen]] = {}
        self.ledger_tasks: dict[str, asyncio.Task] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._rounds = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workshop-rounds")

    async def change(self, fn, *args):
        """Run ``fn(*args)``, a change to a room (a join, a submit that may play the quarter, the timer), in the one
        thread that changes rooms, and return its result.

        One thread, first come first served, not a thread per request: the quarters are Python work that holds
        the interpreter's lock, so quarters of rooms whose rounds close together, run in threads side by side,
        share the CPU and all finish as late as the last; queued, each finishes as soon as the ones before it.
        The event loop stays free to push views and read screens meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self._rounds, partial(fn, *args))

    # ------------------------------------------------------------------ who may talk to us
    def host_ok(self, host_header: str | None) -> bool:
        """Whether a ``Host`` header names this server (any port is refused but ours)."""
        return host_allowed(host_header, self.hosts, self.port)

    def origin_ok(self, origin: str | None) -> bool:
        """Whether an ``Origin`` header is this server's own page (no Origin: not a browser page, allowed)."""
        return origin_allowed(origin, self.hosts, self.port)

    def join_url(self, code: str) -> str:
        return f"http://{self.public_host}:{self.port}/join/{code}"

    # ------------------------------------------------------------------ pushing views
    def view_for(self, screen: Screen) -> dict | None:
        room = screen.room
        if screen.role == "facilitator":
            return room.facilitator_view() | {"join_url": self.join_url(room.code)}
        if screen.role == "player":
            return room.player_view(screen.token)
        if screen.role == "projector":
            return room.projector_view() | {"join_url": self.join_url(room.code)}
        return None

    async def send(self, screen: Screen, message: dict) -> None:
        async with screen.lock:
            if screen.socket.client_state != WebSocketState.CONNECTED:
                return
            try:
                await screen.socket.send_text(json.dumps(message))
            except Exception:  # the page went away mid-send: it is removed when its receive loop ends
                pass

    def views(self, screens: list[Screen]) -> list[tuple[Screen, dict]]:
        """Each screen with its own view (a screen whose seat is gone gets none)."""
        out = []
        for screen in screens:
            with contextlib.suppress(GameError):
                if (view := self.view_for(screen)) is not None:
                    out.append((screen, view))
        return out

    def views_now(self, room: Room, screens: list[Screen]) -> list[tuple[Screen, dict]] | None:
        """:meth:`views`, made here if the room's lock is free this instant; None while another thread holds it."""
        if not room.lock.acquire(blocking=False):
            return None
        try:
            return self.views(screens)
        finally:
            room.lock.release()

    async def push(self, room: Room) -> None:
        """Send every screen of ``room`` its own view.  The views take the room's lock, which a quarter being
        played holds for a second or so: the event loop must not wait for it (every room's screens would), so
        then they are made in a worker thread."""
        screens = list(self.screens.get(room.code, ()))
        made = self.views_now(room, screens)
        if made is None:
            made = await asyncio.to_thread(self.views, screens)
        for screen, view in made:
            await self.send(screen, {"type": "state", "state": view, "sent": time.time()})
        if room.phase == "finished" and not room.ledgers_ready and room.code not in self.ledger_tasks:
            self.ledger_tasks[room.code] = asyncio.create_task(self._ledger(room))

    def pool(self) -> ProcessPoolExecutor:
        """The worker process that computes ledgers (started on first use): the 16 replays per company run
        there, so they do not hold up the rounds of rooms still playing."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=os.nice, initargs=(LEDGER_NICE,))
        return self._pool

    async def _ledger(self, room: Room) -> None:
        try:
            loop = asyncio.get_running_loop()
            for index, args in room.ledger_jobs():
                room.set_ledger(index, await loop.run_in_executor(self.pool(), company_ledger, *args))
            if room.store is not None:  # the debrief pack beside the room's saved state, in the outputs folder
                (room.store / f"{room.code}-debrief.html").write_text(render_report(room.facilitator_view()))
        except Exception:
            log.exception("ledger of room %s failed", room.code)
        finally:
            self.ledger_tasks.pop(room.code, None)
        await self.push(room)

    async def ticker(self) -> None:
        """Close rounds whose timer ran out."""
        while True:
            await asyncio.sleep(TICK_SECONDS)
            now = time.time()
            for room in list(self.rooms.rooms.values()):
                if room is not None and room.deadline is not None and now >= room.deadline:
                    try:
                        changed = await self.change(room.tick, now)
                    except Exception:
                        log.exception("timer of room %s failed", room.code)
                        continue
                    if changed:
                        await self.push(room)

    # ------------------------------------------------------------------ one screen's messages
    async def handle(self, screen: Screen, message: dict) -> None:
        room, op = screen.room, message.get("op")
        if op == "hello":
            role = message.get("role")
            if role == "player":
                room.seat_of(message.get("token"))
            elif role == "facilitator":
                room._check_facilitator(message.get("token"))
            elif role != "projector":
                raise GameError("a screen is a player's, the facilitator's or the projector")
            screen.role, screen.token = role, message.get("token")
            view = await asyncio.to_thread(self.view_for, screen)
            await self.send(screen, {"type": "state", "state": view, "sent": time.time()})
            return
        if op == "join":
            token = await self.change(room.join, message.get("team"), message.get("department"), message.get("name"))
            screen.role, screen.token = "player", token
            await self.send(screen, {"type": "joined", "token": token, "code": room.code})
            await self.push(room)
            return
        if screen.role is None:
            raise GameError("say hello first")
        round_no = message.get("round")
        if op == "decide":
            self._player(screen)
            await self.change(room.decide, screen.token, round_no, message.get("team"), message.get("department"),
                              message.get("values"), message.get("votes"))
            await self.send(screen, {"type": "ok", "op": op})
        elif op == "answer":
            self._player(screen)
            await self.change(room.answer, screen.token, round_no, message.get("answer"))
            await self.send(screen, {"type": "ok", "op": op})
        elif op in ("start", "close", "pause", "resume", "reveal", "timer", "end", "release"):
            if screen.role != "facilitator":
                raise GameError("only the facilitator can do that (the console's link carries the facilitator's key)")
            if op == "timer":
                await self.change(room.set_timer, screen.token, message.get("seconds"))
            elif op == "release":
                await self.change(room.release, screen.token, message.get("team"), message.get("department"))
            elif op == "end":
                self.rooms.close(room.code, screen.token)
                for other in list(self.screens.pop(room.code, ())):
                    await self.send(other, {"type": "ended"})
                    with contextlib.suppress(Exception):
                        await other.socket.close()
                return
            else:
                await self.change(getattr(room, op), screen.token)
        else:
            raise GameError(f"unknown request {op!r}")
        await self.push(room)

    @staticmethod
    def _player(screen: Screen) -> None:
        if screen.role != "player":
            raise GameError("only a player's screen can decide for a seat")

    async def socket(self, websocket: WebSocket) -> None:
        if not (self.host_ok(websocket.headers.get("host")) and self.origin_ok(websocket.headers.get("origin"))):
            await websocket.close(code=1008, reason="cross-site connection refused")
            return
        try:
            room = self.rooms.get(websocket.path_params["code"])
        except GameError:
            await websocket.close(code=4404, reason="no such room")
            return
        await websocket.accept()
        screen = Screen(websocket, room)
        self.screens.setdefault(room.code, set()).add(screen)
        try:
            while True:
                text = await websocket.receive_text()
                op = None
                try:
                    if len(text) > MAX_MESSAGE:
                        raise GameError("that request is too large")
                    message = json.loads(text)
                    if not isinstance(message, dict):
                        raise GameError("a request is a JSON object")
                    op = message.get("op")
                    await self.handle(screen, message)
                except json.JSONDecodeError:
                    await self.send(screen, {"type": "error", "message": "that request is not valid JSON", "op": op})
                except GameError as err:
                    await self.send(screen, {"type": "error", "message": str(err), "op": op})
                except WebSocketDisconnect:
                    raise
                except Exception:
                    log.exception("request %r in room %s failed", op, room.code)
                    await self.send(screen, {"type": "error", "op": op,
                                             "message": "the server could not do that: its terminal says why"})
        except WebSocketDisconnect:
            pass
        finally:
            self.screens.get(room.code, set()).discard(screen)
            if not self.screens.get(room.code):
                self.screens.pop(room.code, None)

    # ------------------------------------------------------------------ pages and HTTP
    def guard(self, request: Request, post: bool = False) -> Response | None:
        if not self.host_ok(request.headers.get("host")):
            return PlainTextResponse("unknown host", status_code=421)
        if post and not self.origin_ok(request.headers.get("origin")):
            return PlainTextResponse("cross-site request refused", status_code=403)
        return None

    def page(self, kind: str):
        """The handler of one kind of page ("host", "console", "join" or "projector")."""
        async def handler(request: Request) -> Response:
            return await self._page(request, kind)
        return handler

    async def _page(self, request: Request, kind: str) -> Response:
        if (refused := self.guard(request)) is not None:
            return refused
        code = request.path_params.get("code", "")
        if kind != "host":
            try:
                code = self.rooms.get(code).code
            except GameError as err:
                return HTMLResponse(_page("No such room", "error", "", f"<p class='error'>{html.escape(str(err))}</p>"),
                                    status_code=404)
        titles = {"host": "Open a workshop room", "console": f"Room {code}: facilitator",
                  "join": f"Room {code}", "projector": f"Room {code}"}
        return HTMLResponse(_page(titles[kind], kind, code))

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ("workshop.js", "workshop.css"):
            return PlainTextResponse("not found", status_code=404)
        text = resources.files("sim.workshop").joinpath("static", name).read_text()
        return Response(text, media_type="text/javascript" if name.endswith(".js") else "text/css",
                        headers={"Cache-Control": "no-cache"})

    async def qr(self, request: Request) -> Response:
        if (refused := self.guard(request)) is not None:
            return refused
        try:
            room = self.rooms.get(request.path_params["code"])
        except GameError as err:
            return PlainTextResponse(str(err), status_code=404)
        return Response(qr_svg(self.join_url(room.code)), media_type="image/svg+xml")

    async def report(self, request: Request) -> Response:
        """The room's debrief pack (rounds, decisions, reviews, the ledger) for the facilitator: ``?token=``."""
        if (refused := self.guard(request)) is not None:
            return refused
        try:
            room = self.rooms.get(request.path_params["code"])
            room._check_facilitator(request.query_params.get("token"))
        except GameError as err:
            return PlainTextResponse(str(err), status_code=403)
        return HTMLResponse(render_report(room.facilitator_view()))

    async def api_game(self, request: Request) -> Response:
        if (refused := self.guard(request)) is not None:
            return refused
        return JSONResponse(describe() | {"presets": [{"key": k, "label": v} for k, v in PRESET_LABELS.items()],
                                          "max_teams": MAX_TEAMS, "max_rounds": MAX_ROUNDS})

    async def api_seats(self, request: Request) -> Response:
        if (refused := self.guard(request)) is not None:
            return refused
        try:
            return JSONResponse(self.rooms.get(request.path_params["code"]).seats_view())
        except GameError as err:
            return JSONResponse({"error": str(err)}, status_code=404)

    async def api_open(self, request: Request) -> Response:
        """Open a room: {"key", "preset", "teams", "rounds", "seed", "round_seconds"} -> {"code", "token"}."""
        if (refused := self.guard(request, post=True)) is not None:
            return refused
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": "the request is not valid JSON"}, status_code=400)
        if not isinstance(body, dict) or not secrets.compare_digest(str(body.get("key", "")), self.key):
            return JSONResponse({"error": "a room is opened with the server key printed by 'alignsim workshop'"},
                                status_code=403)
        preset = body.get("preset", "hundred_years_war")
        if preset not in PRESET_LABELS:
            return JSONResponse({"error": f"{preset!r} is not a preset: choose one of {', '.join(PRESET_LABELS)}"},
                                status_code=400)
        options = dict(self.room_defaults)
        for name in ("teams", "rounds", "seed", "round_seconds"):
            if name in body:
                options[name] = body[name]
        try:
            room = await asyncio.to_thread(self.rooms.open, preset=preset, **options)
        except GameError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse({"code": room.code, "token": room.facilitator_token, "label": preset_label(preset),
                             "console": f"/console/{room.code}#token={room.facilitator_token}"})

    async def api_rooms(self, request: Request) -> Response:
        if (refused := self.guard(request, post=True)) is not None:
            return refused
        if not secrets.compare_digest(request.headers.get("x-workshop-key", ""), self.key):
            return JSONResponse({"error": "the server key is needed"}, status_code=403)
        return JSONResponse([{"code": r.code, "preset": preset_label(r.preset), "phase": r.phase, "round": r.round,
                              "rounds": r.rounds, "console": f"/console/{r.code}#token={r.facilitator_token}"}
                             for r in self.rooms.rooms.values() if r is not None])

    async def index(self, request: Request) -> Response:
        if (refused := self.guard(request)) is not None:
            return refused
        return HTMLResponse(_page("alignsim workshop", "index", ""))

    def app(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(app):
            task = asyncio.create_task(self.ticker())
            try:
                yield
            finally:
                task.cancel()
                self._rounds.shutdown(wait=False, cancel_futures=True)
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)

        return Starlette(routes=[
            Route("/", self.index),
            Route("/host", self.page("host")),
            Route("/console/{code}", self.page("console")),
            Route("/join/{code}", self.page("join")),
            Route("/projector/{code}", self.page("projector")),
            Route("/qr/{code}.svg", self.qr),
            Route("/report/{code}.html", self.report),
            Route("/static/{name}", self.static),
            Route("/api/game", self.api_game),
            Route("/api/rooms/{code}/seats", self.api_seats),
            Route("/api/rooms", self.api_open, methods=["POST"]),
            Route("/api/rooms/list", self.api_rooms, methods=["POST"]),
            WebSocketRoute("/ws/{code}", self.socket),
        ], lifespan=lifespan)


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an SVG image (dark on white, quiet zone included)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False,
                                    title=f"QR code of {url}")
    return buffer.getvalue().decode()


def _page(title: str, kind: str, code: str, body: str = "") -> str:
    return f"""<!doctype html>
<html lang="en" data-page="{kind}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/workshop.css">
</head>
<body data-page="{kind}" data-code="{html.escape(code)}">
<main id="app">{body}</main>
<div id="error" role="alert" hidden></div>
<script src="/static/workshop.js"></script>
</body></html>"""
