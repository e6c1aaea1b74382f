r"""The ankle as a mechanical load: what closes the reflex loop in the clonus test.

Stage 6 of the chain, used only by the closed-loop clonus probe (:mod:`sim.closed_loop`).
Everywhere else the joint angle is *imposed* (:mod:`sim.protocols`, open loop); here it
is *computed*: the foot is a rotating mass on a spring and a damper, pushed up by the
examiner and pulled down by the soleus, whose pull depends on the stretch it felt one
loop delay earlier.

Equations
---------
With :math:`\theta` the dorsiflexion from the resting equilibrium (rad in the equation,
degrees in the state), the examiner's torque :math:`\tau_{ex}(t)` and the soleus torque
:math:`\tau_{m}`,

.. math::
   I\,\ddot\theta &= \tau_{ex}(t) - K\,\theta - B\,\dot\theta - \tau_m \\
   \tau_m(t) &= r_m\bigl(F_{max}\,(a(t - d_{eff}) - a_{rest})
               + F_{pe}(e^{\Delta l/\lambda} - 1) + B_m\,\dot{l}\bigr),
   \qquad \Delta l = r_m\theta

:math:`a` is the muscle activation state of the cord kernel (:mod:`sim.circuit`), driven by
the pool and felt at the joint after the efferent delay :math:`d_{eff}`; the passive
terms are the muscle's own (:func:`sim.muscle.passive_force`).  The resting active
torque is balanced by the other tissues, so :math:`\theta = 0` is the resting equilibrium.
The spindle sees the stretch :math:`r_m\theta(t - d_{aff})` and its velocity one afferent
delay later at the cord (:func:`sim.spindle.discharge_rate`).

The examiner (:class:`ExaminerPush`) pushes the forefoot up briskly and keeps pushing:

.. math::
   \tau_{ex}(t) = \tau_{hold}\,\tfrac12\bigl(1 - \cos\tfrac{\pi s}{T}\bigr)
                + \tau_{push}\,\sin^2\tfrac{\pi s}{T}\quad (0 \le s = t - t_0 \le T),
   \qquad \tau_{ex} = \tau_{hold}\ (s > T)

(continuous with a continuous slope, so the solver needs no restart).

Assumptions
-----------
* One rigid foot rotating about a fixed ankle axis; linear passive stiffness and damping
  of the joint (Hunter & Kearney's second-order model of the relaxed ankle).
* The examiner is a torque source (a hand, not a position servo): the foot is free to
  move against it, which is what lets clonus happen.
* Only the soleus and its Ia loop act (no antagonist, no group II or cutaneous input).

Examples
--------
>>> limb = LimbParameters()
>>> round(limb.natural_frequency_hz(), 2)  # the passive foot alone rings at about 7 Hz
7.12
>>> float(examiner_torque_nm(1000.0, 50.0, 6.0, 60.0, 3.0))  # after the push: the hold torque
3.0
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ._jit import kernel_function
from . import circuit
from .muscle import passive_force
from .parameters import Parameters, param
from .spindle import discharge_rate

__all__ = ["LimbParameters", "ExaminerPush", "ANKLE", "LIMB_FIELDS", "LIMB_DTYPE", "LIMB_STATES", "N_CLOSED_STATES",
           "ANGLE", "VELOCITY", "examiner_torque_nm", "angular_acceleration", "ia_rate_from_angle",
           "muscle_torque_nm", "closed_loop_derivatives"]

_RAD_PER_DEG = math.pi / 180.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class LimbParameters(Parameters):
    """Passive mechanics of the relaxed human ankle (second-order model); see the module docstring."""

    inertia_kg_m2: float = param(
        0.015, symbol="I", unit="kg·m²", bounds=(0.001, 0.2), status="unverified",
        source="foot (plus a light cast) about the ankle axis ≈ 0.01–0.02 kg·m² from the second-order "
        "fits of Hunter & Kearney 1982 (J Biomech 15:747) and Weiss, Hunter & Kearney 1988 (J Biomech "
        "21:539; the I-B-K model read in the abstract, the value recalled, unverified)",
        description="moment of inertia of the foot about the ankle",
    )
    stiffness_nm_per_rad: float = param(
        30.0, symbol="K", unit="N·m/rad", bounds=(0.0, 1000.0), status="unverified",
        source="relaxed ankle elastic stiffness, a few tens of N·m/rad near neutral, rising in proportion "
        "to mean torque (Weiss, Hunter & Kearney 1988, rule read in the abstract; value recalled, "
        "unverified)",
        description="passive elastic stiffness of the joint (other than the soleus' own)",
    )
    damping_nm_s_per_rad: float = param(
        0.3, symbol="B", unit="N·m·s/rad", bounds=(0.0, 20.0), status="unverified",
        source="relaxed ankle viscosity ≈ 0.2–0.5 N·m·s/rad, damping ratio ≈ 0.2–0.3 nearly constant "
        "with torque (Weiss, Hunter & Kearney 1988; ratio rule read in the abstract, value recalled, "
        "unverified)",
        description="passive viscous damping of the joint (other than the soleus' own)",
    )
    max_shortening_mm_s: float = param(
        400.0, symbol="v_max", unit="mm/s", bounds=(10.0, 5000.0), status="unverified",
        source="generic maximal shortening velocity ≈ 10 optimal fibre lengths per second (Zajac 1989, "
        "recalled) × soleus optimal fibre length ≈ 4 cm (Ward et al. 2009, recalled); unverified. Used only "
        "by the closed loop: in the open-loop probes the movement is imposed and force–velocity is neglected "
        "(sim.muscle)",
        description="maximal shortening velocity of the soleus (Hill force–velocity relation)",
    )

    def natural_frequency_hz(self) -> float:
        r""":math:`\sqrt{K/I}/2\pi`, the ringing frequency of the passive foot (no reflex), Hz."""
        return float(np.sqrt(np.asarray(self.stiffness_nm_per_rad) / np.asarray(self.inertia_kg_m2)) / (2 * np.pi))

    def damping_ratio(self) -> float:
        r""":math:`B / 2\sqrt{KI}` of the passive foot."""
        return float(np.asarray(self.damping_nm_s_per_rad)
                     / (2.0 * np.sqrt(np.asarray(self.stiffness_nm_per_rad) * np.asarray(self.inertia_kg_m2))))


#: The default relaxed human ankle.
ANKLE = LimbParameters()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExaminerPush(Parameters):
    """The clonus test: a brisk push of the forefoot into dorsiflexion, then sustained pressure.

    Numeric fields may be arrays (they broadcast into the probe batch).
    """

    onset_ms: Any = param(
        50.0, symbol="t_0", unit="ms", bounds=(0.0, 10_000.0), status="illustrative",
        source="illustrative: a quiet baseline before the push", description="start of the push",
    )
    push_torque_nm: Any = param(
        8.0, symbol="τ_push", unit="N·m", bounds=(0.0, 50.0), status="illustrative",
        source="illustrative: a brisk hand push at the forefoot (≈ 60 N at 13 cm)",
        description="peak extra torque of the brisk push",
    )
    push_ms: Any = param(
        60.0, symbol="T", unit="ms", bounds=(5.0, 1000.0), status="illustrative",
        source="illustrative: a brisk (tens of ms) dorsiflexion, as in the clinical test",
        description="duration of the push (and of the rise to the hold torque)",
    )
    hold_torque_nm: Any = param(
        3.0, symbol="τ_hold", unit="N·m", bounds=(0.0, 50.0), status="illustrative",
        source="illustrative: the examiner keeps a steady upward pressure on the forefoot",
        description="sustained dorsiflexing torque after the push",
    )

    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of the array-valued fields."""
        return np.broadcast_shapes(*(np.shape(getattr(self, f.name)) for f in dataclasses.fields(self)))

    def torque_nm(self, t_ms: Any) -> np.ndarray:
        """Examiner's torque at times *t_ms*, N·m (shape ``batch_shape + t.shape``)."""
        t = np.asarray(t_ms, dtype=float)
        extra = (1,) * t.ndim
        fields = [np.reshape(np.asarray(getattr(self, name), dtype=float),
                             np.shape(getattr(self, name)) + extra)
                  for name in ("onset_ms", "push_torque_nm", "push_ms", "hold_torque_nm")]
        return np.broadcast_to(examiner_torque_nm(t, *fields), self.batch_shape() + t.shape) + 0.0


