"""The compiled reflex kernel against the solve_ivp reference, its order, determinism and grid.

Tolerances (stated once): at each protocol's default step (``default_step_ms``: 1 ms for
ramps, 0.5 ms for contractions and tendon taps, 0.25 ms for electrical volleys; the synapse in
four RK4 sub-steps per step) every state trace of every generated probe – the shared states and
each unit's potential, PIC activation and availability – agrees with the DOP853 reference
(rtol 1e-10, atol 1e-12) to within 1e-4 of its range, where a trace's range is floored at 1 % of
the state's natural scale (fractions and activation 1, glutamate 1 mM, potential 10 mV) so that a
flat trace is not judged on round-off.  The kernel's step ladder (the protocol's step for 20 ms
after each discontinuity, twice it for 20 ms more, then four times it; samples inside long steps
from the cubic Hermite interpolant) is part of what is checked.  Measured worst traces: ramps
2.0e-5 at 1 ms; contractions 6.2e-5 at 0.5 ms; volleys 7.3e-5 and trains 2.3e-5 at 0.25 ms (4e-4
at 0.5 ms: the 0.5 ms electrical pulse); taps 1.9e-5 at 0.5 ms (their |v|^0.6 input has unbounded
slope where the velocity turns; graded step boundaries there).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim import circuit, readouts, solvers
from sim import reflex as rf
from sim.protocols import ElectricalVolley, RampAndHold, TendonTap, VoluntaryContraction

SEEDS = {"ramp": 1, "volley": 2, "train": 3, "contraction": 4, "tap": 5}
SCALES = circuit.state_scale()  # natural scale of each state (10 mV for the unit potentials, else 1)


def generated_batch(kind: str, n: int, seed: int):
    """*n* probes of one protocol kind with random velocities, drug activations, severities, mechanisms."""
    rng = np.random.default_rng(seed)
    severity = rng.uniform(0.0, 1.0, n)
    a_pre = rng.uniform(0.05, 0.95, n)
    mechanism_post = rng.choice([0.0, 1.0], n)  # presynaptic-only or with the GIRK conductance
    a_post = mechanism_post * rng.uniform(0.0, 0.6, n)
    if kind == "ramp":
        protocol = RampAndHold(velocity_deg_s=rng.uniform(20.0, 250.0, n), amplitude_deg=rng.uniform(5.0, 40.0, n))
        duration = 700.0
    elif kind == "volley":
        protocol = ElectricalVolley(intensity=rng.uniform(0.2, 1.0, n))
        duration = 300.0
    elif kind == "train":
        protocol = ElectricalVolley(onset_ms=50.0, n_pulses=20.0, frequency_hz=100.0,
                                    intensity=rng.uniform(0.3, 1.0, n))
        duration = 1200.0
    elif kind == "contraction":
        protocol = VoluntaryContraction(command_conductance_ns=rng.uniform(20.0, 300.0, n))
        duration = 700.0
    else:
        protocol = TendonTap(amplitude_deg=rng.uniform(0.5, 4.0, n), tap_duration_ms=rng.uniform(10.0, 60.0, n))
        duration = 300.0
    model = rf.build_model(sim.Patient(condition="spastic", spasticity=severity), protocol, a_pre=a_pre,
                           a_post=a_post)
    return model, duration


def relative_errors(states: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Max error of each trace over its range (floored), shape (N_STATES, n)."""
    span = np.maximum(np.ptp(reference, axis=-1), 1e-2 * SCALES[:, None])
    return np.max(np.abs(states - reference), axis=-1) / span


@pytest.mark.parametrize("kind, n", [("ramp", 60), ("volley", 40), ("train", 40), ("contraction", 40), ("tap", 40)])
def test_kernel_matches_the_solve_ivp_reference_on_generated_probes(kind, n):
    """220 generated probes over five protocols, each at its protocol's default step (1 ms ramps,
    0.5 ms contractions and taps, 0.25 ms volleys): every trace within 1e-4 of its range."""
    model, duration = generated_batch(kind, n, seed=SEEDS[kind])
    dt_ms = model.protocol.default_step_ms
    run = rf.integrate(model, duration, dt_ms=dt_ms, output_dt_ms=1.0, states=True)
    reference = rf.reference_solution(model, run["t_out"])
    errors = relative_errors(run["states"], reference)
    worst = np.unravel_index(np.argmax(errors), errors.shape)
    assert errors.max() <= 1e-4, (kind, state_label(worst[0]), int(worst[1]), float(errors.max()))


