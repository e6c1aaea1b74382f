r"""Muscle spindle primary (Ia) afferent discharge.

Stage 1 of the reflex loop: muscle stretch → Ia firing rate.

Equations
---------
Prochazka & Gorassini (1998) fitted the discharge of cat hamstring Ia
afferents during walking with

.. math::  r_{Ia} = \max\bigl(0,\; r_0 + k_x\,\Delta x + k_v\,\mathrm{sign}(v)\,|v|^{p}
           + \Delta r_\gamma\bigr)

with :math:`\Delta x` the muscle stretch (mm), :math:`v` its velocity (mm/s),
:math:`p \approx 0.5`–0.6 (rate ∝ √velocity; doubling the velocity multiplies
the dynamic term by :math:`2^{0.6} = 1.52`), :math:`r_0 = 82` imp/s and
:math:`\Delta r_\gamma` an extra fusimotor-driven discharge (alpha–gamma
co-activation during voluntary contraction).  The EMG term of the original fit
is omitted (the probe is open loop).  The rate is never negative.

Assumptions
-----------
* The whole Ia population is represented by one mean rate (a population
  average; individual fibres are not simulated).
* Muscle stretch = muscle–tendon stretch (tendon compliance ignored).
* The cat baseline (82 imp/s) is kept although relaxed human spindles fire
  less; the gains are from memory (calibration notes §6, "L").

Examples
--------
>>> float(ia_rate_hz(0.0, 0.0))
82.0
>>> fast, slow = ia_rate_hz(0.0, [100.0, 50.0]) - 82.0
>>> round(float(fast / slow), 3)  # doubling velocity × 2**0.6
1.516
>>> float(ia_rate_hz(0.0, -1.0e4))  # fast shortening silences the afferent
0.0
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._jit import kernel_function
from .parameters import Parameters, param

__all__ = ["SpindleParameters", "ia_rate_hz"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SpindleParameters(Parameters):
    """Ia afferent model of Prochazka & Gorassini (1998); see the module docstring."""

    resting_rate_hz: float = param(
        6.8, symbol="r_0", unit="imp/s", bounds=(0.0, 200.0), status="literature",
        source="Prochazka & Gorassini, J Physiol 1998;507:277 (cat hamstring, verified baseline)",
        description="Ia discharge at rest length and zero velocity",
    )
    length_gain_hz_per_mm: float = param(
        0.5, symbol="k_x", unit="imp/s per mm", bounds=(0.0, 50.0), status="illustrative",
        source="Prochazka & Gorassini 1998, ≈2 imp/s per mm (from memory, unverified; calibration notes §6)",
        description="static (length) sensitivity",
    )
    velocity_gain: float = param(
        1.5, symbol="k_v", unit="imp/s per (mm/s)^p", bounds=(0.0, 50.0), status="illustrative",
        source="Prochazka & Gorassini 1998, ≈4.3 imp/s per (mm/s)^0.6 (from memory, unverified)",
        description="dynamic (velocity) sensitivity",
    )
    velocity_exponent: float = param(
        0.6, symbol="p", unit="1", bounds=(0.3, 1.0), status="literature",
        source="Prochazka & Gorassini 1998: exponent 0.5–0.6 (verified)",
        description="power of the velocity term",
    )


def ia_rate_hz(
    stretch_mm: Any,
    velocity_mm_s: Any,
    params: SpindleParameters | None = None,
    *,
    fusimotor_hz: Any = 0.0,
) -> np.ndarray:
    """Mean Ia discharge rate for a given stretch and stretch velocity.

    Parameters
    ----------
    stretch_mm : float or array_like
        Muscle stretch from the start length, mm.
    velocity_mm_s : float or array_like
        Stretch velocity, mm/s (positive = lengthening).
    params : SpindleParameters, optional
        Gains and exponent.
    fusimotor_hz : float or array_like, optional
        Extra discharge driven by gamma motoneurons, imp/s.

    Returns
    -------
    numpy.ndarray
        Ia rate, imp/s, ≥ 0 (broadcast shape of the inputs).
    """
    p = params or SpindleParameters()
    return np.asarray(discharge_rate(np.asarray(stretch_mm, dtype=float), np.asarray(velocity_mm_s, dtype=float),
                                     np.asarray(fusimotor_hz, dtype=float), p.resting_rate_hz,
                                     p.length_gain_hz_per_mm, p.velocity_gain, p.velocity_exponent))


@kernel_function
def discharge_rate(stretch_mm: Any, velocity_mm_s: Any, fusimotor_hz: Any, resting_rate_hz: float,
                   length_gain_hz_per_mm: float, velocity_gain: float, velocity_exponent: float) -> Any:
    """Ia rate :math:`\\max(0, r_0 + k_x\\Delta x + k_v\\,\\mathrm{sign}(v)|v|^p + r_\\gamma)` (kernel function)."""
    dynamic = velocity_gain * np.sign(velocity_mm_s) * np.abs(velocity_mm_s) ** velocity_exponent
    return np.maximum(resting_rate_hz + length_gain_hz_per_mm * stretch_mm + dynamic + fusimotor_hz, 0.0)
