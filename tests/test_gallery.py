"""The whole gallery: every built-in scenario runs, writes labelled files, and matches figures/.

The gallery checked here is the one the installed wheel writes from a folder outside the
repository (fixture ``installed_gallery`` in tests/conftest.py), so the main job is built once
per test session and checked as a user would run it.
"""

import subprocess
import zipfile
from pathlib import Path

import pytest

from sim.fileio import EDUCATIONAL_LABEL
from sim.scenario import builtin_names, load
from sim.variables import lookup

REPO_FIGURES = Path(__file__).resolve().parent.parent / "figures"


@pytest.fixture(scope="module")
def gallery(installed_gallery):
    figures = installed_gallery["figures"]
    assert figures.returncode == 0, figures.stderr
    lines = figures.stdout.splitlines()
    summary = next(line for line in lines if line.startswith("gallery:"))
    return installed_gallery["gallery"], summary, lines, figures.stderr


@pytest.mark.slow
def test_every_scenario_writes_labelled_files(gallery):
    out, summary, lines, _ = gallery
    assert EDUCATIONAL_LABEL in summary
    # no figure may be drawn with a warning (e.g. a layout that collapsed and was not applied)
    assert "Warning" not in gallery[3], gallery[3]
    assert len([line for line in lines if line.startswith("[")]) >= len(builtin_names())
    for name in builtin_names():
        stem = load(name).figure.get("file", name)
        assert list(out.glob(f"{stem}-*.csv")), name
        assert (out / f"{stem}-provenance.json").exists()
        svg = (out / f"{stem}.svg").read_text(encoding="utf-8")
        assert EDUCATIONAL_LABEL in svg, name
        png = (out / f"{stem}.png").read_bytes()
        assert EDUCATIONAL_LABEL.encode("latin-1", "replace") in png or \
            EDUCATIONAL_LABEL.encode("utf-8") in png, name
        for csv in out.glob(f"{stem}-*.csv"):
            assert EDUCATIONAL_LABEL in csv.read_text(encoding="utf-8").splitlines()[0]


def _csv_columns_and_units(path):
    import csv
    import json

    lines = path.read_text(encoding="utf-8").splitlines()
    units = json.loads(next(line for line in lines if line.startswith("# units: "))[len("# units: "):])
    header = next(csv.reader([next(line for line in lines if not line.startswith("#"))]))
    return header, units


@pytest.mark.slow
def test_every_csv_column_has_a_unit_from_the_registry(gallery):
    """Every column of every gallery CSV has a non-empty unit ("1" when dimensionless), and its
    name (``name`` or ``name[arm]``) resolves in sim.variables with that unit."""
    out, *_ = gallery
    paths = sorted(out.glob("*.csv"))
    assert paths
    for path in paths:
        header, units = _csv_columns_and_units(path)
        assert list(units) == header, path.name
        for column in header:
            assert units[column], f"{path.name}: column {column!r} has no unit"
            assert lookup(column).unit == units[column], f"{path.name}: {column!r}"


@pytest.mark.slow
def test_gallery_readme_lists_every_figure(gallery):
    out, *_ = gallery
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert EDUCATIONAL_LABEL in readme
    for name in builtin_names():
        assert f"spinal-reflex-sim run {name}" in readme


@pytest.mark.slow
def test_committed_gallery_data_is_current(gallery):
    """The CSV behind each committed figure equals what the code produces now."""
    out, *_ = gallery
    committed = sorted(REPO_FIGURES.glob("*.csv"))
    if not committed:
        pytest.skip("figures/ has no committed gallery yet")
    for path in committed:
        fresh = out / path.name
        assert fresh.exists(), f"{path.name} is committed but no longer produced"
        assert fresh.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"figures/{path.name} is stale: run `spinal-reflex-sim figures`"
        )


@pytest.mark.slow
def test_regenerating_gives_identical_svg(gallery, tmp_path):
    """Same inputs, same bytes: rerun one scenario of each figure layout and compare SVGs."""
    from sim.runner import run

    out, *_ = gallery
    for name in ("mechanism", "spasticity", "routes", "mechanisms-compared"):
        stem = load(name).figure.get("file", name)
        run(load(name), tmp_path, formats=("svg",))
        assert (tmp_path / f"{stem}.svg").read_bytes() == (out / f"{stem}.svg").read_bytes(), name


@pytest.mark.slow
def test_the_handout_has_one_page_per_figure_and_the_statement(installed_gallery):
    """`figures --handout` (run by the installed wheel): a cover, then one page per static figure of the
    gallery (the schematic, every scenario, the multiscale figure; the GIF is left out)."""
    from sim.plotting import page_count

    assert installed_gallery["figures"].returncode == 0, installed_gallery["figures"].stderr
    out = installed_gallery["gallery"]
    static = [p for p in out.glob("*.png")]
    assert page_count(installed_gallery["handout"]) == len(static) + 1
    assert "wrote the handout" in installed_gallery["figures"].stdout


# -- a normal (non-editable) install works from any folder ----------------------------------------
# The wheel runs `list`, `run`, `figures` and `model-card` outside the repository.
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


# -- the stand-alone figures' titles are claims too (checked every run, fast tests) ----------


def test_multiscale_title_claim_is_checked_before_writing(monkeypatch, tmp_path):
    """"Small at the peak, larger at the trough": with the probes swapped the gallery item refuses
    and writes nothing."""
    from sim import gallery
    from sim.errors import ClaimError

    course, probes = gallery.multiscale_data()
    gallery._check_multiscale_claims(course, probes)  # holds on the real data
    swapped = {"trough": probes["peak"], "peak": probes["trough"]}
    monkeypatch.setattr(gallery, "multiscale_data", lambda: (course, swapped))
    with pytest.raises(ClaimError, match=r"'multiscale'.*smaller at the drug's peak.*EMG is"):
        gallery._task("multiscale", tmp_path, ("png",))
    assert not list(tmp_path.iterdir())


def test_animation_title_claim_is_checked_before_writing(monkeypatch, tmp_path):
    """"The same stretch evokes a smaller reflex" with baclofen: with the two levels swapped the
    animation refuses and writes nothing."""
    import sim.reflex
    from sim import gallery
    from sim.errors import ClaimError

    original = sim.reflex.stretch_reflex

    def swapped(*args, spinal_effect_ng_ml, **kw):
        return original(*args, spinal_effect_ng_ml=spinal_effect_ng_ml[::-1], **kw)

    monkeypatch.setattr(sim.reflex, "stretch_reflex", swapped)
    with pytest.raises(ClaimError, match=r"'reflex-animation'.*smaller reflex \(peak EMG\)"):
        gallery._task("animation", tmp_path, ("png",))
    assert not list(tmp_path.iterdir())
