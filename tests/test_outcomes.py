import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ParameterError
from sim.outcomes import (
    BAND_DESCRIPTORS,
    BANDS,
    ComfortParameters,
    SedationParameters,
    central_drive_factor,
    nociceptive_signal_rel,
    sedation_band,
    sedation_index,
    tone_discomfort_rel,
)


def test_sedation_index_bounds_and_monotonic():
    a = np.linspace(0.0, 1.0, 201)
    s = sedation_index(a)
    assert s[0] == 0.0 and np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) > 0)


def test_half_activation_gives_half():
    p = SedationParameters()
    assert float(sedation_index(p.half_activation, p)) == pytest.approx(0.5, abs=1e-12)


@given(st.floats(0.0, 1.0))
def test_band_matches_edges(index):
    band = str(sedation_band(index))
    edges = SedationParameters().band_edges
    assert band == BANDS[sum(index >= e for e in edges)]


def test_band_descriptors_name_the_side_effects_without_probabilities():
    text = " ".join(BAND_DESCRIPTORS.values())
    for word in ("drowsiness", "dizziness", "weakness"):
        assert word in text
    assert "%" not in text and "probab" not in text


def test_band_edges_validated():
    with pytest.raises(ParameterError, match="band_edges"):
        SedationParameters(band_edges=(0.3, 0.2, 0.5))


def test_nociceptive_signal_is_untouched_by_default_but_coupling_works():
    a = np.linspace(0, 1, 11)
    assert np.all(nociceptive_signal_rel(a) == 1.0)
    coupled = nociceptive_signal_rel(a, ComfortParameters(nociceptive_coupling=0.5))
    assert np.all(np.diff(coupled) < 0)


def test_tone_discomfort_ratio_and_errors():
    assert float(tone_discomfort_rel(2.0, 4.0)) == 0.5
    with pytest.raises(ParameterError, match="resistive_torque_nm = -1.0"):
        tone_discomfort_rel(-1.0, 4.0)
    with pytest.raises(ParameterError, match="activation_brain = 1.5"):
        sedation_index(1.5)


def test_central_drive_factor_falls_with_sedation():
    s = np.linspace(0.0, 1.0, 11)
    factor = central_drive_factor(s)
    assert factor[0] == 1.0 and np.all(np.diff(factor) < 0) and factor[-1] == pytest.approx(0.7)
