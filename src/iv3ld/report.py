"""The validation report: SHACL results completed for people and for CBS.

A SHACL engine reports focus node, path, value, shape and message. This module adds
what senders need to find and fix a problem: the CBS error code of the shape
(``iv3:foutcode``), the JSON pointer of the row (``iv3:pointer``, for example
``/data/lasten/17``) and messages in Dutch and English with the row and values filled
in. The additions go into the RDF report too, so that the Turtle and JSON-LD forms of
the report carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from iv3ld.identifiers import UNKNOWN_SEGMENT, base_iri
from iv3ld.resources import read_text

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

_METADATA_KEYS = {
    "overheidsnummer": "overheidsnummer",
    "overheidsnaam": "overheidsnaam",
    "periodenummer": "periode",
    "status": "status",
    "datum": "datum",
    "detailsOpenbaar": "details_openbaar",
    "financieelPakket": "financieel_pakket",
    "exportSoftware": "export_software",
}
_CONTACT_KEYS = {"fn": "naam", "hasEmail": "email", "hasTelephone": "telefoon"}


@dataclass
class Result:
    """One finding: a violation of a CBS check, or a warning."""

    code: str
    severity: str
    messages: dict[str, str]
    pointer: str | None
    focus: str
    value: str | None
    path: str | None

    def message(self, language: str = "nl") -> str:
        """The message in a language, falling back to any other."""
        return self.messages.get(language) or next(iter(self.messages.values()), "")

    def as_json(self, language: str = "nl") -> dict[str, Any]:
        """The result as in ``iv3ld validate --format json``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message(language),
            "pointer": self.pointer,
            "focus": self.focus,
            "value": self.value,
        }


@dataclass
class Report:
    """The validation report of one submission."""

    source: str
    conforms: bool
    results: list[Result]
    graph: Graph
    engine: str
    warnings: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """Number of results of one severity."""
        return sum(1 for result in self.results if result.severity == severity)


@cache
def error_descriptions() -> dict[str, dict[str, str]]:
    """Short description per error code and language, from ontology/foutcodes.ttl."""
    graph = Graph()
    graph.parse(data=read_text("ontology", "foutcodes.ttl"), format="turtle")
    descriptions: dict[str, dict[str, str]] = {}
    for concept, notation in graph.subject_objects(SKOS.notation):
        labels = descriptions.setdefault(str(notation), {})
        for label in graph.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language:
                labels[label.language] = str(label)
    return descriptions


class Lookup(Protocol):
    """What the report needs to know about the validated data."""

    def notation(self, node: Node) -> str | None:
        """The skos:notation of a code, if the data know it."""

    def row_code(self, focus: Node) -> str | None:
        """The taakveld or balanscode of an observation, as a resource."""


