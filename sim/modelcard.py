"""The model card (``docs/model.md``), generated from the code.

The card has two kinds of content:

* **generated** – the equations of each stage (the ``Equations`` part of each
  stage module's docstring, so the card cannot drift from the code) and a
  table of every parameter from :meth:`sim.model.ModelParameters.table`,
  grouped by stage, with symbol, value, unit, status, plausible range and
  source; and the table of every output variable from the registry
  :data:`sim.variables.VARIABLES` (name, unit, axis label, meaning);
* **hand-written** – the time-scale argument, what is simplified and what the
  model must not be used for.  These live in this module as the template
  (:data:`SECTIONS`), so the whole card is rebuilt by :func:`render`.

``python -m sim model-card`` calls :func:`write`.  Regenerate the card whenever
a parameter, its source or a stage docstring changes; ``tests/test_modelcard.py``
fails while ``docs/model.md`` is out of date.

Examples
--------
>>> text = render()
>>> text.splitlines()[0]
'# Model card: spinal-reflex-sim'
>>> "| `pk.bioavailability` |" in text
True
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["SECTIONS", "STAGE_MODULES", "render", "write", "is_up_to_date", "stage_equations",
           "repository_card_path"]

#: Parameter stage → module whose docstring opens with that stage's equations.
STAGE_MODULES = {
    "pk": "sim.pk",
    "adaptation": "sim.adaptation",
    "receptor": "sim.receptor",
    "spindle": "sim.spindle",
    "synapse": "sim.synapse",
    "motoneuron": "sim.motoneuron",
    "muscle": "sim.muscle",
    "sedation": "sim.outcomes",
    "comfort": "sim.outcomes",
}

#: Hand-written sections (markdown), in order; rendered around the generated parts.
SECTIONS = {
    "purpose": """\
## What the model is

A mechanistic teaching model of how baclofen, a GABA-B receptor agonist, damps
the spinal stretch reflex.  The signal flows through one module per stage:
dosing regimen → pharmacokinetics (plasma, lumbar CSF, cord-tissue and brain
effect sites) → GABA-B activation → Ia terminal Ca²⁺ influx and glutamate release
(and, as a teaching switch, a postsynaptic GIRK conductance) → a pool of 32
motoneuron units, each with its own persistent inward current → muscle EMG,
force and torque → read-outs (reflex gain, threshold angle,
H-reflex, spasms, voluntary force, tone discomfort, a nociceptive signal the
drug leaves alone, and qualitative sedation bands).
""",
    "timescales": """\
## Two time scales, kept apart on purpose

* **Hours to days – drug levels.**  The pharmacokinetics is linear, so it is
  solved *exactly* with matrix exponentials between known discontinuities
  (doses, pump starts and stops, dialysis).  Receptor availability (tolerance)
  adapts over days.
* **Milliseconds to a second – the reflex.**  At each sampled time, short
  reflex *probes* (ramp stretch, electrical volley, Ia train, voluntary
  contraction) are simulated with the drug concentration **held constant**.

Why this is valid: the effect-site concentrations change with time constants
of tens of minutes to hours (absorption ≈ 0.4 h, cord tissue behind plasma
≈ 0.6 h, CSF equilibration ≈ 1.5 h, CSF-to-tissue delay ≈ 2 h), while the
slowest fast states of the reflex circuit (PIC activation, τ ≈ 0.15 s; slow PIC
inactivation, 3 s; vesicle-pool recovery, seconds) settle within seconds.  Over one probe the drug level changes by less
than 0.1 %, far below the model's own uncertainty.  Every sampled time is
probed directly: one batched call of the compiled reflex kernel per protocol
(`sim.solvers`: classical RK4 at each protocol's default step, 0.25–1 ms, the synapse in four sub-steps,
every trace within 1e-4 of its range of a tight-tolerance `solve_ivp`
reference), with no cached grid and no interpolation.
""",
    "potency": """\
## One potency from slice to patient

One presynaptic EC50 (0.7 µM R-baclofen, with at most 40 % block of Ca²⁺ influx
and a 4th-power release law) gives the published slice potency: the modelled
slice EPSC falls half-way at ≈ 0.9 µM racemic and ≈ 0.46 µM R (R about twice as
potent as the racemate), S-baclofen needs more than 100× more.  Patients' cord
tissue sees far less (≈ 0.07 µM R on oral 60 mg/day, ≈ 0.18 µM R on intrathecal
400 µg/day), which cuts release by only 10–25 %.  The reflex falls by two to
three times more because a stretch lifts the units it recruits only a few mV
above their thresholds: a small loss of synaptic drive derecruits a larger
share of the pool (recruitment amplification; less in severe spasticity, whose
drive is far above threshold).  The free factors are the EC50 (anchored to
slice data), the cord-tissue : plasma ratio (0.12, as CSF) and one penetration
factor from lumbar CSF into cord tissue for intrathecal drug (0.14, calibrated).
""",
    "simplified": """\
