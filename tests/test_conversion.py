"""The JSON-LD mapping: any processor, the same triples; detail rows; contexts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

from iv3ld.errors import InputError
from iv3ld.loading import LoadedSubmission, load_content, load_json, load_path

IV3 = "https://data.iv3ld.nl/def/iv3#"


def _graph(quads: list[ox.Quad]) -> Graph:
    triples = [ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads]
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def _pyld_graph(document: dict[str, Any]) -> Graph:
    nquads = jsonld.to_rdf(
        json.loads(json.dumps(document)), {"format": "application/n-quads"}
    )
    graph = Graph()
    graph.parse(data=nquads, format="nt")
    return graph


def _value(loaded: LoadedSubmission, subject: str, predicate: str) -> list[str]:
    return [
        quad.object.value
        for quad in loaded.quads
        if quad.subject.value == subject and quad.predicate.value == predicate
    ]


def test_pyld_reads_our_jsonld_into_the_same_triples(shared_data: Path) -> None:
    for path in sorted((shared_data / "examples").glob("*.json")):
        loaded = load_path(path)
        assert loaded.conversion is not None

        expected = _graph(loaded.quads)
        assert len(expected) > 300
        assert isomorphic(_pyld_graph(loaded.conversion.jsonld()), expected), path.name


def test_plain_json_and_our_jsonld_output_give_one_graph(
    small_submission: dict[str, Any],
) -> None:
    plain = load_content(small_submission, "plain.json")
    assert plain.conversion is not None

    embedded = load_json(
        json.dumps(plain.conversion.jsonld()).encode(), "embedded.jsonld"
    )
    referenced = load_json(
        json.dumps(plain.conversion.jsonld(reference=True)).encode(),
        "referenced.jsonld",
    )

    assert isomorphic(_graph(embedded.quads), _graph(plain.quads))
    assert isomorphic(_graph(referenced.quads), _graph(plain.quads))
    assert embedded.version == plain.version


def test_iris_are_stable_and_follow_the_uri_strategy(
    small_submission: dict[str, Any],
) -> None:
    first = load_content(small_submission, "a.json")
    second = load_content(json.loads(json.dumps(small_submission)), "b.json")

    assert first.version == second.version
    assert first.version == (
        "https://data.iv3ld.nl/id/aanlevering/GM0999/2025/5/20260701t080000z"
    )
    observation = f"{first.version}/lasten/0-10/7-1"
    assert _value(first, observation, f"{IV3}taakveld") == [
        "https://data.iv3ld.nl/id/taakveld/gemeente/2025/0-10"
    ]
    assert first.pointers[observation] == "/data/lasten/2"


def test_base_iri_is_one_setting(
    small_submission: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IV3LD_BASE_IRI", "https://example.org/iv3")

    loaded = load_content(small_submission, "a.json")

    assert loaded.version.startswith("https://example.org/iv3/id/aanlevering/")
    predicates = {quad.predicate.value for quad in loaded.quads}
    assert "https://example.org/iv3/def/iv3#bedrag" in predicates
    assert not any("data.iv3ld.nl" in quad.object.value for quad in loaded.quads)


def test_repeated_cells_become_one_observation_with_detail_lines(
    small_submission: dict[str, Any],
) -> None:
    small_submission["metadata"]["details_openbaar"] = True
    small_submission["data"]["lasten"][0]["bedrag"] = 60
    small_submission["data"]["lasten"][0]["details"] = {"grootboek": "4100"}
    small_submission["data"]["lasten"].append(
        {
            "taakveld": "0.1",
            "categorie": "1.1",
            "bedrag": 40.5,
            "details": {
                "grootboek": "4110",
                "kostenplaats": "KP7",
                "omschrijving": "inhuur",
            },
        }
    )

    loaded = load_content(
        json.loads(
            json.dumps(small_submission), parse_float=__import__("decimal").Decimal
        ),
        "d.json",
    )

    cell = f"{loaded.version}/lasten/0-1/1-1"
    assert _value(loaded, cell, f"{IV3}bedrag") == ["100.5"]
    lines = _value(loaded, cell, f"{IV3}detailregel")
    assert sorted(lines) == [
        f"{loaded.version}/lasten/regel/0",
        f"{loaded.version}/lasten/regel/5",
    ]
    assert _value(
        loaded, lines[0] if lines[0].endswith("/5") else lines[1], f"{IV3}kostenplaats"
    ) == ["KP7"]
    assert loaded.pointers[f"{loaded.version}/lasten/regel/5"] == "/data/lasten/5"
    assert _value(loaded, loaded.version, f"{IV3}detailsOpenbaar") == ["true"]


def test_remote_contexts_are_refused_not_fetched() -> None:
    document = {"@context": "https://example.org/context.jsonld", "@id": "urn:x"}

    with pytest.raises(InputError, match="is not fetched"):
        load_json(json.dumps(document).encode(), "remote.jsonld")


def test_remote_context_nested_in_a_term_is_refused() -> None:
    document = {
        "@context": {"lasten": {"@id": "urn:p", "@context": "https://example.org/c"}},
        "@id": "urn:x",
    }

    with pytest.raises(InputError, match="is not fetched"):
        load_json(json.dumps(document).encode(), "remote.jsonld")


def test_kengetal_values_with_a_decimal_comma_become_decimals(
    small_submission: dict[str, Any],
) -> None:
    loaded = load_content(small_submission, "k.json")

    observation = f"{loaded.version}/kengetallen/fk-1/rek-2025"
    assert _value(loaded, observation, f"{IV3}waarde") == ["42.5"]


def test_turtle_output_reads_back_as_the_same_submission(
    small_submission: dict[str, Any], tmp_path: Path
) -> None:
    loaded = load_content(small_submission, "t.json")
    triples = [
        ox.Triple(quad.subject, quad.predicate, quad.object) for quad in loaded.quads
    ]
    path = tmp_path / "t.ttl"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))

    again = load_path(path)

    assert again.version == loaded.version
    assert (again.codes.layer_slug, again.codes.year) == ("gemeente", 2025)
