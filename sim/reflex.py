r"""The millisecond reflex probe: stretch → spindle → synapse → motoneurons → muscle.

One *probe* simulates ≈ 0.1–3 s of the monosynaptic stretch-reflex loop with
the drug held constant (receptor activations :math:`a_{pre}, a_{post}` fixed).
Every stage lives in its own module; this one assembles them, integrates the
state equations for a whole batch of probes at once and derives the readouts.

States and equations
--------------------
Six states per probe (:data:`STATE_NAMES`):

.. math::
   \dot x &= (1 - x)/\tau_{rec} - U\,p\,x\,r_{Ia}(t - d_{aff})            &\text{releasable pool}\\
   \dot G &= G_q\,p\,x\,r_{Ia}(t - d_{aff}) - G/\tau_{glu}                 &\text{cleft glutamate (mM)}\\
   \dot s &= \alpha_{eff} G (1 - s) - \beta s                               &\text{AMPA open fraction}\\
   C\dot V &= -\textstyle\sum_j g_j (V - E_j) + g_{PIC} P (E_{PIC} - V)     &\text{pool generator potential}\\
   \dot P &= (P_\infty(V) - P)/\tau_{PIC}                                   &\text{PIC activation}\\
   \dot a &= \bigl(e(r_{pool}(V)) - (\beta_a + (1-\beta_a) e)\,a\bigr)/\tau_{act} &\text{muscle activation}

with :math:`p = p(a_{pre})` (:mod:`sim.synapse`), the conductances of
:mod:`sim.motoneuron` (:math:`g_{K,B} = \bar g_{K,B} a_{post}`), the Ia rate
of :mod:`sim.spindle` and the muscle of :mod:`sim.muscle`.

**Delays are exact time shifts.**  The kinematics are imposed by the
protocol (open loop), so the spindle discharge is a known function of time:
the afferent delay :math:`d_{aff}` just shifts that input.  The muscle does not
feed back onto the spindle, and the activation equation is time-invariant, so
driving it with the *undelayed* pool rate and shifting its output by the
efferent delay :math:`d_{eff}` is exact.  No delay-differential equation is
needed.  (Closing the loop, e.g. for clonus, would make it one.)

Numerics
--------
A fixed-step classical Runge–Kutta scheme (order 4) advances **all probes of
a batch together** as numpy arrays.  The step grid is shared by the batch and
contains every declared input discontinuity (ramp start/stop, tap phases,
volley edges, command onset — shifted by :math:`d_{aff}` where they enter
through the spindle), so each step sees smooth inputs; stage times at the step
ends are nudged 1e-9 ms inwards to take the correct one-sided input.
Summaries (peaks, threshold crossings) are computed on every step; traces are
stored on a coarser output grid.  :func:`reference_solution` solves the same
right-hand side with :func:`scipy.integrate.solve_ivp` for checking.

The initial state is the resting steady state before the stimulus (the
lowest, stable resting potential when the PIC makes the pool bistable).

Examples
--------
>>> import sim
>>> r = sim.stretch_reflex(sim.Patient(condition="spastic", spasticity=0.5), [30.0, 120.0], traces=("emg",))
>>> r.batch_shape, r["emg"].shape[-1] == r["t_ms"].size
((2,), True)
>>> bool(r["emg_peak"][1] > r["emg_peak"][0])  # velocity-dependent (Lance)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import motoneuron as mn
from . import muscle as ms
from . import spindle as sp
from . import synapse as sy
from .errors import ParameterError, SimulationError
from .motoneuron import MotoneuronParameters, girk_conductance_ns
from .muscle import SOLEUS, MuscleParameters
from .parameters import check_range
from .patient import Patient
from .protocols import ElectricalVolley, Protocol, RampAndHold, VoluntaryContraction, length_change_mm
from .receptor import ReceptorParameters, site_activations
from .result import Result
from .spindle import SpindleParameters
from .synapse import SynapseParameters, ca_influx_rel, release_rel
from .units import ng_ml_to_um

__all__ = [
    "STATE_NAMES",
    "STATE_UNITS",
    "STANDARD_VELOCITY_DEG_S",
    "EMG_THRESHOLD",
    "ProbeModel",
    "build_model",
    "rhs",
    "initial_state",
    "integrate",
    "reference_solution",
    "probe",
    "stretch_reflex",
    "h_reflex",
    "fast_stretch_emg",
    "fast_stretch_torque_nm",
    "threshold_angle",
    "h_reflex_ratio",
    "spasm_index",
    "voluntary_force",
    "SPASM_TRAIN",
    "STANDARD_CONTRACTION",
    "TRACE_UNITS",
    "ca_influx_rel",
    "release_rel",
    "girk_conductance_ns",
]

#: State variables of one probe, in the order of the state array's first axis.
STATE_NAMES = ("vesicle_pool", "glutamate_mm", "ampa_open", "v_mv", "pic_activation", "muscle_activation")
#: Units of the states.
STATE_UNITS = {"vesicle_pool": "1", "glutamate_mm": "mM", "ampa_open": "1", "v_mv": "mV",
               "pic_activation": "1", "muscle_activation": "1"}
_IX = {name: i for i, name in enumerate(STATE_NAMES)}
_X, _GLU, _S, _V, _P, _A = (_IX[n] for n in STATE_NAMES)

#: The standard "fast stretch" used by the readouts (a fast clinical stretch), deg/s.
STANDARD_VELOCITY_DEG_S = 120.0
#: Reflex onset criterion: EMG rise above the pre-stimulus level, fraction of maximal EMG.
EMG_THRESHOLD = 0.02
#: Recruitment rise (fraction of the pool above rest) that counts as "firing" for the spasm index.
_FIRING_FRACTION = 0.05
_NUDGE_MS = 1e-9

#: Every trace :func:`probe` can return, with its unit.
TRACE_UNITS = {
    "angle_deg": "deg", "ia_rate_hz": "imp/s", "release_rel": "1", "vesicle_pool": "1",
    "glutamate_mm": "mM", "ampa_open": "1", "ampa_conductance_ns": "nS", "v_mv": "mV",
    "pic_activation": "1", "mn_rate_hz": "imp/s", "recruited_fraction": "1", "emg": "1",
    "muscle_activation": "1", "active_force_n": "N", "passive_force_n": "N", "force_n": "N",
    "torque_nm": "N·m",
}
_SUMMARY_UNITS = {
    "emg_peak": "1", "torque_peak_nm": "N·m", "reflex_torque_peak_nm": "N·m",
    "threshold_angle_deg": "deg", "trigger_angle_deg": "deg", "latency_ms": "ms", "reflex_detected": "bool",
    "recruited_peak": "1", "sustained_firing_ms": "ms", "active_force_end_n": "N",
    "a_pre": "1", "a_post": "1", "ca_influx_rel": "1", "release_rel": "1",
    "girk_conductance_ns": "nS", "resting_release_rel": "1",
}


@dataclasses.dataclass(frozen=True)
class ProbeModel:
    """Everything the right-hand side needs, flattened to a batch of ``n`` probes.

    Built by :func:`build_model`; arrays have shape ``(n,)``.
    """

    batch_shape: tuple[int, ...]
    protocol: Protocol
    spindle: SpindleParameters
    synapse: SynapseParameters
    motoneuron: MotoneuronParameters
    muscle: MuscleParameters
    a_pre: np.ndarray
    a_post: np.ndarray
    severity: np.ndarray
    release_probability: np.ndarray
    inv_tau_rec_per_ms: np.ndarray
    girk_ns: np.ndarray
    inhibition_ns: np.ndarray
    pic_ns: np.ndarray
    threshold_mv: np.ndarray
    fixed_conductance_ns: np.ndarray
    fixed_current_pa: np.ndarray
    reference_release: np.ndarray
    alpha_eff: float

    @property
    def size(self) -> int:
        """Number of probes in the batch."""
        return int(np.prod(self.batch_shape, dtype=int))


def build_model(
    patient: Patient,
    protocol: Protocol,
    *,
    a_pre: Any,
    a_post: Any,
    muscle: MuscleParameters = SOLEUS,
    spindle: SpindleParameters | None = None,
    synapse: SynapseParameters | None = None,
    motoneuron: MotoneuronParameters | None = None,
    receptor: ReceptorParameters | None = None,
) -> ProbeModel:
    """Broadcast patient, protocol and activations into one flat batch (see :func:`probe`)."""
    if not isinstance(patient, Patient):
        raise ParameterError(f"patient = {patient!r} is not a sim.Patient")
    if not isinstance(protocol, Protocol):
        raise ParameterError(f"protocol = {protocol!r} is not a protocol from sim.protocols")
    spindle = spindle or SpindleParameters()
    synapse = synapse or SynapseParameters()
    motoneuron = motoneuron or MotoneuronParameters()
    a_pre = check_range("a_pre", a_pre, 0.0, 1.0)
    a_post = check_range("a_post", a_post, 0.0, 1.0)
    severity = patient.severity
    shape = np.broadcast_shapes(protocol.batch_shape(), a_pre.shape, a_post.shape, severity.shape)
    flat = lambda v: np.broadcast_to(np.asarray(v, dtype=float), shape).ravel().copy()  # noqa: E731
    a_pre, a_post, severity = flat(a_pre), flat(a_post), flat(severity)
    flat_protocol = dataclasses.replace(protocol, **{
        f.name: flat(getattr(protocol, f.name)).reshape(-1) for f in dataclasses.fields(protocol)
    })
    if not shape:
        a_pre, a_post, severity = a_pre.reshape(1), a_post.reshape(1), severity.reshape(1)
    preset = mn.preset(severity, motoneuron)
    tau_rec = synapse.tau_rec_healthy_ms + severity * (synapse.tau_rec_spastic_ms - synapse.tau_rec_healthy_ms)
    p_release = sy.release_probability(a_pre, synapse)
    girk = girk_conductance_ns(a_post, motoneuron)
    m = motoneuron
    fixed_g = m.leak_conductance_ns + preset["inhibitory_conductance_ns"] + girk
    fixed_i = (m.leak_conductance_ns * m.leak_reversal_mv
               + preset["inhibitory_conductance_ns"] * m.inhibitory_reversal_mv
               + girk * m.potassium_reversal_mv)
    # Drug-free reference release per spike at rest (same patient): the denominator of release_rel.
    rest_rate = spindle.resting_rate_hz
    receptor = receptor or ReceptorParameters()
    p_ref = sy.release_probability(receptor.endogenous_presynaptic_activation, synapse)
    reference = p_ref * sy.resting_pool(p_ref, rest_rate, tau_rec, synapse)
    return ProbeModel(
        batch_shape=tuple(shape), protocol=flat_protocol, spindle=spindle, synapse=synapse,
        motoneuron=motoneuron, muscle=muscle, a_pre=a_pre, a_post=a_post, severity=severity,
        release_probability=p_release, inv_tau_rec_per_ms=1.0 / tau_rec, girk_ns=girk,
        inhibition_ns=preset["inhibitory_conductance_ns"], pic_ns=preset["pic_conductance_ns"],
        threshold_mv=preset["threshold_mv"], fixed_conductance_ns=fixed_g, fixed_current_pa=fixed_i,
        reference_release=reference, alpha_eff=sy.ampa_binding_effective(synapse),
    )


# -- inputs and right-hand side ------------------------------------------------
def _kinematics_mm(model: ProbeModel, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
    arm = model.muscle.moment_arm_m
    return (length_change_mm(model.protocol.angle_deg(t_ms), moment_arm_m=arm),
            length_change_mm(model.protocol.angular_velocity_deg_s(t_ms), moment_arm_m=arm))


def _spindle_rate(model: ProbeModel, t_ms: Any) -> np.ndarray:
    """Ia rate at the spindle (electrical volley included), imp/s."""
    stretch, velocity = _kinematics_mm(model, t_ms)
    rate = sp.ia_rate_hz(stretch, velocity, model.spindle, fusimotor_hz=model.protocol.fusimotor_rate_hz(t_ms))
    return rate + model.protocol.volley_rate_hz(t_ms)


def _inputs(model: ProbeModel, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
    """Ia rate arriving at the motoneurons and descending command at time *t_ms* (cord time)."""
    t = np.asarray(t_ms, dtype=float)
    return _spindle_rate(model, t - model.muscle.afferent_delay_ms), model.protocol.command_ns(t)


def _derivatives(y: np.ndarray, ia_hz: np.ndarray, command_ns: np.ndarray, m: ProbeModel,
                 out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Core right-hand side on a ``(6, n)`` state; writes ``out`` and returns (pool rate, recruited fraction)."""
    x, glu, s, v, pic, act = y
    syn, mot, mus = m.synapse, m.motoneuron, m.muscle
    release = m.release_probability * x * ia_hz * 1e-3  # release events per ms per site
    out[_X] = (1.0 - x) * m.inv_tau_rec_per_ms - syn.pool_use_per_release * release
    out[_GLU] = syn.glutamate_per_release_mm * release - glu / syn.glutamate_clearance_ms
    out[_S] = m.alpha_eff * glu * (1.0 - s) - syn.ampa_closing_per_ms * s
    g_exc = mot.ia_conductance_max_ns * s + command_ns
    current = (m.fixed_current_pa - m.fixed_conductance_ns * v + g_exc * (mot.excitatory_reversal_mv - v)
               + m.pic_ns * pic * (mot.pic_reversal_mv - v))
    out[_V] = current * (1e-3 / mot.capacitance_nf)  # pA / nF = mV/s
    out[_P] = (mn.pic_steady_state(v, mot) - pic) / mot.pic_time_constant_ms
    rate, fraction = mn.pool_output(v, m.threshold_mv, mot)
    out[_A] = ms.activation_rhs(act, ms.excitation(rate, mus), mus)
    return rate, fraction


