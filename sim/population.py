r"""Virtual patients: why two patients on the same dose differ.

``sim.population(n, seed=…)`` draws *n* virtual patients whose drug handling and
spinal sensitivity differ the way published population studies say they do,
and :meth:`Population.simulate` runs them all through one dosing course in one
batch.  Educational illustration – not for clinical use: the cohort shows the
*spread* a class can discuss, never a prediction for a real patient.

What varies, and how it is drawn
--------------------------------
Every patient-level quantity :math:`\theta_i` is the model's typical value
:math:`\theta_{typ}` times a log-normal factor (or, for severity and kidney
function, a value drawn on its own scale):

.. math::
   \theta_i = \theta_{typ}\,e^{\omega z_i},\qquad \omega = \sqrt{\ln(1 + CV^2)},
   \qquad z_i \sim N(0, 1)\ \text{truncated to}\ [z_{lo}, z_{hi}]

The truncation rule, one for every draw: :math:`z` is cut at
±``truncation_sd`` standard deviations (default 2.5) **and** wherever the
factor would take a parameter outside its physical bounds (the ``bounds`` of
the :mod:`sim.pk` / :mod:`sim.receptor` field it scales) or, for the CSF
clearance, outside its stated plausible range.  Truncated draws are made by
inverse transform, :math:`z = \Phi^{-1}(u)` with :math:`u` uniform on
:math:`[\Phi(z_{lo}), \Phi(z_{hi})]`, so each patient uses exactly one uniform
number per quantity and no draw is ever outside its bounds.  With symmetric
truncation at 2.5 SD the median is unchanged and the log-SD is
0.955 ω (:func:`truncated_sd_factor`).

=========================  ===============================  =============================
quantity                   scales                           spread (default)
=========================  ===============================  =============================
apparent clearance CL/F    ``pk.renal_fraction_of_…`` and   CV 33 % (He et al. 2014)
                           ``pk.nonrenal_clearance_ml_min``
apparent volume V/F        ``pk.apparent_volume_l``         CV 44 % (He et al. 2014, Vss/F)
absorption rate            ``pk.ka_tablet_per_h``,          CV 50 % (illustrative)
                           ``pk.ka_solution_per_h``
CSF clearance              ``pk.csf_clearance_ml_h``        derived from 13–80 mL/h in four
                                                            patients; range 10–100 mL/h
CSF-to-cord penetration    ``pk.cord_penetration``          CV 50 % (illustrative)
presynaptic potency        ``receptor.ec50_presynaptic_…``  CV 30 % (illustrative)
spasticity severity        ``Patient.spasticity``           0.75 ± 0.10, cut to 0.5–1.0
kidney function            ``Patient.creatinine_…``         fixed 115 mL/min, or uniform
                                                            on a stated range
=========================  ===============================  =============================

Reproducibility: :func:`population` uses ``numpy.random.default_rng(seed)``
and draws one row of uniform numbers per patient, one per quantity in the fixed
order of :data:`DRAWN`, so the same seed gives the same patients on every machine
and a cohort of *n* is the first *n* patients of a larger one drawn with the same
seed.

Reflex read-outs for a thousand patients: the response surface
---------------------------------------------------------------
A reflex probe costs ≈ 2–8 ms, and a cohort course needs one per patient and
hour.  The probe's result depends only on three numbers: presynaptic activation
:math:`a_{pre}` (drug, endogenous tone and receptor availability), postsynaptic
activation :math:`a_{post}` and severity.  :class:`ReadoutSurface` computes
the read-outs on a grid of those three in **one** batched call of
:func:`sim.readouts.evaluate` and interpolates (cubic, on
:class:`scipy.interpolate.RegularGridInterpolator`).  The caller builds it once
and passes it in; nothing is cached behind the caller's back.  Its error
against direct probes is measured by :meth:`ReadoutSurface.error` (tested in
``tests/test_population.py``): with the default grid the largest error of
``reflex_gain_rel`` on 200 random points of the grid's box is below
:data:`SURFACE_TOLERANCE` (0.01; measured 0.002–0.003, linear interpolation ≈ 0.02).

Examples
--------
>>> import sim
>>> cohort = sim.population(200, seed=1)
>>> cohort.n, sorted(cohort.draws)[:3]
(200, ['absorption_factor', 'clearance_factor', 'cord_penetration_factor'])
>>> course = cohort.simulate(sim.Oral(20, every_h=8, n_doses=9), 72, every_h=1.0)
>>> course.plasma_ng_ml.shape
(200, 73)
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from . import adaptation, outcomes, pk, receptor
from .dosing import Regimen
from .errors import ParameterError
from .model import ModelParameters
from .parameters import Parameters, check_choice, check_range, param
from .patient import Patient
from .result import Result
from .synapse import release_rel
from .units import ng_ml_to_um
from .variables import VARIABLES

__all__ = ["VariabilityParameters", "Population", "population", "ReadoutSurface", "SURFACE_READOUTS",
           "SURFACE_TOLERANCE", "DRAWN", "PERCENTILES", "truncated_sd_factor", "percentile_bands",
           "band_shares", "POPULATION_SERIES", "default_surface_size", "parameters_for", "expected_medians",
           "distribution_bounds"]

#: The drawn quantities, in the order they are drawn (one uniform number each per patient).
DRAWN = ("clearance_factor", "volume_factor", "absorption_factor", "csf_clearance_factor",
         "cord_penetration_factor", "ec50_presynaptic_factor", "spasticity", "creatinine_clearance_ml_min")

#: Read-outs a :class:`ReadoutSurface` can hold (a subset of :data:`sim.course.COURSE_READOUTS`).
SURFACE_READOUTS = ("reflex_gain_rel", "h_reflex_ratio", "voluntary_force_rel", "tone_discomfort_rel")

#: Stated bound on the default surface's interpolation error for ``reflex_gain_rel`` (absolute).
SURFACE_TOLERANCE = 0.01

#: Percentiles of the cohort summaries (5–95 % and 25–75 % bands around the median).
PERCENTILES = (5, 25, 50, 75, 95)

#: Course series a cohort course reports per patient.
POPULATION_SERIES = ("plasma_ng_ml", "csf_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml",
                     "receptor_availability", "a_pre", "a_post", "release_rel", "sedation_index",
                     "sedation_band", *SURFACE_READOUTS)


@dataclasses.dataclass(frozen=True, kw_only=True)
class VariabilityParameters(Parameters):
    """Inter-individual variability of the virtual cohort (see the module docstring)."""

    clearance_cv: float = param(
        0.33, symbol="CV_CL", unit="1", bounds=(0.0, 2.0), status="literature",
        source="He et al., J Pediatr 2014 (oral baclofen population PK in children with cerebral palsy): "
        "inter-individual variability of CL/F 33 %",
        description="coefficient of variation of apparent clearance (log-normal)",
    )
    volume_cv: float = param(
        0.44, symbol="CV_V", unit="1", bounds=(0.0, 2.0), status="literature",
        source="He et al., J Pediatr 2014: inter-individual variability of Vss/F 44 %",
        description="coefficient of variation of the apparent volume (log-normal)",
    )
    absorption_cv: float = param(
        0.5, symbol="CV_ka", unit="1", bounds=(0.0, 2.0), status="illustrative",
        source="illustrative: absorption rates typically vary widely between people; no stored source "
        "gives the baclofen value",
        description="coefficient of variation of the absorption rates (tablet and solution together)",
    )
    csf_clearance_cv: float = param(
        1.08, symbol="CV_csf", unit="1", bounds=(0.0, 2.0), status="derived",
        source="derived from intrathecal CSF clearance 13–80 mL/h in four patients (Eur J Clin Pharmacol, "
        "doi 10.1007/BF00265844): the range of four normal draws spans ≈ 2.06 SD, so "
        "ω = ln(80/13)/2.06 = 0.88 in log space, CV = √(e^{ω²} − 1) = 1.08",
        description="coefficient of variation of lumbar CSF clearance (log-normal)",
    )
    csf_clearance_low_ml_h: float = param(
        10.0, symbol="CL_csf,lo", unit="mL/h", bounds=(1.0, 500.0), status="illustrative",
        source="illustrative: a little below the lowest of the four measured values (13 mL/h, "
        "doi 10.1007/BF00265844)",
        description="lowest CSF clearance drawn (truncation)",
    )
    csf_clearance_high_ml_h: float = param(
        100.0, symbol="CL_csf,hi", unit="mL/h", bounds=(1.0, 500.0), status="illustrative",
        source="illustrative: a little above the highest of the four measured values (80 mL/h, "
        "doi 10.1007/BF00265844)",
        description="highest CSF clearance drawn (truncation)",
    )
    cord_penetration_cv: float = param(
        0.5, symbol="CV_pen", unit="1", bounds=(0.0, 2.0), status="illustrative",
        source="illustrative: steep and variable CSF-to-tissue gradients (Heetla et al., Br J Clin "
        "Pharmacol 2016); no measured between-patient spread",
        description="coefficient of variation of the CSF-to-cord penetration factor (log-normal)",
    )
    ec50_presynaptic_cv: float = param(
        0.3, symbol="CV_EC50", unit="1", bounds=(0.0, 2.0), status="illustrative",
        source="illustrative: receptor sensitivity differs between people; no measured spread",
        description="coefficient of variation of the presynaptic EC50 (log-normal)",
    )
    spasticity_median: float = param(
        0.75, symbol="s_med", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: a cohort between moderate (0.5) and severe (1.0) spasticity",
        description="median spasticity severity (truncated normal)",
    )
    spasticity_sd: float = param(
        0.1, symbol="s_sd", unit="1", bounds=(0.0, 0.5), status="illustrative",
        source="illustrative: with truncation at 2.5 SD the cohort spans severity 0.5–1.0",
        description="standard deviation of spasticity severity before truncation",
    )
    creatinine_clearance_low_ml_min: float = param(
        115.0, symbol="CrCL_lo", unit="mL/min", bounds=(0.0, 250.0), status="illustrative",
        source="default: kidney function fixed at the model's healthy adult (115 mL/min, sim.Patient); "
        "set a range to draw it",
        description="lowest creatinine clearance drawn (uniform; equal to the highest: fixed)",
    )
    creatinine_clearance_high_ml_min: float = param(
        115.0, symbol="CrCL_hi", unit="mL/min", bounds=(0.0, 250.0), status="illustrative",
        source="default: kidney function fixed at 115 mL/min (healthy adult, sim.Patient)",
        description="highest creatinine clearance drawn (uniform)",
    )
    truncation_sd: float = param(
        2.5, symbol="k", unit="1", bounds=(1.0, 5.0), status="illustrative",
        source="illustrative: no virtual patient further than 2.5 SD from the typical one on any "
        "quantity (keeps the tails physical; removes 1.2 % of an untruncated normal)",
        description="every normal draw is truncated at ± this many standard deviations",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        for low, high in (("csf_clearance_low_ml_h", "csf_clearance_high_ml_h"),
                          ("creatinine_clearance_low_ml_min", "creatinine_clearance_high_ml_min")):
            if np.any(np.asarray(getattr(self, low)) > np.asarray(getattr(self, high))):
                raise ParameterError(f"VariabilityParameters.{low} = {getattr(self, low)!r} is above "
                                     f"{high} = {getattr(self, high)!r}")

    @classmethod
    def none(cls) -> VariabilityParameters:
        """No variability at all: every patient is the typical patient."""
        return cls(clearance_cv=0.0, volume_cv=0.0, absorption_cv=0.0, csf_clearance_cv=0.0,
                   cord_penetration_cv=0.0, ec50_presynaptic_cv=0.0, spasticity_sd=0.0)


def omega(cv: float) -> float:
    """Log-space SD of a log-normal with coefficient of variation *cv*: √ln(1 + CV²)."""
    return math.sqrt(math.log1p(cv * cv))


def truncated_sd_factor(low: float, high: float) -> float:
    """SD of a standard normal truncated to [*low*, *high*] (``truncated_sd_factor(-2.5, 2.5)`` ≈ 0.955).

    Examples
    --------
    >>> round(truncated_sd_factor(-2.5, 2.5), 3)
    0.955
    """
    from scipy.stats import truncnorm

    return float(truncnorm.std(low, high))


def _truncated_normal(u: np.ndarray, low: float, high: float) -> np.ndarray:
    """Inverse-transform draw of a standard normal truncated to [low, high] from uniforms *u*."""
    from scipy.special import ndtr, ndtri

    lo, hi = ndtr(low), ndtr(high)
    return np.clip(ndtri(lo + u * (hi - lo)), low, high)


@dataclasses.dataclass(frozen=True)
class _LogNormal:
    """How one log-normal factor is drawn: its CV and the bounds on the factor."""

    cv: float
    low: float
    high: float

    def z_bounds(self, k: float) -> tuple[float, float]:
        w = omega(self.cv)
        if w == 0.0:
            return 0.0, 0.0
        return max(-k, math.log(self.low) / w), min(k, math.log(self.high) / w)

    def draw(self, u: np.ndarray, k: float) -> np.ndarray:
        w = omega(self.cv)
        if w == 0.0:
            return np.ones_like(u)
        low, high = self.z_bounds(k)
        return np.clip(np.exp(w * _truncated_normal(u, low, high)), self.low, self.high)

    def median(self, k: float) -> float:
        """Median of the truncated factor."""
        from scipy.special import ndtr, ndtri

        low, high = self.z_bounds(k)
        if low == high:
            return 1.0
        return float(np.exp(omega(self.cv) * ndtri(0.5 * (ndtr(low) + ndtr(high)))))


def _factor_bounds(params: Parameters, fields: Iterable[str]) -> tuple[float, float]:
    """Range of a factor that keeps every scaled field inside its physical bounds."""
    low, high = 0.0, math.inf
    for name in fields:
        value = float(getattr(params, name))
        lo, hi = type(params).metadata(name)["bounds"]
        if value > 0:
            low, high = max(low, lo / value), min(high, hi / value)
    return max(low, 1e-12), high


def _distributions(variability: VariabilityParameters, base: ModelParameters) -> dict[str, _LogNormal]:
    v = variability
    p = base.pk
    csf_low, csf_high = _factor_bounds(p, ["csf_clearance_ml_h"])
    csf_low = max(csf_low, v.csf_clearance_low_ml_h / p.csf_clearance_ml_h)
    csf_high = min(csf_high, v.csf_clearance_high_ml_h / p.csf_clearance_ml_h)
    return {
        "clearance_factor": _LogNormal(v.clearance_cv, *_factor_bounds(
            p, ["renal_fraction_of_creatinine_clearance", "nonrenal_clearance_ml_min"])),
        "volume_factor": _LogNormal(v.volume_cv, *_factor_bounds(p, ["apparent_volume_l"])),
        "absorption_factor": _LogNormal(v.absorption_cv, *_factor_bounds(
            p, ["ka_tablet_per_h", "ka_solution_per_h"])),
        "csf_clearance_factor": _LogNormal(v.csf_clearance_cv, csf_low, csf_high),
        "cord_penetration_factor": _LogNormal(v.cord_penetration_cv, *_factor_bounds(p, ["cord_penetration"])),
        "ec50_presynaptic_factor": _LogNormal(v.ec50_presynaptic_cv, *_factor_bounds(
            base.receptor, ["ec50_presynaptic_r_um"])),
    }


@dataclasses.dataclass(frozen=True, eq=False)
class Population:
    """A cohort of virtual patients (made by :func:`population`).

    Attributes
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    variability : VariabilityParameters
        The distributions drawn from.
    draws : mapping of str to numpy.ndarray
        Every drawn quantity (:data:`DRAWN`), shape ``(n,)``: the log-normal factors
        (1 = typical), ``spasticity`` and ``creatinine_clearance_ml_min``.
    patient : Patient
        The patients (array-valued ``spasticity`` and ``creatinine_clearance_ml_min``).
    params : ModelParameters
        Per-patient parameters: array fields of shape ``(n,)`` in ``pk`` and ``receptor``.
    base : ModelParameters
        The typical patient's parameters the factors scale.
    """

    seed: int
    variability: VariabilityParameters
    draws: Mapping[str, np.ndarray]
    patient: Patient
    params: ModelParameters
    base: ModelParameters

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.draws["spasticity"].size)

    @property
    def labels(self) -> tuple[str, ...]:
        """Patient labels ``"p0001"`` … used as the batch label of results."""
        width = max(4, len(str(self.n)))
        return tuple(f"p{i + 1:0{width}d}" for i in range(self.n))

    def table(self) -> dict[str, np.ndarray]:
        """Per-patient values a clinician would recognise: CL/F (mL/min), V/F (L), CSF clearance …"""
        p, r = self.params.pk, self.params.receptor
        return {
            "apparent_clearance_ml_min": np.asarray(pk.apparent_clearance_ml_min(self.patient, p), dtype=float),
            "apparent_volume_l": np.asarray(p.apparent_volume_l, dtype=float),
            "ka_tablet_per_h": np.asarray(p.ka_tablet_per_h, dtype=float),
            "csf_clearance_ml_h": np.asarray(p.csf_clearance_ml_h, dtype=float),
            "cord_penetration": np.asarray(p.cord_penetration, dtype=float),
            "ec50_presynaptic_r_um": np.asarray(r.ec50_presynaptic_r_um, dtype=float),
            "spasticity": np.asarray(self.patient.severity, dtype=float),
            "creatinine_clearance_ml_min": np.asarray(self.patient.creatinine_clearance_ml_min, dtype=float),
        }

    def simulate(
        self,
        regimen: Any,
        hours: float,
        *,
        every_h: float = 1.0,
        surface: ReadoutSurface | None = None,
        mechanism: str = "both",
        enantiomer: str = "racemic",
    ) -> Result:
        """Every patient of the cohort through one dosing course, in one batch.

        Drug levels are exact (:func:`sim.pk.simulate` with per-patient parameters),
        receptor availability adapts as in :func:`sim.simulate`, and sedation is the
        same qualitative index and band.  Reflex read-outs come from *surface*
        (interpolated, error stated by :meth:`ReadoutSurface.error`); without one the
        result holds exposure, activations and sedation only.

        Parameters
        ----------
        regimen : Regimen or a regimen block
            The same for every patient.
        hours : float
            Simulated time, h.
        every_h : float
            Output spacing, h.
        surface : ReadoutSurface, optional
            Built once by the caller (:meth:`ReadoutSurface.build`) with this cohort's
            non-varying parameters; its read-outs are added to the result.
        mechanism, enantiomer
            As in :func:`sim.simulate`.

        Returns
        -------
        Result
            Axis ``t_h``; series of shape ``(n, n_times)`` with the batch label
            ``"patient"`` (:attr:`labels`); ``meta["draws"]`` holds the drawn values.

        Raises
        ------
        ParameterError
            For bad arguments, or activations outside the surface's grid.
        """
        check_choice("mechanism", mechanism, receptor.MECHANISMS)
        check_choice("enantiomer", enantiomer, receptor.ENANTIOMERS)
        hours = float(check_range("hours", hours, 1e-3, 24.0 * 366, "h"))
        step = float(check_range("every_h", every_h, 1e-3, hours, "h"))
        count = int(np.floor(hours / step + 1e-9)) + 1
        t_h = np.linspace(0.0, (count - 1) * step, count)
        regimen = regimen if isinstance(regimen, Regimen) else Regimen(regimen)
        params = self.params
        grid = adaptation.fine_grid(t_h, regimen.breakpoints(), 0.25)
        at = np.searchsorted(grid, t_h)
        fine = pk.simulate(self.patient, regimen, grid, params=params.pk)
        rho = adaptation.availability_on_grid(grid, fine["spinal_effect_ng_ml"], params=params.adaptation,
                                              receptor_params=params.receptor)[..., at]
        exposure = {name: fine[name][..., at] for name in ("plasma_ng_ml", "csf_ng_ml", "spinal_effect_ng_ml",
                                                          "brain_ng_ml")}
        shape = (self.n, t_h.size)
        column = _column_params(params.receptor)
        a_pre, a_post = receptor.site_activations(ng_ml_to_um(exposure["spinal_effect_ng_ml"]),
                                                  enantiomer=enantiomer, mechanism=mechanism,
                                                  availability=np.broadcast_to(rho, shape), params=column)
        sedation = outcomes.sedation_index(exposure["brain_ng_ml"], params.sedation, enantiomer=enantiomer,
                                           receptor_params=column)
        severity = np.broadcast_to(np.asarray(self.patient.severity, dtype=float)[:, None], shape)
        series: dict[str, Any] = {**exposure, "receptor_availability": np.broadcast_to(rho, shape),
                                  "a_pre": a_pre, "a_post": a_post,
                                  "release_rel": release_rel(a_pre, params.synapse, column),
                                  "sedation_index": sedation,
                                  "sedation_band": outcomes.sedation_band(sedation, params.sedation)}
        if surface is not None:
            series.update(surface(a_pre, a_post, severity, sedation_index=sedation))
        units = {name: VARIABLES[name].unit for name in series}
        meta = {"educational_only": True, "regimen": regimen.to_dict(), "seed": self.seed, "n": self.n,
                "variability": {row["name"]: row["value"] for row in self.variability.table()},
                "draws": {k: v.tolist() for k, v in self.draws.items()},
                "surface": None if surface is None else surface.describe(),
                "mechanism": mechanism, "enantiomer": enantiomer}
        return Result("t_h", t_h, series, units=units, meta=meta, batch_labels={"patient": self.labels})


def _column_params(params: Parameters) -> Parameters:
    """Copy whose array fields (one value per patient) get a trailing time axis."""
    changes = {f.name: np.asarray(getattr(params, f.name), dtype=float)[:, None]
               for f in dataclasses.fields(params) if np.ndim(getattr(params, f.name)) == 1}
    return dataclasses.replace(params, **changes) if changes else params


def population(
    n: int,
    *,
    seed: int,
    variability: VariabilityParameters | None = None,
    params: ModelParameters | None = None,
) -> Population:
    """Draw *n* virtual patients (see the module docstring for what varies and how).

    Parameters
    ----------
    n : int
        Number of patients (1–100,000).
    seed : int
        Seed of ``numpy.random.default_rng`` (≥ 0); the same seed gives the same patients
        on every machine.
    variability : VariabilityParameters, optional
        The distributions (default: literature CVs where known, else illustrative).
    params : ModelParameters, optional
        The typical patient's parameters (scalars); the factors scale them.

    Returns
    -------
    Population

    Examples
    --------
    >>> a, b = population(5, seed=3), population(5, seed=3)
    >>> bool((a.draws["clearance_factor"] == b.draws["clearance_factor"]).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 100_000:
        raise ParameterError(f"n = {n!r}: expected a whole number of patients from 1 to 100000")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed = {seed!r}: expected a whole number ≥ 0")
    variability = variability or VariabilityParameters()
    if not isinstance(variability, VariabilityParameters):
        raise ParameterError(f"variability = {variability!r} is not a VariabilityParameters")
    base = params or ModelParameters()
    for stage in ("pk", "receptor"):
        if any(np.ndim(getattr(getattr(base, stage), f.name)) for f in dataclasses.fields(getattr(base, stage))):
            raise ParameterError(f"params.{stage} has array fields; a population takes one typical patient")
    n = int(n)
    rng = np.random.default_rng(int(seed))
    # One row of uniforms per patient, in the order of DRAWN: reproducible on every machine, and
    # patient i is the same in a cohort of any size drawn with this seed.
    table = rng.random((n, len(DRAWN)))
    uniforms = {name: table[:, j] for j, name in enumerate(DRAWN)}
    k = float(variability.truncation_sd)
    draws = {name: spec.draw(uniforms[name], k) for name, spec in _distributions(variability, base).items()}
    sd = float(variability.spasticity_sd)
    if sd > 0:
        low = max(-k, (0.0 - variability.spasticity_median) / sd)
        high = min(k, (1.0 - variability.spasticity_median) / sd)
        draws["spasticity"] = np.clip(variability.spasticity_median + sd * _truncated_normal(
            uniforms["spasticity"], low, high), 0.0, 1.0)
    else:
        draws["spasticity"] = np.full(n, float(variability.spasticity_median))
    crcl_low, crcl_high = variability.creatinine_clearance_low_ml_min, variability.creatinine_clearance_high_ml_min
    draws["creatinine_clearance_ml_min"] = crcl_low + (crcl_high - crcl_low) * uniforms["creatinine_clearance_ml_min"]
    draws = {name: draws[name] for name in DRAWN}
    patient, per_patient = parameters_for(draws, base)
    return Population(seed=int(seed), variability=variability, draws=draws, patient=patient,
                      params=per_patient, base=base)


def parameters_for(draws: Mapping[str, Any], params: ModelParameters | None = None
                   ) -> tuple[Patient, ModelParameters]:
    """Patients and per-patient parameters from drawn values (the keys of :data:`DRAWN`).

    Each factor scales the typical patient's value (*params*, scalars); ``spasticity`` and
    ``creatinine_clearance_ml_min`` are the values themselves.  Used by :func:`population`
    and by :mod:`sim.sensitivity` (which sets the values instead of drawing them).
    """
    base = params or ModelParameters()
    missing = [name for name in DRAWN if name not in draws]
    if missing:
        raise ParameterError(f"draws lacks {', '.join(missing)}; expected every name of DRAWN")
    p, r = base.pk, base.receptor
    clearance = np.asarray(draws["clearance_factor"], dtype=float)
    absorption = np.asarray(draws["absorption_factor"], dtype=float)
    pk_params = p.replace(
        renal_fraction_of_creatinine_clearance=p.renal_fraction_of_creatinine_clearance * clearance,
        nonrenal_clearance_ml_min=p.nonrenal_clearance_ml_min * clearance,
        apparent_volume_l=p.apparent_volume_l * np.asarray(draws["volume_factor"], dtype=float),
        ka_tablet_per_h=p.ka_tablet_per_h * absorption,
        ka_solution_per_h=p.ka_solution_per_h * absorption,
        csf_clearance_ml_h=p.csf_clearance_ml_h * np.asarray(draws["csf_clearance_factor"], dtype=float),
        cord_penetration=p.cord_penetration * np.asarray(draws["cord_penetration_factor"], dtype=float),
    )
    receptor_params = r.replace(ec50_presynaptic_r_um=r.ec50_presynaptic_r_um
                                * np.asarray(draws["ec50_presynaptic_factor"], dtype=float))
    patient = Patient(condition="spastic", spasticity=np.asarray(draws["spasticity"], dtype=float),
                      creatinine_clearance_ml_min=np.asarray(draws["creatinine_clearance_ml_min"], dtype=float))
    return patient, dataclasses.replace(base, pk=pk_params, receptor=receptor_params)


def expected_medians(variability: VariabilityParameters | None = None,
                     params: ModelParameters | None = None) -> dict[str, float]:
    """Median of every drawn quantity under its truncated distribution (what a large cohort shows)."""
    variability = variability or VariabilityParameters()
    base = params or ModelParameters()
    k = float(variability.truncation_sd)
    out = {name: spec.median(k) for name, spec in _distributions(variability, base).items()}
    sd = float(variability.spasticity_sd)
    if sd > 0:
        from scipy.special import ndtr, ndtri

        low = max(-k, -variability.spasticity_median / sd)
        high = min(k, (1.0 - variability.spasticity_median) / sd)
        out["spasticity"] = float(variability.spasticity_median + sd * ndtri(0.5 * (ndtr(low) + ndtr(high))))
    else:
        out["spasticity"] = float(variability.spasticity_median)
    out["creatinine_clearance_ml_min"] = 0.5 * (variability.creatinine_clearance_low_ml_min
                                               + variability.creatinine_clearance_high_ml_min)
    return out


def distribution_bounds(variability: VariabilityParameters | None = None,
                        params: ModelParameters | None = None) -> dict[str, tuple[float, float]]:
    """The range every drawn quantity is kept in (truncation at ±k SD and physical bounds)."""
    variability = variability or VariabilityParameters()
    base = params or ModelParameters()
    k = float(variability.truncation_sd)
    out = {}
    for name, spec in _distributions(variability, base).items():
        low, high = spec.z_bounds(k)
        w = omega(spec.cv)
        out[name] = (math.exp(w * low), math.exp(w * high))
    m, sd = variability.spasticity_median, variability.spasticity_sd
    out["spasticity"] = (max(0.0, m - k * sd), min(1.0, m + k * sd))
    out["creatinine_clearance_ml_min"] = (variability.creatinine_clearance_low_ml_min,
                                          variability.creatinine_clearance_high_ml_min)
    return out


# --------------------------------------------------------------------------- response surface
def _default_grid(name: str) -> np.ndarray:
    if name == "a_pre":
        # Denser where patients sit (0.15 drug-free … 0.5), coarser up to 0.95.
        return np.concatenate([np.linspace(0.08, 0.5, 15), np.linspace(0.55, 0.9, 8)])
    if name == "a_post":
        return np.array([0.0, 0.03, 0.06, 0.1, 0.15, 0.25])
    return np.linspace(0.5, 1.0, 6)


def default_surface_size() -> int:
    """Grid points (probes per protocol) of a :class:`ReadoutSurface` built with the default axes."""
    return int(np.prod([_default_grid(name).size for name in ("a_pre", "a_post", "severity")]))


@dataclasses.dataclass(frozen=True, eq=False)
class ReadoutSurface:
    """Reflex read-outs on a grid of (a_pre, a_post, severity), interpolated.

    Build it once with :meth:`build` (one batched probe call for the whole grid) and pass
    it to :meth:`Population.simulate` or call it directly.  Relative read-outs
    (``reflex_gain_rel`` …) are formed on the grid against the drug-free probe of the same
    severity, then interpolated.  Queries outside the grid raise (no extrapolation).

    Interpolation error: with the default grid (23 × 6 × 6 points: a_pre 0.08–0.9, a_post
    0–0.25, severity 0.5–1.0) and cubic interpolation the largest absolute error of
    ``reflex_gain_rel`` against direct probes on 200 random points of the box is below
    :data:`SURFACE_TOLERANCE` = 0.01 (measured 0.002–0.003 when written, linear ≈ 0.02; :meth:`error`
    measures it again, ``tests/test_population.py`` checks it).

    Attributes
    ----------
    readouts : tuple of str
        Read-outs held (subset of :data:`SURFACE_READOUTS`).
    axes : tuple of numpy.ndarray
        Grid of a_pre, a_post and severity.
    values : mapping of str to numpy.ndarray
        Read-outs on the grid (``voluntary_force_rel`` is held as its spinal part).
    method : str
        ``"cubic"`` or ``"linear"`` (:class:`scipy.interpolate.RegularGridInterpolator`).
    params : ModelParameters
        The parameters the probes used.
    """

    readouts: tuple[str, ...]
    axes: tuple[np.ndarray, np.ndarray, np.ndarray]
    values: Mapping[str, np.ndarray]
    method: str
    params: ModelParameters
    dt_ms: float | None = None

    @classmethod
    def build(cls, readouts: Iterable[str] = ("reflex_gain_rel",), params: ModelParameters | None = None, *,
              a_pre: Any = None, a_post: Any = None, severity: Any = None, method: str = "cubic",
              dt_ms: float | None = None) -> ReadoutSurface:
        """Probe every grid point in one batched call and return the surface.

        Parameters
        ----------
        readouts : iterable of str
            Subset of :data:`SURFACE_READOUTS`.
        params : ModelParameters, optional
            Reflex-stage parameters (scalars; the cohort's varying ones are pk and the
            presynaptic EC50, which act through a_pre and do not enter the probe).
        a_pre, a_post, severity : array_like, optional
            Strictly increasing grid axes (defaults in the class docstring); at least 4
            points each for cubic interpolation.
        method : {"cubic", "linear"}
        dt_ms : float, optional
            Probe step (default: each protocol's own).
        """
        from . import readouts as ro

        params = params or ModelParameters()
        wanted = tuple(readouts)
        for name in wanted:
            check_choice("readouts", name, SURFACE_READOUTS)
        if not wanted:
            raise ParameterError("readouts is empty; name at least one of " + ", ".join(SURFACE_READOUTS))
        check_choice("method", method, ("cubic", "linear"))
        axes = []
        for label, given, low, high in (("a_pre", a_pre, 0.0, 1.0), ("a_post", a_post, 0.0, 1.0),
                                        ("severity", severity, 0.0, 1.0)):
            axis = _default_grid(label) if given is None else check_range(label, given, low, high)
            if axis.ndim != 1 or axis.size < (4 if method == "cubic" else 2) or np.any(np.diff(axis) <= 0):
                raise ParameterError(f"{label} = {given!r}: expected a strictly increasing grid of at least "
                                     f"{4 if method == 'cubic' else 2} values")
            axes.append(np.asarray(axis, dtype=float))
        pre, post, sev = np.meshgrid(*axes, indexing="ij")
        names = [("voluntary_force_spinal_rel" if name == "voluntary_force_rel" else name) for name in wanted]
        requested, _ = ro.with_relative(names, pre, post, sev, params, dt_ms=dt_ms)
        held = {name: requested[given] for name, given in zip(wanted, names, strict=True)}
        return cls(readouts=wanted, axes=tuple(axes), values=held, method=method, params=params, dt_ms=dt_ms)

    @property
    def size(self) -> int:
        """Number of grid points (probes per read-out protocol)."""
        return int(np.prod([axis.size for axis in self.axes]))

    def describe(self) -> dict[str, Any]:
        """The grid and method, for provenance."""
        return {"readouts": list(self.readouts), "method": self.method,
                "a_pre": self.axes[0].tolist(), "a_post": self.axes[1].tolist(),
                "severity": self.axes[2].tolist()}

    def __call__(self, a_pre: Any, a_post: Any, severity: Any, *, sedation_index: Any = 0.0
                 ) -> dict[str, np.ndarray]:
        """Interpolated read-outs at broadcasting arrays of a_pre, a_post and severity.

        ``voluntary_force_rel`` includes the central part, so it needs the sedation
        index (:func:`sim.outcomes.central_drive_factor`).

        Raises
        ------
        ParameterError
            For a point outside the grid, naming the axis and its range.
        """
        from scipy.interpolate import RegularGridInterpolator

        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a_pre, a_post, severity)))
        for label, axis, values in zip(("a_pre", "a_post", "severity"), self.axes, arrays, strict=True):
            check_range(f"{label} (outside the surface's grid)", values, float(axis[0]), float(axis[-1]))
        points = np.stack([v.ravel() for v in arrays], axis=-1)
        out = {}
        for name in self.readouts:
            interpolate = RegularGridInterpolator(self.axes, self.values[name], method=self.method)
            value = interpolate(points).reshape(arrays[0].shape)
            if name == "voluntary_force_rel":
                spinal = value
                out["voluntary_force_spinal_rel"] = spinal
                value = spinal * outcomes.central_drive_factor(np.broadcast_to(sedation_index, spinal.shape),
                                                               self.params.sedation)
            out[name] = value
        return out

    def error(self, n: int = 200, *, seed: int = 0) -> dict[str, float]:
        """Largest absolute interpolation error per read-out on *n* random points (direct probes).

        The points are drawn uniformly in the grid's box with ``default_rng(seed)``.
        """
        from . import readouts as ro

        rng = np.random.default_rng(seed)
        points = [axis[0] + (axis[-1] - axis[0]) * rng.random(n) for axis in self.axes]
        names = [("voluntary_force_spinal_rel" if name == "voluntary_force_rel" else name)
                 for name in self.readouts]
        direct = ro.evaluate(names, *points, self.params, dt_ms=self.dt_ms)
        reference = ro.drug_free(names, points[2], self.params, dt_ms=self.dt_ms)
        interpolated = self(*points)
        errors = {}
        for name in self.readouts:
            if name == "reflex_gain_rel":
                exact = direct["emg_peak"] / reference["emg_peak"]
            elif name == "voluntary_force_rel":
                exact = direct["voluntary_force_n"] / reference["voluntary_force_n"]
                name_used = "voluntary_force_spinal_rel"
                errors[name] = float(np.max(np.abs(interpolated[name_used] - exact)))
                continue
            elif name == "tone_discomfort_rel":
                exact = direct["torque_peak_nm"] / reference["torque_peak_nm"]
            else:
                exact = direct[name]
            errors[name] = float(np.max(np.abs(interpolated[name] - exact)))
        return errors


