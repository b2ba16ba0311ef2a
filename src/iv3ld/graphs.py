"""iv3ld's named graphs: the reference data, the state of the store, their names.

Besides one graph per submission version (named by the version's IRI), the store
holds these graphs, each under ``{base}/id/graaf/…``:

==========================  ===================================================
``ontologie``               the Iv3 vocabulary (``ontology/iv3.ttl``)
``foutcodes``               the CBS error catalogue (``ontology/foutcodes.ttl``)
``regios``                  gemeenten, provincies, waterschappen, herindelingen
``codelijsten/{laag-jaar}`` the code lists of one overheidslaag and boekjaar, and
                            ``codelijsten/algemeen`` and ``codelijsten/overgangen``
``shapes``                  the SHACL shapes of the CBS checks
``status``                  when the store last changed, which reference data it
                            holds
==========================  ===================================================

The reference data are loaded on first start and again whenever the files that ship
with iv3ld change (a checksum in ``status`` tells), so an upgrade never leaves old
code lists behind.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pyoxigraph as ox

from iv3ld.identifiers import base_iri, namespace
from iv3ld.resources import read_text, resource_root
from iv3ld.store import Store

logger = logging.getLogger(__name__)

_DCTERMS = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class ReferenceGraph:
    """One graph of reference data and the shipped files it is read from."""

    name: str
    kind: str
    files: tuple[str, ...]

    @property
    def iri(self) -> str:
        """The graph's IRI under the configured base."""
        return namespace().graph(self.name)

    def turtle(self) -> list[str]:
        """The Turtle text of each file, with the configured base."""
        return [read_text(self.kind, name) for name in self.files]


def status_graph() -> str:
    """IRI of the graph that records the state of the store."""
    return namespace().graph("status")


@cache
def _reference_graphs(base: str) -> tuple[ReferenceGraph, ...]:
    code_lists = sorted(
        path.stem for path in (resource_root("ontology") / "codelists").glob("*.ttl")
    )
    shapes = sorted(path.name for path in resource_root("shapes").glob("*.ttl"))
    return (
        ReferenceGraph("ontologie", "ontology", ("iv3.ttl",)),
        ReferenceGraph("foutcodes", "ontology", ("foutcodes.ttl",)),
        ReferenceGraph("regios", "ontology", ("regions.ttl",)),
        *(
            ReferenceGraph(
                f"codelijsten/{stem}", "ontology", (f"codelists/{stem}.ttl",)
            )
            for stem in code_lists
        ),
        ReferenceGraph("shapes", "shapes", tuple(shapes)),
    )


def reference_graphs() -> tuple[ReferenceGraph, ...]:
    """Every graph of reference data, for the configured base."""
    return _reference_graphs(base_iri())


def reference_checksum() -> str:
    """A checksum over all reference files as they would be loaded."""
    digest = hashlib.sha256()
    for graph in reference_graphs():
        digest.update(graph.name.encode())
        for text in graph.turtle():
            digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def ensure_reference_data(store: Store) -> bool:
    """Load the reference graphs unless the store holds these very files already.

    Returns whether it loaded them. Each graph is dropped and loaded again on its
    own; the checksum is written last, so an interrupted load is redone on the
    next start.
    """
    checksum = reference_checksum()
    if stored_checksum(store) == checksum:
        return False

    for graph in reference_graphs():
        store.drop_graph(graph.iri)
        for text in graph.turtle():
            store.load_graph(graph.iri, text.encode("utf-8"), ox.RdfFormat.TURTLE)
        logger.debug("loaded reference graph %s", graph.name)

    mark_modified(store, checksum)
    logger.info("loaded the reference data (%d graphs)", len(reference_graphs()))
    return True


def stored_checksum(store: Store) -> str | None:
    """The checksum of the reference data the store holds, if any."""
    names = namespace()
    result = store.query(
        f"SELECT ?sum WHERE {{ GRAPH <{status_graph()}> "
        f"{{ <{status_graph()}> <{names.vocabulary}referentiedata> ?sum }} }}"
    )
    return next(iter(result.column("sum")), None)


def last_modified(store: Store) -> datetime | None:
    """When the store last changed through iv3ld, if it says."""
    result = store.query(
        f"SELECT ?when WHERE {{ GRAPH <{status_graph()}> "
        f"{{ <{status_graph()}> <{_DCTERMS}modified> ?when }} }}"
    )
    for when in result.column("when"):
        return datetime.fromisoformat(when)
    return None


def modified_update(checksum: str | None = None) -> str:
    """SPARQL update text that records "changed now" (and a new checksum).

    Writers append it to their own update, so that the change and the new
    modification time land in one transaction.
    """
    names = namespace()
    graph = status_graph()
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    statements = [
        f"DELETE WHERE {{ GRAPH <{graph}> {{ <{graph}> <{_DCTERMS}modified> ?old }} }}",
        f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> <{_DCTERMS}modified> "{now}"'
        f"^^<{_XSD}dateTime> }} }}",
    ]
    if checksum is not None:
        statements += [
            f"DELETE WHERE {{ GRAPH <{graph}> "
            f"{{ <{graph}> <{names.vocabulary}referentiedata> ?old }} }}",
            f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> "
            f'<{names.vocabulary}referentiedata> "{checksum}" }} }}',
        ]
    return " ;\n".join(statements)


def mark_modified(store: Store, checksum: str | None = None) -> None:
    """Record that the store changed now (and, when given, its reference data)."""
    store.update(modified_update(checksum))
