"""The architecture holds: no import cycle in sim/, no sys.path edits, Mesa's tools work on the model, keyword
levers are validated, and the worked example of docs/architecture.md runs as written."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mesa
import networkx as nx
import pytest

import sim
from sim.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _top_level_imports(path: Path) -> set[str]:
    """Modules of sim imported at module level (not inside functions, not under TYPE_CHECKING); ``from pkg import
    sub`` counts as importing the submodule ``pkg.sub`` when ``sub`` is one."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _is_module(sub) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim"))
    return found


def test_no_import_cycle_in_sim():
    graph = nx.DiGraph()
    for path in SIM.rglob("*.py"):
        graph.add_node(_module_name(path))
        for target in _top_level_imports(path):
            graph.add_edge(_module_name(path), target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles in sim/: {cycles}"


def test_no_sys_path_edits():
    offenders = [str(p.relative_to(ROOT)) for folder in ("sim", "tests") for p in (ROOT / folder).rglob("*.py")
                 if re.search(r"sys\.path\.(insert|append)", p.read_text())]
    assert not offenders, f"sys.path edited in {offenders}"


SMALL = {"market.accounts": 1500, "market.initial_customers": 30, "weeks": 6}


def test_mesa_batch_run_on_two_lever_values():
    results = mesa.batch_run(sim.AlignmentModel, parameters={"policy.blame_culture": [0.0, 0.9], **SMALL},
                             rng=[3], max_steps=6, data_collection_period=1, display_progress=False)
    rows = [r for r in results if r["Step"] == 6]
    assert sorted(r["policy.blame_culture"] for r in rows) == [0.0, 0.9]
    assert all(r["revenue"] > 0 and 0 <= r["trust_mean"] <= 1 for r in rows)


def test_keyword_levers_reach_the_config_and_are_validated():
    model = sim.AlignmentModel(rng=1, policy__max_discount=0.1, **SMALL)
    assert model.config.policy.max_discount == 0.1 and model.config.market.accounts == 1500
    with pytest.raises(ConfigError, match="did you mean 'policy.max_discount'"):
        sim.AlignmentModel(rng=1, **{"policy.max_discont": 0.1})
    with pytest.raises(ConfigError, match=r"policy.max_discount = 1.7 .*\[0, 0.5\]"):
        sim.AlignmentModel(rng=1, **{"policy.max_discount": 1.7})


def test_levers_do_not_modify_the_given_config():
    cfg = sim.load_config("hundred_years_war", ["market.accounts=1500", "weeks=4"])
    sim.AlignmentModel(cfg, rng=1, **{"policy.blame_culture": 0.1})
    assert cfg.policy.blame_culture == 0.8


def test_datacollector_reports_the_weekly_row():
    model = sim.AlignmentModel(rng=2, **SMALL)
    model.run_for(6)
    frame = model.datacollector.get_model_vars_dataframe()
    weekly = model.weekly()
    assert len(frame) == 6
    assert frame["revenue"].tolist() == weekly["revenue"].tolist()
    assert not model.running


def test_stepping_past_the_horizon_is_refused():
    model = sim.AlignmentModel(rng=2, **SMALL)
    model.run_for(6)
    with pytest.raises(RuntimeError, match="horizon is 6 weeks"):
        model.step()


def test_worked_example_in_architecture_doc_runs():
    text = (ROOT / "docs" / "architecture.md").read_text()
    example = text[text.index("## Worked example"):]
    blocks = re.findall(r"```python\n(.*?)```", example, flags=re.S)
    assert len(blocks) == 4, "the worked example has four steps"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/architecture.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    with pytest.raises(ConfigError, match=r"welcome_call_lift = 0.9 .*\[0, 0.5\]"):
        namespace["with_lift"](0.9)
