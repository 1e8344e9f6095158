"""How a check turns runs into a row: the evaluation rules.

Every rule returns a :class:`Row` whose ``p`` is small when the data support the claim, so one
multiple-comparison correction covers the whole table (:mod:`sim.studies.verdicts`).  Every effect is held to
the row's smallest effect of interest (:mod:`sim.studies.sesoi`), declared before any run:

- :func:`directional` (default): the paired effect exceeds the bound in the claimed direction; one-sided
  minimum-effect test (with bound 0 it is the one-sided paired t-test).
- :func:`moderate`: directional, and the 95 % CI of the relative change lies inside a stated range.
- :func:`unchanged`: "largely unchanged": the paired effect lies within the bound; paired TOST against the bound
  alone (Lakens 2017), so more replicates make equivalence easier to show, never harder.
- :func:`in_band`: an arm's mean lies in a published band: its 95 % CI inside the band; TOST against the edges.
- :func:`one_sample`: a within-run quantity exceeds the bound in the claimed direction.
- :func:`lag`: the effect on a late-period outcome minus the effect on the early one, paired by seed.
- :func:`interior_optimum`: the best point of a sweep, chosen on one half of the replicates, is interior and
  beats both ends on the other half (no selection bias: the half that picks the peak does not test it).
- :func:`larger_gain`: a step of a lever gains more in one setting than in another (a difference in
  differences, paired by seed).
- :func:`all_of` / :func:`paired_rule`: several directional comparisons that must all hold.

Each row also carries its *contrast*: the per-replicate effect it tested, as a function of a result, so the
same effect can be measured again with the feedback loops knocked out and in the null model
(:mod:`sim.studies.kinds`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.outcomes import outcome
from sim.stats import Paired, detectable_difference, equivalence, mean_ci, minimum_effect, paired
from sim.studies.declarations import Check, Row, Rule, StudyResult
from sim.studies.narrative import difference, effect_text, fmt, interval
from sim.studies.sesoi import Bound, smallest_effect


def detectable(c: Paired, metric: str) -> str:
    """The smallest mean paired difference the test detects with 80 % power, in the unit of a difference."""
    d = detectable_difference(c.sd, c.n)
    return f"{fmt(d, metric)} {outcome(metric).difference_unit}" if np.isfinite(d) else "n/a"


def bound_text(bound: Bound, metric: str) -> str:
    """``0.68 EUR million (2 % of the baseline mean)``: a bound in the unit of a difference, with its reason."""
    o = outcome(metric)
    return f"{o.display(bound.value):.2g} {o.difference_unit} ({bound.reason})"


def _row(chk: Check, compared: str, effect: str, ci: str, p: float, supports: bool, shortfall: str,
         power: str, bound: str, no_variance: bool, contrast) -> Row:
    return Row(chk.claim, chk.statement, chk.kind, chk.why_kind, compared, chk.metric, effect, ci, float(p),
               bool(supports), power, "" if supports else shortfall, sesoi=bound, no_variance=bool(no_variance),
               declared_kind=chk.kind, contrast=contrast)


def _shortfall(c: Paired, metric: str, expected: int, bound: Bound, what: str = "mean paired difference") -> str:
    """Why a directional effect fails its rule: the wrong sign, or too small to matter."""
    claimed = "a rise" if expected > 0 else "a fall"
    measured = f"{difference(c.difference, metric)} (95 % CI {interval(c.low, c.high, metric)})"
    if np.sign(c.difference) != expected:
        return f"the claim is {claimed}, but the {what} is {measured}"
    return f"the {what} {measured} is smaller than the smallest effect of interest, {bound_text(bound, metric)}"


def _beyond(c: Paired, expected: int, bound: Bound) -> bool:
    return bool(expected * c.difference > bound.value)


def _pair_contrast(baseline: str, treatment: str, metric: str):
    return lambda r: (r.values(treatment, metric) - r.values(baseline, metric))[None, :]


def directional(res: StudyResult, chk: Check) -> Row:
    """The paired difference (treatment - baseline) exceeds the smallest effect of interest in the claimed
    direction; one-sided minimum-effect test."""
    c = res.compare(chk.baseline, chk.treatment, chk.metric)
    bound = smallest_effect(chk.metric, c.baseline_mean, chk.sesoi)
    contrast = _pair_contrast(chk.baseline, chk.treatment, chk.metric)
    p = minimum_effect(contrast(res)[0], bound.value, chk.expected)
    return _row(chk, f"{chk.treatment} vs {chk.baseline}", effect_text(c, chk.metric),
                interval(c.low, c.high, chk.metric), p, _beyond(c, chk.expected, bound),
                _shortfall(c, chk.metric, chk.expected, bound), detectable(c, chk.metric),
                bound_text(bound, chk.metric), c.no_variance, contrast)


def paired_rule(baseline: str, treatment: str, metric: str, expected: int) -> Rule:
    """A directional comparison with its own arms and outcome (for :func:`all_of`)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        return directional(res, replace(chk, baseline=baseline, treatment=treatment, metric=metric,
                                        expected=expected, rule=None))
    return evaluate


