r"""GABA-B receptor activation by baclofen.

Stage 2 of the chain: drug concentration at a site → fraction of GABA-B
receptors activated there.

Equations
---------
Only R-(−)-baclofen is active; S-(+)-baclofen is about 120 times less potent
(Ault & Nadler 1983).  A mixture is expressed as an R-equivalent concentration

.. math::  C_R^{eq} = C\,(\phi_R + \phi_S / \rho_{RS})

with :math:`\phi_R, \phi_S` the fractions of each enantiomer (½, ½ for the
racemate) and :math:`\rho_{RS} = 120`.  Activation follows a Hill curve

.. math::  a = \frac{(C_R^{eq}/EC_{50})^{n_H}}{1 + (C_R^{eq}/EC_{50})^{n_H}}

with a separate :math:`EC_{50}` for each site: the presynaptic Ia terminal
(high potency, calibrated), the motoneuron's postsynaptic GIRK-coupled
receptors (≥ 10× less potent: no postsynaptic action below 1 µM in rat
motoneurons, Li et al. 2004) and the brain (sedation).

At the Ia terminal an endogenous tonic GABA-B tone (Salio et al. 2017) acts as
a second agonist competing for the same receptors; both are scaled by the
receptor availability :math:`\rho \in (0, 1]` (tolerance; :mod:`sim.pk`):

.. math::  a_{pre} = \rho\,\frac{x_d + x_e}{1 + x_d + x_e},\qquad
           x_d = (C_R^{eq}/EC_{50})^{n_H},\; x_e = \frac{a_e}{1-a_e}

so that with no drug :math:`a_{pre} = \rho\,a_e`.

For transmitter pulses (GABA released by interneurons) the slow G-protein
cascade of Destexhe & Sejnowski (1995) is provided:

.. math::
   \dot R = K_1 T (1-R) - K_2 R,\qquad \dot G = K_3 R - K_4 G,\qquad
   g/g_{max} = \frac{G^n}{G^n + K_D}

whose n = 4 cooperativity makes GABA-B signalling slow (peak ≈ 100 ms after a
pulse) and strongly supralinear for bursts.

Assumptions
-----------
* Equilibrium binding at the bath/biophase concentration (the millisecond
  probe holds the drug constant; onset delays live in :mod:`sim.pk`).
* One Hill slope for every site (not measured; calibration notes §4).
* The mechanism switch decides which sites the *drug* reaches in the model:
  ``"presynaptic"`` (animal data: less glutamate release), ``"postsynaptic"``
  (human H-reflex data: a motoneuronal K⁺ conductance) or ``"both"``.

Sources: calibration notes §4, §5 and §8; Ault & Nadler, Br J Pharmacol
1983;78:701; Li et al., J Neurophysiol 2004; Salio et al., Mol Pain 2017;
Destexhe & Sejnowski, PNAS 1995;92:9515.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .parameters import Parameters, check_choice, check_limit, check_range, param

__all__ = [
    "ENANTIOMERS",
    "MECHANISMS",
    "SITES",
    "ReceptorParameters",
    "GProteinParameters",
    "r_equivalent_um",
    "activation",
    "site_activations",
    "gabab_pulse_response",
]

#: Accepted ``enantiomer`` values.
ENANTIOMERS = ("racemic", "R", "S")
#: Accepted ``mechanism`` values.
MECHANISMS = ("presynaptic", "postsynaptic", "both")
#: Accepted ``site`` values.
SITES = ("presynaptic", "postsynaptic", "brain")

_R_FRACTION = {"racemic": 0.5, "R": 1.0, "S": 0.0}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReceptorParameters(Parameters):
    """Potency of baclofen at GABA-B receptors (see the module docstring for the equations)."""

    ec50_presynaptic_r_um: float = param(
        0.7, symbol="EC50,pre", unit="µM", bounds=(0.005, 10.0), status="calibrated",
        source="calibrated to slice potency, one value from slice to patient: with I_max 0.40 and the "
        "4th-power release law the modelled slice EPSC (sim.synapse.slice_epsc) falls half-way at ≈ 0.9 µM "
        "racemic (0.46 µM R), inside the published 0.1–6 µM (hippocampal EPSP IC50 3.8 µM, Lanthorn & "
        "Cotman 1981; fEPSP 2.6–6.0 µM, Front Synaptic Neurosci 2020; DRG Ca²⁺ current EC50 1.5 µM, "
        "Tatebayashi & Ogata 1992; spinal Aβ EPSCs strongly depressed by 0.1–2.5 µM, Salio et al. 2017). "
        "Patients' cord-tissue levels (≈ 0.04–0.2 µM R) act through recruitment amplification (sim.motoneuron)",
        description="R-equivalent concentration for half-maximal presynaptic activation",
    )
    ec50_postsynaptic_r_um: float = param(
        10.0, symbol="EC50,post", unit="µM", bounds=(0.005, 100.0), status="calibrated",
        source="calibrated: ≥10× the presynaptic EC50 (calibration notes §8.8); Li et al. 2004 saw no "
        "postsynaptic action in rat motoneurons below 1 µM; GIRK EC50 ≈ 1–5 µM (from memory, unverified)",
        description="R-equivalent concentration for half-maximal motoneuronal (GIRK) activation",
    )
    ec50_brain_r_um: float = param(
        0.7, symbol="EC50,brain", unit="µM", bounds=(0.005, 10.0), status="calibrated",
        source="assumed equal to the presynaptic EC50 (the same GABA-B receptor); the sedation "
        "scale is calibrated in sim.outcomes",
        description="R-equivalent concentration for half-maximal activation at the brain effect site",
    )
    hill_coefficient: float = param(
        1.0, symbol="n_H", unit="1", bounds=(0.5, 4.0), status="calibrated",
        source="not measured for reflex depression; nH ≈ 1 assumed (calibration notes §4, §8.5)",
        description="Hill slope of every concentration–activation curve",
    )
    s_potency_ratio: float = param(
        120.0, symbol="ρ_RS", unit="1", bounds=(1.0, 1000.0), status="literature",
        source="Ault & Nadler, Br J Pharmacol 1983;78:701: (−)/R-baclofen ≈ 120× more potent than (+)/S",
        description="potency of R-baclofen relative to S-baclofen",
    )
    endogenous_presynaptic_activation: float = param(
        0.15, symbol="a_e", unit="1", bounds=(0.0, 0.9), status="illustrative",
        source="illustrative: tonic GABA-B inhibition of primary-afferent glutamate release "
        "(Salio et al., Mol Pain 2017); size chosen so that receptor down-regulation gives a "
        "visible rebound after withdrawal (calibration notes §8.16)",
        description="drug-free activation of presynaptic GABA-B receptors by endogenous GABA",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class GProteinParameters(Parameters):
    """Destexhe-type kinetic GABA-B cascade ("1996 / thalamic" set, calibration notes §5)."""

    k1_per_ms_per_mm: float = param(
        0.09, symbol="K1", unit="1/(ms·mM)", bounds=(1e-4, 10.0), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="receptor binding rate")
    k2_per_ms: float = param(
        0.0012, symbol="K2", unit="1/ms", bounds=(1e-5, 1.0), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="receptor unbinding rate")
    k3_per_ms: float = param(
        0.18, symbol="K3", unit="1/ms", bounds=(1e-4, 10.0), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="G-protein activation rate")
    k4_per_ms: float = param(
        0.034, symbol="K4", unit="1/ms", bounds=(1e-4, 10.0), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="G-protein deactivation rate")
    kd: float = param(
        100.0, symbol="K_D", unit="G^n", bounds=(1e-3, 1e6), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="G-protein half-activation constant")
    n_sites: float = param(
        4.0, symbol="n", unit="1", bounds=(1.0, 8.0), status="literature",
        source="Destexhe et al. 1996, ModelDB gabab.mod", description="G-protein binding sites on the K⁺ channel")
    pulse_concentration_mm: float = param(
        0.5, symbol="T_max", unit="mM", bounds=(0.01, 10.0), status="literature",
        source="Destexhe et al. 1996 (Cmax 0.5 mM)", description="transmitter concentration during a pulse")
    pulse_duration_ms: float = param(
        0.3, symbol="T_dur", unit="ms", bounds=(0.01, 10.0), status="literature",
        source="Destexhe et al. 1996 (Cdur 0.3 ms)", description="duration of a transmitter pulse")


def r_equivalent_um(concentration_um: Any, enantiomer: str = "racemic", params: ReceptorParameters | None = None) -> np.ndarray:
    """R-equivalent concentration of a baclofen preparation.

    This is the one place where racemic dosing is turned into active drug.

    Parameters
    ----------
    concentration_um : float or array_like
        Total baclofen concentration, µM (≥ 0).
    enantiomer : {"racemic", "R", "S"}
        Which preparation.
    params : ReceptorParameters, optional
        Supplies the R/S potency ratio.

    Returns
    -------
    numpy.ndarray
        Concentration of R-baclofen with the same activity, µM.

    Examples
    --------
    >>> float(r_equivalent_um(1.0, "R")), round(float(r_equivalent_um(1.0, "racemic")), 4)
    (1.0, 0.5042)
    """
    params = params or ReceptorParameters()
    check_choice("enantiomer", enantiomer, ENANTIOMERS)
    conc = check_limit("concentration_um", concentration_um)
    fraction_r = _R_FRACTION[enantiomer]
    return conc * (fraction_r + (1.0 - fraction_r) / params.s_potency_ratio)


def activation(
    concentration_um: Any,
    *,
    enantiomer: str = "racemic",
    site: str = "presynaptic",
    params: ReceptorParameters | None = None,
) -> np.ndarray:
    """Fraction of GABA-B receptors activated by baclofen alone (Hill equation).

    Parameters
    ----------
    concentration_um : float or array_like
        Total baclofen concentration at the site, µM (≥ 0).
    enantiomer : {"racemic", "R", "S"}
        Preparation.
    site : {"presynaptic", "postsynaptic", "brain"}
        Which receptor population (each has its own EC50).
    params : ReceptorParameters, optional
        Potencies.

    Returns
    -------
    numpy.ndarray
        Activation in [0, 1], same shape as the input.

    Examples
    --------
    >>> round(float(activation(1.4, enantiomer="R")), 12)  # 2 × EC50 with nH = 1
    0.666666666667
    >>> bool(activation(1.0, enantiomer="S") < activation(1.0, enantiomer="R"))
    True
    """
    params = params or ReceptorParameters()
    check_choice("site", site, SITES)
    x = _drug_ratio(r_equivalent_um(concentration_um, enantiomer, params), site, params)
    return x / (1.0 + x)


def _drug_ratio(r_eq_um: np.ndarray, site: str, params: ReceptorParameters) -> np.ndarray:
    ec50 = {
        "presynaptic": params.ec50_presynaptic_r_um,
        "postsynaptic": params.ec50_postsynaptic_r_um,
        "brain": params.ec50_brain_r_um,
    }[site]
    return (r_eq_um / ec50) ** params.hill_coefficient


def site_activations(
    concentration_um: Any,
    *,
    enantiomer: str = "racemic",
    mechanism: str = "both",
    availability: Any = 1.0,
    params: ReceptorParameters | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Spinal GABA-B activation at the Ia terminal and at the motoneuron.

    Parameters
    ----------
    concentration_um : float or array_like
        Total baclofen concentration in spinal CSF (the biophase), µM.
    enantiomer : {"racemic", "R", "S"}
        Preparation.
    mechanism : {"presynaptic", "postsynaptic", "both"}
        Which sites the drug acts on in the model (a teaching switch).
    availability : float or array_like in (0, 1]
        Receptor availability ρ (1 = untreated; lower after weeks of use).
    params : ReceptorParameters, optional
        Potencies and the endogenous tone.

    Returns
    -------
    a_pre, a_post : numpy.ndarray
        Presynaptic activation (drug + endogenous tone, scaled by ρ) and
        postsynaptic activation (drug only, scaled by ρ), each in [0, 1].

    Examples
    --------
    >>> a_pre, a_post = site_activations(0.0)
    >>> float(a_pre), float(a_post)  # drug-free: endogenous tone only, no GIRK drive
    (0.15, 0.0)
    >>> a_pre, a_post = site_activations(0.5, mechanism="postsynaptic")
    >>> float(a_pre)  # the drug does not reach the terminal under this switch
    0.15
    """
    params = params or ReceptorParameters()
    check_choice("mechanism", mechanism, MECHANISMS)
    rho = check_range("availability", availability, 0.0, 1.0)
    r_eq = r_equivalent_um(concentration_um, enantiomer, params)
    endogenous = params.endogenous_presynaptic_activation
    x_e = endogenous / (1.0 - endogenous)
    x_pre = _drug_ratio(r_eq, "presynaptic", params) if mechanism != "postsynaptic" else 0.0 * r_eq
    x_post = _drug_ratio(r_eq, "postsynaptic", params) if mechanism != "presynaptic" else 0.0 * r_eq
    a_pre = rho * (x_pre + x_e) / (1.0 + x_pre + x_e)
    a_post = rho * x_post / (1.0 + x_post)
    return a_pre, a_post


