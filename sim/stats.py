"""The statistics alignsim reports, each written once on scipy and statsmodels.

- :func:`mean_ci`: mean and t-based confidence interval of replicates (NaN bounds when it cannot be computed).
- :func:`band`: the same per group (scenario x week), for the bands of the figures.
- :func:`paired`: a paired comparison on common random numbers: difference, CI, paired t and Wilcoxon p.
- :func:`adjust`: multiple-comparison correction (Holm-Bonferroni by default, or Benjamini-Hochberg).
- :func:`equivalence`: a paired two one-sided tests (TOST) equivalence test within a stated margin.
- :func:`detectable_difference`: the smallest paired difference a test detects with 80 % power.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
"""Confidence level of every interval alignsim reports."""


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval over ``n`` values; ``low``/``high`` are NaN when n < 2."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def computable(self) -> bool:
        """Whether the interval could be computed (at least two values)."""
        return self.n >= 2 and not np.isnan(self.low)


def _clean(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[~np.isnan(x)]


def mean_ci(x, level: float = LEVEL) -> Interval:
    """Mean of ``x`` (NaNs dropped) and its t-based ``level`` confidence interval."""
    x = _clean(x)
    if x.size == 0:
        return Interval(np.nan, np.nan, np.nan, 0)
    m = float(x.mean())
    if x.size < 2:
        return Interval(m, np.nan, np.nan, 1)
    half = float(stats.sem(x) * stats.t.ppf(0.5 + level / 2, x.size - 1))
    return Interval(m, m - half, m + half, int(x.size))


def band(frame: pd.DataFrame, by: list[str], column: str, level: float = LEVEL) -> pd.DataFrame:
    """Mean, low and high of ``column`` per group of ``by`` (e.g. scenario and week), t-based over replicates;
    a group of one replicate gets the mean as both bounds (a line without a band)."""
    g = frame.groupby(by, sort=False)[column]
    out = g.agg(["mean", "sem", "count"]).reset_index()
    half = out["sem"].fillna(0) * stats.t.ppf(0.5 + level / 2, np.maximum(out["count"] - 1, 1))
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out.drop(columns="sem")


@dataclass(frozen=True)
class Paired:
    """A paired comparison of ``treatment`` against ``baseline`` over replicates that share seeds.

    Attributes:
        n: pairs with both values present.
        baseline_mean, treatment_mean: arm means over those pairs.
        difference: mean of (treatment - baseline); ``low``/``high`` its confidence interval.
        relative: difference / baseline mean (NaN when the baseline mean is 0).
        p: two-sided paired t-test p-value; ``p_wilcoxon`` the signed-rank test's, as a check.
        sd: standard deviation of the paired differences (for power).
    """

    n: int
    baseline_mean: float
    treatment_mean: float
    difference: float
    low: float
    high: float
    relative: float
    p: float
    p_wilcoxon: float
    sd: float

    def as_dict(self) -> dict:
        return asdict(self)


def paired(baseline, treatment, level: float = LEVEL) -> Paired:
    """Compare two arrays of per-replicate values, element k of each from the same seed.

    A pair with a NaN on either side is dropped.  When every difference is equal the t-test is undefined:
    p is 0 for a non-zero constant difference (no sampling noise at all) and 1 for a zero one.
    """
    a, b = np.asarray(baseline, dtype=float), np.asarray(treatment, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.size} vs {b.size}")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    d = b - a
    ci = mean_ci(d, level)
    if d.size > 1 and np.ptp(d) > 0:
        p = float(stats.ttest_rel(b, a).pvalue)
        p_w = float(stats.wilcoxon(b, a).pvalue) if np.count_nonzero(d) > 0 else 1.0
    elif d.size:
        p = p_w = 0.0 if d[0] != 0 and d.size > 1 else (1.0 if d.size > 1 else np.nan)
    else:
        p = p_w = np.nan
    ma = float(a.mean()) if a.size else np.nan
    mb = float(b.mean()) if b.size else np.nan
    return Paired(n=int(d.size), baseline_mean=ma, treatment_mean=mb, difference=ci.mean, low=ci.low,
                  high=ci.high, relative=ci.mean / ma if ma else np.nan, p=p, p_wilcoxon=p_w,
                  sd=float(d.std(ddof=1)) if d.size > 1 else np.nan)


METHODS = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni"}
"""Corrections :func:`adjust` accepts, mapped to statsmodels' names."""


def adjust(pvalues, method: str = "holm") -> np.ndarray:
    """P-values adjusted for multiple comparisons (Holm-Bonferroni controls the family-wise error rate;
    ``"bh"`` Benjamini-Hochberg controls the false discovery rate).  NaNs stay NaN and are not counted."""
    from statsmodels.stats.multitest import multipletests

    if method not in METHODS:
        raise ValueError(f"unknown correction {method!r}: allowed {sorted(METHODS)}")
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=METHODS[method])[1]
    return out


def equivalence(baseline, treatment, margin: float) -> float:
    """P-value of a paired TOST: is the mean difference within ``[-margin, +margin]``?

    A small p supports equivalence (both one-sided tests reject a difference beyond the margin).
    ``margin`` is in the outcome's own unit and must be stated with the result.
    """
    from statsmodels.stats.weightstats import ttost_paired

    if margin <= 0:
        raise ValueError(f"equivalence margin must be positive, got {margin}")
    a, b = np.asarray(baseline, dtype=float), np.asarray(treatment, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if a.size < 2:
        return np.nan
    if np.ptp(b - a) == 0:
        return 0.0 if abs(b[0] - a[0]) < margin else 1.0
    return float(ttost_paired(b, a, -margin, margin)[0])


def detectable_difference(sd: float, n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest mean paired difference (in the outcome's unit) a two-sided paired t-test of ``n`` pairs
    detects with probability ``power`` at level ``alpha``, given the differences' standard deviation."""
    from statsmodels.stats.power import TTestPower

    if n < 2 or not np.isfinite(sd):
        return np.nan
    effect = TTestPower().solve_power(nobs=n, alpha=alpha, power=power, alternative="two-sided")
    return float(effect * sd)
