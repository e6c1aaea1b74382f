"""Benchmark of the batched reflex probe (not a test).

Run:  python benchmarks/bench_reflex.py

Prints the wall time of one 1 s probe, of a 1,000-probe (40 velocities x 25 CSF
concentrations) 1 s grid in one vectorised call, and of a plain Python loop of
solve_ivp calls (DOP853, rtol 1e-8) on the same right-hand side — timed on a
subset and extrapolated to 1,000 probes — with the largest difference between
the two.
"""

from __future__ import annotations

import time

import numpy as np

import sim
from sim import reflex as rf
from sim.receptor import site_activations
from sim.units import ng_ml_to_um

DURATION_MS = 1000.0
PATIENT = sim.Patient(condition="spastic", spasticity=0.6)


def main() -> None:
    velocities = np.linspace(20.0, 200.0, 40)
    csf = np.linspace(0.0, 600.0, 25)

    start = time.perf_counter()
    sim.stretch_reflex(PATIENT, 120.0, duration_ms=DURATION_MS)
    one = time.perf_counter() - start
    print(f"one probe (1 s, dt 0.1 ms, all traces):            {one:7.2f} s")

    start = time.perf_counter()
    grid = sim.stretch_reflex(PATIENT, velocities[:, None], csf_ng_ml=csf[None, :], duration_ms=DURATION_MS,
                              traces=("muscle_activation",), output_dt_ms=1.0)
    batched = time.perf_counter() - start
    print(f"1,000-probe grid in one call (summaries + 1 trace): {batched:7.2f} s")

    # Plain loop of solve_ivp calls on a subset, extrapolated.
    subset = [(i, j) for i, j in ((0, 0), (10, 5), (20, 12), (30, 18), (39, 24))]
    start = time.perf_counter()
    worst = 0.0
    for i, j in subset:
        a_pre, a_post = site_activations(ng_ml_to_um(csf[j]))
        model = rf.build_model(PATIENT, sim.RampAndHold(velocity_deg_s=velocities[i]), a_pre=a_pre, a_post=a_post)
        t = grid["t_ms"]
        ref = rf.reference_solution(model, t, rtol=1e-8, atol=1e-10)
        act_ref = ref[rf.STATE_NAMES.index("muscle_activation"), 0]
        # grid traces are at the muscle (shifted by the efferent delay); compare at cord time
        shift = int(round(sim.muscle.SOLEUS.efferent_delay_ms / 1.0))
        act_grid = grid["muscle_activation"][i, j, shift:]
        diff = np.max(np.abs(act_grid - act_ref[:-shift])) / max(np.max(np.abs(act_ref)), 1e-12)
        worst = max(worst, diff)
    loop = (time.perf_counter() - start) / len(subset) * velocities.size * csf.size
    print(f"loop of solve_ivp calls, extrapolated to 1,000:     {loop:7.2f} s  "
          f"(timed {len(subset)} probes)")
    print(f"speed-up of the batched RK4 over the loop:          {loop / batched:7.1f} x")
    print(f"max relative difference in muscle activation:       {worst:9.2e}")


if __name__ == "__main__":
    main()
