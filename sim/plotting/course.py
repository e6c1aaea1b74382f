"""Figure of the ``course`` scenario kind: rows of time courses, sedation as band strips."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .layout import (
    _PANEL_HEADINGS,
    _UNIT_REFERENCE,
    _arm_legend,
    _arm_lines,
    _body_grid,
    _heading,
    _label,
    _reference_line,
    _sedation_panel,
    _time_scale,
    _time_ticks,
    _wrap_label,
)
from .style import _add_axes, _figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


def _course_grid(fig: Figure, panels: Sequence[str]) -> list[Axes]:
    """Stacked rows sharing time (≤ 3 panels; band strips thinner), else a 2-column grid."""
    n = len(panels)
    axes: list[Axes] = []
    if n <= 3:
        ratios = [0.55 * (len(panels) > 1) + 0.45 if p == "sedation_band" else 1.0 for p in panels]
        grid = _body_grid(fig, n, 1, height_ratios=ratios)
        for i in range(n):
            axes.append(_add_axes(fig, grid[i, 0], **({"sharex": axes[0]} if axes else {})))
    else:
        rows = (n + 1) // 2
        grid = _body_grid(fig, rows, 2)
        for i in range(n):
            axes.append(_add_axes(fig, grid[i // 2, i % 2], **({"sharex": axes[0]} if axes else {})))
    return axes


def course_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Rows sharing the time axis (2 × 2 for four panels); sedation bands as strips."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["course"]
    fig = _figure(scenario.figure["title"])
    axes = _course_grid(fig, panels)
    t, xlabel, divisor = _time_scale(table.axis)
    stacked = len(panels) <= 3
    for i, (ax, name) in enumerate(zip(axes, panels, strict=True)):
        if not _sedation_panel(ax, name, t, table, arms):
            _arm_lines(ax, t, table, name, arms)
            label = _label(table, name)
            if stacked:
                from matplotlib.ticker import MaxNLocator

                # Rows are short: name the quantity above the panel, unit included.
                ax.set_title(label, loc="left", fontsize=15, fontweight="bold", pad=6)
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
            else:
                _heading(ax, name)
                ax.set_ylabel(_wrap_label(label), fontsize=14)
            if name in _UNIT_REFERENCE:
                _reference_line(ax, text="untreated level" if name == "reflex_gain_rel"
                                else "drug-free")
                low, high = ax.get_ylim()
                ax.set_ylim(min(0.0, low), max(high, 1.15))
            else:
                ax.set_ylim(bottom=0)
        last_row = i >= len(panels) - (1 if stacked else 2)
        if last_row:
            ax.set_xlabel(xlabel)
        else:
            ax.tick_params(labelbottom=False)
        if name == "sedation_band":
            ax.set_title(_PANEL_HEADINGS[name], loc="left", fontsize=15, fontweight="bold",
                         pad=6)
    _time_ticks(axes[0], t, divisor)
    _arm_legend(fig, arms, axes)
    return fig, axes


