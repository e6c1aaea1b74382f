"""Property-based tests: public entry points on generated input end in a finite, in-bounds
result or in one of the project's own errors (sim.errors.SimError) – never another exception,
a NaN or a hang.

Each test sets its number of examples; together they generate well over 2,000 cases per run
(``test_enough_generated_cases`` adds them up).  They stay cheap: no millisecond reflex probes,
only PK, receptor and synapse functions, scenario loading and option parsing.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sim
from sim import dosing, receptor, synapse
from sim.errors import DoseWarning, SimError
from sim.fileio import FILE_STEM_PATTERN, check_file_stem, check_formats
from sim.model import STAGES, ModelParameters
from sim.parameters import LIMITS
from sim.scenario import ARM_NAME_PATTERN, builtin_path, loads, parse_set_option

EXAMPLES = {
    "regimen_pk": 300,
    "titration": 150,
    "activation": 400,
    "release": 250,
    "scenario_text": 400,
    "set_option": 400,
    "overrides": 300,
    "names": 200,
}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                derandomize=False)

# Numbers as a careless user might give them: ordinary, negative, huge, tiny, inf, nan.
wild_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e3),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, -1.0, 0.25, 1.0, 24.0, 800.0, 801.0]),
)
wild_values = st.one_of(
    wild_floats,
    st.integers(min_value=-10**20, max_value=10**20),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
)


def _own_error_only(call):
    """Run *call*; return its result, or None if it raised a SimError (anything else fails)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DoseWarning)
        try:
            result = call()
        except SimError as error:
            assert "\n" not in str(error)
            event(f"refused: {type(error).__name__}")
            return None
    event("accepted")
    return result


# ---------------------------------------------------------------------------------------------
# Dosing regimens and exact PK
@st.composite
def regimens(draw):
    kind = draw(st.sampled_from(["oral", "bolus", "infusion", "dialysis", "none"]))
    if kind == "oral":
        return lambda: dosing.Oral(draw(wild_floats), every_h=draw(st.one_of(st.none(), wild_floats)),
                                   n_doses=draw(st.one_of(st.integers(-3, 60), st.floats(0, 10))),
                                   start_h=draw(wild_floats),
                                   formulation=draw(st.sampled_from(["tablet", "solution", "syrup"])))
    if kind == "bolus":
        return lambda: dosing.IntrathecalBolus(draw(wild_floats), at_h=draw(wild_floats))
    if kind == "infusion":
        return lambda: dosing.IntrathecalInfusion(draw(wild_floats), start_h=draw(wild_floats),
                                                  stop_h=draw(st.one_of(st.none(), wild_floats)))
    if kind == "dialysis":
        return lambda: dosing.Regimen(dosing.Oral(20.0, every_h=8.0, n_doses=6),
                                      dosing.Haemodialysis(start_h=draw(wild_floats),
                                                           duration_h=draw(wild_floats)))
    return dosing.Regimen


@settings(max_examples=EXAMPLES["regimen_pk"], **SETTINGS)
@given(make=regimens(), clearance=wild_floats, hours=st.floats(0.5, 96.0), n=st.integers(2, 60))
def test_regimen_and_pk_end_in_finite_levels_or_own_error(make, clearance, hours, n):
    regimen = _own_error_only(make)
    if regimen is None:
        return
    patient = _own_error_only(lambda: sim.Patient(creatinine_clearance_ml_min=clearance))
    if patient is None:
        return
    t_h = np.linspace(0.0, hours, n)
    levels = _own_error_only(lambda: sim.pk.simulate(regimen, patient, t_h))
    if levels is None:
        return
    for name in ("plasma_ng_ml", "csf_ng_ml", "brain_ng_ml"):
        values = np.asarray(levels[name])
        assert values.shape[-1] == n
        assert np.all(np.isfinite(values)) and np.all(values >= 0.0), name


plausible_steps = st.lists(st.tuples(st.floats(0.0, 40.0), st.floats(0.5, 10.0)), min_size=1, max_size=5)


@settings(max_examples=EXAMPLES["titration"], **SETTINGS)
@given(steps=st.one_of(plausible_steps, st.lists(st.tuples(wild_floats, wild_floats), max_size=5)),
       every_h=st.one_of(st.sampled_from([6.0, 8.0, 12.0]), wild_floats))
def test_titration_is_a_regimen_or_own_error(steps, every_h):
    regimen = _own_error_only(lambda: dosing.Oral.titration(steps, every_h=every_h))
    if regimen is not None:
        assert math.isfinite(regimen.total_oral_mg) and regimen.total_oral_mg >= 0


# ---------------------------------------------------------------------------------------------
# Receptor and synapse stage functions
@settings(max_examples=EXAMPLES["activation"], **SETTINGS)
@given(concentration=st.one_of(wild_floats, st.lists(wild_floats, min_size=1, max_size=5), st.text(max_size=3)),
       enantiomer=st.sampled_from(["R", "S", "racemic", "D", ""]),
       site=st.sampled_from(["presynaptic", "postsynaptic", "brain", "spinal"]))