def rhs(t: float, y: np.ndarray, model: ProbeModel) -> np.ndarray:
    """Pure right-hand side ``dy/dt`` (per ms) at time *t* (ms) for state *y*.

    Parameters
    ----------
    t : float
        Time, ms (cord time; inputs are taken at the protocol's value then).
    y : numpy.ndarray, shape (6, n) or (6 n,)
        States in the order of :data:`STATE_NAMES` (first axis).
    model : ProbeModel

    Returns
    -------
    numpy.ndarray
        Derivatives, same shape as *y*.
    """
    y = np.asarray(y, dtype=float)
    state = y.reshape(len(STATE_NAMES), model.size)
    ia, command = _inputs(model, float(t))
    out = np.empty_like(state)
    _derivatives(state, ia, command, model, out)
    return out.reshape(y.shape)


def _resting_potential(model: ProbeModel, g_exc: np.ndarray) -> np.ndarray:
    """Lowest stable root of the steady-state current balance (vectorised scan + bisection)."""
    mot = model.motoneuron

    def balance(v: np.ndarray) -> np.ndarray:
        fg = model.fixed_conductance_ns[..., None] if v.ndim == 2 else model.fixed_conductance_ns
        fi = model.fixed_current_pa[..., None] if v.ndim == 2 else model.fixed_current_pa
        ge = g_exc[..., None] if v.ndim == 2 else g_exc
        gp = model.pic_ns[..., None] if v.ndim == 2 else model.pic_ns
        return (fi - fg * v + ge * (mot.excitatory_reversal_mv - v)
                + gp * mn.pic_steady_state(v, mot) * (mot.pic_reversal_mv - v))

    grid = np.arange(-120.0, 40.0 + 1e-9, 0.25)
    values = balance(np.broadcast_to(grid, (model.size, grid.size)))
    crossing = (values[:, :-1] > 0) & (values[:, 1:] <= 0)
    if not np.all(crossing.any(axis=1)):
        raise SimulationError("no resting potential found in [-120, 40] mV")
    first = crossing.argmax(axis=1)
    low, high = grid[first], grid[first + 1]
    for _ in range(60):
        mid = 0.5 * (low + high)
        positive = balance(mid) > 0
        low, high = np.where(positive, mid, low), np.where(positive, high, mid)
    return 0.5 * (low + high)


