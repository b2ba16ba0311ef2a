"""The W3C SPARQL 1.1 Protocol tests, run against the app's ``/sparql``.

``w3c-sparql11/protocol/manifest.ttl`` (read with rdflib): each test is one or more
HTTP requests with the expected status class and, for queries, the result's format
and boolean. Every test gets a fresh in-memory store with its ``ut:graphData``
loaded into named graphs named by their ``rdfs:label``.

The public endpoint is read-only, so the seven tests that expect an update to
succeed are run as expected refusals: their first request, the update, must get
403 with a problem document (and the store must be unchanged); the query that
would check the update's effect is not sent. Every other test runs as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from tests.conftest import SHARED_DATA

SUITE = SHARED_DATA / "w3c-sparql11" / "protocol"
MANIFEST = SUITE / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS = Namespace("http://www.w3.org/2011/http-statusCodes#")

ENDPOINT = "/sparql"

READ_ONLY_REFUSALS = frozenset(
    {
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
        "update_post_form",
        "update_post_direct",
        "update_base_uri",
    }
)
"""Tests that need an update endpoint: refused here, as the endpoint is read-only."""

FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
    },
}
"""The media types that count as each ``mf:expectedFormat``."""


@dataclass
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    format: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    """One ``mf:ProtocolTest`` of the manifest."""

    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)


def _read_manifest() -> list[ProtocolTest]:
    if not MANIFEST.is_file():
        return []
    manifest = Graph().parse(MANIFEST, format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    entries = Collection(manifest, manifest.value(root, MF.entries))
    return [_read_test(manifest, entry) for entry in entries]


def _read_test(manifest: Graph, entry: Node) -> ProtocolTest:
    name = str(entry).rpartition("#")[2]
    test = ProtocolTest(name, str(manifest.value(entry, MF.name)))
    for data in manifest.objects(entry, UT.graphData):
        source = manifest.value(data, UT.graph)
        file_name = str(source).rpartition("/")[2]
        test.graphs[str(manifest.value(data, RDFS.label))] = SUITE / file_name

    connection = manifest.value(entry, MF.action)
    requests = Collection(manifest, manifest.value(connection, HT.requests))
    test.exchanges = [_read_exchange(manifest, request) for request in requests]
    return test


def _read_exchange(manifest: Graph, request: Node) -> Exchange:
    path = str(manifest.value(request, HT.absolutePath))
    headers = {}
    header_list = manifest.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(manifest, header_list):
            name = str(manifest.value(header, HT.fieldName))
            headers[name] = str(manifest.value(header, HT.fieldValue))

    body = None
    content = manifest.value(request, HT.body)
    if content is not None:
        encoding = str(manifest.value(content, CNT.characterEncoding))
        body = str(manifest.value(content, CNT.chars)).encode(encoding)

    response = manifest.value(request, HT.resp)
    statuses = {
        _status_class(status)
        for status in manifest.objects(response, MF.expectedStatus)
    }
    expected_format = manifest.value(response, MF.expectedFormat)
    expected_boolean = manifest.value(response, MF.expectedBoolean)
    return Exchange(
        method=str(manifest.value(request, HT.methodName)),
        path=ENDPOINT + path.removeprefix("/sparql/"),
        headers=headers,
        body=body,
        statuses=statuses,
        format=None if expected_format is None else str(expected_format),
        boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


def _status_class(status: Node) -> int:
    """2 for ``hts:StatusCode2xx`` and so on."""
    assert isinstance(status, URIRef)
    return int(str(status).removeprefix(str(STATUS)).removeprefix("StatusCode")[0])


TESTS = _read_manifest()


def test_the_manifest_has_all_its_tests(shared_data: Path) -> None:
    """The runner reads all 34 tests; the refusals named are tests of it."""
    names = {test.name for test in TESTS}

    assert len(TESTS) == 34
    assert names >= READ_ONLY_REFUSALS


@pytest.fixture()
def scratch_client(tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    """The app over an empty in-memory store, as the suite asks."""
    store = EmbeddedStore.in_memory()
    state = StateDirectory(tmp_path / "state")
    settings = Settings(load_examples=False, state=tmp_path / "state")
    with TestClient(create_app(settings, store, state)) as client:
        yield client, store
    state.close()


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_protocol(
    test: ProtocolTest, scratch_client: tuple[TestClient, EmbeddedStore]
) -> None:
    """One manifest entry: every request gets the status, format and boolean."""
    client, store = scratch_client
    for graph, source in test.graphs.items():
        store.load_graph(graph, source.read_bytes(), ox.RdfFormat.N_TRIPLES)
    before = len(store.pyoxigraph)

    if test.name in READ_ONLY_REFUSALS:
        _expect_refusal(client, test.exchanges[0])
        assert len(store.pyoxigraph) == before
        return

    for exchange in test.exchanges:
        _expect(client, exchange)
    assert len(store.pyoxigraph) == before


def _send(client: TestClient, exchange: Exchange) -> tuple[int, str, bytes]:
    response = client.request(
        exchange.method,
        exchange.path,
        headers=exchange.headers,
        content=exchange.body,
        follow_redirects=False,
    )
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    return response.status_code, media_type, response.content


def _expect(client: TestClient, exchange: Exchange) -> None:
    status, media_type, body = _send(client, exchange)

    assert status // 100 in exchange.statuses, body
    if exchange.format is not None:
        assert media_type in FORMATS[exchange.format]
    if exchange.boolean is not None:
        answer = ox.parse_query_results(
            body, ox.QueryResultsFormat.from_media_type(media_type)
        )
        assert isinstance(answer, ox.QueryBoolean)
        assert bool(answer) is exchange.boolean


def _expect_refusal(client: TestClient, exchange: Exchange) -> None:
    status, media_type, body = _send(client, exchange)

    assert status == 403
    assert media_type == "application/problem+json"
    assert b"read-only" in body or b"refuses updates" in body
