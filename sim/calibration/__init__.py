"""Calibration with uncertainty: priors from the schema, published patterns, Morris screening, ABC-SMC (pyabc),
a stored posterior, and the checks of the calibration itself.

- :mod:`sim.calibration.priors`: one :class:`~sim.calibration.priors.Prior` per prior-ranged model parameter;
- :mod:`sim.calibration.patterns`: the published patterns (bands, sources, tolerances) and the ABC distance;
- :mod:`sim.calibration.simulator`: a parameter set in, the patterns' statistics out (every arm on one seed);
- :mod:`sim.calibration.screening`: Morris elementary effects over every prior, and the parameters to calibrate;
- :mod:`sim.calibration.engine`: ABC-SMC on pyabc (multicore sampler here, Dask sampler on a cluster);
- :mod:`sim.calibration.posterior`: the weighted particles, saved as Parquet with the commit and the targets.

``sim.calibrate(...)`` (:func:`sim.calibration.api.calibrate`) runs the whole chain; ``alignsim calibrate`` is its
command line.
"""
