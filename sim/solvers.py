r"""The one module that advances states in time.

Two time scales, kept apart on purpose
--------------------------------------
Drug levels change over hours, the reflex over milliseconds, so the model is
solved in two separate ways:

* **Hours – exact linear propagation.**  Pharmacokinetics (:mod:`sim.pk`), the
  GABA-B G-protein cascade (:mod:`sim.receptor`) and receptor adaptation
  (:mod:`sim.adaptation`) are linear with piecewise-constant coefficients
  between known events (doses, infusion changes, pulses).  On each interval the
  solution is :math:`z(t+\Delta) = e^{M\Delta} z(t)`, computed exactly with a
  matrix exponential (:func:`propagators`, :func:`walk`) or, for many output
  times of one interval, an eigendecomposition (:func:`propagate_eigen`); a scalar
  first-order relaxation uses :func:`relax`.  No step-size error.
* **Milliseconds – a compiled fixed-step kernel.**  A reflex *probe* (≈ 0.1–3 s,
  drug held constant) integrates the 100-state circuit of :mod:`sim.circuit`
  (four shared states, three per unit of the 32-unit motoneuron pool)
  with the classical Runge–Kutta scheme (order 4; the synapse in sub-steps) in a numba-compiled loop
  (:func:`integrate_probes`), parallel over the probes of a batch.

Reflex kernel numerics
----------------------
*Step.*  The fastest states are cleft glutamate (:math:`\tau_{glu}` = 1.2 ms) and
the AMPA open fraction during transmitter peaks (:math:`1/(\alpha_{eff}G + \beta)`
≈ 0.7 ms at the peak of a maximal volley); the unit potentials relax with
:math:`C/g \approx` 4–5 ms.  The synapse (vesicle pool, glutamate, AMPA) is driven
by the Ia input alone – nothing in the pool feeds back onto it – so each step first
advances it in :data:`SYNAPSE_SUBSTEPS` (= 4) RK4 sub-steps with the exact Ia rate at
every sub-stage, and its states at the middle and the end of the step enter the pool's
RK4 stages (the pool then sees its input exactly where the classical scheme asks for
it, so the whole scheme keeps order 4: the error falls ≥ 10-fold per halving; tested).  The stiff
synapse is thus stepped at a quarter of the step, the 100 pool states at the full step.
Each protocol declares the largest step at which every state trace stays within 1e-4
of its range of a tight-tolerance DOP853 reference
(:attr:`sim.protocols.Protocol.default_step_ms`, measured on the generated probes of
``tests/test_solvers.py`` with the step ladder below): 1 ms for ramps (worst trace
2.0e-5; 4.2e-4 without the sub-steps), 0.5 ms for contractions (PIC inactivation
switches on abruptly, 6.2e-5) and for tendon taps (1.9e-5; their :math:`|v|^{0.6}`
input has unbounded slope where the velocity turns), 0.25 ms for electrical volleys,
whose 0.5 ms pulses switch the pool on hardest (single volleys 7.3e-5, trains 2.3e-5;
4e-4 at 0.5 ms).  No quasi-steady approximation is needed.

*Step ladder.*  The fast transients follow the input's discontinuities; between them
the circuit is smooth.  So the protocol's step holds for :data:`STEP_LADDER_MS`
(20 ms) after each discontinuity, twice it for the next 20 ms, and
:data:`MAX_STEP_FACTOR` (4) times it from then on and before the first
discontinuity, while the probe rests; every step still ends on the protocol's step
grid.  Measured on the generated ramps: ladders that coarsen after 10 ms instead
(4e-4), or go on to 8 times the step (1–2e-4, near the pool's stability limit; 16
times is unstable), miss the 1e-4 bound; this one adds nothing measurable to the
worst trace of contractions, volleys and trains, and taps (whose every velocity
turn is a discontinuity) stay at 1.9e-5.  A 1-s ramp probe takes about 290 steps
instead of 1,000.

*Discontinuities.*  Every probe steps on its own grid: multiples of the step,
split at each of its input discontinuities (ramp start and end, tap phases,
volley edges, command onset; spindle-side times shifted by the afferent delay;
:meth:`sim.protocols.Protocol.discontinuity_table`), so a stretch is never
stepped over and each step sees smooth inputs.  Stage times at step ends are
nudged 1e-9 ms inwards to take the correct one-sided input.

*Monitors.*  :class:`Monitors` (data) says which channels are recorded and how
often.  Traces and the online summaries (peaks, threshold crossing, sustained
firing, torque) are sampled at every point of the protocol's step grid (and at
every discontinuity) whatever the step: points inside a longer step come from the
step's cubic Hermite interpolant (its end states and derivatives, the end
derivative one-sided from the left at a discontinuity), which is exact at both ends
and has the step's own order.  The summaries therefore do not depend on the ladder
(default steps against 1/16 of them: H ratio 1.9e-5, reflex torque 8.8e-6, onset
angle 2.8e-4, ramp EMG and recruited peaks 1.2e-3, spasm index 0.02 ms; tested).

*Determinism.*  Probes are independent and each is integrated by one thread
with the same operations, so results are bitwise identical for any number of
threads (tested).

The :func:`reference_probes` solver integrates the same
:func:`sim.circuit.derivatives` with :func:`scipy.integrate.solve_ivp` (DOP853,
tight tolerances), restarting at every discontinuity; it is the slow baseline
the kernel is checked against.

Closed loop (clonus)
--------------------
With the foot free (:mod:`sim.limb`), the spindle reads the angle one afferent delay ago
and the joint the activation one efferent delay ago: a delay-differential equation.
:func:`integrate_clonus` steps it with the same RK4 on a fixed grid; the delays are whole
multiples of half a step and a ring buffer holds angle, velocity and activation on the
half-step grid (mid-step values from the cubic Hermite interpolant of each step), so every
stage reads exact-grid history and the scheme keeps order 4 on a smooth loop (error ÷ 14–19
per halving, ``tests/test_clonus.py``).  The real loop is not smooth where the velocity
changes sign (the spindle's :math:`|v|^{0.6}` and its clip at zero, the force–velocity
kink), at times no fixed grid knows in advance, so there the observed order is ≈ 1.5–2:
at the default 0.25 ms, angle, velocity and activation stay within 1e-4 of their range of
the method-of-steps reference :func:`reference_clonus` and every state within 1e-3
(cleft glutamate, which follows the Ia rate, is the worst).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from . import circuit, limb
from ._jit import compile_kernel, inlined_kernel_function, kernel_body, kernel_function
from .errors import ParameterError, SimulationError

__all__ = [
    "Monitors",
    "CHANNELS",
    "SUMMARY_COLUMNS",
    "integrate_probes",
    "resting_states",
    "warm",
    "reference_probes",
    "CLONUS_CHANNELS",
    "integrate_clonus",
    "reference_clonus",
    "propagators",
    "walk",
    "propagate_eigen",
    "relax",
]

# ---------------------------------------------------------------------------------------------
# Hours: exact linear propagation
# ---------------------------------------------------------------------------------------------


def propagators(generators: np.ndarray, steps: np.ndarray) -> np.ndarray:
    r"""Exact propagators :math:`e^{M \Delta}` for a stack of generators and steps.

    Parameters
    ----------
    generators : array, shape (..., n, n)
        Generator matrices :math:`M` (per hour, per ms …).
    steps : array broadcasting with ``generators.shape[:-2]``
        Interval lengths :math:`\Delta`.

    Notes
    -----
    Scaling and squaring of a Taylor series, for the whole stack at once (a few
    batched matrix products), after one diagonal similarity
    :math:`D^{-1} M D` that balances the stack (:func:`scipy.linalg.matrix_balance`
    on the entrywise largest magnitudes; exact, it only rescales the states):
    the pharmacokinetic generators mix mg and ng/mL, so their raw norms are
    ≈ 10⁴ per hour while the balanced ones are ≈ 1.  The series is summed to
    degree 16 after scaling the norm below 0.5 (truncation < 1e-19).
    :func:`scipy.linalg.expm` gives the same to ≈ 1e-15 relative (tested) but
    treats a stack one matrix at a time, which for 1,000 patients costs ≈ 0.5 s
    against ≈ 0.03 s here.

    Examples
    --------
    >>> float(propagators(np.array([[-2.0]]), np.array(0.5))[0, 0]) == float(np.exp(-1.0))
    True
    """
    from scipy.linalg import matrix_balance

    m = np.asarray(generators, dtype=float)
    dt = np.asarray(steps, dtype=float)
    a = m * dt[..., None, None]
    n = a.shape[-1]
    if a.size == 0:
        return np.broadcast_to(np.eye(n), a.shape).copy()
    if not np.all(np.isfinite(a)):
        raise ParameterError("propagators: generators and steps must be finite")
    envelope = np.abs(a).reshape(-1, n, n).max(axis=0)
    _, (scale, _) = matrix_balance(envelope, permute=False, separate=True)
    a = a * (1.0 / scale)[:, None] * scale[None, :]
    norm = float(np.abs(a).sum(axis=-2).max()) if a.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    a = a / 2.0 ** squarings
    eye = np.eye(n)
    series = eye + a / _TAYLOR_DEGREE
    for k in range(_TAYLOR_DEGREE - 1, 0, -1):   # Horner: I + A/1 (I + A/2 (I + …))
        series = eye + (a @ series) / k
    for _ in range(squarings):
        series = series @ series
    return series * scale[:, None] * (1.0 / scale)[None, :]


_TAYLOR_DEGREE = 16


def walk(step_propagators: np.ndarray, key_of_step: np.ndarray, state: np.ndarray, jumps: np.ndarray,
         sample_of_node: np.ndarray, n_keep: int) -> np.ndarray:
    """Advance a batched linear state over event nodes: propagate, then apply the node's jumps.

    Compiled (numba, parallel over the batch for large batches); each batch member
    is advanced by one thread in a fixed order, so results do not depend on the
    number of threads.  Only the entries of the propagators that are non-zero
    somewhere in the stack are multiplied (pharmacokinetic propagators are
    about two-thirds zeros: nothing flows back into the gut, the sinks or the
    effect-site chain).

    Parameters
    ----------
    step_propagators : array, shape (batch, k, n, n)
        The distinct propagators (one per kind of step) of every batch member.
    key_of_step : int array, shape (n_nodes - 1,)
        Which of the *k* propagators takes node ``j`` to node ``j + 1``.
    state : array, shape (n, batch)
        State at node 0 before its jumps.
    jumps : array, shape (m, 3)
        Rows (node, state index, amount) sorted by node: amounts added at that node (doses).
    sample_of_node : int array, shape (n_nodes,)
        Output column of each node, or −1 if the node is not an output time.
    n_keep : int
        How many leading states to record.

    Returns
    -------
    numpy.ndarray, shape (n_keep, batch, n_samples)
        The first *n_keep* states at every output node, after the node's jumps.

    Examples
    --------
    >>> p = propagators(np.array([[[-1.0]]]), np.array(1.0))[None]       # (batch 1, k 1, 1, 1)
    >>> out = walk(p, np.zeros(2, int), np.zeros((1, 1)), np.array([[0.0, 0.0, 1.0]]), np.arange(3), 1)
    >>> out.round(4).tolist()                                               # a unit dose decaying
    [[[1.0, 0.3679, 0.1353]]]
    """
    props = np.asarray(step_propagators, dtype=float)
    batch, n_keys, n, _ = props.shape
    pattern = np.any(props != 0.0, axis=(0, 1))
    rows_of, columns_of = (index.astype(np.int64) for index in np.nonzero(pattern))
    # Blocks of _WALK_BLOCK batch members, the block innermost: the products vectorise over it.
    n_blocks = -(-batch // _WALK_BLOCK)
    padded = np.zeros((n_blocks * _WALK_BLOCK, n_keys, rows_of.size))
    padded[:batch] = props[:, :, rows_of, columns_of]
    blocked = np.ascontiguousarray(padded.reshape(n_blocks, _WALK_BLOCK, n_keys, -1).transpose(0, 2, 3, 1))
    start = np.zeros((n, n_blocks * _WALK_BLOCK))
    start[:, :batch] = state
    jumps = np.asarray(jumps, dtype=float).reshape(-1, 3)
    sample_of_node = np.ascontiguousarray(sample_of_node, dtype=np.int64)
    n_samples = int(sample_of_node.max()) + 1 if sample_of_node.size else 0
    out = np.zeros((n_keep, n_blocks * _WALK_BLOCK, n_samples))
    kernel = _on_threads(_compiled(_walk_parallel, True), n_blocks >= _WALK_PARALLEL_FROM)
    kernel(blocked, np.ascontiguousarray(key_of_step, dtype=np.int64), rows_of, columns_of,
           np.ascontiguousarray(jumps[:, 0], dtype=np.int64), np.ascontiguousarray(jumps[:, 1], dtype=np.int64),
           np.ascontiguousarray(jumps[:, 2]), sample_of_node, start, out)
    return out[:, :batch]


#: Batch members walked together (the innermost, vectorised axis) and the block count from
#: which the blocks are shared between threads.
_WALK_BLOCK = 8
_WALK_RUN = 64
_WALK_PARALLEL_FROM = 8


@kernel_body
def _walk_block(k, props, key_of_step, rows_of, columns_of, jump_node, jump_index, jump_amount, sample_of_node,
                state, out):  # pragma: no cover - compiled by numba
    width = _WALK_BLOCK  # a compile-time constant: the innermost loops unroll and vectorise
    n = state.shape[0]
    first = k * width
    x = np.empty((n, width))
    y = np.empty((n, width))
    for i in range(n):
        for t in range(width):
            x[i, t] = state[i, first + t]
    n_keep = out.shape[0]
    buffer = np.empty((n_keep, width, _WALK_RUN))
    filled = 0
    jump = 0
    for node in range(sample_of_node.shape[0]):
        if node > 0:
            p = props[k, key_of_step[node - 1]]
            y[:, :] = 0.0
            for e in range(rows_of.shape[0]):
                i = rows_of[e]
                j = columns_of[e]
                for t in range(width):
                    y[i, t] += p[e, t] * x[j, t]
            x, y = y, x
        while jump < jump_node.shape[0] and jump_node[jump] == node:
            for t in range(width):
                x[jump_index[jump], t] += jump_amount[jump]
            jump += 1
        sample = sample_of_node[node]
        if sample >= 0:  # samples come in order; buffered, then written row by row in runs
            for i in range(n_keep):
                for t in range(width):
                    buffer[i, t, filled] = x[i, t]
            filled += 1
            if filled == _WALK_RUN or sample == out.shape[2] - 1:
                for i in range(n_keep):  # element by element: a slice assignment compiles numba's
                    for t in range(width):  # shape-mismatch error path (about 5 s of compiling)
                        for m in range(filled):
                            out[i, first + t, sample + 1 - filled + m] = buffer[i, t, m]
                filled = 0


def _walk_parallel(props, key_of_step, rows_of, columns_of, jump_node, jump_index, jump_amount, sample_of_node,
                   state, out):  # pragma: no cover - compiled by numba
    for k in numba_prange(props.shape[0]):
        _walk_block(np.int64(k), props, key_of_step, rows_of, columns_of, jump_node, jump_index, jump_amount,
                    sample_of_node, state, out)


def propagate_eigen(matrix: np.ndarray, dt: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Exact ``expm(matrix * dt) @ state`` for many ``dt`` at once (rows of the result).

    Uses the eigendecomposition when the eigenvalues are real and distinct,
    otherwise :func:`propagators` step by step.

    Examples
    --------
    >>> propagate_eigen(np.array([[-1.0, 0.0], [0.0, -2.0]]), np.array([0.0, 1.0]), np.array([1.0, 1.0])).round(4)
    array([[1.    , 1.    ],
           [0.3679, 0.1353]])
    """
    eigenvalues, vectors = np.linalg.eig(matrix)
    spread = np.min(np.abs(np.subtract.outer(eigenvalues, eigenvalues)) + np.eye(eigenvalues.size))
    if np.all(np.isreal(eigenvalues)) and spread > 1e-9 * max(1.0, np.max(np.abs(eigenvalues))):
        coefficients = np.linalg.solve(vectors.real, state)
        return (np.exp(np.outer(dt, eigenvalues.real)) * coefficients) @ vectors.real.T
    return np.stack([propagators(matrix, step) @ state for step in np.asarray(dt, dtype=float)])


