r"""Pharmacokinetics: from a dosing regimen to drug in the spinal cord and the brain.

Stage 1 of the chain.  A linear compartment model, solved exactly.

Equations
---------
Amounts :math:`A` in mg, effect-site concentrations :math:`E, T_b, C_b` in ng/mL,
clearances in L/h, concentrations :math:`C_p = A_c/V` and
:math:`C_{csf} = A_{csf}/V_{csf}`:

.. math::
   \dot A_{g,f} &= -k_{a,f}\,A_{g,f} + \textstyle\sum \text{oral doses of formulation } f \\
   \dot A_c &= F \sum_f k_{a,f} A_{g,f}
             - (CL_R + CL_{NR} + CL_{HD}(t) + CL_{in})\,C_p + CL_{csf}\,C_{csf} \\
   \dot A_{csf} &= CL_{in}\,C_p - CL_{csf}\,C_{csf} + R_{IT}(t)
                 + \textstyle\sum \text{intrathecal boluses} \\
   \dot E_1 &= k_e\,(C_{csf} - E_1),\qquad \dot E_2 = k_e\,(E_1 - E_2) \\
   \dot T_b &= k_t\,(r_t\,C_p - T_b),\qquad C_t = T_b + f_{pen}\,E_2 \\
   \dot C_b &= k_b\,(r_b\,C_p + c_{rostral}\,C_{csf} - C_b)

with :math:`CL_R = f_R \cdot CrCL` (apparent renal clearance ≈ creatinine
clearance; Wuis 1989, Kochak 1985), :math:`CL_{NR}` non-renal clearance,
:math:`V = F \cdot (V/F)`, :math:`CL_{in} = r_{csf}\,CL_{csf}` (so the CSF:plasma
ratio at steady state is :math:`r_{csf}` = 0.12), :math:`CL_{csf}` the bulk-flow
clearance of lumbar CSF (the drug returns to blood), :math:`CL_{HD}(t)` a
dialysis session's clearance and :math:`R_{IT}(t)` the pump rate.  The fraction
:math:`1 - F` of each oral dose is lost before reaching plasma.  Cumulative
outputs (urine, metabolism, dialysate, pre-systemic loss) are integrated as
extra states, so mass balance holds to round-off.

The cord tissue: two routes, two time scales
--------------------------------------------
:math:`C_t` (``spinal_effect_ng_ml``) is the concentration in spinal cord tissue,
the effect site that drives the reflex model.  Lumbar CSF is *not* the effect
site: under intrathecal therapy it is far above any oral CSF level (≈ 556 ng/mL
at 400 µg/day), yet patients on 300–800 µg/day keep voluntary movement, because
the drug meets a steep CSF-to-tissue and rostro-caudal gradient (Heetla et al.
2016; Kroin et al. 1993).  The tissue is reached by two routes with one
parameter set:

* **from blood** (what oral dosing uses): first-order equilibration across the
  blood–spinal cord barrier, :math:`T_b`, with the same steady-state ratio as
  CSF and brain (:math:`r_t` = 0.12) and rate :math:`k_t` = 1.2 h⁻¹, so the tissue
  follows plasma within ≈ 1.3 h (peak ≈ 2.5 h after a tablet);
* **from lumbar CSF** (what intrathecal dosing uses): two transit stages
  :math:`E_1 \to E_2` (:math:`k_e` = 0.5 h⁻¹ each), calibrated to the bolus time course
  (onset 0.5–1 h, peak ≈ 4 h, 4–8 h duration; label), scaled by the penetration
  factor :math:`f_{pen}` (steady-state tissue : CSF).  :math:`f_{pen}` = 0.14 makes
  IT 400 µg/day give ≈ 2.5× the mean tissue level of oral 20 mg three times
  daily (:func:`penetration_for_tissue_ratio` recomputes it for another target).

With oral dosing CSF carries 0.12 × plasma too, so its route adds
:math:`f_{pen}` × 0.12 × plasma (≈ 14 %) on top of the blood route – a small, slow
part; with intrathecal dosing the blood route is negligible (plasma ≈ 2 ng/mL).
The CSF-side transit :math:`E_2` itself is reported as ``csf_transit_ng_ml``.

:math:`C_b` (``brain_ng_ml``) drives sedation: from plasma like CSF does, plus a
small rostral spill-over from lumbar CSF.  :math:`E_1, E_2, T_b, C_b` are effect
compartments (no mass), so they do not enter the mass balance.

All concentrations are **total** (racemic) baclofen; R and S have identical
PK (He et al. 2014) and only R is active – that is handled once, in
:func:`sim.receptor.r_equivalent_um`.

Why one plasma compartment: Kochak (1985) saw a short distribution phase
(α = 1.29 h⁻¹) that overlaps absorption after oral doses; one compartment
with V/F = 57 L reproduces the 10 mg Cmax (≈ 140 ng/mL), Tmax and the 3–4 h
half-life, which is what this teaching model needs.

Renal excretion: a trade-off
----------------------------
Three sets of data meet in :math:`F`, :math:`CL_{NR}` and the default creatinine
clearance (115 mL/min, :class:`sim.Patient`): CL/F ≈ 180 mL/min (Kochak 1985);
a fraction excreted unchanged :math:`f_e = F\,CL_R/CL` of 0.69 ± 0.14 (Wuis 1989,
healthy), 0.65 ± 0.16 (Wuis 1990, patients), 0.70–0.80 (label); and CKD AUC
ratios ≈ 1.5, 2, 3 for CrCL 50–80, 30–50, < 30 mL/min (Vlavonou 2014, derived).
Since :math:`f_e = CL_R / (CL/F)`, fe = 0.69 at CL/F = 180 needs
:math:`CL_R` ≈ 124 mL/min; with F = 0.74 (Agarwal 2015) it also forces
:math:`CL_{NR}` ≈ 9 mL/min and the AUC ratios overshoot (≈ 1.8, 2.7, 4.6).  The
model takes F = 0.80 (within the uncertainty of the single n = 12 measurement),
:math:`CL_R` = CrCL = 115 mL/min and :math:`CL_{NR}` = 29 mL/min: fe = 0.64 (inside
both Wuis ranges, below the label's 0.70–0.80), CL/F = 180 mL/min,
t½ = 3.7 h, AUC ratios 1.53, 2.09, 2.94 at CrCL 65, 40, 20 mL/min.

Numerics
--------
Between known discontinuities (doses, pump starts and stops, dialysis on/off)
the system :math:`\dot z = M z` with the augmented state :math:`z = (A, E, T_b, C_b, …, 1)`
(the constant 1 carries the zero-order pump input) has constant :math:`M`, so
:math:`z(t + \Delta) = e^{M\Delta} z(t)` exactly.  :func:`simulate` walks the
union of the sample times and the discontinuities with one matrix exponential
per distinct (mode, step) pair, batched over patients, and adds bolus doses as
exact jumps (the output is right-continuous: a sample at a dose time shows the
dose).  :math:`M` is built from :func:`rhs` itself (the system is linear), so
the equations live in one place.  Receptor availability
(:mod:`sim.adaptation`) is integrated on the same walk (steps ≤ 0.25 h).

Sources: calibration notes §1, §2, §3, §8.A, §8.D(15) and "Corrections and
additions"; per-parameter sources in :class:`PKParameters`.

Examples
--------
>>> import numpy as np, sim
>>> t = np.linspace(0.0, 24.0, 289)                          # every 5 min
>>> r = simulate(sim.Patient(), sim.Oral(10), t)
>>> round(float(r.plasma_ng_ml.max())), round(float(t[r.plasma_ng_ml.argmax()]), 2)
(140, 1.17)
>>> round(float(t[r.spinal_effect_ng_ml.argmax()]), 2)     # cord tissue follows within ≈ 1.3 h
2.5
>>> it = simulate(sim.Patient(), sim.IntrathecalInfusion(400), np.linspace(0, 96, 97))
>>> round(float(it.csf_ng_ml[-1])), round(float(it.plasma_ng_ml[-1]), 1), round(float(it.spinal_effect_ng_ml[-1]))
(556, 1.9, 78)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from . import solvers
from .dosing import Regimen
from .errors import ParameterError, SimulationError
from .parameters import Parameters, check_range, param, parameter_table
from .patient import Patient

__all__ = [
    "STATE_NAMES",
    "PKParameters",
    "rhs",
    "system_matrix",
    "simulate",
    "total_clearance_ml_min",
    "apparent_clearance_ml_min",
    "fraction_excreted_unchanged",
    "elimination_rate_per_h",
    "terminal_half_life_h",
    "steady_state_plasma_ng_ml",
    "steady_state_csf_ng_ml",
    "steady_state_spinal_ng_ml",
    "penetration_for_tissue_ratio",
]

#: State variables, in order (amounts in mg, effect sites in ng/mL).  ``effect1_ng_ml`` and
#: ``effect2_ng_ml`` are the two CSF-side transit stages, ``cord_blood_ng_ml`` the blood-side
#: part of the cord tissue level; the tissue level itself is
#: ``cord_blood_ng_ml + cord_penetration × effect2_ng_ml`` (:func:`cord_tissue_ng_ml`).
STATE_NAMES = (
    "gut_tablet_mg",
    "gut_solution_mg",
    "central_mg",
    "csf_mg",
    "effect1_ng_ml",
    "effect2_ng_ml",
    "cord_blood_ng_ml",
    "brain_ng_ml",
    "urine_unchanged_mg",
    "metabolised_mg",
    "dialysed_mg",
    "presystemic_mg",
)
_I = {name: i for i, name in enumerate(STATE_NAMES)}
_N = len(STATE_NAMES)
_GUT = {"tablet": _I["gut_tablet_mg"], "solution": _I["gut_solution_mg"]}

_ML_MIN_TO_L_H = 0.06  # 1 mL/min = 0.06 L/h
_MG_L_TO_NG_ML = 1000.0  # 1 mg/L = 1 µg/mL = 1000 ng/mL


@dataclasses.dataclass(frozen=True, kw_only=True)
class PKParameters(Parameters):
    """Pharmacokinetic constants (adults; see the module docstring for the equations)."""

    bioavailability: float = param(
        0.80, symbol="F", unit="1", bounds=(0.01, 1.0), status="calibrated",
        source="calibrated within the uncertainty of the one absolute measurement, F = 0.74 (Agarwal "
        "et al., J Child Neurol 2015;30:37; 5–10 mg oral vs 3–5 mg IV, n = 12, AUC CV 18–24%; label: "
        "'rapidly and extensively absorbed'): with CL/F = 180 mL/min (Kochak 1985) and renal clearance "
        "= CrCL 115 mL/min, F = 0.80 puts the fraction excreted unchanged at fe = 0.64 (Wuis 1989: "
        "0.69 ± 0.14; Wuis 1990: 0.65 ± 0.16) and keeps the CKD AUC ratios (Vlavonou 2014); F = 0.74 "
        "would give fe = 0.57, or, with fe = 0.69 forced, CL_NR ≈ 9 mL/min and AUC ratios ≈ 1.8/2.7/4.6",
        description="fraction of an oral dose reaching plasma",
    )
    ka_tablet_per_h: float = param(
        2.3, symbol="k_a,tab", unit="1/h", bounds=(0.05, 50.0), status="calibrated",
        source="calibrated to Tmax ≈ 1.2 h for a 10 mg tablet (median 1.25–1.50 h, Int J Clin "
        "Pharmacol Ther 2017;55:194); calibration notes §8.A.1",
        description="first-order absorption rate of tablets",
    )
    ka_solution_per_h: float = param(
        4.0, symbol="k_a,sol", unit="1/h", bounds=(0.05, 50.0), status="calibrated",
        source="calibrated to Tmax ≈ 0.8 h for the oral solution (≈ 0.75 h, OZOBAX PI); "
        "calibration notes §8.A.1",
        description="first-order absorption rate of the oral solution",
    )
    apparent_volume_l: float = param(
        57.0, symbol="V/F", unit="L", bounds=(5.0, 500.0), status="calibrated",
        source="calibration notes §8.A.2 (range 57–80 L; Kochak 1985 Varea/F = 59 L); reproduces "
        "the 10 mg tablet Cmax ≈ 140 ng/mL (Int J Clin Pharmacol Ther 2017)",
        description="apparent volume of distribution of the plasma compartment",
    )
    nonrenal_clearance_ml_min: float = param(
        29.0, symbol="CL_NR", unit="mL/min", bounds=(0.0, 500.0), status="calibrated",
        source="calibrated: CL/F = (CrCL 115 + CL_NR)/F = 180 mL/min (Kochak 1985, healthy; 175 ± 44 "
        "in patients, Wuis 1990) with F = 0.80; non-renal share 29/144 = 20% (≈ 15% hepatic "
        "deamination, MIMS); gives CKD AUC ratios 1.53/2.09/2.94 at CrCL 65/40/20 mL/min (Vlavonou "
        "2014, derived ≈ 1.5/2/3) and t½ ≈ 18 h in kidney failure (case reports 15–35 h); "
        "calibration notes §2, §8.A.2",
        description="non-renal (metabolic) clearance",
    )
    renal_fraction_of_creatinine_clearance: float = param(
        1.0, symbol="f_R", unit="1", bounds=(0.0, 3.0), status="literature",
        source="apparent renal clearance ≈ creatinine clearance, glomerular filtration dominant "
        "(Wuis et al., Eur J Clin Pharmacol 1989;37:181; Kochak 1985)",
        description="renal clearance of baclofen per unit creatinine clearance",
    )
    csf_volume_ml: float = param(
        65.0, symbol="V_csf", unit="mL", bounds=(5.0, 500.0), status="derived",
        source="derived: CL_csf / k_csf = 30 mL/h / 0.46 h⁻¹ (CSF t½ 1.51 h after a lumbar bolus, "
        "Lioresal IT label, from memory, unverified); calibration notes §8.A.3",
        description="volume of the lumbar CSF compartment",
    )
    csf_clearance_ml_h: float = param(
        30.0, symbol="CL_csf", unit="mL/h", bounds=(1.0, 500.0), status="unverified",
        source="Lioresal IT / Gablofen label: CSF clearance ≈ 30 mL/h ≈ CSF turnover (numbers "
        "from memory, unverified; 13–80 mL/h in 4 patients, Eur J Clin Pharmacol "
        "doi 10.1007/BF00265844)",
        description="bulk-flow clearance of lumbar CSF (drug returns to blood)",
    )
    csf_plasma_ratio: float = param(
        0.12, symbol="r_csf", unit="1", bounds=(0.0, 1.0), status="literature",
        source="CSF:plasma ≈ 0.12 with oral dosing (MIMS; Knutsson 1974; calibration notes §1)",
        description="steady-state lumbar CSF : plasma ratio without intrathecal input",
    )
    effect_rate_per_h: float = param(
        0.5, symbol="k_e", unit="1/h", bounds=(0.01, 50.0), status="calibrated",
        source="calibrated: two transit stages from lumbar CSF into cord tissue give, after a "
        "50–100 µg IT bolus, onset 0.5–1 h, peak ≈ 4 h and a 4–8 h effect (Gablofen label; Latash et "
        "al., Exp Neurol 1989; Heetla 2016 delayed-effect model); checked in tests/test_pk.py",
        description="rate of each of the two CSF-to-cord transit stages",
    )
    cord_penetration: float = param(
        0.14, symbol="f_pen", unit="1", bounds=(0.0, 1.0), status="calibrated",
        source="calibrated: steady-state cord tissue under IT 400 µg/day ≈ 2.5× the mean tissue level "
        "of oral 20 mg three times daily (see penetration_for_tissue_ratio); basis: steep "
        "CSF-to-tissue and rostro-caudal gradients (Heetla et al., Br J Clin Pharmacol 2016;81:101; "
        "Kroin et al., Neurosurgery 1993;33:226) and clinical maintenance of 300–800 µg/day leaving "
        "patients able to move (Gablofen / Lioresal IT labels); calibration notes, corrections",
        description="steady-state cord tissue : lumbar CSF ratio of the CSF-side (intrathecal) route",
    )
    cord_plasma_ratio: float = param(
        0.12, symbol="r_t", unit="1", bounds=(0.0, 1.0), status="derived",
        source="taken equal to the CSF:plasma ratio 0.12 (MIMS; Knutsson 1974) and the brain:plasma "
        "ratio: one blood–CNS barrier for a hydrophilic drug (animal brain < 1/10 of blood, Sallerin "
        "& Lazorthes 2003)",
        description="steady-state cord tissue : plasma ratio of the blood-side (oral) route",
    )
    cord_rate_per_h: float = param(
        1.2, symbol="k_t", unit="1/h", bounds=(0.01, 50.0), status="calibrated",
        source="calibrated: after an oral tablet the cord tissue level peaks ≈ 2.5 h after the dose, "
        "≈ 1.3 h after plasma, inside the oral peak effect of 45 min–2.5 h quoted in a drug-information "
        "summary (neurosurgerynotes.bullet.site, baclofen; secondary, not a primary PD study); the "
        "brain rate k_b = 0.46 h⁻¹ (CSF-like lag) would put it at 3.8 h",
        description="equilibration rate of cord tissue with plasma (blood–spinal cord barrier)",
    )
    brain_rate_per_h: float = param(
        0.46, symbol="k_b", unit="1/h", bounds=(0.01, 50.0), status="calibrated",
        source="calibration notes §8.D.15: brain exposure lags plasma like lumbar CSF does "
        "(k = CL_csf/V_csf ≈ 0.46 h⁻¹; CSF t½ 1–5 h, MIMS)",
        description="equilibration rate of the brain (sedation) effect site",
    )
    brain_plasma_ratio: float = param(
        0.12, symbol="r_b", unit="1", bounds=(0.0, 1.0), status="derived",
        source="taken equal to the CSF:plasma ratio 0.12 (calibration notes §8.D.15); animal "
        "brain levels < 1/10 of blood (Sallerin & Lazorthes 2003)",
        description="steady-state brain : plasma ratio",
    )
    rostral_fraction: float = param(
        0.012, symbol="c_rostral", unit="1", bounds=(0.0, 1.0), status="calibrated",
        source="calibrated in the range 0.01–0.05 (calibration notes §8.A.3, §8.D.15): IT maintenance "
        "300–800 µg/day gives brain exposure below oral 60 mg/day, a 10× IT overdose (4000 µg/day) more "
        "than twice it, and an IT rate giving the cord the same tissue level as oral 60 mg/day "
        "(≈ 160 µg/day) a sedation index ≥ 10× lower (was 0.02 while lumbar CSF was the effect site; "
        "lumbar:cisternal ≈ 4:1, label, from memory; limited CSF→brain penetration)",
        description="brain effect-site concentration per unit lumbar CSF concentration",
    )

    @property
    def volume_l(self) -> Any:
        """True volume of the plasma compartment :math:`V = F \\cdot (V/F)`, L."""
        return self.bioavailability * self.apparent_volume_l

    @property
    def csf_rate_per_h(self) -> Any:
        """CSF turnover rate :math:`k_{csf} = CL_{csf}/V_{csf}`, 1/h."""
        return self.csf_clearance_ml_h / self.csf_volume_ml


# --------------------------------------------------------------------------- equations
def rhs(
    t: float,
    state: Any,
    params: PKParameters,
    creatinine_clearance_ml_min: Any,
    infusion_mg_per_h: Any = 0.0,
    dialysis_clearance_ml_min: Any = 0.0,
) -> np.ndarray:
    """Pure right-hand side of the PK equations (module docstring) between discontinuities.

    Parameters
    ----------
    t : float
        Time, h (unused: the system is autonomous between discontinuities).
    state : array_like, shape (..., 12)
        State in the order of :data:`STATE_NAMES`.
    params : PKParameters
        Constants (scalars or arrays broadcasting with the batch).
    creatinine_clearance_ml_min : float or array_like
        Kidney function, mL/min.
    infusion_mg_per_h : float
        Intrathecal pump rate now, mg/h.
    dialysis_clearance_ml_min : float
        Extracorporeal clearance now, mL/min (0 off dialysis).

    Returns
    -------
    numpy.ndarray, shape (..., 12)
        Time derivative of the state, per h.

    Examples
    --------
    >>> y = np.zeros(len(STATE_NAMES)); y[STATE_NAMES.index("gut_tablet_mg")] = 10.0
    >>> dy = rhs(0.0, y, PKParameters(), 100.0)
    >>> float(dy[0]), round(float(dy[2]), 3), round(float(dy[-1]), 3)   # gut, plasma, lost
    (-23.0, 18.4, 4.6)
    """
    p = params
    y = np.asarray(state, dtype=float)
    gut_tab, gut_sol, central, csf = (y[..., _I[n]] for n in STATE_NAMES[:4])
    e1, e2, cord_blood, brain = (y[..., _I[n]] for n in ("effect1_ng_ml", "effect2_ng_ml",
                                                            "cord_blood_ng_ml", "brain_ng_ml"))

    f_renal = p.renal_fraction_of_creatinine_clearance
    cl_renal = f_renal * creatinine_clearance_ml_min * _ML_MIN_TO_L_H
    cl_nonrenal = p.nonrenal_clearance_ml_min * _ML_MIN_TO_L_H
    cl_dialysis = dialysis_clearance_ml_min * _ML_MIN_TO_L_H
    cl_csf = p.csf_clearance_ml_h / 1000.0
    cl_in = p.csf_plasma_ratio * cl_csf          # plasma → CSF, so that C_csf/C_p → r_csf
    c_p = central / p.volume_l                   # mg/L
    c_csf = csf / (p.csf_volume_ml / 1000.0)     # mg/L

    absorption_tab = p.ka_tablet_per_h * gut_tab
    absorption_sol = p.ka_solution_per_h * gut_sol
    absorbed = absorption_tab + absorption_sol
    derivatives = {
        "gut_tablet_mg": -absorption_tab,
        "gut_solution_mg": -absorption_sol,
        "central_mg": p.bioavailability * absorbed
        - (cl_renal + cl_nonrenal + cl_dialysis + cl_in) * c_p + cl_csf * c_csf,
        "csf_mg": cl_in * c_p - cl_csf * c_csf + infusion_mg_per_h,
        "effect1_ng_ml": p.effect_rate_per_h * (_MG_L_TO_NG_ML * c_csf - e1),
        "effect2_ng_ml": p.effect_rate_per_h * (e1 - e2),
        "cord_blood_ng_ml": p.cord_rate_per_h * (_MG_L_TO_NG_ML * p.cord_plasma_ratio * c_p - cord_blood),
        "brain_ng_ml": p.brain_rate_per_h
        * (_MG_L_TO_NG_ML * (p.brain_plasma_ratio * c_p + p.rostral_fraction * c_csf) - brain),
        "urine_unchanged_mg": cl_renal * c_p,
        "metabolised_mg": cl_nonrenal * c_p,
        "dialysed_mg": cl_dialysis * c_p,
        "presystemic_mg": (1.0 - p.bioavailability) * absorbed,
    }
    return np.stack(np.broadcast_arrays(*(derivatives[n] for n in STATE_NAMES)), axis=-1)


def system_matrix(
    params: PKParameters,
    creatinine_clearance_ml_min: Any,
    infusion_mg_per_h: float = 0.0,
    dialysis_clearance_ml_min: float = 0.0,
) -> np.ndarray:
    """Generator :math:`M` of the augmented linear system :math:`\\dot z = M z`, z = (state, 1).

    Built by applying :func:`rhs` to the unit vectors (exact, because the
    system is linear), so the equations are written only once.

    Returns
    -------
    numpy.ndarray, shape (..., 13, 13)
        Leading axes: the broadcast batch of the parameters.

    Examples
    --------
    >>> M = system_matrix(PKParameters(), 100.0, infusion_mg_per_h=0.4 / 24)
    >>> M.shape, float(M[STATE_NAMES.index("csf_mg"), -1]) == 0.4 / 24
    ((13, 13), True)
    """
    args = (params, creatinine_clearance_ml_min, infusion_mg_per_h, dialysis_clearance_ml_min)
    offset = rhs(0.0, np.zeros(_N), *args)
    columns = [rhs(0.0, np.eye(_N)[j], *args) - offset for j in range(_N)]
    columns.append(offset)
    columns = np.broadcast_arrays(*columns)
    top = np.stack(columns, axis=-1)                       # (..., N, N + 1)
    bottom = np.zeros((*top.shape[:-2], 1, _N + 1))
    return np.concatenate([top, bottom], axis=-2)


# --------------------------------------------------------------------------- helpers
def _patient_crcl(patient: Patient | Any | None) -> Any:
    if patient is None:
        return Patient().creatinine_clearance_ml_min
    if isinstance(patient, Patient):
        return patient.creatinine_clearance_ml_min
    from .parameters import check_range

    return check_range("creatinine_clearance_ml_min", patient, 0.0, 250.0, "mL/min")


def total_clearance_ml_min(
    patient: Patient | Any = None, params: PKParameters | None = None
) -> Any:
    """True systemic clearance :math:`CL = f_R \\cdot CrCL + CL_{NR}`, mL/min.

    Parameters
    ----------
    patient : Patient or float, optional
        A patient, or a creatinine clearance in mL/min (default ``Patient()``).
    params : PKParameters, optional

    Examples
    --------
    >>> float(total_clearance_ml_min(115.0))       # CrCL 115 + CL_NR 29
    144.0
    """
    p = params or PKParameters()
    renal = p.renal_fraction_of_creatinine_clearance * _patient_crcl(patient)
    return renal + p.nonrenal_clearance_ml_min


def apparent_clearance_ml_min(
    patient: Patient | Any = None, params: PKParameters | None = None
) -> Any:
    """Apparent oral clearance :math:`CL/F`, mL/min (180 at the default CrCL 115; Kochak 1985).

    Examples
    --------
    >>> round(float(apparent_clearance_ml_min(115.0)), 1)
    180.0
    """
    p = params or PKParameters()
    return total_clearance_ml_min(patient, p) / p.bioavailability


def fraction_excreted_unchanged(
    patient: Patient | Any = None, params: PKParameters | None = None
) -> Any:
    r"""Fraction of an oral dose excreted unchanged in urine, :math:`f_e = F\,CL_R/CL`.

    Equal to :math:`CL_R/(CL/F)` (Wuis 1989: 0.69 ± 0.14 healthy; Wuis 1990:
    0.65 ± 0.16 patients; label 0.70–0.80; see the module docstring for the
    trade-off).

    Examples
    --------
    >>> round(float(fraction_excreted_unchanged()), 2)      # default patient, CrCL 115 mL/min
    0.64
    """
    p = params or PKParameters()
    renal = p.renal_fraction_of_creatinine_clearance * _patient_crcl(patient)
    return p.bioavailability * renal / total_clearance_ml_min(patient, p)


def elimination_rate_per_h(
    patient: Patient | Any = None, params: PKParameters | None = None
) -> Any:
    """First-order elimination rate from plasma, :math:`CL/V`, 1/h (ignores the tiny CSF loop)."""
    p = params or PKParameters()
    return total_clearance_ml_min(patient, p) * _ML_MIN_TO_L_H / p.volume_l


def terminal_half_life_h(patient: Patient | Any = None, params: PKParameters | None = None) -> Any:
    """Terminal (disposition) half-life of plasma, h: ln 2 / slowest rate of the plasma–CSF pair.

    The plasma–CSF exchange makes a 2×2 system whose slower eigenvalue sets
    the terminal slope of plasma after absorption is over (unless absorption
    is slower still, "flip-flop", which does not happen with these defaults).
    Dialysis is not included.

    Examples
    --------
    >>> [round(float(h), 1) for h in terminal_half_life_h(np.array([115.0, 50.0, 0.0]))]
    [3.7, 6.7, 18.2]
    """
    p = params or PKParameters()
    crcl = _patient_crcl(patient)
    M = system_matrix(p, crcl)
    i, j = _I["central_mg"], _I["csf_mg"]
    block = M[..., [i, j], :][..., :, [i, j]]
    # Real eigenvalues (positive off-diagonal product): use the closed form for 2×2.
    trace = block[..., 0, 0] + block[..., 1, 1]
    det = block[..., 0, 0] * block[..., 1, 1] - block[..., 0, 1] * block[..., 1, 0]
    slow = -(trace / 2.0 + np.sqrt(np.maximum(trace**2 / 4.0 - det, 0.0)))
    return np.log(2.0) / slow


def steady_state_plasma_ng_ml(
    oral_mg_per_day: Any = 0.0,
    intrathecal_ug_per_day: Any = 0.0,
    patient: Patient | Any = None,
    params: PKParameters | None = None,
) -> Any:
    """Average steady-state plasma concentration, ng/mL: (F·oral rate + IT rate) / CL.

    Intrathecal drug leaves CSF by bulk flow into blood, so all of it ends up
    in plasma.

    Examples
    --------
    >>> round(float(steady_state_plasma_ng_ml(60.0)))        # oral 60 mg/day (notes §8.D: ≈ 230)
    231
    >>> round(float(steady_state_plasma_ng_ml(intrathecal_ug_per_day=400.0)), 2)
    1.93
    """
    p = params or PKParameters()
    input_mg_per_h = (p.bioavailability * np.asarray(oral_mg_per_day) +
                      np.asarray(intrathecal_ug_per_day) / 1000.0) / 24.0
    cl_l_h = total_clearance_ml_min(patient, p) * _ML_MIN_TO_L_H
    return input_mg_per_h / cl_l_h * _MG_L_TO_NG_ML


def steady_state_csf_ng_ml(
    rate_ug_per_day: Any,
    params: PKParameters | None = None,
    *,
    patient: Patient | Any = None,
    oral_mg_per_day: Any = 0.0,
) -> Any:
    """Steady-state lumbar CSF concentration under an intrathecal infusion, ng/mL.

    :math:`C_{csf} = R_{IT}/CL_{csf} + r_{csf}\\,C_{p}`; the first term is the
    label's rule (≈ 560 ng/mL at 400 µg/day), the second (drug returning via
    plasma, plus any oral dosing) adds well under 1% for intrathecal therapy.

    Examples
    --------
    >>> round(float(steady_state_csf_ng_ml(400.0)))
    556
    """
    p = params or PKParameters()
    plasma = steady_state_plasma_ng_ml(oral_mg_per_day, rate_ug_per_day, patient, p)
    direct = np.asarray(rate_ug_per_day) / 24.0 / (p.csf_clearance_ml_h / 1000.0)  # µg/L = ng/mL
    return direct + p.csf_plasma_ratio * plasma


def steady_state_spinal_ng_ml(
    oral_mg_per_day: Any = 0.0,
    intrathecal_ug_per_day: Any = 0.0,
    patient: Patient | Any = None,
    params: PKParameters | None = None,
) -> Any:
    r"""Average steady-state cord-tissue level (``spinal_effect_ng_ml``), ng/mL.

    :math:`C_t = r_t\,\bar C_p + f_{pen}\,\bar C_{csf}`: at steady state each effect
    compartment equals its driving concentration.  For repeated oral doses this is
    the mean over a dosing interval (the system is linear).

    Examples
    --------
    >>> round(float(steady_state_spinal_ng_ml(60.0)), 1)                  # oral 20 mg TID
    31.7
    >>> round(float(steady_state_spinal_ng_ml(intrathecal_ug_per_day=400.0)), 1)
    78.0
    """
    p = params or PKParameters()
    plasma = steady_state_plasma_ng_ml(oral_mg_per_day, intrathecal_ug_per_day, patient, p)
    csf = steady_state_csf_ng_ml(intrathecal_ug_per_day, p, patient=patient, oral_mg_per_day=oral_mg_per_day)
    return p.cord_plasma_ratio * plasma + p.cord_penetration * csf


def penetration_for_tissue_ratio(
    ratio: float = 2.5,
    intrathecal_ug_per_day: float = 400.0,
    oral_mg_per_day: float = 60.0,
    patient: Patient | Any = None,
    params: PKParameters | None = None,
) -> float:
    """The ``cord_penetration`` that makes IT tissue = *ratio* × oral tissue at steady state.

    This is how the default :math:`f_{pen}` was chosen (*ratio* 2.5 for
    400 µg/day against 20 mg three times daily); call it again after changing
    other PK constants or the target.  The tissue level is linear in
    :math:`f_{pen}`, so the solution is closed-form.

    Raises
    ------
    ParameterError
        If no penetration in [0, 1] gives that ratio.

    Examples
    --------
    >>> round(penetration_for_tissue_ratio(), 3)
    0.142
    """
    p = params or PKParameters()
    ratio = float(check_range("ratio", ratio, 0.0, 1.0e3))
    blood = p.replace(cord_penetration=0.0)
    plasma_oral = steady_state_plasma_ng_ml(oral_mg_per_day, 0.0, patient, p)
    csf_it = steady_state_csf_ng_ml(intrathecal_ug_per_day, p, patient=patient)
    csf_oral = p.csf_plasma_ratio * plasma_oral
    blood_it = steady_state_spinal_ng_ml(0.0, intrathecal_ug_per_day, patient, blood)
    blood_oral = steady_state_spinal_ng_ml(oral_mg_per_day, 0.0, patient, blood)
    denominator = float(csf_it - ratio * csf_oral)
    value = float(ratio * blood_oral - blood_it) / denominator if denominator > 0 else np.inf
    if not 0.0 <= value <= 1.0:
        raise ParameterError(
            f"ratio = {ratio!r}: no cord_penetration in [0, 1] gives IT {intrathecal_ug_per_day} µg/day "
            f"tissue = {ratio} × oral {oral_mg_per_day} mg/day tissue"
        )
    return value


# --------------------------------------------------------------------------- solver
def _broadcast_params(params: PKParameters, shape: tuple[int, ...]) -> PKParameters:
    """Copy of *params* with every numeric field broadcast to *shape* and flattened."""
    size = int(np.prod(shape)) if shape else 1
    changes = {}
    for spec in dataclasses.fields(params):
        value = getattr(params, spec.name)
        array = np.broadcast_to(np.asarray(value, dtype=float), shape)
        changes[spec.name] = array.reshape(size).copy()
    return dataclasses.replace(params, **changes)


def _node_times(t_h: np.ndarray, breakpoints: tuple[float, ...]) -> np.ndarray:
    """Output times and every regimen breakpoint in range (the exact solution jumps or kinks only there)."""
    start = min(t_h[0], breakpoints[0]) if breakpoints else t_h[0]
    inside = [b for b in breakpoints if start <= b <= t_h[-1]]
    return np.unique(np.concatenate([t_h, np.asarray(inside, dtype=float)]))


def simulate(
    patient: Patient | None,
    regimen: Regimen | Any,
    t_h: Any,
    *,
    params: PKParameters | None = None,
):
    """Drug levels over time for a (batch of) patient(s) on a regimen, solved exactly.

    Parameters
    ----------
    patient : Patient or None
        Kidney function (``creatinine_clearance_ml_min``, possibly an array =
        a batch of patients); ``None`` = ``Patient()``.
    regimen : Regimen or a regimen block
        What is given when (:mod:`sim.dosing`); ``Regimen()`` = no drug.
    t_h : array_like, shape (n,)
        Output times, h, strictly increasing.  Doses before ``t_h[0]`` are
        included (the simulation starts drug-free at the earlier of ``t_h[0]``
        and the first dose).
    params : PKParameters, optional
        Constants; array fields form a batch (inter-individual variability)
        and broadcast with the patient's arrays.

    Returns
    -------
    Result
        Axis ``t_h``; series (batch axes first, time last):
        ``plasma_ng_ml``, ``csf_ng_ml`` (lumbar CSF), ``spinal_effect_ng_ml``
        (cord tissue, the reflex model's effect site), ``csf_transit_ng_ml``
        (the CSF-side transit :math:`E_2` before the penetration factor),
        ``brain_ng_ml`` (ng/mL, total baclofen); ``gut_mg``,
        ``urine_unchanged_mg``, ``metabolised_mg``, ``dialysed_mg``,
        ``presystemic_mg``, ``eliminated_mg``, ``dosed_mg`` (mg, cumulative
        where it makes sense).  ``meta`` holds the regimen dict and the parameter
        table.  Receptor availability (tolerance) is not PK: see
        :func:`sim.adaptation.availability_over`.

    Raises
    ------
    ParameterError
        For invalid times or arguments.
    SimulationError
        If a concentration comes out materially negative (a bug, never
        round-off: values above −1e-9 × the series' peak are clipped to 0).

    Examples
    --------
    >>> import sim
    >>> r = simulate(None, sim.IntrathecalBolus(50), np.arange(0.0, 12.25, 0.25))
    >>> round(float(r.csf_ng_ml[0]), 1)          # 50 µg in 65 mL
    769.2
    >>> float(r.t_h[r.spinal_effect_ng_ml.argmax()])   # cord tissue peaks ≈ 4 h later
    4.0
    >>> round(float(r.spinal_effect_ng_ml.max()), 1)    # 0.14 × the CSF-side transit peak
    30.8
    """
    from .result import Result

    patient, regimen, params, times = _validated(patient, regimen, t_h, params)
    crcl = np.asarray(patient.creatinine_clearance_ml_min, dtype=float)
    batch = np.broadcast_shapes(crcl.shape, *(np.shape(getattr(params, f.name)) for f in dataclasses.fields(params)))
    size = int(np.prod(batch)) if batch else 1
    flat = _broadcast_params(params, batch)
    flat_crcl = np.broadcast_to(crcl, batch).reshape(size)
    nodes = _node_times(times, regimen.breakpoints())
    recorded = _walk(regimen, flat, flat_crcl, nodes, times, size)
    series = _outputs(recorded, flat, regimen, times, size)
    series = {name: values.reshape(*batch, times.size) for name, values in series.items()}
    units = {name: ("ng/mL" if name.endswith("ng_ml") else "mg") for name in series}
    meta = {
        "stage": "pk",
        "regimen": regimen.to_dict(),
        "creatinine_clearance_ml_min": np.asarray(patient.creatinine_clearance_ml_min).tolist(),
        "pk_parameters": _values(params),
        "method": "exact matrix exponential between discontinuities",
    }
    return Result("t_h", times, series, units=units, meta=meta)


def _validated(patient: Any, regimen: Any, t_h: Any, params: Any) -> tuple[Patient, Regimen, PKParameters, np.ndarray]:
    """Check and normalise the arguments of :func:`simulate`."""
    if not isinstance(regimen, Regimen):
        regimen = Regimen(regimen)
    patient = patient if patient is not None else Patient()
    if not isinstance(patient, Patient):
        raise ParameterError(f"patient = {patient!r} is not a sim.Patient")
    params = params or PKParameters()
    if not isinstance(params, PKParameters):
        raise ParameterError(f"params = {params!r} is not a PKParameters")
    try:
        times = np.asarray(t_h, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"t_h = {t_h!r} is not an array of times") from None
    if (times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times))
            or np.any(np.diff(times) <= 0)):
        raise ParameterError("t_h must be a non-empty, one-dimensional, strictly increasing array "
                             "of finite times (h)")
    return patient, regimen, params, times


def _walk(regimen: Regimen, flat: PKParameters, flat_crcl: np.ndarray, nodes: np.ndarray, times: np.ndarray,
          size: int) -> np.ndarray:
    """Exact propagation over the event nodes (doses as jumps); the states at *times*, (N, size, n_times)."""
    sample_of_node = np.full(nodes.size, -1)
    sample_of_node[np.searchsorted(nodes, times)] = np.arange(times.size)
    midpoints = 0.5 * (nodes[:-1] + nodes[1:])
    rates = regimen.infusion_rate_mg_per_h(midpoints)
    dialysis = regimen.dialysis_clearance_ml_min(midpoints)
    mode_pairs, mode_of_step = np.unique(np.stack([rates, dialysis], axis=-1), axis=0, return_inverse=True)
    mode_of_step = mode_of_step.reshape(-1)
    # Steps that differ only by round-off (e.g. from np.arange) share one propagator;
    # the representative differs from the true step by < 5e-13 h.
    steps = np.round(np.diff(nodes), 12)
    step_values, step_of_step = np.unique(steps, return_inverse=True)
    key_of_step = mode_of_step * step_values.size + step_of_step.reshape(-1)
    generators = [system_matrix(flat, flat_crcl, rate, hd) for rate, hd in mode_pairs]
    keys, key_of_step = np.unique(key_of_step, return_inverse=True)
    # One propagator per distinct (mode, step), stacked as (batch, key, N + 1, N + 1).
    stack = np.empty((size, keys.size, _N + 1, _N + 1))
    for k, key in enumerate(keys):
        mode, step = divmod(int(key), step_values.size)
        stack[:, k] = np.broadcast_to(solvers.propagators(generators[mode], step_values[step]),
                                      (size, _N + 1, _N + 1))
    jumps = [(float(np.searchsorted(nodes, event.time_h)),
              float(_GUT[event.formulation] if event.route == "oral" else _I["csf_mg"]), event.amount_mg)
             for event in regimen.events() if event.time_h <= times[-1]]
    jumps.sort(key=lambda jump: jump[0])
    state = np.zeros((_N + 1, size))
    state[-1] = 1.0
    return solvers.walk(stack, key_of_step.reshape(-1), state, np.asarray(jumps).reshape(-1, 3), sample_of_node, _N)


def _outputs(recorded: np.ndarray, flat: PKParameters, regimen: Regimen, times: np.ndarray,
             size: int) -> dict[str, np.ndarray]:
    """Concentrations and amounts from the recorded states, each (size, n_times)."""
    def column(name: str) -> np.ndarray:
        return recorded[_I[name]]

    volume = flat.volume_l[:, None]
    csf_volume_l = flat.csf_volume_ml[:, None] / 1000.0
    series = {
        "plasma_ng_ml": column("central_mg") / volume * _MG_L_TO_NG_ML,
        "csf_ng_ml": column("csf_mg") / csf_volume_l * _MG_L_TO_NG_ML,
        "spinal_effect_ng_ml": column("cord_blood_ng_ml")
        + flat.cord_penetration[:, None] * column("effect2_ng_ml"),
        "csf_transit_ng_ml": column("effect2_ng_ml"),
        "brain_ng_ml": column("brain_ng_ml"),
        "gut_mg": column("gut_tablet_mg") + column("gut_solution_mg"),
        "urine_unchanged_mg": column("urine_unchanged_mg"),
        "metabolised_mg": column("metabolised_mg"),
        "dialysed_mg": column("dialysed_mg"),
        "presystemic_mg": column("presystemic_mg"),
    }
    series["eliminated_mg"] = (series["urine_unchanged_mg"] + series["metabolised_mg"]
                               + series["dialysed_mg"] + series["presystemic_mg"])
    for name, values in series.items():
        series[name] = _clip_round_off(name, values)
    series["dosed_mg"] = np.broadcast_to(_dosed_mg(regimen, times), (size, times.size))
    return series


def _values(params: Parameters) -> dict[str, Any]:
    return {row["name"]: row["value"] for row in parameter_table(params)}


def _dosed_mg(regimen: Regimen, times: np.ndarray) -> np.ndarray:
    """Cumulative amount given (oral doses, IT boluses and infusions) up to each time, mg."""
    events = regimen.events()
    event_times = np.array([e.time_h for e in events])
    cumulative = np.concatenate([[0.0], np.cumsum([e.amount_mg for e in events])])
    dosed = cumulative[np.searchsorted(event_times, times, side="right")]
    for item in regimen.infusions:
        dosed = dosed + item.rate_mg_per_h * np.clip(np.minimum(times, item.end_h) - item.start_h,
                                                     0.0, None)
    return dosed


def _clip_round_off(name: str, values: np.ndarray) -> np.ndarray:
    """Clip round-off below zero (in place); raise if a value is materially negative."""
    if not values.size:
        return values
    low = values.min(axis=-1, keepdims=True)
    scale = np.maximum(np.abs(low), np.abs(values.max(axis=-1, keepdims=True)))
    if np.any(low < -(1e-9 * scale + 1e-300)):
        worst = float(np.min(low / np.maximum(scale, 1e-300)))
        raise SimulationError(
            f"{name} went negative (min {worst:.3g} × its peak) – a solver bug, not round-off"
        )
    if np.any(low < 0.0):
        np.maximum(values, 0.0, out=values)
    return values
