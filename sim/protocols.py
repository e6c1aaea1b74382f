r"""Stimulus protocols for a reflex probe, as data.

A *protocol* says what the experimenter does to the limb during one reflex
probe (≈ 0.1–3 s, drug concentration held constant).  The kinematics are
**imposed** (open loop): the joint angle is a prescribed function of time, so
the spindle input is a known function of time and the conduction delays of
:mod:`sim.reflex` are exact time shifts, not a delay-differential equation.

Joint angle → muscle length
---------------------------
The stretch of the muscle–tendon unit follows from the joint rotation through
the moment arm :math:`r_m` (soleus ≈ 5 cm; see :class:`sim.muscle.MuscleParameters`):

.. math::  \Delta l = r_m\,\Delta\theta,\qquad v = r_m\,\dot\theta
           \quad(\theta \text{ in rad})

Angles are **dorsiflexion relative to the start position** (positive = the
plantarflexors are stretched).

Protocols
---------
* :class:`RampAndHold` – constant-velocity dorsiflexion ramp of amplitude
  :math:`A` at velocity :math:`\omega`, then hold (the clinical "fast stretch";
  Lance 1980, Powers et al. 1989):
  :math:`\theta(t) = \omega\,\mathrm{clip}(t - t_0, 0, A/\omega)`.
* :class:`TendonTap` – a brief up-and-back stretch (tendon jerk):
  :math:`\theta(t) = \tfrac{A}{2}\,(1 - \cos 2\pi (t-t_0)/T)` for
  :math:`0 \le t - t_0 \le T`.
* :class:`ElectricalVolley` – H-reflex analogue: an electrical pulse recruits a
  fraction :math:`I` of the Ia axons, each firing one extra spike within the
  pulse width :math:`w` (extra Ia rate :math:`I/w`); optionally a train.
* :class:`VoluntaryContraction` – a descending excitatory command (a
  conductance onto the motoneurons) with alpha–gamma co-activation (an extra
  fusimotor-driven Ia discharge), joint held still.

Every protocol declares its input discontinuities
(:meth:`Protocol.spindle_discontinuities_ms`, :meth:`Protocol.cord_discontinuities_ms`)
so that the integrator puts a step boundary on each of them.

Numeric fields may be arrays: they broadcast into the probe's batch.

Examples
--------
>>> ramp = RampAndHold(velocity_deg_s=100.0, amplitude_deg=20.0, onset_ms=50.0)
>>> float(ramp.angle_deg(150.0)), float(ramp.angle_deg(1000.0))
(10.0, 20.0)
>>> ramp.spindle_discontinuities_ms().tolist()
[50.0, 250.0]
>>> round(float(length_change_mm(10.0, moment_arm_m=0.05)), 3)  # 10° at a 5 cm moment arm
8.727
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from ._jit import kernel_function
from .errors import ParameterError
from .parameters import Parameters, param

__all__ = [
    "KIND_CODES",
    "Protocol",
    "RampAndHold",
    "TendonTap",
    "ElectricalVolley",
    "VoluntaryContraction",
    "length_change_mm",
]


def length_change_mm(angle_deg: Any, *, moment_arm_m: float) -> np.ndarray:
    """Muscle–tendon length change for a joint rotation, :math:`\\Delta l = r_m\\,\\Delta\\theta`.

    Parameters
    ----------
    angle_deg : float or array_like
        Joint rotation (dorsiflexion for the plantarflexors), degrees; also
        works for angular velocities (deg/s → mm/s).
    moment_arm_m : float
        Moment arm of the muscle about the joint, m.

    Returns
    -------
    numpy.ndarray
        Length change in mm (or mm/s).

    Examples
    --------
    >>> round(float(length_change_mm(1.0, moment_arm_m=0.05)), 4)
    0.8727
    """
    return np.deg2rad(np.asarray(angle_deg, dtype=float)) * moment_arm_m * 1000.0


# -- kernel functions: the protocols' inputs, written once ------------------------------
# Plain arithmetic and numpy ufuncs, so they serve the numpy methods below (arrays) and the
# compiled reflex kernel (scalars; see sim._jit).  Booleans multiply as 0/1.

@kernel_function
def ramp_kinematics(t_ms: Any, onset_ms: Any, velocity_deg_s: Any, amplitude_deg: Any,
                    end_ms: Any) -> tuple[Any, Any]:
    """Angle (deg) and angular velocity (deg/s) of a ramp-and-hold at time *t_ms*."""
    angle = np.minimum(velocity_deg_s * np.maximum(t_ms - onset_ms, 0.0) / 1000.0, amplitude_deg)
    return angle, velocity_deg_s * ((t_ms >= onset_ms) * (t_ms < end_ms))


@kernel_function
def tap_kinematics(t_ms: Any, onset_ms: Any, amplitude_deg: Any, duration_ms: Any) -> tuple[Any, Any]:
    """Angle (deg) and angular velocity (deg/s) of a tendon tap at time *t_ms*."""
    inside = (t_ms >= onset_ms) * (t_ms < onset_ms + duration_ms)
    phase = 2.0 * np.pi * (t_ms - onset_ms) / duration_ms
    angle = inside * 0.5 * amplitude_deg * (1.0 - np.cos(phase))
    return angle, inside * 0.5 * amplitude_deg * 2.0 * np.pi / duration_ms * 1000.0 * np.sin(phase)


@kernel_function
def volley_rate(t_ms: Any, onset_ms: Any, intensity: Any, width_ms: Any, n_pulses: Any, period_ms: Any) -> Any:
    """Extra Ia discharge of an electrical volley (train), imp/s per fibre, at time *t_ms*."""
    k = np.floor((t_ms - onset_ms) / period_ms)
    since = t_ms - onset_ms - k * period_ms
    on = (t_ms >= onset_ms) * (k < n_pulses) * (since < width_ms)
    return on * intensity * 1000.0 / width_ms


@kernel_function
def step_on(t_ms: Any, onset_ms: Any, level: Any) -> Any:
    """*level* from *onset_ms* on, 0 before (descending command, fusimotor drive)."""
    return (t_ms >= onset_ms) * level


#: Graded offsets (ms) of the extra step boundaries around a tap's velocity sign changes.
_GRADED_MS = np.array([0.002, 0.006, 0.02, 0.06, 0.2])

#: Integer code of each protocol class in the kernel's parameter rows (:meth:`Protocol.kernel_row`).
KIND_CODES = {"Protocol": 0, "RampAndHold": 1, "TendonTap": 2, "ElectricalVolley": 3, "VoluntaryContraction": 4}
#: Protocol columns of a kernel row, in order.
KERNEL_FIELDS = ("kind", "onset_ms", "velocity_deg_s", "amplitude_deg", "end_ms", "tap_duration_ms",
                 "intensity", "pulse_width_ms", "n_pulses", "period_ms", "command_ns", "fusimotor_hz")


def _onset_field() -> Any:
    return param(
        50.0, symbol="t_0", unit="ms", bounds=(0.0, 10_000.0), status="illustrative",
        source="illustrative: a quiet baseline before the stimulus",
        description="time of stimulus onset within the probe",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Protocol(Parameters):
    """Base class: a protocol with no movement, no volley and no command.

    Methods take a time ``t_ms`` (scalar or 1-D array) and return arrays of
    shape ``field_shape + t.shape``.

    :attr:`default_step_ms` is the largest RK4 step at which every state of this
    protocol's probes agrees with the ``solve_ivp`` reference to 1e-4 of its range
    (``tests/test_solvers.py``; the synapse takes four sub-steps per step,
    :mod:`sim.solvers`): ramps drive the pool smoothly (1 ms; measured ≤ 2e-5),
    contractions switch the pool's PIC inactivation on abruptly (0.5 ms; ≤ 7e-5),
    electrical volleys are 0.5 ms pulses (0.25 ms; ≤ 8e-5), tendon taps drive the
    spindle through :math:`|v|^{0.6}`, whose slope is unbounded where the velocity
    turns (0.5 ms; ≤ 3e-5).  The kernel lengthens the step away from the protocol's
    discontinuities (the step ladder of :mod:`sim.solvers`); the figures above include it.
    """

    default_step_ms: ClassVar[float] = 0.25

    onset_ms: float = _onset_field()

    # -- helpers ----------------------------------------------------------
    def _field(self, name: str, t: np.ndarray) -> np.ndarray:
        value = np.asarray(getattr(self, name), dtype=float)
        return value.reshape(value.shape + (1,) * t.ndim)

    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of the array-valued fields."""
        shapes = [np.shape(getattr(self, f.name)) for f in dataclasses.fields(self)]
        return np.broadcast_shapes(*shapes)

    def broadcast_to(self, shape: tuple[int, ...]) -> Protocol:
        """Copy with every numeric field broadcast to *shape*."""
        changes = {
            f.name: np.broadcast_to(np.asarray(getattr(self, f.name), dtype=float), shape).copy()
            for f in dataclasses.fields(self)
        }
        return dataclasses.replace(self, **changes)

    def _zeros(self, t: Any) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return np.zeros(self.batch_shape() + t.shape)

    # -- inputs -----------------------------------------------------------
    def angle_deg(self, t_ms: Any) -> np.ndarray:
        """Joint angle (dorsiflexion from the start position), degrees."""
        return self._zeros(t_ms)

    def angular_velocity_deg_s(self, t_ms: Any) -> np.ndarray:
        """Joint angular velocity, deg/s."""
        return self._zeros(t_ms)

    def kinematics(self, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`angle_deg` and :meth:`angular_velocity_deg_s` together (one pass where they share work)."""
        return self.angle_deg(t_ms), self.angular_velocity_deg_s(t_ms)

    def volley_rate_hz(self, t_ms: Any) -> np.ndarray:
        """Extra, electrically evoked Ia discharge (mean per fibre), imp/s."""
        return self._zeros(t_ms)

    def fusimotor_rate_hz(self, t_ms: Any) -> np.ndarray:
        """Extra Ia discharge driven by gamma motoneurons (alpha–gamma co-activation), imp/s."""
        return self._zeros(t_ms)

    def command_ns(self, t_ms: Any) -> np.ndarray:
        """Descending excitatory command onto the motoneurons (a conductance), nS."""
        return self._zeros(t_ms)

    def spindle_discontinuities_ms(self) -> np.ndarray:
        """Times (at the muscle) where the spindle/volley input jumps or kinks, ms (sorted, unique)."""
        return np.array([], dtype=float)

    def cord_discontinuities_ms(self) -> np.ndarray:
        """Times (at the spinal cord) where the descending command jumps, ms."""
        return np.array([], dtype=float)

    def stimulus_end_ms(self) -> np.ndarray:
        """End of the stimulus at its site (array with the batch shape), ms."""
        return np.asarray(self.onset_ms, dtype=float)

    def natural_duration_ms(self) -> float:
        """A probe length that shows the whole response, ms."""
        return float(np.max(self.onset_ms)) + 200.0

    # -- kernel encoding ------------------------------------------------------
    def _kernel_values(self) -> dict[str, Any]:
        return {}

    def kernel_rows(self, shape: tuple[int, ...]) -> np.ndarray:
        """The protocol as kernel parameter rows, shape ``(prod(shape), len(KERNEL_FIELDS))``.

        Unused columns are 0 (``end_ms``, ``period_ms`` and ``pulse_width_ms`` 1, harmless).
        """
        n = int(np.prod(shape, dtype=int)) if shape else 1
        values = {"kind": KIND_CODES[type(self).__name__], "onset_ms": self.onset_ms, "end_ms": np.inf,
                  "pulse_width_ms": 1.0, "period_ms": 1.0, **self._kernel_values()}
        rows = np.zeros((n, len(KERNEL_FIELDS)))
        for column, name in enumerate(KERNEL_FIELDS):
            if name in values:
                rows[:, column] = np.broadcast_to(np.asarray(values[name], dtype=float), shape).reshape(n)
        return rows

    def _own_discontinuities(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-probe (spindle, cord) discontinuity times, each ``(n, k)`` with NaN padding."""
        n = int(np.prod(self.batch_shape(), dtype=int)) if self.batch_shape() else 1
        return np.empty((n, 0)), np.empty((n, 0))

    def discontinuity_table(self, shape: tuple[int, ...], afferent_delay_ms: float) -> np.ndarray:
        """Cord-time input discontinuities of every probe, sorted, ``inf``-padded: ``(n, k)``.

        Spindle-side times are shifted by the afferent delay (they reach the cord later).
        """
        flat = self.broadcast_to(shape) if shape != self.batch_shape() else self
        spindle, cord = flat._own_discontinuities()
        n = int(np.prod(shape, dtype=int)) if shape else 1
        table = np.concatenate([np.reshape(spindle, (n, -1)) + afferent_delay_ms, np.reshape(cord, (n, -1))], axis=1)
        table = np.where(np.isfinite(table), table, np.inf)
        return np.sort(np.concatenate([table, np.full((n, 1), np.inf)], axis=1), axis=1)


def _unique(times: Any) -> np.ndarray:
    times = np.asarray(times, dtype=float).ravel()
    return np.unique(times[np.isfinite(times)])


@dataclasses.dataclass(frozen=True, kw_only=True)
class RampAndHold(Protocol):
    """Constant-velocity dorsiflexion ramp, then hold (see the module docstring).

    Parameters
    ----------
    velocity_deg_s : float or array_like, ≥ 0
        Ramp velocity, deg/s (0 = no movement).
    amplitude_deg : float or array_like
        Ramp amplitude, degrees.
    onset_ms : float
        Ramp start, ms.
    hold_ms : float
        How long the default probe continues after the slowest ramp ends, ms.
    """

    default_step_ms: ClassVar[float] = 1.0

    velocity_deg_s: Any = param(
        100.0, symbol="ω", unit="deg/s", bounds=(0.0, 1000.0), status="illustrative",
        source="clinical stretches span ≈ 15–150 °/s (McPherson et al. 2019); fast Tardieu stretch faster",
        description="ramp angular velocity",
    )
    amplitude_deg: Any = param(
        30.0, symbol="A", unit="deg", bounds=(0.0, 60.0), status="illustrative",
        source="illustrative: about the passive dorsiflexion range of the ankle from a plantarflexed start",
        description="ramp amplitude",
    )
    hold_ms: float = param(
        300.0, symbol="t_hold", unit="ms", bounds=(0.0, 10_000.0), status="illustrative",
        source="illustrative: long enough to show the tonic (hold-phase) reflex", description="hold phase shown after the slowest ramp",
    )

    def ramp_duration_ms(self) -> np.ndarray:
        """Duration of the ramp, ms (``inf`` for zero velocity)."""
        v = np.asarray(self.velocity_deg_s, dtype=float)
        a = np.asarray(self.amplitude_deg, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(v > 0, 1000.0 * a / np.where(v > 0, v, 1.0), np.inf)

    def _kinematics(self, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t_ms, dtype=float)
        end = self.onset_ms + self.ramp_duration_ms()
        angle, velocity = ramp_kinematics(t, self._field("onset_ms", t), self._field("velocity_deg_s", t),
                                          self._field("amplitude_deg", t),
                                          np.reshape(end, np.shape(end) + (1,) * t.ndim))
        shape = np.broadcast_shapes(self.batch_shape() + t.shape, np.shape(angle))
        return np.broadcast_to(angle, shape) + 0.0, np.broadcast_to(velocity, shape) + 0.0

    def angle_deg(self, t_ms: Any) -> np.ndarray:
        return self._kinematics(t_ms)[0]

    def kinematics(self, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
        return self._kinematics(t_ms)

    def angular_velocity_deg_s(self, t_ms: Any) -> np.ndarray:
        return self._kinematics(t_ms)[1]

    def spindle_discontinuities_ms(self) -> np.ndarray:
        t0 = np.asarray(self.onset_ms, dtype=float)
        return _unique(np.concatenate([np.ravel(t0), np.ravel(t0 + self.ramp_duration_ms())]))

    def _kernel_values(self) -> dict[str, Any]:
        return {"velocity_deg_s": self.velocity_deg_s, "amplitude_deg": self.amplitude_deg,
                "end_ms": self.onset_ms + self.ramp_duration_ms()}

    def _own_discontinuities(self) -> tuple[np.ndarray, np.ndarray]:
        t0 = np.ravel(np.asarray(self.onset_ms, dtype=float))
        return np.stack([t0, t0 + np.ravel(self.ramp_duration_ms())], axis=1), np.empty((t0.size, 0))

    def stimulus_end_ms(self) -> np.ndarray:
        return np.asarray(self.onset_ms + self.ramp_duration_ms(), dtype=float)

    def natural_duration_ms(self) -> float:
        ramp = self.ramp_duration_ms()
        finite = ramp[np.isfinite(ramp)] if np.ndim(ramp) else ramp[None][np.isfinite(ramp[None])]
        longest = float(np.max(finite)) if finite.size else 0.0
        return float(np.max(self.onset_ms)) + longest + float(np.max(self.hold_ms))


@dataclasses.dataclass(frozen=True, kw_only=True)
class TendonTap(Protocol):
    """Brief up-and-back stretch (tendon jerk); see the module docstring."""

    default_step_ms: ClassVar[float] = 0.5

    amplitude_deg: Any = param(
        1.0, symbol="A", unit="deg", bounds=(0.0, 10.0), status="illustrative",
        source="illustrative: a tendon tap stretches the muscle by about a millimetre",
        description="peak joint-equivalent rotation of the tap",
    )
    tap_duration_ms: Any = param(
        30.0, symbol="T", unit="ms", bounds=(2.0, 500.0), status="illustrative",
        source="illustrative: brief mechanical tap (tens of ms)",
        description="duration of the up-and-back stretch",
    )

    def _kinematics(self, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t_ms, dtype=float)
        angle, velocity = tap_kinematics(t, self._field("onset_ms", t), self._field("amplitude_deg", t),
                                         self._field("tap_duration_ms", t))
        shape = np.broadcast_shapes(self.batch_shape() + t.shape, np.shape(angle))
        return np.broadcast_to(angle, shape) + 0.0, np.broadcast_to(velocity, shape) + 0.0

    def angle_deg(self, t_ms: Any) -> np.ndarray:
        return self._kinematics(t_ms)[0]

    def kinematics(self, t_ms: Any) -> tuple[np.ndarray, np.ndarray]:
        return self._kinematics(t_ms)

    def angular_velocity_deg_s(self, t_ms: Any) -> np.ndarray:
        return self._kinematics(t_ms)[1]

    def _kernel_values(self) -> dict[str, Any]:
        return {"amplitude_deg": self.amplitude_deg, "tap_duration_ms": self.tap_duration_ms}

    def _own_discontinuities(self) -> tuple[np.ndarray, np.ndarray]:
        # The spindle responds to |v|^0.6, whose slope is unbounded where v changes sign (start,
        # middle, end of the tap): a geometrically graded set of extra step boundaries on both
        # sides of each such point keeps the integrator's accuracy there (see sim.solvers).
        t0 = np.ravel(np.asarray(self.onset_ms, dtype=float))
        shape = np.broadcast_shapes(np.shape(self.onset_ms), np.shape(self.tap_duration_ms))
        t0 = np.ravel(np.broadcast_to(np.asarray(self.onset_ms, dtype=float), shape))
        dur = np.ravel(np.broadcast_to(np.asarray(self.tap_duration_ms, dtype=float), shape))
        kinks = np.stack([t0, t0 + dur / 2, t0 + dur], axis=1)
        offsets = np.concatenate([[0.0], _GRADED_MS, -_GRADED_MS])
        graded = (kinks[:, :, None] + offsets[None, None, :]).reshape(t0.size, -1)
        inside = (graded >= t0[:, None]) & (graded <= (t0 + dur)[:, None])
        return np.where(inside, graded, np.nan), np.empty((t0.size, 0))

    def spindle_discontinuities_ms(self) -> np.ndarray:
        t0 = np.ravel(np.asarray(self.onset_ms, dtype=float))
        dur = np.ravel(np.asarray(self.tap_duration_ms, dtype=float))
        # start, velocity sign change (|v|^p kink) and end
        return _unique(np.concatenate([t0, (t0[:, None] + dur[None, :] / 2).ravel(),
                                       (t0[:, None] + dur[None, :]).ravel()]))

    def stimulus_end_ms(self) -> np.ndarray:
        return np.asarray(self.onset_ms + np.asarray(self.tap_duration_ms), dtype=float)

    def natural_duration_ms(self) -> float:
        return float(np.max(self.onset_ms)) + float(np.max(self.tap_duration_ms)) + 150.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class ElectricalVolley(Protocol):
    """Synchronous Ia volley (H-reflex analogue), optionally a train; see the module docstring.

    The stimulation site is taken at the level of the spindles, so the volley
    has the same afferent delay as stretch-evoked discharge (in reality the
    tibial nerve is stimulated in the popliteal fossa; the T-reflex is a few
    ms later than the H-reflex because of spindle transduction, not modelled).
    The M-wave (direct motor-axon stimulation) is not simulated; the pool size
    plays the role of Mmax.
    """

    onset_ms: float = param(
        20.0, symbol="t_0", unit="ms", bounds=(0.0, 10_000.0), status="illustrative",
        source="illustrative: a short quiet baseline before the volley", description="time of the first pulse",
    )
    intensity: Any = param(
        1.0, symbol="I", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: fraction of Ia axons recruited (1 = maximal Ia volley, the Hmax condition)",
        description="fraction of Ia axons excited by each pulse",
    )
    pulse_width_ms: float = param(
        0.5, symbol="w", unit="ms", bounds=(0.05, 5.0), status="illustrative",
        source="illustrative: the afferent volley is dispersed over ≈0.5 ms on arrival",
        description="time over which the one extra spike per fibre arrives",
    )
    n_pulses: float = param(
        1.0, symbol="n", unit="1", bounds=(1.0, 1000.0), status="illustrative",
        source="illustrative: 1 = a single H-reflex volley", description="number of pulses in the train",
    )
    frequency_hz: float = param(
        50.0, symbol="f", unit="Hz", bounds=(0.1, 500.0), status="illustrative",
        source="illustrative: trains are used only for the spasm index", description="pulse frequency within a train",
    )

    def _pulse_starts(self) -> np.ndarray:
        n = int(np.max(self.n_pulses))
        starts = np.asarray(self.onset_ms, dtype=float)[..., None] + \
            1000.0 / np.asarray(self.frequency_hz, dtype=float)[..., None] * np.arange(n)
        return np.where(np.arange(n) < np.asarray(self.n_pulses)[..., None], starts, np.nan)

    def volley_rate_hz(self, t_ms: Any) -> np.ndarray:
        t = np.asarray(t_ms, dtype=float)
        rate = volley_rate(t, self._field("onset_ms", t), self._field("intensity", t),
                           float(np.max(self.pulse_width_ms)), self._field("n_pulses", t),
                           1000.0 / self._field("frequency_hz", t))
        return np.broadcast_to(rate, np.broadcast_shapes(self.batch_shape() + t.shape, np.shape(rate))) + 0.0

    def _kernel_values(self) -> dict[str, Any]:
        return {"intensity": self.intensity, "pulse_width_ms": float(np.max(self.pulse_width_ms)),
                "n_pulses": self.n_pulses, "period_ms": 1000.0 / np.asarray(self.frequency_hz, dtype=float)}

    def _own_discontinuities(self) -> tuple[np.ndarray, np.ndarray]:
        starts = self._pulse_starts()
        starts = starts.reshape(-1, starts.shape[-1])
        width = float(np.max(self.pulse_width_ms))
        return np.concatenate([starts, starts + width], axis=1), np.empty((starts.shape[0], 0))

    def spindle_discontinuities_ms(self) -> np.ndarray:
        starts = self._pulse_starts()
        width = float(np.max(self.pulse_width_ms))
        return _unique(np.concatenate([starts.ravel(), (starts + width).ravel()]))

    def stimulus_end_ms(self) -> np.ndarray:
        return np.asarray(np.nanmax(self._pulse_starts(), axis=-1) + float(np.max(self.pulse_width_ms)))

    def natural_duration_ms(self) -> float:
        return float(np.max(self.stimulus_end_ms())) + 80.0

    def __post_init__(self) -> None:
        super().__post_init__()
        widths = np.asarray(self.pulse_width_ms, dtype=float)
        if widths.ndim and np.ptp(widths) > 0:
            raise ParameterError(
                f"ElectricalVolley.pulse_width_ms = {widths.tolist()!r} must be one value for the whole batch"
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class VoluntaryContraction(Protocol):
    """Descending excitatory command with alpha–gamma co-activation; joint held still.

    The command (a conductance onto the motoneurons, reversal 0 mV) and the
    fusimotor-driven extra Ia discharge both step on at ``onset_ms``.
    """

    default_step_ms: ClassVar[float] = 0.5

    command_conductance_ns: Any = param(
        100.0, symbol="g_cmd", unit="nS", bounds=(0.0, 10_000.0), status="illustrative",
        source="illustrative: a moderate standard command",
        description="descending excitatory conductance during the contraction",
    )
    fusimotor_hz: Any = param(
        30.0, symbol="Δr_γ", unit="imp/s", bounds=(0.0, 200.0), status="illustrative",
        source="illustrative: human spindle afferents fire faster during isometric contraction "
        "(alpha–gamma co-activation; Vallbo, from memory, unverified)",
        description="extra Ia discharge from fusimotor drive during the contraction",
    )
    contraction_ms: float = param(
        600.0, symbol="T_c", unit="ms", bounds=(10.0, 10_000.0), status="illustrative",
        source="illustrative: long enough for force to plateau (activation τ ≈ 20–60 ms)", description="length of the default probe after onset",
    )

    def _stepped(self, name: str, t_ms: Any) -> np.ndarray:
        t = np.asarray(t_ms, dtype=float)
        value = step_on(t, self._field("onset_ms", t), self._field(name, t))
        return np.broadcast_to(value, np.broadcast_shapes(self.batch_shape() + t.shape, np.shape(value))) + 0.0

    def command_ns(self, t_ms: Any) -> np.ndarray:
        return self._stepped("command_conductance_ns", t_ms)

    def fusimotor_rate_hz(self, t_ms: Any) -> np.ndarray:
        return self._stepped("fusimotor_hz", t_ms)

    def _kernel_values(self) -> dict[str, Any]:
        return {"command_ns": self.command_conductance_ns, "fusimotor_hz": self.fusimotor_hz}

    def _own_discontinuities(self) -> tuple[np.ndarray, np.ndarray]:
        t0 = np.ravel(np.asarray(self.onset_ms, dtype=float))[:, None]
        return t0, t0

    def spindle_discontinuities_ms(self) -> np.ndarray:
        return _unique(self.onset_ms)

    def cord_discontinuities_ms(self) -> np.ndarray:
        return _unique(self.onset_ms)

    def stimulus_end_ms(self) -> np.ndarray:
        return np.asarray(self.onset_ms + self.contraction_ms, dtype=float)

    def natural_duration_ms(self) -> float:
        return float(np.max(self.onset_ms)) + float(np.max(self.contraction_ms))
