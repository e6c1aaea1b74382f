"""Figures for lectures: style, labels, saving, and the reflex-arc schematic.

This is the only module of :mod:`sim` that uses matplotlib, and it imports it
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
:func:`reflex_arc_schematic`       the reflex arc and baclofen's sites of action
:func:`scenario_figure`            the figure of a teaching scenario, from the
                                   tables of :func:`sim.runner.run_tables`
:func:`multiscale_figure`          drug level over a day with millisecond
                                   reflex insets at trough and peak
:func:`animate_reflex`             animated GIF of a reflex before / after drug
=================================  ============================================

Every helper takes an optional ``ax`` and returns the axes it drew on, so
scenario figures are assembled from small pieces.

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

import contextlib
import functools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .outcomes import BANDS as _outcome_bands
from .errors import ParameterError
from .fileio import EDUCATIONAL_LABEL, FORMATS, atomic_path, check_formats

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .result import Result

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
    "reflex_arc_schematic",
    "scenario_figure",
    "multiscale_figure",
    "reflex_animation",
    "animate_reflex",
]

# ---------------------------------------------------------------------------
# Palette and arm styles
# ---------------------------------------------------------------------------

#: The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with the common
#: forms of colour-vision deficiency.  Yellow is kept out of line plots because
#: it vanishes on a white projector screen.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

_C = OKABE_ITO


def _style(color: str, linestyle: Any, marker: str, label: str) -> dict[str, Any]:
    return {"color": color, "linestyle": linestyle, "marker": marker, "label": label}


#: Fixed style of every named arm.  Arms that are compared with each other in
#: one figure (healthy vs spastic, oral vs intrathecal, …) differ in colour
#: *and* line style *and* marker, so they stay distinct in greyscale.  The
#: drug-free reference is always a black dotted line without markers.
ARM_STYLES: dict[str, dict[str, Any]] = {
    "drug-free": _style(_C["black"], ":", "", "Drug-free"),
    "healthy": _style(_C["bluish green"], "-", "o", "Healthy"),
    "spastic": _style(_C["vermillion"], "--", "s", "Spastic"),
    "severe": _style(_C["reddish purple"], "-.", "D", "Spastic (severe)"),
    "oral": _style(_C["blue"], "-", "o", "Oral"),
    "intrathecal": _style(_C["orange"], "--", "^", "Intrathecal"),
    "normal kidneys": _style(_C["blue"], "-", "o", "Normal kidneys"),
    "impaired kidneys": _style(_C["reddish purple"], "-.", "D", "Impaired kidneys"),
    "presynaptic": _style(_C["sky blue"], "--", "v", "Presynaptic only"),
    "postsynaptic": _style(_C["reddish purple"], "-.", "D", "Postsynaptic only"),
    "both": _style(_C["blue"], "-", "o", "Both sites"),
    "racemic": _style(_C["blue"], "-", "o", "Racemic baclofen"),
    "R": _style(_C["bluish green"], "--", "^", "R-baclofen"),
    "S": _style(_C["orange"], "-.", "s", "S-baclofen"),
}

# Deterministic fallback for names not listed above: the same name always gets
# the same entry (crc32 is stable across runs, unlike hash()).
_FALLBACK_CYCLE: tuple[tuple[str, Any, str], ...] = (
    (_C["blue"], "-", "o"),
    (_C["vermillion"], "--", "s"),
    (_C["bluish green"], "-.", "^"),
    (_C["orange"], (0, (5, 1, 1, 1, 1, 1)), "D"),
    (_C["reddish purple"], (0, (8, 3)), "v"),
    (_C["sky blue"], (0, (1, 3)), "P"),
)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip()).casefold()


_ARM_LOOKUP = {_normalise(k): k for k in ARM_STYLES}
_ARM_LOOKUP.update({"drug free": "drug-free", "no drug": "drug-free", "baseline": "drug-free",
                    "r baclofen": "R", "s baclofen": "S"})


def arm_style(name: str) -> dict[str, Any]:
    """Return the fixed plotting style of a study arm.

    Parameters
    ----------
    name : str
        Arm name, e.g. ``"spastic"``, ``"intrathecal"``, ``"impaired kidneys"``.
        Case, underscores and hyphens are ignored (``"Impaired_Kidneys"`` works).

    Returns
    -------
    dict
        ``color`` (hex string), ``linestyle``, ``marker`` (``""`` for none) and
        ``label`` (text for legends).  A fresh dict, safe to modify.  A name not
        in :data:`ARM_STYLES` gets a deterministic entry from a fixed cycle, with
        the name itself as label.

    Examples
    --------
    >>> arm_style("spastic")
    {'color': '#D55E00', 'linestyle': '--', 'marker': 's', 'label': 'Spastic'}
    >>> arm_style("Drug_free")["label"]
    'Drug-free'
    >>> arm_style("patient 7") == arm_style("patient 7")
    True
    """
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"arm name = {name!r} must be a non-empty string")
    key = _ARM_LOOKUP.get(_normalise(name))
    if key is not None:
        return dict(ARM_STYLES[key])
    index = zlib.crc32(name.encode("utf-8")) % len(_FALLBACK_CYCLE)
    color, linestyle, marker = _FALLBACK_CYCLE[index]
    return _style(color, linestyle, marker, name)


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

#: Human-readable label and default unit of the common series names.  The unit
#: stored in a :class:`~sim.result.Result` wins over the default here.
SERIES_LABELS: dict[str, tuple[str, str]] = {
    "t_h": ("Time", "h"),
    "t_min": ("Time", "min"),
    "t_s": ("Time", "s"),
    "t_ms": ("Time", "ms"),
    "plasma_ng_ml": ("Plasma concentration", "ng/mL"),
    "csf_ng_ml": ("CSF concentration", "ng/mL"),
    "spinal_effect_ng_ml": ("Spinal effect-site concentration", "ng/mL"),
    "brain_ng_ml": ("Brain concentration", "ng/mL"),
    "receptor_availability": ("GABA-B receptor availability", "1"),
    "activation_spinal": ("Spinal GABA-B activation", "1"),
    "activation_brain": ("Brain GABA-B activation", "1"),
    "ca_influx_rel": ("Presynaptic Ca²⁺ entry (relative)", "1"),
    "release_rel": ("Glutamate release (relative)", "1"),
    "girk_conductance_ns": ("GIRK K⁺ conductance", "nS"),
    "reflex_gain_rel": ("Stretch-reflex gain (relative)", "1"),
    "threshold_angle_deg": ("Reflex threshold angle", "°"),
    "trigger_angle_deg": ("Reflex trigger angle (latency-corrected)", "°"),
    "h_reflex_ratio": ("H-reflex (H/M ratio)", "1"),
    "spasm_index": ("Spasm index", "1"),
    "voluntary_force_rel": ("Voluntary force (relative)", "1"),
    "tone_discomfort_rel": ("Discomfort from muscle tone (relative)", "1"),
    "nociceptive_signal_rel": ("Nociceptive (pain) signal (relative)", "1"),
    "sedation_index": ("Sedation index (qualitative)", "1"),
    "ia_rate_hz": ("Ia afferent firing rate", "Hz"),
    "glutamate_mm": ("Synaptic glutamate", "mM"),
    "mn_rate_hz": ("Motoneuron firing rate", "Hz"),
    "emg": ("EMG", "a.u."),
    "force_n": ("Muscle force", "N"),
    "torque_nm": ("Joint torque", "N·m"),
    "angle_deg": ("Joint angle", "°"),
    # sweeps and scenario tables (see sim.runner)
    "bath_um": ("Bath baclofen concentration", "µM"),
    "epsc_rel": ("Slice EPSC amplitude (relative)", "1"),
    "activation_pre": ("Presynaptic GABA-B activation", "1"),
    "fourth_power": ("Pure Ca⁴ law", "1"),
    "gabab_conductance": ("GABA-B conductance (normalised)", "1"),
    "velocity_deg_s": ("Stretch velocity", "°/s"),
    "emg_peak": ("Peak reflex EMG", "a.u."),
    "torque_peak_nm": ("Peak reflex torque", "N·m"),
    "daily_dose_mg": ("Daily oral dose", "mg"),
    "sedation_band": ("Sedation band", "1"),
}

# Unit suffixes of series names, longest first so "_deg_s" wins over "_s".
_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_nmol_per_l", "nmol/L"),
    ("_umol_per_l", "µmol/L"),
    ("_ml_per_min", "mL/min"),
    ("_mg_per_day", "mg/day"),
    ("_mg_day", "mg/day"),
    ("_ug_day", "µg/day"),
    ("_ng_ml", "ng/mL"),
    ("_deg_s", "°/s"),
    ("_per_h", "1/h"),
    ("_per_s", "1/s"),
    ("_rel", "relative"),
    ("_deg", "°"),
    ("_min", "min"),
    ("_hz", "Hz"),
    ("_ms", "ms"),
    ("_ns", "nS"),
    ("_mv", "mV"),
    ("_mm", "mM"),
    ("_um", "µM"),
    ("_nm", "N·m"),
    ("_mg", "mg"),
    ("_ug", "µg"),
    ("_kg", "kg"),
    ("_ml", "mL"),
    ("_n", "N"),
    ("_h", "h"),
    ("_s", "s"),
)

# Units as written in code → as printed on a slide.
_PRETTY_UNITS = {"deg": "°", "deg/s": "°/s", "um": "µM", "uM": "µM", "Nm": "N·m", "N m": "N·m",
                 "ug": "µg", "ohm": "Ω"}
_NO_UNIT = {"", "1", "-", "none", "dimensionless"}


def _split_suffix(name: str) -> tuple[str, str]:
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], unit
    return name, ""


def axis_label(name: str, unit: str | None = None) -> str:
    """Return a slide-ready axis label such as ``"Plasma concentration (ng/mL)"``.

    Parameters
    ----------
    name : str
        Series name (``"plasma_ng_ml"``) or any text.  Known names take their
        wording from :data:`SERIES_LABELS`; other names are turned into words
        and their unit is read from the suffix (``"_hz"`` → Hz, ``"_deg"`` → °).
    unit : str, optional
        Unit to print, e.g. from ``result.unit(name)``; overrides the default.
        ``"1"`` or ``""`` means dimensionless: no parentheses are added.

    Returns
    -------
    str

    Examples
    --------
    >>> axis_label("plasma_ng_ml", "ng/mL")
    'Plasma concentration (ng/mL)'
    >>> axis_label("angle_deg", "deg")
    'Joint angle (°)'
    >>> axis_label("reflex_gain_rel", "1")
    'Stretch-reflex gain (relative)'
    >>> axis_label("tibialis_stiffness_nm")
    'Tibialis stiffness (N·m)'
    """
    if name in SERIES_LABELS:
        text, default_unit = SERIES_LABELS[name]
    else:
        stem, default_unit = _split_suffix(name)
        text = stem.replace("_", " ").strip()
        text = text[:1].upper() + text[1:]
        if default_unit == "relative":
            text, default_unit = f"{text} (relative)", "1"
    shown = default_unit if unit is None or unit == "" else unit
    shown = _PRETTY_UNITS.get(shown, shown)
    if shown in _NO_UNIT or f"({shown})" in text:
        return text
    return f"{text} ({shown})"


def parameter_label(params: Any, name: str) -> str:
    """Axis label for a model parameter, built from its metadata (symbol and unit).

    Parameters
    ----------
    params : Parameters instance or class
        A stage's parameter dataclass (see :mod:`sim.parameters`).
    name : str
        Field name, e.g. ``"hill_coefficient"``.

    Returns
    -------
    str
        ``"<description or name>, <symbol> (<unit>)"``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from sim.parameters import Parameters, param
    >>> @dataclass(frozen=True, kw_only=True)
    ... class Toy(Parameters):
    ...     tau_ms: float = param(10.0, symbol="τ", unit="ms", source="example",
    ...                           status="illustrative", description="Time constant")
    >>> parameter_label(Toy, "tau_ms")
    'Time constant, τ (ms)'
    """
    meta = params.metadata(name)
    text = meta.get("description") or name.replace("_", " ")
    text = text[:1].upper() + text[1:]
    symbol = meta.get("symbol", "")
    if symbol:
        text = f"{text}, {symbol}"
    unit = _PRETTY_UNITS.get(meta.get("unit", ""), meta.get("unit", ""))
    return text if unit in _NO_UNIT else f"{text} ({unit})"


# ---------------------------------------------------------------------------
# Style
# ---------------------------------------------------------------------------

#: Location of the package's matplotlib style sheet.
STYLE_PATH = resources.files("sim") / "reflexsim.mplstyle"

# rcParams that make saved files byte-identical from one save to the next.
_DETERMINISTIC_RC = {"svg.hashsalt": "spinal-reflex-sim", "svg.id": "spinal-reflex-sim-figure"}


@functools.lru_cache(maxsize=1)
def _style_rc() -> dict[str, Any]:
    import matplotlib

    with resources.as_file(STYLE_PATH) as path:
        return dict(matplotlib.rc_params_from_file(str(path), use_default_template=False))


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Apply the package style (``reflexsim.mplstyle``) inside a ``with`` block.

    Large fonts (14–20 pt), 2.5-pt lines, the Okabe–Ito colour cycle paired with
    line styles, 16:9 figures.  The previous rcParams are restored on exit.
    Every drawing function of this module already uses it; wrap your own
    matplotlib code in it to match.

    Examples
    --------
    >>> import matplotlib
    >>> with figure_style():
    ...     matplotlib.rcParams["lines.linewidth"]
    2.5
    """
    import matplotlib

    with matplotlib.rc_context(rc=_style_rc()):
        yield