def initial_state(model: ProbeModel) -> np.ndarray:
    """Resting steady state before the stimulus, shape ``(6, n)``."""
    syn, mot = model.synapse, model.motoneuron
    ia, command = _inputs(model, -1.0e7)  # long before any stimulus
    p = model.release_probability
    x = sy.resting_pool(p, ia, 1.0 / model.inv_tau_rec_per_ms, syn)
    glu = syn.glutamate_per_release_mm * p * x * ia * 1e-3 * syn.glutamate_clearance_ms
    s = model.alpha_eff * glu / (model.alpha_eff * glu + syn.ampa_closing_per_ms)
    v = _resting_potential(model, mot.ia_conductance_max_ns * s + command)
    pic = mn.pic_steady_state(v, mot)
    rate, _ = mn.pool_output(v, model.threshold_mv, mot)
    act = ms.activation_steady_state(ms.excitation(rate, model.muscle), model.muscle)
    return np.stack([x, glu, s, v, pic, act])


# -- integration ---------------------------------------------------------------
def _knots(model: ProbeModel, duration_ms: float, dt_ms: float, output_dt_ms: float) -> tuple[np.ndarray, np.ndarray]:
    n_out = int(round(duration_ms / output_dt_ms))
    t_out = np.arange(n_out + 1) * output_dt_ms
    n_steps = int(np.ceil(t_out[-1] / dt_ms - 1e-9))
    uniform = np.linspace(0.0, t_out[-1], n_steps + 1)
    breaks = np.concatenate([model.protocol.spindle_discontinuities_ms() + model.muscle.afferent_delay_ms,
                             model.protocol.cord_discontinuities_ms()])
    breaks = breaks[(breaks > 0) & (breaks < t_out[-1])]
    knots = np.unique(np.concatenate([uniform, t_out, breaks]))
    keep = np.concatenate([[True], np.diff(knots) > 1e-7])
    keep[-1] = True
    knots = knots[keep]
    if knots.size > 1 and knots[-1] - knots[-2] <= 1e-7:
        knots = np.delete(knots, -2)
    out_index = np.clip(np.searchsorted(knots, t_out - 5e-8), 0, knots.size - 1)
    return knots, out_index


