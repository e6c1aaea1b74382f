r"""The reflex circuit's right-hand side, assembled once from the stage modules.

One probe of the stretch-reflex loop has :data:`N_STATES` states: four shared
ones (:data:`SHARED_STATES`) and three per motoneuron unit (:data:`UNIT_STATES`,
:data:`N_UNITS` units; :mod:`sim.motoneuron`)

.. math::
   \dot x &= (1 - x)/\tau_{rec} - U\,p\,x\,r_{Ia}(t - d_{aff})            &\text{releasable pool}\\
   \dot G &= G_q\,p\,x\,r_{Ia}(t - d_{aff}) - G/\tau_{glu}                 &\text{cleft glutamate (mM)}\\
   \dot s &= \alpha_{eff} G (1 - s) - \beta s                               &\text{AMPA open fraction}\\
   \dot a &= \bigl(e - (\beta_a + (1-\beta_a) e)\,a\bigr)/\tau_{act},\;
             e = \textstyle\sum_i w_i\,\frac{r_i}{r_i + r_{1/2}}             &\text{muscle activation}\\
   C\dot V_i &= -\textstyle\sum_j g_j (V_i - E_j) + g_{PIC}\,m_i h_i (E_{PIC} - V_i) &\text{unit potentials}\\
   \dot m_i &= (m_\infty(V_i) - m_i)/\tau_m,\quad \tau_h\dot h_i = 1 - h_i - g_h\phi_i h_i &\text{PIC, per unit}

Each line is a *kernel function* of its stage module
(:func:`sim.synapse.synapse_derivatives`, :func:`sim.motoneuron.membrane_derivative`,
:func:`sim.motoneuron.pic_activation_steady`, :func:`sim.motoneuron.unit_rate`,
:func:`sim.muscle.activation_derivative`), and the
inputs come from :func:`sim.spindle.discharge_rate` and the protocol functions of
:mod:`sim.protocols`.  :func:`derivatives` below is the only place they are put together:
the compiled fixed-step kernel (:func:`sim.solvers.integrate_probes`) and the
:func:`scipy.integrate.solve_ivp` reference (:func:`sim.solvers.reference_probes`) both
call it, so there is no second copy of the equations.

Everything a probe needs is one row of a numpy *structured array* with the fields
:data:`FIELDS` (stage constants, preset values, drug-dependent values, the per-unit
thresholds and shares, and the protocol).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._jit import inlined_kernel_function, kernel_function
from .motoneuron import N_UNITS, membrane_derivative, pic_activation_steady, unit_drive, unit_rate, unit_rate_slopes
from .muscle import activation_derivative, activation_steady, excitation_from_rate, passive_force
from .protocols import KERNEL_FIELDS, ramp_kinematics, step_on, tap_kinematics, volley_rate
from .spindle import discharge_rate
from .synapse import steady_pool, synapse_derivatives
from .variables import VARIABLES

__all__ = ["N_UNITS", "N_STATES", "SHARED_STATES", "UNIT_STATES", "STATE_UNITS", "POOL_OUTPUTS", "FIELDS",
           "UNIT_FIELDS", "ROW_DTYPE", "derivatives", "derivatives_with_inputs", "derivatives_in_place",
           "pool_rates", "pool_rate_slopes", "pool_outputs", "joint_kinematics", "spindle_rate", "cord_inputs",
           "synapse_rates", "passive_torque_nm", "resting_state", "state_scale", "WORK_SIZE"]

#: States shared by the pool, in the order of the state vector.
SHARED_STATES = ("vesicle_pool", "glutamate_mm", "ampa_open", "muscle_activation")
#: States of each unit: blocks of :data:`N_UNITS` after the shared states.
UNIT_STATES = ("v_mv", "pic_activation", "pic_availability")
#: Length of a probe's state vector.
N_STATES = len(SHARED_STATES) + len(UNIT_STATES) * N_UNITS
#: Units of the states (unit states by block name).
STATE_UNITS = {name: VARIABLES[name].unit for name in (*SHARED_STATES, *UNIT_STATES)}
#: What :func:`pool_outputs` returns, in order: pool means and the EMG-weighted outputs.
POOL_OUTPUTS = ("v_mv", "pic_activation", "pic_availability", "mn_rate_hz", "recruited_fraction")
X, GLU, S, A = range(4)
V0 = 4
M0 = V0 + N_UNITS
H0 = M0 + N_UNITS

#: Fields of a probe's parameter row (float64 scalars), then the per-unit fields (:data:`UNIT_FIELDS`).
FIELDS = (
    # synapse (sim.synapse); release probability and recovery already include drug and preset
    "release_probability", "inverse_tau_rec_per_ms", "pool_use_per_release", "glutamate_per_release_mm",
    "glutamate_clearance_ms", "ampa_binding_eff", "ampa_closing_per_ms",
    # motoneuron pool (sim.motoneuron); fixed_* lump leak, inhibition and the GIRK conductance
    "ia_conductance_max_ns", "fixed_conductance_ns", "fixed_current_pa", "pic_conductance_ns",
    "excitatory_reversal_mv", "pic_reversal_mv", "capacitance_nf", "pic_onset_offset_mv", "pic_slope_mv",
    "pic_time_constant_ms", "pic_inactivation_gain", "pic_inactivation_time_ms", "recruitment_smoothing_mv",
    "minimum_rate_hz", "rate_gain_hz_per_mv",
    # spindle (sim.spindle)
    "resting_rate_hz", "length_gain_hz_per_mm", "velocity_gain", "velocity_exponent",
    # muscle and limb (sim.muscle)
    "moment_arm_m", "afferent_delay_ms", "efferent_delay_ms", "max_force_n", "emg_reference_rate_hz",
    "half_force_rate_hz", "activation_time_ms", "deactivation_time_ms", "passive_force_scale_n",
    "passive_length_scale_mm", "viscosity_n_per_mm_s",
) + KERNEL_FIELDS
#: Per-unit fields of a row (arrays of :data:`N_UNITS`): thresholds (mV) and force/EMG shares.
UNIT_FIELDS = ("unit_threshold_mv", "unit_share")
#: The structured dtype of a parameter row.
ROW_DTYPE = np.dtype([(name, np.float64) for name in FIELDS] + [(name, np.float64, (N_UNITS,)) for name in UNIT_FIELDS])

_MM_PER_DEG_PER_M = np.pi / 180.0 * 1000.0  # Δl (mm) = r_m (m) · Δθ (deg) · π/180 · 1000


def state_scale() -> np.ndarray:
    """Natural scale of every state (1 for fractions, 10 mV for potentials), for error norms."""
    scale = np.ones(N_STATES)
    scale[V0:M0] = 10.0
    return scale


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
def synapse_rates(pool: float, glutamate_mm: float, ampa_open: float, ia_hz: float, p: Any) -> tuple[float, float, float]:
    """:func:`sim.synapse.synapse_derivatives` with the probe's row *p* (per ms)."""
    return synapse_derivatives(pool, glutamate_mm, ampa_open, ia_hz, p.release_probability, p.inverse_tau_rec_per_ms,
                               p.pool_use_per_release, p.glutamate_per_release_mm, p.glutamate_clearance_ms,
                               p.ampa_binding_eff, p.ampa_closing_per_ms)


