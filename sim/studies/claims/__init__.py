"""One module per claim study; each defines ``STUDY`` (a :class:`sim.studies.declarations.Study`) and is found by
:mod:`sim.studies.catalogue`."""
