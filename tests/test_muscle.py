import numpy as np
import pytest

from sim import muscle as ms


def test_activation_steady_state_is_a_fixed_point():
    e = np.linspace(0, 0.99, 7)
    a = ms.activation_steady_state(e)
    assert np.allclose(ms.activation_rhs(a, e), 0.0, atol=1e-15)
    assert np.all((a >= 0) & (a <= 1))


def test_activation_faster_than_deactivation():
    p = ms.SOLEUS
    up = ms.activation_rhs(0.0, 1.0)  # from rest to full excitation: 1/τ_act
    down = ms.activation_rhs(1.0, 0.0)  # full to none: -1/τ_deact
    assert up == pytest.approx(1 / p.activation_time_ms) and down == pytest.approx(-1 / p.deactivation_time_ms)


def test_force_torque_emg():
    assert ms.joint_torque_nm(ms.active_force_n(1.0)) == pytest.approx(0.05 * 3500.0)
    assert float(ms.passive_force_n(0.0, 0.0)) == 0.0
    assert float(ms.passive_force_n(10.0, 0.0)) > 0
    assert float(ms.emg(ms.SOLEUS.emg_reference_rate_hz)) == 1.0
