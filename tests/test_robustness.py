"""Careless and hostile input: one line, exit 2, the user's own key and value; safe paths.

The table ``BAD_INPUTS`` holds hand-written bad inputs across the three doors into the model –
the Python API, scenario files and ``--set`` – each with the error class or exit status and the
fragments the one-line message must contain (the key and the value the user gave).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.__main__ import main
from sim.errors import ParameterError, ScenarioError, SimError
from sim.fileio import FILE_STEM_PATTERN, check_formats, check_output_dir
from sim.model import ModelParameters
from sim.parameters import LIMITS
from sim.scenario import builtin_path, load, loads

ROUTES = builtin_path("routes").read_text(encoding="utf-8")


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _variant(old: str, new: str, base: str = ROUTES) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


# ---------------------------------------------------------------------------------------------
# The table.  CLI cases: (argv, fragments); "{tmp}" in an argument is the test's folder.
# Files named in argv are created from FILES first.
FILES = {
    "latin1.toml": ROUTES.encode("latin-1", "replace"),
    "binary.toml": bytes(range(256)) * 8,
    "escape.toml": _variant('name = "routes"', 'name = "../../escape/routes"'),
    "absolute.toml": _variant("[figure]\n", '[figure]\nfile = "/abs/path/evil"\n'),
    "nul.toml": _variant('name = "routes"', 'name = "rou\\u0000tes"'),
    "long.toml": _variant('name = "routes"', f'name = "{"r" * 300}"'),
    "panel.toml": _variant('panels = ["spinal_effect_ng_ml", "brain_ng_ml",',
                           'panels = ["spinal_effect_ng_ml", "brain_ng_mll",'),
    "comma-arm.toml": _variant('name = "oral"', 'name = "oral,evil"'),
    "seed.toml": _variant('name = "routes"', 'name = "routes"\nseed = -1'),
    "type.toml": _variant('type = "oral"', 'type = "orla"'),
}

CLI_CASES = {
    # --set: values of the wrong kind for a model parameter
    "set param abc": (["run", "routes", "--set", "receptor.ec50_presynaptic_r_um=abc"],
                      ["receptor.ec50_presynaptic_r_um", "'abc'"]),
    "set param quoted": (["run", "routes", "--set", 'receptor.ec50_presynaptic_r_um="0.2"'],
                         ["receptor.ec50_presynaptic_r_um", "'0.2'"]),
    "set param list": (["run", "routes", "--set", "receptor.ec50_presynaptic_r_um=[1,2]"],
                       ["receptor.ec50_presynaptic_r_um", "[1, 2]"]),
    "set param range": (["run", "routes", "--set", "receptor.ec50_presynaptic_r_um=-1"],
                        ["receptor.ec50_presynaptic_r_um", "-1"]),
    "set param bool": (["run", "routes", "--set", "receptor.hill_coefficient=true"],
                       ["receptor.hill_coefficient", "True"]),
    "set stage typo": (["run", "routes", "--set", "recepter.hill_coefficient=1"],
                       ["recepter", "did you mean 'receptor'"]),
    "set field typo": (["run", "routes", "--set", "receptor.hill_coeficient=1"],
                       ["receptor.hill_coeficient", "did you mean 'hill_coefficient'"]),
    "set no equals": (["run", "routes", "--set", "nonsense"], ["nonsense", "KEY=VALUE"]),
    # --set: settings, in the user's terms
    "set hours negative": (["run", "routes", "--set", "settings.hours=-5"], ["settings.hours", "-5"]),
    "set hours text": (["run", "routes", "--set", "settings.hours=abc"], ["settings.hours", "'abc'"]),
    "set probe above hours": (["run", "routes", "--set", "settings.probe_every_h=100"],
                              ["settings.probe_every_h", "100"]),
    "set daily dose too high": (["run", "dose-response", "--set", "settings.daily_doses_mg=[10,5000]"],
                                ["settings.daily_doses_mg", "5000"]),
    "set daily doses equal": (["run", "dose-response", "--set", "settings.daily_doses_mg=[0,0]"],
                              ["settings.daily_doses_mg", "[0, 0]"]),
    "handout not pdf": (["figures", "--handout", "notes.txt"], ["--handout", "must end in .pdf"]),
    "handout without png": (["figures", "--format", "svg", "--handout", "h.pdf"], ["--handout needs png"]),
    "set csf above api cap": (["run", "mechanisms-compared", "--set", "settings.spinal_effect_ng_ml=[0,1e12]"],
                              ["settings.spinal_effect_ng_ml", "1000000000000"]),
    "set velocity above api cap": (["run", "spasticity", "--set", "settings.velocities_deg_s=[5000]"],
                                   ["settings.velocities_deg_s", "5000"]),
    "set too large": (["run", "kidneys", "--set", "settings.hours=8784", "--set", "settings.probe_every_h=0.01"],
                      ["settings.hours = 8784", "settings.probe_every_h = 0.01", "--force"]),
    # --set: regimen and arm fields
    "set regimen dose": (["run", "routes", "--set", "arms.oral.regimen.0.dose_mg=5000"],
                         ["--set arms.oral.regimen.0.dose_mg=5000"]),
    "set regimen dose text": (["run", "routes", "--set", "arms.0.regimen.0.dose_mg=ten"],
                              ["--set arms.0.regimen.0.dose_mg=\"ten\"", "'ten'"]),
    "set regimen index": (["run", "routes", "--set", "arms.oral.regimen.7.dose_mg=5"],
                          ["arms.oral.regimen.7.dose_mg", "no entry 7"]),
    "set regimen type": (["run", "routes", "--set", 'arms.oral.regimen.0.type="pill"'],
                         ["arms[0] (oral).regimen[0].type", "'pill'"]),
    "set arm typo": (["run", "routes", "--set", "arms.orl.patient.body_weight_kg=50"],
                     ["arms.orl.patient.body_weight_kg", "did you mean 'oral'"]),
    "set patient range": (["run", "routes", "--set", "arms.0.patient.spasticity=3"],
                          ["--set arms.0.patient.spasticity=3", "3.0"]),
    "set name escape": (["run", "routes", "--set", "name=../../escape"], ["name", "../../escape"]),
    "set file absolute": (["run", "routes", "--set", "figure.file=/abs/path/evil"],
                          ["figure.file", "/abs/path/evil"]),
    "set unknown panel": (["run", "spasticity", "--set", 'figure.panels=["emg_peek"]'],
                          ["figure.panels", "emg_peek", "did you mean 'emg_peak'"]),
    # options
    "format gif": (["run", "mechanism", "--format", "gif"], ["--format", "gif"]),
    "format empty": (["run", "mechanism", "--format", ","], ["--format", "','"]),
    "jobs zero": (["figures", "--jobs", "0", "--out", "{tmp}/gallery"], ["--jobs", "0"]),
    "out is a file": (["run", "routes", "--out", "{tmp}/afile"], ["--out", "afile", "not a folder"]),
    "out under a file": (["run", "routes", "--out", "{tmp}/afile/sub"], ["--out", "afile/sub", "is a file"]),
    "figures out is a file": (["figures", "--out", "{tmp}/afile"], ["--out", "afile"]),
    "model-card out folder": (["model-card", "--out", "{tmp}"], ["--out", "is a folder"]),
    "model-card out under file": (["model-card", "--out", "{tmp}/afile/model.md"], ["--out", "afile/model.md"]),
    # scenario files
    "latin-1 file": (["run", "{tmp}/latin1.toml"], ["latin1.toml", "not UTF-8", "byte 0x"]),
    "binary file": (["run", "{tmp}/binary.toml"], ["binary.toml", "binary"]),
    "missing file": (["run", "{tmp}/missing.toml"], ["missing.toml", "cannot read"]),
    "folder as file": (["run", "{tmp}"], ["is a folder"]),
    "unknown scenario": (["describe", "no-such-scenario"], ["'no-such-scenario'"]),
    "file name escape": (["run", "{tmp}/escape.toml"], ["name", "../../escape/routes"]),
    "file stem absolute": (["run", "{tmp}/absolute.toml"], ["figure.file", "/abs/path/evil"]),
    "file name nul": (["run", "{tmp}/nul.toml"], ["name", "\\x00"]),
    "file name long": (["run", "{tmp}/long.toml"], ["name", "rrrrrrrr", "file name"]),
    "file unknown panel": (["run", "{tmp}/panel.toml"], ["figure.panels", "brain_ng_mll"]),
    "file arm name comma": (["run", "{tmp}/comma-arm.toml"], ["arms[0].name", "oral,evil"]),
    "file negative seed": (["run", "{tmp}/seed.toml"], ["seed", "-1"]),
    "file regimen type": (["run", "{tmp}/type.toml"], ["regimen[0].type", "'orla'", "did you mean 'oral'"]),
}


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    for name, content in FILES.items():
        _write(tmp_path, name, content)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_command_line_input_gives_one_line_and_exit_2(case, workdir, capsys, monkeypatch):
    monkeypatch.chdir(workdir)  # the default --out (./output) would land here, and be noticed
    argv, fragments = CLI_CASES[case]
    argv = [arg.replace("{tmp}", str(workdir)) for arg in argv]
    before = sorted(p.relative_to(workdir) for p in workdir.rglob("*"))
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    for fragment in fragments:
        assert fragment in captured.err, (fragment, captured.err)
    assert "wrote" not in captured.out and "1666" not in captured.err
    assert sorted(p.relative_to(workdir) for p in workdir.rglob("*")) == before  # nothing written


# API cases: (callable, error class, fragments)
def _scenario_with(**changes):
    return dataclasses.replace(load("mechanism"), **changes)


def _run_into(scenario, folder):
    from sim.runner import run

    return lambda: run(scenario, folder, formats=("svg",))


API_CASES = {
    "with_overrides string": (lambda: ModelParameters().with_overrides({"receptor.ec50_presynaptic_r_um": "0.2"}),
                              ParameterError, ["receptor.ec50_presynaptic_r_um", "'0.2'"]),
    "with_overrides list": (lambda: ModelParameters().with_overrides({"receptor.ec50_presynaptic_r_um": [1, 2]}),
                            ParameterError, ["receptor.ec50_presynaptic_r_um", "[1, 2]"]),
    "with_overrides bool": (lambda: ModelParameters().with_overrides({"pk.bioavailability": True}),
                            ParameterError, ["pk.bioavailability", "True"]),
    "with_overrides None": (lambda: ModelParameters().with_overrides({"pk.bioavailability": None}),
                            ParameterError, ["pk.bioavailability", "None"]),
    "with_overrides edges": (lambda: ModelParameters().with_overrides({"sedation.band_edges": [0.1, "a", 0.3]}),
                             ParameterError, ["sedation.band_edges", "'a'"]),
    "parameters string": (lambda: sim.receptor.ReceptorParameters(hill_coefficient="2"),
                          ParameterError, ["hill_coefficient", "'2'"]),
    "oral dose string": (lambda: sim.Oral("10"), ParameterError, ["Oral.dose_mg", "'10'"]),
    "reflex level cap": (lambda: sim.stretch_reflex(sim.Patient(), 120.0, spinal_effect_ng_ml=1e12, traces=()),
                       ParameterError, ["spinal_effect_ng_ml", "1000000000000.0"]),
    "formats list": (lambda: check_formats(["png", "jpg"]), ParameterError, ["'jpg'"]),
    "formats empty": (lambda: check_formats(()), ParameterError, ["()", "empty"]),
    "load nul": (lambda: load("rou\x00tes"), ScenarioError, ["'rou\\x00tes'"]),
    "load long": (lambda: load("x" * 5000), ScenarioError, ["xxxxxxxx"]),
    "loads not text": (lambda: loads(b"name = 1"), ScenarioError, ["bytes"]),
    "run hostile name": (lambda: _run_into(_scenario_with(name="../escape"), tempfile.gettempdir())(),
                         ParameterError, ["name", "'../escape'"]),
    "run hostile file": (lambda: _run_into(_scenario_with(figure={"title": "t", "panels": ["epsc_rel"],
                                                                   "file": "/tmp/evil"}), tempfile.gettempdir())(),
                         ParameterError, ["figure.file", "'/tmp/evil'"]),
    "output dir nul": (lambda: check_output_dir("out\x00put", option="--out"), ParameterError, ["--out", "\\x00"]),
    "model card folder": (lambda: sim.modelcard.write(tempfile.gettempdir(), option="--out"), ParameterError,
                          ["--out", tempfile.gettempdir()]),
}


@pytest.mark.parametrize("case", sorted(API_CASES))
def test_bad_api_input_raises_the_projects_error(case):
    call, error_class, fragments = API_CASES[case]
    with pytest.raises(error_class) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_the_table_is_large_enough():
    assert len(CLI_CASES) + len(API_CASES) >= 30


@pytest.fixture
def readonly_folder(tmp_path):
    """A folder nobody may write into: mode 555, or for root (who ignores modes) immutable."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True) if _has("chattr") else None
    if made is None or made.returncode != 0:
        pytest.skip("running as root and cannot make a folder immutable (chattr)")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)


