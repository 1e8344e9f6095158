"""Load test of the workshop server: many rooms playing at once on 127.0.0.1 (not part of the default tests).

    python benchmarks/workshop_load.py [--rooms 10] [--players 5] [--rounds 4] [--think 3] [--accounts 20000]

Starts ``alignsim workshop`` in a subprocess, opens ``--rooms`` rooms of two companies, and plays them all at the
same time with WebSocket clients: per room a facilitator screen and ``--players`` players (four seats of the
first company, then seats of the second).  Each player thinks a random 0..``--think`` seconds, submits its
decisions, and answers the quarter review when asked; the game runs ``--rounds`` quarters and ends with the blame
ledger.  Measured: per room and round, the time from the submit that completes the round to the round's result
appearing on *every* screen of the room (each screen's first view holding that quarter's numbers), and the
server's peak resident memory (its process tree, sampled every 50 ms).  Prints a summary and writes it as JSON to
``benchmarks/results/workshop_load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import websockets

DEPARTMENTS = ("marketing", "sales", "operations", "purchasing")
KEY = "load-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process and its children (MB) until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self.threads = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs) / 1e6)
                self.threads = max(self.threads, sum(p.num_threads() for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.05)


def post(url: str, body: dict, origin: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Origin": origin})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


async def screen(url: str, origin: str, hello: dict | None, join: dict | None, seen: dict, submits: dict,
                 code: str, rounds: int, think: float, rng: random.Random, done: asyncio.Event) -> None:
    """One screen: say hello (or join), then react to every view until the game is over and the ledger is ready."""
    async with websockets.connect(url, origin=origin, max_size=2**22) as ws:
        await ws.send(json.dumps(join or hello))
        me = object()
        acted: set = set()
        while True:
            message = json.loads(await ws.recv())
            now = time.perf_counter()
            if message["type"] == "joined":
                continue
            if message["type"] != "state":
                continue
            state = message["state"]
            played = len(state.get("history") or (state.get("companies") or [{}])[0].get("records") or [])
            for r in range(1, played + 1):
                seen.setdefault((code, r), {}).setdefault(me, now)
            if state["role"] == "player":
                key = (state["phase"], state["round"])
                if state["phase"] == "deciding" and key not in acted and not state["submitted"]:
                    acted.add(key)
                    await asyncio.sleep(rng.uniform(0, think))
                    sales = state["department"] == "sales"
                    values = {"max_discount": round(rng.uniform(0.05, 0.3), 2)} if sales else {}
                    submits.setdefault((code, state["round"]), []).append(time.perf_counter())
                    await ws.send(json.dumps({"op": "decide", "round": state["round"], "team": state["team"],
                                              "department": state["department"], "values": values, "votes": {}}))
                elif state["phase"] == "review" and state["must_answer"] and key not in acted:
                    acted.add(key)
                    await asyncio.sleep(rng.uniform(0, think / 2))
                    others = [d for d in DEPARTMENTS if d != state["department"]]
                    answer = rng.choice([{"kind": "fix"}, {"kind": "blame", "target": rng.choice(others)}])
                    await ws.send(json.dumps({"op": "answer", "round": state["round"], "answer": answer}))
            if state["phase"] == "finished" and state.get("ledger_ready"):
                done.set()
                return


async def play(base: str, ws_base: str, rooms: int, players: int, rounds: int, think: float, seed: int) -> dict:
    rng = random.Random(seed)
    codes, tokens = [], []
    for _ in range(rooms):
        room = await asyncio.to_thread(post, f"{base}/api/rooms", {"key": KEY, "teams": 2, "rounds": rounds,
                                                                   "round_seconds": 0}, base)
        codes.append(room["code"])
        tokens.append(room["token"])
    seats = [(0, d) for d in DEPARTMENTS] + [(1, d) for d in DEPARTMENTS]
    seen: dict = {}
    submits: dict = {}
    tasks, events = [], []
    for code, token in zip(codes, tokens):
        url = f"{ws_base}/ws/{code}"
        done = asyncio.Event()
        events.append(done)
        tasks.append(screen(url, base, {"op": "hello", "role": "facilitator", "token": token}, None, seen, submits,
                            code, rounds, think, random.Random(rng.random()), asyncio.Event()))
        for i in range(players):
            team, dept = seats[i]
            tasks.append(screen(url, base, None, {"op": "join", "team": team, "department": dept,
                                                  "name": f"p{i}"}, seen, submits, code, rounds, think,
                                random.Random(rng.random()), done if i == 0 else asyncio.Event()))
    # start the facilitator screens first, so that the players' joins do not race the game's start
    started = time.perf_counter()
    running = [asyncio.create_task(t) for t in tasks]
    await asyncio.sleep(1.0)
    for code, token in zip(codes, tokens):
        async with websockets.connect(f"{ws_base}/ws/{code}", origin=base) as ws:
            await ws.send(json.dumps({"op": "hello", "role": "facilitator", "token": token}))
            await ws.recv()
            await ws.send(json.dumps({"op": "start"}))
            await ws.recv()
    await asyncio.wait_for(asyncio.gather(*running), timeout=900)
    wall = time.perf_counter() - started
    every_screen, each_screen, by_round = [], [], {}
    screens_per_room = players + 1
    for (code, r), times in seen.items():
        last_submit = max(submits.get((code, r), [0.0]))
        if len(times) < screens_per_room or not last_submit:
            continue
        delays = [t - last_submit for t in times.values()]
        every_screen.append(max(delays))
        by_round.setdefault(r, []).append(max(delays))
        each_screen.extend(delays)
    return {"wall_s": wall, "every_screen": every_screen, "each_screen": each_screen, "by_round": by_round}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rooms", type=int, default=10)
    p.add_argument("--players", type=int, default=5, help="players per room (1-8)")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--think", type=float, default=3.0, help="longest thinking time of a player, seconds")
    p.add_argument("--accounts", type=int, default=20_000, help="accounts in each company's market")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    port = free_port()
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as store:
        server = subprocess.Popen([sys.executable, "-m", "sim.workshop.cli", "--port", str(port), "--store", store,
                                   "--key", KEY, f"market.accounts={args.accounts}"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])
        memory = PeakMemory(server.pid)
        memory.start()
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            idle = memory.peak
            result = asyncio.run(play(base, ws_base, args.rooms, args.players, args.rounds, args.think, args.seed))
        finally:
            memory.stopped.set()
            server.terminate()
            server.wait(timeout=30)
    every = result["every_screen"]
    summary = {
        "rooms": args.rooms, "players_per_room": args.players, "screens_per_room": args.players + 1,
        "rounds": args.rounds, "accounts": args.accounts, "think_s": args.think, "cores": psutil.cpu_count(),
        "round_results": len(every),
        "latency_every_screen_s": {"p50": statistics.median(every), "p95": percentile(every, 0.95),
                                   "max": max(every)},
        "latency_each_screen_s": {"p50": statistics.median(result["each_screen"]),
                                  "p95": percentile(result["each_screen"], 0.95)},
        "latency_every_screen_by_round_s": {str(r): {"p50": statistics.median(v), "max": max(v)}
                                            for r, v in sorted(result["by_round"].items())},
        "server_peak_memory_mb": memory.peak, "server_idle_memory_mb": idle, "server_peak_threads": memory.threads,
        "wall_s": result["wall_s"],
    }
    out = Path(__file__).resolve().parent / "results" / "workshop_load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    lat = summary["latency_every_screen_s"]
    print(f"{args.rooms} rooms x {args.players} players (+ a facilitator screen each), {args.rounds} rounds, "
          f"{args.accounts:,} accounts, on {summary['cores']} cores: submit -> result on every screen of the room "
          f"p50 {lat['p50']:.3f} s, p95 {lat['p95']:.3f} s, max {lat['max']:.3f} s over {len(every)} round results; "
          f"server memory {idle:.0f} MB idle, {memory.peak:.0f} MB peak, {memory.threads} threads peak; "
          f"whole run {result['wall_s']:.1f} s (ledgers included) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