#: Fields of a probe's limb row (float64), in order (:func:`sim.solvers.integrate_clonus`).
LIMB_FIELDS = ("inertia_kg_m2", "stiffness_nm_per_rad", "damping_nm_s_per_rad", "max_shortening_mm_s",
               "onset_ms", "push_torque_nm", "push_ms", "hold_torque_nm", "resting_activation")
#: The structured dtype of a limb row.
LIMB_DTYPE = np.dtype([(name, np.float64) for name in LIMB_FIELDS])
#: States the limb adds after the cord's :data:`sim.circuit.N_STATES`.
LIMB_STATES = ("angle_deg", "angular_velocity_deg_s")
#: Length of a closed-loop probe's state vector (cord, then limb).
N_CLOSED_STATES = circuit.N_STATES + len(LIMB_STATES)
ANGLE = circuit.N_STATES
VELOCITY = circuit.N_STATES + 1


# -- kernel functions (numpy on arrays, compiled in the closed-loop kernel) -------------------
@kernel_function
def examiner_torque_nm(t_ms: Any, onset_ms: Any, push_torque_nm: Any, push_ms: Any, hold_torque_nm: Any) -> Any:
    """Examiner's torque :math:`\\tau_{ex}(t)`, N·m (see the module docstring; kernel function)."""
    s = np.minimum(np.maximum(t_ms - onset_ms, 0.0), push_ms)
    phase = np.pi * s / push_ms
    return hold_torque_nm * 0.5 * (1.0 - np.cos(phase)) + push_torque_nm * np.sin(phase) ** 2


