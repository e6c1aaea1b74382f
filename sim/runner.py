"""Run a teaching scenario: tables of results, figures, CSVs and provenance.

:func:`run_tables` turns a validated :class:`~sim.scenario.Scenario` into a
dict of :class:`~sim.result.Result` tables; the arms of a scenario are the
table's labelled batch axis ``"arm"`` (series of shape ``(n_arms, n)``), written
to CSV as columns ``series[arm]`` with the registry's units.  :func:`run` also writes, atomically,

* ``<stem>.png|svg|pdf`` – the figure (:func:`sim.plotting.scenario_figure`),
* ``<stem>-<table>.csv`` – every plotted series, with units and the
  educational-only statement in the header,
* ``<stem>-provenance.json`` – package version, the scenario file's SHA-256,
  every parameter of every arm with its source and status, the ``--set``
  overrides, the seed and the date.

The model is deterministic: the same scenario gives identical CSVs.

Examples
--------
>>> from sim.scenario import load
>>> tables = run_tables(load("mechanism"))
>>> sorted(tables)
['calcium_law', 'concentration_response', 'gabab_cascade']
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, course, readouts, receptor, synapse
from .dosing import Oral, Regimen
from .errors import ParameterError
from .fileio import EDUCATIONAL_STATEMENT, atomic_write_text, build_date, plain
from .model import ModelParameters
from .motoneuron import girk_conductance_ns
from .reflex import stretch_reflex
from .result import Result
from .scenario import Arm, Scenario
from .units import ng_ml_to_um

__all__ = ["run_tables", "run", "RunOutput", "FORMATS"]

#: Figure formats the command line accepts.
FORMATS = ("png", "svg", "pdf")


@dataclasses.dataclass(frozen=True)
class RunOutput:
    """What :func:`run` wrote."""

    scenario: Scenario
    tables: Mapping[str, Result]
    files: tuple[Path, ...]


def _arm_params(arm: Arm) -> ModelParameters:
    return ModelParameters().with_overrides(arm.overrides)


def _stage_kwargs(params: ModelParameters) -> dict[str, Any]:
    return {"spindle": params.spindle, "synapse": params.synapse, "motoneuron": params.motoneuron,
            "muscle": params.muscle}


def _table(axis_name: str, axis: Any, per_arm: Mapping[str, Mapping[str, Any]],
           meta: Mapping[str, Any] | None = None) -> Result:
    # Arms become the labelled batch axis "arm" (the key "" means a table without arms);
    # units come from the variable registry (sim.variables).
    if list(per_arm) == [""]:
        return Result(axis_name, axis, per_arm[""], meta=meta)
    names = list(next(iter(per_arm.values())))
    series = {name: np.stack([np.asarray(values[name]) for values in per_arm.values()]) for name in names}
    return Result(axis_name, axis, series, meta=meta, batch_labels={"arm": tuple(per_arm)})


# -- one function per scenario kind ------------------------------------------------
def _mechanism(scenario: Scenario) -> dict[str, Result]:
    bath = np.asarray(scenario.settings["bath_um"], dtype=float)
    per_arm = {}
    for arm in scenario.arms:
        params = _arm_params(arm)
        per_arm[arm.name] = {
            "epsc_rel": synapse.slice_epsc(bath, enantiomer=arm.enantiomer, receptor=params.receptor,
                                           params=params.synapse),
            "activation_pre": receptor.activation(bath, enantiomer=arm.enantiomer, site="presynaptic",
                                                  params=params.receptor),
        }
    ca = np.asarray(scenario.settings.get("ca_influx", np.linspace(0.5, 1.0, 11)), dtype=float)
    ca = np.sort(ca)
    params = _arm_params(scenario.arms[0])
    t_ms = np.arange(0.0, 1500.0, 2.0)
    burst_times = 50.0 + 10.0 * np.arange(10)
    return {
        "concentration_response": _table("bath_um", bath, per_arm),
        "calcium_law": _table("ca_influx_rel", ca, {"": {
            "release_rel": synapse.release_fraction(ca, params.synapse), "fourth_power": ca ** 4}}),
        "gabab_cascade": _table("t_ms", t_ms, {"": {
            "single_pulse": receptor.gabab_pulse_response([50.0], t_ms=t_ms),
            "burst": receptor.gabab_pulse_response(burst_times, t_ms=t_ms)}}),
    }


def _reflex(scenario: Scenario) -> dict[str, Result]:
    from .patient import Patient

    settings = scenario.settings
    velocities = np.asarray(settings["velocities_deg_s"], dtype=float)
    amplitude = float(settings.get("amplitude_deg", 30.0))
    trace_velocity = float(settings.get("trace_velocity_deg_s", velocities.max()))
    # Arms that differ only in patient or CSF level run as one batch (one vectorised call).
    groups: dict[tuple[ModelParameters, str, str], list[Arm]] = {}
    for arm in scenario.arms:
        groups.setdefault((_arm_params(arm), arm.mechanism, arm.enantiomer), []).append(arm)
    summaries = ("emg_peak", "threshold_angle_deg", "trigger_angle_deg", "torque_peak_nm")
    trace_names = ("emg", "torque_nm", "angle_deg", "mn_rate_hz")
    per_arm, traces, t_ms = {}, {}, None
    for (_, mechanism, enantiomer), arms in groups.items():
        params = _arm_params(arms[0])
        patient = Patient(condition="spastic", spasticity=[float(arm.patient.severity) for arm in arms])
        csf = np.array([arm.csf_ng_ml for arm in arms])
        common = dict(enantiomer=enantiomer, mechanism=mechanism, amplitude_deg=amplitude,
                      receptor=params.receptor, **_stage_kwargs(params))
        sweep = stretch_reflex(patient.replace(spasticity=patient.severity[:, None]), velocities,
                               csf_ng_ml=csf[:, None], traces=(), **common)
        trace = stretch_reflex(patient, trace_velocity, csf_ng_ml=csf, traces=trace_names, **common)
        t_ms = trace.axis
        for row, arm in enumerate(arms):
            per_arm[arm.name] = {k: sweep[k][row] for k in summaries}
            traces[arm.name] = {k: trace[k][row] for k in trace_names}
    per_arm = {arm.name: per_arm[arm.name] for arm in scenario.arms}
    traces = {arm.name: traces[arm.name] for arm in scenario.arms}
    return {
        "velocity": _table("velocity_deg_s", velocities, per_arm),
        "traces": _table("t_ms", t_ms, traces, meta={"velocity_deg_s": trace_velocity}),
    }


DOSE_SERIES = ("reflex_gain_rel", "voluntary_force_rel", "threshold_angle_deg", "spinal_effect_ng_ml",
               "brain_ng_ml", "sedation_index")


def _dose_response(scenario: Scenario, progress: Callable[[str], None] | None) -> dict[str, Result]:
    from .outcomes import sedation_band

    settings = scenario.settings
    doses = np.asarray(settings["daily_doses_mg"], dtype=float)
    per_day = int(settings.get("doses_per_day", 3))
    days = float(settings.get("days", 5))
    hours = days * 24.0
    per_arm = {}
    for arm in scenario.arms:
        params = _arm_params(arm)
        # Drug levels of every dose (exact PK), then the last day's reflex probes of all doses
        # in one batched call.
        last_day: dict[str, list[np.ndarray]] = {}
        for dose in doses:
            regimen = (Oral(dose / per_day, every_h=24.0 / per_day, n_doses=int(np.ceil(days * per_day)))
                       if dose > 0 else Regimen())
            result = course.simulate(arm.patient, regimen, hours, probe_every_h=0.5, mechanism=arm.mechanism,
                                     enantiomer=arm.enantiomer, params=params, readouts=())
            keep = result.axis > hours - 24.0
            for name in ("spinal_effect_ng_ml", "brain_ng_ml", "sedation_index", "receptor_availability"):
                last_day.setdefault(name, []).append(result[name][..., keep])
        levels = {name: np.stack(rows) for name, rows in last_day.items()}
        reflex = course.reflex_readouts(
            levels["spinal_effect_ng_ml"], levels["receptor_availability"], arm.patient.severity,
            levels["sedation_index"], ("reflex_gain_rel", "voluntary_force_rel", "threshold_angle_deg"),
            mechanism=arm.mechanism, enantiomer=arm.enantiomer, params=params)
        columns = {name: np.mean({**levels, **reflex}[name], axis=-1) for name in DOSE_SERIES}
        columns["sedation_band"] = sedation_band(columns["sedation_index"], params.sedation)
        per_arm[arm.name] = columns
        if progress:
            progress(f"  {arm.name}: {doses.size} steady-state courses")
    return {"dose": _table("daily_dose_mg", doses, per_arm, meta={"doses_per_day": per_day, "days": days})}


def _course(scenario: Scenario, progress: Callable[[str], None] | None) -> dict[str, Result]:
    hours = float(scenario.settings["hours"])
    step = float(scenario.settings.get("probe_every_h", 0.25))
    # Only the reflex read-outs the figure shows are probed (each costs a probe per time point).
    panels = set(scenario.figure.get("panels", ()))
    wanted = tuple(name for name in course.COURSE_READOUTS if name in panels)
    per_arm, t_h = {}, None
    for arm in scenario.arms:
        result = course.simulate(arm.patient, arm.regimen, hours, probe_every_h=step, readouts=wanted,
                                 mechanism=arm.mechanism, enantiomer=arm.enantiomer, params=_arm_params(arm))
        t_h = result.axis
        per_arm[arm.name] = {name: result[name] for name in result.names}
        if progress:
            progress(f"  {arm.name}: {t_h.size} time points")
    regimens = {arm.name: arm.regimen.to_dict() for arm in scenario.arms}
    return {"course": _table("t_h", t_h, per_arm, meta={"regimens": regimens})}


def _mechanisms(scenario: Scenario) -> dict[str, Result]:
    csf = np.asarray(scenario.settings["csf_ng_ml"], dtype=float)
    # Arms sharing a parameter set are probed together in one vectorised call (with the
    # drug-free reference of each arm's patient as an extra column).
    groups: dict[ModelParameters, list[Arm]] = {}
    for arm in scenario.arms:
        groups.setdefault(_arm_params(arm), []).append(arm)
    per_arm = {}
    for arms in groups.values():
        params = _arm_params(arms[0])
        baseline_pre = params.receptor.endogenous_presynaptic_activation
        activations = [receptor.site_activations(ng_ml_to_um(csf), enantiomer=arm.enantiomer,
                                                 mechanism=arm.mechanism, params=params.receptor)
                       for arm in arms]
        a_pre = np.stack([np.append(pre, baseline_pre) for pre, _ in activations])
        a_post = np.stack([np.append(post, 0.0) for _, post in activations])
        severity = np.stack([np.broadcast_to(arm.patient.severity, (csf.size + 1,)) for arm in arms])
        values = readouts.evaluate(("emg_peak", "h_reflex_ratio"), a_pre, a_post, severity, params)
        for row, arm in enumerate(arms):
            pre, post = activations[row]
            per_arm[arm.name] = {
                "h_reflex_ratio": values["h_reflex_ratio"][row, :-1],
                "release_rel": synapse.release_rel(pre, params.synapse, params.receptor),
                "girk_conductance_ns": girk_conductance_ns(post, params.motoneuron),
                "reflex_gain_rel": values["emg_peak"][row, :-1] / values["emg_peak"][row, -1],
            }
    per_arm = {arm.name: per_arm[arm.name] for arm in scenario.arms}
    return {"concentration": _table("csf_ng_ml", csf, per_arm)}


def run_tables(scenario: Scenario, *, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
    """Compute every table a scenario plots (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`sim.scenario.load`).
    progress : callable, optional
        Receives short progress lines for long runs.
    """
    kind = scenario.kind
    if kind == "mechanism":
        return _mechanism(scenario)
    if kind == "reflex":
        return _reflex(scenario)
    if kind == "dose-response":
        return _dose_response(scenario, progress)
    if kind == "course":
        return _course(scenario, progress)
    if kind == "mechanisms":
        return _mechanisms(scenario)
    raise ParameterError(f"scenario kind = {kind!r} is not runnable")


def provenance(scenario: Scenario, overrides: Mapping[str, Any] | None = None, *,
               record_date: bool = True) -> dict[str, Any]:
    """Everything needed to reproduce a run.

    The only time stamp is ``date`` (:func:`sim.fileio.build_date`): ``SOURCE_DATE_EPOCH`` when
    set, else now, or no date at all with ``record_date=False`` (the committed gallery).
    Numbers are rounded like every other output (:func:`sim.fileio.plain`).
    """
    record = {
        "statement": EDUCATIONAL_STATEMENT,
        "package": "spinal-reflex-sim",
        "version": __version__,
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "scenario_sha256": scenario.sha256,
        "seed": scenario.seed,
        "set_overrides": dict(overrides or {}),
        "date": build_date(record=record_date),
        "arms": {
            arm.name: {
                "label": arm.label,
                "patient": {"condition": arm.patient.condition,
                            "spasticity": float(arm.patient.severity),
                            "creatinine_clearance_ml_min": arm.patient.creatinine_clearance_ml_min,
                            "body_weight_kg": arm.patient.body_weight_kg},
                "regimen": arm.regimen.to_dict() if arm.regimen is not None else None,
                "mechanism": arm.mechanism,
                "enantiomer": arm.enantiomer,
                "overrides": dict(arm.overrides),
                "parameters": _arm_params(arm).table(),
            }
            for arm in scenario.arms
        },
    }
    if record["date"] is None:
        del record["date"]
    return plain(record)


def run(
    scenario: Scenario,
    out_dir: str | Path,
    *,
    formats: tuple[str, ...] = FORMATS,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    record_date: bool = True,
) -> RunOutput:
    """Run *scenario* and write its figure, CSVs and provenance into *out_dir*.

    The tables are rounded to the precision of the CSV files (:meth:`Result.rounded`) before
    they are written and drawn, so figure and CSV agree to the digit.  ``record_date=False``
    leaves the run date out of the provenance file (the gallery's choice).

    Returns
    -------
    RunOutput
        The scenario, its tables and the paths written.
    """
    from . import plotting

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"--format = {','.join(formats)!r}: allowed formats are {', '.join(FORMATS)}")
    out = Path(out_dir)
    stem = str(scenario.figure.get("file", scenario.name))
    tables = {name: table.rounded() for name, table in run_tables(scenario, progress=progress).items()}
    files: list[Path] = []
    header = {"scenario": scenario.name, "scenario_sha256": scenario.sha256}
    for name, table in tables.items():
        files.append(table.to_csv(out / f"{stem}-{name}.csv", extra_header=header))
    figure = plotting.scenario_figure(scenario, tables)
    files.extend(plotting.save_figure(figure, out / stem, formats=tuple(formats)))
    record = provenance(scenario, overrides, record_date=record_date)
    record["files"] = [path.name for path in files]
    files.append(atomic_write_text(out / f"{stem}-provenance.json",
                                   json.dumps(record, indent=2, ensure_ascii=False) + "\n"))
    return RunOutput(scenario=scenario, tables=tables, files=tuple(files))
