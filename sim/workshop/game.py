"""Rooms, seats and rounds of the workshop game: plain Python, no web (the server in
:mod:`sim.workshop.server` only passes messages to a :class:`Room` and sends back its views).

A :class:`Room` holds the companies (teams) of one workshop, all on the same preset and seed.  Its phases are
``lobby`` (players join), ``deciding`` (round r: each seat submits its department's decisions and votes),
``review`` (the quarter was run: each seat that missed its KPI answers) and ``finished`` (the ledger is
computed).  A deciding round closes when every seat with a person has submitted, when the facilitator closes it,
or when the round's timer runs out (a seat then keeps its last decision); a review closes likewise (an
unanswered miss gets the agents' choice).

The room is the authority: :meth:`Room.decide` and :meth:`Room.answer` take the seat's secret token and refuse
(:class:`~sim.workshop.decisions.GameError`, nothing changed) a seat taken twice, a decision for another seat,
a value out of range, a stale round or a wrong phase.  Every change is saved as JSON (``<code>.json`` in the
store folder): the decisions and answers, from which :meth:`Room.load` rebuilds the models by replaying them,
so a restarted server resumes the game where it stopped.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.config import Config, ConfigError
from sim.relations import DEPARTMENTS
from sim.workshop import decisions as dec
from sim.workshop.decisions import DEPARTMENT_LABELS, GameError, check_answer, check_department
from sim.workshop.ledger import company_ledger, replay
from sim.workshop.model import QUARTER_WEEKS, WorkshopModel, clean, play_round

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Letters of a room code (no I or O, which read as 1 and 0)."""
CODE_LENGTH = 4
MAX_TEAMS = 8
MAX_ROUNDS = 12
MAX_NAME = 30
PHASES = ("lobby", "deciding", "review", "finished")
PRESET_LABELS = {
    "hundred_years_war": "The hundred years' war", "full_alignment": "Full alignment",
    "goldman_1_us_vs_them": "Stage 1: us vs them", "goldman_2_friendly_role_play": "Stage 2: friendly role-play",
    "goldman_3_cooperative_efforts": "Stage 3: cooperative efforts",
    "goldman_4_collaboration": "Stage 4: collaboration",
    "goldman_5_full_alignment": "Stage 5: full alignment", "price_war": "Price war",
    "first_sale_only": "First sale only", "customer_centric": "Customer-centric",
}
"""Preset names in words, for the screens (others: the file name with spaces)."""

_LOADER = threading.Lock()


def preset_label(name: str) -> str:
    """A preset's name in words ("The hundred years' war")."""
    return PRESET_LABELS.get(name, name.replace("_", " ").capitalize())


def load(preset: str, overrides: list[str]) -> Config:
    """``sim.load_config`` behind a lock: the configuration loader is not safe to call from two threads."""
    from sim.loading import load_config

    with _LOADER:
        return load_config(preset, overrides)


@dataclass
class Seat:
    """One department's seat in one company.

    Attributes:
        department: the department.
        player: the person's name, or None while the agents play it.
        token: the seat's secret (given to the person who took it; every request of theirs carries it).
        values: the department's decisions as they stand (the last submitted, else the preset's).
        votes: the department's votes on the agreements it is party to.
        submitted: whether the person submitted this round's decisions.
        answer: the person's answer at this round's review, if given.
    """

    department: str
    player: str | None = None
    token: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    votes: dict[str, bool] = field(default_factory=dict)
    submitted: bool = False
    answer: dec.Answer | None = None

    @property
    def human(self) -> bool:
        return self.player is not None


