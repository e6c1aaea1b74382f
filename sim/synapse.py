r"""The Ia → motoneuron synapse: presynaptic GABA-B inhibition, release, glutamate, AMPA.

Stage 3 of the chain: Ia spikes and presynaptic GABA-B activation → cleft
glutamate → AMPA conductance on the motoneuron.

Equations
---------
**Ca²⁺ influx.**  Presynaptic GABA-B activation :math:`a_{pre}` (drug plus the
endogenous tone, :func:`sim.receptor.site_activations`) inhibits the
high-voltage-activated Ca²⁺ channels of the terminal by at most
:math:`I_{max}`:

.. math::  f_{Ca} = 1 - I_{max}\,a_{pre}

**Release probability** (Dodge & Rahamimoff 1967: release ∝ [Ca]^≈4 while
release probability is low), in a saturating form so it can never exceed
:math:`p_{max}`:

.. math::  p = p_{max}\,\frac{f_{Ca}^{m}}{f_{Ca}^{m} + K^{m}},\qquad m = 4

With :math:`K = 2` (normal influx = half of the half-saturating influx) the
log–log slope at normal influx is :math:`4K^4/(1+K^4) = 3.76`, close to the
measured 3.78, and a 35% fall in influx removes ≈ 81% of release.

**Vesicle pool** (Tsodyks–Markram-type depression, ensemble average over Ia
boutons): every release event uses a fraction :math:`U` of the releasable
pool :math:`x`, which recovers with :math:`\tau_{rec}`; with :math:`r` the Ia
rate arriving at the cord,

.. math::  \dot x = \frac{1 - x}{\tau_{rec}} - U\,p\,x\,r

This is the post-activation depression of the Ia–motoneuron synapse.

**Cleft glutamate** (mean over synapses; each release event raises the cleft
concentration by :math:`G_q` = 1.1 mM, cleared with :math:`\tau_{glu}` = 1.2 ms;
Clements et al. 1992):

.. math::  \dot G = G_q\,p\,x\,r - G/\tau_{glu}

**AMPA receptors** (Destexhe-type two-state kinetics, open fraction :math:`s`):

.. math::  \dot s = \alpha_{eff}\,G\,(1 - s) - \beta\,s,\qquad
           \alpha_{eff} = \alpha\,\frac{1 - e^{-\alpha G_q \tau_{glu}}}{\alpha G_q \tau_{glu}}

:math:`\alpha_{eff}` makes the *ensemble* open fraction per release event equal
to what one release opens at its own synapse (where the receptors saturate
during the 1.1 mM pulse), because :math:`G` here is an average over many
asynchronously active synapses.  The synaptic conductance is
:math:`g_{Ia} = \bar g_{Ia}\,s` (:mod:`sim.motoneuron`).

Assumptions
-----------
* Rate-level (mean-field) synapse: spikes are not simulated individually.
* GABA-B acts on Ca²⁺ influx only (the fibre volley is unchanged; Čapek &
  Esplin 1982, Wu & Saggau 1995); its kinetics (τ ≈ 0.2–3 s; Pfrieger 1994)
  are slow compared with a probe, so :math:`a_{pre}` is held constant.

Examples
--------
>>> round(float(release_fraction(0.65)), 3)  # 35% less Ca²⁺ influx → ≈ 81% less release
0.188
>>> float(ca_influx_rel(0.15)), round(float(release_rel(0.15)), 12)  # drug-free reference
(1.0, 1.0)
>>> bool(slice_epsc(1.0, enantiomer="R") < slice_epsc(1.0, enantiomer="racemic") < slice_epsc(1.0, enantiomer="S"))
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._jit import kernel_function
from .parameters import Parameters, check_range, param
from .receptor import ReceptorParameters, site_activations

__all__ = [
    "SynapseParameters",
    "ca_influx",
    "ca_influx_rel",
    "release_probability",
    "release_fraction",
    "release_rel",
    "resting_pool",
    "ampa_binding_effective",
    "slice_epsc",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SynapseParameters(Parameters):
    """Presynaptic terminal, cleft and AMPA receptor of the Ia–motoneuron synapse."""

    ca_inhibition_max: float = param(
        0.40, symbol="I_max", unit="1", bounds=(0.0, 0.9), status="literature",
        source="calibration notes §8.6: 0.28–0.40 (28% of ICa at 100 µM, Robertson & Taylor 1986; "
        "≈40% of Cav2.1/2.3, Berecki et al. 2014); the upper value, for the Cav2.1/2.3 channels of "
        "central terminals",
        description="largest fractional block of presynaptic Ca²⁺ influx by GABA-B",
    )
    ca_cooperativity: float = param(
        4.0, symbol="m", unit="1", bounds=(1.0, 6.0), status="literature",
        source="Dodge & Rahamimoff, J Physiol 1967;193:419 (log–log slope 3.78 ± 0.2)",
        description="Ca²⁺ cooperativity of release",
    )
    release_probability_max: float = param(
        1.0, symbol="p_max", unit="1", bounds=(0.01, 1.0), status="illustrative",
        source="illustrative: release probability at saturating Ca²⁺ influx",
        description="ceiling of the release probability",
    )
    ca_half_release_rel: float = param(
        2.0, symbol="K", unit="× normal influx", bounds=(0.5, 10.0), status="calibrated",
        source="calibrated: release probability at normal influx ≈ 0.06 (low, so the Dodge–Rahamimoff "
        "4th power holds; local log–log slope 3.76 vs measured 3.78)",
        description="Ca²⁺ influx (relative to normal) giving half the maximal release probability",
    )
    pool_use_per_release: float = param(
        0.03, symbol="U", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: depression builds over seconds of Ia firing (post-activation depression) "
        "without making release independent of p (as a fully depleting synapse would); the releasable "
        "pool is ≈ 97% full at the relaxed resting discharge",
        description="fraction of the releasable pool used by one release event",
    )
    tau_rec_healthy_ms: float = param(
        3000.0, symbol="τ_rec,h", unit="ms", bounds=(10.0, 30_000.0), status="calibrated",
        source="calibration notes §8.10 (τ_rec ≈ 1–10 s for Ia–MN post-activation depression); "
        "healthy soleus H-reflex stays depressed for seconds after a stretch (Exp Brain Res study, §5)",
        description="recovery time constant of the releasable pool, healthy preset",
    )
    tau_rec_spastic_ms: float = param(
        1000.0, symbol="τ_rec,s", unit="ms", bounds=(10.0, 30_000.0), status="calibrated",
        source="less post-activation depression and faster recovery in spastic SCI "
        "('H-reflexes are less depressed following muscle stretch in spastic SCI patients', Exp Brain Res)",
        description="recovery time constant of the releasable pool, spastic preset",
    )
    glutamate_per_release_mm: float = param(
        1.1, symbol="G_q", unit="mM", bounds=(0.1, 10.0), status="literature",
        source="Clements et al., Science 1992;258:1498 (peak cleft glutamate 1.1 mM)",
        description="cleft glutamate step per release event",
    )
    glutamate_clearance_ms: float = param(
        1.2, symbol="τ_glu", unit="ms", bounds=(0.05, 20.0), status="literature",
        source="Clements et al. 1992 (decay τ 1.2 ms)", description="cleft glutamate clearance time constant",
    )
    ampa_binding_per_mm_ms: float = param(
        1.1, symbol="α", unit="1/(mM·ms)", bounds=(0.01, 20.0), status="unverified",
        source="Destexhe et al. 1994/1998 AMPA kinetic scheme (from memory, unverified; calibration notes §5)",
        description="AMPA opening rate per mM glutamate",
    )
    ampa_closing_per_ms: float = param(
        0.19, symbol="β", unit="1/ms", bounds=(0.01, 5.0), status="unverified",
        source="Destexhe et al. 1994/1998 (from memory, unverified); EPSC decay ≈ 2.6–5 ms (PMC2269430)",
        description="AMPA closing rate",
    )


def _check_activation(name: str, value: Any) -> np.ndarray:
    return check_range(name, value, 0.0, 1.0)


def _reference_activation(receptor: ReceptorParameters | None) -> float:
    """Drug-free presynaptic activation: the endogenous tone of *receptor* (default parameters)."""
    return (receptor or ReceptorParameters()).endogenous_presynaptic_activation


def ca_influx(a_pre: Any, params: SynapseParameters | None = None) -> np.ndarray:
    """Ca²⁺ influx relative to a terminal with no GABA-B activation, :math:`1 - I_{max} a_{pre}`."""
    p = params or SynapseParameters()
    return 1.0 - p.ca_inhibition_max * _check_activation("a_pre", a_pre)


def ca_influx_rel(a_pre: Any, params: SynapseParameters | None = None,
                  receptor: ReceptorParameters | None = None) -> np.ndarray:
    """Ca²⁺ influx per Ia spike relative to the drug-free terminal (endogenous tone only).

    Examples
    --------
    >>> round(float(ca_influx_rel(1.0)), 3)
    0.638
    """
    return ca_influx(a_pre, params) / ca_influx(_reference_activation(receptor), params)


def release_probability(a_pre: Any, params: SynapseParameters | None = None) -> np.ndarray:
    """Release probability per Ia spike (per release site) for presynaptic activation *a_pre*.

    Examples
    --------
    >>> round(float(release_probability(0.0)), 4)  # no GABA-B at all: low p
    0.0588
    """
    p = params or SynapseParameters()
    return _release_from_influx(ca_influx(a_pre, p), p)


def _release_from_influx(influx: np.ndarray, p: SynapseParameters) -> np.ndarray:
    f_m = influx ** p.ca_cooperativity
    return p.release_probability_max * f_m / (f_m + p.ca_half_release_rel ** p.ca_cooperativity)


def release_fraction(ca_influx_fraction: Any, params: SynapseParameters | None = None) -> np.ndarray:
    """Transmitter release relative to control for a given fractional Ca²⁺ influx.

    Pure Dodge–Rahamimoff stage: ``release_fraction(1.0) == 1``; at low release
    probability it falls with ≈ the 4th power of the influx.

    Parameters
    ----------
    ca_influx_fraction : float or array_like in [0, 2]
        Ca²⁺ influx relative to control.
    params : SynapseParameters, optional

    Returns
    -------
    numpy.ndarray
        Release relative to control.

    Examples
    --------
    >>> round(float(release_fraction(0.5)), 4), round(0.5 ** 4, 4)
    (0.0661, 0.0625)
    """
    p = params or SynapseParameters()
    f = check_range("ca_influx_fraction", ca_influx_fraction, 0.0, 2.0)
    return _release_from_influx(f, p) / _release_from_influx(np.asarray(1.0), p)


def release_rel(a_pre: Any, params: SynapseParameters | None = None,
                receptor: ReceptorParameters | None = None) -> np.ndarray:
    """Release probability per Ia spike relative to drug-free (no vesicle depletion).

    "Drug-free" means the endogenous tone of *receptor* (default parameters if omitted).

    Examples
    --------
    >>> round(float(release_rel(0.4)), 3)
    0.649
    """
    p = params or SynapseParameters()
    return release_probability(a_pre, p) / release_probability(_reference_activation(receptor), p)


@kernel_function
def steady_pool(release_prob: Any, rate_hz: Any, tau_rec_ms: Any, pool_use_per_release: float) -> Any:
    """Steady-state releasable pool :math:`x = 1/(1 + U p r \\tau_{rec})` (kernel function)."""
    return 1.0 / (1.0 + pool_use_per_release * release_prob * rate_hz / 1000.0 * tau_rec_ms)


def resting_pool(release_prob: Any, rate_hz: Any, tau_rec_ms: Any, params: SynapseParameters | None = None) -> np.ndarray:
    """Steady-state releasable pool :math:`x = 1/(1 + U p r \\tau_{rec})` for a constant Ia rate."""
    p = params or SynapseParameters()
    return np.asarray(steady_pool(np.asarray(release_prob, dtype=float), np.asarray(rate_hz, dtype=float),
                                  np.asarray(tau_rec_ms, dtype=float), p.pool_use_per_release))


@kernel_function
def synapse_derivatives(pool: Any, glutamate_mm: Any, ampa_open: Any, ia_rate_hz: Any, release_probability_: Any,
                        inverse_tau_rec_per_ms: Any, pool_use_per_release: float, glutamate_per_release_mm: float,
                        glutamate_clearance_ms: float, ampa_binding_eff: float,
                        ampa_closing_per_ms: float) -> tuple[Any, Any, Any]:
    """:math:`(\\dot x, \\dot G, \\dot s)` of the module docstring, per ms (kernel function)."""
    release = release_probability_ * pool * ia_rate_hz * 1e-3  # release events per ms per site
    d_pool = (1.0 - pool) * inverse_tau_rec_per_ms - pool_use_per_release * release
    d_glutamate = glutamate_per_release_mm * release - glutamate_mm / glutamate_clearance_ms
    d_ampa = ampa_binding_eff * glutamate_mm * (1.0 - ampa_open) - ampa_closing_per_ms * ampa_open
    return d_pool, d_glutamate, d_ampa


def ampa_binding_effective(params: SynapseParameters | None = None) -> float:
    """Mean-field AMPA opening rate :math:`\\alpha_{eff}` (see the module docstring), 1/(mM·ms)."""
    p = params or SynapseParameters()
    dose = p.ampa_binding_per_mm_ms * p.glutamate_per_release_mm * p.glutamate_clearance_ms
    return float(p.ampa_binding_per_mm_ms * -np.expm1(-dose) / dose)


def slice_epsc(
    bath_um: Any,
    *,
    enantiomer: str = "racemic",
    receptor: ReceptorParameters | None = None,
    params: SynapseParameters | None = None,
) -> np.ndarray:
    """Monosynaptic EPSC amplitude in a slice with a clamped bath concentration, relative to drug-free.

    A voltage-clamped motoneuron (so postsynaptic GIRK current does not
    matter) stimulated at low frequency (no depletion): the EPSC is
    proportional to the release probability,
    ``release_rel(a_pre(bath))``.

    **One potency from slice to patient.**  With the default receptor
    parameters (the same ones the patient model uses) the racemic EPSC falls
    half-way to its floor at ≈ 0.9 µM, R-baclofen at ≈ 0.46 µM (about twice as
    potent as the racemate, which is half S) and S-baclofen needs > 100× more –
    the published slice potencies (low µM racemic; Ault & Nadler 1983 for the
    enantiomers; calibration notes §4).  Patients' cord-tissue levels are much
    lower (oral 60 mg/day ≈ 0.07 µM R, intrathecal 400 µg/day ≈ 0.18 µM R;
    :mod:`sim.pk`), where the EPSC falls by only ≈ 10–25 %.  The reflex falls by
    far more because recruitment amplifies it: a stretch lifts the pool only a
    few millivolts above the thresholds of the units it recruits, so a small
    loss of synaptic drive derecruits a larger share of the pool
    (:mod:`sim.motoneuron`; the amplification is measured in
    ``tests/test_synapse.py``).  No second, "in-situ" potency is needed.

    Parameters
    ----------
    bath_um : float or array_like, ≥ 0
        Bath baclofen concentration (total of the preparation), µM.
    enantiomer : {"racemic", "R", "S"}
        Preparation.
    receptor : ReceptorParameters, optional
        Potencies.
    params : SynapseParameters, optional

    Returns
    -------
    numpy.ndarray
        EPSC relative to drug-free, in (0, 1].

    Examples
    --------
    >>> round(float(slice_epsc(0.0)), 6)
    1.0
    >>> round(float(slice_epsc(10.0, enantiomer="R")), 3)  # near-maximal presynaptic block
    0.204
    """
    a_pre, _ = site_activations(bath_um, enantiomer=enantiomer, mechanism="presynaptic", params=receptor)
    return release_rel(a_pre, params)