class GraphLookup:
    """Lookups in an rdflib data graph (the pySHACL engine's)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def notation(self, node: Node) -> str | None:
        """The skos:notation of a code."""
        found = self.graph.value(node, SKOS.notation)
        return None if found is None else str(found)

    def row_code(self, focus: Node) -> str | None:
        """The taakveld or balanscode IRI of an observation."""
        vocabulary = Namespace(f"{base_iri()}/def/iv3#")
        for predicate in (vocabulary.taakveld, vocabulary.balanscode):
            code = self.graph.value(focus, predicate)
            if code is not None:
                return str(code)
        return None


class StoreLookup:
    """Lookups in a pyoxigraph store (the SPARQL engine's)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def notation(self, node: Node) -> str | None:
        """The skos:notation of a code."""
        if not isinstance(node, URIRef):
            return None
        for quad in self.store.quads_for_pattern(
            ox.NamedNode(str(node)), ox.NamedNode(str(SKOS.notation)), None
        ):
            return str(quad.object.value)  # type: ignore[union-attr]
        return None

    def row_code(self, focus: Node) -> str | None:
        """The taakveld or balanscode IRI of an observation."""
        if not isinstance(focus, URIRef):
            return None
        for local in ("taakveld", "balanscode"):
            predicate = ox.NamedNode(f"{base_iri()}/def/iv3#{local}")
            for quad in self.store.quads_for_pattern(
                ox.NamedNode(str(focus)), predicate, None
            ):
                return str(quad.object.value)  # type: ignore[union-attr]
        return None


def build_report(
    loaded: Any, results: Graph, lookup: Lookup, shapes: Graph, engine: str
) -> Report:
    """Complete the SHACL results of one validation; see the module docstring."""
    vocabulary = Namespace(f"{base_iri()}/def/iv3#")
    found = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        result = _complete(node, results, lookup, shapes, loaded, vocabulary)
        found.append(result)

    found.sort(
        key=lambda item: (
            item.code,
            item.pointer or "",
            item.value or "",
            item.message(),
        )
    )
    conforms = not any(result.severity == "Violation" for result in found)
    return Report(
        loaded.source, conforms, found, results, engine, list(loaded.warnings)
    )


def _complete(
    node: Node,
    results: Graph,
    data: Lookup,
    shapes: Graph,
    loaded: Any,
    vocabulary: Namespace,
) -> Result:
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    severity_node = results.value(node, SH.resultSeverity)
    severity = SEVERITIES.get(URIRef(str(severity_node)), "Violation")
    code = _code(node, results, shapes, vocabulary)
    pointer = _pointer(focus, path, code, loaded, vocabulary)

    fills = {
        "{$pointer}": pointer or str(focus),
        "{$value}": _display(value, data),
        "{$code}": _display(value, data),
        "{$row}": _row_code(focus, data),
        "{$path}": _path_name(path),
        "{$focus}": str(focus),
    }
    templates = _templates(node, results, shapes)
    messages = {}
    for message in list(results.objects(node, SH.resultMessage)):
        text = str(message)
        for placeholder, filled in fills.items():
            text = text.replace(placeholder, filled)
        language = message.language if isinstance(message, Literal) else None
        language = language or _language_of(text, templates)
        messages[language or "nl"] = text
        results.remove((node, SH.resultMessage, message))
        results.add((node, SH.resultMessage, Literal(text, lang=language)))

    results.add((node, vocabulary.foutcode, Literal(code)))
    if pointer:
        results.add((node, vocabulary.pointer, Literal(pointer)))
    return Result(
        code,
        severity,
        messages,
        pointer,
        str(focus),
        _display(value, data) if value is not None else None,
        _path_name(path) if path is not None else None,
    )


def _templates(node: Node, results: Graph, shapes: Graph) -> list[Literal]:
    """The sh:message literals of the shape or constraint that produced a result."""
    for key in (SH.sourceConstraint, SH.sourceShape):
        source = results.value(node, key)
        if source is not None:
            found = [
                message
                for message in shapes.objects(source, SH.message)
                if isinstance(message, Literal)
            ]
            if found:
                return found
    return []


def _language_of(text: str, templates: list[Literal]) -> str | None:
    """The language of a message whose engine dropped the tag, by its template."""
    for template in templates:
        if template.language and text.startswith(str(template).split("{", 1)[0]):
            return template.language
    return None


def _code(node: Node, results: Graph, shapes: Graph, vocabulary: Namespace) -> str:
    for key in (SH.sourceConstraint, SH.sourceShape):
        source = results.value(node, key)
        if source is None:
            continue
        code = shapes.value(source, vocabulary.foutcode)
        if code is not None:
            return str(code)
    return "SF999"


def _pointer(
    focus: Node | None, path: Node | None, code: str, loaded: Any, vocabulary: Namespace
) -> str | None:
    pointers: dict[str, str] = loaded.pointers
    if focus is None:
        return None
    known = pointers.get(str(focus))
    if known:
        return known
    if code.startswith("PF") or code in {"SF011", "SF012", "SF013", "SF014", "SF015"}:
        return "/data"
    name = _path_name(path)
    if code in {"SF005"}:
        return "/contact"
    if name in _CONTACT_KEYS:
        return f"/contact/{_CONTACT_KEYS[name]}"
    if str(focus).endswith("/contact"):
        return f"/contact/{name}" if name else "/contact"
    if name in _METADATA_KEYS:
        return f"/metadata/{_METADATA_KEYS[name]}"
    if code == "SF003" and name:
        return f"/metadata/{name}"
    return None


def _path_name(path: Node | None) -> str:
    if isinstance(path, URIRef):
        text = str(path)
        return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
    if isinstance(path, BNode):
        return "path"
    return ""


def _display(value: Node | None, data: Lookup) -> str:
    if value is None:
        return ""
    if isinstance(value, Literal):
        return str(value)
    notation = data.notation(value)
    if notation is not None:
        return notation
    text = str(value)
    marker = f"/{UNKNOWN_SEGMENT}/"
    if marker in text:
        return unquote(text.rsplit(marker, 1)[-1])
    return text


def _row_code(focus: Node | None, data: Lookup) -> str:
    if focus is None:
        return ""
    code = data.row_code(focus)
    return "" if code is None else _display(URIRef(code), data)


def render_text(reports: list[Report], language: str = "nl") -> str:
    """A readable report: per file a verdict, then the results grouped by code."""
    descriptions = error_descriptions()
    lines = []
    for report in reports:
        lines.append(_verdict(report, language))
        for warning in report.warnings:
            lines.append(f"  ! {warning}")
        for code in sorted({result.code for result in report.results}):
            grouped = [result for result in report.results if result.code == code]
            label = descriptions.get(code, {})
            title = label.get(language) or label.get("nl", "")
            lines.append(f"  {code}  {title} ({len(grouped)})")
            for result in grouped:
                mark = "✗" if result.severity == "Violation" else "!"
                lines.append(
                    f"    {mark} {result.pointer or '-'}  {result.message(language)}"
                )
        lines.append("")
    return "\n".join(lines)


def _verdict(report: Report, language: str) -> str:
    violations = report.count("Violation")
    warnings = report.count("Warning")
    if language == "en":
        state = "conforms" if report.conforms else "does not conform"
        return (
            f"{report.source}: {state} ({violations} violations, {warnings} warnings)"
        )
    state = "voldoet" if report.conforms else "voldoet niet"
    return f"{report.source}: {state} ({violations} fouten, {warnings} waarschuwingen)"


def render_json(reports: list[Report], language: str = "nl") -> dict[str, Any]:
    """The report as ``{"conforms": bool, "results": [...]}`` over all files."""
    results = []
    for report in reports:
        for result in report.results:
            results.append({"source": report.source} | result.as_json(language))
    return {
        "conforms": all(report.conforms for report in reports),
        "results": results,
        "files": [
            {
                "source": report.source,
                "conforms": report.conforms,
                "engine": report.engine,
                "warnings": report.warnings,
            }
            for report in reports
        ],
    }


def render_rdf(reports: list[Report], rdf_format: str) -> str:
    """The SHACL validation report(s) as Turtle or JSON-LD."""
    merged = Graph()
    merged.bind("sh", SH)
    merged.bind("iv3", Namespace(f"{base_iri()}/def/iv3#"))
    for report in reports:
        for triple in report.graph:
            merged.add(triple)
    return merged.serialize(format=rdf_format)