def _styled(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run *function* inside :func:`figure_style` (artists read rcParams when created)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with figure_style():
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

_LABEL_GID = "educational-label"
_LETTER_GID = "panel-letter"
# Fraction of the figure height kept free at the bottom for the educational label.
_LABEL_STRIP = 0.035


def _fix_axes_style(ax: Axes) -> None:
    # Ticks and lines are created later, possibly outside figure_style(); store
    # the style's tick settings and line width on the axes so they still apply.
    rc = _style_rc()
    cycle = rc["axes.prop_cycle"].by_key()
    ax.set_prop_cycle(**cycle, linewidth=[rc["lines.linewidth"]] * len(cycle["color"]))
    for axis in ("x", "y"):
        ax.tick_params(
            axis=axis,
            labelsize=rc.get(f"{axis}tick.labelsize"),
            width=rc.get(f"{axis}tick.major.width"),
            length=rc.get(f"{axis}tick.major.size"),
            colors=rc.get(f"{axis}tick.color"),
            labelcolor=rc.get(f"{axis}tick.color"),
        )


@_styled
def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    title: str,
    width_in: float = 12.0,
    height_in: float = 6.75,
    sharex: bool | str = False,
    sharey: bool | str = False,
    squeeze: bool = True,
) -> tuple[Figure, Any]:
    """Create a slide-sized figure with a take-home title and the educational label.

    Parameters
    ----------
    nrows, ncols : int, optional
        Grid of panels.
    title : str
        The message of the figure, as a sentence ("Intrathecal dosing reaches the
        spinal cord at a fraction of the oral dose"), not a description.
    width_in, height_in : float, optional
        Size in inches; the default 12 × 6.75 in is 16:9 and fills a slide.
    sharex, sharey : bool or {"row", "col", "all", "none"}, optional
        Share axes between panels, as in :meth:`matplotlib.figure.Figure.subplots`.
    squeeze : bool, optional
        As in ``subplots``: a single panel is returned as one Axes.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Not attached to pyplot; render it with :func:`save_figure`.
    axes : Axes or numpy.ndarray of Axes

    Examples
    --------
    >>> fig, axes = new_figure(2, 1, title="Less glutamate, smaller reflex")
    >>> axes.shape, fig.get_suptitle()
    ((2,), 'Less glutamate, smaller reflex')
    """
    from matplotlib.figure import Figure

    for label, value in (("nrows", nrows), ("ncols", ncols)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{label} = {value!r} must be a positive integer")
    for label, value in (("width_in", width_in), ("height_in", height_in)):
        if not np.isfinite(value) or not 1.0 <= value <= 40.0:
            raise ParameterError(f"{label} = {value!r} is outside the allowed range [1.0, 40.0] in")
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    # Keep a strip at the bottom free for the educational label.
    fig.get_layout_engine().set(rect=(0.0, _LABEL_STRIP, 1.0, 1.0 - _LABEL_STRIP))
    axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=squeeze)
    for ax in np.ravel(axes):
        _fix_axes_style(ax)
    fig.suptitle(title)
    add_educational_label(fig)
    return fig, axes


@_styled
def add_educational_label(fig: Figure) -> Any:
    """Write "Educational illustration – not for clinical use" inside the image.

    Small grey text in the bottom-right corner.  Calling it again does not add
    a second copy; :func:`save_figure` calls it on every figure it saves.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    matplotlib.text.Text
        The label.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> add_educational_label(fig).get_text()
    'Educational illustration – not for clinical use'
    >>> add_educational_label(fig) is add_educational_label(fig)
    True
    """
    for text in fig.texts:
        if text.get_gid() == _LABEL_GID:
            return text
    return fig.text(
        0.995, 0.006, EDUCATIONAL_LABEL,
        ha="right", va="bottom", fontsize=11, color="#555555", style="italic",
        gid=_LABEL_GID, in_layout=False, zorder=10,
    )


@_styled
def panel_letters(axes: Any, *, start: str = "A", fontsize: float = 20) -> list[Any]:
    """Label panels A, B, C … at their top-left corners.

    Parameters
    ----------
    axes : Axes or array_like of Axes
        Panels in reading order (row by row).
    start : str, optional
        First letter.
    fontsize : float, optional
        Letter size in points.

    Returns
    -------
    list of matplotlib.text.Text

    Examples
    --------
    >>> fig, axes = new_figure(1, 3, title="Three panels")
    >>> [t.get_text() for t in panel_letters(axes)]
    ['A', 'B', 'C']
    """
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    if not (isinstance(start, str) and len(start) == 1 and start.isalpha()):
        raise ParameterError(f"start = {start!r} must be a single letter")
    letters = []
    for offset, ax in enumerate(flat):
        for text in list(ax.texts):
            if text.get_gid() == _LETTER_GID:
                text.remove()
        letter = chr(ord(start) + offset)
        letters.append(
            ax.text(-0.02, 1.03, letter, transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=fontsize, fontweight="bold", gid=_LETTER_GID)
        )
    return letters


#: Formats :func:`save_figure` can write (checked in one place: :func:`sim.fileio.check_formats`).
SAVE_FORMATS = FORMATS
_METADATA_KEYS = ("Title", "Author", "Description", "Keywords")
_ASCII_LABEL = EDUCATIONAL_LABEL.replace("–", "-")


def _format_metadata(fmt: str, user: Mapping[str, str]) -> dict[str, Any]:
    from . import __version__

    software = f"spinal-reflex-sim {__version__}"
    title = user.get("Title")
    extra = user.get("Description")
    description = EDUCATIONAL_LABEL + (f". {extra}" if extra else "")
    keywords = [EDUCATIONAL_LABEL, "spinal-reflex-sim", "teaching model", "baclofen"]
    keywords += [k.strip() for k in str(user.get("Keywords", "")).split(",") if k.strip()]
    if fmt == "png":
        # PNG text chunks; matplotlib writes no timestamp into PNGs.
        meta = {"Software": software, "Description": description, "Disclaimer": EDUCATIONAL_LABEL}
        if title:
            meta["Title"] = title
        if user.get("Author"):
            meta["Author"] = user["Author"]
        return meta
    if fmt == "svg":
        meta = {"Creator": software, "Date": None, "Description": description,
                "Rights": EDUCATIONAL_LABEL, "Keywords": keywords}
        if title:
            meta["Title"] = title
        if user.get("Author"):
            meta["Contributor"] = user["Author"]
        return meta
    # PDF: no creation date, so the file does not change from one save to the next.
    # Keywords also carry an ASCII spelling of the label, searchable in the raw bytes.
    meta = {"Creator": software, "CreationDate": None, "Subject": description,
            "Keywords": "; ".join(k.replace("–", "-") for k in keywords)}
    if title:
        meta["Title"] = title
    if user.get("Author"):
        meta["Author"] = user["Author"]
    return meta


def _settle_layout(fig: Figure, max_passes: int = 6) -> None:
    # A layout engine (constrained layout) recomputes positions from the current
    # ones on every draw and needs a pass or two to reach its fixed point; run it
    # until the axes stop moving so that every saved file sees the same layout.
    previous = None
    for _ in range(max_passes):
        fig.draw_without_rendering()
        positions = [tuple(ax.get_position().bounds) for ax in fig.axes]
        if positions == previous:
            return
        previous = positions


