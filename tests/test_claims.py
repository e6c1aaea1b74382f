"""Claims as checks (sim.claims): every built-in claim holds, every expect kind holds and fails
where it should, a false claim stops a run with nothing written, bad claims are load errors."""

import json
from pathlib import Path

import pytest

from sim.__main__ import main
from sim.claims import BANDS, EXPECTATIONS, Claim, TableSpec, describe, evaluate, parse
from sim.errors import ClaimError, ScenarioError
from sim.result import Result
from sim.runner import KINDS, run, run_tables
from sim.scenario import builtin_names, builtin_path, load, loads

REPO_FIGURES = Path(__file__).resolve().parent.parent / "figures"

# -- every built-in scenario: one computation each, shared by the tests below ----------------
_COMPUTED: dict[str, tuple] = {}


@pytest.fixture(scope="module")
def computed():
    """name -> (scenario, rounded tables): each built-in scenario is computed once per module."""

    def get(name):
        if name not in _COMPUTED:
            scenario = load(name)
            tables = {key: table.rounded() for key, table in run_tables(scenario).items()}
            _COMPUTED[name] = (scenario, tables)
        return _COMPUTED[name]

    yield get
    _COMPUTED.clear()


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_claim_holds(name, computed):
    scenario, tables = computed(name)
    assert len(scenario.claims) >= 3, f"{name} should list the claims its title and notes make"
    results = evaluate(scenario.claims, tables)
    failed = [f"{r.claim.text!r}: expected {r.expectation}; measured {r.measured}" for r in results if not r.held]
    assert not failed, f"{name}: " + "; ".join(failed)


@pytest.mark.parametrize("name", builtin_names())
def test_committed_csvs_are_what_the_code_computes_now(name, computed, tmp_path):
    """figures/<stem>-<table>.csv equals the CSV written from this run's tables, byte for byte (the
    default run's staleness check; the slow gallery test repeats it on the installed wheel's gallery)."""
    scenario, tables = computed(name)
    stem = scenario.figure.get("file", name)
    header = {"scenario": scenario.name, "scenario_sha256": scenario.sha256}
    for key, table in tables.items():
        committed = REPO_FIGURES / f"{stem}-{key}.csv"
        assert committed.exists(), f"figures/{committed.name} is missing: run `spinal-reflex-sim figures`"
        fresh = table.to_csv(tmp_path / committed.name, extra_header=header)
        assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
            f"figures/{committed.name} is stale: run `spinal-reflex-sim figures`")


@pytest.mark.parametrize("name", builtin_names())
def test_tables_match_what_the_kind_declares(name, computed):
    """The registry's table declarations (what claims are validated against) match real runs."""
    scenario, tables = computed(name)
    outputs = KINDS[scenario.kind].outputs
    assert set(tables) == set(outputs)
    arm_names = tuple(arm.name for arm in scenario.arms)
    for key, table in tables.items():
        spec = outputs[key]
        assert table.axis_name == spec.axis, key
        assert set(table.names) <= set(spec.series), (key, set(table.names) - set(spec.series))
        assert table.batch_labels == ({"arm": arm_names} if spec.arms else {}), key


def test_claimed_course_readouts_are_computed_even_when_not_drawn(computed):
    # not-a-painkiller draws no reflex gain, but a claim compares with it.
    scenario, tables = computed("not-a-painkiller")
    assert "reflex_gain_rel" not in scenario.figure["panels"]
    assert "reflex_gain_rel" in tables["course"].names


# -- every expect kind on small synthetic tables -----------------------------------------------
@pytest.fixture
def tables():
    axis = [0.0, 1.0, 2.0, 3.0, 4.0]
    series = {
        "up": [[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 1.9, 5.0, 6.0]],
        "level": [[1.0, 1.0, 1.0, 1.0, 1.0], [10.0, 20.0, 30.0, 40.0, 50.0]],
        "sedation_band": [["none", "none", "mild", "mild", "moderate"], ["none"] * 5],
    }
    return {"t": Result("t_h", axis, series, batch_labels={"arm": ("a", "b")}),
            "plain": Result("x_um", [1.0, 2.0], {"y": [3.0, 4.0]}, units={"x_um": "µM", "y": "1"})}


def _held(claim, tables):
    return evaluate([claim], tables)[0].held


