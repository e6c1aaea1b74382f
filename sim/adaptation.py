r"""GABA-B receptor availability over weeks (tolerance and rebound) – illustrative.

Under sustained activation, spinal GABA-B receptors are internalised and their
synthesis is reduced; after the drug stops they come back over weeks.  This
stage tracks the fraction of receptors available, :math:`\rho \in (0, 1]`, which
:mod:`sim.receptor` multiplies into every GABA-B activation (drug *and*
endogenous tone), so that an abrupt stop leaves the endogenous tone below its
baseline (rebound hyperexcitability, computed downstream).

Equations
---------
A delayed, two-stage cascade (internalisation signal :math:`q_1` → reduced
synthesis :math:`q_2`) drives the loss of available receptors; replacement
restores the full complement:

.. math::
   \tau_d\,\dot q_1 = a(t) - q_1,\qquad
   \tau_d\,\dot q_2 = q_1 - q_2,\qquad
   \tau_\rho\,\dot\rho = (1 - \rho) - \kappa\,q_2\,\rho,

with :math:`q_1 = q_2 = 0`, :math:`\rho = 1` before the first dose, and :math:`a(t)` the
*drug* activation of presynaptic GABA-B receptors at the spinal effect site –
the **cord tissue** level ``spinal_effect_ng_ml`` (:func:`drug_activation`, via
:func:`sim.receptor.activation`; the endogenous tone is left out, so an
untreated patient stays at :math:`\rho = 1`).  For constant activation the steady
state is :math:`\rho_\infty = 1/(1 + \kappa a)`, and since :math:`0 \le q_2 \le 1`,
:math:`\rho` never leaves :math:`[1/(1+\kappa), 1]`.

Why a cascade, and these time scales: rat receptor binding is unchanged after
one day of intrathecal baclofen and falls by days 3–7 (Kroin et al., J Neurosurg
1993;79:544) – a delayed, not an immediate, loss – while the clinical dose needed
for a constant effect rises over the first 12–18 months (Heetla et al., Spinal
Cord 2009;47:751; Nance et al. 1993) and a drug holiday restores sensitivity
(Heetla 2009).  Three 10-day stages make the loss start slowly (it grows like
:math:`t^3` at first): at a constant usual dose :math:`\rho` moves by less than 0.01 in
5 days (so short teaching scenarios show no tolerance), four weeks of IT
400 µg/day leave it ≈ 0.15 below 1, and after a stop it keeps falling for a few
days (the signals decay first) and recovers over weeks.  The rat time course
(faster, deeper at saturating doses) is not reproduced: human turnover is taken
slower.

Numerics: the three equations are linear in their own state for given inputs
and feed forward (:math:`a \to q_1 \to q_2 \to \rho`).  :func:`integrate_availability`
holds each stage's input at the mean of its two end values on a step and applies
the exact exponential solution (:func:`sim.solvers.relax`), stage by stage; the
result is second order in the step (:func:`availability_over` keeps steps ≤ 0.25 h,
against time constants of 10 days).

Status: **illustrative**.  Depth and time constants are teaching choices
constrained by the observations above, not a human measurement.

Examples
--------
>>> import numpy as np
>>> t = np.arange(0.0, 24.0 * 60, 1.0)
>>> a = np.where(t < 24 * 28, 0.18, 0.0)                  # ≈ IT 400 µg/day for 4 weeks, then stop
>>> rho = integrate_availability(t, a)
>>> round(float(1 - rho[24 * 5]), 4), round(float(rho[24 * 28]), 2)   # day 5; the stop
(0.0046, 0.85)
>>> bool(rho[-1] > rho[24 * 35])                                      # recovering by day 60
True
>>> bool(np.all(integrate_availability(t, np.zeros_like(t)) == 1.0))  # never dosed
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from . import solvers
from .errors import ParameterError
from .parameters import Parameters, check_range, param
from .receptor import ReceptorParameters, activation
from .units import ng_ml_to_um

__all__ = [
    "STATE_NAMES",
    "AdaptationParameters",
    "rhs",
    "steady_state_availability",
    "drug_activation",
    "integrate_availability",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AdaptationParameters(Parameters):
    """Receptor down-regulation constants (illustrative; see the module docstring)."""

    time_constant_h: float = param(
        240.0, symbol="τ_ρ", unit="h", bounds=(1.0, 24.0 * 365), status="illustrative",
        source="illustrative: receptor replacement over ≈ 10 days, so that, with the two 10-day "
        "signal stages, ρ moves < 0.01 in 5 days at a usual dose but clearly within 4 weeks; rat "
        "down-regulation is faster (Kroin et al., J Neurosurg 1993;79:544: unchanged at day 1, "
        "reduced by days 3–7), clinical dose drift slower (12–18 months; Heetla 2009; Nance 1993)",
        description="receptor replacement time constant (sets the final recovery after a stop)",
    )
    delay_time_constant_h: float = param(
        240.0, symbol="τ_d", unit="h", bounds=(1.0, 24.0 * 365), status="illustrative",
        source="illustrative: each of the two cascade stages (internalisation signal → reduced "
        "synthesis) takes ≈ 10 days; a delayed loss as in Kroin et al. 1993 (rat: no change at day "
        "1), stretched to the clinical time scale (Heetla 2009: dose rises over 12–18 months)",
        description="time constant of each of the two signal stages before receptors are lost",
    )
    internalisation_gain: float = param(
        1.8, symbol="κ", unit="1", bounds=(0.0, 20.0), status="illustrative",
        source="illustrative depth: ρ∞ = 1/(1 + κa); with the cord-tissue activation of IT "
        "400 µg/day (a ≈ 0.2 at the slice-anchored presynaptic EC50) four weeks leave ρ ≈ 0.85, enough for "
        "a visible rebound after an abrupt stop (labels' withdrawal warning; calibration notes §8.16), while "
        "ρ never falls below 1/(1 + κ) = 0.36; Kroin et al. 1993 (rat, 1 µg/h) saw binding fall to 66–74%",
        description="internalisation per unit drug activation, relative to replacement",
    )


#: States of the cascade, in order: the two signal stages and availability ρ.
STATE_NAMES = ("internalisation_signal", "synthesis_signal", "availability")


def rhs(
    t: float, state: Any, drug_activation: Any, params: AdaptationParameters
) -> np.ndarray:
    r"""Right-hand side of the cascade (module docstring), per h.

    Parameters
    ----------
    t : float
        Time, h (unused; the equations are autonomous given :math:`a`).
    state : array_like, shape (..., 3)
        :math:`(q_1, q_2, \rho)` in the order of :data:`STATE_NAMES`.
    drug_activation : float or array_like
        Drug activation :math:`a` in [0, 1] at this time.
    params : AdaptationParameters
        Constants.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        :math:`(\dot q_1, \dot q_2, \dot\rho)`, 1/h.

    Examples
    --------
    >>> rhs(0.0, [0.0, 0.0, 1.0], 0.0, AdaptationParameters()).tolist()
    [0.0, 0.0, 0.0]
    """
    y = np.asarray(state, dtype=float)
    q1, q2, rho = y[..., 0], y[..., 1], y[..., 2]
    a = np.asarray(drug_activation, dtype=float)
    p = params
    derivatives = ((a - q1) / p.delay_time_constant_h,
                   (q1 - q2) / p.delay_time_constant_h,
                   ((1.0 - rho) - p.internalisation_gain * q2 * rho) / p.time_constant_h)
    return np.stack(np.broadcast_arrays(*derivatives), axis=-1)


def steady_state_availability(
    drug_activation: Any, params: AdaptationParameters | None = None
) -> np.ndarray:
    r"""Availability reached under constant activation, :math:`1/(1 + \kappa a)`.

    Examples
    --------
    >>> round(float(steady_state_availability(1.0)), 4)
    0.3571
    """
    params = params or AdaptationParameters()
    a = check_range("drug_activation", drug_activation, 0.0, 1.0)
    return 1.0 / (1.0 + params.internalisation_gain * a)


def drug_activation(
    spinal_effect_ng_ml: Any, receptor_params: ReceptorParameters | None = None
) -> np.ndarray:
    """Presynaptic GABA-B activation by the drug alone at the spinal effect site.

    Parameters
    ----------
    spinal_effect_ng_ml : float or array_like
        Total (racemic) baclofen at the spinal effect site, ng/mL.
    receptor_params : ReceptorParameters, optional
        Potency; R-only activity is handled by :func:`sim.receptor.activation`.

    Returns
    -------
    numpy.ndarray
        Activation in [0, 1).

    Examples
    --------
    >>> round(float(drug_activation(296.65)), 3)   # 1.388 µM racemic ≈ 0.7 µM R (+ S/120) = EC50
    0.5
    """
    return activation(ng_ml_to_um(spinal_effect_ng_ml), enantiomer="racemic", site="presynaptic",
                      params=receptor_params)


def integrate_availability(
    t_h: Any,
    drug_activation: Any,
    params: AdaptationParameters | None = None,
    *,
    initial: Any = 1.0,
) -> np.ndarray:
    r"""Receptor availability :math:`\rho(t)` for a given activation time course.

    The cascade starts drug-naive (:math:`q_1 = q_2 = 0`); each stage takes an
    exact exponential step per interval with its input held at the mean of the
    interval's end values (see the module docstring).

    Parameters
    ----------
    t_h : array_like, shape (n,)
        Increasing times, h.  Keep steps short against the variation of
        :math:`a` (≤ 0.25 h for dosing courses).
    drug_activation : array_like, shape (..., n)
        Drug activation at those times, in [0, 1]; leading axes are a batch.
    params : AdaptationParameters, optional
        Constants.
    initial : float or array_like
        :math:`\rho` at ``t_h[0]`` (1 = never dosed).

    Returns
    -------
    numpy.ndarray, shape (..., n)
        :math:`\rho` in :math:`(0, 1]`.

    Examples
    --------
    >>> integrate_availability([0.0, 240.0], [0.0, 0.0], initial=0.5).round(4)   # recovers with τ_ρ
    array([0.5   , 0.8161])
    """
    params = params or AdaptationParameters()
    times = np.asarray(t_h, dtype=float)
    if (times.ndim != 1 or times.size == 0 or np.any(np.diff(times) <= 0)
            or not np.all(np.isfinite(times))):
        raise ParameterError(
            "t_h must be a one-dimensional, strictly increasing array of finite times"
        )
    a = check_range("drug_activation", drug_activation, 0.0, 1.0)
    if a.shape[-1:] != times.shape:
        raise ParameterError(
            f"drug_activation has shape {a.shape}; its last axis must match t_h ({times.size})"
        )
    rho0 = check_range("initial", initial, 1e-12, 1.0)
    kappa = np.asarray(params.internalisation_gain, dtype=float)[..., None]
    tau = np.asarray(params.time_constant_h, dtype=float)[..., None]
    tau_d = np.asarray(params.delay_time_constant_h, dtype=float)[..., None]
    steps = np.diff(times)
    delay_decay = np.exp(-steps / tau_d)
    # Feed-forward stages, each advanced exactly with its input held at the step's mean.
    q1 = solvers.relax(np.zeros(np.shape(rho0)), 0.5 * (a[..., 1:] + a[..., :-1]), delay_decay)
    q2 = solvers.relax(np.zeros(np.shape(rho0)), 0.5 * (q1[..., 1:] + q1[..., :-1]), delay_decay)
    q_mid = 0.5 * (q2[..., 1:] + q2[..., :-1])
    rho_inf = 1.0 / (1.0 + kappa * q_mid)
    decay = np.exp(-(1.0 + kappa * q_mid) * steps / tau)
    return solvers.relax(rho0, rho_inf, decay)


def _with_trailing_axis(params: Any) -> Any:
    """Copy of a parameter object whose array fields get a trailing (time) axis."""
    changes = {f.name: np.asarray(getattr(params, f.name), dtype=float)[..., None]
               for f in dataclasses.fields(params) if np.ndim(getattr(params, f.name))}
    return dataclasses.replace(params, **changes) if changes else params


def availability_over(
    patient: Any,
    regimen: Any,
    t_h: Any,
    *,
    params: AdaptationParameters | None = None,
    pk_params: Any = None,
    receptor_params: ReceptorParameters | None = None,
    step_h: float = 0.25,
) -> np.ndarray:
    """Receptor availability at *t_h* for a patient on a regimen.

    The spinal effect-site level comes from the exact PK (:func:`sim.pk.simulate`)
    on a grid with steps ≤ *step_h* (and every dose time); :func:`integrate_availability`
    then advances :math:`\rho` on that grid.

    Parameters
    ----------
    patient, regimen, t_h
        As in :func:`sim.pk.simulate` (``t_h`` strictly increasing, h).
    params : AdaptationParameters, optional
        Down-regulation constants.
    pk_params : PKParameters, optional
        PK constants.
    receptor_params : ReceptorParameters, optional
        Potency of the drug at the presynaptic receptor.
    step_h : float
        Largest internal step, h (0.001–24).

    Returns
    -------
    numpy.ndarray, shape (batch..., len(t_h))

    Examples
    --------
    >>> import sim
    >>> rho = availability_over(None, sim.IntrathecalInfusion(400), [0.0, 24.0 * 5, 24.0 * 28])
    >>> bool(1.0 - rho[1] < 0.01), bool(rho[2] < 0.9)      # no drift in 5 days; clear at 4 weeks
    (True, True)
    """
    from . import pk

    params = params or AdaptationParameters()
    times = np.asarray(t_h, dtype=float)
    if not (isinstance(step_h, (int, float)) and 1e-3 <= step_h <= 24.0):
        raise ParameterError(f"step_h = {step_h!r} is outside the allowed range [0.001, 24.0] h")
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
        raise ParameterError("t_h must be a non-empty, one-dimensional, strictly increasing array "
                             "of finite times (h)")
    from .dosing import Regimen

    regimen = regimen if isinstance(regimen, Regimen) else Regimen(regimen)
    grid = fine_grid(times, regimen.breakpoints(), step_h)
    effect = pk.simulate(patient, regimen, grid, params=pk_params)["spinal_effect_ng_ml"]
    rho = availability_on_grid(grid, effect, params=params, receptor_params=receptor_params)
    return rho[..., np.searchsorted(grid, times)]


def availability_on_grid(grid_h: np.ndarray, spinal_effect_ng_ml: np.ndarray, *,
                         params: AdaptationParameters | None = None,
                         receptor_params: ReceptorParameters | None = None) -> np.ndarray:
    """:math:`\\rho` on a fine grid (steps ≤ 0.25 h, see :func:`fine_grid`) from the spinal level there.

    Array-valued parameters (a batch) broadcast against the leading axes of the level.
    """
    activation_ = drug_activation(spinal_effect_ng_ml, _with_trailing_axis(receptor_params or ReceptorParameters()))
    return integrate_availability(grid_h, activation_, _with_trailing_axis(params or AdaptationParameters()))


def fine_grid(t_h: np.ndarray, breakpoints: tuple[float, ...], max_step_h: float) -> np.ndarray:
    """*t_h*, the breakpoints in range and extra nodes so that no step exceeds *max_step_h*."""
    start = min(t_h[0], breakpoints[0]) if breakpoints else t_h[0]
    inside = [b for b in breakpoints if start <= b <= t_h[-1]]
    nodes = np.unique(np.concatenate([t_h, np.asarray(inside, dtype=float)]))
    gaps = np.diff(nodes)
    extra_counts = np.ceil(gaps / max_step_h - 1e-9).astype(int) - 1
    if np.any(extra_counts > 0):
        fills = [nodes[i] + gaps[i] * np.arange(1, n + 1) / (n + 1)
                 for i, n in enumerate(extra_counts) if n > 0]
        nodes = np.unique(np.concatenate([nodes, *fills]))
    return nodes
