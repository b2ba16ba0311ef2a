"""What the store says about one resource: its description and what a page needs.

The RDF description of a resource is every triple with it as subject, in any
graph, each once (a triple can sit in a version's graph and in its register).
Pages add context that is cheap to look up: labels of the things it links to
(preferring Dutch), the labels of its predicates from the vocabulary, and a
bounded list of the resources that link to it.

Only the public store is ever read here. Detail lines without consent to publish
live in the private store of the state directory and never reach these views.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from iv3ld.identifiers import base_iri, namespace
from iv3ld.serialisation import compact_iri
from iv3ld.store import Store, Term, term_value

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
QB = "http://purl.org/linked-data/cube#"
OWL = "http://www.w3.org/2002/07/owl#"


def label_predicates() -> tuple[str, ...]:
    """Where a label is found, in order of preference."""
    return (
        f"{SKOS}prefLabel",
        f"{RDFS}label",
        f"{DCTERMS}title",
        f"{namespace().vocabulary}overheidsnaam",
    )


VALUES_SHOWN = 25
"""Values of one predicate a page lists before it says how many more there are."""

INCOMING_SHOWN = 50
"""Resources linking to this one that a page lists."""

_LANGUAGES = {"nl": 0, "": 1, "en": 2}


@dataclass(frozen=True)
class Description:
    """The triples with one resource as subject."""

    iri: str
    triples: list[ox.Triple]

    def values(self, predicate: str) -> list[Term]:
        """The objects of one predicate, in store order."""
        return [t.object for t in self.triples if t.predicate.value == predicate]

    def first(self, predicate: str) -> str | None:
        """The text of the first object of a predicate, if any."""
        found = self.values(predicate)
        return term_value(found[0]) if found else None

    def literal(self, predicate: str) -> str | None:
        """The preferred-language text of a predicate (Dutch, plain, English)."""
        literals = [v for v in self.values(predicate) if isinstance(v, ox.Literal)]
        if not literals:
            return None
        return min(literals, key=lambda value: _language_rank(value.language)).value

    @property
    def types(self) -> list[str]:
        """The IRIs of its classes."""
        return [term_value(value) for value in self.values(RDF_TYPE)]


def iri_of_path(path: str) -> str | None:
    """The IRI ``{base}/id/{path}``, or None when the path makes no valid IRI."""
    return valid_iri(f"{base_iri()}/id/{path}")


def valid_iri(iri: str) -> str | None:
    """The IRI when it is valid (safe to write between ``<`` and ``>``), else None."""
    if not iri or any(character in iri for character in '<>"{}|^`\\ \t\n\r'):
        return None
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


def describe(store: Store, iri: str) -> Description:
    """The description of a resource: its triples as subject, each once."""
    quads = store.quads_about(iri)
    triples = dict.fromkeys(
        ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads
    )
    return Description(iri, list(triples))


def government_links(store: Store, iri: str) -> list[ox.Triple]:
    """The submissions that name this government (``?submission iv3:overheid``).

    Part of a government's description, so that a body known only from its
    submissions (a gemeenschappelijke regeling) is described too.
    """
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT DISTINCT ?submission WHERE {{ ?submission <{vocabulary}overheid>"
        f" <{iri}> ; a <{vocabulary}Aanlevering> }} ORDER BY ?submission"
    )
    predicate = ox.NamedNode(f"{vocabulary}overheid")
    node = ox.NamedNode(iri)
    return [
        ox.Triple(ox.NamedNode(submission), predicate, node)
        for submission in result.column("submission")
    ]


def is_government(iri: str) -> bool:
    """Whether the IRI has the shape of a government's IRI."""
    base = base_iri()
    return any(
        iri.startswith(f"{base}/id/{kind}/")
        for kind in (
            "gemeente",
            "provincie",
            "waterschap",
            "gemeenschappelijke-regeling",
        )
    )


def exists(store: Store, iri: str) -> bool:
    """Whether the store describes the resource, or it is a government with data."""
    query = f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"
    if is_government(iri):
        vocabulary = namespace().vocabulary
        query = (
            f"ASK {{ {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION"
            f" {{ GRAPH ?h {{ ?s <{vocabulary}overheid> <{iri}> }} }} }}"
        )
    return store.query(query).boolean


