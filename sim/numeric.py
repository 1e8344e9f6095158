"""Small numeric helpers on short Python lists, bit for bit like numpy's but without its per-call overhead
(they run several times a week in every run)."""

from __future__ import annotations

import numpy as np


def mean_of(values) -> float:
    """``float(np.mean(values))`` for a short list of floats, bit for bit."""
    return float(np.add.reduce(np.array(values, dtype=float)) / len(values))


def clip01(v: float) -> float:
    """``np.clip(v, 0, 1)`` for a Python float (NaN stays NaN)."""
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v