#: Length of the scratch buffer of :func:`derivatives_with_inputs` (three values per unit).
WORK_SIZE = 3 * N_UNITS


@kernel_function
def derivatives_with_inputs(y: Any, ia_hz: float, command_ns: float, p: Any, dy: Any,
                            work: Any) -> tuple[float, float]:
    """Write :math:`dy/dt` (per ms) into *dy* for given inputs; return (EMG-weighted rate, recruited share).

    :func:`derivatives_in_place`, then the share-weighted sums of the rates and recruitments it
    leaves in *work* (arguments as there).
    """
    derivatives_in_place(y, ia_hz, command_ns, p, dy, work)
    return _share_sum(p.unit_share, work, 0), _share_sum(p.unit_share, work, N_UNITS)


@kernel_function
def derivatives_in_place(y: Any, ia_hz: float, command_ns: float, p: Any, dy: Any, work: Any) -> None:
    """Write :math:`dy/dt` (per ms) into *dy* for given inputs (the kernel's inner RK4 stages need no more).

    Parameters
    ----------
    y : array of :data:`N_STATES` floats
        Shared states (:data:`SHARED_STATES`), then the unit blocks (:data:`UNIT_STATES`).
    ia_hz, command_ns : float
        Ia rate arriving at the motoneurons (imp/s) and descending command (nS) (:func:`cord_inputs`).
    p : record with the fields :data:`FIELDS` and :data:`UNIT_FIELDS`
        The probe's parameter row.
    dy : array of :data:`N_STATES` floats
        Output.
    work : array of :data:`WORK_SIZE` floats
        Scratch space; left holding each unit's rate, recruitment and muscle excitation.

    Notes
    -----
    The loop over units has no dependence between iterations (so the compiler runs it
    four units at a time); the pool sums follow in a second loop with four partial sums
    in a fixed order, so results are reproducible bit for bit.
    """
    d_pool, d_glu, d_ampa = synapse_rates(y[X], y[GLU], y[S], ia_hz, p)
    dy[X] = d_pool
    dy[GLU] = d_glu
    dy[S] = d_ampa
    excitatory = p.ia_conductance_max_ns * y[S] + command_ns
    thresholds = p.unit_threshold_mv
    shares = p.unit_share
    inv_tau_m = 1.0 / p.pic_time_constant_ms
    inv_tau_h = 1.0 / p.pic_inactivation_time_ms
    gain_h = p.pic_inactivation_gain
    onset = p.pic_onset_offset_mv
    slope = p.pic_slope_mv
    smoothing = p.recruitment_smoothing_mv
    minimum_rate = p.minimum_rate_hz
    rate_gain = p.rate_gain_hz_per_mv
    half_force = p.half_force_rate_hz
    fixed_g = p.fixed_conductance_ns
    fixed_i = p.fixed_current_pa
    pic_g = p.pic_conductance_ns
    e_exc = p.excitatory_reversal_mv
    e_pic = p.pic_reversal_mv
    capacitance = p.capacitance_nf
    for i in range(N_UNITS):
        v = y[V0 + i]
        m = y[M0 + i]
        h = y[H0 + i]
        rate, recruited, m_steady, excitation = unit_drive(v - thresholds[i], smoothing, minimum_rate, rate_gain,
                                                           onset, slope, half_force)
        dy[V0 + i] = membrane_derivative(v, excitatory, m * h, fixed_g, fixed_i, pic_g, e_exc, e_pic, capacitance)
        dy[M0 + i] = (m_steady - m) * inv_tau_m
        dy[H0 + i] = ((1.0 - h) - gain_h * recruited * h) * inv_tau_h
        work[i] = rate
        work[N_UNITS + i] = recruited
        work[2 * N_UNITS + i] = excitation
    excitation = _share_sum(shares, work, 2 * N_UNITS)
    dy[A] = activation_derivative(y[A], excitation, p.activation_time_ms, p.deactivation_time_ms)


