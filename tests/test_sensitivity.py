"""Sensitivity analysis (sim.sensitivity): Sobol indices against analytic values, and inputs that do not matter.

Tolerances: Ishigami (a = 7, b = 0.1) with 4,096 base samples – every first-order and total index within
0.03 of the analytic value (the Saltelli/Jansen estimators' sampling error at this n is ≈ 0.01); an
input the output does not depend on – index below 0.005 in absolute value.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import uniform

import sim
from sim import sensitivity
from sim.errors import ParameterError

ISHIGAMI_FIRST = (0.3139, 0.4424, 0.0)
ISHIGAMI_TOTAL = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray) -> np.ndarray:
    return (np.sin(x[0]) + 7.0 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0]))[None, :]


def test_ishigami_indices_match_analytic_values():
    result = sensitivity.sobol(ishigami, [uniform(-np.pi, 2 * np.pi)] * 3, n=4096, seed=3)
    np.testing.assert_allclose(result.first_order[0], ISHIGAMI_FIRST, atol=0.03)
    np.testing.assert_allclose(result.total_order[0], ISHIGAMI_TOTAL, atol=0.03)


def test_an_input_the_output_ignores_gets_index_zero():
    result = sensitivity.sobol(lambda x: (x[0] ** 2 + x[1])[None, :], [uniform(0, 1)] * 3, n=1024, seed=0)
    assert abs(result.first_order[0, 2]) < 0.005 and abs(result.total_order[0, 2]) < 0.005


def test_sobol_needs_a_power_of_two():
    with pytest.raises(ParameterError, match="power of 2"):
        sensitivity.sobol(ishigami, [uniform(-np.pi, 2 * np.pi)] * 3, n=1000)


@pytest.fixture(scope="module")
def surface():
    return sim.ReadoutSurface.build(("reflex_gain_rel",))


@pytest.mark.parametrize("route", [{"oral_mg_per_day": 60.0}, {"intrathecal_ug_per_day": 400.0}])
def test_mean_steady_state_ignores_volume_and_absorption(surface, route):
    result = sensitivity.model_sobol(surface, n=512, **route)
    inputs = list(sensitivity.INPUTS)
    for name in ("volume_factor", "absorption_factor"):
        i = inputs.index(name)
        assert np.all(np.abs(result.first_order[:, i]) < 0.005)
        assert np.all(np.abs(result.total_order[:, i]) < 0.005)
    tornado = sensitivity.tornado(surface, **route)
    i = inputs.index("volume_factor")
    for output in sensitivity.OUTPUTS:
        assert tornado["low"][output][i] == pytest.approx(tornado["typical"][output], rel=1e-12)


def test_what_matters_differs_by_route(surface):
    inputs = list(sensitivity.INPUTS)
    oral = sensitivity.model_sobol(surface, oral_mg_per_day=60.0, n=512)
    intrathecal = sensitivity.model_sobol(surface, intrathecal_ug_per_day=400.0, n=512)
    # Oral: clearance and kidneys set the level; CSF clearance does not matter.
    assert oral.total_order[0, inputs.index("clearance_factor")] > 0.2
    assert oral.total_order[0, inputs.index("csf_clearance_factor")] < 0.005
    # Intrathecal: CSF clearance and penetration dominate; systemic clearance barely matters.
    assert intrathecal.total_order[0, inputs.index("csf_clearance_factor")] > 0.3
    assert intrathecal.total_order[0, inputs.index("clearance_factor")] < 0.01


def test_sensitivity_scenario_needs_a_steady_regimen():
    from sim.runner import run_tables
    from sim.scenario import load

    scenario = load("sensitivity", overrides={"arms.oral.regimen.0.n_doses": 1, "settings.base_samples": 256})
    with pytest.raises(ParameterError, match="steady regimen"):
        run_tables(scenario)


def test_sensitivity_scenario_table_matches_the_api(surface):
    from sim.runner import run_tables
    from sim.scenario import load

    table = run_tables(load("sensitivity", overrides={"settings.base_samples": 256}))["indices"]
    direct = sensitivity.model_sobol(surface, oral_mg_per_day=60.0, n=256, seed=2026,
                                     kidney_range_ml_min=(30.0, 120.0))
    np.testing.assert_allclose(table.select(arm="oral")["sobol_total_reflex_gain_rel"], direct.total_order[0])