def relax(initial: np.ndarray, targets: np.ndarray, decays: np.ndarray) -> np.ndarray:
    r"""Exact first-order relaxation over steps: :math:`x_{j+1} = x^\infty_j + (x_j - x^\infty_j) d_j`.

    Parameters
    ----------
    initial : array, shape (...)
        :math:`x_0`.
    targets, decays : arrays, shape (..., m)
        Steady states and decay factors :math:`e^{-\Delta_j/\tau_j}` of the *m* steps.

    Returns
    -------
    numpy.ndarray, shape (..., m + 1)

    Examples
    --------
    >>> relax(np.array(0.0), np.array([1.0, 1.0]), np.array([0.5, 0.5])).tolist()
    [0.0, 0.5, 0.75]
    """
    shape = np.broadcast_shapes(np.shape(initial), np.shape(targets)[:-1], np.shape(decays)[:-1])
    m = np.shape(targets)[-1]
    n = int(np.prod(shape, dtype=int))
    rows = (np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float), (*shape, m))).reshape(n, m)
            for x in (targets, decays))
    out = np.empty((n, m + 1))
    start = np.ascontiguousarray(np.broadcast_to(np.asarray(initial, dtype=float), shape)).reshape(n)
    compile_kernel(_relax_rows)(start, *rows, out)  # a compiled loop over the steps
    return out.reshape(*shape, m + 1)


