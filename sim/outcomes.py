r"""Outcomes a lecture reports: sedation bands, comfort and pain signals.

The last stage of the chain turns model quantities into the read-outs of the
teaching scenarios.

Sedation (central nervous system depression)
--------------------------------------------
Baclofen's common side effects (drowsiness, dizziness, weakness) follow from
the same mechanism as its benefit: more inhibitory (GABA-B) tone, here in the
brain.  A qualitative *sedation index* in [0, 1] is **one saturating curve** of
the brain effect-site concentration (``brain_ng_ml`` of :mod:`sim.pk`), taken as
R-equivalent baclofen :math:`x` in µM (:func:`sim.units.ng_ml_to_um`, then
:func:`sim.receptor.r_equivalent_um`):

.. math::  S = 1 - 2^{-(x/x_{50})^{n}}

:math:`S = 0.5` at :math:`x = x_{50}` and :math:`S \to 1` at high exposure.  It does
not pass through a receptor-activation curve first: a Hill curve of a Hill curve
can never exceed the inner curve's ceiling (the old index stopped at ≈ 0.66).
For small exposure :math:`S \approx \ln 2\,(x/x_{50})^n`, almost proportional to the
level (n = 1.2), and it rises a little faster than a Hill curve towards 0.5,
which is what lets one curve reach both clinical anchors below – they are only
1.8× apart in brain level.  Calibration (default patient, steady state, means
over a day unless stated; checked in ``tests/test_outcomes.py``):

* oral 80 mg/day in a normal-kidney patient: S ≈ 0.29, at the mild/moderate edge
  (label's controlled study: drowsiness 63 % on baclofen vs 36 % on placebo;
  calibration notes §7, §8.D.15);
* usual oral 30–60 mg/day: mild (S ≈ 0.10–0.22); 5 mg three times daily: none
  (S < 0.07 even at the daily peak);
* an anuric patient (CrCL 0) on 10 mg three times daily: marked on day 3 (renal
  toxicity case series: onset usually 2–3 days after starting, Am J Nephrol;
  plasma ≈ 575 ng/mL at steady state, near the 700 ng/mL toxic level of
  Brvar 2007); at CrCL 5 it peaks just below "marked";
* intrathecal maintenance 300–800 µg/day: none to mild, and at an equal cord
  tissue level far (> 10×) below oral.

*Transient drowsiness.*  The label says drowsiness is often transient.  The
model has **no tolerance to sedation**: the index follows the brain level with
no adaptation, so it describes the first days of a dose, not the weeks after.
(Receptor adaptation in :mod:`sim.adaptation` acts on the spinal site only.)

The index is **not a probability**: users see only the band it falls in,

===========  ===================  ==============================================
band         index                descriptors shown
===========  ===================  ==============================================
none         S < 0.10             no expected central depression
mild         0.10 ≤ S < 0.25      drowsiness possible
moderate     0.25 ≤ S < 0.50      drowsiness, dizziness, weakness likely
marked       S ≥ 0.50             marked drowsiness and confusion (overdose-like)
===========  ===================  ==============================================

The band edges are illustrative teaching choices: "none" covers the labelled
starting dose, "moderate" begins near the usual oral maximum.

Weakness has two sources in the model: less Ia support and more GIRK
conductance at the spinal motoneurons (computed by the reflex probes), and
central depression, which removes a fraction :math:`w_c S` of the descending
voluntary drive (:func:`central_drive_factor`, illustrative).

Comfort and pain
----------------
Baclofen is not a painkiller.  Two signals make that explicit:

* ``tone_discomfort_rel`` – discomfort attributable to muscle tightness,
  proportional to the resistive torque of a standard stretch relative to the
  same patient drug-free.  It falls with tone.
* ``nociceptive_signal_rel`` – transmission in a nociceptive relay (C/Aδ
  afferents onto dorsal-horn projection neurons):
  :math:`N = 1 - c_{noc}\,a_{spinal}` with the coupling :math:`c_{noc} = 0` by
  default.  *Model assumption:* at clinical exposure baclofen is not used as
  an analgesic (labels; source text), so the model gives the drug no direct
  action on this pathway.  Students may raise ``nociceptive_coupling`` to
  explore what an analgesic would look like.

Examples
--------
>>> float(sedation_index(0.0))                # brain level, ng/mL
0.0
>>> sedation_band([0.0, 0.15, 0.3, 0.9]).tolist()
['none', 'mild', 'moderate', 'marked']
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .errors import ParameterError
from .parameters import Parameters, check_range, param
from .receptor import ReceptorParameters, r_equivalent_um
from .units import ng_ml_to_um

__all__ = [
    "BANDS",
    "BAND_DESCRIPTORS",
    "SedationParameters",
    "ComfortParameters",
    "sedation_index",
    "sedation_band",
    "central_drive_factor",
    "nociceptive_signal_rel",
    "tone_discomfort_rel",
]

#: Qualitative sedation bands, from least to most.
BANDS = ("none", "mild", "moderate", "marked")

#: What each band means in words (drowsiness, dizziness, weakness).
BAND_DESCRIPTORS = {
    "none": "no expected central depression",
    "mild": "drowsiness possible",
    "moderate": "drowsiness, dizziness and weakness likely",
    "marked": "marked drowsiness and confusion (overdose-like)",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SedationParameters(Parameters):
    """Qualitative sedation scale driven by the brain effect-site concentration."""

    half_index_r_um: float = param(
        0.157, symbol="x_50", unit="µM", bounds=(0.001, 10.0), status="calibrated",
        source="calibrated (calibration notes §7, §8.D.15): R-equivalent brain level giving S = 0.5, "
        "so that oral 80 mg/day at steady state gives S ≈ 0.29 (label: drowsiness 63% vs 36% on "
        "placebo) and an anuric patient on 10 mg three times daily reaches 'marked' on day 3 (renal "
        "toxicity case series, Am J Nephrol: onset 2–3 days)",
        description="R-equivalent brain concentration giving a sedation index of 0.5",
    )
    exponent: float = param(
        1.2, symbol="n", unit="1", bounds=(0.5, 6.0), status="calibrated",
        source="calibrated together with x_50: the steepest curve that keeps 30 mg/day 'mild' "
        "(S ≥ 0.10) while 80 mg/day sits at S ≈ 0.29; calibration notes §8.D.15 suggest n ≈ 1–2",
        description="steepness of the sedation curve",
    )
    central_drive_loss: float = param(
        0.3, symbol="w_c", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: weakness is listed among baclofen's CNS-depression effects (label: "
        "weakness 5–15%; project seed text); modelled as a loss of descending voluntary drive "
        "proportional to the sedation index, so the usual oral maximum costs ≈ 10% of strength",
        description="fraction of voluntary drive lost at a sedation index of 1",
    )
    band_edges: tuple = param(
        (0.10, 0.25, 0.50), symbol="S_edges", unit="1", status="illustrative",
        source="illustrative teaching choice: 'none' covers the labelled starting dose "
        "(5 mg TID), 'moderate' begins near the usual oral maximum",
        description="index values separating none | mild | moderate | marked",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        edges = np.asarray(self.band_edges, dtype=float)
        if edges.shape != (3,) or np.any(np.diff(edges) <= 0) or edges[0] <= 0 or edges[-1] >= 1:
            raise ParameterError(
                f"SedationParameters.band_edges = {self.band_edges!r} must be three increasing "
                "values inside (0, 1)"
            )
        object.__setattr__(self, "band_edges", tuple(float(e) for e in edges))


@dataclasses.dataclass(frozen=True, kw_only=True)
class ComfortParameters(Parameters):
    """Comfort read-outs: the drug's (absent) coupling to nociception."""

    nociceptive_coupling: float = param(
        0.0, symbol="c_noc", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="model assumption: baclofen is not a direct analgesic (labels; project seed "
        "text), so its action on nociceptive relay transmission is set to zero",
        description="fractional block of nociceptive transmission per unit spinal activation",
    )


