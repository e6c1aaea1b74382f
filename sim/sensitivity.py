r"""Which differences between patients matter? One-at-a-time (tornado) and variance-based (Sobol) sensitivity.

Educational illustration – not for clinical use.  The outputs are two steady-state
read-outs of a regimen:

* ``reflex_gain_rel`` – the stretch-reflex gain (relative to the same patient untreated)
  at the **mean** steady-state cord-tissue level, and
* ``sedation_index`` – the qualitative sedation index at the mean steady-state brain level,

computed in closed form (:func:`sim.pk.steady_state_spinal_ng_ml`: at steady state each
effect compartment equals its driving concentration, and for repeated doses the mean over a
dosing interval is the level of the continuous infusion of the same daily amount) and with the
reflex from a :class:`~sim.population.ReadoutSurface`.  Receptor adaptation is left out
(availability 1: a drug-naive steady state).  Because mean steady-state levels do not depend on
the volume of distribution or on the absorption rate, those two inputs have indices ≈ 0 here – a
built-in check, and a teaching point: they shape peaks and troughs, not the average.

The inputs are the quantities :func:`sim.population` draws (:data:`INPUTS`), with the same
truncated distributions, except kidney function, which is uniform on
:data:`KIDNEY_RANGE_ML_MIN` (30–120 mL/min, illustrative) so that it can matter.

* :func:`tornado` sets each input to its 5th and 95th percentile, the others at their
  median, and reports the output at each end.
* :func:`sobol` estimates first-order and total Sobol indices with
  :func:`scipy.stats.sobol_indices` (Saltelli sampling on a scrambled Sobol' sequence,
  :mod:`scipy.stats.qmc`); it needs SciPy ≥ 1.11.

Examples
--------
>>> import numpy as np
>>> from sim.sensitivity import sobol
>>> ishigami = lambda x: np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
>>> from scipy.stats import uniform
>>> s = sobol(lambda x: ishigami(x)[None, :], [uniform(-np.pi, 2 * np.pi)] * 3, n=1024, seed=1)
>>> [round(float(v), 1) + 0.0 for v in s.first_order[0]]     # analytic 0.31, 0.44, 0
[0.3, 0.4, 0.0]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import outcomes, pk, receptor
from .errors import ParameterError
from .model import ModelParameters
from .parameters import check_choice
from .population import (
    DRAWN,
    ReadoutSurface,
    VariabilityParameters,
    _distributions,
    _truncated_normal,
    omega,
    parameters_for,
)
from .units import ng_ml_to_um

__all__ = ["INPUTS", "OUTPUTS", "KIDNEY_RANGE_ML_MIN", "InputDistribution", "input_distributions",
           "steady_state_outputs", "tornado", "sobol", "SobolResult", "model_sobol"]

#: The inputs (as drawn by :func:`sim.population`).
INPUTS = DRAWN
#: The outputs.
OUTPUTS = ("reflex_gain_rel", "sedation_index")
#: Kidney function range of the sensitivity analysis, mL/min (uniform; illustrative).
KIDNEY_RANGE_ML_MIN = (30.0, 120.0)


@dataclasses.dataclass(frozen=True)
class InputDistribution:
    """One input's distribution, with a ``ppf`` (what :func:`scipy.stats.sobol_indices` needs)."""

    name: str
    kind: str  # "lognormal-factor", "normal", "uniform"
    centre: float
    scale: float
    low: float
    high: float

    def ppf(self, u: Any) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + (self.high - self.low) * u
        if self.scale == 0.0:
            return np.full(u.shape, self.centre)
        z = _truncated_normal(u, self.low, self.high)
        if self.kind == "lognormal-factor":
            return np.exp(self.scale * z)
        return self.centre + self.scale * z


def input_distributions(variability: VariabilityParameters | None = None, params: ModelParameters | None = None,
                        *, kidney_range_ml_min: Sequence[float] = KIDNEY_RANGE_ML_MIN) -> list[InputDistribution]:
    """The distribution of every input of :data:`INPUTS`, in order (truncation as in :mod:`sim.population`)."""
    variability = variability or VariabilityParameters()
    base = params or ModelParameters()
    k = float(variability.truncation_sd)
    out = []
    for name, spec in _distributions(variability, base).items():
        low, high = spec.z_bounds(k)
        out.append(InputDistribution(name, "lognormal-factor", 1.0, omega(spec.cv), low, high))
    m, sd = float(variability.spasticity_median), float(variability.spasticity_sd)
    low = max(-k, -m / sd) if sd else 0.0
    high = min(k, (1.0 - m) / sd) if sd else 0.0
    out.append(InputDistribution("spasticity", "normal", m, sd, low, high))
    lo, hi = (float(v) for v in kidney_range_ml_min)
    if not 0.0 <= lo <= hi <= 250.0:
        raise ParameterError(f"kidney_range_ml_min = {kidney_range_ml_min!r}: expected 0 ≤ low ≤ high ≤ 250 mL/min")
    out.append(InputDistribution("creatinine_clearance_ml_min", "uniform", 0.5 * (lo + hi), 0.0, lo, hi))
    by_name = {d.name: d for d in out}
    return [by_name[name] for name in INPUTS]


