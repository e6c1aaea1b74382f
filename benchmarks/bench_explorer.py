"""Benchmark of the explorer's update (not a test): compute + redraw per control change.

Measures, under the Agg backend, the median time of one update for warm
controls (route, dose, interval, intrathecal rate, kidney function):

* ``window``  – sim.explore(show=False): ExplorerModel.update + in-place line
  update + blit (what a slider move costs in the matplotlib window);
* ``notebook`` – the same plus PNG encoding for the ipywidgets Image of
  notebooks/explore.ipynb.

Also reports a spasticity and a velocity change (computed live like every other
control: nothing is cached).

Run:  python benchmarks/bench_explorer.py   (target: median ≤ 50 ms on 2 cores)
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

from sim import explorer  # noqa: E402

CHANGES = [
    {"oral_dose_mg": 15.0}, {"oral_dose_mg": 20.0}, {"interval_h": 6.0}, {"interval_h": 12.0},
    {"creatinine_clearance_ml_min": 40.0}, {"creatinine_clearance_ml_min": 90.0},
    {"route": "intrathecal"}, {"it_rate_ug_per_day": 200.0}, {"it_rate_ug_per_day": 50.0},
    {"route": "oral"},
]
ROUNDS = 5


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    cold_model = timed(explorer.ExplorerModel().update)
    window = explorer.explore(show=False)
    window_times = [timed(window.refresh, **change) for _ in range(ROUNDS) for change in CHANGES]

    notebook_view = explorer.ExplorerFigure(dpi=72)  # as in notebooks/explore.ipynb
    notebook_view.png()

    def notebook_update(change):
        data = window.model.update(**change)
        notebook_view.draw(data, window.model.controls)
        notebook_view.png()

    notebook_times = [timed(notebook_update, change) for _ in range(ROUNDS) for change in CHANGES]
    compute_times = [timed(window.model.update, **change) for _ in range(ROUNDS) for change in CHANGES]
    cold_velocity = timed(window.refresh, velocity_deg_s=60.0)
    cold_severity = timed(window.refresh, severity=0.5)
    print(f"cores: {os.cpu_count()}")
    print(f"first update (kernel loaded from its cache): {cold_model:.2f} s")
    print(f"velocity change: {1e3 * cold_velocity:.0f} ms; spasticity change: {1e3 * cold_severity:.0f} ms")
    for label, times in (("compute only (ExplorerModel.update)", compute_times),
                         ("window: compute + blit", window_times),
                         ("notebook: compute + blit + PNG", notebook_times)):
        ms = sorted(1e3 * t for t in times)
        print(f"{label:>36}: median {statistics.median(ms):6.1f} ms, "
              f"90th percentile {ms[int(0.9 * len(ms))]:6.1f} ms (n = {len(ms)})")


if __name__ == "__main__":
    main()
