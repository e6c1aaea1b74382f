"""Tests of the scenario figures, the multiscale figure and the reflex animation.

The tables are synthetic but follow the contract of ``sim.runner.run_tables``:
one Result per table, the arms along its labelled batch axis ``"arm"``, units
from the variable registry.  Every test
reads the line data back from the axes and compares them with the tables.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import plotting
from sim.fileio import EDUCATIONAL_LABEL
from sim.result import Result

FORBIDDEN = ("probability", "%", "risk of")


# -- synthetic scenarios and tables ---------------------------------------------------


def _scenario(kind, arms, panels, title, **settings):
    arms = tuple(SimpleNamespace(name=name, label=label) for name, label in arms)
    return SimpleNamespace(kind=kind, arms=arms, settings=settings,
                           figure={"title": title, "panels": list(panels), "caption": ""})


def _arm_table(axis_name, axis, arms, make):
    """A table with the arms along the labelled batch axis "arm", as sim.runner builds it."""
    rows = [make(arm) for arm in arms]
    series = {name: np.stack([row[name] for row in rows]) for name in rows[0]}
    return Result(axis_name, axis, series, batch_labels={"arm": tuple(arm.name for arm in arms)})


def mechanism_case():
    scenario = _scenario("mechanism", [("R", "R-baclofen"), ("racemic", "Racemic baclofen"),
                                       ("S", "S-baclofen")],
                         ["epsc_rel", "release_rel", "gabab_conductance"],
                         "A modest cut in Ca²⁺ entry becomes a large cut in glutamate release")
    bath = np.array([0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0])
    ec50 = {"R": 1.0, "racemic": 2.0, "S": 120.0}

    def make(arm):
        activation = bath / (bath + ec50[arm.name])
        return {"epsc_rel": 1 - 0.8 * activation, "activation_pre": activation}

    response = _arm_table("bath_um", bath, scenario.arms, make)
    ca = np.array([0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0])
    calcium = Result("ca_influx_rel", ca, {"release_rel": ca**3.8, "fourth_power": ca**4})
    t = np.arange(0.0, 1000.0, 5.0)
    single = 0.05 * (np.exp(-t / 200) - np.exp(-t / 40))
    cascade = Result("t_ms", t, {"single_pulse": single, "burst": 8 * single})
    return scenario, {"concentration_response": response, "calcium_law": calcium,
                      "gabab_cascade": cascade}


def reflex_case():
    scenario = _scenario("reflex", [("healthy", "Healthy"), ("spastic", "Spastic")],
                         ["emg", "emg_peak", "threshold_angle_deg"],
                         "Spasticity: an overactive reflex that grows with stretch velocity",
                         trace_velocity_deg_s=120.0)
    velocity = np.array([15.0, 30.0, 60.0, 90.0, 120.0, 150.0, 200.0])
    size = {"healthy": 0.1, "spastic": 0.6}

    def sweep(arm):
        s = size[arm.name]
        return {"emg_peak": s * velocity / (velocity + 60), "threshold_angle_deg": 12 - 20 * s
                - velocity / 40, "torque_peak_nm": 200 * s * velocity / (velocity + 60)}

    velocities = _arm_table("velocity_deg_s", velocity, scenario.arms, sweep)
    t = np.arange(0.0, 600.0, 2.0)
    angle = np.clip((t - 50) * 0.12, 0, 20)
    burst = np.exp(-(((t - 150) / 40) ** 2))

    def traces(arm):
        s = size[arm.name]
        return {"emg": s * burst, "torque_nm": 5 + angle + 150 * s * burst, "angle_deg": angle,
                "mn_rate_hz": 20 * s * burst}

    trace_table = _arm_table("t_ms", t, scenario.arms, traces)
    return scenario, {"velocity": velocities, "traces": trace_table}


def _bands(index):
    edges = np.array([0.10, 0.25, 0.50])
    return np.asarray(plotting.SEDATION_BANDS)[np.searchsorted(edges, index, side="right")]


def dose_case():
    scenario = _scenario("dose-response", [("spastic", "Spastic patient, normal kidneys")],
                         ["reflex_gain_rel", "voluntary_force_rel", "sedation_index"],
                         "The therapeutic window: the reflex falls first, drowsiness and "
                         "weakness follow")
    dose = np.array([0.0, 10.0, 15.0, 30.0, 45.0, 60.0, 80.0, 120.0, 160.0])

    def make(arm):
        index = dose / (dose + 150)
        return {"reflex_gain_rel": 1 - 0.7 * dose / (dose + 20),
                "voluntary_force_rel": 1 - 0.3 * dose / (dose + 100),
                "threshold_angle_deg": 5 + dose / 10, "spinal_effect_ng_ml": dose / 5,
                "brain_ng_ml": dose / 5, "sedation_index": index, "sedation_band": _bands(index)}

    return scenario, {"dose": _arm_table("daily_dose_mg", dose, scenario.arms, make)}


def course_case(hours=72.0, panels=("spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel",
                                    "sedation_band")):
    scenario = _scenario("course", [("oral", "Oral 20 mg four times a day"),
                                    ("intrathecal", "Intrathecal 100 µg/day")], panels,
                         "Intrathecal delivery reaches the cord with a fraction of the brain "
                         "exposure")
    t = np.arange(0.0, hours + 0.25, 0.25)
    wave = 1 - np.exp(-t / 6) + 0.3 * np.maximum(np.sin(2 * np.pi * t / 6), 0)

    def make(arm):
        oral = arm.name == "oral"
        plasma = (150 if oral else 2) * wave
        spinal = 15 * wave if oral else 14 * (1 - np.exp(-t / 10))
        brain = (15 if oral else 0.3) * wave
        index = brain / (brain + 40)
        return {"plasma_ng_ml": plasma, "csf_ng_ml": spinal, "spinal_effect_ng_ml": spinal,
                "brain_ng_ml": brain, "receptor_availability": 1 - 0.1 * (1 - np.exp(-t / 200)),
                "reflex_gain_rel": 1 - spinal / (spinal + 10), "sedation_index": index,
                "sedation_band": _bands(index)}

    return scenario, {"course": _arm_table("t_h", t, scenario.arms, make)}


def mechanisms_case():
    scenario = _scenario("mechanisms", [("presynaptic", "Presynaptic only"),
                                        ("postsynaptic", "Postsynaptic only"), ("both", "Both")],
                         ["h_reflex_ratio", "release_rel", "girk_conductance_ns"],
                         "The H-reflex shows potency, not site: either action lowers it, at "
                         "very different CSF levels")
    csf = np.array([0.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0])

    def make(arm):
        pre = arm.name in ("presynaptic", "both")
        post = arm.name in ("postsynaptic", "both")
        release = 1 - 0.8 * csf / (csf + 50) if pre else np.ones_like(csf)
        girk = 20 * csf / (csf + 500) if post else np.zeros_like(csf)
        h = 0.6 * release / (1 + girk / 20)
        return {"h_reflex_ratio": h, "release_rel": release, "girk_conductance_ns": girk,
                "reflex_gain_rel": h / 0.6}

    return scenario, {"concentration": _arm_table("csf_ng_ml", csf, scenario.arms, make)}


CASES = {"mechanism": mechanism_case, "reflex": reflex_case, "dose-response": dose_case,
         "course": course_case, "mechanisms": mechanisms_case}


# -- helpers --------------------------------------------------------------------------


def _all_texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def _data_lines(fig):
    """(axes, line) pairs of every drawn data line (reference lines excluded)."""
    axes = [a for ax in _panels(fig) for a in (ax, *ax.child_axes)]
    return [(ax, line) for ax in axes for line in ax.get_lines()
            if line.get_gid() != plotting._REFERENCE_GID]


def _panels(fig):
    """Axes of a figure without the strip that holds the arm legend."""
    return [ax for ax in fig.axes if ax.get_gid() != plotting._LEGEND_GID]


def _find_line(fig, x, y, label=None):
    for _, line in _data_lines(fig):
        if label is not None and line.get_label() != label:
            continue
        xd, yd = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        if xd.shape == np.shape(x) and np.array_equal(xd, x) and np.array_equal(yd, y):
            return line
    return None


def _time(table):
    t = table.axis
    return t / 24.0 if t[-1] - t[0] > 72.0 else t


def _expected_lines(scenario, tables):
    """(x, y, label) of every line the figure must contain, read from the tables."""
    arms, panels = scenario.arms, scenario.figure["panels"]
    if scenario.kind == "mechanism":
        table = tables["concentration_response"]
        out = [(table.axis, table[f"{p}[{a.name}]"], a.label) for p in panels
               if p in ("epsc_rel", "activation_pre") for a in arms]
        calcium, cascade = tables["calcium_law"], tables["gabab_cascade"]
        out += [(calcium.axis, calcium[n], None) for n in calcium.names]
        out += [(cascade.axis, cascade[n], None) for n in cascade.names]
        return out
    if scenario.kind == "reflex":
        out = []
        for p in panels:
            table = tables["traces"] if p in tables["traces"].names else tables["velocity"]
            out += [(table.axis, table[f"{p}[{a.name}]"], a.label) for a in arms]
        return out
    name = {"dose-response": "dose", "course": "course", "mechanisms": "concentration"}
    table = tables[name[scenario.kind]]
    x = _time(table) if scenario.kind == "course" else table.axis
    # Sedation is drawn as bands, never as the index (test_sedation_index_panel_shows_bands_only).
    return [(x, table[f"{p}[{a.name}]"], a.label) for p in panels
            if p not in ("sedation_band", "sedation_index") for a in arms]


def _text_boxes(fig):
    """(name, axes or None, pixel box) of every drawn text block: title, figure texts, axis labels,
    panel headings, legends and the tick labels that are drawn."""
    renderer = fig._get_renderer()
    items = [("title", None, fig._suptitle)] if fig._suptitle is not None else []
    items += [("figure text", None, t) for t in fig.texts if t is not fig._suptitle]
    items += [("figure legend", None, legend) for legend in fig.legends]
    for ax in [a for parent in fig.axes for a in (parent, *parent.child_axes)]:  # insets too
        if not (ax.get_visible() and ax.axison):
            continue
        items += [(f"{kind} {t.get_text()!r}", ax, t) for kind, t in
                  (("x label", ax.xaxis.label), ("y label", ax.yaxis.label), ("heading", ax.title),
                   ("heading", ax._left_title), ("heading", ax._right_title))]
        if ax.get_legend() is not None:
            items.append(("legend", ax, ax.get_legend()))
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            drawn = [tick for tick in axis.get_major_ticks() if low - slack <= tick.get_loc() <= high + slack]
            items += [(f"tick {tick.label1.get_text()!r}", ax, label) for tick in drawn
                      for label in (tick.label1, tick.label2)]
    boxes = []
    for name, ax, artist in items:
        if not artist.get_visible() or (hasattr(artist, "get_text") and not artist.get_text().strip()):
            continue
        box = artist.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((name, ax, box))
    return boxes


def _assert_texts_apart(fig, tolerance_px=1.0):
    """Every text block lies inside the figure, and no title, label, heading or legend covers
    another one or another panel's tick labels (overlaps up to *tolerance_px* pixels allowed)."""
    boxes = _text_boxes(fig)
    edge = fig.bbox
    for name, _, box in boxes:
        assert (box.x0 >= edge.x0 - tolerance_px and box.x1 <= edge.x1 + tolerance_px
                and box.y0 >= edge.y0 - tolerance_px and box.y1 <= edge.y1 + tolerance_px), \
            f"{name} runs off the figure: {box.bounds}"
    for i, (name, ax, box) in enumerate(boxes):
        if name.startswith("tick"):
            continue
        for j, (other, other_ax, other_box) in enumerate(boxes):
            if j == i or (j < i and not other.startswith("tick")):
                continue
            if other.startswith("tick") and other_ax is ax:
                continue  # a panel's own tick labels sit beside its labels by construction
            width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            assert width <= tolerance_px or height <= tolerance_px, f"{name} covers {other}"


