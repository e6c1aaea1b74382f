"""Unit conversions for baclofen concentrations.

Baclofen's molar mass is 213.66 g/mol (calibration notes, "Units"), so
1 µM = 213.66 ng/mL and 100 ng/mL ≈ 0.47 µM.

Examples
--------
>>> round(float(ng_ml_to_um(213.66)), 6)
1.0
>>> round(float(um_to_ng_ml(0.5)), 2)
106.83
"""

from __future__ import annotations

import numpy as np

__all__ = ["BACLOFEN_MOLAR_MASS_G_PER_MOL", "ng_ml_to_um", "um_to_ng_ml"]

#: Molar mass of baclofen (C10H12ClNO2), g/mol.
BACLOFEN_MOLAR_MASS_G_PER_MOL = 213.66


def ng_ml_to_um(concentration_ng_ml):
    """Convert a mass concentration in ng/mL to a molar concentration in µM."""
    return np.asarray(concentration_ng_ml, dtype=float) / BACLOFEN_MOLAR_MASS_G_PER_MOL


def um_to_ng_ml(concentration_um):
    """Convert a molar concentration in µM to a mass concentration in ng/mL."""
    return np.asarray(concentration_um, dtype=float) * BACLOFEN_MOLAR_MASS_G_PER_MOL
