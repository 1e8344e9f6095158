"""A set of plausible firms: EMA scenarios drawn from the calibrated posterior, or from the priors.

A *firm* here is one plausible set of the uncertain parameters (how its market and its people behave).  When the
stored posterior (``experiments/calibration/posterior.parquet``) exists, the calibrated fields are drawn from
its particles by weight and every other prior-ranged field from its prior
(:meth:`sim.calibration.posterior.Posterior.plausible`), as the claims' robustness study does; without it, all
are drawn from the priors (a Latin hypercube, by each prior's shape).  Pass the result to EMA as
``scenarios=``.
"""

from __future__ import annotations

from pathlib import Path


def default_posterior() -> Path:
    """Where the published calibration stores its posterior."""
    from sim.calibration.api import POSTERIOR_FILE

    return POSTERIOR_FILE


def plausible_values(n: int, seed: int = 0, posterior: str | Path | None = None) -> list[dict]:
    """``n`` plausible parameter sets (dotted field -> value in the field's unit).

    Args:
        n: how many firms.
        seed: seed of the draws.
        posterior: the posterior file; None takes the published one where it exists, else the priors alone.
    """
    from sim.calibration.posterior import Posterior
    from sim.calibration.priors import all_priors, draw, values_at
    from sim.config import ConfigError

    if n < 1:
        raise ConfigError(f"firms = {n} is out of range: allowed a whole number >= 1")
    path = Path(posterior) if posterior is not None else default_posterior()
    if path.exists():
        return Posterior.load(path).plausible(n, seed)
    if posterior is not None:
        raise FileNotFoundError(f"posterior {path} does not exist (alignsim calibrate writes it)")
    prior_set = all_priors()
    return [values_at(prior_set, row) for row in draw(prior_set, n, seed)]


def plausible_firms(n: int, seed: int = 0, posterior: str | Path | None = None, ema_model=None):
    """``n`` plausible firms (see :func:`plausible_values`) as an EMA ``SampleCollection`` of scenarios over the
    uncertainties of ``ema_model`` (by default those of :func:`sim.ema.model`: every calibration candidate).

    A collection, not a list of ``Sample`` objects: EMA 3.0's ``perform_experiments`` fails to combine a list of
    samples with a sampled number of policies (``list + ParameterMap``)."""
    import numpy as np
    from ema_workbench.em_framework.points import SampleCollection

    from sim.config import ConfigError

    if ema_model is None:
        from sim.config import Config
        from sim.ema.parameters import uncertainties

        params = uncertainties(Config())
    else:
        params = list(ema_model.uncertainties)
    rows = plausible_values(n, seed, posterior)
    missing = [p.variable_name[0] for p in params if p.variable_name[0] not in rows[0]]
    if missing:
        raise ConfigError(f"plausible firms: no draw for the uncertainties {', '.join(missing)} (only the "
                          "prior-ranged calibration candidates are drawn)")
    return SampleCollection(np.array([[row[p.variable_name[0]] for p in params] for row in rows]), params)


def source(posterior: str | Path | None = None) -> str:
    """In words, where :func:`plausible_values` draws from."""
    path = Path(posterior) if posterior is not None else default_posterior()
    return (f"the calibrated fields drawn from the stored posterior (`{path.name}`), the other prior-ranged fields "
            "from their priors" if path.exists() else "every prior-ranged field drawn from its prior (no stored "
            "posterior)")