def _relax_rows(initial, targets, decays, out):  # pragma: no cover - compiled by numba
    for i in range(initial.shape[0]):
        current = initial[i]
        out[i, 0] = current
        for j in range(targets.shape[1]):
            current = targets[i, j] + (current - targets[i, j]) * decays[i, j]
            out[i, j + 1] = current


# ---------------------------------------------------------------------------------------------
# Milliseconds: the compiled reflex kernel
# ---------------------------------------------------------------------------------------------

#: Channels the kernel can record on the output grid: the shared states, then pool outputs
#: (:data:`sim.circuit.POOL_OUTPUTS`), then the Ia rate at the muscle.
CHANNELS = (*circuit.SHARED_STATES, *circuit.POOL_OUTPUTS, "ia_rate_muscle_hz")
#: Per-probe summaries computed online, in the order of the kernel's summary array.
SUMMARY_COLUMNS = ("emg_rest", "emg_peak", "recruited_peak", "crossed", "t_cross_cord_ms", "firing_end_cord_ms",
                   "activation_end", "torque_peak_nm", "reflex_torque_peak_nm", "threshold_angle_deg",
                   "trigger_angle_deg")
_NUDGE_MS = 1e-9
#: RK4 sub-steps of the synapse per step (even: its middle state feeds the pool's middle stages).
SYNAPSE_SUBSTEPS = 4
# Indices used inside the compiled kernel (numba freezes module-level integers as constants).
_NS = circuit.N_STATES
_NSHARED = len(circuit.SHARED_STATES)
_A = circuit.A
X, GLU, S = circuit.X, circuit.GLU, circuit.S
_IA = CHANNELS.index("ia_rate_muscle_hz")
_M0 = circuit.M0
#: The step ladder: after every input discontinuity the kernel steps at the protocol's step for
#: this long, at twice it for as long again, then at :data:`MAX_STEP_FACTOR` times it (also before
#: the first discontinuity, while the probe rests); every step ends on the step grid.
STEP_LADDER_MS = 20.0
#: Largest step, in protocol steps (8 becomes inaccurate near the pool's stability limit).
MAX_STEP_FACTOR = 4
#: Synapse sub-steps in the longest steps, far from any discontinuity, where the synapse only
#: tracks its smooth input (the worst traces of the generated probes do not change).
LONG_STEP_SUBSTEPS = 2
# Slots of the online summaries' accumulator in the kernel (see _observe).
(_EMG_PEAK, _RECRUITED_PEAK, _CROSSED, _T_CROSS, _FIRING_END, _ACT_END, _TORQUE_PEAK, _REFLEX_PEAK, _PREV_RISE,
 _PREV_T, _N_SEEN, _T_2, _RISE_2, _RECRUITED_2, _REFLEX_2, _PREV_RECRUITED, _PREV_REFLEX, _PREV_INSIDE) = range(18)
_N_ACC = 18


@kernel_function
def _record(traces: Any, i: int, j: int, y: Any, p: Any, t: float, mode: int, work: Any) -> None:
    """Write the channels (mode 1) or the whole state vector (mode 2) of probe *i* at output index *j*."""
    if mode == 2:
        for c in range(_NS):
            traces[i, c, j] = y[c]
        return
    for c in range(_NSHARED):
        traces[i, c, j] = y[c]
    v, pic, available, rate, recruited = circuit.pool_outputs(y, p, work)
    traces[i, _NSHARED, j] = v
    traces[i, _NSHARED + 1, j] = pic
    traces[i, _NSHARED + 2, j] = available
    traces[i, _NSHARED + 3, j] = rate
    traces[i, _NSHARED + 4, j] = recruited
    traces[i, _IA, j] = circuit.spindle_rate(t, p)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Monitors:
    """What the kernel records: traces (channels of :data:`CHANNELS`) and the summary criteria.

    Parameters
    ----------
    record : bool
        Record the channels on the output grid (otherwise summaries only).
    states : bool
        Record the whole state vector (every unit) instead of the channels: for checking
        the kernel against :func:`reference_probes`.
    output_dt_ms : float
        Output spacing, ms (a multiple of the step is used; see :func:`integrate_probes`).
    emg_threshold : float
        Reflex onset: EMG rise above the pre-stimulus level, fraction of maximal EMG.
    firing_fraction : float
        Extra recruited fraction that counts as "still firing" for the spasm measure.
    """

    record: bool = True
    states: bool = False
    output_dt_ms: float = 0.5
    emg_threshold: float = 0.01
    firing_fraction: float = 0.05


@kernel_function
def _vertex(t0: float, y0: float, t1: float, y1: float, t2: float, y2: float) -> float:
    """Peak of the parabola through three samples if the middle one is a local maximum, else ``y1``.

    >>> _vertex(-1.0, 0.0, 0.0, 1.0, 2.0, -3.0)  # y = 1 - t**2 peaks at t = 0
    1.0
    >>> round(_vertex(0.0, 0.75, 1.0, 0.75, 2.0, -1.25), 12)  # y = 1 - (t - 0.5)**2
    1.0
    """
    if y1 < y0 or y1 < y2:
        return y1
    d0 = t0 - t1
    d2 = t2 - t1
    slope2 = (y2 - y1) / d2
    curvature = (slope2 - (y0 - y1) / d0) / (d2 - d0)
    if curvature >= 0.0:
        return y1
    slope = slope2 - curvature * d2
    return max(y1, y1 - slope * slope / (4.0 * curvature))


@kernel_function
def _synapse_step(x, g, s, ia_a, ia_h, ia_e, hs, p):  # pragma: no cover - compiled by numba
    """One RK4 step of the synapse (pool, glutamate, AMPA) with Ia rates at its start, middle and end."""
    a1, b1, c1 = circuit.synapse_rates(x, g, s, ia_a, p)
    a2, b2, c2 = circuit.synapse_rates(x + 0.5 * hs * a1, g + 0.5 * hs * b1, s + 0.5 * hs * c1, ia_h, p)
    a3, b3, c3 = circuit.synapse_rates(x + 0.5 * hs * a2, g + 0.5 * hs * b2, s + 0.5 * hs * c2, ia_h, p)
    a4, b4, c4 = circuit.synapse_rates(x + hs * a3, g + hs * b3, s + hs * c3, ia_e, p)
    return (x + hs / 6.0 * (a1 + 2.0 * (a2 + a3) + a4), g + hs / 6.0 * (b1 + 2.0 * (b2 + b3) + b4),
            s + hs / 6.0 * (c1 + 2.0 * (c2 + c3) + c4))