def labels(
    store: Store, iris: Iterable[str], with_notation: bool = True
) -> dict[str, str]:
    """A label per IRI that has one: Dutch first, a code's notation in front.

    One query for all of them. Codes read ``0.1 Bestuur`` (``Bestuur`` without
    ``with_notation``).
    """
    wanted = sorted({iri for iri in iris if valid_iri(iri)})
    if not wanted:
        return {}
    values = " ".join(f"<{iri}>" for iri in wanted)
    predicates = " ".join(f"<{predicate}>" for predicate in label_predicates())
    result = store.query(
        f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }}"
        f" VALUES ?p {{ {predicates} <{SKOS}notation> }} ?s ?p ?label }}"
    )
    found: dict[str, dict[str, ox.Literal]] = {}
    for row in result.records():
        value = row["label"]
        if not isinstance(value, ox.Literal):
            continue
        kept = found.setdefault(term_value(row["s"]), {})
        predicate = term_value(row["p"])
        if predicate not in kept or _better(value, kept[predicate]):
            kept[predicate] = value
    return {
        iri: text
        for iri, kept in found.items()
        if (text := _label_text(kept, with_notation))
    }


def _better(value: ox.Literal, current: ox.Literal) -> bool:
    return _language_rank(value.language) < _language_rank(current.language)


def _language_rank(language: str | None) -> int:
    return _LANGUAGES.get(language or "", 3)


def _label_text(kept: dict[str, ox.Literal], with_notation: bool) -> str:
    label = next(
        (kept[p].value for p in label_predicates() if p in kept),
        None,
    )
    notation = kept.get(f"{SKOS}notation")
    if notation is not None and label is not None and with_notation:
        return f"{notation.value} {label}"
    return label or (notation.value if notation is not None else "")


def incoming(store: Store, iri: str, limit: int = INCOMING_SHOWN) -> list[Link]:
    """Up to ``limit`` resources that link to this one, with the predicate."""
    result = store.query(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }}"
        f" LIMIT {limit + 1}"
    )
    links = [
        Link(term_value(row["p"]), term_value(row["s"])) for row in result.records()
    ]
    return links


@dataclass(frozen=True)
class Link:
    """A predicate and the resource at its other end."""

    predicate: str
    iri: str


@dataclass
class Value:
    """One value on a page: an IRI with its label, or a literal."""

    text: str
    iri: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass
class Property:
    """One row of a page's property table: a predicate and its values."""

    predicate: str
    label: str
    values: list[Value] = field(default_factory=list)
    more: int = 0


def property_rows(
    description: Description,
    names: dict[str, str],
    skip: Iterable[str] = (),
) -> list[Property]:
    """The description as table rows, one per predicate, values labelled.

    ``names`` holds labels of predicates and objects; a predicate with more than
    :data:`VALUES_SHOWN` values shows that many and counts the rest.
    """
    skipped = set(skip)
    rows: dict[str, Property] = {}
    for triple in description.triples:
        predicate = triple.predicate.value
        if predicate in skipped:
            continue
        row = rows.get(predicate)
        if row is None:
            label = names.get(predicate) or compact_name(predicate)
            row = rows[predicate] = Property(predicate, label)
        if len(row.values) >= VALUES_SHOWN:
            row.more += 1
            continue
        row.values.append(value_of(triple.object, names))
    return sorted(rows.values(), key=lambda row: (row.predicate != RDF_TYPE, row.label))


def value_of(term: Term, names: dict[str, str]) -> Value:
    """A term as a page shows it."""
    if isinstance(term, ox.Literal):
        datatype: str | None = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in {"string", "langString"}:
            datatype = None
        return Value(term.value, language=term.language, datatype=datatype)
    text = term_value(term)
    if isinstance(term, ox.NamedNode):
        return Value(names.get(text) or compact_name(text), iri=text)
    return Value(text)


def linked_iris(description: Description) -> set[str]:
    """The predicates and IRI objects of a description, to label in one query."""
    found = {triple.predicate.value for triple in description.triples}
    children = f"{description.iri}/"
    for triple in description.triples:
        value = triple.object
        if isinstance(value, ox.NamedNode) and not value.value.startswith(children):
            found.add(value.value)
    return found


def compact_name(iri: str) -> str:
    """A short readable name: ``iv3:bedrag``, ``gemeente/GM0363``, or the IRI.

    Things iv3ld names lose ``{base}/id/``; other IRIs take the prefixes every
    written document uses (:func:`iv3ld.serialisation.compact_iri`).
    """
    base = base_iri()
    if iri.startswith(f"{base}/id/"):
        return iri[len(base) + 4 :]
    return compact_iri(iri) or iri


def decimal(term: Term | None) -> Decimal:
    """The number of a literal (0 when absent or not a number)."""
    if term is None:
        return Decimal(0)
    try:
        return Decimal(term_value(term))
    except InvalidOperation:
        return Decimal(0)
