"""Teaching scenarios: TOML files → validated :class:`Scenario` objects.

A scenario is data only (stdlib :mod:`tomllib`): a title, the learning
objective, what to notice, questions for students, one or more *arms* (patient,
regimen, mechanism …), kind-specific settings and the figure to draw.  The
format is documented field by field in ``scenarios/README.md``.

Loading validates everything and reports **all** problems at once, each as
``file: key.path: problem`` with the bad value and what was expected; an
unknown key gets a "did you mean" hint.  Running a scenario lives in
:mod:`sim.runner`; this module only reads and checks.

Examples
--------
>>> s = load("routes")
>>> s.kind, [arm.name for arm in s.arms]
('course', ['oral', 'intrathecal'])
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import claims as claims_module
from .claims import Claim
from .errors import ScenarioError, SimError, did_you_mean
from .fileio import FILE_STEM_PATTERN
from .parameters import LIMITS

__all__ = [
    "SCHEMA_VERSION",
    "MAX_FILE_BYTES",
    "Arm",
    "Scenario",
    "builtin_names",
    "builtin_path",
    "load",
    "loads",
    "parse_set_option",
]

#: The scenario-file format this version reads.
SCHEMA_VERSION = 1


#: A scenario file is a few kilobytes; anything above this is not one (and is not read whole).
MAX_FILE_BYTES = 1_000_000


def _scenario_dir() -> Path:
    # An installed wheel ships the built-in scenarios inside the package (sim/scenarios/, see
    # pyproject.toml); a source checkout, editable install included, keeps them in the
    # top-level scenarios/ folder.
    package = Path(__file__).resolve().parent
    shipped = package / "scenarios"
    return shipped if shipped.is_dir() else package.parent / "scenarios"


SCENARIO_DIR = _scenario_dir()


# --------------------------------------------------------------------------
# Small schema language: a key's expected type, whether it is required, and a
# check returning an error text (or None).
@dataclasses.dataclass(frozen=True)
class _Key:
    kind: type | tuple[type, ...]
    required: bool = False
    check: Callable[[Any], str | None] | None = None
    expected: str = ""


def _positive(value: Any) -> str | None:
    return None if value > 0 else "expected a number > 0"


def _non_negative(value: Any) -> str | None:
    return None if value >= 0 else "expected a number ≥ 0"


def _limit(name: str, *, positive: bool = False) -> Callable[[Any], str | None]:
    """Check against the API's own range (:data:`sim.parameters.LIMITS`), so both agree."""
    spec = LIMITS[name]
    unit = f" {spec.unit}" if spec.unit and spec.unit != "1" else ""

    def check(value: Any) -> str | None:
        if not math.isfinite(value):
            return "expected a finite number"
        if positive and value <= 0:
            return "expected a number > 0"
        if not spec.low <= value <= spec.high:
            return f"outside the allowed range [{spec.low:g}, {spec.high:g}]{unit}"
        return None

    return check