def steady_state_outputs(values: Mapping[str, Any], surface: ReadoutSurface, *, oral_mg_per_day: float = 0.0,
                         intrathecal_ug_per_day: float = 0.0, params: ModelParameters | None = None,
                         enantiomer: str = "racemic") -> dict[str, np.ndarray]:
    """Steady-state reflex gain and sedation index for arrays of input values (see the module docstring).

    Parameters
    ----------
    values : mapping
        Every name of :data:`INPUTS` → array (broadcasting).
    surface : ReadoutSurface
        Holding ``reflex_gain_rel``, built with *params*.
    oral_mg_per_day, intrathecal_ug_per_day : float
        The regimen's daily amounts (oral mg/day, intrathecal µg/day).
    """
    if "reflex_gain_rel" not in surface.readouts:
        raise ParameterError("surface must hold 'reflex_gain_rel'")
    check_choice("enantiomer", enantiomer, receptor.ENANTIOMERS)
    arrays = np.broadcast_arrays(*(np.asarray(values[name], dtype=float) for name in INPUTS))
    shape = arrays[0].shape
    flat = {name: a.ravel() for name, a in zip(INPUTS, arrays, strict=True)}
    patient, per = parameters_for(flat, params)
    spinal = pk.steady_state_spinal_ng_ml(oral_mg_per_day, intrathecal_ug_per_day, patient, per.pk)
    plasma = pk.steady_state_plasma_ng_ml(oral_mg_per_day, intrathecal_ug_per_day, patient, per.pk)
    csf = pk.steady_state_csf_ng_ml(intrathecal_ug_per_day, per.pk, patient=patient, oral_mg_per_day=oral_mg_per_day)
    brain = per.pk.brain_plasma_ratio * plasma + per.pk.rostral_fraction * csf
    a_pre, a_post = receptor.site_activations(ng_ml_to_um(spinal), enantiomer=enantiomer, params=per.receptor)
    sedation = outcomes.sedation_index(brain, per.sedation, enantiomer=enantiomer, receptor_params=per.receptor)
    gain = surface(a_pre, a_post, patient.severity)["reflex_gain_rel"]
    return {"reflex_gain_rel": np.reshape(gain, shape), "sedation_index": np.reshape(sedation, shape)}


def tornado(surface: ReadoutSurface, *, oral_mg_per_day: float = 0.0, intrathecal_ug_per_day: float = 0.0,
            variability: VariabilityParameters | None = None, params: ModelParameters | None = None,
            kidney_range_ml_min: Sequence[float] = KIDNEY_RANGE_ML_MIN) -> dict[str, dict[str, np.ndarray]]:
    """One-at-a-time sensitivity: each input at its 5th and 95th percentile, the others at their medians.

    Returns
    -------
    dict
        ``{"typical": {output: value}, "low": {output: array over INPUTS}, "high": {…},
        "input_low": array, "input_high": array}`` (inputs in the order of :data:`INPUTS`).
    """
    dists = input_distributions(variability, params, kidney_range_ml_min=kidney_range_ml_min)
    median = np.array([float(d.ppf(0.5)) for d in dists])
    lows = np.array([float(d.ppf(0.05)) for d in dists])
    highs = np.array([float(d.ppf(0.95)) for d in dists])
    d = len(dists)
    grid = np.tile(median, (2 * d + 1, 1))
    for i in range(d):
        grid[1 + i, i] = lows[i]
        grid[1 + d + i, i] = highs[i]
    out = steady_state_outputs({name: grid[:, i] for i, name in enumerate(INPUTS)}, surface,
                               oral_mg_per_day=oral_mg_per_day, intrathecal_ug_per_day=intrathecal_ug_per_day,
                               params=params)
    return {"typical": {k: v[0] for k, v in out.items()}, "low": {k: v[1:1 + d] for k, v in out.items()},
            "high": {k: v[1 + d:] for k, v in out.items()}, "input_low": lows, "input_high": highs}


@dataclasses.dataclass(frozen=True)
class SobolResult:
    """First-order and total Sobol indices, shape ``(n_outputs, n_inputs)``."""

    first_order: np.ndarray
    total_order: np.ndarray
    n: int


def sobol(func: Callable[[np.ndarray], np.ndarray], dists: Sequence[Any], *, n: int = 4096, seed: int = 0
          ) -> SobolResult:
    """Sobol indices of *func* with :func:`scipy.stats.sobol_indices` (Saltelli scheme, n(d + 2) evaluations).

    Parameters
    ----------
    func : callable
        ``x`` of shape ``(d, m)`` → outputs of shape ``(s, m)``.
    dists : sequence
        One distribution per input, each with ``ppf``.
    n : int
        Base sample size (a power of 2).
    seed : int
        Seed of the scrambled Sobol' sequence.
    """
    from scipy.stats import sobol_indices

    if n < 2 or n & (n - 1):
        raise ParameterError(f"n = {n!r}: expected a power of 2 (scipy.stats.sobol_indices)")
    result = sobol_indices(func=func, n=int(n), dists=list(dists), random_state=np.random.default_rng(seed))
    first = np.atleast_2d(np.asarray(result.first_order, dtype=float))
    total = np.atleast_2d(np.asarray(result.total_order, dtype=float))
    return SobolResult(first_order=first, total_order=total, n=int(n))


def model_sobol(surface: ReadoutSurface, *, oral_mg_per_day: float = 0.0, intrathecal_ug_per_day: float = 0.0,
                n: int = 4096, seed: int = 0, variability: VariabilityParameters | None = None,
                params: ModelParameters | None = None,
                kidney_range_ml_min: Sequence[float] = KIDNEY_RANGE_ML_MIN) -> SobolResult:
    """Sobol indices of the steady-state :data:`OUTPUTS` (rows) with respect to :data:`INPUTS` (columns)."""
    dists = input_distributions(variability, params, kidney_range_ml_min=kidney_range_ml_min)

    def func(x: np.ndarray) -> np.ndarray:
        out = steady_state_outputs({name: x[i] for i, name in enumerate(INPUTS)}, surface,
                                   oral_mg_per_day=oral_mg_per_day, intrathecal_ug_per_day=intrathecal_ug_per_day,
                                   params=params)
        return np.stack([out[name] for name in OUTPUTS])

    return sobol(func, dists, n=n, seed=seed)
