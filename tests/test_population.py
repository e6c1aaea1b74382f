"""Virtual cohorts (sim.population): reproducible draws, bounds, stated spreads, the read-out surface.

Tolerances, in words:

* medians and log-SDs of the drawn factors: 2,000 patients; the sample median of a log-normal factor
  is within 6 % of the truncated distribution's median (its standard error is ≈ 1.25 ω / √n ≈ 1.3 %
  for ω = 0.42, so 6 % is > 4 standard errors for every ω ≤ 0.9 used here) and the sample log-SD within
  8 % of the truncated log-SD (standard error ≈ 1.6 %/√(…) ≈ 2 %);
* the read-out surface: its largest error against direct probes is below SURFACE_TOLERANCE (0.01 of the
  untreated reflex gain) on random points of its box;
* a cohort without variability reproduces sim.simulate of the typical patient: exposure to 1e-9
  relative, reflex gain within SURFACE_TOLERANCE.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import sim
from sim.errors import ParameterError
from sim.population import (
    DRAWN,
    SURFACE_TOLERANCE,
    ReadoutSurface,
    VariabilityParameters,
    band_shares,
    distribution_bounds,
    expected_medians,
    omega,
    percentile_bands,
    truncated_sd_factor,
)


@pytest.fixture(scope="module")
def surface() -> ReadoutSurface:
    return ReadoutSurface.build(("reflex_gain_rel",))


@pytest.fixture(scope="module")
def large():
    return sim.population(2000, seed=11)


def test_population_is_callable_module_and_function():
    cohort = sim.population(3, seed=0)
    assert cohort.n == 3
    assert sim.population.population(3, seed=0).n == 3
    import sim.population as module

    assert module(3, seed=0).n == 3


def test_same_seed_same_patients_and_prefix_property():
    a, b = sim.population(50, seed=42), sim.population(50, seed=42)
    for name in DRAWN:
        assert np.array_equal(a.draws[name], b.draws[name])
    c = sim.population(50, seed=43)
    assert not np.array_equal(a.draws["clearance_factor"], c.draws["clearance_factor"])
    # A smaller cohort is the start of a larger one with the same seed.
    small = sim.population(20, seed=42)
    for name in DRAWN:
        assert np.array_equal(small.draws[name], a.draws[name][:20])


def test_known_values_for_a_fixed_seed():
    # Pins the draw order and method (numpy's PCG64 is the same on every machine).
    cohort = sim.population(3, seed=7)
    u = np.random.default_rng(7).random((3, len(DRAWN)))[:, 0]
    from scipy.special import ndtr, ndtri

    w = omega(0.33)
    z = ndtri(ndtr(-2.5) + u * (ndtr(2.5) - ndtr(-2.5)))
    np.testing.assert_allclose(cohort.draws["clearance_factor"], np.exp(w * z), rtol=1e-12)


def test_every_draw_respects_its_bounds_and_physical_limits(large):
    bounds = distribution_bounds()
    for name in DRAWN:
        low, high = bounds[name]
        values = large.draws[name]
        assert np.all(values >= low * (1 - 1e-12)) and np.all(values <= high * (1 + 1e-12)), name
    pk = large.params.pk
    for field in dataclasses.fields(pk):
        lo, hi = type(pk).metadata(field.name)["bounds"]
        value = np.asarray(getattr(pk, field.name))
        assert np.all((value >= lo) & (value <= hi)), field.name
    csf = np.asarray(pk.csf_clearance_ml_h)
    assert csf.min() >= 10.0 and csf.max() <= 100.0
    assert np.all((large.patient.severity >= 0.5) & (large.patient.severity <= 1.0))


def test_extreme_spread_is_still_truncated_at_physical_bounds():
    wide = VariabilityParameters(clearance_cv=2.0, volume_cv=2.0, absorption_cv=2.0, cord_penetration_cv=2.0,
                                 ec50_presynaptic_cv=2.0, truncation_sd=5.0)
    cohort = sim.population(3000, seed=5, variability=wide)  # would raise if any field left its bounds
    assert float(np.max(cohort.params.pk.cord_penetration)) <= 1.0


@pytest.mark.parametrize("name, cv", [("clearance_factor", 0.33), ("volume_factor", 0.44),
                                      ("absorption_factor", 0.5), ("cord_penetration_factor", 0.5),
                                      ("ec50_presynaptic_factor", 0.3)])
def test_log_normal_factors_have_stated_median_and_cv(large, name, cv):
    values = np.log(large.draws[name])
    assert math.exp(np.median(values)) == pytest.approx(expected_medians()[name], rel=0.06)
    expected_sd = omega(cv) * truncated_sd_factor(-2.5, 2.5)
    assert np.std(values) == pytest.approx(expected_sd, rel=0.08)


def test_stated_cvs_are_the_literature_values():
    v = VariabilityParameters()
    assert (v.clearance_cv, v.volume_cv) == (0.33, 0.44)  # He et al. 2014
    assert VariabilityParameters.metadata("clearance_cv")["status"] == "literature"
    # CSF clearance: ω from the 13–80 mL/h range of four patients (≈ 2.06 SD).
    assert omega(v.csf_clearance_cv) == pytest.approx(math.log(80 / 13) / 2.06, rel=0.01)


def test_csf_clearance_and_severity_medians(large):
    medians = expected_medians()
    assert np.median(large.draws["csf_clearance_factor"]) == pytest.approx(medians["csf_clearance_factor"], rel=0.08)
    assert np.median(large.draws["spasticity"]) == pytest.approx(0.75, abs=0.01)
    assert np.std(large.draws["spasticity"]) == pytest.approx(0.1 * truncated_sd_factor(-2.5, 2.5), rel=0.08)


def test_kidney_function_fixed_or_uniform():
    fixed = sim.population(10, seed=1)
    assert np.all(fixed.patient.creatinine_clearance_ml_min == 115.0)
    drawn = sim.population(2000, seed=1, variability=VariabilityParameters(
        creatinine_clearance_low_ml_min=15.0, creatinine_clearance_high_ml_min=120.0))
    crcl = drawn.patient.creatinine_clearance_ml_min
    assert crcl.min() >= 15.0 and crcl.max() <= 120.0
    assert np.median(crcl) == pytest.approx(67.5, abs=4.0)  # uniform: SE ≈ 105/√(12·2000)·1.7 ≈ 1.2


def test_bad_arguments_raise():
    with pytest.raises(ParameterError, match="n = 0"):
        sim.population(0, seed=1)
    with pytest.raises(ParameterError, match="seed"):
        sim.population(5, seed=-1)
    with pytest.raises(ParameterError, match="seed"):
        sim.population(5, seed=1.5)
    with pytest.raises(ParameterError, match="above"):
        VariabilityParameters(creatinine_clearance_low_ml_min=100.0, creatinine_clearance_high_ml_min=50.0)
    with pytest.raises(ParameterError):
        VariabilityParameters(clearance_cv=-0.1)
    assert VariabilityParameters.metadata("ec50_presynaptic_cv")["status"] == "illustrative"


def test_surface_error_below_stated_bound(surface):
    errors = surface.error(120, seed=3)
    assert errors["reflex_gain_rel"] < SURFACE_TOLERANCE


def test_surface_refuses_points_outside_its_grid(surface):
    with pytest.raises(ParameterError, match="outside the surface's grid"):
        surface(0.99, 0.0, 0.75)


def test_cohort_without_variability_is_the_typical_patient(surface):
    cohort = sim.population(2, seed=0, variability=VariabilityParameters.none())
    regimen = sim.Oral(20, every_h=8, n_doses=6)
    result = cohort.simulate(regimen, 48, every_h=2.0, surface=surface)
    typical = sim.simulate(sim.Patient(condition="spastic", spasticity=0.75), regimen, 48, probe_every_h=2.0,
                           readouts=("reflex_gain_rel",))
    for name in ("plasma_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "sedation_index"):
        np.testing.assert_allclose(result[name], np.broadcast_to(typical[name], result[name].shape),
                                   rtol=1e-9, atol=1e-12)
    assert np.array_equal(result["sedation_band"][0], typical["sedation_band"])
    assert np.max(np.abs(result["reflex_gain_rel"] - typical["reflex_gain_rel"])) < SURFACE_TOLERANCE


def test_cohort_course_shapes_labels_and_summaries(surface):
    cohort = sim.population(40, seed=9)
    result = cohort.simulate(sim.IntrathecalInfusion(400), 48, every_h=4.0, surface=surface)
    assert result["plasma_ng_ml"].shape == (40, 13)
    assert result.batch_labels["patient"][0] == "p0001"
    bands = percentile_bands(result, "reflex_gain_rel")
    assert np.all(bands[5] <= bands[25]) and np.all(bands[25] <= bands[50])
    assert np.all(bands[50] <= bands[75]) and np.all(bands[75] <= bands[95])
    shares = band_shares(result)
    np.testing.assert_allclose(sum(shares.values()), 1.0)
    assert result.meta["seed"] == 9 and result.meta["educational_only"]


def test_without_surface_only_exposure_and_sedation():
    result = sim.population(5, seed=2).simulate(sim.Oral(10), 12)
    assert "reflex_gain_rel" not in result.names and "sedation_band" in result.names


def test_cohort_figures_carry_the_educational_label():
    from sim.fileio import EDUCATIONAL_LABEL
    from sim.plotting import plot_band_shares, plot_percentile_bands

    result = sim.population(20, seed=4).simulate(sim.Oral(20, every_h=8, n_doses=6), 48, every_h=2.0)
    ax = plot_percentile_bands(result, "plasma_ng_ml", arm="oral")
    assert any(t.get_text() == EDUCATIONAL_LABEL for t in ax.figure.texts)
    # The 25–75 % band drawn is the data's: its upper edge at each time is the 75th percentile.
    band = ax.collections[1].get_paths()[0].vertices
    assert np.max(band[:, 1]) == pytest.approx(np.max(percentile_bands(result, "plasma_ng_ml")[75]))
    shares = band_shares(result)
    ax = plot_band_shares(shares, result.axis)
    assert any(t.get_text() == EDUCATIONAL_LABEL for t in ax.figure.texts)
    assert ax.get_ylim() == (0.0, 1.0)


def test_population_scenarios_load_and_state_checked_claims():
    from sim.scenario import load

    for name in ("population", "kidney-spread"):
        scenario = load(name)
        assert scenario.kind == "population" and scenario.seed == 2026
        assert len(scenario.claims) >= len(scenario.notice)
    assert load("kidney-spread").arms[1].creatinine_clearance_range_ml_min == (15.0, 120.0)


def test_kidney_range_only_for_population_scenarios():
    from sim.errors import ScenarioError
    from sim.scenario import load

    with pytest.raises(ScenarioError, match="only a 'population' scenario"):
        load("kidneys", overrides={"arms.0.creatinine_clearance_range_ml_min": [10.0, 20.0]})
    with pytest.raises(ScenarioError, match="low ≤ high"):
        load("kidney-spread", overrides={"arms.1.creatinine_clearance_range_ml_min": [120.0, 15.0]})
