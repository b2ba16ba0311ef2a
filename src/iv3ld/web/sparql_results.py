"""Writing a query's result in the formats the SPARQL endpoint offers.

The store hands every result over as a complete
:class:`~iv3ld.store.QueryResult` (it has to, to enforce the time and size
limits), so the serialisers start from that:

* solutions and booleans: SPARQL 1.1 Query Results JSON
  (https://www.w3.org/TR/sparql11-results-json/) is written here with orjson, the
  fastest way and the format most clients ask for; XML, CSV and TSV are pyoxigraph's
  own writers, fed by reading that JSON back (pyoxigraph cannot build a result set
  from terms directly). CSV and TSV of an ASK result are the bare word ``true`` or
  ``false``, as Oxigraph writes them (the CSV/TSV specification defines none);
* graphs (CONSTRUCT, DESCRIBE): pyoxigraph's Turtle, N-Triples, N-Quads (the
  triples in the default graph), JSON-LD (expanded) and RDF/XML writers, through
  :func:`iv3ld.serialisation.write_rdf` and its prefixes.

Every text format is UTF-8 and says so in its ``Content-Type``.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyoxigraph as ox

from iv3ld.serialisation import (
    JSON_LD,
    N_TRIPLES,
    RDF_FORMATS,
    RDF_XML,
    TURTLE,
    compact_iri,
    write_rdf,
)
from iv3ld.store import QueryResult, Term

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
N_QUADS = "application/n-quads"

TABLE_TYPES = [SPARQL_JSON, SPARQL_XML, CSV, TSV]
"""What SELECT and ASK results are offered as, in order of preference."""

GRAPH_TYPES = [TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS]
"""What CONSTRUCT and DESCRIBE results are offered as, in order of preference."""

_RESULTS_FORMATS = {
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
_TEXT_TYPES = {CSV, TSV, TURTLE, N_TRIPLES, N_QUADS}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


def offered_types(kind: str) -> list[str]:
    """The media types a result of this kind can be written as (HTML aside)."""
    return GRAPH_TYPES if kind == "graph" else TABLE_TYPES


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header value: text formats name their charset."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type


def serialize(result: QueryResult, media_type: str) -> bytes:
    """Write a result in one of the offered media types.

    Raises ValueError for a media type that does not fit the result's kind.
    """
    if result.kind == "graph":
        return _graph(result.triples, media_type)

    document = _results_json(result)
    if media_type == SPARQL_JSON:
        return document
    if media_type not in _RESULTS_FORMATS:
        raise ValueError(f"a {result.kind} result cannot be written as {media_type}")
    parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    written = parsed.serialize(format=_RESULTS_FORMATS[media_type])
    return written or b""


def _results_json(result: QueryResult) -> bytes:
    if result.kind == "boolean":
        return orjson.dumps({"head": {}, "boolean": result.boolean})

    bindings = [
        {
            name: json_term(value)
            for name, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return orjson.dumps(document)


def json_term(term: Term) -> dict[str, Any]:
    """One RDF term as a SPARQL JSON results object (RDF 1.2 triple terms too)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": json_term(term.subject),
                "predicate": json_term(term.predicate),
                "object": json_term(term.object),
            },
        }
    return _json_literal(term)


def _json_literal(literal: ox.Literal) -> dict[str, Any]:
    encoded: dict[str, Any] = {"type": "literal", "value": literal.value}
    if literal.language:
        encoded["xml:lang"] = literal.language
        if literal.direction is not None:
            encoded["its:dir"] = str(literal.direction).lower()
    elif literal.datatype.value not in {_XSD_STRING, _LANG_STRING, _DIR_LANG_STRING}:
        encoded["datatype"] = literal.datatype.value
    return encoded


def _graph(triples: list[ox.Triple], media_type: str) -> bytes:
    if media_type == N_QUADS:
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        return bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    if media_type not in RDF_FORMATS:
        raise ValueError(f"a graph cannot be written as {media_type}")
    return write_rdf(triples, media_type)


def display(term: Term | None) -> dict[str, str]:
    """How the HTML page shows one term: its text, a link, a language or type.

    IRIs minted by iv3ld link to their local document (see
    :func:`iv3ld.web.pages.local_href`); the template applies that filter.
    """
    if term is None:
        return {"kind": "unbound", "text": ""}
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "text": term.value}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": f"_:{term.value}"}
    if isinstance(term, ox.Triple):
        return {"kind": "triple", "text": str(term)}
    if term.language:
        return {"kind": "literal", "text": term.value, "note": f"@{term.language}"}
    datatype = term.datatype.value
    note = "" if datatype == _XSD_STRING else _short(datatype)
    return {"kind": "literal", "text": term.value, "note": note}


def _short(iri: str) -> str:
    return compact_iri(iri) or f"<{iri}>"