def _check_figure(fig, scenario, tables):
    fig.draw_without_rendering()
    _assert_texts_apart(fig)
    assert fig.get_suptitle() == scenario.figure["title"]
    texts = _all_texts(fig)
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    letters = [t.get_text() for ax in fig.axes for t in ax.texts
               if t.get_gid() == plotting._LETTER_GID]
    assert letters == [chr(ord("A") + i) for i in range(len(scenario.figure["panels"]))]
    for x, y, label in _expected_lines(scenario, tables):
        assert _find_line(fig, x, y, label) is not None, (label, y[:3])
    for ax in fig.axes:
        if ax.axison and _data_lines_of(ax):
            # every data panel names its quantity, on the y axis or above the panel
            assert ax.get_ylabel() or ax.get_title(loc="left") or ax.get_yticklabels()
    return texts


def _data_lines_of(ax):
    return [line for line in ax.get_lines() if line.get_gid() != plotting._REFERENCE_GID]


# -- scenario figures -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CASES))
def test_scenario_figure_draws_the_table_data(kind):
    scenario, tables = CASES[kind]()
    fig = plotting.scenario_figure(scenario, tables)
    _check_figure(fig, scenario, tables)
    # every arm appears in a legend under its scenario label
    legend_texts = {t.get_text() for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
                    if legend is not None for t in legend.get_texts()}
    if kind != "mechanism":
        assert {arm.label for arm in scenario.arms} <= legend_texts


