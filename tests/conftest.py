"""Shared fixtures: small, fast configurations of the default model."""

import pytest

import sim

SMALL = ("market.accounts=3000", "market.initial_customers=60", "weeks=78")
"""A small market (3,000 accounts, 78 weeks) keeps each run near 0.1 s while the mechanisms still act."""


@pytest.fixture(scope="session")
def small_baseline():
    return sim.load_config("hundred_years_war", SMALL)


def small_config(scenario: str = "hundred_years_war", *overrides: str):
    """The small configuration of ``scenario`` with extra overrides."""
    return sim.load_config(scenario, [*SMALL, *overrides])
