"""Writing triples: Turtle, N-Triples, RDF/XML and JSON-LD, with one set of prefixes.

Every RDF document iv3ld writes (resource documents, SPARQL graph results, the
catalogue and VoID, downloads) goes through :func:`write_rdf` or
:func:`serialize`, so that all of them abbreviate with the same prefixes: those of
the project's JSON-LD context and a few common ones, each written only where the
triples use it.

pyoxigraph writes Turtle, N-Triples and RDF/XML. Its JSON-LD is expanded only, and
compacting with pyld costs milliseconds even for a few triples, so the compact
JSON-LD of :func:`serialize` is built directly: keys are the terms of the project's
context (``ontology/context.jsonld``) where a term fits every value of a predicate
(``bedrag`` for ``iv3:bedrag`` when all its values are ``xsd:decimal``), else
compact IRIs (``skos:prefLabel``); values carry their datatype or language, so
that any JSON-LD 1.1 processor yields exactly the triples of the Turtle output.
The ``@context`` of a document is inline and holds only what it uses, so a reader
needs nothing from the network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
import pyoxigraph as ox

from iv3ld.contexts import vocabulary_context
from iv3ld.identifiers import base_iri

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
N_TRIPLES = "application/n-triples"
RDF_XML = "application/rdf+xml"
HTML = "text/html"

RDF_TYPES = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""The RDF media types a resource is offered in, after HTML."""

FORMAT_NAMES = {HTML: "html", TURTLE: "ttl", JSON_LD: "jsonld", N_TRIPLES: "nt"}
FORMAT_NAMES[RDF_XML] = "rdf"
"""The ``?format=`` name of each media type, for links to alternates."""

RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    RDF_XML: ox.RdfFormat.RDF_XML,
    JSON_LD: ox.RdfFormat.JSON_LD,
}
"""Media type → pyoxigraph format of :func:`write_rdf` (JSON-LD expanded)."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
    "org": "http://www.w3.org/ns/org#",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


@dataclass(frozen=True)
class Term:
    """A term of the project's context: its name and the type it coerces to."""

    name: str
    coercion: str | None


@dataclass(frozen=True)
class Vocabulary:
    """Prefixes and simple terms of the project's context, expanded once."""

    prefixes: dict[str, str]
    terms: dict[str, Term]
    definitions: dict[str, Any]


@cache
def _vocabulary(base: str) -> Vocabulary:
    """Read the project's context: its prefixes and its unambiguous simple terms.

    A term qualifies when it maps to an IRI by a prefix, coerces at most to
    ``@id`` or a datatype, and is the only term for its IRI (``lasten`` and
    ``baten`` both mean ``iv3:waarneming``, so neither is used).
    """
    context = vocabulary_context()
    prefixes = {
        name: value
        for name, value in context.items()
        if isinstance(value, str)
        and value.endswith(("#", "/"))
        and not name.startswith("@")
    }
    prefixes.update(
        (name, value)
        for name, value in _COMMON_PREFIXES.items()
        if name not in prefixes
    )

    candidates: dict[str, list[tuple[str, Any]]] = {}
    for name, value in context.items():
        if name.startswith("@") or name in prefixes or ":" in name:
            continue
        iri, coercion = _term_definition(value, prefixes)
        if iri is not None:
            candidates.setdefault(iri, []).append((name, coercion))

    terms: dict[str, Term] = {}
    definitions: dict[str, Any] = {}
    for iri, found in candidates.items():
        if len(found) != 1:
            continue
        name, coercion = found[0]
        terms[iri] = Term(name, coercion)
        definitions[name] = context[name]
    return Vocabulary(prefixes, terms, definitions)


def _term_definition(
    value: Any, prefixes: dict[str, str]
) -> tuple[str | None, str | None]:
    """The IRI and coercion of a simple term definition, else (None, None)."""
    if isinstance(value, str):
        return _expand(value, prefixes), None
    if not isinstance(value, dict) or set(value) - {"@id", "@type"}:
        return None, None
    coercion = value.get("@type")
    if coercion == "@vocab" or not isinstance(value.get("@id"), str):
        return None, None
    if coercion is not None and coercion != "@id":
        coercion = _expand(coercion, prefixes)
        if coercion is None:
            return None, None
    return _expand(value["@id"], prefixes), coercion


def _expand(value: str, prefixes: dict[str, str]) -> str | None:
    prefix, colon, local = value.partition(":")
    if not colon or local.startswith("//"):
        return None
    namespace = prefixes.get(prefix)
    return f"{namespace}{local}" if namespace is not None else None


def vocabulary() -> Vocabulary:
    """The project's context as used for compact JSON-LD and Turtle prefixes."""
    return _vocabulary(base_iri())


def serialize(triples: list[ox.Triple], media_type: str, subject: str) -> bytes:
    """The triples in one of :data:`RDF_TYPES`; ``subject`` heads the JSON-LD.

    JSON-LD is compact, with the project's context terms.
    """
    if media_type == JSON_LD:
        return compact_jsonld(triples, subject)
    return write_rdf(triples, media_type)


def write_rdf(triples: list[ox.Triple], media_type: str) -> bytes:
    """The triples in one of :data:`RDF_FORMATS` as pyoxigraph writes them.

    Turtle and RDF/XML abbreviate with the prefixes the triples use. Raises
    KeyError for a media type that is not an RDF format.
    """
    rdf_format = RDF_FORMATS[media_type]
    abbreviated = rdf_format in {ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML}
    prefixes = _used_prefixes(triples) if abbreviated else None
    return bytes(ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b"")


