"""Downloads: a version as CSV, JSON-LD and RDF, the dump of the whole store."""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from iv3ld.codelists import code_sort_key
from iv3ld.deliveries import Receipt, receive
from iv3ld.identifiers import namespace
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.tables import COLUMNS
from iv3ld.web import create_app

IV3 = namespace().vocabulary
QB = "http://purl.org/linked-data/cube#"
EXAMPLES = [("GM0363", 2023, 5), ("PV28", 2026, 0), ("GR900001", 2024, 5)]
"""The submissions of the bundled examples."""


def current_version(store: EmbeddedStore, submission: tuple[str, int, int]) -> str:
    iri = namespace().submission(*submission)
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{iri}> {{ <{iri}> <{IV3}huidigeVersie> ?v }} }}"
    )
    versions = result.column("v")
    assert len(versions) == 1
    return versions[0]


def graph_triples(store: EmbeddedStore, graph: str) -> set[tuple[Any, Any, Any]]:
    quads = store.pyoxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    return {(quad.subject, quad.predicate, quad.object) for quad in quads}


def parsed_triples(payload: bytes, rdf_format: ox.RdfFormat) -> set[Any]:
    return {
        (quad.subject, quad.predicate, quad.object)
        for quad in ox.parse(payload, format=rdf_format)
    }


