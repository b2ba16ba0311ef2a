"""The validation report: SHACL results completed for people and for CBS.

A SHACL engine reports focus node, path, value, shape and message. This module adds
what senders need to find and fix a problem: the CBS error code of the shape
(``iv3:foutcode``), the JSON pointer of the row (``iv3:pointer``, for example
``/data/lasten/17``) and messages in Dutch and English with the row and values filled
in. The additions also go into the RDF form of the report (``sh:ValidationReport``),
which is built only when asked for, so that a plain check needs no RDF library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

import pyoxigraph as ox

from iv3ld.identifiers import UNKNOWN_SEGMENT, base_iri
from iv3ld.resources import read_text

if TYPE_CHECKING:
    from rdflib import Graph

SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = {
    f"{SH}Violation": "Violation",
    f"{SH}Warning": "Warning",
    f"{SH}Info": "Info",
}
_SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"

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
_PART_CODES = {"SF011", "SF012", "SF013", "SF014", "SF015"}


@dataclass(frozen=True)
class Term:
    """An RDF term as the report needs it: its text and whether it is a literal."""

    text: str
    literal: bool = False


@dataclass(frozen=True)
class Finding:
    """One result as an engine reports it, before iv3ld completes it."""

    code: str
    severity: str
    messages: tuple[tuple[str, str | None], ...]
    focus: Term
    path: str | None
    value: Term | None


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


RdfBuilder = Callable[[list[Result]], "Graph"]
"""Builds the RDF report from the completed results, in the engine's order."""


@dataclass
class Report:
    """The validation report of one submission."""

    source: str
    conforms: bool
    results: list[Result]
    engine: str
    warnings: list[str] = field(default_factory=list)
    rdf_builder: RdfBuilder | None = field(default=None, repr=False)
    engine_order: list[Result] = field(default_factory=list, repr=False)

    def count(self, severity: str) -> int:
        """Number of results of one severity."""
        return sum(1 for result in self.results if result.severity == severity)

    @cached_property
    def graph(self) -> Graph:
        """The report as an RDF ``sh:ValidationReport`` graph (built on first use)."""
        if self.rdf_builder is None:
            raise ValueError("this report has no RDF form")
        return self.rdf_builder(self.engine_order)


class Lookup(Protocol):
    """What the report needs to know about the validated data."""

    def notation(self, iri: str) -> str | None:
        """The skos:notation of a code, if the data know it."""

    def row_code(self, focus: str) -> str | None:
        """The IRI of the taakveld or balanscode of an observation."""


