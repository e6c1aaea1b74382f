import numpy as np
import pytest

from sim import receptor as rc
from sim.errors import ParameterError


def test_hill_limits_and_half_activation():
    p = rc.ReceptorParameters()
    assert float(rc.activation(0.0, enantiomer="R")) == 0.0
    assert float(rc.activation(1e6, enantiomer="R")) == pytest.approx(1.0, abs=1e-6)
    assert float(rc.activation(p.ec50_presynaptic_r_um, enantiomer="R")) == pytest.approx(0.5)
    assert float(rc.activation(p.ec50_postsynaptic_r_um, enantiomer="R", site="postsynaptic")) == pytest.approx(0.5)


def test_enantiomer_potency_ratio_120():
    # S needs 120x the concentration of R for the same activation (exact by construction)
    a_r = rc.activation(0.05, enantiomer="R")
    a_s = rc.activation(0.05 * 120.0, enantiomer="S")
    assert float(a_r) == pytest.approx(float(a_s), rel=1e-12)
    assert float(rc.r_equivalent_um(2.0, "racemic")) == pytest.approx(1.0 + 1.0 / 120.0)


def test_zero_drug_and_mechanism_switch():
    a_pre, a_post = rc.site_activations(0.0)
    assert float(a_pre) == pytest.approx(0.15) and float(a_post) == 0.0
    pre_only = rc.site_activations(1.0, mechanism="presynaptic")
    post_only = rc.site_activations(1.0, mechanism="postsynaptic")
    both = rc.site_activations(1.0, mechanism="both")
    assert float(pre_only[1]) == 0.0 and float(post_only[0]) == pytest.approx(0.15)
    assert float(both[0]) == pytest.approx(float(pre_only[0])) and float(both[1]) == pytest.approx(float(post_only[1]))
    half = rc.site_activations(1.0, availability=0.5)
    assert float(half[0]) == pytest.approx(0.5 * float(both[0]))


def test_destexhe_cascade_slow_and_supralinear():
    t = np.arange(0.0, 1000.0, 0.5)
    single = rc.gabab_pulse_response([10.0], t_ms=t)
    burst = rc.gabab_pulse_response(10.0 + 5.0 * np.arange(10), t_ms=t)
    assert 50.0 < t[single.argmax()] - 10.0 < 200.0  # peaks ~100 ms after the pulse
    assert burst.max() > 10.0 * single.max()  # strongly supralinear (n = 4 cooperativity)
    assert np.all((single >= 0) & (single < 1))


def test_errors():
    with pytest.raises(ParameterError, match="enantiomer = 'X'"):
        rc.activation(1.0, enantiomer="X")
    with pytest.raises(ParameterError, match="mechanism = 'both sides'"):
        rc.site_activations(1.0, mechanism="both sides")
    with pytest.raises(ParameterError, match=r"concentration_um = -1.0 is outside"):
        rc.activation(-1.0)
    with pytest.raises(ParameterError, match="site"):
        rc.activation(1.0, site="liver")
