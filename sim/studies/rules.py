"""How a check turns runs into a row: the evaluation rules.

Every rule returns a :class:`Row` whose ``p`` is small when the data support the claim, so one
multiple-comparison correction covers the whole table (:mod:`sim.studies.verdicts`):

- :func:`directional` (default): the paired difference has the claimed sign; paired t-test.
- :func:`moderate`: directional, and the 95 % CI of the relative change lies inside a stated range.
- :func:`unchanged`: "largely unchanged": equivalent within a stated margin (paired TOST) and no significant
  change (a significant change never passes as "largely unchanged").
- :func:`in_band`: an arm's mean lies in a published band: its 95 % CI inside the band; TOST against the edges.
- :func:`one_sample`: a within-run quantity has the claimed sign; t-test against zero.
- :func:`lag`: the effect on a late-period outcome differs from the effect on the early one, paired by seed.
- :func:`interior_optimum`: the best point of a sweep is interior and beats both ends.
- :func:`larger_gain`: a step of a lever gains more in one setting than in another (a difference in
  differences, paired by seed).
- :func:`all_of` / :func:`paired_rule`: several directional comparisons that must all hold.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.outcomes import outcome
from sim.stats import Paired, detectable_difference, equivalence, mean_ci, paired
from sim.studies.declarations import Check, Row, Rule, StudyResult
from sim.studies.narrative import effect_text, fmt, interval, p_text

SIGNIFICANCE = 0.05
"""Level at which a change counts as significant inside :func:`unchanged`."""


def detectable(c: Paired, metric: str) -> str:
    """The smallest mean paired difference the test detects with 80 % power, in the outcome's unit."""
    d = detectable_difference(c.sd, c.n)
    return f"{fmt(d, metric)} {outcome(metric).unit}" if np.isfinite(d) else "n/a"


def _row(chk: Check, compared: str, effect: str, ci: str, p: float, supports: bool, shortfall: str,
         power: str) -> Row:
    return Row(chk.claim, chk.statement, chk.kind, chk.why_kind, compared, chk.metric, effect, ci, float(p),
               bool(supports), power, "" if supports else shortfall)


def _sign_shortfall(c: Paired, metric: str, expected: int) -> str:
    claimed = "a rise" if expected > 0 else "a fall"
    return (f"the claim is {claimed}, but the mean paired difference is {fmt(c.difference, metric, signed=True)} "
            f"{outcome(metric).unit} (95 % CI {interval(c.low, c.high, metric)})")


def directional(res: StudyResult, chk: Check) -> Row:
    """The paired difference (treatment - baseline) has the claimed sign; paired t-test."""
    c = res.compare(chk.baseline, chk.treatment, chk.metric)
    supports = np.sign(c.difference) == chk.expected
    return _row(chk, f"{chk.treatment} vs {chk.baseline}", effect_text(c, chk.metric),
                interval(c.low, c.high, chk.metric), c.p, supports, _sign_shortfall(c, chk.metric, chk.expected),
                detectable(c, chk.metric))


def paired_rule(baseline: str, treatment: str, metric: str, expected: int) -> Rule:
    """A directional comparison with its own arms and outcome (for :func:`all_of`)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        return directional(res, replace(chk, baseline=baseline, treatment=treatment, metric=metric,
                                        expected=expected, rule=None))
    return evaluate


def all_of(*rules: Rule) -> Rule:
    """Every rule must hold; the row's p is the largest of theirs (an intersection-union test)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        rows = [rule(res, chk) for rule in rules]
        return _row(chk, "; ".join(r.compared for r in rows), "; ".join(r.effect for r in rows),
                    "; ".join(r.ci for r in rows), max(r.p for r in rows), all(r.supports for r in rows),
                    "; ".join(r.shortfall for r in rows if r.shortfall), "; ".join(r.detectable for r in rows))
    return evaluate


