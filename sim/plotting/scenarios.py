"""The figure of a teaching scenario: :func:`scenario_figure` dispatches on the scenario kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from .antispastics import antispastics_figure
from .clonus import clonus_figure
from .course import course_figure
from .dose import dose_figure
from .layout import _fit_texts, _keep_edge_markers_whole, _place_labels_off_data, _wrap_label
from .mechanism import mechanism_figure
from .mechanisms import mechanisms_figure
from .population import population_figure, sensitivity_figure
from .reflex import reflex_figure
from .style import _styled, panel_letters

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


#: Figure builders by name.  A builder takes ``(scenario, tables)`` and returns the figure and
#: the axes that get panel letters; :func:`scenario_figure` adds the letters, wraps long labels
#: and fits the texts.  Which kind uses which builder is said once, in :data:`sim.runner.KINDS`.
BUILDERS: dict[str, Callable[[Any, Mapping[str, Result]], tuple[Figure, list[Axes]]]] = {
    builder.__name__: builder
    for builder in (mechanism_figure, reflex_figure, dose_figure, course_figure, mechanisms_figure,
                    population_figure, sensitivity_figure, clonus_figure, antispastics_figure)
}


def _figure_builders() -> dict[str, Callable[..., Any]]:
    """Scenario kind → figure builder, read from the scenario-kind registry."""
    from ..runner import KINDS

    return {name: BUILDERS[kind.figure] for name, kind in KINDS.items()}


def __getattr__(name: str) -> Any:
    if name == "FIGURE_BUILDERS":  # kind → builder, a view of sim.runner.KINDS
        return _figure_builders()
    raise AttributeError(name)


@_styled
def scenario_figure(scenario: Any, tables: Mapping[str, Result]) -> Figure:
    """Draw the figure of a teaching scenario from its tables.

    One panel per name in ``scenario.figure["panels"]``, every arm drawn with
    its fixed :func:`arm_style` and labelled ``arm.label``; the take-home
    ``scenario.figure["title"]`` as title, panel letters and the educational
    label.  The data drawn are exactly the tables' columns (courses longer
    than 72 h are drawn in days: ``t_h / 24``).  Arms whose curves coincide
    stay visible (the lower line wider, markers taking turns), and
    reference-line labels ("drug-free", "untreated level") are put where they
    cover no data.

    Layouts by ``scenario.kind``:

    ``"mechanism"``
        side by side: concentration–response on a log bath-concentration axis
        (one line per enantiomer), release vs Ca²⁺ entry on log–log axes with
        the pure Ca⁴ law as a slope-4 guide and the take-home numbers, and the
        GABA-B cascade after one pulse and a burst on a log axis (so the single
        pulse shows next to a burst thousands of times larger).
    ``"reflex"``
        time-course panels (EMG, torque …) under a strip showing the imposed
        stretch, next to sweeps against stretch velocity.
    ``"dose-response"``
        aligned panels sharing the dose axis; sedation is drawn as its band at
        each dose on a categorical none / mild / moderate / marked axis: no
        numeric index, never a probability.
    ``"course"``
        rows sharing the time axis (2 × 2 for four panels); the sedation band
        is one strip of coloured blocks per arm.
    ``"mechanisms"``
        side by side against the cord-tissue concentration on a log axis (linear
        near 0 so that the drug-free point stays on the plot).

    Parameters
    ----------
    scenario : sim.scenario.Scenario
        Uses ``kind``, ``arms`` (``name``, ``label``), ``settings`` and
        ``figure`` (``title``, ``panels``).
    tables : mapping of str to Result
        As returned by :func:`sim.runner.run_tables`: the arms along the labelled
        batch axis ``"arm"`` (a table without it holds series shared by all arms).

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with :func:`save_figure`.

    Raises
    ------
    ParameterError
        For an unknown kind, or a panel no table holds.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace as NS
    >>> from sim.result import Result
    >>> arms = (NS(name="oral", label="Oral"),)
    >>> scenario = NS(kind="course", arms=arms, settings={},
    ...               figure={"title": "Levels rise", "panels": ["plasma_ng_ml"]})
    >>> t = np.linspace(0, 24, 25)
    >>> tables = {"course": Result("t_h", t, {"plasma_ng_ml": [5 * t]}, batch_labels={"arm": ("oral",)})}
    >>> fig = scenario_figure(scenario, tables)
    >>> fig.get_suptitle()
    'Levels rise'
    """
    kind = getattr(scenario, "kind", None)
    builders = _figure_builders()
    if kind not in builders:
        raise ParameterError(
            f"scenario kind = {kind!r} has no figure layout; known: {', '.join(builders)}"
        )
    panels = list(scenario.figure.get("panels", ()))
    if not panels:
        raise ParameterError("scenario.figure['panels'] is empty; name at least one series")
    if not scenario.arms:
        raise ParameterError("the scenario has no arms to draw")
    fig, letter_axes = builders[kind](scenario, tables)
    for ax in fig.axes:
        if ax.get_ylabel():
            ax.set_ylabel(_wrap_label(ax.get_ylabel(), 28))
    panel_letters(letter_axes)
    shrunk = _fit_texts(fig)
    # Last: reference-line labels go where no data are, once limits and layout are final.
    _place_labels_off_data(fig, laid_out=not shrunk)
    _keep_edge_markers_whole(fig)
    return fig


