"""The store behind iv3ld: one small interface, two backends.

* :class:`~iv3ld.store.embedded.EmbeddedStore` (the default): pyoxigraph on disk in
  a directory, created on first use.
* :class:`~iv3ld.store.remote.RemoteStore`: any SPARQL 1.1 engine, spoken to only
  through the standard protocols (SPARQL 1.1 Protocol for queries, SPARQL 1.1 Update
  for changes, the Graph Store HTTP Protocol for loading whole graphs), so that a
  user who outgrows one machine moves to a larger engine without code changes.

Every submission version lives in a named graph of its own; the ontology, the code
lists, the regions and the shapes each have theirs (:mod:`iv3ld.graphs`). Queries
without a dataset see the union of all graphs: the embedded store asks pyoxigraph
for it per query, a remote engine must be configured for it (Oxigraph:
``--union-default-graph``); :meth:`Store.check` says when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Literal, Protocol

import pyoxigraph as ox

from iv3ld.settings import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset of a query as the SPARQL Protocol states it.

    Empty lists mean "not given": the query's own FROM clauses apply, or else the
    union of all graphs.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        """Whether the protocol request named any graph."""
        return bool(self.default_graphs or self.named_graphs)


@dataclass
class QueryResult:
    """The complete result of one query, whichever backend ran it.

    ``kind`` is ``solutions`` (SELECT: ``variables`` and ``rows``), ``boolean``
    (ASK: ``boolean``) or ``graph`` (CONSTRUCT and DESCRIBE: ``triples``).
    """

    kind: Literal["solutions", "boolean", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)

    def records(self) -> Iterator[dict[str, Term]]:
        """The solutions as dictionaries of the bound variables."""
        for row in self.rows:
            yield {
                name: value
                for name, value in zip(self.variables, row, strict=True)
                if value is not None
            }

    def column(self, variable: str) -> list[str]:
        """The text of one variable's bound values, in order."""
        index = self.variables.index(variable)
        values = (row[index] for row in self.rows)
        return [term_value(value) for value in values if value is not None]

    def size(self) -> int:
        """Number of solutions or triples (1 for a boolean)."""
        if self.kind == "solutions":
            return len(self.rows)
        return len(self.triples) if self.kind == "graph" else 1


def term_value(term: Term) -> str:
    """The IRI, blank node id or lexical form of a term (a quoted triple as text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


class Store(Protocol):
    """What iv3ld needs of a store. Both backends pass the same tests."""

    location: str
    """Where the store is: its directory or its endpoint, for messages."""

    exclusive: bool
    """Whether this process is the store's only writer (the embedded store is
    locked to one process; a remote engine may have other writers)."""

    def query(
        self,
        query: str,
        *,
        dataset: QueryDataset | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query.

        Raises QuerySyntaxError, QueryTimeoutError after ``timeout`` seconds,
        ResultTooLargeError beyond ``limit`` solutions or triples, and
        StoreUnavailableError.
        """
        ...

    def update(self, update: str) -> None:
        """Run a SPARQL update atomically. Raises QuerySyntaxError, StoreError."""
        ...

    def load_graph(self, graph: str, payload: bytes, rdf_format: ox.RdfFormat) -> None:
        """Add parsed triples to a named graph in one transaction."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its triples; a missing graph is no error."""
        ...

    def graph_names(self) -> set[str]:
        """The names of all named graphs."""
        ...

    def quads_about(self, subject: str) -> list[ox.Quad]:
        """Every triple with this subject, in any graph, with its graph."""
        ...

    def dump(self, output: BinaryIO, graphs: Iterable[str] | None = None) -> None:
        """Write the named graphs (all, or the given ones) as N-Quads."""
        ...

    def check(self) -> list[str]:
        """Problems with the store's configuration, as sentences (none: [])."""
        ...

    def close(self) -> None:
        """Release the store (the embedded store's lock, the remote connections)."""
        ...


def open_store(settings: Settings) -> Store:
    """Open the store the settings name: remote when an endpoint is set.

    Raises StoreUnavailableError when the embedded directory is locked or unusable.
    """
    if settings.sparql_endpoint:
        from iv3ld.store.remote import RemoteStore

        return RemoteStore.from_settings(settings)

    from iv3ld.store.embedded import EmbeddedStore

    return EmbeddedStore.open(settings.store_directory, settings.query_slots)


__all__ = [
    "QueryDataset",
    "QueryResult",
    "Store",
    "Term",
    "open_store",
    "term_value",
]