@inlined_kernel_function
def _hermite(y0: Any, f0: Any, y1: Any, f1: Any, span: float, theta: float, out: Any, lo: int, hi: int) -> None:
    """States *lo*..*hi*-1 of one step's cubic Hermite interpolant at fraction *theta* of it, into *out*.

    *y0*, *f0* and *y1*, *f1* are the states and derivatives at the step's ends, *span* its
    length; the interpolant is exact at both ends (theta 0 and 1) and its error is
    O(span⁴), the order of the step itself.

    >>> import numpy as np
    >>> out = np.zeros(1)
    >>> _hermite(np.zeros(1), np.zeros(1), np.ones(1), np.zeros(1), 1.0, 0.5, out, 0, 1)
    >>> float(out[0])  # halfway up a step from 0 to 1 with flat ends
    0.5
    """
    a0, b0, a1, b1 = _hermite_weights(span, theta)
    for c in range(lo, hi):
        out[c] = a0 * y0[c] + b0 * f0[c] + a1 * y1[c] + b1 * f1[c]


@kernel_function
def _hermite_weights(span: float, theta: float) -> tuple[float, float, float, float]:
    """Weights of the start value and slope, end value and slope in the cubic Hermite interpolant."""
    theta2 = theta * theta
    rest = 1.0 - theta
    return ((1.0 + 2.0 * theta) * rest * rest, span * theta * rest * rest, theta2 * (3.0 - 2.0 * theta),
            -span * theta2 * rest)


@kernel_function
def _observe(acc: Any, t: float, rate: float, fraction: float, activation: float, p: Any, emg0: float, frac0: float,
             rest_active: float, t_end: float, emg_threshold: float, firing_fraction: float, h: float) -> None:
    """Add the sample at cord time *t* to the online summaries held in *acc* (indices ``_ACC_*``)."""
    d_eff = p.efferent_delay_ms
    rise = rate / p.emg_reference_rate_hz - emg0
    recruited = fraction - frac0
    prev_t = acc[_PREV_T]
    prev_rise = acc[_PREV_RISE]
    prev_recruited = acc[_PREV_RECRUITED]
    n_seen = acc[_N_SEEN]
    if recruited > acc[_RECRUITED_PEAK]:
        acc[_RECRUITED_PEAK] = recruited
    if recruited >= firing_fraction:
        acc[_FIRING_END] = t
    elif prev_recruited >= firing_fraction and n_seen >= 1:
        # Dropped below between the samples: the linearly interpolated crossing.
        acc[_FIRING_END] = prev_t + (prev_recruited - firing_fraction) / (prev_recruited - recruited) * (t - prev_t)
    inside = t <= t_end - d_eff + 1e-9
    reflex = 0.0
    if inside:
        if rise > acc[_EMG_PEAK]:
            acc[_EMG_PEAK] = rise
        if acc[_CROSSED] == 0.0 and rise >= emg_threshold:
            span = rise - prev_rise
            frac_t = (emg_threshold - prev_rise) / span if span > 0 else 1.0
            frac_t = min(max(frac_t, 0.0), 1.0)
            acc[_T_CROSS] = prev_t + frac_t * (t - prev_t)
            acc[_CROSSED] = 1.0
        active = p.max_force_n * activation
        acc[_ACT_END] = activation
        torque = p.moment_arm_m * active + circuit.passive_torque_nm(t + d_eff, p)
        if torque > acc[_TORQUE_PEAK]:
            acc[_TORQUE_PEAK] = torque
        reflex = p.moment_arm_m * (active - rest_active)
        if reflex > acc[_REFLEX_PEAK]:
            acc[_REFLEX_PEAK] = reflex
    t_2 = acc[_T_2]
    if n_seen >= 2 and (prev_t - t_2) > 1e-3 * h and (t - prev_t) > 1e-3 * h:
        # A sampled maximum of a smooth trace lies between samples: the vertex of the parabola
        # through it and its neighbours (error O(h^3) instead of O(h^2) for the sample itself).
        acc[_RECRUITED_PEAK] = max(acc[_RECRUITED_PEAK],
                                   _vertex(t_2, acc[_RECRUITED_2], prev_t, prev_recruited, t, recruited))
        if inside:
            acc[_EMG_PEAK] = max(acc[_EMG_PEAK], _vertex(t_2, acc[_RISE_2], prev_t, prev_rise, t, rise))
            acc[_REFLEX_PEAK] = max(acc[_REFLEX_PEAK], _vertex(t_2, acc[_REFLEX_2], prev_t, acc[_PREV_REFLEX], t, reflex))
    acc[_N_SEEN] = n_seen + 1.0 if (acc[_PREV_INSIDE] != 0.0) == inside else 1.0
    acc[_T_2] = prev_t
    acc[_RISE_2] = prev_rise
    acc[_RECRUITED_2] = prev_recruited
    acc[_REFLEX_2] = acc[_PREV_REFLEX]
    acc[_PREV_RECRUITED] = recruited
    acc[_PREV_REFLEX] = reflex
    acc[_PREV_INSIDE] = 1.0 if inside else 0.0
    acc[_PREV_RISE] = rise
    acc[_PREV_T] = t


@kernel_function
def _step_factor(t: float, last_break: float) -> int:
    """How many grid steps the step from *t* spans (:data:`STEP_LADDER_MS`; *last_break* −inf before the first).

    >>> [_step_factor(t, 100.0) for t in (100.0, 119.0, 120.0, 139.0, 140.0, 900.0)]
    [1, 1, 2, 2, 4, 4]
    >>> _step_factor(10.0, -np.inf)  # resting before the first discontinuity
    4
    """
    since = t - last_break + 1e-9
    factor = 1
    while factor < MAX_STEP_FACTOR and since >= factor * STEP_LADDER_MS:
        factor *= 2
    return factor