def test_online_summaries_converge_at_the_default_steps():
    """Peaks, crossings and the spasm index at each default step against 1/16 of it (stated bounds):
    peaks are refined by the parabola through the sampled maximum and its neighbours, the end of
    sustained firing by linear interpolation.  Measured: H ratio 1.9e-5; ramp EMG and recruited
    peaks 1.2e-3 (the EMG peak sits within a millisecond after the end-of-ramp drop of the Ia
    input, where no parabola fits); reflex torque 8.8e-6; onset angle 2.8e-4; spasm index 0.02 ms."""
    severity = np.array([0.0, 0.6, 1.0])
    patient = sim.Patient(condition="spastic", spasticity=severity)
    h_default = sim.h_reflex(patient)
    h_fine = sim.h_reflex(patient, dt_ms=sim.ElectricalVolley.default_step_ms / 16)
    assert np.max(np.abs(h_default / h_fine - 1.0)) <= 1e-4
    velocity = np.array([15.0, 60.0, 150.0, 200.0])[:, None]
    patient = sim.Patient(condition="spastic", spasticity=severity[None, :])
    coarse = sim.stretch_reflex(patient, velocity, traces=())
    fine = sim.stretch_reflex(patient, velocity, traces=(), dt_ms=RampAndHold.default_step_ms / 16)
    for name, bound in [("emg_peak", 2e-3), ("recruited_peak", 2e-3), ("reflex_torque_peak_nm", 1e-4),
                        ("threshold_angle_deg", 1e-3)]:
        a, b = coarse[name], fine[name]
        floor = 1e-3 * np.max(np.abs(b))
        assert np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)) <= bound, name
    assert np.max(np.abs(coarse["sustained_firing_ms"] - fine["sustained_firing_ms"])) <= 0.1
    assert fine["sustained_firing_ms"].max() > 500.0  # the severe preset's spasm is measured


def state_label(index: int) -> str:
    """Name of state *index* (shared state, or unit block and unit number)."""
    shared = len(circuit.SHARED_STATES)
    if index < shared:
        return circuit.SHARED_STATES[index]
    block, unit = divmod(index - shared, circuit.N_UNITS)
    return f"{circuit.UNIT_STATES[block]}[{unit}]"


def test_fourth_order_by_step_halving():
    """Errors against the reference fall ≈ 16-fold per halving (RK4); required ≥ 10-fold."""
    model, duration = generated_batch("ramp", 6, seed=3)
    errors = []
    for dt in (1.0, 0.5, 0.25):
        run = rf.integrate(model, duration, dt_ms=dt, output_dt_ms=1.0, states=True)
        if not errors:
            reference = rf.reference_solution(model, run["t_out"], rtol=1e-12, atol=1e-14)
        errors.append(float(np.max(np.abs(run["states"] - reference) / SCALES[:, None, None])))
    assert errors[0] / errors[1] >= 10.0 and errors[1] / errors[2] >= 10.0, errors


@pytest.mark.parametrize("velocity, amplitude", [(1000.0, 0.2), (400.0, 0.05), (60.0, 0.01)])
def test_a_stretch_is_never_stepped_over(velocity, amplitude):
    """Ramps shorter than one step (0.2–0.17 ms) still drive the spindle and the motoneurons: the
    step grid of each probe contains its ramp's start and end, so the result equals a 10× finer step."""
    patient = sim.Patient(condition="spastic")
    coarse = sim.stretch_reflex(patient, velocity, amplitude_deg=amplitude, dt_ms=1.0, output_dt_ms=1.0,
                                traces=("ampa_open", "v_mv"), duration_ms=200.0)
    fine = sim.stretch_reflex(patient, velocity, amplitude_deg=amplitude, dt_ms=0.1, output_dt_ms=1.0,
                              traces=("ampa_open", "v_mv"), duration_ms=200.0)
    rise = fine["ampa_open"].max() - fine["ampa_open"][0]
    assert rise > 0.0 and coarse["ampa_open"].max() - coarse["ampa_open"][0] > 0.5 * rise
    np.testing.assert_allclose(coarse["v_mv"], fine["v_mv"], atol=0.05)


