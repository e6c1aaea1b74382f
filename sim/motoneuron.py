r"""The motoneuron pool: membrane potential, PIC, GIRK, recruitment and rate.

Stage 4 of the chain: synaptic conductances → pool firing.

Equations
---------
The pool is represented by its **mean generator potential** :math:`V` (the
soma potential without spike resets, from which firing is read):

.. math::
   C\,\dot V = -g_L (V - E_L) - g_{Ia}(V - E_{exc}) - g_{cmd}(V - E_{exc})
               - g_{inh}(V - E_{inh}) - g_{K,B}(V - E_K) - g_{PIC}\,P\,(V - E_{PIC})

* :math:`g_{Ia} = \bar g_{Ia}\,s` – Ia AMPA conductance (:mod:`sim.synapse`);
* :math:`g_{cmd}` – descending excitatory command (voluntary contraction);
* :math:`g_{inh}` – tonic descending inhibitory tone (reticulospinal and
  segmental inhibition lumped together);
* :math:`g_{K,B} = \bar g_{K,B}\,a_{post}` – GABA-B-activated GIRK K⁺
  conductance (zero without drug);
* persistent inward current (Na⁺/Ca²⁺ PIC) with slow activation
  :math:`\dot P = (P_\infty(V) - P)/\tau_{PIC}`,
  :math:`P_\infty = 1/(1 + e^{-(V - V_{PIC})/k_{PIC}})`.  A large PIC makes the
  pool bistable: after a long enough excitation it keeps firing (a spasm).

**Recruitment and rate.**  Recruitment thresholds are spread uniformly over a
range :math:`W` above the lowest threshold :math:`\theta` (Henneman's size
principle; a bounded range keeps the relaxed muscle silent).  A unit fires at
:math:`r_{min}` at its threshold and gains :math:`k_f` Hz per mV above it
(primary range; Kernell 1965).  Averaged over the pool, with the smooth ramp
:math:`R(u) = \kappa \ln(1 + e^{u/\kappa}) \approx \max(u, 0)` and
:math:`u = V - \theta`:

.. math::
   F = \frac{R(u) - R(u - W)}{W},\qquad
   r_{pool} = r_{min} F + k_f\,\frac{R(u)^2 - R(u - W)^2}{2W}

(exact for :math:`\kappa \to 0`).  :math:`F \in [0, 1]` is the recruited
fraction and :math:`r_{pool} \ge 0` the mean rate per motoneuron (imp/s).

Healthy and spastic presets
---------------------------
Spasticity is a continuous severity :math:`S \in [0, 1]` (``Patient.severity``);
each preset-dependent value is interpolated linearly,
:math:`q(S) = q_h + S\,(q_s - q_h)`:

==========================  ========  ========  ==========================================
quantity                    healthy   spastic   source
==========================  ========  ========  ==========================================
descending inhibition g_inh 150 nS    50 nS     weaker inhibition after chronic SCI
                                                (Mahrous et al., J Neurosci 2024)
PIC conductance g_PIC       30 nS     130 nS    PICs grow after SCI and cause sustained
                                                reflexes/spasms (Li et al. 2004; Mahrous 2024)
lowest recruitment          −57.7 mV  −53.0 mV  calibrated to H/M ≈ 0.38 / 0.56 with a silent
threshold θ                                     pool at rest (rest-to-threshold margins ≈ 3.3
                                                and 3.4 mV); the lower stretch-reflex
                                                threshold of spasticity (Powers et al. 1989)
                                                emerges from the other three differences
pool recovery τ_rec         3 s       1 s       less post-activation depression in spastic
                                                SCI (:mod:`sim.synapse`)
==========================  ========  ========  ==========================================

Sources: calibration notes §6 and §8.C.

Examples
--------
>>> rate, fraction = pool_output(-80.0, -52.0)
>>> bool(rate < 0.01 and fraction < 1e-5)
True
>>> rate, fraction = pool_output(-46.0, -52.0)  # half-way through the 12 mV recruitment range
>>> round(float(fraction), 3)
0.5
>>> float(preset(0.5)["pic_conductance_ns"])
80.0
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._jit import kernel_function
from .parameters import Parameters, check_range, param

__all__ = ["MotoneuronParameters", "preset", "pool_output", "pic_steady_state", "girk_conductance_ns"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MotoneuronParameters(Parameters):
    """The motoneuron pool (mean-field); see the module docstring for the equations and presets."""

    capacitance_nf: float = param(
        2.0, symbol="C", unit="nF", bounds=(0.1, 50.0), status="illustrative",
        source="illustrative: τ_m = C/g_L = 7.5 ms, inside the 5–10 ms of cat motoneurons "
        "(Mendell & Henneman 1971, from memory; calibration notes §5)",
        description="membrane capacitance of the representative motoneuron",
    )
    leak_conductance_ns: float = param(
        400.0, symbol="g_L", unit="nS", bounds=(10.0, 5000.0), status="illustrative",
        source="illustrative: input resistance ≈ 2.5 MΩ, order of cat S-type motoneurons (from memory)",
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
        8000.0, symbol="ḡ_Ia", unit="nS", bounds=(0.0, 1e6), status="calibrated",
        source="calibrated: drug-free H/M ≈ 0.4 (healthy) and ≈ 0.7 (spastic) with a silent pool at rest "
        "(Hmax/Mmax ranges from calibration notes §6, from memory)",
        description="Ia AMPA conductance with every Ia receptor open",
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
        source="calibrated with ḡ_Ia (healthy H/M ≈ 0.4, little stretch reflex at slow velocities)",
        description="descending inhibitory tone, healthy preset",
    )
    inhibition_spastic_ns: float = param(
        50.0, symbol="g_inh,s", unit="nS", bounds=(0.0, 5000.0), status="calibrated",
        source="weaker inhibition in chronic SCI (Mahrous et al., J Neurosci 2024;44:e1695232023); "
        "size calibrated to spastic H/M ≈ 0.7",
        description="descending inhibitory tone, spastic preset",
    )
    pic_conductance_healthy_ns: float = param(
        30.0, symbol="g_PIC,h", unit="nS", bounds=(0.0, 5000.0), status="illustrative",
        source="illustrative: small PIC (monoaminergic facilitation intact but no self-sustained firing)",
        description="maximal PIC conductance, healthy preset",
    )
    pic_conductance_spastic_ns: float = param(
        130.0, symbol="g_PIC,s", unit="nS", bounds=(0.0, 5000.0), status="calibrated",
        source="large PICs after chronic SCI sustain reflexes and spasms (Li et al., J Neurophysiol 2004; "
        "Mahrous 2024); calibrated so a 200 ms Ia train leaves the drug-free spastic pool firing (bistable)",
        description="maximal PIC conductance, spastic preset",
    )
    pic_reversal_mv: float = param(
        40.0, symbol="E_PIC", unit="mV", bounds=(0.0, 120.0), status="illustrative",
        source="illustrative: mixed Na⁺/Ca²⁺ inward current", description="PIC reversal",
    )
    pic_half_activation_mv: float = param(
        -48.0, symbol="V_PIC", unit="mV", bounds=(-80.0, -30.0), status="illustrative",
        source="illustrative: PIC onset near/below recruitment threshold (Li et al. 2004)",
        description="half-activation potential of the PIC",
    )
    pic_slope_mv: float = param(
        2.5, symbol="k_PIC", unit="mV", bounds=(0.2, 20.0), status="illustrative",
        source="illustrative: steep voltage dependence of PIC activation, as in motoneuron PIC models (choice, not a fit)", description="slope factor of PIC activation",
    )
    pic_time_constant_ms: float = param(
        200.0, symbol="τ_PIC", unit="ms", bounds=(10.0, 2000.0), status="literature",
        source="PIC activation > 100 ms (Li et al. 2004); calibration notes §8.13: 100–300 ms",
        description="PIC activation time constant",
    )
    threshold_healthy_mv: float = param(
        -57.7, symbol="θ_h", unit="mV", bounds=(-70.0, -30.0), status="calibrated",
        source="calibrated with ḡ_Ia: healthy H/M ≈ 0.38 (0.3–0.5, calibration notes §6)",
        description="lowest recruitment threshold of the pool, healthy preset",
    )
    threshold_spastic_mv: float = param(
        -53.0, symbol="θ_s", unit="mV", bounds=(-70.0, -30.0), status="calibrated",
        source="calibrated: spastic H/M ≈ 0.56 (0.5–0.9, calibration notes §6) with the pool silent at rest; "
        "the lower stretch-reflex threshold of spasticity (Powers, Campbell & Rymer 1989) then emerges "
        "from weaker inhibition, less depression and the PIC",
        description="lowest recruitment threshold of the pool, spastic preset",
    )
    recruitment_range_mv: float = param(
        12.0, symbol="W", unit="mV", bounds=(0.5, 60.0), status="illustrative",
        source="illustrative: recruitment thresholds of a motor pool spread over a range of input "
        "(size principle); chosen so the pool is recruited gradually by reflex drive",
        description="span of recruitment thresholds above the lowest one",
    )
    recruitment_smoothing_mv: float = param(
        0.5, symbol="κ", unit="mV", bounds=(0.01, 5.0), status="illustrative",
        source="numerical: smooths the edges of the threshold distribution (keeps the RHS differentiable)",
        description="smoothing width of the recruitment edges",
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
        ``inhibitory_conductance_ns``, ``pic_conductance_ns`` and ``threshold_mv``,
        each with the shape of *severity*.
    """
    p = params or MotoneuronParameters()
    s = check_range("severity", severity, 0.0, 1.0)
    lerp = lambda h, sp: h + s * (sp - h)  # noqa: E731
    return {
        "inhibitory_conductance_ns": lerp(p.inhibition_healthy_ns, p.inhibition_spastic_ns),
        "pic_conductance_ns": lerp(p.pic_conductance_healthy_ns, p.pic_conductance_spastic_ns),
        "threshold_mv": lerp(p.threshold_healthy_mv, p.threshold_spastic_mv),
    }


