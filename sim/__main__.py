"""Command line: ``python -m sim`` or ``spinal-reflex-sim``.

Educational illustration – not for clinical use.

Examples
--------
>>> main(["list"])  # doctest: +ELLIPSIS
Educational illustration – not for clinical use
...
0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from . import __version__
from .errors import ParameterError, SimError
from .fileio import EDUCATIONAL_LABEL, EDUCATIONAL_STATEMENT, check_formats, check_output_dir, check_output_file

__all__ = ["main", "console", "build_parser"]

EPILOG = f"""examples:
  spinal-reflex-sim list
  spinal-reflex-sim describe routes
  spinal-reflex-sim run routes --out output --format png,svg
  spinal-reflex-sim run kidneys --set settings.hours=240 --set receptor.ec50_presynaptic_r_um=0.2
  spinal-reflex-sim cohort --students 30 --seed 7 --out class-7   # one mystery patient per student
  spinal-reflex-sim figures            # every built-in scenario into figures/
  spinal-reflex-sim model-card         # regenerate docs/model.md (inside the repository)

Bad input prints one line 'error: ...' and exits with status 2 (--debug shows the traceback).

{EDUCATIONAL_STATEMENT}
"""

SET_HELP = """override one value (repeatable); VALUE is read as TOML (20, 0.2, [10, 20], "text"):
  a model parameter, in every arm:   receptor.ec50_presynaptic_r_um=0.2
  a setting:                          settings.hours=48
  an arm, by name or position:        arms.oral.patient.creatinine_clearance_ml_min=30
  a dose block of an arm's regimen:   arms.oral.regimen.0.dose_mg=20  (arms.0.regimen.0.dose_mg=20)