def integrate(
    model: ProbeModel,
    duration_ms: float,
    *,
    dt_ms: float = 0.1,
    output_dt_ms: float = 0.5,
    record: bool = True,
    emg_threshold: float = EMG_THRESHOLD,
) -> dict[str, Any]:
    """Advance every probe of *model* with fixed-step RK4 (see the module docstring).

    Parameters
    ----------
    model : ProbeModel
    duration_ms : float
        Probe length, ms.
    dt_ms : float
        Largest step, ms (declared discontinuities add knots).
    output_dt_ms : float
        Spacing of the stored traces, ms.
    record : bool
        Store state traces on the output grid (otherwise only summaries).
    emg_threshold : float
        Reflex onset criterion (EMG rise above rest).

    Returns
    -------
    dict
        ``t_out``, ``states`` (6, n, n_out) or None, ``rate`` and ``fraction``
        (n, n_out) or None, and the online summaries (arrays of shape (n,)).
    """
    knots, out_index = _knots(model, duration_ms, dt_ms, output_dt_ms)
    n, n_state = model.size, len(STATE_NAMES)
    t_end = knots[-1]
    d_eff = model.muscle.efferent_delay_ms
    t_out = knots[out_index]
    y = initial_state(model)
    k1, k2, k3, k4 = (np.empty_like(y) for _ in range(4))
    is_output = np.zeros(knots.size, dtype=bool)
    is_output[out_index] = True
    n_out = out_index.size
    states = np.empty((n_out, n_state, n)) if record else None
    rates = np.empty((n_out, n)) if record else None
    fractions = np.empty((n_out, n)) if record else None
    mus = model.muscle

    # Online summaries (all cord time unless stated).
    rate0, frac0 = mn.pool_output(y[_V], model.threshold_mv, model.motoneuron)
    emg0 = rate0 / mus.emg_reference_rate_hz
    emg_peak = np.zeros(n)
    recruited_peak = np.zeros(n)
    crossed = np.zeros(n, dtype=bool)
    t_cross = np.full(n, np.nan)
    firing_end = np.zeros(n)
    act_end = y[_A].copy()
    torque_peak = np.full(n, -np.inf)
    reflex_torque_peak = np.zeros(n)
    prev_rise = np.zeros(n)
    prev_t = 0.0
    # Torque before the efferent delay has elapsed: resting activation + passive force.
    early = np.linspace(0.0, min(d_eff, t_end), max(2, int(min(d_eff, t_end) / output_dt_ms) + 1))
    stretch_e, vel_e = _kinematics_mm(model, early)
    passive_early = ms.passive_force_n(stretch_e, vel_e, mus).max(axis=-1)
    torque_peak = np.maximum(torque_peak, ms.joint_torque_nm(ms.active_force_n(y[_A], mus) + passive_early, mus))
    rest_active = ms.active_force_n(y[_A], mus)

    def observe(j: int, t: float, rate: np.ndarray, fraction: np.ndarray, state: np.ndarray,
                passive_later: np.ndarray | None) -> None:
        nonlocal prev_t, prev_rise, t_cross, crossed
        rise = rate / mus.emg_reference_rate_hz - emg0
        recruited = fraction - frac0
        np.maximum(recruited_peak, recruited, out=recruited_peak)
        firing_end[recruited >= _FIRING_FRACTION] = t
        if t <= t_end - d_eff + 1e-9:
            np.maximum(emg_peak, rise, out=emg_peak)
            new = (~crossed) & (rise >= emg_threshold)
            if np.any(new):
                span = rise[new] - prev_rise[new]
                frac_t = np.where(span > 0, (emg_threshold - prev_rise[new]) / np.where(span > 0, span, 1.0), 1.0)
                t_cross[new] = prev_t + np.clip(frac_t, 0.0, 1.0) * (t - prev_t)
                crossed |= new
            active = ms.active_force_n(state[_A], mus)
            act_end[:] = state[_A]
            torque = ms.joint_torque_nm(active + passive_later, mus)
            np.maximum(torque_peak, torque, out=torque_peak)
            np.maximum(reflex_torque_peak, ms.joint_torque_nm(active - rest_active, mus), out=reflex_torque_peak)
        prev_rise, prev_t = rise, t
        if record and is_output[j]:
            k = np.searchsorted(out_index, j)
            states[k] = state
            rates[k] = rate
            fractions[k] = fraction

    chunk = 256
    n_steps = knots.size - 1
    for c0 in range(0, n_steps, chunk):
        c1 = min(c0 + chunk, n_steps)
        a, b = knots[c0:c1], knots[c0 + 1:c1 + 1]
        h_all = b - a
        nudge = np.minimum(_NUDGE_MS, h_all / 4)
        times = np.concatenate([a + nudge, 0.5 * (a + b), b - nudge])
        ia_all, cmd_all = _inputs(model, times)
        ia_all, cmd_all = np.ascontiguousarray(ia_all.T), np.ascontiguousarray(cmd_all.T)
        m_len = c1 - c0
        # passive force at (knot + d_eff) for the torque summary, for the knots a (start of each step)
        stretch_l, vel_l = _kinematics_mm(model, a + d_eff)
        passive_later = np.ascontiguousarray(ms.passive_force_n(stretch_l, vel_l, mus).T)
        for j in range(m_len):
            h = h_all[j]
            ia_a, ia_m, ia_b = ia_all[j], ia_all[m_len + j], ia_all[2 * m_len + j]
            cm_a, cm_m, cm_b = cmd_all[j], cmd_all[m_len + j], cmd_all[2 * m_len + j]
            rate, fraction = _derivatives(y, ia_a, cm_a, model, k1)
            observe(c0 + j, a[j], rate, fraction, y, passive_later[j])
            _derivatives(y + (0.5 * h) * k1, ia_m, cm_m, model, k2)
            _derivatives(y + (0.5 * h) * k2, ia_m, cm_m, model, k3)
            _derivatives(y + h * k3, ia_b, cm_b, model, k4)
            y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        if not np.all(np.isfinite(y)):
            raise SimulationError(f"non-finite state at t = {b[-1]:g} ms (step {dt_ms} ms too large?)")
    stretch_f, vel_f = _kinematics_mm(model, np.array([t_end + d_eff]))
    rate, fraction = mn.pool_output(y[_V], model.threshold_mv, model.motoneuron)
    observe(knots.size - 1, t_end, rate, fraction, y, ms.passive_force_n(stretch_f, vel_f, mus)[:, 0])
    if np.any(y[_X] < -1e-9) or np.any(y[_S] < -1e-9):
        raise SimulationError("a fraction left [0, 1] during integration")
    return {
        "t_out": t_out, "states": None if states is None else states.transpose(1, 2, 0),
        "rate": None if rates is None else rates.T, "fraction": None if fractions is None else fractions.T,
        "emg_rest": emg0, "emg_peak": emg_peak, "recruited_peak": recruited_peak, "crossed": crossed,
        "t_cross_cord": t_cross, "firing_end_cord": firing_end, "activation_end": act_end,
        "torque_peak_nm": torque_peak, "reflex_torque_peak_nm": reflex_torque_peak, "y_end": y,
        "knots": knots,
    }


