"""One submission version as a CSV table: a row per cell (observation).

The Iv3 model is a set of matrices: lasten and baten per taakveld (row) and
categorie (column), balance mutations per balanscode and categorie, balance
positions per balanscode and standper, kengetallen and beleidsindicatoren per code
and verslagperiode. Every observation becomes one line with its row code and
column code, their labels from the code lists in the store, its value and unit, so
that a spreadsheet can pivot it back into the model. Lines come part by part in the
model's order of codes (0.2 before 0.10). Columns:

======================  ====================================================
``overheid``            CBS code of the government (``GM0363``)
``overheidsnaam``       its name as the submission gives it
``boekjaar``            the financial year
``periode``             0 begroting, 1–4 quarters, 5 jaarrekening
``versie``              the version key (``metadata.datum`` in UTC)
``deel``                lasten, baten, balans-lasten, balans-baten,
                        balans-standen, kengetallen, beleidsindicatoren
``rij_soort``           taakveld, balanscode, kengetal or beleidsindicator
``rij_code``            the code as CBS writes it (``0.1``, ``A121``)
``rij_omschrijving``    its Dutch label
``kolom_soort``         categorie, standper or verslagperiode
``kolom_code``          the code (``4.3.2``, ``1 januari``)
``kolom_omschrijving``  its Dutch label
``waarde``              the amount or kengetal, as a decimal with a point
``eenheid``             ``duizend euro`` or ``euro`` for amounts; empty for
                        kengetallen and beleidsindicatoren
======================  ====================================================

UTF-8 with a header line, comma-separated, quoted where needed (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from iv3ld.codelists import code_names, code_sort_key
from iv3ld.exports import VersionRef
from iv3ld.identifiers import namespace
from iv3ld.store import Store, term_value

COLUMNS = (
    "overheid",
    "overheidsnaam",
    "boekjaar",
    "periode",
    "versie",
    "deel",
    "rij_soort",
    "rij_code",
    "rij_omschrijving",
    "kolom_soort",
    "kolom_code",
    "kolom_omschrijving",
    "waarde",
    "eenheid",
)

PART_ORDER = (
    "lasten",
    "baten",
    "balans-lasten",
    "balans-baten",
    "balans-standen",
    "kengetallen",
    "beleidsindicatoren",
)
ROW_KINDS = ("taakveld", "balanscode", "kengetal", "beleidsindicator")
COLUMN_KINDS = ("categorie", "standper", "verslagperiode")
MEASURES = ("bedrag", "waarde")
UNIT_NAMES = {"3": "duizend euro", "0": "euro"}

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_QB = "http://purl.org/linked-data/cube#"
_UNIT_MULT = "http://purl.org/linked-data/sdmx/2009/attribute#unitMult"


@dataclass(frozen=True)
class Cell:
    """One observation, with the IRIs of its codes."""

    part: str
    row_kind: str
    row: str
    column_kind: str
    column: str
    value: str
    unit: str

    @property
    def codes(self) -> tuple[str, str]:
        """The IRIs of its row and column code."""
        return self.row, self.column


def version_csv(store: Store, ref: VersionRef) -> bytes:
    """The CSV table of one version, UTF-8 with a header line."""
    cells = observations(store, ref.version)
    labels = code_names(store, [code for cell in cells for code in cell.codes])
    name = government_name(store, ref.version)

    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for cell in sorted(cells, key=lambda cell: _order(cell, labels)):
        row_code, row_label = labels[cell.row]
        column_code, column_label = labels[cell.column]
        writer.writerow(
            (
                ref.government,
                name,
                ref.year,
                ref.periode,
                ref.key,
                cell.part,
                cell.row_kind,
                row_code,
                row_label,
                cell.column_kind,
                column_code,
                column_label,
                cell.value,
                UNIT_NAMES.get(cell.unit, ""),
            )
        )
    return output.getvalue().encode("utf-8")


def observations(store: Store, version: str) -> list[Cell]:
    """Every observation of a version with its part, codes, value and unit."""
    vocabulary = namespace().vocabulary
    rows = " ".join(f"<{vocabulary}{kind}>" for kind in ROW_KINDS)
    columns = " ".join(f"<{vocabulary}{kind}>" for kind in COLUMN_KINDS)
    measures = " ".join(f"<{vocabulary}{kind}>" for kind in MEASURES)
    result = store.query(
        "SELECT ?part ?row_kind ?row ?column_kind ?column ?value ?unit WHERE {"
        f" GRAPH <{version}> {{"
        f"  ?observation <{_QB}dataSet> ?dataset ."
        f"  ?dataset <{vocabulary}deel> ?part ."
        f"  VALUES ?row_kind {{ {rows} }} ?observation ?row_kind ?row ."
        f"  VALUES ?column_kind {{ {columns} }} ?observation ?column_kind ?column ."
        f"  VALUES ?measure {{ {measures} }} ?observation ?measure ?value ."
        f"  OPTIONAL {{ ?dataset <{_UNIT_MULT}> ?unit }} }} }}"
    )
    return [
        Cell(
            _last_segment(term_value(record["part"])),
            term_value(record["row_kind"]).removeprefix(vocabulary),
            term_value(record["row"]),
            term_value(record["column_kind"]).removeprefix(vocabulary),
            term_value(record["column"]),
            term_value(record["value"]),
            term_value(record["unit"]) if "unit" in record else "",
        )
        for record in result.records()
    ]


def government_name(store: Store, version: str) -> str:
    """The government's name as the version states it (empty when it does not)."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?name WHERE {{ GRAPH <{version}> "
        f"{{ <{version}> <{vocabulary}overheidsnaam> ?name }} }} LIMIT 1"
    )
    found = result.column("name")
    return found[0] if found else ""


def _order(cell: Cell, labels: dict[str, tuple[str, str]]) -> tuple[Any, ...]:
    part = PART_ORDER.index(cell.part) if cell.part in PART_ORDER else len(PART_ORDER)
    row = code_sort_key(labels[cell.row][0])
    return part, cell.part, row, code_sort_key(labels[cell.column][0])


def _last_segment(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


__all__ = ["COLUMNS", "Cell", "observations", "version_csv"]
