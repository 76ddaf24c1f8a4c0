"""Parameter uncertainty in every answer: the parameter values each replicate of a run uses.

A planner reads P(met) as the chance the plan succeeds, so a run draws what we do not know as
well as the dice (issue 16). Three ways a run sets its parameters:

- ``posterior``: the scenario ships a calibrated posterior (``[calibration]`` in its file,
  :mod:`.shipped_posterior`): each draw takes one particle of it, by weight, for the parameters
  it holds (jointly, so their correlations are kept); every other uncertain parameter is drawn
  from its prior as below.
- ``prior``: each uncertain parameter — an assumption with a plausible low–high range, levers
  excluded (:func:`~zonesim.analysis.space.uncertainty_space`) — is drawn from a triangular
  distribution on its range with its mode at the scenario's value: the value the scenario's
  author judged most likely, the range's ends judged the plausible limits.
- ``fixed``: every replicate at the scenario's point values (the runs of zonesim before
  issue 16; chance is then the only spread).

Nested design: replicates come in groups of :data:`RUNS_PER_DRAW` that share one parameter draw
(draw ``d`` holds replicates ``d·k … d·k + k − 1``), so the variance of every outcome splits
into a part from the parameters and a part from chance by one-way random-effects ANOVA
(:func:`variance_split`, the law of total variance).

Common random numbers: the quantile a parameter takes in draw ``d`` of a run seeded ``s``
comes from ``SeedSequence(s, spawn_key=(UNCERTAINTY_KEY, d, key(name)))``, the same in every
scenario; two variants of a plan run with the same seed compare at the same quantile of each
assumption, as they already share each replicate's chance stream (:func:`zonesim.run.
replicate_seed`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from zonesim.analysis.shipped_posterior import load_posterior
from zonesim.analysis.space import uncertainty_space
from zonesim.errors import ExperimentError, cut
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario
from zonesim.scenario.what_if import set_values

#: Spawn-key root of the parameter draws, apart from the chance streams (replicate r's key is
#: (r,)), calibration's and forecasts' keys.
UNCERTAINTY_KEY = 30_000
#: Replicates per parameter draw: two is the fewest that separates chance from parameters.
RUNS_PER_DRAW = 2
MODES = ("posterior", "prior", "fixed")


@dataclass
class ParameterDraws:
    """The parameters of each replicate of one run."""

    mode: str                      # "posterior", "prior" or "fixed"
    table: pd.DataFrame            # replicate, draw and one column per drawn parameter
    from_posterior: list[str] = field(default_factory=list)
    from_prior: list[str] = field(default_factory=list)
    posterior: dict | None = None  # the shipped posterior's record (:mod:`.shipped_posterior`)
    why_prior: str = "the scenario has no calibrated posterior"
    held: list[str] = field(default_factory=list)  # set by a what-if: kept at their value

    def parameters(self, replicate: int) -> dict:
        """The values replicate ``replicate`` runs with (empty when fixed)."""
        if self.mode == "fixed":
            return {}
        row = self.table.iloc[int(replicate)]
        return {n: _as_parameter(n, row[n]) for n in (*self.from_posterior, *self.from_prior)}

    def describe(self) -> str:
        """One line for a run's header and its brief: which parameters came from where."""
        if self.mode == "fixed":
            return "Parameters: the scenario's point values in every replicate (--fixed)."
        drawn = len(self.from_posterior) + len(self.from_prior)
        text = (f"Parameters: {drawn} uncertain parameters drawn once every {RUNS_PER_DRAW} "
                "replicates")
        if self.mode == "posterior":
            p = self.posterior or {}
            source = f"the posterior calibrated on {p.get('runin', '?')} ({p.get('date', '?')})"
            text += (f" — all from {source}" if not self.from_prior else
                     f" — {len(self.from_posterior)} from {source}, the other "
                     f"{len(self.from_prior)} from their prior ranges")
        else:
            text += f" from their prior ranges ({self.why_prior})"
        prior = " (triangular, mode at the scenario's value)" if self.from_prior else ""
        held = f"; {', '.join(self.held)} held at the value set" if self.held else ""
        return text + f"{prior}{held}."

    def record(self) -> dict:
        """What run.json keeps of the draws."""
        return {"mode": self.mode, "runs_per_draw": RUNS_PER_DRAW,
                "from_posterior": self.from_posterior, "from_prior": len(self.from_prior),
                "posterior": None if self.posterior is None else {
                    k: self.posterior.get(k) for k in ("runin", "date", "code_digest",
                                                        "data_digest")}}


def _as_parameter(name: str, value) -> float | int:
    return int(round(float(value))) if PARAMETERS[name].integer else float(value)


def _name_key(name: str) -> int:
    """A stable 32-bit key of a parameter name (not Python's salted hash)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def quantiles(seed: int, draw: int, names: list[str]) -> np.ndarray:
    """The uniform quantile of each parameter in ``names`` for draw ``draw`` of seed ``seed``;
    each parameter's stream depends on its name alone (common random numbers)."""
    return np.array([np.random.default_rng(np.random.SeedSequence(
        int(seed), spawn_key=(UNCERTAINTY_KEY, int(draw), _name_key(n)))).random()
        for n in names])


