"""Fingerprints of the weekly tables: SHA-1 of three scenarios x three seeds, for bit-identity checks.

A refactor that must change no result is checked by running this before and after and diffing the output::

    python benchmarks/fingerprint.py > before.txt      # on the old commit
    python benchmarks/fingerprint.py | diff before.txt -   # on the new one: no output means bit-identical
"""

from __future__ import annotations

import hashlib

import numpy as np

import sim

SCENARIOS = ("hundred_years_war", "full_alignment", "price_war")
SEEDS = (0, 1, 2)


def fingerprint(scenario: str, seed: int) -> str:
    """SHA-1 of the weekly table's values (column names and float64 bytes) and the event log of one run."""
    res = sim.run(sim.load_config(scenario), seed=seed)
    digest = hashlib.sha1()
    for column in sorted(res.weekly.columns):
        digest.update(column.encode())
        digest.update(np.ascontiguousarray(res.weekly[column].to_numpy(dtype=float)).tobytes())
    digest.update(res.events.to_csv(index=False).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    for scenario in SCENARIOS:
        for seed in SEEDS:
            print(scenario, seed, fingerprint(scenario, seed))
