"""Benchmark of the figure gallery (not a test): ``python -m sim figures`` and where its time goes.

Run:  python benchmarks/bench_gallery.py [--repeats N]

1. The whole command, as a new user runs it (2 processes on a 2-core machine), into a
   temporary folder: the median wall time of N runs after a first one that loads (or
   compiles) the kernels.
2. The same tasks once more in this one process, with the CPU split by phase: computing
   the tables, building the figures, layout passes (constrained layout, with their count)
   and saving each format.

Prints a Markdown table to paste into benchmarks/results.md.
"""

from __future__ import annotations

import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def whole_command(repeats: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeats + 1):
            out = Path(tmp) / f"gallery-{run}"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sim", "figures", "--out", str(out)], check=True,
                           stdout=subprocess.DEVNULL, env={**os.environ, "MPLBACKEND": "Agg"})
            if run:  # the first run loads (or compiles) the kernels
                times.append(time.perf_counter() - start)
    return times


def phases() -> dict[str, float]:
    os.environ["MPLBACKEND"] = "Agg"
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from sim import gallery, plotting, runner, solvers
    from sim.scenario import builtin_names

    solvers.warm()
    seconds: dict[str, float] = collections.defaultdict(float)

    def timed(owner, name, key):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[key] += time.perf_counter() - start
                if key == "layout passes":
                    seconds["layout pass count"] += 1

        setattr(owner, name, wrapper)
        return original

    timed(runner, "run_tables", "computing the tables")
    timed(plotting, "scenario_figure", "building the scenario figures (with their layout passes)")
    timed(ConstrainedLayoutEngine, "execute", "layout passes")
    original_save = Figure.savefig

    def savefig(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original_save(self, *args, **kwargs)
        finally:
            seconds[f"saving {kwargs.get('format', '?')}"] += time.perf_counter() - start

    Figure.savefig = savefig
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for task in ["schematic", "receptor", *builtin_names(), "multiscale", "animation"]:
            gallery._task(task, Path(tmp), ("png", "svg", "pdf"))  # noqa: SLF001 - one gallery item
        seconds["all tasks, one process"] = time.perf_counter() - start
    return dict(seconds)


def main() -> None:
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
    times = whole_command(repeats)
    split = phases()
    print("Educational illustration – not for clinical use")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| `python -m sim figures`, median of {repeats} (range) | {statistics.median(times):.1f} s "
          f"({min(times):.1f}–{max(times):.1f} s) |")
    for key, value in split.items():
        print(f"| {key} | {value:.0f} |" if key == "layout pass count" else f"| {key} | {value:.1f} s |")


if __name__ == "__main__":
    main()
