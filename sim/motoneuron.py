r"""The motoneuron pool: a recruiting set of units, each with its own PIC; GIRK; rate coding.

Stage 4 of the chain: synaptic conductances → which motoneurons fire, and how fast.

The pool
--------
The pool is :data:`N_UNITS` representative motoneurons ("units"), ordered by
recruitment threshold (Henneman's size principle).  Unit :math:`i` stands for
the quantile :math:`q_i = (i + \tfrac12)/N` of the pool by number.  As in the
pool model of Fuglevand, Winter & Patla (J Neurophysiol 1993;70:2470), many
units have low thresholds and few have high ones, and a unit's force (and
EMG contribution) grows exponentially with its rank:

.. math::
   \theta_i = \theta_0 + W\,\frac{R_R^{\,q_i} - 1}{R_R - 1},\qquad
   w_i = \frac{R_P^{\,q_i}}{\sum_j R_P^{\,q_j}}

(:math:`\theta_0` lowest threshold, :math:`W` threshold span, :math:`R_R`
threshold spread, :math:`R_P` force range; :func:`unit_thresholds_mv`,
:func:`unit_shares`).

Each unit has the same membrane (the representative motoneuron) and its own
membrane potential :math:`V_i` (the generator potential, without spike
resets), its own persistent inward current with activation :math:`m_i` and a
slow inactivation :math:`h_i`:

.. math::
   C\,\dot V_i &= -g_L (V_i - E_L) - g_{Ia}(V_i - E_{exc}) - g_{cmd}(V_i - E_{exc})
               - g_{inh}(V_i - E_{inh}) - g_{K,B}(V_i - E_K)
               - g_{PIC}\,m_i h_i\,(V_i - E_{PIC}) \\
   \dot m_i &= \bigl(\sigma((V_i - \theta_i - \Delta_m)/2k_m) - m_i\bigr)/\tau_m \\
   \tau_h\,\dot h_i &= (1 - h_i) - \frac{d}{1 - d}\,\phi_i\,h_i

* :math:`g_{Ia} = \bar g_{Ia}\,s` – Ia AMPA conductance (:mod:`sim.synapse`);
  :math:`g_{cmd}` – descending excitatory command (voluntary contraction);
* :math:`g_{inh}` – tonic descending and segmental inhibition, lumped;
* :math:`g_{K,B} = \bar g_{K,B}\,a_{post}` – the GABA-B-activated GIRK K⁺
  conductance (zero without drug);
* the PIC (Na⁺/Ca²⁺) activates slowly (:math:`\tau_m` ≈ 100–300 ms; Li et al.
  2004) a little below the unit's recruitment threshold, so a unit that has been
  recruited long enough stays on at a lower drive than recruited it
  (recruitment/derecruitment **hysteresis**) and, with a large PIC, keeps firing
  without drive (**self-sustained firing**, a spasm);
* the PIC **inactivates slowly** (:math:`\tau_h` ≈ seconds) while the unit fires
  (:math:`\phi_i` is its recruitment, below; at steady firing :math:`h_i = 1 - d`), so
  self-sustained firing ends by itself, and recovers at rest.

:math:`\sigma(x) = \tfrac12(1 + x/\sqrt{1 + x^2})` is an algebraic sigmoid (no
exponential; cheap in the compiled kernel); with the argument divided by
:math:`2k` it has the slope of a logistic with slope factor :math:`k` at its
midpoint.

**Rate coding.**  A recruited unit fires at :math:`r_{min}` at threshold and
gains :math:`k_f` Hz per mV above it (primary range; Kernell 1965), smoothed over
:math:`\kappa` so the right-hand side stays differentiable:

.. math::
   r_i = r_{min}\,\tfrac12\Bigl(1 + \frac{u_i}{\sqrt{u_i^2 + \kappa^2}}\Bigr)
         + k_f\,\tfrac12\bigl(u_i + \sqrt{u_i^2 + \kappa^2}\bigr),\qquad u_i = V_i - \theta_i

The EMG-weighted mean rate :math:`\sum_i w_i r_i` and the recruited share
:math:`\sum_i w_i\,\tfrac12(1 + u_i/\sqrt{u_i^2+\kappa^2})` (the fraction of the
M-wave a reflex reaches: the H/M analogue) are the pool's outputs; muscle force
comes from each unit's rate (:mod:`sim.muscle`).

Why 32 units
------------
Enough that recruitment is graded (one unit is 1/32 of the pool by number;
neighbouring thresholds are ≤ 1 mV apart, about the smoothing width κ, at the
low end where reflexes recruit) and that every read-out – reflex EMG, Hmax/Mmax,
a drug's relative effect, threshold angle, spasm index – agrees with a 4× finer
pool (128 units) to better than 0.1 % (``tests/test_motoneuron.py``); few enough
that a 1-s probe costs a few milliseconds (the compiled loop over units runs four
units at a time).

Healthy and spastic presets
---------------------------
Spasticity is a continuous severity :math:`S \in [0, 1]` (``Patient.severity``);
each preset-dependent value is interpolated linearly,
:math:`q(S) = q_h + S\,(q_s - q_h)` (:func:`preset`): weaker descending
inhibition after chronic spinal cord injury, larger PICs (Li et al. 2004;
Mahrous et al. 2024) and a lower lowest threshold.  Sources per value in
:class:`MotoneuronParameters`; calibration notes §6 and §8.C.

Examples
--------
>>> theta = unit_thresholds_mv(-55.0)
>>> theta.shape, bool(np.all(np.diff(theta) > 0)), round(float(theta[0]), 2)
((32,), True, -54.92)
>>> round(float(unit_shares().sum()), 12)
1.0
>>> rate, recruited = unit_rate(np.array([-20.0, 0.0, 10.0]), 0.5, 7.1, 0.6)
>>> [round(float(r), 2) for r in rate]
[0.0, 3.7, 13.1]
>>> float(preset(0.5)["pic_conductance_ns"]) == 0.5 * (MotoneuronParameters().pic_conductance_healthy_ns
...                                                   + MotoneuronParameters().pic_conductance_spastic_ns)
True
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np

from ._jit import kernel_function
from .parameters import Parameters, check_range, param

__all__ = ["N_UNITS", "MotoneuronParameters", "preset", "unit_quantiles", "unit_thresholds_mv", "unit_shares",
           "sigmoid", "unit_rate", "unit_rate_slopes", "pic_steady_state", "inactivation_steady_state", "girk_conductance_ns",
           "membrane_derivative", "pic_activation_steady"]

#: Number of representative units in the pool (a compile-time constant of the reflex kernel; a multiple
#: of 4).  The environment variable ``SPINAL_REFLEX_SIM_UNITS`` changes it for convergence checks only.
N_UNITS = int(os.environ.get("SPINAL_REFLEX_SIM_UNITS", "32"))
if N_UNITS < 4 or N_UNITS % 4:
    raise ImportError(f"SPINAL_REFLEX_SIM_UNITS = {N_UNITS} must be a multiple of 4, at least 4")


@dataclasses.dataclass(frozen=True, kw_only=True)
class MotoneuronParameters(Parameters):
    """The motoneuron pool (:data:`N_UNITS` units); see the module docstring for the equations and presets."""

    capacitance_nf: float = param(
        2.0, symbol="C", unit="nF", bounds=(0.1, 50.0), status="unverified",
        source="τ_m = C/g_L = 5 ms at rest with inhibition, inside the 5–10 ms of cat motoneurons "
        "(Mendell & Henneman 1971, from memory, unverified; calibration notes §5)",
        description="membrane capacitance of the representative motoneuron",
    )
    leak_conductance_ns: float = param(
        400.0, symbol="g_L", unit="nS", bounds=(10.0, 5000.0), status="unverified",
        source="input resistance ≈ 2.5 MΩ, order of cat S-type motoneurons (from memory, unverified)",
        description="leak conductance",
    )
    leak_reversal_mv: float = param(
        -70.0, symbol="E_L", unit="mV", bounds=(-90.0, -50.0), status="illustrative",
        source="illustrative: typical motoneuron resting potential", description="leak reversal",
    )
    excitatory_reversal_mv: float = param(
        0.0, symbol="E_exc", unit="mV", bounds=(-20.0, 20.0), status="literature",
        source="AMPA reversal ≈ 0 mV (Destexhe et al. 1994/1998)", description="reversal of Ia and command conductances",
    )
    ia_conductance_max_ns: float = param(
        9000.0, symbol="ḡ_Ia", unit="nS", bounds=(0.0, 1e6), status="calibrated",
        source="calibrated: drug-free Hmax/Mmax ≈ 0.4 (healthy) and ≈ 0.6 (spastic) (0.3–0.5 and 0.5–0.9, "
        "calibration notes §6, from memory) with a silent pool at rest and little healthy stretch reflex "
        "below ≈ 60 °/s",
        description="Ia AMPA conductance onto each unit with every Ia receptor open",
    )
    girk_conductance_max_ns: float = param(
        150.0, symbol="ḡ_K,B", unit="nS", bounds=(0.0, 5000.0), status="illustrative",
        source="illustrative: at full activation ≈ 40% of the leak conductance; GABA-B K⁺ current "
        "(Gähwiler & Brown 1985; calibration notes §4, §8.8)",
        description="GIRK conductance at full postsynaptic GABA-B activation",
    )
    potassium_reversal_mv: float = param(
        -95.0, symbol="E_K", unit="mV", bounds=(-110.0, -60.0), status="literature",
        source="Destexhe GABA-B model Erev −95 mV (ModelDB gabab.mod); −74 ± 4 mV measured in slice cultures",
        description="GIRK reversal potential",
    )
    inhibitory_reversal_mv: float = param(
        -75.0, symbol="E_inh", unit="mV", bounds=(-100.0, -50.0), status="illustrative",
        source="illustrative: Cl⁻-mediated (glycine/GABA-A) inhibition", description="inhibitory reversal",
    )
    inhibition_healthy_ns: float = param(
        150.0, symbol="g_inh,h", unit="nS", bounds=(0.0, 5000.0), status="calibrated",
        source="calibrated with ḡ_Ia and θ_0: little or no healthy stretch reflex at slow stretch "
        "(a velocity threshold), healthy Hmax/Mmax ≈ 0.4",
        description="tonic descending and segmental inhibition, healthy preset",
    )
    inhibition_spastic_ns: float = param(
        50.0, symbol="g_inh,s", unit="nS", bounds=(0.0, 5000.0), status="calibrated",
        source="weaker inhibition in chronic SCI (Mahrous et al., J Neurosci 2024;44:e1695232023); "
        "size calibrated with θ_0,s to spastic Hmax/Mmax ≈ 0.6",
        description="tonic descending and segmental inhibition, spastic preset",
    )
    threshold_healthy_mv: float = param(
        -62.5, symbol="θ_0,h", unit="mV", bounds=(-70.0, -30.0), status="calibrated",
        source="calibrated with ḡ_Ia: healthy Hmax/Mmax ≈ 0.4 (0.3–0.5, calibration notes §6) and a "
        "velocity threshold of the healthy stretch reflex",
        description="lowest recruitment threshold of the pool, healthy preset",
    )
    threshold_spastic_mv: float = param(
        -64.3, symbol="θ_0,s", unit="mV", bounds=(-70.0, -30.0), status="calibrated",
        source="calibrated: spastic Hmax/Mmax ≈ 0.6 (0.5–0.9, calibration notes §6) with the pool silent "
        "at rest; the lower stretch-reflex threshold of spasticity (Powers, Campbell & Rymer 1989)",
        description="lowest recruitment threshold of the pool, spastic preset",
    )
    threshold_span_mv: float = param(
        20.0, symbol="W", unit="mV", bounds=(1.0, 80.0), status="calibrated",
        source="calibrated: the highest-threshold unit is reached only by strong voluntary commands, so "
        "reflexes recruit part of the pool and grow with velocity up to 200 °/s",
        description="span from the lowest to the highest recruitment threshold",
    )
    threshold_spread: float = param(
        10.0, symbol="R_R", unit="1", bounds=(1.01, 1000.0), status="illustrative",
        source="illustrative: exponential spread of thresholds (many low, few high) as in Fuglevand, "
        "Winter & Patla, J Neurophysiol 1993;70:2470 (who use a recruitment range of ≈ 30, from memory)",
        description="ratio of the highest to the lowest threshold distance in the exponential spread",
    )
    force_range: float = param(
        10.0, symbol="R_P", unit="1", bounds=(1.0, 1000.0), status="illustrative",
        source="illustrative: twitch force rises exponentially with recruitment rank (Fuglevand et al. 1993 "
        "use a 100-fold range, from memory); smaller for the slow, homogeneous soleus",
        description="force (and EMG) of the last unit relative to the first",
    )
    pic_conductance_healthy_ns: float = param(
        8.0, symbol="g_PIC,h", unit="nS", bounds=(0.0, 5000.0), status="illustrative",
        source="illustrative: small PIC with intact monoaminergic drive; no self-sustained firing",
        description="maximal PIC conductance of a unit, healthy preset",
    )
    pic_conductance_spastic_ns: float = param(
        120.0, symbol="g_PIC,s", unit="nS", bounds=(0.0, 5000.0), status="calibrated",
        source="large PICs after chronic SCI sustain reflexes and spasms (Li et al., J Neurophysiol 2004; "
        "Mahrous 2024); calibrated so a 200 ms Ia train leaves the severe spastic pool firing for ≈ 1–3 s "
        "and a clinical stretch does not",
        description="maximal PIC conductance of a unit, spastic preset",
    )
    pic_reversal_mv: float = param(
        40.0, symbol="E_PIC", unit="mV", bounds=(0.0, 120.0), status="illustrative",
        source="illustrative: mixed Na⁺/Ca²⁺ inward current", description="PIC reversal",
    )
    pic_onset_offset_mv: float = param(
        4.0, symbol="Δ_m", unit="mV", bounds=(-20.0, 20.0), status="illustrative",
        source="illustrative: PIC onset near or just below recruitment threshold (Li et al. 2004): "
        "half-activation 2 mV above each unit's threshold",
        description="half-activation of a unit's PIC relative to its recruitment threshold",
    )
    pic_slope_mv: float = param(
        2.5, symbol="k_m", unit="mV", bounds=(0.2, 20.0), status="illustrative",
        source="illustrative: steep voltage dependence of PIC activation, as in motoneuron PIC models "
        "(choice, not a fit)",
        description="slope factor of PIC activation",
    )
    pic_time_constant_ms: float = param(
        150.0, symbol="τ_m", unit="ms", bounds=(10.0, 2000.0), status="literature",
        source="PIC activation > 100 ms (Li et al. 2004); calibration notes §8.13: 100–300 ms",
        description="PIC activation time constant",
    )
    pic_inactivation_depth: float = param(
        0.75, symbol="d", unit="1", bounds=(0.0, 0.99), status="illustrative",
        source="illustrative: the Na⁺ part of the PIC inactivates partly over seconds of firing while the "
        "Ca²⁺ part persists (Li & Bennett, J Neurophysiol 2003, from memory, unverified); enough that "
        "self-sustained firing ends by itself",
        description="fraction of a unit's PIC inactivated after long firing",
    )
    pic_inactivation_time_ms: float = param(
        3000.0, symbol="τ_h", unit="ms", bounds=(50.0, 60_000.0), status="illustrative",
        source="illustrative: spasms in chronic spinal cord injury last seconds and end by themselves "
        "(long-lasting reflexes, Li et al. 2004; human spasms, Zijdewind & Thomas 2014)",
        description="time constant of slow PIC inactivation and recovery",
    )
    recruitment_smoothing_mv: float = param(
        1.0, symbol="κ", unit="mV", bounds=(0.01, 5.0), status="illustrative",
        source="numerical: smooths each unit's recruitment edge (keeps the right-hand side differentiable)",
        description="smoothing width of a unit's recruitment edge",
    )
    minimum_rate_hz: float = param(
        7.1, symbol="r_min", unit="imp/s", bounds=(0.0, 30.0), status="literature",
        source="human motor-unit recruitment rate 7.1 ± 3.2 Hz during SCI spasms (Zijdewind & Thomas 2014)",
        description="firing rate of a unit at its recruitment threshold",
    )
    rate_gain_hz_per_mv: float = param(
        0.6, symbol="k_f", unit="Hz/mV", bounds=(0.0, 10.0), status="derived",
        source="derived: primary-range slope ≈ 1.5 Hz/nA (Kernell 1965; from memory) × 1/(2.5 MΩ)",
        description="rate gain above threshold",
    )


def preset(severity: Any, params: MotoneuronParameters | None = None) -> dict[str, np.ndarray]:
    """Preset-dependent motoneuron values for spasticity severity *severity* (0 healthy – 1 spastic).

    Returns
    -------
    dict
        ``inhibitory_conductance_ns``, ``pic_conductance_ns`` and ``threshold_mv`` (lowest
        threshold), each with the shape of *severity*.
    """
    p = params or MotoneuronParameters()
    s = check_range("severity", severity, 0.0, 1.0)
    lerp = lambda h, sp: h + s * (sp - h)  # noqa: E731
    return {
        "inhibitory_conductance_ns": lerp(p.inhibition_healthy_ns, p.inhibition_spastic_ns),
        "pic_conductance_ns": lerp(p.pic_conductance_healthy_ns, p.pic_conductance_spastic_ns),
        "threshold_mv": lerp(p.threshold_healthy_mv, p.threshold_spastic_mv),
    }


def unit_quantiles(n: int = N_UNITS) -> np.ndarray:
    """Quantile of the pool (by number) that each unit stands for, :math:`(i + 1/2)/n`."""
    return (np.arange(n) + 0.5) / n


def unit_thresholds_mv(lowest_mv: Any, params: MotoneuronParameters | None = None, n: int = N_UNITS) -> np.ndarray:
    """Recruitment thresholds of the units, shape ``(*shape(lowest_mv), n)`` (module docstring)."""
    p = params or MotoneuronParameters()
    q = unit_quantiles(n)
    spread = (p.threshold_spread ** q - 1.0) / (p.threshold_spread - 1.0)
    return np.asarray(lowest_mv, dtype=float)[..., None] + p.threshold_span_mv * spread


def unit_shares(params: MotoneuronParameters | None = None, n: int = N_UNITS) -> np.ndarray:
    """Force and EMG share of each unit, :math:`w_i \\propto R_P^{q_i}`, summing to 1."""
    p = params or MotoneuronParameters()
    w = p.force_range ** unit_quantiles(n)
    return w / w.sum()


@kernel_function
def sigmoid(x: Any) -> Any:
    """Algebraic sigmoid :math:`\\tfrac12(1 + x/\\sqrt{1 + x^2})` in (0, 1) (kernel function)."""
    return 0.5 + 0.5 * x / np.sqrt(1.0 + x * x)


@kernel_function
def unit_rate(u_mv: Any, smoothing_mv: float, minimum_rate_hz: float, gain_hz_per_mv: float) -> tuple[Any, Any]:
    """Firing rate (imp/s) and recruitment (0–1) of a unit *u_mv* above its threshold (kernel function)."""
    root = np.sqrt(u_mv * u_mv + smoothing_mv * smoothing_mv)
    recruited = 0.5 + 0.5 * u_mv / root
    return minimum_rate_hz * recruited + gain_hz_per_mv * 0.5 * (u_mv + root), recruited


@kernel_function
def unit_rate_slopes(u_mv: Any, smoothing_mv: float, minimum_rate_hz: float, gain_hz_per_mv: float) -> tuple[Any, Any]:
    r"""Derivatives of :func:`unit_rate` with respect to *u_mv*: (imp/s per mV, recruitment per mV).

    With :math:`\rho = \sqrt{u^2 + s^2}`: recruitment :math:`\tfrac12(1 + u/\rho)` has slope
    :math:`s^2/2\rho^3`, the rate :math:`r_{min}` times that plus :math:`\tfrac g2(1 + u/\rho)`
    (kernel function).

    >>> [round(float(x), 6) for x in unit_rate_slopes(0.0, 1.0, 8.0, 2.0)]
    [5.0, 0.5]
    """
    inverse = 1.0 / np.sqrt(u_mv * u_mv + smoothing_mv * smoothing_mv)
    recruited_slope = 0.5 * smoothing_mv * smoothing_mv * inverse * inverse * inverse
    return minimum_rate_hz * recruited_slope + 0.5 * gain_hz_per_mv * (1.0 + u_mv * inverse), recruited_slope


@kernel_function
def pic_activation_steady(v_mv: Any, half_mv: Any, slope_mv: float) -> Any:
    """:math:`m_\\infty(V) = \\sigma((V - V_{1/2})/2k)` (kernel function)."""
    return sigmoid((v_mv - half_mv) / (2.0 * slope_mv))


@kernel_function
def unit_drive(u_mv: Any, smoothing_mv: float, minimum_rate_hz: float, gain_hz_per_mv: float, pic_half_mv: float,
               slope_mv: float, half_force_rate_hz: float) -> tuple[Any, Any, Any, Any]:
    r"""Rate, recruitment, :math:`m_\infty` and muscle excitation of a unit, with one division (kernel function).

    The same values as :func:`unit_rate`, :func:`pic_activation_steady` (at
    *pic_half_mv* above threshold) and :func:`sim.muscle.excitation_from_rate`
    (equal to within a few units in the last place; tested), rearranged for the
    reflex kernel's unit loop: with :math:`\rho = \sqrt{u^2 + s^2}`,
    :math:`\sigma = \sqrt{1 + x^2}` and the rate written as :math:`n/\rho`,
    :math:`n = \tfrac12(\rho + u)(r_{min} + g\rho)`, the three reciprocals
    :math:`1/\rho`, :math:`1/\sigma` and :math:`1/(r + r_{1/2}) = \rho/(n + r_{1/2}\rho)`
    all come from the single reciprocal of :math:`\rho\,\sigma\,(n + r_{1/2}\rho)`.
    Divisions and square roots are what the unit loop spends its time on.
    """
    root = np.sqrt(u_mv * u_mv + smoothing_mv * smoothing_mv)
    x = (u_mv - pic_half_mv) * (0.5 / slope_mv)
    sigma = np.sqrt(1.0 + x * x)
    numerator = 0.5 * (root + u_mv) * (minimum_rate_hz + gain_hz_per_mv * root)
    denominator = numerator + half_force_rate_hz * root
    inverse = 1.0 / (root * sigma * denominator)
    inverse_root = sigma * denominator * inverse
    recruited = 0.5 + 0.5 * u_mv * inverse_root
    m_steady = 0.5 + 0.5 * x * (root * denominator * inverse)
    return numerator * inverse_root, recruited, m_steady, numerator * (root * sigma * inverse)


@kernel_function
def membrane_derivative(v_mv: Any, excitatory_ns: Any, pic_open: Any, fixed_conductance_ns: Any,
                        fixed_current_pa: Any, pic_conductance_ns: Any, excitatory_reversal_mv: float,
                        pic_reversal_mv: float, capacitance_nf: float) -> Any:
    """:math:`\\dot V_i`, mV/ms, from the current balance of the module docstring (kernel function).

    *fixed_conductance_ns* and *fixed_current_pa* lump the leak, inhibitory and GIRK
    terms (:math:`\\sum g_j` and :math:`\\sum g_j E_j`); *excitatory_ns* is
    :math:`g_{Ia} + g_{cmd}`; *pic_open* is :math:`m_i h_i`.
    """
    current = (fixed_current_pa - fixed_conductance_ns * v_mv + excitatory_ns * (excitatory_reversal_mv - v_mv)
               + pic_conductance_ns * pic_open * (pic_reversal_mv - v_mv))
    return current * (1e-3 / capacitance_nf)  # pA / nF = mV/s


def pic_steady_state(v_mv: Any, threshold_mv: Any = -55.0, params: MotoneuronParameters | None = None) -> np.ndarray:
    """Steady-state PIC activation :math:`m_\\infty(V)` of a unit with recruitment threshold *threshold_mv*."""
    p = params or MotoneuronParameters()
    return np.asarray(pic_activation_steady(np.asarray(v_mv, dtype=float),
                                            np.asarray(threshold_mv, dtype=float) + p.pic_onset_offset_mv,
                                            p.pic_slope_mv))


def inactivation_steady_state(recruitment: Any, params: MotoneuronParameters | None = None) -> np.ndarray:
    r"""Steady-state PIC availability :math:`h_\infty = 1/(1 + \frac{d}{1-d}\phi)` for recruitment *φ*.

    Examples
    --------
    >>> float(inactivation_steady_state(0.0)), round(float(inactivation_steady_state(1.0)), 12)
    (1.0, 0.25)
    """
    p = params or MotoneuronParameters()
    gain = p.pic_inactivation_depth / (1.0 - p.pic_inactivation_depth)
    return 1.0 / (1.0 + gain * check_range("recruitment", recruitment, 0.0, 1.0))


def girk_conductance_ns(a_post: Any, params: MotoneuronParameters | None = None) -> np.ndarray:
    """GABA-B-activated K⁺ (GIRK) conductance :math:`\\bar g_{K,B}\\,a_{post}`, nS (0 without drug).

    Examples
    --------
    >>> float(girk_conductance_ns(0.0)), float(girk_conductance_ns(0.5))
    (0.0, 75.0)
    """
    p = params or MotoneuronParameters()
    return p.girk_conductance_max_ns * check_range("a_post", a_post, 0.0, 1.0)
