"""Both backends behave the same: the store interface, case by case."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from iv3ld.errors import (
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
)
from iv3ld.store import QueryDataset, Store
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.store.query_text import declares_dataset, own_dataset
from iv3ld.store.remote import RemoteStore
from tests.backends import OxigraphServer, free_port

G1 = "http://example.org/graph/1"
G2 = "http://example.org/graph/2"
TURTLE_1 = b"""
@prefix ex: <http://example.org/> .
ex:a ex:p 1, 2 ; ex:label "een"@nl .
ex:b ex:p 3 .
"""
TURTLE_2 = b"""
@prefix ex: <http://example.org/> .
ex:a ex:q "twee" .
ex:c ex:p 4 .
"""


def _fill(store: Store) -> None:
    store.load_graph(G1, TURTLE_1, ox.RdfFormat.TURTLE)
    store.load_graph(G2, TURTLE_2, ox.RdfFormat.TURTLE)


def test_queries_see_the_union_of_graphs(store: Store) -> None:
    _fill(store)

    result = store.query(
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s"
    )

    assert result.kind == "solutions"
    assert result.variables == ["s", "n"]
    assert [(row[0].value, row[1].value) for row in result.rows] == [  # type: ignore[union-attr]
        ("http://example.org/a", "4"),
        ("http://example.org/b", "1"),
        ("http://example.org/c", "1"),
    ]


def test_protocol_dataset_restricts_the_graphs(store: Store) -> None:
    _fill(store)

    default_only = store.query(
        "SELECT ?o WHERE { ?s <http://example.org/p> ?o }",
        dataset=QueryDataset(default_graphs=(G2,)),
    )
    named = store.query(
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        dataset=QueryDataset(named_graphs=(G1,)),
    )

    assert default_only.column("o") == ["4"]
    assert set(named.column("g")) == {G1}


def test_from_clause_of_the_query_applies(store: Store) -> None:
    _fill(store)

    result = store.query(f"SELECT ?o FROM <{G2}> WHERE {{ ?s ?p ?o }}")

    assert sorted(result.column("o")) == ["4", "twee"]


def test_ask_and_construct(store: Store) -> None:
    _fill(store)

    asked = store.query("ASK { <http://example.org/c> ?p 4 }")
    built = store.query(
        "CONSTRUCT { ?s <http://example.org/r> ?o }"
        " WHERE { ?s <http://example.org/q> ?o }"
    )

    assert asked.kind == "boolean" and asked.boolean is True
    assert built.kind == "graph"
    assert [triple.object.value for triple in built.triples] == ["twee"]


def test_syntax_error_carries_the_parser_message(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        store.query("SELEKT * WHERE { ?s ?p ?o }")

    assert str(raised.value)


def test_result_over_the_limit_is_refused(store: Store) -> None:
    _fill(store)

    with pytest.raises(ResultTooLargeError, match="more than 3 solutions"):
        store.query("SELECT * WHERE { ?s ?p ?o }", limit=3)
    assert store.query("SELECT * WHERE { ?s ?p ?o }", limit=6).size() == 6


def test_query_past_its_time_limit_times_out(store: Store) -> None:
    triples = "".join(
        f"<http://example.org/n{index}> <http://example.org/p> {index} .\n"
        for index in range(3000)
    )
    store.load_graph(G1, triples.encode(), ox.RdfFormat.TURTLE)

    with pytest.raises(QueryTimeoutError):
        store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y }",
            timeout=0.2,
        )


def test_update_is_all_or_nothing(store: Store) -> None:
    _fill(store)

    with pytest.raises(StoreError):
        store.update(
            f"DROP GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G2}> {{ <x:a> <x:b> }} }}"
        )

    assert store.graph_names() >= {G1, G2}
    assert store.query(f"ASK {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}").boolean


def test_drop_graph_and_graph_names(store: Store) -> None:
    _fill(store)

    store.drop_graph(G1)
    store.drop_graph("http://example.org/never-there")

    assert G1 not in store.graph_names()
    assert G2 in store.graph_names()


def test_quads_about_a_subject_in_every_graph(store: Store) -> None:
    _fill(store)

    quads = store.quads_about("http://example.org/a")

    graphs = sorted({quad.graph_name.value for quad in quads})  # type: ignore[union-attr]
    assert graphs == [G1, G2]
    assert len(quads) == 4


def test_dump_writes_every_named_graph_as_nquads(store: Store) -> None:
    _fill(store)
    buffer = io.BytesIO()

    with gzip.GzipFile(fileobj=buffer, mode="wb") as packed:
        store.dump(packed)  # type: ignore[arg-type]

    text = gzip.decompress(buffer.getvalue())
    quads = list(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 6
    assert {quad.graph_name.value for quad in quads} == {G1, G2}  # type: ignore[union-attr]


def test_a_union_engine_passes_the_check(store: Store) -> None:
    assert store.check() == []


def test_an_engine_without_union_default_graph_is_reported(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "plain", union=False)
    try:
        store = RemoteStore(
            server.url,
            server.url.replace("/query", "/update"),
            server.url.replace("/query", "/store"),
        )
        problems = store.check()
        store.close()
    finally:
        server.stop()

    assert len(problems) == 1
    assert "--union-default-graph" in problems[0]


def test_an_unreachable_engine_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    store = RemoteStore(url, url, url)

    with pytest.raises(StoreUnavailableError, match="cannot reach"):
        store.query("ASK {}")
    assert store.check() != []


def test_a_locked_directory_is_unavailable(tmp_path: Path) -> None:
    first = EmbeddedStore.open(tmp_path / "store")
    try:
        with pytest.raises(StoreUnavailableError, match="in use by another process"):
            EmbeddedStore.open(tmp_path / "store")
    finally:
        first.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("select * from ex:g where { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s <http://example.org/from#x> ?o }", False),
        ('SELECT * WHERE { ?s ?p "FROM" } # FROM <x>', False),
    ],
)
def test_own_dataset_clauses_are_recognised(query: str, expected: bool) -> None:
    assert declares_dataset(query) is expected


def test_dataset_clauses_are_read_with_prefixes_and_base() -> None:
    dataset = own_dataset(
        "BASE <http://example.org/> PREFIX ex: <http://example.org/ns#>\n"
        "SELECT * FROM <g1> FROM ex:g2 FROM NAMED <http://other/g3>\n"
        "WHERE { ?s ?p 'FROM <nope>' }"
    )

    assert dataset.default_graphs == (
        "http://example.org/g1",
        "http://example.org/ns#g2",
    )
    assert dataset.named_graphs == ("http://other/g3",)
