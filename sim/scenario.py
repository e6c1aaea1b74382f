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
import difflib
import hashlib
import inspect
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import ScenarioError, SimError

__all__ = [
    "SCHEMA_VERSION",
    "KINDS",
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

#: Scenario kinds and what each runs (see :mod:`sim.runner`).
KINDS = {
    "mechanism": "in-vitro concentration–response and the Ca²⁺ → release law",
    "reflex": "stretch reflexes at several velocities, drug held constant",
    "dose-response": "steady oral doses: reflex, weakness and sedation band",
    "course": "drug levels and reflex read-outs over hours to weeks",
    "mechanisms": "presynaptic vs postsynaptic vs both, over spinal concentrations",
}

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


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


def _list_of(kind: type | tuple[type, ...], what: str, *, minimum: int = 1, maximum: int = 10_000,
             item_check: Callable[[Any], str | None] | None = None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not minimum <= len(value) <= maximum:
            return f"expected {minimum}–{maximum} {what}, got {len(value)}"
        for item in value:
            if not isinstance(item, kind) or isinstance(item, bool):
                return f"expected a list of {what}, found {item!r}"
            if item_check and (problem := item_check(item)):
                return problem
        return None

    return check


def _choice(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"expected one of {', '.join(map(repr, choices))}"

    return check


NUMBER = (int, float)
TEXTS = _list_of(str, "strings")

TOP_LEVEL = {
    "schema_version": _Key(int, True, lambda v: None if v == SCHEMA_VERSION else f"expected {SCHEMA_VERSION}"),
    "name": _Key(str, True),
    "title": _Key(str, True),
    "objective": _Key(str, True),
    "notice": _Key(list, True, TEXTS),
    "questions": _Key(list, True, _list_of(str, "questions", minimum=2, maximum=4)),
    "kind": _Key(str, True, _choice(*KINDS)),
    "assumptions": _Key(list, False, TEXTS),
    "seed": _Key(int, False, _non_negative),
    "settings": _Key(dict, False),
    "arms": _Key(list, True),
    "figure": _Key(dict, True),
    "outputs": _Key(list, False, TEXTS),
}

ARM_KEYS = {
    "name": _Key(str, True),
    "label": _Key(str, False),
    "patient": _Key(dict, False),
    "regimen": _Key(list, False),
    "mechanism": _Key(str, False, _choice("presynaptic", "postsynaptic", "both")),
    "enantiomer": _Key(str, False, _choice("racemic", "R", "S")),
    "csf_ng_ml": _Key(NUMBER, False, _non_negative),
    "overrides": _Key(dict, False),
}

SETTINGS = {
    "mechanism": {
        "bath_um": _Key(list, True, _list_of(NUMBER, "concentrations (µM)", minimum=2, item_check=_non_negative)),
        "ca_influx": _Key(list, False, _list_of(NUMBER, "Ca²⁺ influx fractions", minimum=2, item_check=_positive)),
    },
    "reflex": {
        "velocities_deg_s": _Key(list, True, _list_of(NUMBER, "velocities (deg/s)", item_check=_positive)),
        "amplitude_deg": _Key(NUMBER, False, _positive),
        "trace_velocity_deg_s": _Key(NUMBER, False, _positive),
    },
    "dose-response": {
        "daily_doses_mg": _Key(list, True, _list_of(NUMBER, "daily doses (mg)", minimum=2, item_check=_non_negative)),
        "doses_per_day": _Key(int, False, _positive),
        "days": _Key(NUMBER, False, _positive),
    },
    "course": {
        "hours": _Key(NUMBER, True, _positive),
        "probe_every_h": _Key(NUMBER, False, _positive),
    },
    "mechanisms": {
        "csf_ng_ml": _Key(list, True, _list_of(NUMBER, "concentrations (ng/mL)", minimum=2, item_check=_non_negative)),
    },
}

FIGURE_KEYS = {
    "title": _Key(str, True),
    "panels": _Key(list, True, _list_of(str, "panel names", maximum=6)),
    "caption": _Key(str, False),
    "file": _Key(str, False),
}

REGIMEN_TYPES = {
    "oral": ("Oral", None),
    "oral-titration": ("Oral", "titration"),
    "oral-taper": ("Oral", "taper"),
    "intrathecal-bolus": ("IntrathecalBolus", None),
    "intrathecal-infusion": ("IntrathecalInfusion", None),
    "haemodialysis": ("Haemodialysis", None),
}


@dataclasses.dataclass(frozen=True)
class Arm:
    """One arm of a comparison: a patient, what they receive and how the model is set."""

    name: str
    label: str
    patient: Any
    regimen: Any = None
    mechanism: str = "both"
    enantiomer: str = "racemic"
    csf_ng_ml: float = 0.0
    overrides: Mapping[str, float] = dataclasses.field(default_factory=dict)


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
    source: str = "<string>"
    sha256: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


class _Problems:
    """Collects every problem found while validating one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        if not path:
            self.items.append(message)
        elif message.startswith("= "):  # "key = value: problem"
            self.items.append(f"{path} {message}")
        else:
            self.items.append(f"{path}: {message}")

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


def _check_table(data: Mapping[str, Any], schema: Mapping[str, _Key], path: str, problems: _Problems) -> dict[str, Any]:
    """Check one table against *schema*; return the keys whose values passed."""
    valid: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; allowed: {', '.join(schema)}"
            problems.add(where, f"unknown key{hint}")
            continue
        spec = schema[key]
        kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
        if isinstance(value, bool) or not isinstance(value, kinds):
            problems.add(where, f"= {value!r}: expected {_type_name(spec.kind)}")
            continue
        if spec.check and (problem := spec.check(value)):
            problems.add(where, f"= {value!r}: {problem}")
            continue
        valid[key] = value
    for key, spec in schema.items():
        if spec.required and key not in data:
            problems.add(f"{path}.{key}" if path else key, "missing required key")
    return valid


def _call(factory: Callable[..., Any], kwargs: Mapping[str, Any], path: str, problems: _Problems) -> Any:
    """Call a constructor with keyword arguments from TOML, turning errors into problems."""
    signature = inspect.signature(factory)
    params = signature.parameters
    accepts = {n for n, p in params.items() if p.kind is not inspect.Parameter.VAR_KEYWORD and n != "_"}
    unknown = [k for k in kwargs if k not in accepts]
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(accepts), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; allowed: {', '.join(sorted(accepts))}"
        problems.add(f"{path}.{key}", f"unknown key{hint}")
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
        problems.add(path, str(error))
    except TypeError as error:
        problems.add(path, f"invalid value: {error}")
    return None


def _build_regimen(entries: list[Any], path: str, problems: _Problems) -> Any:
    from . import dosing

    parts = []
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, f"= {entry!r}: expected a table")
            continue
        entry = dict(entry)
        kind = entry.pop("type", None)
        if kind not in REGIMEN_TYPES:
            close = difflib.get_close_matches(str(kind), list(REGIMEN_TYPES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(f"{where}.type", f"= {kind!r}: expected one of {', '.join(REGIMEN_TYPES)}{hint}")
            continue
        class_name, method = REGIMEN_TYPES[kind]
        factory = getattr(dosing, class_name)
        if method:
            factory = getattr(factory, method)
        part = _call(factory, entry, where, problems)
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
            problems.add(f"{path}.{key}", str(error))
            continue
        valid[key] = value
    return valid


def _build_arm(data: Any, index: int, kind: str, problems: _Problems) -> Arm | None:
    from .patient import Patient

    path = f"arms[{index}]"
    if not isinstance(data, dict):
        problems.add(path, f"= {data!r}: expected a table")
        return None
    valid = _check_table(data, ARM_KEYS, path, problems)
    if "name" in valid:
        path = f"arms[{index}] ({valid['name']})"
    patient = _call(Patient, valid.get("patient", {}), f"{path}.patient", problems)
    regimen = None
    if "regimen" in valid:
        regimen = _build_regimen(valid["regimen"], f"{path}.regimen", problems)
    elif kind == "course":
        problems.add(f"{path}.regimen", "missing required key (a course needs a regimen)")
    overrides = _check_overrides(valid.get("overrides", {}), f"{path}.overrides", problems)
    if "name" not in valid or patient is None:
        return None
    return Arm(
        name=valid["name"],
        label=valid.get("label", valid["name"]),
        patient=patient,
        regimen=regimen,
        mechanism=valid.get("mechanism", "both"),
        enantiomer=valid.get("enantiomer", "racemic"),
        csf_ng_ml=float(valid.get("csf_ng_ml", 0.0)),
        overrides=overrides,
    )


def loads(text: str, *, source: str = "<string>", overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Parse and validate a scenario from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str, optional
        File name quoted in error messages.
    overrides : mapping, optional
        ``--set`` values: a dotted path into the document (``settings.hours``)
        or a model parameter (``motoneuron.pic_conductance_spastic_ns``) applied to every arm.

    Raises
    ------
    ScenarioError
        Listing every problem found, each with its key path.
    """
    problems = _Problems(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: invalid TOML: {error}") from None
    data = _apply_overrides(data, overrides or {}, problems)
    valid = _check_table(data, TOP_LEVEL, "", problems)
    kind = valid.get("kind", "")
    settings = {}
    if kind in SETTINGS:
        settings = _check_table(valid.get("settings", {}), SETTINGS[kind], "settings", problems)
    figure = _check_table(valid.get("figure", {}), FIGURE_KEYS, "figure", problems) if "figure" in valid else {}
    arms = []
    if "arms" in valid:
        if not valid["arms"]:
            problems.add("arms", "expected at least one arm")
        for index, arm_data in enumerate(valid["arms"]):
            arm = _build_arm(arm_data, index, kind, problems)
            if arm is not None:
                arms.append(arm)
        names = [arm.name for arm in arms]
        if len(set(names)) != len(names):
            problems.add("arms", f"arm names must be unique, got {names}")
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
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        data=data,
    )


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """Apply ``--set`` values: document paths in place, model parameters to every arm."""
    from .model import STAGES

    for key, value in overrides.items():
        head = key.split(".", 1)[0]
        if head in STAGES:
            for arm in data.get("arms", []):
                if isinstance(arm, dict):
                    arm.setdefault("overrides", {})[key] = value
            continue
        parts = key.split(".")
        node: Any = data
        for part in parts[:-1]:
            if isinstance(node, list):
                matches = [item for item in node if isinstance(item, dict) and item.get("name") == part]
                node = matches[0] if matches else None
            elif isinstance(node, dict):
                node = node.setdefault(part, {}) if part in ("settings", "figure") else node.get(part)
            if node is None:
                problems.add(f"--set {key}", f"no such place in the scenario ({part!r} not found)")
                break
        else:
            if isinstance(node, dict):
                node[parts[-1]] = value
            else:
                problems.add(f"--set {key}", "can only set a key inside a table")
    return data


def parse_set_option(text: str) -> tuple[str, Any]:
    """Parse one ``--set KEY=VALUE`` (VALUE read as TOML, else as a plain string).

    Examples
    --------
    >>> parse_set_option("motoneuron.pic_time_constant_ms=150")
    ('motoneuron.pic_time_constant_ms', 150)
    >>> parse_set_option("settings.hours=48")
    ('settings.hours', 48)
    """
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE, e.g. motoneuron.pic_conductance_spastic_ns=20")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ScenarioError(f"--set {text!r}: the key is empty")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (files in ``scenarios/``), in teaching order."""
    return [path.stem.split("-", 1)[1] for path in sorted(SCENARIO_DIR.glob("[0-9][0-9]-*.toml"))]


def builtin_path(name: str) -> Path:
    """Path of the built-in scenario *name* (``"routes"`` or ``"05-routes"``)."""
    for path in sorted(SCENARIO_DIR.glob("[0-9][0-9]-*.toml")):
        if name in (path.stem, path.stem.split("-", 1)[1]):
            return path
    names = builtin_names()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ScenarioError(f"unknown scenario {name!r}{hint}; built-in: {', '.join(names)}")


def load(name_or_path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path.

    Raises
    ------
    ScenarioError
        If the name is unknown, the file unreadable, or its content invalid.
    """
    text_name = str(name_or_path)
    path = Path(text_name)
    if not (text_name.endswith(".toml") or path.exists()):
        path = builtin_path(text_name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read scenario file: {error.strerror}") from None
    return loads(text, source=path.name, overrides=overrides)