def all_of(*rules: Rule) -> Rule:
    """Every rule must hold; the row's p is the largest of theirs (an intersection-union test); its contrast
    stacks the parts'."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        rows = [rule(res, chk) for rule in rules]

        def contrast(r: StudyResult) -> np.ndarray:
            return np.vstack([row.contrast(r) for row in rows])
        return _row(chk, "; ".join(r.compared for r in rows), "; ".join(r.effect for r in rows),
                    "; ".join(r.ci for r in rows), max(r.p for r in rows), all(r.supports for r in rows),
                    "; ".join(r.shortfall for r in rows if r.shortfall), "; ".join(r.detectable for r in rows),
                    "; ".join(dict.fromkeys(r.sesoi for r in rows)), all(r.no_variance for r in rows), contrast)
    return evaluate


def moderate(low: float, high: float) -> Rule:
    """Directional, and the 95 % CI of the relative change lies within [``low``, ``high``] ("moderately")."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        row = directional(res, chk)
        c = res.compare(chk.baseline, chk.treatment, chk.metric)
        rel_low, rel_high = c.low / c.baseline_mean, c.high / c.baseline_mean
        in_range = low <= rel_low and rel_high <= high
        row.effect += (f"; relative change in [{rel_low:+.1%}, {rel_high:+.1%}], stated range "
                       f"[{low:+.0%}, {high:+.0%}]")
        if row.supports and not in_range:
            row.shortfall = (f"the relative change's 95 % CI [{rel_low:+.1%}, {rel_high:+.1%}] leaves the stated "
                             f"range [{low:+.0%}, {high:+.0%}]")
        row.supports = row.supports and in_range
        return row
    return evaluate


def unchanged(res: StudyResult, chk: Check) -> Row:
    """"Largely unchanged": the paired difference lies within ± the smallest effect of interest (paired TOST
    against that bound alone, whose p the row reports)."""
    a, b = res.values(chk.baseline, chk.metric), res.values(chk.treatment, chk.metric)
    c = res.compare(chk.baseline, chk.treatment, chk.metric)
    bound = smallest_effect(chk.metric, c.baseline_mean, chk.sesoi)
    p_tost = equivalence(a, b, bound.value) if bound.value > 0 else 1.0
    supports = abs(c.difference) < bound.value
    effect = f"{effect_text(c, chk.metric)}; equivalence bound ±{bound_text(bound, chk.metric)}"
    shortfall = (f"the change {difference(c.difference, chk.metric)} (95 % CI {interval(c.low, c.high, chk.metric)}) "
                 f"is larger than the equivalence bound ±{bound_text(bound, chk.metric)}")
    return _row(chk, f"{chk.treatment} vs {chk.baseline}", effect, interval(c.low, c.high, chk.metric), p_tost,
                supports, shortfall, detectable(c, chk.metric), bound_text(bound, chk.metric), c.no_variance,
                _pair_contrast(chk.baseline, chk.treatment, chk.metric))


