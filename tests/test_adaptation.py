"""Tests for sim.adaptation: receptor availability ρ(t) (illustrative stage)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from sim import adaptation
from sim.adaptation import (
    AdaptationParameters,
    availability_over,
    drug_activation,
    integrate_availability,
    steady_state_availability,
)
from sim.dosing import IntrathecalInfusion, Oral, Regimen
from sim.errors import ParameterError
from sim.pk import simulate


def test_availability_stays_one_without_drug():
    t = np.linspace(0.0, 24.0 * 14, 200)
    assert np.all(availability_over(None, Regimen(), t) == 1.0)
    assert np.all(integrate_availability(t, np.zeros_like(t)) == 1.0)


def test_weeks_of_intrathecal_infusion_lower_availability_towards_its_steady_state():
    t = np.arange(0.0, 24.0 * 28 + 1e-9, 1.0)
    r = simulate(None, IntrathecalInfusion(400), t)
    rho = availability_over(None, IntrathecalInfusion(400), t)
    assert np.all(np.diff(rho) <= 1e-15)                       # falls monotonically
    expected = float(steady_state_availability(drug_activation(r.spinal_effect_ng_ml[-1])))
    assert rho[-1] == pytest.approx(expected, abs=1e-3)        # 4 weeks ≫ τ_ρ (4 days): at steady state
    assert rho[-1] < 0.75


def test_recovery_after_an_abrupt_stop_follows_the_time_constant():
    params = AdaptationParameters()
    stop = 24.0 * 21
    t = np.arange(0.0, stop + 24.0 * 10 + 1e-9, 0.5)
    rho = availability_over(None, IntrathecalInfusion(400).stopped_at(stop), t, params=params)
    # one day after the stop the drug is gone (CSF t½ 1.5 h); then 1 − ρ ∝ exp(−t/τ_ρ)
    t1, t2 = stop + 24.0, stop + 24.0 + params.time_constant_h
    deficit = 1.0 - np.interp([t1, t2], t, rho)
    assert deficit[1] / deficit[0] == pytest.approx(np.exp(-1.0), rel=1e-3)
    assert rho[-1] > rho[np.searchsorted(t, stop)]


def test_oral_therapy_down_regulates_less_than_intrathecal():
    t = np.arange(0.0, 24.0 * 14 + 1e-9, 0.25)
    oral = availability_over(None, Oral(20, every_h=8, n_doses=42), t)[-1]
    it = availability_over(None, IntrathecalInfusion(400), t)[-1]
    assert it < oral < 1.0


def test_kroin_1993_rat_time_course_at_saturating_activation():
    # Kroin 1993 (rat, 1 µg/h IT): GABA-B binding at 74% (day 3) and 66% (day 7); ±0.03.
    t = np.arange(0.0, 24.0 * 7 + 1e-9, 0.25)
    rho = integrate_availability(t, np.ones_like(t))
    assert rho[t == 72.0][0] == pytest.approx(0.74, abs=0.03)
    assert rho[-1] == pytest.approx(0.66, abs=0.03)


def test_exponential_integrator_matches_solve_ivp():
    params = AdaptationParameters()

    def activation_of(t):
        return 0.5 * (1.0 + np.sin(t / 7.0))

    def max_error(step_h):
        t = np.arange(0.0, 24.0 * 10 + 1e-9, step_h)
        rho = integrate_availability(t, activation_of(t), params)
        reference = solve_ivp(lambda s, y: adaptation.rhs(s, y, activation_of(s), params),
                              (t[0], t[-1]), [1.0], t_eval=t, rtol=1e-11, atol=1e-13)
        return np.max(np.abs(rho - reference.y[0]))

    # step 0.25 h (the default in simulate) against τ_ρ = 96 h and a(t) varying over ~7 h: ≤ 1e-5
    coarse, fine = max_error(0.25), max_error(0.125)
    assert coarse <= 1e-5
    # second order: halving the step divides the error by ≈ 4 (3.5–4.5 accepted)
    assert 3.5 <= coarse / fine <= 4.5


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=50),
       tau=st.floats(1.0, 24.0 * 30), kappa=st.floats(0.0, 20.0))
def test_availability_stays_in_bounds(values, tau, kappa):
    t = np.arange(len(values), dtype=float) * 6.0
    params = AdaptationParameters(time_constant_h=tau, internalisation_gain=kappa)
    rho = integrate_availability(t, np.array(values), params)
    assert np.all(rho > 0.0) and np.all(rho <= 1.0)
    assert np.all(rho >= 1.0 / (1.0 + kappa) - 1e-12)


def test_batched_parameters():
    t = np.arange(0.0, 200.0, 1.0)
    params = AdaptationParameters(time_constant_h=np.array([48.0, 96.0, 168.0]))
    rho = integrate_availability(t, np.ones((3, t.size)) * 0.8, params)
    assert rho.shape == (3, t.size)
    assert rho[0, 50] < rho[1, 50] < rho[2, 50]                # faster turnover, faster fall


def test_parameters_are_labelled_illustrative():
    for row in AdaptationParameters().table():
        assert row["status"] == "illustrative" and "Kroin" in row["source"]


def test_bad_inputs_raise():
    with pytest.raises(ParameterError, match="drug_activation"):
        integrate_availability([0.0, 1.0], [0.0, 1.5])
    with pytest.raises(ParameterError, match="t_h"):
        integrate_availability([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ParameterError, match="AdaptationParameters.time_constant_h = 0.0"):
        AdaptationParameters(time_constant_h=0.0)
