"""The patient: spasticity and the body's handling of the drug.

A :class:`Patient` bundles what differs between people in this model:

* ``condition`` – ``"healthy"`` or ``"spastic"``, a preset for the spinal
  circuit (descending inhibition, persistent inward current, reflex
  threshold; see :mod:`sim.motoneuron`);
* ``spasticity`` – a continuous severity in [0, 1] between the two presets
  (0 = healthy circuit, 1 = the spastic preset); ``None`` takes 0 for
  ``"healthy"`` and 1 for ``"spastic"``;
* ``creatinine_clearance_ml_min`` – kidney function, which sets baclofen's
  renal clearance (apparent renal clearance ≈ creatinine clearance;
  Wuis et al. 1989, Kochak et al. 1985).  The default, 115 mL/min, is a
  healthy adult; with it the model's apparent oral clearance is the healthy
  volunteers' CL/F ≈ 180 mL/min (Kochak 1985) and the fraction excreted
  unchanged 0.64 (Wuis 1989: 0.69 ± 0.14; see :class:`sim.pk.PKParameters`);
* ``body_weight_kg`` – recorded for completeness (the adult PK parameters
  of the calibration notes are not weight-scaled).

Numeric fields may be arrays: a batch of patients runs in one call.

Examples
--------
>>> Patient(condition="spastic").severity
array(1.)
>>> Patient(condition="healthy", creatinine_clearance_ml_min=[100.0, 30.0]).creatinine_clearance_ml_min
array([100.,  30.])
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .parameters import check_choice, check_range

__all__ = ["Patient", "CONDITIONS"]

#: Circuit presets.
CONDITIONS = ("healthy", "spastic")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Patient:
    """A (virtual) patient; see the module docstring for the meaning of each field.

    Parameters
    ----------
    condition : {"healthy", "spastic"}
        Circuit preset.
    spasticity : float or array_like in [0, 1], optional
        Severity between the healthy (0) and spastic (1) presets.
    creatinine_clearance_ml_min : float or array_like in [0, 250], optional
        Kidney function, mL/min (normal adult ≈ 100–120; default 115).
    body_weight_kg : float or array_like in [10, 250], optional
        Body weight, kg.
    """

    condition: str = "spastic"
    spasticity: Any = None
    creatinine_clearance_ml_min: Any = 115.0
    body_weight_kg: Any = 70.0

    def __post_init__(self) -> None:
        check_choice("Patient.condition", self.condition, CONDITIONS)
        if self.spasticity is not None:
            value = check_range("Patient.spasticity", self.spasticity, 0.0, 1.0)
            object.__setattr__(self, "spasticity", value if value.ndim else float(value))
        for name, low, high, unit in (
            ("creatinine_clearance_ml_min", 0.0, 250.0, "mL/min"),
            ("body_weight_kg", 10.0, 250.0, "kg"),
        ):
            value = check_range(f"Patient.{name}", getattr(self, name), low, high, unit)
            object.__setattr__(self, name, value if value.ndim else float(value))

    @property
    def severity(self) -> np.ndarray:
        """Spasticity severity in [0, 1] (explicit value, or the condition's preset)."""
        if self.spasticity is not None:
            return np.asarray(self.spasticity, dtype=float)
        return np.asarray(1.0 if self.condition == "spastic" else 0.0)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of the array-valued fields (``()`` for one patient)."""
        return np.broadcast_shapes(
            self.severity.shape,
            np.shape(self.creatinine_clearance_ml_min),
            np.shape(self.body_weight_kg),
        )

    def replace(self, **changes: Any) -> Patient:
        """Return a copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)
