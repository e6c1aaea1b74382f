import numpy as np
import pytest

from sim.errors import ParameterError
from sim.protocols import (
    ElectricalVolley,
    RampAndHold,
    TendonTap,
    VoluntaryContraction,
    length_change_mm,
)


def test_length_conversion_uses_moment_arm():
    # Δl = r_m Δθ: 1 rad at 5 cm = 50 mm (exact up to rounding)
    assert length_change_mm(np.rad2deg(1.0), moment_arm_m=0.05) == pytest.approx(50.0, rel=1e-12)


def test_ramp_and_hold_kinematics_and_discontinuities():
    ramp = RampAndHold(velocity_deg_s=np.array([50.0, 100.0]), amplitude_deg=20.0, onset_ms=10.0)
    t = np.array([0.0, 10.0, 110.0, 500.0])
    assert ramp.angle_deg(t).tolist() == [[0.0, 0.0, 5.0, 20.0], [0.0, 0.0, 10.0, 20.0]]
    assert ramp.angular_velocity_deg_s(np.array([9.0, 11.0, 300.0]))[1].tolist() == [0.0, 100.0, 0.0]
    assert ramp.spindle_discontinuities_ms().tolist() == [10.0, 210.0, 410.0]


def test_zero_velocity_means_no_movement():
    ramp = RampAndHold(velocity_deg_s=0.0)
    assert float(ramp.angle_deg(1000.0)) == 0.0
    assert ramp.spindle_discontinuities_ms().tolist() == [50.0]


def test_tap_goes_out_and_back():
    tap = TendonTap(amplitude_deg=2.0, tap_duration_ms=40.0, onset_ms=10.0)
    assert float(tap.angle_deg(30.0)) == pytest.approx(2.0)
    assert float(tap.angle_deg(50.0)) == 0.0
    assert float(tap.angular_velocity_deg_s(20.0)) > 0 > float(tap.angular_velocity_deg_s(40.0))


def test_volley_delivers_one_spike_per_recruited_fibre():
    volley = ElectricalVolley(intensity=0.6, onset_ms=5.0, n_pulses=3.0, frequency_hz=100.0)
    t = np.arange(0.0, 60.0, 0.001)
    spikes = volley.volley_rate_hz(t).sum() * 0.001 / 1000.0  # rate (imp/s) × dt (s); tolerance: grid 1 µs
    assert spikes == pytest.approx(3 * 0.6, rel=1e-2)
    assert volley.spindle_discontinuities_ms().tolist() == [5.0, 5.5, 15.0, 15.5, 25.0, 25.5]


def test_voluntary_contraction_steps_on():
    c = VoluntaryContraction(onset_ms=20.0, command_conductance_ns=50.0)
    assert c.command_ns(np.array([10.0, 30.0])).tolist() == [0.0, 50.0]
    assert c.fusimotor_rate_hz(30.0) > 0


def test_invalid_protocol_names_field_value_and_range():
    with pytest.raises(ParameterError, match=r"velocity_deg_s = -5.0 .*\[0.0, 1000.0\]"):
        RampAndHold(velocity_deg_s=-5.0)
    with pytest.raises(ParameterError, match="intensity"):
        ElectricalVolley(intensity=2.0)
