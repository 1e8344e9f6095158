"""One random stream per mechanism (issue 16): a draw in one mechanism never moves another's, a week's draws do not
depend on how much was drawn the week before, and an account's draw does not depend on which other accounts are
drawn for; the numbers are uniform, and a lever that adds draws to one mechanism leaves a paired run's other
mechanisms untouched."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim.streams import MECHANISMS, Streams, stream_key


def test_each_mechanism_has_its_own_key_from_its_name():
    keys = [stream_key(name) for name in MECHANISMS]
    assert len(set(keys)) == len(MECHANISMS)
    assert stream_key("churn") == 52156668  # a CRC-32 of the name: the same number in every process and version


def test_a_weeks_draws_do_not_depend_on_what_was_drawn_before():
    a, b = Streams.for_rng(7), Streams.for_rng(7)
    a("selling", 3).random(10)            # arm a draws in week 3, arm b does not
    b("selling", 3).random(5000)          # ... or draws far more
    assert np.array_equal(a("selling", 4).random(8), b("selling", 4).random(8))
    fresh = Streams.for_rng(7)
    assert np.array_equal(fresh("selling", 4).random(8), Streams.for_rng(7)("selling", 4).random(8))


def test_a_draw_in_one_mechanism_never_moves_another():
    a, b = Streams.for_rng(11), Streams.for_rng(11)
    a("sla_compliance", 5).random(1000)
    assert np.array_equal(a("churn", 5).random(20), b("churn", 5).random(20))
    assert not np.array_equal(Streams.for_rng(11)("churn", 5).random(20),
                              Streams.for_rng(11)("expansion", 5).random(20))


def test_an_accounts_draw_depends_on_the_account_not_on_the_set():
    streams = Streams.for_rng(3)
    small = streams.uniform("selling", 9, np.array([5, 17, 400]))
    large = streams.uniform("selling", 9, np.arange(1000))
    assert np.array_equal(small, large[[5, 17, 400]])
    rows = streams.uniforms(9, np.array([5, 17]), (("selling", 0), ("churn", 2)))
    assert np.array_equal(rows[0], small[:2])
    assert np.array_equal(rows[1], streams.uniform("churn", 9, np.array([5, 17]), draw=2))
    assert not np.array_equal(streams.uniform("selling", 10, np.array([5, 17])), small[:2])


def test_counter_based_draws_are_uniform_and_independent_across_keys():
    streams = Streams.for_rng(1)
    ids = np.arange(200_000)
    u = streams.uniform("churn", 40, ids)
    v = streams.uniform("churn", 41, ids)
    w = streams.uniform("expansion", 40, ids)
    assert ((u >= 0) & (u < 1)).all()
    assert stats.kstest(u, "uniform").pvalue > 0.001
    for other in (v, w, np.roll(u, 1)):
        assert abs(stats.pearsonr(u, other).statistic) < 0.01
    z = streams.normal("satisfaction", 40, ids, sd=2.0)
    assert stats.kstest(z / 2.0, "norm").pvalue > 0.001


def test_an_unknown_stream_is_refused_with_the_list():
    with pytest.raises(KeyError, match="not a random stream"):
        Streams.for_rng(0)("no_such_mechanism")


def test_a_lever_that_adds_draws_leaves_the_other_mechanisms_paired():
    """With the SLA on, sales draws SLA compliance for every lead each week and marketing passes other leads;
    the installed base's draws (satisfaction, expansion, churn) are untouched, so until a new customer is won the
    paired runs bill and lose the same customers.  With one shared stream the SLA's draws shifted the churn draws
    from week 0."""
    base = sim.load_config("hundred_years_war", ["market.accounts=2000", "weeks=3"])
    sla = sim.load_config("hundred_years_war", ["market.accounts=2000", "weeks=3", "policy.lead_sla=true",
                                                "policy.sla_fit_threshold=0.99"])
    off, on = sim.run(base, seed=5).weekly, sim.run(sla, seed=5).weekly
    columns = ["revenue", "wins", "churned", "inquiries"]
    assert off[columns].equals(on[columns])
