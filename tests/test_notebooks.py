"""The tutorial notebooks (notebooks/NN_*.ipynb): each runs top to bottom in a fresh ``python3`` kernel, its
folded exercise solutions included, and each is stored with its outputs stripped.

One test per notebook, so ``pytest -n 2`` spreads them over workers.  Every notebook keeps ``FULL = False``
(small markets, few replicates) and runs in well under two minutes on two cores.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
SOLUTION = re.compile(r"<details>.*?```python\n(.*?)```.*?</details>", re.S)
TIME_LIMIT_S = 300
"""A guard against a notebook growing heavy.  The bar itself, under 2 minutes per notebook on 2 cores, is measured
on idle cores (docs/notebooks.md gives the times); a machine shared with other jobs runs slower."""


def solutions(nb) -> list[str]:
    """The code of the exercise solutions folded in ``<details>`` blocks of the markdown cells."""
    return [m.group(1) for cell in nb.cells if cell.cell_type == "markdown" for m in SOLUTION.finditer(cell.source)]


HEADLESS_INTERACT = '''\
import ipywidgets


def _interact_once(function, **controls):
    """No browser drives the sliders here: call the function once with each control's initial value."""
    function(**{name: getattr(control, "value", control) for name, control in controls.items()})


ipywidgets.interact = _interact_once
'''
"""Run first in every executed notebook.  A live ``ipywidgets.interact`` captures its figure in an Output widget,
and nbclient intermittently blocks on those comm messages with no frontend attached (jupyter/nbclient#312: the
notebook 01 test hung for minutes in about one run in three).  The stand-in still runs the widget's drawing
function with the sliders' starting values, so the code behind the widget is executed and its figure checked."""


def execute(path: Path, with_solutions: bool = True, timeout: int = 300):
    """Execute the notebook at ``path`` (in its own folder, as Jupyter does); return it with its outputs."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(HEADLESS_INTERACT))
    if with_solutions:
        nb.cells += [nbformat.v4.new_code_cell(source) for source in solutions(nb)]
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def test_notebooks_found():
    """The notebooks are numbered 01, 02, ... without gaps (the README and docs/notebooks.md list them)."""
    assert NOTEBOOKS and [int(p.name[:2]) for p in NOTEBOOKS] == list(range(1, len(NOTEBOOKS) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path):
    """The notebook and its exercise solutions run without an error, within the time bar."""
    start = time.perf_counter()
    nb = execute(path)
    elapsed = time.perf_counter() - start
    assert solutions(nbformat.read(path, as_version=4)), f"{path.name} has no folded exercise solutions"
    assert elapsed < TIME_LIMIT_S, f"{path.name} took {elapsed:.0f} s (limit {TIME_LIMIT_S} s)"
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs), f"{path.name} drew no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stored_without_outputs(path: Path):
    """Stored notebooks carry no outputs and no execution counts (strip them before committing:
    ``jupyter nbconvert --clear-output --inplace notebooks/*.ipynb``)."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs or execution counts; strip them before committing"
    assert "widgets" not in nb.metadata, f"{path.name}: stored widget state; strip it before committing"
    assert not [c for c in nb.cells if c.cell_type == "code" and re.search(r"^\s*FULL\s*=\s*True", c.source, re.M)], \
        f"{path.name}: FULL must stay False in the stored notebook"
