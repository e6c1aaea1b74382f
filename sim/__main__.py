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
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import ParameterError, SimError
from .fileio import EDUCATIONAL_LABEL, EDUCATIONAL_STATEMENT

__all__ = ["main", "build_parser"]

EPILOG = f"""examples:
  spinal-reflex-sim list
  spinal-reflex-sim describe routes
  spinal-reflex-sim run routes --out output --format png,svg
  spinal-reflex-sim run kidneys --set settings.hours=240 --set receptor.ec50_presynaptic_r_um=0.2
  spinal-reflex-sim figures            # every built-in scenario into figures/
  spinal-reflex-sim model-card         # regenerate docs/model.md

{EDUCATIONAL_STATEMENT}
"""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


class _Parser(argparse.ArgumentParser):
    """Argument errors print one line and exit 2, like every other input error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


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
        "figure(s), a CSV of every plotted series and a provenance.json.",
        epilog="examples:\n  spinal-reflex-sim run routes\n"
        "  spinal-reflex-sim run my-scenario.toml --out results --format png\n"
        "  spinal-reflex-sim run withdrawal --set settings.hours=600 --set adaptation.time_constant_h=48")
    run.add_argument("scenario", metavar="NAME_OR_PATH", help="built-in scenario name or path to a .toml file")
    run.add_argument("--out", default="output", metavar="DIR", help="output folder (default: output)")
    run.add_argument("--format", default="png,svg,pdf", metavar="LIST",
                     help="comma-separated figure formats: png, svg, pdf (default: all three)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a value: a path in the file (settings.hours=48) or a model "
                     "parameter (motoneuron.pic_conductance_spastic_ns=20); repeatable")
    run.set_defaults(handler=_cmd_run)

    figures = commands.add_parser(
        "figures", help="run every built-in scenario and rebuild the figure gallery",
        formatter_class=_formatter,
        description="Run every built-in scenario, then draw the reflex-arc schematic, the multiscale "
        "figure and the animated reflex; write a gallery README in the output folder.",
        epilog="example:\n  spinal-reflex-sim figures --out figures")
    figures.add_argument("--out", default="figures", metavar="DIR", help="output folder (default: figures)")
    figures.add_argument("--format", default="png,svg,pdf", metavar="LIST",
                         help="comma-separated figure formats (default: png,svg,pdf)")
    figures.add_argument("--jobs", type=int, default=None, metavar="N",
                         help="processes to use (default: one per core, at most 4; 1 = no worker processes)")
    figures.set_defaults(handler=_cmd_figures)

    describe = commands.add_parser(
        "describe", help="print a scenario's objective, what to notice, questions and assumptions",
        formatter_class=_formatter, description="Describe one scenario for a lecture.",
        epilog="example:\n  spinal-reflex-sim describe withdrawal")
    describe.add_argument("scenario", metavar="NAME_OR_PATH")
    describe.set_defaults(handler=_cmd_describe)

    card = commands.add_parser(
        "model-card", help="regenerate the model card (docs/model.md) from the parameter metadata",
        formatter_class=_formatter, description="Write the model card: every parameter with symbol, "
        "value, unit, source and status, beside the hand-written sections.",
        epilog="example:\n  spinal-reflex-sim model-card --out docs/model.md")
    card.add_argument("--out", default="docs/model.md", metavar="PATH", help="destination (default: docs/model.md)")
    card.set_defaults(handler=_cmd_model_card)
    return parser


def _formats(text: str) -> tuple[str, ...]:
    from .runner import FORMATS

    formats = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"--format = {text!r}: allowed formats are {', '.join(FORMATS)}")
    return formats


def _cmd_list(args: argparse.Namespace) -> int:
    from .scenario import builtin_names, load

    print(EDUCATIONAL_LABEL)
    for name in builtin_names():
        scenario = load(name)
        print(f"  {name:<22} {scenario.objective.split('. ')[0].rstrip('.')}.")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from .scenario import load

    s = load(args.scenario)
    lines = [EDUCATIONAL_LABEL, "", s.title, "=" * len(s.title), "", f"Objective: {s.objective}", "",
             "What to notice:"]
    lines += [f"  - {item}" for item in s.notice]
    lines += ["", "Questions for students:"]
    lines += [f"  {i}. {q}" for i, q in enumerate(s.questions, 1)]
    lines += ["", "Arms: " + "; ".join(f"{arm.name} ({arm.label})" for arm in s.arms)]
    lines += ["", "Model assumptions involved:"]
    lines += [f"  - {a}" for a in (*s.assumptions, "quasi-static coupling of hour-scale drug levels "
                                   "with millisecond reflex probes", "sedation shown as qualitative bands only")]
    print("\n".join(lines))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import run
    from .scenario import load, parse_set_option

    formats = _formats(args.format)
    overrides = dict(parse_set_option(item) for item in args.set)
    scenario = load(args.scenario, overrides=overrides)
    print(f"{EDUCATIONAL_LABEL}\nrunning {scenario.name}: {scenario.title}", flush=True)
    started = time.perf_counter()
    output = run(scenario, args.out, formats=formats, overrides=overrides,
                 progress=lambda line: print(line, flush=True))
    for path in output.files:
        print(f"  wrote {path}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from .gallery import build_gallery

    formats = _formats(args.format)
    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise ParameterError(f"--jobs = {args.jobs} is outside the allowed range [1, 64]")
    print(f"{EDUCATIONAL_LABEL}\nbuilding the figure gallery in {args.out}/", flush=True)
    summary = build_gallery(Path(args.out), formats=formats, workers=args.jobs,
                            progress=lambda line: print(line, flush=True))
    print(summary)
    return 0


def _cmd_model_card(args: argparse.Namespace) -> int:
    from . import modelcard

    path = modelcard.write(args.out)
    print(f"{EDUCATIONAL_LABEL}\nwrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except SimError as error:
        if args.debug:
            raise
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; files already written are complete (outputs are written atomically)",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
