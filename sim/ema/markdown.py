"""A table as Markdown (pandas' ``to_markdown`` needs the optional ``tabulate`` package)."""

from __future__ import annotations

import pandas as pd


def table(frame: pd.DataFrame) -> str:
    """``frame`` as a Markdown table, one row per row, cells as pandas prints them (floats with up to 4
    significant digits)."""
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
