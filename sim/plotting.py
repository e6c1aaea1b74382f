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

from .errors import ParameterError
from .fileio import EDUCATIONAL_LABEL, atomic_path

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


#: Formats :func:`save_figure` can write.
SAVE_FORMATS = ("png", "svg", "pdf")
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


def _check_formats(formats: Any) -> tuple[str, ...]:
    allowed = ", ".join(repr(f) for f in SAVE_FORMATS)
    items = (formats,) if isinstance(formats, str) else tuple(formats)
    if not items:
        raise ParameterError(f"formats = {formats!r} is empty; allowed: {allowed}")
    checked = []
    for item in items:
        fmt = item.lower().lstrip(".") if isinstance(item, str) else item
        if fmt not in SAVE_FORMATS:
            raise ParameterError(f"format {item!r} is not supported; allowed formats: {allowed}")
        if fmt not in checked:
            checked.append(fmt)
    return tuple(checked)


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

    chosen = _check_formats(formats)
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
SEDATION_BANDS = ("none", "mild", "moderate", "marked")

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
