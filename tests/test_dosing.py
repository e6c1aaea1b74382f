"""Tests for sim.dosing: regimens as data, editing, provenance and the safety rails."""

from __future__ import annotations

import json
import math
import warnings

import pytest

import sim
from sim.dosing import (
    DoseEvent,
    Haemodialysis,
    IntrathecalBolus,
    IntrathecalInfusion,
    Oral,
    Regimen,
    regimen_from_dict,
)
from sim.errors import DoseWarning, ParameterError


# --------------------------------------------------------------------------- building and listing
def test_public_names_are_exported_lazily_from_sim():
    assert sim.Oral is Oral and sim.Regimen is Regimen and sim.Haemodialysis is Haemodialysis
    assert sim.IntrathecalBolus is IntrathecalBolus and sim.IntrathecalInfusion is IntrathecalInfusion


def test_oral_series_lists_its_doses_in_time_order():
    events = Oral(10, every_h=8, n_doses=3, start_h=2).events()
    assert [e.time_h for e in events] == [2.0, 10.0, 18.0]
    assert all(e.route == "oral" and e.dose == 10.0 and e.formulation == "tablet" for e in events)


def test_titration_follows_the_label_schedule():
    # Label: 5 → 10 → 15 → 20 mg TID, 3 days each (OZOBAX PI).
    regimen = Oral.titration([(5, 3), (10, 3), (15, 3), (20, 3)], every_h=8)
    doses = [e.dose for e in regimen.events()]
    assert len(doses) == 36
    assert doses[:9] == [5.0] * 9 and doses[-9:] == [20.0] * 9
    assert regimen.events()[9].time_h == 72.0
    assert regimen.total_oral_mg == 9 * (5 + 10 + 15 + 20)


def test_taper_must_not_increase():
    taper = Oral.taper([(20, 2), (10, 2), (5, 2)], every_h=8, start_h=24)
    assert [e.dose for e in taper.events()][::6] == [20.0, 10.0, 5.0]
    with pytest.raises(ParameterError, match="taper"):
        Oral.taper([(5, 2), (10, 2)])


def test_titration_rejects_partial_intervals():
    with pytest.raises(ParameterError, match=r"steps\[0\] days = 0.5"):
        Oral.titration([(5, 0.5)], every_h=7)


def test_missed_and_extra_doses_edit_the_event_list():
    regimen = Oral(10, every_h=8, n_doses=6)
    missed = regimen.without_dose(2)
    assert [e.time_h for e in missed.events()] == [0.0, 8.0, 24.0, 32.0, 40.0]
    extra = regimen.with_extra_dose(Oral(10, start_h=20))
    assert len(extra.events()) == 7 and extra.total_oral_mg == 70.0
    rebuilt = Regimen.from_events(regimen.events())
    assert rebuilt.events() == regimen.events()
    with pytest.raises(ParameterError, match="without_dose index = 6"):
        regimen.without_dose(6)


def test_editing_keeps_infusions_and_dialysis():
    regimen = Oral(10, every_h=12, n_doses=2) + IntrathecalInfusion(400, start_h=48) + Haemodialysis(30)
    edited = regimen.without_dose(0)
    assert edited.infusions == regimen.infusions
    assert edited.dialysis_sessions == regimen.dialysis_sessions


def test_stopped_at_models_an_abrupt_stop():
    regimen = IntrathecalInfusion(400) + Oral(10, every_h=8, n_doses=10)
    stopped = regimen.stopped_at(30.0)
    assert stopped.infusions[0].stop_h == 30.0
    assert max(e.time_h for e in stopped.events()) < 30.0


def test_rate_changes_are_successive_infusions():
    pump = IntrathecalInfusion(300, stop_h=24) + IntrathecalInfusion(400, start_h=24)
    assert float(pump.infusion_rate_mg_per_h(23.9)) == pytest.approx(0.3 / 24)
    assert float(pump.infusion_rate_mg_per_h(24.0)) == pytest.approx(0.4 / 24)  # right-continuous
    assert pump.breakpoints() == (0.0, 24.0)


def test_dialysis_adds_clearance_only_while_it_runs():
    session = Haemodialysis(10.0, 4.0)
    regimen = Regimen(session)
    assert float(regimen.dialysis_clearance_ml_min(9.99)) == 0.0
    assert float(regimen.dialysis_clearance_ml_min(12.0)) == 128.0  # Brvar 2007
    assert float(regimen.dialysis_clearance_ml_min(14.0)) == 0.0
    assert regimen.events() == ()


def test_combination_is_order_independent_hashable_and_frozen():
    a = Oral(10, start_h=4) + IntrathecalBolus(50)
    b = IntrathecalBolus(50) + Oral(10, start_h=4)
    assert a == b and hash(a) == hash(b)
    assert len({a, b, Oral(10)}) == 2
    with pytest.raises(AttributeError):
        Oral(10).dose_mg = 20  # type: ignore[misc]
    assert sum([Oral(10), Oral(10, start_h=8)]) == Oral(10) + Oral(10, start_h=8)


def test_repr_is_readable():
    assert repr(Oral(10, every_h=8, n_doses=3)) == "Oral(10.0, every_h=8.0, n_doses=3)"
    assert repr(IntrathecalInfusion(400, stop_h=24)) == "IntrathecalInfusion(400.0, stop_h=24.0)"
    assert repr(Oral(5) + Haemodialysis(3)) == "Regimen(Oral(5.0), Haemodialysis(3.0))"


