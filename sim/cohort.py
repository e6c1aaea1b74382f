"""A classroom cohort: one seeded "mystery patient" per student, a pooled class table and an answer key.

Educational illustration – not for clinical use.  :func:`write_cohort` draws one virtual
patient per student (:func:`sim.population`, kidney function drawn between 30 and
120 mL/min), gives every patient the same oral regimen (20 mg three times daily for a week
by default) and writes what a clinician could measure on day 7:

* ``students/student-NN/patient.csv`` – plasma levels at the sampling times (trough, then
  1, 2, 4, 6 and 8 h after the morning dose; no assay error), the stretch-reflex gain
  relative to before treatment and the qualitative sedation band, with the regimen in the
  header;
* ``class.csv`` – the same measurements of every student's patient, one row per sample
  (for pooling in class);
* ``answer-key/answer-key.csv`` – each patient's hidden values (apparent clearance, volume,
  absorption rate, kidney function, presynaptic EC50, severity …), in its own folder so it
  can be kept from the students.

The same seed gives identical files on every machine (no dates, fixed number format).
Each folder is written through :func:`sim.fileio.staged_output`, all of them committed
together at the end: an error or Ctrl-C leaves none of the new files behind.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "class"
>>> files = write_cohort(out, students=2, seed=1)   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .dosing import Oral
from .errors import ParameterError
from .fileio import EDUCATIONAL_STATEMENT, atomic_write_text, format_number, staged_output
from .population import ReadoutSurface, VariabilityParameters, population

__all__ = ["write_cohort", "SAMPLING_AFTER_DOSE_H", "MAX_STUDENTS", "KIDNEY_RANGE_ML_MIN"]

#: Sampling times on day 7, h after the morning dose (0 = the trough just before it).
SAMPLING_AFTER_DOSE_H = (0.0, 1.0, 2.0, 4.0, 6.0, 8.0)
#: Largest class.
MAX_STUDENTS = 500
#: Kidney function of the mystery patients, mL/min (uniform; illustrative).
KIDNEY_RANGE_ML_MIN = (30.0, 120.0)

_MEASURED = ("plasma_ng_ml", "reflex_gain_rel", "sedation_band")
_HIDDEN_UNITS = {"apparent_clearance_ml_min": "mL/min", "apparent_volume_l": "L", "ka_tablet_per_h": "1/h",
                 "csf_clearance_ml_h": "mL/h", "cord_penetration": "1", "ec50_presynaptic_r_um": "µM",
                 "spasticity": "1", "creatinine_clearance_ml_min": "mL/min"}


def _check_whole(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ParameterError(f"{name} = {value!r}: expected a whole number from {low} to {high}")
    return int(value)


def _csv_text(header: dict[str, Any], columns: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(f"# {EDUCATIONAL_STATEMENT}\n")
    buffer.write(f"# spinal-reflex-sim version: {__version__}\n")
    for key, value in header.items():
        buffer.write(f"# {key}: {json.dumps(value, ensure_ascii=False)}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_number(v) if isinstance(v, (float, np.floating)) else v for v in row])
    return buffer.getvalue()


def write_cohort(out_dir: str | Path, *, students: int = 30, seed: int = 0, dose_mg: float = 20.0,
                 option: str = "out_dir", progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write one mystery-patient data set per student, the pooled class CSV and the answer key.

    Parameters
    ----------
    out_dir : path-like
        Destination folder (created if needed).
    students : int
        Number of students (1–500).
    seed : int
        Seed of the cohort (≥ 0); the same seed gives identical files.
    dose_mg : float
        Oral dose given three times daily for 7 days, mg (1–80).
    option : str
        Name quoted in messages about the folder (``"--out"`` on the command line).

    Returns
    -------
    list of pathlib.Path
        Every file written, answer key last.

    Raises
    ------
    ParameterError
        For bad arguments or an output folder that cannot be written.
    """
    students = _check_whole("students", students, 1, MAX_STUDENTS)
    seed = _check_whole("seed", seed, 0, 2**63 - 1)
    if isinstance(dose_mg, bool) or not isinstance(dose_mg, (int, float)) or not 1.0 <= float(dose_mg) <= 80.0:
        raise ParameterError(f"dose_mg = {dose_mg!r}: expected a number from 1 to 80 mg")
    dose_mg = float(dose_mg)
    out = Path(out_dir)
    regimen = Oral(dose_mg, every_h=8.0, n_doses=21)
    variability = VariabilityParameters(creatinine_clearance_low_ml_min=KIDNEY_RANGE_ML_MIN[0],
                                        creatinine_clearance_high_ml_min=KIDNEY_RANGE_ML_MIN[1])
    cohort = population(students, seed=seed, variability=variability)
    if progress:
        progress(f"  {students} mystery patients drawn (seed {seed}); probing the reflex surface …")
    surface = ReadoutSurface.build(("reflex_gain_rel",), cohort.base)
    day7 = 6 * 24.0
    result = cohort.simulate(regimen, day7 + max(SAMPLING_AFTER_DOSE_H), every_h=1.0, surface=surface)
    times = np.array([day7 + h for h in SAMPLING_AFTER_DOSE_H])
    index = np.searchsorted(result.axis, times)
    measured = {name: np.asarray(result[name])[:, index] for name in _MEASURED}
    width = max(2, len(str(students)))
    names = [f"student-{i + 1:0{width}d}" for i in range(students)]
    regimen_text = f"oral {dose_mg:g} mg every 8 h for 7 days (21 doses), from t = 0"
    units = {"t_h": "h", "time_after_dose_h": "h", "plasma_ng_ml": "ng/mL", "reflex_gain_rel": "1",
             "sedation_band": "band"}
    common = {"regimen": regimen_text, "units": units,
              "note": "day-7 measurements without assay error; reflex gain relative to the same patient before "
                      "treatment; sedation as a qualitative band, never a probability"}
    columns = ["t_h", "time_after_dose_h", *_MEASURED]
    hidden = cohort.table()
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        # One staged folder per destination; all are committed when the block ends without error.
        top = stack.enter_context(staged_output(out, option=option))
        key_stage = stack.enter_context(staged_output(out / "answer-key", option=option))
        student_stages = [stack.enter_context(staged_output(out / "students" / name, option=option))
                          for name in names]
        pooled: list[list[Any]] = []
        for i, (name, stage) in enumerate(zip(names, student_stages, strict=True)):
            rows = [[float(times[k]), float(SAMPLING_AFTER_DOSE_H[k]), float(measured["plasma_ng_ml"][i, k]),
                     float(measured["reflex_gain_rel"][i, k]), str(measured["sedation_band"][i, k])]
                    for k in range(times.size)]
            pooled += [[name, *row] for row in rows]
            text = _csv_text({"student": name, "mystery patient": f"seed {seed}, patient {i + 1}", **common},
                             columns, rows)
            atomic_write_text(stage / "patient.csv", text)
            written.append(out / "students" / name / "patient.csv")
        atomic_write_text(top / "class.csv", _csv_text({"students": students, "seed": seed, **common},
                                                       ["student", *columns], pooled))
        written.append(out / "class.csv")
        key_rows = [[name, *(float(hidden[column][i]) for column in _HIDDEN_UNITS)] for i, name in enumerate(names)]
        atomic_write_text(key_stage / "answer-key.csv", _csv_text(
            {"answer key": "keep this folder from the students", "seed": seed, "regimen": regimen_text,
             "units": _HIDDEN_UNITS, "kidney function drawn (mL/min)": list(KIDNEY_RANGE_ML_MIN)},
            ["student", *_HIDDEN_UNITS], key_rows))
        written.append(out / "answer-key" / "answer-key.csv")
    return written
