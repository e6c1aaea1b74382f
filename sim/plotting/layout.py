"""Pieces shared by the scenario figures: headings, arm lines and legends, axes, sedation panels.

Tables follow :func:`sim.runner.run_tables`: one :class:`~sim.result.Result` per table, the arms
of a scenario along a labelled batch axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from .panels import (
    SEDATION_BAND_COLORS,
    SEDATION_BANDS,
    plot_band_timeline,
)
from .style import _add_axes, _figure, _lay_out, _style_rc, arm_style, arm_styles, axis_label

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


# ---------------------------------------------------------------------------
# Scenario figures (one per teaching scenario, from sim.runner.run_tables)
# ---------------------------------------------------------------------------

# Short headings above the panels of scenario figures: what the panel shows, in
# words a student reads first.  They describe and never claim: the claim is the
# scenario's title, and the data under a heading may not bear a claim out.
_PANEL_HEADINGS = {
    "epsc_rel": "Enantiomers compared",
    "activation_pre": "Presynaptic activation",
    "release_rel": "Release ∝ (Ca²⁺ entry)⁴",
    "gabab_conductance": "Slow G-protein cascade",
    "emg": "Reflex EMG",
    "torque_nm": "Reflex torque",
    "mn_rate_hz": "Motoneuron firing",
    "emg_peak": "Peak EMG vs velocity",
    "torque_peak_nm": "Peak torque vs velocity",
    "threshold_angle_deg": "Onset angle vs velocity",
    "trigger_angle_deg": "Trigger angle vs velocity",
    "reflex_gain_rel": "Stretch-reflex gain",
    "voluntary_force_rel": "Voluntary strength",
    "sedation_index": "Sedation (qualitative)",
    "sedation_band": "Sedation band (qualitative)",
    "plasma_ng_ml": "Plasma level",
    "csf_ng_ml": "Spinal CSF level",
    "spinal_effect_ng_ml": "Level at the spinal cord",
    "brain_ng_ml": "Level in the brain",
    "receptor_availability": "GABA-B receptors available",
    "h_reflex_ratio": "H-reflex",
    "girk_conductance_ns": "Motoneuron GIRK conductance",
    "tone_discomfort_rel": "Discomfort from tightness",
    "nociceptive_signal_rel": "Pain (nociceptive) signal",
    "spasm_index": "Spasms",
}
# Where the same series means something else in a kind's story.
_KIND_HEADINGS = {
    "mechanisms": {"release_rel": "Release per Ia spike", "reflex_gain_rel": "Stretch-reflex gain"},
}

# Series for which the drug-free value 1 is the natural reference line.
_UNIT_REFERENCE = {"reflex_gain_rel", "voluntary_force_rel", "tone_discomfort_rel",
                   "nociceptive_signal_rel", "epsc_rel", "receptor_availability"}
_REFERENCE_GID = "reference"
_REFERENCE_LABEL_GID = "reference-label"
_FREE_TEXT_GID = "free-text"  # a note that must not cover data: moved by _place_labels_off_data
_HOURS_LIMIT = 72.0  # longer courses are drawn in days


def _label(table: Result, name: str) -> str:
    """Axis label of *name* (or of a column ``name[arm]``) with the table's unit (the registry's)."""
    return axis_label(name, table.unit(name))


def _arm_values(table: Result, name: str, arm: Any) -> Any:
    """Series *name* of *arm*: its row on the table's ``"arm"`` axis; a table without arms
    holds one series shared by every arm."""
    if name not in table.names:
        raise ParameterError(f"the table has no series {name!r}; series: {', '.join(table.names)}")
    if "arm" in table.batch_labels:
        return table.select(arm=arm.name)[name]
    return table[name]


def _arm_line(ax: Axes, x: Any, y: Any, arm: Any, *, markers: bool = True, style: dict[str, Any] | None = None,
              **kw: Any) -> Any:
    style = dict(style) if style is not None else arm_style(arm.name)
    style["label"] = getattr(arm, "label", None) or style["label"]
    n = np.size(x)
    if not markers or not style["marker"] or n > 40:
        # Dense curves (time courses) rely on colour and dash: markers on an
        # oscillating level would look like measured points.
        style["marker"] = ""
    style.update(kw)
    (line,) = ax.plot(x, y, **style)
    return line


def _arm_lines(ax: Axes, x: Any, table: Result, name: str, arms: Sequence[Any], **kw: Any) -> None:
    """One line of *name* per arm; a table without arms gives one line, in the first arm's style.

    Arms whose curves coincide (for example "presynaptic only" and "both" in release per Ia
    spike) are kept visible with :func:`_separate_coincident`.
    """
    styles = arm_styles([arm.name for arm in arms])
    lines = [_arm_line(ax, x, _arm_values(table, name, arm), arm, style=styles[arm.name], **kw)
             for arm in (arms if "arm" in table.batch_labels else arms[:1])]
    _separate_coincident(lines)


# Curves closer than this fraction of the panel's y-span everywhere are drawn as one band of
# lines: at 2.5-pt line width they would otherwise hide each other on a slide.
_COINCIDENT_FRACTION = 0.04


def _coincident_groups(lines: Sequence[Any]) -> list[list[Any]]:
    """Groups (in drawing order) of lines with the same x and y closer than the tolerance."""
    data = [(np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float))
            for line in lines]
    finite = [y[np.isfinite(y)] for _, y in data]
    finite = [y for y in finite if y.size]
    if len(lines) < 2 or not finite:
        return []
    values = np.concatenate(finite)
    span = float(values.max() - values.min()) or max(abs(float(values.max())), 1.0)
    tolerance = _COINCIDENT_FRACTION * span
    groups: list[list[int]] = []
    for i, (xi, yi) in enumerate(data):
        for group in groups:
            xj, yj = data[group[0]]
            if xi.shape == xj.shape and np.array_equal(xi, xj) and np.array_equal(
                    np.isfinite(yi), np.isfinite(yj)):
                both = np.isfinite(yi)
                if not both.any() or np.max(np.abs(yi[both] - yj[both])) <= tolerance:
                    group.append(i)
                    break
        else:
            groups.append([i])
    return [[lines[i] for i in group] for group in groups if len(group) > 1]


def _separate_coincident(lines: Sequence[Any]) -> None:
    """Keep every arm visible where curves coincide.

    Within a group of coinciding lines the first drawn (lowest) is the widest and each later
    one narrower, so every colour and dash shows as a casing around the line above it; the
    markers take turns along the curve (``markevery=(j, k)``), so each arm's marker appears.
    The data are not moved.
    """
    for group in _coincident_groups(lines):
        k = len(group)
        base = max(line.get_linewidth() for line in group)
        for j, line in enumerate(group):
            line.set_linewidth(base * (1.0 + 1.1 * (k - 1 - j)))
            if line.get_marker() not in ("", "None", None):
                line.set_markevery((j, k))


def _reference_line(ax: Axes, value: float = 1.0, text: str = "drug-free") -> None:
    """A dotted reference line at *value* with a label; :func:`_place_labels_off_data` later
    moves the label to a spot free of data (the figure's limits are only final then)."""
    ax.axhline(value, color="#555555", linestyle=":", linewidth=1.5, zorder=1, gid=_REFERENCE_GID,
               label="_reference")
    ax.annotate(text, xy=(1.0, value), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                textcoords="offset points", ha="right", va="bottom", fontsize=12,
                color="#555555", style="italic", gid=_REFERENCE_LABEL_GID)


# Places tried for a reference label, best first: (x in axes fraction, horizontal alignment,
# offset from the line in points; positive = above).  Right and left ends first (where a
# reader looks for a line's name), then the middle of the panel, then further from the line.
_REFERENCE_SPOTS = [(x, ha, dy) for dy in (3.0, -3.0, 9.0, -9.0)
                    for x, ha in ((0.99, "right"), (0.01, "left"), (0.5, "center"),
                                  (0.75, "center"), (0.25, "center"))]


def _display_segments(line: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """Start and end points (pixels) of a line's drawn segments, and its half-width in pixels
    (line width or marker size, whichever is larger)."""
    from matplotlib.cbook import STEP_LOOKUP_MAP

    xy = np.asarray(line.get_xydata(), dtype=float)
    style = line.get_drawstyle()
    if style in STEP_LOOKUP_MAP and style != "default" and len(xy) > 1:
        xy = np.column_stack(STEP_LOOKUP_MAP[style](xy[:, 0], xy[:, 1]))
    with np.errstate(all="ignore"):
        points = line.get_transform().transform(xy)
    ok = np.all(np.isfinite(points), axis=1)
    pairs = ok[:-1] & ok[1:]
    starts = np.concatenate([points[:-1][pairs], points[ok]])
    ends = np.concatenate([points[1:][pairs], points[ok]])  # single points as zero-length segments
    width = line.get_linewidth()
    if line.get_marker() not in ("", "None", None):
        width = max(width, line.get_markersize())
    return starts, ends, 0.5 * width * line.figure.dpi / 72.0


def _segments_hit_box(starts: np.ndarray, ends: np.ndarray, box: Any, pad: float) -> bool:
    """Whether any segment passes through *box* grown by *pad* pixels (Liang–Barsky clipping)."""
    if not len(starts):
        return False
    lo = np.array([box.x0 - pad, box.y0 - pad])
    hi = np.array([box.x1 + pad, box.y1 + pad])
    d = ends - starts
    t_enter = np.zeros(len(starts))
    t_leave = np.ones(len(starts))
    outside = np.zeros(len(starts), dtype=bool)
    for axis in (0, 1):
        for p, q in ((-d[:, axis], starts[:, axis] - lo[axis]),
                     (d[:, axis], hi[axis] - starts[:, axis])):
            parallel = p == 0
            outside |= parallel & (q < 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
            t_enter = np.where(~parallel & (p < 0), np.maximum(t_enter, r), t_enter)
            t_leave = np.where(~parallel & (p > 0), np.minimum(t_leave, r), t_leave)
    return bool(np.any(~outside & (t_enter <= t_leave)))


def _label_is_free(ax: Axes, label: Any, renderer: Any, taken: Sequence[Any]) -> bool:
    box = label.get_window_extent(renderer)
    inside = ax.bbox
    if box.x0 < inside.x0 or box.x1 > inside.x1 or box.y0 < inside.y0 or box.y1 > inside.y1:
        return False
    for line in ax.get_lines():
        if line.get_gid() == _REFERENCE_GID or not line.get_visible():
            continue
        starts, ends, half_width = _display_segments(line)
        if _segments_hit_box(starts, ends, box, half_width + 1.0):
            return False
    legend = ax.get_legend()
    others = [legend] if legend is not None else []
    others += [t for t in ax.texts if t is not label and t.get_text().strip()]
    return not any(box.overlaps(other.get_window_extent(renderer)) for other in [*others, *taken])


# Places tried for a free-standing note (gid "free-text"), best first, in axes fraction:
# (x, y, horizontal alignment, vertical alignment).
_FREE_SPOTS = [(x, y, ha, "center") for y in (0.5, 0.35, 0.65, 0.2, 0.8)
               for x, ha in ((0.97, "right"), (0.5, "center"), (0.03, "left"))]
_FREE_SPOTS += [(x, y, ha, va) for y, va in ((0.03, "bottom"), (0.97, "top"))
                for x, ha in ((0.97, "right"), (0.5, "center"), (0.03, "left"))]


def _place_labels_off_data(fig: Figure, *, laid_out: bool = False) -> None:
    """Move every reference-line label to the first spot where it covers no data line, legend
    or text; if the panel has none, just outside its right edge, level with the line.  Notes
    marked as free-standing (gid ``"free-text"``) keep their place if it is free, else move to
    the first free spot of :data:`_FREE_SPOTS`.  *laid_out*: nothing changed since the last
    layout pass, so the labels are measured without another."""
    labels = [(ax, t) for ax in fig.axes for t in ax.texts
              if t.get_gid() in (_REFERENCE_LABEL_GID, _FREE_TEXT_GID)]
    if not labels:
        return
    # Measure on the current layout (after _fit_texts); later layout passes move panels by a
    # fraction of a pixel, well inside the margin a free spot keeps.
    if not laid_out:
        _lay_out(fig)
    renderer = fig._get_renderer()  # noqa: SLF001 - public only on Agg canvases
    taken: list[Any] = []
    for ax, label in labels:
        if label.get_gid() == _FREE_TEXT_GID:
            if not _label_is_free(ax, label, renderer, taken):
                for x, y, ha, va in _FREE_SPOTS:
                    label.set_position((x, y))
                    label.set_horizontalalignment(ha)
                    label.set_verticalalignment(va)
                    if _label_is_free(ax, label, renderer, taken):
                        break
            taken.append(label)
            continue
        value = label.xy[1]
        for x, ha, dy in _REFERENCE_SPOTS:
            label.xy = (x, value)
            label.xyann = (0.0, dy)
            label.set_horizontalalignment(ha)
            label.set_verticalalignment("bottom" if dy > 0 else "top")
            if _label_is_free(ax, label, renderer, taken):
                break
        else:
            label.xy = (1.0, value)
            label.xyann = (4.0, 0.0)
            label.set_horizontalalignment("left")
            label.set_verticalalignment("center")
            label.set_annotation_clip(False)
        taken.append(label)


def _inside_view(ax: Axes, xy: np.ndarray) -> bool:
    """Whether every finite point of *xy* (data coordinates, shape (n, 2)) lies in the axes' view."""
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if not xy.size:
        return False
    for column, limits in ((0, ax.get_xlim()), (1, ax.get_ylim())):
        low, high = sorted(limits)
        slack = 1e-9 * (high - low)
        if np.any(xy[:, column] < low - slack) or np.any(xy[:, column] > high + slack):
            return False
    return True


def _keep_edge_markers_whole(fig: Figure) -> None:
    """Draw markers that sit on a panel's edge whole instead of cut in half by the axes.

    A dose axis ends at the last dose and a count axis starts at 0, so the last dose's marker
    or a zero count's would show only its inner half.  Only marker lines and scatter points
    whose every point lies inside the panel's view are unclipped; a curve that runs out of
    the view stays clipped.  Call it once the limits are final.
    """
    from matplotlib.collections import PathCollection

    for ax in fig.axes:
        for line in ax.lines:
            if line.get_marker() in ("", " ", "None", None) or line.get_transform() != ax.transData:
                continue
            xy = np.column_stack([np.asarray(line.get_xdata(), dtype=float),
                                  np.asarray(line.get_ydata(), dtype=float)])
            if _inside_view(ax, xy):
                line.set_clip_on(False)
        for collection in ax.collections:
            if not isinstance(collection, PathCollection) or collection.get_offset_transform() != ax.transData:
                continue
            if _inside_view(ax, np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)):
                collection.set_clip_on(False)


def _concentration_axis(ax: Axes, x: Any) -> None:
    """Log axis for concentrations; symlog (linear near 0) when the sweep includes 0."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    values = np.asarray(x, dtype=float)
    positive = values[values > 0]
    if positive.size == 0:
        return
    if np.any(values <= 0):
        threshold = float(positive.min())
        ax.set_xscale("symlog", linthresh=threshold, linscale=0.6)
        decades = 10.0 ** np.arange(np.floor(np.log10(threshold)), np.ceil(np.log10(values.max())) + 1)
        ticks = [0.0, *decades[(decades >= threshold) & (decades <= values.max() * 1.001)]]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _plain_number(v)))


def _plain_number(value: float) -> str:
    """Tick text without powers of ten: 0.01, 0.3, 1, 30, 1000."""
    if value == 0:
        return "0"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:,.0f}"


def _heading(ax: Axes, name: str, kind: str = "") -> None:
    heading = _KIND_HEADINGS.get(kind, {}).get(name, _PANEL_HEADINGS.get(name))
    if heading:
        ax.set_title(heading, loc="left", fontsize=15, fontweight="bold", pad=8)


def _wrap_label(text: str, width: int = 24) -> str:
    """Break a long axis label onto two lines (before the unit when possible)."""
    if len(text) <= width:
        return text
    if " (" in text and len(text.rsplit(" (", 1)[0]) <= width + 8:
        head, unit = text.rsplit(" (", 1)
        return f"{head}\n({unit}"
    import textwrap

    return "\n".join(textwrap.wrap(text, width=max(width, len(text) // 2 + 1)))


def _fit_texts(fig: Figure) -> bool:
    """Shrink panel headings and the title that would run past their space, and break x labels wider
    than their panel onto two lines; return whether any text changed."""
    _lay_out(fig)
    shrunk = False
    renderer = fig._get_renderer()  # noqa: SLF001 - public only on Agg canvases
    fig_width = fig.bbox.width
    title = fig._suptitle  # noqa: SLF001 - matplotlib keeps the suptitle here
    if title is not None:
        width = title.get_window_extent(renderer).width
        if width > 0.97 * fig_width:
            title.set_fontsize(max(13.0, title.get_fontsize() * 0.97 * fig_width / width))
            shrunk = True
    axes = [ax for ax in fig.axes if ax.axison]
    for ax in axes:
        heading = ax.title if not ax._left_title.get_text() else ax._left_title  # noqa: SLF001
        if not heading.get_text():
            continue
        # Room up to the next panel to the right (or the figure edge).
        box = ax.get_position()
        right = min([other.get_position().x0 for other in axes
                     if other.get_position().x0 > box.x0 + 0.5 * box.width
                     and other.get_position().y1 > box.y0 and other.get_position().y0 < box.y1]
                    + [1.0]) * fig_width
        room = right - heading.get_window_extent(renderer).x0 - 28
        width = heading.get_window_extent(renderer).width
        if width > room > 0:
            heading.set_fontsize(max(10.0, heading.get_fontsize() * room / width))
            shrunk = True
        # An x label wider than its panel would run into the next panel's label: two lines.
        label = ax.xaxis.label
        text = label.get_text()
        width = label.get_window_extent(renderer).width
        if text and "\n" not in text and width > ax.bbox.width:
            fits = int(len(text) * ax.bbox.width / width)  # characters that fit on one line
            # _wrap_label breaks before the unit if the words before it fit in width + 8.
            label.set_text(_wrap_label(text, max(12, fits - 8)))
            shrunk = True
    return shrunk


_LEGEND_GID = "arm-legend"


def _body_grid(fig: Figure, nrows: int, ncols: int, *, legend: bool = True, **kw: Any) -> Any:
    """Grid for the panels; with *legend*, a thin strip above it for the arm legend."""
    if not legend:
        return fig.add_gridspec(nrows, ncols, **kw)
    outer = fig.add_gridspec(2, 1, height_ratios=[0.075, 1.0])
    strip = fig.add_subplot(outer[0, 0], gid=_LEGEND_GID)
    strip.axis("off")
    return outer[1, 0].subgridspec(nrows, ncols, **kw)


def _panel_row(scenario: Any) -> tuple[Figure, list[Axes]]:
    """The scenario's figure with one panel per name in a row, sharing x, under the legend strip."""
    n = len(scenario.figure["panels"])
    fig = _figure(scenario.figure["title"])
    grid = _body_grid(fig, 1, n)
    axes: list[Axes] = []
    for j in range(n):
        axes.append(_add_axes(fig, grid[0, j], **({"sharex": axes[0]} if axes else {})))
    return fig, axes


def _arm_legend(fig: Figure, arms: Sequence[Any], axes: Sequence[Axes]) -> None:
    """One legend for the arms, in the strip under the title (see :func:`_body_grid`)."""
    handles, labels = [], []
    wanted = [getattr(arm, "label", arm.name) for arm in arms]
    for ax in axes:
        for line in ax.get_lines():
            if line.get_label() in wanted and line.get_label() not in labels:
                handles.append(line)
                labels.append(line.get_label())
    if len(labels) >= 1:
        from matplotlib.lines import Line2D

        # Legend keys in the arm's plain style: a line may be drawn wider or with staggered
        # markers where it coincides with another (see _separate_coincident).
        keys = []
        for handle in handles:
            key = Line2D([], [])
            key.update_from(handle)
            key.set_linewidth(_style_rc()["lines.linewidth"])
            key.set_markevery(None)
            key.set_drawstyle("default")
            keys.append(key)
        handles = keys
        order = sorted(range(len(labels)), key=lambda i: wanted.index(labels[i]))
        strip = next((ax for ax in fig.axes if ax.get_gid() == _LEGEND_GID), None)
        target = strip if strip is not None else axes[0]
        target.legend([handles[i] for i in order], [labels[i] for i in order],
                      loc="center" if strip is not None else "best",
                      ncols=min(len(labels), 4), fontsize=14, handlelength=3.2,
                      columnspacing=2.0, borderaxespad=0.0)


def _time_scale(t_h: Any) -> tuple[np.ndarray, str, float]:
    """Time values to plot: hours, or days when the course is longer than 72 h."""
    t = np.asarray(t_h, dtype=float)
    if t.size and t[-1] - t[0] > _HOURS_LIMIT:
        return t / 24.0, "Time (days)", 24.0
    return t, "Time (h)", 1.0


def _time_ticks(ax: Axes, t: np.ndarray, divisor: float) -> None:
    from matplotlib.ticker import MultipleLocator

    span = float(t[-1] - t[0]) if t.size else 0.0
    if divisor == 1.0:
        step = next((s for s in (1, 2, 4, 6, 12, 24) if span / s <= 8), 24)
    else:
        step = next((s for s in (1, 2, 7, 14, 28) if span / s <= 12), 28)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.set_xlim(t[0], t[-1])


def _arm_bands(table: Result, arm: Any) -> np.ndarray:
    """The sedation band of *arm* at each point: the table's ``sedation_band`` (banded with the
    arm's own edges), else its ``sedation_index`` banded with the default edges."""
    if "sedation_band" in table.names:
        return np.asarray(_arm_values(table, "sedation_band", arm))
    from ..outcomes import sedation_band

    return np.asarray(sedation_band(_arm_values(table, "sedation_index", arm)))


def _sedation_index_panel(ax: Axes, x: Any, table: Result, arms: Sequence[Any]) -> None:
    """The sedation band at each point on a categorical axis none / mild / moderate / marked.

    The bands alone are shown, never the index behind them: the y axis has one tick per band,
    named, and no numbers.  Each arm is a step line through its band at each point (steps, as
    there is nothing between two bands); several arms share a band row side by side, a little
    apart, so none hides another.
    """
    from matplotlib.ticker import NullLocator

    level = {band: i for i, band in enumerate(SEDATION_BANDS)}
    for i, band in enumerate(SEDATION_BANDS):
        ax.axhspan(i - 0.5, i + 0.5, facecolor=SEDATION_BAND_COLORS[band], alpha=0.45,
                   edgecolor="none", zorder=0, label=f"_band {band}")
    drawn = list(arms if "arm" in table.batch_labels else arms[:1])
    spread = 0.36 / max(len(drawn), 1)
    for j, arm in enumerate(drawn):
        bands = [str(b).strip().casefold() for b in _arm_bands(table, arm)]
        rows = np.array([level[b] for b in bands], dtype=float)
        _arm_line(ax, x, rows + (j - 0.5 * (len(drawn) - 1)) * spread, arm, drawstyle="steps-mid",
                  style=arm_styles([a.name for a in arms])[arm.name])
    ax.set_ylim(-0.5, len(SEDATION_BANDS) - 0.5)
    ax.set_yticks(range(len(SEDATION_BANDS)), labels=list(SEDATION_BANDS))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    ax.set_ylabel(axis_label("sedation_band"))


def _band_strips(ax: Axes, x: Any, table: Result, arms: Sequence[Any]) -> None:
    """One strip of qualitative sedation bands per arm, first arm on top."""
    from matplotlib.patches import Patch

    n = len(arms)
    for i, arm in enumerate(arms):
        plot_band_timeline(ax, x, _arm_values(table, "sedation_band", arm),
                           y=float(n - 1 - i), height=0.72, legend=False)
    ax.set_ylim(-0.2, n - 0.1 + 0.55)
    centres = [n - 1 - i + 0.36 for i in range(n)]
    styles = arm_styles([arm.name for arm in arms])
    # Fixed arms keep their short style label (e.g. "Oral"); other arms show their own label.
    labels = [getattr(arm, "label", None) if styles[arm.name]["label"] == arm.name and getattr(arm, "label", None)
              else styles[arm.name]["label"] for arm in arms]
    ax.set_yticks(centres, labels=labels, fontsize=13)
    for tick, arm in zip(ax.get_yticklabels(), arms, strict=True):
        tick.set_color(styles[arm.name]["color"])
    ax.tick_params(axis="y", length=0)
    ax.set_ylabel("")
    handles = [Patch(facecolor=SEDATION_BAND_COLORS[b], edgecolor="#777777", label=b)
               for b in SEDATION_BANDS]
    ax.legend(handles=handles, ncols=4, loc="upper center", fontsize=12, handlelength=1.5,
              columnspacing=1.2, borderaxespad=0.1, title=None)
    for spine in ("left",):
        ax.spines[spine].set_visible(False)


def _sedation_panel(ax: Axes, name: str, x: Any, table: Result, arms: Sequence[Any]) -> bool:
    """Draw *name* if it is a sedation panel (index over bands, or band strips); else False."""
    if name == "sedation_index":
        _sedation_index_panel(ax, x, table, arms)
    elif name == "sedation_band":
        _band_strips(ax, x, table, arms)
    else:
        return False
    return True


def _generic_panel(ax: Axes, name: str, tables: Mapping[str, Result], arms: Sequence[Any]) -> None:
    """Fallback: the first table holding *name* (per arm or plain), lines against its axis."""
    for table in tables.values():
        if name in table.names:
            x = table.axis
            if table.axis_name == "t_h":
                x, xlabel, divisor = _time_scale(x)
            else:
                xlabel = _label(table, table.axis_name)
            _arm_lines(ax, x, table, name, arms)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(_label(table, name))
            return
    raise ParameterError(f"no table holds the panel {name!r}; tables: {', '.join(tables)}")


