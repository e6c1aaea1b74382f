"""Figure of the ``dose-response`` scenario kind: panels sharing the daily-dose axis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .layout import (
    _UNIT_REFERENCE,
    _arm_values,
    _arm_legend,
    _arm_line,
    _band_strips,
    _body_grid,
    _heading,
    _label,
    _reference_line,
    _sedation_index_panel,
)
from .style import _add_axes, _figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def dose_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Aligned panels sharing the daily-dose axis; sedation as bands, never a probability."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["dose"]
    fig = _figure(scenario.figure["title"])
    grid = _body_grid(fig, 1, len(panels))
    axes: list[Axes] = []
    x = table.axis
    for j, name in enumerate(panels):
        ax = _add_axes(fig, grid[0, j], **({"sharex": axes[0]} if axes else {}))
        axes.append(ax)
        if name == "sedation_index":
            _sedation_index_panel(ax, x, table, arms)
        elif name == "sedation_band":
            _band_strips(ax, x, table, arms)
        else:
            for arm in arms:
                _arm_line(ax, x, _arm_values(table, name, arm), arm)
            ax.set_ylabel(_label(table, name))
            if name in _UNIT_REFERENCE:
                ax.set_ylim(0, 1.12)
                _reference_line(ax, text="no drug")
        ax.set_xlabel(_label(table, table.axis_name))
        _heading(ax, name)
    axes[0].set_xlim(float(x.min()), float(x.max()))
    _arm_legend(fig, arms, axes)
    return fig, axes


