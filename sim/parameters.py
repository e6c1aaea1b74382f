"""Parameter objects with units, sources and validation.

Every stage of the model keeps its constants in one frozen, keyword-only
dataclass derived from :class:`Parameters`.  Each field is declared with
:func:`param`, which records in the field's metadata

* ``symbol`` – the symbol used in the stage's equations,
* ``unit`` – the unit (also spelled in the field name, e.g. ``ka_per_h``),
* ``source`` – where the default comes from,
* ``status`` – ``"literature"`` (read in a source), ``"derived"`` (computed
  from literature values), ``"unverified"`` (a published value recalled, not yet
  checked in a stored source; the source says so), ``"calibrated"`` (chosen so that the model
  reproduces a named observation; the source says which) or
  ``"illustrative"`` (a teaching choice with no direct measurement),
* ``bounds`` – the plausible range, enforced on construction.

Tables for the model card, plot labels and provenance files all come from
this one place.  Exploration goes through :func:`dataclasses.replace`, so a
misspelled field name is an error rather than a silently ignored key.

Values may be scalars or arrays (a batch of patients or of parameter sets);
arrays must broadcast against each other where they meet in the equations.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, kw_only=True)
... class Toy(Parameters):
...     tau_ms: float = param(10.0, symbol="τ", unit="ms", bounds=(0.1, 100.0),
...                           source="illustrative example", status="illustrative")
>>> Toy().tau_ms
10.0
>>> Toy(tau_ms=-1.0)
Traceback (most recent call last):
...
sim.errors.ParameterError: Toy.tau_ms = -1.0 is outside the allowed range [0.1, 100.0] ms
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ParameterError, did_you_mean

__all__ = ["STATUSES", "LIMITS", "Limit", "Parameters", "param", "check_range", "check_choice",
           "check_limit", "parameter_table"]

#: Allowed values of a parameter's ``status`` metadata.
STATUSES = ("literature", "derived", "unverified", "calibrated", "illustrative")


def param(
    default: Any,
    *,
    symbol: str,
    unit: str,
    source: str,
    status: str,
    bounds: tuple[float, float] | None = None,
    choices: Sequence[str] | None = None,
    description: str = "",
) -> Any:
    """Declare a parameter field with its metadata.

    Parameters
    ----------
    default : float or str
        Default value.
    symbol : str
        Symbol used in the stage's equations.
    unit : str
        Unit of the value (``"1"`` for dimensionless).
    source : str
        Where the default comes from; for a calibrated value, what it was
        calibrated to.
    status : {"literature", "derived", "unverified", "calibrated", "illustrative"}
        How much the default can be trusted.
    bounds : (float, float), optional
        Inclusive plausible range, enforced when the object is built.
    choices : sequence of str, optional
        Allowed values of a string parameter.
    description : str, optional
        One line saying what the parameter means.

    Returns
    -------
    dataclasses.Field
        A field for use inside a :class:`Parameters` dataclass.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    if not source:
        raise ValueError("every parameter needs a source")
    metadata = {
        "symbol": symbol,
        "unit": unit,
        "source": source,
        "status": status,
        "bounds": bounds,
        "choices": tuple(choices) if choices is not None else None,
        "description": description,
    }
    return dataclasses.field(default=default, metadata=metadata)


def _format_number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def check_range(name: str, value: Any, low: float, high: float, unit: str = "") -> np.ndarray:
    """Check that every element of *value* is finite and in ``[low, high]``.

    Parameters
    ----------
    name : str
        Name quoted in the error message (e.g. ``"velocity_deg_s"``).
    value : float or array_like
        Value(s) to check.
    low, high : float
        Inclusive bounds; ``math.inf`` is allowed for an open end.
    unit : str, optional
        Unit quoted in the error message.

    Returns
    -------
    numpy.ndarray
        ``value`` as a float array.

    Raises
    ------
    ParameterError
        Naming the argument, the first offending value and the allowed range.

    Examples
    --------
    >>> check_range("velocity_deg_s", [10.0, 100.0], 0.0, 1000.0, "deg/s")
    array([ 10., 100.])
    >>> check_range("velocity_deg_s", -5.0, 0.0, 1000.0, "deg/s")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: velocity_deg_s = -5.0 is outside the allowed range [0.0, 1000.0] deg/s
    """
    if type(value) is float or type(value) is int:  # fast path for plain numbers (no array checks)
        if math.isfinite(value) and low <= value <= high:
            return np.asarray(float(value))
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} = {value!r} is not a number") from None
    bad = ~np.isfinite(array) | (array < low) | (array > high)
    if np.any(bad):
        offending = array[bad].flat[0] if array.ndim else array
        unit_text = f" {unit}" if unit and unit != "1" else ""
        raise ParameterError(
            f"{name} = {_format_number(float(offending))} is outside the allowed range "
            f"[{_format_number(float(low))}, {_format_number(float(high))}]{unit_text}"
        )
    return array


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Check that *value* is one of *choices* and return it.

    Raises
    ------
    ParameterError
        Naming the argument, the value and the allowed choices.

    Examples
    --------
    >>> check_choice("mechanism", "both", ("presynaptic", "postsynaptic", "both"))
    'both'
    """
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} = {value!r} is not one of the allowed values: {allowed}")
    return value


def _number_array(label: str, value: Any) -> np.ndarray:
    """*value* (list, tuple or array of real numbers) as a float array, else ParameterError."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size:
        return np.asarray(value, dtype=float)  # numeric already: no check element by element
    items = np.asarray(value, dtype=object).ravel()
    if items.size == 0 or any(isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number))
                              for v in items):
        raise ParameterError(f"{label} = {value!r} is not a number or an array of numbers")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{label} = {value!r} is not a number or an array of numbers") from None