## What is simplified

* **Presynaptic versus postsynaptic action is debated.**  Animal data support
  a presynaptic action (less Ca²⁺ influx, less glutamate released by Ia
  terminals); human H-reflex data suggest a postsynaptic component.  The model
  exposes this as a teaching switch (`mechanism = "presynaptic" |
  "postsynaptic" | "both"`); neither is "the" answer, and "reduced glutamate
  release" is itself a simplification.
* **CSF and cord tissue are lumped compartments.**  Real lumbar-to-cisternal
  and CSF-to-tissue gradients are steep and CSF levels under intrathecal therapy
  correlate poorly with dose; the cord-tissue level that drives the reflex is a
  teaching variable, not a measurable number.
* **Sedation is qualitative.**  A 0–1 index, one saturating curve of the brain
  effect-site level, is shown only as bands (none / mild / moderate / marked) –
  never as a probability or a percentage.  No tolerance to drowsiness is
  modelled.
* **Receptor adaptation is illustrative.**  A delayed down-regulation over
  weeks: no visible drift within a few days, a rebound after weeks of
  intrathecal therapy; its depth is a teaching choice.
* **Open-loop, imposed kinematics.**  Stretches are imposed on the joint; the
  reflex force does not feed back on the movement (no clonus loop).  The Ia
  population is one mean rate; the motoneuron pool is 32 representative units
  (generator potentials, no spikes; rate-level EMG and force).
* **Population means.**  One set of parameters stands for "a patient"; real
  people differ widely in kinetics and in response at similar levels.
""",
    "not_for": """\
## What the model must NOT be used for

* **Dosing.**  It gives no dosing advice; regimens in examples are there to
  show mechanisms, not to recommend anything.
* **Clinical decisions** of any kind (starting, adjusting, stopping or
  switching therapy, managing renal impairment, overdose or withdrawal).
* **Predicting individual patients.**  The parameters are literature means,
  calibrations and teaching choices; the model has not been validated against
  individual patient data.
""",
    "status": """\
## How to read the parameter table

`status` says how far a default can be trusted:
**literature** – read in a source; **derived** – computed from literature
values; **unverified** – a published value recalled from memory and not yet checked
in a stored source (the source says so); **calibrated** – chosen so the model reproduces a named observation
(the source says which); **illustrative** – a teaching choice without a direct
measurement (the source says why).  `range` is the plausible range enforced
when a parameter object is built.
""",
}

_HEADER = """\
# Model card: spinal-reflex-sim

> **{statement}**

<!-- Generated by `python -m sim model-card` (sim/modelcard.py) from the code.
     Do not edit by hand: change the stage modules, their parameters or the
     template in sim/modelcard.py, then regenerate. -->
"""


def _cell(value: Any) -> str:
    """Markdown table cell: numbers compactly, pipes escaped, no line breaks."""
    if isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_cell(v) for v in value)
    elif value is None:
        text = "–"
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _range(bounds: Any) -> str:
    if not bounds:
        return "–"
    low, high = bounds
    return f"{_cell(float(low))} – {_cell(float(high))}"


def stage_equations(module_name: str) -> str:
    """The ``Equations`` section of a stage module's docstring (up to the next section heading)."""
    doc = importlib.import_module(module_name).__doc__ or ""
    lines = doc.splitlines()
    heading = re.compile(r"^-{3,}\s*$")
    start = next((i for i in range(1, len(lines)) if heading.match(lines[i])
                  and lines[i - 1].strip() in ("Equations", "Sedation (central nervous system depression)")),
                 None)
    if start is None:  # no Equations section: the docstring's opening paragraph
        return "\n".join(lines[: next((i for i, line in enumerate(lines) if not line.strip()), len(lines))])
    body = []
    for i in range(start + 1, len(lines)):
        if i + 1 < len(lines) and heading.match(lines[i + 1]) and lines[i].strip():
            break
        body.append(lines[i])
    return "\n".join(body).strip("\n")


def _equations_section() -> str:
    parts = ["## Equations of each stage", "",
             "Taken verbatim from the docstring of each stage module "
             "(reStructuredText maths as in the source).", ""]
    seen = set()
    for module in STAGE_MODULES.values():
        if module in seen:
            continue
        seen.add(module)
        title = importlib.import_module(module).__doc__.strip().splitlines()[0]
        parts += [f"### `{module}` – {title}", "", "```rst", stage_equations(module), "```", ""]
    return "\n".join(parts)


def _parameter_section(params: Any = None) -> str:
    from .model import STAGES, ModelParameters

    rows = (params if params is not None else ModelParameters()).table()
    parts = ["## Parameters", "", f"{len(rows)} parameters in {len(STAGES)} stages.", ""]
    for stage in STAGES:
        stage_rows = [r for r in rows if r["name"].startswith(f"{stage}.")]
        parts += [f"### {stage}", "",
                  "| name | symbol | value | unit | status | range | source |",
                  "|---|---|---|---|---|---|---|"]
        for r in stage_rows:
            parts.append(
                f"| `{r['name']}` | {_cell(r['symbol'])} | {_cell(r['value'])} | {_cell(r['unit'])} | "
                f"{r['status']} | {_range(r.get('bounds'))} | {_cell(r['source'])} |"
            )
        parts.append("")
    return "\n".join(parts)


