r"""Outcomes a lecture reports: sedation bands, comfort and pain signals.

The last stage of the chain turns model quantities into the read-outs of the
teaching scenarios.

Sedation (central nervous system depression)
--------------------------------------------
Baclofen's common side effects (drowsiness, dizziness, weakness) follow from
the same mechanism as its benefit: more inhibitory (GABA-B) tone, here in the
brain.  A qualitative *sedation index* in [0, 1] is driven by GABA-B activation
at the brain effect site :math:`a_b`:

.. math::  S = \frac{a_b^{n}}{a_b^{n} + a_{50}^{n}}

It is calibrated so that the usual oral maximum (60–80 mg/day at steady state)
sits where the label's controlled trial saw excess drowsiness over placebo
(63 % vs 36 %, an excess of ≈ 0.27; calibration notes §7, §8.15).  The index is
**not a probability**: users see only the band it falls in,

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
>>> float(sedation_index(0.0))
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
    """Qualitative sedation scale driven by brain GABA-B activation."""

    half_activation: float = param(
        0.72, symbol="a_50", unit="1", bounds=(0.05, 1.0), status="calibrated",
        source="calibrated (calibration notes §7, §8.15): oral 80 mg/day at steady state gives "
        "S ≈ 0.27–0.3, the label's excess drowsiness over placebo (63% vs 36%)",
        description="brain GABA-B activation giving a sedation index of 0.5",
    )
    hill_coefficient: float = param(
        2.0, symbol="n", unit="1", bounds=(0.5, 6.0), status="calibrated",
        source="calibration notes §8.15: n ≈ 1–2 (choice); 2 keeps low doses band 'none'",
        description="steepness of the sedation scale",
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


def sedation_index(activation_brain: Any, params: SedationParameters | None = None) -> np.ndarray:
    """Qualitative sedation index in [0, 1] from brain GABA-B activation.

    Parameters
    ----------
    activation_brain : float or array_like in [0, 1]
        Drug-driven GABA-B activation at the brain effect site.
    params : SedationParameters, optional
        Calibration of the scale.

    Returns
    -------
    numpy.ndarray
        Index in [0, 1]; monotonic in the activation.  Not a probability.

    Examples
    --------
    >>> bool(sedation_index(0.3) < sedation_index(0.6))
    True
    """
    params = params or SedationParameters()
    a = check_range("activation_brain", activation_brain, 0.0, 1.0)
    x = (a / params.half_activation) ** params.hill_coefficient
    return x / (1.0 + x)


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
