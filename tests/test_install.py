"""A normal (non-editable) install works from any folder: the wheel (built and installed into a
fresh virtual environment by the ``installed_gallery`` fixture of tests/conftest.py) runs
`list`, `run`, `figures` and `model-card` outside the repository."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.name for p in (REPO / "scenarios").glob("[0-9][0-9]-*.toml"))


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(installed_gallery):
    wheel, venv, elsewhere, cli = (installed_gallery[k] for k in ("wheel", "venv", "elsewhere", "cli"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(Path(n).name for n in archive.namelist() if n.startswith("sim/scenarios/")
                         and n.endswith(".toml"))
    assert shipped == SCENARIOS, "the wheel must carry every built-in scenario"

    located = subprocess.run([str(venv / "bin" / "python"), "-c", "import sim; print(sim.__file__)"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert Path(located.strip()).is_relative_to(venv), located  # the wheel, not the checkout

    listing = cli("list", cwd=elsewhere)
    assert listing.returncode == 0, listing.stderr
    for name in SCENARIOS:
        assert name.split("-", 1)[1].removesuffix(".toml") in listing.stdout

    run = cli("run", "mechanism", "--out", "out", "--format", "svg", cwd=elsewhere)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "out" / "mechanism-provenance.json").is_file()

    card = cli("model-card", cwd=elsewhere)  # outside a checkout: needs --out
    assert card.returncode == 2 and card.stderr.count("\n") == 1 and "--out" in card.stderr
    assert not (elsewhere / "docs").exists()

    figures = installed_gallery["figures"]
    assert figures.returncode == 0, figures.stderr
    assert f"gallery: {len(SCENARIOS) + 4} figures" in figures.stdout  # + reflex arc, receptor, multiscale, animation
    gallery = elsewhere / "gallery"
    assert (gallery / "README.md").is_file()
    for name in SCENARIOS:
        stem = name.split("-", 1)[1].removesuffix(".toml")
        assert (gallery / f"{stem}-provenance.json").is_file() and (gallery / f"{stem}.png").is_file(), stem
    assert not [p for p in gallery.iterdir() if p.name.startswith(".")]  # no staging folder left