def _variability_section() -> str:
    from .population import VariabilityParameters

    rows = VariabilityParameters().table()
    parts = ["## Virtual cohorts: inter-individual variability", "",
             "`sim.population(n, seed=…)` draws virtual patients from these distributions (log-normal factors "
             "on the typical patient's values, truncated at ± `truncation_sd` SD and at each parameter's "
             "physical bounds; see `sim.population`).", "",
             "| name | symbol | value | unit | status | range | source |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        parts.append(f"| `variability.{r['name']}` | {_cell(r['symbol'])} | {_cell(r['value'])} | {_cell(r['unit'])} | "
                     f"{r['status']} | {_range(r.get('bounds'))} | {_cell(r['source'])} |")
    parts.append("")
    return "\n".join(parts)


def _comparators_section() -> str:
    from .comparators import COMPARATORS

    parts = ["## Other antispastics beside baclofen (illustrative)", "",
             "`sim.comparators` puts diazepam, tizanidine and dantrolene on the same chain (their actions change "
             "existing stages through `sim.actions`; exposure = fraction of the labelled maximum daily dose). "
             "Illustrative teaching comparators, not calibrated pharmacology of those drugs.", "",
             "| name | symbol | value | unit | status | range | source |", "|---|---|---|---|---|---|---|"]
    for drug, params in COMPARATORS.items():
        for r in params.table():
            parts.append(f"| `{drug}.{r['name']}` | {_cell(r['symbol'])} | {_cell(r['value'])} | {_cell(r['unit'])} | "
                         f"{r['status']} | {_range(r.get('bounds'))} | {_cell(r['source'])} |")
    parts.append("")
    return "\n".join(parts)


def _variables_section() -> str:
    from .variables import GROUPS, VARIABLES

    parts = ["## Output variables", "",
             f"{len(VARIABLES)} variables: every name the package writes into a result, a CSV column or a "
             "plot axis, from the registry `sim.variables` (the one place that defines names, units and "
             "labels).  A CSV column of one arm is `name[arm]`; unit `1` means dimensionless.", ""]
    for group, title in GROUPS.items():
        parts += [f"### {title}", "", "| name | unit | axis label | description |", "|---|---|---|---|"]
        parts += [f"| `{v.name}` | {_cell(v.unit)} | {_cell(v.label)} | {_cell(v.description)} |"
                  for v in VARIABLES.values() if v.group == group]
        parts.append("")
    return "\n".join(parts)


def render(params: Any = None) -> str:
    """The full model card as markdown (deterministic: same code, same text).

    Parameters
    ----------
    params : sim.model.ModelParameters, optional
        Parameter set to tabulate (default: the package defaults).
    """
    from .fileio import EDUCATIONAL_STATEMENT

    sections = [
        _HEADER.format(statement=EDUCATIONAL_STATEMENT),
        SECTIONS["purpose"],
        SECTIONS["not_for"],
        SECTIONS["timescales"],
        SECTIONS["potency"],
        SECTIONS["simplified"],
        _equations_section(),
        SECTIONS["status"],
        _parameter_section(params),
        _variability_section(),
        _comparators_section(),
        _variables_section(),
    ]
    return "\n".join(s.rstrip("\n") + "\n" for s in sections)


def write(path: str | os.PathLike[str] = "docs/model.md", *, option: str = "path") -> Path:
    """Render the card and write it atomically to *path*; return the path.

    Raises
    ------
    ParameterError
        If *path* is a folder, or its folder cannot be written (checked before rendering);
        *option* is the name quoted in the message (``"--out"`` on the command line).
    """
    from .fileio import atomic_write_text, check_output_file

    target = check_output_file(path, option=option)
    return atomic_write_text(target, render())


def repository_card_path(start: str | os.PathLike[str] | None = None) -> Path | None:
    """Find ``docs/model.md`` of the spinal-reflex-sim checkout containing *start*.

    *start* defaults to the current folder; outside a checkout the answer is None, so that
    ``model-card`` never creates a ``docs/`` folder in some unrelated place.
    """
    import tomllib

    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        project = folder / "pyproject.toml"
        if project.is_file():
            try:
                name = tomllib.loads(project.read_text(encoding="utf-8")).get("project", {}).get("name")
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                name = None
            return folder / "docs" / "model.md" if name == "spinal-reflex-sim" else None
    return None


def is_up_to_date(path: str | os.PathLike[str] = "docs/model.md") -> bool:
    """True if the file at *path* equals :func:`render` (False if it is missing)."""
    target = Path(path)
    return target.is_file() and target.read_text(encoding="utf-8") == render()