def _range(low: float, high: float, unit: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not (math.isfinite(value) and low <= value <= high):
            return f"outside the allowed range [{low:g}, {high:g}]{f' {unit}' if unit else ''}"
        return None

    return check


def _list_of(kind: type | tuple[type, ...], what: str, *, minimum: int = 1, maximum: int = 10_000,
             item_check: Callable[[Any], str | None] | None = None,
             distinct: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not minimum <= len(value) <= maximum:
            return f"expected {minimum}–{maximum} {what}, got {len(value)}"
        for item in value:
            if not isinstance(item, kind) or isinstance(item, bool):
                return f"expected a list of {what}, found {_show(item)}"
            if item_check and (problem := item_check(item)):
                return f"{_show(item)}: {problem}"
        if distinct and len(set(value)) != len(value):
            # An axis with repeated values draws nothing sensible (and matplotlib warns).
            return f"expected {what} that all differ"
        return None

    return check


def _choice(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"expected one of {', '.join(map(repr, choices))}"

    return check


def _file_stem(value: str) -> str | None:
    if FILE_STEM_PATTERN.fullmatch(value):
        return None
    return ("cannot be used in a file name: use 1–64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit")


#: Arm names label CSV columns (``series[arm]``) and are addressed by ``--set arms.NAME.…``.
ARM_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _+-]{0,39}")


def _arm_name(value: str) -> str | None:
    if ARM_NAME_PATTERN.fullmatch(value):
        return None
    return "expected 1–40 letters, digits, spaces, '-', '_' or '+', starting with a letter or digit"


NUMBER = (int, float)
TEXTS = _list_of(str, "strings", maximum=50)

TOP_LEVEL = {
    "schema_version": _Key(int, True, lambda v: None if v == SCHEMA_VERSION else f"expected {SCHEMA_VERSION}"),
    "name": _Key(str, True, _file_stem),
    "title": _Key(str, True),
    "objective": _Key(str, True),
    "notice": _Key(list, True, TEXTS),
    "questions": _Key(list, True, _list_of(str, "questions", minimum=2, maximum=4)),
    "kind": _Key(str, True, lambda v: _choice(*_kinds())(v)),
    "assumptions": _Key(list, False, TEXTS),
    "seed": _Key(int, False, _non_negative),
    "settings": _Key(dict, False),
    "arms": _Key(list, True),
    "figure": _Key(dict, True),
    "outputs": _Key(list, False, TEXTS),
    "claims": _Key(list, False, lambda v: None if len(v) <= MAX_CLAIMS else f"expected at most {MAX_CLAIMS} claims"),
}

#: Most arms a figure can tell apart.
MAX_ARMS = 8

#: Most claims one scenario may list.
MAX_CLAIMS = 50

ARM_KEYS = {
    "name": _Key(str, True, _arm_name),
    "label": _Key(str, False),
    "patient": _Key(dict, False),
    "regimen": _Key(list, False, lambda v: None if len(v) <= 100 else "expected at most 100 dose blocks"),
    "mechanism": _Key(str, False, _choice("presynaptic", "postsynaptic", "both")),
    "enantiomer": _Key(str, False, _choice("racemic", "R", "S")),
    "spinal_effect_ng_ml": _Key(NUMBER, False, _limit("spinal_effect_ng_ml")),
    "overrides": _Key(dict, False),
    "creatinine_clearance_range_ml_min": _Key(list, False, _list_of(
        NUMBER, "creatinine clearances (mL/min), [low, high]", minimum=2, maximum=2,
        item_check=_range(0.0, 250.0, "mL/min"))),
    "drug": _Key(str, False, _choice("baclofen", "diazepam", "tizanidine", "dantrolene")),
}


def _dose_limit() -> float:
    from .dosing import ORAL_LABEL_MAX_MG_PER_DAY, OVERDOSE_FACTOR

    return OVERDOSE_FACTOR * ORAL_LABEL_MAX_MG_PER_DAY


# Schemas of each kind's [settings] table; sim.runner.KINDS (the one scenario-kind registry)
# says which kind uses which.
MECHANISM_SETTINGS = {
    "bath_um": _Key(list, True, _list_of(NUMBER, "concentrations (µM)", minimum=2, distinct=True,
                                         item_check=_limit("concentration_um"))),
    "ca_influx": _Key(list, False, _list_of(NUMBER, "Ca²⁺ influx fractions", minimum=2, distinct=True,
                                            item_check=_limit("ca_influx_fraction", positive=True))),
}
REFLEX_SETTINGS = {
    "velocities_deg_s": _Key(list, True, _list_of(NUMBER, "velocities (deg/s)", distinct=True,
                                                  item_check=_limit("velocity_deg_s", positive=True))),
    "amplitude_deg": _Key(NUMBER, False, _limit("amplitude_deg", positive=True)),
    "trace_velocity_deg_s": _Key(NUMBER, False, _limit("velocity_deg_s", positive=True)),
    "trace_hold_ms": _Key(NUMBER, False, _range(0.0, 5000.0, "ms")),
}
DOSE_RESPONSE_SETTINGS = {
    "daily_doses_mg": _Key(list, True, _list_of(
        NUMBER, "daily doses (mg)", minimum=2, distinct=True,
        item_check=lambda v: _range(0.0, _dose_limit(), "mg/day")(v))),
    "doses_per_day": _Key(int, False, _range(1, 24, "doses a day")),
    "days": _Key(NUMBER, False, _range(1.0, LIMITS["hours"].high / 24.0, "days")),
}
COURSE_SETTINGS = {
    "hours": _Key(NUMBER, True, _limit("hours")),
    "probe_every_h": _Key(NUMBER, False, _limit("probe_every_h")),
}
POPULATION_SETTINGS = {
    "patients": _Key(int, True, _range(10, 2000, "patients")),
    "hours": _Key(NUMBER, True, _limit("hours")),
    "every_h": _Key(NUMBER, False, _limit("probe_every_h")),
    "responder_gain_rel": _Key(NUMBER, False, lambda v: None if 0 < v <= 1 else "expected a number in (0, 1]"),
}
SENSITIVITY_SETTINGS = {
    "base_samples": _Key(int, False, lambda v: None if 256 <= v <= 65536 and v & (v - 1) == 0
                         else "expected a power of 2 from 256 to 65536"),
    "kidney_range_ml_min": _Key(list, False, _list_of(
        NUMBER, "creatinine clearances (mL/min), [low, high]", minimum=2, maximum=2,
        item_check=_range(0.0, 250.0, "mL/min"))),
}
ANTISPASTICS_SETTINGS = {
    "target_reflex_torque_rel": _Key(NUMBER, True, _range(0.2, 0.99)),
    "dose_fractions": _Key(list, False, _list_of(NUMBER, "fractions of the labelled maximum daily dose",
                                                 minimum=2, maximum=41, distinct=True, item_check=_range(0.0, 2.0))),
}
MECHANISMS_SETTINGS = {
    "spinal_effect_ng_ml": _Key(list, True, _list_of(NUMBER, "concentrations (ng/mL)", minimum=2, distinct=True,
                                                     item_check=_limit("spinal_effect_ng_ml"))),
}
CLONUS_SETTINGS = {
    "spinal_effect_ng_ml": _Key(list, True, _list_of(NUMBER, "concentrations (ng/mL)", minimum=2, distinct=True,
                                                     item_check=_limit("spinal_effect_ng_ml"))),
    "trace_levels_ng_ml": _Key(list, False, _list_of(NUMBER, "concentrations (ng/mL)", maximum=6, distinct=True,
                                                     item_check=_limit("spinal_effect_ng_ml"))),
    "duration_ms": _Key(NUMBER, False, _range(500.0, 20_000.0, "ms")),
    "push_torque_nm": _Key(NUMBER, False, _range(0.0, 50.0, "N·m")),
    "hold_torque_nm": _Key(NUMBER, False, _range(0.0, 50.0, "N·m")),
}


def _kinds() -> dict[str, Any]:
    """The scenario-kind registry (:data:`sim.runner.KINDS`), imported when first needed."""
    from .runner import KINDS

    return KINDS


FIGURE_KEYS = {
    "title": _Key(str, True),
    "panels": _Key(list, True, _list_of(str, "panel names", maximum=6)),
    "caption": _Key(str, False),
    "file": _Key(str, False, _file_stem),
}

REGIMEN_TYPES = {
    "oral": ("Oral", None),
    "oral-titration": ("Oral", "titration"),
    "oral-taper": ("Oral", "taper"),
    "intrathecal-bolus": ("IntrathecalBolus", None),
    "intrathecal-infusion": ("IntrathecalInfusion", None),
    "haemodialysis": ("Haemodialysis", None),
}


def _show(value: Any, width: int = 80) -> str:
    """Quote *value* in a message: its repr, on one line, cut in the middle to *width* characters
    (so a long path keeps its file name).

    >>> _show("/a/very/long/folder/" * 5 + "missing.toml", width=40)
    "'/a/very/long/folde...lder/missing.toml'"
    """
    text = repr(value)
    if len(text) <= width:
        return text
    tail = (width - 3) // 2
    return text[: width - 3 - tail] + "..." + text[-tail:]


@dataclasses.dataclass(frozen=True)
class Arm:
    """One arm of a comparison: a patient, what they receive and how the model is set."""

    name: str
    label: str
    patient: Any
    regimen: Any = None
    mechanism: str = "both"
    enantiomer: str = "racemic"
    spinal_effect_ng_ml: float = 0.0
    overrides: Mapping[str, float] = dataclasses.field(default_factory=dict)
    creatinine_clearance_range_ml_min: tuple[float, float] | None = None
    drug: str = "baclofen"


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A validated teaching scenario (see ``scenarios/README.md`` for every field)."""

    name: str
    title: str
    objective: str
    notice: tuple[str, ...]
    questions: tuple[str, ...]
    kind: str
    arms: tuple[Arm, ...]
    settings: Mapping[str, Any]
    figure: Mapping[str, Any]
    assumptions: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    seed: int = 0
    claims: tuple[Claim, ...] = ()
    source: str = "<string>"
    sha256: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


class _Problems:
    """Collects every problem found while validating one file.

    ``notes`` remembers which values came from ``--set`` (by table and key), so a problem
    in such a value quotes the option exactly as the user gave it.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []
        self.notes: dict[tuple[int, str], str] = {}

    def add(self, path: str, message: str, *, table: Any = None, key: str | None = None) -> None:
        note = self.note_for(table, key)
        if not path:
            text = message
        elif message.startswith("= "):  # "key = value: problem"
            text = f"{path} {message}"
        else:
            text = f"{path}: {message}"
        self.items.append(text + note)

    def note_for(self, table: Any, key: str | None) -> str:
        """`` (from --set KEY=VALUE)`` if that value (or, key None: any value of table) was set."""
        if table is None:
            return ""
        found = [text for (owner, name), text in self.notes.items()
                 if owner == id(table) and (key is None or name == key)]
        return f" (from {', '.join(found)})" if found else ""

    def raise_if_any(self) -> None:
        if self.items:
            count = len(self.items)
            head = f"{self.source}: {count} problem{'s' if count > 1 else ''}: "
            raise ScenarioError(head + "; ".join(self.items))


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    if isinstance(kind, tuple):
        return "a number" if set(kind) == {int, float} else " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = did_you_mean(key, allowed)
    return f"unknown key{hint}" if hint else f"unknown key; allowed: {', '.join(allowed)}"


def _check_table(data: Mapping[str, Any], schema: Mapping[str, _Key], path: str, problems: _Problems) -> dict[str, Any]:
    """Check one table against *schema*; return the keys whose values passed."""
    valid: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            problems.add(where, _unknown_key(key, list(schema)), table=data, key=key)
            continue
        spec = schema[key]
        kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
        if isinstance(value, bool) or not isinstance(value, kinds):
            problems.add(where, f"= {_show(value)}: expected {_type_name(spec.kind)}", table=data, key=key)
            continue
        if spec.check and (problem := spec.check(value)):
            problems.add(where, f"= {_show(value)}: {problem}", table=data, key=key)
            continue
        valid[key] = value
    for key, spec in schema.items():
        if spec.required and key not in data:
            problems.add(f"{path}.{key}" if path else key, "missing required key")
    return valid


def _call(factory: Callable[..., Any], kwargs: Mapping[str, Any], path: str, problems: _Problems,
          table: Any = None) -> Any:
    """Call a constructor with keyword arguments from TOML, turning errors into problems."""
    table = kwargs if table is None else table
    signature = inspect.signature(factory)
    params = signature.parameters
    accepts = {n for n, p in params.items() if p.kind is not inspect.Parameter.VAR_KEYWORD and n != "_"}
    unknown = [k for k in kwargs if k not in accepts]
    for key in unknown:
        problems.add(f"{path}.{key}", _unknown_key(key, sorted(accepts)), table=table, key=key)
    if unknown:
        return None
    positional = [n for n, p in params.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                  and p.default is inspect.Parameter.empty]
    missing = [n for n in positional if n not in kwargs]
    for name in missing:
        problems.add(f"{path}.{name}", "missing required key")
    if missing:
        return None
    try:
        return factory(**kwargs)
    except SimError as error:
        problems.add(path, str(error), table=table)
    except (TypeError, ValueError, OverflowError) as error:
        # A value of the wrong kind that the constructor did not anticipate (e.g. a table
        # where a number belongs): still the file's fault, so still one line.
        problems.add(path, f"invalid value: {error}", table=table)
    return None


def _build_regimen(entries: list[Any], path: str, problems: _Problems) -> Any:
    from . import dosing

    parts = []
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, f"= {_show(entry)}: expected a table")
            continue
        table = entry
        entry = dict(entry)
        kind = entry.pop("type", None)
        if not isinstance(kind, str) or kind not in REGIMEN_TYPES:
            problems.add(f"{where}.type", f"= {_show(kind)}: expected one of {', '.join(REGIMEN_TYPES)}"
                         f"{did_you_mean(kind, REGIMEN_TYPES)}", table=table, key="type")
            continue
        class_name, method = REGIMEN_TYPES[kind]
        factory = getattr(dosing, class_name)
        if method:
            factory = getattr(factory, method)
        part = _call(factory, entry, where, problems, table=table)
        if part is not None:
            parts.append(part)
    if not parts or len(parts) != len(entries):
        return None
    try:
        return dosing.Regimen(*parts)
    except SimError as error:
        problems.add(path, str(error))
        return None


def _check_overrides(overrides: Mapping[str, Any], path: str, problems: _Problems) -> dict[str, float]:
    from .model import ModelParameters

    valid = {}
    for key, value in overrides.items():
        try:
            ModelParameters().with_overrides({key: value})
        except SimError as error:
            problems.add(f"{path}.{key}", str(error), table=overrides, key=key)
            continue
        valid[key] = value
    return valid


def _build_arm(data: Any, index: int, kind: str, problems: _Problems) -> Arm | None:
    from .patient import Patient

    path = f"arms[{index}]"
    if not isinstance(data, dict):
        problems.add(path, f"= {_show(data)}: expected a table")
        return None
    valid = _check_table(data, ARM_KEYS, path, problems)
    if "name" in valid:
        path = f"arms[{index}] ({valid['name']})"
    patient = _call(Patient, valid.get("patient", {}), f"{path}.patient", problems)
    if patient is not None and patient.batch_shape != ():
        problems.add(f"{path}.patient", "expected one patient (numbers, not lists)", table=valid.get("patient"))
        patient = None
    regimen = None
    if "regimen" in valid:
        regimen = _build_regimen(valid["regimen"], f"{path}.regimen", problems)
    elif kind in ("course", "population", "sensitivity"):
        problems.add(f"{path}.regimen", f"missing required key (a {kind} scenario needs a regimen)")
    kidney_range = valid.get("creatinine_clearance_range_ml_min")
    if kidney_range is not None:
        if kind != "population":
            problems.add(f"{path}.creatinine_clearance_range_ml_min",
                         "only a 'population' scenario draws kidney function from a range")
            kidney_range = None
        elif kidney_range[0] > kidney_range[1]:
            problems.add(f"{path}.creatinine_clearance_range_ml_min",
                         f"= {_show(kidney_range)}: expected [low, high] with low ≤ high",
                         table=data, key="creatinine_clearance_range_ml_min")
            kidney_range = None
    overrides = _check_overrides(valid.get("overrides", {}), f"{path}.overrides", problems)
    if "drug" in valid and kind != "antispastics":
        problems.add(f"{path}.drug", "only an 'antispastics' scenario compares drugs (the other kinds give baclofen)")
    if "name" not in valid or patient is None:
        return None
    return Arm(
        name=valid["name"],
        label=valid.get("label", valid["name"]),
        patient=patient,
        regimen=regimen,
        mechanism=valid.get("mechanism", "both"),
        enantiomer=valid.get("enantiomer", "racemic"),
        spinal_effect_ng_ml=float(valid.get("spinal_effect_ng_ml", 0.0)),
        overrides=overrides,
        creatinine_clearance_range_ml_min=(None if kidney_range is None
                                           else (float(kidney_range[0]), float(kidney_range[1]))),
        drug=valid.get("drug", "baclofen"),
    )


def _check_panels(figure: Mapping[str, Any], kind: str, problems: _Problems) -> None:
    """Every panel must name a series the scenario kind computes (checked before any run)."""
    known = _kinds().get(kind)
    allowed = known.panels if known is not None else None
    if allowed is None or "panels" not in figure:
        return
    for name in figure["panels"]:
        if name not in allowed:
            problems.add("figure.panels", f"= {_show(figure['panels'])}: {name!r} is not a series of "
                         f"a {kind!r} scenario{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}",
                         table=figure, key="panels")


def _check_settings(kind: str, settings: Mapping[str, Any], raw: Mapping[str, Any], problems: _Problems) -> None:
    """Check what involves several settings, phrased in the settings the user wrote."""
    if kind == "population" and "hours" in settings and settings.get("every_h", 0) > settings["hours"]:
        problems.add("settings.every_h", f"= {_show(settings['every_h'])}: expected at most "
                     f"settings.hours = {_show(settings['hours'])}", table=raw, key="every_h")
    if kind == "course" and "hours" in settings and "probe_every_h" in settings:
        if settings["probe_every_h"] > settings["hours"]:
            problems.add("settings.probe_every_h", f"= {_show(settings['probe_every_h'])}: expected at most "
                         f"settings.hours = {_show(settings['hours'])}", table=raw, key="probe_every_h")
    if kind == "clonus" and "spinal_effect_ng_ml" in settings:
        missing = [v for v in settings.get("trace_levels_ng_ml", ()) if v not in settings["spinal_effect_ng_ml"]]
        if missing:
            problems.add("settings.trace_levels_ng_ml", f"= {_show(settings['trace_levels_ng_ml'])}: "
                         f"{_show(missing[0])} is not one of settings.spinal_effect_ng_ml", table=raw,
                         key="trace_levels_ng_ml")
    if kind == "dose-response" and "daily_doses_mg" in settings:
        from .dosing import Oral

        doses = settings["daily_doses_mg"]
        per_day = int(settings.get("doses_per_day", 3))
        days = float(settings.get("days", 5))
        for dose in doses:
            if dose <= 0:
                continue
            try:
                Oral(dose / per_day, every_h=24.0 / per_day, n_doses=math.ceil(days * per_day))
            except SimError as error:
                problems.add("settings.daily_doses_mg",
                             f"= {_show(doses)}: {dose:g} mg/day in {per_day} doses a day is refused "
                             f"({error})", table=raw, key="daily_doses_mg")
                return


def loads(text: str, *, source: str = "<string>", overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Parse and validate a scenario from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str, optional
        File name quoted in error messages.
    overrides : mapping, optional
        ``--set`` values: a dotted path into the document (``settings.hours``,
        ``arms.oral.regimen.0.dose_mg``) or a model parameter
        (``motoneuron.pic_conductance_spastic_ns``) applied to every arm.

    Raises
    ------
    ScenarioError
        Listing every problem found, each with its key path.
    """
    if not isinstance(text, str):
        raise ScenarioError(f"{source}: expected TOML text (a str), got {type(text).__name__}")
    problems = _Problems(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: invalid TOML: {error}") from None
    data = _apply_overrides(data, overrides or {}, problems)
    valid = _check_table(data, TOP_LEVEL, "", problems)
    kind = valid.get("kind", "")
    settings = {}
    if kind in _kinds():
        raw_settings = valid.get("settings", {})
        settings = _check_table(raw_settings, _kinds()[kind].settings, "settings", problems)
        _check_settings(kind, settings, raw_settings, problems)
    figure = _check_table(valid.get("figure", {}), FIGURE_KEYS, "figure", problems) if "figure" in valid else {}
    _check_panels(figure, kind, problems)
    arms = []
    if "arms" in valid:
        if not valid["arms"]:
            problems.add("arms", "expected at least one arm")
        elif len(valid["arms"]) > MAX_ARMS:
            problems.add("arms", f"expected at most {MAX_ARMS} arms, got {len(valid['arms'])}")
        for index, arm_data in enumerate(valid["arms"][:MAX_ARMS]):
            arm = _build_arm(arm_data, index, kind, problems)
            if arm is not None:
                arms.append(arm)
        names = [arm.name for arm in arms]
        if len(set(names)) != len(names):
            problems.add("arms", f"arm names must be unique, got {names}")
    claims: tuple[Claim, ...] = ()
    if "claims" in valid and kind in _kinds():
        # Arm names as written, so that a claim is not blamed for an arm that failed elsewhere.
        written = [arm["name"] for arm in valid.get("arms", []) if isinstance(arm, dict)
                   and isinstance(arm.get("name"), str)]
        claims = claims_module.parse(valid["claims"], tables=_kinds()[kind].outputs, arms=written,
                                     report=problems.add)
    problems.raise_if_any()
    return Scenario(
        name=valid["name"],
        title=valid["title"],
        objective=valid["objective"],
        notice=tuple(valid["notice"]),
        questions=tuple(valid["questions"]),
        kind=kind,
        arms=tuple(arms),
        settings=settings,
        figure=figure,
        assumptions=tuple(valid.get("assumptions", ())),
        outputs=tuple(valid.get("outputs", ())),
        seed=int(valid.get("seed", 0)),
        claims=claims,
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        data=data,
    )


def _set_text(key: str, value: Any) -> str:
    """``--set KEY=VALUE`` as the user wrote it (VALUE in TOML spelling)."""
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (str, list, bool)) else repr(value)
    return f"--set {key}={shown if len(shown) <= 60 else shown[:57] + '...'}"


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """Apply ``--set`` values: document paths in place, model parameters to every arm.

    A path walks tables by key and arrays by position (``arms.0``, ``regimen.1``) or, for
    arrays of named tables, by name (``arms.oral``).  Model parameters are checked once here,
    so an error names the option rather than each arm.
    """
    from .model import STAGES, ModelParameters

    for key, value in overrides.items():
        if not isinstance(key, str) or not key:
            problems.add("--set", f"the key {key!r} is not a dotted name")
            continue
        head = key.split(".", 1)[0]
        if head in STAGES:
            try:
                ModelParameters().with_overrides({key: value})
            except SimError as error:
                problems.add("", f"--set {error}" if str(error).startswith(key) else f"--set {key}: {error}")
                continue
            for arm in data.get("arms", []):
                if isinstance(arm, dict):
                    table = arm.setdefault("overrides", {})
                    if isinstance(table, dict):
                        table[key] = value
            continue
        parts = key.split(".")
        node: Any = data
        where: list[str] = []
        for part in parts[:-1]:
            node = _step(node, part, parts, where, problems, key)
            if node is None:
                break
            where.append(part)
        else:
            if isinstance(node, dict):
                node[parts[-1]] = value
                problems.notes[(id(node), parts[-1])] = _set_text(key, value)
            else:
                problems.add(f"--set {key}", f"{'.'.join(where) or 'the document'} is not a table, "
                             "so it has no key to set")
    return data


def _step(node: Any, part: str, parts: list[str], where: list[str], problems: _Problems, key: str) -> Any:
    """One step of a ``--set`` path; None (with the problem recorded) if it leads nowhere."""
    here = ".".join(where) or "the document"
    if isinstance(node, list):
        if part.isdigit():
            if int(part) < len(node):
                return node[int(part)]
            problems.add(f"--set {key}", f"{here} has {len(node)} entries (0–{len(node) - 1}), "
                         f"no entry {part}")
            return None
        names = [item.get("name") for item in node if isinstance(item, dict)]
        matches = [item for item in node if isinstance(item, dict) and item.get("name") == part]
        if matches:
            return matches[0]
        listed = ", ".join(repr(n) for n in names if isinstance(n, str))
        problems.add(f"--set {key}", f"{here} has no entry named {part!r}"
                     f"{did_you_mean(part, [n for n in names if isinstance(n, str)])}"
                     f"; give a position (0, 1, …) or a name ({listed})")
        return None
    if isinstance(node, dict):
        if part in node:
            return node[part]
        if part in ("settings", "figure") and not where:
            return node.setdefault(part, {})
        candidates = [str(k) for k in node]
        if not where:
            from .model import STAGES

            candidates += list(STAGES)  # a misspelt stage ("recepter.…") lands here
        problems.add(f"--set {key}", f"{here} has no key {part!r}{did_you_mean(part, candidates)}")
        return None
    problems.add(f"--set {key}", f"{here} is a value, not a table, so it has no {part!r}")
    return None


def parse_set_option(text: str) -> tuple[str, Any]:
    """Parse one ``--set KEY=VALUE`` (VALUE read as TOML, else as a plain string).

    Examples
    --------
    >>> parse_set_option("motoneuron.pic_time_constant_ms=150")
    ('motoneuron.pic_time_constant_ms', 150)
    >>> parse_set_option("settings.hours=48")
    ('settings.hours', 48)
    >>> parse_set_option("arms.oral.regimen.0.dose_mg=20")
    ('arms.oral.regimen.0.dose_mg', 20)
    """
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE, e.g. motoneuron.pic_conductance_spastic_ns=20")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ScenarioError(f"--set {text!r}: the key is empty")
    if not re.fullmatch(r"[A-Za-z0-9_ +-]+(\.[A-Za-z0-9_ +-]+)*", key):
        raise ScenarioError(f"--set {_show(text)}: the key {_show(key)} is not a dotted name like "
                            "settings.hours or arms.oral.regimen.0.dose_mg")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    if isinstance(value, dict):
        raise ScenarioError(f"--set {_show(text)}: set one value at a time, not a table")
    return key, value


def _builtin_files() -> list[Path]:
    files = sorted(SCENARIO_DIR.glob("[0-9][0-9]-*.toml"))
    if not files:
        raise ScenarioError(f"no built-in scenarios found in {SCENARIO_DIR} (an incomplete installation? "
                            "reinstall spinal-reflex-sim)")
    return files


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (files ``NN-name.toml``), in teaching order."""
    return [path.stem.split("-", 1)[1] for path in _builtin_files()]


def builtin_path(name: str) -> Path:
    """Path of the built-in scenario *name* (``"routes"`` or ``"05-routes"``)."""
    for path in _builtin_files():
        if name in (path.stem, path.stem.split("-", 1)[1]):
            return path
    names = builtin_names()
    raise ScenarioError(f"unknown scenario {_show(name)}{did_you_mean(name, names)}; built-in: {', '.join(names)}")


def _read_text(path: Path) -> str:
    """Read a scenario file's text (UTF-8, at most :data:`MAX_FILE_BYTES`), or raise ScenarioError."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except OSError as error:
        raise ScenarioError(f"{_show(str(path))}: cannot read scenario file: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path.name}: larger than {MAX_FILE_BYTES // 1000} kB; a scenario file is "
                            "TOML text of a few kB")
    if b"\0" in raw:
        raise ScenarioError(f"{path.name}: is a binary file, not TOML text")
    try:
        return raw.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path.name}: is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset "
                            f"{error.start}); save it as UTF-8") from None


def load(name_or_path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path.

    Raises
    ------
    ScenarioError
        If the name is unknown, the file unreadable, or its content invalid.
    """
    text_name = str(name_or_path)
    if "\0" in text_name or not text_name.strip():
        raise ScenarioError(f"{_show(text_name)} is not a scenario name or file name")
    path = Path(text_name)
    try:
        exists = path.exists()
    except OSError as error:  # e.g. a name longer than the file system allows
        raise ScenarioError(f"{_show(text_name)}: {error.strerror}") from None
    if not (text_name.endswith(".toml") or exists):
        path = builtin_path(text_name)
    return loads(_read_text(path), source=path.name, overrides=overrides)
