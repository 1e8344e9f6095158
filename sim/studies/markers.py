"""Generated sections of hand-written documents: text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``."""

from __future__ import annotations

from pathlib import Path


def splice(path: Path, name: str, text: str) -> None:
    """Replace what lies between the ``name`` markers of ``path`` with ``text`` (the markers stay).

    Raises:
        ValueError: the document lacks the markers (a generated table needs its place set by hand first).
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    doc = path.read_text()
    if start not in doc or end not in doc:
        raise ValueError(f"{path} has no '{start}' ... '{end}' markers for the generated {name} section")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text.rstrip()}\n{end}{tail}")


def splice_if_marked(path: Path, name: str, text: str) -> bool:
    """:func:`splice` when ``path`` exists and holds the markers; otherwise say so on stdout.  Returns whether it
    did."""
    try:
        splice(path, name, text)
        return True
    except (FileNotFoundError, ValueError) as err:
        print(f"not written into {path}: {err}")
        return False
