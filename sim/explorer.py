"""Interactive explorer: move a slider, watch drug level, reflex and sedation respond.

Three layers, so the logic can be tested without a screen:

* :class:`ExplorerModel` – display-free state and update logic.  It holds the
  current controls (route, dose, interval, kidney function, spasticity,
  mechanism, stretch velocity) and turns them into plain arrays with
  :meth:`ExplorerModel.update`.  Everything is computed live on every update
  (no cache): the course panels from :func:`sim.simulate` (exact PK and one
  batched reflex probe per sampled time, the reflex gain only), the millisecond
  reflex traces from one :func:`sim.stretch_reflex` call (untreated and treated
  in one batch).
* :class:`ExplorerFigure` – a matplotlib figure whose lines are created once
  and updated in place (``set_data``) by :meth:`ExplorerFigure.draw`.
* :func:`explore` – the figure plus :mod:`matplotlib.widgets` sliders and
  radio buttons in a window (any GUI backend).  The Jupyter version with
  ipywidgets is ``notebooks/explore.ipynb``; both use the two classes above.

matplotlib is imported only inside functions, so ``import sim.explorer`` stays
light and works without a display.

Educational illustration – not for clinical use: the explorer shows how the
mechanism behaves, not what dose a person should take.

Examples
--------
>>> model = ExplorerModel()
>>> sorted(CONTROLS) == sorted(model.controls)
True
>>> model.regimen()
Oral(10.0, every_h=8.0, n_doses=9)
>>> ExplorerModel().update(routes="oral")
Traceback (most recent call last):
...
sim.errors.ParameterError: unknown explorer control 'routes' (did you mean 'route'?); controls: route, oral_dose_mg, interval_h, it_rate_ug_per_day, creatinine_clearance_ml_min, severity, mechanism, velocity_deg_s
"""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import Any

import numpy as np

from .errors import ParameterError, SimError, did_you_mean
from .parameters import check_choice, check_range

__all__ = [
    "CONTROLS",
    "ControlSpec",
    "ExplorerModel",
    "ExplorerFigure",
    "ExplorerWindow",
    "GuiUnavailableError",
    "explore",
]

#: Length of every simulated course, h (three days: oral steady state and most of the IT approach).
COURSE_HOURS = 72.0
#: Spacing of course samples, h (coarse on purpose: the panels are read by eye, and every
#: sample costs one reflex probe).
PROBE_EVERY_H = 1.0
#: Integration step of the reflex probes, ms (the stretch protocol's default, checked against the reference).
PROBE_DT_MS = 1.0


class GuiUnavailableError(SimError, RuntimeError):
    """:func:`explore` was called where no GUI window can open (Agg backend or no display)."""


@dataclasses.dataclass(frozen=True)
class ControlSpec:
    """One explorer control: a choice among options or a number in a range.

    Attributes
    ----------
    label : str
        Text shown beside the widget (with the unit).
    default : str or float
        Starting value.
    options : tuple, optional
        Allowed values of a choice control.
    low, high, step : float, optional
        Range and step of a numeric control.
    """

    label: str
    default: Any
    options: tuple[Any, ...] | None = None
    low: float = 0.0
    high: float = 0.0
    step: float = 0.0

    @property
    def is_choice(self) -> bool:
        """True for a choice (radio buttons / dropdown), False for a slider."""
        return self.options is not None


#: Every control of the explorer, in display order (shared by the notebook and :func:`explore`).
CONTROLS: dict[str, ControlSpec] = {
    "route": ControlSpec("Route", "oral", options=("oral", "intrathecal")),
    "oral_dose_mg": ControlSpec("Oral dose (mg)", 10.0, low=5.0, high=40.0, step=2.5),
    "interval_h": ControlSpec("Oral interval (h)", 8.0, low=4.0, high=24.0, step=2.0),
    "it_rate_ug_per_day": ControlSpec("Intrathecal rate (µg/day)", 100.0, low=25.0, high=1000.0,
                                      step=25.0),
    "creatinine_clearance_ml_min": ControlSpec("Creatinine clearance (mL/min)", 100.0, low=5.0,
                                               high=150.0, step=5.0),
    "severity": ControlSpec("Spasticity severity (0–1)", 1.0, low=0.0, high=1.0, step=0.25),
    "mechanism": ControlSpec("Mechanism", "both", options=("presynaptic", "postsynaptic", "both")),
    "velocity_deg_s": ControlSpec("Stretch velocity (°/s)", 120.0,
                                  options=(30.0, 60.0, 120.0, 180.0, 240.0)),
}


