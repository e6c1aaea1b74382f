"""The read-out table: every reflex read-out defined once, with the protocol that measures it.

A *read-out* is one number per probe that a course, a scenario table, the
explorer or a test reports: the reflex EMG to a standard fast stretch, the
threshold angle, an H-reflex analogue, a spasm measure, voluntary force.  Each
is defined here by

* the **protocol** that measures it (:data:`PROTOCOLS`: what is done to the
  limb, for how long), and
* the **summary** of :func:`sim.reflex.probe` it takes.

:func:`evaluate` runs one batched probe per protocol needed, for arrays of
GABA-B activations and spasticity severities, and returns only the requested
read-outs.  Relative read-outs (``reflex_gain_rel`` …) are formed by the course
against the same patient drug-free (:func:`drug_free`).

Examples
--------
>>> values = evaluate(("emg_peak", "h_reflex_ratio"), a_pre=[0.15, 0.9], a_post=[0.0, 0.5], severity=1.0)
>>> bool(values["emg_peak"][0] > values["emg_peak"][1])
True
>>> READOUTS["reflex_gain_rel"].protocol, READOUTS["reflex_gain_rel"].summary
('fast_stretch', 'emg_peak')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import ParameterError
from .parameters import check_range
from .patient import Patient
from .protocols import ElectricalVolley, Protocol, RampAndHold, VoluntaryContraction

__all__ = ["Readout", "PROTOCOLS", "READOUTS", "STANDARD_VELOCITY_DEG_S", "evaluate", "drug_free", "with_relative",
           "protocols_for", "MAXIMAL_COMMAND_NS"]

#: The standard "fast stretch" (a fast clinical stretch), deg/s.
STANDARD_VELOCITY_DEG_S = 120.0
#: The maximal descending command (maximal voluntary contraction), nS: every unit recruited near its top rate.
MAXIMAL_COMMAND_NS = 2000.0


@dataclasses.dataclass(frozen=True)
class MeasuringProtocol:
    """A protocol and the probe length used to measure read-outs with it."""

    protocol: Protocol
    duration_ms: float | None
    description: str


#: The protocols the read-outs use, by name.
PROTOCOLS: dict[str, MeasuringProtocol] = {
    "fast_stretch": MeasuringProtocol(
        RampAndHold(velocity_deg_s=STANDARD_VELOCITY_DEG_S), None,
        "30° dorsiflexion ramp at 120 °/s from 50 ms, then a 300 ms hold (the clinical fast stretch)"),
    "h_volley": MeasuringProtocol(
        ElectricalVolley(), None, "one maximal Ia volley at 20 ms (the Hmax condition)"),
    "spasm_train": MeasuringProtocol(
        ElectricalVolley(onset_ms=50.0, n_pulses=20.0, frequency_hz=100.0), 2000.0,
        "a 200 ms Ia train (20 volleys at 100 Hz), like the brief stimuli that trigger long-lasting "
        "reflexes in chronic spinal rats (Li et al. 2004); 2 s probe"),
    "contraction": MeasuringProtocol(
        VoluntaryContraction(command_conductance_ns=MAXIMAL_COMMAND_NS), None,
        "a maximal descending command (MVC) for 600 ms, joint held still: weakness is measured at maximal "
        "effort"),
}


@dataclasses.dataclass(frozen=True)
class Readout:
    """One read-out: its protocol, the probe summary it takes, unit and meaning."""

    name: str
    protocol: str
    summary: str
    unit: str
    description: str
    relative_to: str | None = None  # for relative read-outs: the absolute read-out divided by its drug-free value


def _table(*rows: Readout) -> dict[str, Readout]:
    return {row.name: row for row in rows}


#: Every read-out, by name.
READOUTS: dict[str, Readout] = _table(
    Readout("emg_peak", "fast_stretch", "emg_peak", "1",
            "peak reflex EMG rise to the fast stretch, fraction of maximal EMG"),
    Readout("reflex_gain_rel", "fast_stretch", "emg_peak", "1",
            "reflex EMG to the fast stretch relative to the same patient drug-free", relative_to="emg_peak"),
    Readout("threshold_angle_deg", "fast_stretch", "threshold_angle_deg", "deg",
            "joint angle at reflex EMG onset during the fast stretch"),
    Readout("torque_peak_nm", "fast_stretch", "torque_peak_nm", "N·m",
            "peak resistive torque (passive + reflex) during the fast stretch"),
    Readout("tone_discomfort_rel", "fast_stretch", "torque_peak_nm", "1",
            "discomfort from muscle tightness (resistive torque relative to drug-free)",
            relative_to="torque_peak_nm"),
    Readout("h_reflex_ratio", "h_volley", "recruited_peak", "1",
            "Hmax/Mmax analogue: peak extra fraction of the pool recruited by a maximal Ia volley"),
    Readout("spasm_index", "spasm_train", "sustained_firing_ms", "ms",
            "how long PIC-sustained firing outlasts a brief Ia train (censored at 2 s)"),
    Readout("reflex_torque_nm", "fast_stretch", "reflex_torque_peak_nm", "N·m",
            "peak active (reflex) torque to the fast stretch: the muscle's force behind the reflex EMG"),
    Readout("reflex_torque_rel", "fast_stretch", "reflex_torque_peak_nm", "1",
            "reflex torque to the fast stretch relative to the same patient drug-free",
            relative_to="reflex_torque_nm"),
    Readout("voluntary_force_n", "contraction", "active_force_end_n", "N",
            "active force after 600 ms of the maximal descending command (maximal voluntary force)"),
    Readout("voluntary_force_spinal_rel", "contraction", "active_force_end_n", "1",
            "voluntary force relative to drug-free, spinal part only", relative_to="voluntary_force_n"),
)


def _check_names(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [n for n in names if n not in READOUTS]
    if unknown:
        import difflib

        hints = [difflib.get_close_matches(n, list(READOUTS), n=1) for n in unknown]
        hint = "".join(f" (did you mean {h[0]!r}?)" for h in hints if h)
        raise ParameterError(f"unknown read-out(s) {unknown}{hint}; known: {', '.join(READOUTS)}")
    return names


def protocols_for(names: Iterable[str]) -> tuple[str, ...]:
    """The protocols needed for *names*, in the order of :data:`PROTOCOLS`."""
    wanted = {READOUTS[n].protocol for n in _check_names(names)}
    return tuple(name for name in PROTOCOLS if name in wanted)


def _absolute(names: Iterable[str]) -> tuple[str, ...]:
    """The absolute read-outs behind *names* (relative ones map to what they divide)."""
    out: list[str] = []
    for name in _check_names(names):
        base = READOUTS[name].relative_to or name
        if base not in out:
            out.append(base)
    return tuple(out)


def evaluate(names: Iterable[str], a_pre: Any, a_post: Any, severity: Any, params: Any = None, *,
             dt_ms: float | None = None, actions: Any = None) -> dict[str, np.ndarray]:
    """Absolute read-outs for arrays of activations and severities (one batched probe per protocol).

    Parameters
    ----------
    names : iterable of str
        Read-outs wanted (relative ones are returned as their absolute base).
    a_pre, a_post : array_like in [0, 1]
        Presynaptic (with endogenous tone) and postsynaptic GABA-B activation.
    severity : array_like in [0, 1]
        Spasticity severity; broadcasts with the activations.
    params : sim.model.ModelParameters, optional
        Stage parameters.
    dt_ms : float, optional
        Integration step (default: each protocol's ``default_step_ms``).
    actions : sim.actions.ChainActions, optional
        Another drug's actions on the stages (default none); broadcasts with the activations.

    Returns
    -------
    dict of str to numpy.ndarray
        The absolute read-outs behind *names*, each with the broadcast shape.
    """
    from . import reflex
    from .model import ModelParameters

    params = params or ModelParameters()
    severity = check_range("severity", severity, 0.0, 1.0)
    a_pre = check_range("a_pre", a_pre, 0.0, 1.0)
    a_post = check_range("a_post", a_post, 0.0, 1.0)
    shape = np.broadcast_shapes(a_pre.shape, a_post.shape, severity.shape,
                                actions.batch_shape if actions is not None else ())
    flat = [np.broadcast_to(v, shape).ravel() for v in (a_pre, a_post, severity)]
    if actions is not None:
        from .actions import ChainActions

        actions = ChainActions(**actions.flat(shape))
    patient = Patient(condition="spastic", spasticity=flat[2])
    stages = {"spindle": params.spindle, "synapse": params.synapse, "motoneuron": params.motoneuron,
              "muscle": params.muscle, "receptor": params.receptor}
    absolute = _absolute(names)
    values: dict[str, np.ndarray] = {}
    for protocol_name in protocols_for(absolute):
        measuring = PROTOCOLS[protocol_name]
        result = reflex.probe(patient, measuring.protocol, a_pre=flat[0], a_post=flat[1],
                              duration_ms=measuring.duration_ms, traces=(),
                              dt_ms=dt_ms, actions=actions, **stages)
        for name in absolute:
            if READOUTS[name].protocol == protocol_name:
                values[name] = np.asarray(result[READOUTS[name].summary], dtype=float).reshape(shape)
    return values


def drug_free(names: Iterable[str], severity: Any, params: Any = None, *,
              dt_ms: float | None = None) -> dict[str, np.ndarray]:
    """The absolute read-outs of the same patients untreated (endogenous tone only, no drug).

    Computed once per distinct severity and broadcast back to ``severity``'s shape.
    """
    from .model import ModelParameters

    params = params or ModelParameters()
    severity = check_range("severity", severity, 0.0, 1.0)
    levels, inverse = np.unique(severity, return_inverse=True)
    values = evaluate(names, params.receptor.endogenous_presynaptic_activation, 0.0, levels, params, dt_ms=dt_ms)
    return {k: v[inverse.reshape(severity.shape)] for k, v in values.items()}


def with_relative(names: Iterable[str], a_pre: Any, a_post: Any, severity: Any, params: Any = None, *,
                  dt_ms: float | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The read-outs *names*, each relative one divided by its base for the same patients drug-free.

    Returns
    -------
    (requested, absolute) : tuple of dict
        ``requested`` holds every name of *names* (relative ones per :attr:`Readout.relative_to`);
        ``absolute`` the absolute read-outs measured on the way.

    Examples
    --------
    >>> rel, absolute = with_relative(["reflex_gain_rel"], [0.15, 0.5], 0.0, 0.5)
    >>> round(float(rel["reflex_gain_rel"][0]), 12), bool(rel["reflex_gain_rel"][1] < 1.0)
    (1.0, True)
    """
    names = _check_names(names)
    values = evaluate(names, a_pre, a_post, severity, params, dt_ms=dt_ms)
    reference = drug_free(names, severity, params, dt_ms=dt_ms)
    requested = {}
    for name in names:
        base = READOUTS[name].relative_to
        requested[name] = values[base] / reference[base] if base else values[name]
    return requested, values
