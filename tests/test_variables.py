"""Tests of sim.variables: one registry of names, units and labels, and everything agrees with it."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import course, reflex, variables
from sim.result import Result
from sim.variables import VARIABLES, axis_label, display_unit, lookup

FORBIDDEN = ("probabilit", "%", "risk of")

# Unit mappings the stage modules still carry themselves; the registry must agree with each.
PRODUCER_UNITS = {
    "sim.course.UNITS": course.UNITS,
    "sim.reflex.TRACE_UNITS": reflex.TRACE_UNITS,
    "sim.reflex._SUMMARY_UNITS": reflex._SUMMARY_UNITS,
    "sim.reflex.STATE_UNITS": reflex.STATE_UNITS,
}


@pytest.mark.parametrize("source", list(PRODUCER_UNITS))
def test_stage_units_are_registered_and_agree(source):
    units = PRODUCER_UNITS[source]
    assert [name for name in units if name not in VARIABLES] == [], f"{source}: unregistered names"
    assert variables.disagreements(units) == {}, f"{source} disagrees with sim.variables"


def test_pk_result_units_agree_with_the_registry():
    levels = sim.pk.simulate(sim.Patient(), sim.Oral(20, every_h=8, n_doses=2), np.arange(0.0, 12.0, 1.0))
    names = [*levels.names, levels.axis_name]
    assert [name for name in names if name not in VARIABLES] == []
    assert variables.disagreements(levels.units) == {}


def test_explicit_units_outside_the_registry_are_kept_and_registry_names_win():
    r = Result("dose_level", [0.0, 1.0], {"plasma_ng_ml": [0.0, 1.0], "mass_kg": [70.0, 71.0]},
               units={"mass_kg": "kg", "dose_level": "mg"})
    assert r.unit("mass_kg") == "kg" and r.unit("dose_level") == "mg"
    assert r.unit("plasma_ng_ml") == r.unit("plasma_ng_ml[oral]") == "ng/mL"
    assert r.unit("unknown") == ""


@pytest.mark.parametrize("variable", list(VARIABLES.values()), ids=list(VARIABLES))
def test_every_entry_is_complete_and_never_a_probability(variable):
    assert variable.name and variable.unit and variable.description.strip()
    assert variable.group in variables.GROUPS
    assert variable.label.startswith(variable.quantity)
    shown = display_unit(variable.unit)
    if shown and variable.name not in ("emg", "emg_peak"):  # EMG is shown in arbitrary units
        assert variable.label.endswith(f"({shown})"), variable.label
    for word in FORBIDDEN:
        assert word not in variable.label.lower(), variable.label


def test_lookup_resolves_columns_and_hints():
    assert lookup("sedation_band[impaired kidneys]").unit == "band"
    with pytest.raises(KeyError, match="did you mean 'torque_nm'"):
        lookup("torque_mn")


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("emg", None, "EMG (a.u.)"),
        ("emg", "1", "EMG (a.u.)"),
        ("plasma_ng_ml", "µg/L", "Plasma concentration (µg/L)"),
        ("spasm_index", None, "Spasm index (ms)"),
        ("daily_dose_mg", None, "Daily oral dose (mg/day)"),
        ("sedation_band", None, "Sedation band"),
        ("torque_nm[spastic]", None, "Joint torque (N·m)"),
        ("t_s", None, "Time (s)"),
    ],
)
def test_axis_labels(name, unit, expected):
    assert axis_label(name, unit) == expected


def test_plotting_labels_are_the_registry():
    from sim import plotting

    assert plotting.axis_label is variables.axis_label
    assert plotting.SERIES_LABELS["plasma_ng_ml"] == ("Plasma concentration", "ng/mL")
