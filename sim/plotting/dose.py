"""Figure of the ``dose-response`` scenario kind: panels sharing the daily-dose axis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .layout import (
    _UNIT_REFERENCE,
    _arm_legend,
    _arm_lines,
    _heading,
    _label,
    _panel_row,
    _reference_line,
    _sedation_panel,
)

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def dose_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Aligned panels sharing the daily-dose axis; sedation as its band at each dose on a
    categorical axis (none / mild / moderate / marked), never a number or a probability."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["dose"]
    fig, axes = _panel_row(scenario)
    x = table.axis
    for ax, name in zip(axes, panels, strict=True):
        if not _sedation_panel(ax, name, x, table, arms):
            _arm_lines(ax, x, table, name, arms)
            ax.set_ylabel(_label(table, name))
            if name in _UNIT_REFERENCE:
                ax.set_ylim(0, 1.12)
                _reference_line(ax, text="no drug")
        ax.set_xlabel(_label(table, table.axis_name))
        _heading(ax, name)
    axes[0].set_xlim(float(x.min()), float(x.max()))
    _arm_legend(fig, arms, axes)
    return fig, axes


