"""Property: on submissions with random defects, both engines give the same report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iv3ld.loading import load_content
from iv3ld.validation import validate
from tests.conftest import load_fixture
from tests.test_sparql_engine import _assert_same_report

Defect = Callable[[dict[str, Any], st.DataObject], None]


def _row(content: dict[str, Any], data: st.DataObject, part: str) -> dict[str, Any]:
    rows = content["data"].get(part) or [{}]
    index = data.draw(st.integers(0, len(rows) - 1), label=f"{part} row")
    row: dict[str, Any] = rows[index]
    return row


def wrong_taakveld(content: dict[str, Any], data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(["6.6", "9.9", "7.", "0.1", "6.711", "Tot_TV"]))
    _row(content, data, "lasten")["taakveld"] = code


def wrong_side(content: dict[str, Any], data: st.DataObject) -> None:
    part = data.draw(
        st.sampled_from(["lasten", "baten", "balans_lasten", "balans_baten"])
    )
    code = data.draw(st.sampled_from(["3.7", "1.1", "2.2.1", "4.4.1", "0.0", "6.1"]))
    _row(content, data, part)["categorie"] = code


def missing_part(content: dict[str, Any], data: st.DataObject) -> None:
    part = data.draw(
        st.sampled_from(["lasten", "baten", "balans_standen", "kengetallen"])
    )
    content["data"].pop(part, None)


def unbalanced(content: dict[str, Any], data: st.DataObject) -> None:
    part = data.draw(
        st.sampled_from(["lasten", "baten", "balans_baten", "balans_standen"])
    )
    _row(content, data, part)["bedrag"] = data.draw(st.integers(-500, 200_000))


def grey_cell(content: dict[str, Any], data: st.DataObject) -> None:
    cell = data.draw(
        st.sampled_from([("0.9", "4.5.5"), ("8.3", "6.1"), ("0.1", "3.1")])
    )
    row = _row(content, data, "lasten")
    row["taakveld"], row["categorie"] = cell


def bad_amount(content: dict[str, Any], data: st.DataObject) -> None:
    row = _row(content, data, "lasten")
    if data.draw(st.booleans()):
        row.pop("bedrag", None)
    else:
        row["bedrag"] = "12"


def detail_rows(content: dict[str, Any], data: st.DataObject) -> None:
    row = dict(_row(content, data, "lasten"))
    row["details"] = {"grootboek": data.draw(st.sampled_from(["4100", "4200"]))}
    content["data"]["lasten"].append(row)


def other_period(content: dict[str, Any], data: st.DataObject) -> None:
    content["metadata"]["periode"] = data.draw(st.integers(0, 5))


DEFECTS: list[Defect] = [
    wrong_taakveld,
    wrong_side,
    missing_part,
    unbalanced,
    grey_cell,
    bad_amount,
    detail_rows,
    other_period,
]


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_engines_agree_on_random_defects(data: st.DataObject) -> None:
    content = load_fixture("klein-2025.json")
    for defect in data.draw(st.lists(st.sampled_from(DEFECTS), min_size=1, max_size=4)):
        defect(content, data)
    loaded = load_content(content, "random.json")

    _assert_same_report(validate(loaded, "sparql"), validate(loaded, "pyshacl"))
