"""Tests of sim.explorer: lazy matplotlib, the display-free model, in-place updates, headless error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import sim
from sim import explorer
from sim.errors import ParameterError, SimError


def test_import_does_not_import_matplotlib():
    code = "import sys, sim, sim.explorer; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture(scope="module")
def model():
    m = explorer.ExplorerModel()
    m.update()  # builds the cached grids once for this module
    return m


def test_update_returns_consistent_arrays(model):
    data = model.update(route="oral", oral_dose_mg=10.0)
    n = data["t_h"].size
    for name in ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel", "sedation_index"):
        assert data[name].shape == (n,) and np.all(np.isfinite(data[name]))
    assert data["emg_treated"].shape == data["emg_untreated"].shape == data["trace_t_ms"].shape
    assert data["sedation_band"] in ("none", "mild", "moderate", "marked")


def test_more_drug_less_reflex_and_kidneys_raise_plasma(model):
    low = model.update(route="oral", oral_dose_mg=5.0, creatinine_clearance_ml_min=100.0)
    high = model.update(oral_dose_mg=30.0)
    assert high["reflex_gain_rel"][-24:].mean() < low["reflex_gain_rel"][-24:].mean()
    assert high["emg_treated"].max() <= low["emg_treated"].max() + 1e-9
    impaired = model.update(creatinine_clearance_ml_min=25.0)
    assert impaired["plasma_ng_ml"][-1] > high["plasma_ng_ml"][-1]
    it = model.update(route="intrathecal", it_rate_ug_per_day=100.0, creatinine_clearance_ml_min=100.0)
    assert it["brain_ng_ml"].max() < high["brain_ng_ml"].max()
    model.update(route="oral", oral_dose_mg=10.0)


def test_invalid_controls_are_errors(model):
    with pytest.raises(ParameterError, match="did you mean 'route'"):
        model.update(rout="oral")
    with pytest.raises(ParameterError):
        model.update(oral_dose_mg=500.0)
    with pytest.raises(ParameterError):
        model.update(mechanism="both sides")


def test_figure_updates_lines_in_place(model):
    window = explorer.explore(show=False)
    view = window.view
    lines = dict(view.lines)
    n_artists = len(view.fig.findobj())
    before = lines["plasma_ng_ml"].get_ydata().copy()
    window.refresh(oral_dose_mg=25.0)
    window.widgets["creatinine_clearance_ml_min"].set_val(40.0)  # through the widget callback
    assert window.model.controls["creatinine_clearance_ml_min"] == 40.0
    assert all(view.lines[k] is v for k, v in lines.items())
    assert not np.array_equal(before, lines["plasma_ng_ml"].get_ydata())
    assert len(view.fig.findobj()) == n_artists
    png = view.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_blit_gives_the_same_pixels_as_a_full_redraw(model):
    """Updates paste kept pixels for texts and sliders whose key did not change: after a dose change
    (sliders unchanged) and after a slider move, the canvas equals a full redraw bit for bit."""
    window = explorer.explore(show=False)
    view = window.view
    for change in (lambda: window.refresh(oral_dose_mg=25.0),
                   lambda: window.widgets["creatinine_clearance_ml_min"].set_val(40.0)):
        change()
        blitted = np.array(view.fig.canvas.buffer_rgba())
        view._background = None  # force a full draw of everything
        view.render()
        np.testing.assert_array_equal(blitted, np.asarray(view.fig.canvas.buffer_rgba()))
    assert len(view._snapshots) == len(view.keyed) >= 5  # texts and sliders were kept


def test_the_summary_line_shows_the_update(model):
    """The view's summary (fixed words drawn once, numbers and band animated) says what update() says."""
    window = explorer.explore(show=False)
    data = window.refresh(oral_dose_mg=20.0)
    gain, band = window.view.summary_gain.get_text(), window.view.summary_band.get_text()
    low, high = data["reflex_gain_last_24h"]
    assert gain == f"{low:.2f}–{high:.2f};" and gain.rstrip(";") in data["summary"]
    assert band == data["sedation_band"] and data["summary"].endswith(f"sedation: {band}")
    assert 0.0 < low <= high <= 1.0


def test_explore_without_gui_raises_clear_error(monkeypatch):
    import matplotlib

    monkeypatch.setattr(matplotlib, "get_backend", lambda: "agg")
    with pytest.raises(explorer.GuiUnavailableError, match="notebooks/explore.ipynb") as info:
        sim.explore()
    assert isinstance(info.value, SimError)


def test_emg_axis_fits_the_trace_and_the_legend_covers_no_level(model):
    """The EMG panel ends at the next 1–2–5 step above the most severe untreated reflex at this
    velocity (not at 1, where a real reflex was a flat line): the spasticity slider keeps the axis,
    so a milder reflex shows smaller without a full redraw, and the drug-level legend covers none
    of the three curves."""
    view = explorer.ExplorerFigure()
    tops = {}
    for severity in (1.0, 0.2):
        data = model.update(severity=severity, route="oral", oral_dose_mg=20.0)
        view.draw(data, model.controls)
        if severity == 0.2:
            assert view._background is not None  # same scale: the update is a blit
        view.png()
        severe = data["emg_severe_peak"]
        low, top = view.axes["trace"].get_ylim()
        assert low == 0.0 and severe < top <= 2.5 * 1.15 * severe, (severity, severe, top)
        assert max(data["emg_untreated"].max(), data["emg_treated"].max()) <= severe * (1 + 1e-9)
        tops[severity] = top
    assert tops[0.2] == tops[1.0]
    faster = model.update(velocity_deg_s=240.0)
    assert faster["emg_severe_peak"] > data["emg_severe_peak"]  # the scale follows the velocity
    for route in ("oral", "intrathecal"):
        view.draw(model.update(route=route), model.controls)
        view.png()
        ax = view.axes["concentration"]
        box = ax.get_legend().get_window_extent()
        for name in ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml"):
            line = view.lines[name]
            with np.errstate(all="ignore"):
                xy = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
            assert not inside.any(), (route, name)
    model.update(severity=explorer.CONTROLS["severity"].default, route="oral",
                 velocity_deg_s=explorer.CONTROLS["velocity_deg_s"].default)


def test_sedation_band_names_leave_the_emg_label_free(model):
    """The band names right of the sedation panel do not run into the EMG panel's label or ticks."""
    view = explorer.ExplorerFigure()
    for severity in (1.0, 0.2):
        view.draw(model.update(severity=severity), model.controls)
        view.png()
        emg = view.axes["trace"]
        renderer = view.fig.canvas.get_renderer()
        taken = [emg.yaxis.label.get_window_extent(renderer),
                 *(label.get_window_extent(renderer) for label in emg.get_yticklabels() if label.get_text())]
        for text in view.axes["sedation"].texts:
            box = text.get_window_extent(renderer)
            assert not any(box.overlaps(other) for other in taken), text.get_text()
    model.update(severity=explorer.CONTROLS["severity"].default)
