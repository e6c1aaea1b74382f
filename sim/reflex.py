r"""The millisecond reflex probe: stretch → spindle → synapse → motoneurons → muscle.

One *probe* simulates ≈ 0.1–3 s of the monosynaptic stretch-reflex loop with
the drug held constant (receptor activations :math:`a_{pre}, a_{post}` fixed).
Every stage lives in its own module; this one assembles them, integrates the
state equations for a whole batch of probes at once and derives the readouts.

States and equations
--------------------
:data:`N_STATES` states per probe – releasable pool, cleft glutamate, AMPA open
fraction and muscle activation, then the potential, PIC activation and PIC
availability of each of the pool's 32 units (:mod:`sim.motoneuron`); their
equations are written once, in :mod:`sim.circuit`, from the stage modules
(:mod:`sim.spindle`, :mod:`sim.synapse`, :mod:`sim.motoneuron`, :mod:`sim.muscle`).

**Delays are exact time shifts.**  The kinematics are imposed by the
protocol (open loop), so the spindle discharge is a known function of time:
the afferent delay :math:`d_{aff}` just shifts that input.  The muscle does not
feed back onto the spindle, and the activation equation is time-invariant, so
driving it with the *undelayed* pool rate and shifting its output by the
efferent delay :math:`d_{eff}` is exact.  No delay-differential equation is
needed.  (Closing the loop through the foot makes it one: the clonus probe of
:mod:`sim.closed_loop`, stepped by :func:`sim.solvers.integrate_clonus`.)

Numerics
--------
The equations live in :mod:`sim.circuit` (written once, from the stage
modules' kernel functions); :func:`sim.solvers.integrate_probes` advances a
whole batch with a compiled RK4 kernel (each protocol's default step, 0.25–1 ms,
for 20 ms after every input discontinuity, then up to four times it: the step
ladder of :mod:`sim.solvers`), each probe on its own grid that contains every
input discontinuity of its protocol.  Summaries (peaks, threshold crossings) are
sampled at every point of the protocol's step grid; traces on a coarser output
grid.  :func:`reference_solution` solves the same
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

from . import circuit, solvers
from .actions import ChainActions
from . import motoneuron as mn
from . import muscle as ms
from . import synapse as sy
from .circuit import N_STATES, STATE_UNITS
from .errors import ParameterError
from .motoneuron import MotoneuronParameters, girk_conductance_ns
from .muscle import SOLEUS, MuscleParameters
from .parameters import check_range
from .patient import Patient
from .protocols import Protocol, RampAndHold, length_change_mm
from .readouts import PROTOCOLS, STANDARD_VELOCITY_DEG_S
from .receptor import ReceptorParameters, site_activations
from .result import Result
from .spindle import SpindleParameters
from .synapse import SynapseParameters, ca_influx_rel, release_rel
from .units import ng_ml_to_um
from .variables import VARIABLES

__all__ = [
    "N_STATES",
    "STATE_UNITS",
    "STANDARD_VELOCITY_DEG_S",
    "EMG_THRESHOLD",
    "ProbeModel",
    "build_model",
    "initial_state",
    "integrate",
    "reference_solution",
    "probe",
    "stretch_reflex",
    "h_reflex",
    "TRACE_NAMES",
    "TRACE_UNITS",
    "ca_influx_rel",
    "release_rel",
    "girk_conductance_ns",
]

_X = circuit.X

#: Reflex onset criterion: EMG rise above the pre-stimulus level, fraction of maximal EMG.
EMG_THRESHOLD = 0.01
#: Recruitment rise (fraction of the pool above rest) that counts as "firing" for the spasm index.
_FIRING_FRACTION = 0.05
#: Default integration step of the compiled kernel for :func:`integrate`, ms; :func:`probe` uses each
#: protocol's own ``default_step_ms`` (0.25–1 ms, each checked against the reference).
DEFAULT_DT_MS = 0.25
#: Shortest default spacing of stored traces, ms (:func:`probe` uses the step if it is longer).
OUTPUT_DT_MS = 0.5

#: Every trace :func:`probe` can return.
TRACE_NAMES = ("angle_deg", "ia_rate_hz", "release_rel", "vesicle_pool", "glutamate_mm", "ampa_open",
               "ampa_conductance_ns", "v_mv", "pic_activation", "pic_availability", "mn_rate_hz", "recruited_fraction", "emg",
               "muscle_activation", "active_force_n", "passive_force_n", "force_n", "torque_nm")
#: Per-probe summaries of :func:`probe`.
SUMMARY_NAMES = ("emg_peak", "torque_peak_nm", "reflex_torque_peak_nm", "threshold_angle_deg",
                 "trigger_angle_deg", "latency_ms", "reflex_detected", "recruited_peak", "sustained_firing_ms",
                 "active_force_end_n", "a_pre", "a_post", "ca_influx_rel", "release_rel", "girk_conductance_ns",
                 "resting_release_rel")
#: Units of the traces and summaries, from the variable registry (:mod:`sim.variables`).
TRACE_UNITS = {name: VARIABLES[name].unit for name in TRACE_NAMES}
_SUMMARY_UNITS = {name: VARIABLES[name].unit for name in SUMMARY_NAMES}


@dataclasses.dataclass(frozen=True)
class ProbeModel:
    """A batch of ``n`` probes: the parameter rows the kernel reads (``rows``) plus what post-processing needs.

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
    girk_ns: np.ndarray
    reference_release: np.ndarray
    rows: np.ndarray

    @property
    def size(self) -> int:
        """Number of probes in the batch."""
        return int(np.prod(self.batch_shape, dtype=int))