def save_figure(
    fig: Figure,
    path_stem: str | Path,
    formats: str | Iterable[str] = SAVE_FORMATS,
    *,
    dpi: float = 150,
    metadata: Mapping[str, str] | None = None,
) -> list[Path]:
    """Save *fig* as PNG, SVG and/or PDF, atomically and reproducibly.

    Each file carries the educational label twice: as text inside the image
    (added here if missing) and in the file's metadata (PNG text chunks
    ``Description`` and ``Disclaimer``; SVG ``<dc:description>``,
    ``<dc:rights>`` and keywords; PDF ``Subject`` and ``Keywords``).  Saving the
    same figure again gives byte-identical SVG and PDF files (fixed SVG hash
    salt and id, no dates) and a PNG without timestamps, so figures in a git
    repository only change when their content does.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path_stem : str or path-like
        Destination without extension; ``"figures/fig1"`` gives
        ``figures/fig1.png`` etc.  A trailing ``.png``/``.svg``/``.pdf`` is
        dropped.  Folders are created.
    formats : str or iterable of str, optional
        Any of ``"png"``, ``"svg"``, ``"pdf"``.
    dpi : float, optional
        Resolution of the PNG (dots per inch); 150 dpi × 12 in = 1800 px wide.
    metadata : mapping, optional
        Extra ``Title``, ``Author``, ``Description`` (appended after the label)
        and ``Keywords`` (comma-separated).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of *formats*.

    Raises
    ------
    ParameterError
        For an unknown format, metadata key or a non-positive dpi.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig, ax = new_figure(title="A line")
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> stem = pathlib.Path(tempfile.mkdtemp()) / "line"
    >>> [p.name for p in save_figure(fig, stem, formats=("svg", "png"))]
    ['line.svg', 'line.png']
    >>> save_figure(fig, stem, formats="jpg")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: format 'jpg' is not supported; allowed formats: 'png', 'svg', 'pdf'
    """
    import matplotlib

    chosen = check_formats(formats)
    if not np.isfinite(dpi) or not 10 <= dpi <= 1200:
        raise ParameterError(f"dpi = {dpi!r} is outside the allowed range [10, 1200]")
    user = dict(metadata or {})
    unknown = sorted(set(user) - set(_METADATA_KEYS))
    if unknown:
        raise ParameterError(
            f"metadata key(s) {', '.join(map(repr, unknown))} not supported; "
            f"allowed: {', '.join(map(repr, _METADATA_KEYS))}"
        )
    stem = str(path_stem)
    for fmt in SAVE_FORMATS:
        if stem.lower().endswith(f".{fmt}"):
            stem = stem[: -len(fmt) - 1]
    add_educational_label(fig)
    written = []
    engine = fig.get_layout_engine()
    with figure_style(), matplotlib.rc_context(rc=_DETERMINISTIC_RC):
        if engine is not None:
            _settle_layout(fig)
            # Freeze the settled layout while saving, so all formats and all
            # later saves of the same figure share it; the engine comes back after.
            fig.set_layout_engine("none")
            # Round the settled positions: layout solvers differ in the last bits from
            # run to run, and SVG clip-path ids hash the exact floats.
            for axes in fig.axes:
                if axes.get_axes_locator() is None:
                    axes.set_position(np.round(axes.get_position().bounds, 6))
        try:
            for fmt in chosen:
                final = Path(f"{stem}.{fmt}")
                with atomic_path(final) as tmp:
                    fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_format_metadata(fmt, user))
                written.append(final)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
    return written


# ---------------------------------------------------------------------------
# Generic plots of a Result
# ---------------------------------------------------------------------------


def _new_axes(title: str) -> Axes:
    _, ax = new_figure(title=title)
    return ax


def _line_style(arm: str | None, n_points: int) -> dict[str, Any]:
    if arm is None:
        return {}
    style = arm_style(arm)
    if style["marker"]:
        # A few markers identify the arm in greyscale without hiding the line.
        style["markevery"] = max(1, n_points // 8)
    return style


@_styled
def plot_series(
    result: Result,
    name: str,
    *,
    ax: Axes | None = None,
    arm: str | None = None,
    batch_index: Any = None,
    **kw: Any,
) -> Axes:
    """Plot one named series of a :class:`~sim.result.Result` against its time axis.

    Parameters
    ----------
    result : Result
        Simulation output.
    name : str
        Series name, e.g. ``"plasma_ng_ml"``.  A series of strings (qualitative
        bands) is drawn with :func:`plot_band_timeline`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new 16:9 figure if omitted.
    arm : str, optional
        Arm name; sets colour, line style, marker and legend label via
        :func:`arm_style`.  Without it the style's colour cycle is used.
    batch_index : int, slice or tuple, optional
        Select part of a batched series first.  Whatever batch is left is drawn
        as one line per element (same arm style, increasing opacity).
    **kw
        Passed to :meth:`matplotlib.axes.Axes.plot` (override the arm style).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> r = Result("t_ms", [0.0, 10.0, 20.0], {"emg": np.array([[0, 1, 0], [0, 2, 0]])})
    >>> ax = plot_series(r, "emg", arm="spastic")
    >>> [line.get_ydata().tolist() for line in ax.get_lines()]
    [[0, 1, 0], [0, 2, 0]]
    """
    values = np.asarray(result[name])
    t = result.axis
    if values.ndim == 0 or values.shape[-1] != t.size:
        raise ParameterError(
            f"{name!r} is not a time series of this result (shape {values.shape}, "
            f"{result.axis_name} has {t.size} points)"
        )
    if batch_index is not None:
        index = batch_index if isinstance(batch_index, tuple) else (batch_index,)
        values = values[(*index, Ellipsis)]
    if ax is None:
        ax = _new_axes(axis_label(name, result.unit(name)))
    if values.dtype.kind not in "fiub":
        if values.ndim != 1:
            raise ParameterError(f"{name!r} holds bands for a batch {values.shape[:-1]}; "
                                 "choose one element with batch_index")
        return plot_band_timeline(ax, t, values)
    lines = values.reshape(-1, t.size)
    style = _line_style(arm, t.size)
    for i, row in enumerate(lines):
        line_kw = dict(style)
        if len(lines) > 1:
            if arm is not None:
                line_kw["alpha"] = 0.4 + 0.6 * (i + 1) / len(lines)
            if i > 0:
                line_kw.pop("label", None)
        line_kw.update(kw)
        ax.plot(t, row, **line_kw)
    ax.set_xlabel(axis_label(result.axis_name, result.unit(result.axis_name)))
    ax.set_ylabel(axis_label(name, result.unit(name)))
    return ax


@_styled
def plot_trace_panel(
    result: Result,
    names: Sequence[str],
    *,
    axes: Any = None,
    arm: str | None = None,
    title: str = "The signal passes along the reflex arc",
) -> np.ndarray:
    """Stack several traces of one result, sharing the time axis.

    Typical use: the stretch reflex step by step (Ia firing → glutamate →
    motoneuron firing → EMG → force).

    Parameters
    ----------
    result : Result
        Simulation output.
    names : sequence of str
        Series to show, top to bottom.
    axes : array_like of Axes, optional
        One axes per name; a new figure (one column, shared x) if omitted.
    arm : str, optional
        Arm style for every trace (see :func:`arm_style`).
    title : str, optional
        Take-home title of a new figure.

    Returns
    -------
    numpy.ndarray of Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> r = Result("t_ms", [0.0, 5.0, 10.0], {"ia_rate_hz": [10, 80, 20], "emg": [0, 0.5, 0.1]},
    ...            units={"ia_rate_hz": "Hz", "emg": "a.u."})
    >>> axes = plot_trace_panel(r, ["ia_rate_hz", "emg"])
    >>> [ax.get_title(loc="left") for ax in axes]
    ['Ia afferent firing rate (Hz)', 'EMG (a.u.)']
    """
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ParameterError("names is empty; give at least one series name")
    if axes is None:
        _, axes = new_figure(len(names), 1, title=title, sharex=True, squeeze=False)
    axes = np.ravel(np.asarray(axes, dtype=object))
    if axes.size != len(names):
        raise ParameterError(f"got {axes.size} axes for {len(names)} names; give one axes per name")
    for ax, name in zip(axes, names, strict=True):
        plot_series(result, name, ax=ax, arm=arm)
        # Stacked panels leave no room for long vertical labels: each trace is
        # named (with its unit) above its panel instead.
        ax.set_ylabel("")
        ax.set_title(axis_label(name, result.unit(name)), loc="left", fontsize=14,
                     fontweight="normal")
    for ax in axes[:-1]:
        ax.set_xlabel("")
    return axes


# ---------------------------------------------------------------------------
# Qualitative sedation bands
# ---------------------------------------------------------------------------

#: Qualitative sedation bands, mildest first.  They describe how strongly the
#: model's brain GABA-B activation would dampen alertness – never a probability.
SEDATION_BANDS = _outcome_bands

#: Fixed band colours, light → dark (one hue, so greyscale keeps the order).
SEDATION_BAND_COLORS = {
    "none": "#F2F2F2",
    "mild": "#C6DBEF",
    "moderate": "#6BAED6",
    "marked": "#2171B5",
}
_BAND_TEXT_COLORS = {
    "none": "#333333", "mild": "#333333", "moderate": "#000000", "marked": "#FFFFFF",
}


def _band_edges(band_edges: Sequence[float]) -> np.ndarray:
    edges = np.asarray(band_edges, dtype=float)
    if edges.ndim != 1 or edges.size not in (3, 5):
        raise ParameterError(
            f"band_edges = {band_edges!r} must hold the 3 boundaries between the 4 bands "
            "or all 5 edges from 0 to 1"
        )
    if edges.size == 3:
        edges = np.concatenate([[0.0], edges, [1.0]])
    increasing = np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0)
    if not increasing or edges[0] < 0 or edges[-1] > 1:
        raise ParameterError(f"band_edges = {band_edges!r} must increase strictly within [0, 1]")
    return edges


@_styled
def sedation_bands(
    ax: Axes | None,
    band_edges: Sequence[float],
    *,
    orientation: str = "horizontal",
) -> Axes:
    """Shade the qualitative sedation bands none / mild / moderate / marked.

    The sedation index is a 0–1 *qualitative* scale; the axis is labelled
    "Sedation index (qualitative)" and the bands carry words, never numbers
    or percentages.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Axes to draw on (a new figure if ``None``).
    band_edges : sequence of float
        Either the 3 boundaries between the bands (e.g. ``(0.15, 0.4, 0.7)``)
        or all 5 edges starting at 0 and ending at 1.
    orientation : {"horizontal", "vertical"}, optional
        ``"horizontal"``: the index is on the y axis and the bands are
        horizontal stripes behind a time course; ``"vertical"``: the index is
        on the x axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = sedation_bands(None, (0.15, 0.4, 0.7))
    >>> ax.get_ylabel()
    'Sedation index (qualitative)'
    >>> sorted(t.get_text() for t in ax.texts)
    ['marked', 'mild', 'moderate', 'none']
    """
    if orientation not in ("horizontal", "vertical"):
        raise ParameterError(
            f"orientation = {orientation!r} is not one of the allowed values: "
            "'horizontal', 'vertical'"
        )
    edges = _band_edges(band_edges)
    if ax is None:
        ax = _new_axes("Sedation shown as qualitative bands")
    horizontal = orientation == "horizontal"
    blend = ax.get_yaxis_transform() if horizontal else ax.get_xaxis_transform()
    for band, low, high in zip(SEDATION_BANDS, edges[:-1], edges[1:], strict=True):
        span = ax.axhspan if horizontal else ax.axvspan
        span(low, high, facecolor=SEDATION_BAND_COLORS[band], alpha=0.45, edgecolor="none",
             zorder=0, label=f"_band {band}")
        middle = 0.5 * (low + high)
        # Band names sit just outside the axes (right of them, or above them),
        # where no curve can run through them.
        if horizontal:
            ax.text(1.01, middle, band, transform=blend, ha="left", va="center", fontsize=13,
                    color="#333333", style="italic")
        else:
            ax.text(middle, 1.01, band, transform=blend, ha="center", va="bottom", fontsize=13,
                    color="#333333", style="italic", rotation=90)
    label = axis_label("sedation_index")
    # Ticks mark the band edges, but only the ends of the scale get numbers:
    # the index is qualitative and the edges are teaching choices.
    tick_labels = ["0", *[""] * (len(edges) - 2), "1"]
    if horizontal:
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel(label)
        ax.set_yticks(edges, labels=tick_labels)
    else:
        ax.set_xlim(0.0, 1.0)
        ax.set_xlabel(label)
        ax.set_xticks(edges, labels=tick_labels)
    return ax


