"""The public SPARQL endpoint: formats, datasets, the service description, the
query page, limits and every refusal, over the shared store with the examples."""

from __future__ import annotations

import csv
import gc
import json
import logging
import re
import socket
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape

from iv3ld.identifiers import namespace
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from iv3ld.web.sparql import examples, query_form
from tests.conftest import SHARED_DATA

IV3 = namespace().vocabulary
AMSTERDAM = namespace().gemeente("GM0363")
REGIONS = namespace().graph("regios")
ONTOLOGY = namespace().graph("ontologie")
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ENDPOINT = "http://testserver/sparql"

SELECT_AMSTERDAM = f"SELECT ?p ?o WHERE {{ <{AMSTERDAM}> ?p ?o }} ORDER BY ?p ?o"
CONSTRUCT_AMSTERDAM = (
    f"CONSTRUCT {{ <{AMSTERDAM}> ?p ?o }} WHERE {{ <{AMSTERDAM}> ?p ?o }}"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@contextmanager
def app_with(
    served_site: tuple[EmbeddedStore, StateDirectory], **settings: Any
) -> Iterator[TestClient]:
    """A client of the app over the shared store, with other settings."""
    store, state = served_site
    chosen = Settings(store=Path(store.location), state=state.directory, **settings)
    with TestClient(create_app(chosen, store, state)) as client:
        yield client


def direct(client: TestClient, query: str, **headers: str) -> Response:
    """POST a query as ``application/sparql-query``."""
    sent = {"Content-Type": "application/sparql-query"} | headers
    return client.post("/sparql", content=query.encode(), headers=sent)


def media_type(response: Response) -> str:
    return response.headers["content-type"].split(";")[0]


def solutions(response: Response) -> list[dict[str, str]]:
    """The solutions of a SPARQL JSON, XML or TSV answer, as text."""
    parsed = ox.parse_query_results(
        response.content, ox.QueryResultsFormat.from_media_type(media_type(response))
    )
    variables = [variable.value for variable in parsed.variables]
    return [
        {name: str(row[name]) for name in variables if row[name] is not None}
        for row in parsed
    ]


def count(client: TestClient, **parameters: str | list[str]) -> int:
    """The number of triples the query sees with these protocol parameters."""
    response = client.get("/sparql", params={"query": COUNT, **parameters})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# --- Result formats ---------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/tab-separated-values",
    ],
)
def test_select_in_each_results_format_gives_the_same_solutions(
    client: TestClient, accept: str
) -> None:
    reference = solutions(client.get("/sparql", params={"query": SELECT_AMSTERDAM}))

    response = client.get(
        "/sparql", params={"query": SELECT_AMSTERDAM}, headers={"Accept": accept}
    )

    assert response.status_code == 200
    assert media_type(response) == accept
    assert solutions(response) == reference
    assert {"p": f"<{RDF_TYPE}>", "o": f"<{IV3}Gemeente>"} in reference


def test_select_as_csv_has_a_header_and_plain_values(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT_AMSTERDAM}, headers={"Accept": "text/csv"}
    )

    lines = response.text.splitlines()
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert lines[0] == "p,o"
    assert f"{RDF_TYPE},{IV3}Gemeente" in lines


def test_json_results_keep_language_datatype_and_unbound(client: TestClient) -> None:
    query = (
        f"SELECT ?label ?notation ?missing WHERE {{ <{AMSTERDAM}>"
        " <http://www.w3.org/2000/01/rdf-schema#label> ?label ;"
        " <http://www.w3.org/2004/02/skos/core#notation> ?notation ."
        " OPTIONAL { ?label <http://example.org/none> ?missing } }"
    )

    body = client.get("/sparql", params={"query": query}).json()

    assert body["head"]["vars"] == ["label", "notation", "missing"]
    assert body["results"]["bindings"] == [
        {
            "label": {"type": "literal", "value": "Amsterdam", "xml:lang": "nl"},
            "notation": {"type": "literal", "value": "GM0363"},
        }
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_wins_over_accept(
    client: TestClient, name: str, expected: str
) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }", "format": name},
        headers={"Accept": "text/html"},
    )

    assert response.status_code == 200
    assert media_type(response) == expected


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_construct_in_each_rdf_format_gives_the_same_triples(
    client: TestClient, accept: str, rdf_format: ox.RdfFormat
) -> None:
    reference = {
        str(triple)
        for triple in ox.parse(
            client.get(
                "/sparql",
                params={"query": CONSTRUCT_AMSTERDAM},
                headers={"Accept": "application/n-triples"},
            ).content,
            format=ox.RdfFormat.N_TRIPLES,
        )
    }

    response = direct(client, CONSTRUCT_AMSTERDAM, Accept=accept)
    parsed = ox.parse(response.content, format=rdf_format)

    assert response.status_code == 200
    assert media_type(response) == accept
    assert {str(quad.triple) for quad in parsed} == reference
    assert (
        f'<{AMSTERDAM}> <http://www.w3.org/2000/01/rdf-schema#label> "Amsterdam"@nl'
        in reference
    )


