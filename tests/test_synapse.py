import numpy as np
import pytest

from sim import synapse as sy
from sim.errors import ParameterError


def test_release_falls_with_fourth_power_of_calcium_at_low_probability():
    # 35% less Ca influx -> ~82% less release (0.65**4 = 0.179); saturating form gives 0.188 (tol 0.015)
    assert float(sy.release_fraction(0.65)) == pytest.approx(0.65 ** 4, abs=0.015)
    # local log-log slope at normal influx ≈ 4 (3.5–4.0; Dodge & Rahamimoff measured 3.78)
    f = np.array([0.99, 1.0])
    slope = np.diff(np.log(sy.release_fraction(f))) / np.diff(np.log(f))
    assert 3.5 < slope[0] < 4.0
    assert float(sy.release_probability(0.0)) < 0.1  # "low release probability" regime


def test_zero_drug_is_the_reference():
    a_endogenous = 0.15
    assert float(sy.ca_influx_rel(a_endogenous)) == 1.0
    assert float(sy.release_rel(a_endogenous)) == pytest.approx(1.0, rel=1e-12)


def test_release_monotone_in_activation():
    a = np.linspace(0, 1, 21)
    assert np.all(np.diff(sy.release_rel(a)) < 0)


def test_slice_epsc_enantiomers_and_monotone():
    c = np.logspace(-3, 2, 30)
    r, rac, s = (sy.slice_epsc(c, enantiomer=e) for e in ("R", "racemic", "S"))
    assert np.all(np.diff(rac) <= 0)
    assert np.all(r <= rac + 1e-15) and np.all(rac <= s + 1e-15)
    assert float(sy.slice_epsc(0.0)) == pytest.approx(1.0)


def test_resting_pool_and_ampa():
    assert float(sy.resting_pool(0.05, 0.0, 1000.0)) == 1.0
    assert 0 < sy.ampa_binding_effective() < sy.SynapseParameters().ampa_binding_per_mm_ms


def test_errors_name_argument():
    with pytest.raises(ParameterError, match=r"a_pre = 1.5 .*\[0.0, 1.0\]"):
        sy.release_rel(1.5)


def _half_block_um(enantiomer: str) -> float:
    """Bath concentration (µM) at which the slice EPSC falls half-way to its floor (log grid, 0.2 % steps)."""
    c = np.logspace(-3, 4, 8001)
    epsc = sy.slice_epsc(c, enantiomer=enantiomer)
    floor = float(sy.slice_epsc(1e6, enantiomer=enantiomer))
    return float(c[np.argmin(np.abs(epsc - 0.5 * (1.0 + floor)))])


def test_one_potency_from_slice_to_patient():
    """Slice potency (calibration notes §4): racemic half-block in the low µM range (0.7–3 µM here,
    published 0.1–6 µM), R about twice as potent as the racemate (ratio 1.8–2.2), S more than 100×
    weaker than R.  At patients' cord-tissue levels (oral 60 mg/day ≈ 0.07 µM R, IT 400 µg/day ≈ 0.18 µM R)
    the same parameters lower the EPSC by only 5–25 %, while the spastic reflex falls by at least
    twice as much (recruitment amplification)."""
    import sim
    from sim.receptor import site_activations

    racemic, r_only, s_only = (_half_block_um(e) for e in ("racemic", "R", "S"))
    assert 0.7 <= racemic <= 3.0
    assert 1.8 <= racemic / r_only <= 2.2
    assert s_only / r_only > 100.0
    tissue_r_um = np.array([0.07, 0.18])
    epsc = sy.slice_epsc(tissue_r_um, enantiomer="R")
    assert np.all((epsc > 0.75) & (epsc < 0.95))
    a_pre, a_post = site_activations(tissue_r_um, enantiomer="R", mechanism="presynaptic")
    patient = sim.Patient(condition="spastic", spasticity=0.5)
    reflex = sim.reflex.probe(patient, sim.RampAndHold(velocity_deg_s=120.0), a_pre=np.r_[0.15, a_pre],
                              a_post=0.0, traces=())
    gain = reflex["emg_peak"][1:] / reflex["emg_peak"][0]
    assert np.all(1.0 - gain >= 2.0 * (1.0 - epsc))