@_styled
def plot_band_timeline(
    ax: Axes | None,
    t: Any,
    bands: Sequence[str],
    *,
    y: float = 0.0,
    height: float = 1.0,
    legend: bool = True,
) -> Axes:
    """Draw a sequence of qualitative bands over time as coloured blocks.

    Sample *i* is taken to hold from ``t[i]`` until ``t[i + 1]``; runs of the
    same band merge into one block.  Wide blocks carry their band name.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Axes to draw on (a new figure if ``None``).
    t : array_like, shape (n,)
        Times, increasing.
    bands : sequence of str, shape (n,)
        Band names from :data:`SEDATION_BANDS` (case-insensitive).
    y, height : float, optional
        Vertical position and height of the strip, in data units.
    legend : bool, optional
        Add a legend with all four bands in their fixed order.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_band_timeline(None, [0, 1, 2, 3], ["none", "mild", "mild", "none"])
    >>> [c.get_label() for c in ax.collections]
    ['none', 'mild']
    """
    times = np.asarray(t, dtype=float)
    names = [str(b).strip().casefold() for b in np.ravel(np.asarray(bands))]
    if times.ndim != 1 or times.size != len(names) or times.size == 0:
        raise ParameterError(
            f"t (shape {times.shape}) and bands ({len(names)} values) must be one-dimensional "
            "and of equal, non-zero length"
        )
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        raise ParameterError("t must be finite and increasing")
    unknown = sorted(set(names) - set(SEDATION_BANDS))
    if unknown:
        raise ParameterError(
            f"band value(s) {', '.join(map(repr, unknown))} not recognised; allowed: "
            f"{', '.join(map(repr, SEDATION_BANDS))}"
        )
    if ax is None:
        ax = _new_axes("Sedation over time, as qualitative bands")
    # Merge runs of equal bands into (start, width) blocks.
    change = [0, *[i for i in range(1, len(names)) if names[i] != names[i - 1]], len(names)]
    runs: dict[str, list[tuple[float, float]]] = {b: [] for b in SEDATION_BANDS}
    span = float(times[-1] - times[0]) or 1.0
    for start, stop in zip(change[:-1], change[1:], strict=True):
        t0 = times[start]
        t1 = times[stop] if stop < len(times) else times[-1]
        runs[names[start]].append((float(t0), float(t1 - t0)))
        if (t1 - t0) / span > 0.08:
            ax.text(0.5 * (t0 + t1), y + 0.5 * height, names[start], ha="center", va="center",
                    fontsize=13, color=_BAND_TEXT_COLORS[names[start]], zorder=3)
    for band in SEDATION_BANDS:
        if runs[band]:
            ax.broken_barh(runs[band], (y, height), facecolors=SEDATION_BAND_COLORS[band],
                           edgecolor="#777777", linewidth=0.8, label=band, zorder=2)
    top = y + 1.1 * height
    if legend:
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=SEDATION_BAND_COLORS[b], edgecolor="#777777", label=b)
                   for b in SEDATION_BANDS]
        # Inside the axes, above the strip: outside legends collide with panel letters.
        ax.legend(handles=handles, ncols=4, loc="upper center", fontsize=12,
                  handlelength=1.5, columnspacing=1.2, borderaxespad=0.2)
        top = y + 1.5 * height
    ax.set_xlim(times[0], times[-1] if times[-1] > times[0] else times[0] + 1.0)
    ax.set_ylim(y - 0.1 * height, top)
    ax.set_yticks([])
    if not ax.get_ylabel():
        ax.set_ylabel("Sedation band")
    ax.grid(False)
    return ax


# ---------------------------------------------------------------------------
# The reflex-arc schematic
# ---------------------------------------------------------------------------

_SENSORY = _C["blue"]
_MOTOR = _C["vermillion"]
_DRUG = _C["bluish green"]
_DESCENDING = "#333333"


def _badge(ax: Axes, x: float, y: float, number: int, radius: float = 0.24) -> None:
    """A numbered green disc marking a site of baclofen action."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), radius, facecolor=_DRUG, edgecolor="white", linewidth=1.5,
                        zorder=20))
    ax.text(x, y, str(number), ha="center", va="center", color="white", fontsize=13,
            fontweight="bold", zorder=21)


def _arrow(ax: Axes, points: Sequence[tuple[float, float]], color: str, *, width: float = 3.0,
           head: bool = True, style: str = "-", zorder: int = 5) -> None:
    """A polyline path ending in an arrow head."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1)
    arrowstyle = "-|>,head_length=0.6,head_width=0.35" if head else "-"
    ax.add_patch(FancyArrowPatch(path=MplPath(points, codes), arrowstyle=arrowstyle, color=color,
                                 linewidth=width, linestyle=style, mutation_scale=20,
                                 joinstyle="round", capstyle="round", zorder=zorder))


