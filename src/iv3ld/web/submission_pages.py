"""The data of the pages about submissions, their versions and parts.

A submission (one government, boekjaar and periode) has a register graph named by
its IRI: its versions (``iv3:heeftVersie``), the current one
(``iv3:huidigeVersie``) and each version's provenance (received, placement,
publication date). A version's own graph holds its parts (``qb:DataSet``s,
``dcterms:isPartOf`` the version) and their observations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from iv3ld.identifiers import namespace
from iv3ld.store import Store, Term, term_value
from iv3ld.web.describe import DCTERMS, PROV, QB, SKOS, code_sort_key, decimal


@dataclass
class VersionEntry:
    """One version of a submission as its register records it."""

    iri: str
    datum: str | None
    received: str | None
    placement: str | None
    publication_date: str | None
    current: bool
    revises: str | None


def versions_of(store: Store, submission: str) -> list[VersionEntry]:
    """The versions of a submission, oldest first, marked current or replaced."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?version ?datum ?received ?placement ?published ?current ?revises"
        f" WHERE {{ GRAPH <{submission}> {{"
        f" <{submission}> <{vocabulary}heeftVersie> ?version ."
        f" OPTIONAL {{ ?version <{vocabulary}datum> ?datum }}"
        f" OPTIONAL {{ ?version <{vocabulary}ontvangen> ?received }}"
        f" OPTIONAL {{ ?version <{vocabulary}plaatsing> ?placement }}"
        f" OPTIONAL {{ ?version <{vocabulary}publicatiedatum> ?published }}"
        f" OPTIONAL {{ ?version <{PROV}wasRevisionOf> ?revises }}"
        f" OPTIONAL {{ <{submission}> <{vocabulary}huidigeVersie> ?current }}"
        f" }} }} ORDER BY ?version"
    )
    entries: dict[str, VersionEntry] = {}
    for row in result.records():
        iri = term_value(row["version"])
        if iri in entries:
            continue
        entries[iri] = VersionEntry(
            iri=iri,
            datum=_text(row, "datum"),
            received=_text(row, "received"),
            placement=_text(row, "placement"),
            publication_date=_text(row, "published"),
            current=_text(row, "current") == iri,
            revises=_text(row, "revises"),
        )
    return list(entries.values())


def _text(row: Mapping[str, Term], name: str) -> str | None:
    value = row.get(name)
    return term_value(value) if value is not None else None


def placement_name(iri: str | None) -> str:
    """A publication round as words: ``eerste plaatsing``."""
    if not iri:
        return ""
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


@dataclass
class Part:
    """One part of a version (a ``qb:DataSet``) and its number of observations."""

    iri: str
    name: str
    observations: int


@dataclass
class ObservationRow:
    """One observation: its code, its column code and its amount or value."""

    iri: str
    code_iri: str
    code: str
    code_label: str
    column_iri: str
    column: str
    value: Decimal


@dataclass
class PartTable:
    """The observations of one part."""

    part: Part
    rows: list[ObservationRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """The sum of the part's values (meaningless for kengetallen)."""
        return sum((row.value for row in self.rows), Decimal(0))


def parts_of(store: Store, version: str) -> list[Part]:
    """The parts of a version with their number of observations."""
    result = store.query(
        f"SELECT ?part (COUNT(?observation) AS ?count) WHERE {{ GRAPH <{version}> {{"
        f" ?part <{DCTERMS}isPartOf> <{version}> ; a <{QB}DataSet> ."
        f" OPTIONAL {{ ?observation <{QB}dataSet> ?part }} }} }}"
        " GROUP BY ?part ORDER BY ?part"
    )
    return [
        Part(
            term_value(row["part"]),
            term_value(row["part"]).rsplit("/", 1)[-1],
            int(term_value(row["count"])),
        )
        for row in result.records()
    ]


def observation_tables(
    store: Store, version: str, part: str | None = None
) -> list[PartTable]:
    """The observations of a version (or of one part), one table per part."""
    vocabulary = namespace().vocabulary
    parts = [item for item in parts_of(store, version) if part in {None, item.iri}]
    restriction = f"VALUES ?part {{ <{part}> }}" if part else ""
    result = store.query(
        f"SELECT ?part ?observation ?code ?codeNotation ?codeLabel ?column"
        f" ?columnNotation ?value WHERE {{ {restriction} GRAPH <{version}> {{"
        f" ?observation <{QB}dataSet> ?part ;"
        f" <{vocabulary}taakveld>|<{vocabulary}balanscode>|<{vocabulary}kengetal>"
        f"|<{vocabulary}beleidsindicator> ?code ;"
        f" <{vocabulary}categorie>|<{vocabulary}standper>|<{vocabulary}verslagperiode>"
        f" ?column ; <{vocabulary}bedrag>|<{vocabulary}waarde> ?value }}"
        f" OPTIONAL {{ ?code <{SKOS}notation> ?codeNotation }}"
        f" OPTIONAL {{ ?code <{SKOS}prefLabel> ?codeLabel"
        f" FILTER(langMatches(lang(?codeLabel), 'nl')) }}"
        f" OPTIONAL {{ ?column <{SKOS}notation> ?columnNotation }} }}"
    )
    tables = {item.iri: PartTable(item) for item in parts}
    seen: set[str] = set()
    for row in result.records():
        observation = term_value(row["observation"])
        table = tables.get(term_value(row["part"]))
        if table is None or observation in seen:
            continue
        seen.add(observation)
        code, column = term_value(row["code"]), term_value(row["column"])
        table.rows.append(
            ObservationRow(
                iri=observation,
                code_iri=code,
                code=_text(row, "codeNotation") or code.rsplit("/", 1)[-1],
                code_label=_text(row, "codeLabel") or "",
                column_iri=column,
                column=_text(row, "columnNotation") or column.rsplit("/", 1)[-1],
                value=decimal(row["value"]),
            )
        )
    for table in tables.values():
        table.rows.sort(
            key=lambda row: (code_sort_key(row.code), code_sort_key(row.column))
        )
    return list(tables.values())


def version_of_part(part: str) -> str:
    """The version a part belongs to: its IRI without the last segment."""
    return part.rstrip("/").rsplit("/", 1)[0]
