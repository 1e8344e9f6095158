"""The workshop game: people play the departments of a simulated company, one quarter per round.

A facilitator opens a *room* (a short code); each *company* (a team) in the room runs its own
:class:`~sim.workshop.model.WorkshopModel` from the same preset and seed, so the companies are comparable.
Every company has four *seats* (marketing, sales, operations, purchasing); a seat nobody takes is played by the
model's own agents at the preset's settings.  A round is one quarter (13 weeks): each seat decides for its
department (:mod:`sim.workshop.decisions`), the quarter is run, and at the quarter's review the seats that
missed their KPI blame a department or call a joint fix, which become the model's blame and fix events.
After the last round the *blame ledger* (:mod:`sim.workshop.ledger`) replays each company with each
department's decisions replaced by the aligned preset's, in every combination, and splits the company's revenue
shortfall into Shapley shares per department.

Layers: :mod:`~sim.workshop.decisions` (what each seat may change, validated), :mod:`~sim.workshop.model`
(the model with the people's review), :mod:`~sim.workshop.game` (rooms, seats, rounds, saved state; plain
Python, no web), :mod:`~sim.workshop.ledger` (Shapley shares), :mod:`~sim.workshop.server` (the web front:
facilitator console, player screens, projector view) and :mod:`~sim.workshop.cli` (``alignsim workshop``).
"""
