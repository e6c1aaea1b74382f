r"""Dose to reflex over time: the coupled course simulation.

:func:`simulate` joins the two time scales of the model:

* **hours** – the regimen drives plasma, lumbar CSF, the spinal cord tissue
  (the spinal effect site, reached from blood and from CSF) and the brain
  effect site (:mod:`sim.pk`, solved exactly), and receptor availability adapts
  over weeks (:mod:`sim.adaptation`);
* **milliseconds** – at each sampled time, short reflex *probes*
  (:mod:`sim.reflex`) see the drug levels of that moment, held constant.

Why the quasi-static coupling is valid
--------------------------------------
Drug levels at the effect sites change with time constants of tens of
minutes to hours (absorption ≈ 0.4 h, blood–cord equilibration ≈ 0.8 h, CSF
equilibration ≈ 1.5 h, CSF-to-cord transit ≈ 2 × 2 h), while the reflex circuit settles within about a second (its
slowest fast state, the persistent inward current, has τ ≈ 0.1–0.3 s; the
vesicle pool recovers over seconds).  Over one probe the concentration
changes by less than 0.1 %, so holding it constant during the probe is an
error far below the model's own uncertainty.

How it stays fast: one batched probe per read-out
-------------------------------------------------
Every sampled time needs its own probes (the activations differ), and all of
them run in one batched call of the compiled kernel per protocol
(:func:`sim.readouts.evaluate`; :mod:`sim.solvers`).  There is no hidden cache
or interpolation: each read-out is computed at each time point.  Ask only for
the read-outs you need (``readouts=``): the 2-s spasm probe costs more than the
other three together.

Outputs
-------
Exposure: ``plasma_ng_ml``, ``csf_ng_ml`` (lumbar CSF), ``spinal_effect_ng_ml``
(cord tissue: what the reflex sees), ``brain_ng_ml``, ``activation_spinal``
(drug-driven presynaptic activation, scaled by availability),
``activation_brain`` (shown for teaching; sedation is computed from
``brain_ng_ml`` directly), ``receptor_availability``.
Mechanism: ``ca_influx_rel``, ``release_rel`` (glutamate released per Ia spike
relative to the same patient drug-free), ``girk_conductance_ns``.
Reflex: ``reflex_gain_rel`` (peak reflex EMG for the standard fast stretch,
relative to the same patient drug-free and untreated), ``threshold_angle_deg``
(at the standard velocity), ``h_reflex_ratio``, ``spasm_index`` (ms that
PIC-sustained firing outlasts a brief Ia train).  Function:
``voluntary_force_rel`` (spinal weakness × the central drive left under
sedation, :func:`sim.outcomes.central_drive_factor`) and its spinal part alone,
``voluntary_force_spinal_rel``.  Comfort: ``tone_discomfort_rel`` and
``nociceptive_signal_rel`` (:mod:`sim.outcomes`).  Central depression:
``sedation_index`` (qualitative, in [0, 1], one saturating curve of the brain
level, :func:`sim.outcomes.sedation_index`) and ``sedation_band``.

Examples
--------
>>> import sim
>>> course = sim.simulate(sim.Patient(condition="spastic"), sim.Oral(20, every_h=8, n_doses=3), 24,
...                       probe_every_h=1.0)
>>> course
Result(t_h: 25 points, 0–24 h; batch (); series: 25 series (plasma_ng_ml, csf_ng_ml, spinal_effect_ng_ml, …))
>>> bool(course.reflex_gain_rel.min() < 1.0), str(course.sedation_band[0])
(True, 'none')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import adaptation, outcomes, pk, receptor
from . import readouts as ro
from .dosing import Regimen
from .errors import ParameterError
from .model import ModelParameters
from .motoneuron import girk_conductance_ns
from .parameters import check_choice, check_range
from .patient import Patient
from .result import Result
from .synapse import ca_influx_rel, release_rel
from .units import ng_ml_to_um
from .variables import VARIABLES

__all__ = ["simulate", "UNITS", "COURSE_READOUTS"]

#: Reflex read-outs a course can report (see :data:`sim.readouts.READOUTS`); all by default.
COURSE_READOUTS = ("reflex_gain_rel", "threshold_angle_deg", "h_reflex_ratio", "spasm_index",
                   "voluntary_force_rel", "tone_discomfort_rel")

#: Units of every course output.
UNITS = {name: VARIABLES[name].unit for name in (
    "plasma_ng_ml", "csf_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "activation_spinal", "activation_brain",
    "receptor_availability", "ca_influx_rel", "release_rel", "girk_conductance_ns", "reflex_gain_rel",
    "threshold_angle_deg", "h_reflex_ratio", "spasm_index", "voluntary_force_rel", "voluntary_force_spinal_rel",
    "tone_discomfort_rel", "nociceptive_signal_rel", "sedation_index", "sedation_band", "gut_mg",
    "urine_unchanged_mg", "dosed_mg", "emg_peak", "torque_peak_nm", "voluntary_force_n")}

def simulate(
    patient: Patient,
    regimen: Any,
    hours: float,
    *,
    probe_every_h: float = 0.25,
    mechanism: str = "both",
    enantiomer: str = "racemic",
    params: ModelParameters | None = None,
    readouts: Iterable[str] = COURSE_READOUTS,
    dt_ms: float | None = None,
) -> Result:
    """Simulate a dosing course and the reflex it leaves, hour by hour.

    Parameters
    ----------
    patient : Patient
        Spasticity and kidney function; numeric fields may be arrays (a batch).
    regimen : Regimen or a regimen block
        What is given when (:mod:`sim.dosing`); ``sim.Regimen()`` for no drug.
    hours : float
        Simulated time, h (> 0, up to 1 year).
    probe_every_h : float
        Spacing of the sampled times, h; the reflex is probed at each.
    mechanism : {"presynaptic", "postsynaptic", "both"}
        Where the drug acts in the spinal cord (teaching switch).
    enantiomer : {"racemic", "R", "S"}
        Preparation given (racemic for every marketed product).
    params : ModelParameters, optional
        Stage parameters (e.g. ``ModelParameters().with_overrides({...})``).
    readouts : iterable of str
        Reflex read-outs to compute (subset of :data:`COURSE_READOUTS`; default all).
        Each costs one batched probe per time point; ``()`` gives exposure and
        sedation only.
    dt_ms : float, optional
        Integration step of the reflex probes, ms (default :data:`sim.reflex.DEFAULT_DT_MS`).

    Returns
    -------
    Result
        Axis ``t_h``; the series listed in the module docstring, batch axes
        first.  ``meta`` records the regimen, patient, settings and every
        parameter with its source.

    Raises
    ------
    ParameterError
        For invalid arguments.
    """
    params = params or ModelParameters()
    check_choice("mechanism", mechanism, receptor.MECHANISMS)
    check_choice("enantiomer", enantiomer, receptor.ENANTIOMERS)
    wanted = tuple(readouts)
    for name in wanted:
        check_choice("readouts", name, COURSE_READOUTS)
    hours = float(check_range("hours", hours, 1e-3, 24.0 * 366, "h"))
    step = float(check_range("probe_every_h", probe_every_h, 1e-3, max(hours, 1e-3), "h"))
    if not isinstance(patient, Patient):
        raise ParameterError(f"patient = {patient!r} is not a sim.Patient")
    n_points = int(np.floor(hours / step + 1e-9)) + 1
    t_h = np.linspace(0.0, (n_points - 1) * step, n_points)
    if t_h[-1] < hours - 1e-9:
        t_h = np.append(t_h, hours)

    # One exact PK solution on a grid fine enough for receptor adaptation (steps ≤ 0.25 h, every
    # dose time), sampled at the course's times.
    regimen = regimen if isinstance(regimen, Regimen) else Regimen(regimen)
    grid = adaptation.fine_grid(t_h, regimen.breakpoints(), 0.25)
    at = np.searchsorted(grid, t_h)
    fine = pk.simulate(patient, regimen, grid, params=params.pk)
    availability = adaptation.availability_on_grid(grid, fine["spinal_effect_ng_ml"], params=params.adaptation,
                                                   receptor_params=params.receptor)[..., at]
    exposure = {name: fine[name][..., at] for name in fine.names}
    exposure_meta = fine.meta
    batch = np.broadcast_shapes(fine.batch_shape, availability.shape[:-1])
    shape = (*batch, t_h.size)
    spinal_um = ng_ml_to_um(exposure["spinal_effect_ng_ml"])
    rho = np.broadcast_to(availability, shape)
    a_pre, a_post = receptor.site_activations(spinal_um, enantiomer=enantiomer, mechanism=mechanism,
                                              availability=rho, params=params.receptor)
    drug_only = receptor.activation(spinal_um, enantiomer=enantiomer, site="presynaptic", params=params.receptor)
    drug_pre = rho * drug_only if mechanism != "postsynaptic" else np.zeros(shape)
    activation_brain = receptor.activation(ng_ml_to_um(exposure["brain_ng_ml"]), enantiomer=enantiomer,
                                           site="brain", params=params.receptor)
    severity = np.broadcast_to(patient.severity, batch)[..., None] * np.ones(shape)
    sedation = outcomes.sedation_index(exposure["brain_ng_ml"], params.sedation, enantiomer=enantiomer,
                                       receptor_params=params.receptor)
    series = {
        "plasma_ng_ml": exposure["plasma_ng_ml"],
        "csf_ng_ml": exposure["csf_ng_ml"],
        "spinal_effect_ng_ml": exposure["spinal_effect_ng_ml"],
        "brain_ng_ml": exposure["brain_ng_ml"],
        "activation_spinal": drug_pre,
        "activation_brain": activation_brain,
        "receptor_availability": rho,
        "ca_influx_rel": ca_influx_rel(a_pre, params.synapse, params.receptor),
        "release_rel": release_rel(a_pre, params.synapse, params.receptor),
        "girk_conductance_ns": girk_conductance_ns(a_post, params.motoneuron),
    }
    series.update(reflex_readouts(exposure["spinal_effect_ng_ml"], rho, severity, sedation, wanted,
                                  mechanism=mechanism, enantiomer=enantiomer, params=params, dt_ms=dt_ms))
    series.update({
        "nociceptive_signal_rel": outcomes.nociceptive_signal_rel(drug_pre, params.comfort),
        "sedation_index": sedation,
        "sedation_band": outcomes.sedation_band(sedation, params.sedation),
        "gut_mg": exposure["gut_mg"],
        "urine_unchanged_mg": exposure["urine_unchanged_mg"],
        "dosed_mg": exposure["dosed_mg"],
    })
    series = {k: np.broadcast_to(v, shape) if np.asarray(v).dtype.kind != "U" else v
              for k, v in series.items()}
    meta = {
        "educational_only": True,
        "regimen": exposure_meta.get("regimen"),
        "patient": {"condition": patient.condition, "spasticity": patient.severity,
                    "creatinine_clearance_ml_min": patient.creatinine_clearance_ml_min},
        "mechanism": mechanism, "enantiomer": enantiomer, "readouts": list(wanted),
        "probe_every_h": step, "dt_ms": dt_ms,
    }
    return Result("t_h", t_h, series, units=UNITS, meta=meta)


def reflex_readouts(
    spinal_effect_ng_ml: Any,
    receptor_availability: Any,
    severity: Any,
    sedation_index: Any,
    readouts: Iterable[str] = COURSE_READOUTS,
    *,
    mechanism: str = "both",
    enantiomer: str = "racemic",
    params: ModelParameters | None = None,
    dt_ms: float | None = None,
) -> dict[str, np.ndarray]:
    """Reflex read-outs at given spinal effect-site levels (one batched probe per protocol).

    The millisecond half of :func:`simulate`, for callers that already have the
    drug levels (e.g. the last day of many dose-response courses in one batch).

    Parameters
    ----------
    spinal_effect_ng_ml, receptor_availability, severity, sedation_index : array_like
        Broadcasting arrays: total spinal effect-site level (ng/mL), availability ρ,
        spasticity severity and the sedation index (for the central part of weakness).
    readouts : iterable of str
        Subset of :data:`COURSE_READOUTS`.
    mechanism, enantiomer, params, dt_ms
        As in :func:`simulate`.

    Returns
    -------
    dict of str to numpy.ndarray
        The read-outs asked for (``voluntary_force_rel`` comes with
        ``voluntary_force_spinal_rel``), plus ``emg_peak`` / ``torque_peak_nm``
        when they were computed.
    """
    params = params or ModelParameters()
    wanted = tuple(readouts)
    for name in wanted:
        check_choice("readouts", name, COURSE_READOUTS)
    if not wanted:
        return {}
    level = check_range("spinal_effect_ng_ml", spinal_effect_ng_ml, 0.0, 1.0e6, "ng/mL")
    rho = check_range("receptor_availability", receptor_availability, 0.0, 1.0)
    sedation = check_range("sedation_index", sedation_index, 0.0, 1.0)
    shape = np.broadcast_shapes(level.shape, rho.shape, np.shape(severity), sedation.shape)
    a_pre, a_post = receptor.site_activations(ng_ml_to_um(level), enantiomer=enantiomer, mechanism=mechanism,
                                              availability=np.broadcast_to(rho, shape), params=params.receptor)
    severity = np.broadcast_to(np.asarray(severity, dtype=float), shape)
    names = [("voluntary_force_spinal_rel" if name == "voluntary_force_rel" else name) for name in wanted]
    requested, values = ro.with_relative(names, a_pre, a_post, severity, params, dt_ms=dt_ms)
    out: dict[str, np.ndarray] = {}
    for name, given in zip(wanted, names, strict=True):
        out[given] = requested[given]
        if name == "voluntary_force_rel":  # the spinal part × the central drive left under sedation
            out[name] = requested[given] * outcomes.central_drive_factor(sedation, params.sedation)
    for name in ("emg_peak", "torque_peak_nm"):
        if name in values:
            out[name] = values[name]
    return out
