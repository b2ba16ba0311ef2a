"""A remote SPARQL 1.1 engine as the store, through the standard protocols only.

* queries: SPARQL 1.1 Protocol, ``POST`` with a form body (no URL length limit),
  ``default-graph-uri`` and ``named-graph-uri`` passed on; results asked for as
  SPARQL JSON or N-Triples and parsed with pyoxigraph;
* changes: SPARQL 1.1 Update, one request per change, which engines run as one
  transaction;
* loading a graph: the Graph Store HTTP Protocol, ``POST ?graph=…``.

The engine must answer queries without a dataset on the union of its graphs
(Oxigraph: ``serve --union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph``;
Virtuoso does so by default). :meth:`RemoteStore.check` tests that. Credentials,
where the engine needs them, go in the endpoint URL's user info and are sent as
HTTP basic authentication, never inside a query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from iv3ld.errors import (
    ConfigurationError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    StoreUnavailableError,
)
from iv3ld.settings import Settings
from iv3ld.store import QueryDataset, QueryResult
from iv3ld.store.embedded import materialise
from iv3ld.store.query_text import own_dataset

logger = logging.getLogger(__name__)

_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9,"
    " text/turtle;q=0.8, application/sparql-results+xml;q=0.5"
)
_CHECK_GRAPH = "urn:iv3ld:union-check"
_FORM = "application/x-www-form-urlencoded"


class RemoteStore:
    """A SPARQL 1.1 engine reached over HTTP."""

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str,
        graph_store_endpoint: str,
        timeout: float = 60.0,
    ) -> None:
        self.query_endpoint, auth = _split_credentials(query_endpoint)
        self.update_endpoint, _ = _split_credentials(update_endpoint)
        self.graph_store_endpoint, _ = _split_credentials(graph_store_endpoint)
        self.location = self.query_endpoint
        self.exclusive = False
        self._client = httpx.Client(
            auth=auth, timeout=httpx.Timeout(timeout), follow_redirects=False
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """The engine the settings name; the other endpoints derived as on Oxigraph."""
        query = settings.sparql_endpoint
        if not query:
            raise ConfigurationError("no SPARQL endpoint is set")
        update = settings.sparql_update_endpoint or _sibling(query, "update")
        graph_store = settings.graph_store_endpoint or _sibling(query, "store")
        return cls(query, update, graph_store)

    def query(
        self,
        query: str,
        *,
        dataset: QueryDataset | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a query on the engine; see :meth:`iv3ld.store.Store.query`."""
        form: list[tuple[str, str]] = [("query", query)]
        if dataset is None or not dataset.given:
            dataset = own_dataset(query)
        if dataset.given:
            form += [("default-graph-uri", name) for name in dataset.default_graphs]
            form += [("named-graph-uri", name) for name in dataset.named_graphs]

        response = self._send(
            "POST",
            self.query_endpoint,
            content=urlencode(form).encode("utf-8"),
            headers={"Accept": _ACCEPT, "Content-Type": _FORM},
            timeout=timeout,
        )
        return materialise(_parse_result(response), limit)

    def update(self, update: str) -> None:
        """Run an update as one request."""
        self._send(
            "POST",
            self.update_endpoint,
            content=urlencode({"update": update}).encode("utf-8"),
            headers={"Content-Type": _FORM},
        )

    def load_graph(self, graph: str, payload: bytes, rdf_format: ox.RdfFormat) -> None:
        """Add triples to a named graph with one Graph Store Protocol POST."""
        self._send(
            "POST",
            self.graph_store_endpoint,
            params={"graph": graph},
            content=payload,
            headers={"Content-Type": rdf_format.media_type},
        )

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph; a missing graph is no error."""
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def graph_names(self) -> set[str]:
        """The names of all named graphs."""
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return set(result.column("g"))

    def quads_about(self, subject: str) -> list[ox.Quad]:
        """Every triple with this subject, with its graph, by one query."""
        result = self.query(
            f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{subject}> ?p ?o }} }}",
            dataset=None,
        )
        node = ox.NamedNode(subject)
        return [
            ox.Quad(node, predicate, value, graph)  # type: ignore[arg-type]
            for predicate, value, graph in result.rows
        ]

    def dump(self, output: BinaryIO, graphs: Iterable[str] | None = None) -> None:
        """Write named graphs as N-Quads, one Graph Store Protocol GET per graph."""
        names = sorted(self.graph_names()) if graphs is None else list(graphs)
        for name in names:
            response = self._send(
                "GET",
                self.graph_store_endpoint,
                params={"graph": name},
                headers={"Accept": "application/n-triples"},
            )
            triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            quads = (
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                for t in triples
            )
            ox.serialize(quads, output, format=ox.RdfFormat.N_QUADS)

    def check(self) -> list[str]:
        """Whether the engine answers, accepts updates and queries the union.

        Writes and removes one triple in a graph of its own.
        """
        try:
            self.update(
                f"INSERT DATA {{ GRAPH <{_CHECK_GRAPH}> "
                f"{{ <{_CHECK_GRAPH}> <{_CHECK_GRAPH}> true }} }}"
            )
            union = self.query(f"ASK {{ <{_CHECK_GRAPH}> ?p ?o }}").boolean
            self.drop_graph(_CHECK_GRAPH)
        except StoreError as error:
            return [f"the SPARQL engine at {self.query_endpoint} fails: {error}"]
        if not union:
            return [
                f"the SPARQL engine at {self.query_endpoint} does not query the union"
                " of its graphs by default; start it so (Oxigraph:"
                " --union-default-graph)"
            ]
        return []

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _send(
        self, method: str, url: str, *, timeout: float | None = None, **options: Any
    ) -> httpx.Response:
        """One request; failures become the store errors of the hierarchy."""
        if timeout is not None:
            options["timeout"] = httpx.Timeout(timeout)
        try:
            response = self._client.request(method, url, **options)
        except httpx.TimeoutException:
            raise QueryTimeoutError(
                f"the SPARQL engine at {url} did not answer within the time limit"
            ) from None
        except httpx.HTTPError as error:
            raise StoreUnavailableError(
                f"cannot reach the SPARQL engine at {url}: {error}"
            ) from None

        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip() or "the engine refused it")
        if response.status_code >= 400:
            raise StoreError(
                f"the SPARQL engine at {url} answered {response.status_code}:"
                f" {response.text.strip()[:500]}"
            )
        return response


def _parse_result(response: httpx.Response) -> Any:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        if media_type in _RESULT_TYPES:
            return ox.parse_query_results(response.content, _RESULT_TYPES[media_type])
        if media_type in _GRAPH_TYPES:
            quads = ox.parse(response.content, format=_GRAPH_TYPES[media_type])
            return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as error:
        raise StoreError(
            f"the SPARQL engine sent an unreadable result: {error}"
        ) from None
    raise StoreError(f"the SPARQL engine answered with unknown type {media_type!r}")


def _sibling(endpoint: str, name: str) -> str:
    """``…/query`` → ``…/update`` (Oxigraph's layout); otherwise the endpoint."""
    parts = urlsplit(endpoint)
    path = parts.path
    if path.rstrip("/").endswith("/query"):
        path = path.rstrip("/")[: -len("query")] + name
    return urlunsplit(parts._replace(path=path))


def _split_credentials(url: str) -> tuple[str, httpx.BasicAuth | None]:
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    auth = httpx.BasicAuth(parts.username, parts.password or "")
    return urlunsplit(parts._replace(netloc=netloc)), auth
