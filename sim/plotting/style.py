"""Look of every figure: palette, arm styles, labels, the style sheet, figures and saving.

The Okabe–Ito palette and the fixed style of each study arm, slide-ready axis
labels, the package style sheet (``reflexsim.mplstyle``), slide-sized figures
with a take-home title and the educational-only label, panel letters, and
deterministic saving to PNG / SVG / PDF.  matplotlib is imported inside the
functions only.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..fileio import EDUCATIONAL_LABEL, FORMATS, atomic_path, check_formats
from ..variables import (
    VARIABLES,
    axis_label,  # noqa: F401 - plotting labels are the registry's
    display_unit,
)

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
    "mixed kidneys": _style(_C["vermillion"], "--", "s", "Mixed kidney function"),
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


def arm_styles(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Styles of the arms drawn together in one figure, all distinct.

    Named arms keep their fixed :data:`ARM_STYLES` entry; the others get fallback
    entries in the order given, skipping any colour–dash pair already used in
    this figure (so four boluses, or six patients, never share a look).

    Examples
    --------
    >>> styles = arm_styles(["25 µg", "50 µg", "75 µg", "100 µg"])
    >>> len({(s["color"], str(s["linestyle"])) for s in styles.values()})
    4
    >>> arm_styles(["oral", "x"])["oral"] == arm_style("oral")
    True
    """
    styles: dict[str, dict[str, Any]] = {}
    used: set[tuple[str, str]] = set()
    pending: list[str] = []
    for name in names:
        key = _ARM_LOOKUP.get(_normalise(name)) if isinstance(name, str) else None
        if key is None:
            pending.append(name)
            continue
        styles[name] = dict(ARM_STYLES[key])
        used.add((styles[name]["color"], str(styles[name]["linestyle"])))
    cycle = [entry for entry in _FALLBACK_CYCLE if (entry[0], str(entry[1])) not in used]
    for i, name in enumerate(pending):
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"arm name = {name!r} must be a non-empty string")
        color, linestyle, marker = cycle[i % len(cycle)] if cycle else _FALLBACK_CYCLE[i % len(_FALLBACK_CYCLE)]
        styles[name] = _style(color, linestyle, marker, name)
    return {name: styles[name] for name in names}


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

#: Quantity and unit of every registered variable (a view of :data:`sim.variables.VARIABLES`,
#: the one home of names, units and labels).
SERIES_LABELS: dict[str, tuple[str, str]] = {
    v.name: (v.quantity, v.unit) for v in VARIABLES.values()
}


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
    unit = display_unit(meta.get("unit", ""))
    return f"{text} ({unit})" if unit else text


# ---------------------------------------------------------------------------
# Style
# ---------------------------------------------------------------------------

#: Location of the package's matplotlib style sheet.
STYLE_PATH = resources.files(__package__) / "reflexsim.mplstyle"

# rcParams that make saved files byte-identical from one save to the next.
_DETERMINISTIC_RC = {"svg.hashsalt": "spinal-reflex-sim", "svg.id": "spinal-reflex-sim-figure"}


@functools.lru_cache(maxsize=1)
def _style_rc() -> dict[str, Any]:
    import matplotlib

    with resources.as_file(STYLE_PATH) as path:
        rc = dict(matplotlib.rc_params_from_file(str(path), use_default_template=False))
    rc["pdf.fonttype"] = _pdf_fonttype(matplotlib.__version__)
    return rc