def in_band(low: float, high: float) -> Rule:
    """The mean of ``chk.metric`` in arm ``chk.treatment`` lies in [``low``, ``high``]: its 95 % CI inside the
    band; p of the two one-sided tests against the band's edges.  A level has no effect to share with the loops
    (no contrast)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        x = res.values(chk.treatment, chk.metric)
        o = outcome(chk.metric)
        ci = mean_ci(x, bounds=o.bounds)
        centre = np.full_like(x, (low + high) / 2)
        p = equivalence(centre, x, (high - low) / 2)
        supports = low <= ci.low and ci.high <= high
        effect = (f"{o.label} in {chk.treatment}: {fmt(ci.mean, chk.metric)} {o.unit} "
                  f"(band {fmt(low, chk.metric)}–{fmt(high, chk.metric)})")
        shortfall = (f"the 95 % CI {interval(ci.low, ci.high, chk.metric)} {o.unit} is not inside the band "
                     f"{interval(low, high, chk.metric)}")
        return _row(chk, f"{chk.treatment} against the published band", effect,
                    interval(ci.low, ci.high, chk.metric), p, supports, shortfall,
                    detectable(paired(centre, x), chk.metric), "the band's edges", False, None)
    return evaluate


def one_sample(res: StudyResult, chk: Check) -> Row:
    """The per-run value of ``chk.metric`` in arm ``chk.treatment`` exceeds the smallest effect of interest in
    the claimed direction; one-sided test against the bound."""
    x = res.values(chk.treatment, chk.metric)
    c = paired(np.zeros_like(x), x)
    bound = smallest_effect(chk.metric, np.nan, chk.sesoi)
    o = outcome(chk.metric)
    return _row(chk, f"{chk.treatment}: within-run quantity", f"{o.label}: {fmt(c.difference, chk.metric)} {o.unit}",
                interval(c.low, c.high, chk.metric), minimum_effect(x, bound.value, chk.expected),
                _beyond(c, chk.expected, bound), _shortfall(c, chk.metric, chk.expected, bound, "mean"),
                detectable(c, chk.metric), bound_text(bound, chk.metric), c.no_variance,
                lambda r: r.values(chk.treatment, chk.metric)[None, :])


def lag(early: str, late: str) -> Rule:
    """The effect of treatment vs baseline on ``late`` minus its effect on ``early`` exceeds the smallest effect
    of interest in the claimed direction, per replicate (a paired test of the two effects).  ``early`` and
    ``late`` share a unit (e.g. year-1 and last-year revenue)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        def effects(r: StudyResult) -> tuple[np.ndarray, np.ndarray]:
            return (r.values(chk.treatment, early) - r.values(chk.baseline, early),
                    r.values(chk.treatment, late) - r.values(chk.baseline, late))

        def contrast(r: StudyResult) -> np.ndarray:
            d_early, d_late = effects(r)
            return (d_late - d_early)[None, :]
        d_early, d_late = effects(res)
        c = paired(d_early, d_late)
        bound = smallest_effect(late, float(np.nanmean(res.values(chk.baseline, late))), chk.sesoi)
        e, l_ = mean_ci(d_early), mean_ci(d_late)
        effect = (f"effect on {outcome(early).label}: {difference(e.mean, early)}, on {outcome(late).label}: "
                  f"{difference(l_.mean, late)}; later minus earlier {difference(c.difference, late)}")
        return _row(chk, f"{chk.treatment} vs {chk.baseline}, {late} vs {early}", effect,
                    interval(c.low, c.high, late), minimum_effect(d_late - d_early, bound.value, chk.expected),
                    _beyond(c, chk.expected, bound),
                    _shortfall(c, late, chk.expected, bound, "later-minus-earlier effect"), detectable(c, late),
                    bound_text(bound, late), c.no_variance, contrast)
    return evaluate


