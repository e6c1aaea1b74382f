"""Generic panels of a :class:`~sim.result.Result`: series, stacked traces, sedation bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..outcomes import BANDS as _outcome_bands
from .style import _styled, arm_style, axis_label, new_figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes

    from ..result import Result

# ---------------------------------------------------------------------------
# Generic plots of a Result
# ---------------------------------------------------------------------------


def _new_axes(title: str) -> Axes:
    _, ax = new_figure(title=title)
    return ax


def _line_style(arm: str | None, n_points: int) -> dict[str, Any]:
    if arm is None:
        return {}
    style = arm_style(arm)
    if style["marker"]:
        # A few markers identify the arm in greyscale without hiding the line.
        style["markevery"] = max(1, n_points // 8)
    return style


@_styled
def plot_series(
    result: Result,
    name: str,
    *,
    ax: Axes | None = None,
    arm: str | None = None,
    batch_index: Any = None,
    **kw: Any,
) -> Axes:
    """Plot one named series of a :class:`~sim.result.Result` against its time axis.

    Parameters
    ----------
    result : Result
        Simulation output.
    name : str
        Series name, e.g. ``"plasma_ng_ml"``.  A series of strings (qualitative
        bands) is drawn with :func:`plot_band_timeline`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new 16:9 figure if omitted.
    arm : str, optional
        Arm name; sets colour, line style, marker and legend label via
        :func:`arm_style`.  Without it the style's colour cycle is used.
    batch_index : int, slice or tuple, optional
        Select part of a batched series first.  Whatever batch is left is drawn
        as one line per element (same arm style, increasing opacity).
    **kw
        Passed to :meth:`matplotlib.axes.Axes.plot` (override the arm style).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> r = Result("t_ms", [0.0, 10.0, 20.0], {"emg": np.array([[0, 1, 0], [0, 2, 0]])})
    >>> ax = plot_series(r, "emg", arm="spastic")
    >>> [line.get_ydata().tolist() for line in ax.get_lines()]
    [[0, 1, 0], [0, 2, 0]]
    """
    values = np.asarray(result[name])
    t = result.axis
    if values.ndim == 0 or values.shape[-1] != t.size:
        raise ParameterError(
            f"{name!r} is not a time series of this result (shape {values.shape}, "
            f"{result.axis_name} has {t.size} points)"
        )
    if batch_index is not None:
        index = batch_index if isinstance(batch_index, tuple) else (batch_index,)
        values = values[(*index, Ellipsis)]
    if ax is None:
        ax = _new_axes(axis_label(name, result.unit(name)))
    if values.dtype.kind not in "fiub":
        if values.ndim != 1:
            raise ParameterError(f"{name!r} holds bands for a batch {values.shape[:-1]}; "
                                 "choose one element with batch_index")
        return plot_band_timeline(ax, t, values)
    lines = values.reshape(-1, t.size)
    style = _line_style(arm, t.size)
    for i, row in enumerate(lines):
        line_kw = dict(style)
        if len(lines) > 1:
            if arm is not None:
                line_kw["alpha"] = 0.4 + 0.6 * (i + 1) / len(lines)
            if i > 0:
                line_kw.pop("label", None)
        line_kw.update(kw)
        ax.plot(t, row, **line_kw)
    ax.set_xlabel(axis_label(result.axis_name, result.unit(result.axis_name)))
    ax.set_ylabel(axis_label(name, result.unit(name)))
    return ax


@_styled
def plot_trace_panel(
    result: Result,
    names: Sequence[str],
    *,
    axes: Any = None,
    arm: str | None = None,
    title: str = "The signal passes along the reflex arc",
) -> np.ndarray:
    """Stack several traces of one result, sharing the time axis.

    Typical use: the stretch reflex step by step (Ia firing → glutamate →
    motoneuron firing → EMG → force).

    Parameters
    ----------
    result : Result
        Simulation output.
    names : sequence of str
        Series to show, top to bottom.
    axes : array_like of Axes, optional
        One axes per name; a new figure (one column, shared x) if omitted.
    arm : str, optional
        Arm style for every trace (see :func:`arm_style`).
    title : str, optional
        Take-home title of a new figure.

    Returns
    -------
    numpy.ndarray of Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> r = Result("t_ms", [0.0, 5.0, 10.0], {"ia_rate_hz": [10, 80, 20], "emg": [0, 0.5, 0.1]})
    >>> axes = plot_trace_panel(r, ["ia_rate_hz", "emg"])
    >>> [ax.get_title(loc="left") for ax in axes]  # units from the registry (sim.variables)
    ['Ia afferent firing rate (imp/s)', 'EMG (a.u.)']
    """
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ParameterError("names is empty; give at least one series name")
    if axes is None:
        _, axes = new_figure(len(names), 1, title=title, sharex=True, squeeze=False)
    axes = np.ravel(np.asarray(axes, dtype=object))
    if axes.size != len(names):
        raise ParameterError(f"got {axes.size} axes for {len(names)} names; give one axes per name")
    for ax, name in zip(axes, names, strict=True):
        plot_series(result, name, ax=ax, arm=arm)
        # Stacked panels leave no room for long vertical labels: each trace is
        # named (with its unit) above its panel instead.
        ax.set_ylabel("")
        ax.set_title(axis_label(name, result.unit(name)), loc="left", fontsize=14,
                     fontweight="normal")
    for ax in axes[:-1]:
        ax.set_xlabel("")
    return axes


# ---------------------------------------------------------------------------
# Qualitative sedation bands
# ---------------------------------------------------------------------------

#: Qualitative sedation bands, mildest first.  They describe how strongly the
#: model's brain GABA-B activation would dampen alertness – never a probability.
SEDATION_BANDS = _outcome_bands

#: Fixed band colours, light → dark (one hue, so greyscale keeps the order).
SEDATION_BAND_COLORS = {
    "none": "#F2F2F2",
    "mild": "#C6DBEF",
    "moderate": "#6BAED6",
    "marked": "#2171B5",
}
_BAND_TEXT_COLORS = {
    "none": "#333333", "mild": "#333333", "moderate": "#000000", "marked": "#FFFFFF",
}


def _band_edges(band_edges: Sequence[float]) -> np.ndarray:
    edges = np.asarray(band_edges, dtype=float)
    if edges.ndim != 1 or edges.size not in (3, 5):
        raise ParameterError(
            f"band_edges = {band_edges!r} must hold the 3 boundaries between the 4 bands "
            "or all 5 edges from 0 to 1"
        )
    if edges.size == 3:
        edges = np.concatenate([[0.0], edges, [1.0]])
    increasing = np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0)
    if not increasing or edges[0] < 0 or edges[-1] > 1:
        raise ParameterError(f"band_edges = {band_edges!r} must increase strictly within [0, 1]")
    return edges


@_styled
def sedation_bands(
    ax: Axes | None,
    band_edges: Sequence[float],
    *,
    orientation: str = "horizontal",
) -> Axes:
    """Shade the qualitative sedation bands none / mild / moderate / marked.

    The sedation index is a 0–1 *qualitative* scale; the axis is labelled
    "Sedation index (qualitative)" and the bands carry words, never numbers
    or percentages.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Axes to draw on (a new figure if ``None``).
    band_edges : sequence of float
        Either the 3 boundaries between the bands (e.g. ``(0.15, 0.4, 0.7)``)
        or all 5 edges starting at 0 and ending at 1.
    orientation : {"horizontal", "vertical"}, optional
        ``"horizontal"``: the index is on the y axis and the bands are
        horizontal stripes behind a time course; ``"vertical"``: the index is
        on the x axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = sedation_bands(None, (0.15, 0.4, 0.7))
    >>> ax.get_ylabel()
    'Sedation index (qualitative)'
    >>> sorted(t.get_text() for t in ax.texts)
    ['marked', 'mild', 'moderate', 'none']
    """
    if orientation not in ("horizontal", "vertical"):
        raise ParameterError(
            f"orientation = {orientation!r} is not one of the allowed values: "
            "'horizontal', 'vertical'"
        )
    edges = _band_edges(band_edges)
    if ax is None:
        ax = _new_axes("Sedation shown as qualitative bands")
    horizontal = orientation == "horizontal"
    blend = ax.get_yaxis_transform() if horizontal else ax.get_xaxis_transform()
    for band, low, high in zip(SEDATION_BANDS, edges[:-1], edges[1:], strict=True):
        span = ax.axhspan if horizontal else ax.axvspan
        span(low, high, facecolor=SEDATION_BAND_COLORS[band], alpha=0.45, edgecolor="none",
             zorder=0, label=f"_band {band}")
        middle = 0.5 * (low + high)
        # Band names sit just outside the axes (right of them, or above them),
        # where no curve can run through them.
        if horizontal:
            ax.text(1.01, middle, band, transform=blend, ha="left", va="center", fontsize=13,
                    color="#333333", style="italic")
        else:
            ax.text(middle, 1.01, band, transform=blend, ha="center", va="bottom", fontsize=13,
                    color="#333333", style="italic", rotation=90)
    label = axis_label("sedation_index")
    # Ticks mark the band edges without numbers: the index is qualitative, the bands carry
    # words, and the edges are teaching choices.
    tick_labels = [""] * len(edges)
    if horizontal:
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel(label)
        ax.set_yticks(edges, labels=tick_labels)
    else:
        ax.set_xlim(0.0, 1.0)
        ax.set_xlabel(label)
        ax.set_xticks(edges, labels=tick_labels)
    return ax


@_styled
def plot_band_timeline(
    ax: Axes | None,
    t: Any,
    bands: Sequence[str],
    *,
    y: float = 0.0,
    height: float = 1.0,
    legend: bool = True,
) -> Axes:
    """Draw a sequence of qualitative bands over time as coloured blocks.

    Sample *i* is taken to hold from ``t[i]`` until ``t[i + 1]``; runs of the
    same band merge into one block.  Wide blocks carry their band name.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Axes to draw on (a new figure if ``None``).
    t : array_like, shape (n,)
        Times, increasing.
    bands : sequence of str, shape (n,)
        Band names from :data:`SEDATION_BANDS` (case-insensitive).
    y, height : float, optional
        Vertical position and height of the strip, in data units.
    legend : bool, optional
        Add a legend with all four bands in their fixed order.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_band_timeline(None, [0, 1, 2, 3], ["none", "mild", "mild", "none"])
    >>> [c.get_label() for c in ax.collections]
    ['none', 'mild']
    """
    times = np.asarray(t, dtype=float)
    names = [str(b).strip().casefold() for b in np.ravel(np.asarray(bands))]
    if times.ndim != 1 or times.size != len(names) or times.size == 0:
        raise ParameterError(
            f"t (shape {times.shape}) and bands ({len(names)} values) must be one-dimensional "
            "and of equal, non-zero length"
        )
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        raise ParameterError("t must be finite and increasing")
    unknown = sorted(set(names) - set(SEDATION_BANDS))
    if unknown:
        raise ParameterError(
            f"band value(s) {', '.join(map(repr, unknown))} not recognised; allowed: "
            f"{', '.join(map(repr, SEDATION_BANDS))}"
        )
    if ax is None:
        ax = _new_axes("Sedation over time, as qualitative bands")
    # Merge runs of equal bands into (start, width) blocks.
    change = [0, *[i for i in range(1, len(names)) if names[i] != names[i - 1]], len(names)]
    runs: dict[str, list[tuple[float, float]]] = {b: [] for b in SEDATION_BANDS}
    span = float(times[-1] - times[0]) or 1.0
    for start, stop in zip(change[:-1], change[1:], strict=True):
        t0 = times[start]
        t1 = times[stop] if stop < len(times) else times[-1]
        runs[names[start]].append((float(t0), float(t1 - t0)))
        if (t1 - t0) / span > 0.08:
            ax.text(0.5 * (t0 + t1), y + 0.5 * height, names[start], ha="center", va="center",
                    fontsize=13, color=_BAND_TEXT_COLORS[names[start]], zorder=3)
    for band in SEDATION_BANDS:
        if runs[band]:
            ax.broken_barh(runs[band], (y, height), facecolors=SEDATION_BAND_COLORS[band],
                           edgecolor="#777777", linewidth=0.8, label=band, zorder=2)
    top = y + 1.1 * height
    if legend:
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=SEDATION_BAND_COLORS[b], edgecolor="#777777", label=b)
                   for b in SEDATION_BANDS]
        # Inside the axes, above the strip: outside legends collide with panel letters.
        ax.legend(handles=handles, ncols=4, loc="upper center", fontsize=12,
                  handlelength=1.5, columnspacing=1.2, borderaxespad=0.2)
        top = y + 1.5 * height
    ax.set_xlim(times[0], times[-1] if times[-1] > times[0] else times[0] + 1.0)
    ax.set_ylim(y - 0.1 * height, top)
    ax.set_yticks([])
    if not ax.get_ylabel():
        ax.set_ylabel("Sedation band")
    ax.grid(False)
    return ax



