"""The architecture holds: no import cycle in sim/, no sys.path edits, Mesa's tools work on the model, keyword
levers are validated, and the worked example of docs/architecture.md runs as written."""

from __future__ import annotations

import ast
import re
import sys
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


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, type_checking: bool = False, nested: bool = False) -> set[str]:
    """Modules of sim that ``path`` imports.

    ``from pkg import sub`` is an edge to the package ``pkg`` (its ``__init__`` runs and its namespace is read)
    and, when ``sub`` is a submodule, to ``pkg.sub`` too; ``from pkg.mod import name`` is an edge to ``pkg.mod``;
    ``import pkg.mod`` an edge to ``pkg.mod``.  Module-level imports always count; those under ``if
    TYPE_CHECKING:`` count with ``type_checking``, those inside functions and classes with ``nested``.
    """
    found: set[str] = set()

    def visit(nodes, in_type_checking: bool, in_body: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                if type_checking:
                    visit(node.body, True, in_body)
                visit(node.orelse, in_type_checking, in_body)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if nested:
                    visit(node.body, in_type_checking, True)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and (
                    node.module == "sim" or node.module.startswith("sim.")):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}"))
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name == "sim" or a.name.startswith("sim."))
            else:
                for child in ("body", "orelse", "finalbody", "handlers"):
                    block = getattr(node, child, None)
                    if isinstance(block, list) and block and isinstance(block[0], ast.AST):
                        visit(block, in_type_checking, in_body)

    visit(ast.parse(path.read_text()).body, False, False)
    return found


def _graph(folder: Path, type_checking: bool = False, nested: bool = False) -> nx.DiGraph:
    """The import graph of the modules under ``folder`` (edges to modules outside it are dropped)."""
    graph = nx.DiGraph()
    modules = {_module_name(p): p for p in folder.rglob("*.py")}
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(path, type_checking, nested):
            if target in modules and target != name:
                graph.add_edge(name, target)
    return graph


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    return sorted(sorted(c) for c in nx.simple_cycles(graph))


def test_no_import_cycle_in_sim():
    """No cycle in sim/ among module-level imports, package edges and ``if TYPE_CHECKING:`` imports included."""
    cycles = _cycles(_graph(SIM, type_checking=True))
    assert not cycles, f"import cycles in sim/: {cycles}"


def test_no_import_cycle_in_studies_counting_type_checking_package_and_deferred_imports():
    """sim/studies has no cycle even counting ``if TYPE_CHECKING:`` imports, imports inside functions and the
    package edge of ``from sim.studies import seeds``: every module can be read on its own, bottom up."""
    cycles = _cycles(_graph(SIM / "studies", type_checking=True, nested=True))
    assert not cycles, f"import cycles in sim/studies/: {cycles}"


def test_import_graph_sees_package_type_checking_and_nested_edges(tmp_path, monkeypatch):
    """The analysis itself: the three kinds of edge a cycle can hide behind are seen (a test that cannot fail
    is a defect)."""
    source = tmp_path / "mod.py"
    source.write_text("from typing import TYPE_CHECKING\n"
                      "from sim.studies import seeds\n"
                      "if TYPE_CHECKING:\n    from sim.studies.declarations import Study\n"
                      "def late():\n    from sim.studies.report import readme\n")
    assert _imports(source) == {"sim.studies", "sim.studies.seeds"}
    assert _imports(source, type_checking=True) == {"sim.studies", "sim.studies.seeds", "sim.studies.declarations"}
    assert "sim.studies.report" in _imports(source, nested=True)
    package = tmp_path / "sim" / "studies"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from sim.studies.a import x\n")
    (package / "a.py").write_text("from sim.studies import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sim.studies.a\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _cycles(_graph(package)) == [["sim.studies", "sim.studies.a"]]
    assert ["sim.studies.a", "sim.studies.b"] in _cycles(_graph(package, type_checking=True))


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