def test_receptor_activation_is_a_fraction_or_own_error(concentration, enantiomer, site):
    value = _own_error_only(lambda: receptor.activation(concentration, enantiomer=enantiomer, site=site))
    if value is not None:
        array = np.asarray(value, dtype=float)
        assert np.all(np.isfinite(array)) and np.all((array >= 0.0) & (array <= 1.0))


@settings(max_examples=EXAMPLES["release"], **SETTINGS)
@given(fraction=st.one_of(wild_floats, st.lists(wild_floats, min_size=1, max_size=5)),
       bath=st.one_of(wild_floats, st.lists(wild_floats, min_size=1, max_size=4)))
def test_release_and_slice_epsc_are_bounded_or_own_error(fraction, bath):
    release = _own_error_only(lambda: synapse.release_fraction(fraction))
    if release is not None:
        array = np.asarray(release, dtype=float)
        assert np.all(np.isfinite(array)) and np.all(array >= 0.0)
    epsc = _own_error_only(lambda: synapse.slice_epsc(bath))
    if epsc is not None:
        array = np.asarray(epsc, dtype=float)
        assert np.all(np.isfinite(array)) and np.all((array >= 0.0) & (array <= 1.0 + 1e-9))


# ---------------------------------------------------------------------------------------------
# Scenario files: generated TOML text
ROUTES = builtin_path("routes").read_text(encoding="utf-8")
SPASTICITY = builtin_path("spasticity").read_text(encoding="utf-8")
DOSES = builtin_path("dose-response").read_text(encoding="utf-8")
MECHANISMS = builtin_path("mechanisms-compared").read_text(encoding="utf-8")
BASES = [ROUTES, SPASTICITY, DOSES, MECHANISMS]


def _toml(value) -> str:
    """A TOML spelling of *value* (numbers, text, lists, tables; nan and inf included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
                             for c in value if ord(c) < 0xD800 or ord(c) > 0xDFFF) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


toml_values = st.recursive(
    st.one_of(wild_floats, st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["a", "dose_mg", "name", "type"]), inner, max_size=2)),
    max_leaves=6,
)
KEYS = ["name", "kind", "schema_version", "seed", "title", "hours", "probe_every_h", "velocities_deg_s",
        "amplitude_deg", "daily_doses_mg", "doses_per_day", "days", "csf_ng_ml", "panels", "file", "patient",
        "regimen", "mechanism", "enantiomer", "condition", "spasticity", "dose_mg", "every_h", "n_doses",
        "rate_ug_per_day", "questions", "notice", "overrides", "label", "creatinine_clearance_ml_min"]


# Values that are often right, so that many generated files load and are then checked.
plausible_values = st.one_of(
    st.floats(0.0, 500.0), st.integers(0, 300), st.lists(st.floats(0.0, 900.0), min_size=1, max_size=6),
    st.sampled_from(["spastic", "healthy", "both", "R", "oral", "x-1", "routes", "plasma_ng_ml", "emg_peak",
                     "reflex_gain_rel", "h_reflex_ratio"]),
    st.lists(st.sampled_from(["plasma_ng_ml", "emg", "emg_peak", "reflex_gain_rel", "h_reflex_ratio",
                              "sedation_band", "nope"]), min_size=1, max_size=3),
)


def _leaves(node, path=()):
    """Paths of every value in a parsed document (tables and lists walked into)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield path + (index,)
            yield from _leaves(value, path + (index,))


