"""A stated condition on outcomes ("nrr_annual >= 1.0 and cash_balance_end > 0"), parsed safely.

Grammar: comparisons ``OUTCOME OP NUMBER`` (or ``NUMBER OP OUTCOME``) with OP one of ``>= > <= < == !=``, joined
by ``and`` / ``or``, negated by ``not``, grouped by parentheses.  Numbers are in the model's units (shares 0-1,
EUR); a number written with ``%`` is a percentage (``nrr_annual >= 100%`` is ``nrr_annual >= 1``).  An outcome
is a name of :data:`sim.outcomes.RUN_OUTCOMES`.  A run where an outcome of the condition is undefined (NaN)
does not meet it.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import ConfigError

_OPS = {ast.GtE: operator.ge, ast.Gt: operator.gt, ast.LtE: operator.le, ast.Lt: operator.lt, ast.Eq: operator.eq,
        ast.NotEq: operator.ne}
_PERCENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*%")
SYNTAX = ("comparisons OUTCOME OP NUMBER with OP in >=, >, <=, <, ==, !=, joined by and / or (e.g. "
          "'nrr_annual >= 1.0 and cash_balance_end > 0')")


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its text and the outcomes it reads."""

    text: str
    tree: ast.Expression
    outcomes: tuple[str, ...]

    def __call__(self, table: pd.DataFrame | dict) -> np.ndarray:
        """Whether each row (experiment, design point or run) of ``table`` meets the condition (bool array)."""
        missing = [o for o in self.outcomes if o not in table]
        if missing:
            raise ConfigError(f"condition {self.text!r}: outcome {missing[0]!r} is not in the results: allowed: "
                              + ", ".join(str(c) for c in table if str(c) in _run_outcomes()))
        columns = {o: np.asarray(table[o], dtype=float) for o in self.outcomes}
        return np.asarray(_evaluate(self.tree.body, columns), dtype=bool)

    def describe(self) -> str:
        """The condition in the outcomes' labels and display units ("Net revenue retention >= 100.0 %")."""
        return _describe(self.tree.body)


def _run_outcomes():
    from sim.outcomes import RUN_OUTCOMES

    return RUN_OUTCOMES


def parse(text: str) -> Condition:
    """Parse ``text``; :class:`ConfigError` names what is wrong (syntax, an unknown outcome with a "did you
    mean", or a construct the grammar does not allow)."""
    if not str(text).strip():
        raise ConfigError(f"condition '' is not valid: give {SYNTAX}")
    source = _PERCENT.sub(lambda m: repr(float(m.group(1)) / 100), str(text))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ConfigError(f"condition {text!r} is not valid syntax ({err.msg} at column {err.offset}): "
                          f"give {SYNTAX}") from None
    names: list[str] = []
    _check(tree.body, text, names)
    return Condition(str(text), tree, tuple(dict.fromkeys(names)))


def _check(node: ast.AST, text: str, names: list[str]) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, text, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, text, names)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _OPS:
        sides = [node.left, node.comparators[0]]
        kinds = [_side(s, text) for s in sides]
        if sorted(kinds) != ["name", "number"]:
            raise ConfigError(f"condition {text!r}: '{ast.unparse(node)}' must compare one outcome with one number")
        names.append(next(s.id for s, k in zip(sides, kinds) if k == "name"))
    else:
        raise ConfigError(f"condition {text!r}: '{ast.unparse(node)}' is not allowed: give {SYNTAX}")


def _side(node: ast.AST, text: str) -> str:
    if isinstance(node, ast.Name):
        if node.id not in _run_outcomes():
            import difflib

            hint = difflib.get_close_matches(node.id, _run_outcomes(), n=1)
            did = f"did you mean {hint[0]!r}? " if hint else ""
            raise ConfigError(f"condition {text!r}: {node.id!r} is not an outcome: {did}allowed: "
                              + ", ".join(_run_outcomes()))
        return "name"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _side(node.operand, text)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return "number"
    raise ConfigError(f"condition {text!r}: '{ast.unparse(node)}' is neither an outcome nor a number")


def _evaluate(node: ast.AST, columns: dict[str, np.ndarray]):
    if isinstance(node, ast.BoolOp):
        parts = [_evaluate(v, columns) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for part in parts[1:]:
            out = combine(out, part)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return np.logical_not(_evaluate(node.operand, columns))
    if isinstance(node, ast.Compare):
        left, right = (_operand(s, columns) for s in (node.left, node.comparators[0]))
        with np.errstate(invalid="ignore"):
            return _OPS[type(node.ops[0])](left, right) & ~np.isnan(left + right)
    if isinstance(node, ast.UnaryOp):
        return -_operand(node.operand, columns)
    return _operand(node, columns)


def _operand(node: ast.AST, columns: dict[str, np.ndarray]):
    if isinstance(node, ast.Name):
        return columns[node.id]
    if isinstance(node, ast.UnaryOp):
        return -_operand(node.operand, columns)
    return float(node.value)


_SYMBOLS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<", ast.Eq: "=", ast.NotEq: "!="}


def _describe(node: ast.AST) -> str:
    from sim.outcomes import outcome

    if isinstance(node, ast.BoolOp):
        word = " and " if isinstance(node.op, ast.And) else " or "
        return word.join(f"({_describe(v)})" if isinstance(v, ast.BoolOp) else _describe(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"not ({_describe(node.operand)})"
    left, right = node.left, node.comparators[0]
    name = left if isinstance(left, ast.Name) else right
    number = right if name is left else left
    spec = outcome(name.id)
    value = f"{spec.format(_operand(number, {}))} {spec.unit}".strip()
    symbol = _SYMBOLS[type(node.ops[0])]
    return f"{spec.label} {symbol} {value}" if name is left else f"{value} {symbol} {spec.label}"
