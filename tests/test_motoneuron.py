import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import motoneuron as mn
from sim.errors import ParameterError
from sim.parameters import STATUSES


@given(st.floats(-150, 50), st.floats(-70, -30))
def test_pool_output_bounds(v, theta):
    rate, fraction = mn.pool_output(v, theta)
    assert 0.0 <= float(fraction) <= 1.0
    assert float(rate) >= 0.0


def test_pool_output_limits():
    p = mn.MotoneuronParameters()
    rate, fraction = mn.pool_output(-200.0, -55.0)
    assert fraction < 1e-12 and rate < 1e-10
    rate, fraction = mn.pool_output(-55.0 + p.recruitment_range_mv + 20.0, -55.0)
    # fully recruited: r_min + k_f (u - W/2); smoothing error < 1e-6
    assert float(fraction) == pytest.approx(1.0, abs=1e-6)
    assert float(rate) == pytest.approx(p.minimum_rate_hz + p.rate_gain_hz_per_mv * (p.recruitment_range_mv + 20.0
                                        - p.recruitment_range_mv / 2), rel=1e-6)


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
