"""Benchmark: execute each notebook headlessly and report its wall-clock time.

Not a test (tests/test_notebooks.py checks that the notebooks run, with no time budget).
Run ``python benchmarks/bench_notebooks.py`` after ``pip install -e '.[notebook]'``.
"""

import os
import tempfile
import time
from pathlib import Path

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def main():
    import nbformat
    from nbclient import NotebookClient

    os.environ["MPLBACKEND"] = "Agg"
    print("Educational illustration – not for clinical use")
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as folder:
            client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                    resources={"metadata": {"path": folder}})
            start = time.perf_counter()
            client.execute()
            print(f"  {path.name:<20} {time.perf_counter() - start:6.1f} s")


if __name__ == "__main__":
    main()
