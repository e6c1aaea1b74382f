"""An animated stretch reflex before and after the drug, side by side (GIF)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..fileio import atomic_path
from .layout import _label
from .style import (
    _DETERMINISTIC_RC,
    _add_axes,
    _figure,
    _settle_layout,
    _styled,
    add_educational_label,
    axis_label,
    figure_style,
)
from .style import OKABE_ITO as _C

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result


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
    # What changes from frame to frame (animate_reflex redraws only these over a fixed background).
    draw.animated = (*(line for line, _, _ in lines), *cursors, clock)  # type: ignore[attr-defined]
    return fig, draw, int(n_frames)


def animate_reflex(
    before: Result,
    after: Result,
    path: str | Path,
    *,
    fps: float = 20,
    n_frames: int = 60,
    dpi: float = 160,
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
        at zero and at a therapeutic cord-tissue concentration.
    path : path-like
        Destination ending in ``.gif``.
    fps : float, optional
        Frames per second (1–50).
    n_frames : int, optional
        Number of frames (2–80), so the file stays small (< 2 MB).
    dpi : float, optional
        Resolution; the default 160 dpi × 8 × 4.5 in gives 1280 × 720 px (slide size).
    **kw
        Passed to :func:`reflex_animation` (``labels``, ``traces``, ``title``).

    Returns
    -------
    pathlib.Path
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

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
        # Blitting: the axes, ticks, labels and texts are rendered once; each frame restores that
        # background and draws only the traces, cursors and clock (a full redraw per frame took
        # most of the gallery's time).
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        for artist in draw.animated:
            artist.set_animated(True)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        size = canvas.get_width_height()
        frames = []
        for i in range(count):
            draw(i)
            canvas.restore_region(background)
            for artist in draw.animated:
                fig.draw_artist(artist)
            frames.append(Image.frombuffer("RGBA", size, bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1))
        with atomic_path(final) as tmp:
            frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                           duration=int(round(1000.0 / fps)), loop=0)
    return final
