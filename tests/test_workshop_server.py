"""The workshop's web server without a browser (Starlette's test client): who may connect, who may change what,
and that a closed screen leaves nothing behind."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from sim.workshop.cli import build

PORT = 8799
BASE = f"http://127.0.0.1:{PORT}"
WS = f"ws://127.0.0.1:{PORT}"
KEY = "test-key"


@pytest.fixture()
def served(tmp_path):
    workshop, app = build("127.0.0.1", PORT, tmp_path, KEY, ["market.accounts=2000"])
    with TestClient(app, base_url=BASE) as client:
        yield workshop, client


def _open_room(client, **options) -> dict:
    reply = client.post("/api/rooms", json={"key": KEY, "teams": 2, "rounds": 2, "round_seconds": 0} | options,
                        headers={"origin": BASE})
    assert reply.status_code == 200, reply.text
    return reply.json()


def _receive(ws, kind: str) -> dict:
    for _ in range(20):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message")


def test_pages_qr_and_room_opening_need_the_right_host_origin_and_key(served):
    workshop, client = served
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"host": "evil.example"}).status_code == 421, "DNS rebinding: unknown Host"
    assert client.post("/api/rooms", json={"key": "wrong"}).status_code == 403
    refused = client.post("/api/rooms", json={"key": KEY}, headers={"origin": "http://evil.example"})
    assert refused.status_code == 403, "a page of another site cannot open a room"
    room = _open_room(client)
    assert client.get(f"/join/{room['code']}").status_code == 200
    assert client.get("/join/ZZZZ").status_code == 404
    svg = client.get(f"/qr/{room['code']}.svg")
    assert svg.status_code == 200 and svg.text.lstrip().startswith("<svg")
    seats = client.get(f"/api/rooms/{room['code']}/seats").json()
    assert len(seats["teams"]) == 2 and not any(seats["teams"][0]["seats"].values())


@pytest.mark.parametrize("origin", ["http://evil.example", f"http://127.0.0.1:{PORT + 1}", "null"])
def test_cross_site_websockets_are_refused(served, origin):
    workshop, client = served
    code = _open_room(client)["code"]
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(f"{WS}/ws/{code}", headers={"origin": origin}) as ws:
            ws.receive_json()
    assert refused.value.code == 1008
    with client.websocket_connect(f"{WS}/ws/{code}", headers={"origin": BASE}) as ws:  # our own page is welcome
        ws.send_json({"op": "hello", "role": "projector"})
        assert ws.receive_json()["type"] == "state"


def test_the_server_decides_who_changes_what_and_closed_screens_are_dropped(served):
    workshop, client = served
    room = _open_room(client)
    code, token = room["code"], room["token"]
    with client.websocket_connect(f"{WS}/ws/{code}", headers={"origin": BASE}) as boss, \
            client.websocket_connect(f"{WS}/ws/{code}", headers={"origin": BASE}) as ana, \
            client.websocket_connect(f"{WS}/ws/{code}", headers={"origin": BASE}) as eve:
        boss.send_json({"op": "hello", "role": "facilitator", "token": token})
        assert _receive(boss, "state")["state"]["role"] == "facilitator"
        ana.send_json({"op": "join", "team": 0, "department": "sales", "name": "Ana"})
        seat = _receive(ana, "joined")["token"]
        eve.send_json({"op": "join", "team": 0, "department": "sales", "name": "Eve"})
        assert "taken by Ana" in _receive(eve, "error")["message"]
        eve.send_json({"op": "start"})
        assert "say hello first" in _receive(eve, "error")["message"]
        eve.send_json({"op": "hello", "role": "facilitator", "token": "guess"})
        assert "only the facilitator" in _receive(eve, "error")["message"]
        eve.send_json({"op": "hello", "role": "projector"})
        assert "values" not in str(_receive(eve, "state")["state"])
        eve.send_json({"op": "close"})
        assert "only the facilitator" in _receive(eve, "error")["message"]
        boss.send_json({"op": "start"})
        state = _receive(ana, "state")["state"]
        while state["phase"] != "deciding":
            state = _receive(ana, "state")["state"]
        room_obj = workshop.rooms.get(code)
        before = room_obj.version
        ana.send_json({"op": "decide", "round": 1, "team": 0, "department": "marketing",
                       "values": {"brand_share": 0.8}})
        assert "cannot change another seat" in _receive(ana, "error")["message"]
        eve.send_json({"op": "decide", "round": 1, "team": 0, "department": "sales", "values": {"max_discount": 0}})
        assert "player's screen" in _receive(eve, "error")["message"]
        ana.send_text("{not json")
        assert "not valid JSON" in _receive(ana, "error")["message"]
        assert room_obj.version == before and room_obj.companies[0].seats["marketing"].values["brand_share"] != 0.8
        ana.send_json({"op": "decide", "round": 1, "team": 0, "department": "sales", "values": {"max_discount": 0.1}})
        _receive(ana, "ok")
        assert room_obj.companies[0].records[0]["values"]["sales"]["max_discount"] == 0.1
        assert len(workshop.screens[code]) == 3
    # every screen closed: the room keeps no reference to them (its model belongs to the room, not to a tab)
    for _ in range(50):
        if code not in workshop.screens:
            break
        import time

        time.sleep(0.05)
    assert code not in workshop.screens
    assert seat == room_obj.companies[0].seats["sales"].token


def test_the_game_report_needs_the_facilitator_and_holds_the_game(served, tmp_path):
    workshop, client = served
    room = _open_room(client, teams=1, rounds=1)
    code, token = room["code"], room["token"]
    game = workshop.rooms.get(code)
    seat = game.join(0, "sales", "Ana")
    game.start(token)
    game.decide(seat, 1, 0, "sales", {"max_discount": 0.12})
    if game.phase == "review":
        game.close(token)
    game.compute_ledgers()
    assert client.get(f"/report/{code}.html?token=wrong").status_code == 403
    page = client.get(f"/report/{code}.html?token={token}")
    assert page.status_code == 200
    for part in ("Leaderboard", "The blame ledger", "Decisions", "Discount authority", "12 %", "Ana"):
        assert part in page.text, part
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1], "self-contained, offline"


def test_a_room_whose_quarter_holds_its_lock_does_not_hold_up_the_other_rooms(served):
    """While one room's lock is held (as it is while its quarter plays, a second or so at 20,000 accounts), a
    screen of that room waiting for its view must not stop the server: another room's screen gets its view at
    once, and the waiting screen gets its own as soon as the lock is free.  (Views were made on the event loop,
    so one room's quarter froze every room's screens.)"""
    import threading
    import time

    workshop, client = served
    busy, other = (workshop.rooms.get(_open_room(client)["code"]) for _ in range(2))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with busy.lock:
            held.set()
            release.wait(10)

    threading.Thread(target=hold, daemon=True).start()
    held.wait(5)
    try:
        with client.websocket_connect(f"{WS}/ws/{busy.code}", headers={"origin": BASE}) as waiting:
            waiting.send_json({"op": "hello", "role": "projector"})
            time.sleep(0.2)  # the waiting screen's view is asked for first
            threading.Timer(3.0, release.set).start()
            start = time.perf_counter()
            with client.websocket_connect(f"{WS}/ws/{other.code}", headers={"origin": BASE}) as ws:
                ws.send_json({"op": "hello", "role": "projector"})
                assert _receive(ws, "state")["state"]["code"] == other.code
                assert time.perf_counter() - start < 1.5, "the other room's screen waited for the busy room's lock"
            assert _receive(waiting, "state")["state"]["code"] == busy.code
    finally:
        release.set()
