"""Benchmark: the coupled course (issue 4). Not a test; run `python benchmarks/bench_course.py`.

Reports the first call (builds the cached probe grid), the median of warm calls for a 72-hour
course with probes every 15 minutes (the slider case), and direct probing of every time point.
"""

import statistics
import time

import sim


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    patient = sim.Patient(condition="spastic")
    first = timed(lambda: sim.simulate(patient, sim.Oral(20, every_h=6, n_doses=12), 72))
    warm = [timed(lambda d=d: sim.simulate(patient, sim.Oral(d, every_h=6, n_doses=12), 72))
            for d in (5, 7.5, 10, 12.5, 15, 17.5, 20, 22.5, 25, 27.5, 30)]
    direct = timed(lambda: sim.simulate(patient, sim.Oral(20, every_h=6, n_doses=12), 72, method="direct"))
    print("Educational illustration – not for clinical use")
    print("72 h course, probes every 15 min (289 time points), spastic patient")
    print(f"  first call (builds the cached grid): {first:7.2f} s")
    print(f"  warm calls, median of {len(warm)}:        {statistics.median(warm) * 1000:7.1f} ms")
    print(f"  direct probing of every time point:  {direct:7.2f} s")


if __name__ == "__main__":
    main()