CASES = {
    # name: (claim keywords, holds?)
    "increasing holds": (dict(series="up", arm="a", expect="increasing"), True),
    "increasing fails on a dip": (dict(series="up", arm="b", expect="increasing"), False),
    "increasing within tolerance": (dict(series="up", arm="b", expect="increasing", tolerance=0.2), True),
    "increasing fails when flat": (dict(series="level", arm="a", expect="increasing"), False),
    "decreasing fails": (dict(series="up", arm="a", expect="decreasing"), False),
    "decreasing holds": (dict(series="up", arm="b", expect="decreasing", window=(1, 2)), True),
    "increasing in a window": (dict(series="up", arm="b", expect="increasing", window=(2, 4)), True),
    "below arm holds": (dict(series="up", arm="a", expect="below", compare="b", window=(3, 4)), True),
    "below arm fails at equal points": (dict(series="up", arm="a", expect="below", compare="b"), False),
    "below by a factor holds": (dict(series="level", arm="a", expect="below", compare="b", factor=10,
                                     statistic="mean"), True),
    "below by a factor fails": (dict(series="level", arm="a", expect="below", compare="b", factor=40,
                                     statistic="mean"), False),
    "above value holds": (dict(series="level", arm="b", expect="above", value=5.0), True),
    "above value fails": (dict(series="level", arm="b", expect="above", value=15.0), False),
    "above factor below one": (dict(series="level", arm="b", expect="above", compare_series="up",
                                    statistic="final", factor=0.5), True),
    "above another window": (dict(series="level", arm="b", expect="above", statistic="mean",
                                  window=(3, 4), compare_window=(0, 1), factor=2), True),
    "above own first point": (dict(series="up", arm="b", expect="above", statistic="min",
                                   window=(1, 4), compare_at=0.0), True),
    "between statistic holds": (dict(series="level", arm="b", expect="between", statistic="mean",
                                     value=(29.0, 31.0)), True),
    "between statistic fails": (dict(series="level", arm="b", expect="between", statistic="max",
                                     value=(29.0, 31.0)), False),
    "between at a point (interpolated)": (dict(series="level", arm="b", expect="between", at=2.5,
                                               value=(34.9, 35.1)), True),
    "between every point fails": (dict(series="up", arm="a", expect="between", value=(0.0, 3.5)), False),
    "between argmax": (dict(series="up", arm="b", expect="between", statistic="argmax", value=(4, 4)), True),
    "between first/final": (dict(series="up", arm="b", expect="between", statistic="final",
                                 value=(6, 6)), True),
    "equal_to value holds": (dict(series="level", arm="a", expect="equal_to", value=1.0), True),
    "equal_to value fails": (dict(series="level", arm="a", expect="equal_to", value=1.1, tolerance=0.05),
                             False),
    "equal_to series within tolerance": (dict(series="up", arm="b", expect="equal_to", compare="a",
                                              tolerance=2.0), True),
    "equal_to series outside tolerance": (dict(series="up", arm="b", expect="equal_to", compare="a",
                                               tolerance=1.0), False),
    "band_at_most holds": (dict(series="sedation_band", arm="a", expect="band_at_most", value="moderate"), True),
    "band_at_most fails": (dict(series="sedation_band", arm="a", expect="band_at_most", value="mild"), False),
    "band_at_most in a window": (dict(series="sedation_band", arm="a", expect="band_at_most", value="mild",
                                      window=(0, 3)), True),
    "band_at_least holds at the end": (dict(series="sedation_band", arm="a", expect="band_at_least",
                                            value="moderate", statistic="final"), True),
    "band_at_least fails": (dict(series="sedation_band", arm="b", expect="band_at_least", value="mild"), False),
    "band_at_least max": (dict(series="sedation_band", arm="a", expect="band_at_least", value="mild",
                               statistic="max", window=(0, 3)), True),
    "band at a point": (dict(series="sedation_band", arm="a", expect="band_at_least", value="mild",
                             at=2.5), True),
    "table without arms": (dict(table="plain", series="y", expect="increasing"), True),
}


@pytest.mark.parametrize("case", CASES)
def test_expect_kinds(case, tables):
    keywords, holds = CASES[case]
    claim = Claim(text=case, **{"table": "t", **keywords})
    result = evaluate([claim], tables)[0]
    assert result.held is holds, (case, result.expectation, result.measured)
    assert result.measured and result.expectation


def test_every_expect_kind_has_a_holding_and_a_failing_case():
    seen = {expect: set() for expect in EXPECTATIONS}
    for keywords, holds in CASES.values():
        seen[keywords["expect"]].add(holds)
    assert all(outcomes == {True, False} for outcomes in seen.values()), seen


