"""The stretch-reflex arc and baclofen's sites of action, drawn in code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import OKABE_ITO as _C
from .style import _styled, add_educational_label, new_figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes

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


def _path_arrow(ax: Axes, points: Sequence[tuple[float, float]], color: str, *, curved: bool,
                width: float = 3.0, head: bool = True, style: str = "-", zorder: int = 5) -> None:
    """Draw a path through *points* (straight segments, or quadratic Bézier ones) with an arrow head."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    segment = MplPath.CURVE3 if curved else MplPath.LINETO
    codes = [MplPath.MOVETO] + [segment] * (len(points) - 1)
    arrowstyle = "-|>,head_length=0.6,head_width=0.35" if head else "-"
    corners = {} if curved else {"joinstyle": "round"}
    ax.add_patch(FancyArrowPatch(path=MplPath(points, codes), arrowstyle=arrowstyle, color=color,
                                 linewidth=width, linestyle=style, mutation_scale=20,
                                 capstyle="round", zorder=zorder, **corners))


def _drawing_axes(ax: Axes | None, title: str, width: float, height: float) -> Axes:
    """Axes for a schematic: a new 16:9 figure titled *title* (fixed position: an equal-aspect
    drawing makes the layout solver drift from one save to the next), or *ax* with the label added;
    drawing coordinates 0–*width* by 0–*height*, equal aspect, no axes."""
    if ax is None:
        fig, ax = new_figure(title=title)
        fig.set_layout_engine("none")
        ax.set_position((0.02, 0.03, 0.96, 0.87))
    else:
        add_educational_label(ax.figure)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _arrow(ax: Axes, points: Sequence[tuple[float, float]], color: str, **kw: Any) -> None:
    """Draw a polyline path ending in an arrow head."""
    _path_arrow(ax, points, color, curved=False, **kw)


def _curve(ax: Axes, points: Sequence[tuple[float, float]], color: str, **kw: Any) -> None:
    """Draw a smooth curve (quadratic Bézier segments through control points) with an arrow head."""
    _path_arrow(ax, points, color, curved=True, **kw)


def _draw_arc(ax: Axes) -> dict[str, tuple[float, float]]:
    """Draw the limb, spindle, Ia afferent, spinal cord, motoneuron, motor axon, brain and the
    descending pathway (drawing coordinates 0–17.6 by 0–9); return where the sites are."""
    from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, Polygon, Rectangle

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
    return {"terminal": terminal, "motoneuron": mn, "brain": brain, "cord": (cx, cy), "ganglion": drg,
            "muscle": (3.05, 1.95), "descending": (top[0], 6.3)}


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
    from matplotlib.patches import FancyBboxPatch

    ax = _drawing_axes(ax, "Baclofen damps the stretch reflex at two spinal sites", 17.6, 9.0)
    text_kw = {"fontsize": 12.5, "color": "#222222", "zorder": 30}
    sites = _draw_arc(ax)
    terminal, mn, brain = sites["terminal"], sites["motoneuron"], sites["brain"]

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
# The GABA-B receptor and its two effectors
# ---------------------------------------------------------------------------

#: What each arrow of :func:`gabab_receptor_schematic` stands for in the model (the figure labels them).
RECEPTOR_STAGES = {
    "binding": "sim.receptor: activation a = C/(C + EC50), R-enantiomer",
    "calcium": "sim.synapse: Ca²⁺ influx 1 − I_max·a_pre",
    "release": "sim.synapse: release ∝ (Ca²⁺ influx)^≈4",
    "girk": "sim.motoneuron: g_K,B = ḡ_K,B·a_post",
    "camp": "not modelled (slow, metabotropic)",
}


