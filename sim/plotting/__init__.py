"""Figures for lectures: style, labels, saving, the reflex-arc schematic and scenario figures.

This is the only package of :mod:`sim` that uses matplotlib, and it imports it
*lazily* (inside the functions), so ``import sim.plotting`` stays fast and works
on machines without a display.  Nothing here calls ``plt.show()``: every
function draws on a :class:`matplotlib.figure.Figure` built with the object API,
which renders with the Agg backend and can be saved or shown by the caller.

Building blocks
---------------
=================================  ============================================
:func:`figure_style`               context manager applying ``reflexsim.mplstyle``
:func:`arm_style`                  fixed colour / line style / marker of an arm
:func:`axis_label`                 ``"Plasma concentration (ng/mL)"`` labels
:func:`new_figure`                 16:9 figure with a take-home title and the
                                   educational label
:func:`panel_letters`              A, B, C … on the panels
:func:`add_educational_label`      the "not for clinical use" label in the image
:func:`save_figure`                deterministic PNG / SVG / PDF, atomically
:func:`plot_series`                one time course (or one line per batch element)
:func:`plot_trace_panel`           stacked traces sharing the time axis
:func:`sedation_bands`             qualitative sedation bands (never a probability)
:func:`plot_band_timeline`         band names over time as coloured blocks
:func:`plot_percentile_bands`      a virtual cohort: median, 25–75 % and 5–95 %
:func:`plot_band_shares`           share of a cohort in each sedation band
:func:`reflex_arc_schematic`       the reflex arc and baclofen's sites of action
:func:`gabab_receptor_schematic`   GABA-B signalling at the Ia terminal and the motoneuron
:func:`scenario_figure`            the figure of a teaching scenario, from the
                                   tables of :func:`sim.runner.run_tables`
:func:`multiscale_figure`          drug level over a day with millisecond
                                   reflex insets at trough and peak
:func:`animate_reflex`             animated GIF of a reflex before / after drug
=================================  ============================================

Every helper takes an optional ``ax`` and returns the axes it drew on, so
scenario figures are assembled from small pieces.

Modules, one per concern
------------------------
=========================  ==================================================
:mod:`.style`              palette, arm styles, labels, style sheet, figures,
                           the educational label, saving
:mod:`.panels`             series, stacked traces, sedation bands
:mod:`.schematic`          the reflex-arc drawing
:mod:`.layout`             pieces shared by the scenario figures
:mod:`.mechanism`,         one module per scenario kind; :mod:`.scenarios`
:mod:`.reflex`,            holds :func:`scenario_figure` and
:mod:`.dose`,              :data:`BUILDERS` (figure builders by name; kinds in ``sim.runner.KINDS``)
:mod:`.course`,
:mod:`.mechanisms`
:mod:`.population`         virtual cohorts: percentile bands, band shares
:mod:`.multiscale`         hours and milliseconds in one figure
:mod:`.animation`          the animated reflex (GIF)
=========================  ==================================================

Examples
--------
>>> import numpy as np
>>> from sim.result import Result
>>> from sim.plotting import new_figure, plot_series
>>> r = Result("t_h", np.linspace(0, 8, 9), {"plasma_ng_ml": np.linspace(0, 160, 9)},
...            units={"plasma_ng_ml": "ng/mL"})
>>> fig, ax = new_figure(title="Plasma level rises after an oral dose")
>>> ax = plot_series(r, "plasma_ng_ml", ax=ax, arm="oral")
>>> ax.get_ylabel()
'Plasma concentration (ng/mL)'
"""

from __future__ import annotations

from typing import Any

# Besides __all__, a few names stay reachable here for callers and tests that used the single
# module: ParameterError, probe_unit and the gids that tell reference lines, legends and
# panel letters apart.
from ..errors import ParameterError  # noqa: F401
from .animation import animate_reflex, reflex_animation
from .handout import HandoutPage, page_count, write_handout
from .layout import _LEGEND_GID, _REFERENCE_GID  # noqa: F401
from .multiscale import multiscale_figure, probe_unit  # noqa: F401
from .panels import (
    SEDATION_BAND_COLORS,
    SEDATION_BANDS,
    plot_band_timeline,
    plot_series,
    plot_trace_panel,
    sedation_bands,
)
from .population import plot_band_shares, plot_percentile_bands
from .scenarios import BUILDERS, scenario_figure
from .schematic import RECEPTOR_STAGES, gabab_receptor_schematic, reflex_arc_schematic
from .style import (
    _FALLBACK_CYCLE,  # noqa: F401
    _LETTER_GID,  # noqa: F401
    ARM_STYLES,
    OKABE_ITO,
    SAVE_FORMATS,
    SERIES_LABELS,
    STYLE_PATH,
    add_educational_label,
    arm_style,
    arm_styles,
    axis_label,
    figure_style,
    new_figure,
    panel_letters,
    parameter_label,
    save_figure,
)

__all__ = [
    "OKABE_ITO",
    "ARM_STYLES",
    "SERIES_LABELS",
    "SEDATION_BANDS",
    "SEDATION_BAND_COLORS",
    "SAVE_FORMATS",
    "STYLE_PATH",
    "figure_style",
    "arm_style",
    "arm_styles",
    "HandoutPage",
    "write_handout",
    "page_count",
    "axis_label",
    "parameter_label",
    "new_figure",
    "panel_letters",
    "add_educational_label",
    "save_figure",
    "plot_series",
    "plot_trace_panel",
    "sedation_bands",
    "plot_band_timeline",
    "plot_percentile_bands",
    "plot_band_shares",
    "reflex_arc_schematic",
    "gabab_receptor_schematic",
    "RECEPTOR_STAGES",
    "scenario_figure",
    "BUILDERS",
    "FIGURE_BUILDERS",
    "multiscale_figure",
    "reflex_animation",
    "animate_reflex",
]


def __getattr__(name: str) -> Any:
    if name == "FIGURE_BUILDERS":  # scenario kind → figure builder, a view of sim.runner.KINDS
        from .scenarios import _figure_builders

        return _figure_builders()
    raise AttributeError(f"module 'sim.plotting' has no attribute {name!r}")
