"""Two time scales in one figure: drug level over hours, reflex probes over milliseconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ParameterError
from ..variables import display_unit
from .layout import _label, _time_scale, _time_ticks, _wrap_label
from .style import OKABE_ITO as _C
from .style import (
    _add_axes,
    _figure,
    _fix_axes_style,
    _styled,
    arm_style,
    axis_label,
)

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.figure import Figure

    from ..result import Result


# ---------------------------------------------------------------------------
# Two time scales in one figure: drug level over hours, reflexes over ms
# ---------------------------------------------------------------------------

_PROBE_MARKER_GID = "probe-marker"
_MULTISCALE_TITLE = "The reflex follows the drug level: small at the peak, larger at the trough"


def _course_key(course: Result, series: str, arm: str | None) -> str:
    if arm is not None and f"{series}[{arm}]" in course:
        return f"{series}[{arm}]"
    if series in course.names:
        return series
    raise ParameterError(
        f"the course has no series {series!r}"
        + (f" for arm {arm!r}" if arm is not None else "")
        + f"; series: {', '.join(course.names)}"
    )


def _probe_time(course_t: np.ndarray, level: np.ndarray, key: str, probe: Result,
                times_h: Mapping[str, float] | None) -> float:
    """Where a probe belongs on the course: given, recorded in its meta, or found."""
    if times_h and key in times_h:
        when = float(times_h[key])
    elif "t_h" in probe.meta:
        when = float(probe.meta["t_h"])
    elif key.casefold() in ("trough", "peak"):
        # The lowest / highest level on the course (latest one when tied).
        pick = np.argmin if key.casefold() == "trough" else np.argmax
        index = len(level) - 1 - int(pick(level[::-1]))
        return float(course_t[index])
    else:
        raise ParameterError(
            f"probe {key!r}: give its time in times_h={{{key!r}: hours}} or probe.meta['t_h'] "
            "(only 'trough' and 'peak' are found automatically)"
        )
    if not course_t[0] <= when <= course_t[-1]:
        raise ParameterError(
            f"probe {key!r} at t = {when:g} h is outside the course [{course_t[0]:g}, "
            f"{course_t[-1]:g}] h"
        )
    return when


def _spread(centres: Sequence[float], width: float, gap: float = 0.08,
            low: float = 0.01, high: float = 0.99) -> list[float]:
    """Left edges (axes fraction) of equal-width insets near *centres*, not overlapping.

    *gap* keeps room between neighbours for the right one's tick labels and the left one's
    heading, which may run a little past its inset.

    >>> [round(v, 2) for v in _spread([0.3, 0.35], 0.2)]  # pushed apart
    [0.2, 0.48]
    """
    order = np.argsort(centres, kind="stable")
    lefts = np.clip(np.asarray(centres, dtype=float) - width / 2, low, high - width)
    placed = lefts[order]
    for i in range(1, len(placed)):  # push right …
        placed[i] = max(placed[i], placed[i - 1] + width + gap)
    overflow = placed[-1] + width - high if len(placed) else 0.0
    if overflow > 0:  # … then back left if the last one fell off the axes
        placed[-1] -= overflow
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - width - gap)
    result = np.empty_like(placed)
    result[order] = placed
    return [float(v) for v in result]


@_styled
def multiscale_figure(
    course: Result,
    probes: Mapping[str, Result],
    *,
    arm: str | None = None,
    series: str | None = None,
    trace: str = "emg",
    times_h: Mapping[str, float] | None = None,
    title: str = _MULTISCALE_TITLE,
) -> Figure:
    """Drug level over hours with millisecond reflex traces inset where they were probed.

    The two time scales of the model in one picture: the level (hours) decides
    how strongly GABA-B receptors damp the reflex, and the reflex itself
    (milliseconds) is probed with the level held constant.  Each inset is
    connected to its point on the course; all insets share one y-range so
    their sizes compare honestly.

    Parameters
    ----------
    course : Result
        Axis ``t_h``; the level is ``series`` (or ``series[arm]``).
    probes : mapping of str to Result
        Reflex probes (axis ``t_ms``, e.g. from :func:`sim.stretch_reflex`),
        keyed by a short name such as ``"trough"`` and ``"peak"``.
    arm : str, optional
        Arm of a multi-arm course table; sets the colour (:func:`arm_style`).
    series : str, optional
        Level to draw; default the spinal effect-site level if present, else
        CSF, else plasma.
    trace : str, optional
        Probe series shown in the insets (``"emg"`` or ``"torque_nm"``).
    times_h : mapping of str to float, optional
        Time of each probe, h.  Otherwise ``probe.meta["t_h"]``; ``"trough"``
        and ``"peak"`` are found on the course (lowest / highest level).
    title : str, optional
        The take-home message.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]`` is the course; the insets are its ``child_axes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> t = np.linspace(0, 24, 97)
    >>> course = Result("t_h", t, {"spinal_effect_ng_ml": 10 + 5 * np.sin(t)})
    >>> ms = np.arange(0.0, 300.0, 5.0)
    >>> probe = lambda a: Result("t_ms", ms, {"emg": a * np.exp(-((ms - 120) / 30) ** 2)})
    >>> fig = multiscale_figure(course, {"trough": probe(0.6), "peak": probe(0.2)})
    >>> len(fig.axes[0].child_axes)  # the insets
    2
    """
    from matplotlib.patches import ConnectionPatch
    from matplotlib.transforms import blended_transform_factory

    if not probes:
        raise ParameterError("probes is empty; give at least one reflex probe")
    if series is None:
        series = next((s for s in ("spinal_effect_ng_ml", "csf_ng_ml", "plasma_ng_ml")
                       if any(n == s or n.startswith(f"{s}[") for n in course.names)),
                      "spinal_effect_ng_ml")
    key = _course_key(course, series, arm)
    level = np.asarray(course[key], dtype=float)
    t_h = course.axis
    t, xlabel, divisor = _time_scale(t_h)
    style = arm_style(arm) if arm is not None else {"color": _C["blue"], "linestyle": "-",
                                                     "label": "", "marker": ""}

    fig = _figure(title)
    ax = _add_axes(fig, 111)
    ax.plot(t, level, color=style["color"], linestyle="-", linewidth=3.0, zorder=3,
            label=axis_label(series).split(" (")[0])
    level_top = float(level.max()) if level.size else 1.0
    # The curve keeps the lower half of the panel; the insets live above it.
    ax.set_ylim(0.0, 2.25 * level_top if level_top > 0 else 1.0)
    ax.spines["left"].set_bounds(0.0, level_top * 1.05)
    ticks = [v for v in ax.get_yticks() if 0 <= v <= level_top * 1.05]
    ax.set_yticks(ticks)
    ax.set_ylabel(_wrap_label(_label(course, key), 22), loc="bottom")
    ax.set_xlabel(xlabel)
    _time_ticks(ax, t, divisor)
    ax.grid(False)

    keys = list(probes)
    for name in keys:
        if trace not in probes[name]:
            raise ParameterError(f"probe {name!r} has no trace {trace!r}; "
                                 f"traces: {', '.join(probes[name].names)}")
    times = [_probe_time(t_h, level, name, probes[name], times_h) for name in keys]
    span = float(t[-1] - t[0]) or 1.0
    width, height, bottom = min(0.26, 0.9 / len(keys) - 0.03), 0.36, 0.58
    lefts = _spread([(w / divisor - t[0]) / span for w in times], width, low=0.07)
    high = max(float(np.max(probes[k][trace])) for k in keys)
    low = min(0.0, *(float(np.min(probes[k][trace])) for k in keys))
    probe_colors = {"peak": _C["blue"], "trough": _C["vermillion"]}
    blend = blended_transform_factory(ax.transAxes, ax.transAxes)
    insets = []
    for name, when, left in zip(keys, times, lefts, strict=True):
        x = when / divisor
        y = float(np.interp(when, t_h, level))
        color = probe_colors.get(name.casefold(), _C["bluish green"])
        ax.plot([x], [y], marker="o", markersize=13, color=color, markeredgecolor="white",
                markeredgewidth=2, linestyle="", zorder=5, gid=_PROBE_MARKER_GID, label=name)
        inset = ax.inset_axes((left, bottom, width, height), transform=blend, zorder=6)
        _fix_axes_style(inset)
        probe = probes[name]
        inset.plot(probe.axis, probe[trace], color=color, linewidth=2.2)
        inset.set_ylim(low, high * 1.12 if high > 0 else 1.0)
        inset.set_xlim(float(probe.axis[0]), float(probe.axis[-1]))
        inset.tick_params(labelsize=11, length=3)
        inset.set_xlabel(axis_label(probe.axis_name, "ms"), fontsize=11, labelpad=1)
        inset.grid(False)
        # The quantity goes into the heading: a rotated label would crowd the ticks.
        level_text = f"{y:.3g} {probe_unit(course, key)}".rstrip()
        inset.set_title(f"{name.capitalize()} ({level_text}): {_label(probe, trace)}",
                        loc="left", fontsize=12.5, fontweight="bold", color=color, pad=4)
        inset.patch.set_alpha(0.92)
        connector = ConnectionPatch(xyA=(x, y), coordsA=ax.transData, xyB=(0.5, -0.3),
                                    coordsB=inset.transAxes, color=color, linewidth=1.5,
                                    linestyle="--", zorder=4)
        connector.set_in_layout(False)
        ax.add_artist(connector)
        insets.append(inset)
    ax.text(0.0, 1.0, "Stretch reflex probed at constant drug level (ms scale)",
            transform=ax.transAxes, ha="left", va="bottom", fontsize=13, style="italic",
            color="#333333")
    return fig


def probe_unit(course: Result, key: str) -> str:
    """Printed unit of a course column (``"ng/mL"``), ``""`` when dimensionless."""
    return display_unit(course.unit(key))

