"""Statistical equivalence of the vectorised model and the per-agent reference.

Both models run the same config on independent seeds; for each key output the two samples of
per-run values are compared with a two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``) and a
difference-of-means check.  Used by ``tests/test_equivalence.py`` (small config, CI) and by
``benchmarks/run_benchmarks.py`` (reported in ``benchmarks/README.md``).  Import it as
``benchmarks.reference.equivalence`` from the repository root.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.model import AlignmentModel

from .per_agent import PerAgentModel

KEY_OUTPUTS = ("revenue_total", "customers_won", "active_customers_end", "lead_acceptance", "churn_annual",
               "installed_base_revenue_total", "grr_annual", "nrr_annual")
"""The outputs whose distributions must agree."""

SMALL_OVERRIDES = ("market.accounts=2000", "market.initial_customers=40", "weeks=52")
"""A small market (the default's 2 % installed base) for one year: the CI equivalence config."""


def _run_one(kind: str, cfg, seed: int) -> pd.Series:
    """The summary of one run of the vectorised model (``kind="fast"``) or of the per-agent reference."""
    model = (AlignmentModel if kind == "fast" else PerAgentModel)(cfg, rng=int(seed))
    model.run_for(cfg.weeks)
    return model.summary()


def compare_models(cfg, replicates: int = 24, root_seed: int = 0, n_jobs: int = 1,
                   reference_cfg=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run ``replicates`` seeds of the vectorised model and as many (independent) seeds of the per-agent
    reference.  ``reference_cfg`` (default ``cfg``) lets a power check give the reference different rules.

    Returns (fast summaries, reference summaries, table with per output: both means, their difference,
    its standard error, the KS statistic and p-value).
    """
    from sim.runner import replicate_seeds

    seeds = replicate_seeds(root_seed, 2 * replicates)
    tasks = [("fast", cfg, s) for s in seeds[:replicates]]
    tasks += [("reference", reference_cfg or cfg, s) for s in seeds[replicates:]]
    if n_jobs == 1:
        results = [_run_one(*t) for t in tasks]
    else:  # workers import this module by name: run from the repository root (python -m ...)
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(delayed(_run_one)(*t) for t in tasks)
    fast, ref = pd.DataFrame(results[:replicates]), pd.DataFrame(results[replicates:])
    rows = []
    for name in KEY_OUTPUTS:
        a, b = fast[name].to_numpy(float), ref[name].to_numpy(float)
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        ks = stats.ks_2samp(a, b)
        se = float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))
        rows.append({"output": name, "vectorised_mean": a.mean(), "per_agent_mean": b.mean(),
                     "difference": a.mean() - b.mean(), "se_difference": se,
                     "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue)})
    return fast, ref, pd.DataFrame(rows)
