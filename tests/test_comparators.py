"""Baclofen beside the other antispastics (sim.comparators, sim.actions): behaviour with stated tolerances."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import comparators as cp
from sim import readouts as ro
from sim.actions import ChainActions
from sim.errors import ParameterError
from sim.outcomes import BANDS, sedation_band
from sim.parameters import STATUSES


@pytest.fixture(scope="module")
def matched():
    doses = cp.matched_doses(cp.DEFAULT_TARGET_REFLEX_TORQUE_REL, cp.DRUGS)
    out = cp.compare(cp.DRUGS, doses[:, None])
    return doses, {name: values[:, 0] for name, values in out.items()}


def _row(drug):
    return cp.DRUGS.index(drug)


def test_matched_doses_reach_the_common_target(matched):
    _, out = matched
    assert np.allclose(out["reflex_torque_rel"], cp.DEFAULT_TARGET_REFLEX_TORQUE_REL, atol=1e-4)


def test_matched_doses_sit_at_the_calibrated_clinical_equivalents(matched):
    # Calibration targets (sources in the parameters): baclofen ≈ 59, diazepam 35, tizanidine 30, dantrolene 225 mg/day.
    doses, _ = matched
    expected = {"baclofen": 59.4, "diazepam": 35.0, "tizanidine": 30.0, "dantrolene": 225.0}
    for drug, dose in zip(cp.DRUGS, doses, strict=True):
        assert dose == pytest.approx(expected[drug], rel=0.03), drug
        assert dose <= cp.label_max_mg_per_day(drug)  # inside the labelled range


def test_dantrolene_leaves_reflex_emg_unchanged_while_torque_and_strength_fall(matched):
    _, out = matched
    d = _row("dantrolene")
    assert out["reflex_emg_rel"][d] == pytest.approx(1.0, abs=1e-9)  # open loop: the EMG is made before the muscle
    assert out["reflex_torque_rel"][d] < 0.75
    assert out["voluntary_force_rel"][d] < 0.8


def test_dantrolene_emg_unchanged_at_every_dose_torque_falls_monotonically():
    doses = np.linspace(0.0, 400.0, 9)
    out = cp.compare(["dantrolene"], doses)
    assert np.allclose(out["reflex_emg_rel"], 1.0, atol=1e-9)
    assert np.all(np.diff(out["reflex_torque_rel"][0]) < 0)
    assert np.all(np.diff(out["voluntary_force_rel"][0]) < 0)


def test_diazepam_sedation_band_above_baclofen_at_equal_reflex_reduction(matched):
    _, out = matched
    bands = sedation_band(out["sedation_index"])
    rank = {band: k for k, band in enumerate(BANDS)}
    assert rank[str(bands[_row("diazepam")])] > rank[str(bands[_row("baclofen")])]
    assert out["sedation_index"][_row("diazepam")] > out["sedation_index"][_row("baclofen")] + 0.1


def test_baclofen_spares_voluntary_strength_more_than_dantrolene(matched):
    _, out = matched
    assert out["voluntary_force_rel"][_row("baclofen")] > out["voluntary_force_rel"][_row("dantrolene")] + 0.15


def test_tizanidine_acts_on_pic_and_polysynaptic_excitation_not_on_release(matched):
    _, out = matched
    t = _row("tizanidine")
    assert out["pic_conductance_rel"][t] < 0.95 and out["stretch_excitation_rel"][t] < 0.95
    assert out["release_rel"][t] == 1.0
    b = _row("baclofen")
    assert out["pic_conductance_rel"][b] == 1.0 and out["release_rel"][b] < 0.95


def test_every_drug_effect_is_monotonic_in_dose():
    fractions = np.linspace(0.0, 1.5, 7)
    doses = np.array([[cp.label_max_mg_per_day(d) * f for f in fractions] for d in cp.DRUGS])
    out = cp.compare(cp.DRUGS, doses)
    assert np.all(np.diff(out["reflex_torque_rel"], axis=1) < 0)
    assert np.all(np.diff(out["sedation_index"], axis=1) > 0)
    assert np.all(np.diff(out["voluntary_force_rel"], axis=1) <= 1e-12)
    assert np.allclose(out["reflex_torque_rel"][:, 0], 1.0) and np.all(out["sedation_index"][:, 0] == 0.0)


def test_every_comparator_parameter_has_a_source_and_a_status():
    for drug, params in cp.COMPARATORS.items():
        rows = params.table()
        assert rows, drug
        for row in rows:
            assert row["source"].strip(), (drug, row["name"])
            assert row["status"] in STATUSES, (drug, row["name"])
            if row["status"] == "calibrated":
                assert "calibrated" in row["source"], (drug, row["name"])  # says to what


def test_bad_input_names_field_value_and_range():
    with pytest.raises(ParameterError, match=r"diazepam dose_mg_per_day = 500\.0 is outside the allowed range \[0\.0, 80\.0\] mg/day"):
        cp.DIAZEPAM.exposure(500.0)
    with pytest.raises(ParameterError, match="DiazepamParameters.release_cut_max = 1.5"):
        cp.DiazepamParameters(release_cut_max=1.5)
    with pytest.raises(ParameterError, match="drug = 'aspirin'"):
        cp.compare(["aspirin"], [1.0])
    with pytest.raises(ParameterError, match="target_reflex_torque_rel = 0.05"):
        cp.matched_doses(0.05)
    with pytest.raises(ParameterError, match="ChainActions.force_scale = -0.1"):
        ChainActions(force_scale=-0.1)
    with pytest.raises(ParameterError, match="not reached by dantrolene"):
        cp.matched_doses(0.2, ["dantrolene"])  # at most an 80 % cut of force per activation


def test_no_actions_is_bitwise_the_model_without_the_hook():
    names = ("emg_peak", "reflex_torque_nm", "voluntary_force_n")
    plain = ro.evaluate(names, [0.15, 0.4], [0.0, 0.2], 0.5)
    neutral = ro.evaluate(names, [0.15, 0.4], [0.0, 0.2], 0.5, actions=ChainActions())
    for name in names:
        assert np.array_equal(plain[name], neutral[name]), name


def test_scenario_claims_hold():
    from sim import claims
    from sim.runner import run_tables
    from sim.scenario import load

    scenario = load("antispastics")
    tables = {name: table.rounded() for name, table in run_tables(scenario).items()}
    results = claims.evaluate(scenario.claims, tables)
    assert results and all(result.held for result in results), [r.to_dict() for r in results if not r.held]
    assert dataclasses.replace(scenario.arms[0]).drug == "baclofen"
