"""Closed-loop ankle clonus (sim.closed_loop, sim.limb, sim.solvers.integrate_clonus / reference_clonus)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim import circuit, limb, reflex, solvers
from sim.errors import ParameterError
from sim.protocols import Protocol
from sim.receptor import site_activations
from sim.units import ng_ml_to_um

SEVERE = sim.Patient(condition="spastic", spasticity=1.0)


@pytest.fixture(scope="module")
def severe_levels():
    return sim.clonus(SEVERE, spinal_effect_ng_ml=[0.0, 60.0, 80.0, 150.0, 300.0])


def test_severe_drug_free_clonus_persists_at_5_to_8_hz(severe_levels):
    assert severe_levels["beats"][0] >= 10
    assert bool(severe_levels["clonus_persists"][0])
    assert 5.0 <= severe_levels["clonus_frequency_hz"][0] <= 8.0


def test_beats_fall_with_the_spinal_level_until_clonus_stops(severe_levels):
    beats = severe_levels["beats"]
    assert np.all(np.diff(beats) <= 0) and beats[0] > beats[1] > beats[2] > 0
    assert beats[-1] == 0 and not severe_levels["clonus_persists"][-1]
    # the open-loop reflex gain falls with the level: the loop-gain explanation
    assert np.all(np.diff(severe_levels["open_loop_gain_rel"]) < 0)


def test_no_clonus_in_the_healthy_or_moderate_preset():
    r = sim.clonus(sim.Patient(condition="healthy"), duration_ms=1500.0)
    assert r["beats"] == 0 and not r["clonus_persists"]
    assert sim.clonus(sim.Patient(condition="spastic", spasticity=0.5), duration_ms=1500.0)["beats"] == 0


def _case(severity, level, push, **limb_changes):
    a_pre, a_post = site_activations(ng_ml_to_um(np.asarray(level, dtype=float)))
    model = reflex.build_model(sim.Patient(condition="spastic", spasticity=np.asarray(severity, dtype=float)),
                               Protocol(), a_pre=a_pre, a_post=a_post)
    rest = solvers.resting_states(model.rows)
    y0 = np.zeros((model.size, limb.N_CLOSED_STATES))
    y0[:, :circuit.N_STATES] = rest
    limbs = np.zeros(model.size, dtype=limb.LIMB_DTYPE)
    ankle = dataclasses.replace(limb.ANKLE, **limb_changes)
    values = {**dataclasses.asdict(ankle), **dataclasses.asdict(limb.ExaminerPush())}
    for name in limb.LIMB_FIELDS[:-1]:
        limbs[name] = values[name]
    limbs["push_torque_nm"] = push
    limbs["resting_activation"] = rest[:, circuit.A]
    return model.rows, limbs, y0


@pytest.mark.slow
def test_delay_kernel_agrees_with_the_method_of_steps_reference():
    # Generated cases: severities, spinal levels and push sizes; 400 ms covers the push, its reflex
    # and the first clonic beats.
    rows, limbs, y0 = _case([1.0, 1.0, 0.6], [0.0, 80.0, 0.0], [8.0, 12.0, 6.0])
    t = np.arange(0.0, 400.5, 0.5)
    reference = solvers.reference_clonus(rows, limbs, y0, t, rtol=1e-9, atol=1e-11)
    kernel = solvers.integrate_clonus(rows, limbs, y0, 400.0, dt_ms=clonus_step(), states=True)["traces"]
    span = np.ptp(reference, axis=2)
    error = np.max(np.abs(kernel - reference), axis=2) / np.where(span > 1e-12, span, 1.0)
    # Angle, velocity and activation (what the figure and the beat count read) within 1e-4 of their
    # range.  Every state within 2e-3: the spindle's |v|^0.6 and its clip at zero, and the
    # force–velocity kink, are not smooth where the velocity changes sign, at times the fixed step
    # cannot know in advance (measured worst: 9e-4, cleft glutamate, which follows the Ia rate).
    assert error[:, [limb.ANGLE, limb.VELOCITY, circuit.A]].max() < 1e-4
    assert error.max() < 2e-3


def clonus_step():
    from sim.closed_loop import DEFAULT_STEP_MS

    return DEFAULT_STEP_MS


def test_delay_kernel_is_fourth_order_on_a_smooth_loop():
    # With a length-only spindle and a nearly flat force–velocity curve the loop is smooth, and
    # halving the step divides the error by about 16 (RK4 with the cubic-Hermite half-step history).
    rows, limbs, y0 = _case([1.0], [0.0], [8.0], max_shortening_mm_s=5000.0)
    rows["velocity_gain"] = 0.0
    runs = {h: solvers.integrate_clonus(rows, limbs, y0, 400.0, dt_ms=h, output_dt_ms=1.0, states=True)["traces"]
            for h in (1.0, 0.5, 0.25, 0.03125)}
    span = np.ptp(runs[0.03125], axis=2)[..., None]
    errors = [np.max(np.abs(runs[h] - runs[0.03125]) / np.where(span > 1e-12, span, 1.0)) for h in (1.0, 0.5, 0.25)]
    assert errors[0] / errors[1] > 10 and errors[1] / errors[2] > 10


def test_closed_loop_kernel_is_deterministic_across_threads():
    import numba

    rows, limbs, y0 = _case(np.linspace(0.5, 1.0, 32), 0.0, 8.0)
    before = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            runs.append(solvers.integrate_clonus(rows, limbs, y0, 300.0)["traces"])
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(runs[0], runs[1])


def test_traces_have_units_and_the_push_returns_to_the_hold_torque():
    r = sim.clonus(SEVERE, duration_ms=300.0)
    assert r.unit("angle_deg") == "deg" and r.unit("clonus_frequency_hz") == "Hz"
    assert r["examiner_torque_nm"][-1] == pytest.approx(limb.ExaminerPush().hold_torque_nm)
    assert r["angle_deg"][0] == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"duration_ms": 50.0}, "duration_ms = 50.0 is outside the allowed range"),
    ({"push_ms": 60.1}, "push_ms = 60.1 ms must be a multiple of dt_ms"),
    ({"dt_ms": 0.4, "output_dt_ms": 0.8, "push_ms": 60.0, "onset_ms": 40.0},
     "afferent_delay_ms = 13.5 ms must be a multiple of half the step"),
    ({"spinal_effect_ng_ml": -1.0}, "spinal_effect_ng_ml = -1.0 is outside the allowed range"),
    ({"push_torque_nm": 80.0}, "ExaminerPush.push_torque_nm = 80.0 is outside the allowed range"),
])
def test_bad_input_names_field_value_and_range(kwargs, message):
    with pytest.raises(ParameterError, match=message.replace(".", r"\.")):
        sim.clonus(SEVERE, **kwargs)


def test_limb_parameters_are_checked():
    with pytest.raises(ParameterError, match=r"LimbParameters\.inertia_kg_m2 = 5\.0 is outside"):
        limb.LimbParameters(inertia_kg_m2=5.0)
