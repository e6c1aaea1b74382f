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
  overrides, the seed, the date and the outcome of every claim.

Every claim of the scenario (its ``[[claims]]``, :mod:`sim.claims`) is evaluated on the
computed tables before anything is written; if one does not hold, :func:`run` raises
:class:`~sim.errors.ClaimError` and writes nothing.

The model is deterministic: the same scenario gives identical CSVs.

Before computing, :func:`run` checks the formats, the output folder and the file stem, and
:func:`estimate` sizes the run: above :data:`MAX_POINTS` computed points, :data:`MAX_PROBES`
reflex probes or :data:`MAX_CSV_BYTES` of CSV it refuses unless ``force=True``
(``--force``).  The whole result set is written into a hidden folder inside the output
folder and moved into place only when complete (:func:`sim.fileio.staged_output`), so a
failed or interrupted run leaves no partial set.

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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, course, readouts, receptor, synapse
from . import claims as claims_module
from .claims import TableSpec
from .dosing import Oral, Regimen
from .errors import ParameterError
from .fileio import (
    EDUCATIONAL_STATEMENT,
    FORMATS,
    atomic_write_text,
    build_date,
    check_file_stem,
    check_formats,
    plain,
    staged_output,
)
from .model import ModelParameters
from .motoneuron import girk_conductance_ns
from .reflex import stretch_reflex
from .result import Result
from .scenario import (
    CLONUS_SETTINGS,
    COURSE_SETTINGS,
    DOSE_RESPONSE_SETTINGS,
    MECHANISM_SETTINGS,
    ANTISPASTICS_SETTINGS,
    MECHANISMS_SETTINGS,
    POPULATION_SETTINGS,
    REFLEX_SETTINGS,
    SENSITIVITY_SETTINGS,
    Arm,
    Scenario,
)
from .units import ng_ml_to_um
from .variables import COHORT_PERCENTILE_SERIES, COHORT_PERCENTILES

__all__ = ["run_tables", "run", "RunOutput", "FORMATS", "KINDS", "ScenarioKind", "PANELS", "Estimate", "estimate",
           "MAX_POINTS", "MAX_PROBES", "MAX_CSV_BYTES"]

#: Refusal limits of :func:`run` (``force=True`` / ``--force`` lifts them): time points computed
#: over all arms (course and dose-response kinds) …
MAX_POINTS = 1_000_000
#: … millisecond reflex probes simulated (reflex and mechanisms kinds) …
MAX_PROBES = 2_000
#: … and CSV written, bytes (estimated).
MAX_CSV_BYTES = 50_000_000
# Bytes of one CSV cell: 10 significant digits, sign, point, exponent or separator.
_CELL_BYTES = 14


