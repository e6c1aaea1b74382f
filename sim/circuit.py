r"""The reflex circuit's right-hand side, assembled once from the stage modules.

One probe of the stretch-reflex loop has six states (:data:`STATE_NAMES`)

.. math::
   \dot x &= (1 - x)/\tau_{rec} - U\,p\,x\,r_{Ia}(t - d_{aff})            &\text{releasable pool}\\
   \dot G &= G_q\,p\,x\,r_{Ia}(t - d_{aff}) - G/\tau_{glu}                 &\text{cleft glutamate (mM)}\\
   \dot s &= \alpha_{eff} G (1 - s) - \beta s                               &\text{AMPA open fraction}\\
   C\dot V &= -\textstyle\sum_j g_j (V - E_j) + g_{PIC} P (E_{PIC} - V)     &\text{pool generator potential}\\
   \dot P &= (P_\infty(V) - P)/\tau_{PIC}                                   &\text{PIC activation}\\
   \dot a &= \bigl(e(r_{pool}(V)) - (\beta_a + (1-\beta_a) e)\,a\bigr)/\tau_{act} &\text{muscle activation}

Each line is a *kernel function* of its stage module
(:func:`sim.synapse.synapse_derivatives`, :func:`sim.motoneuron.membrane_derivative`,
:func:`sim.motoneuron.pic_derivative`, :func:`sim.muscle.activation_derivative`), and the
inputs come from :func:`sim.spindle.discharge_rate` and the protocol functions of
:mod:`sim.protocols`.  :func:`derivatives` below is the only place they are put together:
the compiled fixed-step kernel (:func:`sim.solvers.integrate_probes`) and the
:func:`scipy.integrate.solve_ivp` reference (:func:`sim.solvers.reference_probes`) both
call it, so there is no second copy of the equations.

Everything a probe needs is one row of a numpy *structured array* with the fields
:data:`FIELDS` (stage constants, preset values, drug-dependent values and the protocol).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._jit import kernel_function
from .motoneuron import membrane_derivative, pic_activation_steady, pic_derivative, recruitment
from .muscle import activation_derivative, activation_steady, excitation_from_rate, passive_force
from .protocols import KERNEL_FIELDS, ramp_kinematics, step_on, tap_kinematics, volley_rate
from .spindle import discharge_rate
from .synapse import steady_pool, synapse_derivatives
from .variables import VARIABLES

__all__ = ["STATE_NAMES", "STATE_UNITS", "FIELDS", "ROW_DTYPE", "derivatives", "derivatives_with_inputs",
           "joint_kinematics", "spindle_rate", "cord_inputs", "passive_torque_nm", "resting_state"]

#: State variables of one probe, in the order of the state vector.
STATE_NAMES = ("vesicle_pool", "glutamate_mm", "ampa_open", "v_mv", "pic_activation", "muscle_activation")
#: Units of the states.
STATE_UNITS = {name: VARIABLES[name].unit for name in STATE_NAMES}
X, GLU, S, V, P, A = range(6)

#: Fields of a probe's parameter row (all float64): stage constants, then the protocol.
FIELDS = (
    # synapse (sim.synapse); release probability and recovery already include drug and preset
    "release_probability", "inverse_tau_rec_per_ms", "pool_use_per_release", "glutamate_per_release_mm",
    "glutamate_clearance_ms", "ampa_binding_eff", "ampa_closing_per_ms",
    # motoneuron pool (sim.motoneuron); fixed_* lump leak, inhibition and the GIRK conductance
    "ia_conductance_max_ns", "fixed_conductance_ns", "fixed_current_pa", "pic_conductance_ns",
    "excitatory_reversal_mv", "pic_reversal_mv", "capacitance_nf", "pic_half_activation_mv", "pic_slope_mv",
    "pic_time_constant_ms", "threshold_mv", "recruitment_smoothing_mv", "recruitment_range_mv",
    "minimum_rate_hz", "rate_gain_hz_per_mv",
    # spindle (sim.spindle)
    "resting_rate_hz", "length_gain_hz_per_mm", "velocity_gain", "velocity_exponent",
    # muscle and limb (sim.muscle)
    "moment_arm_m", "afferent_delay_ms", "efferent_delay_ms", "max_force_n", "emg_reference_rate_hz",
    "half_force_rate_hz", "activation_time_ms", "deactivation_time_ms", "passive_force_scale_n",
    "passive_length_scale_mm", "viscosity_n_per_mm_s",
) + KERNEL_FIELDS
#: The structured dtype of a parameter row.
ROW_DTYPE = np.dtype([(name, np.float64) for name in FIELDS])

_MM_PER_DEG_PER_M = np.pi / 180.0 * 1000.0  # Δl (mm) = r_m (m) · Δθ (deg) · π/180 · 1000


@kernel_function
def joint_kinematics(t_ms: float, p: Any) -> tuple[float, float]:
    """Joint angle (deg) and angular velocity (deg/s) of the probe's protocol at muscle time *t_ms*."""
    if p.kind == 1.0:
        return ramp_kinematics(t_ms, p.onset_ms, p.velocity_deg_s, p.amplitude_deg, p.end_ms)
    if p.kind == 2.0:
        return tap_kinematics(t_ms, p.onset_ms, p.amplitude_deg, p.tap_duration_ms)
    return 0.0, 0.0