#: The stages' default parameters (frozen, so one instance each serves every call).
_DEFAULTS = {"spindle": SpindleParameters(), "synapse": SynapseParameters(), "motoneuron": MotoneuronParameters(),
             "receptor": ReceptorParameters()}


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
    actions: ChainActions | None = None,
) -> ProbeModel:
    """Broadcast patient, protocol and activations into one flat batch (see :func:`probe`).

    *actions* (:class:`sim.actions.ChainActions`, default none) change stage values of the rows
    for drugs that act elsewhere than GABA-B; it broadcasts with the batch.
    """
    if not isinstance(patient, Patient):
        raise ParameterError(f"patient = {patient!r} is not a sim.Patient")
    if not isinstance(protocol, Protocol):
        raise ParameterError(f"protocol = {protocol!r} is not a protocol from sim.protocols")
    spindle = spindle or _DEFAULTS["spindle"]
    synapse = synapse or _DEFAULTS["synapse"]
    motoneuron = motoneuron or _DEFAULTS["motoneuron"]
    a_pre = check_range("a_pre", a_pre, 0.0, 1.0)
    a_post = check_range("a_post", a_post, 0.0, 1.0)
    severity = patient.severity
    shape = np.broadcast_shapes(protocol.batch_shape(), a_pre.shape, a_post.shape, severity.shape,
                                actions.batch_shape if actions is not None else ())
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
    act = actions.flat(shape) if actions is not None else None
    if act is not None:  # another drug's actions on the same stages (sim.actions)
        p_release = p_release * act["release_scale"]
        fixed_g = fixed_g + act["added_conductance_ns"]
        fixed_i = fixed_i + act["added_conductance_ns"] * act["added_reversal_mv"]
    # Drug-free reference release per spike at rest (same patient): the denominator of release_rel.
    rest_rate = spindle.resting_rate_hz
    receptor = receptor or _DEFAULTS["receptor"]
    p_ref = sy.release_probability(receptor.endogenous_presynaptic_activation, synapse)
    reference = p_ref * sy.resting_pool(p_ref, rest_rate, tau_rec, synapse)
    alpha_eff = sy.ampa_binding_effective(synapse)
    n = a_pre.size
    rows = np.zeros(n, dtype=circuit.ROW_DTYPE)
    per_probe = {
        "release_probability": p_release, "inverse_tau_rec_per_ms": 1.0 / tau_rec,
        "pool_use_per_release": synapse.pool_use_per_release,
        "glutamate_per_release_mm": synapse.glutamate_per_release_mm,
        "glutamate_clearance_ms": synapse.glutamate_clearance_ms, "ampa_binding_eff": alpha_eff,
        "ampa_closing_per_ms": synapse.ampa_closing_per_ms, "ia_conductance_max_ns": m.ia_conductance_max_ns,
        "fixed_conductance_ns": fixed_g, "fixed_current_pa": fixed_i,
        "pic_conductance_ns": preset["pic_conductance_ns"], "excitatory_reversal_mv": m.excitatory_reversal_mv,
        "pic_reversal_mv": m.pic_reversal_mv, "capacitance_nf": m.capacitance_nf,
        **{name: getattr(m, name) for name in (
            "pic_onset_offset_mv", "pic_slope_mv", "pic_time_constant_ms", "pic_inactivation_time_ms",
            "recruitment_smoothing_mv", "minimum_rate_hz", "rate_gain_hz_per_mv")},
        "pic_inactivation_gain": m.pic_inactivation_depth / (1.0 - m.pic_inactivation_depth),
        "resting_rate_hz": spindle.resting_rate_hz, "length_gain_hz_per_mm": spindle.length_gain_hz_per_mm,
        "velocity_gain": spindle.velocity_gain, "velocity_exponent": spindle.velocity_exponent,
        **{f.name: getattr(muscle, f.name) for f in dataclasses.fields(muscle)},
    }
    for name, value in per_probe.items():
        rows[name] = value if np.ndim(value) == 0 else np.reshape(value, -1)  # a scalar or one value per probe
    if act is not None:
        rows["ia_conductance_max_ns"] *= act["stretch_excitation_scale"]
        rows["pic_conductance_ns"] *= act["pic_scale"]
        rows["max_force_n"] *= act["force_scale"]
    rows["unit_threshold_mv"] = mn.unit_thresholds_mv(np.broadcast_to(preset["threshold_mv"], (n,)), m)
    rows["unit_share"] = mn.unit_shares(m)
    protocol_rows = flat_protocol.kernel_rows((n,))
    from .protocols import KERNEL_FIELDS

    for column, name in enumerate(KERNEL_FIELDS):
        rows[name] = protocol_rows[:, column]
    return ProbeModel(
        batch_shape=tuple(shape), protocol=flat_protocol, spindle=spindle, synapse=synapse,
        motoneuron=motoneuron, muscle=muscle, a_pre=a_pre, a_post=a_post, severity=severity,
        release_probability=p_release, girk_ns=girk, reference_release=reference, rows=rows,
    )