@kernel_function
def force_velocity(stretch_velocity_mm_s: Any, max_shortening_mm_s: Any) -> Any:
    """Hill force–velocity factor of active force: 1 isometric, less when shortening, more when lengthening.

    Shortening (:math:`u = v/v_{max} < 0`): Hill's hyperbola :math:`(1 + u)/(1 - u/k)`, :math:`k = 0.25`;
    lengthening: :math:`1.8 - 0.8(1 - u)/(1 + 7.56u/k)` (FitzHugh's branch, asymptote 1.8).
    Kernel function.
    """
    u = stretch_velocity_mm_s / max_shortening_mm_s
    short = np.minimum(u, 0.0)
    long = np.maximum(u, 0.0)
    shortening = np.maximum(1.0 + short, 0.0) / (1.0 - short / 0.25)
    lengthening = 1.8 - 0.8 * (1.0 - long) / (1.0 + 7.56 * long / 0.25)
    return np.where(u < 0.0, shortening, lengthening)


@kernel_function
def muscle_torque_nm(activation_above_rest: Any, angle_deg: Any, velocity_deg_s: Any, p: Any,
                     max_shortening_mm_s: Any) -> Any:
    """Soleus torque at the ankle, N·m: active force above rest (delayed activation) plus passive force.

    *p* is a reflex parameter row (:data:`sim.circuit.FIELDS`); the passive force is
    :func:`sim.muscle.passive_force`, written once; the active force is scaled by
    :func:`force_velocity` (the foot moves freely here, so the speed of the muscle matters).
    """
    scale = p.moment_arm_m * _RAD_PER_DEG * 1000.0  # mm per degree
    passive = passive_force(angle_deg * scale, velocity_deg_s * scale, p.passive_force_scale_n,
                            p.passive_length_scale_mm, p.viscosity_n_per_mm_s)
    active = p.max_force_n * activation_above_rest * force_velocity(velocity_deg_s * scale, max_shortening_mm_s)
    return p.moment_arm_m * (active + passive)


@kernel_function
def angular_acceleration(angle_deg: Any, velocity_deg_s: Any, external_nm: Any, muscle_nm: Any,
                         inertia_kg_m2: Any, stiffness_nm_per_rad: Any, damping_nm_s_per_rad: Any) -> Any:
    """Angular acceleration of the foot, deg/s per ms (kernel function).

    From :math:`I\\ddot\\theta = \\tau_{ex} - K\\theta - B\\dot\\theta - \\tau_m` (torques in N·m).
    """
    torque = (external_nm - stiffness_nm_per_rad * angle_deg * _RAD_PER_DEG
              - damping_nm_s_per_rad * velocity_deg_s * _RAD_PER_DEG - muscle_nm)
    return torque / inertia_kg_m2 / _RAD_PER_DEG * 1e-3


@kernel_function
def ia_rate_from_angle(angle_deg: Any, velocity_deg_s: Any, p: Any) -> Any:
    """Ia discharge (imp/s) of a relaxed soleus at joint angle and velocity (stretch = :math:`r_m\\theta`)."""
    scale = p.moment_arm_m * _RAD_PER_DEG * 1000.0
    return discharge_rate(angle_deg * scale, velocity_deg_s * scale, 0.0, p.resting_rate_hz,
                          p.length_gain_hz_per_mm, p.velocity_gain, p.velocity_exponent)


@kernel_function
def closed_loop_derivatives(t_ms: float, y: Any, ia_hz: float, delayed_activation: float, p: Any, q: Any,
                            dy: Any, work: Any) -> tuple[float, float]:
    """Right-hand side of the closed loop: the cord (:func:`sim.circuit.derivatives_with_inputs`) and the foot.

    Parameters
    ----------
    t_ms : float
        Time, ms (the examiner's torque is a function of time).
    y : array of :data:`N_CLOSED_STATES` floats
        Cord states, then :data:`LIMB_STATES`.
    ia_hz : float
        Ia rate arriving at the cord: :func:`ia_rate_from_angle` of the angle and velocity one
        afferent delay earlier (the caller supplies the delayed values).
    delayed_activation : float
        Muscle activation one efferent delay earlier (what the joint feels now).
    p, q : records
        The reflex row (:data:`sim.circuit.ROW_DTYPE`) and the limb row (:data:`LIMB_DTYPE`).
    dy, work : arrays
        Output (per ms) and scratch (:data:`sim.circuit.WORK_SIZE`).

    Returns
    -------
    (float, float)
        EMG-weighted pool rate (imp/s) and recruited share at the cord.
    """
    rate, recruited = circuit.derivatives_with_inputs(y, ia_hz, 0.0, p, dy, work)
    angle = y[ANGLE]
    velocity = y[VELOCITY]
    external = examiner_torque_nm(t_ms, q.onset_ms, q.push_torque_nm, q.push_ms, q.hold_torque_nm)
    muscle = muscle_torque_nm(delayed_activation - q.resting_activation, angle, velocity, p, q.max_shortening_mm_s)
    dy[ANGLE] = velocity * 1e-3
    dy[VELOCITY] = angular_acceleration(angle, velocity, external, muscle, q.inertia_kg_m2,
                                        q.stiffness_nm_per_rad, q.damping_nm_s_per_rad)
    return rate, recruited