@dataclasses.dataclass(frozen=True)
class RunOutput:
    """What :func:`run` wrote."""

    scenario: Scenario
    tables: Mapping[str, Result]
    files: tuple[Path, ...]
    claims: tuple[claims_module.ClaimResult, ...] = ()


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
def _mechanism(scenario: Scenario, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
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


REFLEX_SUMMARIES = ("emg_peak", "threshold_angle_deg", "trigger_angle_deg", "torque_peak_nm")
REFLEX_TRACES = ("emg", "torque_nm", "angle_deg", "mn_rate_hz")


def _reflex(scenario: Scenario, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
    from .patient import Patient

    settings = scenario.settings
    velocities = np.asarray(settings["velocities_deg_s"], dtype=float)
    amplitude = float(settings.get("amplitude_deg", 30.0))
    trace_velocity = float(settings.get("trace_velocity_deg_s", velocities.max()))
    trace_hold = float(settings.get("trace_hold_ms", 300.0))
    # Arms that differ only in patient or CSF level run as one batch (one vectorised call).
    groups: dict[tuple[ModelParameters, str, str], list[Arm]] = {}
    for arm in scenario.arms:
        groups.setdefault((_arm_params(arm), arm.mechanism, arm.enantiomer), []).append(arm)
    summaries, trace_names = REFLEX_SUMMARIES, REFLEX_TRACES
    per_arm, traces, t_ms = {}, {}, None
    for (_, mechanism, enantiomer), arms in groups.items():
        params = _arm_params(arms[0])
        patient = Patient(condition="spastic", spasticity=[float(arm.patient.severity) for arm in arms])
        csf = np.array([arm.spinal_effect_ng_ml for arm in arms])
        common = dict(enantiomer=enantiomer, mechanism=mechanism, amplitude_deg=amplitude,
                      receptor=params.receptor, **_stage_kwargs(params))
        sweep = stretch_reflex(patient.replace(spasticity=patient.severity[:, None]), velocities,
                               spinal_effect_ng_ml=csf[:, None], traces=(), **common)
        trace = stretch_reflex(patient, trace_velocity, spinal_effect_ng_ml=csf, traces=trace_names, hold_ms=trace_hold,
                               **common)
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
    # Only the reflex read-outs the figure shows or a claim checks are probed (each costs a
    # probe per time point).
    needed = set(scenario.figure.get("panels", ()))
    needed |= {name for claim in scenario.claims for name in (claim.series, claim.compare_series) if name}
    needed |= {_READOUT_OF[name] for name in needed if name in _READOUT_OF}
    wanted = tuple(name for name in course.COURSE_READOUTS if name in needed)
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


# Course series that come with a reflex read-out (sim.course.reflex_readouts).
_READOUT_OF = {"emg_peak": "reflex_gain_rel", "torque_peak_nm": "tone_discomfort_rel",
               "voluntary_force_spinal_rel": "voluntary_force_rel"}

MECHANISMS_SERIES = ("h_reflex_ratio", "release_rel", "girk_conductance_ns", "reflex_gain_rel")
# Every course output except the absolute voluntary force, which the course turns into
# voluntary_force_rel (tests/test_robustness.py checks this against a computed course).
COURSE_SERIES = tuple(name for name in course.UNITS if name != "voluntary_force_n")

@dataclasses.dataclass(frozen=True)
class Estimate:
    """The size of a run, known before it starts (see :func:`estimate`)."""

    points: int
    probes: int
    csv_bytes: int
    what: str
    change: str

    def __str__(self) -> str:
        parts = [self.what]
        if self.probes:
            parts.append(f"{self.probes:,} reflex probes")
        parts.append(f"CSV ≈ {_size(self.csv_bytes)}")
        return ", ".join(parts)

    def check(self, *, force: bool = False) -> None:
        """Raise ParameterError if the run is above a limit and *force* is not set."""
        over = []
        if self.points > MAX_POINTS:
            over.append(f"{self.points:,} time points (limit {MAX_POINTS:,})")
        if self.probes > MAX_PROBES:
            over.append(f"{self.probes:,} reflex probes (limit {MAX_PROBES:,})")
        if self.csv_bytes > MAX_CSV_BYTES:
            over.append(f"about {_size(self.csv_bytes)} of CSV (limit {_size(MAX_CSV_BYTES)})")
        if over and not force:
            raise ParameterError(f"this run is too large: {self.what} means {' and '.join(over)}; "
                                 f"{self.change}, or pass --force (force=True) to run it anyway")


def _size(n_bytes: float) -> str:
    if n_bytes < 1e3:
        return f"{n_bytes:.0f} bytes"
    return f"{n_bytes / 1e6:,.1f} MB" if n_bytes >= 1e5 else f"{n_bytes / 1e3:,.0f} kB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _estimate_course(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    hours, step = float(settings["hours"]), float(settings.get("probe_every_h", 0.25))
    rows = int(hours / step * (1 + 1e-12)) + 1
    columns = 1 + len(COURSE_SERIES) * arms
    return Estimate(rows * arms, 0, rows * columns * _CELL_BYTES,
                    f"settings.hours = {hours:g} at settings.probe_every_h = {step:g}: "
                    f"{rows:,} time points × {_plural(arms, 'arm')}",
                    "use a larger settings.probe_every_h or a smaller settings.hours")


def _estimate_dose_response(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    doses = len(settings["daily_doses_mg"])
    days = float(settings.get("days", 5))
    points = doses * arms * (int(days * 24.0 / 0.5) + 1)
    columns = 1 + (len(DOSE_SERIES) + 1) * arms
    return Estimate(points, 0, doses * columns * _CELL_BYTES,
                    f"{doses} doses × {_plural(arms, 'arm')} over {days:g} days",
                    "give fewer settings.daily_doses_mg or fewer settings.days")


def _estimate_reflex(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    velocities = len(settings["velocities_deg_s"])
    rows = velocities + 2_000  # the example traces: about 2,000 samples
    columns = 1 + (len(REFLEX_SUMMARIES) + len(REFLEX_TRACES)) * arms
    return Estimate(0, (velocities + 1) * arms, rows * columns * _CELL_BYTES,
                    f"{velocities} velocities × {_plural(arms, 'arm')}", "give fewer settings.velocities_deg_s")


def _estimate_mechanisms(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    levels = len(settings["spinal_effect_ng_ml"])
    columns = 1 + len(MECHANISMS_SERIES) * arms
    return Estimate(0, (levels + 1) * arms, levels * columns * _CELL_BYTES,
                    f"{levels} concentrations × {_plural(arms, 'arm')}", "give fewer settings.spinal_effect_ng_ml")


def _estimate_mechanism(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    rows = len(settings.get("bath_um", ())) + len(settings.get("ca_influx", ())) + 750
    return Estimate(rows, 0, rows * (1 + 2 * arms) * _CELL_BYTES, f"{rows:,} table rows",
                    "give fewer settings.bath_um")


def estimate(scenario: Scenario) -> Estimate:
    """Size a run from its settings alone: points computed, reflex probes, CSV bytes.

    Examples
    --------
    >>> from sim.scenario import load
    >>> str(estimate(load("routes")))
    'settings.hours = 72 at settings.probe_every_h = 0.25: 289 time points × 2 arms, CSV ≈ 0.2 MB'
    """
    return KINDS[scenario.kind].estimate(scenario)


def _mechanisms(scenario: Scenario, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
    csf = np.asarray(scenario.settings["spinal_effect_ng_ml"], dtype=float)
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
    return {"concentration": _table("spinal_effect_ng_ml", csf, per_arm)}


# Series of the cohort table: percentile bands, sedation-band shares and the responder share.
POPULATION_SERIES = (*(f"{base}_p{p:02d}" for base in COHORT_PERCENTILE_SERIES for p in COHORT_PERCENTILES),
                     *(f"sedation_share_{band}" for band in ("none", "mild", "moderate", "marked")),
                     "responder_share")
#: What a population figure's panels may name: a percentile-banded series, the sedation band
#: (drawn as shares of the cohort) or the responder share.
POPULATION_PANELS = (*COHORT_PERCENTILE_SERIES, "sedation_band", "responder_share")
#: Default responder threshold: reflex gain at or below 0.7 of untreated (≥ 30 % damping; illustrative).
RESPONDER_GAIN_REL = 0.7


def _arm_variability(arm: Arm) -> Any:
    from .population import VariabilityParameters

    low, high = arm.creatinine_clearance_range_ml_min or (arm.patient.creatinine_clearance_ml_min,) * 2
    return VariabilityParameters(creatinine_clearance_low_ml_min=float(low),
                                 creatinine_clearance_high_ml_min=float(high))


def _population(scenario: Scenario, progress: Callable[[str], None] | None) -> dict[str, Result]:
    from .population import ReadoutSurface, band_shares, percentile_bands, population

    settings = scenario.settings
    n = int(settings["patients"])
    hours = float(settings["hours"])
    every = float(settings.get("every_h", 1.0))
    threshold = float(settings.get("responder_gain_rel", RESPONDER_GAIN_REL))
    # One read-out surface per distinct parameter set, built here and passed in explicitly.
    surfaces: dict[ModelParameters, Any] = {}
    per_arm, t_h = {}, None
    for arm in scenario.arms:
        params = _arm_params(arm)
        if params not in surfaces:
            surfaces[params] = ReadoutSurface.build(("reflex_gain_rel",), params)
        cohort = population(n, seed=scenario.seed, variability=_arm_variability(arm), params=params)
        result = cohort.simulate(arm.regimen, hours, every_h=every, surface=surfaces[params],
                                 mechanism=arm.mechanism, enantiomer=arm.enantiomer)
        t_h = result.axis
        columns: dict[str, Any] = {}
        for base in COHORT_PERCENTILE_SERIES:
            for p, values in percentile_bands(result, base, COHORT_PERCENTILES).items():
                columns[f"{base}_p{p:02d}"] = values
        for band, share in band_shares(result).items():
            columns[f"sedation_share_{band}"] = share
        columns["responder_share"] = np.mean(result["reflex_gain_rel"] <= threshold, axis=0)
        per_arm[arm.name] = columns
        if progress:
            progress(f"  {arm.name}: {n} virtual patients × {t_h.size} time points")
    meta = {"patients": n, "seed": scenario.seed, "responder_gain_rel": threshold,
            "regimens": {arm.name: arm.regimen.to_dict() for arm in scenario.arms},
            "surface": next(iter(surfaces.values())).describe()}
    return {"cohort": _table("t_h", t_h, per_arm, meta=meta)}


def _estimate_population(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    n = int(settings["patients"])
    hours, step = float(settings["hours"]), float(settings.get("every_h", 1.0))
    rows = int(hours / step * (1 + 1e-12)) + 1
    from .population import default_surface_size

    probes = default_surface_size()
    columns = 1 + len(POPULATION_SERIES) * arms
    return Estimate(rows * arms * n, probes, rows * columns * _CELL_BYTES,
                    f"{n} virtual patients × {rows:,} time points × {_plural(arms, 'arm')}",
                    "give fewer settings.patients, a larger settings.every_h or a smaller settings.hours")


SENSITIVITY_SERIES = ("sobol_first_reflex_gain_rel", "sobol_total_reflex_gain_rel", "sobol_first_sedation_index",
                      "sobol_total_sedation_index", "tornado_low_reflex_gain_rel", "tornado_high_reflex_gain_rel")
#: Panels of a sensitivity figure: the reflex-gain tornado and the total Sobol indices of each output.
SENSITIVITY_PANELS = ("tornado_reflex_gain_rel", "sobol_reflex_gain_rel", "sobol_sedation_index")


def _daily_amounts(arm: Arm) -> tuple[float, float]:
    """(oral mg/day, intrathecal µg/day) of a steady regimen: repeated oral doses and/or a running infusion."""
    from .dosing import IntrathecalInfusion

    oral, intrathecal = 0.0, 0.0
    for part in arm.regimen.parts:
        if isinstance(part, Oral) and part.n_doses > 1 and part.every_h:
            oral += part.dose_mg * 24.0 / part.every_h
        elif isinstance(part, IntrathecalInfusion):
            intrathecal += part.rate_ug_per_day
        else:
            raise ParameterError(f"arms.{arm.name}.regimen: a sensitivity scenario needs a steady regimen "
                                 f"(repeated oral doses or an intrathecal infusion), not {part!r}")
    return oral, intrathecal


def _sensitivity(scenario: Scenario, progress: Callable[[str], None] | None) -> dict[str, Result]:
    from .population import ReadoutSurface
    from .sensitivity import INPUTS, KIDNEY_RANGE_ML_MIN, model_sobol, tornado

    n = int(scenario.settings.get("base_samples", 4096))
    kidneys = tuple(scenario.settings.get("kidney_range_ml_min", KIDNEY_RANGE_ML_MIN))
    if kidneys[0] > kidneys[1]:
        raise ParameterError(f"settings.kidney_range_ml_min = {list(kidneys)}: expected [low, high] with low ≤ high")
    surfaces: dict[ModelParameters, Any] = {}
    per_arm = {}
    for arm in scenario.arms:
        params = _arm_params(arm)
        if params not in surfaces:
            surfaces[params] = ReadoutSurface.build(("reflex_gain_rel",), params)
        oral, intrathecal = _daily_amounts(arm)
        common = dict(oral_mg_per_day=oral, intrathecal_ug_per_day=intrathecal, params=params,
                      kidney_range_ml_min=kidneys)
        indices = model_sobol(surfaces[params], n=n, seed=scenario.seed, **common)
        ends = tornado(surfaces[params], **common)
        per_arm[arm.name] = {
            "sobol_first_reflex_gain_rel": indices.first_order[0], "sobol_total_reflex_gain_rel": indices.total_order[0],
            "sobol_first_sedation_index": indices.first_order[1], "sobol_total_sedation_index": indices.total_order[1],
            "tornado_low_reflex_gain_rel": ends["low"]["reflex_gain_rel"],
            "tornado_high_reflex_gain_rel": ends["high"]["reflex_gain_rel"],
        }
        if progress:
            progress(f"  {arm.name}: Sobol indices from {n * (len(INPUTS) + 2):,} steady states")
    meta = {"inputs": list(INPUTS), "base_samples": n, "kidney_range_ml_min": list(kidneys), "seed": scenario.seed}
    return {"indices": _table("input_index", np.arange(len(INPUTS), dtype=float), per_arm, meta=meta)}


def _estimate_sensitivity(scenario: Scenario) -> Estimate:
    from .population import default_surface_size
    from .sensitivity import INPUTS

    arms = len(scenario.arms)
    n = int(scenario.settings.get("base_samples", 4096))
    return Estimate(n * (len(INPUTS) + 2) * arms, default_surface_size(),
                    len(INPUTS) * (1 + len(SENSITIVITY_SERIES) * arms) * _CELL_BYTES,
                    f"{n:,} base samples × {len(INPUTS)} inputs × {_plural(arms, 'arm')}",
                    "give a smaller settings.base_samples")


CLONUS_SERIES = ("beats", "clonus_frequency_hz", "clonus_persists", "open_loop_gain_rel", "angle_swing_end_deg")
CLONUS_TRACE_SERIES = ("angle_deg", "emg")
#: Spacing of the clonus traces written and drawn, ms (the kernel records every 0.5 ms).
CLONUS_TRACE_DT_MS = 2.0


def _clonus(scenario: Scenario, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
    from .closed_loop import clonus

    settings = scenario.settings
    levels = np.asarray(settings["spinal_effect_ng_ml"], dtype=float)
    shown = [float(v) for v in settings.get("trace_levels_ng_ml", (levels.min(), levels.max()))]
    columns = [int(np.nonzero(levels == v)[0][0]) for v in shown]
    common = {name: float(settings[name]) for name in ("push_torque_nm", "hold_torque_nm") if name in settings}
    per_arm, traces, t_ms = {}, {}, None
    for arm in scenario.arms:
        params = _arm_params(arm)
        result = clonus(arm.patient, spinal_effect_ng_ml=levels, duration_ms=float(settings.get("duration_ms", 3000.0)),
                        enantiomer=arm.enantiomer, mechanism=arm.mechanism, limb=params.limb,
                        receptor=params.receptor, **_stage_kwargs(params), **common)
        every = int(round(CLONUS_TRACE_DT_MS / float(result.meta["output_dt_ms"])))
        t_ms = result.axis[::every]
        per_arm[arm.name] = {name: np.asarray(result[name], dtype=float) for name in CLONUS_SERIES}
        traces[arm.name] = {name: result[name][columns, ::every] for name in CLONUS_TRACE_SERIES}
        if progress:
            progress(f"  {arm.name}: {levels.size} closed-loop probes")
    return {"levels": _table("spinal_effect_ng_ml", levels, per_arm),
            "traces": _table("t_ms", t_ms, traces, meta={"trace_levels_ng_ml": shown})}


def _estimate_clonus(scenario: Scenario) -> Estimate:
    settings, arms = scenario.settings, len(scenario.arms)
    levels = len(settings["spinal_effect_ng_ml"])
    shown = len(settings.get("trace_levels_ng_ml", (0, 1)))
    rows = int(float(settings.get("duration_ms", 3000.0)) / CLONUS_TRACE_DT_MS) + 1
    cells = levels * (1 + len(CLONUS_SERIES) * arms) + rows * (1 + len(CLONUS_TRACE_SERIES) * shown * arms)
    csv = cells * _CELL_BYTES
    return Estimate(0, 2 * levels * arms, csv, f"{levels} spinal levels × {_plural(arms, 'arm')} (closed loop)",
                    "give fewer settings.spinal_effect_ng_ml or a shorter settings.duration_ms")
# -- antispastics: baclofen beside diazepam, tizanidine and dantrolene (sim.comparators) ---------
#: Series of the antispastics tables (matched doses; dose grid).
ANTISPASTICS_SERIES = ("dose_mg_per_day", "dose_fraction", "reflex_emg_rel", "reflex_torque_rel",
                       "voluntary_force_rel", "sedation_index", "sedation_band", "release_rel",
                       "inhibitory_conductance_ns", "stretch_excitation_rel", "pic_conductance_rel",
                       "force_per_activation_rel")
#: What an antispastics figure's bar panels may name (the sedation band is drawn as bands).
ANTISPASTICS_PANELS = ("reflex_emg_rel", "reflex_torque_rel", "voluntary_force_rel", "sedation_band", "release_rel",
                       "stretch_excitation_rel", "pic_conductance_rel", "force_per_activation_rel")
#: Default dose grid of the antispastics kind: fractions of each drug's labelled maximum daily dose.
ANTISPASTICS_DOSE_FRACTIONS = tuple(float(x) for x in np.round(np.linspace(0.0, 1.5, 16), 10))
# Bisection steps of the matched-dose search (sim.comparators.matched_doses).
_MATCH_ITERATIONS = 30


def _antispastics(scenario: Scenario, progress: Callable[[str], None] | None) -> dict[str, Result]:
    from . import comparators
    from .outcomes import sedation_band

    target = float(scenario.settings["target_reflex_torque_rel"])
    fractions = np.asarray(scenario.settings.get("dose_fractions", ANTISPASTICS_DOSE_FRACTIONS), dtype=float)
    # Arms sharing a patient and parameter set run together: every drug in one batched call.
    groups: dict[tuple[str, ModelParameters], list[Arm]] = {}
    for arm in scenario.arms:
        groups.setdefault((repr(arm.patient), _arm_params(arm)), []).append(arm)
    matched, grid = {}, {}
    for (_, params), arms in groups.items():
        drugs = [arm.drug for arm in arms]
        common = {"patient": arms[0].patient, "params": params}
        doses = comparators.matched_doses(target, drugs, iterations=_MATCH_ITERATIONS, **common)
        at_match = comparators.compare(drugs, doses[:, None], **common)
        maxima = np.array([comparators.label_max_mg_per_day(d) for d in drugs])
        sweep = comparators.compare(drugs, maxima[:, None] * fractions[None, :], **common)
        for row, arm in enumerate(arms):
            matched[arm.name] = {name: at_match[name][row] for name in comparators.COMPARISON_SERIES}
            matched[arm.name]["sedation_band"] = sedation_band(at_match["sedation_index"][row], params.sedation)
            grid[arm.name] = {name: sweep[name][row] for name in comparators.COMPARISON_SERIES}
            grid[arm.name]["sedation_band"] = sedation_band(sweep["sedation_index"][row], params.sedation)
            if progress:
                progress(f"  {arm.name}: matched dose {doses[row]:.4g} mg/day")
    order = [arm.name for arm in scenario.arms]
    drugs_meta = {arm.name: arm.drug for arm in scenario.arms}
    return {
        "matched": _table("target_reflex_torque_rel", np.array([target]), {n: matched[n] for n in order},
                          meta={"drugs": drugs_meta}),
        "dose": _table("dose_fraction", fractions, {n: {k: v for k, v in grid[n].items() if k != "dose_fraction"}
                                                    for n in order}, meta={"drugs": drugs_meta}),
    }


def _estimate_antispastics(scenario: Scenario) -> Estimate:
    arms = len(scenario.arms)
    fractions = len(scenario.settings.get("dose_fractions", ANTISPASTICS_DOSE_FRACTIONS))
    # Two protocols (fast stretch, maximal contraction) per compare call, plus the drug-free references.
    probes = 2 * arms * (fractions + 1 + _MATCH_ITERATIONS + 1) + 2 * (_MATCH_ITERATIONS + 3)
    columns = 1 + len(ANTISPASTICS_SERIES) * arms
    return Estimate(0, probes, (fractions + 1) * columns * _CELL_BYTES,
                    f"{_plural(arms, 'drug')} × ({fractions} doses + a {_MATCH_ITERATIONS}-step matched-dose search)",
                    "give fewer settings.dose_fractions or fewer arms")


# -- the scenario-kind registry ------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ScenarioKind:
    """Everything the package knows about one kind of teaching scenario, in one place.

    Attributes
    ----------
    name, description : str
        The ``kind = "…"`` of a scenario file and what it runs.
    settings : mapping
        Schema of the kind's ``[settings]`` table (keys of :mod:`sim.scenario`).
    panels : tuple of str
        What ``[figure] panels`` may name: the series the kind computes.
    tables : callable
        ``(scenario, progress) -> {table name: Result}``.
    estimate : callable
        ``scenario -> Estimate``: the size of a run, known before it starts.
    figure : str
        Name of the figure builder in :mod:`sim.plotting` (imported only when drawing).
    outputs : mapping of str to TableSpec
        The tables ``tables`` returns: axis, the series a claim may name, and whether the
        table has one row per arm (checked against computed tables in ``tests/test_claims.py``).
    """

    name: str
    description: str
    settings: Mapping[str, Any]
    panels: tuple[str, ...]
    tables: Callable[..., dict[str, Result]]
    estimate: Callable[[Scenario], Estimate]
    figure: str
    outputs: Mapping[str, TableSpec]


def _kinds(*kinds: ScenarioKind) -> dict[str, ScenarioKind]:
    return {kind.name: kind for kind in kinds}


#: The scenario kinds: validation (:mod:`sim.scenario`), computing (:func:`run_tables`),
#: sizing (:func:`estimate`) and drawing (:func:`sim.plotting.scenario_figure`) all read this table.
KINDS: dict[str, ScenarioKind] = _kinds(
    ScenarioKind("mechanism", "in-vitro concentration–response and the Ca²⁺ → release law",
                 MECHANISM_SETTINGS,
                 ("epsc_rel", "activation_pre", "release_rel", "fourth_power", "calcium_law",
                  "gabab_conductance", "gabab_cascade", "single_pulse", "burst"),
                 _mechanism, _estimate_mechanism, "mechanism_figure",
                 {"concentration_response": TableSpec("bath_um", ("epsc_rel", "activation_pre")),
                  "calcium_law": TableSpec("ca_influx_rel", ("release_rel", "fourth_power"), arms=False),
                  "gabab_cascade": TableSpec("t_ms", ("single_pulse", "burst"), arms=False)}),
    ScenarioKind("reflex", "stretch reflexes at several velocities, drug held constant", REFLEX_SETTINGS,
                 REFLEX_TRACES + REFLEX_SUMMARIES, _reflex, _estimate_reflex, "reflex_figure",
                 {"velocity": TableSpec("velocity_deg_s", REFLEX_SUMMARIES),
                  "traces": TableSpec("t_ms", REFLEX_TRACES)}),
    ScenarioKind("dose-response", "steady oral doses: reflex, weakness and sedation band",
                 DOSE_RESPONSE_SETTINGS, DOSE_SERIES + ("sedation_band",), _dose_response,
                 _estimate_dose_response, "dose_figure",
                 {"dose": TableSpec("daily_dose_mg", DOSE_SERIES + ("sedation_band",))}),
    ScenarioKind("course", "drug levels and reflex read-outs over hours to weeks", COURSE_SETTINGS,
                 COURSE_SERIES, _course, _estimate_course, "course_figure",
                 {"course": TableSpec("t_h", COURSE_SERIES)}),
    ScenarioKind("mechanisms", "presynaptic vs postsynaptic vs both, over spinal concentrations",
                 MECHANISMS_SETTINGS, MECHANISMS_SERIES, _mechanisms, _estimate_mechanisms,
                 "mechanisms_figure", {"concentration": TableSpec("spinal_effect_ng_ml", MECHANISMS_SERIES)}),
    ScenarioKind("population", "a seeded virtual cohort on one regimen: percentile bands and shares over time",
                 POPULATION_SETTINGS, POPULATION_PANELS, _population, _estimate_population, "population_figure",
                 {"cohort": TableSpec("t_h", POPULATION_SERIES)}),
    ScenarioKind("sensitivity", "which patient differences matter: tornado and Sobol indices at steady state",
                 SENSITIVITY_SETTINGS, SENSITIVITY_PANELS, _sensitivity, _estimate_sensitivity, "sensitivity_figure",
                 {"indices": TableSpec("input_index", SENSITIVITY_SERIES)}),
    ScenarioKind("clonus", "the reflex closed through the foot: clonus beats over spinal levels", CLONUS_SETTINGS,
                 CLONUS_TRACE_SERIES + CLONUS_SERIES, _clonus, _estimate_clonus, "clonus_figure",
                 {"levels": TableSpec("spinal_effect_ng_ml", CLONUS_SERIES),
                  "traces": TableSpec("t_ms", CLONUS_TRACE_SERIES)}),
    ScenarioKind("antispastics", "baclofen beside diazepam, tizanidine and dantrolene at doses matched for reflex "
                 "torque (illustrative)", ANTISPASTICS_SETTINGS, ANTISPASTICS_PANELS, _antispastics,
                 _estimate_antispastics, "antispastics_figure",
                 {"matched": TableSpec("target_reflex_torque_rel", ANTISPASTICS_SERIES),
                  "dose": TableSpec("dose_fraction", tuple(n for n in ANTISPASTICS_SERIES if n != "dose_fraction"))}),
)
#: What ``[figure] panels`` may name, by kind (a view of :data:`KINDS`).
PANELS: dict[str, tuple[str, ...]] = {name: kind.panels for name, kind in KINDS.items()}



def run_tables(scenario: Scenario, *, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
    """Compute every table a scenario plots (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`sim.scenario.load`).
    progress : callable, optional
        Receives short progress lines for long runs.
    """
    if scenario.kind not in KINDS:
        raise ParameterError(f"scenario kind = {scenario.kind!r} is not runnable; kinds: {', '.join(KINDS)}")
    return KINDS[scenario.kind].tables(scenario, progress)


def provenance(scenario: Scenario, overrides: Mapping[str, Any] | None = None, *,
               record_date: bool = True,
               claim_results: Sequence[claims_module.ClaimResult] = ()) -> dict[str, Any]:
    """Everything needed to reproduce a run, and the outcome of every claim (*claim_results*).

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
        "claims": [result.to_dict() for result in claim_results],
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
    force: bool = False,
    out_option: str = "out_dir",
    check_claims: bool = True,
) -> RunOutput:
    """Run *scenario* and write its figure, CSVs and provenance into *out_dir*.

    The tables are rounded to the precision of the CSV files (:meth:`Result.rounded`) before
    they are written and drawn, so figure and CSV agree to the digit.  ``record_date=False``
    leaves the run date out of the provenance file (the gallery's choice).

    Every claim of the scenario is evaluated on the (rounded) tables before anything is
    written; if one does not hold, :class:`~sim.errors.ClaimError` names it with the numbers
    measured and the output folder is left as it was.  ``check_claims=False``
    (``--allow-failed-claims``, for "what if" runs whose changes make the title untrue) writes
    the result set anyway; the provenance file then records which claims failed.

    Everything that can be checked is checked before computing starts: the formats, the
    file stem (``[figure] file`` or the name, :func:`sim.fileio.check_file_stem`), the size
    (:func:`estimate`; ``force=True`` runs a run above the limits) and the output folder.
    The files appear in *out_dir* together, once all of them are written; on an error or an
    interrupt none do.  *out_option* is the name quoted in messages about the folder
    (``"--out"`` on the command line).

    Returns
    -------
    RunOutput
        The scenario, its tables, the paths written and the claim results.

    Raises
    ------
    ClaimError
        If a claim of the scenario does not hold.
    """
    from . import plotting

    formats = check_formats(formats)
    stem = check_file_stem(scenario.figure.get("file", scenario.name),
                           what="figure.file" if "file" in scenario.figure else "name")
    estimate(scenario).check(force=force)
    out = Path(out_dir)
    names: list[str] = []
    with staged_output(out, option=out_option) as stage:
        tables = {name: table.rounded() for name, table in run_tables(scenario, progress=progress).items()}
        # The claims are checked on exactly the numbers the CSVs and the figure will show.
        claim_results = claims_module.evaluate(scenario.claims, tables)
        if check_claims:
            claims_module.check(claim_results, scenario.name)
        header = {"scenario": scenario.name, "scenario_sha256": scenario.sha256}
        for name, table in tables.items():
            names.append(table.to_csv(stage / f"{stem}-{name}.csv", extra_header=header).name)
        figure = plotting.scenario_figure(scenario, tables)
        names.extend(path.name for path in plotting.save_figure(figure, stage / stem, formats=formats))
        record = provenance(scenario, overrides, record_date=record_date, claim_results=claim_results)
        record["files"] = list(names)
        names.append(atomic_write_text(stage / f"{stem}-provenance.json",
                                       json.dumps(record, indent=2, ensure_ascii=False) + "\n").name)
    return RunOutput(scenario=scenario, tables=tables, files=tuple(out / name for name in names),
                     claims=tuple(claim_results))