def sedation_index(
    brain_ng_ml: Any,
    params: SedationParameters | None = None,
    *,
    enantiomer: str = "racemic",
    receptor_params: ReceptorParameters | None = None,
) -> np.ndarray:
    """Qualitative sedation index in [0, 1] from the brain effect-site concentration.

    Parameters
    ----------
    brain_ng_ml : float or array_like
        Total baclofen at the brain effect site, ng/mL (``brain_ng_ml`` of
        :func:`sim.pk.simulate`), ≥ 0.
    params : SedationParameters, optional
        Calibration of the scale.
    enantiomer : {"racemic", "R", "S"}
        Preparation given (only R is active; :func:`sim.receptor.r_equivalent_um`).
    receptor_params : ReceptorParameters, optional
        Supplies the R/S potency ratio.

    Returns
    -------
    numpy.ndarray
        :math:`S = 1 - 2^{-(x/x_{50})^n}` with :math:`x` the R-equivalent level in µM;
        in [0, 1), monotonic in the level.  Not a probability.

    Examples
    --------
    >>> float(sedation_index(0.0))
    0.0
    >>> x50_ng_ml = 0.157 * 213.66 / 0.5 / (1 + 1 / 120)           # racemic level at x = x_50
    >>> round(float(sedation_index(x50_ng_ml)), 3)
    0.5
    >>> bool(sedation_index(30.0) < sedation_index(60.0) < sedation_index(1e4) <= 1.0)
    True
    """
    params = params or SedationParameters()
    level = check_range("brain_ng_ml", brain_ng_ml, 0.0, 1.0e6, "ng/mL")
    x = r_equivalent_um(ng_ml_to_um(level), enantiomer, receptor_params)
    return -np.expm1(-np.log(2.0) * (x / params.half_index_r_um) ** params.exponent)


