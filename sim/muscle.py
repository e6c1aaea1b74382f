r"""The muscle: activation, force, EMG proxy and joint torque.

Stage 5 of the chain: motoneuron pool output → EMG, force and the resistive
torque an examiner feels.  All limb-specific numbers (moment arm, conduction
delays, strength, passive properties) live in one :class:`MuscleParameters`
preset, :data:`SOLEUS`, so another muscle can be added as another preset.

Equations
---------
With :math:`r_i` the firing rate of motoneuron unit :math:`i` and :math:`w_i`
its share of the muscle's force and EMG (:func:`sim.motoneuron.unit_shares`),
arriving at the muscle after the efferent delay:

* EMG proxy (rectified, smoothed EMG as a fraction of maximal voluntary EMG):
  :math:`\mathrm{EMG} = \sum_i w_i r_i / r_{MVC}`.
* Neural excitation (rate coding and twitch fusion of each unit, summed over the
  recruited units): :math:`e = \sum_i w_i\,r_i/(r_i + r_{1/2})`.
* Activation dynamics (Zajac 1989), smooth in :math:`e` and :math:`a`:
  :math:`\dot a = \bigl(e - (\beta + (1-\beta)e)\,a\bigr)/\tau_{act}`,
  :math:`\beta = \tau_{act}/\tau_{deact}`.
* Force: :math:`F = F_{max}\,a + F_{pe}\,(e^{\Delta l/\lambda} - 1) + B\,v`
  (active force; exponential parallel-elastic and viscous passive force of the
  stretched muscle–tendon unit, :math:`\Delta l` in mm, :math:`v` in mm/s).
* Resistive joint torque: :math:`\tau = r_m F` (N·m).

Assumptions
-----------
* No force–length or force–velocity scaling of active force (small stretches,
  teaching simplicity); the tendon is inextensible.
* One activation state for the whole muscle (driven by the summed excitation of
  the units); unit twitch shapes are not simulated.

Examples
--------
>>> round(float(joint_torque_nm(100.0)), 3)  # 100 N at a 5 cm moment arm
5.0
>>> float(activation_steady_state(excitation(0.0)))
0.0
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._jit import kernel_function
from .parameters import Parameters, param

__all__ = [
    "MuscleParameters",
    "SOLEUS",
    "MUSCLES",
    "emg",
    "excitation",
    "activation_rhs",
    "activation_steady_state",
    "active_force_n",
    "passive_force_n",
    "joint_torque_nm",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MuscleParameters(Parameters):
    """One muscle and its reflex pathway (the limb preset); defaults describe human soleus."""

    moment_arm_m: float = param(
        0.05, symbol="r_m", unit="m", bounds=(0.005, 0.2), status="unverified",
        source="Achilles tendon moment arm ≈ 4–5 cm (Maganaris et al. 1998, from memory, unverified)",
        description="moment arm about the ankle",
    )
    afferent_delay_ms: float = param(
        13.5, symbol="d_aff", unit="ms", bounds=(0.0, 100.0), status="calibrated",
        source="calibrated: d_aff + d_eff + central rise time ≈ soleus H-reflex latency 30.8 ± 2.6 ms "
        "(Muscle Nerve 1994); ≈ 0.8 m of Ia axon at ≈ 60 m/s",
        description="Ia conduction time from the muscle to the motoneurons",
    )
    efferent_delay_ms: float = param(
        15.0, symbol="d_eff", unit="ms", bounds=(0.0, 100.0), status="calibrated",
        source="calibrated as d_aff (soleus H-reflex latency 30.8 ms); motor axon ≈ 0.8 m at ≈ 55 m/s "
        "plus neuromuscular transmission",
        description="motor conduction + neuromuscular delay from the motoneurons to the EMG",
    )
    max_force_n: float = param(
        3500.0, symbol="F_max", unit="N", bounds=(10.0, 20_000.0), status="unverified",
        source="soleus maximal isometric force ≈ 3500 N (Delp et al. 1990 lower-limb model, from memory)",
        description="maximal active force",
    )
    emg_reference_rate_hz: float = param(
        30.0, symbol="r_MVC", unit="imp/s", bounds=(1.0, 100.0), status="calibrated",
        source="calibrated: the EMG-weighted pool rate at the maximal descending command "
        "(sim.readouts 'contraction', 2000 nS) drug-free, so maximal EMG ≈ 1; soleus units fire ≈ 20–30 Hz "
        "at maximal effort (from memory, unverified)",
        description="pool rate that gives EMG = 1",
    )
    half_force_rate_hz: float = param(
        8.0, symbol="r_1/2", unit="imp/s", bounds=(0.5, 100.0), status="illustrative",
        source="illustrative: slow soleus units fuse at low rates", description="pool rate giving half excitation",
    )
    activation_time_ms: float = param(
        20.0, symbol="τ_act", unit="ms", bounds=(1.0, 200.0), status="illustrative",
        source="Zajac 1989 activation model; value for a slow muscle (illustrative)",
        description="activation time constant",
    )
    deactivation_time_ms: float = param(
        60.0, symbol="τ_deact", unit="ms", bounds=(1.0, 500.0), status="illustrative",
        source="Zajac 1989 activation model; value for a slow muscle (illustrative)",
        description="deactivation time constant",
    )
    passive_force_scale_n: float = param(
        20.0, symbol="F_pe", unit="N", bounds=(0.0, 5000.0), status="illustrative",
        source="illustrative: ≈ 10 N·m passive torque at 30° dorsiflexion from a plantarflexed start",
        description="scale of the parallel-elastic force",
    )
    passive_length_scale_mm: float = param(
        10.0, symbol="λ", unit="mm", bounds=(0.5, 200.0), status="illustrative",
        source="illustrative: exponential passive force–length relation", description="passive stiffening length",
    )
    viscosity_n_per_mm_s: float = param(
        0.02, symbol="B", unit="N/(mm/s)", bounds=(0.0, 10.0), status="illustrative",
        source="illustrative: ≈ 0.05 N·m·s/rad at the ankle (relaxed joint viscosity is small)",
        description="passive viscous coefficient",
    )


#: Human soleus stretched by ankle dorsiflexion (the default limb).
SOLEUS = MuscleParameters()

#: Available muscle presets by name.
MUSCLES = {"soleus": SOLEUS}


def emg(rate_hz: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """EMG proxy: pool rate as a fraction of the rate at maximal voluntary contraction."""
    return np.asarray(rate_hz, dtype=float) / params.emg_reference_rate_hz


@kernel_function
def excitation_from_rate(rate_hz: Any, half_force_rate_hz: float) -> Any:
    """:math:`e = r/(r + r_{1/2})` (kernel function: scalars or arrays)."""
    return rate_hz / (rate_hz + half_force_rate_hz)


@kernel_function
def activation_derivative(activation: Any, excitation_: Any, activation_time_ms: float,
                          deactivation_time_ms: float) -> Any:
    """Zajac activation dynamics :math:`\\dot a`, 1/ms (kernel function)."""
    beta = activation_time_ms / deactivation_time_ms
    return (excitation_ - (beta + (1.0 - beta) * excitation_) * activation) / activation_time_ms


@kernel_function
def passive_force(stretch_mm: Any, velocity_mm_s: Any, scale_n: float, length_scale_mm: float,
                  viscosity_n_per_mm_s: float) -> Any:
    """Elastic + viscous passive force, N (kernel function; see :func:`passive_force_n`)."""
    return scale_n * np.expm1(stretch_mm / length_scale_mm) + viscosity_n_per_mm_s * velocity_mm_s


def excitation(rate_hz: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Neural excitation :math:`e = r/(r + r_{1/2})` in [0, 1)."""
    return excitation_from_rate(np.asarray(rate_hz, dtype=float), params.half_force_rate_hz)


