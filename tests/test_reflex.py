"""Tests of the reflex probe (sim.reflex).  Tolerances are stated next to each check."""

import numpy as np
import pytest

import sim
from sim import readouts
from sim import reflex as rf
from sim.errors import ParameterError
from sim.protocols import ElectricalVolley, RampAndHold
from sim.receptor import site_activations

SPASTIC = sim.Patient(condition="spastic")
HEALTHY = sim.Patient(condition="healthy")
CSF = np.array([0.0, 10.0, 28.0, 100.0, 300.0, 560.0])


@pytest.fixture(scope="module")
def grid():
    # velocities x concentrations for both presets, one vectorised call per preset
    v = np.array([30.0, 60.0, 120.0, 200.0])
    out = {}
    for name, patient in (("spastic", SPASTIC), ("healthy", HEALTHY)):
        out[name] = sim.stretch_reflex(patient, v[:, None], spinal_effect_ng_ml=CSF[None, :], duration_ms=700.0,
                                       traces=("emg", "mn_rate_hz", "recruited_fraction", "ia_rate_hz",
                                               "release_rel", "torque_nm", "force_n"))
    return v, out


def test_reflex_never_increases_with_drug(grid):
    _, out = grid
    for r in out.values():
        for key in ("emg_peak", "torque_peak_nm", "reflex_torque_peak_nm"):
            assert np.all(np.diff(r[key], axis=1) <= 1e-9), key  # tolerance: round-off only


def test_spastic_exceeds_healthy(grid):
    _, out = grid
    assert np.all(out["spastic"]["emg_peak"][:, 0] > out["healthy"]["emg_peak"][:, 0])
    assert np.all(out["spastic"]["reflex_torque_peak_nm"][:, 0] > out["healthy"]["reflex_torque_peak_nm"][:, 0])


VELOCITIES = np.array([10.0, 15.0, 30.0, 60.0, 90.0, 120.0, 150.0, 200.0])
MVT_NM = sim.muscle.SOLEUS.max_force_n * sim.muscle.SOLEUS.moment_arm_m  # maximal active torque, 175 N·m


@pytest.fixture(scope="module")
def presets():
    """Healthy, moderate (0.5) and severe (1.0) presets × 20° ramps at 10–200 °/s, 1.5 s of hold after."""
    patients = sim.Patient(condition="spastic", spasticity=np.array([0.0, 0.5, 1.0])[:, None])
    return sim.stretch_reflex(patients, VELOCITIES[None, :], amplitude_deg=20.0, duration_ms=3600.0,
                              traces=("recruited_fraction",))


def test_healthy_preset_has_a_velocity_threshold(presets):
    """Relaxed healthy muscle: little or no reflex at slow stretch (EMG < 0.003 of maximal up to
    60 °/s), a reflex that grows with velocity above that, and reflex torque at 120 °/s below 3 % of
    maximal voluntary torque."""
    emg = presets["emg_peak"][0]
    assert np.all(emg[VELOCITIES <= 60.0] < 0.003)
    fast = VELOCITIES >= 60.0
    assert np.all(np.diff(emg[fast]) > 0)
    assert presets["reflex_torque_peak_nm"][0, VELOCITIES == 120.0][0] < 0.03 * MVT_NM


@pytest.mark.parametrize("arm", [1, 2], ids=["moderate", "severe"])
def test_spastic_presets_grow_with_velocity_and_their_threshold_falls(presets, arm):
    """Lance's definition for moderate and severe spasticity over 15–200 °/s: reflex EMG rises strictly
    with velocity; the latency-corrected trigger angle never rises by more than 0.5° with velocity up to
    150 °/s and falls by at least a third from the slowest to the fastest stretch that triggers a reflex."""
    window = (VELOCITIES >= 15.0) & (VELOCITIES <= 200.0)
    emg = presets["emg_peak"][arm, window]
    assert np.all(np.diff(emg) > 0)
    trigger = presets["trigger_angle_deg"][arm]
    detected = presets["reflex_detected"][arm] & window
    upto = detected & (VELOCITIES <= 150.0)
    assert np.all(np.diff(trigger[upto]) < 0.5)
    assert trigger[detected][-1] <= (2.0 / 3.0) * trigger[detected][0]


