"""``alignsim workshop``: serve the workshop game.

    alignsim workshop [--host ADDRESS] [--port 8766] [--store outputs/workshop] [KEY=VALUE ...]

Listens on 127.0.0.1 (the trainer's laptop only) unless ``--host`` names the room network's address (or
``0.0.0.0`` for every interface); then it prints the players' join address and its QR code in the terminal.
It prints the facilitator's link, which carries the server key that opens rooms.  ``KEY=VALUE`` pairs are config
overrides for every room (``market.accounts=5000`` for a smaller, faster market).  Rooms are saved in the store
folder after every change; a restarted server resumes them.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
import warnings
from pathlib import Path

from sim.config import ConfigError

DEFAULT_PORT = 8766
DEFAULT_STORE = Path("outputs") / "workshop"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="alignsim workshop",
        description="Serve the workshop game: a facilitator opens rooms, teams play the departments of a "
                    "company quarter by quarter, and the debrief shows the blame ledger.",
        epilog="Example: alignsim workshop --host 0.0.0.0 market.accounts=5000  (players on the room's Wi-Fi "
               "scan the QR code printed here)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this laptop only; the room network's address "
                        "or 0.0.0.0 lets phones join)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--store", type=Path, default=DEFAULT_STORE,
                   help=f"folder where rooms are saved after every change (default {DEFAULT_STORE})")
    p.add_argument("--key", default=None,
                   help="the server key that opens rooms (default: a new random key, printed in the facilitator's "
                        "link; or ALIGNSIM_WORKSHOP_KEY)")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE",
                   help="config overrides for every room, e.g. market.accounts=5000")
    return p


def lan_address() -> str:
    """This machine's address on the network the default route uses (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def build(host: str, port: int, store: Path, key: str, overrides: list[str]):
    """The server's state and its Starlette app (what :func:`main` serves; tests serve it themselves)."""
    from sim.workshop.game import Rooms
    from sim.workshop.server import Workshop

    loopback = host in ("127.0.0.1", "localhost", "::1")
    public = "127.0.0.1" if loopback else (lan_address() if host in ("0.0.0.0", "::") else host)
    names = {"127.0.0.1", "localhost", public}
    if not loopback:
        names |= {host, socket.gethostname()}
    rooms = Rooms(store)
    workshop = Workshop(rooms, key, sorted(names), port, public, {"overrides": overrides} if overrides else None)
    return workshop, workshop.app()


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C; 2 on a bad argument, a bad override or a busy port."""
    args = parser().parse_args(argv)
    bad = [o for o in args.overrides if "=" not in o]
    if bad:
        print(f"alignsim workshop: {bad[0]!r} is not KEY=VALUE (alignsim workshop --help)", file=sys.stderr)
        return 2
    try:
        from sim.workshop.game import load

        load("hundred_years_war", args.overrides)  # refuse a bad override now, not when a room opens
    except ConfigError as err:
        print(f"alignsim workshop: invalid configuration: {err}", file=sys.stderr)
        return 2
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as err:
            print(f"alignsim workshop: cannot listen on {args.host}:{args.port} ({err.strerror}): "
                  "pick another with --port", file=sys.stderr)
            return 2
    key = args.key or os.environ.get("ALIGNSIM_WORKSHOP_KEY") or secrets.token_urlsafe(12)
    workshop, app = build(args.host, args.port, args.store, key, args.overrides)
    for name, why in workshop.rooms.resume_errors.items():
        print(f"alignsim workshop: could not resume {args.store / name}: {why}", file=sys.stderr)
    local = f"http://127.0.0.1:{args.port}" if args.host in ("127.0.0.1", "0.0.0.0", "localhost") \
        else f"http://{workshop.public_host}:{args.port}"
    print(f"alignsim workshop: facilitator: open {local}/host#key={key}", flush=True)
    print(f"  rooms are saved in {args.store} ({len(workshop.rooms.rooms)} resumed); Ctrl-C stops the server")
    if workshop.public_host != "127.0.0.1":
        import segno

        join = f"http://{workshop.public_host}:{args.port}/"
        print(f"  players join at {join} (scan the code below, then type the room code)")
        segno.make(join, error="m").terminal(compact=True)
    else:
        print("  listening on 127.0.0.1 only: players on other devices need --host (the room network's address)")
    import uvicorn

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws_max_size=65_536,
                ws_ping_interval=20, ws_ping_timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