def _curve(ax: Axes, points: Sequence[tuple[float, float]], color: str, *, width: float = 3.0,
           head: bool = True, style: str = "-", zorder: int = 5) -> None:
    """A smooth curve (quadratic Bézier segments through control points) with an arrow head."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    codes = [MplPath.MOVETO] + [MplPath.CURVE3] * (len(points) - 1)
    arrowstyle = "-|>,head_length=0.6,head_width=0.35" if head else "-"
    ax.add_patch(FancyArrowPatch(path=MplPath(points, codes), arrowstyle=arrowstyle, color=color,
                                 linewidth=width, linestyle=style, mutation_scale=20,
                                 capstyle="round", zorder=zorder))


@_styled
def reflex_arc_schematic(ax: Axes | None = None) -> Axes:
    """Draw the stretch-reflex arc and where baclofen acts on it.

    The drawing follows the signal: a stretch of the muscle excites the
    **muscle spindle** → the **Ia afferent** carries the signal through the
    **dorsal root** into the spinal cord → its terminal releases glutamate onto
    the **α-motoneuron** in the ventral horn → the **motor axon** leaves by the
    ventral root → the **extrafusal muscle fibres** contract → the **joint**
    moves.  A **descending pathway** from the brain normally keeps the reflex
    in check (its loss after a brain or spinal-cord lesion is what makes the
    reflex overactive in spasticity).

    Numbered green discs mark baclofen's sites of action (GABA-B receptors):

    1. presynaptic Ia terminal – less Ca²⁺ entry, hence much less glutamate
       release (release grows roughly with the 4th power of Ca²⁺ entry);
    2. α-motoneuron – GIRK K⁺ channels open, the cell is less excitable;
    3. brain – drowsiness, dizziness, weakness (side effects).

    A note states that baclofen is not a painkiller.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on, ideally 16:9; a new figure with a take-home title if
        omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Drawing coordinates run 0–17.6 (x) by 0–9 (y); the axes are hidden.

    Examples
    --------
    >>> ax = reflex_arc_schematic()
    >>> any("GIRK" in t.get_text() for t in ax.texts)
    True
    """
    from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, Polygon, Rectangle

    if ax is None:
        fig, ax = new_figure(title="Baclofen damps the stretch reflex at two spinal sites")
        # A fixed position instead of constrained layout: an equal-aspect drawing
        # makes the layout solver drift from one save to the next.
        fig.set_layout_engine("none")
        ax.set_position((0.02, 0.03, 0.96, 0.87))
    else:
        add_educational_label(ax.figure)
    ax.set_xlim(0, 17.6)
    ax.set_ylim(0, 9)
    ax.set_aspect("equal")
    ax.axis("off")
    text_kw = {"fontsize": 12.5, "color": "#222222", "zorder": 30}

    # --- limb: two bones, a joint, the muscle and its tendons ---------------
    bone = "#E8E2D0"
    solid = {"linestyle": "-", "solid_capstyle": "round"}
    ax.add_patch(FancyBboxPatch((0.5, 0.75), 4.9, 0.42, boxstyle="round,pad=0.05,rounding_size=0.2",
                                facecolor=bone, edgecolor="#8C8270", linewidth=1.5, zorder=2))
    ax.add_patch(Rectangle((5.75, 0.75), 1.9, 0.42, angle=-20, rotation_point=(5.75, 0.96),
                           facecolor=bone, edgecolor="#8C8270", linewidth=1.5, zorder=2))
    ax.add_patch(Circle((5.72, 0.96), 0.36, facecolor=bone, edgecolor="#8C8270", linewidth=1.5,
                        zorder=3))
    ax.text(5.72, 0.3, "Joint", ha="center", va="center", **text_kw)
    # Tendons (grey) anchor the muscle belly to the bones on either side of the joint.
    ax.plot([0.75, 1.05], [1.17, 1.75], color="#9A9A9A", linewidth=4, zorder=3, **solid)
    ax.plot([5.05, 6.6], [1.95, 0.85], color="#9A9A9A", linewidth=4, zorder=3, **solid)
    ax.add_patch(Ellipse((3.05, 1.95), 4.3, 1.15, facecolor="#F4C7B5", edgecolor="#B5654A",
                         linewidth=2, zorder=4))
    for dy in (-0.3, -0.1, 0.1, 0.3):  # extrafusal fibres
        half = 1.9 * np.sqrt(1 - (dy / 0.55) ** 2)
        ax.plot([3.05 - half, 3.05 + half], [1.95 + dy] * 2, color="#D99A84", linewidth=1.2,
                zorder=4.5, **solid)
    ax.text(2.95, 0.35, "Muscle (extrafusal fibres contract)", ha="center", va="center",
            **text_kw)

    # Muscle spindle: a small capsule inside the muscle, wrapped by the Ia ending.
    ax.add_patch(Ellipse((2.05, 2.05), 1.25, 0.34, facecolor="#FFF6D6", edgecolor=_SENSORY,
                         linewidth=1.8, zorder=6))
    coil_x = np.linspace(1.75, 2.35, 60)
    ax.plot(coil_x, 2.05 + 0.12 * np.sin((coil_x - 1.75) * 2 * np.pi * 5), color=_SENSORY,
            linewidth=1.6, zorder=7, **solid)
    ax.annotate("Muscle spindle\n(senses stretch)", xy=(1.6, 2.12), xytext=(0.2, 3.35),
                ha="left", va="center", arrowprops={"arrowstyle": "-", "color": "#555555",
                                                    "linewidth": 1.2}, **text_kw)

    # --- spinal cord cross-section ------------------------------------------
    cx, cy = 8.6, 4.55
    ax.add_patch(Ellipse((cx, cy), 3.6, 2.7, facecolor="#F3F3F3", edgecolor="#777777",
                         linewidth=2, zorder=2))
    butterfly = [  # grey matter: dorsal horns up, ventral horns down (offsets from the centre)
        (-0.15, 0.25), (-0.75, 1.05), (-0.5, 1.15), (-0.15, 0.55),
        (0.15, 0.55), (0.5, 1.15), (0.75, 1.05), (0.15, 0.25),
        (0.3, -0.05), (1.05, -0.55), (0.95, -0.95), (0.15, -0.55),
        (-0.15, -0.55), (-0.95, -0.95), (-1.05, -0.55), (-0.3, -0.05),
    ]
    butterfly = [(cx + dx, cy + dy) for dx, dy in butterfly]
    ax.add_patch(Polygon(butterfly, closed=True, facecolor="#D6D6D6", edgecolor="#9A9A9A",
                         linewidth=1.2, zorder=3))
    ax.text(cx + 1.0, cy + 1.5, "Spinal cord", ha="left", va="center", fontweight="bold",
            **{**text_kw, "fontsize": 13.5})
    ax.text(cx + 1.65, cy + 0.75, "dorsal horn", ha="left", va="center", style="italic",
            **{**text_kw, "fontsize": 11, "color": "#666666"})
    ax.text(cx + 1.3, cy - 1.05, "ventral horn", ha="left", va="center", style="italic",
            **{**text_kw, "fontsize": 11, "color": "#666666"})

    # α-motoneuron soma in the left ventral horn.
    mn = (cx - 0.62, cy - 0.62)
    ax.add_patch(Polygon([(mn[0] - 0.28, mn[1] - 0.2), (mn[0] + 0.3, mn[1] - 0.2),
                          (mn[0] + 0.02, mn[1] + 0.32)], closed=True, facecolor=_MOTOR,
                         edgecolor="#7A3300", linewidth=1.2, zorder=9))

    # --- Ia afferent: spindle → dorsal root (ganglion) → terminal on the motoneuron
    drg = (6.2, 5.75)
    _curve(ax, [(2.5, 2.2), (3.4, 5.0), (drg[0] - 0.3, drg[1] - 0.05)], _SENSORY, head=False)
    ax.add_patch(Ellipse(drg, 0.75, 0.5, facecolor=_SENSORY, edgecolor="white", linewidth=1.5,
                         zorder=8))
    ax.text(drg[0] - 0.05, drg[1] + 0.62, "Dorsal root\n(ganglion)", ha="center", va="bottom",
            **text_kw)
    _curve(ax, [(drg[0] + 0.3, drg[1] - 0.05), (cx - 0.7, cy + 1.3), (cx - 0.55, cy + 0.6)],
           _SENSORY, head=False)
    terminal = (mn[0] + 0.12, mn[1] + 0.55)
    _arrow(ax, [(cx - 0.55, cy + 0.6), (cx - 0.45, cy + 0.15), (terminal[0], terminal[1] + 0.1)],
           _SENSORY, head=False)
    ax.add_patch(Circle(terminal, 0.13, facecolor=_SENSORY, edgecolor="white", linewidth=1,
                        zorder=10))
    ax.text(3.45, 4.55, "Ia afferent", ha="left", va="center", color=_SENSORY, fontweight="bold",
            fontsize=13, zorder=30, rotation=62, rotation_mode="anchor")

    # --- motor axon: ventral root → muscle -----------------------------------
    _curve(ax, [(mn[0] - 0.2, mn[1] - 0.1), (5.3, 3.25), (3.9, 2.35)], _MOTOR)
    ax.text(5.0, 3.75, "Motor axon\n(ventral root)", ha="center", va="center", color=_MOTOR,
            fontweight="bold", fontsize=12.5, zorder=30)
    ax.annotate("α-motoneuron", xy=(mn[0] - 0.05, mn[1] - 0.2), xytext=(cx - 0.3, cy - 2.05),
                ha="center", va="center", color=_MOTOR, fontweight="bold", fontsize=13, zorder=30,
                arrowprops={"arrowstyle": "-", "color": _MOTOR, "linewidth": 1.2})

    # --- brain and the descending inhibitory pathway -------------------------
    brain = (8.6, 7.9)
    ax.add_patch(Ellipse(brain, 2.6, 1.25, facecolor="#EADCF0", edgecolor="#7D5A8C", linewidth=2,
                         zorder=3))
    gyri_x = np.linspace(brain[0] - 1.0, brain[0] + 1.0, 80)
    ax.plot(gyri_x, brain[1] + 0.08 * np.sin(gyri_x * 9), color="#B39BC0", linewidth=1.2,
            zorder=4, **solid)
    ax.text(brain[0], brain[1] + 0.3, "Brain", ha="center", va="center", fontweight="bold",
            **{**text_kw, "fontsize": 14})
    # Descending tone ends in a bar (⊣), the usual symbol for inhibition.
    top, corner = (cx + 0.45, brain[1] - 0.62), (cx + 0.45, cy + 0.2)
    end = np.array([mn[0] + 0.5, mn[1] + 0.1])
    ax.plot([top[0], corner[0], end[0]], [top[1], corner[1], end[1]], color=_DESCENDING,
            linewidth=2.5, linestyle=(0, (4, 2)), zorder=6)
    direction = (end - np.array(corner)) / np.hypot(*(end - np.array(corner)))
    normal = np.array([-direction[1], direction[0]])
    bar = np.array([end - 0.22 * normal, end + 0.22 * normal])
    ax.plot(bar[:, 0], bar[:, 1], color=_DESCENDING, linewidth=3.5, linestyle="-",
            solid_capstyle="butt", zorder=6)
    ax.text(top[0] + 0.15, 6.8, "Descending inhibitory tone\n(weakened in spasticity)",
            ha="left", va="center", **{**text_kw, "fontsize": 11.5, "color": "#333333"})

    # --- sites of baclofen action -------------------------------------------
    _badge(ax, terminal[0] + 0.45, terminal[1] + 0.35, 1)
    _badge(ax, mn[0] - 0.5, mn[1] + 0.15, 2)
    _badge(ax, brain[0] - 1.55, brain[1] + 0.35, 3)

    # Callout column on the right: the same numbers, with the mechanism in words.
    bx, width = 12.1, 4.9
    callouts = [
        (7.55, 3, "Brain: drowsiness, dizziness,\nweakness (side effects)"),
        (5.55, 1, "Ia terminal (presynaptic):\nGABA-B → less Ca²⁺ entry\n→ much less glutamate\n"
                  "(release ∝ Ca⁴)"),
        (3.35, 2, "α-motoneuron (postsynaptic):\nGABA-B → GIRK K⁺ channels\nopen → less excitable"),
    ]
    ax.text(bx, 8.55, "Where baclofen acts\n(a GABA-B receptor agonist)", ha="left", va="center",
            color=_DRUG, linespacing=1.2,
            fontweight="bold", fontsize=13.5, zorder=30)
    for y, number, words in callouts:
        _badge(ax, bx + 0.25, y + 0.02, number)
        ax.text(bx + 0.65, y, words, ha="left", va="center", linespacing=1.25,
                **{**text_kw, "fontsize": 12.5})
    ax.add_patch(FancyBboxPatch((bx, 0.85), width, 1.4, boxstyle="round,pad=0.1",
                                facecolor="#FFF4DC", edgecolor=_C["orange"], linewidth=1.8,
                                zorder=25))
    ax.text(bx + 0.2, 1.55, "Not a painkiller:\nnociceptive (pain) pathways\nare not the target",
            ha="left", va="center", fontweight="bold", linespacing=1.25,
            **{**text_kw, "fontsize": 12})

    # The loop in words, for students reading the slide on their own.
    ax.text(7.85, 1.55, "Reflex loop", ha="left", va="center", fontweight="bold",
            **{**text_kw, "fontsize": 12})
    ax.text(7.85, 0.85, "stretch → spindle → Ia →\nglutamate → α-motoneuron\n→ muscle contracts",
            ha="left", va="center", linespacing=1.2, **{**text_kw, "fontsize": 11.5})

    # Key to the colours of the pathways.
    key = [(_SENSORY, "-", "sensory (Ia)"), (_MOTOR, "-", "motor"),
           (_DESCENDING, (0, (4, 2)), "descending")]
    for i, (color, linestyle, words) in enumerate(key):
        y = 8.7 - 0.42 * i
        ax.plot([0.2, 0.8], [y, y], color=color, linestyle=linestyle, linewidth=3, zorder=30)
        ax.text(0.95, y, words, ha="left", va="center", **{**text_kw, "fontsize": 11.5})
    return ax


# ---------------------------------------------------------------------------
# Scenario figures (one per teaching scenario, from sim.runner.run_tables)
# ---------------------------------------------------------------------------

# Short headings above the panels of scenario figures: what the panel shows, in
# words a student reads first.  They describe and never claim: the claim is the
# scenario's title, and the data under a heading may not bear a claim out.
_PANEL_HEADINGS = {
    "epsc_rel": "Enantiomers compared",
    "activation_pre": "Presynaptic activation",
    "release_rel": "Release ∝ (Ca²⁺ entry)⁴",
    "gabab_conductance": "Slow G-protein cascade",
    "emg": "Reflex EMG",
    "torque_nm": "Reflex torque",
    "mn_rate_hz": "Motoneuron firing",
    "emg_peak": "Peak EMG vs velocity",
    "torque_peak_nm": "Peak torque vs velocity",
    "threshold_angle_deg": "Onset angle vs velocity",
    "trigger_angle_deg": "Trigger angle vs velocity",
    "reflex_gain_rel": "Stretch-reflex gain",
    "voluntary_force_rel": "Voluntary strength",
    "sedation_index": "Sedation (qualitative)",
    "sedation_band": "Sedation band (qualitative)",
    "plasma_ng_ml": "Plasma level",
    "csf_ng_ml": "Spinal CSF level",
    "spinal_effect_ng_ml": "Level at the spinal cord",
    "brain_ng_ml": "Level in the brain",
    "receptor_availability": "GABA-B receptors available",
    "h_reflex_ratio": "H-reflex",
    "girk_conductance_ns": "Motoneuron GIRK conductance",
    "tone_discomfort_rel": "Discomfort from tightness",
    "nociceptive_signal_rel": "Pain (nociceptive) signal",
    "spasm_index": "Spasms",
}
# Where the same series means something else in a kind's story.
_KIND_HEADINGS = {
    "mechanisms": {"release_rel": "Release per Ia spike", "reflex_gain_rel": "Stretch-reflex gain"},
}

# Series for which the drug-free value 1 is the natural reference line.
_UNIT_REFERENCE = {"reflex_gain_rel", "voluntary_force_rel", "tone_discomfort_rel",
                   "nociceptive_signal_rel", "epsc_rel", "receptor_availability"}
_REFERENCE_GID = "reference"
_SEDATION = {"sedation_band", "sedation_index"}
_HOURS_LIMIT = 72.0  # longer courses are drawn in days


def _figure(title: str, *, width_in: float = 12.0, height_in: float = 6.75) -> Figure:
    """A blank slide-sized figure (constrained layout) with title and label."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    fig.get_layout_engine().set(rect=(0.0, _LABEL_STRIP, 1.0, 1.0 - _LABEL_STRIP))
    fig.suptitle(title)
    add_educational_label(fig)
    return fig


def _add_axes(fig: Figure, spec: Any, **kw: Any) -> Axes:
    ax = fig.add_subplot(spec, **kw)
    _fix_axes_style(ax)
    return ax


def _unit_of(table: Result, name: str, base: str | None = None) -> str | None:
    """Unit to print for *name*: the table's, unless it hides a known arbitrary unit."""
    unit = table.units.get(name)
    default = SERIES_LABELS.get(base or name, ("", ""))[1]
    if unit is None or (unit in _NO_UNIT and default == "a.u."):
        return None
    return unit


def _label(table: Result, name: str, base: str | None = None) -> str:
    # The axis unit is read from table.units (Result.unit() derives the axis
    # unit from the name's last suffix, which gives "s" for velocity_deg_s).
    return axis_label(base or name, _unit_of(table, name, base))


def _arm_key(table: Result, base: str, arm: Any) -> str:
    """Column of *base* for *arm*: ``base[arm]``, or plain *base* in a one-arm table."""
    key = f"{base}[{arm.name}]"
    if key in table:
        return key
    if base in table:
        return base
    raise ParameterError(
        f"the table has no column {key!r} (nor {base!r}); columns: {', '.join(table.names)}"
    )


