import numpy as np
import pytest

from sim.errors import ParameterError, SimulationError
from sim.fileio import EDUCATIONAL_LABEL
from sim.result import Result


def make(batch=()):
    t = np.linspace(0.0, 10.0, 11)
    plasma = np.broadcast_to(t * 2.0, (*batch, t.size)).copy()
    return Result("t_h", t, {"plasma_ng_ml": plasma, "band": np.array(["none"] * 5 + ["mild"] * 6)},
                  units={"plasma_ng_ml": "ng/mL"}, summaries={"peak": plasma.max(axis=-1)},
                  meta={"regimen": {"dose_mg": 10.0}})


def test_access_by_key_and_attribute():
    r = make()
    assert np.array_equal(r["plasma_ng_ml"], r.plasma_ng_ml)
    assert r.unit("plasma_ng_ml") == "ng/mL" and r.unit("t_h") == "h"
    assert float(r.peak) == 20.0
    with pytest.raises(KeyError, match="did you mean 'plasma_ng_ml'"):
        r["plasma_ng_m"]


def test_nan_never_leaks():
    with pytest.raises(SimulationError, match="non-finite"):
        Result("t_h", [0.0, 1.0], {"x": [0.0, np.nan]})
    with pytest.raises(SimulationError, match="last axis"):
        Result("t_h", [0.0, 1.0], {"x": [0.0, 1.0, 2.0]})


def test_repr_is_one_line():
    text = repr(make((3,)))
    assert "\n" not in text and text.startswith("Result(t_h: 11 points")


def test_at_interpolates_and_checks_range():
    r = make()
    values = r.at(2.5)
    assert values["plasma_ng_ml"] == pytest.approx(5.0, abs=1e-12)
    assert values["band"] == "none"
    assert r.at(np.array([1.0, 6.0]))["band"].tolist() == ["none", "mild"]
    with pytest.raises(ParameterError, match="outside the simulated range"):
        r.at(11.0)


def test_item_selects_batch_element():
    r = make((3,))
    assert r.item(1).plasma_ng_ml.shape == (11,)


def test_to_csv_header_units_and_determinism(tmp_path):
    r = make((2,))
    first = r.to_csv(tmp_path / "a.csv").read_text()
    second = r.to_csv(tmp_path / "b.csv").read_text()
    assert first == second
    lines = first.splitlines()
    assert EDUCATIONAL_LABEL in lines[0]
    assert any(line.startswith("# units:") and "ng/mL" in line for line in lines)
    header = next(line for line in lines if not line.startswith("#"))
    assert header == "t_h,plasma_ng_ml[0],plasma_ng_ml[1],band"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_summary_has_label_and_units():
    text = make().summary()
    assert text.splitlines()[0] == EDUCATIONAL_LABEL
    assert "plasma_ng_ml" in text and "ng/mL" in text and "mild" in text


def test_written_files_are_world_readable(tmp_path):
    path = make().to_csv(tmp_path / "c.csv")
    assert path.stat().st_mode & 0o044 == 0o044


def test_axis_unit_prefers_the_units_mapping():
    r = Result("velocity_deg_s", [1.0, 2.0], {"x": [0.0, 1.0]}, units={"velocity_deg_s": "deg/s"})
    assert r.unit("velocity_deg_s") == "deg/s"
    assert Result("t_h", [0.0], {"x": [1.0]}).unit("t_h") == "h"


def test_header_and_data_share_one_number_format(tmp_path):
    """Header metadata and data are written by one rule (10 significant digits): last-bit
    differences between machines (30.1424987883182 vs 30.142498788318207) give identical files."""
    texts = []
    for value in (30.1424987883182, 30.142498788318207):
        r = Result("t_ms", [0.0, 1.0], {"x": [value, value / 3.0]}, meta={"csf_ng_ml": value})
        texts.append(r.to_csv(tmp_path / f"{len(texts)}.csv").read_text())
    assert texts[0] == texts[1]
    assert "# csf_ng_ml: 30.14249879" in texts[0]
    assert "\n0,30.14249879\n" in texts[0]


def test_rounded_copy_holds_exactly_what_the_csv_says(tmp_path):
    r = make((2,))
    rounded = r.rounded()
    text = rounded.to_csv(tmp_path / "r.csv").read_text()
    assert text == r.to_csv(tmp_path / "s.csv").read_text()
    import csv as csv_module
    rows = [row for row in csv_module.reader(line for line in text.splitlines() if not line.startswith("#"))]
    column = [float(row[1]) for row in rows[1:]]
    assert column == rounded["plasma_ng_ml"][0].tolist()


def labelled():
    t = np.array([0.0, 1.0, 2.0])
    return Result("t_h", t, {"plasma_ng_ml": np.array([t, 2 * t]),
                             "sedation_band": np.array([["none"] * 3, ["none", "mild", "mild"]])},
                  batch_labels={"arm": ("oral", "normal kidneys")}, meta={"x": 1})


def test_labelled_batch_axis_selects_by_label_and_column_name():
    r = labelled()
    assert r.batch_shape == (2,) and r.batch_labels == {"arm": ("oral", "normal kidneys")}
    oral = r.select(arm="oral")
    assert oral.batch_labels == {} and oral.plasma_ng_ml.tolist() == [0.0, 1.0, 2.0]
    assert r["plasma_ng_ml[normal kidneys]"].tolist() == [0.0, 2.0, 4.0]
    assert "sedation_band[oral]" in r and "sedation_band[renal]" not in r
    assert r.item(slice(1, None)).batch_labels == {"arm": ("normal kidneys",)}
    assert r.rounded().batch_labels == r.batch_labels
    assert r.at(np.array([0.5])).batch_labels == r.batch_labels
    with pytest.raises(ParameterError, match="oral, normal kidneys"):
        r.select(arm="intrathecal")
    with pytest.raises(ParameterError, match="labelled axes: arm"):
        r.select(patient="a")


def test_labelled_batch_axis_is_checked():
    with pytest.raises(SimulationError, match="leading axes"):
        Result("t_h", [0.0, 1.0], {"x": np.ones((3, 2))}, batch_labels={"arm": ("a", "b")})
    with pytest.raises(SimulationError, match="distinct"):
        Result("t_h", [0.0, 1.0], {"x": np.ones((2, 2))}, batch_labels={"arm": ("a", "a")})
    with pytest.raises(SimulationError, match="free of"):
        Result("t_h", [0.0, 1.0], {"x": np.ones((2, 2))}, batch_labels={"arm": ("a", "b[1]")})


def test_labelled_csv_columns_are_grouped_by_label_with_units(tmp_path):
    import json

    text = labelled().to_csv(tmp_path / "l.csv").read_text()
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header == ("t_h,plasma_ng_ml[oral],sedation_band[oral],plasma_ng_ml[normal kidneys],"
                      "sedation_band[normal kidneys]")
    units_line = next(line for line in text.splitlines() if line.startswith("# units:"))
    units = json.loads(units_line.removeprefix("# units: "))
    assert units == {"t_h": "h", "plasma_ng_ml[oral]": "ng/mL", "sedation_band[oral]": "band",
                     "plasma_ng_ml[normal kidneys]": "ng/mL", "sedation_band[normal kidneys]": "band"}
    assert "\n1,1,none,2,mild\n" in text