@pytest.mark.parametrize("kind", list(CASES))
def test_scenario_figure_labels_carry_units(kind):
    scenario, tables = CASES[kind]()
    fig = plotting.scenario_figure(scenario, tables)
    labels = " ".join(ax.get_xlabel() for ax in fig.axes)
    expected = {"mechanism": "(µM)", "reflex": "(ms)", "dose-response": "(mg/day)",
                "course": "(h)", "mechanisms": "(ng/mL)"}[kind]
    assert expected in labels
    assert "(s)" not in labels and "(ml)" not in labels  # not a unit guessed from the name


def test_mechanism_axes_are_logarithmic_with_a_slope_four_guide():
    scenario, tables = mechanism_case()
    fig = plotting.scenario_figure(scenario, tables)
    dose_ax, calcium_ax, cascade_ax = _panels(fig)
    assert dose_ax.get_xscale() == "log"
    assert calcium_ax.get_xscale() == calcium_ax.get_yscale() == "log"
    assert cascade_ax.get_yscale() == "log"  # the single pulse is not flattened to 0
    assert any("slope 4" in line.get_label() for line in calcium_ax.get_lines())
    assert cascade_ax.get_xlabel() == "Time (ms)"


def test_mechanisms_axis_keeps_the_drug_free_point():
    scenario, tables = mechanisms_case()
    fig = plotting.scenario_figure(scenario, tables)
    ax = _panels(fig)[0]
    assert ax.get_xscale() == "symlog"
    fig.draw_without_rendering()
    assert ax.get_xlim()[0] <= 0.0