def gabab_pulse_response(
    pulse_times_ms: Any,
    *,
    t_ms: Any = None,
    params: GProteinParameters | None = None,
) -> np.ndarray:
    r"""Normalised GABA-B conductance after transmitter pulses (Destexhe cascade).

    Each pulse holds the transmitter at ``pulse_concentration_mm`` for
    ``pulse_duration_ms``.  The receptor/G-protein system is linear with
    piecewise-constant coefficients, so it is solved **exactly** on each
    interval with a matrix exponential (no step-size error).

    Parameters
    ----------
    pulse_times_ms : array_like
        Onset times of the pulses, ms (≥ 0, any order).
    t_ms : array_like, optional
        Output times, ms; default 0–1000 ms every 0.5 ms.
    params : GProteinParameters, optional
        Kinetic constants.

    Returns
    -------
    numpy.ndarray
        :math:`g/g_{max} = G^n/(G^n + K_D)` at ``t_ms``, in [0, 1).

    Examples
    --------
    >>> t = np.arange(0.0, 1000.0, 0.5)
    >>> single = gabab_pulse_response([10.0], t_ms=t)
    >>> burst = gabab_pulse_response(10.0 + 5.0 * np.arange(10), t_ms=t)
    >>> bool(burst.max() > 10 * single.max())  # strongly supralinear
    True
    >>> bool(50 < t[single.argmax()] < 200)  # slow: peaks ~100 ms after the pulse
    True
    """
    from . import solvers  # the one module that advances states in time (imported here: no cycle)

    params = params or GProteinParameters()
    pulses = np.sort(check_range("pulse_times_ms", np.atleast_1d(pulse_times_ms), 0.0, np.inf, "ms"))
    times = np.arange(0.0, 1000.0, 0.5) if t_ms is None else check_range("t_ms", t_ms, 0.0, np.inf, "ms")
    if times.ndim != 1 or np.any(np.diff(times) < 0):
        from .errors import ParameterError

        raise ParameterError("t_ms must be a one-dimensional, non-decreasing array of times")
    p = params
    # Transmitter is on during [pulse, pulse + duration): merge overlapping pulses.
    edges = []
    for start in pulses:
        stop = start + p.pulse_duration_ms
        if edges and start <= edges[-1][1]:
            edges[-1][1] = max(edges[-1][1], stop)
        else:
            edges.append([start, stop])
    breakpoints = sorted({0.0, *(e for pair in edges for e in pair)})

    def transmitter_on(t: float) -> bool:
        return any(a <= t < b for a, b in edges)

    # Augmented linear system z = (R, G, 1): dz/dt = M z.
    def generator(on: bool) -> np.ndarray:
        tr = p.pulse_concentration_mm if on else 0.0
        return np.array(
            [
                [-(p.k1_per_ms_per_mm * tr + p.k2_per_ms), 0.0, p.k1_per_ms_per_mm * tr],
                [p.k3_per_ms, -p.k4_per_ms, 0.0],
                [0.0, 0.0, 0.0],
            ]
        )

    state = np.array([0.0, 0.0, 1.0])
    g_protein = np.zeros_like(times)
    segments = breakpoints + [max(times[-1] if times.size else 0.0, breakpoints[-1]) + 1.0]
    for start, stop in zip(segments[:-1], segments[1:], strict=True):
        matrix = generator(transmitter_on(start))
        inside = (times >= start) & (times < stop)
        if np.any(inside):
            g_protein[inside] = solvers.propagate_eigen(matrix, times[inside] - start, state)[:, 1]
        state = solvers.propagators(matrix, stop - start) @ state
    g_n = np.maximum(g_protein, 0.0) ** p.n_sites
    return g_n / (g_n + p.kd)