def _dump(data: dict) -> str:
    """TOML text of a parsed scenario: scalars, then tables, then arrays of tables."""
    lines = [f"{k} = {_toml(v)}" for k, v in data.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v and all(isinstance(i, dict) for i in v))]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            for item in value:
                lines += ["", f"[[{key}]]"] + [f"{k} = {_toml(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def _nudged(draw, old):
    """A value near *old* (same kind) – often still valid, sometimes just over a limit."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, (int, float)):
        factor = draw(st.sampled_from([0.0, 0.5, 0.9, 1.1, 2.0, 10.0, -1.0, 1e3, 1e6]))
        return type(old)(old * factor) if isinstance(old, int) else old * factor
    if isinstance(old, list) and old:
        items = list(old)
        action = draw(st.integers(0, 2))
        if action == 0:
            items.pop(draw(st.integers(0, len(items) - 1)))
        elif action == 1:
            items.append(items[-1])
        else:
            items.reverse()
        return items
    if isinstance(old, str):
        return draw(st.sampled_from([old.upper(), old + "x", "", old[:1], "../" + old, old * 2]))
    return draw(toml_values)


@st.composite
def scenario_texts(draw):
    """A built-in file with a few values changed (nudged, replaced or removed), re-written as TOML;
    now and then raw text edits that may break the TOML itself."""
    import copy
    import tomllib

    text = draw(st.sampled_from(BASES))
    if draw(st.integers(0, 9)) == 0:
        lines = text.splitlines()
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
        return "\n".join(lines)
    data = copy.deepcopy(tomllib.loads(text))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_leaves(data))))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        how = draw(st.integers(0, 9))
        if how < 5:
            parent[path[-1]] = _nudged(draw, parent[path[-1]])
        elif how < 7:
            parent[path[-1]] = draw(plausible_values)
        elif how < 9:
            parent[path[-1]] = draw(toml_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    try:
        return _dump(data)
    except TypeError:  # a value _toml cannot spell: keep the original
        return text


def _check_scenario(scenario) -> None:
    from sim.runner import PANELS, estimate

    assert FILE_STEM_PATTERN.fullmatch(scenario.name)
    assert FILE_STEM_PATTERN.fullmatch(scenario.figure.get("file", scenario.name))
    assert set(scenario.figure["panels"]) <= set(PANELS[scenario.kind])
    assert all(ARM_NAME_PATTERN.fullmatch(arm.name) for arm in scenario.arms)
    for key, value in scenario.settings.items():
        for number in np.ravel(np.asarray(value, dtype=float)):
            assert math.isfinite(number), key
    for arm in scenario.arms:
        ModelParameters().with_overrides(arm.overrides)
    size = estimate(scenario)
    assert size.points >= 0 and size.probes >= 0 and size.csv_bytes > 0


@settings(max_examples=EXAMPLES["scenario_text"], **SETTINGS)
@given(text=scenario_texts())
def test_generated_scenario_files_load_valid_or_raise_scenario_error(text):
    scenario = _own_error_only(lambda: loads(text, source="generated.toml"))
    if scenario is not None:
        _check_scenario(scenario)
        if "csf_ng_ml" in scenario.settings:
            assert max(scenario.settings["csf_ng_ml"]) <= LIMITS["csf_ng_ml"].high


# ---------------------------------------------------------------------------------------------
# --set parsing and application
set_keys = st.one_of(
    st.sampled_from(["settings.hours", "settings.probe_every_h", "arms.oral.regimen.0.dose_mg",
                     "arms.0.regimen.0.every_h", "arms.1.regimen.0.rate_ug_per_day", "arms.5.label",
                     "arms.oral.patient.spasticity", "name", "figure.file", "figure.panels",
                     "receptor.ec50_presynaptic_r_um", "pk.bioavailability", "sedation.band_edges",
                     "recepter.hill_coefficient", "arms.oral.regimen.x.dose_mg", "settings", "arms"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz._0123456789 -", min_size=1, max_size=30),
)


@settings(max_examples=EXAMPLES["set_option"], **SETTINGS)
@given(key=set_keys, raw=st.one_of(st.text(max_size=15), toml_values.map(_toml)), equals=st.booleans())
def test_set_options_apply_or_raise_own_error(key, raw, equals):
    text = f"{key}={raw}" if equals else key + raw
    parsed = _own_error_only(lambda: parse_set_option(text))
    if parsed is None:
        return
    scenario = _own_error_only(lambda: loads(ROUTES, source="routes.toml", overrides=dict([parsed])))
    if scenario is not None:
        _check_scenario(scenario)


# ---------------------------------------------------------------------------------------------
# Model parameters by dotted name
PARAMETER_KEYS = [row["name"] for row in ModelParameters().table()]


@settings(max_examples=EXAMPLES["overrides"], **SETTINGS)
@given(key=st.one_of(st.sampled_from(PARAMETER_KEYS), st.sampled_from(list(STAGES)).map(lambda s: s + ".nope")),
       value=st.one_of(st.floats(0.0, 2.0), st.floats(0.0, 1e4), wild_values))
def test_parameter_overrides_are_in_bounds_or_own_error(key, value):
    params = _own_error_only(lambda: ModelParameters().with_overrides({key: value}))
    if params is None:
        return
    stage, field = key.split(".", 1)
    stored = getattr(getattr(params, stage), field)
    assert np.all(np.isfinite(np.asarray(stored, dtype=float)))
    bounds = type(getattr(params, stage)).metadata(field).get("bounds")
    if bounds:
        assert bounds[0] <= float(stored) <= bounds[1]


# ---------------------------------------------------------------------------------------------
# File names and formats
@settings(max_examples=EXAMPLES["names"], **SETTINGS)
@given(name=st.one_of(st.text(max_size=80), st.from_regex(FILE_STEM_PATTERN, fullmatch=True)),
       formats=st.one_of(st.text(max_size=12), st.lists(st.sampled_from(["png", "svg", "PDF", ".png", "gif", ""]))))
def test_file_stems_and_formats_are_safe_or_own_error(name, formats):
    stem = _own_error_only(lambda: check_file_stem(name))
    if stem is not None:
        assert "/" not in stem and "\\" not in stem and "\0" not in stem and stem not in (".", "..")
        assert 1 <= len(stem) <= 64
    chosen = _own_error_only(lambda: check_formats(formats))
    if chosen is not None:
        assert chosen and set(chosen) <= {"png", "svg", "pdf"}


def test_enough_generated_cases():
    assert sum(EXAMPLES.values()) >= 2000


@pytest.mark.parametrize("name", ["R", "normal kidneys", "impaired kidneys", "both"])
def test_builtin_arm_names_fit_the_pattern(name):
    assert ARM_NAME_PATTERN.fullmatch(name)