def test_describe_is_a_graph_in_turtle_by_default(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{AMSTERDAM}>"})

    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    assert media_type(response) == "text/turtle"
    assert ox.NamedNode(AMSTERDAM) in {triple.subject for triple in triples}


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_answers_true_and_false(client: TestClient, accept: str) -> None:
    format_ = ox.QueryResultsFormat.from_media_type(accept)

    yes = direct(client, f"ASK {{ <{AMSTERDAM}> ?p ?o }}", Accept=accept)
    no = direct(client, "ASK { <http://example.org/nothing> ?p ?o }", Accept=accept)

    assert bool(ox.parse_query_results(yes.content, format_)) is True
    assert bool(ox.parse_query_results(no.content, format_)) is False


def test_a_form_post_is_answered_like_a_get(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": SELECT_AMSTERDAM},
        headers={"Accept": "application/sparql-results+json"},
    )

    assert response.status_code == 200
    assert solutions(response) == solutions(
        client.get("/sparql", params={"query": SELECT_AMSTERDAM})
    )


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = direct(
        client, "CONSTRUCT { <s> <p> 1 } WHERE {}", Accept="application/n-triples"
    )

    assert response.text.startswith("<http://testserver/s> <http://testserver/p> ")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT * { ?s ?p ?o }", "solutions"),
        ("PREFIX ask: <http://example.org/construct#> select ?ask {}", "solutions"),
        ("# CONSTRUCT in a comment\nASK {}", "boolean"),
        ("BASE <http://example.org/select/> CONSTRUCT WHERE { ?s ?p ?o }", "graph"),
        ("describe <http://example.org/>", "graph"),
        ("nonsense", None),
    ],
)
def test_the_kind_of_result_is_read_from_the_query(query: str, kind: str) -> None:
    assert query_form(query) == kind


# --- Datasets ---------------------------------------------------------------


