"""IV003: the detail lines of a cell add up to the cell's amount.

A CBS JSON file cannot break the rule, since iv3ld sums the rows of a cell into its
observation; JSON-LD and Turtle state the cell and its lines separately and can.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from iv3ld.loading import LoadedSubmission, load_content, load_json
from iv3ld.validation import validate
from tests.conftest import load_fixture
from tests.test_sparql_engine import _assert_same_report


def _split_first_row() -> dict[str, Any]:
    """The small fixture with its first lasten cell (100) delivered as 95 + 5."""
    content = load_fixture("klein-2025.json")
    first = content["data"]["lasten"][0]
    first["bedrag"] = 95
    first["details"] = {"grootboek": "4100", "omschrijving": "Salarissen"}
    content["data"]["lasten"].append(
        {**first, "bedrag": 5, "details": {"grootboek": "4200"}}
    )
    return content


def _as_jsonld(content: dict[str, Any], line_amount: int) -> LoadedSubmission:
    """The submission as iv3ld's JSON-LD, with the second detail line changed."""
    document = load_content(content, "split").conversion.jsonld()
    cell = document["data"]["lasten"][0]
    cell["iv3:detailregel"][1]["bedrag"] = line_amount
    return load_json(orjson.dumps(document), "split.jsonld")


def test_detail_rows_of_a_cbs_file_add_up() -> None:
    report = validate(load_content(_split_first_row(), "split"))

    assert report.conforms
    assert report.results == []


def test_jsonld_lines_that_do_not_add_up_are_a_warning() -> None:
    report = validate(_as_jsonld(_split_first_row(), line_amount=6))

    assert report.conforms
    assert [result.code for result in report.results] == ["IV003"]
    message = report.results[0].message("en")
    assert "add up to 101" in message and "holds 100" in message


def test_jsonld_lines_that_add_up_conform() -> None:
    report = validate(_as_jsonld(_split_first_row(), line_amount=5))

    assert report.results == []


@pytest.mark.slow
def test_engines_agree_on_detail_sums() -> None:
    loaded = _as_jsonld(_split_first_row(), line_amount=6)

    _assert_same_report(validate(loaded, "sparql"), validate(loaded, "pyshacl"))