def reference_solution(model: ProbeModel, t_eval: Any, *, rtol: float = 1e-9, atol: float = 1e-12,
                       method: str = "DOP853", dt_ms: float = 0.1) -> np.ndarray:
    """Solve the same :func:`rhs` with :func:`scipy.integrate.solve_ivp`, restarting at every discontinuity.

    For checking the fixed-step integrator (slow).  Returns states at *t_eval*,
    shape ``(6, n, len(t_eval))``.
    """
    from scipy.integrate import solve_ivp

    t_eval = np.asarray(t_eval, dtype=float)
    knots, _ = _knots(model, float(t_eval[-1]), dt_ms, dt_ms)
    breaks = np.concatenate([model.protocol.spindle_discontinuities_ms() + model.muscle.afferent_delay_ms,
                             model.protocol.cord_discontinuities_ms()])
    edges = np.unique(np.concatenate([[0.0, t_eval[-1]], breaks[(breaks > 0) & (breaks < t_eval[-1])]]))
    y = initial_state(model).ravel()
    out = np.empty((y.size, t_eval.size))
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (t_eval >= lo) & ((t_eval < hi) | (hi == edges[-1]))
        nudge = min(_NUDGE_MS, (hi - lo) / 4)
        fun = lambda t, z, lo=lo, hi=hi, nudge=nudge: rhs(np.clip(t, lo + nudge, hi - nudge), z, model)  # noqa: E731
        sol = solve_ivp(fun, (lo, hi), y, method=method, rtol=rtol, atol=atol,
                        t_eval=t_eval[inside] if np.any(inside) else None)
        if not sol.success:
            raise SimulationError(f"solve_ivp failed on [{lo:g}, {hi:g}] ms: {sol.message}")
        if np.any(inside):
            out[:, inside] = sol.y
        y = sol.y[:, -1] if sol.t[-1] == hi else solve_ivp(fun, (sol.t[-1], hi), sol.y[:, -1], method=method,
                                                          rtol=rtol, atol=atol).y[:, -1]
    del knots
    return out.reshape(len(STATE_NAMES), model.size, t_eval.size)


# -- probe -------------------------------------------------------------------
def _angle_at_times(protocol: Protocol, times: np.ndarray, block: int = 256) -> np.ndarray:
    """Angle of probe *i* (flat protocol) at its own time ``times[i]``, in blocks of the diagonal."""
    out = np.empty(times.size)
    for start in range(0, times.size, block):
        stop = min(start + block, times.size)
        sub = dataclasses.replace(protocol, **{
            f.name: np.asarray(getattr(protocol, f.name))[start:stop] for f in dataclasses.fields(protocol)
        })
        out[start:stop] = np.diagonal(sub.angle_deg(times[start:stop]))
    return out


def _delayed(series: np.ndarray, t: np.ndarray, delay: float) -> np.ndarray:
    """``series`` (n, nt) sampled at ``t - delay``; before ``delay`` the first (resting) value."""
    target = np.clip(t - delay, t[0], t[-1])
    idx = np.clip(np.searchsorted(t, target, side="right") - 1, 0, t.size - 2)
    w = (target - t[idx]) / (t[idx + 1] - t[idx])
    return series[:, idx] * (1.0 - w) + series[:, idx + 1] * w


def _select_traces(traces: str | Sequence[str]) -> list[str]:
    if isinstance(traces, str):
        if traces != "all":
            raise ParameterError(f"traces = {traces!r} must be 'all' or a sequence of trace names")
        return list(TRACE_UNITS)
    names = list(traces)
    unknown = [name for name in names if name not in TRACE_UNITS]
    if unknown:
        raise ParameterError(f"traces: unknown name(s) {unknown}; allowed: {', '.join(TRACE_UNITS)}")
    return names