@kernel_body
def _advance_probe(i, rows, y0, breaks, t_end, h, out_every, n_out, record, emg_threshold, firing_fraction,
                   traces, summaries, y_end):  # pragma: no cover - compiled by numba; tested through the driver
    """Integrate probe *i* from rest to *t_end* (RK4 on its own step ladder), sampling monitors on the grid."""
    p = rows[i]
    y = y0[i].copy()
    y_new = np.empty(_NS)
    k1 = np.empty(_NS)
    k2 = np.empty(_NS)
    k3 = np.empty(_NS)
    k4 = np.empty(_NS)
    f_prev = np.empty(_NS)
    f_left = np.empty(_NS)
    tmp = np.empty(_NS)
    work = np.empty(circuit.WORK_SIZE)
    acc = np.zeros(_N_ACC)
    d_eff = p.efferent_delay_ms
    arm = p.moment_arm_m
    rate0, frac0 = circuit.derivatives(0.0, y, p, k1, work)
    emg0 = rate0 / p.emg_reference_rate_hz
    rest_active = p.max_force_n * y[_A]
    # Torque during the first efferent delay: resting activation + passive force.
    torque_peak = -np.inf
    n_early = int(np.ceil(min(d_eff, t_end) / h)) + 1
    for m in range(n_early):
        tm = min(m * h, d_eff, t_end)
        torque = arm * rest_active + circuit.passive_torque_nm(tm, p)
        if torque > torque_peak:
            torque_peak = torque
    acc[_TORQUE_PEAK] = torque_peak
    acc[_ACT_END] = y[_A]
    acc[_T_CROSS] = np.nan
    if record > 0:
        _record(traces, i, 0, y, p, 0.0, record, work)
    _observe(acc, 0.0, rate0, frac0, y[_A], p, emg0, frac0, rest_active, t_end, emg_threshold, firing_fraction, h)
    nb = breaks.shape[1]
    jb = 0
    t = 0.0
    t0 = 0.0
    have_step = False  # a step has been taken whose samples are still to be taken
    ended_on_break = False
    factor = 1
    rate_prev = rate0
    fraction_prev = frac0
    slopes_carry = False  # slopes of rate and recruitment at t known from the step before
    slope_rate = 0.0
    slope_fraction = 0.0
    while True:
        done = t >= t_end - 1e-12
        if not done:
            # -- next step: the ladder's next grid point or the next discontinuity, whichever comes first
            while jb < nb and breaks[i, jb] <= t + 1e-9:
                jb += 1
            factor = _step_factor(t, breaks[i, jb - 1] if jb > 0 else -np.inf)
            k = int(np.floor(t / h + 1e-9))
            t_next = (k + factor - k % factor) * h
            on_break = False
            if jb < nb and breaks[i, jb] < t_next + 1e-9:
                on_break = True
                if breaks[i, jb] < t_next - 1e-9:
                    t_next = breaks[i, jb]
            if t_next > t_end:
                t_next = t_end
            hh = t_next - t
            nudge = min(_NUDGE_MS, hh / 4.0)
            ia_start, cmd_start = circuit.cord_inputs(t + nudge, p)
            rate, fraction = circuit.derivatives_with_inputs(y, ia_start, cmd_start, p, k1, work)
        else:
            rate, fraction = circuit.pool_rates(y, p, work)
        if have_step:
            # -- samples of the step just taken: grid points inside it, then its end point.  Inside,
            # states come from the step's cubic Hermite interpolant (the derivative at its end
            # one-sided from the left at a discontinuity), and so do the EMG-weighted rate and the
            # recruited share, from their values and slopes at the step's ends.
            f_end = f_left if (ended_on_break or done) else k1
            span = t - t0
            kk = int(np.floor(t0 / h + 1e-9)) + 1
            if kk * h < t - 1e-9:
                if slopes_carry:
                    rate_slope0, fraction_slope0 = slope_rate, slope_fraction
                else:
                    rate_slope0, fraction_slope0 = circuit.pool_rate_slopes(y_new, f_prev, p, work)
                slope_rate, slope_fraction = circuit.pool_rate_slopes(y, f_end, p, work)
                while kk * h < t - 1e-9:
                    ts = kk * h
                    theta = (ts - t0) / span
                    if record > 0 and kk % out_every == 0 and kk // out_every < n_out:
                        _hermite(y_new, f_prev, y, f_end, span, theta, tmp, 0, _NS)
                        _record(traces, i, kk // out_every, tmp, p, ts, record, work)
                    a0, b0, a1, b1 = _hermite_weights(span, theta)
                    _observe(acc, ts, a0 * rate_prev + b0 * rate_slope0 + a1 * rate + b1 * slope_rate,
                             a0 * fraction_prev + b0 * fraction_slope0 + a1 * fraction + b1 * slope_fraction,
                             a0 * y_new[_A] + b0 * f_prev[_A] + a1 * y[_A] + b1 * f_end[_A], p, emg0, frac0,
                             rest_active, t_end, emg_threshold, firing_fraction, h)
                    kk += 1
                slopes_carry = not ended_on_break
            else:
                slopes_carry = False
            _observe(acc, t, rate, fraction, y[_A], p, emg0, frac0, rest_active, t_end, emg_threshold,
                     firing_fraction, h)
            rate_prev = rate
            fraction_prev = fraction
            kk = int(round(t / h))
            if record > 0 and abs(t - kk * h) < 1e-9 and kk % out_every == 0 and kk // out_every < n_out:
                _record(traces, i, kk // out_every, y, p, t, record, work)
        if done:
            break
        # The synapse (feed-forward from the Ia input) in n_sub RK4 sub-steps; its states at the
        # step's middle and end feed the RK4 stages of the pool and muscle.
        ia_m, cmd_m = circuit.cord_inputs(t + 0.5 * hh, p)
        ia_b, cmd_b = circuit.cord_inputs(t_next - nudge, p)
        n_sub = SYNAPSE_SUBSTEPS if factor < MAX_STEP_FACTOR else LONG_STEP_SUBSTEPS
        hs = hh / n_sub
        sx = y[X]
        sg = y[GLU]
        ss = y[S]
        ia_a = ia_start
        for j in range(n_sub):
            ta = t + j * hs
            if j == n_sub - 1:
                ia_e = ia_b
            elif 2 * (j + 1) == n_sub:
                ia_e = ia_m
            else:
                ia_e = circuit.cord_inputs(ta + hs, p)[0]
            ia_h = circuit.cord_inputs(ta + 0.5 * hs, p)[0]
            sx, sg, ss = _synapse_step(sx, sg, ss, ia_a, ia_h, ia_e, hs, p)
            ia_a = ia_e
            if 2 * (j + 1) == n_sub:
                mx = sx
                mg = sg
                ms_ = ss
        # Classical RK4 for the pool and muscle; the inputs at the step's start, middle and (one-sided) end.
        for c in range(_A, _NS):
            tmp[c] = y[c] + 0.5 * hh * k1[c]
        tmp[X] = mx
        tmp[GLU] = mg
        tmp[S] = ms_
        circuit.derivatives_in_place(tmp, ia_m, cmd_m, p, k2, work)
        for c in range(_A, _NS):
            tmp[c] = y[c] + 0.5 * hh * k2[c]
        circuit.derivatives_in_place(tmp, ia_m, cmd_m, p, k3, work)
        for c in range(_A, _NS):
            tmp[c] = y[c] + hh * k3[c]
        tmp[X] = sx
        tmp[GLU] = sg
        tmp[S] = ss
        circuit.derivatives_in_place(tmp, ia_b, cmd_b, p, k4, work)
        # y_new takes the new state; then the names swap, so y is the new state and y_new the old one
        # (and f_prev the derivative at the old one) for the samples inside the step.
        for c in range(_A, _NS):
            y_new[c] = y[c] + hh / 6.0 * (k1[c] + 2.0 * (k2[c] + k3[c]) + k4[c])
        y_new[X] = sx
        y_new[GLU] = sg
        y_new[S] = ss
        y, y_new = y_new, y
        k1, f_prev = f_prev, k1
        ended_on_break = on_break
        if on_break or t_next >= t_end - 1e-12:
            circuit.derivatives_in_place(y, ia_b, cmd_b, p, f_left, work)
        t0 = t
        t = t_next
        have_step = True
    for c in range(_NS):
        y_end[i, c] = y[c]
    crossed = acc[_CROSSED] != 0.0
    t_cross = acc[_T_CROSS]
    # Angles at the EMG onset (muscle time) and when its Ia discharge left the muscle.
    t_muscle = t_cross + d_eff if crossed else t_end
    t_trigger = t_cross - p.afferent_delay_ms if crossed else t_end
    # In the order of SUMMARY_COLUMNS.
    summaries[i, 0] = emg0
    summaries[i, 1] = acc[_EMG_PEAK]
    summaries[i, 2] = acc[_RECRUITED_PEAK]
    summaries[i, 3] = 1.0 if crossed else 0.0
    summaries[i, 4] = t_cross
    summaries[i, 5] = acc[_FIRING_END]
    summaries[i, 6] = acc[_ACT_END]
    summaries[i, 7] = acc[_TORQUE_PEAK]
    summaries[i, 8] = acc[_REFLEX_PEAK]
    summaries[i, 9] = circuit.joint_kinematics(t_muscle, p)[0]
    summaries[i, 10] = circuit.joint_kinematics(t_trigger, p)[0]


def _step_parallel(rows, y0, breaks, t_end, h, out_every, n_out, record, emg_threshold, firing_fraction,
                   traces, summaries, y_end):  # pragma: no cover - compiled by numba
    for i in numba_prange(rows.shape[0]):
        _advance_probe(np.int64(i), rows, y0, breaks, t_end, h, out_every, n_out, record, emg_threshold, firing_fraction,
                       traces, summaries, y_end)


def _resting_states_parallel(rows, y0, ok):  # pragma: no cover - compiled by numba
    for i in numba_prange(rows.shape[0]):
        ok[i] = circuit.resting_state(rows[i], y0[i])


def _rest_columns() -> np.ndarray:
    """Columns of a row (viewed as floats) that the resting state depends on: all but the protocol's."""
    from .protocols import KERNEL_FIELDS

    columns = []
    for name in circuit.ROW_DTYPE.names:
        offset = circuit.ROW_DTYPE.fields[name][1] // 8
        width = int(np.prod(circuit.ROW_DTYPE[name].shape, dtype=int))
        if name not in KERNEL_FIELDS:
            columns.extend(range(offset, offset + width))
    return np.array(columns)


#: Batches at least this large compute each distinct resting state once.
DEDUPLICATE_REST_FROM = 64


def resting_states(rows: np.ndarray) -> np.ndarray:
    """Resting steady state of every probe (:func:`sim.circuit.resting_state`), shape (n, N_STATES).

    The rest comes before any stimulus, so it does not depend on the protocol's fields: in
    large batches (a velocity × concentration grid, say) each distinct rest is computed once.

    Raises
    ------
    SimulationError
        If a probe has no resting potential in [−120, 40] mV.
    """
    _kernel()
    rows = np.ascontiguousarray(rows)
    if rows.shape[0] >= DEDUPLICATE_REST_FROM:
        table = np.ascontiguousarray(rows.view(np.float64).reshape(rows.shape[0], -1)[:, _rest_columns()])
        # Rows compared byte for byte (one void item each: much faster than np.unique(axis=0)).
        items = table.view(np.dtype((np.void, 8 * table.shape[1]))).ravel()
        _, first, inverse = np.unique(items, return_index=True, return_inverse=True)
        if first.size < rows.shape[0]:
            return _rest_of_each(rows[first])[np.ravel(inverse)]
    return _rest_of_each(rows)


def _rest_of_each(rows: np.ndarray) -> np.ndarray:
    """:func:`sim.circuit.resting_state` of every row (contiguous), shape (n, N_STATES)."""
    y0 = np.zeros((rows.shape[0], _NS))
    ok = np.zeros(rows.shape[0], dtype=np.bool_)
    _on_threads(_compiled(_resting_states_parallel, True), rows.shape[0] >= PARALLEL_FROM)(rows, y0, ok)
    if not np.all(ok):
        raise SimulationError("no resting potential found below 40 mV (a unit fires without input)")
    return y0


def numba_prange(n: int) -> range:
    """``range`` in Python; replaced by ``numba.prange`` when the kernel is compiled.

    The parallel loops pass their index on as ``np.int64(i)``: numba types it int64 while it
    types the loop and uint64 in the threads' function it then builds, and each type
    would compile the loop's body (:func:`sim._jit.kernel_body`) once more.
    """
    return range(n)


#: Batches at least this large run on all threads; smaller ones on one (waking a second thread
#: costs more than a few probes, most of all on a busy machine).
PARALLEL_FROM = 32


def _compiled(function: Callable[..., Any], parallel: bool) -> Callable[..., Any]:
    """*function* compiled (or loaded from the on-disk cache), with ``numba.prange`` in parallel builds."""
    import numba

    globals()["numba_prange"] = numba.prange
    return compile_kernel(function, parallel=parallel)


def _kernel(parallel: bool = False) -> Callable[..., Any]:
    """The compiled probe kernel, on all threads or on the calling one (compiled, or loaded from the cache, once)."""
    return _on_threads(_compiled(_step_parallel, True), parallel)


def _on_threads(kernel: Callable[..., Any], parallel: bool) -> Callable[..., Any]:
    """*kernel* (a parallel build) on all of numba's threads, or on the calling thread only.

    Each kernel is built once, parallel: small batches run it with one thread instead of
    a second, serial build (which would double the first compilation), since waking a
    second thread costs more than a few probes.  Results do not depend on the thread count.
    """
    if parallel:
        return kernel

    def on_one_thread(*args: Any) -> Any:
        import numba

        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return kernel(*args)
        finally:
            numba.set_num_threads(threads)

    return on_one_thread


def warm() -> None:
    """Compile (or load from the on-disk cache) every kernel: reflex probes and rest, relaxation, PK walk, clonus.

    Worth calling before starting worker processes, which then all load the cache.
    """
    rows = np.zeros(1, dtype=circuit.ROW_DTYPE)
    # Calling each once forces compilation for the argument types used by integrate_probes.
    _kernel(True)(rows, np.zeros((1, _NS)), np.full((1, 1), np.inf), 0.0, 1.0, 1, 1, 0, 0.02, 0.05,
                  np.zeros((1, len(CHANNELS), 1)), np.zeros((1, len(SUMMARY_COLUMNS))), np.zeros((1, _NS)))
    _compiled(_resting_states_parallel, True)(rows, np.zeros((1, _NS)), np.zeros(1, dtype=np.bool_))
    relax(np.zeros(1), np.zeros((1, 1)), np.zeros((1, 1)))
    # The PK walk and the closed-loop kernel, through their callers.
    from . import closed_loop, pk
    from .dosing import Oral
    from .patient import Patient

    pk.simulate(Patient(), Oral(10.0), [0.0, 1.0])
    closed_loop.clonus(Patient(), spinal_effect_ng_ml=np.zeros(1), duration_ms=200.0)


def kernels_cached() -> bool:
    """Whether every kernel :func:`warm` builds is already compiled on disk (checked without importing numba).

    >>> isinstance(kernels_cached(), bool)
    True
    """
    from ._jit import is_cached

    return all(map(is_cached, (_step_parallel, _resting_states_parallel, _relax_rows, _walk_parallel,
                               _clonus_parallel)))


def step_grid(dt_ms: float, output_dt_ms: float) -> tuple[float, int]:
    """The step actually used (``output_dt_ms / ceil(output_dt_ms / dt_ms)``) and steps per output."""
    per_output = int(np.ceil(output_dt_ms / dt_ms - 1e-9))
    return output_dt_ms / per_output, per_output


def integrate_probes(
    rows: np.ndarray,
    y0: np.ndarray,
    breaks: np.ndarray,
    duration_ms: float,
    *,
    dt_ms: float = 0.25,
    monitors: Monitors = Monitors(),
) -> dict[str, np.ndarray]:
    """Integrate a batch of reflex probes with the compiled RK4 kernel.

    Parameters
    ----------
    rows : structured array, shape (n,)
        Parameter rows (:data:`sim.circuit.ROW_DTYPE`).
    y0 : array, shape (n, N_STATES)
        Initial states.
    breaks : array, shape (n, k)
        Sorted cord-time discontinuities of each probe, ``inf``-padded.
    duration_ms : float
        Probe length, ms.
    dt_ms : float
        Step of the grid, ms (the step used divides the output spacing).  It holds for
        :data:`STEP_LADDER_MS` after every discontinuity; elsewhere steps span up to
        :data:`MAX_STEP_FACTOR` grid steps, and traces and summaries are still sampled
        at every grid point.
    monitors : Monitors
        What to record.

    Returns
    -------
    dict
        ``t_out`` (n_out,), ``traces`` (n, len(CHANNELS), n_out) – or (n, N_STATES, n_out) with
        ``monitors.states`` – or None, ``summaries``
        (dict of :data:`SUMMARY_COLUMNS`, each (n,)), ``y_end`` (n, N_STATES).

    Raises
    ------
    SimulationError
        If a state becomes non-finite or a fraction leaves [0, 1].
    """
    if rows.dtype != circuit.ROW_DTYPE:
        raise ParameterError("rows must use sim.circuit.ROW_DTYPE")
    h, per_output = step_grid(dt_ms, monitors.output_dt_ms)
    n_out = int(round(duration_ms / monitors.output_dt_ms)) + 1
    t_end = (n_out - 1) * monitors.output_dt_ms
    n = rows.shape[0]
    mode = (2 if monitors.states else 1) if monitors.record else 0
    traces = np.zeros((n, _NS if mode == 2 else len(CHANNELS), n_out if mode else 1))
    summaries = np.zeros((n, len(SUMMARY_COLUMNS)))
    y_end = np.zeros((n, _NS))
    _kernel(parallel=n >= PARALLEL_FROM)(np.ascontiguousarray(rows), np.ascontiguousarray(y0, dtype=float),
              np.ascontiguousarray(breaks, dtype=float), float(t_end), float(h), per_output, n_out,
              mode, float(monitors.emg_threshold), float(monitors.firing_fraction),
              traces, summaries, y_end)
    if not np.all(np.isfinite(y_end)) or (monitors.record and not np.all(np.isfinite(traces))):
        raise SimulationError(f"non-finite reflex state (step {h:g} ms too large?)")
    if np.any(y_end[:, circuit.X] < -1e-9) or np.any(y_end[:, circuit.S] < -1e-9):
        raise SimulationError("a fraction left [0, 1] during integration")
    return {
        "t_out": np.arange(n_out) * monitors.output_dt_ms,
        "traces": traces if monitors.record else None,
        "summaries": {name: summaries[:, j] for j, name in enumerate(SUMMARY_COLUMNS)},
        "y_end": y_end,
        "step_ms": h,
    }


def _all_derivatives(t, y, rows, out):  # pragma: no cover - compiled by numba
    work = np.empty(circuit.WORK_SIZE)
    for i in range(rows.shape[0]):
        circuit.derivatives(t, y[i], rows[i], out[i], work)


def _batched_rhs(rows: np.ndarray) -> Callable[[float, np.ndarray], np.ndarray]:
    compiled = compile_kernel(_all_derivatives)
    n = rows.shape[0]

    def rhs(t: float, z: np.ndarray) -> np.ndarray:
        out = np.empty((n, _NS))
        compiled(float(t), z.reshape(n, _NS), rows, out)
        return out.ravel()

    return rhs


def reference_probes(rows: np.ndarray, y0: np.ndarray, breaks: np.ndarray, t_eval: np.ndarray, *,
                     rtol: float = 1e-10, atol: float = 1e-12, method: str = "DOP853") -> np.ndarray:
    """Solve the same :func:`sim.circuit.derivatives` with :func:`scipy.integrate.solve_ivp`.

    The batch is one system; the solver restarts at every discontinuity of any
    probe (inputs are evaluated one-sidedly inside each interval).  Slow: for checking.

    Returns
    -------
    numpy.ndarray
        States at *t_eval*, shape ``(n, N_STATES, len(t_eval))``.
    """
    from scipy.integrate import solve_ivp

    t_eval = np.asarray(t_eval, dtype=float)
    t_end = float(t_eval[-1])
    finite = breaks[np.isfinite(breaks)]
    edges = np.unique(np.concatenate([[0.0, t_end], finite[(finite > 0) & (finite < t_end)]]))
    rhs = _batched_rhs(np.ascontiguousarray(rows))
    z = np.ascontiguousarray(y0, dtype=float).ravel()
    n = rows.shape[0]
    out = np.empty((z.size, t_eval.size))
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (t_eval >= lo) & ((t_eval < hi) | (hi == edges[-1]))
        nudge = min(_NUDGE_MS, (hi - lo) / 4)
        fun = lambda t, y, lo=lo, hi=hi, nudge=nudge: rhs(min(max(t, lo + nudge), hi - nudge), y)  # noqa: E731
        sol = solve_ivp(fun, (lo, hi), z, method=method, rtol=rtol, atol=atol, dense_output=True)
        if not sol.success:
            raise SimulationError(f"solve_ivp failed on [{lo:g}, {hi:g}] ms: {sol.message}")
        if np.any(inside):
            out[:, inside] = sol.sol(t_eval[inside])
        z = sol.y[:, -1]
    return out.reshape(n, _NS, t_eval.size)


# ---------------------------------------------------------------------------------------------
# Milliseconds, closed loop: the clonus kernel (a delay-differential equation)
# ---------------------------------------------------------------------------------------------
# With the foot free to move (sim.limb), the spindle input depends on the angle one afferent
# delay ago and the joint torque on the activation one efferent delay ago: the loop is a DDE.
# It is stepped with the same classical RK4 on a fixed grid; each RK4 stage needs the delayed
# quantities at its own time (t, t + h/2, t + h), so both delays must be multiples of h/2
# and a ring buffer keeps angle, velocity and activation on the half-step grid: grid values
# as they are computed, mid-step values from the cubic Hermite interpolant of the step's two
# ends and slopes, (y0 + y1)/2 + h (f0 - f1)/8, whose O(h^4) error keeps the method of order 4.
# A delay of at least one step means every value a stage reads is already in the buffer.

#: Channels the clonus kernel records (mode 1), in order.
CLONUS_CHANNELS = ("angle_deg", "angular_velocity_deg_s", "ia_rate_muscle_hz", "mn_rate_hz", "recruited_fraction",
                   "muscle_activation", "muscle_torque_nm", "examiner_torque_nm")
_NC = limb.N_CLOSED_STATES
_TH = limb.ANGLE
_OM = limb.VELOCITY


@kernel_function
def _record_clonus(traces: Any, i: int, j: int, y: Any, p: Any, q: Any, t: float, delayed_activation: float,
                   mode: int, work: Any) -> None:
    """Write the clonus channels (mode 1) or the whole closed-loop state (mode 2) at output index *j*."""
    if mode == 2:
        for c in range(_NC):
            traces[i, c, j] = y[c]
        return
    _, _, _, rate, recruited = circuit.pool_outputs(y, p, work)
    traces[i, 0, j] = y[_TH]
    traces[i, 1, j] = y[_OM]
    traces[i, 2, j] = limb.ia_rate_from_angle(y[_TH], y[_OM], p)
    traces[i, 3, j] = rate
    traces[i, 4, j] = recruited
    traces[i, 5, j] = y[_A]
    traces[i, 6, j] = limb.muscle_torque_nm(delayed_activation - q.resting_activation, y[_TH], y[_OM], p,
                                           q.max_shortening_mm_s)
    traces[i, 7, j] = limb.examiner_torque_nm(t, q.onset_ms, q.push_torque_nm, q.push_ms, q.hold_torque_nm)


@kernel_body
def _advance_clonus(i, rows, limbs, y0, n_steps, h, n_aff, n_eff, ring, out_every, n_out, mode, traces,
                    y_end):  # pragma: no cover - compiled by numba; tested through the driver
    """Integrate closed-loop probe *i* from rest over *n_steps* RK4 steps with the half-step history."""
    p = rows[i]
    q = limbs[i]
    y = y0[i].copy()
    k1 = np.empty(_NC)
    k2 = np.empty(_NC)
    k3 = np.empty(_NC)
    k4 = np.empty(_NC)
    tmp = np.empty(_NC)
    work = np.empty(circuit.WORK_SIZE)
    # History on the half-step grid (index j ↔ time j h/2): angle, velocity, activation.
    # Before t = 0 the probe is at rest, which is what the buffer holds to begin with.
    hist = np.empty((3, ring))
    for j in range(ring):
        hist[0, j] = y[_TH]
        hist[1, j] = y[_OM]
        hist[2, j] = y[_A]
    half = 0.5 * h
    prev_y = np.empty(3)
    prev_f = np.empty(3)
    for n in range(n_steps + 1):
        t = n * h
        j_now = 2 * n
        ja = (j_now - n_aff) % ring
        je = (j_now - n_eff) % ring
        if mode > 0 and n % out_every == 0 and n // out_every < n_out:
            _record_clonus(traces, i, n // out_every, y, p, q, t, hist[2, je], mode, work)
        if n == n_steps:
            break
        ia = limb.ia_rate_from_angle(hist[0, ja], hist[1, ja], p)
        limb.closed_loop_derivatives(t, y, ia, hist[2, je], p, q, k1, work)
        if n > 0:
            # The previous step's midpoint, from the cubic Hermite interpolant of its two ends.
            jm = (j_now - 1) % ring
            hist[0, jm] = 0.5 * (prev_y[0] + y[_TH]) + h * (prev_f[0] - k1[_TH]) / 8.0
            hist[1, jm] = 0.5 * (prev_y[1] + y[_OM]) + h * (prev_f[1] - k1[_OM]) / 8.0
            hist[2, jm] = 0.5 * (prev_y[2] + y[_A]) + h * (prev_f[2] - k1[_A]) / 8.0
        prev_y[0] = y[_TH]
        prev_y[1] = y[_OM]
        prev_y[2] = y[_A]
        prev_f[0] = k1[_TH]
        prev_f[1] = k1[_OM]
        prev_f[2] = k1[_A]
        jam = (j_now + 1 - n_aff) % ring
        jem = (j_now + 1 - n_eff) % ring
        ia_m = limb.ia_rate_from_angle(hist[0, jam], hist[1, jam], p)
        act_m = hist[2, jem]
        for c in range(_NC):
            tmp[c] = y[c] + half * k1[c]
        limb.closed_loop_derivatives(t + half, tmp, ia_m, act_m, p, q, k2, work)
        for c in range(_NC):
            tmp[c] = y[c] + half * k2[c]
        limb.closed_loop_derivatives(t + half, tmp, ia_m, act_m, p, q, k3, work)
        jab = (j_now + 2 - n_aff) % ring
        jeb = (j_now + 2 - n_eff) % ring
        ia_b = limb.ia_rate_from_angle(hist[0, jab], hist[1, jab], p)
        for c in range(_NC):
            tmp[c] = y[c] + h * k3[c]
        limb.closed_loop_derivatives(t + h, tmp, ia_b, hist[2, jeb], p, q, k4, work)
        for c in range(_NC):
            y[c] += h / 6.0 * (k1[c] + 2.0 * (k2[c] + k3[c]) + k4[c])
        jn = (j_now + 2) % ring
        hist[0, jn] = y[_TH]
        hist[1, jn] = y[_OM]
        hist[2, jn] = y[_A]
    for c in range(_NC):
        y_end[i, c] = y[c]


def _clonus_parallel(rows, limbs, y0, n_steps, h, n_aff, n_eff, ring, out_every, n_out, mode, traces,
                     y_end):  # pragma: no cover - compiled by numba
    for i in numba_prange(rows.shape[0]):
        _advance_clonus(np.int64(i), rows, limbs, y0, n_steps, h, n_aff, n_eff, ring, out_every, n_out, mode, traces, y_end)


def _clonus_kernel(parallel: bool = False) -> Callable[..., Any]:
    return _on_threads(_compiled(_clonus_parallel, True), parallel)


def delay_in_half_steps(delay_ms: float, h: float, name: str) -> int:
    """*delay_ms* as a whole number of half steps ``h/2``, at least 2 (one step); else ParameterError.

    Examples
    --------
    >>> delay_in_half_steps(13.5, 0.25, "afferent_delay_ms")
    108
    """
    count = int(round(delay_ms / (0.5 * h)))
    if abs(count * 0.5 * h - delay_ms) > 1e-9 * max(1.0, delay_ms) or count < 2:
        raise ParameterError(f"{name} = {delay_ms:g} ms must be a multiple of half the step ({0.5 * h:g} ms) and at "
                             f"least one step: the closed-loop kernel reads delayed values on the half-step grid")
    return count


def integrate_clonus(rows: np.ndarray, limbs: np.ndarray, y0: np.ndarray, duration_ms: float, *,
                     dt_ms: float = 0.25, output_dt_ms: float = 0.5, states: bool = False,
                     record: bool = True) -> dict[str, Any]:
    """Integrate a batch of closed-loop (clonus) probes with the compiled RK4 delay kernel.

    Parameters
    ----------
    rows : structured array, shape (n,)
        Reflex parameter rows (:data:`sim.circuit.ROW_DTYPE`); their delays must be multiples of ``dt_ms/2``.
    limbs : structured array, shape (n,)
        Limb rows (:data:`sim.limb.LIMB_DTYPE`).
    y0 : array, shape (n, N_CLOSED_STATES)
        Initial (resting) states; the history before t = 0 is taken equal to them.
    duration_ms : float
        Probe length, ms.
    dt_ms : float
        Step, ms (the output spacing must be a multiple of it).
    output_dt_ms : float
        Output spacing, ms.
    states : bool
        Record the whole state vector (for :func:`reference_clonus`) instead of :data:`CLONUS_CHANNELS`.
    record : bool
        Record traces at all.

    Returns
    -------
    dict
        ``t_out`` (n_out,), ``traces`` (n, channels, n_out) or None, ``y_end`` (n, N_CLOSED_STATES),
        ``step_ms``.

    Raises
    ------
    ParameterError
        If a delay is not a multiple of half the step or the output spacing not a multiple of the step.
    SimulationError
        If a state becomes non-finite.
    """
    if rows.dtype != circuit.ROW_DTYPE or limbs.dtype != limb.LIMB_DTYPE:
        raise ParameterError("rows must use sim.circuit.ROW_DTYPE and limbs sim.limb.LIMB_DTYPE")
    h = float(dt_ms)
    out_every = int(round(output_dt_ms / h))
    if out_every < 1 or abs(out_every * h - output_dt_ms) > 1e-9:
        raise ParameterError(f"output_dt_ms = {output_dt_ms:g} must be a whole multiple of dt_ms = {h:g}")
    n_steps = int(round(duration_ms / h))
    n_out = n_steps // out_every + 1
    counts = {}
    for name in ("afferent_delay_ms", "efferent_delay_ms"):
        values = np.unique(rows[name])
        counts[name] = [delay_in_half_steps(float(v), h, name) for v in values]
        if len(values) > 1:
            raise ParameterError(f"{name}: one value for the whole batch, not {values.tolist()}")
    n_aff, n_eff = counts["afferent_delay_ms"][0], counts["efferent_delay_ms"][0]
    ring = max(n_aff, n_eff) + 4
    n = rows.shape[0]
    mode = (2 if states else 1) if record else 0
    traces = np.zeros((n, _NC if mode == 2 else len(CLONUS_CHANNELS), n_out if mode else 1))
    y_end = np.zeros((n, _NC))
    _clonus_kernel(parallel=n >= PARALLEL_FROM)(
        np.ascontiguousarray(rows), np.ascontiguousarray(limbs), np.ascontiguousarray(y0, dtype=float), n_steps, h,
        n_aff, n_eff, ring, out_every, n_out, mode, traces, y_end)
    if not np.all(np.isfinite(y_end)) or (record and not np.all(np.isfinite(traces))):
        raise SimulationError(f"non-finite closed-loop state (step {h:g} ms too large?)")
    return {"t_out": np.arange(n_out) * out_every * h, "traces": traces if record else None, "y_end": y_end,
            "step_ms": h}


def _all_closed_derivatives(t, y, ia, act, rows, limbs, out):  # pragma: no cover - compiled by numba
    work = np.empty(circuit.WORK_SIZE)
    for i in range(rows.shape[0]):
        limb.closed_loop_derivatives(t, y[i], limb.ia_rate_from_angle(ia[i, 0], ia[i, 1], rows[i]), act[i],
                                     rows[i], limbs[i], out[i], work)


def reference_clonus(rows: np.ndarray, limbs: np.ndarray, y0: np.ndarray, t_eval: np.ndarray, *,
                     rtol: float = 1e-10, atol: float = 1e-12, method: str = "DOP853") -> np.ndarray:
    """Solve the closed loop by the method of steps with :func:`scipy.integrate.solve_ivp` (slow; for checking).

    Time is cut into intervals no longer than the shorter delay, so on each interval the delayed
    angle, velocity and activation lie in earlier intervals and are read from their dense
    output (the resting state before t = 0): an ordinary ODE per interval, the same
    :func:`sim.limb.closed_loop_derivatives`.  Interval ends also fall on the examiner's
    push start and end (where the torque's second derivative jumps).

    Returns
    -------
    numpy.ndarray
        States at *t_eval*, shape ``(n, N_CLOSED_STATES, len(t_eval))``.
    """
    from scipy.integrate import solve_ivp

    rows = np.ascontiguousarray(rows)
    limbs = np.ascontiguousarray(limbs)
    t_eval = np.asarray(t_eval, dtype=float)
    t_end = float(t_eval[-1])
    n = rows.shape[0]
    d_aff = float(rows["afferent_delay_ms"][0])
    d_eff = float(rows["efferent_delay_ms"][0])
    span = min(d_aff, d_eff)
    pushes = np.concatenate([limbs["onset_ms"], limbs["onset_ms"] + limbs["push_ms"]])
    edges = np.unique(np.concatenate([np.arange(0.0, t_end, span), [t_end], pushes[(pushes > 0) & (pushes < t_end)]]))
    compiled = compile_kernel(_all_closed_derivatives)
    rest = np.ascontiguousarray(y0, dtype=float).reshape(n, _NC)
    pieces: list[tuple[float, float, Any]] = []

    def history(t: float, columns: list[int]) -> np.ndarray:
        if t <= 0.0 or not pieces:
            return rest[:, columns]
        for lo, hi, sol in reversed(pieces):
            if t >= lo - 1e-12:
                return sol(min(t, hi)).reshape(n, _NC)[:, columns]
        return rest[:, columns]

    def rhs(t: float, z: np.ndarray) -> np.ndarray:
        out = np.empty((n, _NC))
        ia = np.ascontiguousarray(history(t - d_aff, [_TH, _OM]))
        act = np.ascontiguousarray(history(t - d_eff, [_A])[:, 0])
        compiled(float(t), z.reshape(n, _NC), ia, act, rows, limbs, out)
        return out.ravel()

    z = rest.ravel().copy()
    out = np.empty((z.size, t_eval.size))
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sol = solve_ivp(rhs, (lo, hi), z, method=method, rtol=rtol, atol=atol, dense_output=True)
        if not sol.success:
            raise SimulationError(f"solve_ivp failed on [{lo:g}, {hi:g}] ms: {sol.message}")
        inside = (t_eval >= lo) & ((t_eval < hi) | (hi == edges[-1]))
        if np.any(inside):
            out[:, inside] = sol.sol(t_eval[inside])
        pieces.append((lo, hi, sol.sol))
        z = sol.y[:, -1]
    return out.reshape(n, _NC, t_eval.size)