def test_long_course_is_drawn_in_days():
    scenario, tables = course_case(hours=288.0, panels=("plasma_ng_ml", "reflex_gain_rel",
                                                        "sedation_band"))
    fig = plotting.scenario_figure(scenario, tables)
    _check_figure(fig, scenario, tables)
    assert "Time (days)" in [ax.get_xlabel() for ax in fig.axes]


def test_sedation_panels_are_qualitative_bands():
    for case in (dose_case, course_case):
        scenario, tables = case()
        fig = plotting.scenario_figure(scenario, tables)
        fig.draw_without_rendering()
        for text in _all_texts(fig):
            assert not any(word in text.lower() for word in FORBIDDEN), text
        for ax in fig.axes:
            ticks = [t.get_text() for t in ax.get_yticklabels()]
            assert not any("%" in t for t in ticks)
    scenario, tables = course_case()
    fig = plotting.scenario_figure(scenario, tables)
    band_ax = _panels(fig)[3]
    assert {c.get_label() for c in band_ax.collections} <= set(plotting.SEDATION_BANDS)
    assert band_ax.collections  # coloured blocks, not a curve


def test_dose_response_panels_share_the_dose_axis():
    scenario, tables = dose_case()
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    limits = {ax.get_xlim() for ax in _panels(fig)}
    assert len(limits) == 1
    texts = _all_texts(fig)
    assert {"none", "mild", "moderate", "marked"} <= set(texts)


def test_edge_markers_are_drawn_whole():
    """The dose axis ends at the last dose: its markers are not cut in half by the panel, while a
    curve that runs out of its panel's view stays clipped."""
    from matplotlib.figure import Figure

    from sim.plotting.layout import _keep_edge_markers_whole

    scenario, tables = dose_case()
    fig = plotting.scenario_figure(scenario, tables)
    marked = [line for _, line in _data_lines(fig) if line.get_marker() not in ("", "None", None)]
    assert marked and not any(line.get_clip_on() for line in marked)

    fig = Figure()
    ax = fig.add_subplot()
    (inside,) = ax.plot([0, 1, 2], [0, 1, 2], marker="o")
    (outside,) = ax.plot([0, 1, 2], [0, 3, 1], marker="s")
    (plain,) = ax.plot([0, 2], [1, 1])
    (gapped,) = ax.plot([0, 1, 2], [0, np.nan, 2], marker="^")  # NaN is not drawn: still inside
    dots = ax.scatter([0, 2], [0, 2])
    far_dots = ax.scatter([0, 5], [0, 2])
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    _keep_edge_markers_whole(fig)
    assert not inside.get_clip_on() and not gapped.get_clip_on() and not dots.get_clip_on()
    assert outside.get_clip_on() and plain.get_clip_on() and far_dots.get_clip_on()


# -- figures a lecturer can show without explaining them away ----------------------------


def withdrawal_case():
    """Weeks of infusion, then a stop: the reflex rebounds above 1 at the right-hand end, where a
    reference label used to sit, and receptor availability ends just under 1."""
    scenario = _scenario("course", [("intrathecal", "Intrathecal, stopped on day 28")],
                         ["csf_ng_ml", "receptor_availability", "reflex_gain_rel", "spasm_index"],
                         "Stopping intrathecal baclofen abruptly: the reflex rebounds above its "
                         "untreated level")
    t = np.arange(0.0, 1008.0 + 1.0, 1.0)
    on = t < 672.0
    after = np.clip(t - 672.0, 0.0, None)

    def make(arm):
        csf = np.where(on, 550.0 * (1 - np.exp(-t / 2)), 550.0 * np.exp(-after / 2))
        availability = np.where(on, 1 - 0.35 * (1 - np.exp(-t / 72)),
                                1 - 0.35 * np.exp(-after / 72))
        gain = np.where(on, np.exp(-t / 2), 1.0 + 0.13 * np.exp(-after / 120)
                        - np.exp(-after / 6))
        spasm = np.where(on, 0.0, 80.0 * np.exp(-after / 100) * (1 - np.exp(-after / 6)))
        return {"csf_ng_ml": csf, "receptor_availability": availability,
                "reflex_gain_rel": gain, "spasm_index": spasm}

    return scenario, {"course": _arm_table("t_h", t, scenario.arms, make)}