def _has(table: Result, base: str, arms: Sequence[Any]) -> bool:
    return base in table.names or any(f"{base}[{arm.name}]" in table.names for arm in arms)


def _arm_line(ax: Axes, x: Any, y: Any, arm: Any, *, markers: bool = True, **kw: Any) -> Any:
    style = arm_style(arm.name)
    style["label"] = getattr(arm, "label", None) or style["label"]
    n = np.size(x)
    if not markers or not style["marker"] or n > 40:
        # Dense curves (time courses) rely on colour and dash: markers on an
        # oscillating level would look like measured points.
        style["marker"] = ""
    style.update(kw)
    (line,) = ax.plot(x, y, **style)
    return line


def _reference_line(ax: Axes, value: float = 1.0, text: str = "drug-free") -> None:
    ax.axhline(value, color="#555555", linestyle=":", linewidth=1.5, zorder=1, gid=_REFERENCE_GID,
               label="_reference")
    ax.annotate(text, xy=(1.0, value), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                textcoords="offset points", ha="right", va="bottom", fontsize=12,
                color="#555555", style="italic")


def _concentration_axis(ax: Axes, x: Any) -> None:
    """Log axis for concentrations; symlog (linear near 0) when the sweep includes 0."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    values = np.asarray(x, dtype=float)
    positive = values[values > 0]
    if positive.size == 0:
        return
    if np.any(values <= 0):
        threshold = float(positive.min())
        ax.set_xscale("symlog", linthresh=threshold, linscale=0.6)
        decades = 10.0 ** np.arange(np.floor(np.log10(threshold)), np.ceil(np.log10(values.max())) + 1)
        ticks = [0.0, *decades[(decades >= threshold) & (decades <= values.max() * 1.001)]]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _plain_number(v)))


def _plain_number(value: float) -> str:
    """Tick text without powers of ten: 0.01, 0.3, 1, 30, 1000."""
    if value == 0:
        return "0"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:,.0f}"


def _heading(ax: Axes, name: str, kind: str = "") -> None:
    heading = _KIND_HEADINGS.get(kind, {}).get(name, _PANEL_HEADINGS.get(name))
    if heading:
        ax.set_title(heading, loc="left", fontsize=15, fontweight="bold", pad=8)


def _wrap_label(text: str, width: int = 24) -> str:
    """Break a long axis label onto two lines (before the unit when possible)."""
    if len(text) <= width:
        return text
    if " (" in text and len(text.rsplit(" (", 1)[0]) <= width + 8:
        head, unit = text.rsplit(" (", 1)
        return f"{head}\n({unit}"
    import textwrap

    return "\n".join(textwrap.wrap(text, width=max(width, len(text) // 2 + 1)))


def _fit_texts(fig: Figure) -> None:
    """Shrink panel headings and the title that would run past their space."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()  # noqa: SLF001 - public only on Agg canvases
    fig_width = fig.bbox.width
    title = fig._suptitle  # noqa: SLF001 - matplotlib keeps the suptitle here
    if title is not None:
        width = title.get_window_extent(renderer).width
        if width > 0.97 * fig_width:
            title.set_fontsize(max(13.0, title.get_fontsize() * 0.97 * fig_width / width))
    axes = [ax for ax in fig.axes if ax.axison]
    for ax in axes:
        heading = ax.title if not ax._left_title.get_text() else ax._left_title  # noqa: SLF001
        if not heading.get_text():
            continue
        # Room up to the next panel to the right (or the figure edge).
        box = ax.get_position()
        right = min([other.get_position().x0 for other in axes
                     if other.get_position().x0 > box.x0 + 0.5 * box.width
                     and other.get_position().y1 > box.y0 and other.get_position().y0 < box.y1]
                    + [1.0]) * fig_width
        room = right - heading.get_window_extent(renderer).x0 - 28
        width = heading.get_window_extent(renderer).width
        if width > room > 0:
            heading.set_fontsize(max(10.0, heading.get_fontsize() * room / width))


_LEGEND_GID = "arm-legend"


def _body_grid(fig: Figure, nrows: int, ncols: int, *, legend: bool = True, **kw: Any) -> Any:
    """Grid for the panels; with *legend*, a thin strip above it for the arm legend."""
    if not legend:
        return fig.add_gridspec(nrows, ncols, **kw)
    outer = fig.add_gridspec(2, 1, height_ratios=[0.075, 1.0])
    strip = fig.add_subplot(outer[0, 0], gid=_LEGEND_GID)
    strip.axis("off")
    return outer[1, 0].subgridspec(nrows, ncols, **kw)


def _arm_legend(fig: Figure, arms: Sequence[Any], axes: Sequence[Axes]) -> None:
    """One legend for the arms, in the strip under the title (see :func:`_body_grid`)."""
    handles, labels = [], []
    wanted = [getattr(arm, "label", arm.name) for arm in arms]
    for ax in axes:
        for line in ax.get_lines():
            if line.get_label() in wanted and line.get_label() not in labels:
                handles.append(line)
                labels.append(line.get_label())
    if len(labels) >= 1:
        order = sorted(range(len(labels)), key=lambda i: wanted.index(labels[i]))
        strip = next((ax for ax in fig.axes if ax.get_gid() == _LEGEND_GID), None)
        target = strip if strip is not None else axes[0]
        target.legend([handles[i] for i in order], [labels[i] for i in order],
                      loc="center" if strip is not None else "best",
                      ncols=min(len(labels), 4), fontsize=14, handlelength=3.2,
                      columnspacing=2.0, borderaxespad=0.0)


def _time_scale(t_h: Any) -> tuple[np.ndarray, str, float]:
    """Time values to plot: hours, or days when the course is longer than 72 h."""
    t = np.asarray(t_h, dtype=float)
    if t.size and t[-1] - t[0] > _HOURS_LIMIT:
        return t / 24.0, "Time (days)", 24.0
    return t, "Time (h)", 1.0


def _time_ticks(ax: Axes, t: np.ndarray, divisor: float) -> None:
    from matplotlib.ticker import MultipleLocator

    span = float(t[-1] - t[0]) if t.size else 0.0
    if divisor == 1.0:
        step = next((s for s in (1, 2, 4, 6, 12, 24) if span / s <= 8), 24)
    else:
        step = next((s for s in (1, 2, 7, 14, 28) if span / s <= 12), 28)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.set_xlim(t[0], t[-1])


def _default_band_edges() -> tuple[float, ...]:
    from .outcomes import SedationParameters

    return SedationParameters().band_edges


def _sedation_index_panel(ax: Axes, x: Any, table: Result, arms: Sequence[Any]) -> None:
    """Index curves over shaded none / mild / moderate / marked regions."""
    sedation_bands(ax, _default_band_edges())
    for arm in arms:
        _arm_line(ax, x, table[_arm_key(table, "sedation_index", arm)], arm)


def _band_strips(ax: Axes, x: Any, table: Result, arms: Sequence[Any]) -> None:
    """One strip of qualitative sedation bands per arm, first arm on top."""
    from matplotlib.patches import Patch

    n = len(arms)
    for i, arm in enumerate(arms):
        plot_band_timeline(ax, x, table[_arm_key(table, "sedation_band", arm)],
                           y=float(n - 1 - i), height=0.72, legend=False)
    ax.set_ylim(-0.2, n - 0.1 + 0.55)
    centres = [n - 1 - i + 0.36 for i in range(n)]
    ax.set_yticks(centres, labels=[arm_style(arm.name)["label"] for arm in arms], fontsize=13)
    for tick, arm in zip(ax.get_yticklabels(), arms, strict=True):
        tick.set_color(arm_style(arm.name)["color"])
    ax.tick_params(axis="y", length=0)
    ax.set_ylabel("")
    handles = [Patch(facecolor=SEDATION_BAND_COLORS[b], edgecolor="#777777", label=b)
               for b in SEDATION_BANDS]
    ax.legend(handles=handles, ncols=4, loc="upper center", fontsize=12, handlelength=1.5,
              columnspacing=1.2, borderaxespad=0.1, title=None)
    for spine in ("left",):
        ax.spines[spine].set_visible(False)


# -- per-kind layouts -----------------------------------------------------------


def _mechanism_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    fig = _figure(scenario.figure["title"])
    grid = fig.add_gridspec(1, len(panels))
    axes = []
    for j, name in enumerate(panels):
        ax = _add_axes(fig, grid[0, j])
        axes.append(ax)
        response = tables.get("concentration_response")
        if response is not None and _has(response, name, arms):
            x = response.axis
            for arm in arms:
                _arm_line(ax, x, response[_arm_key(response, name, arm)], arm)
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
    t = table.axis
    styles = {"single_pulse": (_C["sky blue"], "--", "1 pulse"),
              "burst": (_C["vermillion"], "-", "Burst")}
    for name in table.names:
        color, linestyle, label = styles.get(name, ("#333333", "-.", name.replace("_", " ")))
        ax.plot(t, table[name], color=color, linestyle=linestyle, label=label)
    ax.set_xlabel(_label(table, table.axis_name))
    ax.set_ylabel(axis_label("gabab_conductance", "1"))
    ax.set_ylim(bottom=0)
    # Right half, mid-height: the responses peak early and have decayed there.
    ax.legend(loc="center right", fontsize=13, handlelength=2.2)
    if {"single_pulse", "burst"} <= set(table.names):
        single = float(np.max(table["single_pulse"]))
        burst = float(np.max(table["burst"]))
        if single > 0 and burst > 2 * single:
            # Supralinear: a burst of n pulses gives far more than n single responses.
            ax.text(0.97, 0.8, f"peak after a burst\n≈ {burst / single:,.0f}× one pulse",
                    transform=ax.transAxes, ha="right", va="center", fontsize=13,
                    color="#333333")


def _generic_panel(ax: Axes, name: str, tables: Mapping[str, Result], arms: Sequence[Any]) -> None:
    """Fallback: the first table holding *name* (per arm or plain), lines against its axis."""
    for table in tables.values():
        if _has(table, name, arms):
            keys = dict.fromkeys(_arm_key(table, name, arm) for arm in arms)
            x = table.axis
            if table.axis_name == "t_h":
                x, xlabel, divisor = _time_scale(x)
            else:
                xlabel = _label(table, table.axis_name)
            for arm in arms:
                key = _arm_key(table, name, arm)
                if key in keys:
                    keys.pop(key)
                    _arm_line(ax, x, table[key], arm)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(_label(table, _arm_key(table, name, arms[0]), name))
            return
    raise ParameterError(f"no table holds the panel {name!r}; tables: {', '.join(tables)}")


