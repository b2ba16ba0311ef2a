"""The SPARQL 1.1 Service Description of the endpoint (a plain ``GET /sparql``).

https://www.w3.org/TR/sparql11-service-description/: an ``sd:Service`` whose
``sd:endpoint`` is the address the client asked, the language (SPARQL 1.1 Query
only: the endpoint is read-only), the result formats it writes, and its default
dataset: the default graph is the union of all named graphs
(``sd:UnionDefaultGraph``), and every named graph of the store is listed by name.
Federated queries (``SERVICE``) are refused, so ``sd:BasicFederatedQuery`` is not
claimed.
"""

from __future__ import annotations

import pyoxigraph as ox

from iv3ld import __version__

SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")

RESULT_FORMATS = (
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
"""The W3C format IRIs (https://www.w3.org/ns/formats/) of what results come in."""

UNION_COMMENT = (
    "The default graph is the union of all named graphs: the vocabulary, the code"
    " lists, the regions, the shapes and every published submission version with"
    " its validation report. FROM and FROM NAMED in a query, or the protocol's"
    " default-graph-uri and named-graph-uri, choose other graphs."
)


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(f"{SD}{term}")


def description(
    endpoint: str, graphs: list[str], timeout: float, limit: int
) -> list[ox.Triple]:
    """The service description of the endpoint at ``endpoint``.

    ``graphs`` are the names of the store's named graphs, ``timeout`` and ``limit``
    the query limits in force (stated in a comment).
    """
    service = ox.NamedNode(f"{endpoint}#service")
    dataset = ox.NamedNode(f"{endpoint}#dataset")
    default_graph = ox.NamedNode(f"{endpoint}#default-graph")

    triples = [
        ox.Triple(service, _RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(
            service, _DCTERMS_TITLE, ox.Literal("iv3ld SPARQL endpoint", language="en")
        ),
        ox.Triple(
            service, _RDFS_COMMENT, ox.Literal(_limits(timeout, limit), language="en")
        ),
        *(
            ox.Triple(service, _sd("resultFormat"), ox.NamedNode(f"{_FORMATS}{name}"))
            for name in RESULT_FORMATS
        ),
        ox.Triple(dataset, _RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, _RDF_TYPE, _sd("Graph")),
        ox.Triple(
            default_graph, _RDFS_COMMENT, ox.Literal(UNION_COMMENT, language="en")
        ),
    ]
    for name in sorted(graphs):
        triples.extend(_named_graph(dataset, name))
    return triples


def _named_graph(dataset: ox.NamedNode, name: str) -> list[ox.Triple]:
    entry = ox.BlankNode()
    graph = ox.BlankNode()
    return [
        ox.Triple(dataset, _sd("namedGraph"), entry),
        ox.Triple(entry, _RDF_TYPE, _sd("NamedGraph")),
        ox.Triple(entry, _sd("name"), ox.NamedNode(name)),
        ox.Triple(entry, _sd("graph"), graph),
        ox.Triple(graph, _RDF_TYPE, _sd("Graph")),
    ]


def _limits(timeout: float, limit: int) -> str:
    return (
        f"iv3ld {__version__}. Read-only: updates are refused, and so are federated"
        f" queries (SERVICE). A query may run {timeout:g} s and return at most"
        f" {limit} solutions or triples."
    )
