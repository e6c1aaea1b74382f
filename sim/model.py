"""All stage parameters in one bundle, addressed by dotted names.

:class:`ModelParameters` holds one parameter object per stage of the chain.
Scenarios and the command line change single values by dotted name
(``"motoneuron.pic_conductance_spastic_ns"``); a misspelled stage or field is an error with a
"did you mean" hint, and every value is validated by its stage's dataclass.

Examples
--------
>>> p = ModelParameters().with_overrides({"receptor.ec50_presynaptic_r_um": 0.2})
>>> p.receptor.ec50_presynaptic_r_um
0.2
>>> ModelParameters().with_overrides({"recepter.hill_coefficient": 1.0})
Traceback (most recent call last):
...
sim.errors.ParameterError: unknown model stage 'recepter' in 'recepter.hill_coefficient' (did you mean 'receptor'?); stages: pk, adaptation, receptor, spindle, synapse, motoneuron, muscle, sedation, comfort, limb
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .adaptation import AdaptationParameters
from .errors import ParameterError, did_you_mean
from .limb import ANKLE, LimbParameters
from .motoneuron import MotoneuronParameters
from .muscle import SOLEUS, MuscleParameters
from .outcomes import ComfortParameters, SedationParameters
from .parameters import Parameters, check_range, parameter_table
from .pk import PKParameters
from .receptor import ReceptorParameters
from .spindle import SpindleParameters
from .synapse import SynapseParameters

__all__ = ["STAGES", "ModelParameters"]

#: Stage name → parameter class, in the order the signal flows.
STAGES: dict[str, type[Parameters]] = {
    "pk": PKParameters,
    "adaptation": AdaptationParameters,
    "receptor": ReceptorParameters,
    "spindle": SpindleParameters,
    "synapse": SynapseParameters,
    "motoneuron": MotoneuronParameters,
    "muscle": MuscleParameters,
    "sedation": SedationParameters,
    "comfort": ComfortParameters,
    "limb": LimbParameters,  # the foot of the closed-loop clonus probe (sim.limb)
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelParameters:
    """One parameter object per stage (defaults: each stage's literature/calibrated values)."""

    pk: PKParameters = dataclasses.field(default_factory=PKParameters)
    adaptation: AdaptationParameters = dataclasses.field(default_factory=AdaptationParameters)
    receptor: ReceptorParameters = dataclasses.field(default_factory=ReceptorParameters)
    spindle: SpindleParameters = dataclasses.field(default_factory=SpindleParameters)
    synapse: SynapseParameters = dataclasses.field(default_factory=SynapseParameters)
    motoneuron: MotoneuronParameters = dataclasses.field(default_factory=MotoneuronParameters)
    muscle: MuscleParameters = SOLEUS
    sedation: SedationParameters = dataclasses.field(default_factory=SedationParameters)
    comfort: ComfortParameters = dataclasses.field(default_factory=ComfortParameters)
    limb: LimbParameters = ANKLE

    def with_overrides(self, overrides: Mapping[str, Any]) -> ModelParameters:
        """Return a copy with values changed by dotted name (``"stage.field"``).

        Raises
        ------
        ParameterError
            For an unknown stage or field (with a hint) or an out-of-range value.
        """
        changes: dict[str, dict[str, Any]] = {}
        for key, value in overrides.items():
            if not isinstance(key, str):
                raise ParameterError(f"parameter name {key!r} must be a string 'stage.parameter'")
            stage, _, field = key.partition(".")
            if stage not in STAGES:
                hint = did_you_mean(stage, STAGES)
                raise ParameterError(
                    f"unknown model stage {stage!r} in {key!r}{hint}; stages: {', '.join(STAGES)}"
                )
            if not field:
                raise ParameterError(f"{key!r} names a stage, not a parameter; use 'stage.parameter'")
            changes.setdefault(stage, {})[field] = _checked_value(key, STAGES[stage], field, value)
        updated = self
        for stage, fields in changes.items():
            updated = dataclasses.replace(updated, **{stage: getattr(updated, stage).replace(**fields)})
        return updated

    def table(self) -> list[dict[str, Any]]:
        """Every parameter of every stage as rows (name ``stage.field``, value, unit, source, status …)."""
        rows = []
        for stage in STAGES:
            rows.extend(parameter_table(getattr(self, stage), prefix=f"{stage}."))
        return rows


def _checked_value(key: str, cls: type[Parameters], field: str, value: Any) -> Any:
    """Check an override value against the field's kind and range, quoting the user's key.

    A dotted override changes one value of one parameter set, so it takes a real number
    (or, for a sequence-valued field such as ``sedation.band_edges``, a list of numbers of
    the same length); strings, booleans and arrays for scalar fields are refused here, with
    the key and value as the user wrote them.  Batches of parameter sets go through
    :meth:`~sim.parameters.Parameters.replace` instead.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    if field not in names:
        raise ParameterError(f"{key}: {cls.__name__} has no parameter {field!r}"
                             f"{did_you_mean(field, names)}; known: {', '.join(sorted(names))}")
    spec = next(f for f in dataclasses.fields(cls) if f.name == field)
    unit = spec.metadata.get("unit", "")
    unit_text = f" ({unit})" if unit and unit != "1" else ""
    default = spec.default

    def is_number(item: Any) -> bool:
        return not isinstance(item, (bool, np.bool_)) and isinstance(item, (int, float, np.integer, np.floating))

    if isinstance(default, tuple):
        if not (isinstance(value, (list, tuple)) and len(value) == len(default)
                and all(is_number(v) and math.isfinite(v) for v in value)):
            raise ParameterError(f"{key} = {value!r}: expected a list of {len(default)} numbers, "
                                 f"e.g. {list(default)}")
        return tuple(float(v) for v in value)
    if not is_number(value):
        raise ParameterError(f"{key} = {value!r}: expected a number{unit_text}, e.g. {default!r}")
    bounds = spec.metadata.get("bounds")
    if bounds is not None:
        check_range(key, value, bounds[0], bounds[1], unit)
    elif not math.isfinite(float(value)):
        raise ParameterError(f"{key} = {value!r} is not finite")
    return float(value)