def prior_value(low: float, high: float, mode: float, u: np.ndarray, integer: bool):
    """The triangular(low, mode, high) quantile ``u``; whole numbers for integer parameters,
    kept inside the range (the mode is clipped into it)."""
    mode = min(max(float(mode), low), high)
    x = stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)
    if integer:
        x = np.clip(np.round(x), np.ceil(low), np.floor(high))
    return x


def uncertain_factors(scenario: Scenario, leaving_out=()) -> list:
    """The scenario's uncertain parameters (levers excluded) but those in ``leaving_out``."""
    return [f for f in uncertainty_space(scenario, include_levers=False)
            if f.name not in leaving_out]


def prior_draw(scenario: Scenario, factors: list,
               seed_sequence: np.random.SeedSequence) -> dict:
    """One value of each of ``factors`` from its prior, for the run seeded ``seed_sequence``:
    the quantiles come from a stream of its own, the seed sequence's spawn key extended by
    ``UNCERTAINTY_KEY`` (calibration's simulations and forecasts draw so)."""
    ss = np.random.SeedSequence(seed_sequence.entropy,
                                spawn_key=(*seed_sequence.spawn_key, UNCERTAINTY_KEY))
    u = np.random.default_rng(ss).random(len(factors))
    return {f.name: _as_parameter(f.name, prior_value(f.low, f.high, scenario.value(f.name),
                                                      np.asarray(ui), f.integer))
            for f, ui in zip(factors, u)}


def _posterior_particles(posterior: pd.DataFrame, u: np.ndarray) -> np.ndarray:
    """Particle indices picked by weight at uniform quantiles ``u`` (inverse CDF)."""
    w = posterior["weight"].to_numpy(float)
    cdf = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)


def draw_parameters(scenario: Scenario, replicates: int, seed: int = 0,
                    mode: str = "posterior") -> ParameterDraws:
    """The parameters of ``replicates`` replicates of ``scenario`` seeded ``seed``. ``mode``
    ``posterior`` uses the scenario's shipped posterior if it has one and its prior otherwise;
    ``prior`` ignores a posterior; ``fixed`` draws nothing."""
    if mode not in MODES:
        raise ExperimentError(f"uncertainty: expected one of {', '.join(MODES)}, got "
                              f"{cut(repr(mode), 40)}")
    reps = np.arange(int(replicates))
    draw_of = reps // RUNS_PER_DRAW
    table = pd.DataFrame({"replicate": reps, "draw": draw_of})
    if mode == "fixed":
        return ParameterDraws("fixed", table)
    shipped = load_posterior(scenario) if mode == "posterior" else None
    held = set_values(scenario)
    post_names = [] if shipped is None else [n for n in shipped.parameters if n not in held]
    factors = uncertain_factors(scenario, {*post_names, *held})
    names = [f.name for f in factors]
    n_draws = int(draw_of.max()) + 1 if len(draw_of) else 0
    u = np.array([quantiles(seed, d, [*names, "posterior particle"]) for d in range(n_draws)]
                 ).reshape(n_draws, len(names) + 1)
    cols = {}
    for j, f in enumerate(factors):
        cols[f.name] = prior_value(f.low, f.high, scenario.value(f.name), u[:, j], f.integer)
    if shipped is not None:
        idx = _posterior_particles(shipped.particles, u[:, -1])
        for n in post_names:
            cols[n] = shipped.particles[n].to_numpy()[idx]
    per_draw = pd.DataFrame(cols)
    table = pd.concat([table, per_draw.iloc[draw_of].reset_index(drop=True)], axis=1)
    draws = ParameterDraws("posterior" if shipped is not None else "prior", table,
                           list(post_names), names, None if shipped is None else shipped.record,
                           held=held)
    if mode == "prior" and scenario.calibration is not None:
        draws.why_prior = "--prior: the calibrated posterior set aside"
    return draws


def variance_split(values, groups) -> tuple[float, float]:
    """Share of the variance of ``values`` that comes from the parameters (between the groups
    of replicates sharing a draw), and the design effect that clustering has on a mean.

    One-way random-effects ANOVA for unequal group sizes: σ²_chance = MS_within,
    σ²_parameters = max(0, (MS_between − MS_within) / n₀), share = σ²_p / (σ²_p + σ²_c);
    design effect 1 + (n₀ − 1) × share. NaN share when nothing varies or no group has two
    values."""
    df = pd.DataFrame({"v": np.asarray(values, float), "g": np.asarray(groups)})
    df = df[np.isfinite(df["v"])]
    sizes = df.groupby("g")["v"].size()
    n, a = len(df), len(sizes)
    if a < 2 or n <= a:
        return float("nan"), 1.0
    means = df.groupby("g")["v"].transform("mean")
    ss_within = float(((df["v"] - means) ** 2).sum())
    grand = df["v"].mean()
    ss_between = float((sizes * (df.groupby("g")["v"].mean() - grand) ** 2).sum())
    ms_w, ms_b = ss_within / (n - a), ss_between / (a - 1)
    n0 = (n - float((sizes ** 2).sum()) / n) / (a - 1)
    var_p = max(0.0, (ms_b - ms_w) / n0)
    total = var_p + ms_w
    if total <= 0:
        return float("nan"), 1.0
    share = var_p / total
    return share, 1.0 + (n0 - 1.0) * share