def _line_points(line):
    """Pixel points densely along a drawn line (steps expanded), and its half-width in pixels."""
    from matplotlib.cbook import STEP_LOOKUP_MAP

    xy = np.asarray(line.get_xydata(), dtype=float)
    if line.get_drawstyle() not in ("default", None):
        xy = np.column_stack(STEP_LOOKUP_MAP[line.get_drawstyle()](xy[:, 0], xy[:, 1]))
    with np.errstate(all="ignore"):
        pixels = line.get_transform().transform(xy)
    fractions = np.linspace(0.0, 1.0, 60)[:, None]
    dense = [a + fractions * (b - a) for a, b in zip(pixels[:-1], pixels[1:], strict=True)
             if np.all(np.isfinite(a)) and np.all(np.isfinite(b))]
    dense.append(pixels[np.all(np.isfinite(pixels), axis=1)])
    width = max(line.get_linewidth(), line.get_markersize() if line.get_marker() not in
                ("", "None", None) else 0.0)
    return np.concatenate(dense), 0.5 * width * line.figure.dpi / 72.0


def _covers_data(ax, text):
    box = text.get_window_extent()
    for _, line in [(ax, line) for line in _data_lines_of(ax)]:
        points, half = _line_points(line)
        inside = ((points[:, 0] >= box.x0 - half) & (points[:, 0] <= box.x1 + half)
                  & (points[:, 1] >= box.y0 - half) & (points[:, 1] <= box.y1 + half))
        if inside.any():
            return line.get_label()
    return None


def _reference_labels(fig):
    return [(ax, t) for ax in _panels(fig) for t in ax.texts
            if t.get_gid() in ("reference-label", "free-text")]


@pytest.mark.parametrize("case", [withdrawal_case, mechanisms_case, dose_case, mechanism_case,
                                  course_case], ids=lambda c: c.__name__)
def test_reference_labels_sit_where_no_data_are(case):
    """"untreated level" / "drug-free" (and the burst-ratio note) cover no data line, legend or
    other text, and stay inside their panel."""
    scenario, tables = case()
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    labels = _reference_labels(fig)
    assert labels
    for ax, label in labels:
        assert _covers_data(ax, label) is None, (label.get_text(), _covers_data(ax, label))
        box = label.get_window_extent()
        legend = ax.get_legend()
        if legend is not None:
            assert not box.overlaps(legend.get_window_extent()), label.get_text()
        for other in ax.texts:
            if other is not label and other.get_text().strip():
                assert not box.overlaps(other.get_window_extent()), (label.get_text(),
                                                                     other.get_text())
        assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 + 0.1 * fig.bbox.width


def test_withdrawal_label_leaves_the_rebound_peak_free():
    scenario, tables = withdrawal_case()
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    gain_ax = _panels(fig)[2]
    (label,) = [t for t in gain_ax.texts if t.get_gid() == "reference-label"]
    assert label.get_text() == "untreated level"
    # the rebound (above 1, after day 28) is in the right third: the label is not over it
    peak_day = _time(tables["course"])[np.argmax(tables["course"]["reflex_gain_rel[intrathecal]"])]
    x0, x1 = gain_ax.transData.inverted().transform(label.get_window_extent())[:, 0]
    assert not x0 <= peak_day <= x1


def test_coinciding_arms_stay_visible():
    """Presynaptic-only and both give the same release, postsynaptic-only and both the same GIRK
    conductance: the line underneath is wider, the markers take turns, and the legend keys keep
    the plain arm style."""
    scenario, tables = mechanisms_case()
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    pairs = 0
    for ax in _panels(fig):
        lines = _data_lines_of(ax)
        for i, lower in enumerate(lines):
            for upper in lines[i + 1:]:
                y_lo, y_up = np.asarray(lower.get_ydata()), np.asarray(upper.get_ydata())
                if not np.allclose(y_lo, y_up):
                    continue
                pairs += 1
                assert lower.get_linewidth() > upper.get_linewidth() * 1.5, ax.get_title(loc="left")
                n = y_lo.size
                shown = [set(range(n)[slice(*m[:1], None, m[1])]) for m in
                         (lower.get_markevery(), upper.get_markevery())]
                assert shown[0] and shown[1] and not shown[0] & shown[1]
                style = [(li.get_color(), li.get_linestyle(), li.get_linewidth(),
                          str(li.get_markevery())) for li in (lower, upper)]
                assert style[0] != style[1]
        # nothing drawn inside the axis line: a series at 0 sits above the bottom of the panel
        low = ax.get_ylim()[0]
        for line in lines:
            assert np.nanmin(line.get_ydata()) > low, line.get_label()
    assert pairs == 2  # release: pre = both; GIRK: post = both
    legend = next(legend for legend in (ax.get_legend() for ax in fig.axes) if legend is not None)
    widths = {handle.get_linewidth() for handle in legend.legend_handles}
    assert widths == {2.5}
    assert not any(isinstance(handle.get_markevery(), tuple) for handle in legend.legend_handles)


def test_distinct_arms_keep_their_style():
    """Curves that do not coincide are left as drawn (no widening, markers on every point)."""
    scenario, tables = mechanisms_case()
    fig = plotting.scenario_figure(scenario, tables)
    h_ax = _panels(fig)[0]
    post = _find_line(fig, tables["concentration"].axis,
                      tables["concentration"]["h_reflex_ratio[postsynaptic]"], "Postsynaptic only")
    assert post is not None and post.get_linewidth() == 2.5
    assert post.get_markevery() is None
    assert h_ax.get_lines()


