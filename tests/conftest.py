"""Shared fixtures: the wheel installed into a fresh virtual environment, run outside the repository.

The wheel is built from a copy of the files a release contains (so the checkout stays clean).
The fresh environment gets only the wheel; numpy, scipy, matplotlib and numba come from the
test's own environment through a ``.pth`` line (no download; the ``sim`` package itself cannot
come from there, which tests/test_gallery.py checks).  ``figures`` runs once per session, from a
folder outside the repository; tests/test_gallery.py checks the same gallery.

Tests marked ``slow`` (that gallery, the wheel install, the notebooks, long sweeps) run with
``--slow`` or when ``CI`` is set – as ``.ci/run`` does; the default run skips them, and
tests/test_claims.py checks every scenario's committed CSVs in the default run instead.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# On CI (CI=true, as .ci/run is called) every property test draws the same examples on every run,
# so a submission is judged on a fixed set of cases; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


_CHILDREN: list[subprocess.Popen] = []


def _run(command: list[str], *, check: bool = False, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """:func:`subprocess.run`, with the child remembered so that an aborted session can stop it."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs) as child:
        _CHILDREN.append(child)
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except BaseException:
            child.kill()
            raise
        finally:
            _CHILDREN.remove(child)
    if check and child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, stdout, stderr)
    return subprocess.CompletedProcess(command, child.returncode, stdout, stderr)


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
    _run(command, check=True, text=True, timeout=600)
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
    _run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
         check=True, text=True, timeout=300)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     check=True, text=True, timeout=120).stdout.strip())
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
    return _run([str(program), *args], cwd=cwd, env=env, text=True, timeout=1200)


def _make_gallery(base: Path) -> dict:
    """Build the wheel, install it into a fresh venv and run ``figures`` from a folder outside the repository."""
    wheel = _build_wheel(base)
    venv = _fresh_environment(base, wheel)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    figures = _cli(venv, "figures", "--out", "gallery", "--format", "png,svg", "--handout", "handout.pdf",
                   cwd=elsewhere)
    return {"wheel": wheel, "venv": venv, "elsewhere": elsewhere, "figures": figures,
            "gallery": elsewhere / "gallery", "handout": elsewhere / "handout.pdf",
            "cli": functools.partial(_cli, venv)}


class _Background:
    """The gallery build, started in a thread as soon as the tests are collected.

    Building the wheel, installing it and running ``figures`` happens in subprocesses, so the
    thread only waits; the rest of the suite runs meanwhile on the other core, and the tests that
    use the gallery are moved to the end of the run.
    """

    def __init__(self) -> None:
        import matplotlib  # noqa: F401 - imported here, in the main thread, not first in the worker
        import scipy  # noqa: F401

        self.base = Path(tempfile.mkdtemp(prefix="spinal-reflex-sim-gallery-"))
        self.result: dict | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="installed-gallery", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = _make_gallery(self.base)
        except BaseException as error:  # re-raised in the fixture, in the test that needs it
            self.error = error

    def wait(self) -> dict:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


_BACKGROUND: list[_Background] = []


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true",
                     help="also run the tests marked slow (the installed-wheel gallery, the notebooks, long "
                          "sweeps); always on when CI is set, as .ci/run does")


def _run_slow(config) -> bool:
    return bool(config.getoption("--slow") or os.environ.get("CI") or "slow" in (config.option.markexpr or ""))


def pytest_collection_modifyitems(session, config, items):
    slow = _run_slow(config)
    if not slow:
        skip = pytest.mark.skip(reason="slow: run with --slow (CI=true runs them)")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
    uses = [item for item in items if "installed_gallery" in getattr(item, "fixturenames", ())]
    others = [item for item in items if "installed_gallery" not in getattr(item, "fixturenames", ())]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Under pytest-xdist (the default: -n auto --dist loadfile, each file one unit of work, so
        # module fixtures are shared): the gallery's file first, so that it runs on one worker
        # while the others take the rest.
        items[:] = uses + others
    elif uses and slow:
        items[:] = others + uses
        _BACKGROUND.append(_Background())


def pytest_unconfigure(config):
    for child in list(_CHILDREN):  # a session that stopped early (-x, Ctrl-C) leaves no gallery running
        child.kill()
    for background in _BACKGROUND:
        background.thread.join(timeout=10)
        shutil.rmtree(background.base, ignore_errors=True)


@pytest.fixture(scope="session")
def installed_gallery(tmp_path_factory):
    """The installed wheel's gallery (built once per session; without pytest-xdist, in a background thread from collection on;
    tests/test_gallery.py checks it)."""
    if _BACKGROUND:
        return _BACKGROUND[0].wait()
    return _make_gallery(tmp_path_factory.mktemp("wheel"))