def test_a_claim_that_cannot_be_evaluated_fails_and_says_why(tables):
    results = evaluate([Claim("empty window", table="t", series="up", arm="a", expect="increasing",
                              window=(10, 20)),
                        Claim("off the axis", table="t", series="up", arm="a", expect="above", at=9.0,
                              value=0.0),
                        Claim("no such table", table="nope", series="up", expect="increasing")], tables)
    assert [r.held for r in results] == [False, False, False]
    assert "no t_h point in window [10, 20]" in results[0].measured
    assert "at = 9 is outside t_h 0–4" in results[1].measured
    assert "no table 'nope'" in results[2].measured


def test_measured_numbers_name_the_worst_point(tables):
    claim = Claim("b above a by 2x", table="t", series="up", arm="b", expect="above", compare="a", factor=2,
                  window=(1, 4))
    result = evaluate([claim], tables)[0]
    assert not result.held
    assert result.measured == "lowest margin at t_h = 2: 1.9 vs 2 (ratio 0.95)"
    assert result.expectation == "up[b] over t_h 1–4 above 2 × (up[a] over t_h 1–4) at every point"
    assert describe(claim) == "up[b] over the axis 1–4 above 2 × (up[a] over the axis 1–4) at every point"


# -- loading: bad claims are one ScenarioError with the key path ---------------------------------
BASE = builtin_path("mechanisms-compared").read_text(encoding="utf-8").split("[[claims]]")[0]


def _with_claim(**keys):
    body = "\n".join(f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in keys.items())
    return BASE + "\n[[claims]]\n" + body + "\n"


GOOD = dict(text="GIRK grows", table="concentration", series="girk_conductance_ns", arm="postsynaptic",
            expect="increasing")
BAD_CLAIMS = {
    "unknown table": (dict(table="concentratoin"), ["claims[0].table", "did you mean 'concentration'"]),
    "unknown series": (dict(series="girk_conductance"), ["claims[0].series", "did you mean 'girk_conductance_ns'"]),
    "unknown arm": (dict(arm="postsynaptc"), ["claims[0].arm", "did you mean 'postsynaptic'"]),
    "unknown compare arm": (dict(expect="above", compare="bothh"), ["claims[0].compare", "did you mean 'both'"]),
    "unknown expect": (dict(expect="increasng"), ["claims[0].expect", "did you mean 'increasing'"]),
    "unknown key": (dict(tolerence=0.1), ["claims[0].tolerence", "did you mean 'tolerance'"]),
    "unknown statistic": (dict(expect="above", value=0, statistic="maximum"), ["claims[0].statistic", "'max'"]),
    "missing arm": (dict(arm=None), ["claims[0].arm", "one row per arm"]),
    "missing text": (dict(text=None), ["claims[0].text", "missing required key"]),
    "band expect on a number": (dict(expect="band_at_most", value="mild"), ["claims[0].expect", "not a qualitative band"]),
    "between needs a pair": (dict(expect="between", value=3), ["claims[0].value", "[low, high]"]),
    "reversed window": (dict(window=[10, 1]), ["claims[0].window", "low ≤ high"]),
    "comparison needs a reference": (dict(expect="below"), ["claims[0].value", "needs a value or a reference"]),
    "value and compare": (dict(expect="below", value=1, compare="both"), ["claims[0].value", "not both"]),
    "statistic on a trend": (dict(statistic="max"), ["claims[0].statistic", "no meaning for expect = 'increasing'"]),
    "factor on equal_to": (dict(expect="equal_to", value=1, factor=2), ["claims[0].factor", "no meaning"]),
    "statistic and at": (dict(expect="above", value=0, statistic="max", at=10), ["claims[0].at", "not both"]),
    "pointwise other window": (dict(expect="above", compare_window=[0, 10]), ["claims[0].compare_window",
                                                                             "give statistic"]),
    "negative factor": (dict(expect="above", value=0, factor=-1), ["claims[0].factor", "> 0"]),
    "claims not a list": (None, ["claims", "expected a list"]),
}


