"""Every case of the shapes manifest: one conforming and one failing case per check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonpatch
import pytest

from iv3ld.loading import load_content
from iv3ld.validation import validate
from tests.conftest import load_fixture

MANIFEST = json.loads((Path(__file__).parent / "manifest.json").read_text("utf-8"))


def _case_id(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=_case_id)
def test_manifest_case(case: dict[str, Any]) -> None:
    content = jsonpatch.apply_patch(load_fixture(case["base"]), case["patch"])

    report = validate(load_content(content, case["name"]))

    assert report.conforms is case["conforms"], [
        r.message("en") for r in report.results
    ]
    assert sorted({result.code for result in report.results}) == sorted(case["codes"])
    if "pointer" in case:
        assert case["pointer"] in {result.pointer for result in report.results}
    for result in report.results:
        assert result.messages.keys() == {"nl", "en"}
        assert "{$" not in result.message("nl") and "{?" not in result.message("en")


def test_every_cbs_check_has_a_passing_and_a_failing_case() -> None:
    failing = {code for case in MANIFEST["cases"] for code in case["codes"]}
    checks = {
        f"SF{n:03d}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17)
    }
    checks |= {f"DF{n:03d}" for n in range(1, 8)} | {f"PF{n:03d}" for n in range(1, 10)}

    assert checks <= failing
    assert any(case["conforms"] and not case["codes"] for case in MANIFEST["cases"])
