"""Execute every notebook in notebooks/ top to bottom, headlessly, and fail on any error.

Skipped (with the reason) only when the notebook extra (nbclient, nbformat,
ipykernel) is not installed; CI installs it, so the notebooks run there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MISSING = [name for name in ("nbclient", "nbformat", "ipykernel", "ipywidgets")
           if importlib.util.find_spec(name) is None]
# Generous, against hangs only: tests check behaviour, not speed (benchmarks/bench_notebooks.py times them).
CELL_TIMEOUT_S = 600

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"notebook extra not installed ({', '.join(MISSING)}): pip install -e '.[notebook]'"
)


def test_notebooks_found():
    assert {p.name for p in NOTEBOOKS} >= {"explore.ipynb", "exercises.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_headless(path, monkeypatch, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    import sim

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("DISPLAY", raising=False)
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and sim.EDUCATIONAL_STATEMENT in first.source
    for cell in notebook.cells:
        if cell.cell_type == "code":
            imports = [line.split()[1] for line in cell.source.splitlines()
                       if line.startswith(("import ", "from "))]
            # Only the public API, numpy, matplotlib and the Jupyter widget layer.
            assert all(name.split(".")[0] in {"sim", "numpy", "matplotlib", "ipywidgets", "IPython"}
                       for name in imports), imports
            for line in cell.source.splitlines():
                assert "sim._" not in line and "from sim._" not in line
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
