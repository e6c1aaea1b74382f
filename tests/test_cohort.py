"""The classroom cohort (sim.cohort, `spinal-reflex-sim cohort`): files, separation of the answer key, reproducibility."""

from __future__ import annotations

import pytest

from sim.__main__ import main
from sim.fileio import EDUCATIONAL_STATEMENT


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("cohort")
    for name in ("a", "b"):
        assert main(["cohort", "--students", "4", "--seed", "11", "--out", str(base / name)]) == 0
    return base


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_files_written_with_the_educational_header(two_runs):
    folder = two_runs / "a"
    files = [str(p) for p in _files(folder)]
    assert files == ["answer-key/answer-key.csv", "class.csv",
                     *(f"students/student-0{i}/patient.csv" for i in range(1, 5))]
    for path in folder.rglob("*.csv"):
        assert path.read_text(encoding="utf-8").splitlines()[0] == f"# {EDUCATIONAL_STATEMENT}"
    pooled = (folder / "class.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in pooled if not line.startswith("#")]
    assert rows[0].startswith("student,t_h,") and len(rows) == 1 + 4 * 6


def test_answer_key_is_not_in_any_student_folder(two_runs):
    folder = two_runs / "a"
    for path in (folder / "students").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "answer" not in text and "apparent_clearance" not in text and "ec50" not in text
    assert not any("answer" in str(p) for p in _files(folder / "students"))


def test_same_seed_gives_identical_files(two_runs, tmp_path):
    a, b = two_runs / "a", two_runs / "b"
    assert _files(a) == _files(b)
    for rel in _files(a):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert main(["cohort", "--students", "4", "--seed", "12", "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "class.csv").read_bytes() != (a / "class.csv").read_bytes()


@pytest.mark.parametrize("args, fragment", [
    (["--students", "0", "--seed", "1"], "students = 0"),
    (["--students", "501", "--seed", "1"], "students = 501"),
    (["--students", "3", "--seed", "-1"], "seed = -1"),
    (["--students", "three", "--seed", "1"], "--students"),
    (["--students", "3", "--seed", "1", "--dose-mg", "500"], "dose_mg = 500"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, fragment):
    try:
        status = main(["cohort", *args, "--out", str(tmp_path / "x")])
    except SystemExit as exit_:  # argparse's own type errors exit from inside main
        status = exit_.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:") and fragment in err
    assert not (tmp_path / "x").exists()


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["cohort", "--help"])
    assert "spinal-reflex-sim cohort --students 30 --seed 7 --out class-7" in capsys.readouterr().out