@pytest.mark.parametrize("case", BAD_CLAIMS)
def test_bad_claims_are_load_errors_with_key_path(case):
    changes, fragments = BAD_CLAIMS[case]
    if changes is None:
        text = BASE.replace("[settings]", 'claims = "all good"\n\n[settings]', 1)
    else:
        keys = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
        text = _with_claim(**keys)
    with pytest.raises(ScenarioError) as info:
        loads(text, source="bad.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("bad.toml: ")
    for fragment in fragments:
        assert fragment in message, (case, message)


def test_a_good_claim_loads_and_a_single_arm_is_the_default():
    scenario = loads(_with_claim(**GOOD), source="good.toml")
    assert scenario.claims == (Claim("GIRK grows", table="concentration", series="girk_conductance_ns",
                                     arm="postsynaptic", expect="increasing"),)
    specs = {"course": TableSpec("t_h", ("plasma_ng_ml",))}
    claim, = parse([{"text": "x", "table": "course", "series": "plasma_ng_ml", "expect": "increasing"}],
                   tables=specs, arms=["oral"])
    assert claim.arm == "oral"
    with pytest.raises(ScenarioError, match="has no arms"):
        parse([{"text": "x", "table": "law", "series": "y", "arm": "oral", "expect": "increasing"}],
              tables={"law": TableSpec("x_um", ("y",), arms=False)}, arms=["oral"])


def test_bands_are_the_model_bands():
    from sim.outcomes import BANDS as MODEL_BANDS

    assert BANDS == MODEL_BANDS


# -- running: a false claim stops the run and writes nothing -------------------------------------
FALSE = dict(text="The GIRK conductance falls with concentration", table="concentration",
             series="girk_conductance_ns", arm="postsynaptic", expect="decreasing")


def test_false_claim_makes_run_exit_2_with_one_line_and_no_files(tmp_path, capsys):
    path = tmp_path / "false.toml"
    path.write_text(_with_claim(**FALSE), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--format", "png"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("error: mechanisms-compared: claim does not hold: "
                          "'The GIRK conductance falls with concentration'")
    assert "measured change +131.4" in err
    assert not out.exists()

    existing = tmp_path / "existing"
    existing.mkdir()
    assert main(["run", str(path), "--out", str(existing), "--format", "png"]) == 2
    assert list(existing.iterdir()) == []


def test_run_raises_claim_error_and_records_claims_in_provenance(tmp_path):
    scenario = loads(_with_claim(**FALSE), source="false.toml")
    with pytest.raises(ClaimError, match="GIRK conductance falls"):
        run(scenario, tmp_path / "a", formats=("png",))
    assert not (tmp_path / "a").exists()

    output = run(scenario, tmp_path / "b", formats=("png",), check_claims=False)
    record = json.loads((tmp_path / "b" / "mechanisms-compared-provenance.json").read_text(encoding="utf-8"))
    assert record["claims"] == [r.to_dict() for r in output.claims] == [{
        "text": FALSE["text"], "held": False,
        "expectation": "girk_conductance_ns[postsynaptic] decreasing with spinal_effect_ng_ml",
        "measured": "change +131.4 from spinal_effect_ng_ml = 0 to 30000; largest rise 43.18 (between 3000 and 10000)"}]


def test_builtin_run_records_every_claim_as_held(tmp_path, computed):
    output = run(load("mechanisms-compared"), tmp_path, formats=("svg",))
    record = json.loads((tmp_path / "mechanisms-compared-provenance.json").read_text(encoding="utf-8"))
    assert len(record["claims"]) == len(output.scenario.claims) >= 3
    assert all(claim["held"] for claim in record["claims"])


def test_allow_failed_claims_writes_and_warns(tmp_path, capsys):
    path = tmp_path / "false.toml"
    path.write_text(_with_claim(**FALSE), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--format", "png", "--allow-failed-claims"]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 of" in err and "GIRK conductance falls" in err
    assert (out / "mechanisms-compared.png").exists()


def test_describe_prints_the_claims(capsys):
    assert main(["describe", "routes"]) == 0
    text = capsys.readouterr().out
    assert "Claims checked on every run:" in text
    for claim in load("routes").claims:
        assert f"  - {claim.text}" in text
    assert "check: mean of brain_ng_ml[intrathecal] over t_h 48–72 below (mean of brain_ng_ml[oral] over " \
           "t_h 48–72) / 4" in text


def test_committed_provenance_records_no_run_date():
    """figures/ is written by `spinal-reflex-sim figures`, which records no date (so regenerating the
    gallery leaves git clean); a provenance file with a date was written by `run --out figures`."""
    stamped = [path.name for path in sorted(REPO_FIGURES.glob("*-provenance.json"))
               if "date" in json.loads(path.read_text(encoding="utf-8"))]
    assert not stamped, f"{stamped}: remake them with `spinal-reflex-sim figures`"