def test_spasticity_is_much_larger_than_health_at_fast_stretch_but_a_fraction_of_maximal_torque(presets):
    emg, torque = presets["emg_peak"], presets["reflex_torque_peak_nm"]
    fast = VELOCITIES >= 60.0
    assert np.all(emg[2, fast] > emg[1, fast]) and np.all(emg[1, fast] > emg[0, fast])
    at_120 = VELOCITIES == 120.0
    assert emg[1, at_120][0] > 5.0 * emg[0, at_120][0] and emg[2, at_120][0] > 20.0 * emg[0, at_120][0]
    assert np.all(torque[:, -1] < 0.5 * MVT_NM)  # even severe spastic reflex torque stays below half of MVT


def test_no_contraction_outlasts_the_stretch(presets):
    """1.5 s into the hold after the ramp the recruited share has fallen below a third of its peak rise
    (moderate and severe, 15–200 °/s): the PIC's slow inactivation ends the after-discharge."""
    t, rec = presets["t_ms"], presets["recruited_fraction"]
    ramp_end_cord = 50.0 + 20.0 / VELOCITIES * 1000.0 + sim.muscle.SOLEUS.afferent_delay_ms
    for arm in (1, 2):
        for j, v in enumerate(VELOCITIES):
            if v < 15.0:
                continue
            rise = rec[arm, j].max() - rec[arm, j, 0]
            late = rec[arm, j, np.searchsorted(t, ramp_end_cord[j] + 1500.0)] - rec[arm, j, 0]
            assert late < rise / 3.0, (arm, v, late, rise)


def test_zero_drug_invariants(grid):
    _, out = grid
    for r in out.values():
        assert np.all(r["girk_conductance_ns"][:, 0] == 0.0)
        assert np.allclose(r["release_rel"][:, 0, 0], 1.0, rtol=1e-12)  # resting release = reference
        assert np.all(r["resting_release_rel"][:, 0] == pytest.approx(1.0, rel=1e-12))
        for name in ("emg", "mn_rate_hz", "ia_rate_hz", "release_rel", "force_n"):
            assert np.all(r[name] >= 0.0) and np.all(np.isfinite(r[name])), name
        assert np.all((r["recruited_fraction"] >= 0) & (r["recruited_fraction"] <= 1))


def test_traces_are_consistent():
    r = sim.stretch_reflex(SPASTIC, 120.0, duration_ms=400.0)
    assert set(rf.TRACE_UNITS) == set(r.names)
    assert r["angle_deg"][-1] == pytest.approx(30.0)
    # torque = moment arm x force (exact)
    assert np.allclose(r["torque_nm"], 0.05 * r["force_n"], rtol=1e-12)
    # EMG is the pool rate shifted by the efferent delay (15 ms = 15 output samples at the ramp's
    # default 1 ms spacing, an exact shift)
    assert r.meta["output_dt_ms"] == sim.RampAndHold.default_step_ms == 1.0
    k = int(sim.muscle.SOLEUS.efferent_delay_ms / r.meta["output_dt_ms"])
    assert np.allclose(r["emg"][k:], r["mn_rate_hz"][:-k] / sim.muscle.SOLEUS.emg_reference_rate_hz, rtol=1e-12)


def _model_and_knots():
    a_pre, a_post = site_activations(0.05)
    return rf.build_model(SPASTIC.replace(spasticity=0.5), RampAndHold(velocity_deg_s=120.0), a_pre=a_pre,
                          a_post=a_post)


