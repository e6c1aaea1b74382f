"""Benchmark of virtual cohorts and sensitivity (not a test).

1. PK for 1,000 virtual patients (sim.population) × 14 days of 20 mg three times daily on a
   5-minute grid (4,033 samples), one call of sim.pk.simulate — target ≤ 0.2 s;
2. the same 1,000 patients through a 14-day oral course with hourly reflex read-outs and
   sedation bands via a ReadoutSurface (Population.simulate) — target ≤ 10 s; the surface
   build (one batched probe call) is timed separately, with its measured interpolation error;
3. Sobol indices of the steady-state reflex gain for the 8 inputs with 4,096 base samples
   (sim.sensitivity.model_sobol, 40,960 steady states) — target ≤ 30 s.

Prints a markdown table (median of REPEATS runs; the first probe call of the process, which
loads the compiled kernel, is excluded).

Run:  python benchmarks/bench_population.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import sim
from sim import readouts, sensitivity

REPEATS = 3


def timed(function, repeats: int = REPEATS) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    cohort = sim.population(1000, seed=2026)
    regimen = sim.Oral(20, every_h=8, n_doses=42)
    grid = np.arange(0.0, 14 * 24 + 1e-9, 5.0 / 60.0)
    pk_time, _ = timed(lambda: sim.pk.simulate(cohort.patient, regimen, grid, params=cohort.params.pk))

    readouts.evaluate(["emg_peak"], 0.2, 0.0, 1.0)  # load the compiled kernel once
    build_time, surface = timed(lambda: sim.ReadoutSurface.build(("reflex_gain_rel",)), repeats=1)
    error = surface.error(200, seed=0)["reflex_gain_rel"]
    course_time, course = timed(lambda: cohort.simulate(regimen, 14 * 24, every_h=1.0, surface=surface))
    bands = sim.population.band_shares(course)

    sobol_time, indices = timed(lambda: sensitivity.model_sobol(surface, oral_mg_per_day=60.0, n=4096), repeats=1)

    rows = [
        ("PK, 1,000 patients × 14 days, 5-min grid (4,033 samples)", pk_time, "≤ 0.2 s"),
        (f"read-out surface build ({surface.size} grid points, one batched probe call)", build_time, "–"),
        ("1,000 patients × 14-day oral course, hourly reflex gain + sedation bands (surface)", course_time,
         "≤ 10 s"),
        ("Sobol indices, 8 inputs, 4,096 base samples (40,960 steady states)", sobol_time, "≤ 30 s"),
    ]
    print("| task | median time | target |")
    print("|---|---|---|")
    for task, seconds, target in rows:
        print(f"| {task} | {seconds:.2f} s | {target} |")
    print()
    print(f"surface interpolation error (reflex_gain_rel, 200 random points): {error:.4f}")
    print(f"cohort course: {course['reflex_gain_rel'].shape}; day-14 share moderately drowsy "
          f"{float(np.mean(bands['moderate'][-24:])):.2f}")
    names = ", ".join(f"{n} {v:.3f}" for n, v in zip(sensitivity.INPUTS, indices.total_order[0], strict=True))
    print(f"total Sobol indices of the oral reflex gain: {names}")


if __name__ == "__main__":
    main()
