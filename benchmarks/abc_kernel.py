"""Effective sample size of ABC-SMC with pyabc's proposal kernels, on a toy problem shaped like the calibration.

Ten parameters on the unit cube, sixteen statistics that each depend on a few of them (a sparse random linear map
of a mildly non-linear transform, plus noise), a root-mean-square distance in tolerances, the median threshold
and a population of 100, as in :func:`sim.calibration.engine.fit`.  For each kernel the script reports the
effective sample size (Kish) of every generation, the simulations used and the final threshold, and the ratio
of the last generation's effective size to the default kernel's.  The toy simulator costs microseconds, so the
comparison takes seconds.  ``python -m benchmarks.abc_kernel`` (it chose
:data:`sim.calibration.engine.KERNEL_SCALING`).
"""

from __future__ import annotations

import logging
import os
import tempfile

import numpy as np

PARAMETERS, STATISTICS, POPULATION, GENERATIONS, TOLERANCE = 10, 16, 100, 5, 0.3


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(STATISTICS, PARAMETERS)) * (rng.uniform(size=(STATISTICS, PARAMETERS)) < 0.3)

    def model(p):
        x = np.array([p[f"u{i}"] for i in range(PARAMETERS)])
        y = weights @ (x + 0.3 * x ** 2) + np.random.normal(0, 0.05, STATISTICS)
        return {f"s{k}": y[k] for k in range(STATISTICS)}

    truth = np.full(PARAMETERS, 0.4)
    observed = {f"s{k}": v for k, v in enumerate(weights @ (truth + 0.3 * truth ** 2))}
    return model, observed


def run(kernel, seed: int = 1) -> dict:
    """One ABC-SMC run with ``kernel`` (a pyabc transition, or None for pyabc's default)."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.ERROR)
    model, observed = _problem()

    def distance(x, x0):
        return float(np.sqrt(np.mean([((x[k] - x0[k]) / TOLERANCE) ** 2 for k in x0])))

    prior = pyabc.Distribution(**{f"u{i}": pyabc.RV("uniform", 0, 1) for i in range(PARAMETERS)})
    np.random.seed(seed)
    extra = {} if kernel is None else {"transitions": kernel}
    abc = pyabc.ABCSMC(model, prior, distance, population_size=POPULATION,
                       sampler=pyabc.sampler.SingleCoreSampler(),
                       eps=pyabc.QuantileEpsilon(initial_epsilon=1e12, alpha=0.5), **extra)
    abc.new("sqlite:///" + os.path.join(tempfile.mkdtemp(), "abc.db"), observed)
    history = abc.run(max_nr_populations=GENERATIONS)
    sizes = []
    for t in range(history.max_t + 1):
        w = np.asarray(history.get_distribution(t=t)[1], dtype=float)
        sizes.append(float(w.sum() ** 2 / np.sum(w ** 2)))
    return {"effective_sizes": sizes, "simulations": int(history.total_nr_simulations),
            "epsilon": float(history.get_all_populations()["epsilon"].iloc[-1])}


def main() -> None:
    import pyabc

    kernels = {"default (Silverman)": None, "local (k = 25 %)": pyabc.transition.LocalTransition(),
               "normal, scaling 1.5": pyabc.transition.MultivariateNormalTransition(scaling=1.5),
               "normal, scaling 2": pyabc.transition.MultivariateNormalTransition(scaling=2),
               "normal, scaling 3": pyabc.transition.MultivariateNormalTransition(scaling=3)}
    results = {name: run(kernel) for name, kernel in kernels.items()}
    base = results["default (Silverman)"]["effective_sizes"][-1]
    print(f"| kernel | effective size per generation (of {POPULATION}) | simulations | final threshold | "
          "last effective size / default's |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        sizes = ", ".join(f"{s:.0f}" for s in r["effective_sizes"])
        print(f"| {name} | {sizes} | {r['simulations']} | {r['epsilon']:.2f} | "
              f"{r['effective_sizes'][-1] / base:.1f} |")


if __name__ == "__main__":
    main()
