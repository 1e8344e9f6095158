"""End-to-end: a workshop game in Debian's Chromium, driven by Playwright, on a real server on 127.0.0.1.

A facilitator (one browser context) opens two rooms; four players (one context each, phone-sized) take the four
seats of room A and a fifth plays in room B at the same time; the projector is a sixth context.  They play a
4-round game to the end: a seat taken twice is refused, a player sending a decision for another seat from their
own page is refused by the server, a player's token does not open the other room, the timer closes round 2, the
review's blame reaches the model (the settled review the server returns), the server is killed and restarted
after round 2 and every page carries on from where it was, and the ledger is shown and sums to the shortfall.
Layout checks measure the projector and console at 1280x720 (text >= 18 CSS px, no overlapping text) and the
phone screen (no sideways scrolling).  Screenshots go to a temporary folder, or to ``ALIGNSIM_SCREENSHOTS``
(``ALIGNSIM_SCREENSHOTS=docs/img python -m pytest tests/test_workshop_browser.py`` refreshes the README's
``docs/img/workshop_*.png``).  Without Chromium the test fails with one line saying how to install it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ALIGNSIM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS_ENV = "ALIGNSIM_SCREENSHOTS"
KEY = "browser-test-key"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
PLAYERS = {"marketing": "Mia", "sales": "Sam", "operations": "Olu", "purchasing": "Pat"}

# Text leaves of a page: their smallest font size and every pair whose boxes overlap (both measured in CSS px).
LAYOUT_JS = """() => {
  const leaves = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('#error')) continue;
    const range = document.createRange();
    for (const n of el.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0)
        leaves.push({el, r, size: parseFloat(getComputedStyle(el).fontSize), text: n.textContent.trim().slice(0, 30)});
    }
  }
  const overlaps = [];
  for (let i = 0; i < leaves.length; i++) for (let j = i + 1; j < leaves.length; j++) {
    const a = leaves[i].r, b = leaves[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 2 && h > 2 && leaves[i].el !== leaves[j].el) overlaps.push(leaves[i].text + ' / ' + leaves[j].text);
  }
  const sizes = leaves.map(l => l.size);
  return {min: Math.min(...sizes),
          smallest: leaves.filter(l => l.size === Math.min(...sizes)).map(l => l.text).slice(0, 5),
          overlaps, width: document.scrollingElement.scrollWidth, viewport: innerWidth};
}"""


def _round_over(round_no) -> str:
    """A page condition: the round ``round_no`` is no longer being decided (closed, or the next one started)."""
    return f"document.body.dataset.round !== '{round_no}' || document.body.dataset.phase !== 'deciding'"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, store: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "sim.workshop.cli", "--port", str(port), "--store", str(store), "--key", KEY,
               "market.accounts=2000"]
    proc = subprocess.Popen(command, stdout=log.open("a"), stderr=subprocess.STDOUT,
                            cwd=Path(__file__).resolve().parents[1])
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            pytest.fail(f"workshop server exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    proc.kill()
    pytest.fail("workshop server did not listen within 60 s")


@pytest.fixture()
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(page, condition: str, timeout: float = 30) -> None:
    page.wait_for_function(condition, timeout=timeout * 1000)


def _at(page, round_no: int, phase: str) -> str:
    return f"document.body.dataset.round === '{round_no}' && document.body.dataset.phase === '{phase}'"


def _set_range(page, key: str, value: float) -> None:
    page.evaluate("([id, v]) => { const el = document.getElementById(id); el.value = v;"
                  " el.dispatchEvent(new Event('input')); }", [f"d-{key}", str(value)])


def _close_review(console) -> None:
    """The facilitator closes the review if it is still open (it closes itself once every asked seat answered)."""
    console.evaluate("() => { if (window.workshop.state.phase === 'review') window.workshop.send({op: 'close'}); }")


def _answer(page, choice: str) -> bool:
    """Answer the review if this seat is asked; returns whether it was."""
    if page.locator("#send-answer").count() == 0:
        return False
    page.click(f"#answer-{choice}")
    page.click("#send-answer")
    return True


def test_a_workshop_game_in_real_browsers(tmp_path, screenshots):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    started = time.time()
    port, store, log = _free_port(), tmp_path / "rooms", tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    server = _serve(port, store, log)
    outside, errors, opened = [], [], []
    try:
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            except Exception as err:  # the browser must run in CI: a missing one is a failure, not a skip
                pytest.fail(f"Chromium could not start from {CHROMIUM}: {err}", pytrace=False)

            def page_in(context, who: str):
                page = context.new_page()
                opened.append((who, page))
                page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
                page.on("pageerror", lambda e: errors.append(f"{who}: {e}"))
                page.on("console", lambda m: errors.append(f"{who}: {m.text}") if m.type == "error" else None)
                return page

            try:
                facilitator = browser.new_context(viewport={"width": 1280, "height": 720})

                def open_room(teams: int) -> tuple[object, str]:
                    page = page_in(facilitator, "facilitator")
                    page.goto(f"{base}/host#key={KEY}")
                    page.fill("#teams", str(teams))
                    page.fill("#rounds", "4")
                    page.fill("#round-seconds", "0")
                    page.click("#open-room")
                    page.wait_for_url("**/console/**")
                    page.wait_for_selector("#seats")
                    return page, page.url.split("/console/")[1].split("#")[0]

                console, code = open_room(1)
                console_b, code_b = open_room(1)
                assert code != code_b
                projector = page_in(browser.new_context(viewport={"width": 1280, "height": 720}), "projector")
                projector.goto(f"{base}/projector/{code}")
                projector.wait_for_selector(".big-code")
                projector.screenshot(path=str(screenshots / "workshop_projector_lobby.png"))

                def join(room: str, department: str, name: str, expect_error: str | None = None):
                    page = page_in(browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                                       has_touch=True), name)
                    page.goto(f"{base}/join/{room}")
                    page.fill("#name", name)
                    if expect_error:  # pick the taken seat on purpose: the page lists it as taken, the server refuses
                        page.evaluate("d => { const s = document.getElementById('department');"
                                      " for (const o of s.options) o.disabled = false; s.value = d; }", department)
                    else:
                        page.select_option("#department", department)
                    page.click("#take-seat")
                    if expect_error:
                        page.wait_for_selector(f"#error:has-text('{expect_error}')", timeout=10_000)
                    else:
                        page.wait_for_selector("text=Waiting for the facilitator", timeout=15_000)
                    return page

                players = {d: join(code, d, name) for d, name in PLAYERS.items()}
                bea = join(code_b, "sales", "Bea")
                join(code, "sales", "Eve", expect_error="taken by Sam")  # a seat taken twice
                # isolation: Bea's seat token does not open room A
                refused = bea.evaluate("""([room, token]) => new Promise(done => {
                    const ws = new WebSocket(`ws://${location.host}/ws/${room}`);
                    ws.onopen = () => ws.send(JSON.stringify({op: 'hello', role: 'player', token}));
                    ws.onmessage = e => { done(JSON.parse(e.data)); ws.close(); };
                })""", [code, bea.evaluate(f"localStorage.getItem('alignsim-seat-{code_b}')")])
                assert refused["type"] == "error" and "holds no seat" in refused["message"]

                console.click("#start")
                console_b.click("#start")
                sam = players["sales"]

                def play_round(round_no: int, submitters=tuple(PLAYERS), blame_by_sales: str = "operations"):
                    for d in submitters:
                        page = players[d]
                        _wait(page, _at(page, round_no, "deciding") + " && !!document.getElementById('submit')")
                        if d == "sales":
                            _set_range(page, "max_discount", 0.1 if round_no % 2 else 0.2)
                            page.check("#v-lead_sla")
                        if d == "marketing":
                            _set_range(page, "brand_share", 0.3)
                            page.check("#v-lead_sla")
                        if d == "operations":
                            _set_range(page, "capacity_adjustment_weeks", 10)
                        page.click("#submit")
                        _wait(page, f"window.workshop.state.submitted || !({_at(page, round_no, 'deciding')})")
                    bea_page_round(round_no)

                def bea_page_round(round_no: int):
                    _wait(bea, _at(bea, round_no, "deciding") + " && !!document.getElementById('submit')")
                    bea.click("#submit")
                    _wait(bea, _round_over(round_no))
                    if bea.evaluate("document.body.dataset.phase") == "review":
                        if not _answer(bea, "fix"):
                            _close_review(console_b)

                def review(round_no: int) -> bool:
                    """Every asked seat answers (sales blames operations, the others call a joint fix); returns whether
                    sales was asked."""
                    _wait(console, _round_over(round_no))
                    if console.evaluate("document.body.dataset.phase") != "review":
                        return False
                    asked = False
                    for d, page in players.items():
                        _wait(page, _round_over(round_no))
                        if page.evaluate("document.body.dataset.phase") == "review":
                            answered = _answer(page, "blame-operations" if d == "sales" else "fix")
                            asked |= answered and d == "sales"
                    return asked

                # ---------------------------------------------------------------- round 1, with tampering
                _wait(sam, _at(sam, 1, "deciding") + " && !!document.getElementById('submit')")
                sam.screenshot(path=str(screenshots / "workshop_player_phone.png"), full_page=False)
                assert sam.evaluate(LAYOUT_JS)["width"] <= 390, "the phone screen scrolls sideways"
                sam.evaluate("window.workshop.send({op: 'decide', round: 1, team: 0, department: 'marketing',"
                             " values: {brand_share: 0.8}})")
                sam.wait_for_selector("#error:has-text('cannot change another seat')", timeout=10_000)
                sam.evaluate("window.workshop.send({op: 'decide', round: 1, team: 0, department: 'sales',"
                             " values: {max_discount: 0.9}})")
                sam.wait_for_selector("#error:has-text('out of range')", timeout=10_000)
                marketing_values = console.evaluate("window.workshop.state.companies[0].values.marketing")
                assert marketing_values["brand_share"] != 0.8, "the tampering changed another seat's decision"
                play_round(1)
                sales_asked = review(1)
                _wait(console, _at(console, 2, "deciding"))
                records = console.evaluate("window.workshop.state.companies[0].records")
                first = records[0]
                assert first["values"]["marketing"]["brand_share"] == 0.3 and first["agreements"]["lead_sla"]
                if sales_asked:
                    blame = [s for s in first["settled"] if s["department"] == "sales"]
                    assert blame == [{"department": "sales", "suspect": blame[0]["suspect"],
                                      "reason": blame[0]["reason"], "kind": "blame", "target": "operations",
                                      "by": "people"}]
                    console.wait_for_selector("#blames:has-text('Sales blamed Operations')")

                # ---------------------------------------------------------------- round 2: the timer closes it
                console.fill("#timer-seconds", "4")
                console.click("#set-timer")
                play_round(2, submitters=("marketing", "sales", "purchasing"))  # operations never submits
                _wait(console, "document.body.dataset.phase === 'review' || document.body.dataset.round === '3'", 20)
                closed_by = console.evaluate("window.workshop.state.log.join('|')")
                assert "quarter 2 played" in closed_by
                console.fill("#timer-seconds", "0")
                console.click("#set-timer")
                review(2)
                _close_review(console)
                _wait(console, _at(console, 3, "deciding"))
                records = console.evaluate("window.workshop.state.companies[0].records")
                assert records[1]["values"]["operations"] == records[0]["values"]["operations"], \
                    "a seat that did not submit keeps its last decision"

                # ---------------------------------------------------------------- the server restarts
                screens = (console, console_b, *players.values(), bea, projector)
                versions = [page.evaluate("window.workshop.version") for page in screens]
                server.terminate()
                server.wait(timeout=20)
                server = _serve(port, store, log)
                console.wait_for_selector("#log:has-text('resumed after a restart')", timeout=30_000)
                for page, version in zip(screens, versions):  # every page reconnected and got the resumed room's view
                    _wait(page, f"window.workshop.version > {version} && document.body.dataset.round === '3'", 30)
                console.screenshot(path=str(screenshots / "workshop_console.png"), full_page=False)
                layout = console.evaluate(LAYOUT_JS)
                assert layout["min"] >= 18, f"console text below 18 px: {layout['smallest']}"
                assert not layout["overlaps"], f"overlapping text on the console: {layout['overlaps'][:5]}"

                # ---------------------------------------------------------------- rounds 3 and 4, then the ledger
                for round_no in (3, 4):
                    play_round(round_no)
                    review(round_no)
                    _close_review(console)
                _wait(console, "document.body.dataset.phase === 'finished'")
                console.wait_for_selector(".ledger", timeout=60_000)
                console.click("#reveal")
                projector.wait_for_selector(".ledger", timeout=30_000)
                ledger = console.evaluate("window.workshop.state.companies[0].ledger")
                assert sum(ledger["shares"].values()) == pytest.approx(ledger["shortfall"], rel=1e-9, abs=1e-6)
                shown = projector.locator(".ledger").first
                total = shown.locator(".ledger-total").inner_text().strip()
                assert total == shown.locator(".shortfall").inner_text().strip()
                assert ledger["played_by"] == dict.fromkeys(PLAYERS, "people")
                projector.screenshot(path=str(screenshots / "workshop_projector.png"), full_page=False)
                shown.screenshot(path=str(screenshots / "workshop_ledger.png"))
                layout = projector.evaluate(LAYOUT_JS)
                assert layout["min"] >= 18, f"projector text below 18 px: {layout['smallest']}"
                assert not layout["overlaps"], f"overlapping text on the projector: {layout['overlaps'][:5]}"
                report = console.context.request.get(console.get_attribute("#report", "href")
                                                     if console.get_attribute("#report", "href").startswith("http")
                                                     else base + console.get_attribute("#report", "href"))
                assert report.ok and "The blame ledger" in report.text() and "Sam" in report.text()
                sam.wait_for_selector(".ledger", timeout=15_000)  # each player sees their company's ledger
                _wait(bea, "document.body.dataset.phase === 'finished'")
                assert code_b not in sam.inner_text("body") and code not in bea.inner_text("body"), "rooms are separate"
                print(f"\nworkshop browser game: 2 rooms, 5 players, 4 rounds, a restart, in "
                      f"{time.time() - started:.1f} s;"
                      f" ledger of {code}: shortfall {ledger['shortfall'] / 1e6:.3f} EUR m, shares "
                      + ", ".join(f"{d} {v / 1e6:+.3f}" for d, v in ledger["shares"].items())
                      + f", blamed {ledger['blamed']}")
            except Exception:
                print("server log:", log.read_text()[-3000:])
                for who, page in opened:
                    print("page", who, page.url, page.evaluate("JSON.stringify({...document.body.dataset, "
                                                               "error: document.getElementById('error').textContent})"))
                raise
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    restart_noise = ("WebSocket connection to", "ERR_CONNECTION_REFUSED")
    assert not [e for e in errors if not any(n in e for n in restart_noise)], errors
    assert not outside, f"the pages asked another host: {outside}"