def test_integrator_matches_solve_ivp_and_converges():
    model = _model_and_knots()
    duration = 300.0
    index = sim.circuit.A
    f_max = sim.muscle.SOLEUS.max_force_n
    # accuracy at the default step against solve_ivp (DOP853, rtol 1e-9, same rhs)
    run = rf.integrate(model, duration, dt_ms=0.1, output_dt_ms=0.5, states=True)
    ref = rf.reference_solution(model, run["t_out"], rtol=1e-9, atol=1e-12)
    ref_force = f_max * ref[index, 0]
    error = np.max(np.abs(f_max * run["states"][index, 0] - ref_force)) / np.max(np.abs(ref_force))
    assert error <= 1e-3  # required: max relative force error <= 1e-3 (measured ~5e-9)
    span = np.ptp(ref, axis=-1, keepdims=True) + 1e-12
    assert np.max(np.abs(run["states"] - ref) / span) < 1e-6  # every state, relative to its range
    # convergence order: at dt = 0.1 ms the error is already at the reference's level, so use
    # coarse steps (0.8, 0.4, 0.2 ms) against a tighter reference (rtol 1e-12).  RK4 divides the
    # error by ~16 per halving; accept > 8.
    runs = {dt: rf.integrate(model, duration, dt_ms=dt, output_dt_ms=1.6, states=True) for dt in (0.8, 0.4, 0.2)}
    t = runs[0.8]["t_out"]
    ref = rf.reference_solution(model, t, rtol=1e-12, atol=1e-14)
    ref_force = f_max * ref[index, 0]
    errors = {dt: np.max(np.abs(f_max * r["states"][index, 0] - ref_force)) / np.max(np.abs(ref_force))
              for dt, r in runs.items()}
    assert errors[0.8] / errors[0.4] > 8.0
    assert errors[0.4] / errors[0.2] > 8.0


def test_grid_of_1000_probes_matches_single_probes():
    v = np.linspace(20.0, 200.0, 40)
    c = np.linspace(0.0, 600.0, 25)
    grid = sim.stretch_reflex(SPASTIC.replace(spasticity=0.6), v[:, None], spinal_effect_ng_ml=c[None, :],
                              duration_ms=400.0, traces=())
    assert grid["emg_peak"].shape == (40, 25)
    for i, j in ((0, 0), (13, 4), (39, 24), (25, 10)):
        one = sim.stretch_reflex(SPASTIC.replace(spasticity=0.6), v[i], spinal_effect_ng_ml=c[j], duration_ms=400.0,
                                 traces=())
        # the batch shares a step grid containing every probe's ramp end, so the steps differ
        # slightly from a single run: agreement at the integrator's accuracy (rtol 1e-6)
        for key in ("emg_peak", "torque_peak_nm", "latency_ms", "threshold_angle_deg"):
            assert grid[key][i, j] == pytest.approx(float(one[key]), rel=1e-6, abs=1e-9), key


def test_invalid_arguments_raise_parameter_error():
    with pytest.raises(ParameterError, match=r"velocity_deg_s = -10.0 .*\[0.0, 1000.0\]"):
        sim.stretch_reflex(SPASTIC, -10.0)
    with pytest.raises(ParameterError, match=r"spinal_effect_ng_ml = -1.0 .*\[0.0, "):
        sim.stretch_reflex(SPASTIC, 100.0, spinal_effect_ng_ml=[0.0, -1.0])
    with pytest.raises(ParameterError, match="enantiomer = 'D'"):
        sim.stretch_reflex(SPASTIC, 100.0, enantiomer="D")
    with pytest.raises(ParameterError, match="mechanism = 'spinal'"):
        sim.h_reflex(SPASTIC, mechanism="spinal")
    with pytest.raises(ParameterError, match=r"spasticity = 1.5 .*\[0.0, 1.0\]"):
        sim.Patient(condition="spastic", spasticity=1.5)
    with pytest.raises(ParameterError, match=r"a_pre = 2.0"):
        rf.probe(SPASTIC, RampAndHold(), a_pre=2.0, a_post=0.0)
    with pytest.raises(ParameterError, match="traces"):
        sim.stretch_reflex(SPASTIC, 100.0, traces=("emgg",))


def test_presets_h_ratio_latency_and_spasm():
    h = sim.h_reflex(sim.Patient(condition="spastic", spasticity=np.array([0.0, 1.0])))
    assert 0.3 <= h[0] <= 0.5 and 0.5 <= h[1] <= 0.9  # calibration notes §6 (from memory)
    r = rf.probe(HEALTHY, ElectricalVolley(), a_pre=0.15, a_post=0.0, traces=())
    assert r["latency_ms"] == pytest.approx(30.8, abs=2.6)  # soleus H-reflex latency 30.8 ± 2.6 ms
    spasm = readouts.evaluate(["spasm_index"], 0.15, 0.0, np.array([0.0, 0.5, 1.0]))["spasm_index"]
    # PIC keeps the severe spastic pool firing after a brief train for a few hundred ms to ~1.5 s,
    # and the spasm ends by itself within the 2 s probe; moderate and healthy stop within 100 ms
    assert 200.0 < spasm[2] < 1500.0 and spasm[1] < 100.0 and spasm[0] < 100.0