def test_to_dict_round_trips_through_json():
    regimen = (Oral.titration([(5, 1), (10, 1)], every_h=8, formulation="solution")
               + IntrathecalBolus(75, at_h=50) + IntrathecalInfusion(400, start_h=60, stop_h=100)
               + Haemodialysis(70, 3.5, clearance_ml_min=100))
    data = json.loads(json.dumps(regimen.to_dict()))
    # TOML has no null: None fields are left out.
    assert "None" not in json.dumps(data) and "null" not in json.dumps(data)
    assert regimen_from_dict(data) == regimen
    assert Regimen.from_dict(Oral(10).to_dict()) == Regimen(Oral(10))


def test_from_dict_names_unknown_kinds_and_fields():
    with pytest.raises(ParameterError, match="did you mean 'oral'"):
        regimen_from_dict({"kind": "orall", "dose_mg": 5})
    with pytest.raises(ParameterError, match="did you mean 'dose_mg'"):
        regimen_from_dict({"kind": "oral", "dose_mgg": 5})


def test_dose_event_round_trip():
    event = DoseEvent(3.0, "intrathecal", 50.0)
    assert event.amount_mg == 0.05 and event.unit == "µg"
    assert event.as_regimen() == IntrathecalBolus(50, at_h=3)


# --------------------------------------------------------------------------- bad regimens
@pytest.mark.parametrize(
    ("build", "field", "value"),
    [
        (lambda: Oral(-5), "Oral.dose_mg", "-5.0"),
        (lambda: Oral(math.nan), "Oral.dose_mg", "nan"),
        (lambda: Oral(math.inf), "Oral.dose_mg", "inf"),
        (lambda: Oral("ten"), "Oral.dose_mg", "'ten'"),
        (lambda: Oral(10, formulation="syrup"), "Oral.formulation", "'syrup'"),
        (lambda: Oral(10, n_doses=3), "Oral.every_h", "None"),
        (lambda: Oral(10, every_h=8, n_doses=0), "Oral.n_doses", "0"),
        (lambda: Oral(10, every_h=8, n_doses=2.5), "Oral.n_doses", "2.5"),
        (lambda: Oral(10, every_h=-8, n_doses=2), "Oral.every_h", "-8.0"),
        (lambda: Oral(10, start_h=-1), "Oral.start_h", "-1.0"),
        (lambda: IntrathecalBolus(-1), "IntrathecalBolus.dose_ug", "-1.0"),
        (lambda: IntrathecalInfusion(math.inf), "IntrathecalInfusion.rate_ug_per_day", "inf"),
        (lambda: IntrathecalInfusion(-400), "IntrathecalInfusion.rate_ug_per_day", "-400.0"),
        (lambda: IntrathecalInfusion(400, start_h=10, stop_h=5), "IntrathecalInfusion.stop_h", "5.0"),
        (lambda: IntrathecalInfusion(400, start_h=10, stop_h=10), "IntrathecalInfusion.stop_h", "10.0"),
        (lambda: IntrathecalInfusion(400, stop_h=48) + IntrathecalInfusion(300, start_h=24),
         "IntrathecalInfusion.start_h", "24.0"),
        (lambda: IntrathecalInfusion(400) + IntrathecalInfusion(300, start_h=100),
         "IntrathecalInfusion.start_h", "100.0"),
        (lambda: Haemodialysis(0, 4) + Haemodialysis(2), "Haemodialysis.start_h", "2.0"),
        (lambda: Haemodialysis(0, duration_h=0), "Haemodialysis.duration_h", "0.0"),
        (lambda: Haemodialysis(0, clearance_ml_min=-1), "Haemodialysis.clearance_ml_min", "-1.0"),
    ],
)
def test_bad_regimens_name_field_and_value(build, field, value):
    with pytest.raises(ParameterError) as info:
        build()
    message = str(info.value)
    assert field in message and value in message


def test_range_is_quoted_in_the_message():
    with pytest.raises(ParameterError, match=r"allowed range \[0.0, 800.0\] mg"):
        Oral(-1)


# --------------------------------------------------------------------------- overdose opt-in
@pytest.mark.parametrize(
    "build",
    [
        lambda **kw: Oral(900, **kw),                                 # single dose > 10 × 80 mg
        lambda **kw: Oral(250, every_h=6, n_doses=4, **kw),           # 1000 mg in 24 h
        lambda **kw: IntrathecalBolus(1500, **kw),                    # > 10 × 100 µg
        lambda **kw: IntrathecalInfusion(12_000, **kw),               # > 10 × 1000 µg/day
    ],
)
def test_overdose_needs_explicit_opt_in_and_then_warns(build):
    with pytest.raises(ParameterError, match="allow_overdose=True"):
        build()
    with pytest.warns(DoseWarning, match="allow_overdose=True"):
        build(allow_overdose=True)


def test_combined_oral_total_is_checked_over_24_hours():
    with pytest.raises(ParameterError, match="Regimen oral total = 900"):
        Oral(400) + Oral(500, start_h=12)
    with pytest.warns(DoseWarning, match="Regimen oral total = 900"):
        Oral(400, allow_overdose=True) + Oral(500, start_h=12)
    Oral(400) + Oral(400, start_h=24)  # a day apart: fine


def test_labelled_doses_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Oral(20, every_h=6, n_doses=28)          # 80 mg/day
        IntrathecalBolus(100)
        IntrathecalInfusion(8000)                # 8× the usual maximum: allowed, no warning


def test_a_one_block_regimen_equals_its_block():
    assert Regimen(Oral(10)) == Oral(10) and Oral(10) == Regimen(Oral(10))
    assert hash(Regimen(Oral(10))) == hash(Oral(10))
    assert Regimen(Oral(10)) != Oral(20)
