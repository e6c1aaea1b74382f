"""The motoneuron pool of units: thresholds, shares, rate coding, PIC gating, presets.

Tolerances are stated per test.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim import motoneuron as mn
from sim.errors import ParameterError
from sim.parameters import STATUSES


@given(st.floats(-150, 80))
def test_unit_rate_bounds(u):
    rate, recruited = mn.unit_rate(u, 0.5, 7.1, 0.6)
    assert 0.0 <= float(recruited) <= 1.0
    assert float(rate) >= 0.0


def test_unit_rate_limits():
    """Far below threshold a unit is silent (< 0.01 imp/s); far above it fires r_min + k_f u (to 1e-3)."""
    p = mn.MotoneuronParameters()
    rate, recruited = mn.unit_rate(-40.0, p.recruitment_smoothing_mv, p.minimum_rate_hz, p.rate_gain_hz_per_mv)
    assert recruited < 2e-4 and rate < 1e-2
    rate, recruited = mn.unit_rate(30.0, p.recruitment_smoothing_mv, p.minimum_rate_hz, p.rate_gain_hz_per_mv)
    assert float(recruited) == pytest.approx(1.0, abs=1e-3)
    assert float(rate) == pytest.approx(p.minimum_rate_hz + p.rate_gain_hz_per_mv * 30.0, abs=1e-2)


@given(st.floats(-80.0, 80.0), st.floats(0.2, 5.0), st.floats(0.0, 20.0), st.floats(0.5, 20.0),
       st.floats(-5.0, 10.0), st.floats(0.5, 5.0), st.floats(2.0, 40.0))
def test_the_kernel_unit_drive_equals_the_stage_functions(u, smoothing, minimum, gain, half, slope, half_force):
    """unit_drive (one division) gives the same rate, recruitment, m_inf and muscle excitation as
    unit_rate, pic_activation_steady and muscle.excitation_from_rate, to 1e-12 relative – or, far
    below threshold, where unit_rate's u + sqrt(u² + s²) cancels, to 1e-12 of gain·|u| (its own
    rounding error there)."""
    rate, recruited, m_steady, excitation = mn.unit_drive(u, smoothing, minimum, gain, half, slope, half_force)
    rate_ref, recruited_ref = mn.unit_rate(u, smoothing, minimum, gain)
    cancellation = 1e-12 * gain * (abs(u) + smoothing)
    assert rate == pytest.approx(rate_ref, rel=1e-12, abs=cancellation)
    assert recruited == pytest.approx(recruited_ref, rel=1e-12, abs=1e-15)
    assert m_steady == pytest.approx(mn.pic_activation_steady(u, half, slope), rel=1e-12, abs=1e-15)
    assert excitation == pytest.approx(sim.muscle.excitation_from_rate(rate_ref, half_force), rel=1e-12,
                                       abs=cancellation / half_force)


@given(st.floats(-60.0, 60.0), st.floats(0.2, 5.0), st.floats(0.0, 20.0), st.floats(0.5, 20.0))
def test_unit_rate_slopes_are_the_derivatives_of_unit_rate(u, smoothing, minimum, gain):
    """unit_rate_slopes against a central difference of unit_rate (step 1e-4 mV): within 1e-6 of
    the slope's scale (the difference's own error is about (1e-4/s)^2 relative)."""
    step = 1e-4
    rate_slope, recruited_slope = mn.unit_rate_slopes(u, smoothing, minimum, gain)
    up, down = mn.unit_rate(u + step, smoothing, minimum, gain), mn.unit_rate(u - step, smoothing, minimum, gain)
    assert rate_slope == pytest.approx((up[0] - down[0]) / (2 * step), abs=1e-6 * (gain + minimum / smoothing))
    assert recruited_slope == pytest.approx((up[1] - down[1]) / (2 * step), abs=1e-6 / smoothing)


def test_thresholds_are_ordered_and_span_the_range():
    p = mn.MotoneuronParameters()
    theta = mn.unit_thresholds_mv(-60.0, p)
    assert theta.shape == (mn.N_UNITS,) and np.all(np.diff(theta) > 0)
    assert theta[0] > -60.0 and theta[-1] < -60.0 + p.threshold_span_mv
    # many low thresholds, few high ones: the median unit lies in the lower 40 % of the span
    assert np.median(theta) - (-60.0) < 0.4 * p.threshold_span_mv
    shares = mn.unit_shares(p)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12) and np.all(np.diff(shares) > 0)
    assert shares[-1] / shares[0] == pytest.approx(p.force_range ** ((mn.N_UNITS - 1) / mn.N_UNITS), rel=1e-12)


def test_pic_gating_steady_states():
    """Activation is half-way Δ_m above a unit's threshold; availability is 1 − d at full firing (to 1e-12)."""
    p = mn.MotoneuronParameters()
    assert float(mn.pic_steady_state(-60.0 + p.pic_onset_offset_mv, -60.0, p)) == pytest.approx(0.5, abs=1e-12)
    assert float(mn.inactivation_steady_state(1.0, p)) == pytest.approx(1.0 - p.pic_inactivation_depth, abs=1e-12)
    assert float(mn.inactivation_steady_state(0.0, p)) == 1.0