class ExplorerModel:
    """Display-free state and update logic of the explorer.

    Parameters
    ----------
    params : sim.model.ModelParameters, optional
        Stage parameters (defaults: the package's).
    hours : float
        Length of each simulated course, h.
    probe_every_h : float
        Spacing of course samples, h.
    dt_ms : float
        Integration step of the reflex probes, ms.

    Attributes
    ----------
    controls : dict
        Current value of every control in :data:`CONTROLS`.

    Notes
    -----
    Every update recomputes everything (tens of milliseconds after the kernel
    has been compiled once); nothing is cached between updates.
    """

    def __init__(self, params: Any = None, *, hours: float = COURSE_HOURS,
                 probe_every_h: float = PROBE_EVERY_H, dt_ms: float = PROBE_DT_MS) -> None:
        from .model import ModelParameters

        self.params = params if params is not None else ModelParameters()
        self.hours = float(check_range("hours", hours, 1.0, 24.0 * 60, "h"))
        self.probe_every_h = float(check_range("probe_every_h", probe_every_h, 0.01, self.hours, "h"))
        self.dt_ms = float(check_range("dt_ms", dt_ms, 0.01, 1.0, "ms"))
        self.controls: dict[str, Any] = {name: spec.default for name, spec in CONTROLS.items()}

    # ----------------------------------------------------------------- controls
    def set(self, **changes: Any) -> dict[str, Any]:
        """Validate and apply control changes; return the full, current controls.

        Raises
        ------
        ParameterError
            For an unknown control (with a "did you mean" hint) or a value
            outside its options or range.
        """
        for name, value in changes.items():
            if name not in CONTROLS:
                hint = did_you_mean(name, CONTROLS)
                raise ParameterError(
                    f"unknown explorer control {name!r}{hint}; controls: {', '.join(CONTROLS)}"
                )
            spec = CONTROLS[name]
            if spec.is_choice and isinstance(spec.default, str):
                check_choice(name, value, spec.options)
            elif spec.is_choice:
                value = float(check_range(name, value, min(spec.options), max(spec.options)))
                if value not in spec.options:
                    raise ParameterError(f"{name} = {value!r} is not one of {spec.options}")
            else:
                value = float(check_range(name, value, spec.low, spec.high))
            self.controls[name] = value
        return dict(self.controls)

    def regimen(self) -> Any:
        """The regimen block the current controls describe (enough doses to fill the course)."""
        import sim

        c = self.controls
        if c["route"] == "intrathecal":
            return sim.IntrathecalInfusion(c["it_rate_ug_per_day"])
        n_doses = int(np.floor(self.hours / c["interval_h"] - 1e-9)) + 1
        return sim.Oral(c["oral_dose_mg"], every_h=c["interval_h"], n_doses=n_doses)

    def patient(self) -> Any:
        """The virtual patient the current controls describe."""
        import sim

        return sim.Patient(condition="spastic", spasticity=self.controls["severity"],
                           creatinine_clearance_ml_min=self.controls["creatinine_clearance_ml_min"])

    # ------------------------------------------------------------------- update
    def update(self, **changes: Any) -> dict[str, Any]:
        """Apply control changes and return what the panels show.

        Returns
        -------
        dict
            ``t_h`` (h) and the course series ``plasma_ng_ml``,
            ``spinal_effect_ng_ml``, ``brain_ng_ml`` (ng/mL),
            ``reflex_gain_rel``, ``sedation_index`` (qualitative, 0–1);
            ``trace_t_ms`` and the ramp's ``emg_untreated`` / ``emg_treated``
            (fraction of maximal EMG) at the spinal level of the last hour, and
            ``emg_severe_peak``, the peak of the most severe patient's untreated
            reflex at this velocity (the EMG panel's scale);
            ``spinal_level_ng_ml`` (that level), ``sedation_band`` (the highest
            band of the last 24 h), ``reflex_gain_last_24h`` (lowest, highest)
            and a one-line ``summary`` of the two.
        """
        import sim

        self.set(**changes)
        c = self.controls
        course = sim.simulate(self.patient(), self.regimen(), self.hours,
                              probe_every_h=self.probe_every_h, mechanism=c["mechanism"],
                              params=self.params, readouts=("reflex_gain_rel",), dt_ms=self.dt_ms)
        level = float(course.spinal_effect_ng_ml[-1])
        p = self.params
        # One batch: this patient untreated and at the level, and the most severe patient
        # untreated, whose reflex sets the EMG panel's scale at this velocity.
        severity = float(c["severity"])
        patients = self.patient().replace(spasticity=[severity, severity, 1.0])
        traces = sim.stretch_reflex(
            patients, float(c["velocity_deg_s"]), spinal_effect_ng_ml=[0.0, level, 0.0], mechanism=c["mechanism"],
            availability=[1.0, float(course.receptor_availability[-1]), 1.0], dt_ms=self.dt_ms, output_dt_ms=2.0,
            traces=("emg",), receptor=p.receptor, spindle=p.spindle, synapse=p.synapse,
            motoneuron=p.motoneuron, muscle=p.muscle)
        t_ms, emg = np.asarray(traces.axis, dtype=float), np.asarray(traces["emg"], dtype=float)
        treated = emg[1]
        last_day = course.t_h >= self.hours - 24.0
        band = _highest_band(course.sedation_band[last_day])
        gain = course.reflex_gain_rel
        summary = (f"Last 24 h: reflex gain {gain[last_day].min():.2f}–{gain[last_day].max():.2f}; "
                   f"sedation: {band}")
        return {
            "t_h": np.asarray(course.t_h),
            "plasma_ng_ml": np.asarray(course.plasma_ng_ml),
            "spinal_effect_ng_ml": np.asarray(course.spinal_effect_ng_ml),
            "brain_ng_ml": np.asarray(course.brain_ng_ml),
            "reflex_gain_rel": np.asarray(gain),
            "sedation_index": np.asarray(course.sedation_index),
            "trace_t_ms": t_ms,
            "emg_untreated": emg[0],
            "emg_treated": treated,
            "emg_severe_peak": float(emg[2].max()),
            "spinal_level_ng_ml": level,
            "sedation_band": band,
            "reflex_gain_last_24h": (float(gain[last_day].min()), float(gain[last_day].max())),
            "summary": summary,
        }