class Company:
    """One team: four seats, its model and the record of its rounds."""

    def __init__(self, index: int, preset: Config):
        self.index = index
        self.name = f"Team {index + 1}"
        values, votes = dec.preset_values(preset), dec.preset_votes(preset)
        self.seats = {d: Seat(d, values=dict(values[d]), votes={a.key: votes[a.key] for a in dec.agreements_of(d)})
                      for d in DEPARTMENTS}
        self.records: list[dict] = []
        """One dict per round played: values, votes (None for an agents' seat), agreements, report, answers (the
        people's) and settled (every miss and what was done about it)."""
        self.model: WorkshopModel | None = None
        self.ledger: dict | None = None
        self.preset_shared_data = preset.policy.shared_data

    @property
    def people(self) -> list[Seat]:
        return [s for s in self.seats.values() if s.human]

    @property
    def last_report(self) -> dict | None:
        return self.records[-1]["report"] if self.records else None

    @property
    def shares_data(self) -> bool:
        """Whether the company's departments see each other's numbers (shared data in force last round, or in
        the preset before the first)."""
        shared = self.records[-1]["shared_data"] if self.records else self.preset_shared_data
        return shared >= dec.SHARED_DATA_VISIBLE


class Room:
    """One workshop: its companies, its phase and round, its timer and its saved state.

    Args:
        code: the room's short code (players type it to join).
        preset: the scenario preset every company starts from (a file of ``configs/scenario/``).
        teams: number of companies playing (1-8), each on the same seed.
        rounds: number of quarters played (1-12).
        seed: the game's seed (the same market and staff for every company).
        overrides: config overrides for every company (``market.accounts=5000``); the horizon is set to
            ``rounds x 13`` weeks.
        round_seconds: the timer of each deciding round and review, in seconds (0 = no timer: the facilitator
            closes rounds).
        store: folder where the room's state is saved after every change (None = not saved).
        facilitator_token: the facilitator's secret (made here when not given).
    """

    def __init__(self, code: str, preset: str = "hundred_years_war", teams: int = 2, rounds: int = 4, seed: int = 0,
                 overrides: list[str] | None = None, round_seconds: float = 300, store: str | Path | None = None,
                 facilitator_token: str | None = None, _build: bool = True):
        if not isinstance(teams, int) or not 1 <= teams <= MAX_TEAMS:
            raise GameError(f"teams = {teams!r} is out of range: allowed 1 to {MAX_TEAMS} companies")
        if not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
            raise GameError(f"rounds = {rounds!r} is out of range: allowed 1 to {MAX_ROUNDS} quarters")
        if not isinstance(round_seconds, (int, float)) or not 0 <= round_seconds <= 3600:
            raise GameError(f"round time = {round_seconds!r} is out of range: allowed 0 to 3600 seconds")
        if not isinstance(seed, int) or seed < 0:
            raise GameError(f"seed = {seed!r} is not valid: expected a whole number >= 0")
        self.code = code
        self.preset = preset
        self.seed = seed
        self.overrides = list(overrides or [])
        self.rounds = rounds
        self.round_seconds = float(round_seconds)
        self.store = Path(store) if store is not None else None
        self.facilitator_token = facilitator_token or secrets.token_urlsafe(16)
        self.lock = threading.RLock()
        self.phase = "lobby"
        self.round = 0
        self.deadline: float | None = None
        self.paused_remaining: float | None = None
        self.revealed = 0
        """Rounds whose results the projector shows (the facilitator reveals them)."""
        self.version = 0
        """Raised at every change (screens re-render when it moves)."""
        self.log: list[str] = []
        try:
            self.base = load(preset, [*self.overrides, f"weeks={rounds * QUARTER_WEEKS}"])
            market = [o for o in self.overrides if not o.startswith(("policy.", "scenario"))]
            self.aligned = load(dec.ALIGNED_PRESET, market)
        except (ConfigError, FileNotFoundError) as err:
            raise GameError(f"cannot open the room: {err}") from err
        self.companies = [Company(i, self.base) for i in range(teams)]
        if _build:
            for company in self.companies:
                company.model = WorkshopModel(copy.deepcopy(self.base), rng=seed)
            self.save()

    # ------------------------------------------------------------------ who is who
    def seat_of(self, token: str | None) -> tuple[Company, Seat]:
        """The company and seat whose secret is ``token``; :class:`GameError` when there is none."""
        if token:
            for company in self.companies:
                for seat in company.seats.values():
                    if seat.token is not None and secrets.compare_digest(seat.token, str(token)):
                        return company, seat
        raise GameError("this browser holds no seat in this room: join with the room code first")

    def is_facilitator(self, token: str | None) -> bool:
        return bool(token) and secrets.compare_digest(str(token), self.facilitator_token)

    def _check_facilitator(self, token: str | None) -> None:
        if not self.is_facilitator(token):
            raise GameError("only the facilitator can do that (the console's link carries the facilitator's key)")

    def _company(self, team) -> Company:
        if isinstance(team, bool) or not isinstance(team, int) or not 0 <= team < len(self.companies):
            raise GameError(f"team {team!r} does not exist: this room has teams 1 to {len(self.companies)}")
        return self.companies[team]

    # ------------------------------------------------------------------ players
    def join(self, team: int, department: str, name: str) -> str:
        """Take a seat; returns the seat's secret token.  Refused when the seat is taken or the game is over."""
        with self.lock:
            company = self._company(team)
            check_department(department)
            name = " ".join(str(name or "").split())[:MAX_NAME]
            if not name:
                raise GameError("type your name to take a seat")
            if self.phase == "finished":
                raise GameError("this game is over: no seat can be taken")
            seat = company.seats[department]
            if seat.human:
                raise GameError(f"the {DEPARTMENT_LABELS[department]} seat of {company.name} is taken by "
                                f"{seat.player}: pick another seat")
            seat.player, seat.token = name, secrets.token_urlsafe(16)
            self._changed(f"{name} took the {DEPARTMENT_LABELS[department]} seat of {company.name}")
            return seat.token

    def decide(self, token: str, round_no: int, team: int, department: str, values: dict | None = None,
               votes: dict | None = None) -> None:
        """Submit a seat's decisions (and votes) for round ``round_no``.

        Args:
            token: the seat's secret: it decides which seat this is, whatever ``team`` and ``department`` say.
            round_no: the round the screen showed (a stale screen's round is refused).
            team, department: the seat the screen meant; refused unless they are the token's own seat.
            values: decision key -> value (only the department's own decisions, each in its range).
            votes: agreement key -> accepts (only agreements the department is party to).
        """
        with self.lock:
            company, seat = self.seat_of(token)
            if team != company.index or department != seat.department:
                raise GameError(f"you hold the {DEPARTMENT_LABELS[seat.department]} seat of {company.name}: "
                                "you cannot change another seat's decisions")
            self._check_round("deciding", round_no)
            checked = dec.check_values(seat.department, values or {})
            cast = dec.check_votes(seat.department, votes or {})
            seat.values.update(checked)
            seat.votes.update(cast)
            seat.submitted = True
            self._changed(f"{company.name} {DEPARTMENT_LABELS[seat.department]} submitted round {round_no}")
            if all(s.submitted for c in self.companies for s in c.people):
                self._close_deciding()

    def answer(self, token: str, round_no: int, payload: dict) -> None:
        """A seat's answer at round ``round_no``'s review: blame a department, call a joint fix, or let it go."""
        with self.lock:
            company, seat = self.seat_of(token)
            self._check_round("review", round_no)
            if seat.department not in self._missed(company):
                raise GameError(f"{DEPARTMENT_LABELS[seat.department]} met its KPI this quarter: there is "
                                "nothing to answer")
            seat.answer = check_answer(seat.department, payload)
            self._changed(f"{company.name} {DEPARTMENT_LABELS[seat.department]} answered the review")
            if self._all_answered():
                self._close_review()

    def _check_round(self, phase: str, round_no) -> None:
        if self.phase == "lobby":
            raise GameError("the game has not started yet: wait for the facilitator")
        if self.phase == "finished":
            raise GameError("the game is over")
        if round_no != self.round:
            raise GameError(f"that screen was for round {round_no}; the game is in round {self.round}: "
                            "the page has been refreshed")
        if self.phase != phase:
            raise GameError("decisions for this round are closed: the quarter review is open" if phase == "deciding"
                            else "the review is not open yet: submit your decisions first")

    def _missed(self, company: Company) -> set[str]:
        report = company.last_report
        return {m["department"] for m in report["misses"]} if report and self.phase == "review" else set()

    def _all_answered(self) -> bool:
        return all(s.answer is not None for c in self.companies for s in c.people
                   if s.department in self._missed(c))

    # ------------------------------------------------------------------ facilitator
    def start(self, token: str) -> None:
        """Open round 1."""
        with self.lock:
            self._check_facilitator(token)
            if self.phase != "lobby":
                raise GameError("the game has already started")
            self._open_round(1)

    def release(self, token: str, team: int, department: str) -> None:
        """Free a seat (a player who left, or whose phone lost its link): its token stops working, its decisions
        stay as they are, and the agents play it until someone takes it again."""
        with self.lock:
            self._check_facilitator(token)
            company = self._company(team)
            seat = company.seats[check_department(department)]
            if not seat.human:
                raise GameError(f"the {DEPARTMENT_LABELS[department]} seat of {company.name} is already free")
            name = seat.player
            seat.player, seat.token, seat.submitted, seat.answer = None, None, False, None
            self._changed(f"{name}'s {DEPARTMENT_LABELS[department]} seat of {company.name} freed")
            if self.phase == "deciding" and all(s.submitted for c in self.companies for s in c.people):
                self._close_deciding()
            elif self.phase == "review" and self._all_answered():
                self._close_review()

    def close(self, token: str) -> None:
        """Close the open round (seats keep their last decisions) or the open review (unanswered misses get the
        agents' choice)."""
        with self.lock:
            self._check_facilitator(token)
            if self.phase == "deciding":
                self._close_deciding()
            elif self.phase == "review":
                self._close_review()
            else:
                raise GameError("no round is open")

    def pause(self, token: str, now: float | None = None) -> None:
        """Stop the timer (its remaining time is kept)."""
        with self.lock:
            self._check_facilitator(token)
            if self.deadline is None:
                raise GameError("no timer is running")
            self.paused_remaining = max(0.0, self.deadline - (now or time.time()))
            self.deadline = None
            self._changed("timer paused")

    def resume(self, token: str, now: float | None = None) -> None:
        """Restart a paused timer."""
        with self.lock:
            self._check_facilitator(token)
            if self.paused_remaining is None:
                raise GameError("the timer is not paused")
            self.deadline, self.paused_remaining = (now or time.time()) + self.paused_remaining, None
            self._changed("timer resumed")

    def set_timer(self, token: str, seconds: float, now: float | None = None) -> None:
        """Set the round time (seconds, 0-3600; 0 = no timer) and restart the open round's timer with it."""
        with self.lock:
            self._check_facilitator(token)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 3600:
                raise GameError(f"round time = {seconds!r} is out of range: allowed 0 to 3600 seconds")
            self.round_seconds = float(seconds)
            self.paused_remaining = None
            self.deadline = (now or time.time()) + seconds if seconds and self.phase in ("deciding", "review") \
                else None
            self._changed(f"round time set to {seconds:g} s")

    def reveal(self, token: str) -> None:
        """Show the rounds played so far (and, after the last, the ledger) on the projector."""
        with self.lock:
            self._check_facilitator(token)
            played = len(self.companies[0].records)
            if played == 0:
                raise GameError("no quarter has been played yet")
            self.revealed = played
            self._changed(f"results of round {played} revealed")

    def tick(self, now: float | None = None) -> bool:
        """Close the open round or review when its timer has run out; returns whether anything changed."""
        with self.lock:
            if self.deadline is None or (now or time.time()) < self.deadline:
                return False
            if self.phase == "deciding":
                self._close_deciding()
            elif self.phase == "review":
                self._close_review()
            else:
                self.deadline = None
            return True

    # ------------------------------------------------------------------ the rounds
    def _open_round(self, round_no: int) -> None:
        self.phase, self.round = "deciding", round_no
        for company in self.companies:
            for seat in company.seats.values():
                seat.submitted, seat.answer = False, None
        self._start_timer()
        self._changed(f"round {round_no} open")

    def _start_timer(self) -> None:
        self.paused_remaining = None
        self.deadline = time.time() + self.round_seconds if self.round_seconds else None

    def _close_deciding(self) -> None:
        """Run the quarter for every company with its seats' decisions as they stand."""
        for company in self.companies:
            values = {d: dict(s.values) for d, s in company.seats.items()}
            votes = {d: (dict(s.votes) if s.human else None) for d, s in company.seats.items()}
            report, agreements = play_round(company.model, self.base, values, votes)
            company.records.append({"round": self.round, "values": values, "votes": votes,
                                    "agreements": agreements, "shared_data": company.model.config.policy.shared_data,
                                    "people": {d: s.player for d, s in company.seats.items() if s.human},
                                    "report": clean(report.to_dict()), "answers": {}, "settled": None})
        self.phase = "review"
        self._start_timer()
        self._changed(f"quarter {self.round} played")
        if self._all_answered():
            self._close_review()

    def _close_review(self) -> None:
        for company in self.companies:
            record = company.records[-1]
            answers = {s.department: s.answer for s in company.people
                       if s.answer is not None and s.department in self._missed(company)}
            record["answers"] = {d: a.to_dict() for d, a in answers.items()}
            record["settled"] = company.model.settle(answers)
        if self.round >= self.rounds:
            self.phase, self.deadline, self.paused_remaining = "finished", None, None
            self._changed("game over: the ledger is being computed")
        else:
            self._open_round(self.round + 1)

    # ------------------------------------------------------------------ the debrief
    def ledger_jobs(self) -> list[tuple[int, tuple]]:
        """For each company still without a ledger: its index and the arguments of
        :func:`~sim.workshop.ledger.company_ledger` (plain, picklable data: a server may run them in another
        process, away from the rooms still playing)."""
        if self.phase != "finished":
            raise GameError("the ledger is computed after the last round")
        with self.lock:
            return [(company.index, (self.base, self.aligned, self.seed, copy.deepcopy(company.records),
                                     {d: ("people" if d in company.records[-1]["people"] else "agents")
                                      for d in DEPARTMENTS}))
                    for company in self.companies if company.ledger is None]

    def set_ledger(self, index: int, ledger) -> None:
        """Store company ``index``'s ledger (a :class:`~sim.workshop.ledger.Ledger`); saved with the room."""
        with self.lock:
            self.companies[index].ledger = clean(ledger.to_dict())
            if self.ledgers_ready:
                self._changed("ledger ready")

    def compute_ledgers(self) -> None:
        """Compute each company's blame ledger here (2**4 replays of the game per company); call when finished."""
        for index, args in self.ledger_jobs():
            self.set_ledger(index, company_ledger(*args))

    @property
    def ledgers_ready(self) -> bool:
        return all(c.ledger is not None for c in self.companies)

    # ------------------------------------------------------------------ saving and resuming
    def _changed(self, what: str) -> None:
        self.version += 1
        self.log.append(f"{time.strftime('%H:%M:%S')} {what}")
        del self.log[:-200]
        self.save()

    def to_dict(self) -> dict:
        """Everything needed to resume the room (the models are rebuilt from the records)."""
        return {"format": 1, "code": self.code, "preset": self.preset, "seed": self.seed, "overrides": self.overrides,
                "rounds": self.rounds, "round_seconds": self.round_seconds,
                "facilitator_token": self.facilitator_token, "phase": self.phase, "round": self.round,
                "remaining": (self.deadline - time.time()) if self.deadline else self.paused_remaining,
                "paused": self.paused_remaining is not None, "revealed": self.revealed, "version": self.version,
                "log": self.log,
                "companies": [{"seats": {d: {"player": s.player, "token": s.token, "values": s.values,
                                             "votes": s.votes, "submitted": s.submitted,
                                             "answer": s.answer.to_dict() if s.answer else None}
                                         for d, s in c.seats.items()},
                               "records": c.records, "ledger": c.ledger} for c in self.companies]}

    def save(self) -> None:
        """Write the room's state to ``<store>/<code>.json`` (atomically: a crash leaves the previous file)."""
        if self.store is None:
            return
        self.store.mkdir(parents=True, exist_ok=True)
        path = self.store / f"{self.code}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_dict()))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> Room:
        """Resume a saved room: seats, votes and answers as saved, each model rebuilt by replaying its rounds."""
        path = Path(path)
        data = json.loads(path.read_text())
        room = cls(data["code"], data["preset"], len(data["companies"]), data["rounds"], data["seed"],
                   data["overrides"], data["round_seconds"], path.parent, data["facilitator_token"], _build=False)
        room.phase, room.round, room.revealed = data["phase"], data["round"], data["revealed"]
        room.version, room.log = data["version"], data["log"]
        for company, saved in zip(room.companies, data["companies"]):
            for d, s in saved["seats"].items():
                seat = company.seats[d]
                seat.player, seat.token, seat.submitted = s["player"], s["token"], s["submitted"]
                seat.values, seat.votes = s["values"], s["votes"]
                seat.answer = dec.Answer(**s["answer"]) if s["answer"] else None
            company.records, company.ledger = saved["records"], saved["ledger"]
            open_review = bool(company.records) and company.records[-1]["settled"] is None
            company.model = replay(room.base, room.seed, company.records, settle_last=not open_review)
        remaining = data["remaining"]
        if remaining is not None and room.phase in ("deciding", "review"):
            if data["paused"]:
                room.paused_remaining = remaining
            else:
                room.deadline = time.time() + max(remaining, 0.0)
        room._changed("resumed after a restart")
        return room

    # ------------------------------------------------------------------ what each screen shows
    def _timer(self) -> dict:
        remaining = (self.deadline - time.time()) if self.deadline else self.paused_remaining
        return {"remaining": None if remaining is None else max(0.0, remaining),
                "paused": self.paused_remaining is not None, "round_seconds": self.round_seconds}

    def _common(self) -> dict:
        return {"code": self.code, "preset": self.preset, "preset_label": preset_label(self.preset),
                "phase": self.phase, "round": self.round, "rounds": self.rounds, "version": self.version,
                "timer": self._timer(), "teams": [c.name for c in self.companies],
                "ledger_ready": self.phase == "finished" and self.ledgers_ready}

    def _progress(self, company: Company) -> dict:
        missed = self._missed(company)
        return {"name": company.name,
                "seats": {d: {"player": s.player, "submitted": s.submitted,
                              "answered": s.answer is not None, "missed": d in missed}
                          for d, s in company.seats.items()}}

    def _scores(self, company: Company, upto: int) -> dict:
        history = [r["report"]["company"] | {"round": r["round"]} for r in company.records[:upto]]
        return {"name": company.name, "history": history, "latest": history[-1] if history else None}

    def leaderboard(self, upto: int) -> list[dict]:
        """Companies ranked by revenue over the rounds up to ``upto``."""
        rows = [self._scores(c, upto) for c in self.companies]
        return sorted(rows, key=lambda r: -(r["latest"] or {}).get("revenue_total", 0.0))

    def projector_view(self) -> dict:
        """The public screen: status, and the results and ledger the facilitator revealed."""
        with self.lock:
            view = self._common() | {"role": "projector", "progress": [self._progress(c) for c in self.companies],
                                     "revealed": self.revealed, "leaderboard": self.leaderboard(self.revealed)}
            if self.phase == "finished" and self.revealed >= self.rounds and self.ledgers_ready:
                view["ledgers"] = [{"name": c.name, **c.ledger} for c in self.companies]
            return clean(view)

    def facilitator_view(self) -> dict:
        """The console: everything, including every seat's decisions and the event log."""
        with self.lock:
            played = len(self.companies[0].records)
            view = self._common() | {
                "role": "facilitator", "progress": [self._progress(c) for c in self.companies],
                "revealed": self.revealed, "leaderboard": self.leaderboard(played), "log": self.log[-30:],
                "companies": [{"name": c.name, "records": c.records, "ledger": c.ledger,
                               "values": {d: s.values for d, s in c.seats.items()}} for c in self.companies]}
            return clean(view)

    def player_view(self, token: str) -> dict:
        """A seat's screen: its department's decisions and KPIs first; the others' only as far as the company
        shares data; the review question if its department missed; the company's ledger after the game."""
        with self.lock:
            company, seat = self.seat_of(token)
            d = seat.department
            visible = company.shares_data
            rounds = []
            for r in company.records:
                rep = r["report"]
                rounds.append({"round": r["round"], "company": rep["company"], "agreements": r["agreements"],
                               "own": rep["departments"][d],
                               "others": {o: rep["departments"][o] for o in DEPARTMENTS if o != d} if visible else None,
                               "misses": [m for m in rep["misses"] if m["department"] == d],
                               "settled": [s for s in (r["settled"] or []) if s["department"] == d]})
            view = self._common() | {
                "role": "player", "team": company.index, "team_name": company.name, "department": d,
                "department_label": DEPARTMENT_LABELS[d], "player": seat.player, "values": seat.values,
                "votes": seat.votes, "submitted": seat.submitted,
                "answer": seat.answer.to_dict() if seat.answer else None,
                "must_answer": d in self._missed(company) and seat.answer is None,
                "history": rounds, "shares_data": visible,
                "colleagues": {o: s.player for o, s in company.seats.items()},
                "others_values": {o: s.values for o, s in company.seats.items() if o != d} if visible else None,
                "ledger": company.ledger if self.phase == "finished" and self.revealed >= self.rounds else None}
            return clean(view)

    def seats_view(self) -> dict:
        """What the join page needs: teams and which seats are free (no names of players are secret here)."""
        with self.lock:
            return {"code": self.code, "phase": self.phase, "preset_label": preset_label(self.preset),
                    "teams": [{"name": c.name, "seats": {d: s.player is not None for d, s in c.seats.items()}}
                              for c in self.companies]}