def compact_iri(iri: str) -> str | None:
    """``prefix:local`` for an IRI under one of the prefixes, else None."""
    prefixes = vocabulary().prefixes
    name = _prefix_of(iri, prefixes)
    return None if name is None else f"{name}:{iri[len(prefixes[name]) :]}"


def _used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace some predicate, type or datatype uses."""
    prefixes = vocabulary().prefixes
    names = _names_by_namespace(base_iri())
    used: dict[str, str] = {}
    for triple in triples:
        for iri in (triple.predicate.value, _object_iri(triple)):
            if iri is None:
                continue
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            name = names.get(iri[:cut])
            if name is not None and cut < len(iri):
                used[name] = prefixes[name]
    return used


@cache
def _names_by_namespace(base: str) -> dict[str, str]:
    """Prefix names by namespace, for a lookup per IRI instead of a search."""
    return {namespace: name for name, namespace in _vocabulary(base).prefixes.items()}


def _object_iri(triple: ox.Triple) -> str | None:
    """A type's IRI or a literal's datatype: what Turtle may abbreviate."""
    value = triple.object
    if isinstance(value, ox.Literal) and not value.language:
        return value.datatype.value
    if triple.predicate.value == _RDF_TYPE and isinstance(value, ox.NamedNode):
        return value.value
    return None


def _prefix_of(iri: str, prefixes: dict[str, str]) -> str | None:
    matching = [
        name
        for name, namespace in prefixes.items()
        if iri.startswith(namespace) and len(iri) > len(namespace)
    ]
    return max(matching, key=lambda name: len(prefixes[name]), default=None)


def compact_jsonld(triples: list[ox.Triple], subject: str) -> bytes:
    """Compact JSON-LD of the triples, one node object per subject.

    The node of ``subject`` comes first; triples of other subjects follow in
    ``@graph``. Raises nothing: every RDF term has a JSON-LD form.
    """
    vocabulary_now = vocabulary()
    context: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    by_subject: dict[str, dict[str, list[ox.Triple]]] = {}
    for triple in triples:
        key = _node_id(triple.subject)
        by_subject.setdefault(key, {}).setdefault(triple.predicate.value, []).append(
            triple
        )

    for node_id, predicates in by_subject.items():
        node: dict[str, Any] = {"@id": node_id}
        for predicate, group in predicates.items():
            values = [triple.object for triple in group]
            if predicate == _RDF_TYPE and all(
                isinstance(value, ox.NamedNode) for value in values
            ):
                node["@type"] = _types(values, vocabulary_now, context)
                continue
            key, coercion = _key(predicate, values, vocabulary_now, context)
            written = [_value(value, coercion) for value in values]
            node[key] = written[0] if len(written) == 1 else written
        nodes[node_id] = node

    document: dict[str, Any] = {"@context": context}
    first = nodes.pop(subject, None)
    if first is not None:
        document.update(first)
    if nodes:
        document["@graph"] = list(nodes.values())
    return orjson.dumps(document)


def _node_id(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def _types(
    values: list[Any], vocabulary_now: Vocabulary, context: dict[str, Any]
) -> list[str] | str:
    names = []
    for value in values:
        term = vocabulary_now.terms.get(value.value)
        if term is not None and term.coercion is None:
            context[term.name] = vocabulary_now.definitions[term.name]
            names.append(term.name)
        else:
            names.append(_compact(value.value, vocabulary_now, context))
    return names[0] if len(names) == 1 else names


def _key(
    predicate: str,
    values: list[Any],
    vocabulary_now: Vocabulary,
    context: dict[str, Any],
) -> tuple[str, str | None]:
    """The key of a predicate and the coercion its values may rely on."""
    term = vocabulary_now.terms.get(predicate)
    if term is not None and all(_fits(value, term.coercion) for value in values):
        context[term.name] = vocabulary_now.definitions[term.name]
        _declare_prefixes(vocabulary_now.definitions[term.name], context)
        return term.name, term.coercion
    return _compact(predicate, vocabulary_now, context), None


def _declare_prefixes(definition: Any, context: dict[str, Any]) -> None:
    """Add the prefixes a copied term definition relies on."""
    prefixes = vocabulary().prefixes
    texts = [definition] if isinstance(definition, str) else list(definition.values())
    for text in texts:
        prefix, colon, _ = str(text).partition(":")
        if colon and prefix in prefixes:
            context[prefix] = prefixes[prefix]


def _fits(value: Any, coercion: str | None) -> bool:
    if coercion is None:
        return True
    if coercion == "@id":
        return isinstance(value, ox.NamedNode | ox.BlankNode)
    return isinstance(value, ox.Literal) and value.datatype.value == coercion


def _compact(iri: str, vocabulary_now: Vocabulary, context: dict[str, Any]) -> str:
    name = _prefix_of(iri, vocabulary_now.prefixes)
    if name is None:
        return iri
    context[name] = vocabulary_now.prefixes[name]
    return f"{name}:{iri[len(vocabulary_now.prefixes[name]) :]}"


def _value(value: Any, coercion: str | None) -> Any:
    """A JSON-LD value object, or the bare string a coercion allows."""
    if isinstance(value, ox.NamedNode | ox.BlankNode):
        node_id = _node_id(value)
        return node_id if coercion == "@id" else {"@id": node_id}
    if coercion is not None:
        return value.value
    if value.language:
        return {"@value": value.value, "@language": value.language}
    datatype = value.datatype.value
    if datatype in {_XSD_STRING, _LANG_STRING}:
        return value.value
    return {"@value": value.value, "@type": datatype}