def _highest_band(bands: np.ndarray) -> str:
    from .outcomes import BANDS

    present = {str(b) for b in np.ravel(bands)}
    return max(present, key=BANDS.index) if present else BANDS[0]


# --------------------------------------------------------------------------- figure
def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above *value* (at least 0.001): an axis end.

    >>> [_nice_ceiling(v) for v in (0.007, 0.1, 0.13, 0.3, 0.0)]
    [0.01, 0.1, 0.2, 0.5, 0.001]
    """
    value = max(float(value), 1e-3) if np.isfinite(value) else 1.0
    exponent = np.floor(np.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        top = step * 10.0 ** exponent
        if top >= value * (1.0 - 1e-12):
            return float(round(top, 12))
    return float(10.0 ** (exponent + 1))


class ExplorerFigure:
    """The explorer's four panels; lines are made once and updated in place.

    Parameters
    ----------
    fig : matplotlib.figure.Figure, optional
        Figure to draw on (a new, pyplot-free one of *figsize* inches and
        *dpi* if omitted).
    plot_rect : (left, bottom, right, top), optional
        Figure fraction the four panels occupy (leave room for widgets).
    sedation_params : sim.outcomes.SedationParameters, optional
        Band edges of the sedation panel.

    Examples
    --------
    >>> view = ExplorerFigure()
    >>> sorted(view.lines)[:3]
    ['brain_ng_ml', 'emg_treated', 'emg_untreated']
    """

    def __init__(self, fig: Any = None, *, plot_rect: tuple[float, float, float, float] = (0.07, 0.11, 0.9, 0.88),
                 sedation_params: Any = None, figsize: tuple[float, float] = (13.0, 7.5),
                 dpi: float = 100.0) -> None:
        from matplotlib.figure import Figure

        from . import plotting
        from .outcomes import SedationParameters
        from .variables import VARIABLES, axis_label, display_unit

        self.fig = fig if fig is not None else Figure(figsize=figsize, dpi=dpi)
        left, bottom, right, top = plot_rect
        grid = self.fig.add_gridspec(2, 2, left=left, bottom=bottom, right=right, top=top,
                                     hspace=0.45, wspace=0.35)
        ax_conc = self.fig.add_subplot(grid[0, 0])
        ax_gain = self.fig.add_subplot(grid[0, 1])
        ax_sed = self.fig.add_subplot(grid[1, 0])
        ax_emg = self.fig.add_subplot(grid[1, 1])
        self.axes = {"concentration": ax_conc, "reflex": ax_gain, "sedation": ax_sed, "trace": ax_emg}
        nan = [np.nan]
        lines = {}
        for name, label, colour in (("plasma_ng_ml", "plasma", "#1f77b4"),
                                    ("spinal_effect_ng_ml", "spinal effect site", "#d62728"),
                                    ("brain_ng_ml", "brain effect site", "#9467bd")):
            (lines[name],) = ax_conc.plot(nan, nan, color=colour, label=label)
        ax_conc.set_yscale("log", nonpositive="mask")
        ax_conc.set_ylim(0.1, 1.0e4)
        ax_conc.set_ylabel(f"Concentration ({display_unit(VARIABLES['plasma_ng_ml'].unit)})")
        ax_conc.set_title("Drug level (total baclofen)")
        # Along the top (levels above 1,000 ng/mL are rare), where it covers no curve.
        ax_conc.legend(loc="upper left", ncol=3, fontsize=8)
        (lines["reflex_gain_rel"],) = ax_gain.plot(nan, nan, color="#2ca02c")
        ax_gain.set_ylim(0.0, 1.1)
        ax_gain.axhline(1.0, color="0.6", linestyle=":", linewidth=1)
        ax_gain.set_ylabel(axis_label("reflex_gain_rel"))
        ax_gain.set_title("Stretch reflex (1 = untreated)")
        sedation = sedation_params if sedation_params is not None else SedationParameters()
        plotting.sedation_bands(ax_sed, sedation.band_edges)
        (lines["sedation_index"],) = ax_sed.plot(nan, nan, color="black")
        ax_sed.set_ylim(0.0, 1.0)
        ax_sed.set_title("Central depression (qualitative bands)")
        for ax in (ax_conc, ax_gain, ax_sed):
            ax.set_xlabel(axis_label("t_h"))
        (lines["emg_untreated"],) = ax_emg.plot(nan, nan, color="0.5", linestyle="--", label="untreated")
        (lines["emg_treated"],) = ax_emg.plot(nan, nan, color="#d62728", label="at hour-72 level")
        ax_emg.set_ylim(0.0, 1.0)
        from matplotlib.ticker import MaxNLocator

        # Steps of 1, 2, 5 (0.05, not 0.025): short tick labels leave room for the band names.
        ax_emg.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
        ax_emg.set_xlabel(f"Time from ramp command ({display_unit(VARIABLES['t_ms'].unit)})")
        ax_emg.set_ylabel(axis_label("emg"))
        ax_emg.legend(loc="upper right", fontsize=8)
        self.lines = lines
        # The summary line.  Every glyph of an animated text is rendered again on each update
        # (≈ 0.2 ms a glyph), so its fixed words are drawn once, with the background, and only
        # the numbers and the band are animated.
        from matplotlib.text import Annotation

        words = {"fontsize": 11, "ha": "left", "va": "bottom", "textcoords": "offset points"}
        label = self.fig.text(0.01, 0.01, "Last 24 h: reflex gain", fontsize=11, ha="left", va="bottom")
        self.summary_gain = Annotation("", xy=(1.0, 0.0), xycoords=label, xytext=(4.0, 0.0), **words)
        sedation_label = Annotation("sedation:", xy=(1.0, 0.0), xycoords=label, xytext=(70.0, 0.0), **words)
        self.summary_band = Annotation("", xy=(1.0, 0.0), xycoords=sedation_label, xytext=(4.0, 0.0), **words)
        for text in (self.summary_gain, sedation_label, self.summary_band):
            self.fig.add_artist(text)
        self.title = self.fig.suptitle("How baclofen damps the stretch reflex – explorer", fontsize=13,
                                       y=0.995)
        plotting.add_educational_label(self.fig)
        # Blitting: everything that changes on an update is "animated" and drawn over a cached
        # background, so an update does not re-render the axes, ticks and labels (most of the cost).
        self.animated: list[Any] = [*lines.values(), self.summary_gain, self.summary_band]
        for artist in self.animated:
            artist.set_animated(True)
        # Animated artists whose picture depends only on a key (a text's string, a slider's
        # value): while the key stays the same, a blit pastes the pixels kept from their last
        # drawing instead of rendering them again (each slider ≈ 1.5 ms, a short text ≈ 2 ms).
        # They must not overlap other animated artists.
        self.keyed: dict[Any, Any] = {self.summary_gain: self.summary_gain.get_text,
                                      self.summary_band: self.summary_band.get_text}
        self._snapshots: dict[Any, tuple[Any, Any]] = {}
        self._background: Any = None
        self._static_key: Any = None
        self._own_draw = False

    def draw(self, data: dict[str, Any], controls: dict[str, Any] | None = None) -> None:
        """Put *data* (from :meth:`ExplorerModel.update`) into the existing artists.

        Only line data and two texts change; axis limits change only when the
        course length, the ramp duration or the EMG scale does (then the cached
        background is dropped and the next :meth:`render` draws everything once).
        The EMG axis ends at the next 1–2–5 step above the most severe patient's
        untreated reflex at this velocity (``emg_severe_peak``): the scale follows
        the velocity, not the other controls, so moving the spasticity slider
        shows the reflex grow on a fixed axis (and needs no full redraw).
        """
        t_h = data["t_h"]
        for name in ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel",
                     "sedation_index"):
            self.lines[name].set_data(t_h, data[name])
        for name in ("emg_untreated", "emg_treated"):
            self.lines[name].set_data(data["trace_t_ms"], data[name])
        emg_top = _nice_ceiling(1.15 * max(data.get("emg_severe_peak", 0.0), float(np.nanmax(data["emg_untreated"])),
                                           float(np.nanmax(data["emg_treated"]))))
        static_key = (float(t_h[0]), float(t_h[-1]), float(data["trace_t_ms"][0]),
                      float(data["trace_t_ms"][-1]),
                      None if controls is None else controls["velocity_deg_s"], emg_top)
        if static_key != self._static_key:
            self._static_key = static_key
            self._background = None
            for key in ("concentration", "reflex", "sedation"):
                self.axes[key].set_xlim(static_key[0], static_key[1])
            self.axes["trace"].set_xlim(static_key[2], static_key[3])
            self.axes["trace"].set_ylim(0.0, emg_top)
            if controls is not None:
                self.axes["trace"].set_title(f"Ramp stretch at {controls['velocity_deg_s']:g} °/s")
        low, high = data["reflex_gain_last_24h"]
        self.summary_gain.set_text(f"{low:.2f}–{high:.2f};")
        self.summary_band.set_text(data["sedation_band"])

    def on_draw(self, event: Any = None) -> None:
        """``draw_event`` handler: after a full draw by the GUI (show, resize), refresh the background."""
        if not self._own_draw:
            self.capture_background()

    def add_control(self, ax: Any, key: Any) -> None:
        """Animate a control's axes, drawn again only when ``key()`` (its value) changes."""
        ax.set_animated(True)
        self.animated.append(ax)
        self.keyed[ax] = key

    def capture_background(self) -> None:
        """Store the static part of the last full draw and paint the changing artists over it."""
        canvas = self.fig.canvas
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._snapshots = {}
        for artist in self.animated:
            self._paint(artist)

    def _paint(self, artist: Any) -> None:
        """Draw *artist*; keep the pixels of a keyed one, with its key."""
        self.fig.draw_artist(artist)
        if artist in self.keyed:
            from matplotlib.transforms import Bbox

            renderer = self.fig.canvas.get_renderer()
            box = (artist.get_tightbbox(renderer) if hasattr(artist, "get_tightbbox")
                   else artist.get_window_extent(renderer))
            box = Bbox.intersection(box.padded(2.0), self.fig.bbox)
            if box is not None:
                self._snapshots[artist] = (self.keyed[artist](), self.fig.canvas.copy_from_bbox(box))

    def render(self) -> None:
        """Bring the canvas up to date: a full draw if the background is stale, else a blit."""
        canvas = self.fig.canvas
        if self._background is None:
            self._own_draw = True
            try:
                canvas.draw()  # animated artists are skipped here …
            finally:
                self._own_draw = False
            self.capture_background()  # … and painted over the fresh background
        else:
            canvas.restore_region(self._background)
            for artist in self.animated:
                kept = self._snapshots.get(artist)
                if kept is not None and kept[0] == self.keyed[artist]():
                    canvas.restore_region(kept[1])
                else:
                    self._paint(artist)
        canvas.blit(self.fig.bbox)

    def png(self) -> bytes:
        """The current picture as PNG bytes (for an ipywidgets ``Image``), via :meth:`render`.

        Needs an Agg canvas (``FigureCanvasAgg(fig)``; attached automatically
        if the figure has none that can render).
        """
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.image import imsave

        if not hasattr(self.fig.canvas, "buffer_rgba"):
            FigureCanvasAgg(self.fig)
            self._background = None
        self.render()
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self.fig.canvas.buffer_rgba()), format="png",
               pil_kwargs={"compress_level": 1})  # fast compression: speed matters more than size
        return buffer.getvalue()


