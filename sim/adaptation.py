r"""GABA-B receptor availability over days (tolerance and rebound) – illustrative.

Under sustained activation, spinal GABA-B receptors are internalised and
down-regulated; after the drug stops they come back over days.  This stage
tracks the fraction of receptors available, :math:`\rho \in (0, 1]`, which
:mod:`sim.receptor` multiplies into every GABA-B activation (drug *and*
endogenous tone), so that an abrupt stop leaves the endogenous tone below its
baseline for days (rebound hyperexcitability, computed downstream).

Equations
---------
Only activated receptors internalise (loss ∝ :math:`a\,\rho`); replacement
restores the full complement:

.. math::
   \tau_\rho\,\frac{d\rho}{dt} = (1 - \rho) - \kappa\,a(t)\,\rho,
   \qquad \rho(0) = 1,

with :math:`a(t)` the *drug* activation of presynaptic GABA-B receptors at the
spinal effect site (:func:`drug_activation`, from ``spinal_effect_ng_ml`` via
:func:`sim.receptor.activation`; the endogenous tone is left out, so an
untreated patient stays at :math:`\rho = 1`).  For constant activation

.. math::
   \rho_\infty = \frac{1}{1 + \kappa a},\qquad
   \rho(t) = \rho_\infty + (\rho_0 - \rho_\infty)\,e^{-(1 + \kappa a)\,t/\tau_\rho},

so :math:`\rho` never leaves :math:`[1/(1+\kappa), 1]`, and with the drug gone it
recovers as :math:`1 - \rho \propto e^{-t/\tau_\rho}`.

Numerics: the equation is linear in :math:`\rho` for a given :math:`a(t)`;
:func:`integrate_availability` holds :math:`a` at the mean of its two end
values on each step and applies the exact exponential solution above (second
order in the step; :func:`availability_over` keeps steps ≤ 0.25 h, against
:math:`\tau_\rho` = 4 days).

Status: **illustrative**.  The time constant and depth are set from rat data
(Kroin et al., J Neurosurg 1993;79:544: 1 µg/h intrathecal baclofen, no change
at day 1, GABA-B binding at 74% and 66% at days 3 and 7, read as "reduced to")
and are not a human measurement; clinical dose drift runs over months
(Heetla et al. 2009; Nance et al. 1993).

Examples
--------
>>> import numpy as np
>>> t = np.arange(0.0, 24.0 * 10, 1.0)
>>> rho = integrate_availability(t, np.where(t < 24 * 7, 1.0, 0.0))   # a week at full activation
>>> round(float(rho[72]), 2), round(float(rho[168]), 2)                 # days 3 and 7 (Kroin 1993)
(0.74, 0.65)
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
        96.0, symbol="τ_ρ", unit="h", bounds=(1.0, 24.0 * 365), status="illustrative",
        source="illustrative, fitted by eye to rat data: Kroin et al., J Neurosurg 1993;79:544 "
        "(1 µg/h IT: binding unchanged at day 1, 74% at day 3, 66% at day 7); calibration notes "
        "§8.16 suggest 3–7 days; clinical dose drift is slower (months; Heetla 2009)",
        description="receptor turnover time constant (= recovery time constant after a stop)",
    )
    internalisation_gain: float = param(
        0.6, symbol="κ", unit="1", bounds=(0.0, 20.0), status="illustrative",
        source="illustrative: with saturating activation ρ∞ = 1/(1 + κ) = 0.625, so that ρ falls "
        "to ≈ 0.74 at day 3 and ≈ 0.65 at day 7 (Kroin et al. 1993, rat, read as 'reduced to')",
        description="internalisation per unit drug activation, relative to replacement",
    )


def rhs(
    t: float, availability: Any, drug_activation: Any, params: AdaptationParameters
) -> np.ndarray:
    r"""Right-hand side :math:`d\rho/dt = [(1 - \rho) - \kappa a \rho]/\tau_\rho`, 1/h.

    Parameters
    ----------
    t : float
        Time, h (unused; the equation is autonomous given :math:`a`).
    availability : float or array_like
        Receptor availability :math:`\rho`.
    drug_activation : float or array_like
        Drug activation :math:`a` in [0, 1] at this time.
    params : AdaptationParameters
        Constants.

    Returns
    -------
    numpy.ndarray
        :math:`d\rho/dt`, 1/h.

    Examples
    --------
    >>> float(rhs(0.0, 1.0, 0.0, AdaptationParameters()))
    0.0
    """
    rho = np.asarray(availability, dtype=float)
    a = np.asarray(drug_activation, dtype=float)
    return ((1.0 - rho) - params.internalisation_gain * a * rho) / params.time_constant_h


def steady_state_availability(
    drug_activation: Any, params: AdaptationParameters | None = None
) -> np.ndarray:
    r"""Availability reached under constant activation, :math:`1/(1 + \kappa a)`.

    Examples
    --------
    >>> float(steady_state_availability(1.0))
    0.625
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
    >>> round(float(drug_activation(42.732)), 3)   # 0.2 µM racemic ≈ 0.1 µM R (+ S/120) = EC50
    0.502
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

    Exact exponential step per interval with :math:`a` held at the mean of
    the interval's end values (see the module docstring).

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
    >>> integrate_availability([0.0, 96.0], [0.0, 0.0], initial=0.5).round(4)   # recovers with τ_ρ
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
    a_mid = 0.5 * (a[..., 1:] + a[..., :-1])
    rho_inf = 1.0 / (1.0 + kappa * a_mid)
    decay = np.exp(-(1.0 + kappa * a_mid) * np.diff(times) / tau)
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
    >>> rho = availability_over(None, sim.IntrathecalInfusion(400), [0.0, 24.0 * 7])
    >>> bool(rho[-1] < 0.7)
    True
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