def _membrane(ax: Axes, x0: float, x1: float, y: float, label: str) -> None:
    """A lipid bilayer from *x0* to *x1* at height *y* (two lines of head groups)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x0, y - 0.18), x1 - x0, 0.36, facecolor="#F3EAD3", edgecolor="none", zorder=1))
    for dy in (-0.18, 0.18):
        xs = np.arange(x0 + 0.1, x1, 0.22)
        ax.scatter(xs, np.full_like(xs, y + dy), s=14, color="#C8A96A", zorder=2, linewidths=0)
    ax.text(x1 - 0.05, y + 0.33, label, ha="right", va="bottom", fontsize=11, color="#6B5A33", zorder=30)


def _receptor(ax: Axes, x: float, y: float, cleft_side: float = 1.0) -> None:
    """A GABA-B1/B2 heterodimer spanning the membrane at (*x*, *y*), with baclofen bound to B1 on the
    cleft side (*cleft_side* +1 above the membrane, −1 below)."""
    from matplotlib.patches import Circle, FancyBboxPatch

    for dx, name in ((-0.32, "B1"), (0.32, "B2")):
        ax.add_patch(FancyBboxPatch((x + dx - 0.26, y - 0.55), 0.52, 1.1, boxstyle="round,pad=0.04,rounding_size=0.2",
                                    facecolor="#CFE3F3", edgecolor=_C["blue"], linewidth=1.8, zorder=6))
        ax.text(x + dx, y, name, ha="center", va="center", fontsize=11, fontweight="bold", color=_C["blue"],
                zorder=30)
    ax.add_patch(Circle((x - 0.32, y + 0.78 * cleft_side), 0.17, facecolor=_DRUG, edgecolor="white", linewidth=1.2,
                        zorder=8))


def _channel(ax: Axes, x: float, y: float, label: str, color: str, *, closed: bool) -> None:
    """An ion channel: two subunits with a pore between them (a bar across it when *closed*)."""
    from matplotlib.patches import FancyBboxPatch

    for dx in (-0.3, 0.3):
        ax.add_patch(FancyBboxPatch((x + dx - 0.18, y - 0.5), 0.36, 1.0, boxstyle="round,pad=0.03,rounding_size=0.15",
                                    facecolor=color, edgecolor="#444444", linewidth=1.4, alpha=0.85, zorder=6))
    if closed:
        ax.plot([x - 0.13, x + 0.13], [y, y], color="#222222", linewidth=3, zorder=7)
    ax.text(x, y - 0.8, label, ha="center", va="top", fontsize=11, color="#222222", zorder=30)


def gabab_receptor_schematic(ax: Axes | None = None) -> Axes:
    """Draw GABA-B signalling at the Ia terminal and the motoneuron, labelled with the model stages.

    Baclofen binds the GABA-B1 subunit of the **B1/B2 heterodimer** from the synaptic
    cleft; B2 couples to a **Gi/o protein** inside the cell, whose **βγ subunits** (i) at
    the Ia terminal close presynaptic voltage-gated **Cav2 (N, P/Q) Ca²⁺ channels** – less
    Ca²⁺ enters, and glutamate release falls with about the 4th power of Ca²⁺ entry – and
    (ii) on the motoneuron open **GIRK (Kir3) K⁺ channels**, which hyperpolarise and shunt
    it; the **α subunit** inhibits adenylyl cyclase (cAMP falls).  Numbered discs on the
    arrows name the model stage that stands for each step (:data:`RECEPTOR_STAGES`,
    listed under the drawing): :mod:`sim.receptor`, :mod:`sim.synapse`,
    :mod:`sim.motoneuron`; the cAMP branch is drawn but not modelled.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on, ideally 16:9; a new figure with a take-home title if omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Drawing coordinates run 0–16 (x) by 0–9 (y); the axes are hidden.

    Examples
    --------
    >>> ax = gabab_receptor_schematic()
    >>> texts = " ".join(t.get_text() for t in ax.texts)
    >>> all(word in texts for word in ("B1", "B2", "Gi/o", "GIRK", "Cav2", "cAMP", "sim.synapse"))
    True
    """
    from matplotlib.patches import Circle, Ellipse

    ax = _drawing_axes(ax, "GABA-B: one receptor closes Ca²⁺ channels and opens K⁺ channels", 16.0, 9.0)
    text_kw = {"fontsize": 11.5, "color": "#222222", "zorder": 30}
    purple = _C["reddish purple"]

    def g_protein(x: float, y: float) -> None:
        ax.add_patch(Ellipse((x, y), 1.1, 0.55, facecolor="#E4D3EC", edgecolor=purple, linewidth=1.6, zorder=6))
        ax.text(x, y, "Gi/o", ha="center", va="center", **text_kw)

    # --- the Ia terminal: interior above its membrane, the cleft below ------------------
    ax.text(0.3, 8.85, "Ia afferent terminal (presynaptic)", fontsize=13, fontweight="bold", color=_C["blue"],
            va="top", zorder=30)
    _membrane(ax, 0.3, 15.7, 6.0, "")
    _receptor(ax, 2.0, 6.0, cleft_side=-1.0)
    ax.text(0.35, 4.95, "baclofen (R)", ha="left", va="top", fontsize=10.5, color=_DRUG, zorder=30)
    g_protein(4.0, 7.05)
    _arrow(ax, [(2.55, 6.55), (3.45, 6.95)], purple, width=2.0)
    _badge(ax, 2.95, 7.35, 1, radius=0.2)
    _channel(ax, 6.6, 6.0, "", "#F6D3A8", closed=True)
    ax.text(6.6, 7.55, "Cav2 (N, P/Q) Ca²⁺ channel,\nclosed by Gβγ", ha="center", va="bottom", **text_kw)
    _arrow(ax, [(4.55, 7.05), (6.15, 6.55)], purple, width=2.0)
    ax.text(5.3, 7.1, "βγ", ha="center", va="bottom", **text_kw)
    for dx in (-0.45, 0.0, 0.45):
        ax.add_patch(Circle((6.6 + dx, 4.95), 0.11, facecolor=_C["orange"], edgecolor="none", zorder=5))
    _arrow(ax, [(6.6, 5.05), (6.6, 5.55)], _C["orange"], width=1.5)
    ax.text(7.2, 4.95, "less Ca²⁺ enters", ha="left", va="center", **text_kw)
    _badge(ax, 5.7, 5.05, 2, radius=0.2)
    for x in (10.2, 11.0, 11.8):
        ax.add_patch(Circle((x, 7.1), 0.32, facecolor="white", edgecolor=_MOTOR, linewidth=1.5, zorder=5))
        for ddx, ddy in ((-0.1, 0.05), (0.1, -0.05), (0.0, 0.12)):
            ax.add_patch(Circle((x + ddx, 7.1 + ddy), 0.05, facecolor=_MOTOR, edgecolor="none", zorder=6))
    ax.text(11.0, 7.6, "glutamate vesicles", ha="center", va="bottom", **text_kw)
    _arrow(ax, [(11.0, 6.7), (11.0, 5.1)], _MOTOR, width=2.0, style="--")
    for dx, dy in ((-0.3, -0.05), (0.25, 0.1), (0.05, -0.25)):
        ax.add_patch(Circle((11.0 + dx, 4.85 + dy), 0.06, facecolor=_MOTOR, edgecolor="none", zorder=6))
    ax.text(11.55, 5.5, "much less glutamate\nreleased per spike", ha="left", va="center", **text_kw)
    _badge(ax, 10.45, 5.75, 3, radius=0.2)
    ax.text(15.7, 4.75, "synaptic cleft", ha="right", va="center", fontsize=10.5, color="#777777", zorder=30)

    # --- the motoneuron: the cleft above its membrane, the interior below -----------------
    _membrane(ax, 0.3, 15.7, 3.6, "")
    _receptor(ax, 3.0, 3.6)
    g_protein(5.0, 2.55)
    _arrow(ax, [(3.55, 3.05), (4.45, 2.7)], purple, width=2.0)
    _channel(ax, 8.0, 3.6, "", "#BFE3D6", closed=False)
    ax.text(8.5, 3.0, "GIRK (Kir3) K⁺ channel,\nopened by Gβγ", ha="left", va="top", **text_kw)
    _arrow(ax, [(5.55, 2.6), (7.55, 3.1)], purple, width=2.0)
    ax.text(6.5, 2.45, "βγ", ha="center", va="top", **text_kw)
    _arrow(ax, [(8.0, 3.0), (8.0, 4.45)], _C["bluish green"], width=2.5)
    ax.text(8.35, 4.3, "K⁺ out: hyperpolarised,\nshunted, less excitable", ha="left", va="center", **text_kw)
    _badge(ax, 7.35, 4.5, 4, radius=0.2)
    ax.add_patch(Ellipse((13.2, 1.95), 2.3, 0.55, facecolor="#EEEEEE", edgecolor="#888888", linewidth=1.4, zorder=6))
    ax.text(13.2, 1.95, "adenylyl cyclase", ha="center", va="center", fontsize=10, color="#444444", zorder=30)
    _arrow(ax, [(5.0, 2.27), (5.0, 1.95), (12.0, 1.95)], "#888888", width=1.5, style=":")
    ax.text(9.0, 1.85, "Gα", ha="center", va="top", fontsize=10.5, color="#444444", zorder=30)
    ax.text(13.2, 1.55, "cAMP ↓", ha="center", va="top", fontsize=10.5, color="#444444", zorder=30)
    _badge(ax, 14.65, 1.95, 5, radius=0.2)
    ax.text(0.3, 1.75, "α-motoneuron (postsynaptic)", fontsize=13, fontweight="bold", color=_MOTOR, va="top",
            zorder=30)

    # --- which model stage stands for each numbered step ---------------------------------
    keys = ("binding", "calcium", "release", "girk", "camp")
    for k, key in enumerate(keys):
        column, row = divmod(k, 3)
        x, y = 0.55 + 8.0 * column, 1.05 - 0.42 * row
        _badge(ax, x, y, k + 1, radius=0.17)
        ax.text(x + 0.3, y, RECEPTOR_STAGES[key], ha="left", va="center", fontsize=10,
                color="#777777" if key == "camp" else "#222222", zorder=30)
    return ax