@inlined_kernel_function
def _share_sum(shares: Any, work: Any, offset: int) -> float:
    """Share-weighted sum of the block of *work* at *offset* (four partial sums in a fixed order)."""
    r0 = r1 = r2 = r3 = 0.0
    for i in range(0, N_UNITS, 4):
        r0 += shares[i] * work[offset + i]
        r1 += shares[i + 1] * work[offset + i + 1]
        r2 += shares[i + 2] * work[offset + i + 2]
        r3 += shares[i + 3] * work[offset + i + 3]
    return (r0 + r1) + (r2 + r3)


@kernel_function
def derivatives(t_ms: float, y: Any, p: Any, dy: Any, work: Any) -> tuple[float, float]:
    """:func:`derivatives_with_inputs` at cord time *t_ms* (the right-hand side :math:`f(t, y)`)."""
    ia_hz, command_ns = cord_inputs(t_ms, p)
    return derivatives_with_inputs(y, ia_hz, command_ns, p, dy, work)


@inlined_kernel_function
def pool_rates(y: Any, p: Any, work: Any) -> tuple[float, float]:
    """EMG-weighted rate (imp/s) and recruited share of the pool in state *y* (only the potentials matter).

    *work* is scratch space of at least 2 × :data:`N_UNITS` floats; the sums are taken in the
    order of :func:`derivatives_with_inputs`, so both give the same bits.
    """
    thresholds = p.unit_threshold_mv
    smoothing = p.recruitment_smoothing_mv
    minimum_rate = p.minimum_rate_hz
    rate_gain = p.rate_gain_hz_per_mv
    for i in range(N_UNITS):
        rate, recruited = unit_rate(y[V0 + i] - thresholds[i], smoothing, minimum_rate, rate_gain)
        work[i] = rate
        work[N_UNITS + i] = recruited
    return _share_sum(p.unit_share, work, 0), _share_sum(p.unit_share, work, N_UNITS)


@inlined_kernel_function
def pool_rate_slopes(y: Any, dy: Any, p: Any, work: Any) -> tuple[float, float]:
    """Time derivatives of :func:`pool_rates` along *dy* (imp/s per ms, recruited share per ms)."""
    thresholds = p.unit_threshold_mv
    smoothing = p.recruitment_smoothing_mv
    minimum_rate = p.minimum_rate_hz
    rate_gain = p.rate_gain_hz_per_mv
    for i in range(N_UNITS):
        rate_slope, recruited_slope = unit_rate_slopes(y[V0 + i] - thresholds[i], smoothing, minimum_rate, rate_gain)
        work[i] = rate_slope * dy[V0 + i]
        work[N_UNITS + i] = recruited_slope * dy[V0 + i]
    return _share_sum(p.unit_share, work, 0), _share_sum(p.unit_share, work, N_UNITS)


