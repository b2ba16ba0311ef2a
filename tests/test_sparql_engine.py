"""The SPARQL engine against the pySHACL reference: the same report, case by case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from iv3ld.loading import load_content, load_path
from iv3ld.report import Report
from iv3ld.sparql_engine import ShapesGraph, UnsupportedShapeError, compile_shapes
from iv3ld.validation import validate
from tests.conftest import EXAMPLES, load_fixture

MANIFEST = json.loads(
    (Path(__file__).parent / "shapes" / "manifest.json").read_text("utf-8")
)


def _assert_same_report(fast: Report, reference: Report) -> None:
    assert fast.engine == "sparql" and reference.engine == "pyshacl"
    if not isomorphic(fast.graph, reference.graph):
        _, only_fast, only_reference = graph_diff(
            to_isomorphic(fast.graph), to_isomorphic(reference.graph)
        )
        raise AssertionError(
            f"only in the SPARQL report:\n{only_fast.serialize(format='nt')}\n"
            f"only in the pySHACL report:\n{only_reference.serialize(format='nt')}"
        )
    assert [result.as_json() for result in fast.results] == [
        result.as_json() for result in reference.results
    ]


@pytest.mark.slow
@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda case: case["name"])
def test_engines_agree_on_every_manifest_case(case: dict[str, Any]) -> None:
    content = jsonpatch.apply_patch(load_fixture(case["base"]), case["patch"])
    loaded = load_content(content, case["name"])

    _assert_same_report(validate(loaded, "sparql"), validate(loaded, "pyshacl"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["ongeldig-gemeente-2025.json", "zuid-holland-begroting-2026.json"]
)
def test_engines_agree_on_examples(name: str) -> None:
    loaded = load_path(EXAMPLES / name)

    _assert_same_report(validate(loaded, "sparql"), validate(loaded, "pyshacl"))


def test_unsupported_constructs_are_refused_by_name() -> None:
    shapes = ShapesGraph(
        [
            """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:minLength 3 ] .
        """
        ]
    )

    with pytest.raises(UnsupportedShapeError, match="minLength"):
        compile_shapes(shapes, "urn:code")


def test_unsupported_shapes_fall_back_to_pyshacl(
    monkeypatch: pytest.MonkeyPatch, small_submission: dict[str, Any]
) -> None:
    import iv3ld.validation as validation

    def refuse() -> None:
        raise UnsupportedShapeError("test")

    monkeypatch.setattr(validation, "compiled_checks", refuse)

    report = validation.validate(load_content(small_submission, "s.json"))

    assert report.engine == "pyshacl"
    assert report.conforms