@dataclasses.dataclass(frozen=True)
class Limit:
    """Allowed range of an argument of the public API (inclusive; ``math.inf`` for an open end)."""

    low: float
    high: float
    unit: str = ""


#: Allowed ranges of the model's *arguments* (not its parameters, whose bounds live in their
#: field metadata), shared by the API and the scenario schema so that both accept the same
#: values.  ``tests/test_robustness.py`` checks that the API functions enforce exactly these.
LIMITS: dict[str, Limit] = {
    # sim.stretch_reflex / sim.h_reflex (sim.reflex)
    "csf_ng_ml": Limit(0.0, 1.0e6, "ng/mL"),
    "spinal_effect_ng_ml": Limit(0.0, 1.0e6, "ng/mL"),
    "velocity_deg_s": Limit(0.0, 1000.0, "deg/s"),
    "amplitude_deg": Limit(0.0, 60.0, "deg"),
    # sim.simulate (sim.course)
    "hours": Limit(1e-3, 24.0 * 366, "h"),
    "probe_every_h": Limit(1e-3, 24.0 * 366, "h"),
    # sim.receptor.activation, sim.synapse.slice_epsc
    "concentration_um": Limit(0.0, 1.0e6, "µM"),  # 1 M: far beyond any tissue level; keeps powers finite
    # sim.synapse.release_fraction
    "ca_influx_fraction": Limit(0.0, 2.0, "1"),
}


def check_limit(name: str, value: Any, limit: str | None = None) -> np.ndarray:
    """:func:`check_range` with the range of :data:`LIMITS` (``limit`` defaults to *name*).

    Examples
    --------
    >>> check_limit("settings.csf_ng_ml", [0.0, 1e12], "csf_ng_ml")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: settings.csf_ng_ml = 1000000000000.0 is outside the allowed range [0.0, 1000000.0] ng/mL
    """
    spec = LIMITS[limit or name]
    return check_range(name, value, spec.low, spec.high, spec.unit)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Parameters:
    """Base class of every stage's parameter dataclass.

    Subclasses are ``@dataclass(frozen=True, kw_only=True)`` with every field
    declared through :func:`param`.  On construction each numeric field is
    checked against its ``bounds`` (element-wise for arrays; lists become
    arrays) and each string field against its ``choices``.
    """

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            meta = spec.metadata
            value = getattr(self, spec.name)
            label = f"{type(self).__name__}.{spec.name}"
            if meta.get("choices"):
                check_choice(label, value, meta["choices"])
                continue
            bounds = meta.get("bounds")
            if isinstance(value, (list, tuple, np.ndarray)):
                array = _number_array(label, value)
                if bounds is not None:
                    check_range(label, array, bounds[0], bounds[1], meta.get("unit", ""))
                object.__setattr__(self, spec.name, array)
            elif isinstance(value, (int, float, np.number)):
                if bounds is not None and not (math.isfinite(value) and bounds[0] <= value <= bounds[1]):
                    check_range(label, value, bounds[0], bounds[1], meta.get("unit", ""))  # raises
                elif not math.isfinite(float(value)):
                    raise ParameterError(f"{label} = {value!r} is not finite")
            else:
                # A string, None or a bool is never a number here (a bool would be 0 or 1).
                raise ParameterError(f"{label} = {value!r} is not a number")

    def replace(self, **changes: Any) -> Parameters:
        """Return a copy with some fields changed (validated; unknown names raise).

        Examples
        --------
        >>> from sim.receptor import ReceptorParameters
        >>> ReceptorParameters().replace(hill_coefficient=1.2).hill_coefficient
        1.2
        """
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            hints = [f"{name!r}{did_you_mean(name, sorted(names))}" for name in unknown]
            raise ParameterError(
                f"{type(self).__name__} has no parameter {', '.join(hints)}; "
                f"known: {', '.join(sorted(names))}"
            )
        return dataclasses.replace(self, **changes)

    @classmethod
    def metadata(cls, name: str) -> dict[str, Any]:
        """Return the metadata (symbol, unit, source, status, bounds, …) of field *name*."""
        for spec in dataclasses.fields(cls):
            if spec.name == name:
                return dict(spec.metadata)
        raise ParameterError(f"{cls.__name__} has no parameter {name!r}")

    def table(self) -> list[dict[str, Any]]:
        """Return one row per parameter: name, value, symbol, unit, source, status, bounds."""
        return parameter_table(self)


def parameter_table(params: Parameters, prefix: str = "") -> list[dict[str, Any]]:
    """Rows describing every field of *params* (used by the model card and provenance).

    Parameters
    ----------
    params : Parameters
        A parameter object.
    prefix : str, optional
        Prepended to every name, e.g. ``"motoneuron."``.

    Returns
    -------
    list of dict
        Keys ``name, value, symbol, unit, source, status, bounds, description``.
        Array values are converted to lists so the rows are JSON-serialisable.
    """
    rows = []
    for spec in dataclasses.fields(params):
        value = getattr(params, spec.name)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        meta = spec.metadata
        rows.append(
            {
                "name": prefix + spec.name,
                "value": value,
                "symbol": meta.get("symbol", ""),
                "unit": meta.get("unit", ""),
                "source": meta.get("source", ""),
                "status": meta.get("status", ""),
                "bounds": list(meta["bounds"]) if meta.get("bounds") else None,
                "description": meta.get("description", ""),
            }
        )
    return rows