# -- inputs and right-hand side ------------------------------------------------
def _kinematics_mm(model: ProbeModel, t_ms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Joint angle (deg), muscle stretch (mm) and stretch velocity (mm/s) of the probes at *t_ms*."""
    arm = model.muscle.moment_arm_m
    angle, velocity = model.protocol.kinematics(t_ms)
    return angle, length_change_mm(angle, moment_arm_m=arm), length_change_mm(velocity, moment_arm_m=arm)


def initial_state(model: ProbeModel) -> np.ndarray:
    """Resting steady state before the stimulus, shape ``(N_STATES, n)`` (:func:`sim.circuit.resting_state`)."""
    return solvers.resting_states(model.rows).T


# -- integration ---------------------------------------------------------------
def integrate(
    model: ProbeModel,
    duration_ms: float,
    *,
    dt_ms: float = DEFAULT_DT_MS,
    output_dt_ms: float = 0.5,
    record: bool = True,
    emg_threshold: float = EMG_THRESHOLD,
    states: bool = False,
) -> dict[str, Any]:
    """Advance every probe of *model* with the compiled kernel (:func:`sim.solvers.integrate_probes`).

    Returns
    -------
    dict
        ``t_out``, ``channels`` (dict of :data:`sim.solvers.CHANNELS`, each (n, n_out)) or
        None, ``states`` (N_STATES, n, n_out) with *states* (the whole state vector, for
        checking against :func:`reference_solution`) or None, the online summaries
        (arrays of shape (n,)), ``y0`` and ``y_end`` (N_STATES, n).
    """
    monitors = solvers.Monitors(record=record, states=states, output_dt_ms=output_dt_ms,
                                emg_threshold=emg_threshold, firing_fraction=_FIRING_FRACTION)
    breaks = model.protocol.discontinuity_table((model.size,), model.muscle.afferent_delay_ms)
    y0 = solvers.resting_states(model.rows)
    out = solvers.integrate_probes(model.rows, y0, breaks, duration_ms, dt_ms=dt_ms, monitors=monitors)
    traces = out["traces"]
    summary = out["summaries"]
    return {
        "t_out": out["t_out"],
        "channels": None if traces is None or states else {name: traces[:, c] for c, name in enumerate(solvers.CHANNELS)},
        "states": traces.transpose(1, 0, 2) if traces is not None and states else None,
        "emg_rest": summary["emg_rest"], "emg_peak": summary["emg_peak"],
        "recruited_peak": summary["recruited_peak"], "crossed": summary["crossed"] > 0.5,
        "t_cross_cord": summary["t_cross_cord_ms"], "firing_end_cord": summary["firing_end_cord_ms"],
        "activation_end": summary["activation_end"], "torque_peak_nm": summary["torque_peak_nm"],
        "reflex_torque_peak_nm": summary["reflex_torque_peak_nm"],
        "threshold_angle_deg": summary["threshold_angle_deg"], "trigger_angle_deg": summary["trigger_angle_deg"],
        "y_end": out["y_end"].T, "y0": y0.T, "step_ms": out["step_ms"],
    }


def reference_solution(model: ProbeModel, t_eval: Any, *, rtol: float = 1e-10, atol: float = 1e-12,
                       method: str = "DOP853") -> np.ndarray:
    """Solve the same right-hand side with :func:`scipy.integrate.solve_ivp` (slow; for checking).

    Returns states at *t_eval*, shape ``(N_STATES, n, len(t_eval))``.
    """
    breaks = model.protocol.discontinuity_table((model.size,), model.muscle.afferent_delay_ms)
    states = solvers.reference_probes(model.rows, initial_state(model).T, breaks, np.asarray(t_eval, dtype=float),
                                      rtol=rtol, atol=atol, method=method)
    return states.transpose(1, 0, 2)


# -- probe -------------------------------------------------------------------
def _delayed(series: np.ndarray, t: np.ndarray, delay: float) -> np.ndarray:
    """``series`` (n, nt) sampled at ``t - delay``; before ``delay`` the first (resting) value."""
    target = np.clip(t - delay, t[0], t[-1])
    idx = np.clip(np.searchsorted(t, target, side="right") - 1, 0, t.size - 2)
    w = (target - t[idx]) / (t[idx + 1] - t[idx])
    if np.all(w == 0.0):  # the delay is a whole number of samples: a shift
        return series[:, idx]
    return series[:, idx] * (1.0 - w) + series[:, idx + 1] * w


def _select_traces(traces: str | Sequence[str]) -> list[str]:
    if isinstance(traces, str):
        if traces != "all":
            raise ParameterError(f"traces = {traces!r} must be 'all' or a sequence of trace names")
        return list(TRACE_NAMES)
    names = list(traces)
    unknown = [name for name in names if name not in TRACE_NAMES]
    if unknown:
        raise ParameterError(f"traces: unknown name(s) {unknown}; allowed: {', '.join(TRACE_NAMES)}")
    return names


def probe(
    patient: Patient,
    protocol: Protocol,
    *,
    a_pre: Any,
    a_post: Any,
    duration_ms: float | None = None,
    dt_ms: float | None = None,
    output_dt_ms: float | None = None,
    traces: str | Sequence[str] = "all",
    emg_threshold: float = EMG_THRESHOLD,
    muscle: MuscleParameters = SOLEUS,
    spindle: SpindleParameters | None = None,
    synapse: SynapseParameters | None = None,
    motoneuron: MotoneuronParameters | None = None,
    receptor: ReceptorParameters | None = None,
    meta: dict[str, Any] | None = None,
    actions: ChainActions | None = None,
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
    dt_ms : float, optional
        Largest integration step, ms (default: the protocol's ``default_step_ms``, 0.25–1 ms,
        at which every state agrees with the ``solve_ivp`` reference to 1e-4 of its range).
    output_dt_ms : float, optional
        Spacing of the stored traces, ms, at least *dt_ms* (default: 0.5 ms or the step,
        whichever is longer – 1 ms for ramps).  The step used divides it, so the summaries
        do not depend on whether traces are stored.
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
    actions : ChainActions, optional
        Another drug's actions on the stages (:mod:`sim.actions`; broadcasts with the batch).
        Default none: every row as without the hook.

    Returns
    -------
    Result
        Axis ``t_ms``.  Traces (batch + time): see :data:`TRACE_NAMES` –
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
                        synapse=synapse, motoneuron=motoneuron, receptor=receptor, actions=actions)
    duration = float(duration_ms) if duration_ms is not None else protocol.natural_duration_ms()
    check_range("duration_ms", duration, 1.0, 60_000.0, "ms")
    dt_ms = float(protocol.default_step_ms if dt_ms is None else dt_ms)
    check_range("dt_ms", dt_ms, 1e-3, 1.0, "ms")
    output_dt_ms = max(OUTPUT_DT_MS, dt_ms) if output_dt_ms is None else float(output_dt_ms)
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
    stim_end_cord = np.asarray(model.protocol.stimulus_end_ms(), dtype=float) + mus.afferent_delay_ms
    sustained = np.clip(out["firing_end_cord"] - stim_end_cord, 0.0, None)
    summaries = {
        "emg_peak": np.maximum(out["emg_peak"], 0.0),
        "torque_peak_nm": out["torque_peak_nm"],
        "reflex_torque_peak_nm": out["reflex_torque_peak_nm"],
        "threshold_angle_deg": out["threshold_angle_deg"],
        "trigger_angle_deg": out["trigger_angle_deg"],
        "latency_ms": t_cross_muscle - onset,
        "reflex_detected": out["crossed"],
        "recruited_peak": out["recruited_peak"],
        "sustained_firing_ms": sustained,
        "active_force_end_n": model.rows["max_force_n"] * out["activation_end"],  # F_max a, per probe
        "a_pre": model.a_pre,
        "a_post": model.a_post,
        "ca_influx_rel": ca_influx_rel(model.a_pre, model.synapse, receptor),
        "release_rel": release_rel(model.a_pre, model.synapse, receptor),
        "girk_conductance_ns": model.girk_ns,
        "resting_release_rel": None,
    }
    y0 = out["y0"]
    summaries["resting_release_rel"] = model.release_probability * y0[_X] / model.reference_release
    summaries = {k: np.asarray(v).reshape(shape) for k, v in summaries.items()}

    series: dict[str, np.ndarray] = {}
    if need_states:
        channels = out["channels"]
        rate = channels["mn_rate_hz"]
        angle, stretch, velocity = _kinematics_mm(model, t)
        passive = ms.passive_force_n(stretch, velocity, mus)
        activation = _delayed(channels["muscle_activation"], t, d_eff)
        active = model.rows["max_force_n"][:, None] * activation  # F_max a, per probe
        force = active + passive
        full = {
            "angle_deg": lambda: angle,
            "ia_rate_hz": lambda: channels["ia_rate_muscle_hz"],
            "release_rel": lambda: model.release_probability[:, None] * channels["vesicle_pool"]
            / model.reference_release[:, None],
            "vesicle_pool": lambda: channels["vesicle_pool"],
            "glutamate_mm": lambda: channels["glutamate_mm"],
            "ampa_open": lambda: channels["ampa_open"],
            "ampa_conductance_ns": lambda: model.motoneuron.ia_conductance_max_ns * channels["ampa_open"],
            "v_mv": lambda: channels["v_mv"],
            "pic_activation": lambda: channels["pic_activation"],
            "pic_availability": lambda: channels["pic_availability"],
            "mn_rate_hz": lambda: rate,
            "recruited_fraction": lambda: channels["recruited_fraction"],
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
def _activations(spinal_effect_ng_ml: Any, enantiomer: str, mechanism: str, availability: Any,
                 receptor: ReceptorParameters | None) -> tuple[np.ndarray, np.ndarray]:
    conc = check_range("spinal_effect_ng_ml", spinal_effect_ng_ml, 0.0, 1.0e6, "ng/mL")
    return site_activations(ng_ml_to_um(conc), enantiomer=enantiomer, mechanism=mechanism,
                            availability=availability, params=receptor)


def stretch_reflex(
    patient: Patient,
    velocity_deg_s: Any,
    *,
    spinal_effect_ng_ml: Any = 0.0,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    amplitude_deg: Any = 30.0,
    onset_ms: float = 50.0,
    hold_ms: float = 300.0,
    duration_ms: float | None = None,
    dt_ms: float | None = None,
    output_dt_ms: float | None = None,
    traces: str | Sequence[str] = "all",
    receptor: ReceptorParameters | None = None,
    **model: Any,
) -> Result:
    """Stretch reflex to a ramp-and-hold dorsiflexion at a cord-tissue baclofen concentration.

    A thin wrapper: concentration (ng/mL → µM, :func:`sim.units.ng_ml_to_um`) →
    :func:`sim.receptor.site_activations` → :func:`probe` with a
    :class:`~sim.protocols.RampAndHold`.

    Parameters
    ----------
    patient : Patient
        Healthy/spastic preset and severity (may be array-valued).
    velocity_deg_s : float or array_like, ≥ 0
        Ramp velocity, deg/s.
    spinal_effect_ng_ml : float or array_like, ≥ 0
        Total baclofen concentration at the spinal GABA-B receptors – the cord-tissue
        effect site of :mod:`sim.pk` (course output ``spinal_effect_ng_ml``), not lumbar
        CSF – ng/mL, held constant during the probe.
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
    >>> r = sim.stretch_reflex(sim.Patient(condition="spastic"), 120.0, spinal_effect_ng_ml=[0.0, 560.0], traces=())
    >>> bool(r["emg_peak"][1] < 0.5 * r["emg_peak"][0])
    True
    """
    velocity = check_range("velocity_deg_s", velocity_deg_s, 0.0, 1000.0, "deg/s")
    amplitude = check_range("amplitude_deg", amplitude_deg, 0.0, 60.0, "deg")
    a_pre, a_post = _activations(spinal_effect_ng_ml, enantiomer, mechanism, availability, receptor)
    protocol = RampAndHold(velocity_deg_s=velocity, amplitude_deg=amplitude, onset_ms=onset_ms, hold_ms=hold_ms)
    meta = {"spinal_effect_ng_ml": np.asarray(spinal_effect_ng_ml, dtype=float), "enantiomer": enantiomer, "mechanism": mechanism}
    return probe(patient, protocol, a_pre=a_pre, a_post=a_post, duration_ms=duration_ms, dt_ms=dt_ms,
                 output_dt_ms=output_dt_ms, traces=traces, meta=meta, receptor=receptor, **model)


def h_reflex(
    patient: Patient,
    *,
    spinal_effect_ng_ml: Any = 0.0,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    intensity: Any = 1.0,
    dt_ms: float | None = None,
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
    spinal_effect_ng_ml, enantiomer, mechanism, availability, receptor
        As in :func:`stretch_reflex`.
    intensity : float or array_like in [0, 1]
        Fraction of Ia axons in the volley.
    dt_ms : float, optional
        Largest integration step, ms (default: the volley's ``default_step_ms``).
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
    a_pre, a_post = _activations(spinal_effect_ng_ml, enantiomer, mechanism, availability, receptor)
    volley = dataclasses.replace(PROTOCOLS["h_volley"].protocol, intensity=intensity)
    result = probe(patient, volley, a_pre=a_pre, a_post=a_post, dt_ms=dt_ms, traces=(), receptor=receptor,
                   **model)
    return result["recruited_peak"]
