"""A normal (non-editable) install works from any folder: build the wheel, install it into a
fresh virtual environment, and run `list`, `run`, `figures` and `model-card` outside the
repository.

The wheel is built from a copy of the files a release contains (so the checkout stays clean).
The fresh environment gets only the wheel; numpy, scipy and matplotlib come from the test's
own environment through a ``.pth`` line (no download; the ``sim`` package itself cannot come
from there, which the test checks).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.name for p in (REPO / "scenarios").glob("[0-9][0-9]-*.toml"))


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


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(Path(n).name for n in archive.namelist() if n.startswith("sim/scenarios/")
                         and n.endswith(".toml"))
    assert shipped == SCENARIOS, "the wheel must carry every built-in scenario"

    venv = _fresh_environment(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = subprocess.run([str(venv / "bin" / "python"), "-c", "import sim; print(sim.__file__)"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert Path(located.strip()).is_relative_to(venv), located  # the wheel, not the checkout

    listing = _cli(venv, "list", cwd=elsewhere)
    assert listing.returncode == 0, listing.stderr
    for name in SCENARIOS:
        assert name.split("-", 1)[1].removesuffix(".toml") in listing.stdout

    run = _cli(venv, "run", "mechanism", "--out", "out", "--format", "svg", cwd=elsewhere)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "out" / "mechanism-provenance.json").is_file()

    card = _cli(venv, "model-card", cwd=elsewhere)  # outside a checkout: needs --out
    assert card.returncode == 2 and card.stderr.count("\n") == 1 and "--out" in card.stderr
    assert not (elsewhere / "docs").exists()

    figures = _cli(venv, "figures", "--out", "gallery", "--format", "png", cwd=elsewhere)
    assert figures.returncode == 0, figures.stderr
    assert f"gallery: {len(SCENARIOS) + 3} figures" in figures.stdout
    gallery = elsewhere / "gallery"
    assert (gallery / "README.md").is_file()
    for name in SCENARIOS:
        stem = name.split("-", 1)[1].removesuffix(".toml")
        assert (gallery / f"{stem}-provenance.json").is_file() and (gallery / f"{stem}.png").is_file(), stem
    assert not [p for p in gallery.iterdir() if p.name.startswith(".")]  # no staging folder left
