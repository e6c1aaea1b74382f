"""The lecture-figure gallery: every built-in scenario plus the stand-alone figures.

:func:`build_gallery` is what ``spinal-reflex-sim figures`` runs (the README's
main command).  It writes into one folder

* each built-in scenario's figure (PNG, SVG, PDF), CSVs and provenance,
* the reflex-arc schematic,
* the multiscale figure (drug levels over a day with millisecond reflex
  traces at trough and peak) and its CSVs,
* the animated reflex (GIF) before and after the drug,
* ``README.md``: each figure with its caption, the scenario that made it and
  the command that remakes it.

Everything is deterministic, so regenerating the gallery gives identical SVG
and CSV files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .fileio import EDUCATIONAL_LABEL, EDUCATIONAL_STATEMENT, atomic_write_text

__all__ = ["build_gallery", "multiscale_data", "MULTISCALE_REGIMEN_TEXT"]

#: The regimen of the multiscale figure, in words.
MULTISCALE_REGIMEN_TEXT = "oral baclofen 20 mg every 8 h (steady state, day 3)"


def multiscale_data():
    """Course and reflex probes for the multiscale figure (spastic patient, oral 20 mg TID).

    Returns
    -------
    course : Result
        Day 3 of the course (axis ``t_h``).
    probes : dict of str to Result
        ``"trough"`` and ``"peak"``: stretch reflexes (120 deg/s) at the
        spinal effect-site concentration of those moments.
    """
    from . import course as course_module
    from .dosing import Oral
    from .patient import Patient
    from .reflex import STANDARD_VELOCITY_DEG_S, stretch_reflex

    patient = Patient(condition="spastic")
    full = course_module.simulate(patient, Oral(20.0, every_h=8.0, n_doses=12), 72.0, probe_every_h=0.25)
    day3 = full.axis >= 48.0
    keep = ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel", "sedation_index")
    from .result import Result

    course = Result("t_h", full.axis[day3], {k: full[k][day3] for k in keep}, units=full.units,
                    meta={"regimen": MULTISCALE_REGIMEN_TEXT})
    spinal = course["spinal_effect_ng_ml"]
    moments = {"trough": int(np.argmin(spinal)), "peak": int(np.argmax(spinal))}
    levels = [float(spinal[index]) for index in moments.values()]
    batch = stretch_reflex(patient, STANDARD_VELOCITY_DEG_S, csf_ng_ml=levels,
                           traces=("angle_deg", "emg", "torque_nm"))  # both moments in one call
    probes = {}
    for row, (name, index) in enumerate(moments.items()):
        probe = batch.item(row)
        probe.meta.update({"t_h": float(course.axis[index]), "csf_ng_ml": levels[row]})
        probes[name] = probe
    return course, probes


def build_gallery(
    out: Path,
    *,
    formats: tuple[str, ...] = ("png", "svg", "pdf"),
    progress: Callable[[str], None] | None = None,
) -> str:
    """Run every built-in scenario and draw the stand-alone figures into *out*.

    Returns
    -------
    str
        A closing summary (figures written, time taken).
    """
    from . import plotting
    from .runner import run
    from .scenario import builtin_names, load

    say = progress or (lambda line: None)
    started = time.perf_counter()
    out = Path(out)
    entries: list[dict[str, str]] = []
    names = builtin_names()
    for number, name in enumerate(names, 1):
        t0 = time.perf_counter()
        scenario = load(name)
        output = run(scenario, out, formats=formats)
        stem = str(scenario.figure.get("file", scenario.name))
        say(f"[{number}/{len(names)}] {name}: {len(output.files)} files in {time.perf_counter() - t0:.1f} s")
        entries.append({
            "stem": stem, "title": scenario.figure["title"],
            "caption": scenario.figure.get("caption", scenario.objective),
            "source": f"scenario `{name}` (`scenarios/{Path(scenario.source).name}`)",
            "command": f"spinal-reflex-sim run {name} --out {out}",
        })

    t0 = time.perf_counter()
    with plotting.figure_style():
        ax = plotting.reflex_arc_schematic()
    plotting.save_figure(ax.figure, out / "reflex-arc", formats=formats)
    say(f"[schematic] reflex-arc in {time.perf_counter() - t0:.1f} s")
    entries.insert(0, {
        "stem": "reflex-arc", "title": "Baclofen damps the stretch reflex at two spinal sites",
        "caption": "Spindle → Ia afferent → motoneuron → muscle, with descending inhibition; the "
        "numbered markers show baclofen's presynaptic, postsynaptic and brain sites.",
        "source": "drawn in code (`sim.plotting.reflex_arc_schematic`)",
        "command": f"spinal-reflex-sim figures --out {out}",
    })

    if hasattr(plotting, "multiscale_figure"):
        t0 = time.perf_counter()
        course, probes = multiscale_data()
        course.to_csv(out / "multiscale-course.csv", extra_header={"figure": "multiscale"})
        for name, probe in probes.items():
            probe.to_csv(out / f"multiscale-{name}.csv", extra_header={"figure": "multiscale"})
        figure = plotting.multiscale_figure(course, probes)
        plotting.save_figure(figure, out / "multiscale", formats=formats)
        say(f"[multiscale] in {time.perf_counter() - t0:.1f} s")
        entries.append({
            "stem": "multiscale", "title": "The reflex follows the drug level over the day",
            "caption": f"Drug levels over a day of {MULTISCALE_REGIMEN_TEXT}, with millisecond "
            "stretch-reflex traces at trough and peak.",
            "source": "`sim.gallery.multiscale_data`", "command": f"spinal-reflex-sim figures --out {out}",
        })

    if hasattr(plotting, "animate_reflex"):
        from .patient import Patient
        from .reflex import STANDARD_VELOCITY_DEG_S, stretch_reflex

        t0 = time.perf_counter()
        patient = Patient(condition="spastic")
        traces = ("angle_deg", "emg", "torque_nm")
        both = stretch_reflex(patient, STANDARD_VELOCITY_DEG_S, csf_ng_ml=[0.0, 40.0], traces=traces)
        plotting.animate_reflex(both.item(0), both.item(1), out / "reflex-animation.gif")
        say(f"[animation] reflex-animation.gif in {time.perf_counter() - t0:.1f} s")
        entries.append({
            "stem": "reflex-animation", "title": "A stretch reflex before and after baclofen (animated)",
            "caption": "The same 120 deg/s stretch in a spastic patient drug-free and at a spinal CSF "
            "level of 40 ng/mL (about oral 80 mg/day).", "source": "`sim.plotting.animate_reflex`",
            "command": f"spinal-reflex-sim figures --out {out}", "ext": "gif",
        })

    atomic_write_text(out / "README.md", _gallery_readme(entries))
    elapsed = time.perf_counter() - started
    return f"gallery: {len(entries)} figures in {out}/ ({elapsed:.1f} s). {EDUCATIONAL_LABEL}."


def _gallery_readme(entries: list[dict[str, str]]) -> str:
    lines = [
        "# Figure gallery",
        "",
        f"*{EDUCATIONAL_STATEMENT}*",
        "",
        "Every figure here is made by the code from a built-in scenario; none is drawn by hand. "
        "Regenerate them all with `spinal-reflex-sim figures` (or `python -m sim figures`). "
        "Each figure comes as PNG (slides), SVG and PDF (vector), with a CSV of every plotted series "
        "and a provenance file.",
        "",
    ]
    for entry in entries:
        ext = entry.get("ext", "png")
        lines += [
            f"## {entry['title']}",
            "",
            f"![{entry['title']}]({entry['stem']}.{ext})",
            "",
            entry["caption"],
            "",
            f"- Made by: {entry['source']}",
            f"- Remake: `{entry['command']}`",
            "",
        ]
    return "\n".join(lines)