def probe(
    patient: Patient,
    protocol: Protocol,
    *,
    a_pre: Any,
    a_post: Any,
    duration_ms: float | None = None,
    dt_ms: float = 0.1,
    output_dt_ms: float = 0.5,
    traces: str | Sequence[str] = "all",
    emg_threshold: float = EMG_THRESHOLD,
    muscle: MuscleParameters = SOLEUS,
    spindle: SpindleParameters | None = None,
    synapse: SynapseParameters | None = None,
    motoneuron: MotoneuronParameters | None = None,
    receptor: ReceptorParameters | None = None,
    meta: dict[str, Any] | None = None,
) -> Result:
    """Run a batch of reflex probes with given GABA-B activations.

    The lower-level entry for callers that already know the receptor
    activations (e.g. a coupled drug course); :func:`stretch_reflex` and
    :func:`h_reflex` wrap it.

    Parameters
    ----------
    patient : Patient
        Supplies the spasticity severity (may be an array).
    protocol : Protocol
        What is done to the limb (:mod:`sim.protocols`); fields may be arrays.
    a_pre, a_post : float or array_like in [0, 1]
        Presynaptic (Ia terminal, including endogenous tone) and postsynaptic
        (motoneuron GIRK) GABA-B activation.  Patient, protocol and activations
        broadcast together into the batch shape.
    duration_ms : float, optional
        Probe length, ms (default: the protocol's natural length).
    dt_ms : float
        Integration step, ms (default 0.1).
    output_dt_ms : float
        Spacing of the stored traces, ms (default 0.5).
    traces : "all" or sequence of str
        Which traces to return (``()`` for summaries only; saves memory on big grids).
    emg_threshold : float
        Reflex onset criterion: EMG rise above rest, fraction of maximal EMG.
    muscle : MuscleParameters
        Limb preset (default :data:`sim.muscle.SOLEUS`).
    spindle, synapse, motoneuron : parameter objects, optional
        Stage parameters (defaults from each module).
    receptor : ReceptorParameters, optional
        Sets the drug-free reference (endogenous presynaptic tone) of the
        relative mechanism outputs.
    meta : dict, optional
        Extra metadata recorded in the result.

    Returns
    -------
    Result
        Axis ``t_ms``.  Traces (batch + time): see :data:`TRACE_UNITS` –
        ``angle_deg`` and ``ia_rate_hz`` at the muscle, ``release_rel`` … ``recruited_fraction``
        at the spinal cord (``release_rel`` = release per Ia spike relative to the
        drug-free resting synapse), ``emg`` … ``torque_nm`` at the muscle (after
        the efferent delay).  Summaries (batch shape):

        * ``emg_peak`` – peak EMG rise above the pre-stimulus level (fraction of max);
        * ``torque_peak_nm`` – peak resistive torque (passive + reflex), N·m;
        * ``reflex_torque_peak_nm`` – peak rise of the active (reflex) torque, N·m;
        * ``threshold_angle_deg`` – joint angle when the EMG rise first reaches
          ``emg_threshold`` (if never: the final angle; see ``reflex_detected``);
        * ``trigger_angle_deg`` – the same corrected for conduction: the angle when
          the Ia discharge that produced the EMG onset left the muscle (onset
          time − efferent − afferent delay); free of the v × latency term;
        * ``latency_ms`` – from stimulus onset to that EMG crossing (if never:
          the remaining probe time);
        * ``reflex_detected`` – whether the crossing happened;
        * ``recruited_peak`` – peak rise of the recruited fraction (H/M surrogate);
        * ``sustained_firing_ms`` – how long ≥ 5% extra recruitment outlasts the
          stimulus's arrival at the cord (spasm measure; censored at the probe end);
        * ``active_force_end_n`` – active force at the end of the probe, N;
        * ``a_pre``, ``a_post``, ``ca_influx_rel``, ``release_rel`` (per spike,
          vs drug-free), ``girk_conductance_ns``, ``resting_release_rel``.

    Raises
    ------
    ParameterError
        For invalid arguments.
    SimulationError
        If the integration produces non-finite values.
    """
    model = build_model(patient, protocol, a_pre=a_pre, a_post=a_post, muscle=muscle, spindle=spindle,
                        synapse=synapse, motoneuron=motoneuron, receptor=receptor)
    duration = float(duration_ms) if duration_ms is not None else protocol.natural_duration_ms()
    check_range("duration_ms", duration, 1.0, 60_000.0, "ms")
    check_range("dt_ms", dt_ms, 1e-3, 1.0, "ms")
    check_range("output_dt_ms", output_dt_ms, dt_ms, 100.0, "ms")
    check_range("emg_threshold", emg_threshold, 1e-6, 1.0)
    names = _select_traces(traces)
    need_states = bool(names)
    out = integrate(model, duration, dt_ms=dt_ms, output_dt_ms=output_dt_ms, record=need_states,
                    emg_threshold=emg_threshold)
    t = out["t_out"]
    shape = model.batch_shape
    mus = model.muscle
    d_eff = mus.efferent_delay_ms
    onset = np.asarray(model.protocol.onset_ms, dtype=float)

    # Summaries.
    t_cross_muscle = np.where(out["crossed"], out["t_cross_cord"] + d_eff, t[-1])
    angle_at = _angle_at_times(model.protocol, t_cross_muscle)
    t_trigger = np.where(out["crossed"], out["t_cross_cord"] - mus.afferent_delay_ms, t[-1])
    trigger_angle = _angle_at_times(model.protocol, t_trigger)
    stim_end_cord = np.asarray(model.protocol.stimulus_end_ms(), dtype=float) + mus.afferent_delay_ms
    sustained = np.clip(out["firing_end_cord"] - stim_end_cord, 0.0, None)
    summaries = {
        "emg_peak": np.maximum(out["emg_peak"], 0.0),
        "torque_peak_nm": out["torque_peak_nm"],
        "reflex_torque_peak_nm": out["reflex_torque_peak_nm"],
        "threshold_angle_deg": angle_at,
        "trigger_angle_deg": trigger_angle,
        "latency_ms": t_cross_muscle - onset,
        "reflex_detected": out["crossed"],
        "recruited_peak": out["recruited_peak"],
        "sustained_firing_ms": sustained,
        "active_force_end_n": ms.active_force_n(out["activation_end"], mus),
        "a_pre": model.a_pre,
        "a_post": model.a_post,
        "ca_influx_rel": ca_influx_rel(model.a_pre, model.synapse, receptor),
        "release_rel": release_rel(model.a_pre, model.synapse, receptor),
        "girk_conductance_ns": model.girk_ns,
        "resting_release_rel": None,
    }
    y0 = initial_state(model)
    summaries["resting_release_rel"] = model.release_probability * y0[_X] / model.reference_release
    summaries = {k: np.asarray(v).reshape(shape) for k, v in summaries.items()}

    series: dict[str, np.ndarray] = {}
    if need_states:
        states, rate, fraction = out["states"], out["rate"], out["fraction"]
        grid_protocol = model.protocol
        stretch, velocity = _kinematics_mm(model, t)
        passive = ms.passive_force_n(stretch, velocity, mus)
        activation = _delayed(states[_A], t, d_eff)
        active = ms.active_force_n(activation, mus)
        force = active + passive
        full = {
            "angle_deg": lambda: grid_protocol.angle_deg(t),
            "ia_rate_hz": lambda: _spindle_rate(model, t),
            "release_rel": lambda: model.release_probability[:, None] * states[_X]
            / model.reference_release[:, None],
            "vesicle_pool": lambda: states[_X],
            "glutamate_mm": lambda: states[_GLU],
            "ampa_open": lambda: states[_S],
            "ampa_conductance_ns": lambda: model.motoneuron.ia_conductance_max_ns * states[_S],
            "v_mv": lambda: states[_V],
            "pic_activation": lambda: states[_P],
            "mn_rate_hz": lambda: rate,
            "recruited_fraction": lambda: fraction,
            "emg": lambda: _delayed(ms.emg(rate, mus), t, d_eff),
            "muscle_activation": lambda: activation,
            "active_force_n": lambda: active,
            "passive_force_n": lambda: passive,
            "force_n": lambda: force,
            "torque_nm": lambda: ms.joint_torque_nm(force, mus),
        }
        for name in names:
            series[name] = np.asarray(full[name](), dtype=float).reshape(*shape, t.size)
    units = {**{k: TRACE_UNITS[k] for k in series}, **_SUMMARY_UNITS}
    info = {"protocol": type(protocol).__name__, "dt_ms": dt_ms, "output_dt_ms": output_dt_ms,
            "emg_threshold": emg_threshold, "muscle": dataclasses.asdict(mus),
            "afferent_delay_ms": mus.afferent_delay_ms, "efferent_delay_ms": d_eff, **(meta or {})}
    return Result("t_ms", t, series, units=units, summaries=summaries, meta=info)


