"""The trainers' workshop dashboard and debrief packs.

- :mod:`sim.viz.levers`: the levers a trainer can move, with unit, range and tooltip from the config schema.
- :mod:`sim.viz.session`: one browser tab's run: preset, levers, stepping, reset (plain Python, testable).
- :mod:`sim.viz.monitors`: the numbers shown beside the curves (revenue, customers, retention, pipeline, trust).
- :mod:`sim.viz.timeline`: the event log as plain sentences.
- :mod:`sim.viz.figures`: matplotlib figures shared by the dashboard and the debrief pack; :mod:`sim.viz.svgplot`:
  the live curves as inline SVG, in a laptop, a Debrief and a presenter (projector) layout.
- :mod:`sim.viz.presets`: the presets' names in words, for menus, tables and titles.
- :mod:`sim.viz.comparison`: paired replicates of two arms (``sim.compare``) with bands and the table.
- :mod:`sim.viz.about`: NetLogo-style info cards, one per preset.
- :mod:`sim.viz.report`: the self-contained HTML debrief pack.
- :mod:`sim.viz.app`: the solara page; :mod:`sim.viz.cli`: ``alignsim dashboard`` and ``alignsim report``.
"""