@kernel_function
def muscle_stretch(t_ms: float, p: Any) -> tuple[float, float]:
    """Muscle stretch (mm) and stretch velocity (mm/s) at muscle time *t_ms*."""
    angle, velocity = joint_kinematics(t_ms, p)
    scale = p.moment_arm_m * _MM_PER_DEG_PER_M
    return angle * scale, velocity * scale


@kernel_function
def spindle_rate(t_ms: float, p: Any) -> float:
    """Ia discharge at the muscle at time *t_ms* (stretch, fusimotor drive and electrical volley), imp/s."""
    stretch, velocity = muscle_stretch(t_ms, p)
    fusimotor = 0.0
    volley = 0.0
    if p.kind == 4.0:
        fusimotor = step_on(t_ms, p.onset_ms, p.fusimotor_hz)
    elif p.kind == 3.0:
        volley = volley_rate(t_ms, p.onset_ms, p.intensity, p.pulse_width_ms, p.n_pulses, p.period_ms)
    rate = discharge_rate(stretch, velocity, fusimotor, p.resting_rate_hz, p.length_gain_hz_per_mm,
                          p.velocity_gain, p.velocity_exponent)
    return rate + volley


@kernel_function
def cord_inputs(t_ms: float, p: Any) -> tuple[float, float]:
    """Ia rate arriving at the motoneurons (imp/s) and descending command (nS) at cord time *t_ms*."""
    command = 0.0
    if p.kind == 4.0:
        command = step_on(t_ms, p.onset_ms, p.command_ns)
    return spindle_rate(t_ms - p.afferent_delay_ms, p), command


@kernel_function
def derivatives_with_inputs(y: Any, ia_hz: float, command_ns: float, p: Any, dy: Any) -> tuple[float, float]:
    """Write :math:`dy/dt` (per ms) into *dy* for given inputs; return (pool rate, recruited fraction).

    Parameters
    ----------
    y : array of 6 floats
        States in the order of :data:`STATE_NAMES`.
    ia_hz, command_ns : float
        Ia rate arriving at the motoneurons (imp/s) and descending command (nS) (:func:`cord_inputs`).
    p : record with the fields :data:`FIELDS`
        The probe's parameter row.
    dy : array of 6 floats
        Output.
    """
    d_pool, d_glu, d_ampa = synapse_derivatives(
        y[X], y[GLU], y[S], ia_hz, p.release_probability, p.inverse_tau_rec_per_ms, p.pool_use_per_release,
        p.glutamate_per_release_mm, p.glutamate_clearance_ms, p.ampa_binding_eff, p.ampa_closing_per_ms)
    dy[X] = d_pool
    dy[GLU] = d_glu
    dy[S] = d_ampa
    dy[V] = membrane_derivative(y[V], p.ia_conductance_max_ns * y[S] + command_ns, y[P], p.fixed_conductance_ns,
                                p.fixed_current_pa, p.pic_conductance_ns, p.excitatory_reversal_mv,
                                p.pic_reversal_mv, p.capacitance_nf)
    dy[P] = pic_derivative(y[P], y[V], p.pic_half_activation_mv, p.pic_slope_mv, p.pic_time_constant_ms)
    rate, fraction = recruitment(y[V], p.threshold_mv, p.recruitment_smoothing_mv, p.recruitment_range_mv,
                                 p.minimum_rate_hz, p.rate_gain_hz_per_mv)
    dy[A] = activation_derivative(y[A], excitation_from_rate(rate, p.half_force_rate_hz),
                                  p.activation_time_ms, p.deactivation_time_ms)
    return rate, fraction