def activation_rhs(activation: Any, excitation_: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Zajac activation dynamics :math:`\\dot a`, 1/ms."""
    return activation_derivative(np.asarray(activation, dtype=float), np.asarray(excitation_, dtype=float),
                                 params.activation_time_ms, params.deactivation_time_ms)


@kernel_function
def activation_steady(excitation_: Any, activation_time_ms: float, deactivation_time_ms: float) -> Any:
    """Activation reached at constant excitation, :math:`e/(\\beta + (1-\\beta)e)` (kernel function)."""
    beta = activation_time_ms / deactivation_time_ms
    return excitation_ / (beta + (1.0 - beta) * excitation_)


def activation_steady_state(excitation_: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Activation reached at constant excitation, :math:`e/(\\beta + (1-\\beta)e)`."""
    return activation_steady(np.asarray(excitation_, dtype=float), params.activation_time_ms,
                             params.deactivation_time_ms)


def active_force_n(activation: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Active force :math:`F_{max} a`, N."""
    return params.max_force_n * np.asarray(activation, dtype=float)


def passive_force_n(stretch_mm: Any, velocity_mm_s: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Passive force of the stretched muscle–tendon unit (elastic + viscous), N.

    Examples
    --------
    >>> float(passive_force_n(0.0, 0.0))
    0.0
    """
    return passive_force(np.asarray(stretch_mm, dtype=float), np.asarray(velocity_mm_s, dtype=float),
                         params.passive_force_scale_n, params.passive_length_scale_mm,
                         params.viscosity_n_per_mm_s)


def joint_torque_nm(force_n: Any, params: MuscleParameters = SOLEUS) -> np.ndarray:
    """Joint torque :math:`r_m F`, N·m (resisting dorsiflexion)."""
    return params.moment_arm_m * np.asarray(force_n, dtype=float)