def moderate(low: float, high: float) -> Rule:
    """Directional, and the 95 % CI of the relative change lies within [``low``, ``high``] ("moderately")."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        c = res.compare(chk.baseline, chk.treatment, chk.metric)
        rel_low, rel_high = c.low / c.baseline_mean, c.high / c.baseline_mean
        in_range = low <= rel_low and rel_high <= high
        supports = np.sign(c.difference) == chk.expected and in_range
        shortfall = (_sign_shortfall(c, chk.metric, chk.expected) if np.sign(c.difference) != chk.expected else
                     f"the relative change's 95 % CI [{rel_low:+.1%}, {rel_high:+.1%}] leaves the stated range "
                     f"[{low:+.0%}, {high:+.0%}]")
        return _row(chk, f"{chk.treatment} vs {chk.baseline}",
                    effect_text(c, chk.metric) + f"; relative change in [{rel_low:+.1%}, {rel_high:+.1%}], "
                    f"stated range [{low:+.0%}, {high:+.0%}]", interval(c.low, c.high, chk.metric), c.p, supports,
                    shortfall, detectable(c, chk.metric))
    return evaluate


def unchanged(share: float) -> Rule:
    """Equivalent within ± ``share`` of the baseline mean (paired TOST, whose p the row reports) and no
    significant change (paired t p >= :data:`SIGNIFICANCE`)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        a, b = res.values(chk.baseline, chk.metric), res.values(chk.treatment, chk.metric)
        c = paired(a, b)
        margin = share * abs(c.baseline_mean)
        p_tost = equivalence(a, b, margin)
        supports = c.p >= SIGNIFICANCE
        effect = (effect_text(c, chk.metric) + f"; equivalence margin ±{share:.0%} of the baseline "
                  f"(±{fmt(margin, chk.metric)} {outcome(chk.metric).unit}); paired t {p_text(c.p)}")
        shortfall = (f"the change {fmt(c.difference, chk.metric, signed=True)} {outcome(chk.metric).unit} "
                     f"(95 % CI {interval(c.low, c.high, chk.metric)}) is significant (paired t {p_text(c.p)})")
        return _row(chk, f"{chk.treatment} vs {chk.baseline}", effect, interval(c.low, c.high, chk.metric), p_tost,
                    supports, shortfall, detectable(c, chk.metric))
    return evaluate


def in_band(low: float, high: float) -> Rule:
    """The mean of ``chk.metric`` in arm ``chk.treatment`` lies in [``low``, ``high``]: its 95 % CI inside the
    band; p of the two one-sided tests against the band's edges."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        x = res.values(chk.treatment, chk.metric)
        ci = mean_ci(x)
        centre = np.full_like(x, (low + high) / 2)
        p = equivalence(centre, x, (high - low) / 2)
        supports = low <= ci.low and ci.high <= high
        o = outcome(chk.metric)
        effect = (f"{o.label} in {chk.treatment}: {fmt(ci.mean, chk.metric)} {o.unit} "
                  f"(band {fmt(low, chk.metric)}–{fmt(high, chk.metric)})")
        shortfall = (f"the 95 % CI {interval(ci.low, ci.high, chk.metric)} {o.unit} is not inside the band "
                     f"{interval(low, high, chk.metric)}")
        return _row(chk, f"{chk.treatment} against the published band", effect,
                    interval(ci.low, ci.high, chk.metric), p, supports, shortfall,
                    detectable(paired(centre, x), chk.metric))
    return evaluate


def one_sample(res: StudyResult, chk: Check) -> Row:
    """The per-run value of ``chk.metric`` in arm ``chk.treatment`` has the claimed sign; t-test against 0."""
    x = res.values(chk.treatment, chk.metric)
    c = paired(np.zeros_like(x), x)
    o = outcome(chk.metric)
    return _row(chk, f"{chk.treatment}: within-run quantity", f"{o.label}: {fmt(c.difference, chk.metric)} {o.unit}",
                interval(c.low, c.high, chk.metric), c.p, np.sign(c.difference) == chk.expected,
                _sign_shortfall(c, chk.metric, chk.expected), detectable(c, chk.metric))


def lag(early: str, late: str) -> Rule:
    """The effect of treatment vs baseline on ``late`` minus its effect on ``early`` has the claimed sign, per
    replicate (a paired test of the two effects).  ``early`` and ``late`` share a unit (e.g. year-1 and
    last-year revenue)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        d_early = res.values(chk.treatment, early) - res.values(chk.baseline, early)
        d_late = res.values(chk.treatment, late) - res.values(chk.baseline, late)
        c = paired(d_early, d_late)
        e, l_ = mean_ci(d_early), mean_ci(d_late)
        effect = (f"effect on {outcome(early).label}: {fmt(e.mean, early, signed=True)}, on {outcome(late).label}: "
                  f"{fmt(l_.mean, late, signed=True)} {outcome(late).unit}; later minus earlier "
                  f"{fmt(c.difference, late, signed=True)}")
        return _row(chk, f"{chk.treatment} vs {chk.baseline}, {late} vs {early}", effect,
                    interval(c.low, c.high, late), c.p, np.sign(c.difference) == chk.expected,
                    _sign_shortfall(c, late, chk.expected).replace("paired difference",
                                                                   "later-minus-earlier effect"),
                    detectable(c, late))
    return evaluate


