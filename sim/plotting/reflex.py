"""Figure of the ``reflex`` scenario kind: traces under the imposed stretch, velocity sweeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .layout import (
    _PANEL_HEADINGS,
    _arm_legend,
    _arm_line,
    _arm_lines,
    _arm_values,
    _body_grid,
    _generic_panel,
    _heading,
    _label,
)
from .style import _add_axes, _figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def reflex_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Traces under a strip of the imposed stretch, next to sweeps against stretch velocity."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    traces, sweep = tables.get("traces"), tables.get("velocity")
    fig = _figure(scenario.figure["title"])
    is_trace = [traces is not None and n in traces.names for n in panels]
    widths = [1.35 if t else 1.0 for t in is_trace]
    grid = _body_grid(fig, 2, len(panels), height_ratios=[1.0, 3.0], width_ratios=widths)
    tops, mains = [], []
    for j, name in enumerate(panels):
        if is_trace[j]:
            # The imposed stretch above the response, as in a physiology textbook.
            top = _add_axes(fig, grid[0, j])
            ax = _add_axes(fig, grid[1, j], sharex=top)
            angle = "angle_deg"
            if name != angle and angle in traces.names:
                shown = []
                for arm in arms:
                    y = _arm_values(traces, angle, arm)
                    same = any(np.array_equal(y, s) for s in shown)
                    _arm_line(top, traces.axis, y, arm, markers=False, linewidth=1.8,
                              **({"color": "#555555", "linestyle": "-"} if not shown or same else {}))
                    shown.append(y)
                top.set_ylabel("Angle (°)", fontsize=13)
                top.set_title("Imposed stretch", loc="left", fontsize=15, fontweight="bold", pad=8)
                top.tick_params(labelbottom=False)
                top.set_ylim(bottom=min(0.0, top.get_ylim()[0]))
            else:
                top.axis("off")
            _arm_lines(ax, traces.axis, traces, name, arms, markers=False)
            ax.set_xlabel(_label(traces, traces.axis_name))
            ax.set_ylabel(_label(traces, name))
            velocity = getattr(scenario, "settings", {}).get("trace_velocity_deg_s")
            heading = _PANEL_HEADINGS.get(name, "")
            if velocity:
                heading = f"{heading} at {velocity:g}°/s"
            ax.set_title(heading, loc="left", fontsize=14, fontweight="normal", pad=6)
            tops.append(top)
            mains.append(ax)
        else:
            ax = _add_axes(fig, grid[:, j])
            if sweep is not None and name in sweep.names:
                _arm_lines(ax, sweep.axis, sweep, name, arms)
                ax.set_xlabel(_label(sweep, sweep.axis_name))
                ax.set_ylabel(_label(sweep, name))
                ax.set_xlim(0, float(sweep.axis.max()) * 1.05)
            else:
                _generic_panel(ax, name, tables, arms)
            _heading(ax, name)
            tops.append(ax)
            mains.append(ax)
    _arm_legend(fig, arms, mains)
    return fig, tops


