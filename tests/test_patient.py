import numpy as np
import pytest

from sim.errors import ParameterError
from sim.patient import Patient


def test_presets_give_severity():
    assert float(Patient(condition="healthy").severity) == 0.0
    assert float(Patient(condition="spastic").severity) == 1.0
    assert float(Patient(condition="spastic", spasticity=0.4).severity) == 0.4


def test_batch_shape():
    p = Patient(spasticity=[0.0, 0.5, 1.0], creatinine_clearance_ml_min=[[100.0], [30.0]])
    assert p.batch_shape == (2, 3)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"condition": "sick"}, "Patient.condition = 'sick'"),
        ({"spasticity": 1.5}, "Patient.spasticity = 1.5 is outside the allowed range [0.0, 1.0]"),
        ({"spasticity": -0.1}, "Patient.spasticity = -0.1"),
        ({"creatinine_clearance_ml_min": -5.0}, "creatinine_clearance_ml_min = -5.0"),
        ({"body_weight_kg": np.nan}, "body_weight_kg = nan"),
    ],
)
def test_invalid_values_are_named(kwargs, fragment):
    with pytest.raises(ParameterError) as info:
        Patient(**kwargs)
    assert fragment in str(info.value)


def test_frozen_and_keyword_only():
    with pytest.raises(TypeError):
        Patient("spastic")
    assert Patient().replace(condition="healthy").condition == "healthy"