errors quote the KEY=VALUE you gave"""

#: Seconds of silence after which a long command prints a "still working" line, and then
#: the interval between such lines.
HEARTBEAT_S = (5.0, 10.0)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawTextHelpFormatter(prog, max_help_position=32)


class _Parser(argparse.ArgumentParser):
    """Argument errors print one line and exit 2, like every other input error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {' '.join(message.split())} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (one sub-command per task)."""
    parser = _Parser(
        prog="spinal-reflex-sim",
        description="Teaching simulation of how baclofen (a GABA-B agonist) damps the spinal "
        "stretch reflex: dose → drug levels → GABA-B receptors → glutamate release → "
        "motoneurons → muscle force, with qualitative sedation bands.",
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    listing = commands.add_parser(
        "list", help="list the built-in scenarios with their objectives", formatter_class=_formatter,
        description="List the built-in teaching scenarios.", epilog="example:\n  spinal-reflex-sim list")
    listing.set_defaults(handler=_cmd_list)

    run = commands.add_parser(
        "run", help="run one scenario and write its figure, CSVs and provenance", formatter_class=_formatter,
        description="Run one scenario (a built-in name or a path to a TOML file) and write its "
        "figure(s), a CSV of every plotted series and a provenance.json.\n"
        "Everything is checked before computing starts; the files appear in --out together when "
        "the run is complete (an error or Ctrl-C leaves none behind).\n"
        "Every claim the scenario lists ([[claims]]) is checked on the computed data before "
        "anything is written; a claim that does not hold stops the run (exit status 2).",
        epilog="examples:\n  spinal-reflex-sim run routes\n"
        "  spinal-reflex-sim run my-scenario.toml --out results --format png\n"
        "  spinal-reflex-sim run withdrawal --set settings.hours=600 --set adaptation.time_constant_h=48 \\\n"
        "      --allow-failed-claims   # the stop at 672 h is now past the end: claims fail\n"
        "  spinal-reflex-sim run routes --set arms.oral.regimen.0.dose_mg=10 --allow-failed-claims")
    run.add_argument("scenario", metavar="NAME_OR_PATH", help="built-in scenario name or path to a .toml file")
    run.add_argument("--out", default="output", metavar="DIR", help="output folder (default: output)")
    run.add_argument("--format", default="png,svg,pdf", metavar="LIST",
                     help="comma-separated figure formats: png, svg, pdf (default: all three)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    run.add_argument("--force", action="store_true",
                     help="run even above the size limits (1,000,000 time points, 2,000 reflex\n"
                     "probes or 50 MB of CSV, estimated before the run starts)")
    run.add_argument("--allow-failed-claims", action="store_true",
                     help="write the result set even if a claim of the scenario does not hold\n"
                     "(e.g. after --set changes; the failures are printed and recorded in\n"
                     "provenance.json); without it such a run stops with exit status 2")
    run.set_defaults(handler=_cmd_run)

    figures = commands.add_parser(
        "figures", help="run every built-in scenario and rebuild the figure gallery",
        formatter_class=_formatter,
        description="Run every built-in scenario, then draw the reflex-arc schematic, the multiscale "
        "figure and the animated reflex; write a gallery README in the output folder.\n"
        "The gallery is replaced only when every item is done; Ctrl-C stops all worker processes "
        "and leaves the folder as it was.",
        epilog="examples:\n  spinal-reflex-sim figures --out figures\n"
               "  spinal-reflex-sim figures --out figures --handout handout.pdf")
    figures.add_argument("--out", default="figures", metavar="DIR", help="output folder (default: figures)")
    figures.add_argument("--format", default="png,svg,pdf", metavar="LIST",
                         help="comma-separated figure formats (default: png,svg,pdf)")
    figures.add_argument("--handout", default=None, metavar="FILE.pdf",
                         help="also write a lecture handout: every figure with its caption, what to notice "
                         "and questions, one per page (needs png among --format)")
    figures.add_argument("--jobs", type=int, default=None, metavar="N",
                         help="processes to use (default: one per core, at most 4; 1 = no worker processes)")
    figures.set_defaults(handler=_cmd_figures)

    describe = commands.add_parser(
        "describe", help="print a scenario's objective, what to notice, claims, questions and assumptions",
        formatter_class=_formatter, description="Describe one scenario for a lecture.",
        epilog="example:\n  spinal-reflex-sim describe withdrawal")
    describe.add_argument("scenario", metavar="NAME_OR_PATH")
    describe.set_defaults(handler=_cmd_describe)

    cohort = commands.add_parser(
        "cohort", help="write one seeded mystery patient per student, a class CSV and an answer key",
        formatter_class=_formatter,
        description="Draw one virtual patient per student (sim.population, kidney function 30–120 mL/min), "
        "give each the same oral regimen for a week and write what a clinician could measure on day 7: "
        "plasma levels at the sampling times, the reflex gain and the sedation band.\n"
        "  DIR/students/student-NN/patient.csv   one data set per student\n"
        "  DIR/class.csv                         every student's data, pooled\n"
        "  DIR/answer-key/answer-key.csv         each patient's hidden values (keep it back)\n"
        "The same seed gives identical files; the files appear together when all are written.",
        epilog="example:\n  spinal-reflex-sim cohort --students 30 --seed 7 --out class-7")
    cohort.add_argument("--students", type=int, default=30, metavar="N", help="number of students, 1–500 (default 30)")
    cohort.add_argument("--seed", type=int, required=True, metavar="N", help="seed of the cohort (a whole number ≥ 0)")
    cohort.add_argument("--out", required=True, metavar="DIR", help="output folder")
    cohort.add_argument("--dose-mg", type=float, default=20.0, metavar="MG",
                        help="oral dose three times daily, 1–80 mg (default 20)")
    cohort.set_defaults(handler=_cmd_cohort)

    card = commands.add_parser(
        "model-card", help="regenerate the model card (docs/model.md) from the parameter metadata",
        formatter_class=_formatter, description="Write the model card: every parameter with symbol, "
        "value, unit, source and status, beside the hand-written sections.",
        epilog="examples:\n  spinal-reflex-sim model-card                   # inside the repository\n"
        "  spinal-reflex-sim model-card --out card.md     # anywhere")
    card.add_argument("--out", default=None, metavar="PATH",
                      help="destination file (default: docs/model.md of the spinal-reflex-sim\n"
                      "repository you are in; outside a checkout --out is required)")
    card.set_defaults(handler=_cmd_model_card)
    return parser


@contextlib.contextmanager
def _heartbeat(label: str) -> Iterator[Callable[[str], None]]:
    """Yield a progress printer; while the block runs silent for long, print "still working"."""
    last = [time.monotonic()]
    started = last[0]
    stop = threading.Event()

    def say(line: str) -> None:
        print(line, flush=True)
        last[0] = time.monotonic()

    def beat() -> None:
        first, every = HEARTBEAT_S
        while not stop.wait(1.0):
            quiet = time.monotonic() - last[0]
            if quiet >= (first if last[0] == started else every):
                try:
                    say(f"  … {label} still running ({time.monotonic() - started:.0f} s)")
                except (OSError, ValueError):  # stdout closed: say nothing more
                    return

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield say
    finally:
        stop.set()
        thread.join(timeout=2.0)


def _cmd_list(args: argparse.Namespace) -> int:
    from .scenario import builtin_names, load

    lines = [EDUCATIONAL_LABEL]
    for name in builtin_names():
        scenario = load(name)
        lines.append(f"  {name:<22} {scenario.objective.split('. ')[0].rstrip('.')}.")
    print("\n".join(lines))
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from .scenario import load

    s = load(args.scenario)
    lines = [EDUCATIONAL_LABEL, "", s.title, "=" * len(s.title), "", f"Objective: {s.objective}", "",
             "What to notice:"]
    lines += [f"  - {item}" for item in s.notice]
    lines += ["", "Claims checked on every run:"]
    lines += _claim_lines(s) or ["  (none: this scenario lists no [[claims]])"]
    lines += ["", "Questions for students:"]
    lines += [f"  {i}. {q}" for i, q in enumerate(s.questions, 1)]
    lines += ["", "Arms: " + "; ".join(f"{arm.name} ({arm.label})" for arm in s.arms)]
    lines += ["", "Model assumptions involved:"]
    lines += [f"  - {a}" for a in (*s.assumptions, "quasi-static coupling of hour-scale drug levels "
                                   "with millisecond reflex probes", "sedation shown as qualitative bands only")]
    print("\n".join(lines))
    return 0


def _claim_lines(scenario: object) -> list[str]:
    """Each claim's text, then the check it makes (axis names from the kind registry)."""
    from .claims import describe
    from .runner import KINDS

    outputs = KINDS[scenario.kind].outputs  # type: ignore[attr-defined]
    lines = []
    for claim in scenario.claims:  # type: ignore[attr-defined]
        lines += [f"  - {claim.text}", f"      check: {describe(claim, outputs[claim.table].axis)}"]
    return lines