def test_bitwise_identical_for_one_and_two_threads():
    import numba

    model, duration = generated_batch("ramp", 24, seed=11)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = rf.integrate(model, duration)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = rf.integrate(model, duration)
    finally:
        numba.set_num_threads(before)
    for key in ("emg_peak", "threshold_angle_deg", "torque_peak_nm", "y_end"):
        assert np.array_equal(one[key], two[key]), key
    for name in solvers.CHANNELS:
        assert np.array_equal(one["channels"][name], two["channels"][name]), name


def test_right_hand_side_is_written_once():
    """The Python (numpy) execution of sim.circuit.derivatives equals the compiled one."""
    model, _ = generated_batch("ramp", 5, seed=5)
    y0 = rf.initial_state(model).T
    rng = np.random.default_rng(0)
    compiled = solvers._batched_rhs(model.rows)
    for t in rng.uniform(0.0, 400.0, 6):
        y = y0 * (1.0 + 0.05 * rng.standard_normal(y0.shape))
        python = np.empty_like(y)
        records = model.rows.view(np.recarray)  # attribute access to the fields in plain Python
        work = np.empty(circuit.WORK_SIZE)
        for i in range(y.shape[0]):
            circuit.derivatives(float(t), y[i], records[i], python[i], work)
        np.testing.assert_allclose(compiled(float(t), y.ravel()).reshape(y.shape), python, rtol=1e-12, atol=1e-12)


def test_monitors_are_data_and_traces_are_optional():
    model, duration = generated_batch("volley", 4, seed=2)
    with_traces = rf.integrate(model, duration, record=True)
    without = rf.integrate(model, duration, record=False)
    assert without["channels"] is None and with_traces["channels"]["v_mv"].shape[0] == 4
    assert set(with_traces["channels"]) == set(solvers.CHANNELS)
    for key in ("emg_peak", "recruited_peak", "t_cross_cord", "torque_peak_nm"):
        np.testing.assert_array_equal(with_traces[key], without[key])
    assert solvers.Monitors().output_dt_ms == 0.5


def test_step_grid_divides_the_output_spacing():
    assert solvers.step_grid(0.25, 0.5) == (0.25, 2)
    step, per_output = solvers.step_grid(0.3, 1.0)
    assert per_output == 4 and step == 0.25


def test_readout_table_defines_each_readout_once():
    assert set(readouts.READOUTS) >= {"reflex_gain_rel", "threshold_angle_deg", "h_reflex_ratio", "spasm_index",
                                      "voluntary_force_n", "tone_discomfort_rel"}
    for readout in readouts.READOUTS.values():
        assert readout.protocol in readouts.PROTOCOLS and readout.unit and readout.description
        if readout.relative_to:
            assert readouts.READOUTS[readout.relative_to].protocol == readout.protocol
    assert readouts.protocols_for(["spasm_index"]) == ("spasm_train",)


@pytest.mark.slow
def test_first_compilation_is_announced_once(tmp_path):
    """A fresh cache folder: the first process says it is compiling (once) and compiles the probe
    loop's body once (numba's parallel lowering would type it a second time, see
    sim._jit.kernel_body); the second process loads the cache and compiles nothing."""
    code = ("import sim\n"
            "from numba.core import event\n"
            "with event.install_recorder('numba:compile') as recorder:\n"
            "    sim.h_reflex(sim.Patient())\n"
            "print(sum(1 for _, e in recorder.buffer if e.is_start and isinstance(e.data, dict)\n"
            "          and getattr(e.data.get('dispatcher'), 'py_func', None) is not None\n"
            "          and e.data['dispatcher'].py_func.__name__ == '_advance_probe'))")
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "NUMBA_CACHE_DIR": ""}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stderr.count("compiling the simulation kernels") == 1
    assert "compiling" not in second.stderr
    assert list(tmp_path.rglob("*.nbi"))
    assert (first.stdout.split(), second.stdout.split()) == (["1"], ["0"])