@kernel_function
def derivatives(t_ms: float, y: Any, p: Any, dy: Any) -> tuple[float, float]:
    """:func:`derivatives_with_inputs` at cord time *t_ms* (the right-hand side :math:`f(t, y)`)."""
    ia_hz, command_ns = cord_inputs(t_ms, p)
    return derivatives_with_inputs(y, ia_hz, command_ns, p, dy)


@kernel_function
def passive_torque_nm(t_muscle_ms: float, p: Any) -> float:
    """Passive (elastic + viscous) joint torque at muscle time *t_muscle_ms*, N·m."""
    stretch, velocity = muscle_stretch(t_muscle_ms, p)
    return p.moment_arm_m * passive_force(stretch, velocity, p.passive_force_scale_n, p.passive_length_scale_mm,
                                          p.viscosity_n_per_mm_s)


@kernel_function
def _current_balance(v_mv: float, excitatory_ns: float, p: Any) -> float:
    """Steady-state :math:`\\dot V` with the PIC at :math:`P_\\infty(V)` (sign of the current balance)."""
    pic = pic_activation_steady(v_mv, p.pic_half_activation_mv, p.pic_slope_mv)
    return membrane_derivative(v_mv, excitatory_ns, pic, p.fixed_conductance_ns, p.fixed_current_pa,
                               p.pic_conductance_ns, p.excitatory_reversal_mv, p.pic_reversal_mv, p.capacitance_nf)


@kernel_function
def resting_state(p: Any, y: Any) -> bool:
    """Write the resting steady state before any stimulus into *y*; False if no resting potential exists.

    Pool, glutamate and AMPA at their steady states for the resting Ia rate; the potential
    is the lowest stable root of the current balance in [−120, 40] mV (a scan in 0.25 mV
    steps, then 60 bisections: the PIC can make the pool bistable, and rest is the lower
    state); PIC and muscle activation at their steady states there.
    """
    ia_hz, command_ns = cord_inputs(-1.0e7, p)
    pool = steady_pool(p.release_probability, ia_hz, 1.0 / p.inverse_tau_rec_per_ms, p.pool_use_per_release)
    glutamate = p.glutamate_per_release_mm * p.release_probability * pool * ia_hz * 1e-3 * p.glutamate_clearance_ms
    ampa = p.ampa_binding_eff * glutamate / (p.ampa_binding_eff * glutamate + p.ampa_closing_per_ms)
    excitatory = p.ia_conductance_max_ns * ampa + command_ns
    low = -120.0
    previous = _current_balance(low, excitatory, p)
    found = False
    for k in range(1, 641):
        high = -120.0 + 0.25 * k
        value = _current_balance(high, excitatory, p)
        if previous > 0.0 and value <= 0.0:
            found = True
            break
        low = high
        previous = value
    if not found:
        return False
    for _ in range(60):
        middle = 0.5 * (low + high)
        if _current_balance(middle, excitatory, p) > 0.0:
            low = middle
        else:
            high = middle
    v = 0.5 * (low + high)
    rate, _ = recruitment(v, p.threshold_mv, p.recruitment_smoothing_mv, p.recruitment_range_mv,
                          p.minimum_rate_hz, p.rate_gain_hz_per_mv)
    y[X] = pool
    y[GLU] = glutamate
    y[S] = ampa
    y[V] = v
    y[P] = pic_activation_steady(v, p.pic_half_activation_mv, p.pic_slope_mv)
    y[A] = activation_steady(excitation_from_rate(rate, p.half_force_rate_hz), p.activation_time_ms,
                             p.deactivation_time_ms)
    return True