def _preload_compiled_modules() -> None:
    """Import the compiled libraries a run needs (SciPy's linear algebra, matplotlib and its C parts)
    with Ctrl-C held back: an interrupt inside a C extension's initialisation would leave the
    interpreter unable to exit cleanly, instead of giving the usual one-line message."""
    from .fileio import _interrupts_deferred
    from .plotting.style import import_matplotlib

    with _interrupts_deferred():
        import scipy.interpolate  # noqa: F401
        import scipy.linalg  # noqa: F401
    import_matplotlib()


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import estimate, run
    from .scenario import load, parse_set_option

    # Everything that can be checked is checked before any computing starts (and before the
    # second or so that loading the compiled libraries takes, so a mistyped option is answered at once).
    formats = check_formats(args.format, option="--format")
    check_output_dir(args.out, option="--out")
    overrides = dict(parse_set_option(item) for item in args.set)
    scenario = load(args.scenario, overrides=overrides)
    size = estimate(scenario)
    size.check(force=args.force)
    _preload_compiled_modules()
    print(f"{EDUCATIONAL_LABEL}\nrunning {scenario.name}: {scenario.title}\n  size: {size}", flush=True)
    started = time.perf_counter()
    with _heartbeat(scenario.name) as say:
        output = run(scenario, args.out, formats=formats, overrides=overrides, progress=say,
                     force=args.force, out_option="--out", check_claims=not args.allow_failed_claims)
    for path in output.files:
        print(f"  wrote {path}")
    failed = [result for result in output.claims if not result.held]
    if failed:
        print(f"warning: {len(failed)} of {len(output.claims)} claims of {scenario.name} do not hold for "
              "this run (the title or notes may not describe it; see provenance.json): "
              + "; ".join(repr(result.claim.text) for result in failed), file=sys.stderr)
    elif output.claims:
        print(f"  all {len(output.claims)} claims hold")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from .gallery import build_gallery, default_workers

    formats = check_formats(args.format, option="--format")
    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise ParameterError(f"--jobs = {args.jobs} is outside the allowed range [1, 64]")
    check_output_dir(args.out, option="--out")
    handout = None
    if args.handout is not None:
        handout = check_output_file(args.handout, option="--handout")
        if handout.suffix.lower() != ".pdf":
            raise ParameterError(f"--handout = {args.handout!r} must end in .pdf")
        if "png" not in formats:
            raise ParameterError(f"--handout needs png among --format (got {','.join(formats)})")
    workers = args.jobs or default_workers()
    from . import solvers

    if workers == 1 or not solvers.kernels_cached():
        # This process draws (or compiles the kernels first); with cached kernels and worker
        # processes it only hands out the items, and the workers load these libraries themselves.
        _preload_compiled_modules()
    print(f"{EDUCATIONAL_LABEL}\nbuilding the figure gallery in {args.out}/", flush=True)
    with _heartbeat("the gallery") as say:
        summary = build_gallery(Path(args.out), formats=formats, workers=workers, progress=say)
    print(summary)
    if handout is not None:
        from .gallery import write_gallery_handout

        _preload_compiled_modules()
        print(f"wrote the handout {write_gallery_handout(Path(args.out), handout)}")
    return 0