# --------------------------------------------------------------------------- cohort summaries
def percentile_bands(result: Result, name: str, percentiles: Iterable[float] = PERCENTILES
                     ) -> dict[int, np.ndarray]:
    """Percentiles of *name* across the patients at every time: ``{5: …, 25: …, 50: …}``.

    Examples
    --------
    >>> import numpy as np
    >>> r = Result("t_h", [0.0, 1.0], {"plasma_ng_ml": np.arange(10.0)[:, None] * [1.0, 2.0]})
    >>> percentile_bands(r, "plasma_ng_ml", (50,))[50].tolist()
    [4.5, 9.0]
    """
    values = np.asarray(result[name], dtype=float)
    values = values.reshape(-1, values.shape[-1])
    return {int(p) if float(p).is_integer() else p: np.percentile(values, p, axis=0) for p in percentiles}


def band_shares(result: Result, name: str = "sedation_band") -> dict[str, np.ndarray]:
    """Share of the virtual cohort in each sedation band at every time (sums to 1).

    A share of the cohort, not a probability of harm: the bands are qualitative.
    """
    bands = np.asarray(result[name]).reshape(-1, result.axis.size)
    return {band: np.mean(bands == band, axis=0) for band in outcomes.BANDS}


# `sim.population` is both this module and the function that draws a cohort: importing the
# module (``import sim.population``) makes it an attribute of the package, so the module
# itself is made callable and forwards to :func:`population`.
class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Population:
        return population(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
