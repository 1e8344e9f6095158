"""``sim.calibrate(...)``: screen, calibrate, store (the chain ``alignsim calibrate`` runs).

Default files live in :data:`FOLDER` (``experiments/calibration/``): the Morris screen
(``screening.parquet``), the posterior (``posterior.parquet``), the predictive and contraction tables and the
recovery results, all generated; ``docs/validation.md`` shows them (:mod:`sim.calibration.report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from sim.calibration import screening
from sim.calibration.engine import fit
from sim.calibration.patterns import PUBLISHED, Pattern
from sim.calibration.posterior import Posterior
from sim.calibration.priors import priors
from sim.calibration.simulator import simulate

FOLDER = Path(__file__).resolve().parents[2] / "experiments" / "calibration"
"""Where the published calibration's files are written."""
SCREEN_FILE = FOLDER / "screening.parquet"
POSTERIOR_FILE = FOLDER / "posterior.parquet"
CALIBRATED_COUNT = 10
"""How many parameters the default calibration fits: every pattern's strongest driver, then the screen's next
strongest (with ~150 candidates and a 30-minute budget on 2 cores, an ABC-SMC of a dozen or so parameters
contracts; of a hundred it would stay at the prior)."""
ALWAYS = ("sales.quota_deals",)
"""Fields calibrated whatever the screen says: the quota, the one default the old calibration fitted by hand."""


def chosen_fields(screen: screening.Screen, count: int = CALIBRATED_COUNT, always: Sequence[str] = ALWAYS) -> list[str]:
    """The fields the calibration fits: the screen's :func:`~sim.calibration.screening.select`."""
    return screening.select(screen, count, always)


def calibrate(targets: str | Sequence[Pattern] = "published", *, firm: str | Path | None = None,
              fields: Sequence[str] | None = None, screen: str | Path | screening.Screen | None = None,
              count: int = CALIBRATED_COUNT, population: int | None = None, generations: int | None = None,
              target_epsilon: float = 1.0, walltime_minutes: float | None = None, n_jobs: int | None = None,
              dask_address: str | None = None, seed: int = 0, progress: bool = True,
              out: str | Path | None = POSTERIOR_FILE):
    """Calibrate the model to published patterns (``targets="published"`` or a list of
    :class:`~sim.calibration.patterns.Pattern`), or a firm to its own data (``firm="firm.yaml"``, see
    :mod:`sim.calibration.firm`).

    The fields are ``fields`` when given, else the screen's top ``count`` (``screen``: a
    :class:`~sim.calibration.screening.Screen` or its file, default :data:`SCREEN_FILE`).  The posterior is
    written to ``out`` (None: not written) and returned.  Budget arguments go to
    :func:`sim.calibration.engine.fit`: by default a population of 100, 8 generations and 25 minutes for the
    published patterns; a firm's calibration has its own smaller defaults
    (:func:`sim.calibration.firm.calibrate_firm`) and returns a :class:`~sim.calibration.firm.FirmCalibration`."""
    budget = {k: v for k, v in (("population", population), ("generations", generations),
                                ("walltime_minutes", walltime_minutes)) if v is not None}
    if firm is not None:
        from sim.calibration.firm import calibrate_firm

        return calibrate_firm(firm, n_jobs=n_jobs or 2, seed=seed, progress=progress, **budget)
    budget = {"population": 100, "generations": 8, "walltime_minutes": 25.0, **budget}
    patterns = list(PUBLISHED if targets == "published" else targets)
    if fields is None:
        scr = screen if isinstance(screen, screening.Screen) else screening.Screen.load(screen or SCREEN_FILE)
        fields = chosen_fields(scr, count)
    prior_set = priors(fields)
    post = fit(prior_set, partial(simulate, patterns=tuple(patterns)), patterns, target_epsilon=target_epsilon,
               n_procs=n_jobs, **budget, dask_address=dask_address, seed=seed, progress=progress,
               meta={"market": "default (20,000 accounts, 156 weeks)", "targets": "published"})
    if out is not None:
        post.save(out)
    return post


def load_posterior(path: str | Path = POSTERIOR_FILE) -> Posterior:
    """The stored posterior (the published calibration's by default)."""
    return Posterior.load(path)