def _reflex_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    traces, sweep = tables.get("traces"), tables.get("velocity")
    fig = _figure(scenario.figure["title"])
    is_trace = [traces is not None and _has(traces, n, arms) for n in panels]
    widths = [1.35 if t else 1.0 for t in is_trace]
    grid = _body_grid(fig, 2, len(panels), height_ratios=[1.0, 3.0], width_ratios=widths)
    tops, mains = [], []
    for j, name in enumerate(panels):
        if is_trace[j]:
            # The imposed stretch above the response, as in a physiology textbook.
            top = _add_axes(fig, grid[0, j])
            ax = _add_axes(fig, grid[1, j], sharex=top)
            angle = "angle_deg"
            if name != angle and _has(traces, angle, arms):
                shown = []
                for arm in arms:
                    y = traces[_arm_key(traces, angle, arm)]
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
            for arm in arms:
                _arm_line(ax, traces.axis, traces[_arm_key(traces, name, arm)], arm, markers=False)
            ax.set_xlabel(_label(traces, traces.axis_name))
            ax.set_ylabel(_label(traces, _arm_key(traces, name, arms[0]), name))
            velocity = getattr(scenario, "settings", {}).get("trace_velocity_deg_s")
            heading = _PANEL_HEADINGS.get(name, "")
            if velocity:
                heading = f"{heading} at {velocity:g}°/s"
            ax.set_title(heading, loc="left", fontsize=14, fontweight="normal", pad=6)
            tops.append(top)
            mains.append(ax)
        else:
            ax = _add_axes(fig, grid[:, j])
            if sweep is not None and _has(sweep, name, arms):
                for arm in arms:
                    _arm_line(ax, sweep.axis, sweep[_arm_key(sweep, name, arm)], arm)
                ax.set_xlabel(_label(sweep, sweep.axis_name))
                ax.set_ylabel(_label(sweep, _arm_key(sweep, name, arms[0]), name))
                ax.set_xlim(0, float(sweep.axis.max()) * 1.05)
            else:
                _generic_panel(ax, name, tables, arms)
            _heading(ax, name)
            tops.append(ax)
            mains.append(ax)
    _arm_legend(fig, arms, mains)
    return fig, tops


def _dose_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
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
                _arm_line(ax, x, table[_arm_key(table, name, arm)], arm)
            ax.set_ylabel(_label(table, _arm_key(table, name, arms[0]), name))
            if name in _UNIT_REFERENCE:
                ax.set_ylim(0, 1.12)
                _reference_line(ax, text="no drug")
        ax.set_xlabel(_label(table, table.axis_name))
        _heading(ax, name)
    axes[0].set_xlim(float(x.min()), float(x.max()))
    _arm_legend(fig, arms, axes)
    return fig, axes


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


def _course_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    panels = list(scenario.figure["panels"])
    arms = list(scenario.arms)
    table = tables["course"]
    fig = _figure(scenario.figure["title"])
    axes = _course_grid(fig, panels)
    t, xlabel, divisor = _time_scale(table.axis)
    stacked = len(panels) <= 3
    for i, (ax, name) in enumerate(zip(axes, panels, strict=True)):
        if name == "sedation_band":
            _band_strips(ax, t, table, arms)
        elif name == "sedation_index":
            _sedation_index_panel(ax, t, table, arms)
        else:
            for arm in arms:
                _arm_line(ax, t, table[_arm_key(table, name, arm)], arm)
            label = _label(table, _arm_key(table, name, arms[0]), name)
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


def _mechanisms_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
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
            _arm_line(ax, x, table[_arm_key(table, name, arm)], arm)
        ax.set_ylabel(_label(table, _arm_key(table, name, arms[0]), name))
        ax.set_xlabel(_label(table, table.axis_name))
        ax.set_ylim(bottom=0)
        if name in ("release_rel", "reflex_gain_rel"):
            ax.set_ylim(0, 1.12)
            _reference_line(ax)
        _heading(ax, name, "mechanisms")
    _concentration_axis(axes[0], x)
    _arm_legend(fig, arms, axes)
    return fig, axes


_KIND_LAYOUTS: dict[str, Callable[[Any, Mapping[str, Result]], tuple[Figure, list[Axes]]]] = {
    "mechanism": _mechanism_figure,
    "reflex": _reflex_figure,
    "dose-response": _dose_figure,
    "course": _course_figure,
    "mechanisms": _mechanisms_figure,
}


@_styled
def scenario_figure(scenario: Any, tables: Mapping[str, Result]) -> Figure:
    """Draw the figure of a teaching scenario from its tables.

    One panel per name in ``scenario.figure["panels"]``, every arm drawn with
    its fixed :func:`arm_style` and labelled ``arm.label``; the take-home
    ``scenario.figure["title"]`` as title, panel letters and the educational
    label.  The data drawn are exactly the tables' columns (courses longer
    than 72 h are drawn in days: ``t_h / 24``).

    Layouts by ``scenario.kind``:

    ``"mechanism"``
        side by side: concentration–response on a log bath-concentration axis
        (one line per enantiomer), release vs Ca²⁺ entry on log–log axes with
        the pure Ca⁴ law as a slope-4 guide and the take-home numbers, and the
        GABA-B cascade after one pulse and a burst.
    ``"reflex"``
        time-course panels (EMG, torque …) under a strip showing the imposed
        stretch, next to sweeps against stretch velocity.
    ``"dose-response"``
        aligned panels sharing the dose axis; the sedation index is drawn over
        shaded none / mild / moderate / marked regions, never as a probability.
    ``"course"``
        rows sharing the time axis (2 × 2 for four panels); the sedation band
        is one strip of coloured blocks per arm.
    ``"mechanisms"``
        side by side against spinal CSF concentration on a log axis (linear
        near 0 so that the drug-free point stays on the plot).

    Parameters
    ----------
    scenario : sim.scenario.Scenario
        Uses ``kind``, ``arms`` (``name``, ``label``), ``settings`` and
        ``figure`` (``title``, ``panels``).
    tables : mapping of str to Result
        As returned by :func:`sim.runner.run_tables`: columns ``series[arm]``.

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
    >>> tables = {"course": Result("t_h", t, {"plasma_ng_ml[oral]": 5 * t})}
    >>> fig = scenario_figure(scenario, tables)
    >>> fig.get_suptitle()
    'Levels rise'
    """
    kind = getattr(scenario, "kind", None)
    if kind not in _KIND_LAYOUTS:
        raise ParameterError(
            f"scenario kind = {kind!r} has no figure layout; known: {', '.join(_KIND_LAYOUTS)}"
        )
    panels = list(scenario.figure.get("panels", ()))
    if not panels:
        raise ParameterError("scenario.figure['panels'] is empty; name at least one series")
    if not scenario.arms:
        raise ParameterError("the scenario has no arms to draw")
    fig, letter_axes = _KIND_LAYOUTS[kind](scenario, tables)
    for ax in fig.axes:
        if ax.get_ylabel():
            ax.set_ylabel(_wrap_label(ax.get_ylabel(), 28))
    panel_letters(letter_axes)
    _fit_texts(fig)
    return fig


# ---------------------------------------------------------------------------
# Two time scales in one figure: drug level over hours, reflexes over ms
# ---------------------------------------------------------------------------

_PROBE_MARKER_GID = "probe-marker"
_MULTISCALE_TITLE = "The reflex follows the drug level: small at the peak, larger at the trough"


def _course_key(course: Result, series: str, arm: str | None) -> str:
    if arm is not None and f"{series}[{arm}]" in course:
        return f"{series}[{arm}]"
    if series in course.names:
        return series
    raise ParameterError(
        f"the course has no series {series!r}"
        + (f" for arm {arm!r}" if arm is not None else "")
        + f"; series: {', '.join(course.names)}"
    )


def _probe_time(course_t: np.ndarray, level: np.ndarray, key: str, probe: Result,
                times_h: Mapping[str, float] | None) -> float:
    """Where a probe belongs on the course: given, recorded in its meta, or found."""
    if times_h and key in times_h:
        when = float(times_h[key])
    elif "t_h" in probe.meta:
        when = float(probe.meta["t_h"])
    elif key.casefold() in ("trough", "peak"):
        # The lowest / highest level on the course (latest one when tied).
        pick = np.argmin if key.casefold() == "trough" else np.argmax
        index = len(level) - 1 - int(pick(level[::-1]))
        return float(course_t[index])
    else:
        raise ParameterError(
            f"probe {key!r}: give its time in times_h={{{key!r}: hours}} or probe.meta['t_h'] "
            "(only 'trough' and 'peak' are found automatically)"
        )
    if not course_t[0] <= when <= course_t[-1]:
        raise ParameterError(
            f"probe {key!r} at t = {when:g} h is outside the course [{course_t[0]:g}, "
            f"{course_t[-1]:g}] h"
        )
    return when


def _spread(centres: Sequence[float], width: float, gap: float = 0.03,
            low: float = 0.01, high: float = 0.99) -> list[float]:
    """Left edges (axes fraction) of equal-width insets near *centres*, not overlapping."""
    order = np.argsort(centres, kind="stable")
    lefts = np.clip(np.asarray(centres, dtype=float) - width / 2, low, high - width)
    placed = lefts[order]
    for i in range(1, len(placed)):  # push right …
        placed[i] = max(placed[i], placed[i - 1] + width + gap)
    overflow = placed[-1] + width - high if len(placed) else 0.0
    if overflow > 0:  # … then back left if the last one fell off the axes
        placed[-1] -= overflow
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - width - gap)
    result = np.empty_like(placed)
    result[order] = placed
    return [float(v) for v in result]


