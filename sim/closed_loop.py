r"""Ankle clonus: the stretch reflex closed through the foot.

The clinical test: the examiner pushes the forefoot briskly into dorsiflexion and keeps
pushing.  The stretch excites the soleus spindles; one afferent delay later the pool fires,
one efferent delay and an activation rise later the soleus pulls the foot down, which
unloads the spindles, the pool falls silent, the examiner's push brings the foot back up,
and the stretch starts the next beat.  Whether the beats die out or persist is decided by
the **loop gain** at the ringing frequency: for the textbook delay loop
:math:`\dot x = -K x(t - \tau)` the oscillation grows when :math:`K\tau > \pi/2` and rings with
period :math:`4\tau`.  Baclofen lowers the gain (less glutamate per Ia spike), so the
number of beats falls until clonus stops.

The model is the reflex chain of :mod:`sim.circuit` unchanged, closed through the foot of
:mod:`sim.limb`, integrated by :func:`sim.solvers.integrate_clonus` (a delay-differential
equation on a fixed step with a history buffer).

Read-outs (from the traces)
---------------------------
* ``beats`` – reflex bursts after the push's own reflex: the recruited share of the pool
  rises ≥ 5 % above rest (the package's firing criterion) and the burst starts after the
  foot's first return from the push (its first angle maximum); a burst ends when the
  rise falls below half of that;
* ``clonus_frequency_hz`` – beats per second between the first and last beat (0 with
  fewer than two beats);
* ``clonus_persists`` – a beat starts in the last :data:`PERSIST_WINDOW_MS` of the window;
* ``open_loop_gain_rel`` – the loop opened: peak EMG of the standard open-loop stretch
  (:func:`sim.stretch_reflex` at the standard velocity) relative to the same patient
  drug-free; the gain baclofen lowers, which decides whether the beats persist;
* ``effective_loop_delay_ms`` – :math:`1/(4f)`, the delay of the textbook loop with the
  same period (0 without clonus); compare ``conduction_delay_ms`` (afferent + efferent):
  the rest is the rise time of the EPSP, the pool and the muscle's activation;
* ``angle_swing_end_deg`` – peak-to-trough angle of the last cycle in the window.

Numbers (default ankle and push, severe preset, 3 s): drug-free ≈ 16 beats at ≈ 5.9 Hz,
still beating at the end; 7 beats at 60 ng/mL, 2 at 80, none from 150 ng/mL; none in the
healthy or moderate preset at any level.  The loop never comes fully to rest: the spindle's
:math:`|v|^{0.6}` has no finite small-signal gain, so even a healthy foot keeps a sub-degree
≈ 8 Hz ripple (below the beat criterion).

Examples
--------
>>> import sim
>>> r = sim.clonus(sim.Patient(condition="spastic", spasticity=1.0), spinal_effect_ng_ml=[0.0, 300.0],
...                duration_ms=1500.0)
>>> r["beats"].tolist()[1], bool(r["beats"][0] >= 5)
(0.0, True)
>>> bool(5.0 <= r["clonus_frequency_hz"][0] <= 8.0)
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from . import reflex, solvers
from .circuit import A as _ACTIVATION
from .circuit import N_STATES
from .errors import ParameterError
from .limb import ANKLE, LIMB_DTYPE, LIMB_FIELDS, N_CLOSED_STATES, ExaminerPush, LimbParameters
from .muscle import SOLEUS, MuscleParameters
from .parameters import check_range
from .patient import Patient
from .protocols import Protocol
from .result import Result
from .variables import VARIABLES

__all__ = ["clonus", "count_beats", "CLONUS_TRACES", "CLONUS_SUMMARIES", "BURST_FRACTION", "PERSIST_WINDOW_MS",
           "DEFAULT_STEP_MS"]

#: Extra recruited share of the pool that makes a burst (the firing criterion of :mod:`sim.reflex`).
BURST_FRACTION = 0.05
#: A clonus persists when a beat starts within this time of the end of the window, ms.
PERSIST_WINDOW_MS = 500.0
#: Default step of the closed-loop kernel, ms (delays must be multiples of half of it).
DEFAULT_STEP_MS = 0.25
#: Traces of :func:`clonus` (muscle-side quantities at the muscle; EMG after the efferent delay).
CLONUS_TRACES = ("angle_deg", "angular_velocity_deg_s", "ia_rate_hz", "mn_rate_hz", "recruited_fraction", "emg",
                 "muscle_torque_nm", "examiner_torque_nm")
#: Per-probe summaries of :func:`clonus`.
CLONUS_SUMMARIES = ("beats", "clonus_frequency_hz", "clonus_persists", "open_loop_gain_rel", "effective_loop_delay_ms",
                    "conduction_delay_ms", "angle_swing_end_deg")


def count_beats(recruited: np.ndarray, angle: np.ndarray, t_ms: np.ndarray, onset_ms: float,
                fraction: float = BURST_FRACTION) -> np.ndarray:
    """Start times (ms) of the clonic beats in one probe's traces (see the module docstring).

    Examples
    --------
    >>> t = np.arange(0.0, 1000.0, 1.0)
    >>> angle = np.sin(2 * np.pi * (t - 100) / 160) * (t > 100)
    >>> recruited = 0.1 * (np.sin(2 * np.pi * (t - 100) / 160) > 0.5) * (t > 100)
    >>> count_beats(recruited, angle, t, 100.0).size
    5
    """
    rise = recruited - recruited[0]
    after = t_ms > onset_ms
    velocity = np.diff(angle)
    turning = np.nonzero(after[1:-1] & (velocity[:-1] > 0) & (velocity[1:] <= 0))[0]
    if turning.size == 0:
        return np.array([])
    first_return = t_ms[turning[0] + 1]
    starts = []
    on = False
    for k in range(t_ms.size):
        if not on and rise[k] >= fraction:
            on = True
            if t_ms[k] > first_return:
                starts.append(t_ms[k])
        elif on and rise[k] < 0.5 * fraction:
            on = False
    return np.asarray(starts, dtype=float)


def _last_swing(angle: np.ndarray, t_ms: np.ndarray, onset_ms: float) -> float:
    """Peak-to-trough angle of the last complete cycle after the push (0 without one), deg."""
    a = angle[t_ms > onset_ms]
    peaks = np.nonzero((a[1:-1] > a[:-2]) & (a[1:-1] >= a[2:]))[0] + 1
    if peaks.size < 2:
        return 0.0
    return float(a[peaks[-2]] - a[peaks[-2]:peaks[-1]].min())


def clonus(
    patient: Patient,
    *,
    spinal_effect_ng_ml: Any = 0.0,
    push_torque_nm: Any = ExaminerPush().push_torque_nm,
    hold_torque_nm: Any = ExaminerPush().hold_torque_nm,
    push_ms: float = ExaminerPush().push_ms,
    onset_ms: float = ExaminerPush().onset_ms,
    duration_ms: float = 3000.0,
    dt_ms: float = DEFAULT_STEP_MS,
    output_dt_ms: float = 0.5,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    limb: LimbParameters = ANKLE,
    muscle: MuscleParameters = SOLEUS,
    **stages: Any,
) -> Result:
    """The clonus test in closed loop: a brisk push of the foot, then sustained pressure.

    Parameters
    ----------
    patient : Patient
        Healthy or spastic preset and severity (may be array-valued).
    spinal_effect_ng_ml : float or array_like, ≥ 0
        Baclofen at the cord-tissue effect site, ng/mL, held constant (as in
        :func:`sim.stretch_reflex`).
    push_torque_nm, hold_torque_nm : float or array_like, N·m
        Peak extra torque of the brisk push and the sustained pressure after it
        (:class:`sim.limb.ExaminerPush`).
    push_ms, onset_ms : float
        Duration and start of the push, ms (multiples of *dt_ms*).
    duration_ms : float
        Window simulated, ms (100–20 000).
    dt_ms : float
        Step of the closed-loop kernel, ms; the conduction delays must be multiples of half of it.
    output_dt_ms : float
        Spacing of the traces, ms (a multiple of *dt_ms*).
    enantiomer, mechanism, availability
        As in :func:`sim.stretch_reflex`.
    limb : LimbParameters
        The foot (inertia, passive stiffness and damping, force–velocity).
    muscle : MuscleParameters
        Limb preset of the reflex (moment arm, delays, strength).
    **stages
        ``spindle``, ``synapse``, ``motoneuron``, ``receptor`` parameter objects.

    Returns
    -------
    Result
        Axis ``t_ms``; traces :data:`CLONUS_TRACES` and summaries :data:`CLONUS_SUMMARIES`
        (see the module docstring), all with the broadcast batch shape of patient,
        concentration and torques.

    Raises
    ------
    ParameterError
        For invalid arguments (naming field, value and allowed range).
    """
    if not isinstance(limb, LimbParameters):
        raise ParameterError(f"limb = {limb!r} is not a sim.limb.LimbParameters")
    unknown = set(stages) - {"spindle", "synapse", "motoneuron", "receptor"}
    if unknown:
        raise ParameterError(f"clonus: unknown keyword(s) {sorted(unknown)}; allowed: spindle, synapse, "
                             f"motoneuron, receptor")
    duration = float(check_range("duration_ms", duration_ms, 100.0, 20_000.0, "ms"))
    dt = float(check_range("dt_ms", dt_ms, 1e-3, 1.0, "ms"))
    check_range("output_dt_ms", output_dt_ms, dt, 100.0, "ms")
    push = ExaminerPush(onset_ms=float(onset_ms), push_torque_nm=np.asarray(push_torque_nm, dtype=float),
                        push_ms=float(push_ms), hold_torque_nm=np.asarray(hold_torque_nm, dtype=float))
    for name in ("onset_ms", "push_ms"):
        value = float(getattr(push, name))
        if abs(round(value / dt) * dt - value) > 1e-9:
            raise ParameterError(f"{name} = {value:g} ms must be a multiple of dt_ms = {dt:g} ms "
                                 f"(the push's corners fall on the step grid)")
    receptor = stages.get("receptor")
    a_pre, a_post = reflex._activations(spinal_effect_ng_ml, enantiomer, mechanism, availability, receptor)
    shape = np.broadcast_shapes(patient.severity.shape if isinstance(patient, Patient) else (), a_pre.shape,
                                push.batch_shape())
    model = reflex.build_model(patient, Protocol(), a_pre=np.broadcast_to(a_pre, shape),
                               a_post=np.broadcast_to(a_post, shape), muscle=muscle, **stages)
    n = model.size
    rest = solvers.resting_states(model.rows)
    y0 = np.zeros((n, N_CLOSED_STATES))
    y0[:, :N_STATES] = rest
    limbs = np.zeros(n, dtype=LIMB_DTYPE)
    values = {**{f.name: getattr(limb, f.name) for f in dataclasses.fields(limb)},
              **{f.name: getattr(push, f.name) for f in dataclasses.fields(push)}}
    for name in LIMB_FIELDS[:-1]:
        limbs[name] = np.broadcast_to(np.asarray(values[name], dtype=float), shape).reshape(n)
    limbs["resting_activation"] = rest[:, _ACTIVATION]
    out = solvers.integrate_clonus(model.rows, limbs, y0, duration, dt_ms=dt, output_dt_ms=output_dt_ms)
    t = out["t_out"]
    traces = {name: out["traces"][:, c] for c, name in enumerate(solvers.CLONUS_CHANNELS)}
    d_eff = muscle.efferent_delay_ms
    series = {
        "angle_deg": traces["angle_deg"],
        "angular_velocity_deg_s": traces["angular_velocity_deg_s"],
        "ia_rate_hz": traces["ia_rate_muscle_hz"],
        "mn_rate_hz": traces["mn_rate_hz"],
        "recruited_fraction": traces["recruited_fraction"],
        "emg": reflex._delayed(traces["mn_rate_hz"] / muscle.emg_reference_rate_hz, t, d_eff),
        "muscle_torque_nm": traces["muscle_torque_nm"],
        "examiner_torque_nm": traces["examiner_torque_nm"],
    }
    summaries: dict[str, list[float]] = {name: [] for name in CLONUS_SUMMARIES}
    for i in range(n):
        starts = count_beats(traces["recruited_fraction"][i], traces["angle_deg"][i], t, float(push.onset_ms))
        frequency = (starts.size - 1) * 1000.0 / (starts[-1] - starts[0]) if starts.size >= 2 else 0.0
        last_swing = _last_swing(traces["angle_deg"][i], t, float(push.onset_ms))
        summaries["beats"].append(float(starts.size))
        summaries["clonus_frequency_hz"].append(frequency)
        summaries["clonus_persists"].append(float(starts.size > 0 and starts[-1] >= t[-1] - PERSIST_WINDOW_MS))
        summaries["effective_loop_delay_ms"].append(250.0 / frequency if frequency > 0 else 0.0)
        summaries["conduction_delay_ms"].append(muscle.afferent_delay_ms + d_eff)
        summaries["angle_swing_end_deg"].append(last_swing)
    del summaries["open_loop_gain_rel"]
    summary_arrays = {name: np.asarray(v).reshape(shape) for name, v in summaries.items()}
    # The loop opened: the standard stretch reflex at the same levels, relative to drug-free.
    opened = reflex.stretch_reflex(patient, reflex.STANDARD_VELOCITY_DEG_S,
                                   spinal_effect_ng_ml=np.stack(np.broadcast_arrays(
                                       np.broadcast_to(np.asarray(spinal_effect_ng_ml, dtype=float), shape), 0.0)),
                                   enantiomer=enantiomer, mechanism=mechanism, availability=availability,
                                   traces=(), muscle=muscle, **stages)["emg_peak"]
    summary_arrays["open_loop_gain_rel"] = np.broadcast_to(opened[0] / opened[1], shape).copy()
    summary_arrays["clonus_persists"] = summary_arrays["clonus_persists"] > 0.5
    units = {name: VARIABLES[name].unit for name in (*CLONUS_TRACES, *CLONUS_SUMMARIES)}
    meta = {"dt_ms": dt, "output_dt_ms": output_dt_ms, "limb": dataclasses.asdict(limb),
            "push": {k: np.asarray(v).tolist() for k, v in dataclasses.asdict(push).items()},
            "spinal_effect_ng_ml": np.asarray(spinal_effect_ng_ml, dtype=float)}
    return Result("t_ms", t, {k: np.asarray(v).reshape(*shape, t.size) for k, v in series.items()},
                  units=units, summaries=summary_arrays, meta=meta)
