r"""Drug actions on the existing stages of the reflex chain (a default-off hook of :mod:`sim.reflex`).

Baclofen reaches the chain through GABA-B activations (:mod:`sim.receptor`).  Other
antispastic drugs act elsewhere on the *same* chain (:mod:`sim.comparators`); a
:class:`ChainActions` says, per probe, how much each stage's value is changed:

===========================  =====================================================  ===============
field                        what it changes (row of :func:`sim.reflex.build_model`)  stage
===========================  =====================================================  ===============
``release_scale``            release probability per Ia spike, :math:`p \to s_p\,p`    :mod:`sim.synapse`
``added_conductance_ns``     an extra postsynaptic conductance :math:`g_+` with        :mod:`sim.motoneuron`
``added_reversal_mv``        reversal :math:`E_+`, folded into the fixed terms:
                             :math:`\sum g_j \mathrel{+}= g_+`,
                             :math:`\sum g_j E_j \mathrel{+}= g_+ E_+`
``stretch_excitation_scale`` the stretch-evoked excitatory conductance                 :mod:`sim.motoneuron`
                             :math:`\bar g_{Ia} \to s_e\,\bar g_{Ia}`
``pic_scale``                PIC conductance :math:`g_{PIC} \to s_{PIC}\,g_{PIC}`       :mod:`sim.motoneuron`
``force_scale``              force per unit activation                                 :mod:`sim.muscle`
                             :math:`F_{max} \to s_F\,F_{max}`
===========================  =====================================================  ===============

No equation is copied: the kernel reads the changed rows.  Every field is a
number or an array that broadcasts with the probe batch.  ``None`` (the default
of :func:`sim.reflex.probe`) leaves every row untouched, so results without
actions are bitwise those of the model without this hook.

Examples
--------
>>> a = ChainActions(release_scale=[1.0, 0.5])
>>> a.batch_shape
(2,)
>>> ChainActions(pic_scale=1.5)
Traceback (most recent call last):
...
sim.errors.ParameterError: ChainActions.pic_scale = 1.5 is outside the allowed range [0.0, 1.0]
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .parameters import check_range

__all__ = ["ChainActions", "ACTION_RANGES"]

#: Allowed range and unit of each field of :class:`ChainActions`.
ACTION_RANGES: dict[str, tuple[float, float, str]] = {
    "release_scale": (0.0, 1.0, "1"),
    "added_conductance_ns": (0.0, 5000.0, "nS"),
    "added_reversal_mv": (-110.0, 20.0, "mV"),
    "stretch_excitation_scale": (0.0, 1.0, "1"),
    "pic_scale": (0.0, 1.0, "1"),
    "force_scale": (0.0, 1.0, "1"),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChainActions:
    """Per-probe changes to the stages of the chain (see the module docstring); defaults change nothing."""

    release_scale: Any = 1.0
    added_conductance_ns: Any = 0.0
    added_reversal_mv: Any = -75.0
    stretch_excitation_scale: Any = 1.0
    pic_scale: Any = 1.0
    force_scale: Any = 1.0

    def __post_init__(self) -> None:
        for name, (low, high, unit) in ACTION_RANGES.items():
            object.__setattr__(self, name, check_range(f"ChainActions.{name}", getattr(self, name), low, high, unit))

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of the fields."""
        return np.broadcast_shapes(*(np.shape(getattr(self, name)) for name in ACTION_RANGES))

    def flat(self, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
        """Every field broadcast to *shape* and flattened (at least one element)."""
        size = max(int(np.prod(shape, dtype=int)), 1)
        return {name: np.broadcast_to(getattr(self, name), shape).reshape(size).astype(float)
                for name in ACTION_RANGES}
