"""Claims as checks: what a scenario's title and "what to notice" lines say, tested on its data.

A scenario file lists, in ``[[claims]]``, each statement its figure makes, as data: which
table, series and arm it is about, and what is expected of it.  Every run evaluates every
claim on the computed tables (:func:`evaluate`) before anything is written; a claim that
does not hold stops the run (:class:`~sim.errors.ClaimError`), so a figure cannot say
something its own data contradict.

One claim reads one *measurement* and, for a comparison, one *reference*:

* the measurement is ``series`` of ``arm`` in ``table``, over the points of ``window``
  (default: the whole axis), reduced by ``statistic`` (``min``, ``max``, ``mean``,
  ``first``, ``final``, ``argmin``, ``argmax``) or read at one axis value ``at``; with
  neither it is *pointwise*: the claim must hold at every point;
* the reference is a fixed ``value``, or the same measurement with one or more parts
  replaced by the ``compare_…`` keys (``compare`` names another arm, ``compare_series``
  another series of the same table, ``compare_window``, ``compare_statistic``,
  ``compare_at`` another window or reduction).

==================  ===========================================================================
``expect``          holds when
==================  ===========================================================================
``increasing``      no step along the axis falls by more than ``tolerance`` (default 0) and the
                    last point is above the first
``decreasing``      the mirror image
``below``           measurement × ``factor`` < reference (``factor`` default 1: "below by at
                    least factor×")
``above``           measurement > ``factor`` × reference
``between``         ``value[0]`` ≤ measurement ≤ ``value[1]``
``equal_to``        \\|measurement − reference\\| ≤ ``tolerance``
``band_at_most``    the qualitative band (none < mild < moderate < marked) is at most ``value``
``band_at_least``   … at least ``value``
==================  ===========================================================================

Which tables and series a scenario kind computes is declared once, in the kind registry
(:data:`sim.runner.KINDS`, field ``outputs``); :func:`parse` checks every claim against it
when the file is loaded.

Examples
--------
>>> from sim.result import Result
>>> tables = {"velocity": Result("velocity_deg_s", [10.0, 60.0, 120.0],
...                              {"emg_peak": [[0.02, 0.1, 0.17], [0.05, 0.18, 0.26]]},
...                              batch_labels={"arm": ("healthy", "spastic")})}
>>> grows = Claim("The spastic reflex grows with velocity", table="velocity", series="emg_peak",
...               arm="spastic", expect="increasing")
>>> larger = Claim("It is larger than healthy", table="velocity", series="emg_peak", arm="spastic",
...                expect="above", compare="healthy", factor=1.5)
>>> [result.held for result in evaluate([grows, larger], tables)]
[True, True]
>>> print(evaluate([larger], tables)[0].measured)
lowest margin at velocity_deg_s = 120: 0.26 vs 0.17 (ratio 1.53)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .errors import ClaimError, ScenarioError, did_you_mean

__all__ = [
    "EXPECTATIONS",
    "STATISTICS",
    "BANDS",
    "TableSpec",
    "Claim",
    "ClaimResult",
    "parse",
    "evaluate",
    "check",
    "describe",
]

#: What a claim may expect (see the module docstring).
EXPECTATIONS = ("increasing", "decreasing", "below", "above", "between", "equal_to",
                "band_at_most", "band_at_least")

#: How a claim may reduce its points to one number (``argmin``/``argmax``: the axis value there).
STATISTICS = ("min", "max", "mean", "first", "final", "argmin", "argmax")

#: The qualitative sedation bands, in order (the same as :data:`sim.outcomes.BANDS`).
BANDS = ("none", "mild", "moderate", "marked")

_COMPARISONS = ("below", "above", "equal_to")
_TRENDS = ("increasing", "decreasing")
_BAND_EXPECTS = ("band_at_most", "band_at_least")
_BAND_STATISTICS = ("min", "max", "first", "final")
_COMPARE_KEYS = ("compare", "compare_series", "compare_window", "compare_statistic", "compare_at")


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """What one table of a scenario kind holds (declared in :data:`sim.runner.KINDS`).

    Attributes
    ----------
    axis : str
        Name of the table's axis, unit as suffix (``"t_h"``, ``"velocity_deg_s"``).
    series : tuple of str
        The series a claim may name.
    arms : bool
        Whether the table has the labelled batch axis ``"arm"`` (one row per scenario arm).
    """

    axis: str
    series: tuple[str, ...]
    arms: bool = True


@dataclasses.dataclass(frozen=True)
class Claim:
    """One statement of a scenario, as a check on its tables (fields as in ``[[claims]]``).

    Examples
    --------
    >>> Claim("Brain level far below oral", table="course", series="brain_ng_ml", arm="intrathecal",
    ...       expect="below", compare="oral", factor=10, statistic="mean", window=(48, 72)).factor
    10
    """

    text: str
    table: str
    series: str
    expect: str
    arm: str | None = None
    value: float | str | tuple[float, float] | None = None
    window: tuple[float, float] | None = None
    statistic: str | None = None
    at: float | None = None
    compare: str | None = None
    compare_series: str | None = None
    compare_window: tuple[float, float] | None = None
    compare_statistic: str | None = None
    compare_at: float | None = None
    factor: float = 1.0
    tolerance: float = 0.0

    @property
    def pointwise(self) -> bool:
        """True if the claim must hold at every point (no statistic, no ``at``)."""
        return self.statistic is None and self.at is None

    def reference(self) -> Claim:
        """The reference side: this claim with the ``compare_…`` keys applied."""
        return dataclasses.replace(
            self,
            arm=self.compare if self.compare is not None else self.arm,
            series=self.compare_series or self.series,
            window=self.compare_window if self.compare_window is not None else (
                None if self.compare_at is not None else self.window),
            statistic=self.compare_statistic if self.compare_statistic is not None else (
                None if self.compare_at is not None else self.statistic),
            at=self.compare_at if self.compare_at is not None else (
                None if self.compare_statistic is not None else self.at),
            compare=None, compare_series=None, compare_window=None, compare_statistic=None,
            compare_at=None)

    def to_dict(self) -> dict[str, Any]:
        """The claim as written in a scenario file (defaults left out)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value != field.default:
                out[field.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclasses.dataclass(frozen=True)
class ClaimResult:
    """The outcome of one claim on one set of tables.

    Attributes
    ----------
    claim : Claim
    held : bool
    expectation : str
        The claim's check in words (:func:`describe`).
    measured : str
        The numbers measured: the worst point, the statistic, or why the claim could not be
        evaluated.
    """

    claim: Claim
    held: bool
    expectation: str
    measured: str

    def to_dict(self) -> dict[str, Any]:
        """What the provenance file records."""
        return {"text": self.claim.text, "expectation": self.expectation, "measured": self.measured,
                "held": self.held}


# --------------------------------------------------------------------------
# Loading: TOML tables → Claim objects, every problem with its key path.
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _pair(value: Any) -> str | None:
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        return "expected [low, high], two finite numbers"
    if value[0] > value[1]:
        return "expected [low, high] with low ≤ high"
    return None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "expected a non-empty string"


def _name(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "expected a name (a string)"


def _finite(value: Any) -> str | None:
    return None if _is_number(value) else "expected a finite number"


def _choice(choices: Sequence[str]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in choices:
            return None
        return f"expected one of {', '.join(map(repr, choices))}{did_you_mean(value, choices)}"

    return check


def _value(value: Any) -> str | None:
    if _is_number(value) or isinstance(value, str):
        return None
    if isinstance(value, list):
        return _pair(value)
    return "expected a number, [low, high] or a band name"


#: Every key of a ``[[claims]]`` table with its check (the meaning is in scenarios/README.md).
KEYS: dict[str, Callable[[Any], str | None]] = {
    "text": _text,
    "table": _name,
    "series": _name,
    "arm": _name,
    "expect": _choice(EXPECTATIONS),
    "value": _value,
    "window": _pair,
    "statistic": _choice(STATISTICS),
    "at": _finite,
    "compare": _name,
    "compare_series": _name,
    "compare_window": _pair,
    "compare_statistic": _choice(STATISTICS),
    "compare_at": _finite,
    "factor": lambda v: None if _is_number(v) and v > 0 else "expected a finite number > 0",
    "tolerance": lambda v: None if _is_number(v) and v >= 0 else "expected a finite number ≥ 0",
}
REQUIRED = ("text", "table", "series", "expect")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_band(series: str) -> bool:
    from .variables import VARIABLES

    return series in VARIABLES and VARIABLES[series].unit == "band"


def parse(entries: Any, *, tables: Mapping[str, TableSpec], arms: Sequence[str], path: str = "claims",
          report: Callable[..., None] | None = None) -> tuple[Claim, ...]:
    """Check the ``[[claims]]`` of a scenario and build :class:`Claim` objects.

    Parameters
    ----------
    entries : list of dict
        The ``claims`` array as read from TOML.
    tables : mapping of str to TableSpec
        The tables the scenario's kind computes (``sim.runner.KINDS[kind].outputs``).
    arms : sequence of str
        The scenario's arm names.
    path : str
        Key path quoted in messages.
    report : callable, optional
        ``report(key_path, message, table=entry, key=key)`` receives each problem; without it
        all problems are raised together as one :class:`~sim.errors.ScenarioError`.

    Returns
    -------
    tuple of Claim
        The valid claims (an invalid one is reported and left out).

    Examples
    --------
    >>> specs = {"velocity": TableSpec("velocity_deg_s", ("emg_peak",))}
    >>> parse([{"text": "grows", "table": "velocity", "series": "emg_peak", "arm": "spastic",
    ...         "expect": "increasing"}], tables=specs, arms=["healthy", "spastic"])[0].arm
    'spastic'
    >>> parse([{"text": "grows", "table": "velocity", "series": "emg_peek", "arm": "spastic",
    ...         "expect": "increasing"}], tables=specs, arms=["healthy", "spastic"])
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: claims[0].series = 'emg_peek': not a series of table 'velocity' (did you mean 'emg_peak'?); series: emg_peak
    """
    collected: list[str] = []

    def add(where: str, message: str, table: Any = None, key: str | None = None) -> None:
        if report is not None:
            report(where, message, table=table, key=key)
        else:
            collected.append(f"{where} {message}" if message.startswith("= ") else f"{where}: {message}")

    claims = []
    if not isinstance(entries, list):
        add(path, f"= {_show(entries)}: expected an array of tables ([[claims]])")
        entries = []
    for index, entry in enumerate(entries):
        claim = _parse_one(entry, f"{path}[{index}]", tables, list(arms), add)
        if claim is not None:
            claims.append(claim)
    if collected:
        raise ScenarioError("; ".join(collected))
    return tuple(claims)


def _parse_one(entry: Any, where: str, tables: Mapping[str, TableSpec], arms: list[str],
               add: Callable[..., None]) -> Claim | None:
    if not isinstance(entry, dict):
        add(where, f"= {_show(entry)}: expected a table")
        return None
    ok = True

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        shown = f"= {_show(entry[key])}: {message}" if key in entry else message
        add(f"{where}.{key}", shown, table=entry, key=key)

    valid: dict[str, Any] = {}
    for key, value in entry.items():
        if key not in KEYS:
            hint = did_you_mean(key, KEYS)
            ok = False
            add(f"{where}.{key}", f"unknown key{hint}" if hint else f"unknown key; allowed: {', '.join(KEYS)}",
                table=entry, key=key)
        elif (problem := KEYS[key](value)) is not None:
            bad(key, problem)
        else:
            valid[key] = value
    for key in REQUIRED:
        if key not in entry:
            bad(key, "missing required key")
    if not ok:
        return None

    # What the claim names must exist in this kind's tables and this scenario's arms.
    spec = tables.get(valid["table"])
    if spec is None:
        bad("table", f"not a table of this scenario{did_you_mean(valid['table'], tables)}; "
            f"tables: {', '.join(tables)}")
        return None
    for key in ("series", "compare_series"):
        if key in valid and valid[key] not in spec.series:
            bad(key, f"not a series of table {valid['table']!r}{did_you_mean(valid[key], spec.series)}; "
                f"series: {', '.join(spec.series)}")
    for key in ("arm", "compare"):
        if key not in valid:
            continue
        if not spec.arms:
            bad(key, f"table {valid['table']!r} has no arms (one row for the whole scenario); leave {key} out")
        elif valid[key] not in arms:
            bad(key, f"not an arm of this scenario{did_you_mean(valid[key], arms)}; arms: {', '.join(arms)}")
    if spec.arms and "arm" not in valid:
        if len(arms) == 1:
            valid["arm"] = arms[0]
        else:
            bad("arm", f"missing: table {valid['table']!r} has one row per arm; name one of {', '.join(arms)}")
    if not ok:
        return None

    # Which keys make sense with which expectation.
    expect = valid["expect"]
    band = _is_band(valid["series"])
    for first, second in (("statistic", "at"), ("compare_statistic", "compare_at"), ("window", "at"),
                          ("compare_window", "compare_at")):
        if first in valid and second in valid:
            bad(second, f"give either {first} or {second}, not both")
    if band and expect not in _BAND_EXPECTS:
        bad("expect", f"{valid['series']!r} is a qualitative band: use 'band_at_most' or 'band_at_least'")
    if not band and expect in _BAND_EXPECTS:
        bad("expect", f"{valid['series']!r} is not a qualitative band series; {expect!r} needs one "
            "(e.g. sedation_band)")
    allowed = {"text", "table", "series", "arm", "expect", "window"}
    if expect in _TRENDS:
        allowed |= {"tolerance"}
    elif expect == "between":
        allowed |= {"value", "statistic", "at"}
        if "value" not in valid or not isinstance(valid["value"], list):
            bad("value", "expected [low, high] for expect = 'between'")
    elif expect in _BAND_EXPECTS:
        allowed |= {"value", "statistic", "at"}
        if valid.get("value") not in BANDS:
            bad("value", f"expected a band for expect = {expect!r}: one of {', '.join(map(repr, BANDS))}"
                f"{did_you_mean(valid.get('value', ''), BANDS)}")
        if valid.get("statistic", "min") not in _BAND_STATISTICS:
            bad("statistic", f"a band has no {valid['statistic']!r}; use one of {', '.join(_BAND_STATISTICS)}")
    else:  # below, above, equal_to
        allowed |= {"value", "statistic", "at", *_COMPARE_KEYS}
        allowed |= {"factor"} if expect in ("below", "above") else {"tolerance"}
        compares = [key for key in _COMPARE_KEYS if key in valid]
        if "value" in valid and compares:
            bad("value", f"give a value or {', '.join(compares)}, not both")
        elif "value" not in valid and not compares:
            bad("value", f"missing: expect = {expect!r} needs a value or a reference "
                "(compare, compare_series, compare_window, compare_statistic or compare_at)")
        elif "value" in valid and not _is_number(valid["value"]):
            bad("value", f"expected a number for expect = {expect!r}")
        pointwise = "statistic" not in valid and "at" not in valid
        if (pointwise and "compare_window" in valid and "compare_statistic" not in valid
                and "compare_at" not in valid):
            bad("compare_window", "a pointwise claim compares point by point on the same axis points; "
                "give statistic or compare_statistic to compare with another window")
    for key in valid:
        if key not in allowed:
            bad(key, f"has no meaning for expect = {expect!r}")
    if not ok:
        return None
    for key in ("window", "compare_window", "value"):
        if isinstance(valid.get(key), list):
            valid[key] = tuple(float(v) for v in valid[key])
    return Claim(**valid)


# --------------------------------------------------------------------------
# Evaluation: pure functions of a claim and the tables.
class _Unmeasurable(Exception):
    """A claim's points cannot be read (unknown name, empty window, ``at`` off the axis)."""


def _points(table: Any, side: Claim) -> tuple[np.ndarray, np.ndarray]:
    """Axis values and series values of one side, inside its window."""
    from .errors import ParameterError

    try:
        row = table.select(arm=side.arm) if side.arm is not None else table
        values = np.asarray(row[side.series])
    except (KeyError, ParameterError) as error:
        raise _Unmeasurable(str(error.args[0]) if isinstance(error, KeyError) else str(error)) from None
    axis = np.asarray(table.axis, dtype=float)
    if values.shape != axis.shape:
        raise _Unmeasurable(f"{_label(side)} has shape {values.shape}, not one value per "
                            f"{table.axis_name} point")
    if side.window is not None:
        low, high = side.window
        slack = 1e-9 * max(abs(low), abs(high), 1.0)
        keep = (axis >= low - slack) & (axis <= high + slack)
        if not keep.any():
            raise _Unmeasurable(f"no {table.axis_name} point in window [{low:g}, {high:g}] "
                                f"(the axis runs {axis[0]:g}–{axis[-1]:g})")
        axis, values = axis[keep], values[keep]
    return axis, values


def _band_rank(values: np.ndarray) -> np.ndarray:
    ranks = np.array([BANDS.index(str(v)) if str(v) in BANDS else -1 for v in np.ravel(values)])
    if np.any(ranks < 0):
        raise _Unmeasurable(f"unknown band value(s) {sorted({str(v) for v in values} - set(BANDS))}")
    return ranks


def _measure(table: Any, side: Claim) -> tuple[np.ndarray, np.ndarray]:
    """(axis points, values) of one side: the window's points, or one reduced value.

    A reduced value comes with the axis point it was taken at (NaN for a mean).
    """
    axis, values = _points(table, side)
    band = values.dtype.kind not in "fiub"
    if side.at is not None:  # (a claim has either a window or an at)
        if not axis[0] <= side.at <= axis[-1]:
            raise _Unmeasurable(f"at = {side.at:g} is outside {table.axis_name} {axis[0]:g}–{axis[-1]:g}")
        if band:  # a band holds from its sample until the next one
            index = max(int(np.searchsorted(axis, side.at, side="right")) - 1, 0)
            return np.array([side.at]), values[index:index + 1]
        return np.array([side.at]), np.array([np.interp(side.at, axis, values.astype(float))])
    statistic = side.statistic
    if statistic is None:
        return axis, values
    if statistic == "first":
        return axis[:1], values[:1]
    if statistic == "final":
        return axis[-1:], values[-1:]
    if band:
        ranks = _band_rank(values)
        index = int(np.argmin(ranks) if statistic == "min" else np.argmax(ranks))
        return axis[index:index + 1], values[index:index + 1]
    numbers = values.astype(float)
    if statistic == "mean":
        return np.array([np.nan]), np.array([numbers.mean()])
    index = int(np.argmin(numbers) if statistic in ("min", "argmin") else np.argmax(numbers))
    if statistic in ("argmin", "argmax"):
        return axis[index:index + 1], axis[index:index + 1]
    return axis[index:index + 1], numbers[index:index + 1]


def _g(value: float) -> str:
    return f"{value:.4g}"


def _ratio(measured: float, reference: float) -> str:
    if reference != 0 and measured != 0 and math.isfinite(measured / reference):
        return f" (ratio {measured / reference:.3g})"
    return ""


def _label(side: Claim) -> str:
    return f"{side.series}[{side.arm}]" if side.arm is not None else side.series


def _side_text(side: Claim, axis_name: str) -> str:
    text = _label(side)
    if side.at is not None:
        text = f"{text} at {axis_name} = {side.at:g}"
    elif side.statistic is not None:
        text = f"{side.statistic} of {text}"
    if side.window is not None:
        text += f" over {axis_name} {side.window[0]:g}–{side.window[1]:g}"
    return text


def describe(claim: Claim, axis_name: str = "the axis") -> str:
    """The check a claim makes, in words.

    Examples
    --------
    >>> describe(Claim("…", table="course", series="brain_ng_ml", arm="intrathecal", expect="below",
    ...                compare="oral", factor=10, statistic="mean", window=(48, 72)), "t_h")
    'mean of brain_ng_ml[intrathecal] over t_h 48–72 below (mean of brain_ng_ml[oral] over t_h 48–72) / 10'
    """
    side = _side_text(claim, axis_name)
    every = " at every point" if claim.pointwise else ""
    expect = claim.expect
    if expect in _TRENDS:
        text = f"{side} {expect} with {axis_name}"
        return text + (f" (steps against it at most {claim.tolerance:g})" if claim.tolerance else "")
    if expect == "between":
        low, high = claim.value  # type: ignore[misc]
        return f"{side} between {low:g} and {high:g}{every}"
    if expect in _BAND_EXPECTS:
        return f"{side} {expect.replace('band_', '').replace('_', ' ')} '{claim.value}'{every}"
    reference = (f"{claim.value:g}" if claim.value is not None
                 else _side_text(claim.reference(), axis_name))
    if expect == "equal_to":
        return f"{side} equal to {reference} within {claim.tolerance:g}{every}"
    if claim.factor == 1:
        return f"{side} {expect} {reference}{every}"
    if expect == "above":
        return f"{side} above {claim.factor:g} × ({reference}){every}"
    return f"{side} below ({reference}) / {claim.factor:g}{every}"


def _where(axis_name: str, x: float) -> str:
    return "" if math.isnan(x) else f" at {axis_name} = {x:g}"


def _evaluate_one(claim: Claim, tables: Mapping[str, Any]) -> ClaimResult:
    table = tables.get(claim.table)
    axis_name = table.axis_name if table is not None else "the axis"
    expectation = describe(claim, axis_name)

    def result(held: bool, measured: str) -> ClaimResult:
        return ClaimResult(claim=claim, held=bool(held), expectation=expectation, measured=measured)

    if table is None:
        return result(False, f"cannot be evaluated: no table {claim.table!r}{did_you_mean(claim.table, tables)}")
    try:
        x, m = _measure(table, claim)
        if claim.expect in _TRENDS:
            if m.size < 2:
                return result(False, f"cannot be evaluated: {m.size} point in the window, a trend needs two")
            steps = np.diff(m.astype(float))
            against = steps if claim.expect == "decreasing" else -steps
            worst = int(np.argmax(against))
            net = float(m[-1] - m[0])
            held = against[worst] <= claim.tolerance and (net > 0 if claim.expect == "increasing" else net < 0)
            word = "rise" if claim.expect == "decreasing" else "fall"
            steps_text = (f"largest {word} {float(against[worst]):.4g} (between {x[worst]:g} and {x[worst + 1]:g})"
                          if against[worst] > 0 else f"no {word}")
            return result(held, f"change {net:+.4g} from {axis_name} = {x[0]:g} to {x[-1]:g}; {steps_text}")
        if claim.expect in _BAND_EXPECTS:
            ranks = _band_rank(m)
            limit = BANDS.index(str(claim.value))
            if claim.expect == "band_at_most":
                index, held = int(np.argmax(ranks)), bool(np.all(ranks <= limit))
                word = "highest"
            else:
                index, held = int(np.argmin(ranks)), bool(np.all(ranks >= limit))
                word = "lowest"
            if m.size == 1:
                return result(held, f"band {BANDS[ranks[0]]!r}{_where(axis_name, x[0])}")
            return result(held, f"{word} band {BANDS[ranks[index]]!r}{_where(axis_name, x[index])}")
        m = m.astype(float)
        if claim.expect == "between":
            low, high = claim.value  # type: ignore[misc]
            outside = np.maximum(low - m, m - high)
            index = int(np.argmax(outside))
            held = bool(np.all(outside <= 0))
            if m.size == 1:
                where = "" if claim.statistic in ("argmin", "argmax") else _where(axis_name, x[0])
                return result(held, f"{_g(m[0])}{where}")
            return result(held, f"range {_g(m.min())}–{_g(m.max())}; furthest out {_g(m[index])}"
                          f"{_where(axis_name, x[index])}")
        if claim.value is not None:
            r = np.full_like(m, float(claim.value))  # type: ignore[arg-type]
        else:
            _, r = _measure(table, claim.reference())
            r = np.broadcast_to(r.astype(float), m.shape) if r.size == 1 else r.astype(float)
            if r.shape != m.shape:
                return result(False, f"cannot be evaluated: {m.size} measured points against {r.size} reference points")
        if claim.expect == "equal_to":
            gap = np.abs(m - r)
            index, held, what = int(np.argmax(gap)), bool(np.all(gap <= claim.tolerance)), "largest difference"
        else:
            margin = r - m * claim.factor if claim.expect == "below" else m - claim.factor * r
            index, held, what = int(np.argmin(margin)), bool(np.all(margin > 0)), "lowest margin"
        ratio = _ratio(m[index], r[index]) if claim.expect != "equal_to" else ""
        numbers = f"{_g(m[index])} vs {_g(r[index])}{ratio}"
        if m.size == 1:
            return result(held, f"{numbers}{_where(axis_name, x[0])}")
        return result(held, f"{what}{_where(axis_name, x[index])}: {numbers}")
    except _Unmeasurable as error:
        return result(False, f"cannot be evaluated: {error}")


def evaluate(claims: Iterable[Claim], tables: Mapping[str, Any]) -> list[ClaimResult]:
    """Evaluate every claim on a scenario's tables.

    Parameters
    ----------
    claims : iterable of Claim
    tables : mapping of str to Result
        The tables of :func:`sim.runner.run_tables` (arms as the labelled batch axis ``"arm"``).

    Returns
    -------
    list of ClaimResult
        One per claim, in order; a claim that cannot be evaluated (an empty window, a missing
        series) has ``held=False`` and says why in ``measured``.

    Examples
    --------
    >>> from sim.result import Result
    >>> dose = {"dose": Result("daily_dose_mg", [0.0, 30.0, 60.0],
    ...                        {"sedation_band": [["none", "mild", "moderate"]]},
    ...                        batch_labels={"arm": ("spastic",)})}
    >>> claim = Claim("Never marked", table="dose", series="sedation_band", arm="spastic",
    ...               expect="band_at_most", value="mild")
    >>> result = evaluate([claim], dose)[0]
    >>> result.held, result.measured
    (False, "highest band 'moderate' at daily_dose_mg = 60")
    """
    return [_evaluate_one(claim, tables) for claim in claims]


def check(results: Sequence[ClaimResult], scenario: str) -> None:
    """Raise :class:`~sim.errors.ClaimError` (one line) if any claim did not hold.

    Examples
    --------
    >>> claim = Claim("Falls", table="t", series="x", expect="decreasing")
    >>> check([ClaimResult(claim, False, "x decreasing with t_h", "change +1")], "demo")
    Traceback (most recent call last):
    ...
    sim.errors.ClaimError: demo: claim does not hold: 'Falls' (expected x decreasing with t_h; measured change +1)
    """
    failed = [r for r in results if not r.held]
    if not failed:
        return
    head = (f"{scenario}: claim does not hold: " if len(failed) == 1
            else f"{scenario}: {len(failed)} claims do not hold: ")
    raise ClaimError(head + "; ".join(f"{r.claim.text!r} (expected {r.expectation}; measured {r.measured})"
                                      for r in failed))