class StoreLookup:
    """Lookups in the pyoxigraph store that holds the validated data."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def notation(self, iri: str) -> str | None:
        """The skos:notation of a code."""
        return self._first(iri, _SKOS_NOTATION)

    def row_code(self, focus: str) -> str | None:
        """The IRI of the taakveld or balanscode of an observation."""
        for local in ("taakveld", "balanscode"):
            found = self._first(focus, f"{base_iri()}/def/iv3#{local}")
            if found is not None:
                return found
        return None

    def _first(self, subject: str, predicate: str) -> str | None:
        if subject.startswith("_:") or not subject:
            return None
        pattern = self.store.quads_for_pattern(
            ox.NamedNode(subject), ox.NamedNode(predicate), None
        )
        for quad in pattern:
            return str(getattr(quad.object, "value", quad.object))
        return None


@cache
def error_descriptions() -> dict[str, dict[str, str]]:
    """Short description per error code and language, from ontology/foutcodes.ttl."""
    store = ox.Store()
    store.load(
        read_text("ontology", "foutcodes.ttl").encode(), format=ox.RdfFormat.TURTLE
    )
    query = f"""SELECT ?notation ?label WHERE {{
        ?concept <{_SKOS_NOTATION}> ?notation ;
                 <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}"""
    descriptions: dict[str, dict[str, str]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        label = row["label"]
        languages = descriptions.setdefault(str(row["notation"].value), {})
        languages[str(label.language or "nl")] = str(label.value)
    return descriptions


def build_report(
    loaded: Any,
    findings: list[Finding],
    lookup: Lookup,
    engine: str,
    rdf_builder: RdfBuilder | None = None,
) -> Report:
    """Complete the findings of one validation; see the module docstring."""
    completed = [complete(finding, lookup, loaded) for finding in findings]
    ordered = sorted(
        completed,
        key=lambda item: (
            item.code,
            item.pointer or "",
            item.value or "",
            item.message(),
        ),
    )
    conforms = not any(result.severity == "Violation" for result in ordered)
    return Report(
        loaded.source,
        conforms,
        ordered,
        engine,
        list(loaded.warnings),
        rdf_builder,
        completed,
    )


def complete(finding: Finding, lookup: Lookup, loaded: Any) -> Result:
    """Fill a finding's messages and find the row it is about."""
    path = _path_name(finding.path)
    pointer = _pointer(finding.focus.text, path, finding.code, loaded.pointers)
    shown = _display(finding.value, lookup)
    fills = {
        "{$pointer}": pointer or finding.focus.text,
        "{$value}": shown,
        "{$code}": shown,
        "{$row}": _row_code(finding.focus.text, lookup),
        "{$path}": path,
        "{$focus}": finding.focus.text,
    }
    messages = {}
    for text, language in finding.messages:
        for placeholder, filled in fills.items():
            text = text.replace(placeholder, filled)
        messages[language or "nl"] = text
    return Result(
        finding.code,
        finding.severity,
        messages,
        pointer,
        finding.focus.text,
        shown if finding.value is not None else None,
        path if finding.path is not None else None,
    )


def _pointer(focus: str, path: str, code: str, pointers: dict[str, str]) -> str | None:
    known = pointers.get(focus)
    if known:
        return known
    if code.startswith("PF") or code in _PART_CODES:
        return "/data"
    if code == "SF005":
        return "/contact"
    if path in _CONTACT_KEYS:
        return f"/contact/{_CONTACT_KEYS[path]}"
    if focus.endswith("/contact"):
        return f"/contact/{_pointer_token(path)}" if path else "/contact"
    if path in _METADATA_KEYS:
        return f"/metadata/{_METADATA_KEYS[path]}"
    if code == "SF003" and path:
        return f"/metadata/{_pointer_token(path)}"
    return None


def _pointer_token(key: str) -> str:
    """A key as one JSON pointer token (RFC 6901: ``~`` and ``/`` escaped)."""
    return key.replace("~", "~0").replace("/", "~1")


def _path_name(path: str | None) -> str:
    """The local name of an IRI path; ``path`` for a complex one."""
    if path is None:
        return ""
    if path.startswith("_:"):
        return "path"
    local = path.rsplit("#", 1)[-1] if "#" in path else path.rsplit("/", 1)[-1]
    return unquote(local)


def _display(value: Term | None, lookup: Lookup) -> str:
    if value is None:
        return ""
    if value.literal:
        return value.text
    notation = lookup.notation(value.text)
    if notation is not None:
        return notation
    marker = f"/{UNKNOWN_SEGMENT}/"
    if marker in value.text:
        return unquote(value.text.rsplit(marker, 1)[-1])
    return value.text


def _row_code(focus: str, lookup: Lookup) -> str:
    code = lookup.row_code(focus)
    return "" if code is None else _display(Term(code), lookup)


def annotate(graph: Graph, nodes: list[Any], results: list[Result]) -> Graph:
    """Put the completed messages, error codes and pointers into an RDF report."""
    from rdflib import Literal, URIRef

    message = URIRef(f"{SH}resultMessage")
    vocabulary = f"{base_iri()}/def/iv3#"
    for node, result in zip(nodes, results, strict=True):
        graph.remove((node, message, None))
        for language, text in result.messages.items():
            graph.add((node, message, Literal(text, lang=language)))
        graph.add((node, URIRef(f"{vocabulary}foutcode"), Literal(result.code)))
        if result.pointer:
            graph.add((node, URIRef(f"{vocabulary}pointer"), Literal(result.pointer)))
    return graph


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
                where = result.pointer or "-"
                lines.append(f"    {mark} {where}  {result.message(language)}")
        lines.append("")
    return "\n".join(lines)


def _verdict(report: Report, language: str) -> str:
    violations = report.count("Violation")
    warnings = report.count("Warning")
    if language == "en":
        state = "conforms" if report.conforms else "does not conform"
        counts = f"{violations} violations, {warnings} warnings"
    else:
        state = "voldoet" if report.conforms else "voldoet niet"
        counts = f"{violations} fouten, {warnings} waarschuwingen"
    return f"{report.source}: {state} ({counts})"


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
    from rdflib import Graph, Namespace

    merged = Graph()
    merged.bind("sh", Namespace(SH))
    merged.bind("iv3", Namespace(f"{base_iri()}/def/iv3#"))
    for report in reports:
        for triple in report.graph:
            merged.add(triple)
    return merged.serialize(format=rdf_format)