def test_calibration_targets_and_readouts():
    """Cord-tissue levels of oral 60 mg/day (≈ 31 ng/mL) and IT 400 µg/day (≈ 78 ng/mL; sim.pk) lower
    the moderate spastic fast-stretch reflex partly (oral by 15–50 %, IT by 40–85 %); a level 10× the
    IT one (the lumbar CSF of a pump, were it the effect site) nearly abolishes it (< 5 %).  Hmax/Mmax
    falls with concentration but only partly at the oral level (Orsnes et al. 2000)."""
    a_pre, a_post = site_activations(sim.units.ng_ml_to_um(np.array([0.0, 31.0, 78.0, 780.0])))
    values = readouts.evaluate(["emg_peak", "h_reflex_ratio"], a_pre, a_post, 0.5)
    gain = values["emg_peak"] / values["emg_peak"][0]
    assert 0.5 < gain[1] < 0.85 and 0.15 < gain[2] < 0.6 and gain[3] < 0.05
    assert np.all(np.diff(values["h_reflex_ratio"]) <= 0)
    assert values["h_reflex_ratio"][1] > 0.7 * values["h_reflex_ratio"][0]
    force = readouts.evaluate(["voluntary_force_n"], np.array([0.15, 0.9, 0.15]),
                              np.array([0.0, 0.0, 0.6]), 1.0)["voluntary_force_n"]
    # maximal voluntary force: the GIRK route weakens it a little; presynaptic Ia inhibition barely
    # touches a maximal descending command (< 1 %)
    assert force[2] < force[0] and abs(force[1] - force[0]) < 0.01 * force[0]
    assert float(rf.girk_conductance_ns(0.0)) == 0.0 and float(rf.release_rel(0.15)) == pytest.approx(1.0)


def test_drug_free_reference_follows_the_receptor_parameters():
    """With a changed endogenous tone, zero drug is still 'unchanged release' (relative = 1)."""
    from sim.receptor import ReceptorParameters

    receptor = ReceptorParameters(endogenous_presynaptic_activation=0.3)
    r = sim.stretch_reflex(sim.Patient(condition="spastic"), 60.0, spinal_effect_ng_ml=[0.0, 40.0], traces=(),
                           receptor=receptor, dt_ms=0.25)
    assert r["release_rel"][0] == pytest.approx(1.0, abs=1e-12)
    assert r["ca_influx_rel"][0] == pytest.approx(1.0, abs=1e-12)
    assert r["release_rel"][1] < 1.0


def test_dose_response_has_no_cliffs():
    """Graded recruitment gives graded drug effects: on a fine grid of cord-tissue levels (0–300 ng/mL in
    2.5 ng/mL steps) no step between neighbouring levels changes the fast-stretch EMG, reflex torque or
    Hmax/Mmax by more than 5 % of the curve's range (measured at most ≈ 3 %, at the steep start of the
    moderate EMG curve), for moderate and severe spasticity."""
    levels = np.arange(0.0, 300.0 + 1e-9, 2.5)
    patients = sim.Patient(condition="spastic", spasticity=np.array([0.5, 1.0])[:, None])
    ramp = sim.stretch_reflex(patients, 120.0, spinal_effect_ng_ml=levels[None, :], traces=())
    h = sim.h_reflex(patients, spinal_effect_ng_ml=levels[None, :])
    for name, curves in (("emg_peak", ramp["emg_peak"]), ("reflex_torque_peak_nm", ramp["reflex_torque_peak_nm"]),
                         ("h_reflex_ratio", h)):
        for curve in curves:
            steps = np.abs(np.diff(curve))
            assert steps.max() <= 0.05 * np.ptp(curve), (name, steps.max() / np.ptp(curve))
            assert np.all(np.diff(curve) <= 1e-12)  # and never rising with the drug