@_styled
def multiscale_figure(
    course: Result,
    probes: Mapping[str, Result],
    *,
    arm: str | None = None,
    series: str | None = None,
    trace: str = "emg",
    times_h: Mapping[str, float] | None = None,
    title: str = _MULTISCALE_TITLE,
) -> Figure:
    """Drug level over hours with millisecond reflex traces inset where they were probed.

    The two time scales of the model in one picture: the level (hours) decides
    how strongly GABA-B receptors damp the reflex, and the reflex itself
    (milliseconds) is probed with the level held constant.  Each inset is
    connected to its point on the course; all insets share one y-range so
    their sizes compare honestly.

    Parameters
    ----------
    course : Result
        Axis ``t_h``; the level is ``series`` (or ``series[arm]``).
    probes : mapping of str to Result
        Reflex probes (axis ``t_ms``, e.g. from :func:`sim.stretch_reflex`),
        keyed by a short name such as ``"trough"`` and ``"peak"``.
    arm : str, optional
        Arm of a multi-arm course table; sets the colour (:func:`arm_style`).
    series : str, optional
        Level to draw; default the spinal effect-site level if present, else
        CSF, else plasma.
    trace : str, optional
        Probe series shown in the insets (``"emg"`` or ``"torque_nm"``).
    times_h : mapping of str to float, optional
        Time of each probe, h.  Otherwise ``probe.meta["t_h"]``; ``"trough"``
        and ``"peak"`` are found on the course (lowest / highest level).
    title : str, optional
        The take-home message.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]`` is the course; the insets are its ``child_axes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> t = np.linspace(0, 24, 97)
    >>> course = Result("t_h", t, {"spinal_effect_ng_ml": 10 + 5 * np.sin(t)})
    >>> ms = np.arange(0.0, 300.0, 5.0)
    >>> probe = lambda a: Result("t_ms", ms, {"emg": a * np.exp(-((ms - 120) / 30) ** 2)})
    >>> fig = multiscale_figure(course, {"trough": probe(0.6), "peak": probe(0.2)})
    >>> len(fig.axes[0].child_axes)  # the insets
    2
    """
    from matplotlib.patches import ConnectionPatch
    from matplotlib.transforms import blended_transform_factory

    if not probes:
        raise ParameterError("probes is empty; give at least one reflex probe")
    if series is None:
        series = next((s for s in ("spinal_effect_ng_ml", "csf_ng_ml", "plasma_ng_ml")
                       if any(n == s or n.startswith(f"{s}[") for n in course.names)),
                      "spinal_effect_ng_ml")
    key = _course_key(course, series, arm)
    level = np.asarray(course[key], dtype=float)
    t_h = course.axis
    t, xlabel, divisor = _time_scale(t_h)
    style = arm_style(arm) if arm is not None else {"color": _C["blue"], "linestyle": "-",
                                                     "label": "", "marker": ""}

    fig = _figure(title)
    ax = _add_axes(fig, 111)
    ax.plot(t, level, color=style["color"], linestyle="-", linewidth=3.0, zorder=3,
            label=axis_label(series).split(" (")[0])
    level_top = float(level.max()) if level.size else 1.0
    # The curve keeps the lower half of the panel; the insets live above it.
    ax.set_ylim(0.0, 2.25 * level_top if level_top > 0 else 1.0)
    ax.spines["left"].set_bounds(0.0, level_top * 1.05)
    ticks = [v for v in ax.get_yticks() if 0 <= v <= level_top * 1.05]
    ax.set_yticks(ticks)
    ax.set_ylabel(_wrap_label(_label(course, key, series), 22), loc="bottom")
    ax.set_xlabel(xlabel)
    _time_ticks(ax, t, divisor)
    ax.grid(False)

    keys = list(probes)
    for name in keys:
        if trace not in probes[name]:
            raise ParameterError(f"probe {name!r} has no trace {trace!r}; "
                                 f"traces: {', '.join(probes[name].names)}")
    times = [_probe_time(t_h, level, name, probes[name], times_h) for name in keys]
    span = float(t[-1] - t[0]) or 1.0
    width, height, bottom = min(0.26, 0.9 / len(keys) - 0.03), 0.36, 0.58
    lefts = _spread([(w / divisor - t[0]) / span for w in times], width, low=0.07)
    high = max(float(np.max(probes[k][trace])) for k in keys)
    low = min(0.0, *(float(np.min(probes[k][trace])) for k in keys))
    probe_colors = {"peak": _C["blue"], "trough": _C["vermillion"]}
    blend = blended_transform_factory(ax.transAxes, ax.transAxes)
    insets = []
    for name, when, left in zip(keys, times, lefts, strict=True):
        x = when / divisor
        y = float(np.interp(when, t_h, level))
        color = probe_colors.get(name.casefold(), _C["bluish green"])
        ax.plot([x], [y], marker="o", markersize=13, color=color, markeredgecolor="white",
                markeredgewidth=2, linestyle="", zorder=5, gid=_PROBE_MARKER_GID, label=name)
        inset = ax.inset_axes((left, bottom, width, height), transform=blend, zorder=6)
        _fix_axes_style(inset)
        probe = probes[name]
        inset.plot(probe.axis, probe[trace], color=color, linewidth=2.2)
        inset.set_ylim(low, high * 1.12 if high > 0 else 1.0)
        inset.set_xlim(float(probe.axis[0]), float(probe.axis[-1]))
        inset.tick_params(labelsize=11, length=3)
        inset.set_xlabel(axis_label(probe.axis_name, "ms"), fontsize=11, labelpad=1)
        inset.grid(False)
        # The quantity goes into the heading: a rotated label would crowd the ticks.
        level_text = f"{y:.3g} {probe_unit(course, key)}".rstrip()
        inset.set_title(f"{name.capitalize()} ({level_text}): {_label(probe, trace)}",
                        loc="left", fontsize=12.5, fontweight="bold", color=color, pad=4)
        inset.patch.set_alpha(0.92)
        connector = ConnectionPatch(xyA=(x, y), coordsA=ax.transData, xyB=(0.5, -0.3),
                                    coordsB=inset.transAxes, color=color, linewidth=1.5,
                                    linestyle="--", zorder=4)
        connector.set_in_layout(False)
        ax.add_artist(connector)
        insets.append(inset)
    ax.text(0.0, 1.0, "Stretch reflex probed at constant drug level (ms scale)",
            transform=ax.transAxes, ha="left", va="bottom", fontsize=13, style="italic",
            color="#333333")
    return fig


def probe_unit(course: Result, key: str) -> str:
    """Printed unit of a course column (``"ng/mL"``), ``""`` when dimensionless."""
    unit = course.units.get(key, "")
    unit = _PRETTY_UNITS.get(unit, unit)
    return "" if unit in _NO_UNIT else unit


# ---------------------------------------------------------------------------
# Animated reflex: before and after the drug, side by side
# ---------------------------------------------------------------------------

_ANIMATION_TRACES = ("angle_deg", "emg", "torque_nm")
_MAX_FRAMES = 80


@_styled
def reflex_animation(
    before: Result,
    after: Result,
    *,
    n_frames: int = 60,
    labels: tuple[str, str] = ("Before baclofen", "With baclofen"),
    traces: Sequence[str] = _ANIMATION_TRACES,
    title: str = "With baclofen the same stretch evokes a smaller reflex",
    width_in: float = 8.0,
    height_in: float = 4.5,
) -> tuple[Figure, Callable[[int], None], int]:
    """Build the figure of :func:`animate_reflex` and a function drawing frame *i*.

    Useful on its own in a notebook (draw one frame, inspect it).

    Parameters
    ----------
    before, after : Result
        Stretch-reflex probes (axis ``t_ms``) holding every name in *traces*.
    n_frames : int, optional
        Number of frames (2–80).
    labels : (str, str), optional
        Column headings.
    traces : sequence of str, optional
        Rows, top to bottom; the joint angle first shows the imposed stretch.
    title : str, optional
        The take-home message.
    width_in, height_in : float, optional
        Figure size, inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
    draw : callable
        ``draw(i)`` shows the traces up to frame *i* (the last frame shows all).
    n_frames : int

    Examples
    --------
    >>> import numpy as np
    >>> from sim.result import Result
    >>> ms = np.arange(0.0, 300.0, 5.0)
    >>> make = lambda a: Result("t_ms", ms, {"angle_deg": ms / 10, "emg": a * ms / 300,
    ...                                     "torque_nm": ms / 30})
    >>> fig, draw, n = reflex_animation(make(1.0), make(0.3), n_frames=5)
    >>> draw(n - 1)
    """
    if not isinstance(n_frames, (int, np.integer)) or not 2 <= n_frames <= _MAX_FRAMES:
        raise ParameterError(f"n_frames = {n_frames!r} must be an integer in [2, {_MAX_FRAMES}]")
    traces = [traces] if isinstance(traces, str) else list(traces)
    for which, probe in (("before", before), ("after", after)):
        missing = [name for name in traces if name not in probe]
        if missing:
            raise ParameterError(f"{which} has no trace(s) {', '.join(map(repr, missing))}; "
                                 f"traces: {', '.join(probe.names)}")
    fig = _figure(title, width_in=width_in, height_in=height_in)
    fig.suptitle(title, fontsize=16)
    fig.get_layout_engine().set(rect=(0.0, 0.05, 1.0, 0.95), h_pad=0.04, w_pad=0.04)
    grid = fig.add_gridspec(len(traces), 2)
    colors = (_C["vermillion"], _C["blue"])
    end = max(float(before.axis[-1]), float(after.axis[-1]))
    start = min(float(before.axis[0]), float(after.axis[0]))
    lines, cursors = [], []
    first: Axes | None = None
    for row, name in enumerate(traces):
        values = np.concatenate([np.ravel(before[name]), np.ravel(after[name])])
        low, high = min(0.0, float(values.min())), float(values.max())
        pad = 0.08 * (high - low or 1.0)
        for col, (probe, color) in enumerate(zip((before, after), colors, strict=True)):
            ax = _add_axes(fig, grid[row, col], **({"sharex": first} if first else {}))
            first = first or ax
            ax.set_ylim(low - pad, high + pad)
            ax.set_xlim(start, end)
            ax.tick_params(labelsize=10, length=3)
            ax.grid(False)
            (line,) = ax.plot([], [], color=color if name != "angle_deg" else "#444444",
                              linewidth=2.2)
            lines.append((line, probe.axis, np.asarray(probe[name])))
            cursors.append(ax.axvline(start, color="#999999", linewidth=1.0, zorder=0))
            if col == 0:
                ax.set_ylabel(_label(probe, name).replace(" (", "\n("), fontsize=11)
            else:
                ax.tick_params(labelleft=False)
            if row == 0:
                ax.set_title(labels[col], loc="center", fontsize=14, fontweight="bold",
                             color=color)
            if row == len(traces) - 1:
                ax.set_xlabel(axis_label(probe.axis_name, "ms"), fontsize=12)
            else:
                ax.tick_params(labelbottom=False)
    clock = fig.text(0.01, 0.006, "", ha="left", va="bottom", fontsize=11, color="#333333",
                     in_layout=False)
    add_educational_label(fig).set_fontsize(10)

    def draw(i: int) -> None:
        now = start + (end - start) * i / (n_frames - 1)
        for line, axis, values in lines:
            shown = axis <= now + 1e-9
            line.set_data(axis[shown], values[shown])
        for cursor in cursors:
            cursor.set_xdata([now, now])
        clock.set_text(f"t = {now:.0f} ms")

    draw(0)
    return fig, draw, int(n_frames)


def animate_reflex(
    before: Result,
    after: Result,
    path: str | Path,
    *,
    fps: float = 20,
    n_frames: int = 60,
    dpi: float = 80,
    **kw: Any,
) -> Path:
    """Write an animated GIF of one stretch reflex before and after the drug.

    Two columns (before | after), rows for the imposed joint angle, the reflex
    EMG and the joint torque; the traces draw in over time and the
    educational label is in every frame.  The file is written atomically and
    is byte-identical from one run to the next.

    Parameters
    ----------
    before, after : Result
        Stretch-reflex probes (axis ``t_ms``), e.g. from :func:`sim.stretch_reflex`
        at zero and at a therapeutic CSF concentration.
    path : path-like
        Destination ending in ``.gif``.
    fps : float, optional
        Frames per second (1–50).
    n_frames : int, optional
        Number of frames (2–80), so the file stays small (< 2 MB).
    dpi : float, optional
        Resolution; 80 dpi × 8 in = 640 px wide.
    **kw
        Passed to :func:`reflex_animation` (``labels``, ``traces``, ``title``).

    Returns
    -------
    pathlib.Path
    """
    import matplotlib
    from matplotlib.animation import PillowWriter

    final = Path(path)
    if final.suffix.lower() != ".gif":
        raise ParameterError(f"path = {str(path)!r} must end in .gif (an animated GIF is written)")
    if not np.isfinite(fps) or not 1 <= fps <= 50:
        raise ParameterError(f"fps = {fps!r} is outside the allowed range [1, 50]")
    if not np.isfinite(dpi) or not 30 <= dpi <= 200:
        raise ParameterError(f"dpi = {dpi!r} is outside the allowed range [30, 200]")
    fig, draw, count = reflex_animation(before, after, n_frames=n_frames, **kw)
    with figure_style(), matplotlib.rc_context(rc=_DETERMINISTIC_RC):
        draw(count - 1)
        _settle_layout(fig)
        fig.set_layout_engine("none")  # same layout in every frame: no jitter
        writer = PillowWriter(fps=fps)
        with atomic_path(final) as tmp:
            with writer.saving(fig, str(tmp), dpi):
                for i in range(count):
                    draw(i)
                    writer.grab_frame()
    return final
