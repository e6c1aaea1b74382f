import dataclasses

import numpy as np
import pytest

from sim.errors import ParameterError
from sim.parameters import Parameters, check_choice, check_range, param, parameter_table


@dataclasses.dataclass(frozen=True, kw_only=True)
class Toy(Parameters):
    tau_ms: float = param(10.0, symbol="τ", unit="ms", bounds=(0.1, 100.0),
                          source="test", status="illustrative")
    mode: str = param("a", symbol="m", unit="1", choices=("a", "b"), source="test",
                      status="illustrative")


def test_defaults_and_metadata():
    toy = Toy()
    assert toy.tau_ms == 10.0
    meta = Toy.metadata("tau_ms")
    assert meta["unit"] == "ms" and meta["status"] == "illustrative" and meta["bounds"] == (0.1, 100.0)


def test_keyword_only_and_frozen():
    with pytest.raises(TypeError):
        Toy(5.0)  # positional arguments are refused
    with pytest.raises(dataclasses.FrozenInstanceError):
        Toy().tau_ms = 3.0


@pytest.mark.parametrize("bad", [-1.0, 0.0, 1e3, np.nan, np.inf])
def test_out_of_range_names_field_value_and_range(bad):
    with pytest.raises(ParameterError) as info:
        Toy(tau_ms=bad)
    message = str(info.value)
    assert "Toy.tau_ms" in message and "[0.1, 100.0]" in message and "ms" in message


def test_arrays_are_checked_elementwise_and_converted():
    toy = Toy(tau_ms=[1.0, 2.0])
    assert isinstance(toy.tau_ms, np.ndarray)
    with pytest.raises(ParameterError, match="-3.0"):
        Toy(tau_ms=[1.0, -3.0])



@pytest.mark.parametrize("good", [np.array([1, 2]), np.array([1.5, 99.0], dtype=np.float32), np.arange(1.0, 5.0)])
def test_numeric_arrays_become_float_arrays(good):
    toy = Toy(tau_ms=good)
    assert toy.tau_ms.dtype == np.float64 and np.array_equal(toy.tau_ms, good)


@pytest.mark.parametrize("bad", [np.array([True, False]), np.array([], dtype=float), np.array(["a"]),
                                 np.array([1.0 + 2.0j]), np.array([1.0, "2"], dtype=object), [1.0, None]])
def test_arrays_that_are_not_real_numbers_are_refused(bad):
    with pytest.raises(ParameterError, match="Toy.tau_ms = .* is not a number or an array of numbers"):
        Toy(tau_ms=bad)


@pytest.mark.parametrize("bad", [np.array([1.0, np.nan]), np.array([5, 500])])
def test_numeric_arrays_are_still_range_checked(bad):
    with pytest.raises(ParameterError, match=r"Toy.tau_ms = .* outside the allowed range \[0.1, 100.0\]"):
        Toy(tau_ms=bad)


def test_choices_are_validated():
    with pytest.raises(ParameterError, match="'c'"):
        Toy(mode="c")


def test_replace_rejects_typos_with_a_hint():
    assert Toy().replace(tau_ms=2.0).tau_ms == 2.0
    with pytest.raises(ParameterError, match="did you mean 'tau_ms'"):
        Toy().replace(tau_m=2.0)


def test_param_requires_source_and_known_status():
    with pytest.raises(ValueError):
        param(1.0, symbol="x", unit="1", source="", status="literature")
    with pytest.raises(ValueError):
        param(1.0, symbol="x", unit="1", source="s", status="guess")


def test_parameter_table_rows():
    rows = parameter_table(Toy(tau_ms=[1.0, 2.0]), prefix="toy.")
    assert rows[0]["name"] == "toy.tau_ms" and rows[0]["value"] == [1.0, 2.0]
    assert {"symbol", "unit", "source", "status", "bounds", "description"} <= rows[0].keys()


def test_check_helpers():
    assert check_range("x", 0.0, 0.0, 1.0).shape == ()
    with pytest.raises(ParameterError, match=r"x = 'abc' is not a number"):
        check_range("x", "abc", 0.0, 1.0)
    with pytest.raises(ParameterError, match="mechanism = 'pre'"):
        check_choice("mechanism", "pre", ("presynaptic",))


def test_no_recalled_value_is_marked_literature():
    """Status is honest: a default whose source says it was recalled ('from memory', 'unverified')
    is never marked 'literature' – in every stage of the model and every protocol."""
    import dataclasses

    from sim import protocols
    from sim.model import ModelParameters

    model = ModelParameters()
    objects = [getattr(model, f.name) for f in dataclasses.fields(model)]
    objects += [cls() for cls in (protocols.RampAndHold, protocols.TendonTap, protocols.ElectricalVolley,
                                  protocols.VoluntaryContraction)]
    checked = 0
    for obj in objects:
        for row in obj.table():
            source = row["source"].lower()
            if "from memory" in source or "unverified" in source:
                assert row["status"] != "literature", (type(obj).__name__, row["name"], row["source"])
            checked += 1
    assert checked > 90
