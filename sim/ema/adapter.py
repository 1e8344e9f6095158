"""The alignment model as an EMA workbench ``Model``: one experiment = one policy in one firm, replicated.

:func:`model` composes the base scenario once and returns an ``ema_workbench.Model`` whose function is a
:class:`Replicates` runner: it sets the experiment's lever and uncertainty values (dotted config fields) on the
base config, runs ``replicates`` replicates on common random numbers (the same seeds,
``sim.replicate_seeds(seed, replicates)``, in every experiment, so two policies or two firms differ by what they
are, not by their luck) and returns each outcome's mean over the replicates (NaN only where every replicate
leaves it undefined, e.g. net revenue retention in a run shorter than a year).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.config import Config, plain
from sim.ema.outcomes import DEFAULT_OUTCOMES, scalar_outcomes
from sim.ema.parameters import encode_choices
from sim.ema.parameters import levers as lever_parameters
from sim.ema.parameters import uncertainties as uncertainty_parameters

MODEL_NAME = "alignsim"


@dataclass
class Replicates:
    """Runs one experiment: the base config with ``values`` set, ``replicates`` times on common random numbers.

    Attributes:
        base: the composed base config (scenario preset and overrides: market size, horizon).
        replicates: replicates per experiment.
        seed: root of the replicate seeds.
        outcomes: the summary metrics returned (names of :data:`sim.outcomes.RUN_OUTCOMES`).
        choices: for a lever given as the position of its value (see :func:`sim.ema.parameters.encode_choices`),
            its values by dotted field.
    """

    base: Config
    replicates: int
    seed: int
    outcomes: tuple[str, ...]
    choices: dict[str, tuple] = field(default_factory=dict)

    @property
    def seeds(self) -> list[int]:
        from sim.runner import replicate_seeds

        return replicate_seeds(self.seed, self.replicates)

    def decode(self, values: Mapping[str, object]) -> dict[str, object]:
        """``values`` with each lever given by position replaced by its value (``0`` -> ``"lead_volume"``)."""
        return {k: self.choices[k][int(v)] if k in self.choices else v for k, v in values.items()}

    def config(self, values: Mapping[str, object]) -> Config:
        """The config of one experiment: the base with the dotted fields of ``values`` set."""
        from sim.sweep.design import apply

        return apply(self.base, self.decode(values))

    def __call__(self, **values) -> dict[str, float]:
        """The mean of each outcome over the replicates of the experiment ``values`` (dotted field -> value)."""
        from sim.runner import run

        cfg = self.config(values)
        rows = [run(cfg, seed=s).summary for s in self.seeds]
        return mean_outcomes([{name: row.get(name, np.nan) for name in self.outcomes} for row in rows],
                             self.outcomes)


def mean_outcomes(rows: Iterable[Mapping[str, float]], outcomes: Iterable[str]) -> dict[str, float]:
    """Each outcome's mean over replicate rows, skipping undefined (NaN) values; NaN where all are undefined."""
    rows = list(rows)
    out = {}
    for name in outcomes:
        values = np.array([float(r[name]) for r in rows], dtype=float)
        out[name] = float(np.mean(values[~np.isnan(values)])) if (~np.isnan(values)).any() else float("nan")
    return out


def model(scenario: str = "hundred_years_war", overrides: Iterable[str] = (), *,
          levers: Iterable[str] | Mapping[str, Mapping | None] | None = None,
          uncertainties: Iterable[str] | None = None, outcomes: Iterable[str] = DEFAULT_OUTCOMES,
          objectives: Iterable[str] | None = None, replicates: int = 4, seed: int = 0,
          choices_as_positions: bool = False):
    """The alignment model as an ``ema_workbench.Model``.

    Args:
        scenario: the preset the experiments start from (a file of ``configs/scenario/``).
        overrides: Hydra overrides of the base config, e.g. ``["market.accounts=2000", "weeks=104"]``.
        levers: the policy levers (EMA levers): all of :class:`sim.config.PolicyConfig` when None; any config
            field may be named, with an optional narrower range (see :func:`sim.ema.parameters.levers`).
        uncertainties: the uncertain parameters (EMA uncertainties): every prior-ranged calibration candidate
            over its prior range when None.
        outcomes: the reported outcomes (EMA ``ScalarOutcome``, direction from the outcome schema).
        objectives: when given, only these outcomes carry a direction (what EMA's optimisation optimises).
        replicates: replicates per experiment, on common random numbers (at least 1).
        seed: root of the replicate seeds.
        choices_as_positions: give on/off and choice levers as the position of their value (an
            ``IntegerParameter``), as EMA 3.0's optimisation needs (:func:`sim.ema.parameters.encode_choices`).

    Raises:
        ConfigError: a bad override, an unknown lever, uncertainty or outcome, a range outside the schema, or
            ``replicates < 1``; each names the field and what is allowed.
    """
    from ema_workbench import Model

    from sim.config import ConfigError
    from sim.loading import load_config

    if int(replicates) < 1:
        raise ConfigError(f"replicates = {replicates} is out of range: allowed a whole number >= 1")
    base = load_config(scenario, list(overrides))
    reported = scalar_outcomes(outcomes, objectives)
    chosen = lever_parameters(base, levers)
    chosen, choices = encode_choices(chosen) if choices_as_positions else (chosen, {})
    runner = Replicates(base, int(replicates), int(seed), tuple(o.name for o in reported), choices)
    ema = Model(MODEL_NAME, function=runner)
    ema.levers = chosen
    lever_names = {p.name for p in ema.levers}
    ema.uncertainties = [p for p in uncertainty_parameters(base, uncertainties) if p.name not in lever_names]
    ema.outcomes = reported
    return ema


def runner_of(ema_model) -> Replicates:
    """The :class:`Replicates` runner behind a model made by :func:`model` (TypeError for any other model)."""
    if not isinstance(getattr(ema_model, "function", None), Replicates):
        raise TypeError(f"{ema_model!r} was not made by sim.ema.model()")
    return ema_model.function


def experiment_values(ema_model, scenario: Mapping, policy: Mapping) -> dict[str, object]:
    """The dotted config values of one EMA experiment: each uncertainty from ``scenario`` and each lever from
    ``policy`` (EMA ``Sample`` objects, keyed by EMA names), the parameter's default where a sample lacks it."""
    values = {}
    for params, sample in ((ema_model.uncertainties, scenario), (ema_model.levers, policy)):
        for p in params:
            value = sample.get(p.name, p.default) if hasattr(sample, "get") else p.default
            if value is not None:
                values[p.variable_name[0]] = plain(value)
    return runner_of(ema_model).decode(values)