def test_girk_zero_without_drug():
    assert float(mn.girk_conductance_ns(0.0)) == 0.0
    assert float(mn.girk_conductance_ns(1.0)) == mn.MotoneuronParameters().girk_conductance_max_ns


def test_presets_interpolate_and_differ_as_documented():
    p = mn.MotoneuronParameters()
    healthy, spastic = mn.preset(0.0), mn.preset(1.0)
    assert spastic["inhibitory_conductance_ns"] < healthy["inhibitory_conductance_ns"]
    assert spastic["pic_conductance_ns"] > healthy["pic_conductance_ns"]
    mid = mn.preset(np.array([0.5]))["pic_conductance_ns"]
    assert mid == pytest.approx(0.5 * (p.pic_conductance_healthy_ns + p.pic_conductance_spastic_ns))
    with pytest.raises(ParameterError, match=r"severity = 1.5 .*\[0.0, 1.0\]"):
        mn.preset(1.5)


def test_every_parameter_has_source_and_status():
    for row in mn.MotoneuronParameters().table():
        assert row["source"] and row["status"] in STATUSES


def test_a_brief_train_leaves_spastic_units_firing_and_the_spasm_ends_by_itself():
    """The PIC's hysteresis: after a 200 ms Ia train the severe spastic pool keeps firing for 0.2–2 s
    (self-sustained firing), then slow PIC inactivation ends it: 4 s after the train fewer than 2 % of the
    pool (EMG share) are still recruited.  The healthy pool stops within 100 ms."""
    from sim import readouts, reflex

    train = readouts.PROTOCOLS["spasm_train"].protocol
    out = reflex.probe(sim.Patient(condition="spastic", spasticity=np.array([0.0, 1.0])), train, a_pre=0.15,
                       a_post=0.0, duration_ms=4500.0, traces=("recruited_fraction",))
    healthy, severe = out["sustained_firing_ms"]
    assert healthy < 100.0 and 200.0 <= severe <= 2000.0
    assert np.all(out["recruited_fraction"][:, -1] - out["recruited_fraction"][:, 0] < 0.02)


def test_recruitment_curve_is_graded():
    """The H-reflex recruitment curve (volley intensity 0–1 in 21 steps): monotone, and no intensity step
    adds more than 0.1 of the M-wave (units are recruited one by one, not all at once)."""
    ratios = sim.h_reflex(sim.Patient(condition="spastic"), intensity=np.linspace(0.0, 1.0, 21))
    assert ratios[0] < 1e-3 and np.all(np.diff(ratios) >= -1e-9)
    assert np.max(np.diff(ratios)) < 0.1


_READOUT_SCRIPT = """
import json, numpy as np, sim
from sim import readouts
severity = np.array([0.0, 0.5, 1.0])
values = readouts.evaluate(["emg_peak", "h_reflex_ratio", "spasm_index", "threshold_angle_deg"], 0.15, 0.0, severity)
drug = readouts.evaluate(["emg_peak"], 0.25, 0.0, severity)["emg_peak"]
values["gain_at_a_pre_0.25"] = drug / values["emg_peak"]
print(json.dumps({k: np.asarray(v).tolist() for k, v in values.items()}))
"""


@pytest.mark.slow
def test_thirty_two_units_are_enough(tmp_path):
    """Convergence in the number of units: read-outs of the 32-unit pool against a 4× finer pool
    (128 units, compiled in a subprocess).  Required: EMG peak, Hmax/Mmax and a drug's relative effect
    within 1 % (absolute 1e-4 for the near-silent healthy EMG), threshold angle within 0.1°, spasm index
    within 2 %.  Measured: every difference below 0.1 % (0.7 % for the moderate spasm index)."""
    import json
    import os
    import subprocess
    import sys

    def readouts_with(units: int) -> dict:
        env = {**os.environ, "SPINAL_REFLEX_SIM_UNITS": str(units)}
        if units != 32:  # the 32-unit kernel is the installed one (its cache is already warm)
            env["XDG_CACHE_HOME"] = str(tmp_path)
            env.pop("NUMBA_CACHE_DIR", None)
        done = subprocess.run([sys.executable, "-c", _READOUT_SCRIPT], env=env, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stderr
        return {k: np.array(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}

    coarse, fine = readouts_with(32), readouts_with(128)
    np.testing.assert_allclose(coarse["emg_peak"], fine["emg_peak"], rtol=0.01, atol=1e-4)
    np.testing.assert_allclose(coarse["h_reflex_ratio"], fine["h_reflex_ratio"], rtol=0.01)
    np.testing.assert_allclose(coarse["gain_at_a_pre_0.25"][1:], fine["gain_at_a_pre_0.25"][1:], rtol=0.01)
    np.testing.assert_allclose(coarse["threshold_angle_deg"], fine["threshold_angle_deg"], atol=0.1)
    np.testing.assert_allclose(coarse["spasm_index"][1:], fine["spasm_index"][1:], rtol=0.02)
