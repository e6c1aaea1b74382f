"""Virtual cohorts: median and percentile bands over time, and the share of the cohort in each sedation band.

The sedation bands are qualitative (none / mild / moderate / marked): a panel shows which
*share of the virtual cohort* is in each band at each time, never a probability of harm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..outcomes import BANDS
from ..variables import COHORT_PERCENTILE_SERIES, VARIABLES
from .layout import _LEGEND_GID, _arm_legend, _arm_values, _body_grid, _reference_line, _time_scale, _time_ticks
from .panels import SEDATION_BAND_COLORS
from .style import _add_axes, _figure, _styled, arm_style

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result

__all__ = ["plot_percentile_bands", "plot_band_shares", "population_figure", "sensitivity_figure", "INPUT_LABELS"]

# Band opacity: the 5–95 % band lighter than the 25–75 % band.
_OUTER_ALPHA, _INNER_ALPHA = 0.15, 0.35


def _bands_from(values: Mapping[int, Any], x: Any, ax: Axes, *, color: str, label: str,
                linestyle: Any = "-") -> None:
    ax.fill_between(x, values[5], values[95], color=color, alpha=_OUTER_ALPHA, linewidth=0,
                    label=f"_{label} 5–95 %")
    ax.fill_between(x, values[25], values[75], color=color, alpha=_INNER_ALPHA, linewidth=0,
                    label=f"_{label} 25–75 %")
    ax.plot(x, values[50], color=color, linestyle=linestyle, label=label)


@_styled
def plot_percentile_bands(result: Result, name: str, *, ax: Axes | None = None, arm: str | None = None,
                          label: str | None = None) -> Axes:
    """Median (line) with 25–75 % and 5–95 % bands of *name* across the patients of a cohort course.

    Parameters
    ----------
    result : Result
        A cohort course (:meth:`sim.population.Population.simulate`): series ``(n, n_times)``.
    name : str
        A numeric series of *result*.
    ax : matplotlib.axes.Axes, optional
        Drawn on a new educational-labelled figure when omitted.
    arm : str, optional
        Arm name picking the colour (:func:`arm_style`).
    label : str, optional
        Legend text of the median line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..population import percentile_bands

    if ax is None:
        fig = _figure(f"{VARIABLES[name].quantity if name in VARIABLES else name}: a virtual cohort")
        ax = _add_axes(fig, fig.add_gridspec(1, 1)[0, 0])
    style = arm_style(arm or "oral")
    t, xlabel, divisor = _time_scale(result.axis)
    _bands_from(percentile_bands(result, name), t, ax, color=style["color"], label=label or style["label"],
                linestyle=style["linestyle"])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(VARIABLES[name].label if name in VARIABLES else name)
    _time_ticks(ax, t, divisor)
    return ax


@_styled
def plot_band_shares(shares: Mapping[str, Any], t_h: Any, *, ax: Axes | None = None, title: str = "") -> Axes:
    """Stacked shares of the cohort in each sedation band over time (sums to 1 at every time).

    Parameters
    ----------
    shares : mapping of band to array
        From :func:`sim.population.band_shares` (or the cohort table's ``sedation_share_*``).
    t_h : array_like
        Time, h.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Text in the panel's corner (e.g. the arm).
    """
    if ax is None:
        fig = _figure("Sedation bands across a virtual cohort")
        ax = _add_axes(fig, fig.add_gridspec(1, 1)[0, 0])
    t, xlabel, divisor = _time_scale(t_h)
    bottom = np.zeros(np.shape(t))
    for band in BANDS:
        share = np.asarray(shares[band], dtype=float)
        ax.fill_between(t, bottom, bottom + share, step="mid", color=SEDATION_BAND_COLORS[band],
                        edgecolor="none", label=band)
        bottom = bottom + share
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([0.0, 0.5, 1.0], ["0", "½", "all"])
    ax.set_ylabel("Share of\nthe cohort")
    if title:
        ax.text(0.01, 0.92, title, transform=ax.transAxes, ha="left", va="top", fontsize=12,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})
    _time_ticks(ax, t, divisor)
    ax.set_xlabel(xlabel)
    return ax


