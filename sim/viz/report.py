"""The debrief pack: one self-contained HTML file a trainer opens on the room's projector.

It follows the debrief order of ``docs/workshop.md``: the two presets in a sentence each, the talking points
(what changed, with 95 % confidence intervals), the KPI table, the curves with bands over replicates, the
paired differences, then what happened and why (the event timeline of the first replicate of each arm).
Figures are PNGs embedded as base64 data URIs and the styles are inline, so the file needs no network.
"""

from __future__ import annotations

import html
from pathlib import Path


from sim.viz.comparison import arm_names, display_table, run_comparison, talking_points
from sim.viz.figures import compare_figure, data_uri, difference_figure
from sim.viz.timeline import timeline

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 20px; line-height: 1.45; margin: 2em auto;
       max-width: 1200px; color: #1b1b1b; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; border-bottom: 2px solid #2471a3; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; } td, th { border: 1px solid #bbb; padding: 4px 8px; }
th { background: #eaf2f8; } img { max-width: 100%; } li { margin: 0.3em 0; }
.timeline { columns: 2; font-size: 0.8em; } .muted { color: #555; }
"""


def _timeline_html(comparison, arm: str, limit: int = 40) -> str:
    runs = comparison.runs[comparison.runs["scenario"] == arm]
    first = runs["replicate"].min()
    events = comparison.events[(comparison.events["scenario"] == arm) & (comparison.events["replicate"] == first)]
    weekly = comparison.weekly[(comparison.weekly["scenario"] == arm) & (comparison.weekly["replicate"] == first)]
    story = timeline(events.drop(columns=["scenario", "replicate", "seed"]), weekly)
    story = story[story["kind"] != "meeting"]
    items = "".join(f"<li>{html.escape(t)}</li>" for t in story["text"].head(limit))
    rest = "".join(f"<li>{html.escape(t)}</li>" for t in story["text"].iloc[limit:])
    more = (f"<details><summary>The other {len(story) - limit} events</summary>"
            f"<ol class='timeline' start='{limit + 1}'>{rest}</ol></details>") if len(story) > limit else ""
    return (f"<h3>{html.escape(arm)} (replicate {first}, joint meetings left out)</h3>"
            f"<ol class='timeline'>{items or '<li>No events.</li>'}</ol>{more}")


def render(comparison, descriptions: dict[str, str], command: str) -> str:
    """The debrief pack's HTML for a finished ``sim.compare`` result."""
    a, b = arm_names(comparison)
    replicates = comparison.runs.groupby("scenario").size().min()
    points = "".join(f"<li>{html.escape(p)}</li>" for p in talking_points(comparison))
    table = display_table(comparison).to_html(index=False, escape=True, border=0)
    curves = data_uri(compare_figure(comparison.weekly, (a, b), f"{a} vs {b}: mean and 95 % band over "
                                                                f"{replicates} paired replicates"))
    differences = data_uri(difference_figure(comparison.table, a, b))
    brief = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(descriptions.get(name, ''))}</li>"
                    for name in (a, b))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Debrief: {html.escape(a)} vs {html.escape(b)}</title>
<style>{STYLE}</style></head><body>
<h1>Debrief: {html.escape(a)} vs {html.escape(b)}</h1>
<p class="muted">{replicates} paired replicates per preset (common random numbers), made with
<code>{html.escape(command)}</code>.</p>
<h2>1. The two companies</h2><ul>{brief}</ul>
<h2>2. What the model shows (talking points)</h2><ul>{points}</ul>
<h2>3. The numbers</h2>{table}
<p class="muted">Mean [95 % confidence interval] over replicates, each cut to the outcome's scale; the
difference is paired by seed ({html.escape(b)} minus {html.escape(a)}), in percentage points (pp) where the
outcome is a percentage, with the relative change in % and the paired t-test p-value; "no variance across
replicates" marks a difference that is the same in every replicate, which has no test.</p>
<h2>4. Over time</h2><img alt="Weekly revenue, active customers, trust and alignment stage of both presets"
 src="{curves}">
<h2>5. Paired differences</h2><img alt="Paired difference of each outcome" src="{differences}">
<h2>6. What happened and why</h2>{_timeline_html(comparison, a)}{_timeline_html(comparison, b)}
</body></html>
"""


def build(scenario: str, compare_with: str, replicates: int = 10, seed: int = 0, overrides=()) -> str:
    """Run the comparison and return the debrief pack's HTML."""
    from sim.loading import load_config

    configs = [load_config(name, list(overrides)) for name in (scenario, compare_with)]
    if configs[0].name == configs[1].name:
        configs[1].name += "_b"
    comparison = run_comparison(configs[0], configs[1], replicates, seed)
    command = f"alignsim report scenario={scenario} compare_with={compare_with} replicates={replicates} seed={seed}"
    command += "".join(f" {o}" for o in overrides)
    return render(comparison, {c.name: c.description for c in configs}, command)


def write(path: str | Path, scenario: str, compare_with: str, replicates: int = 10, seed: int = 0,
          overrides=()) -> Path:
    """Write the debrief pack to ``path`` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build(scenario, compare_with, replicates, seed, overrides), encoding="utf-8")
    return path