def test_the_default_graph_is_the_union_of_all_graphs(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    regions = count(client, **{"default-graph-uri": REGIONS})
    ontology = count(client, **{"default-graph-uri": ONTOLOGY})
    both = count(client, **{"default-graph-uri": [REGIONS, ONTOLOGY]})

    assert 0 < regions < both
    assert both == regions + ontology
    assert count(client) == len(served_store.pyoxigraph)


def test_named_graph_uri_limits_graph_patterns(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    response = client.get(
        "/sparql", params={"query": query, "named-graph-uri": REGIONS}
    )
    default_graph = count(client, **{"named-graph-uri": REGIONS})
    no_named_graphs = client.get(
        "/sparql", params={"query": query, "default-graph-uri": REGIONS}
    )

    assert solutions(response) == [{"g": f"<{REGIONS}>"}]
    assert default_graph == 0
    assert solutions(no_named_graphs) == []


def test_protocol_dataset_wins_over_from_clauses(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"

    own = client.get("/sparql", params={"query": query}).json()
    overridden = client.get(
        "/sparql", params={"query": query, "default-graph-uri": REGIONS}
    ).json()

    assert own["results"]["bindings"][0]["n"]["value"] == str(
        count(client, **{"default-graph-uri": ONTOLOGY})
    )
    assert overridden["results"]["bindings"][0]["n"]["value"] == str(
        count(client, **{"default-graph-uri": REGIONS})
    )


def test_dataset_parameters_in_url_and_form_body_add_up(client: TestClient) -> None:
    response = client.post(
        f"/sparql?default-graph-uri={REGIONS}",
        data={"query": COUNT, "default-graph-uri": ONTOLOGY},
    )

    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(
        count(client, **{"default-graph-uri": [REGIONS, ONTOLOGY]})
    )


def test_a_dataset_parameter_that_is_no_iri_is_400(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"}
    )

    assert response.status_code == 400
    assert "default-graph-uri 'not an iri' is not an absolute IRI" in response.text


# --- Service description ----------------------------------------------------

SD_SCHEMA = {
    "endpoint": ("Service", None),
    "supportedLanguage": ("Service", "Language"),
    "resultFormat": ("Service", "Format"),
    "feature": ("Service", "Feature"),
    "defaultDataset": ("Service", "Dataset"),
    "defaultGraph": ("Dataset", "Graph"),
    "namedGraph": ("Dataset", "NamedGraph"),
    "name": ("NamedGraph", None),
    "graph": ("NamedGraph", "Graph"),
}
"""Domain and range of the SD properties used (SPARQL 1.1 Service Description §3)."""

SD_INDIVIDUALS = {
    "Language": {f"{SD}SPARQL10Query", f"{SD}SPARQL11Query", f"{SD}SPARQL11Update"},
    "Feature": {
        f"{SD}DereferencesURIs",
        f"{SD}UnionDefaultGraph",
        f"{SD}RequiresDataset",
        f"{SD}EmptyGraphs",
        f"{SD}BasicFederatedQuery",
    },
    "Format": {
        f"http://www.w3.org/ns/formats/{name}"
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "N-Quads",
            "JSON-LD",
            "RDF_XML",
        )
    },
}
"""The individuals the SD vocabulary and the W3C formats registry define."""


def service_description(client: TestClient, **headers: str) -> list[ox.Triple]:
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200
    rdf_format = ox.RdfFormat.from_media_type(media_type(response))
    assert rdf_format is not None
    return [quad.triple for quad in ox.parse(response.content, format=rdf_format)]


def test_a_plain_get_returns_the_service_description_as_rdf(
    client: TestClient,
) -> None:
    triples = service_description(client)

    endpoints = [
        triple.object.value
        for triple in triples
        if triple.predicate.value == f"{SD}endpoint"
    ]
    assert endpoints == [ENDPOINT]


@pytest.mark.parametrize(
    "accept", ["application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_the_service_description_in_other_rdf_formats(
    client: TestClient, accept: str
) -> None:
    assert len(service_description(client, Accept=accept)) == len(
        service_description(client)
    )


def test_the_service_description_conforms_to_the_vocabulary(
    client: TestClient,
) -> None:
    triples = service_description(client)
    types: dict[str, set[str]] = {}
    for triple in triples:
        if triple.predicate.value == RDF_TYPE:
            types.setdefault(str(triple.subject), set()).add(triple.object.value)

    sd_triples = [t for t in triples if t.predicate.value.startswith(SD)]
    for triple in sd_triples:
        domain, range_ = SD_SCHEMA[triple.predicate.value.removeprefix(SD)]
        assert f"{SD}{domain}" in types[str(triple.subject)], triple
        if range_ in SD_INDIVIDUALS:
            assert triple.object.value in SD_INDIVIDUALS[range_], triple
        elif range_ is not None:
            assert f"{SD}{range_}" in types[str(triple.object)], triple
        else:
            assert isinstance(triple.object, ox.NamedNode), triple


def test_the_service_description_says_what_the_endpoint_does(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    triples = service_description(client)
    values = {
        (triple.predicate.value.removeprefix(SD), triple.object.value)
        for triple in triples
    }
    names = {value for predicate, value in values if predicate == "name"}

    assert ("supportedLanguage", f"{SD}SPARQL11Query") in values
    assert ("supportedLanguage", f"{SD}SPARQL11Update") not in values
    assert ("feature", f"{SD}UnionDefaultGraph") in values
    assert ("feature", f"{SD}BasicFederatedQuery") not in values
    assert names == served_store.graph_names()
    assert any("union of all named graphs" in value for _, value in values)


# --- The query page ---------------------------------------------------------


def test_a_browser_gets_the_query_page(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})

    page = response.text
    assert media_type(response) == "text/html"
    assert '<textarea id="query" name="query"' in page
    assert '<select id="format" name="format">' in page
    assert '<button type="submit">' in page
    assert "PREFIX iv3:" in page
    for example in examples():
        assert str(escape(example.title)) in page


def test_the_query_page_uses_only_local_assets(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text

    sources = re.findall(
        r'<(?:script|img|link|iframe)[^>]*(?:src|href)="([^"]*)"', page
    )
    assert sources
    assert all(source.startswith("/") for source in sources), sources


def test_an_example_opens_in_the_form(client: TestClient) -> None:
    example = examples()[2]

    response = client.get(
        "/sparql", params={"voorbeeld": example.name}, headers={"Accept": "text/html"}
    )
    missing = client.get(
        "/sparql", params={"voorbeeld": "geen"}, headers={"Accept": "text/html"}
    )

    assert "skos:inScheme" in response.text
    assert missing.status_code == 404


@pytest.mark.parametrize("example", examples(), ids=[e.name for e in examples()])
def test_every_example_query_finds_something(client: TestClient, example: Any) -> None:
    response = client.get(
        "/sparql",
        params={"query": example.text},
        headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
    )

    assert response.status_code == 200, response.text
    if media_type(response) == "text/turtle":
        assert list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    else:
        body = response.json()
        assert body.get("boolean") is True or body["results"]["bindings"]


def test_a_browser_gets_the_result_as_a_table(client: TestClient) -> None:
    example = examples()[1]

    response = client.get(
        "/sparql", params={"query": example.text}, headers={"Accept": "text/html"}
    )

    page = response.text
    assert response.status_code == 200
    assert "<th>?taakveld</th>" in page
    assert "<td>Bestuur <span" in page
    assert "?query=" in page and "format=csv" in page


def test_a_browser_sees_a_malformed_query_on_the_page(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * {"}, headers={"Accept": "text/html"}
    )

    assert response.status_code == 400
    assert "Malformed query" in response.text
    assert "SELECT * {</textarea>" in response.text


# --- Refusals ---------------------------------------------------------------


def test_a_malformed_query_is_400_with_the_parsers_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})

    body = response.json()
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert body["title"] == "Malformed query"
    assert body["detail"].startswith("error at 1:")


def test_a_syntax_error_position_is_where_the_client_wrote_it(
    client: TestClient,
) -> None:
    absolute = "SELECT * { <http://a/s> ?p }"
    relative = "SELECT * { <s> ?p ?o . ?x }"

    for query in (absolute, relative):
        detail = client.get("/sparql", params={"query": query}).json()["detail"]
        with pytest.raises(SyntaxError) as parsed:
            ox.Store().query(query, base_iri=ENDPOINT)

        assert detail == str(parsed.value)


def test_an_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT_AMSTERDAM}, headers={"Accept": "image/png"}
    )

    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["detail"]


def test_a_graph_format_for_a_select_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT, "format": "ttl"})

    assert response.status_code == 400
    assert "csv" in response.json()["detail"]


