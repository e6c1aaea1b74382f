"""Scenario files: loading, validation (all problems at once), overrides."""

import pytest

from sim.errors import ScenarioError
from sim.scenario import builtin_names, builtin_path, load, loads, parse_set_option

GOOD = """
schema_version = 1
name = "t"
kind = "course"
title = "T"
objective = "O"
notice = ["n"]
questions = ["q1", "q2"]

[settings]
hours = 24.0

[[arms]]
name = "oral"
patient = { condition = "spastic" }
regimen = [{ type = "oral", dose_mg = 10.0, every_h = 8.0, n_doses = 3 }]

[figure]
title = "T"
panels = ["plasma_ng_ml"]
"""


def test_every_builtin_loads():
    names = builtin_names()
    assert len(names) >= 9
    for name in names:
        scenario = load(name)
        assert scenario.title and scenario.objective and 2 <= len(scenario.questions) <= 4
        assert scenario.arms and scenario.figure["panels"]


def test_good_document_loads_with_hash():
    scenario = loads(GOOD, source="t.toml")
    assert scenario.arms[0].regimen is not None and len(scenario.sha256) == 64


@pytest.mark.parametrize(
    "old, new, fragment",
    [
        ('title = "T"\nobjective', 'titel = "T"\nobjective', "titel: unknown key (did you mean 'title'?)"),
        ("hours = 24.0", 'hours = "a day"', "settings.hours = 'a day': expected a number"),
        ('questions = ["q1", "q2"]\n', "", "questions: missing required key"),
        ("hours = 24.0", "hours = -5.0", "settings.hours = -5.0: outside the allowed range [0.001, 8784] h"),
        ("dose_mg = 10.0", "dose_mg = -10.0", "Oral.dose_mg = -10.0"),
        ('condition = "spastic"', 'condition = "sick"', "Patient.condition = 'sick'"),
        ("type = \"oral\"", "type = \"orla\"", "did you mean 'oral'?"),
        ("every_h = 8.0", "evry_h = 8.0", "evry_h: unknown key (did you mean 'every_h'?)"),
    ],
)
def test_malformed_documents_name_the_key(old, new, fragment):
    assert old in GOOD
    with pytest.raises(ScenarioError) as info:
        loads(GOOD.replace(old, new, 1), source="bad.toml")
    message = str(info.value)
    assert message.startswith("bad.toml: ") and fragment in message
    assert "\n" not in message


def test_all_problems_reported_at_once():
    text = GOOD.replace('title = "T"\nobjective', 'titel = "T"\nobjective').replace("hours = 24.0", "hours = -1.0")
    with pytest.raises(ScenarioError) as info:
        loads(text, source="bad.toml")
    message = str(info.value)
    assert "3 problems" in message  # unknown 'titel', missing 'title', bad hours
    assert "titel" in message and "settings.hours" in message and "title: missing" in message


def test_bad_toml_syntax_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="invalid TOML"):
        loads("name = ", source="x.toml")


def test_unknown_builtin_name_has_a_hint():
    with pytest.raises(ScenarioError, match="did you mean 'routes'"):
        builtin_path("route")


def test_overrides_reach_arms_and_settings():
    scenario = loads(GOOD, overrides={"settings.hours": 48.0, "motoneuron.pic_conductance_spastic_ns": 1.0,
                                      "arms.oral.patient.creatinine_clearance_ml_min": 30.0})
    assert scenario.settings["hours"] == 48.0
    assert scenario.arms[0].overrides == {"motoneuron.pic_conductance_spastic_ns": 1.0}
    assert scenario.arms[0].patient.creatinine_clearance_ml_min == 30.0


def test_bad_parameter_override_is_reported():
    with pytest.raises(ScenarioError, match="recepter"):
        loads(GOOD, overrides={"recepter.hill_coefficient": 1.0})


def test_parse_set_option():
    assert parse_set_option("a.b=1.5") == ("a.b", 1.5)
    assert parse_set_option("a.b=hello") == ("a.b", "hello")
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        parse_set_option("nonsense")
