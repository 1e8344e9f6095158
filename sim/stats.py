"""The statistics alignsim reports, each written once on scipy and statsmodels.

- :func:`mean_ci`: mean and t-based confidence interval of replicates (NaN bounds when it cannot be computed),
  cut to the scale of a bounded outcome (:func:`clip`).
- :func:`band`: the same per group (scenario x week), for the bands of the figures.
- :func:`paired`: a paired comparison on common random numbers: difference, CI, paired t and Wilcoxon p; where
  every paired difference is the same it has no variance to test (``Paired.no_variance``, ``Paired.p_tested``
  NaN).
- :func:`adjust`: multiple-comparison correction (Holm-Bonferroni by default, or Benjamini-Hochberg).
- :func:`equivalence`: a paired two one-sided tests (TOST) equivalence test within a stated margin.
- :func:`minimum_effect`: a one-sided test that a paired effect exceeds the smallest effect of interest.
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


Bounds = tuple[float | None, float | None] | None
"""(lowest, highest) value a quantity can take, None on an open side (``sim.outcomes.Outcome.bounds``)."""


def clip(ci: Interval, bounds: Bounds) -> Interval:
    """``ci`` with its bounds cut to ``bounds`` (the mean is left as it is).

    Cutting is the method for every bounded outcome (a share 0-1, the stage 1-5, the KRK score 20-100), not a
    transformed scale: the mean of values inside the bounds lies inside them, so the cut interval covers the true
    mean whenever the t-interval does (its coverage is never lower), it stays around the mean the table shows,
    and it works for replicates at the scale's end (a share of exactly 0 or 1, where a logit is infinite).  A
    bound that reaches the scale's end means the replicates cannot rule that end out.
    """
    if bounds is None or not ci.computable:
        return ci
    low, high = bounds
    lo = ci.low if low is None else min(max(ci.low, low), ci.mean)
    hi = ci.high if high is None else max(min(ci.high, high), ci.mean)
    return Interval(ci.mean, lo, hi, ci.n)


def mean_ci(x, level: float = LEVEL, bounds: Bounds = None) -> Interval:
    """Mean of ``x`` (NaNs dropped) and its t-based ``level`` confidence interval, in the unit of ``x``.

    Args:
        x: per-replicate values.
        level: confidence level.
        bounds: the scale of the quantity, (lowest, highest) in the unit of ``x`` with None on an open side:
            the interval is cut to it (:func:`clip`); None (default) leaves the t-interval as it is.
    """
    x = _clean(x)
    if x.size == 0:
        return Interval(np.nan, np.nan, np.nan, 0)
    m = float(x.mean())
    if x.size < 2:
        return Interval(m, np.nan, np.nan, 1)
    half = float(stats.sem(x) * stats.t.ppf(0.5 + level / 2, x.size - 1))
    return clip(Interval(m, m - half, m + half, int(x.size)), bounds)


def band(frame: pd.DataFrame, by: list[str], column: str, level: float = LEVEL, bounds: Bounds = None) -> pd.DataFrame:
    """Mean, low and high of ``column`` per group of ``by`` (e.g. scenario and week), t-based over replicates;
    a group of one replicate gets the mean as both bounds (a line without a band); ``bounds`` (the column's
    scale, None on an open side) cuts the band to it as :func:`clip` does."""
    g = frame.groupby(by, sort=False)[column]
    out = g.agg(["mean", "sem", "count"]).reset_index()
    half = out["sem"].fillna(0) * stats.t.ppf(0.5 + level / 2, np.maximum(out["count"] - 1, 1))
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    if bounds is not None:
        lowest, highest = bounds
        out["low"] = np.minimum(out["low"].clip(lower=lowest), out["mean"])
        out["high"] = np.maximum(out["high"].clip(upper=highest), out["mean"])
    return out.drop(columns="sem")


@dataclass(frozen=True)
class Paired:
    """A paired comparison of ``treatment`` against ``baseline`` over replicates that share seeds.

    Attributes:
        n: pairs with both values present.
        baseline_mean, treatment_mean: arm means over those pairs.
        difference: mean of (treatment - baseline); ``low``/``high`` its confidence interval.
        relative: difference / baseline mean (NaN when the baseline mean is 0).
        p: two-sided paired t-test p-value; ``p_wilcoxon`` the signed-rank test's, as a check.  When every
            paired difference is the same (:attr:`no_variance`) there is nothing to test: ``p`` then keeps the
            old convention (0 for a non-zero difference, 1 for none) that the claims' rules read, and
            :attr:`p_tested` is NaN; tables and printed text use :attr:`p_tested`.
        sd: standard deviation of the paired differences (for power); exactly 0 when they are all equal.
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

    @property
    def no_variance(self) -> bool:
        """Whether the comparison has two or more pairs whose differences are all equal, so no test exists:
        printed as "+4 (no variance across replicates: no test)", not as "[+4, +4] p 0"."""
        return self.n >= 2 and self.sd == 0

    @property
    def p_tested(self) -> float:
        """The paired t-test p-value, NaN where there is no variance to test (:attr:`no_variance`)."""
        return np.nan if self.no_variance else self.p

    def as_dict(self) -> dict:
        return asdict(self)


