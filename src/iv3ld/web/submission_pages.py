"""The data of the pages about submissions, their versions and parts.

A submission (one government, boekjaar and periode) has a register graph named by
its IRI: its versions (``iv3:heeftVersie``), the current one
(``iv3:huidigeVersie``) and each version's provenance (received, placement,
publication date). A version's own graph holds its parts (``qb:DataSet``s,
``dcterms:isPartOf`` the version) and their observations.

A version's page summarises its parts; a part's page shows its observations
:data:`PAGE_SIZE` at a time (:func:`part_page`), so that no page grows with the
size of a government.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from iv3ld.codelists import code_names, code_sort_key
from iv3ld.identifiers import namespace
from iv3ld.store import Store, Term, term_value
from iv3ld.web.describe import DCTERMS, PROV, QB, decimal

PAGE_SIZE = 200
"""Observations on one page of a part."""


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

    @property
    def pages(self) -> int:
        """How many pages the part's observations fill; an empty part has one."""
        return max(1, -(-self.observations // PAGE_SIZE))


@dataclass
class ObservationRow:
    """One observation: its code, its column code and its amount or value.

    The IRIs and the value are None when the observation lacks them.
    """

    iri: str
    code_iri: str | None
    code: str
    code_label: str
    column_iri: str | None
    column: str
    value: Decimal | None


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


def observation_rows(store: Store, part: str) -> list[ObservationRow]:
    """Every observation of one part, in code order, then column order.

    An observation without a code, column or value (a row the file left
    incomplete) is listed too, with that cell empty, so that a part's page shows
    as many rows as the part has observations. The codes' notations and labels
    come from a second query: joined into the first, they cost ten times more.
    """
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?observation ?code ?column ?value WHERE {{"
        f" GRAPH <{version_of_part(part)}> {{"
        f" ?observation <{QB}dataSet> <{part}> ."
        f" OPTIONAL {{ ?observation <{vocabulary}taakveld>|<{vocabulary}balanscode>"
        f"|<{vocabulary}kengetal>|<{vocabulary}beleidsindicator> ?code }}"
        f" OPTIONAL {{ ?observation <{vocabulary}categorie>|<{vocabulary}standper>"
        f"|<{vocabulary}verslagperiode> ?column }}"
        f" OPTIONAL {{ ?observation <{vocabulary}bedrag>|<{vocabulary}waarde> ?value }}"
        f" }} }}"
    )
    found: dict[str, Mapping[str, Term]] = {}
    for row in result.records():
        found.setdefault(term_value(row["observation"]), row)

    used = {_text(row, key) for row in found.values() for key in ("code", "column")}
    names = code_names(store, {iri for iri in used if iri})
    rows = [_observation_row(iri, row, names) for iri, row in found.items()]
    return sorted(
        rows, key=lambda item: (code_sort_key(item.code), code_sort_key(item.column))
    )


def _observation_row(
    observation: str, row: Mapping[str, Term], names: dict[str, tuple[str, str]]
) -> ObservationRow:
    code, column = _text(row, "code"), _text(row, "column")
    value = row.get("value")
    code_name = names[code] if code else ("", "")
    column_name = names[column] if column else ("", "")
    return ObservationRow(
        iri=observation,
        code_iri=code,
        code=code_name[0],
        code_label=code_name[1],
        column_iri=column,
        column=column_name[0],
        value=decimal(value) if value is not None else None,
    )


@dataclass
class PartPage:
    """One page of a part's observations, in code order."""

    part: Part
    number: int
    rows: list[ObservationRow]

    @property
    def previous(self) -> int | None:
        """The number of the page before this one, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the page after this one, if any."""
        return self.number + 1 if self.number < self.part.pages else None

    @property
    def first_row(self) -> int:
        """The position (from 1) of the page's first row in the part."""
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def last_row(self) -> int:
        """The position of the page's last row (``first_row - 1`` when empty)."""
        return self.first_row + len(self.rows) - 1


def part_of(store: Store, part: str) -> Part | None:
    """The part with its number of observations, or None when unknown."""
    found = [
        item for item in parts_of(store, version_of_part(part)) if item.iri == part
    ]
    return found[0] if found else None


def part_page(store: Store, part: Part, number: int) -> PartPage:
    """Page ``number`` (from 1) of a part's observations; empty past the end.

    The whole part is read and sorted in code order (a part holds at most a few
    thousand observations), so that pages follow the order people read codes in.
    """
    start = (number - 1) * PAGE_SIZE
    rows = observation_rows(store, part.iri)[start : start + PAGE_SIZE]
    return PartPage(part, number, rows)


def version_of_part(part: str) -> str:
    """The version a part belongs to: its IRI without the last segment."""
    return part.rstrip("/").rsplit("/", 1)[0]
