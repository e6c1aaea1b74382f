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
and CSV files.  The stand-alone figures' titles make claims too ("small at the peak,
larger at the trough"; "the same stretch evokes a smaller reflex"): like a scenario's
``[[claims]]`` they are checked on the data drawn, every run, before anything is written
(:class:`~sim.errors.ClaimError` otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .fileio import (
    EDUCATIONAL_LABEL,
    EDUCATIONAL_STATEMENT,
    atomic_write_text,
    check_formats,
    staged_output,
)

__all__ = ["build_gallery", "default_workers", "multiscale_data", "MULTISCALE_REGIMEN_TEXT"]

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
        spinal effect-site concentration of the lowest and highest level of the
        dosing interval 56–64 h.
    """
    from . import course as course_module
    from .dosing import Oral
    from .patient import Patient
    from .reflex import STANDARD_VELOCITY_DEG_S, stretch_reflex

    patient = Patient(condition="spastic")
    # Only the reflex gain is drawn: all six reflex read-outs cost about 13 times as much.
    full = course_module.simulate(patient, Oral(20.0, every_h=8.0, n_doses=12), 72.0, probe_every_h=0.25,
                                  readouts=("reflex_gain_rel",))
    day3 = full.axis >= 48.0
    keep = ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel", "sedation_index")
    from .result import Result

    course = Result("t_h", full.axis[day3], {k: full[k][day3] for k in keep}, units=full.units,
                    meta={"regimen": MULTISCALE_REGIMEN_TEXT})
    spinal = course["spinal_effect_ng_ml"]
    # Trough and peak of the middle dosing interval (56–64 h): at steady state the troughs tie,
    # and the first one would sit on the panel's left edge.
    window = np.flatnonzero((course.axis >= 56.0) & (course.axis < 64.0))
    moments = {"trough": int(window[np.argmin(spinal[window])]), "peak": int(window[np.argmax(spinal[window])])}
    levels = [float(spinal[index]) for index in moments.values()]
    batch = stretch_reflex(patient, STANDARD_VELOCITY_DEG_S, spinal_effect_ng_ml=levels,
                           traces=("angle_deg", "emg", "torque_nm"))  # both moments in one call
    probes = {}
    for row, (name, index) in enumerate(moments.items()):
        probe = batch.item(row)
        probe.meta.update({"t_h": float(course.axis[index]), "spinal_effect_ng_ml": levels[row]})
        probes[name] = probe
    return course, probes


def _check_title_claim(item: str, claim: str, held: bool, measured: str) -> None:
    """Raise :class:`~sim.errors.ClaimError` if the claim of gallery item *item*'s title does not hold.

    >>> _check_title_claim("multiscale", "the reflex is smaller at the peak", False, "EMG 0.09 vs 0.08")
    Traceback (most recent call last):
    ...
    sim.errors.ClaimError: gallery figure 'multiscale': its title claims that the reflex is smaller at the peak, but EMG 0.09 vs 0.08
    """
    from .errors import ClaimError

    if not held:
        raise ClaimError(f"gallery figure {item!r}: its title claims that {claim}, but {measured}")


def _check_multiscale_claims(course: Any, probes: dict[str, Any]) -> None:
    """"The reflex follows the drug level: small at the peak, larger at the trough"."""
    emg = {name: float(np.max(probe["emg"])) for name, probe in probes.items()}
    _check_title_claim("multiscale", "the reflex is smaller at the drug's peak than at its trough",
                       emg["peak"] < emg["trough"],
                       f"the peak EMG is {emg['peak']:.3g} at the peak and {emg['trough']:.3g} at the trough")
    gain = {name: float(np.interp(probe.meta["t_h"], course.axis, course["reflex_gain_rel"]))
            for name, probe in probes.items()}
    _check_title_claim("multiscale", "the reflex gain follows the drug level (lower at its peak)",
                       gain["peak"] < gain["trough"],
                       f"the reflex gain is {gain['peak']:.3g} at the peak and {gain['trough']:.3g} at the trough")


def _check_animation_claims(before: Any, after: Any) -> None:
    """"With baclofen the same stretch evokes a smaller reflex" (EMG and torque)."""
    _check_title_claim("reflex-animation", "the stretch is the same",
                       np.array_equal(before["angle_deg"], after["angle_deg"]), "the joint angles differ")
    for name, what in (("emg", "peak EMG"), ("torque_nm", "peak torque")):
        drug_free, with_drug = float(np.max(before[name])), float(np.max(after[name]))
        _check_title_claim("reflex-animation", f"the same stretch evokes a smaller reflex ({what})",
                           with_drug < drug_free, f"the {what} is {with_drug:.3g} with baclofen and "
                           f"{drug_free:.3g} without")


def _task(name: str, out: Path, formats: tuple[str, ...],
          shown_out: Path | None = None) -> tuple[float, int, dict[str, str] | None]:
    """Make one gallery item (a scenario name, or "schematic", "multiscale", "animation").

    Writes into *out* (the gallery's staging folder); *shown_out* is the folder named in the
    README's commands.  Returns the seconds taken, the number of files written and the
    README entry.  Top-level so that worker processes can run it.
    """
    from . import plotting

    started = time.perf_counter()
    shown_out = out if shown_out is None else shown_out
    remake = f"spinal-reflex-sim figures --out {shown_out}"
    if name == "schematic":
        with plotting.figure_style():
            ax = plotting.reflex_arc_schematic()
        files = plotting.save_figure(ax.figure, out / "reflex-arc", formats=formats)
        entry = {
            "stem": "reflex-arc", "title": "Baclofen damps the stretch reflex at two spinal sites",
            "caption": "Spindle → Ia afferent → motoneuron → muscle, with descending inhibition; the "
            "numbered markers show baclofen's presynaptic, postsynaptic and brain sites.",
            "source": "drawn in code (`sim.plotting.reflex_arc_schematic`)", "command": remake,
        }
        return time.perf_counter() - started, len(files), entry
    if name == "receptor":
        with plotting.figure_style():
            ax = plotting.gabab_receptor_schematic()
        files = plotting.save_figure(ax.figure, out / "gabab-receptor", formats=formats)
        entry = {
            "stem": "gabab-receptor", "title": RECEPTOR_TITLE, "caption": RECEPTOR_CAPTION,
            "source": "drawn in code (`sim.plotting.gabab_receptor_schematic`)", "command": remake,
        }
        return time.perf_counter() - started, len(files), entry
    if name == "multiscale":
        course, probes = multiscale_data()
        course, probes = course.rounded(), {k: v.rounded() for k, v in probes.items()}
        _check_multiscale_claims(course, probes)
        files = [course.to_csv(out / "multiscale-course.csv", extra_header={"figure": "multiscale"})]
        for moment, probe in probes.items():
            files.append(probe.to_csv(out / f"multiscale-{moment}.csv", extra_header={"figure": "multiscale"}))
        files += plotting.save_figure(plotting.multiscale_figure(course, probes), out / "multiscale",
                                      formats=formats)
        entry = {
            "stem": "multiscale", "title": "The reflex follows the drug level over the day",
            "caption": f"Drug levels over a day of {MULTISCALE_REGIMEN_TEXT}, with millisecond "
            "stretch-reflex traces at trough and peak.",
            "source": "`sim.gallery.multiscale_data`", "command": remake,
        }
        return time.perf_counter() - started, len(files), entry
    if name == "animation":
        from .patient import Patient
        from .reflex import STANDARD_VELOCITY_DEG_S, stretch_reflex

        traces = ("angle_deg", "emg", "torque_nm")
        both = stretch_reflex(Patient(condition="spastic"), STANDARD_VELOCITY_DEG_S, spinal_effect_ng_ml=[0.0, 80.0],
                              traces=traces)
        both = both.rounded()
        _check_animation_claims(both.item(0), both.item(1))
        plotting.animate_reflex(both.item(0), both.item(1), out / "reflex-animation.gif")
        entry = {
            "stem": "reflex-animation", "title": "A stretch reflex before and after baclofen (animated)",
            "caption": "The same 120 deg/s stretch in a patient with severe spasticity drug-free and at a "
            "cord-tissue level of 80 ng/mL (about intrathecal 400 µg/day).", "source": "`sim.plotting.animate_reflex`",
            "command": remake, "ext": "gif",
        }
        return time.perf_counter() - started, 1, entry
    from .runner import run
    from .scenario import load

    scenario = load(name)
    output = run(scenario, out, formats=formats, record_date=False)
    entry = {
        "stem": str(scenario.figure.get("file", scenario.name)), "title": scenario.figure["title"],
        "caption": scenario.figure.get("caption", scenario.objective),
        "source": f"scenario `{name}` (`scenarios/{Path(scenario.source).name}`)",
        "command": f"spinal-reflex-sim run {name} --out {shown_out}",
    }
    return time.perf_counter() - started, len(output.files), entry


def default_workers() -> int:
    """Processes :func:`build_gallery` uses by default: one per core, at most 4.

    >>> 1 <= default_workers() <= 4
    True
    """
    import os

    return min(4, os.cpu_count() or 1)


def build_gallery(
    out: Path,
    *,
    formats: tuple[str, ...] = ("png", "svg", "pdf"),
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> str:
    """Run every built-in scenario and draw the stand-alone figures into *out*.

    Parameters
    ----------
    out : Path
        Output folder.
    formats : tuple of str
        Figure formats.
    progress : callable, optional
        Receives one line per finished item.
    workers : int, optional
        Processes to use (default: one per core, at most 4);
        1 runs everything in this process.  The files do not depend on it.

    Returns
    -------
    str
        A closing summary (figures written, time taken).

    Notes
    -----
    The gallery is all or nothing: every item is written into a hidden staging folder in
    *out* and the files are moved into *out* only after the last one (and the README) is
    done (:func:`sim.fileio.staged_output`).  On an error or Ctrl-C the worker processes are
    stopped at once and *out* is left as it was.
    """
    from .scenario import builtin_names, load

    formats = check_formats(formats)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or not 1 <= workers <= 64):
        from .errors import ParameterError

        raise ParameterError(f"workers = {workers!r} is outside the allowed range [1, 64]")
    say = progress or (lambda line: None)
    started = time.perf_counter()
    out = Path(out)
    names = builtin_names()
    for name in names:  # every scenario is valid before anything starts
        load(name)
    tasks = ["schematic", "receptor", *names, "multiscale", "animation"]
    workers = workers or default_workers()
    results: dict[str, tuple[float, int, dict[str, str] | None]] = {}

    def report(task: str, done: int) -> None:
        seconds, count, _ = results[task]
        say(f"[{done}/{len(tasks)}] {task}: {count} file(s) in {seconds:.1f} s")

    with staged_output(out, option="--out") as stage:
        if workers <= 1:
            for done, task in enumerate(tasks, 1):
                results[task] = _task(task, stage, formats, out)
                report(task, done)
        else:
            _run_in_workers(tasks, stage, formats, out, workers, results, report)
        entries = [results[task][2] for task in tasks if results[task][2] is not None]
        atomic_write_text(stage / "README.md", _gallery_readme(entries))
    elapsed = time.perf_counter() - started
    return (f"gallery: {len(entries)} figures in {out}/ ({elapsed:.1f} s with {workers} process"
            f"{'es' if workers > 1 else ''}). {EDUCATIONAL_LABEL}.")


def _ignore_interrupts() -> None:
    """Ignore Ctrl-C in a worker process (its initialiser).

    Ctrl-C in a terminal reaches the whole process group; the parent alone decides (and
    stops the workers), so workers print no tracebacks of their own.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_workers(tasks: list[str], stage: Path, formats: tuple[str, ...], out: Path, workers: int,
                    results: dict, report: Callable[[str, int], None]) -> None:
    """Run the tasks in worker processes; on any error or interrupt stop every worker first."""
    import concurrent.futures
    import multiprocessing

    from . import solvers

    # Compile the reflex kernels once here if they are not on disk yet, so the workers load
    # them from the cache instead of each compiling its own copy (when they are, loading
    # them here too would only delay the workers by a second or two).  "spawn" starts
    # clean interpreters (no fork of a threaded parent).
    if not solvers.kernels_cached():
        solvers.warm()
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                  initializer=_ignore_interrupts)
    try:
        futures = {pool.submit(_task, task, stage, formats, out): task for task in tasks}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            results[futures[future]] = future.result()
            report(futures[future], done)
    except BaseException:
        # Leaving the pool's "with" would wait for the running tasks (tens of seconds) and let
        # them go on writing; stop them instead, then wait until they are gone.
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _stop_workers(pool: Any) -> None:
    """Cancel queued tasks and terminate the worker processes of *pool*, then reap them."""
    # Before Python 3.14 the executor has no public way to stop a running task, so the
    # processes are taken from it (before shutdown, which forgets them) and terminated.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    terminate = getattr(pool, "terminate_workers", None)  # Python ≥ 3.14
    if terminate is not None:
        terminate()
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


RECEPTOR_TITLE = "GABA-B: one receptor closes Ca²⁺ channels and opens K⁺ channels"
RECEPTOR_CAPTION = ("Baclofen binds the B1 subunit of the GABA-B1/B2 heterodimer; through Gi/o, Gβγ closes "
                    "presynaptic Cav2 Ca²⁺ channels of the Ia terminal (less Ca²⁺, much less glutamate) and opens "
                    "GIRK K⁺ channels of the motoneuron; Gα lowers cAMP. The numbers name the model stage of each step.")


def handout_pages(gallery: Path) -> list[Any]:
    """The handout's pages for a gallery folder built by :func:`build_gallery` (PNG format needed).

    In gallery order: the reflex-arc and receptor schematics, every built-in scenario (title, caption,
    what to notice, questions) and the multiscale figure; the animation is left out (a GIF).
    """
    from . import plotting
    from .scenario import builtin_names, load

    gallery = Path(gallery)
    pages = [plotting.HandoutPage(
        title="Baclofen damps the stretch reflex at two spinal sites", image=gallery / "reflex-arc.png",
        caption="Spindle → Ia afferent → motoneuron → muscle, with descending inhibition; the numbered "
        "markers show baclofen's presynaptic, postsynaptic and brain sites."),
        plotting.HandoutPage(title=RECEPTOR_TITLE, image=gallery / "gabab-receptor.png", caption=RECEPTOR_CAPTION)]
    for name in builtin_names():
        scenario = load(name)
        stem = str(scenario.figure.get("file", scenario.name))
        pages.append(plotting.HandoutPage(
            title=scenario.figure["title"], image=gallery / f"{stem}.png",
            caption=scenario.figure.get("caption", scenario.objective), notice=tuple(scenario.notice),
            questions=tuple(scenario.questions)))
    pages.append(plotting.HandoutPage(
        title="The reflex follows the drug level over the day", image=gallery / "multiscale.png",
        caption=f"Drug levels over a day of {MULTISCALE_REGIMEN_TEXT}, with millisecond stretch-reflex "
        "traces at trough and peak."))
    return pages


def write_gallery_handout(gallery: Path, path: Path) -> Path:
    """Write the lecture handout PDF for the gallery in *gallery* (see :func:`handout_pages`)."""
    from . import plotting

    return plotting.write_handout(handout_pages(gallery), path)


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
