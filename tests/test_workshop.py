"""The workshop game's engine: decisions checked on the server, the people's review as the model's events,
rounds, the timer, saved state and resume, and the Shapley blame ledger.

Small markets and two-round games keep it fast; no test asserts a simulated number, only structure,
invariants (shares sum to the shortfall, a resumed game is the game) and directions.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sim
from sim.relations import DEPARTMENTS
from sim.workshop import decisions as dec
from sim.workshop.decisions import GameError
from sim.workshop.game import Room, Rooms, preset_label
from sim.workshop.ledger import shapley
from sim.workshop.model import WorkshopModel

SMALL = ["market.accounts=2000"]


@pytest.fixture(scope="module")
def small_config():
    return sim.load_config("hundred_years_war", [*SMALL, "weeks=26"])


def _room(tmp_path, **options) -> Room:
    options = {"teams": 1, "rounds": 2, "overrides": SMALL, "round_seconds": 0, "store": tmp_path} | options
    return Room("TEST", **options)


# ---------------------------------------------------------------- decisions and agreements
def test_decisions_map_to_config_fields_and_ranges(small_config):
    assert {d.department for d in dec.DECISIONS} == set(DEPARTMENTS)
    for d in dec.DECISIONS:
        value = d.read(small_config)
        assert d.low <= value <= d.high, f"{d.key}: the preset's {value} is outside the screen's range"
    aligned = sim.load_config("full_alignment", SMALL)
    for a in dec.AGREEMENTS:
        if a.key != "spend_veto":  # the one agreement the aligned preset does not use
            assert dec._get(aligned, a.path) == a.on, f"{a.key}: 'on' should be full_alignment's setting"


@pytest.mark.parametrize("values, message", [
    ({"max_discount": 0.9}, "out of range"), ({"max_discount": True}, "not a number"),
    ({"max_discount": float("nan")}, "not a number"), ({"brand_share": 0.3}, "not a decision of Sales"),
    ("0.2", "named numbers")])
def test_bad_decisions_are_refused_with_a_clear_message(values, message):
    with pytest.raises(GameError, match=message):
        dec.check_values("sales", values)


def test_agreements_need_every_person_among_the_parties(small_config):
    person = {"lead_sla": True}
    refuses = {"lead_sla": False}
    assert dec.agreements_in_force({"marketing": person, "sales": person}, small_config)["lead_sla"]
    assert not dec.agreements_in_force({"marketing": person, "sales": refuses}, small_config)["lead_sla"]
    # an empty seat (agents) goes along with the people present
    assert dec.agreements_in_force({"marketing": person, "sales": None}, small_config)["lead_sla"]
    # with no person among the parties the preset's setting stands (the war has no lead SLA)
    assert not dec.agreements_in_force({"marketing": None, "sales": None}, small_config)["lead_sla"]
    with pytest.raises(GameError, match="not an agreement Purchasing is party to"):
        dec.check_votes("purchasing", {"lead_sla": True})


def test_review_answers_are_checked():
    assert dec.check_answer("sales", {"kind": "blame", "target": "marketing"}) == dec.Answer("blame", "marketing")
    with pytest.raises(GameError, match="cannot blame itself"):
        dec.check_answer("sales", {"kind": "blame", "target": "sales"})
    with pytest.raises(GameError, match="not a department"):
        dec.check_answer("sales", {"kind": "blame", "target": "finance"})
    with pytest.raises(GameError):
        dec.check_answer("sales", {"kind": "shout"})


# ---------------------------------------------------------------- the model with the people's review
def test_a_company_of_empty_seats_is_the_plain_model(small_config):
    plain = sim.AlignmentModel(small_config, rng=5)
    for _ in range(small_config.weeks):
        plain.step()
    game = WorkshopModel(small_config, rng=5)
    while not game.finished:
        report = game.play_quarter()
        assert set(report.departments) == set(DEPARTMENTS)
        game.settle({})
    np.testing.assert_allclose(game.weekly()["revenue"], plain.weekly()["revenue"])
    order = ["week", "kind", "source", "target", "reason"]
    pd_sorted = [e.sort_values(order).reset_index(drop=True) for e in (plain.events(), game.events())]
    assert pd_sorted[0].equals(pd_sorted[1])


def test_the_peoples_blame_and_fix_are_the_models_events(small_config):
    model = WorkshopModel(small_config, rng=2)
    report = model.play_quarter()
    assert report.misses, "the war's first quarter should miss some KPI"
    week = model.steps - 1
    trust_before = model.relations.trust.copy()
    owner = report.misses[0]["department"]
    target = next(d for d in DEPARTMENTS if d not in (owner, report.misses[0]["suspect"]))
    answers = {owner: dec.Answer("blame", target)}
    others = [m["department"] for m in report.misses[1:]]
    answers.update({d: dec.Answer("fix") for d in others})
    settled = model.settle(answers)
    assert [s["by"] for s in settled] == ["people"] * len(settled)
    events = model.events()
    now = events[events["week"] == week]
    blame = now[(now["kind"] == "blame") & (now["source"] == owner)]
    assert list(blame["target"]) == [target], "the blamed department is the one the person chose"
    o, t = DEPARTMENTS.index(owner), DEPARTMENTS.index(target)
    assert model.relations.trust[o, t] < trust_before[o, t] and model.relations.trust[t, o] < trust_before[t, o]
    assert len(now[now["kind"] == "fix"]) == len(others)


# ---------------------------------------------------------------- rooms, seats, rounds
def test_seats_rounds_and_refusals_change_nothing(tmp_path):
    room = _room(tmp_path, teams=2)
    boss = room.facilitator_token
    sales = room.join(0, "sales", "Ana")
    marketing = room.join(0, "marketing", "Bo")
    other_room_seat = room.join(1, "sales", "Cy")
    with pytest.raises(GameError, match="taken by Ana"):
        room.join(0, "sales", "Dee")
    with pytest.raises(GameError, match="not started"):
        room.decide(sales, 1, 0, "sales", {"max_discount": 0.1})
    with pytest.raises(GameError, match="only the facilitator"):
        room.start(sales)
    room.start(boss)
    before = (room.version, json.dumps(room.to_dict()["companies"]))
    for attempt, message in [
            (lambda: room.decide(sales, 1, 0, "marketing", {"brand_share": 0.5}), "cannot change another seat"),
            (lambda: room.decide(sales, 1, 1, "sales", {"max_discount": 0.1}), "cannot change another seat"),
            (lambda: room.decide("forged", 1, 0, "sales", {"max_discount": 0.1}), "holds no seat"),
            (lambda: room.decide(sales, 1, 0, "sales", {"max_discount": 0.6}), "out of range"),
            (lambda: room.decide(sales, 2, 0, "sales", {"max_discount": 0.1}), "round 2")]:
        with pytest.raises(GameError, match=message):
            attempt()
    assert (room.version, json.dumps(room.to_dict()["companies"])) == before, "a refused request changed the room"
    room.decide(sales, 1, 0, "sales", {"max_discount": 0.1}, {"lead_sla": True})
    room.decide(marketing, 1, 0, "marketing", {"brand_share": 0.4}, {"lead_sla": True})
    assert room.phase == "deciding", "a seat with a person has not submitted yet"
    room.decide(other_room_seat, 1, 1, "sales", {"max_discount": 0.3})
    assert room.phase in ("review", "deciding") and len(room.companies[0].records) == 1
    first = room.companies[0].records[0]
    assert first["values"]["sales"]["max_discount"] == 0.1 and first["agreements"]["lead_sla"]
    assert room.companies[1].records[0]["values"]["sales"]["max_discount"] == 0.3, "teams are separate"
    assert room.companies[0].model.config.policy.max_discount == 0.1
    if room.phase == "review":
        with pytest.raises(GameError, match="closed"):
            room.decide(sales, 1, 0, "sales", {"max_discount": 0.2})


def test_the_timer_closes_a_round_and_seats_keep_their_decisions(tmp_path):
    room = _room(tmp_path, round_seconds=60)
    sales = room.join(0, "sales", "Ana")
    room.start(room.facilitator_token)
    room.decide(sales, 1, 0, "sales", {"max_discount": 0.12})
    room.join(0, "operations", "Ed")  # joined late, never submits
    assert not room.tick(room.deadline - 1)
    assert room.tick(room.deadline + 1)
    assert room.phase in ("review", "deciding") and room.companies[0].records[0]["values"]["operations"] == \
        dec.preset_values(room.base)["operations"], "a seat that did not submit keeps its last decision"
    if room.phase == "review":
        assert room.tick(room.deadline + 1), "the review's timer closes it too"
    assert room.round == 2 and room.phase == "deciding"
    room.pause(room.facilitator_token)
    assert room.deadline is None and not room.tick(1e12)
    room.resume(room.facilitator_token)
    assert room.deadline is not None


def test_a_restarted_server_resumes_the_game(tmp_path):
    room = _room(tmp_path, round_seconds=120)
    sales = room.join(0, "sales", "Ana")
    ops = room.join(0, "operations", "Ed")
    room.start(room.facilitator_token)
    room.decide(sales, 1, 0, "sales", {"max_discount": 0.05, "account_management_share": 0.3})
    room.decide(ops, 1, 0, "operations", {"capacity_adjustment_weeks": 8})
    for state in ("first", "second"):
        resumed = Rooms(tmp_path).get("TEST")
        live, again = room.companies[0], resumed.companies[0]
        assert (resumed.phase, resumed.round, resumed.version) == (room.phase, room.round, room.version + 1)
        np.testing.assert_allclose(again.model.weekly()["revenue"], live.model.weekly()["revenue"])
        assert again.records == json.loads(json.dumps(live.records))
        assert resumed.seat_of(sales)[1].department == "sales", "players keep their seats"
        assert resumed.deadline is not None and resumed.deadline - room.deadline < 5
        if state == "first" and room.phase == "review":  # the quarter's misses wait for answers after a restart
            assert [DEPARTMENTS[m["owner"]] for m in again.model.relations.pending] == \
                [m["department"] for m in live.last_report["misses"]]
            room.close(room.facilitator_token)


# ---------------------------------------------------------------- the ledger
def test_shapley_values_sum_to_the_total_and_are_fair():
    players = ("a", "b", "c", "d")
    weights = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 0.0}
    additive = shapley(lambda s: sum(weights[p] for p in s), players)
    assert additive == pytest.approx(weights)
    # a game with interactions: a and b only create value together, d is a dummy
    def synergy(s):
        return 10.0 * ({"a", "b"} <= s) + 4.0 * ("c" in s) + (2.0 if {"a", "c"} <= s else 0.0)
    shares = shapley(synergy, players)
    assert sum(shares.values()) == pytest.approx(synergy(frozenset(players)) - synergy(frozenset()))
    assert shares["d"] == pytest.approx(0.0)
    assert shares["a"] > shares["b"] > 0, "a also creates value with c"


def test_the_ledger_of_a_game_sums_to_its_shortfall(tmp_path):
    room = _room(tmp_path, rounds=2)
    sales = room.join(0, "sales", "Ana")
    room.start(room.facilitator_token)
    room.decide(sales, 1, 0, "sales", {"max_discount": 0.5, "account_management_share": 0.0})
    blamed = None
    if room.phase == "review" and room.player_view(sales)["must_answer"]:
        room.answer(sales, 1, {"kind": "blame", "target": "marketing"})
        blamed = "marketing"
    if room.phase == "review":
        room.close(room.facilitator_token)
    room.decide(sales, 2, 0, "sales", {"max_discount": 0.5})
    if room.phase == "review":
        room.close(room.facilitator_token)
    assert room.phase == "finished"
    room.compute_ledgers()
    ledger = room.companies[0].ledger
    assert sum(ledger["shares"].values()) == pytest.approx(ledger["shortfall"], rel=1e-9, abs=1e-6)
    assert ledger["shortfall"] == pytest.approx(ledger["revenue_aligned"] - ledger["revenue_played"])
    assert len(ledger["coalitions"]) == 16
    live = float(room.companies[0].model.weekly()["revenue"].sum())
    assert ledger["revenue_played"] == pytest.approx(live), "the replay without changes is the game played"
    assert ledger["played_by"] == {"marketing": "agents", "sales": "people", "operations": "agents",
                                   "purchasing": "agents"}
    if blamed:
        assert ledger["blamed"]["marketing"] == 1
    assert all(math.isfinite(v) for v in ledger["shares"].values())


def test_views_show_a_seat_its_own_numbers_first(tmp_path):
    room = _room(tmp_path, rounds=2)
    sales = room.join(0, "sales", "Ana")
    marketing = room.join(0, "marketing", "Bo")
    room.start(room.facilitator_token)
    room.decide(sales, 1, 0, "sales", {})
    room.decide(marketing, 1, 0, "marketing", {})
    view = room.player_view(sales)
    assert view["department"] == "sales" and "bookings" in view["history"][0]["own"]
    assert view["history"][0]["others"] is None, "without shared data a silo sees only its own numbers"
    assert room.projector_view()["leaderboard"][0]["latest"] is None, "nothing is shown before the reveal"
    room.reveal(room.facilitator_token)
    assert room.projector_view()["leaderboard"][0]["latest"]["revenue"] > 0
    assert "values" not in json.dumps(room.projector_view()), "the projector shows no seat's decisions"
    assert view["others_values"] is None
    if room.phase == "review":
        room.close(room.facilitator_token)
    room.decide(sales, 2, 0, "sales", {}, {"shared_data": True})
    room.decide(marketing, 2, 0, "marketing", {}, {"shared_data": True})
    view = room.player_view(sales)
    assert view["history"][-1]["agreements"]["shared_data"]
    assert view["others_values"] is not None and view["history"][-1]["others"]["marketing"]["leads"] >= 0, \
        "the shared-data agreement opens the books"
    assert preset_label("hundred_years_war") == "The hundred years' war"


def test_the_facilitator_frees_a_seat_and_its_old_token_stops_working(tmp_path):
    room = _room(tmp_path)
    sales = room.join(0, "sales", "Ana")
    ops = room.join(0, "operations", "Ed")
    room.start(room.facilitator_token)
    room.decide(sales, 1, 0, "sales", {"max_discount": 0.1})
    with pytest.raises(GameError, match="only the facilitator"):
        room.release(sales, 0, "operations")
    room.release(room.facilitator_token, 0, "operations")  # Ed left: the last seat deciding was his
    assert room.phase in ("review", "deciding") and len(room.companies[0].records) == 1, "the round closed"
    with pytest.raises(GameError, match="holds no seat"):
        room.decide(ops, room.round, 0, "operations", {})
    assert room.join(0, "operations", "Flo")
    with pytest.raises(GameError, match="already free"):
        room.release(room.facilitator_token, 0, "purchasing")


def test_a_seats_decision_changes_what_its_department_does(small_config):
    """Directions only: discount authority 0 gives no discount, 0.5 some; a lead SLA makes sales work more
    of marketing's leads."""
    from sim.workshop.model import play_round

    values = dec.preset_values(small_config)
    reports = {}
    for authority, sla in ((0.0, False), (0.5, True)):
        model = WorkshopModel(small_config, rng=4)
        chosen = {d: dict(v) for d, v in values.items()}
        chosen["sales"]["max_discount"] = authority
        votes = {d: {"lead_sla": sla} if d in ("marketing", "sales") else None for d in DEPARTMENTS}
        reports[authority] = play_round(model, small_config, chosen, votes)[0]
        assert model.config.policy.lead_sla is sla
    assert reports[0.0].departments["sales"]["discount"] == 0.0
    assert reports[0.5].departments["sales"]["discount"] > 0.0
    assert reports[0.5].departments["marketing"]["lead_acceptance"] > reports[0.0].departments["marketing"][
        "lead_acceptance"]