# -- public wrappers -------------------------------------------------------------
def _activations(csf_ng_ml: Any, enantiomer: str, mechanism: str, availability: Any,
                 receptor: ReceptorParameters | None) -> tuple[np.ndarray, np.ndarray]:
    conc = check_range("csf_ng_ml", csf_ng_ml, 0.0, 1.0e6, "ng/mL")
    return site_activations(ng_ml_to_um(conc), enantiomer=enantiomer, mechanism=mechanism,
                            availability=availability, params=receptor)


def stretch_reflex(
    patient: Patient,
    velocity_deg_s: Any,
    *,
    csf_ng_ml: Any = 0.0,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    amplitude_deg: Any = 30.0,
    onset_ms: float = 50.0,
    hold_ms: float = 300.0,
    duration_ms: float | None = None,
    dt_ms: float = 0.1,
    output_dt_ms: float = 0.5,
    traces: str | Sequence[str] = "all",
    receptor: ReceptorParameters | None = None,
    **model: Any,
) -> Result:
    """Stretch reflex to a ramp-and-hold dorsiflexion at a spinal CSF baclofen concentration.

    A thin wrapper: concentration (ng/mL → µM, :func:`sim.units.ng_ml_to_um`) →
    :func:`sim.receptor.site_activations` → :func:`probe` with a
    :class:`~sim.protocols.RampAndHold`.

    Parameters
    ----------
    patient : Patient
        Healthy/spastic preset and severity (may be array-valued).
    velocity_deg_s : float or array_like, ≥ 0
        Ramp velocity, deg/s.
    csf_ng_ml : float or array_like, ≥ 0
        Total baclofen concentration in spinal CSF, ng/mL (held constant).
    enantiomer : {"racemic", "R", "S"}
    mechanism : {"presynaptic", "postsynaptic", "both"}
        Which GABA-B sites the drug reaches (teaching switch).
    availability : float or array_like in [0, 1]
        Receptor availability (tolerance).
    amplitude_deg, onset_ms, hold_ms : float
        Ramp amplitude (deg), start (ms) and hold shown after the slowest ramp (ms).
    duration_ms, dt_ms, output_dt_ms, traces
        See :func:`probe`.
    receptor : ReceptorParameters, optional
        Potencies.
    **model
        ``muscle``, ``spindle``, ``synapse``, ``motoneuron``, ``emg_threshold`` for :func:`probe`.

    Returns
    -------
    Result
        See :func:`probe`.  Velocity, concentration, availability and patient
        arrays broadcast: ``velocities[:, None]`` × ``concentrations[None, :]`` gives
        a grid computed in one vectorised call.

    Examples
    --------
    >>> import sim
    >>> r = sim.stretch_reflex(sim.Patient(condition="spastic"), 120.0, csf_ng_ml=[0.0, 560.0], traces=())
    >>> bool(r["emg_peak"][1] < 0.5 * r["emg_peak"][0])
    True
    """
    velocity = check_range("velocity_deg_s", velocity_deg_s, 0.0, 1000.0, "deg/s")
    amplitude = check_range("amplitude_deg", amplitude_deg, 0.0, 60.0, "deg")
    a_pre, a_post = _activations(csf_ng_ml, enantiomer, mechanism, availability, receptor)
    protocol = RampAndHold(velocity_deg_s=velocity, amplitude_deg=amplitude, onset_ms=onset_ms, hold_ms=hold_ms)
    meta = {"csf_ng_ml": np.asarray(csf_ng_ml, dtype=float), "enantiomer": enantiomer, "mechanism": mechanism}
    return probe(patient, protocol, a_pre=a_pre, a_post=a_post, duration_ms=duration_ms, dt_ms=dt_ms,
                 output_dt_ms=output_dt_ms, traces=traces, meta=meta, receptor=receptor, **model)