def _has(program: str) -> bool:
    import shutil

    return shutil.which(program) is not None


@pytest.mark.parametrize("arguments, target", [(["run", "routes"], ""), (["run", "routes"], "sub"),
                                               (["figures"], ""), (["model-card"], "card.md")])
def test_read_only_output_folder_is_refused_before_computing(arguments, target, readonly_folder):
    out = readonly_folder / target if target else readonly_folder
    result = subprocess.run([sys.executable, "-m", "sim", *arguments, "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--out" in result.stderr and str(out) in result.stderr
    assert "running" not in result.stdout and "building" not in result.stdout
    assert list(readonly_folder.iterdir()) == []


def test_broken_pipe_is_quiet():
    """`spinal-reflex-sim list | head -2`: the reader goes away; no traceback, no error line."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: every write fails with EPIPE
    try:
        result = subprocess.run([sys.executable, "-m", "sim", "list"], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 141
    shell = subprocess.run(["bash", "-c", f"'{sys.executable}' -m sim list | head -2"],
                           capture_output=True, text=True, timeout=120)
    assert shell.returncode == 0 and shell.stderr == "" and len(shell.stdout.splitlines()) == 2


def test_model_card_outside_the_repository_needs_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["model-card"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err
    assert list(tmp_path.iterdir()) == []  # no ./docs/model.md appeared
    assert main(["model-card", "--out", str(tmp_path / "card.md")]) == 0
    assert (tmp_path / "card.md").is_file()


def test_model_card_default_is_the_repository_docs():
    from sim.modelcard import repository_card_path

    repo = Path(__file__).resolve().parents[1]
    assert repository_card_path(repo / "sim") == repo / "docs" / "model.md"


# ---------------------------------------------------------------------------------------------
# Path safety
HOSTILE_NAMES = ["..", "../escape", "../../escape/routes", "/abs/path/evil", "a/b", "a\\b", "rou\x00tes",
                 "r" * 65, "x" * 5000, "", ".", ".hidden", "-rf", "~user", "UPPER", "C:evil", "name with space",
                 "é", "a\nb", "ok/../../x"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:20] for n in HOSTILE_NAMES])
def test_hostile_names_never_become_file_names(name, tmp_path):
    assert not FILE_STEM_PATTERN.fullmatch(name)
    out = tmp_path / "out"
    for key in ("name", "file"):
        document = (ROUTES.replace('name = "routes"', f"name = {_toml_string(name)}", 1) if key == "name"
                    else ROUTES.replace("[figure]\n", f"[figure]\nfile = {_toml_string(name)}\n", 1))
        with pytest.raises(ScenarioError, match="cannot be used in a file name"):
            loads(document, source="hostile.toml")
        with pytest.raises(ScenarioError):
            loads(ROUTES, source="hostile.toml", overrides={key if key == "name" else "figure.file": name})
    # The runner checks again, for scenarios built in Python without the loader.
    from sim.runner import run

    scenario = load("mechanism")
    for changed in (dataclasses.replace(scenario, name=name),
                    dataclasses.replace(scenario, figure={**scenario.figure, "file": name})):
        with pytest.raises(ParameterError, match="cannot be a file name"):
            run(changed, out, formats=("svg",))
    assert sorted(tmp_path.rglob("*")) == []


def _toml_string(text: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


def test_a_run_writes_only_inside_out_and_only_whole_sets(tmp_path):
    out = tmp_path / "deep" / "out"
    assert main(["run", "mechanism", "--out", str(out), "--format", "svg"]) == 0
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert all(p.parts[:2] == ("deep", "out") for p in written if len(p.parts) > 2)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["mechanism-calcium_law.csv", "mechanism-concentration_response.csv",
                     "mechanism-gabab_cascade.csv", "mechanism-provenance.json", "mechanism.svg"]


def test_a_failing_run_leaves_no_partial_set(tmp_path, monkeypatch):
    """An error after the CSVs are written (here: in drawing) leaves the folder as it was."""
    from sim import plotting
    from sim.runner import run

    def broken(*args, **kwargs):
        raise SimError("drawing failed")

    monkeypatch.setattr(plotting, "scenario_figure", broken)
    (tmp_path / "keep.txt").write_text("old", encoding="utf-8")
    with pytest.raises(SimError):
        run(load("mechanism"), tmp_path, formats=("svg",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    fresh = tmp_path / "new"
    with pytest.raises(SimError):
        run(load("mechanism"), fresh, formats=("svg",))
    assert not fresh.exists()  # a folder made for the run goes again


# ---------------------------------------------------------------------------------------------
# One validation layer: the scenario schema uses the API's own limits
def test_scenario_limits_are_the_api_limits():
    patient = sim.Patient()
    with pytest.raises(ParameterError):
        sim.stretch_reflex(patient, 120.0, spinal_effect_ng_ml=LIMITS["spinal_effect_ng_ml"].high * 1.001,
                           traces=())
    with pytest.raises(ParameterError):
        sim.stretch_reflex(patient, LIMITS["velocity_deg_s"].high * 1.001, traces=())
    with pytest.raises(ParameterError):
        sim.stretch_reflex(patient, 120.0, amplitude_deg=LIMITS["amplitude_deg"].high * 1.001, traces=())
    with pytest.raises(ParameterError):
        sim.simulate(patient, sim.Oral(10), hours=LIMITS["hours"].high * 1.001)
    with pytest.raises(ParameterError):
        sim.synapse.release_fraction(LIMITS["ca_influx_fraction"].high * 1.001)
    mechanisms = builtin_path("mechanisms-compared").read_text(encoding="utf-8")
    high = LIMITS["spinal_effect_ng_ml"].high
    loaded = loads(mechanisms, overrides={"settings.spinal_effect_ng_ml": [0.0, high]})
    assert loaded.settings["spinal_effect_ng_ml"][-1] == high
    with pytest.raises(ScenarioError, match="spinal_effect_ng_ml"):
        loads(mechanisms, overrides={"settings.spinal_effect_ng_ml": [0.0, high * 1.001]})
    spasticity = builtin_path("spasticity").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match="velocities_deg_s"):
        loads(spasticity, overrides={"settings.velocities_deg_s": [LIMITS["velocity_deg_s"].high * 1.001]})
    with pytest.raises(ScenarioError, match="settings.hours"):
        loads(ROUTES, overrides={"settings.hours": LIMITS["hours"].high * 1.001})


def test_panels_table_matches_what_a_course_computes():
    from sim.runner import PANELS

    course = sim.simulate(sim.Patient(condition="spastic"), sim.Oral(10.0, every_h=8.0, n_doses=3), 24.0,
                          probe_every_h=1.0)
    assert set(PANELS["course"]) == set(course.names)


def test_set_reaches_regimen_fields():
    scenario = loads(ROUTES, overrides={"arms.oral.regimen.0.dose_mg": 10, "arms.1.regimen.0.rate_ug_per_day": 50})
    oral, intrathecal = scenario.arms
    assert oral.regimen.to_dict()["parts"][0]["dose_mg"] == 10
    assert intrathecal.regimen.to_dict()["parts"][0]["rate_ug_per_day"] == 50


def test_zero_doses_draw_without_warnings(tmp_path):
    """daily_doses_mg = [0, 5]: a dose axis starting at zero draws without a matplotlib warning
    (the test run turns every warning into an error)."""
    text = builtin_path("dose-response").read_text(encoding="utf-8")
    scenario = loads(text, overrides={"settings.daily_doses_mg": [0, 5], "settings.days": 1})
    from sim.runner import run

    # Doses of 0 and 5 mg/day cannot show what the scenario's claims say about 10–160 mg/day.
    output = run(scenario, tmp_path, formats=("svg",), check_claims=False)
    assert len(output.files) == 3
    assert np.all(np.isfinite(output.tables["dose"]["reflex_gain_rel[spastic]"]))
