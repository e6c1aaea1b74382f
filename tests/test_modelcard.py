"""Tests of sim.modelcard: docs/model.md is current, and every parameter row is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import modelcard
from sim.fileio import EDUCATIONAL_STATEMENT
from sim.model import STAGES, ModelParameters
from sim.parameters import STATUSES

CARD = Path(__file__).resolve().parents[1] / "docs" / "model.md"
ROWS = ModelParameters().table()
#: Rows whose source does not yet say *why* (owned by other modules; reported, to be fixed there).
def test_docs_model_md_is_up_to_date():
    assert CARD.is_file(), "docs/model.md is missing: run `python -m sim model-card`"
    assert modelcard.is_up_to_date(CARD), (
        "docs/model.md is out of date with the code: regenerate it with `python -m sim model-card`"
    )


def test_render_is_deterministic_and_starts_with_the_statement():
    text = modelcard.render()
    assert text == modelcard.render()
    assert EDUCATIONAL_STATEMENT in "\n".join(text.splitlines()[:4])


def test_every_parameter_appears_once_grouped_by_stage():
    text = modelcard.render()
    for row in ROWS:
        assert text.count(f"| `{row['name']}` |") == 1, row["name"]
    positions = [text.index(f"\n### {stage}\n") for stage in STAGES]
    assert positions == sorted(positions)


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_parameter_row_has_source_and_valid_status(row):
    assert row["status"] in STATUSES
    assert str(row["source"]).strip(), f"{row['name']} has no source"
    if row["status"] in ("calibrated", "illustrative"):
        # Calibrated values name what they were calibrated to; illustrative ones say why.
        assert len(str(row["source"]).split()) >= 3, f"{row['name']}: source too terse to explain"


def test_hand_written_sections_present():
    text = modelcard.render()
    for heading in ("## Two time scales", "## What is simplified", "## What the model must NOT be used for",
                    "## Equations of each stage"):
        assert heading in text
    for word in ("Dosing", "Clinical decisions", "Predicting individual patients", "presynaptic",
                 "lumped", "qualitative", "illustrative", "Open-loop"):
        assert word in text


def test_equations_come_from_stage_docstrings():
    for module in set(modelcard.STAGE_MODULES.values()):
        equations = modelcard.stage_equations(module)
        assert equations.strip()
        assert equations in modelcard.render()


def test_write_is_atomic_and_checked(tmp_path):
    target = modelcard.write(tmp_path / "model.md")
    assert modelcard.is_up_to_date(target)
    target.write_text("stale", encoding="utf-8")
    assert not modelcard.is_up_to_date(target)
    assert not modelcard.is_up_to_date(tmp_path / "missing.md")


def test_every_output_variable_appears_once_with_its_unit():
    from sim.variables import VARIABLES

    text = modelcard.render()
    assert "## Output variables" in text
    for variable in VARIABLES.values():
        rows = [line for line in text.splitlines() if line.startswith(f"| `{variable.name}` |")]
        assert len(rows) == 1, variable.name
        assert f"| {variable.unit} |" in rows[0], variable.name


def test_no_parameter_calls_a_recalled_value_literature():
    """Status is honest: a source that says "from memory" or "unverified" is not "literature"."""
    from sim.model import ModelParameters

    for row in ModelParameters().table():
        text = row["source"].lower()
        if "from memory" in text or "unverified" in text:
            assert row["status"] != "literature", row["name"]
