"""Tests of sim.plotting: lazy import, rendering, the educational label, reproducible files."""

from __future__ import annotations

import ast
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from sim import plotting
from sim.errors import ParameterError
from sim.fileio import EDUCATIONAL_LABEL
from sim.result import Result

FORBIDDEN = ("probability", "%", "risk of")


def _all_texts(fig):
    """Every text string drawn in *fig* (figure texts, suptitle, axes texts, labels, legends)."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def _close(fig):
    # Figures are built with the object API (no pyplot), so dropping them is enough;
    # clear explicitly to release memory promptly.
    fig.clear()


@pytest.fixture
def course():
    t = np.linspace(0.0, 12.0, 49)
    plasma = 300.0 * (np.exp(-0.2 * t) - np.exp(-1.5 * t))
    batch = np.stack([plasma, 2 * plasma, 3 * plasma])
    bands = np.where(plasma > 150, "moderate", np.where(plasma > 60, "mild", "none"))
    return Result(
        "t_h", t,
        {"plasma_ng_ml": plasma, "csf_ng_ml": batch / 10, "sedation_band": bands,
         "reflex_gain_rel": 1 - plasma / 400},
        units={"plasma_ng_ml": "ng/mL", "csf_ng_ml": "ng/mL", "reflex_gain_rel": "1"},
    )


# -- import ---------------------------------------------------------------------


def test_import_does_not_import_matplotlib():
    code = (
        "import sys, sim.plotting\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


PLOTTING_MODULES = sorted(Path(plotting.__file__).parent.glob("*.py"))


def test_only_plotting_imports_matplotlib():
    """Static figures live in the plotting package; the interactive explorer (a GUI) is the one
    other module allowed to use matplotlib, and only inside functions (never at import time)."""
    package = Path(plotting.__file__).parent.parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path in PLOTTING_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] == "matplotlib" for name in names):
                top_level = node in tree.body
                if path.name != "explorer.py" or top_level:
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("path", PLOTTING_MODULES, ids=lambda p: p.name)
def test_no_show_or_pyplot_in_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n.func.attr for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    assert "show" not in calls
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not any("pyplot" in name for name in imported)
    # matplotlib is imported inside functions only, never at module level
    assert not any("matplotlib" in (getattr(n, "module", "") or "") or any(
        "matplotlib" in a.name for a in getattr(n, "names", []))
        for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def test_package_reexports_the_public_names():
    for name in plotting.__all__:
        assert getattr(plotting, name) is not None, name
    assert set(plotting.FIGURE_BUILDERS) == {"mechanism", "reflex", "dose-response", "course",
                                             "mechanisms", "population", "sensitivity", "clonus", "antispastics"}
    assert plotting.STYLE_PATH.is_file()


# -- arm styles and labels ------------------------------------------------------------


REQUIRED_ARMS = ("drug-free", "healthy", "spastic", "oral", "intrathecal", "normal kidneys",
                 "impaired kidneys", "presynaptic", "postsynaptic", "both", "racemic", "R", "S")
COMPARED = [("healthy", "spastic"), ("oral", "intrathecal"), ("normal kidneys", "impaired kidneys"),
            ("presynaptic", "postsynaptic", "both"), ("racemic", "R", "S")]


@pytest.mark.parametrize("name", REQUIRED_ARMS)
def test_arm_style_entries(name):
    style = plotting.arm_style(name)
    assert set(style) == {"color", "linestyle", "marker", "label"}
    assert style["color"].upper() in {c.upper() for c in plotting.OKABE_ITO.values()}
    assert style["color"].upper() != plotting.OKABE_ITO["yellow"]  # invisible on a projector


@pytest.mark.parametrize("group", COMPARED)
def test_compared_arms_differ_in_greyscale(group):
    styles = [plotting.arm_style(name) for name in group]
    for key in ("color", "linestyle", "marker"):
        assert len({str(s[key]) for s in styles}) == len(group), key
    reference = plotting.arm_style("drug-free")["linestyle"]
    for other in group:
        assert plotting.arm_style(other)["linestyle"] != reference


def test_arm_style_fallback_is_deterministic_and_normalised():
    assert plotting.arm_style("Impaired_Kidneys") == plotting.arm_style("impaired kidneys")
    first = plotting.arm_style("cohort B")
    assert first == plotting.arm_style("cohort B")
    assert first["label"] == "cohort B"
    expected = plotting._FALLBACK_CYCLE[zlib.crc32(b"cohort B") % len(plotting._FALLBACK_CYCLE)]
    assert (first["color"], first["linestyle"], first["marker"]) == expected
    first["color"] = "red"  # a copy: the table is not changed
    assert plotting.arm_style("cohort B")["color"] != "red"
    with pytest.raises(ParameterError):
        plotting.arm_style("")


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("plasma_ng_ml", "ng/mL", "Plasma concentration (ng/mL)"),
        ("csf_ng_ml", None, "CSF concentration (ng/mL)"),
        ("girk_conductance_ns", "nS", "GIRK K⁺ conductance (nS)"),
        ("angle_deg", "deg", "Joint angle (°)"),
        ("t_ms", "ms", "Time (ms)"),
        ("sedation_index", "1", "Sedation index (qualitative)"),
        ("reflex_gain_rel", "1", "Stretch-reflex gain (relative)"),
        ("soleus_rate_hz", "", "Soleus rate (Hz)"),
        ("ramp_velocity_deg_s", None, "Ramp velocity (°/s)"),
        ("stiffness_rel", None, "Stiffness (relative)"),
        ("something", None, "Something"),
    ],
)
def test_axis_label(name, unit, expected):
    assert plotting.axis_label(name, unit) == expected


def test_series_labels_cover_the_common_names():
    common = ("plasma_ng_ml csf_ng_ml spinal_effect_ng_ml brain_ng_ml receptor_availability "
              "activation_spinal activation_brain ca_influx_rel release_rel girk_conductance_ns "
              "reflex_gain_rel threshold_angle_deg h_reflex_ratio spasm_index voluntary_force_rel "
              "tone_discomfort_rel nociceptive_signal_rel sedation_index ia_rate_hz glutamate_mm "
              "mn_rate_hz emg force_n torque_nm angle_deg").split()
    assert set(common) <= set(plotting.SERIES_LABELS)
    for name in common:
        assert not any(word in plotting.axis_label(name).lower() for word in FORBIDDEN)


# -- figures and the educational label ------------------------------------------------


def test_new_figure_has_title_label_and_letters():
    fig, axes = plotting.new_figure(2, 2, title="Take-home message")
    assert axes.shape == (2, 2)
    assert fig.get_suptitle() == "Take-home message"
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    letters = plotting.panel_letters(axes)
    assert [t.get_text() for t in letters] == ["A", "B", "C", "D"]
    plotting.panel_letters(axes)  # idempotent: still one letter per panel
    assert sum(t.get_text() == "A" for t in axes[0, 0].texts) == 1
    plotting.add_educational_label(fig)
    assert [t.get_text() for t in fig.texts].count(EDUCATIONAL_LABEL) == 1
    _close(fig)


def test_style_is_large_and_thick():
    fig, ax = plotting.new_figure(title="Style")
    (line,) = ax.plot([0, 1], [0, 1])
    assert line.get_linewidth() >= 2.5
    fig.draw_without_rendering()
    assert ax.xaxis.get_major_ticks()[0].label1.get_fontsize() >= 14
    assert ax.xaxis.label.get_fontsize() >= 14
    assert fig.get_size_inches()[0] / fig.get_size_inches()[1] == pytest.approx(16 / 9)
    _close(fig)


def test_schematic_renders_and_teaches():
    ax = plotting.reflex_arc_schematic()
    fig = ax.figure
    fig.draw_without_rendering()
    texts = " ".join(_all_texts(fig))
    for phrase in ("Muscle spindle", "Ia afferent", "Dorsal root", "α-motoneuron", "Motor axon",
                   "Joint", "Brain", "Descending inhibitory", "GABA-B", "Ca²⁺", "glutamate",
                   "GIRK K⁺", "drowsiness", "dizziness", "weakness", "Not a painkiller",
                   "extrafusal", EDUCATIONAL_LABEL):
        assert phrase in texts, phrase
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    _close(fig)


def test_schematic_on_given_axes_adds_label():
    fig, ax = plotting.new_figure(title="Schematic")
    fig.texts.clear()
    assert plotting.reflex_arc_schematic(ax) is ax
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    _close(fig)


def _schematics():
    return {"reflex arc": plotting.reflex_arc_schematic, "GABA-B receptor": plotting.gabab_receptor_schematic}


def _inside_ellipse(box, ellipse):
    """Whether every corner of a pixel *box* lies inside a drawn *ellipse* patch."""
    corners = np.array([[box.x0, box.y0], [box.x0, box.y1], [box.x1, box.y0], [box.x1, box.y1]])
    return all(ellipse.contains_point(corner) for corner in corners)


@pytest.mark.parametrize("name", list(_schematics()))
def test_schematic_text_does_not_overlap(name):
    """Texts do not touch one another, a text written on an ellipse (Gi/o, adenylyl cyclase) stays
    inside it, a numbered disc covers no text and no other disc or dot (the Ca²⁺ ions once sat under
    one), and nothing is cut off at the edge of the slide."""
    from matplotlib.patches import Ellipse

    ax = _schematics()[name]()
    fig = ax.figure
    fig.draw_without_rendering()
    texts = [t for t in ax.texts if t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent()) for t in texts]
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1:]:
            # digits sit on their own green disc; other texts must not touch
            if text_a.isdigit() or text_b.isdigit():
                continue
            assert not a.overlaps(b), (text_a, text_b)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]  # circles are ellipses too
    for text in texts:
        x, y = text.get_position()
        under = [e for e in ellipses if np.allclose(e.center, (x, y)) and e.get_zorder() < text.get_zorder()]
        if text.get_text().isdigit():
            (disc,) = under
            box = disc.get_window_extent()
            # other discs and dots may touch it, not overlap (it may sit on a larger structure)
            for other in ellipses:
                if other is not disc and other.width == other.height:
                    gap = np.hypot(*np.subtract(disc.center, other.center)) - disc.width / 2 - other.width / 2
                    assert gap >= -1e-9, (name, text.get_text(), other.center)
            for other_text, other_box in boxes:
                if not other_text.isdigit():
                    assert not box.overlaps(other_box), (name, text.get_text(), other_text)
        elif under and text.get_horizontalalignment() == "center":
            assert _inside_ellipse(text.get_window_extent(), under[0]), (name, text.get_text())
    for text in [*ax.texts, *fig.texts]:
        box = text.get_window_extent()
        assert box.x0 >= 0 and box.y0 >= 0, text.get_text()
        assert box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, text.get_text()
    _close(fig)


# -- saving -----------------------------------------------------------------------------


def _line_figure():
    fig, ax = plotting.new_figure(title="A reproducible figure")
    ax.plot([0, 1, 2], [0, 1, 4], label="x")
    ax.legend()
    return fig


def test_save_embeds_label_in_image_and_metadata(tmp_path):
    fig = _line_figure()
    paths = plotting.save_figure(fig, tmp_path / "sub" / "fig", metadata={"Title": "Line"})
    assert [p.name for p in paths] == ["fig.png", "fig.svg", "fig.pdf"]
    png, svg, pdf = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG")
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - PIL comes with matplotlib
        assert EDUCATIONAL_LABEL.encode("utf-8") in png
    else:
        with Image.open(paths[0]) as image:
            info = image.text
        assert info["Disclaimer"] == EDUCATIONAL_LABEL
        assert EDUCATIONAL_LABEL in info["Description"]
        assert info["Title"] == "Line"
        assert not any("date" in key.lower() or "time" in key.lower() for key in info)
    svg_text = svg.decode("utf-8")
    assert "<metadata>" in svg_text
    assert f"<dc:description>{EDUCATIONAL_LABEL}" in svg_text
    assert f"<!-- {EDUCATIONAL_LABEL} -->" in svg_text  # the in-image text
    assert "<dc:date>" not in svg_text
    assert b"/Subject" in pdf and b"/Keywords" in pdf
    assert b"\xfe\xff" + EDUCATIONAL_LABEL.encode("utf-16-be") in pdf
    assert b"(" + EDUCATIONAL_LABEL.replace("–", "-").encode("ascii") in pdf  # plain ASCII
    assert b"/CreationDate" not in pdf
    _close(fig)


def test_save_is_byte_identical(tmp_path):
    fig = _line_figure()
    first = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "a")]
    second = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "b")]
    assert first == second
    # a freshly built, identical figure gives the same SVG and PDF too
    third = [p.read_bytes() for p in plotting.save_figure(_line_figure(), tmp_path / "c")]
    assert first[1:] == third[1:]
    _close(fig)


def test_pdf_text_stays_text(tmp_path):
    """Every PDF font carries a ToUnicode map and no glyph is drawn as a picture (XObject form),
    so all text – µ, ², ⁺, →, α included – can be selected and searched."""
    import re

    fig, ax = plotting.new_figure(title="Ca²⁺ entry → release onto the α-motoneuron at 5 µM")
    ax.set_xlabel("Time (ms)")
    (path,) = plotting.save_figure(fig, tmp_path / "text", formats="pdf")
    raw = path.read_bytes()
    fonts = re.findall(rb"/Subtype /(?:Type3|Type0|TrueType)\b", raw)
    assert fonts and raw.count(b"/ToUnicode") == len(fonts)
    assert b"/Subtype /Form" not in raw
    _close(fig)


def test_multi_panel_figure_saves_reproducibly(tmp_path, course):
    fig, axes = plotting.new_figure(1, 2, title="Two panels")
    plotting.plot_series(course, "plasma_ng_ml", ax=axes[0], arm="oral")
    plotting.sedation_bands(axes[1], (0.2, 0.5, 0.8))
    plotting.panel_letters(axes)
    axes[0].legend()
    a = plotting.save_figure(fig, tmp_path / "p1", formats=("svg", "pdf"))
    b = plotting.save_figure(fig, tmp_path / "p2", formats=("svg", "pdf"))
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    _close(fig)


def test_schematic_saves_reproducibly(tmp_path):
    ax = plotting.reflex_arc_schematic()
    a = plotting.save_figure(ax.figure, tmp_path / "arc1", formats=("svg", "pdf"))
    b = plotting.save_figure(ax.figure, tmp_path / "arc2", formats=("svg", "pdf"))
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    _close(ax.figure)


def test_save_adds_missing_label(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1])
    (path,) = plotting.save_figure(fig, tmp_path / "bare.svg", formats="svg")
    assert path.name == "bare.svg"
    assert EDUCATIONAL_LABEL in [t.get_text() for t in fig.texts]
    assert f"<!-- {EDUCATIONAL_LABEL} -->" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad", ["jpg", ("png", "tiff"), ()])
def test_bad_format_raises(tmp_path, bad):
    fig = _line_figure()
    with pytest.raises(ParameterError) as error:
        plotting.save_figure(fig, tmp_path / "x", formats=bad)
    message = str(error.value)
    if bad:
        assert ("'jpg'" if bad == "jpg" else "'tiff'") in message
    for fmt in ("'png'", "'svg'", "'pdf'"):
        assert fmt in message
    assert list(tmp_path.iterdir()) == []
    _close(fig)


def test_bad_metadata_and_dpi_raise(tmp_path):
    fig = _line_figure()
    with pytest.raises(ParameterError, match="'Date'"):
        plotting.save_figure(fig, tmp_path / "x", metadata={"Date": "today"})
    with pytest.raises(ParameterError, match="dpi"):
        plotting.save_figure(fig, tmp_path / "x", dpi=0)
    _close(fig)


# -- plots of a Result --------------------------------------------------------------------


def test_plot_series_hands_over_the_result_data(course):
    ax = plotting.plot_series(course, "plasma_ng_ml", arm="oral")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), course.t_h)
    np.testing.assert_array_equal(line.get_ydata(), course.plasma_ng_ml)
    style = plotting.arm_style("oral")
    assert line.get_color() == style["color"] and line.get_marker() == style["marker"]
    assert line.get_label() == style["label"]
    assert ax.get_xlabel() == "Time (h)"
    assert ax.get_ylabel() == "Plasma concentration (ng/mL)"
    assert EDUCATIONAL_LABEL in [t.get_text() for t in ax.figure.texts]
    ax.figure.draw_without_rendering()
    _close(ax.figure)


def test_plot_series_batch(course):
    fig, ax = plotting.new_figure(title="Batch")
    assert plotting.plot_series(course, "csf_ng_ml", ax=ax, arm="intrathecal") is ax
    lines = ax.get_lines()
    assert len(lines) == 3
    for row, line in zip(course.csf_ng_ml, lines, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), row)
    assert [line.get_label().startswith("_") for line in lines] == [False, True, True]
    ax2 = plotting.plot_series(course, "csf_ng_ml", batch_index=1, color="k")
    (line,) = ax2.get_lines()
    np.testing.assert_array_equal(line.get_ydata(), course.csf_ng_ml[1])
    assert line.get_color() == "k"
    fig.draw_without_rendering()
    _close(fig)
    _close(ax2.figure)


def test_plot_series_rejects_summaries():
    r = Result("t_ms", [0.0, 1.0], {"emg": [0.0, 1.0]}, summaries={"emg_peak": 1.0})
    with pytest.raises(ParameterError, match="emg_peak"):
        plotting.plot_series(r, "emg_peak")


def test_plot_series_of_bands_draws_blocks(course):
    ax = plotting.plot_series(course, "sedation_band")
    assert {c.get_label() for c in ax.collections} == set(np.unique(course.sedation_band))
    _close(ax.figure)


def test_trace_panel(course):
    axes = plotting.plot_trace_panel(course, ["plasma_ng_ml", "reflex_gain_rel"], arm="spastic")
    assert len(axes) == 2
    for ax, name in zip(axes, ["plasma_ng_ml", "reflex_gain_rel"], strict=True):
        np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), course[name])
    assert axes[0].get_xlabel() == "" and axes[1].get_xlabel() == "Time (h)"
    assert axes[1].get_title(loc="left") == "Stretch-reflex gain (relative)"
    axes[0].figure.draw_without_rendering()
    with pytest.raises(ParameterError, match="one axes per name"):
        plotting.plot_trace_panel(course, ["plasma_ng_ml"], axes=axes)
    _close(axes[0].figure)


# -- sedation bands --------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
@pytest.mark.parametrize("edges", [(0.2, 0.45, 0.7), (0.0, 0.2, 0.45, 0.7, 1.0)])
def test_sedation_bands_are_qualitative(orientation, edges):
    fig, ax = plotting.new_figure(title="Sedation")
    plotting.sedation_bands(ax, edges, orientation=orientation)
    fig.draw_without_rendering()
    labels = [t.get_text() for t in ax.texts]
    assert labels == list(plotting.SEDATION_BANDS)
    axis_text = ax.get_ylabel() if orientation == "horizontal" else ax.get_xlabel()
    assert axis_text == "Sedation index (qualitative)"
    ticks = ax.get_yticklabels() if orientation == "horizontal" else ax.get_xticklabels()
    for text in [*_all_texts(fig), *(t.get_text() for t in ticks)]:
        assert not any(word in text.lower() for word in FORBIDDEN), text
    assert all(t.get_text() == "" for t in ticks)  # bands carry words; the scale shows no numbers
    limits = ax.get_ylim() if orientation == "horizontal" else ax.get_xlim()
    assert limits == (0.0, 1.0)
    _close(fig)


def test_sedation_band_colours_light_to_dark():
    from matplotlib.colors import to_rgb

    luminance = [np.dot(to_rgb(plotting.SEDATION_BAND_COLORS[b]), [0.299, 0.587, 0.114])
                 for b in plotting.SEDATION_BANDS]
    assert all(np.diff(luminance) < 0)


@pytest.mark.parametrize("edges", [(0.5, 0.2, 0.7), (0.1, 0.2), (-0.1, 0.2, 0.3), (0.1, 0.2, 1.5)])
def test_sedation_bands_reject_bad_edges(edges):
    with pytest.raises(ParameterError, match="band_edges"):
        plotting.sedation_bands(None, edges)


def test_band_timeline_blocks():
    t = [0.0, 1.0, 2.0, 3.0, 4.0]
    bands = ["none", "mild", "Mild", "marked", "marked"]
    ax = plotting.plot_band_timeline(None, t, bands)
    spans = {c.get_label(): c for c in ax.collections}
    assert list(spans) == ["none", "mild", "marked"]  # fixed band order
    mild = spans["mild"].get_paths()[0].vertices
    assert (mild[:, 0].min(), mild[:, 0].max()) == (1.0, 3.0)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(plotting.SEDATION_BANDS)
    for text in _all_texts(ax.figure):
        assert not any(word in text.lower() for word in FORBIDDEN), text
    ax.figure.draw_without_rendering()
    with pytest.raises(ParameterError, match="'severe'"):
        plotting.plot_band_timeline(None, [0, 1], ["none", "severe"])
    _close(ax.figure)


def test_arms_drawn_together_never_share_a_look():
    """Arms without a fixed style (e.g. four boluses) get distinct colour–dash pairs within a figure,
    and never the pair of a fixed arm drawn beside them."""
    from sim.plotting import arm_styles

    for names in (["25 ug", "50 ug", "75 ug", "100 ug"], ["oral", "a", "b", "c", "d", "e"],
                  ["healthy", "spastic", "severe", "x"]):
        styles = arm_styles(names)
        looks = {(s["color"], str(s["linestyle"])) for s in styles.values()}
        assert len(looks) == len(names), names


def test_receptor_schematic_names_every_model_stage(tmp_path):
    """The GABA-B schematic draws the heterodimer, Gi/o, Cav2, GIRK and cAMP, labels each numbered step
    with the model stage that stands for it, carries the label and saves byte-identically."""
    from sim import plotting

    with plotting.figure_style():
        ax = plotting.gabab_receptor_schematic()
    texts = " ".join(t.get_text() for t in ax.texts)
    for word in ("B1", "B2", "Gi/o", "Cav2", "GIRK", "cAMP", "glutamate"):
        assert word in texts, word
    for stage in plotting.RECEPTOR_STAGES.values():
        assert stage in texts, stage
    assert any("not for clinical use" in t.get_text() for t in ax.figure.texts)
    first = plotting.save_figure(ax.figure, tmp_path / "a", formats=("svg",))[0].read_bytes()
    with plotting.figure_style():
        again = plotting.gabab_receptor_schematic()
    second = plotting.save_figure(again.figure, tmp_path / "b", formats=("svg",))[0].read_bytes()
    assert first == second