# --------------------------------------------------------------------------- window
def _gui_problem() -> str | None:
    """Why no GUI window can open here, or None if one can."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    if backend in {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"} or "inline" in backend:
        return f"the matplotlib backend is {matplotlib.get_backend()!r}, which cannot open a window"
    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")):
        return "there is no display (DISPLAY/WAYLAND_DISPLAY unset)"
    return None


class ExplorerWindow:
    """Figure, model and :mod:`matplotlib.widgets` controls wired together (built by :func:`explore`)."""

    def __init__(self, model: ExplorerModel, fig: Any) -> None:
        from matplotlib.widgets import RadioButtons, Slider

        self.model = model
        self.view = ExplorerFigure(fig, plot_rect=(0.3, 0.1, 0.92, 0.88),
                                   sedation_params=model.params.sedation)
        self.widgets: dict[str, Any] = {}
        top = 0.93
        for name, spec in CONTROLS.items():
            if spec.is_choice:
                top -= 0.0 if name == next(iter(CONTROLS)) else 0.02
                height = 0.028 * len(spec.options) + 0.01
                ax = fig.add_axes((0.03, top - height, 0.2, height))
                ax.set_title(spec.label, fontsize=9, loc="left")
                labels = [f"{o:g}" if isinstance(o, float) else o for o in spec.options]
                widget = RadioButtons(ax, labels, active=spec.options.index(model.controls[name]))
                widget.on_clicked(lambda label, name=name: self._changed(name, label))
                top -= height + 0.035
            else:
                ax = fig.add_axes((0.03, top - 0.05, 0.17, 0.022))
                widget = Slider(ax, spec.label, spec.low, spec.high, valinit=model.controls[name],
                                valstep=spec.step)
                # Static label above the track (a figure text, so the blit need not re-render it).
                widget.label.set_visible(False)
                fig.text(0.03, top - 0.022, spec.label, fontsize=9, ha="left", va="bottom")
                # The slider is repainted by our blit (its axes are animated), not by a full redraw,
                # and only when its value changes.
                widget.drawon = False
                self.view.add_control(ax, lambda widget=widget: widget.val)
                widget.on_changed(lambda value, name=name: self._changed(name, value))
                top -= 0.07
            self.widgets[name] = widget
        # After any full draw (first show, resize, a radio click) re-capture the background.
        fig.canvas.mpl_connect("draw_event", self.view.on_draw)
        self.refresh()

    def _changed(self, name: str, value: Any) -> None:
        spec = CONTROLS[name]
        if spec.is_choice and not isinstance(spec.default, str):
            value = float(value)
        self.refresh(**{name: value})

    def refresh(self, **changes: Any) -> dict[str, Any]:
        """Update the model with *changes*, the lines in place, and blit them to the canvas."""
        data = self.model.update(**changes)
        self.view.draw(data, self.model.controls)
        self.view.render()
        return data


def explore(*, show: bool = True, params: Any = None) -> ExplorerWindow:
    """Open the explorer in a matplotlib window with sliders and radio buttons.

    Parameters
    ----------
    show : bool
        Open the window (needs a GUI backend).  ``show=False`` builds the
        window's figure and widgets without pyplot and returns them (for tests
        and headless use).
    params : sim.model.ModelParameters, optional
        Stage parameters.

    Returns
    -------
    ExplorerWindow
        Holds ``model``, ``view`` (with ``fig``) and ``widgets``.

    Raises
    ------
    GuiUnavailableError
        With ``show=True`` where no window can open (Agg, inline, no display);
        the message points to ``notebooks/explore.ipynb``.
    """
    model = ExplorerModel(params)
    if not show:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(14.0, 8.0))
        FigureCanvasAgg(fig)  # an off-screen canvas, so fig.canvas.draw() really renders
        return ExplorerWindow(model, fig)
    problem = _gui_problem()
    if problem is not None:
        raise GuiUnavailableError(
            f"sim.explore() needs a GUI matplotlib backend (e.g. TkAgg or QtAgg) and a display, "
            f"but {problem}. In Jupyter, open notebooks/explore.ipynb instead (ipywidgets)."
        )
    import matplotlib.pyplot as plt

    window = ExplorerWindow(model, plt.figure(figsize=(14.0, 8.0)))
    plt.show()
    return window
