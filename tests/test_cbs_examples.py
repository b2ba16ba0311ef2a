"""The two CBS example files get what is known about them."""

from __future__ import annotations

from pathlib import Path

from iv3ld.loading import load_path
from iv3ld.validation import validate


def test_small_example_has_standper_values_of_another_year(shared_data: Path) -> None:
    path = (
        shared_data / "examples" / "iv3_json_voorbeeld_met_details_TheoDorp_2020.json"
    )

    report = validate(load_path(path))

    standper = [result for result in report.results if result.code == "DF004"]
    assert not report.conforms
    assert len(standper) == 9
    assert {result.value for result in standper} == {"1-1-2018"}
    assert {result.pointer for result in standper} == {
        f"/data/balans_standen/{row}" for row in range(9)
    }


def test_full_example_is_just_over_the_pf001_limit(shared_data: Path) -> None:
    path = (
        shared_data
        / "examples"
        / "iv3_json_voorbeeld_volledig_Woudenheuvel_2020Q3.json"
    )

    report = validate(load_path(path))

    violations = [result for result in report.results if result.severity == "Violation"]
    assert [result.code for result in violations] == ["PF001"]
    assert "1.44 %" in violations[0].message("nl")
    assert {result.code for result in report.results} == {"PF001", "IV001"}
    assert any("Latin-1" in warning for warning in report.warnings)
