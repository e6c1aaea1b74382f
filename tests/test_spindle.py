import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.spindle import SpindleParameters, ia_rate_hz


def test_resting_rate_is_82():
    assert float(ia_rate_hz(0.0, 0.0)) == 82.0


def test_velocity_power_law():
    # doubling the velocity multiplies the dynamic term by 2**0.6 (exact)
    p = SpindleParameters()
    fast, slow = ia_rate_hz(0.0, [40.0, 20.0]) - p.resting_rate_hz
    assert np.isclose(fast / slow, 2 ** 0.6, rtol=1e-12)


def test_length_sensitivity():
    assert float(ia_rate_hz(10.0, 0.0)) == 82.0 + 10.0 * SpindleParameters().length_gain_hz_per_mm


@given(st.floats(-100, 100), st.floats(-1e4, 1e4))
def test_rate_never_negative(stretch, velocity):
    assert float(ia_rate_hz(stretch, velocity)) >= 0.0