def test_kernels_cached_looks_for_every_kernels_index(tmp_path, monkeypatch):
    """An empty cache folder: not cached; numba's index file for each kernel present: cached."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert not solvers.kernels_cached()
    names = ["_step_parallel", "_resting_states_parallel", "_relax_rows", "_walk_parallel", "_clonus_parallel"]
    for name in names[:-1]:
        (tmp_path / f"solvers.{name}-1.py311.nbi").touch()
    assert not solvers.kernels_cached()  # one kernel still missing
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / f"solvers.{names[-1]}-1.py311.nbi").touch()
    assert solvers.kernels_cached()



def test_stale_cache_folders_of_other_versions_are_pruned(tmp_path):
    """Sibling numba-* folders unused for more than STALE_CACHE_DAYS go; recent ones, the kept
    folder, other names and files stay."""
    from sim import _jit

    now = 1.0e9
    day = 86400.0
    keep = tmp_path / "numba-0.2.0-new"
    keep.mkdir()
    old, recent, other = tmp_path / "numba-0.1.0-old", tmp_path / "numba-0.1.0-recent", tmp_path / "notes"
    for folder, age in ((old, _jit.STALE_CACHE_DAYS + 1), (recent, _jit.STALE_CACHE_DAYS - 1), (other, 400)):
        folder.mkdir()
        (folder / "solvers._step_parallel-1.py311.nbi").touch()
        os.utime(folder, (now - age * day, now - age * day))
    stray = tmp_path / "numba-file"
    stray.touch()
    os.utime(stray, (now - 400 * day, now - 400 * day))
    os.utime(keep, (now - 400 * day, now - 400 * day))  # never itself, however old
    assert _jit.prune_stale_caches(keep, now=now) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "numba-0.1.0-recent", "numba-0.2.0-new",
                                                          "numba-file"]


def test_a_new_cache_folder_prunes_stale_ones_and_a_chosen_one_does_not(tmp_path, monkeypatch):
    """_use_cache_folder marks its folder as used; making a new one prunes stale siblings;
    with NUMBA_CACHE_DIR set by the user nothing is pruned."""
    from sim import _jit

    numba = pytest.importorskip("numba")
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)  # restored afterwards
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    mine = _jit.cache_folder()
    stale = mine.parent / "numba-0.0.1-0123456789abcdef"
    stale.mkdir(parents=True)
    long_ago = 1.0e9
    os.utime(stale, (long_ago, long_ago))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(stale))  # the user's choice: left as it is
    assert _jit._use_cache_folder() == stale and stale.is_dir() and not mine.exists()
    assert stale.stat().st_mtime == long_ago
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert _jit._use_cache_folder() == mine
    assert mine.is_dir() and not stale.exists()
    assert os.environ["NUMBA_CACHE_DIR"] == str(mine)
    os.utime(mine, (long_ago, long_ago))  # every process marks its folder as used
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert _jit._use_cache_folder() == mine and mine.stat().st_mtime > long_ago + 86400.0


# -- hours: the exact linear propagators and the compiled walk ------------------------------------
def test_propagators_match_scipy_expm_on_stiff_badly_scaled_stacks():
    """Balanced scaling-and-squaring equals scipy's expm to 1e-12 of each propagator's largest entry.

    The stack mixes a PK generator (mg and ng/mL states: raw 1-norm ≈ 10⁴ per hour), random dense
    generators with eigenvalues spread over three decades, and steps from 1e-3 to 10 h.
    """
    from scipy.linalg import expm

    rng = np.random.default_rng(7)
    pk_generator = sim.pk.system_matrix(sim.pk.PKParameters(), 60.0, 0.02, 0.0)
    random = rng.normal(size=(20, 5, 5)) * 10.0 ** rng.uniform(-1.5, 1.5, (20, 1, 1)) - 3.0 * np.eye(5)
    for generators, steps in ((np.stack([pk_generator] * 4), np.array([1e-3, 1 / 12, 1.0, 10.0])),
                              (random, rng.uniform(0.001, 2.0, 20))):
        mine = solvers.propagators(generators, steps)
        reference = expm(generators * steps[:, None, None])
        error = np.abs(mine - reference).max(axis=(-1, -2)) / np.abs(reference).max(axis=(-1, -2))
        assert error.max() < 1e-12


def test_compiled_walk_equals_a_step_by_step_product_with_jumps():
    """walk() = repeated P @ x with doses added at their nodes (to 1e-13), any batch size and block split."""
    rng = np.random.default_rng(3)
    for batch in (1, 7, 70):
        generators = -np.abs(rng.normal(size=(batch, 4, 4))) * np.tri(4) - np.eye(4)
        props = np.stack([solvers.propagators(generators, np.full(batch, dt)) for dt in (0.1, 0.3)], axis=1)
        key_of_step = rng.integers(0, 2, 30)
        jumps = np.array([[0, 0, 1.0], [5, 1, 2.0], [5, 0, 0.5], [17, 2, 3.0]])
        sample_of_node = np.where(rng.random(31) < 0.5, 0, -1)
        sample_of_node[sample_of_node == 0] = np.arange(np.count_nonzero(sample_of_node == 0))
        state = rng.random((4, batch))
        out = solvers.walk(props, key_of_step, state, jumps, sample_of_node, 3)
        x = state.copy()
        for node in range(31):
            if node:
                x = np.einsum("bij,jb->ib", props[:, key_of_step[node - 1]], x)
            for where, index, amount in jumps[jumps[:, 0] == node]:
                x[int(index)] += amount
            if sample_of_node[node] >= 0:
                np.testing.assert_allclose(out[:, :, sample_of_node[node]], x[:3], rtol=1e-13, atol=1e-13)


def test_resting_states_of_a_large_batch_are_computed_once_per_distinct_rest():
    """Rows that differ only in their protocol share a rest: the deduplicated path gives the same bits."""
    velocity = np.linspace(20.0, 200.0, 40)[:, None]
    model = rf.build_model(sim.Patient(condition="spastic", spasticity=np.linspace(0.0, 1.0, 3)[None, :]),
                           RampAndHold(velocity_deg_s=velocity), a_pre=0.3, a_post=0.0)
    rows = model.rows.reshape(-1)
    assert rows.size >= solvers.DEDUPLICATE_REST_FROM
    together = solvers.resting_states(rows)
    one_by_one = np.concatenate([solvers.resting_states(rows[i:i + 1]) for i in range(rows.size)])
    np.testing.assert_array_equal(together, one_by_one)
    assert np.unique(together, axis=0).shape[0] == 3


def test_samples_inside_long_steps_follow_the_reference():
    """Away from discontinuities the kernel steps at four times the protocol step and samples the
    output grid from each step's cubic Hermite interpolant: a 1-s hold after a short ramp, recorded
    every 1 ms (in the hold, three of every four samples interpolated), stays within 1e-4 of the range."""
    model = rf.build_model(sim.Patient(condition="spastic", spasticity=0.8), RampAndHold(velocity_deg_s=200.0,
                           amplitude_deg=10.0), a_pre=0.2, a_post=0.0)
    run = rf.integrate(model, 1000.0, dt_ms=1.0, output_dt_ms=1.0, states=True)
    reference = rf.reference_solution(model, run["t_out"])
    assert np.max(relative_errors(run["states"], reference)) <= 1e-4


def test_pool_rate_slopes_are_the_time_derivatives_of_the_pool_rates():
    """circuit.pool_rate_slopes along the state's derivative against a central difference of
    pool_rates along it (step 1e-4 ms), in the middle of a reflex (recruited units, rising drive):
    within 1e-5 of the slope."""
    model = rf.build_model(sim.Patient(condition="spastic", spasticity=0.8), RampAndHold(velocity_deg_s=150.0),
                           a_pre=0.1, a_post=0.0)
    run = rf.integrate(model, 150.0, dt_ms=1.0, output_dt_ms=1.0, states=True)
    row = model.rows.reshape(-1).view(np.recarray)[0]  # fields as attributes, as in the kernel
    y = run["states"][:, 0, -1].copy()
    dy = np.empty_like(y)
    work = np.empty(circuit.WORK_SIZE)
    circuit.derivatives(150.0, y, row, dy, work)
    slopes = circuit.pool_rate_slopes(y, dy, row, work)
    step = 1e-4
    up = circuit.pool_rates(y + step * dy, row, work)
    down = circuit.pool_rates(y - step * dy, row, work)
    assert circuit.pool_rates(y, row, work)[1] > 0.05  # units are recruited
    for slope, a, b in zip(slopes, up, down):
        assert abs(slope) > 0.0
        assert slope == pytest.approx((a - b) / (2 * step), rel=1e-5)