def paired(baseline, treatment, level: float = LEVEL, bounds: Bounds = None) -> Paired:
    """Compare two arrays of per-replicate values, element k of each from the same seed.

    A pair with a NaN on either side is dropped.  When every difference is equal the t-test is undefined
    (:attr:`Paired.no_variance`; :attr:`Paired.p_tested` is NaN): ``p`` is then 0 for a non-zero constant
    difference and 1 for a zero one, a convention the claims' rules still read.

    Args:
        baseline, treatment: per-replicate values in the outcome's unit.
        level: confidence level of the difference's interval.
        bounds: the outcome's scale (lowest, highest), None on an open side: the difference's interval is cut
            to +-(highest - lowest) when both are given (two stages 1-5 differ by 4 at most); see :func:`clip`.
    """
    a, b = np.asarray(baseline, dtype=float), np.asarray(treatment, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.size} vs {b.size}")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    d = b - a
    span = None
    if bounds is not None and bounds[0] is not None and bounds[1] is not None:
        span = (bounds[0] - bounds[1], bounds[1] - bounds[0])
    ci = mean_ci(d, level, span)
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
                  sd=(float(d.std(ddof=1)) if np.ptp(d) > 0 else 0.0) if d.size > 1 else np.nan)


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


def minimum_effect(differences, bound: float, direction: int) -> float:
    """P-value of a one-sided minimum-effect test on paired differences: H0 "the mean effect in ``direction``
    (+1 a rise, -1 a fall) is at most ``bound``" against H1 "it exceeds ``bound``" (Lakens, Scheel & Isager
    2018).  With ``bound`` 0 this is the one-sided paired t-test.  A small p supports an effect beyond the
    smallest effect of interest.  Where every difference is equal (no variance) there is nothing to test: 0 when
    the constant effect exceeds the bound, else 1 (the caller says "no test")."""
    d = direction * np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if d.size < 2:
        return np.nan
    if np.ptp(d) == 0:
        return 0.0 if d[0] > bound else 1.0
    return float(stats.ttest_1samp(d, bound, alternative="greater").pvalue)


def detectable_difference(sd: float, n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest mean paired difference (in the outcome's unit) a two-sided paired t-test of ``n`` pairs
    detects with probability ``power`` at level ``alpha``, given the differences' standard deviation."""
    from statsmodels.stats.power import TTestPower

    if n < 2 or not np.isfinite(sd):
        return np.nan
    effect = TTestPower().solve_power(nobs=n, alpha=alpha, power=power, alternative="two-sided")
    return float(effect * sd)
