"""Named seed roots: calibration, the published table and the fast tests never share runs.

Each root feeds ``numpy.random.SeedSequence(root).spawn(n)`` (:func:`sim.runner.replicate_seeds`), so the three
sets of replicates are independent streams: a default calibrated on one set of runs is judged on another, and
the fast CI tests do not re-use the first runs of the published table.
"""

CALIBRATION = 0
"""Runs the calibration of the defaults was read from (``docs/calibration.md``: seeds spawned from 0)."""
PUBLISHED_TABLE = 1
"""Runs of the full studies behind ``experiments/README.md``."""
FAST_TESTS = 2
"""Runs of the fast variants asserted by ``tests/test_claims.py``."""
ROBUSTNESS = 3
"""Runs of the robustness study on posterior draws (``alignsim study --all --robustness``)."""
INSTRUMENT = 4
"""Runs of the alignment instrument's reliability and validity study (:mod:`sim.studies.instrument`)."""