def larger_gain(low_a: str, high_a: str, low_b: str, high_b: str) -> Rule:
    """The same step of a lever (arm ``low_x`` to ``high_x``) gains more of ``chk.metric`` in setting b than in
    setting a: per replicate, (high_b - low_b) - (high_a - low_a), beyond the smallest effect of interest in the
    claimed direction; a paired test of the two gains (the four arms share their seeds)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        def gains(r: StudyResult) -> tuple[np.ndarray, np.ndarray]:
            return (r.values(high_a, chk.metric) - r.values(low_a, chk.metric),
                    r.values(high_b, chk.metric) - r.values(low_b, chk.metric))

        def contrast(r: StudyResult) -> np.ndarray:
            gain_a, gain_b = gains(r)
            return (gain_b - gain_a)[None, :]
        gain_a, gain_b = gains(res)
        c = paired(gain_a, gain_b)
        bound = smallest_effect(chk.metric, float(np.nanmean(res.values(low_b, chk.metric))), chk.sesoi)
        a, b = mean_ci(gain_a), mean_ci(gain_b)
        effect = (f"gain in {low_a}: {difference(a.mean, chk.metric)}, in {low_b}: {difference(b.mean, chk.metric)}; "
                  f"difference {difference(c.difference, chk.metric)}")
        return _row(chk, f"({high_b} - {low_b}) vs ({high_a} - {low_a})", effect,
                    interval(c.low, c.high, chk.metric), minimum_effect(gain_b - gain_a, bound.value, chk.expected),
                    _beyond(c, chk.expected, bound),
                    _shortfall(c, chk.metric, chk.expected, bound, "difference of gains"),
                    detectable(c, chk.metric), bound_text(bound, chk.metric), c.no_variance, contrast)
    return evaluate


def split_halves(replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the replicates that choose a sweep's peak (even) and of those that test it (odd)."""
    positions = np.arange(replicates)
    return positions[::2], positions[1::2]


def interior_optimum(res: StudyResult, chk: Check) -> Row:
    """Inverted U without selection bias: the best sweep point (by ``chk.expected`` x mean) is chosen on one
    half of the replicates (:func:`split_halves`) and must be interior; on the other half it must beat both ends
    by the smallest effect of interest (a one-sided minimum-effect test each; the row's p is the larger)."""
    sweep = sorted((a for a in res.arms if a.lever_value is not None), key=lambda a: a.lever_value)
    choose, test = split_halves(res.replicates)
    means = [chk.expected * np.nanmean(res.values(a.name, chk.metric)[choose]) for a in sweep]
    best = sweep[int(np.argmax(means))]
    ends = sweep[0], sweep[-1]
    interior = best.name not in (ends[0].name, ends[1].name)
    lever, o = res.study.sweep_lever, outcome(chk.metric)

    def contrast(r: StudyResult) -> np.ndarray:
        peak = r.values(best.name, chk.metric)[test]
        return np.vstack([peak - r.values(end.name, chk.metric)[test] for end in ends])
    cmps = [paired(res.values(end.name, chk.metric)[test], res.values(best.name, chk.metric)[test]) for end in ends]
    bound = smallest_effect(chk.metric, cmps[0].baseline_mean, chk.sesoi)
    parts = contrast(res)
    p = max(minimum_effect(d, bound.value, chk.expected) for d in parts) if interior else 1.0
    above = all(_beyond(c, chk.expected, bound) for c in cmps)
    effect = (f"{o.label} peaks at {lever} = {best.lever_value:g} on the choosing half "
              f"({len(choose)} replicates); on the other {len(test)}: "
              f"{fmt(cmps[0].treatment_mean, chk.metric)} {o.unit}, "
              + ", ".join(f"vs {lever} = {end.lever_value:g}: Δ = {difference(c.difference, chk.metric)}"
                          for end, c in zip(ends, cmps)))
    shortfall = (f"the best point lies at the end of the range ({lever} = {best.lever_value:g})" if not interior
                 else "the peak does not beat both ends by the smallest effect of interest, "
                      f"{bound_text(bound, chk.metric)}, on the testing half")
    return _row(chk, f"sweep of {lever} ({len(sweep)} values), peak chosen and tested on separate halves", effect,
                "; ".join(interval(c.low, c.high, chk.metric) for c in cmps), p, interior and above, shortfall,
                "; ".join(detectable(c, chk.metric) for c in cmps), bound_text(bound, chk.metric),
                all(c.no_variance for c in cmps), contrast)
