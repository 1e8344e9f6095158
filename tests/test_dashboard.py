"""Fast checks of the dashboard's parts: About cards, levers from the schema, bad input, timeline sentences,
and the debrief pack's self-containment."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.config import ConfigError
from sim.loading import scenario_names
from sim.viz.about import SECTIONS, missing_sections
from sim.viz.levers import levers
from sim.viz.session import Session, market_names
from sim.viz.timeline import timeline

SMALL = "smb"


@pytest.mark.parametrize("preset", scenario_names() + market_names())
def test_every_preset_has_an_about_card_with_all_netlogo_sections(preset):
    assert missing_sections(preset) == [], f"{preset}: missing {missing_sections(preset)} of {SECTIONS}"


def test_levers_carry_unit_range_and_tooltip_from_the_schema():
    items = {x.path: x for x in levers()}
    blame = items["policy.blame_culture"]
    assert (blame.low, blame.high, blame.unit) == (0.0, 1.0, "probability")
    assert blame.range_text == "0 to 1 probability" and blame.tooltip.startswith("Probability that a missed")
    assert not items["market.accounts"].live and items["policy.joint_meetings"].live
    assert all(x.tooltip for x in levers())


def test_out_of_range_lever_is_refused_with_the_allowed_range_and_changes_nothing():
    session = Session()
    with pytest.raises(ConfigError, match=r"policy.blame_culture = 1.7 is out of range: allowed \[0, 1\]"):
        session.set_lever("policy.blame_culture", 1.7)
    assert session.value("policy.blame_culture") == 0.8
    assert "applies on reset" in session.set_lever("market.accounts", 30_000)
    assert session.model.config.market.accounts == 20_000
    session.reset()
    assert session.model.config.market.accounts == 30_000 and session.week == 0


def test_a_live_lever_typed_during_play_names_the_week_it_applies_from():
    session = Session()
    for _ in range(5):
        session.model.step()
    message = session.set_lever("policy.ops_flexibility", 0.9)  # copied at build time before issue 16
    assert message.endswith("from week 5"), message
    assert session.model.config.policy.ops_flexibility == 0.9 and session.model.operations.flexibility == 0.9
    assert items_live("policy.ops_flexibility") and not items_live("policy.marketing_sales_experience")
    assert "applies on reset" in session.set_lever("policy.marketing_sales_experience", 1.0)


def items_live(path: str) -> bool:
    return {x.path: x for x in levers()}[path].live


def test_timeline_tells_blame_with_trust_before_and_after():
    weekly = pd.DataFrame({"week": [12], "trust_operations_in_sales": [0.5], "alignment_stage": [1],
                           "delivery_delay": [3.0]})
    events = pd.DataFrame([(12, "miss", "operations", "sales", "impossible promises", 1.0),
                           (12, "blame", "operations", "sales", "impossible promises", 0.12),
                           (14, "hire", "operations", "operations", "delivery running late", 2.0)],
                          columns=["week", "kind", "source", "target", "reason", "value"])
    story = timeline(events, weekly)["text"].tolist()
    assert story[0] == ("week 12: Operations blamed Sales for impossible promises "
                        "(operations' trust in sales 0.50 \u2192 0.38)")
    assert story[1].startswith("week 14: Operations hired 2 people")
    assert len(story) == 2  # the miss is told by its blame


def test_debrief_pack_is_self_contained():
    from sim.viz.report import build

    page = build("hundred_years_war", "full_alignment", replicates=2,
                 overrides=["market.accounts=2000", "market.initial_customers=50", "weeks=30"])
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert page.count("data:image/png;base64,") == 2 and "What happened and why" in page


def test_talking_points_are_ranked_by_effect_size_and_the_unclear_ones_grouped():
    from types import SimpleNamespace

    import pandas as pd

    from sim.viz.comparison import talking_points

    rows = [  # metric, difference, CI: a small clear effect, a large clear effect, two unclear ones
        ("revenue_total", 1.0, 0.2, 1.8), ("trust_mean_end", 0.2, 0.18, 0.22),
        ("retention_12m", 0.5, -1.0, 2.0), ("cac", -0.1, -0.5, 0.3)]
    table = pd.DataFrame([{"metric": m, "a_mean": 10.0, "b_mean": 10.0 + d, "difference": d,
                           "difference_ci_low": lo, "difference_ci_high": hi, "n": 10} for m, d, lo, hi in rows])
    comparison = SimpleNamespace(table=table, runs=pd.DataFrame({"scenario": ["a", "b"]}))
    points = talking_points(comparison)
    assert len(points) == 3, "two clear effects, then one sentence for the rest"
    assert points[0].startswith("Mean trust") or "trust" in points[0].lower(), points[0]
    assert "standardised effect" in points[0] and "standardised effect" in points[1]
    assert points[2].startswith("No clear difference") and "retention" in points[2].lower()


def test_report_goes_into_the_outputs_folder_and_both_commands_answer_help(capsys):
    import datetime

    from sim.viz.cli import dashboard_main, default_report_path, report_main

    path = default_report_path("a", "b", datetime.datetime(2026, 1, 2, 3, 4, 5, 678))
    assert path.parts[:3] == ("outputs", "2026-01-02", "03-04-05-000678") and path.name == "debrief_a_vs_b.html"
    assert dashboard_main(["--help"]) == 0 and "usage: alignsim dashboard" in capsys.readouterr().out
    assert report_main(["--help"]) == 0 and "outputs/<date>/<time>" in capsys.readouterr().out


def test_the_servers_refuse_other_hosts_and_cross_site_websockets():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    from sim.viz.cli import server_command
    from sim.viz.guard import guarded

    async def hello(websocket):
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    inner = Starlette(routes=[Route("/", lambda r: PlainTextResponse("page"), methods=["GET", "POST"]),
                              WebSocketRoute("/ws", hello)])
    client = TestClient(guarded(inner, 8765), base_url="http://127.0.0.1:8765")
    assert client.get("/").text == "page"
    assert client.get("/", headers={"host": "evil.example"}).status_code == 421
    assert client.get("/", headers={"host": "127.0.0.1:9999"}).status_code == 421
    assert client.post("/", headers={"origin": "http://evil.example"}).status_code == 403
    with client.websocket_connect("ws://127.0.0.1:8765/ws", headers={"origin": "http://127.0.0.1:8765"}) as ws:
        assert ws.receive_text() == "hello"
    for origin in ("http://evil.example", "http://127.0.0.1:8766", "null"):
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect("ws://127.0.0.1:8765/ws", headers={"origin": origin}) as ws:
                ws.receive_text()
        assert refused.value.code == 1008
    assert server_command(8765)[1:3] == ["-m", "sim.viz.serve"], "the dashboard is served behind the guard"


@pytest.mark.parametrize("preset", scenario_names() + market_names())
def test_every_preset_has_a_name_in_words(preset):
    from sim.viz.presets import TITLES, from_title, title

    assert preset in TITLES, f"{preset}: add its name in words to sim.viz.presets.TITLES"
    words = title(preset)
    assert "_" not in words and words != preset and from_title(words, scenario_names() + market_names()) == preset
    assert title(f"{preset}_as_set") == f"{words}, as set"


def test_compare_table_has_no_index_column_and_escapes_its_cells():
    from sim.viz.app import table_html

    frame = pd.DataFrame({"outcome": ["Revenue <total>"], "p": ["0.01"]}, index=[7])
    page = table_html(frame)
    assert re.findall(r"<th>(.*?)</th>", page) == ["outcome", "p"]
    assert re.findall(r"<td>(.*?)</td>", page) == ["Revenue &lt;total&gt;", "0.01"], "the index 7 is not a cell"


def test_presenter_mode_from_the_url():
    from sim.viz.app import wants_presenter

    assert wants_presenter("presenter=1") and wants_presenter("presenter=true") and wants_presenter("presenter")
    assert not wants_presenter(None) and not wants_presenter("") and not wants_presenter("presenter=0")
    assert not wants_presenter("other=1")


def test_prose_is_rendered_on_the_server_without_katex():
    from sim.viz.components import prose_html

    page = prose_html("### Title\n\n- a point with $x$ and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h3>Title</h3>" in page and "<li>" in page and "<table>" in page and "<script" not in page


def test_one_scenario_palette_for_the_cli_figure_and_the_dashboard():
    import numpy as np
    from matplotlib.colors import to_hex

    from sim.plots import SCENARIO_COLOURS, plot_comparison
    from sim.viz.figures import ARM_COLOURS, compare_figure

    rows = [{"scenario": arm, "replicate": r, "week": w, "revenue": 1.0 + r + w, "active_customers": 10.0 + w,
             "lead_acceptance": 0.5, "trust_mean": 0.5, "alignment_stage": 2.0}
            for arm in ("arm_a", "arm_b") for r in range(2) for w in range(3)]
    weekly = pd.DataFrame(rows)
    cli = plot_comparison(weekly)
    dashboard = compare_figure(weekly, ("arm_a", "arm_b"), "t")
    for fig in (cli, dashboard):
        for ax in fig.axes:
            lines = [ln for ln in ax.get_lines() if len(np.asarray(ln.get_xdata())) == 3]
            assert [to_hex(ln.get_color()) for ln in lines] == [c.lower() for c in SCENARIO_COLOURS[:2]], ax.get_title()
    assert ARM_COLOURS == SCENARIO_COLOURS[:2]


def test_presenter_curves_text_is_projector_size():
    """Every text of the presenter layout is at least 19 SVG units: 18 CSS px once the drawing is scaled to the
    1230 px of a 1280-pixel-wide page (the browser test measures it on the rendered page)."""
    from sim.viz.svgplot import DESK, PRESENTER, PRESENTER_DEBRIEF, kpi_svg

    weekly = pd.DataFrame({"week": range(5), "revenue": [100.0] * 5, "active_customers": [400.0] * 5,
                           "open_leads": [10.0] * 5, "accepted_leads": [5.0] * 5, "opportunities": [3.0] * 5,
                           "trust_sales_in_marketing": [0.5] * 5, "trust_marketing_in_sales": [0.5] * 5,
                           "trust_operations_in_sales": [0.5] * 5, "alignment_stage": [2.0] * 5,
                           "krk_score": [50.0] * 5})
    for layout in (PRESENTER, PRESENTER_DEBRIEF):
        svg = kpi_svg(weekly, 156, "t", 3, (2,), layout)
        sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) >= 19, min(sizes)
        assert "now 400" in svg, "a one-line panel says its latest value"
    assert min(float(x) for x in re.findall(r'font-size="([\d.]+)"', kpi_svg(weekly, 156, "t", layout=DESK))) < 19
