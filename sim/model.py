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
sim.errors.ParameterError: unknown model stage 'recepter' in 'recepter.hill_coefficient' (did you mean 'receptor'?); stages: pk, adaptation, receptor, spindle, synapse, motoneuron, muscle, sedation, comfort
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Any

from .adaptation import AdaptationParameters
from .errors import ParameterError
from .motoneuron import MotoneuronParameters
from .muscle import SOLEUS, MuscleParameters
from .outcomes import ComfortParameters, SedationParameters
from .parameters import Parameters, parameter_table
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

    def with_overrides(self, overrides: Mapping[str, Any]) -> ModelParameters:
        """Return a copy with values changed by dotted name (``"stage.field"``).

        Raises
        ------
        ParameterError
            For an unknown stage or field (with a hint) or an out-of-range value.
        """
        changes: dict[str, dict[str, Any]] = {}
        for key, value in overrides.items():
            stage, _, field = key.partition(".")
            if stage not in STAGES:
                close = difflib.get_close_matches(stage, list(STAGES), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ParameterError(
                    f"unknown model stage {stage!r} in {key!r}{hint}; stages: {', '.join(STAGES)}"
                )
            if not field:
                raise ParameterError(f"{key!r} names a stage, not a parameter; use 'stage.parameter'")
            if isinstance(value, bool) or not isinstance(value, (int, float, str, list, tuple)):
                raise ParameterError(f"{key} = {value!r} must be a number")
            changes.setdefault(stage, {})[field] = float(value) if isinstance(value, int) else value
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
