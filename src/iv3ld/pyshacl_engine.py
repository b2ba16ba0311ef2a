"""The reference engine: pySHACL on an rdflib graph.

Slow (seconds for a full jaarrekening) but independent of iv3ld's own SPARQL
compilation, so the test suite runs every fixture through both engines and asserts
identical reports. Imported only when this engine is chosen: rdflib and pySHACL take
a quarter of a second to import.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from iv3ld.identifiers import base_iri
from iv3ld.report import SEVERITIES, Finding, Report, Term, annotate, build_report
from iv3ld.resources import read_text

SHAPE_FILES = ("iv3-shapes.ttl", "iv3-plausibiliteit.ttl")


def validate_with_pyshacl(loaded: Any, static_files: tuple[str, ...]) -> Report:
    """Validate with pySHACL and complete the report."""
    shapes = shapes_graph(*(read_text("shapes", name) for name in SHAPE_FILES))
    data = data_graph(loaded, static_files)

    _, results, _ = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
    )

    nodes = list(results.subjects(RDF.type, SH.ValidationResult))
    findings = [_finding(node, results, shapes) for node in nodes]
    return build_report(
        loaded,
        findings,
        _GraphLookup(data),
        "pyshacl",
        lambda completed: annotate(results, nodes, completed),
    )


@cache
def shapes_graph(*texts: str) -> Graph:
    """The shapes as an rdflib graph, parsed once."""
    graph = Graph()
    for text in texts:
        graph.parse(data=text, format="turtle")
    return graph


def data_graph(loaded: Any, static_files: tuple[str, ...]) -> Graph:
    """The submission's triples with everything the shapes look up."""
    graph = Graph()
    for triple in _static_graph(
        tuple(read_text("ontology", name) for name in static_files)
    ):
        graph.add(triple)

    triples = [
        ox.Triple(quad.subject, quad.predicate, quad.object) for quad in loaded.quads
    ]
    payload = bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    graph.parse(data=payload.decode("utf-8"), format="nt")
    return graph


@cache
def _static_graph(texts: tuple[str, ...]) -> Graph:
    graph = Graph()
    for text in texts:
        graph.parse(data=text, format="turtle")
    return graph


def _finding(node: Node, results: Graph, shapes: Graph) -> Finding:
    severity = results.value(node, SH.resultSeverity)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    templates = _templates(node, results, shapes)
    messages = tuple(
        (str(message), _language(message, templates))
        for message in results.objects(node, SH.resultMessage)
    )
    return Finding(
        _code(node, results, shapes),
        SEVERITIES.get(str(severity), "Violation"),
        messages,
        _term(results.value(node, SH.focusNode)),
        None if path is None else ("_:path" if isinstance(path, BNode) else str(path)),
        None if value is None else _term(value),
    )


def _term(node: Node | None) -> Term:
    if isinstance(node, Literal):
        return Term(str(node), literal=True)
    return Term("" if node is None else str(node))


def _code(node: Node, results: Graph, shapes: Graph) -> str:
    for key in (SH.sourceConstraint, SH.sourceShape):
        source = results.value(node, key)
        if source is None:
            continue
        code = shapes.value(source, URIRef(f"{base_iri()}/def/iv3#foutcode"))
        if code is not None:
            return str(code)
    return "SF999"


def _templates(node: Node, results: Graph, shapes: Graph) -> list[Literal]:
    """The sh:message literals of the shape or constraint that produced a result."""
    for key in (SH.sourceConstraint, SH.sourceShape):
        source = results.value(node, key)
        if source is not None:
            found = [
                m for m in shapes.objects(source, SH.message) if isinstance(m, Literal)
            ]
            if found:
                return found
    return []


def _language(message: Node, templates: list[Literal]) -> str | None:
    """The language of a message; pySHACL drops it on SPARQL constraint messages."""
    if isinstance(message, Literal) and message.language:
        return message.language
    for template in templates:
        if template.language and str(message).startswith(
            str(template).split("{", 1)[0]
        ):
            return template.language
    return None


class _GraphLookup:
    """Lookups in the rdflib data graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def notation(self, iri: str) -> str | None:
        """The skos:notation of a code."""
        found = self.graph.value(URIRef(iri), SKOS.notation)
        return None if found is None else str(found)

    def row_code(self, focus: str) -> str | None:
        """The IRI of the taakveld or balanscode of an observation."""
        for local in ("taakveld", "balanscode"):
            predicate = URIRef(f"{base_iri()}/def/iv3#{local}")
            code = self.graph.value(URIRef(focus), predicate)
            if code is not None:
                return str(code)
        return None