def _band_key(ax: Axes) -> None:
    """Grey key of what line and bands mean, at the right end of the legend strip *ax*."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color="0.3"), Patch(color="0.3", alpha=_INNER_ALPHA, linewidth=0),
               Patch(color="0.3", alpha=_OUTER_ALPHA, linewidth=0)]
    arms = ax.get_legend()
    if arms is not None:
        ax.add_artist(arms)  # keep the arm legend; the key goes to its right
    ax.legend(handles, ["median", "25–75 %", "5–95 % of the cohort"], loc="center right", ncols=1,
              fontsize=10, handlelength=1.4, borderaxespad=0.0, frameon=False)


def population_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Panels sharing the time axis: percentile bands per arm, the sedation-band shares, the responder share."""
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["cohort"]
    fig = _figure(scenario.figure["title"])
    n = len(panels)
    # Three panels: two on top, the third across the bottom row (a 1 × 3 row leaves the band strips
    # and their key too narrow for the layout engine).
    rows, cols = (n, 1) if n <= 2 else (2, 2) if n == 3 else ((n + 1) // 2, 2)
    grid = _body_grid(fig, rows, cols)
    t, xlabel, divisor = _time_scale(table.axis)
    letter_axes: list[Axes] = []
    all_axes: list[Axes] = []
    banded_key = False
    for i, name in enumerate(panels):
        cell = (grid[1, :] if n == 3 and i == 2 else grid[i // cols, i % cols]) if cols > 1 else grid[i, 0]
        if name == "sedation_band":
            sub = cell.subgridspec(len(arms), 1, hspace=0.08)
            first = None
            for j, arm in enumerate(arms):
                ax = _add_axes(fig, sub[j, 0], **({"sharex": all_axes[0]} if all_axes else {}))
                shares = {band: _arm_values(table, f"sedation_share_{band}", arm) for band in BANDS}
                plot_band_shares(shares, table.axis, ax=ax, title=getattr(arm, "label", arm.name))
                if j < len(arms) - 1:
                    ax.tick_params(labelbottom=False)
                    ax.set_xlabel("")
                first = first or ax
                all_axes.append(ax)
            first.set_title("Sedation band", loc="left", fontsize=13, fontweight="bold", pad=6)
            # Band key above the strips, right of the heading, so it covers no data.
            first.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=4, fontsize=10, handlelength=1.0,
                         columnspacing=0.6, borderaxespad=0.1, frameon=False)
            for k, ax in enumerate(all_axes[-len(arms):]):
                ax.set_ylabel("Share" if k == len(arms) - 1 else "")
            letter_axes.append(first)
            continue
        ax = _add_axes(fig, cell, **({"sharex": all_axes[0]} if all_axes else {}))
        if name in COHORT_PERCENTILE_SERIES:
            for arm in arms:
                style = arm_style(arm.name)
                values = {p: _arm_values(table, f"{name}_p{p:02d}", arm) for p in (5, 25, 50, 75, 95)}
                _bands_from(values, t, ax, color=style["color"], label=getattr(arm, "label", arm.name),
                            linestyle=style["linestyle"])
            title = VARIABLES[name].label
            banded_key = True
            if name == "reflex_gain_rel":
                _reference_line(ax, text="untreated level")
                low, high = ax.get_ylim()
                ax.set_ylim(min(0.0, low), max(high, 1.15))
            else:
                ax.set_ylim(bottom=0)
        else:  # responder_share
            for arm in arms:
                style = arm_style(arm.name)
                ax.plot(t, _arm_values(table, name, arm), color=style["color"], linestyle=style["linestyle"],
                        label=getattr(arm, "label", arm.name))
            ax.set_ylim(0.0, 1.05)
            title = VARIABLES[name].label
        ax.set_title(title, loc="left", fontsize=13, fontweight="bold", pad=6)
        ax.set_xlabel(xlabel)
        _time_ticks(ax, t, divisor)
        letter_axes.append(ax)
        all_axes.append(ax)
    _arm_legend(fig, arms, all_axes)
    strip = next((ax for ax in fig.axes if ax.get_gid() == _LEGEND_GID), None)
    if banded_key and strip is not None:
        _band_key(strip)
    return fig, letter_axes


#: Short names of the sensitivity inputs (sim.sensitivity.INPUTS), as a slide shows them.
INPUT_LABELS = {
    "clearance_factor": "Clearance (CL/F)",
    "volume_factor": "Volume (V/F)",
    "absorption_factor": "Absorption rate",
    "csf_clearance_factor": "CSF clearance",
    "cord_penetration_factor": "CSF-to-cord penetration",
    "ec50_presynaptic_factor": "Presynaptic EC50",
    "spasticity": "Spasticity severity",
    "creatinine_clearance_ml_min": "Kidney function",
}


def sensitivity_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Side by side: the reflex-gain tornado and the Sobol indices, one horizontal bar per input and arm."""
    from ..sensitivity import INPUTS

    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["indices"]
    fig = _figure(scenario.figure["title"])
    grid = _body_grid(fig, 1, len(panels))
    names = [INPUT_LABELS[name] for name in INPUTS]
    y = np.arange(len(INPUTS), dtype=float)
    height = 0.8 / max(len(arms), 1)
    axes: list[Axes] = []
    for i, panel in enumerate(panels):
        ax = _add_axes(fig, grid[0, i], **({"sharey": axes[0]} if axes else {}))
        for j, arm in enumerate(arms):
            style = arm_style(arm.name)
            offset = y - 0.4 + height * (j + 0.5)
            label = getattr(arm, "label", arm.name)
            if panel == "tornado_reflex_gain_rel":
                low = np.asarray(_arm_values(table, "tornado_low_reflex_gain_rel", arm), dtype=float)
                high = np.asarray(_arm_values(table, "tornado_high_reflex_gain_rel", arm), dtype=float)
                left, right = np.minimum(low, high), np.maximum(low, high)
                ax.barh(offset, right - left, left=left, height=height * 0.9, color=style["color"], alpha=0.8,
                        label=f"_{label}")
                ax.plot(low, offset, linestyle="none", marker="<", color="black", markersize=5,
                        label="_5th percentile")
                ax.plot(high, offset, linestyle="none", marker=">", color="black", markersize=5,
                        label="_95th percentile")
                ax.use_sticky_edges = False  # bars would pin the axis to their ends
                ax.margins(x=0.05)  # the end markers stay whole inside the axes
                ax.set_xlabel("Reflex gain (◀ 5th, ▶ 95th percentile)", fontsize=12)
                ax.set_title("One at a time (others typical)", loc="left", fontsize=13, fontweight="bold", pad=6)
            else:
                output = panel.removeprefix("sobol_")
                total = np.asarray(_arm_values(table, f"sobol_total_{output}", arm), dtype=float)
                first = np.asarray(_arm_values(table, f"sobol_first_{output}", arm), dtype=float)
                ax.barh(offset, np.clip(total, 0.0, None), height=height * 0.9, color=style["color"], alpha=0.35,
                        label=f"_{label} total")
                ax.barh(offset, np.clip(first, 0.0, None), height=height * 0.45, color=style["color"],
                        label=f"_{label} first")
                ax.set_xlim(0.0, 1.0)
                ax.set_xlabel("Sobol index (pale: total, dark: alone)", fontsize=12)
                what = "reflex gain" if output == "reflex_gain_rel" else "sedation index"
                ax.set_title(f"Sobol indices: {what}", loc="left", fontsize=13, fontweight="bold", pad=6)
            # An invisible line per arm so the arm legend finds its style.
            if i == 0:
                ax.plot([], [], color=style["color"], linestyle=style["linestyle"], linewidth=6, label=label)
        if i == 0:
            ax.set_yticks(y, names)
            ax.invert_yaxis()
        else:
            ax.tick_params(labelleft=False)
        axes.append(ax)
    _arm_legend(fig, arms, axes)
    return fig, axes
