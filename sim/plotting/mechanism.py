"""Figure of the ``mechanism`` scenario kind: concentration–response, the Ca⁴ law, the cascade."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .layout import (
    _FREE_TEXT_GID,
    _UNIT_REFERENCE,
    _arm_lines,
    _concentration_axis,
    _generic_panel,
    _heading,
    _label,
    _plain_number,
    _reference_line,
)
from .style import OKABE_ITO as _C
from .style import _add_axes, _figure, axis_label

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


# -- per-kind layouts -----------------------------------------------------------


def mechanism_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Concentration–response per enantiomer, the Ca⁴ law and the GABA-B cascade, side by side."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    fig = _figure(scenario.figure["title"])
    grid = fig.add_gridspec(1, len(panels))
    axes = []
    for j, name in enumerate(panels):
        ax = _add_axes(fig, grid[0, j])
        axes.append(ax)
        response = tables.get("concentration_response")
        if response is not None and name in response.names:
            x = response.axis
            _arm_lines(ax, x, response, name, arms)
            _concentration_axis(ax, x)
            ax.set_xlabel(_label(response, response.axis_name))
            ax.set_ylabel(_label(response, name))
            if name in _UNIT_REFERENCE:
                ax.set_ylim(0, 1.12)
                _reference_line(ax)
            ax.legend(loc="lower left", fontsize=13)
        elif name in ("release_rel", "fourth_power", "calcium_law"):
            _calcium_panel(ax, tables["calcium_law"])
            name = "release_rel"
        elif name in ("gabab_conductance", "gabab_cascade", "single_pulse", "burst"):
            _cascade_panel(ax, tables["gabab_cascade"])
            name = "gabab_conductance"
        else:
            _generic_panel(ax, name, tables, arms)
        _heading(ax, name)
    return fig, axes


def _calcium_panel(ax: Axes, table: Result) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    x = table.axis
    ax.plot(x, table["fourth_power"], color="#777777", linestyle="--", linewidth=2.0,
            label="Ca⁴ law (slope 4)", zorder=2)
    ax.plot(x, table["release_rel"], color=_C["blue"], linestyle="-", marker="o",
            label="Model", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    formatter = FuncFormatter(lambda v, _pos: _plain_number(v))
    xticks = [v for v in (0.4, 0.5, 0.6, 0.7, 0.8, 1.0) if x.min() * 0.999 <= v <= x.max() * 1.001]
    ax.xaxis.set_major_locator(FixedLocator(xticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(formatter)
    low = float(min(np.min(table["release_rel"]), np.min(table["fourth_power"])))
    yticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0) if low * 0.9 <= v <= 1.05]
    ax.yaxis.set_major_locator(FixedLocator(yticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(formatter)
    ax.set_xlabel(_label(table, table.axis_name))
    ax.set_ylabel(_label(table, "release_rel"))
    # The take-home number, read off the table: a ~35 % cut in Ca²⁺ entry.
    i = int(np.argmin(np.abs(x - 0.65)))
    cut_ca = 1.0 - float(x[i])
    cut_release = 1.0 - float(table["release_rel"][i])
    if cut_ca > 0.05:
        ax.annotate(f"{cut_ca:.0%} less Ca²⁺ entry\n→ {cut_release:.0%} less release",
                    xy=(x[i], table["release_rel"][i]), xytext=(0.97, 0.06),
                    textcoords="axes fraction", ha="right", va="bottom", fontsize=13,
                    arrowprops={"arrowstyle": "->", "color": "#333333", "linewidth": 1.3})
    ax.legend(loc="upper left", fontsize=13)


def _cascade_panel(ax: Axes, table: Result) -> None:
    """GABA-B conductance after one pulse and after a burst, on a log y axis.

    The burst response is thousands of times the single-pulse one: on a linear axis the single
    pulse is a flat line at 0.  The log axis shows both, from a hundredth of the smaller peak
    to a little above the larger one, and the ratio of the peaks is written on the panel.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    t = table.axis
    styles = {"single_pulse": (_C["sky blue"], "--", "1 pulse"),
              "burst": (_C["vermillion"], "-", "Burst")}
    peaks = []
    for name in table.names:
        color, linestyle, label = styles.get(name, ("#333333", "-.", name.replace("_", " ")))
        values = np.asarray(table[name], dtype=float)
        ax.plot(t, values, color=color, linestyle=linestyle, label=label)
        if np.any(values > 0):
            peaks.append(float(np.max(values)))
    # Values ≤ 0 (before the cascade starts) have no place on a log axis: masked, not clipped.
    ax.set_yscale("log", nonpositive="mask")
    if peaks:
        ax.set_ylim(min(peaks) / 100.0, max(peaks) * 4.0)
    ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=12))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(_label(table, table.axis_name))
    ax.set_ylabel(f"{axis_label('gabab_conductance', '1')}, log scale")
    ax.legend(loc="upper right", fontsize=13, handlelength=2.2)
    if {"single_pulse", "burst"} <= set(table.names):
        single = float(np.max(table["single_pulse"]))
        burst = float(np.max(table["burst"]))
        if single > 0 and burst > 2 * single:
            # Supralinear: a burst of n pulses gives far more than n single responses.
            # Moved off the curves once the layout is final (_place_labels_off_data).
            ax.text(0.97, 0.5, f"peak after a burst\n≈ {burst / single:,.0f}× one pulse",
                    transform=ax.transAxes, ha="right", va="center", fontsize=13,
                    color="#333333", gid=_FREE_TEXT_GID)