def new_code(taken: set[str]) -> str:
    """A fresh room code not in ``taken``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


class Rooms:
    """Every room of one server, saved in ``store`` and resumed from it on start.

    Args:
        store: folder of the rooms' saved state (one JSON file per room); None keeps rooms in memory only.
    """

    def __init__(self, store: str | Path | None = None):
        self.store = Path(store) if store is not None else None
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()
        self.resume_errors: dict[str, str] = {}
        if self.store is not None and self.store.is_dir():
            for path in sorted(self.store.glob("*.json")):
                try:
                    room = Room.load(path)
                except Exception as err:  # a damaged or incompatible file must not stop the server
                    self.resume_errors[path.name] = f"{type(err).__name__}: {err}"
                    continue
                self.rooms[room.code] = room

    def open(self, **options) -> Room:
        """Open a new room with a fresh code (options as :class:`Room` takes them, without code and store)."""
        with self.lock:
            code = new_code(set(self.rooms))
            self.rooms[code] = None  # reserve the code while the room is built
        try:
            room = Room(code, store=self.store, **options)
        except Exception:
            with self.lock:
                del self.rooms[code]
            raise
        with self.lock:
            self.rooms[code] = room
        return room

    def get(self, code: str) -> Room:
        room = self.rooms.get(str(code or "").upper())
        if room is None:
            raise GameError(f"there is no room {code!r}: check the code on the projector")
        return room

    def close(self, code: str, token: str) -> None:
        """End a room: its models are freed and its saved state removed."""
        room = self.get(code)
        room._check_facilitator(token)
        with self.lock:
            del self.rooms[room.code]
        if room.store is not None:
            (room.store / f"{room.code}.json").unlink(missing_ok=True)
