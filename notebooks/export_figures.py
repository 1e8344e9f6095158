"""Execute the tutorial notebooks and save the figure of each cell tagged ``docs-figure`` to ``docs/img/``.

    python notebooks/export_figures.py            # all notebooks
    python notebooks/export_figures.py 03 05      # some of them

Prints each notebook's wall time.  The notebooks themselves stay stored without outputs: this script
executes copies in memory and writes only the PNG files named in the cells' ``alignsim.figure`` metadata.
"""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
IMG = HERE.parent / "docs" / "img"


def main(prefixes: list[str]) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    for path in sorted(HERE.glob("[0-9][0-9]_*.ipynb")):
        if prefixes and path.name[:2] not in prefixes:
            continue
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        print(f"{path.name}: {time.perf_counter() - start:.1f} s")
        for cell in nb.cells:
            name = cell.metadata.get("alignsim", {}).get("figure")
            if not name:
                continue
            images = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
            if not images:
                raise RuntimeError(f"{path.name}: the cell tagged for {name} drew no figure")
            (IMG / f"{name}.png").write_bytes(base64.b64decode(images[-1]))
            print(f"  -> docs/img/{name}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
