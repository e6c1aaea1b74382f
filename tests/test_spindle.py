import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.spindle import SpindleParameters, ia_rate_hz


def test_resting_rate_is_the_relaxed_human_population_mean():
    """Burke et al. 1979: 24 of 39 relaxed human spindle endings fired, at 11.1 imp/s on average → ≈ 6.8."""
    assert float(ia_rate_hz(0.0, 0.0)) == SpindleParameters().resting_rate_hz
    assert abs(SpindleParameters().resting_rate_hz - 24 / 39 * 11.1) < 0.05


def test_velocity_power_law():
    # doubling the velocity multiplies the dynamic term by 2**0.6 (exact)
    p = SpindleParameters()
    fast, slow = ia_rate_hz(0.0, [40.0, 20.0]) - p.resting_rate_hz
    assert np.isclose(fast / slow, 2 ** 0.6, rtol=1e-12)


def test_length_sensitivity():
    p = SpindleParameters()
    assert float(ia_rate_hz(10.0, 0.0)) == p.resting_rate_hz + 10.0 * p.length_gain_hz_per_mm


@given(st.floats(-100, 100), st.floats(-1e4, 1e4))
def test_rate_never_negative(stretch, velocity):
    assert float(ia_rate_hz(stretch, velocity)) >= 0.0
