"""A :class:`Result`: named, equal-length arrays on one time axis.

Every simulation in the package returns a :class:`Result`.  It holds

* one time axis (``t_h`` for courses over hours, ``t_ms`` for reflex probes),
* *series*: arrays whose **last** axis runs along the time axis; leading axes
  are the batch (doses, patients, velocities …),
* optional *batch labels*: names for the leading batch axes, e.g. the arms of a
  scenario (``batch_labels={"arm": ("healthy", "spastic")}``); a labelled
  element is reached as ``result.select(arm="spastic")`` or by its CSV column
  name ``result["emg[spastic]"]``,
* *summaries*: per-probe numbers with the batch shape only (e.g. ``emg_peak``),
* units for every name, and free-form metadata (parameters, regimen, …).

Names are reached as ``result["plasma_ng_ml"]`` or ``result.plasma_ng_ml``.
On construction every numeric array is checked: a NaN or an infinity raises
:class:`~sim.errors.SimulationError` instead of leaking out silently.

Examples
--------
>>> import numpy as np
>>> r = Result("t_h", np.array([0.0, 1.0, 2.0]),
...            {"plasma_ng_ml": np.array([0.0, 100.0, 80.0])},
...            units={"plasma_ng_ml": "ng/mL"})
>>> r
Result(t_h: 3 points, 0–2 h; batch (); series: plasma_ng_ml)
>>> float(r.at(1.5)["plasma_ng_ml"])
90.0
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SimulationError
from .fileio import (
    EDUCATIONAL_STATEMENT,
    atomic_write_text,
    format_number,
    plain,
    round_significant,
)
from .variables import VARIABLES, base_name

__all__ = ["Result"]


def _checked_labels(batch_labels: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
                    ) -> dict[str, tuple[str, ...]]:
    labels = {str(axis): tuple(str(label) for label in values) for axis, values in batch_labels.items()}
    for axis, values in labels.items():
        bad = [v for v in values if not v.strip() or any(c in v for c in "[],")]
        if bad or len(set(values)) != len(values) or not values:
            raise SimulationError(f"batch labels of {axis!r} = {list(values)!r} must be distinct, "
                                  "non-empty and free of '[', ']' and ','")
    shape = tuple(len(values) for values in labels.values())
    for name, array in arrays.items():
        if array.shape[: len(shape)] != shape:
            raise SimulationError(f"{name!r} has shape {array.shape}; its leading axes must match the "
                                  f"batch labels {', '.join(labels)} {shape}")
    return labels


def _check_finite(name: str, array: np.ndarray) -> None:
    if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise SimulationError(f"{name} contains {bad} non-finite value(s) (NaN or infinity)")


class Result:
    """Named arrays sharing one time axis.

    Parameters
    ----------
    axis_name : str
        Name of the time axis, with its unit as suffix (``"t_h"``, ``"t_ms"``).
    axis : array_like, shape (n,)
        Time points, increasing.
    series : mapping of str to array_like, each shape (..., n)
        Time courses; the last axis must have length *n*.  String arrays
        (e.g. qualitative bands) are allowed.
    units : mapping of str to str, optional
        Unit of each name (series and summaries) outside the variable registry
        (:mod:`sim.variables`, which gives the unit of every registered name;
        a registered name given here must agree with it); ``"1"`` for
        dimensionless.
    summaries : mapping of str to array_like, optional
        Per-probe numbers with the batch shape.
    meta : mapping, optional
        Anything else worth recording (parameters, regimen, settings).
    batch_labels : mapping of str to sequence of str, optional
        Names of the leading batch axes, in order, each with one label per
        element (``{"arm": ("oral", "intrathecal")}``): every series (and
        summary) then starts with these axes.  CSV columns are named by label
        (``name[oral]``), grouped label by label.

    Examples
    --------
    >>> r = Result("t_h", [0.0, 1.0], {"plasma_ng_ml": [[0.0, 9.0], [0.0, 2.0]]},
    ...            batch_labels={"arm": ("oral", "intrathecal")})
    >>> r.select(arm="intrathecal")["plasma_ng_ml"].tolist(), r["plasma_ng_ml[oral]"].tolist()
    ([0.0, 2.0], [0.0, 9.0])
    """

    def __init__(
        self,
        axis_name: str,
        axis: Any,
        series: Mapping[str, Any],
        *,
        units: Mapping[str, str] | None = None,
        summaries: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None,
        batch_labels: Mapping[str, Any] | None = None,
    ) -> None:
        axis_array = np.asarray(axis, dtype=float)
        if axis_array.ndim != 1:
            raise SimulationError(f"{axis_name} must be one-dimensional, got shape {axis_array.shape}")
        _check_finite(axis_name, axis_array)
        self.axis_name = axis_name
        self._axis = axis_array
        self._series: dict[str, np.ndarray] = {}
        for name, values in series.items():
            array = np.asarray(values)
            if array.ndim == 0 or array.shape[-1] != axis_array.size:
                raise SimulationError(
                    f"series {name!r} has shape {array.shape}; its last axis must match "
                    f"{axis_name} ({axis_array.size} points)"
                )
            _check_finite(name, array)
            self._series[name] = array
        self._summaries: dict[str, np.ndarray] = {}
        for name, values in (summaries or {}).items():
            array = np.asarray(values)
            _check_finite(name, array)
            self._summaries[name] = array
        self.units: dict[str, str] = dict(units or {})
        self.meta: dict[str, Any] = dict(meta or {})
        self.batch_labels: dict[str, tuple[str, ...]] = _checked_labels(
            batch_labels or {}, {**self._series, **self._summaries})

    # -- access -----------------------------------------------------------
    @property
    def axis(self) -> np.ndarray:
        """The time axis."""
        return self._axis

    @property
    def names(self) -> list[str]:
        """Names of the time series, in insertion order."""
        return list(self._series)

    @property
    def summary_names(self) -> list[str]:
        """Names of the per-probe summaries."""
        return list(self._summaries)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Shape of the leading (batch) axes shared by the series."""
        shapes = [a.shape[:-1] for a in self._series.values()]
        return np.broadcast_shapes(*shapes) if shapes else ()

    def __getitem__(self, name: str) -> np.ndarray:
        if name == self.axis_name:
            return self._axis
        if name in self._series:
            return self._series[name]
        if name in self._summaries:
            return self._summaries[name]
        column = self._column(name)
        if column is not None:
            return column
        from .errors import did_you_mean

        known = [self.axis_name, *self._series, *self._summaries]
        hint = did_you_mean(name, known)
        raise KeyError(f"no series {name!r} in this result{hint}; available: {', '.join(known)}")

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(str(error.args[0])) from None

    def __contains__(self, name: object) -> bool:
        if name == self.axis_name or name in self._series or name in self._summaries:
            return True
        return isinstance(name, str) and self._column(name) is not None

    def _column(self, key: str) -> np.ndarray | None:
        """The array behind a CSV column name ``name[label,…]`` (labels or integer indices)."""
        base, bracket, inside = key.partition("[")
        array = self._series.get(base, self._summaries.get(base))
        if array is None or not bracket or not inside.endswith("]"):
            return None
        index = []
        labels = list(self.batch_labels.values())
        for position, part in enumerate(inside[:-1].split(",")):
            if position < len(labels) and part in labels[position]:
                index.append(labels[position].index(part))
            elif position >= len(labels) and part.isdigit():
                index.append(int(part))
            else:
                return None
        if len(index) > array.ndim - (base in self._series) or any(
                i >= n for i, n in zip(index, array.shape, strict=False)):
            return None
        return array[tuple(index)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._series)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), self.axis_name, *self._series, *self._summaries})

    def unit(self, name: str) -> str:
        """Unit of *name* or of a CSV column ``name[...]`` (``""`` if unknown).

        Registered names (:data:`sim.variables.VARIABLES`) take the registry's unit; other
        names the one given in ``units``; an unregistered axis its name's last suffix.

        Examples
        --------
        >>> r = Result("t_h", [0.0, 1.0], {"plasma_ng_ml": [0.0, 5.0], "x_kg": [1.0, 2.0]},
        ...            units={"x_kg": "kg"})
        >>> r.unit("plasma_ng_ml"), r.unit("plasma_ng_ml[oral]"), r.unit("x_kg"), r.unit("t_h")
        ('ng/mL', 'ng/mL', 'kg', 'h')
        """
        base = base_name(name)
        if base in VARIABLES:
            return VARIABLES[base].unit
        for key in (name, base):
            if key in self.units:
                return self.units[key]
        if name == self.axis_name:
            return self.axis_name.rsplit("_", 1)[-1]
        return ""

    def __repr__(self) -> str:
        unit = self.unit(self.axis_name)
        span = f"{self._axis[0]:g}–{self._axis[-1]:g} {unit}" if self._axis.size else "empty"
        names = ", ".join(self._series)
        if len(names) > 80:
            names = f"{len(self._series)} series ({', '.join(list(self._series)[:3])}, …)"
        labels = "".join(f" {axis}: {', '.join(values)};" for axis, values in self.batch_labels.items())
        return (
            f"Result({self.axis_name}: {self._axis.size} points, {span}; "
            f"batch {self.batch_shape};{labels} series: {names})"
        )

    # -- selection --------------------------------------------------------
    def item(self, index: Any) -> Result:
        """Select one batch element (or a slice of the batch).

        Examples
        --------
        >>> import numpy as np
        >>> r = Result("t_ms", [0.0, 1.0], {"x": np.ones((3, 2))})
        >>> r.item(1).batch_shape
        ()
        """
        index = index if isinstance(index, tuple) else (index,)
        batch = self.batch_shape
        series = {
            k: np.broadcast_to(v, (*batch, v.shape[-1]))[(*index, Ellipsis)]
            for k, v in self._series.items()
        }
        summaries = {
            k: np.broadcast_to(v, batch)[index] if v.shape == batch or v.ndim else v
            for k, v in self._summaries.items()
        }
        labels: dict[str, tuple[str, ...]] = {}
        for position, (axis, values) in enumerate(self.batch_labels.items()):
            kept = np.asarray(values, dtype=object)[index[position]] if position < len(index) else values
            if np.ndim(kept) == 0:
                continue  # an integer drops the axis
            if np.ndim(kept) != 1:
                break  # anything fancier ends the labelled axes
            labels[axis] = tuple(kept)
        return Result(self.axis_name, self._axis, series, units=self.units, summaries=summaries,
                      meta=self.meta, batch_labels=labels)

    def select(self, **labels: str) -> Result:
        """Select batch elements by label, e.g. ``table.select(arm="spastic")``.

        Each keyword names a labelled batch axis (see ``batch_labels``); that axis
        is dropped from the result.

        Raises
        ------
        ParameterError
            For an unknown axis or label (the message lists the known ones).

        Examples
        --------
        >>> r = Result("t_ms", [0.0, 1.0], {"emg": [[0.0, 1.0], [0.0, 3.0]]},
        ...            batch_labels={"arm": ("healthy", "spastic")})
        >>> r.select(arm="spastic").emg.tolist()
        [0.0, 3.0]
        >>> r.select(arm="severe")
        Traceback (most recent call last):
        ...
        sim.errors.ParameterError: arm = 'severe' is not in this result; arm: healthy, spastic
        """
        from .errors import ParameterError

        unknown = sorted(set(labels) - set(self.batch_labels))
        if unknown:
            known = ", ".join(self.batch_labels) or "none"
            raise ParameterError(f"no labelled batch axis {', '.join(map(repr, unknown))}; "
                                 f"labelled axes: {known}")
        index: list[Any] = []
        for axis, values in self.batch_labels.items():
            if axis not in labels:
                index.append(slice(None))
            elif labels[axis] in values:
                index.append(values.index(labels[axis]))
            else:
                raise ParameterError(f"{axis} = {labels[axis]!r} is not in this result; "
                                     f"{axis}: {', '.join(values)}")
        return self.item(tuple(index))

    def at(self, time: Any) -> dict[str, Any] | Result:
        """Values at *time* (linear interpolation between samples).

        Parameters
        ----------
        time : float or array_like
            Time(s) in the unit of the axis, inside its range.

        Returns
        -------
        dict or Result
            For a scalar time, a mapping from series name to its value(s)
            (numeric series interpolated, string series taken from the
            nearest earlier sample); for an array, a new :class:`Result`.
        """
        times = np.asarray(time, dtype=float)
        low, high = self._axis[0], self._axis[-1]
        if np.any((times < low) | (times > high)) or not np.all(np.isfinite(times)):
            from .errors import ParameterError

            raise ParameterError(
                f"{self.axis_name} = {time!r} is outside the simulated range [{low:g}, {high:g}]"
            )
        flat = np.atleast_1d(times)
        idx = np.clip(np.searchsorted(self._axis, flat, side="right") - 1, 0, self._axis.size - 1)
        nxt = np.minimum(idx + 1, self._axis.size - 1)
        span = self._axis[nxt] - self._axis[idx]
        weight = np.where(span > 0, (flat - self._axis[idx]) / np.where(span > 0, span, 1.0), 0.0)
        sampled: dict[str, np.ndarray] = {}
        for name, array in self._series.items():
            if array.dtype.kind in "fiu":
                sampled[name] = array[..., idx] * (1 - weight) + array[..., nxt] * weight
            else:
                sampled[name] = array[..., np.where(weight >= 1.0, nxt, idx)]
        if times.ndim == 0:
            return {name: values[..., 0] for name, values in sampled.items()}
        return Result(self.axis_name, flat, sampled, units=self.units, summaries=self._summaries,
                      meta=self.meta, batch_labels=self.batch_labels)

    def rounded(self) -> Result:
        """A copy whose float arrays hold exactly what :meth:`to_csv` writes (10 significant digits).

        Figures are drawn from the rounded copy, so a figure and its CSV show the same numbers
        and last-bit differences between machines never move a pixel.

        Examples
        --------
        >>> r = Result("t_h", [0.0, 1.0], {"x": [1.0 / 3.0, 2.0]})
        >>> r.rounded()["x"].tolist()
        [0.3333333333, 2.0]
        """
        return Result(
            self.axis_name,
            round_significant(self._axis),
            {k: round_significant(v) for k, v in self._series.items()},
            units=self.units,
            summaries={k: round_significant(v) for k, v in self._summaries.items()},
            meta=self.meta,
            batch_labels=self.batch_labels,
        )

    # -- output -----------------------------------------------------------
    def _columns(self) -> tuple[list[str], list[np.ndarray]]:
        # Labelled axes outermost (all columns of one arm together), then series by series,
        # then any unlabelled batch axes as integer indices: name[arm,i].
        headers = [self.axis_name]
        columns = [self._axis]
        labels = list(self.batch_labels.values())
        for outer in np.ndindex(*(len(values) for values in labels)):
            tags = [values[i] for values, i in zip(labels, outer, strict=True)]
            for name, array in self._series.items():
                part = array[outer]
                for inner in np.ndindex(*part.shape[:-1]):
                    index = [*tags, *(str(i) for i in inner)]
                    headers.append(f"{name}[{','.join(index)}]" if index else name)
                    columns.append(part[inner])
        return headers, columns

    def to_csv(self, path: str | os.PathLike[str], *, extra_header: Mapping[str, Any] | None = None) -> Path:
        """Write the series to a CSV file atomically.

        The file opens with ``#`` comment lines: the educational-only statement,
        the package version, the unit of every column, the metadata (as JSON)
        and anything in *extra_header*.  Batched series become one column per
        batch element, named ``name[i,j]``.  Numbers are written with 10
        significant digits so that reruns give identical files.  Labelled batch
        axes give columns ``name[label]``, grouped label by label.

        Parameters
        ----------
        path : path-like
            Destination; written atomically.
        extra_header : mapping, optional
            More ``key: value`` lines for the header.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        from . import __version__

        headers, columns = self._columns()
        buffer = io.StringIO()
        buffer.write(f"# {EDUCATIONAL_STATEMENT}\n")
        buffer.write(f"# spinal-reflex-sim version: {__version__}\n")
        units = {h: self.unit(h) for h in headers}
        buffer.write(f"# units: {json.dumps(units, ensure_ascii=False)}\n")
        for key, value in {**self.meta, **(extra_header or {})}.items():
            buffer.write(f"# {key}: {json.dumps(plain(value), ensure_ascii=False)}\n")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        formatted = [
            [format_number(v) for v in col] if col.dtype.kind in "fiu" else [str(v) for v in col]
            for col in columns
        ]
        for row in zip(*formatted, strict=True):
            writer.writerow(row)
        return atomic_write_text(path, buffer.getvalue())

    def summary(self) -> str:
        """A readable text table: for each series its unit, minimum, maximum and final value.

        Examples
        --------
        >>> r = Result("t_h", [0.0, 1.0], {"plasma_ng_ml": [0.0, 50.0]}, units={"plasma_ng_ml": "ng/mL"})
        >>> print(r.summary())  # doctest: +NORMALIZE_WHITESPACE
        Educational illustration – not for clinical use
        series          unit        min        max      final
        plasma_ng_ml    ng/mL           0         50         50
        """
        from .fileio import EDUCATIONAL_LABEL

        width = max([len(n) for n in self._series] + [6]) + 2
        lines = [EDUCATIONAL_LABEL, f"{'series':<{width}}{'unit':<8}{'min':>11}{'max':>11}{'final':>11}"]
        for name, array in self._series.items():
            unit = self.unit(name)
            if array.dtype.kind in "fiu":
                lines.append(
                    f"{name:<{width}}{unit:<8}{np.min(array):>11.4g}{np.max(array):>11.4g}"
                    f"{np.ravel(array[..., -1])[0] if array.ndim > 1 else array[-1]:>11.4g}"
                )
            else:
                values = sorted(set(np.ravel(array).tolist()))
                lines.append(f"{name:<{width}}{unit:<8}  values: {', '.join(map(str, values))}")
        for name, array in self._summaries.items():
            if array.dtype.kind in "fiu":
                lines.append(
                    f"{name:<{width}}{self.unit(name):<8}{np.min(array):>11.4g}{np.max(array):>11.4g}"
                    f"{'(summary)':>11}"
                )
        return "\n".join(lines)


