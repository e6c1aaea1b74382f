"""Figure of the ``mechanisms`` scenario kind: read-outs against the cord-tissue (spinal effect-site) concentration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .layout import (
    _arm_legend,
    _arm_lines,
    _concentration_axis,
    _heading,
    _label,
    _panel_row,
    _reference_line,
)

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def mechanisms_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Panels side by side against the cord-tissue concentration (log axis, linear near 0).

    Arms that coincide in a panel (presynaptic only and both in release; postsynaptic only and
    both in GIRK conductance) stay visible: see :func:`~sim.plotting.layout._separate_coincident`.
    """
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["concentration"]
    fig, axes = _panel_row(scenario)
    x = table.axis
    for ax, name in zip(axes, panels, strict=True):
        _arm_lines(ax, x, table, name, arms)
        ax.set_ylabel(_label(table, name))
        ax.set_xlabel(_label(table, table.axis_name))
        # A little room below 0: a series that stays at 0 (no GIRK conductance without a
        # postsynaptic action) is drawn above the axis line, not hidden in it.
        if name in ("release_rel", "reflex_gain_rel"):
            ax.set_ylim(-0.04, 1.12)
            _reference_line(ax)
        else:
            low, high = ax.get_ylim()
            ax.set_ylim(-0.04 * max(high, 0.0), high)
        _heading(ax, name, "mechanisms")
    _concentration_axis(axes[0], x)
    _arm_legend(fig, arms, axes)
    return fig, axes