def test_two_queries_are_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])

    assert response.status_code == 400
    assert response.json()["title"] == "Two queries"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        ("application/json", 415),
        ("application/sparql-query; charset=ISO-8859-1", 415),
        ("application/sparql-query", 200),
        ("application/sparql-query; charset=UTF-8", 200),
    ],
)
def test_only_form_and_sparql_query_bodies_are_taken(
    client: TestClient, content_type: str, status: int
) -> None:
    response = client.post(
        "/sparql", content=b"ASK {}", headers={"Content-Type": content_type}
    )

    assert response.status_code == status


def test_a_body_without_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"query=ASK%20%7B%7D")

    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["detail"]


def test_a_body_that_is_not_utf8_is_400(client: TestClient) -> None:
    good = direct(client, 'ASK { ?s ?p "café" }')
    body = 'ASK { ?s ?p "caf\xe9" }'.encode("latin-1")

    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    escapes = client.post(
        "/sparql",
        content=b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert good.status_code == 200
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["detail"]
    assert escapes.status_code == 400


@pytest.mark.parametrize(
    ("method", "target", "content", "content_type"),
    [
        ("GET", "/sparql?update=CLEAR%20ALL", None, None),
        ("POST", "/sparql", b"update=CLEAR+ALL", "application/x-www-form-urlencoded"),
        ("POST", "/sparql", b"CLEAR ALL", "application/sparql-update"),
        ("POST", "/sparql?using-graph-uri=http%3A%2F%2Fa%2F", b"ASK {}", None),
    ],
)
def test_updates_are_refused_with_403(
    client: TestClient,
    served_store: EmbeddedStore,
    method: str,
    target: str,
    content: bytes | None,
    content_type: str | None,
) -> None:
    before = len(served_store.pyoxigraph)
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.request(method, target, content=content, headers=headers)

    assert response.status_code == 403
    assert response.json()["title"] == "Read-only endpoint"
    assert "POST /api/submissions" in response.json()["detail"]
    assert len(served_store.pyoxigraph) == before


def test_other_methods_are_405(client: TestClient) -> None:
    assert client.put("/sparql?query=ASK%20%7B%7D").status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_a_federated_query_is_refused_and_nothing_is_fetched(
    client: TestClient,
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with suppress(TimeoutError):
            connections.append(listener.accept())

    waiting = threading.Thread(target=accept)
    waiting.start()
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}"
    response = direct(client, query)
    waiting.join()
    listener.close()

    assert response.status_code == 400
    assert response.json()["title"] == "Federated query not supported"
    assert connections == []


def test_service_as_a_name_is_no_federated_query(client: TestClient) -> None:
    query = (
        'SELECT ?service WHERE { BIND("SERVICE <http://a/>" AS ?service) }'
        " # SERVICE <http://b/> {}"
    )

    assert direct(client, query).status_code == 200


# --- Limits -----------------------------------------------------------------


def test_a_body_over_the_limit_is_413(
    served_site: tuple[EmbeddedStore, StateDirectory],
) -> None:
    query = "ASK { " + "?s ?p ?o . " * 20 + "}"
    with app_with(served_site, max_query_bytes=100) as limited:
        over = direct(limited, query)
        under = direct(limited, "ASK {}")

    assert over.status_code == 413
    assert under.status_code == 200


def test_a_query_past_the_time_limit_is_503_with_retry_after(
    served_site: tuple[EmbeddedStore, StateDirectory],
) -> None:
    with app_with(served_site, query_timeout=0.01) as limited:
        response = limited.get("/sparql", params={"query": COUNT})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert "limit of 0.01 s" in response.json()["detail"]


def test_a_result_over_the_limit_is_422_and_leaves_nothing_behind(
    served_site: tuple[EmbeddedStore, StateDirectory],
) -> None:
    unraisable: list[object] = []
    hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        with app_with(served_site, result_limit=5) as limited:
            over = limited.get("/sparql", params={"query": SELECT_AMSTERDAM})
            graph = direct(limited, CONSTRUCT_AMSTERDAM)
            under = limited.get(
                "/sparql", params={"query": SELECT_AMSTERDAM + " LIMIT 5"}
            )
        gc.collect()
    finally:
        sys.unraisablehook = hook

    assert over.status_code == 422
    assert "more than 5 solutions" in over.json()["detail"]
    assert graph.status_code == 422
    assert "more than 5 triples" in graph.json()["detail"]
    assert under.status_code == 200
    assert unraisable == []


# --- Caching and logging ----------------------------------------------------


def test_get_queries_answer_304_to_a_current_copy(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": SELECT_AMSTERDAM})
    tag = first.headers["etag"]

    again = client.get(
        "/sparql", params={"query": SELECT_AMSTERDAM}, headers={"If-None-Match": tag}
    )
    since = client.get(
        "/sparql",
        params={"query": SELECT_AMSTERDAM},
        headers={"If-Modified-Since": first.headers["last-modified"]},
    )
    as_csv = client.get(
        "/sparql",
        params={"query": SELECT_AMSTERDAM},
        headers={"If-None-Match": tag, "Accept": "text/csv"},
    )

    assert again.status_code == 304
    assert since.status_code == 304
    assert as_csv.status_code == 200
    assert as_csv.headers["etag"] != tag
    assert "Accept" in first.headers["vary"]


def test_the_service_description_has_validators_too(client: TestClient) -> None:
    first = client.get("/sparql")

    again = client.get("/sparql", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304


def test_post_queries_have_no_validators(client: TestClient) -> None:
    response = direct(client, "ASK {}")

    assert "etag" not in response.headers


def test_the_query_text_is_logged_at_debug(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="iv3ld.web.sparql"):
        direct(client, "ASK { <http://example.org/logged> ?p ?o }")

    assert any(
        record.name == "iv3ld.web.sparql"
        and record.levelno == logging.DEBUG
        and "http://example.org/logged" in record.getMessage()
        for record in caplog.records
    )


def test_the_endpoint_is_not_in_the_openapi_document(client: TestClient) -> None:
    with warnings.catch_warnings():  # other routers' schema warnings are theirs
        warnings.simplefilter("ignore")
        document = client.app.openapi()  # type: ignore[attr-defined]

    assert "/sparql" not in document["paths"]
    assert "default-graph-uri" not in json.dumps(document)


# --- The W3C result format tests ---------------------------------------------

RESULT_SUITES = SHARED_DATA / "w3c-sparql11"
RESULT_TESTS = [
    ("json-res", f"jsonres0{number}.rq", "data.ttl", f"jsonres0{number}.srj")
    for number in range(1, 5)
] + [
    ("csv-tsv-res", query, data, f"csvtsv0{number}.{suffix}")
    for suffix in ("csv", "tsv")
    for number, query, data in (
        (1, "csvtsv01.rq", "data.ttl"),
        (2, "csvtsv02.rq", "data.ttl"),
        (3, "csvtsv01.rq", "data2.ttl"),
    )
]
"""The entries of ``json-res/manifest.ttl`` and ``csv-tsv-res/manifest.ttl``."""

RESULT_TYPES = {
    "srj": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def _table(text: str, separator: str) -> list[dict[str, str]]:
    """The rows of a CSV or TSV result by column name, blank node labels as one.

    Columns are compared by name: the order of ``SELECT *`` is the engine's.
    """
    lines = [re.sub(r"_:\w+", "_:b", line) for line in text.strip("\r\n").splitlines()]
    rows = list(csv.reader(lines, delimiter=separator, quotechar='"'))
    if separator == "\t":
        rows = [line.split("\t") for line in lines]
    header = [name.removeprefix("?") for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _json_result(document: dict[str, Any]) -> Any:
    if "boolean" in document:
        return document["boolean"]
    return {
        "vars": sorted(document["head"]["vars"]),
        "bindings": [
            {
                name: {**term, "value": "b"} if term["type"] == "bnode" else term
                for name, term in binding.items()
            }
            for binding in document["results"]["bindings"]
        ],
    }


NORMALISED_ON_LOAD = pytest.mark.xfail(
    strict=True,
    reason="pyoxigraph normalises literals on load: -3 as xsd:negativeInteger becomes"
    " xsd:integer, 1.0E6 becomes 1000000; the store's doing, not the writer's",
)


@pytest.mark.parametrize(
    ("suite", "query", "data", "expected"),
    [
        pytest.param(
            *entry,
            id=entry[3],
            marks=[NORMALISED_ON_LOAD] if entry[2] == "data2.ttl" else [],
        )
        for entry in RESULT_TESTS
    ],
)
def test_w3c_result_formats(
    shared_data: Path, tmp_path: Path, suite: str, query: str, data: str, expected: str
) -> None:
    folder = RESULT_SUITES / suite
    store = EmbeddedStore.in_memory()
    store.load_graph(
        "http://example.org/data", (folder / data).read_bytes(), ox.RdfFormat.TURTLE
    )
    state = StateDirectory(tmp_path / "state")
    settings = Settings(load_examples=False, state=tmp_path / "state")
    accept = RESULT_TYPES[expected.rpartition(".")[2]]

    with TestClient(create_app(settings, store, state)) as scratch:
        response = direct(scratch, (folder / query).read_text(), Accept=accept)
    state.close()
    wanted = (folder / expected).read_text(encoding="utf-8")

    assert response.status_code == 200
    if accept == "application/sparql-results+json":
        assert _json_result(response.json()) == _json_result(json.loads(wanted))
    else:
        separator = "," if accept == "text/csv" else "\t"
        assert _table(response.text, separator) == _table(wanted, separator)