def larger_gain(low_a: str, high_a: str, low_b: str, high_b: str) -> Rule:
    """The same step of a lever (arm ``low_x`` to ``high_x``) gains more of ``chk.metric`` in setting b than in
    setting a: per replicate, (high_b - low_b) - (high_a - low_a), with the claimed sign; a paired test of the two
    gains (the four arms share their seeds)."""
    def evaluate(res: StudyResult, chk: Check) -> Row:
        gain_a = res.values(high_a, chk.metric) - res.values(low_a, chk.metric)
        gain_b = res.values(high_b, chk.metric) - res.values(low_b, chk.metric)
        c = paired(gain_a, gain_b)
        a, b = mean_ci(gain_a), mean_ci(gain_b)
        unit = outcome(chk.metric).unit
        effect = (f"gain in {low_a}: {fmt(a.mean, chk.metric, signed=True)} {unit}, in {low_b}: "
                  f"{fmt(b.mean, chk.metric, signed=True)} {unit}; difference "
                  f"{fmt(c.difference, chk.metric, signed=True)}")
        return _row(chk, f"({high_b} - {low_b}) vs ({high_a} - {low_a})", effect,
                    interval(c.low, c.high, chk.metric), c.p, np.sign(c.difference) == chk.expected,
                    _sign_shortfall(c, chk.metric, chk.expected).replace("paired difference", "difference of gains"),
                    detectable(c, chk.metric))
    return evaluate


def interior_optimum(res: StudyResult, chk: Check) -> Row:
    """Inverted U: the best sweep point (by ``chk.expected`` x mean) is interior and beats both ends (paired t
    each; the row's p is the larger)."""
    curve = res.curve(chk.metric)
    best = curve.iloc[int(np.argmax(chk.expected * curve["mean"].to_numpy()))]
    ends = curve.iloc[0], curve.iloc[-1]
    interior = best["arm"] not in (ends[0]["arm"], ends[1]["arm"])
    cmps = [res.compare(end["arm"], best["arm"], chk.metric) for end in ends]
    p = max(c.p for c in cmps) if interior else 1.0
    above = all(np.sign(c.difference) == chk.expected for c in cmps)
    lever, o = res.study.sweep_lever, outcome(chk.metric)
    effect = (f"{o.label} peaks at {lever} = {best['lever']:g} ({fmt(best['mean'], chk.metric)} {o.unit}); "
              + ", ".join(f"vs {lever} = {end['lever']:g}: Δ = {fmt(c.difference, chk.metric, signed=True)}"
                          for end, c in zip(ends, cmps)))
    shortfall = (f"the best point lies at the end of the range ({lever} = {best['lever']:g})" if not interior
                 else "the peak is not above both ends")
    return _row(chk, f"sweep of {lever} ({len(curve)} values)", effect,
                "; ".join(interval(c.low, c.high, chk.metric) for c in cmps), p, interior and above, shortfall,
                "; ".join(detectable(c, chk.metric) for c in cmps))
