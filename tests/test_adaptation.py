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
    integrate_availability,
    steady_state_availability,
)
from sim.dosing import IntrathecalInfusion, Oral, Regimen
from sim.errors import ParameterError


def test_availability_stays_one_without_drug():
    t = np.linspace(0.0, 24.0 * 14, 200)
    assert np.all(availability_over(None, Regimen(), t) == 1.0)
    assert np.all(integrate_availability(t, np.zeros_like(t)) == 1.0)


def test_no_visible_drift_within_five_days_at_usual_doses():
    # Short teaching scenarios must not show tolerance (calibration notes, corrections: clinical
    # dose drift over 12–18 months, Heetla 2009): ρ changes by ≤ 0.01 over 5 days.
    t = np.arange(0.0, 24.0 * 5 + 1e-9, 1.0)
    for regimen in (Oral(20, every_h=6, n_doses=20), Oral(20, every_h=8, n_doses=15),
                    IntrathecalInfusion(400), IntrathecalInfusion(800)):
        rho = availability_over(None, regimen, t)
        assert 1.0 - rho[-1] <= 0.01, regimen
    # even at the activation of twice the usual maximal intrathecal rate for 5 days (a = 0.3)
    assert 1.0 - integrate_availability(t, np.full_like(t, 0.3))[-1] <= 0.01


def test_four_weeks_of_intrathecal_infusion_then_a_stop():
    # IT 400 µg/day for 4 weeks: ρ at least 0.1 below 1 at the stop (so the endogenous tone is
    # reduced and a rebound appears), falling monotonically during the infusion; afterwards it
    # bottoms out within two weeks and recovers over weeks.
    stop = 24.0 * 28
    t = np.arange(0.0, 24.0 * 84 + 1e-9, 1.0)
    rho = availability_over(None, IntrathecalInfusion(400).stopped_at(stop), t)
    during = t <= stop
    assert np.all(np.diff(rho[during]) <= 1e-15)
    at_stop = rho[np.searchsorted(t, stop)]
    assert at_stop <= 0.9
    low = t[rho.argmin()]
    assert stop < low < stop + 24.0 * 14
    assert rho[-1] > 0.95 and rho[-1] - rho.min() > 0.5 * (1.0 - rho.min())   # recovering over weeks
    assert np.all(rho > 1.0 / (1.0 + AdaptationParameters().internalisation_gain))


def test_steady_state_under_constant_activation():
    t = np.arange(0.0, 24.0 * 365, 6.0)
    rho = integrate_availability(t, np.full_like(t, 0.6))
    assert rho[-1] == pytest.approx(float(steady_state_availability(0.6)), abs=1e-6)


def test_recovery_after_the_signals_are_gone_follows_the_time_constant():
    # Start depleted with no signal: 1 − ρ ∝ exp(−t/τ_ρ) exactly (the step is exact when q = 0).
    params = AdaptationParameters()
    t = np.array([0.0, params.time_constant_h])
    rho = integrate_availability(t, np.zeros(2), params, initial=0.6)
    assert (1.0 - rho[1]) / 0.4 == pytest.approx(np.exp(-1.0), rel=1e-12)


def test_oral_therapy_down_regulates_less_than_intrathecal():
    t = np.arange(0.0, 24.0 * 28 + 1e-9, 0.25)
    oral = availability_over(None, Oral(20, every_h=8, n_doses=84), t)[-1]
    it = availability_over(None, IntrathecalInfusion(400), t)[-1]
    assert it < oral < 1.0


def test_exponential_integrator_matches_solve_ivp():
    params = AdaptationParameters(time_constant_h=96.0, delay_time_constant_h=48.0, internalisation_gain=0.5)

    def activation_of(t):
        return 0.5 * (1.0 + np.sin(t / 7.0))

    def max_error(step_h):
        t = np.arange(0.0, 24.0 * 10 + 1e-9, step_h)
        rho = integrate_availability(t, activation_of(t), params)
        reference = solve_ivp(lambda s, y: adaptation.rhs(s, y, activation_of(s), params),
                              (t[0], t[-1]), [0.0, 0.0, 1.0], t_eval=t, rtol=1e-11, atol=1e-13)
        return np.max(np.abs(rho - reference.y[2]))

    # step 0.25 h (the default in simulate), faster constants than the defaults and a(t)
    # varying over ~7 h: ≤ 2e-6
    coarse, fine = max_error(0.25), max_error(0.125)
    assert coarse <= 2e-6
    # second order: halving the step divides the error by ≈ 4 (3.5–4.5 accepted)
    assert 3.5 <= coarse / fine <= 4.5


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=50),
       tau=st.floats(1.0, 24.0 * 30), kappa=st.floats(0.0, 20.0))
def test_availability_stays_in_bounds(values, tau, kappa):
    t = np.arange(len(values), dtype=float) * 6.0
    params = AdaptationParameters(time_constant_h=tau, delay_time_constant_h=tau, internalisation_gain=kappa)
    rho = integrate_availability(t, np.array(values), params)
    assert np.all(rho > 0.0) and np.all(rho <= 1.0)
    assert np.all(rho >= 1.0 / (1.0 + kappa) - 1e-12)


def test_batched_parameters():
    t = np.arange(0.0, 200.0, 1.0)
    params = AdaptationParameters(time_constant_h=np.array([48.0, 96.0, 168.0]), delay_time_constant_h=24.0)
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
