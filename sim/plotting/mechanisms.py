"""Figure of the ``mechanisms`` scenario kind: read-outs against spinal CSF concentration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .layout import (
    _arm_values,
    _arm_legend,
    _arm_line,
    _body_grid,
    _concentration_axis,
    _heading,
    _label,
    _reference_line,
)
from .style import _add_axes, _figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def mechanisms_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Panels side by side against spinal CSF concentration (log axis, linear near 0)."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["concentration"]
    fig = _figure(scenario.figure["title"])
    grid = _body_grid(fig, 1, len(panels))
    axes: list[Axes] = []
    x = table.axis
    for j, name in enumerate(panels):
        ax = _add_axes(fig, grid[0, j], **({"sharex": axes[0]} if axes else {}))
        axes.append(ax)
        for arm in arms:
            _arm_line(ax, x, _arm_values(table, name, arm), arm)
        ax.set_ylabel(_label(table, name))
        ax.set_xlabel(_label(table, table.axis_name))
        ax.set_ylim(bottom=0)
        if name in ("release_rel", "reflex_gain_rel"):
            ax.set_ylim(0, 1.12)
            _reference_line(ax)
        _heading(ax, name, "mechanisms")
    _concentration_axis(axes[0], x)
    _arm_legend(fig, arms, axes)
    return fig, axes


