"""The data of the pages about codes, code lists and the vocabulary.

Codes are SKOS concepts in one scheme per list, overheidslaag and boekjaar
(``{base}/id/taakveld/gemeente/2023/0-1`` in ``…/taakveld/gemeente/2023``); the
hierarchy is ``skos:broader``/``skos:narrower``. The vocabulary is the graph
``{base}/id/graaf/ontologie``, one document at ``{base}/def/iv3`` whose terms are
hash IRIs (``…/def/iv3#bedrag``), so that every term resolves to this document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from iv3ld.codelists import code_names, code_sort_key
from iv3ld.identifiers import namespace
from iv3ld.store import Store, term_value
from iv3ld.web.describe import (
    OWL,
    RDF_TYPE,
    RDFS,
    SKOS,
    Description,
)


@dataclass
class CodeEntry:
    """A code in a list: IRI, notation and label."""

    iri: str
    notation: str
    label: str


@dataclass
class CodePage:
    """What the page of one code shows."""

    notation: str | None
    label: str | None
    definition: str | None
    scheme: CodeEntry | None
    broader: list[CodeEntry]
    narrower: list[CodeEntry]


def code_page(store: Store, description: Description) -> CodePage:
    """Collect the page of a code: its words, its scheme and its neighbours."""
    iri = description.iri
    scheme = description.first(f"{SKOS}inScheme")
    broader = [term_value(value) for value in description.values(f"{SKOS}broader")]
    result = store.query(
        f"SELECT DISTINCT ?narrower WHERE {{ {{ <{iri}> <{SKOS}narrower> ?narrower }}"
        f" UNION {{ ?narrower <{SKOS}broader> <{iri}> }} }}"
    )
    narrower = result.column("narrower")
    return CodePage(
        notation=description.first(f"{SKOS}notation"),
        label=description.literal(f"{SKOS}prefLabel"),
        definition=description.literal(f"{SKOS}definition"),
        scheme=_entries(store, [scheme])[0] if scheme else None,
        broader=_entries(store, broader),
        narrower=_entries(store, narrower),
    )


def scheme_codes(store: Store, scheme: str) -> list[CodeEntry]:
    """The codes of one scheme in code order."""
    result = store.query(
        f"SELECT DISTINCT ?code WHERE {{ ?code <{SKOS}inScheme> <{scheme}> }}"
    )
    return _entries(store, result.column("code"))


def _entries(store: Store, iris: list[str]) -> list[CodeEntry]:
    """Codes with notation and label, sorted by notation (one query)."""
    if not iris:
        return []
    names = code_names(store, iris)
    entries = [
        CodeEntry(iri, notation, label or iri)
        for iri, (notation, label) in names.items()
    ]
    return sorted(entries, key=lambda entry: code_sort_key(entry.notation))


@dataclass
class Term:
    """One term of the vocabulary with its words in Dutch and English."""

    iri: str
    name: str
    label_nl: str = ""
    label_en: str = ""
    definition_nl: str = ""
    definition_en: str = ""
    parents: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


@dataclass
class VocabularyPage:
    """The vocabulary: title, description and its terms by kind."""

    iri: str
    title: str
    description: str
    classes: list[Term]
    properties: list[Term]
    others: list[Term]


def vocabulary_iri() -> str:
    """The vocabulary document: ``{base}/def/iv3``."""
    return namespace().vocabulary.rstrip("#")


def vocabulary_triples(store: Store) -> list[ox.Triple]:
    """Every triple of the vocabulary graph."""
    graph = namespace().graph("ontologie")
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    return result.triples


_CLASS_TYPES = {f"{OWL}Class", f"{RDFS}Class"}
_PROPERTY_SUFFIXES = ("Property",)
_DEFINITIONS = (f"{SKOS}definition", f"{RDFS}comment")


def vocabulary_page(triples: list[ox.Triple]) -> VocabularyPage:
    """Sort the vocabulary's terms into classes, properties and the rest."""
    prefix = namespace().vocabulary
    terms: dict[str, Term] = {}
    ontology = vocabulary_iri()
    title, description = "Iv3-vocabulaire", ""
    for triple in triples:
        subject = term_value(triple.subject)
        predicate, value = triple.predicate.value, triple.object
        if subject == ontology:
            if predicate == f"{RDFS}label" and _is_dutch(value):
                title = term_value(value)
            elif predicate.endswith("/description") and _is_dutch(value):
                description = term_value(value)
            continue
        if not subject.startswith(prefix):
            continue
        term = terms.setdefault(subject, Term(subject, subject[len(prefix) :]))
        _add_to_term(term, predicate, value)

    ordered = sorted(terms.values(), key=lambda term: term.name.lower())
    classes = [t for t in ordered if _CLASS_TYPES & set(t.kinds)]
    properties = [
        t
        for t in ordered
        if t not in classes
        and any(kind.endswith(_PROPERTY_SUFFIXES) for kind in t.kinds)
    ]
    others = [t for t in ordered if t not in classes and t not in properties]
    return VocabularyPage(ontology, title, description, classes, properties, others)


def _add_to_term(term: Term, predicate: str, value: object) -> None:
    if predicate == RDF_TYPE:
        term.kinds.append(term_value(value))  # type: ignore[arg-type]
    elif predicate in {f"{RDFS}subClassOf", f"{RDFS}subPropertyOf"}:
        term.parents.append(term_value(value))  # type: ignore[arg-type]
    elif isinstance(value, ox.Literal) and predicate == f"{RDFS}label":
        _set_by_language(term, "label", value)
    elif isinstance(value, ox.Literal) and predicate in _DEFINITIONS:
        _set_by_language(term, "definition", value)


def _set_by_language(term: Term, what: str, value: ox.Literal) -> None:
    language = "en" if value.language == "en" else "nl"
    attribute = f"{what}_{language}"
    if not getattr(term, attribute):
        setattr(term, attribute, value.value)


def _is_dutch(value: object) -> bool:
    return isinstance(value, ox.Literal) and value.language in {"nl", None}