def h_reflex(
    patient: Patient,
    *,
    csf_ng_ml: Any = 0.0,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    intensity: Any = 1.0,
    dt_ms: float = 0.1,
    receptor: ReceptorParameters | None = None,
    **model: Any,
) -> np.ndarray:
    """Hmax/Mmax-like ratio: peak extra fraction of the pool recruited by a maximal Ia volley.

    The M-wave (every motor axon excited once) is the whole pool, so the
    ratio is the peak rise of the recruited fraction after an
    :class:`~sim.protocols.ElectricalVolley`.  Calibrated (drug-free) to
    ≈ 0.3–0.5 healthy and ≈ 0.5–0.9 spastic (calibration notes §6, from memory).

    Parameters
    ----------
    patient : Patient
    csf_ng_ml, enantiomer, mechanism, availability, receptor
        As in :func:`stretch_reflex`.
    intensity : float or array_like in [0, 1]
        Fraction of Ia axons in the volley.
    dt_ms : float
        Integration step, ms.
    **model
        Stage parameters for :func:`probe`.

    Returns
    -------
    numpy.ndarray
        Ratio in [0, 1] with the broadcast batch shape.

    Examples
    --------
    >>> import sim
    >>> healthy = sim.h_reflex(sim.Patient(condition="healthy"))
    >>> spastic = sim.h_reflex(sim.Patient(condition="spastic"))
    >>> bool(0.3 <= healthy <= 0.5 and 0.5 <= spastic <= 0.9)
    True
    """
    a_pre, a_post = _activations(csf_ng_ml, enantiomer, mechanism, availability, receptor)
    result = probe(patient, ElectricalVolley(intensity=intensity), a_pre=a_pre, a_post=a_post,
                   dt_ms=dt_ms, traces=(), receptor=receptor, **model)
    return result["recruited_peak"]


# -- readouts for a coupled course (vectorised over activations and severity) ----
def _patient(severity: Any) -> Patient:
    return Patient(condition="spastic", spasticity=check_range("severity", severity, 0.0, 1.0))


def fast_stretch_emg(a_pre: Any, a_post: Any, *, severity: Any = 1.0,
                     velocity_deg_s: float = STANDARD_VELOCITY_DEG_S, dt_ms: float = 0.1, **model: Any) -> np.ndarray:
    """Reflex EMG (peak rise, fraction of max) to the standard fast stretch (30° at 120 °/s).

    Examples
    --------
    >>> drug_free, high_dose = fast_stretch_emg([0.15, 0.9], [0.0, 0.5])
    >>> bool(drug_free > high_dose)
    True
    """
    r = probe(_patient(severity), RampAndHold(velocity_deg_s=velocity_deg_s), a_pre=a_pre, a_post=a_post,
              dt_ms=dt_ms, traces=(), **model)
    return r["emg_peak"]


def fast_stretch_torque_nm(a_pre: Any, a_post: Any, *, severity: Any = 1.0,
                           velocity_deg_s: float = STANDARD_VELOCITY_DEG_S, dt_ms: float = 0.1,
                           **model: Any) -> np.ndarray:
    """Peak reflex (active) torque, N·m, to the standard fast stretch."""
    r = probe(_patient(severity), RampAndHold(velocity_deg_s=velocity_deg_s), a_pre=a_pre, a_post=a_post,
              dt_ms=dt_ms, traces=(), **model)
    return r["reflex_torque_peak_nm"]


def threshold_angle(a_pre: Any, a_post: Any, *, severity: Any = 1.0,
                    velocity_deg_s: float = STANDARD_VELOCITY_DEG_S, dt_ms: float = 0.1, **model: Any) -> np.ndarray:
    """Stretch-reflex threshold angle (deg of dorsiflexion at EMG onset) at the standard velocity.

    If no reflex appears within the 30° ramp the full amplitude (30°) is returned.
    """
    r = probe(_patient(severity), RampAndHold(velocity_deg_s=velocity_deg_s), a_pre=a_pre, a_post=a_post,
              dt_ms=dt_ms, traces=(), **model)
    return r["threshold_angle_deg"]


def h_reflex_ratio(a_pre: Any, a_post: Any, *, severity: Any = 1.0, dt_ms: float = 0.1, **model: Any) -> np.ndarray:
    """Hmax/Mmax-like ratio (see :func:`h_reflex`) for given activations."""
    r = probe(_patient(severity), ElectricalVolley(), a_pre=a_pre, a_post=a_post, dt_ms=dt_ms, traces=(), **model)
    return r["recruited_peak"]


#: Conditioning stimulus of the spasm index: a 200 ms Ia train (20 volleys at 100 Hz).
SPASM_TRAIN = ElectricalVolley(onset_ms=50.0, n_pulses=20.0, frequency_hz=100.0)


def spasm_index(a_pre: Any, a_post: Any, *, severity: Any = 1.0, duration_ms: float = 2000.0,
                dt_ms: float = 0.1, **model: Any) -> np.ndarray:
    """How long PIC-sustained firing outlasts a brief stimulus, ms.

    The stimulus is :data:`SPASM_TRAIN` (a 200 ms Ia volley train, like the
    brief stimuli that trigger long-lasting reflexes in chronic spinal rats;
    Li et al. 2004).  The index is the time from the train's last volley
    reaching the cord until fewer than 5% of the pool (above rest) are still
    recruited, censored at the end of the probe (``duration_ms``).
    """
    r = probe(_patient(severity), SPASM_TRAIN, a_pre=a_pre, a_post=a_post, duration_ms=duration_ms,
              dt_ms=dt_ms, traces=(), **model)
    return r["sustained_firing_ms"]


#: Standard descending command for :func:`voluntary_force`.
STANDARD_CONTRACTION = VoluntaryContraction()


def voluntary_force(a_pre: Any, a_post: Any, *, severity: Any = 1.0, dt_ms: float = 0.1, **model: Any) -> np.ndarray:
    """Active force (N) after 600 ms of the standard descending command (:data:`STANDARD_CONTRACTION`).

    Weaker with GIRK conductance (postsynaptic) and with less Ia support of the
    contraction (presynaptic; alpha–gamma co-activation): the weakness side effect.

    Examples
    --------
    >>> drug_free, high_dose = voluntary_force([0.15, 0.9], [0.0, 0.5])
    >>> bool(drug_free > high_dose)
    True
    """
    r = probe(_patient(severity), STANDARD_CONTRACTION, a_pre=a_pre, a_post=a_post, dt_ms=dt_ms, traces=(), **model)
    return r["active_force_end_n"]
