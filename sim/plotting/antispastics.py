"""Figure of the ``antispastics`` scenario kind: each drug's site on the reflex arc, and the read-outs
at doses matched for reflex torque (grouped bars; sedation as its qualitative band)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from .layout import _label
from .panels import SEDATION_BAND_COLORS, SEDATION_BANDS
from .schematic import _draw_arc
from .style import OKABE_ITO as _C
from .style import _figure, _fix_axes_style

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Result

#: Colour and badge letters of each drug (fixed, so the schematic and the bars agree).
DRUG_STYLES = {
    "baclofen": {"color": _C["bluish green"], "badge": "B"},
    "diazepam": {"color": _C["reddish purple"], "badge": "Dz"},
    "tizanidine": {"color": _C["orange"], "badge": "T"},
    "dantrolene": {"color": "#4D4D4D", "badge": "Dn"},
}
# One-line site of each drug for the schematic's key.
DRUG_KEYS = {
    "baclofen": "Ia terminal: less glutamate; motoneuron: GIRK K⁺",
    "diazepam": "Ia terminal: presynaptic inhibition; motoneuron: Cl⁻; brain",
    "tizanidine": "interneurons: less group II / polysynaptic drive; less PIC",
    "dantrolene": "muscle fibre (RyR1): less force per activation",
}
# Short bar-group names of the read-outs.
_GROUP_NAMES = {"reflex_emg_rel": "Reflex EMG", "reflex_torque_rel": "Reflex torque",
                "voluntary_force_rel": "Voluntary\nstrength", "release_rel": "Ia release",
                "stretch_excitation_rel": "Stretch\nexcitation", "pic_conductance_rel": "PIC",
                "force_per_activation_rel": "Force per\nactivation"}


def _drug_badge(ax: Axes, x: float, y: float, drug: str, radius: float = 0.27) -> None:
    from matplotlib.patches import Circle

    style = DRUG_STYLES[drug]
    ax.add_patch(Circle((x, y), radius, facecolor=style["color"], edgecolor="white", linewidth=1.5, zorder=20))
    ax.text(x, y, style["badge"], ha="center", va="center", color="white", fontsize=10.5, fontweight="bold",
            zorder=21)


def drug_sites_schematic(ax: Axes, drugs: list[str]) -> Axes:
    """The reflex arc (:func:`sim.plotting.schematic._draw_arc`) with each drug's sites marked and a key.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on; drawing coordinates 0–13 by 0–9, equal aspect, axes hidden.
    drugs : list of str
        Drugs to mark (names of :data:`sim.comparators.DRUGS`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Circle

    from ..comparators import DRUG_LABELS

    ax.set_xlim(0, 13.0)
    ax.set_ylim(0, 9.0)
    ax.set_aspect("equal")
    ax.axis("off")
    sites = _draw_arc(ax)
    terminal, mn, brain = sites["terminal"], sites["motoneuron"], sites["brain"]
    cx, cy = sites["cord"]
    # A dorsal-horn interneuron (group II / polysynaptic pathway) for tizanidine's site.
    inter = (cx + 0.35, cy + 0.45)
    ax.add_patch(Circle(inter, 0.12, facecolor="#8C8C8C", edgecolor="white", linewidth=1, zorder=10))
    ax.plot([inter[0], mn[0] + 0.25], [inter[1], mn[1] + 0.2], color="#8C8C8C", linewidth=1.8, zorder=8)
    positions = {
        "baclofen": [(terminal[0] + 0.5, terminal[1] + 0.42), (mn[0] - 0.55, mn[1] + 0.1)],
        "diazepam": [(terminal[0] - 0.5, terminal[1] + 0.05), (mn[0] - 0.55, mn[1] - 0.55),
                     (brain[0] - 1.55, brain[1] + 0.3)],
        "tizanidine": [(inter[0] + 0.45, inter[1] + 0.3), (sites["descending"][0] - 0.45, 5.9)],
        "dantrolene": [(sites["muscle"][0] + 0.9, sites["muscle"][1] + 0.05)],
    }
    for drug in drugs:
        for x, y in positions[drug]:
            _drug_badge(ax, x, y, drug)
    # The key: badge, drug and site, in the free lower right of the drawing.
    for k, drug in enumerate(drugs):
        y = 1.8 - 0.55 * k
        _drug_badge(ax, 7.95, y, drug, radius=0.22)
        ax.text(8.3, y + 0.12, DRUG_LABELS[drug], ha="left", va="center", fontsize=11, fontweight="bold",
                color=DRUG_STYLES[drug]["color"], zorder=30)
        ax.text(8.3, y - 0.15, DRUG_KEYS[drug], ha="left", va="center", fontsize=8,
                color="#222222", zorder=30)
    return ax


def antispastics_figure(scenario: Any, tables: Mapping[str, Result]) -> tuple[Figure, list[Axes]]:
    """Schematic with each drug's sites (A); grouped bars of the relative read-outs at the matched doses (B);
    the sedation band of each drug at its matched dose on a categorical axis (C, never a probability)."""
    from ..comparators import DRUG_LABELS

    table = tables["matched"]
    arms = list(scenario.arms)
    drugs = [arm.drug for arm in arms]
    panels = list(scenario.figure["panels"])
    bars = [name for name in panels if name != "sedation_band"]
    if not bars:
        raise ParameterError("an antispastics figure needs at least one read-out panel besides sedation_band")
    target = float(table.axis[0])
    fig = _figure(scenario.figure["title"], width_in=14.0, height_in=7.6)
    # Fixed positions: an equal-aspect drawing makes the layout solver shrink it (schematic._drawing_axes).
    fig.set_layout_engine("none")
    schematic = fig.add_axes((0.045, 0.05, 0.59, 0.82))
    drug_sites_schematic(schematic, drugs)
    schematic.set_title("Where each drug acts on the reflex arc", loc="left", fontsize=15, fontweight="bold")

    ax = fig.add_axes((0.695, 0.50, 0.29, 0.36))
    _fix_axes_style(ax)
    width = 0.8 / len(arms)
    for k, arm in enumerate(arms):
        values = [float(table.select(arm=arm.name)[name][0]) for name in bars]
        x = np.arange(len(bars)) + (k - (len(arms) - 1) / 2) * width
        ax.bar(x, values, width * 0.92, color=DRUG_STYLES[arm.drug]["color"], label=arm.label, zorder=3)
        for xi, v in zip(x, values, strict=True):
            ax.text(xi, v + 0.015, f"{v:.2f}", ha="center", va="bottom", fontsize=7, zorder=4)
    ax.axhline(1.0, color="#333333", linestyle=":", linewidth=1.2, zorder=2)
    ax.text(-0.45, 1.02, "drug-free", ha="left", va="bottom", fontsize=9, color="#333333")
    ax.axhline(target, color="#999999", linestyle="--", linewidth=1.0, zorder=2)
    ax.set_xticks(np.arange(len(bars)), [_GROUP_NAMES.get(n, n) for n in bars], fontsize=10.5)
    ax.tick_params(axis="y", labelsize=10)
    ax.set_xlim(-0.5, len(bars) - 0.5)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("Relative to drug-free")
    ax.set_title(f"Doses matched: reflex torque at {target:.0%}", loc="left", fontsize=13, fontweight="bold")

    band_ax = fig.add_axes((0.81, 0.14, 0.175, 0.25))
    _fix_axes_style(band_ax)
    for b, band in enumerate(SEDATION_BANDS):
        band_ax.axvspan(b - 0.5, b + 0.5, color=SEDATION_BAND_COLORS[band], zorder=1)
    for k, arm in enumerate(arms):
        band = str(table.select(arm=arm.name)["sedation_band"][0])
        band_ax.plot([SEDATION_BANDS.index(band)], [k], marker="o", markersize=13, linestyle="",
                     color=DRUG_STYLES[arm.drug]["color"], markeredgecolor="white", zorder=3)
    doses = [float(table.select(arm=arm.name)["dose_mg_per_day"][0]) for arm in arms]
    band_ax.set_yticks(range(len(arms)), [f"{DRUG_LABELS[arm.drug].split(' (')[0]}, {d:.3g} mg/day"
                                          for arm, d in zip(arms, doses, strict=True)], fontsize=10.5)
    band_ax.set_ylim(len(arms) - 0.5, -0.5)
    band_ax.set_xticks(range(len(SEDATION_BANDS)), list(SEDATION_BANDS), fontsize=9.5, rotation=30)
    band_ax.set_xlim(-0.5, len(SEDATION_BANDS) - 0.5)
    band_ax.set_xlabel("qualitative band, never a probability", fontsize=9.5)
    band_ax.set_title(_label(table, "sedation_band"), loc="left", fontsize=13, fontweight="bold")
    band_ax.grid(False)
    return fig, [schematic, ax, band_ax]