def two_arm_dose_case():
    scenario, tables = dose_case()
    scenario.arms = (*scenario.arms, SimpleNamespace(name="impaired kidneys",
                                                     label="Spastic patient, impaired kidneys"))
    dose = tables["dose"].axis
    rows = []
    for factor in (1.0, 3.0):
        index = np.clip(factor * dose / (dose + 150), 0.0, 1.0)
        rows.append({"reflex_gain_rel": 1 - 0.7 * dose / (dose + 20),
                     "voluntary_force_rel": 1 - 0.3 * dose / (dose + 100),
                     "sedation_index": index, "sedation_band": _bands(index)})
    series = {name: np.stack([row[name] for row in rows]) for name in rows[0]}
    table = Result("daily_dose_mg", dose, series,
                   batch_labels={"arm": tuple(arm.name for arm in scenario.arms)})
    return scenario, {"dose": table}


def _is_number(text):
    try:
        float(text.replace("−", "-").replace(",", ""))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("case", [dose_case, two_arm_dose_case], ids=lambda c: c.__name__)
def test_sedation_index_panel_shows_bands_only(case):
    """The dose-response sedation panel is a categorical none / mild / moderate / marked axis:
    named ticks, no numbers, and each arm's line sits in the row of its band at every dose."""
    scenario, tables = case()
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    ax = _panels(fig)[scenario.figure["panels"].index("sedation_index")]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == list(plotting.SEDATION_BANDS)
    assert not any(_is_number(t) for t in ticks)
    assert not [t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()]
    assert "index" not in ax.get_ylabel().lower()
    assert not any(_is_number(t.get_text()) for t in ax.texts if t.get_text().strip()
                   and t.get_gid() != plotting._LETTER_GID)
    table = tables["dose"]
    lines = _data_lines_of(ax)
    assert len(lines) == len(scenario.arms)
    for line, arm in zip(lines, scenario.arms, strict=True):
        assert line.get_label() == arm.label
        np.testing.assert_array_equal(line.get_xdata(), table.axis)
        levels = [plotting.SEDATION_BANDS.index(b) for b in table[f"sedation_band[{arm.name}]"]]
        y = np.asarray(line.get_ydata())
        np.testing.assert_array_equal(np.round(y), levels)
        assert np.all(np.abs(y - levels) < 0.25)  # inside the band's row
    if len(lines) > 1:  # two arms in the same band are side by side, not on top of each other
        assert not np.allclose(lines[0].get_ydata(), lines[1].get_ydata())


def test_cascade_panel_is_logarithmic_and_shows_the_single_pulse():
    scenario, tables = mechanism_case()
    cascade = tables["gabab_cascade"]
    # as in the model: a burst gives thousands of times the single-pulse response
    tables["gabab_cascade"] = Result("t_ms", cascade.axis,
                                     {"single_pulse": cascade["single_pulse"],
                                      "burst": 5000 * cascade["single_pulse"]})
    fig = plotting.scenario_figure(scenario, tables)
    fig.draw_without_rendering()
    ax = _panels(fig)[2]
    assert ax.get_yscale() == "log"
    assert "log" in ax.get_ylabel()
    single = _find_line(fig, cascade.axis, cascade["single_pulse"], "1 pulse")
    assert single is not None
    peak = np.max(cascade["single_pulse"])
    low, high = ax.get_ylim()
    assert low < peak < high
    # the single-pulse peak stands well clear of the bottom of the panel
    _, y_peak = ax.transAxes.inverted().transform(ax.transData.transform((0.0, peak)))
    assert y_peak > 0.15
    assert any("5,000× one pulse" in t.get_text() for t in ax.texts)