def csv_rows(payload: bytes) -> list[dict[str, str]]:
    text = payload.decode("utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


def path(submission: tuple[str, int, int], extension: str) -> str:
    government, year, periode = submission
    return f"/download/aanlevering/{government}/{year}/{periode}.{extension}"


@pytest.mark.parametrize("submission", EXAMPLES)
def test_csv_has_a_row_per_observation_with_labels_and_sums(
    client: TestClient, served_store: EmbeddedStore, submission: tuple[str, int, int]
) -> None:
    version = current_version(served_store, submission)
    response = client.get(path(submission, "csv"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    key = version.rsplit("/", 1)[-1]
    government, year, periode = submission
    stem = f"iv3-{government}-{year}-{periode}-{key}"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{stem}.csv"'
    )
    assert response.headers["content-location"] == (
        f"/download/aanlevering/{government}/{year}/{periode}/{key}.csv"
    )

    rows = csv_rows(response.content)
    counted = served_store.query(
        f"SELECT (COUNT(?o) AS ?n) WHERE {{ GRAPH <{version}> "
        f"{{ ?o <{QB}dataSet> ?d }} }}"
    ).column("n")
    assert len(rows) == int(counted[0]) > 0
    assert {row["versie"] for row in rows} == {key}
    assert {row["overheid"] for row in rows} == {government}
    assert all(row["rij_code"] and row["rij_omschrijving"] for row in rows)
    assert all(row["kolom_code"] and row["kolom_omschrijving"] for row in rows)

    sums = served_store.query(
        f"SELECT ?part (SUM(?amount) AS ?total) WHERE {{ GRAPH <{version}> {{"
        f" ?o <{QB}dataSet> ?d ; <{IV3}bedrag> ?amount . ?d <{IV3}deel> ?part }} }}"
        " GROUP BY ?part"
    )
    for record in sums.records():
        part = record["part"].value.rsplit("/", 1)[-1]
        total = sum(Decimal(row["waarde"]) for row in rows if row["deel"] == part)
        assert total == Decimal(record["total"].value)
        assert {row["eenheid"] for row in rows if row["deel"] == part} == {
            "duizend euro"
        }


def test_csv_reads_labels_from_the_code_lists(client: TestClient) -> None:
    rows = csv_rows(client.get(path(EXAMPLES[0], "csv")).content)

    bestuur = [row for row in rows if row["rij_code"] == "0.1"]
    assert bestuur and {row["rij_omschrijving"] for row in bestuur} == {"Bestuur"}
    standen = [row for row in rows if row["deel"] == "balans-standen"]
    assert {row["kolom_soort"] for row in standen} == {"standper"}
    assert "1 januari" in {row["kolom_code"] for row in standen}


def test_csv_lists_codes_in_the_order_of_the_model(client: TestClient) -> None:
    rows = csv_rows(client.get(path(EXAMPLES[0], "csv")).content)

    lasten = [row["rij_code"] for row in rows if row["deel"] == "lasten"]
    first_seen = list(dict.fromkeys(lasten))
    assert first_seen.index("0.2") < first_seen.index("0.10")
    assert first_seen == sorted(first_seen, key=code_sort_key)


@pytest.mark.parametrize("submission", EXAMPLES)
def test_jsonld_is_the_version_graph(
    client: TestClient, served_store: EmbeddedStore, submission: tuple[str, int, int]
) -> None:
    version = current_version(served_store, submission)
    response = client.get(path(submission, "jsonld"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["content-disposition"].endswith('.jsonld"')
    document = response.json()
    assert document["@id"] == version, "the submission document, not a bare graph"
    assert "metadata" in document and "data" in document
    triples = parsed_triples(response.content, ox.RdfFormat.JSON_LD)
    assert triples == graph_triples(served_store, version)


@pytest.mark.parametrize(
    ("extension", "rdf_format"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("nq", ox.RdfFormat.N_QUADS),
    ],
)
def test_rdf_of_a_version_is_its_graph(
    client: TestClient,
    served_store: EmbeddedStore,
    extension: str,
    rdf_format: ox.RdfFormat,
) -> None:
    version = current_version(served_store, EXAMPLES[1])
    key = version.rsplit("/", 1)[-1]
    government, year, periode = EXAMPLES[1]

    response = client.get(
        f"/download/aanlevering/{government}/{year}/{periode}/{key}.{extension}"
    )

    assert response.status_code == 200
    assert "content-location" not in response.headers
    assert parsed_triples(response.content, rdf_format) == graph_triples(
        served_store, version
    )
    if extension == "nq":
        graphs = {quad.graph_name for quad in ox.parse(response.content, rdf_format)}
        assert graphs == {ox.NamedNode(version)}


def test_a_version_and_the_current_one_are_the_same_file(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    version = current_version(served_store, EXAMPLES[0])
    government, year, periode = EXAMPLES[0]
    key = version.rsplit("/", 1)[-1]

    current = client.get(path(EXAMPLES[0], "csv"))
    named = client.get(
        f"/download/aanlevering/{government.lower()}/{year}/{periode}/{key}.csv"
    )

    assert named.status_code == 200
    assert named.content == current.content
    assert (
        named.headers["content-disposition"] == current.headers["content-disposition"]
    )


def test_the_dump_holds_every_quad_of_the_store(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    response = client.get("/download/iv3ld.nq.gz")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert response.headers["content-disposition"] == (
        'attachment; filename="iv3ld.nq.gz"'
    )
    assert "content-encoding" not in response.headers
    quads = list(
        ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS)
    )
    counted = served_store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    ).column("n")
    assert len(quads) == int(counted[0]) == len(served_store.pyoxigraph)
    graphs = {quad.graph_name.value for quad in quads}  # type: ignore[union-attr]
    assert graphs == served_store.graph_names()


def test_head_of_the_dump_sends_no_body(client: TestClient) -> None:
    response = client.head("/download/iv3ld.nq.gz")

    assert response.status_code == 200
    assert response.content == b""
    assert "etag" in response.headers


@pytest.mark.parametrize(
    "target",
    ["/download/iv3ld.nq.gz", path(EXAMPLES[0], "csv"), path(EXAMPLES[2], "jsonld")],
)
def test_a_current_copy_gets_304(client: TestClient, target: str) -> None:
    first = client.head(target)
    tag = first.headers["etag"]

    by_tag = client.get(target, headers={"If-None-Match": tag})
    by_date = client.get(
        target, headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    other = client.head(target, headers={"If-None-Match": '"elsewhere"'})

    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_date.status_code == 304
    assert other.status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/download/aanlevering/GM0999/2023/5.csv",
        "/download/aanlevering/GM0363/2022/5.csv",
        "/download/aanlevering/GM0363/2023/5/20990101t000000z.csv",
        "/download/aanlevering/GM0363/2023/5/nieuwste.csv",
        "/download/aanlevering/GM0363/2023/5.xlsx",
        "/download/aanlevering/GM0363/2023/5",
        "/download/aanlevering/gemeente/2023/5.csv",
        "/download/aanlevering/GM0363/twee/5.csv",
    ],
)
def test_what_is_not_there_is_a_404_problem(client: TestClient, target: str) -> None:
    response = client.get(target)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["detail"]


class PrivateSite:
    """An app over its own store holding one version with non-public detail lines."""

    def __init__(self, folder: Path, content: dict[str, Any]) -> None:
        self.store = EmbeddedStore.open(folder / "store")
        self.state = StateDirectory(folder / "state")
        settings = Settings(store=folder / "store", state=folder / "state")
        from iv3ld.graphs import ensure_reference_data

        ensure_reference_data(self.store)
        receipt = Receipt(
            json.dumps(content).encode("utf-8"), "application/json", "klein", "load"
        )
        intake = receive(self.store, self.state, receipt)
        assert intake.outcome == "loaded", intake.report
        self.version = intake.version
        self.client = TestClient(create_app(settings, self.store, self.state))

    def close(self) -> None:
        self.state.close()
        self.store.close()


def with_detail_lines(small_submission: dict[str, Any]) -> dict[str, Any]:
    """The small submission with its first cell split over two rows."""
    content = copy.deepcopy(small_submission)
    first = content["data"]["lasten"][0]
    half = dict(first, bedrag=first["bedrag"] - 40, details={"omschrijving": "geheim"})
    content["data"]["lasten"][0:1] = [half, dict(first, bedrag=40)]
    content["metadata"]["details_openbaar"] = False
    return content


def test_jsonld_leaves_out_detail_lines_that_are_not_public(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    site = PrivateSite(tmp_path, with_detail_lines(small_submission))
    try:
        stored = graph_triples(site.store, site.version)
        jsonld = site.client.get("/download/aanlevering/GM0999/2025/5.jsonld")
        rows = csv_rows(
            site.client.get("/download/aanlevering/GM0999/2025/5.csv").content
        )
        dump = gzip.decompress(site.client.get("/download/iv3ld.nq.gz").content)
    finally:
        site.close()

    assert jsonld.status_code == 200
    assert b"geheim" not in jsonld.content
    assert parsed_triples(jsonld.content, ox.RdfFormat.JSON_LD) == stored
    assert not any("/regel/" in str(triple) for triple in stored)
    first = [
        row for row in rows if (row["rij_code"], row["kolom_code"]) == ("0.1", "1.1")
    ]
    assert [row["waarde"] for row in first] == ["100"]
    assert b"geheim" not in dump and b"/regel/" not in dump


def test_jsonld_of_public_detail_lines_is_the_delivered_document(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    content = with_detail_lines(small_submission)
    content["metadata"]["details_openbaar"] = True
    site = PrivateSite(tmp_path, content)
    try:
        stored = graph_triples(site.store, site.version)
        jsonld = site.client.get("/download/aanlevering/GM0999/2025/5.jsonld")
    finally:
        site.close()

    assert jsonld.json()["@id"] == site.version
    assert b"geheim" in jsonld.content
    assert parsed_triples(jsonld.content, ox.RdfFormat.JSON_LD) == stored
