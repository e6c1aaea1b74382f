"""Benchmark of the simulation engine (not a test): the workloads of the engine issue.

Run:  python benchmarks/bench_engine.py [--quick]

Every timing is the median of repeats after a first, compiling call.  Beside the
batched kernel it times the baseline the engine replaces: a Python loop of
``solve_ivp`` calls (DOP853, rtol 1e-8) on the same right-hand side, on a few probes,
extrapolated.  Prints a Markdown table (paste into benchmarks/results.md) with the
machine's core count and load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np

import sim
from sim import reflex as rf

PATIENT = sim.Patient(condition="spastic", spasticity=0.6)


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def grid(n_velocities: int, n_levels: int, traces):
    velocities = np.linspace(15.0, 200.0, n_velocities)[:, None]
    levels = np.linspace(0.0, 100.0, n_levels)[None, :]
    return lambda: sim.stretch_reflex(PATIENT, velocities, spinal_effect_ng_ml=levels, duration_ms=1000.0, traces=traces)


def solve_ivp_loop_per_probe() -> float:
    """Seconds per 1-s probe for a loop of solve_ivp calls (one probe per call)."""
    models = [rf.build_model(PATIENT, sim.RampAndHold(velocity_deg_s=v), a_pre=0.3, a_post=0.0)
              for v in (30.0, 120.0, 200.0)]
    t = np.arange(0.0, 1000.5, 0.5)
    rf.reference_solution(models[0], t[:10], rtol=1e-8, atol=1e-10)  # compile the reference RHS
    start = time.perf_counter()
    for model in models:
        rf.reference_solution(model, t, rtol=1e-8, atol=1e-10)
    return (time.perf_counter() - start) / len(models)


def main() -> None:
    quick = "--quick" in sys.argv
    repeats = 3 if quick else 7
    sim.stretch_reflex(PATIENT, 120.0, duration_ms=50.0)  # compile or load the kernel
    rows = []

    def add(label, seconds, target, baseline=None):
        rows.append((label, seconds, target, baseline))

    loop = solve_ivp_loop_per_probe()
    add("one 1-s probe, all traces", median_time(lambda: sim.stretch_reflex(PATIENT, 120.0, duration_ms=1000.0),
                                                 repeats * 3), "≤ 5 ms", loop)
    add("1,000-probe grid, all traces", median_time(grid(40, 25, "all"), repeats), "≤ 1 s", 1000 * loop)
    add("1,000-probe grid, summaries only", median_time(grid(40, 25, ()), repeats), "≤ 0.3 s", 1000 * loop)
    add("10,000-probe grid, summaries only", median_time(grid(100, 100, ()), max(1, repeats // 3)), "≤ 3 s",
        10000 * loop)
    regimen = sim.Oral(20, every_h=8, n_doses=9)
    add("72-h course, 15-min probes, reflex gain only",
        median_time(lambda: sim.simulate(PATIENT, regimen, 72.0, probe_every_h=0.25,
                                         readouts=("reflex_gain_rel",)), repeats), "≤ 0.3 s")
    add("72-h course, 15-min probes, all six read-outs",
        median_time(lambda: sim.simulate(PATIENT, regimen, 72.0, probe_every_h=0.25), max(1, repeats // 2)), "–")

    os.environ.setdefault("MPLBACKEND", "Agg")
    from sim import explorer

    window = explorer.explore(show=False)
    changes = [{"oral_dose_mg": 15.0}, {"interval_h": 6.0}, {"creatinine_clearance_ml_min": 40.0},
               {"route": "intrathecal"}, {"it_rate_ug_per_day": 200.0}, {"route": "oral"}]
    window.refresh(**changes[0])
    times = []
    for _ in range(2 if quick else 4):
        for change in changes:
            start = time.perf_counter()
            window.refresh(**change)
            times.append(time.perf_counter() - start)
    add("explorer update, computed live (compute + redraw)", statistics.median(times), "≤ 50 ms")

    code = "import time; t = time.perf_counter(); import sim; print(time.perf_counter() - t)"
    sim_import = statistics.median(float(subprocess.run([sys.executable, "-c", f"import numpy; {code}"],
                                                         capture_output=True, text=True).stdout)
                                   for _ in range(5))
    add("`import sim` over numpy", sim_import, "≤ 0.35 s")

    load = os.getloadavg()[0]
    print("Educational illustration – not for clinical use")
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start of printing; numba threads "
          f"{__import__('numba').get_num_threads()}; steps: ramps {sim.protocols.RampAndHold.default_step_ms} ms, "
          f"contractions {sim.protocols.VoluntaryContraction.default_step_ms} ms, taps {sim.protocols.TendonTap.default_step_ms} ms, "
          f"volleys {sim.protocols.ElectricalVolley.default_step_ms} ms (synapse in {sim.solvers.SYNAPSE_SUBSTEPS} sub-steps)")
    print()
    print("| workload | measured | target | loop of solve_ivp calls |")
    print("|---|---|---|---|")
    for label, seconds, target, baseline in rows:
        measured = f"{seconds * 1e3:.1f} ms" if seconds < 1.0 else f"{seconds:.2f} s"
        base_text = "" if baseline is None else (f"{baseline:.2f} s" if baseline < 100 else f"≈ {baseline:.0f} s")
        print(f"| {label} | {measured} | {target} | {base_text} |")


if __name__ == "__main__":
    main()