def test_scenario_figure_saves(tmp_path):
    scenario, tables = course_case()
    fig = plotting.scenario_figure(scenario, tables)
    (png,) = plotting.save_figure(fig, tmp_path / "routes", formats="png", dpi=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_scenario_figure_rejects_bad_input():
    scenario, tables = course_case(panels=("not_a_series",))
    with pytest.raises(plotting.ParameterError, match="not_a_series"):
        plotting.scenario_figure(scenario, tables)
    scenario.kind = "opera"
    with pytest.raises(plotting.ParameterError, match="opera"):
        plotting.scenario_figure(scenario, tables)


# -- multiscale figure and animation --------------------------------------------------


def _probe(size):
    t = np.arange(0.0, 400.0, 2.0)
    angle = np.clip((t - 50) * 0.12, 0, 20)
    burst = size * np.exp(-(((t - 140) / 35) ** 2))
    return Result("t_ms", t, {"angle_deg": angle, "emg": burst, "torque_nm": 5 + angle + 100 * burst},
                  units={"angle_deg": "deg", "emg": "1", "torque_nm": "N·m"})


def _day():
    t = np.arange(0.0, 24.25, 0.25)
    phase = np.mod(t, 8.0)
    level = 10 + 20 * (np.exp(-0.2 * phase) - np.exp(-1.5 * phase)) + 0.05 * t
    return Result("t_h", t, {"spinal_effect_ng_ml": level[None], "plasma_ng_ml": 10 * level[None]},
                  batch_labels={"arm": ("oral",)})


def test_multiscale_figure_places_probes_at_trough_and_peak():
    course = _day()
    probes = {"trough": _probe(0.5), "peak": _probe(0.2)}
    fig = plotting.multiscale_figure(course, probes, arm="oral")
    fig.draw_without_rendering()
    assert "reflex" in fig.get_suptitle().lower()
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    main = fig.axes[0]
    level = course["spinal_effect_ng_ml[oral]"]
    assert _find_line(fig, course.axis, level) is not None
    for probe in probes.values():
        assert _find_line(fig, probe.axis, probe["emg"]) is not None
    # insets share their y-range so the sizes compare honestly
    insets = main.child_axes
    assert len(insets) == 2
    assert len({ax.get_ylim() for ax in insets}) == 1
    # the trough marker sits at the lowest level, the peak marker at the highest
    markers = {line.get_label(): (line.get_xdata()[0], line.get_ydata()[0])
               for line in main.get_lines() if line.get_gid() == "probe-marker"}
    assert markers["trough"][1] == pytest.approx(level.min())
    assert markers["peak"][1] == pytest.approx(level.max())


def test_multiscale_figure_accepts_explicit_times():
    course = _day()
    fig = plotting.multiscale_figure(course, {"trough": _probe(0.5), "peak": _probe(0.2)},
                                     arm="oral", series="plasma_ng_ml",
                                     times_h={"trough": 8.0, "peak": 9.0})
    main = fig.axes[0]
    markers = {line.get_label(): line.get_xdata()[0] for line in main.get_lines()
               if line.get_gid() == "probe-marker"}
    assert markers == {"trough": 8.0, "peak": 9.0}
    # probes an hour apart: their insets move apart, ticks and headings included
    fig.draw_without_rendering()
    left, right = sorted((ax.get_tightbbox() for ax in main.child_axes), key=lambda box: box.x0)
    assert right.x0 - left.x1 > 5.0  # pixels between them
    _assert_texts_apart(fig)


def test_gallery_multiscale_probes_one_dosing_interval():
    """The gallery's multiscale figure probes the trough and the peak of the middle dosing interval
    (56–64 h), not a tied trough on the panel's edge."""
    from sim.gallery import multiscale_data

    course, probes = multiscale_data()
    inside = (course.axis >= 56.0) & (course.axis < 64.0)
    level = course["spinal_effect_ng_ml"]
    assert 56.0 <= probes["trough"].meta["t_h"] < probes["peak"].meta["t_h"] < 64.0
    assert probes["trough"].meta["spinal_effect_ng_ml"] == pytest.approx(level[inside].min())
    assert probes["peak"].meta["spinal_effect_ng_ml"] == pytest.approx(level[inside].max())
    # the claim of its title: the reflex is smaller at the peak than at the trough
    assert np.max(probes["peak"]["emg"]) < np.max(probes["trough"]["emg"])


def test_reflex_animation_frames_carry_the_label():
    fig, draw, n_frames = plotting.reflex_animation(_probe(0.6), _probe(0.2), n_frames=10)
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    draw(n_frames - 1)
    before_emg = _find_line(fig, _probe(0.6).axis, _probe(0.6)["emg"])
    assert before_emg is not None  # the last frame shows the whole trace


def test_animate_reflex_writes_a_small_deterministic_gif(tmp_path):
    from PIL import Image

    path = plotting.animate_reflex(_probe(0.6), _probe(0.2), tmp_path / "reflex.gif", fps=10,
                                   n_frames=12)
    data = path.read_bytes()
    assert data[:6] == b"GIF89a"
    assert len(data) < 2_000_000
    with Image.open(path) as image:
        assert image.n_frames == 12
    again = plotting.animate_reflex(_probe(0.6), _probe(0.2), tmp_path / "again.gif", fps=10,
                                    n_frames=12)
    assert again.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.gif", "reflex.gif"]


def test_animate_reflex_rejects_bad_input(tmp_path):
    with pytest.raises(plotting.ParameterError, match="gif"):
        plotting.animate_reflex(_probe(0.6), _probe(0.2), tmp_path / "reflex.mp4")
    with pytest.raises(plotting.ParameterError, match="n_frames"):
        plotting.animate_reflex(_probe(0.6), _probe(0.2), tmp_path / "r.gif", n_frames=500)


# -- a real scenario through the runner ------------------------------------------------


@pytest.mark.parametrize("name", ["mechanisms-compared"])
def test_real_scenario_figure_draws_the_runner_tables(name):
    runner = pytest.importorskip("sim.runner")
    from sim import scenario as scenarios

    scenario = scenarios.load(name)
    tables = runner.run_tables(scenario)
    for table in tables.values():  # the arms are the labelled batch axis of every table
        assert table.batch_labels == {"arm": tuple(arm.name for arm in scenario.arms)}
    fig = plotting.scenario_figure(scenario, tables)
    _check_figure(fig, scenario, tables)
    for ax, label in _reference_labels(fig):
        assert _covers_data(ax, label) is None, label.get_text()
    # coinciding arms (release: presynaptic = both; GIRK: postsynaptic = both) stay visible
    for ax in _panels(fig):
        lines = _data_lines_of(ax)
        for i, lower in enumerate(lines):
            for upper in lines[i + 1:]:
                if np.allclose(lower.get_ydata(), upper.get_ydata()):
                    assert lower.get_linewidth() > upper.get_linewidth()
                    assert lower.get_markevery() != upper.get_markevery()


def test_clonus_arms_with_the_same_beat_count_stay_visible():
    """Healthy and moderate never beat, and no arm beats at the highest levels: there the earlier
    arm's marker is drawn larger (a ring around the later one) and its line wider, so all three show."""
    from sim import runner
    from sim import scenario as scenarios

    scenario = scenarios.load("clonus")
    tables = runner.run_tables(scenario)
    fig = plotting.scenario_figure(scenario, tables)
    (ax,) = [ax for ax in fig.axes if ax.get_ylabel().startswith("Clonus beats")]
    sizes = [collection.get_sizes() for collection in ax.collections]
    counts = [np.asarray(tables["levels"].select(arm=arm.name)["beats"]) for arm in scenario.arms]
    assert len(sizes) == len(counts) == 3
    for i in range(3):
        for j in range(i + 1, 3):
            same = np.isclose(counts[i], counts[j])
            assert same.any()
            assert np.all(sizes[i][same] > sizes[j][same])
    assert np.all(sizes[2] == sizes[2][0])  # the last arm keeps the plain size everywhere
    widths = [line.get_linewidth() for line in ax.get_lines() if line.get_gid() != plotting._REFERENCE_GID]
    assert widths[0] > widths[1]  # healthy under moderate: both zero at every level


def _builtin_names():
    from sim.scenario import builtin_names

    return builtin_names()


@pytest.mark.slow
@pytest.mark.parametrize("name", _builtin_names())
def test_every_gallery_figure_keeps_its_texts_apart(name):
    """With the real tables, no label, heading or legend of a scenario figure runs off the slide or
    into another (the cord-level axis label once ran into its neighbours)."""
    from sim import runner
    from sim import scenario as scenarios

    scenario = scenarios.load(name)
    fig = plotting.scenario_figure(scenario, runner.run_tables(scenario))
    fig.draw_without_rendering()
    _assert_texts_apart(fig)


def test_animation_is_slide_sized_by_default(tmp_path):
    """The gallery's animation is at least 1280 × 720 px (a slide) and still small."""
    from PIL import Image

    path = plotting.animate_reflex(_probe(0.6), _probe(0.2), tmp_path / "slide.gif", n_frames=6)
    with Image.open(path) as image:
        assert image.size[0] >= 1280 and image.size[1] >= 720
    assert path.stat().st_size < 2_000_000


def test_handout_pages_carry_the_statement_and_fit(tmp_path):
    """Every handout page – cover included – carries the educational-only statement; the body text
    stays above the footer; the PDF has one page per figure plus the cover and is byte-identical
    when written twice."""
    import numpy as np
    from PIL import Image

    from sim.fileio import EDUCATIONAL_STATEMENT
    from sim.plotting.handout import HandoutPage, handout_figures

    image = tmp_path / "a.png"
    Image.fromarray(np.full((450, 800, 3), 230, dtype=np.uint8)).save(image)
    long = tuple(f"Point {i}: " + "a long note " * 12 for i in range(8))
    pages = [HandoutPage(title=f"Figure {i}", image=image, caption="Caption " * 30, notice=long,
                         questions=long[:4]) for i in range(3)]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figures = list(handout_figures(pages))
    assert len(figures) == 4
    for fig in figures:
        assert any(t.get_text() == EDUCATIONAL_STATEMENT for t in fig.texts)
    for fig in figures[1:]:
        renderer = FigureCanvasAgg(fig).get_renderer()
        footer = next(t for t in fig.texts if t.get_text() == EDUCATIONAL_STATEMENT)
        body = next(t for t in fig.texts if t.get_text().startswith("Caption"))
        assert body.get_window_extent(renderer).y0 > footer.get_window_extent(renderer).y1
    first = plotting.write_handout(pages, tmp_path / "h.pdf")
    again = plotting.write_handout(pages, tmp_path / "h2.pdf")
    assert plotting.page_count(first) == 4 and first.read_bytes() == again.read_bytes()
    with pytest.raises(plotting.ParameterError, match="must end in .pdf"):
        plotting.write_handout(pages, tmp_path / "h.txt")
    with pytest.raises(plotting.ParameterError, match="does not exist"):
        plotting.write_handout([HandoutPage(title="x", image=tmp_path / "missing.png")], tmp_path / "m.pdf")
    assert not (tmp_path / "m.pdf").exists()
