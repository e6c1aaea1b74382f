"""Shared fixtures: the wheel installed into a fresh virtual environment, run outside the repository.

The wheel is built from a copy of the files a release contains (so the checkout stays clean).
The fresh environment gets only the wheel; numpy, scipy, matplotlib and numba come from the
test's own environment through a ``.pth`` line (no download; the ``sim`` package itself cannot
come from there, which tests/test_install.py checks).  ``figures`` runs once per session, from a
folder outside the repository; tests/test_gallery.py checks the same gallery.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# On CI (CI=true, as .ci/run is called) every property test draws the same examples on every run,
# so a submission is judged on a fixed set of cases; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("sim", "scenarios"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    dist = tmp / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)]
    # Offline when this environment can build the wheel itself; else pip fetches the build backend.
    if importlib.util.find_spec("wheel") is not None and _setuptools_at_least(68):
        command.insert(4, "--no-build-isolation")
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = dist.glob("spinal_reflex_sim-*.whl")
    return wheel


def _setuptools_at_least(major: int) -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= major


def _fresh_environment(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    import matplotlib
    import numpy
    import scipy

    dependency_dirs = {str(Path(module.__file__).resolve().parents[1]) for module in (numpy, scipy, matplotlib)}
    dependency_dirs.add(sysconfig.get_path("platlib"))
    (site / "dependencies-from-test-env.pth").write_text("\n".join(sorted(dependency_dirs)) + "\n")
    return venv


def _cli(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    program = venv / ("Scripts" if os.name == "nt" else "bin") / "spinal-reflex-sim"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([str(program), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="session")
def installed_gallery(tmp_path_factory):
    """Build the wheel, install it into a fresh venv and run ``figures`` from a folder outside the
    repository (once per test session: tests/test_gallery.py checks the same gallery)."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp_path)
    venv = _fresh_environment(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    figures = _cli(venv, "figures", "--out", "gallery", "--format", "png,svg", "--handout", "handout.pdf",
                   cwd=elsewhere)
    return {"wheel": wheel, "venv": venv, "elsewhere": elsewhere, "figures": figures,
            "gallery": elsewhere / "gallery", "handout": elsewhere / "handout.pdf",
            "cli": functools.partial(_cli, venv)}


