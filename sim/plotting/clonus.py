"""Figure of the ``clonus`` scenario kind: angle and EMG at rising levels, beats, and the loop gain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .layout import (
    _arm_legend,
    _arm_lines,
    _arm_values,
    _body_grid,
    _label,
    _reference_line,
    _separate_coincident,
)
from .style import _add_axes, _figure, arm_style

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result

_HEADINGS = {
    "angle_deg": "Ankle angle after the push",
    "emg": "Soleus EMG",
    "beats": "Clonus beats vs cord level",
    "clonus_frequency_hz": "Clonus frequency",
    "clonus_persists": "Clonus still beating at the end",
    "open_loop_gain_rel": "Why it stops: the loop gain",
    "angle_swing_end_deg": "Last swing of the foot",
}
# Light to dark with the level: drug-free darkest, the highest level lightest.
_LEVEL_COLOURS = ("#3b0f70", "#8c2981", "#de4968", "#fe9f6d", "#fcd374", "#b8b8b8")


def _traced_arm(arms: list[Any], levels: Result) -> Any:
    """The arm whose traces are drawn: the one with the most drug-free beats (the severe cord)."""
    beats = [float(_arm_values(levels, "beats", arm)[0]) for arm in arms]
    return arms[int(np.argmax(beats))]


def _trace_panel(ax: Axes, traces: Result, name: str, arm: Any) -> None:
    values = _arm_values(traces, name, arm)
    shown = traces.meta.get("trace_levels_ng_ml", list(range(values.shape[0])))
    for k, level in enumerate(shown):
        ax.plot(traces.axis, values[k], color=_LEVEL_COLOURS[k % len(_LEVEL_COLOURS)], linewidth=1.6,
                label=f"{level:g} ng/mL", zorder=3 + len(shown) - k)
    ax.set_xlabel(_label(traces, traces.axis_name))
    ax.set_ylabel(_label(traces, name))
    ax.set_xlim(traces.axis[0], traces.axis[-1])
    low, high = float(np.min(values)), float(np.max(values))
    ax.set_ylim(low - 0.05 * (high - low), high + 0.75 * (high - low))  # room for the legend above the data
    ax.legend(title=f"{getattr(arm, 'label', arm.name)}, cord level", fontsize=10, title_fontsize=10,
              loc="upper right", ncols=2)


def _level_panel(ax: Axes, levels: Result, name: str, arms: list[Any]) -> None:
    if name == "beats":
        counts = [np.asarray(_arm_values(levels, "beats", arm), dtype=float) for arm in arms]
        lines = []
        for i, arm in enumerate(arms):
            beats = counts[i]
            persists = _arm_values(levels, "clonus_persists", arm) > 0.5
            style = arm_style(arm.name)
            (line,) = ax.plot(levels.axis, beats, color=style["color"], linestyle=style["linestyle"], linewidth=2.0,
                              label=getattr(arm, "label", arm.name), zorder=3)
            lines.append(line)
            # Where later arms have the same count (no beats at all, say) this arm's marker is
            # drawn larger, so every arm's marker shows as a ring around the next one.
            covered = sum((np.isclose(beats, later) for later in counts[i + 1:]), np.zeros(beats.shape))
            ax.scatter(levels.axis, beats, s=46.0 * (1.0 + 0.9 * covered), marker=style["marker"], zorder=4,
                       facecolors=np.where(persists, style["color"], "white").tolist(), edgecolors=style["color"])
        _separate_coincident(lines)
        ax.set_ylim(-0.5, 1.3 * float(np.max(levels["beats"])) + 1.0)
        ax.text(0.97, 0.95, "filled: still beating at the end of the window", transform=ax.transAxes,
                ha="right", va="top", fontsize=10.5, color="#555555", style="italic")
    else:
        _arm_lines(ax, levels.axis, levels, name, arms)
    ax.set_xlabel(_label(levels, levels.axis_name))
    ax.set_ylabel(_label(levels, name))


def _loop_gain_note(ax: Axes, levels: Result, arm: Any) -> None:
    """The critical gain (lowest open-loop gain at which the traced arm's clonus persists) and the theory."""
    gain = _arm_values(levels, "open_loop_gain_rel", arm)
    persists = _arm_values(levels, "clonus_persists", arm) > 0.5
    frequency = float(_arm_values(levels, "clonus_frequency_hz", arm)[0])
    if np.any(persists):
        critical = float(gain[persists].min())
        who = getattr(arm, "label", arm.name)
        _reference_line(ax, critical, f"{who}: sustained above ≈ {critical:.2f}")
    note = ("Delayed loop  ẋ = −K·x(t − τ):\nrings with period 4τ, and keeps\nringing once K·τ ≥ π/2.")
    if frequency > 0:
        note += f"\nHere {frequency:.1f} Hz → τ ≈ {250.0 / frequency:.0f} ms."
    ax.set_ylim(0.0, 2.2)  # the note sits above the data
    ax.text(0.97, 0.97, note, transform=ax.transAxes, ha="right", va="top", fontsize=10.5,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "#999999"}, zorder=6)


def clonus_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Angle and EMG traces at rising cord levels, beats vs level, and the loop-gain explanation."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    traces, levels = tables["traces"], tables["levels"]
    fig = _figure(scenario.figure["title"])
    ncols = 2 if len(panels) == 4 else len(panels)
    nrows = int(np.ceil(len(panels) / ncols))
    grid = _body_grid(fig, nrows, ncols)
    traced = _traced_arm(arms, levels)
    axes: list[Axes] = []
    for j, name in enumerate(panels):
        ax = _add_axes(fig, grid[j // ncols, j % ncols])
        if name in traces.names:
            _trace_panel(ax, traces, name, traced)
        else:
            _level_panel(ax, levels, name, arms)
            if name == "open_loop_gain_rel":
                _loop_gain_note(ax, levels, traced)
        ax.set_title(_HEADINGS.get(name, name), loc="left", fontsize=14, fontweight="normal", pad=6)
        axes.append(ax)
    _arm_legend(fig, arms, [ax for ax, name in zip(axes, panels, strict=True) if name not in traces.names])
    return fig, axes