@kernel_function
def softplus(x: Any) -> Any:
    """:math:`\\ln(1 + e^x)`, evaluated stably (kernel function)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


@kernel_function
def pic_activation_steady(v_mv: Any, half_activation_mv: float, slope_mv: float) -> Any:
    """:math:`P_\\infty(V) = 1/(1 + e^{-(V - V_{PIC})/k_{PIC}})` (kernel function: scalars or arrays)."""
    return 1.0 / (1.0 + np.exp(-(v_mv - half_activation_mv) / slope_mv))


@kernel_function
def pic_derivative(pic: Any, v_mv: Any, half_activation_mv: float, slope_mv: float, time_constant_ms: float) -> Any:
    """:math:`\\dot P = (P_\\infty(V) - P)/\\tau_{PIC}`, 1/ms (kernel function)."""
    return (pic_activation_steady(v_mv, half_activation_mv, slope_mv) - pic) / time_constant_ms


@kernel_function
def membrane_derivative(v_mv: Any, excitatory_ns: Any, pic: Any, fixed_conductance_ns: Any,
                        fixed_current_pa: Any, pic_conductance_ns: Any, excitatory_reversal_mv: float,
                        pic_reversal_mv: float, capacitance_nf: float) -> Any:
    """:math:`\\dot V`, mV/ms, from the current balance of the module docstring (kernel function).

    *fixed_conductance_ns* and *fixed_current_pa* lump the leak, inhibitory and GIRK
    terms (:math:`\\sum g_j` and :math:`\\sum g_j E_j`); *excitatory_ns* is
    :math:`g_{Ia} + g_{cmd}`.
    """
    current = (fixed_current_pa - fixed_conductance_ns * v_mv + excitatory_ns * (excitatory_reversal_mv - v_mv)
               + pic_conductance_ns * pic * (pic_reversal_mv - v_mv))
    return current * (1e-3 / capacitance_nf)  # pA / nF = mV/s


@kernel_function
def recruitment(v_mv: Any, threshold_mv: Any, smoothing_mv: float, range_mv: float,
                minimum_rate_hz: float, gain_hz_per_mv: float) -> tuple[Any, Any]:
    """Pool rate (imp/s per motoneuron) and recruited fraction (kernel function; see :func:`pool_output`)."""
    u = v_mv - threshold_mv
    low = smoothing_mv * softplus(u / smoothing_mv)
    high = smoothing_mv * softplus((u - range_mv) / smoothing_mv)
    fraction = (low - high) / range_mv
    rate = minimum_rate_hz * fraction + gain_hz_per_mv * (low - high) * (low + high) / (2.0 * range_mv)
    return rate, fraction


def pic_steady_state(v_mv: Any, params: MotoneuronParameters | None = None) -> np.ndarray:
    """Steady-state PIC activation :math:`P_\\infty(V)`."""
    p = params or MotoneuronParameters()
    return pic_activation_steady(np.asarray(v_mv, dtype=float), p.pic_half_activation_mv, p.pic_slope_mv)


def pool_output(v_mv: Any, threshold_mv: Any, params: MotoneuronParameters | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean pool firing rate (imp/s per motoneuron) and recruited fraction for generator potential *v_mv*.

    Parameters
    ----------
    v_mv : float or array_like
        Mean generator potential, mV.
    threshold_mv : float or array_like
        Lowest recruitment threshold of the pool, mV.
    params : MotoneuronParameters, optional

    Returns
    -------
    rate_hz, fraction : numpy.ndarray
    """
    p = params or MotoneuronParameters()
    rate, fraction = recruitment(np.asarray(v_mv, dtype=float), np.asarray(threshold_mv, dtype=float),
                                 p.recruitment_smoothing_mv, p.recruitment_range_mv, p.minimum_rate_hz,
                                 p.rate_gain_hz_per_mv)
    return np.asarray(rate), np.asarray(fraction)


def girk_conductance_ns(a_post: Any, params: MotoneuronParameters | None = None) -> np.ndarray:
    """GABA-B-activated K⁺ (GIRK) conductance :math:`\\bar g_{K,B}\\,a_{post}`, nS (0 without drug).

    Examples
    --------
    >>> float(girk_conductance_ns(0.0)), float(girk_conductance_ns(0.5))
    (0.0, 75.0)
    """
    p = params or MotoneuronParameters()
    return p.girk_conductance_max_ns * check_range("a_post", a_post, 0.0, 1.0)
