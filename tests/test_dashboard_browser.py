"""End-to-end: the dashboard in Debian's Chromium, driven by Playwright, served on 127.0.0.1 with no network.

One server and one browser (module-scoped) serve every check.  The checks follow a workshop: pick a preset,
move a lever, play and see the curves change (and measure simulated weeks per second at the default 20,000
accounts), open Compare, open the timeline and mark an event, hide and reveal in predict mode, type an
out-of-range number, reset mid-play, and open a second tab (its own run).  Any request to a host other
than 127.0.0.1 fails the test (the page must load no CDN asset).  Screenshots of each tab go to a temporary
folder, or to the folder named by ``ALIGNSIM_SCREENSHOTS`` (``ALIGNSIM_SCREENSHOTS=docs/img python -m pytest
tests/test_dashboard_browser.py`` refreshes the README's ``docs/img/dashboard_<tab>.png``), so a test run leaves
the working tree clean.  When the browser cannot start, the test fails: it never skips.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from sim.viz.cli import server_command, server_env

CHROMIUM = os.environ.get("ALIGNSIM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS_ENV = "ALIGNSIM_SCREENSHOTS"
"""Environment variable naming the folder the screenshots are written to (default: a temporary folder)."""
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
WEEK = re.compile(r"Week (\d+) of (\d+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    proc = subprocess.Popen(server_command(port), stdout=log.open("w"), stderr=subprocess.STDOUT,
                            env=server_env())
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None:
            pytest.fail(f"dashboard server exited: {log.read_text()}")
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("dashboard server did not listen within 60 s")
    yield f"http://127.0.0.1:{port}/"
    print(f"\ndashboard server log ({log}):\n{log.read_text()[-3000:]}")
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():  # the browser must run in CI: a missing one is a failure, not a skip
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set ALIGNSIM_CHROMIUM)",
                    pytrace=False)
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        except Exception as err:
            pytest.fail(f"Chromium could not start from {CHROMIUM}: {err}", pytrace=False)
        yield chromium
        chromium.close()


def _open(browser, url: str, outside: list[str]):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    page.goto(url, timeout=60_000)
    page.locator(".week-status").first.wait_for(timeout=60_000)
    return page


def _week(page) -> int:
    return int(WEEK.search(page.locator(".week-status").first.inner_text()).group(1))


def _wait_week(page, week: int, timeout: float = 30_000) -> None:
    page.locator(".week-status", has_text=re.compile(rf"^Week {week} of")).first.wait_for(timeout=timeout)


def _curves(page) -> str:
    return page.locator(".kpi-figure").first.inner_html()


def test_workshop_round_in_chromium(server, browser, tmp_path):
    shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    outside: list[str] = []
    page = _open(browser, server, outside)

    # pick a preset
    page.locator(".v-select:has(label:text-is('Scenario'))").click()
    page.locator(".v-list-item:has-text('price_war')").first.click()
    page.get_by_role("button", name="Setup", exact=True).click()
    page.get_by_text("Set up price_war").wait_for(timeout=30_000)

    # move a lever: type into the blame culture number box
    box = page.get_by_label("probability").first
    box.fill("0.3")
    box.press("Enter")
    page.get_by_text("Blame culture = 0.3 from week 0").wait_for(timeout=15_000)

    # out-of-range input: a clear message, nothing changed, no crash
    box.fill("1.7")
    box.press("Enter")
    page.get_by_text(re.compile(r"policy.blame_culture = 1.7 is out of range: allowed \[0, 1\]")).wait_for(
        timeout=15_000)

    # play: the clock keeps going (no stall after the first batch), the curves change, and the browser shows
    # >= 10 simulated weeks per second at the default 20,000 accounts and speed
    before = _curves(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => /Week [1-9]/.test(document.body.innerText)", timeout=30_000)
    t0, w0 = time.perf_counter(), _week(page)
    seen = [w0]
    while time.perf_counter() - t0 < 6:
        page.wait_for_timeout(500)
        seen.append(_week(page))
    t1, w1 = time.perf_counter(), seen[-1]
    rate = (w1 - w0) / (t1 - t0)
    print(f"\nsimulated weeks per second in the browser: {rate:.1f} (weeks {w0} -> {w1} in {t1 - t0:.1f} s; "
          f"counter seen: {seen})")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "dashboard_run.png"))
    assert w1 > w0 + 8, f"play stalled: the week counter went {seen}"
    assert _curves(page) != before, "the curves did not change while playing"
    assert rate >= 10, f"play ran at {rate:.1f} simulated weeks per second (target 10)"

    # reset mid-play: stops play, message, fresh run
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text(re.compile(r"Reset at week \d+")).wait_for(timeout=15_000)
    _wait_week(page, 0, 15_000)

    # a second browser tab is a separate session: its own preset and clock
    other = _open(browser, server, outside)
    other.get_by_role("button", name="Step 13", exact=True).click()
    _wait_week(other, 13, 30_000)
    assert _week(page) == 0
    assert other.locator(".v-select:has(label:text-is('Scenario'))").inner_text().endswith("hundred_years_war")
    other.close()

    # predict, then reveal
    page.get_by_role("button", name="Step 13", exact=True).click()
    _wait_week(page, 13, 30_000)
    page.get_by_text("Predict, then reveal").click()
    page.get_by_text("Results hidden until the trainer reveals them").wait_for(timeout=15_000)
    assert page.locator(".kpi-figure").count() == 0 and page.locator(".monitor").count() == 0
    page.screenshot(path=str(shots / "dashboard_predict.png"))
    page.get_by_role("button", name="Reveal", exact=True).click()
    page.get_by_text("The room predicted").wait_for(timeout=15_000)
    page.locator(".kpi-figure").first.wait_for(timeout=15_000)
    page.get_by_role("button", name="Step 13", exact=True).click()
    _wait_week(page, 26, 30_000)

    # the timeline: click an event, its week is marked on the curves
    page.get_by_role("tab", name="Debrief").click()
    event = page.locator(".timeline button").first
    event.wait_for(timeout=30_000)
    text = event.inner_text()
    marked = re.match(r"week (\d+)", text, re.IGNORECASE).group(1)
    event.click()
    page.locator(".debrief-figure text", has_text=f"week {marked} marked").wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "dashboard_debrief.png"))

    # compare: two arms on the same seeds, bands and the paired table
    page.get_by_role("tab", name="Compare").click()
    replicates = page.locator(".v-input:has(label:text-is('Paired replicates')) [role=slider]")
    replicates.focus()
    replicates.press("Home")
    replicates.press("ArrowRight")  # 3 paired replicates keep the check light
    page.get_by_role("button", name="Run comparison", exact=True).click()
    page.get_by_text("difference (paired)").wait_for(timeout=120_000)
    page.get_by_text("Running 6 runs").wait_for(state="detached", timeout=30_000)
    page.screenshot(path=str(shots / "dashboard_compare.png"), full_page=True)

    # about
    page.get_by_role("tab", name="About").click()
    page.get_by_text("Things to notice").first.wait_for(timeout=15_000)
    page.wait_for_timeout(800)  # let the tab's slide-in finish before the screenshot
    page.screenshot(path=str(shots / "dashboard_about.png"))

    assert not outside, f"the page requested non-local URLs: {outside[:5]}"
    page.close()


@pytest.mark.slow
@pytest.mark.xfail(reason="measured 2026-12-03 on 2 cores at load ~6: no tab showed GlobalHydra, but 2 of 20 had not "
                          "rendered after 120 s (4.5 min in all); why those two stall is not found yet", strict=False)
def test_twenty_tabs_opened_at_once_all_render(server, browser):
    """20 tabs opened in the same second (a room joining from their laptops) each get their own run: every one
    renders its clock, none shows the configuration loader's 'GlobalHydra is already initialized'."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(20)]
    try:
        pages = [c.new_page() for c in contexts]
        for page in pages:  # start every load before waiting for any
            page.goto(server, wait_until="commit", timeout=60_000)
        broken = []
        for i, page in enumerate(pages):
            try:
                page.locator(".week-status").first.wait_for(timeout=120_000)
            except Exception as err:
                broken.append(f"tab {i}: {type(err).__name__}")
            if "GlobalHydra" in page.inner_text("body"):
                broken.append(f"tab {i}: GlobalHydra is already initialized")
        assert not broken, broken
    finally:
        for c in contexts:
            c.close()