def _pdf_fonttype(version: str) -> int:
    """How PDFs embed fonts: Type 3 from matplotlib 3.11 on, else TrueType (Type 42).

    Either way every glyph is real, selectable text.  From 3.11 on, matplotlib writes
    every Type 3 glyph as text with a ToUnicode map (before, glyphs beyond Latin-1 –
    µ, ², ⁺, →, α – became drawings); Type 3 then saves the font subsetting that
    Type 42 needs, which took about a third of the gallery's time (measured: 1.1 s
    against 0.4 s per figure).

    >>> _pdf_fonttype("3.11.2"), _pdf_fonttype("3.10.7"), _pdf_fonttype("3.12.0rc1")
    (3, 42, 3)
    """
    major, minor = (int(re.match(r"\d+", part).group()) for part in version.split(".")[:2])
    return 3 if (major, minor) >= (3, 11) else 42


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Apply the package style (``reflexsim.mplstyle``) inside a ``with`` block.

    Large fonts (14–20 pt), 2.5-pt lines, the Okabe–Ito colour cycle paired with
    line styles, 16:9 figures.  The previous rcParams are restored on exit.
    Every drawing function of this module already uses it; wrap your own
    matplotlib code in it to match.  Axes titles sit at a fixed height just
    above the axes (``axes.titley = 1.0``); above tick labels on top (``twiny``)
    give the height yourself, e.g. ``ax.set_title("…", y=1.12)``.

    Examples
    --------
    >>> import matplotlib
    >>> with figure_style():
    ...     matplotlib.rcParams["lines.linewidth"]
    2.5
    """
    import_matplotlib()
    import matplotlib

    with matplotlib.rc_context(rc=_style_rc()):
        yield


def import_matplotlib() -> None:
    """Import matplotlib and the compiled parts the figures use, with Ctrl-C held back meanwhile.

    An interrupt that lands inside a C extension's initialisation (matplotlib's
    ``ft2font``, the Agg backend, kiwisolver, Pillow) leaves the module half-made and
    the interpreter unable to shut down cleanly; deferred, it arrives a moment later
    as an ordinary ``KeyboardInterrupt`` (one line, nothing half-written).
    """
    if "matplotlib.backends.backend_agg" in sys.modules:
        return
    from ..fileio import _interrupts_deferred

    with _interrupts_deferred():
        import kiwisolver  # noqa: F401  (constrained layout)
        import matplotlib
        import matplotlib.backends.backend_agg  # noqa: F401  (imports ft2font, _path, _image)
        import matplotlib.figure  # noqa: F401
        import PIL.Image  # noqa: F401


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
SAVE_FORMATS = FORMATS  # checked in one place: sim.fileio.check_formats
_METADATA_KEYS = ("Title", "Author", "Description", "Keywords")
_ASCII_LABEL = EDUCATIONAL_LABEL.replace("–", "-")


def _format_metadata(fmt: str, user: Mapping[str, str]) -> dict[str, Any]:
    from .. import __version__

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


#: A layout pass that moves no axes edge by more than this (figure fraction) ends the settling;
#: positions are then rounded to 1e-6, so a closer fixed point would not change the files.
_SETTLED = 1e-7


def _lay_out(fig: Figure) -> None:
    """Position every artist as a draw would, without drawing: one layout-engine pass.

    Text sizes, tick labels and annotation positions are measured on demand
    (``get_window_extent``), so only the layout itself needs a pass.  A full
    ``draw_without_rendering`` would also walk every artist – about two thirds
    more time (profiled on the gallery), for the same positions (the gallery's
    files are bit for bit the same).
    """
    engine = fig.get_layout_engine()
    if engine is None or not fig.axes:
        fig.draw_without_rendering()
    else:
        engine.execute(fig)


def _settle_layout(fig: Figure, max_passes: int = 6) -> None:
    # A layout engine (constrained layout) recomputes positions from the current
    # ones on every draw and needs a pass or two to reach its fixed point; run it
    # until the axes stop moving so that every saved file sees the same layout.
    # Each pass moves the axes about 1000 times less than the one before (measured
    # on the gallery: 1e-6 … 1e-11, then 1e-9 … 1e-14), and a pass costs about 0.2 s of
    # CPU on a slide figure.  The first pass is measured against the positions the figure
    # arrives with, so a figure that arrives settled needs only one.
    previous = np.array([ax.get_position().bounds for ax in fig.axes]).reshape(-1, 4)
    for _ in range(max_passes):
        _lay_out(fig)
        positions = np.array([ax.get_position().bounds for ax in fig.axes]).reshape(-1, 4)
        if previous.shape == positions.shape \
                and np.max(np.abs(positions - previous), initial=0.0) <= _SETTLED:
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



