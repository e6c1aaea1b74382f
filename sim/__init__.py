"""spinal-reflex-sim: how a GABA-B agonist (baclofen) damps the spinal stretch reflex.

Educational illustration – not for clinical use.  The package is a simplified,
mechanistic teaching model; it gives no dosing advice.

The signal flows through one module per biological stage::

    dosing → pk → receptor → synapse → motoneuron → muscle → outcomes
    (regimen) (plasma, CSF, brain) (GABA-B) (Ca²⁺, glutamate) (pool) (force, EMG)

Two time scales are kept apart on purpose: drug levels change over hours and
are solved exactly (:mod:`sim.pk`); the reflex settles within a second and is
simulated as a short "probe" with the drug held constant (:mod:`sim.reflex`).

Public names are imported lazily, so ``import sim`` is fast and never imports
matplotlib.

Examples
--------
>>> import sim
>>> p = sim.Patient(condition="spastic")
>>> p.condition
'spastic'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "Patient": "sim.patient",
    "Result": "sim.result",
    "EDUCATIONAL_LABEL": "sim.fileio",
    "EDUCATIONAL_STATEMENT": "sim.fileio",
    "SimError": "sim.errors",
    "ParameterError": "sim.errors",
    "ScenarioError": "sim.errors",
    "SimulationError": "sim.errors",
    "DoseWarning": "sim.errors",
    # regimens (sim.dosing)
    "Oral": "sim.dosing",
    "IntrathecalBolus": "sim.dosing",
    "IntrathecalInfusion": "sim.dosing",
    "Haemodialysis": "sim.dosing",
    "Regimen": "sim.dosing",
    # reflex probe (sim.reflex)
    "stretch_reflex": "sim.reflex",
    "h_reflex": "sim.reflex",
    "RampAndHold": "sim.protocols",
    "TendonTap": "sim.protocols",
    "ElectricalVolley": "sim.protocols",
    # closed-loop clonus (sim.closed_loop)
    "clonus": "sim.closed_loop",
    # coupled course (sim.course)
    "simulate": "sim.course",
    # interactive explorer
    "explore": "sim.explorer",
    # virtual cohorts (sim.population; the module itself is callable: sim.population(n, seed=…))
    "ReadoutSurface": "sim.population",
}

_SUBMODULES = {
    "errors", "parameters", "patient", "result", "fileio", "units", "receptor", "dosing", "pk",
    "adaptation", "protocols", "spindle", "synapse", "motoneuron", "muscle", "reflex", "course",
    "outcomes", "scenario", "plotting", "explorer", "model", "runner", "gallery", "modelcard",
    "population", "sensitivity", "cohort", "limb", "closed_loop",
}

__all__ = ["__version__", "population", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"sim.{name}")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
