"""The command line: help, listing, running, errors (exit 2, one line), determinism."""

import json
import subprocess
import sys

import pytest

from sim.__main__ import main
from sim.fileio import EDUCATIONAL_LABEL
from sim.scenario import builtin_names, builtin_path


def run_cli(*args):
    """Run the CLI in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [[], ["list"], ["run"], ["figures"], ["describe"], ["model-card"]])
def test_help_everywhere_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out


def test_list_and_describe(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(EDUCATIONAL_LABEL)
    for name in builtin_names():
        assert name in out
    assert main(["describe", "withdrawal"]) == 0
    out = capsys.readouterr().out
    assert "Questions for students" in out and "What to notice" in out and "assumptions" in out


BAD_CASES = {
    "unknown key": ('title = "', 'titel = "', "titel"),
    "wrong type": ("velocities_deg_s = [", "velocities_deg_s = 5 #", "velocities_deg_s"),
    "missing field": ('objective = "', '# objective = "', "objective: missing required key"),
    "out of range": ('patient = { condition = "healthy" }', 'patient = { condition = "healthy", spasticity = 3.0 }',
                     "Patient.spasticity = 3.0"),
    "bad syntax": ("schema_version = 1", "schema_version = = 1", "invalid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_malformed_files_exit_2_with_one_line(case, tmp_path, capsys):
    old, new, fragment = BAD_CASES[case]
    text = builtin_path("spasticity").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and fragment in err
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_several_errors_are_all_reported(tmp_path, capsys):
    text = builtin_path("spasticity").read_text(encoding="utf-8")
    text = text.replace('title = "', 'titel = "', 1).replace("amplitude_deg = 20.0", "amplitude_deg = -1.0")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "titel" in err and "amplitude_deg" in err and "problems" in err


def test_unknown_scenario_and_bad_options_exit_2():
    for args in (["run", "no-such-scenario"], ["run", "mechanism", "--format", "gif"],
                 ["run", "mechanism", "--set", "nonsense"], ["describe", "nope"], ["frobnicate"]):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_run_writes_files_records_overrides_and_is_deterministic(tmp_path):
    first, second, changed = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert main(["run", "mechanism", "--out", str(first), "--format", "png,svg"]) == 0
    assert main(["run", "mechanism", "--out", str(second), "--format", "png,svg"]) == 0
    csvs = sorted(p.name for p in first.glob("*.csv"))
    assert csvs == ["mechanism-calcium_law.csv", "mechanism-concentration_response.csv",
                    "mechanism-gabab_cascade.csv"]
    for name in csvs:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / "mechanism.svg").read_bytes() == (second / "mechanism.svg").read_bytes()
    svg = (first / "mechanism.svg").read_text(encoding="utf-8")
    assert EDUCATIONAL_LABEL in svg

    assert main(["run", "mechanism", "--out", str(changed), "--format", "png",
                 "--set", "receptor.ec50_presynaptic_r_um=1.0"]) == 0
    name = "mechanism-concentration_response.csv"
    assert (changed / name).read_text() != (first / name).read_text()
    record = json.loads((changed / "mechanism-provenance.json").read_text(encoding="utf-8"))
    assert record["set_overrides"] == {"receptor.ec50_presynaptic_r_um": 1.0}
    rows = {row["name"]: row for row in record["arms"]["R"]["parameters"]}
    assert rows["receptor.ec50_presynaptic_r_um"]["value"] == 1.0
    assert all(row["source"] and row["status"] for row in rows.values())
    assert record["scenario_sha256"] and record["version"] and record["date"]


def test_provenance_date_policy(tmp_path, monkeypatch):
    """The gallery records no run date (regenerating it leaves git clean); SOURCE_DATE_EPOCH wins."""
    from sim.runner import provenance
    from sim.scenario import load

    scenario = load("mechanism")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert "date" not in provenance(scenario, record_date=False)
    assert provenance(scenario)["date"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert provenance(scenario, record_date=False)["date"] == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize(("jobs", "cached", "loads"), [("2", True, False), ("1", True, True), ("2", False, True)])
def test_figures_parent_loads_the_drawing_libraries_only_when_it_draws_or_compiles(tmp_path, jobs, cached, loads):
    """With worker processes and kernels on disk the parent only hands out the items: it imports
    neither matplotlib nor SciPy (each worker loads its own); drawing itself or compiling first, it
    loads them up front, with Ctrl-C held back."""
    code = (
        "import sys\n"
        "from sim import gallery, solvers\n"
        f"solvers.kernels_cached = lambda: {cached}\n"
        "def fake(out, **kw):\n"
        "    print('workers', kw['workers'], 'heavy', sorted(m for m in ('matplotlib', 'scipy') if m in sys.modules))\n"
        "    return 'done'\n"
        "gallery.build_gallery = fake\n"
        "from sim.__main__ import main\n"
        f"raise SystemExit(main(['figures', '--out', {str(tmp_path / 'g')!r}, '--jobs', '{jobs}']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(text for text in done.stdout.splitlines() if text.startswith("workers"))
    assert line == f"workers {jobs} heavy {['matplotlib', 'scipy'] if loads else []}"