def _cmd_cohort(args: argparse.Namespace) -> int:
    from .cohort import write_cohort

    check_output_dir(args.out, option="--out")
    _preload_compiled_modules()
    print(f"{EDUCATIONAL_LABEL}\nwriting a classroom cohort of {args.students} into {args.out}/", flush=True)
    with _heartbeat("the cohort") as say:
        files = write_cohort(args.out, students=args.students, seed=args.seed, dose_mg=args.dose_mg,
                             option="--out", progress=say)
    print(f"  wrote {len(files) - 2} student data sets, {files[-2]} and {files[-1]}")
    return 0


def _cmd_model_card(args: argparse.Namespace) -> int:
    from . import modelcard

    target = args.out if args.out is not None else modelcard.repository_card_path()
    if target is None:
        raise ParameterError("model-card: not inside a spinal-reflex-sim repository, so there is no "
                             "docs/model.md to update; give a destination with --out PATH")
    path = modelcard.write(target, option="--out")
    print(f"{EDUCATIONAL_LABEL}\nwrote {path}")
    return 0


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit flush raises nothing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0 – done; 2 – bad input or a file that cannot be read or written (one line on stderr);
    130 – interrupted (Ctrl-C); 141 – the reader of the output went away (``| head``), quietly.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        status = int(args.handler(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader closed the pipe (e.g. `spinal-reflex-sim list | head -2`): nothing left to say.
        _quiet_stdout()
        return 141
    except SimError as error:
        if args.debug:
            raise
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except OSError as error:
        if args.debug:
            raise
        where = f": {error.filename}" if getattr(error, "filename", None) else ""
        print(f"error: {error.strerror or _one_line(error)}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; no partial results were written (a result set appears only when it is "
              "complete)", file=sys.stderr)
        return 130


def console() -> None:
    """The ``spinal-reflex-sim`` program: :func:`main`, then exit with its status.

    After an interrupt the process only exits, so a second (or still pending) Ctrl-C is
    ignored: it must not turn the clean exit status 130 into a death by signal while the
    interpreter shuts down.  Nor may the shutdown add to the one-line message: a worker
    pool's queue thread can still be writing to a worker that was just stopped ("Bad file
    descriptor", reported as an ignored exception), so such reports are dropped then.
    """
    status = main()
    if status == 130:
        import signal
        import threading

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.unraisablehook = lambda unraisable: None
        threading.excepthook = lambda arguments: None
    sys.exit(status)


if __name__ == "__main__":
    console()
