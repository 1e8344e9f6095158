"""The game's debrief pack: one self-contained HTML page of a room (no script, no network), for the projector or
to hand out after the workshop.

Per company: the quarters (revenue, net revenue retention, cash, alignment stage, the agreements in force), every
department's decisions each quarter and who made them, every review (the miss, the usual suspect, the answer and
whether people or agents gave it) and the blame ledger beside whom the people blamed.
"""

from __future__ import annotations

import html

from sim.relations import DEPARTMENTS
from sim.workshop import decisions as dec
from sim.workshop.decisions import DEPARTMENT_LABELS

STAGES = ("Us vs them", "Friendly role-play", "Cooperative efforts", "Collaboration", "Full alignment")
STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 20px; line-height: 1.4; margin: 1.5em auto;
       max-width: 1250px; color: #1b1f24; padding: 0 0.8em; }
h1 { font-size: 1.8em; } h2 { font-size: 1.4em; border-bottom: 2px solid #1f5fa8; margin-top: 1.8em; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.4em 0; font-variant-numeric: tabular-nums; }
td, th { border: 1px solid #c9d1da; padding: 4px 8px; text-align: right; } th { background: #eef2f6; }
td:first-child, th:first-child { text-align: left; } .muted { color: #4a5360; }
"""


def _eur(value) -> str:
    return "–" if value is None else f"EUR {value / 1e6:,.2f} m"


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _decision_text(d: dec.Decision, value: float) -> str:
    if d.unit.startswith("share"):
        return f"{100 * value:.0f} %"
    if d.unit.startswith("weeks"):
        return f"{value:.0f} weeks"
    return f"{value:.2f}"


def _company(company: dict) -> str:
    records = company["records"]
    if not records:
        return "<p>No quarter played.</p>"
    labels = {a.key: a.label for a in dec.AGREEMENTS}
    quarters = _table(["Quarter", "Revenue", "Net revenue retention", "Cash", "Alignment stage", "Agreements in force"],
                      [[r["round"], _eur(r["report"]["company"]["revenue"]), _pct(r["report"]["company"]["nrr"]),
                        _eur(r["report"]["company"]["cash"]),
                        f"{r['report']['company']['stage']} {STAGES[r['report']['company']['stage'] - 1]}",
                        ", ".join(labels[k] for k, on in r["agreements"].items() if on) or "none"] for r in records])
    decisions = []
    for dept in DEPARTMENTS:
        items = dec.decisions_of(dept)
        rows = [[r["round"], r["people"].get(dept) or "agents",
                 *(_decision_text(d, r["values"][dept][d.key]) for d in items)] for r in records]
        decisions.append(f"<h3>{DEPARTMENT_LABELS[dept]}</h3>" + _table(["Quarter", "Seat", *(d.label for d in items)],
                                                                         rows))
    reviews = [[r["round"], DEPARTMENT_LABELS[s["department"]], s["reason"], DEPARTMENT_LABELS[s["suspect"]],
                {"blame": f"blamed {DEPARTMENT_LABELS.get(s['target'], '')}", "fix": "joint fix",
                 "accept": "let it go"}[s["kind"]], s["by"]]
               for r in records for s in (r["settled"] or [])]
    review = _table(["Quarter", "Missed", "Why", "Usual suspect", "Answer", "Decided by"], reviews) if reviews \
        else "<p>No department missed its KPI.</p>"
    ledger = company.get("ledger")
    if ledger:
        rows = [[DEPARTMENT_LABELS[d], ledger["played_by"][d], _eur(ledger["shares"][d]),
                 f"{100 * ledger['shares'][d] / ledger['shortfall']:.0f} %" if ledger["shortfall"] else "–",
                 ledger["blamed"][d]] for d in DEPARTMENTS]
        rows.append(["Total", "", _eur(sum(ledger["shares"].values())), "", sum(ledger["blamed"].values())])
        ledger_html = (f"<p>Revenue played {_eur(ledger['revenue_played'])}; with every department aligned "
                       f"{_eur(ledger['revenue_aligned'])}; shortfall {_eur(ledger['shortfall'])}.</p>"
                       + _table(["Department", "Seat", "Share of the shortfall", "%", "Blamed by people"], rows)
                       + "<p class='muted'>Shapley shares over the 16 replays with each combination of departments "
                         "set to the full-alignment preset's decisions, votes and review answers; they add up to "
                         "the shortfall.</p>")
    else:
        ledger_html = "<p>The ledger is computed after the last round.</p>"
    return (f"<h3>Quarters</h3>{quarters}<h3>The blame ledger</h3>{ledger_html}<h3>Reviews</h3>{review}"
            f"<h3>Decisions</h3>{''.join(decisions)}")


def render(view: dict) -> str:
    """The debrief pack of a room from its facilitator view (:meth:`~sim.workshop.game.Room.facilitator_view`)."""
    companies = "".join(f"<h2>{html.escape(c['name'])}</h2>{_company(c)}" for c in view["companies"])
    board = _table(["Company", "Revenue", "Net revenue retention (last quarter)", "Cash", "Alignment stage"],
                   [[c["name"], _eur(c["latest"]["revenue_total"]), _pct(c["latest"]["nrr"]), _eur(c["latest"]["cash"]),
                     f"{c['latest']['stage']} {STAGES[c['latest']['stage'] - 1]}"]
                    for c in view["leaderboard"] if c["latest"]])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Workshop room {html.escape(view['code'])}: debrief</title>
<style>{STYLE}</style></head><body>
<h1>Workshop room {html.escape(view['code'])}: {html.escape(view['preset_label'])}</h1>
<p class="muted">{len(view['companies'])} companies on the same market and seed, round {view['round']} of
{view['rounds']} ({html.escape(view['phase'])}).</p>
<h2>Leaderboard</h2>{board or '<p>No quarter played yet.</p>'}
{companies}
</body></html>
"""
