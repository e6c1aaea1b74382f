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
the dynamic term by :math:`2^{0.6} = 1.52`), a resting discharge :math:`r_0` and
:math:`\Delta r_\gamma` an extra fusimotor-driven discharge (alpha–gamma
co-activation during voluntary contraction).  The EMG term of the original fit
is omitted (the probe is open loop).  The rate is never negative.

Assumptions
-----------
* The whole Ia population is represented by one mean rate (a population
  average; individual fibres are not simulated).
* Muscle stretch = muscle–tendon stretch (tendon compliance ignored).
* The form and exponent are the walking cat's; the baseline and gains are those of
  **relaxed human** muscle, where there is no effective background fusimotor drive
  (Burke et al. 1979): many primary endings are silent at rest and the active ones fire
  at ≈ 11 imp/s, so the population mean is ≈ 7 imp/s (not the cat's 82 imp/s), and the
  static and dynamic sensitivities are lower than with the walking cat's fusimotor drive
  (both calibrated, see :class:`SpindleParameters`).

Examples
--------
>>> float(ia_rate_hz(0.0, 0.0))
6.8
>>> fast, slow = ia_rate_hz(0.0, [100.0, 50.0]) - 6.8
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
        6.8, symbol="r_0", unit="imp/s", bounds=(0.0, 200.0), status="derived",
        source="derived from Burke et al., 'The regularity of muscle spindle discharge in man', J Physiol 1979 "
        "(relaxed human pretibial muscles: 24 of "
        "39 spindle endings fired, mean 11.1 imp/s → population mean 24/39 × 11.1 ≈ 6.8 imp/s); the "
        "walking cat's 82 imp/s (Prochazka & Gorassini 1998) includes fusimotor drive",
        description="mean Ia discharge of the relaxed muscle at rest length and zero velocity",
    )
    length_gain_hz_per_mm: float = param(
        0.5, symbol="k_x", unit="imp/s per mm", bounds=(0.0, 50.0), status="calibrated",
        source="calibrated: a quarter of the walking cat's ≈ 2 imp/s per mm (Prochazka & Gorassini 1998, from "
        "memory) for relaxed human muscle without fusimotor drive (Burke et al. 1979), so a slow stretch "
        "does not reach the healthy reflex threshold within the joint range",
        description="static (length) sensitivity",
    )
    velocity_gain: float = param(
        1.5, symbol="k_v", unit="imp/s per (mm/s)^p", bounds=(0.0, 50.0), status="calibrated",
        source="calibrated: about a third of the walking cat's ≈ 4.3 (Prochazka & Gorassini 1998, from "
        "memory) for relaxed human spindles without dynamic fusimotor drive; sets the stretch drive "
        "beside the electrical volley so that healthy Hmax/Mmax ≈ 0.3 comes with little stretch reflex "
        "below ≈ 100 °/s",
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