def central_drive_factor(index: Any, params: SedationParameters | None = None) -> np.ndarray:
    """Fraction of descending voluntary drive left under central depression: 1 − w_c·S.

    Examples
    --------
    >>> float(central_drive_factor(0.0)), round(float(central_drive_factor(0.5)), 2)
    (1.0, 0.85)
    """
    params = params or SedationParameters()
    s = check_range("sedation_index", index, 0.0, 1.0)
    return 1.0 - params.central_drive_loss * s


def sedation_band(index: Any, params: SedationParameters | None = None) -> np.ndarray:
    """Qualitative band (``"none"``, ``"mild"``, ``"moderate"``, ``"marked"``) of a sedation index.

    Examples
    --------
    >>> str(sedation_band(0.05))
    'none'
    """
    params = params or SedationParameters()
    s = check_range("sedation_index", index, 0.0, 1.0)
    return np.asarray(BANDS)[np.searchsorted(params.band_edges, s, side="right")]


def nociceptive_signal_rel(activation_spinal: Any, params: ComfortParameters | None = None) -> np.ndarray:
    """Nociceptive relay transmission relative to drug-free (1 = unchanged).

    Examples
    --------
    >>> float(nociceptive_signal_rel(0.9))  # no analgesic coupling by default
    1.0
    >>> float(nociceptive_signal_rel(0.5, ComfortParameters(nociceptive_coupling=0.4)))
    0.8
    """
    params = params or ComfortParameters()
    a = check_range("activation_spinal", activation_spinal, 0.0, 1.0)
    return 1.0 - params.nociceptive_coupling * a


def tone_discomfort_rel(resistive_torque_nm: Any, drug_free_torque_nm: Any) -> np.ndarray:
    """Tightness-related discomfort relative to drug-free: the ratio of resistive torques.

    Examples
    --------
    >>> float(tone_discomfort_rel(3.0, 4.0))
    0.75
    """
    torque = check_range("resistive_torque_nm", resistive_torque_nm, 0.0, np.inf, "N·m")
    reference = check_range("drug_free_torque_nm", drug_free_torque_nm, 1e-12, np.inf, "N·m")
    return torque / reference