@inlined_kernel_function
def pool_outputs(y: Any, p: Any, work: Any) -> tuple[float, float, float, float, float]:
    """Pool means of :math:`V_i`, :math:`m_i h_i` and :math:`h_i`, EMG-weighted rate and recruited share.

    In the order of :data:`POOL_OUTPUTS`; *work* as for :func:`pool_rates`.
    """
    v_sum = 0.0
    pic_sum = 0.0
    h_sum = 0.0
    for i in range(N_UNITS):
        h = y[H0 + i]
        v_sum += y[V0 + i]
        pic_sum += y[M0 + i] * h
        h_sum += h
    rate_sum, recruited_sum = pool_rates(y, p, work)
    return v_sum / N_UNITS, pic_sum / N_UNITS, h_sum / N_UNITS, rate_sum, recruited_sum


@kernel_function
def passive_torque_nm(t_muscle_ms: float, p: Any) -> float:
    """Passive (elastic + viscous) joint torque at muscle time *t_muscle_ms*, N·m."""
    stretch, velocity = muscle_stretch(t_muscle_ms, p)
    return p.moment_arm_m * passive_force(stretch, velocity, p.passive_force_scale_n, p.passive_length_scale_mm,
                                          p.viscosity_n_per_mm_s)


@kernel_function
def _steady_pic(v_mv: float, theta: float, p: Any) -> tuple[float, float]:
    """Steady PIC activation and availability of a unit held at *v_mv*."""
    _, recruited = unit_rate(v_mv - theta, p.recruitment_smoothing_mv, p.minimum_rate_hz, p.rate_gain_hz_per_mv)
    return (pic_activation_steady(v_mv - theta, p.pic_onset_offset_mv, p.pic_slope_mv),
            1.0 / (1.0 + p.pic_inactivation_gain * recruited))


@kernel_function
def _current_balance(v_mv: float, excitatory_ns: float, theta: float, p: Any) -> float:
    """Steady-state :math:`\\dot V_i` with the PIC at :math:`m_\\infty h_\\infty` (sign of the current balance)."""
    m, h = _steady_pic(v_mv, theta, p)
    return membrane_derivative(v_mv, excitatory_ns, m * h, p.fixed_conductance_ns, p.fixed_current_pa,
                               p.pic_conductance_ns, p.excitatory_reversal_mv, p.pic_reversal_mv, p.capacitance_nf)


@kernel_function
def resting_state(p: Any, y: Any) -> bool:
    """Write the resting steady state before any stimulus into *y*; False if a unit has no resting potential.

    Pool, glutamate and AMPA at their steady states for the resting Ia rate.  Each
    unit's potential is the lowest stable root of its current balance: the PIC only
    adds inward current, so that root lies above the PIC-free potential
    :math:`V_{lin}`; it is bracketed by a scan upward from :math:`V_{lin}` in 0.25 mV
    steps (up to 40 mV) and refined by bisection down to neighbouring floats (at most
    60 halvings; a PIC can make a unit bistable, and rest is the lower state).  PIC activation and availability at
    their steady states there; muscle activation at the steady state of the
    resting excitation.
    """
    ia_hz, command_ns = cord_inputs(-1.0e7, p)
    pool = steady_pool(p.release_probability, ia_hz, 1.0 / p.inverse_tau_rec_per_ms, p.pool_use_per_release)
    glutamate = p.glutamate_per_release_mm * p.release_probability * pool * ia_hz * 1e-3 * p.glutamate_clearance_ms
    ampa = p.ampa_binding_eff * glutamate / (p.ampa_binding_eff * glutamate + p.ampa_closing_per_ms)
    excitatory = p.ia_conductance_max_ns * ampa + command_ns
    v_linear = ((p.fixed_current_pa + excitatory * p.excitatory_reversal_mv)
                / (p.fixed_conductance_ns + excitatory))
    excitation = 0.0
    for i in range(N_UNITS):
        theta = p.unit_threshold_mv[i]
        low = v_linear - 1e-9
        high = low
        found = False
        while low < 40.0:
            high = low + 0.25
            if _current_balance(high, excitatory, theta, p) <= 0.0:
                found = True
                break
            low = high
        if not found:
            return False
        for _ in range(60):
            middle = 0.5 * (low + high)
            if middle <= low or middle >= high:
                break  # the bracket is two neighbouring floats: more halving changes nothing
            if _current_balance(middle, excitatory, theta, p) > 0.0:
                low = middle
            else:
                high = middle
        v = 0.5 * (low + high)
        y[V0 + i] = v
        y[M0 + i], y[H0 + i] = _steady_pic(v, theta, p)
        rate, _ = unit_rate(v - theta, p.recruitment_smoothing_mv, p.minimum_rate_hz, p.rate_gain_hz_per_mv)
        excitation += p.unit_share[i] * excitation_from_rate(rate, p.half_force_rate_hz)
    y[X] = pool
    y[GLU] = glutamate
    y[S] = ampa
    y[A] = activation_steady(excitation, p.activation_time_ms, p.deactivation_time_ms)
    return True
