"""Workbooks in the layout of the CBS Iv3 model, built from a CBS JSON submission.

No real model file may ship with the tests, so this lays one out as the CBS model
does (DOMAIN.md §6.4; CBS's converter ``statistiekcbs/makenjsonbestand``): sheet
``4.Informatie`` with labels in column B and values in column C and the remarks below
"Ruimte voor toelichting"; on sheets 5 and 6 every taakveld of the boekjaar's list as a
row (code in column A, label in B) under its hoofdgroep, the categories of that side
as columns with their code in a header row and their label below it, a "Totaal"
column and row, and the balance codes below the taakvelden; sheet 7 with begin and
ultimo columns; sheets 11 and 12 naming kengetallen and periods by description only,
as the model does. Sheet 12 is left out from boekjaar 2026, as in the model.

Codes that the submission uses but the list lacks get rows or columns of their own
(as in a model of another year), so that the reader's handling of them can be tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from iv3ld.codelists import CodeIndex, code_index, code_list_quads, layer_slug
from iv3ld.identifiers import base_iri, namespace

INFORMATION = "4.Informatie"
LASTEN = "5.Verdelingsmatrix lasten"
BATEN = "6.Verdelingsmatrix baten"
STANDEN = "7.Balansstanden"
KENGETALLEN = "11.Financiële kengetallen"
INDICATOREN = "12.Beleidsindicatoren"

_HEADER_ROW = 3
_FIRST_ROW = 5
_FIRST_COLUMN = 3
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class ModelWorkbook:
    """A built workbook and where each code landed, to change cells in tests."""

    workbook: Workbook
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    """sheet → row code → row number."""
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    """sheet → column code → column number (of the first header row)."""

    def sheet(self, name: str) -> Worksheet:
        """One sheet by name."""
        sheet = self.workbook[name]
        assert isinstance(sheet, Worksheet)
        return sheet

    def cell(self, sheet: str, row_code: str, column_code: str) -> Cell:
        """The cell of a row code and a column code."""
        row = self.rows[sheet][row_code]
        column = self.columns[sheet][column_code]
        cell = self.sheet(sheet).cell(row, column)
        assert isinstance(cell, Cell)
        return cell

    def code_cell(self, sheet: str, row_code: str) -> Cell:
        """The code cell (column A) of a row."""
        cell = self.sheet(sheet).cell(self.rows[sheet][row_code], 1)
        assert isinstance(cell, Cell)
        return cell

    def header_cell(self, sheet: str, column_code: str) -> Cell:
        """The header cell of a column."""
        cell = self.sheet(sheet).cell(_HEADER_ROW, self.columns[sheet][column_code])
        assert isinstance(cell, Cell)
        return cell

    def to_bytes(self) -> bytes:
        """The workbook as .xlsx bytes."""
        buffer = BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

    def save(self, path: Path) -> Path:
        """Write the workbook to a file and return its path."""
        path.write_bytes(self.to_bytes())
        return path


@dataclass(frozen=True)
class Lists:
    """The leaf codes of one overheidslaag and boekjaar, in model order, with labels."""

    codes: CodeIndex
    lasten_categories: frozenset[str]
    baten_categories: frozenset[str]

    def leaves(self, list_slug: str) -> list[str]:
        """The codes of a list that hold amounts, in natural order."""
        return sorted(
            (
                notation
                for notation, iri in self.codes.codes[list_slug].items()
                if not self.codes.is_group(iri)
            ),
            key=natural_order,
        )

    def label(self, list_slug: str, notation: str) -> str:
        """The label of a code, or empty for a code the list lacks."""
        iri = self.codes.iri(list_slug, notation)
        return self.codes.labels.get(iri, "") if iri else ""


def build_model(
    submission: dict[str, Any],
    *,
    fill_zeros: bool = False,
    balance_header: bool = False,
) -> ModelWorkbook:
    """Lay a CBS JSON submission out as the CBS Iv3 model of its boekjaar.

    ``fill_zeros`` writes 0 in every cell without an amount, as some senders do;
    ``balance_header`` gives the balance section of sheets 5 and 6 a header row of
    its own, with the categories in reverse order.
    """
    metadata = submission["metadata"]
    lists = _lists(metadata["overheidslaag"], metadata["boekjaar"])
    data = submission["data"]
    model = ModelWorkbook(Workbook())
    model.workbook.remove(model.workbook.worksheets[0])

    _explanation(model, metadata["boekjaar"])
    _information(model, submission)
    for name, (part, balance_part), side in (
        (LASTEN, ("lasten", "balans_lasten"), lists.lasten_categories),
        (BATEN, ("baten", "balans_baten"), lists.baten_categories),
    ):
        matrix = _Matrix(name, lists, data, fill_zeros, balance_header)
        matrix.write(model, part, balance_part, side)
    _standen(model, lists, data.get("balans_standen", []), fill_zeros)
    if lists.leaves("kengetal"):
        _indicators(model, KENGETALLEN, "kengetal", lists, data.get("kengetallen", []))
    if metadata["boekjaar"] < 2026 and lists.leaves("beleidsindicator"):
        rows = data.get("beleidsindicatoren", [])
        _indicators(model, INDICATOREN, "beleidsindicator", lists, rows)
    return model


def natural_order(code: str) -> list[tuple[int, Any]]:
    """Sort key that puts 0.9 before 0.10 and A29 before A124."""
    parts = re.findall(r"\d+|\D+", code)
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts]


def _lists(overheidslaag: str, year: int) -> Lists:
    layer = layer_slug(overheidslaag)
    vocabulary = namespace().vocabulary
    sides: dict[str, set[str]] = {"Lastencategorie": set(), "Batencategorie": set()}
    for quad in code_list_quads(layer, year, base_iri()):
        if quad.predicate.value != _RDF_TYPE:
            continue
        for side, members in sides.items():
            if quad.object.value == f"{vocabulary}{side}":  # type: ignore[union-attr]
                members.add(quad.subject.value)  # type: ignore[union-attr]
    codes = code_index(layer, year)
    notation = {iri: code for code, iri in codes.codes["categorie"].items()}
    return Lists(
        codes,
        frozenset(notation[iri] for iri in sides["Lastencategorie"] if iri in notation),
        frozenset(notation[iri] for iri in sides["Batencategorie"] if iri in notation),
    )


def _explanation(model: ModelWorkbook, year: int) -> None:
    sheet = model.workbook.create_sheet("3.Toelichting")
    sheet["A1"] = f"Toelichting Iv3-model {year}"
    sheet["A3"] = f"Wijzigingen model {year}"


def _information(model: ModelWorkbook, submission: dict[str, Any]) -> None:
    """Labels in column B, values in C; the provincie model has no layer or status."""
    metadata, contact = submission["metadata"], submission["contact"]
    sheet = model.workbook.create_sheet(INFORMATION)
    sheet["A1"] = "Informatie"
    rows: list[tuple[str, Any]] = []
    if metadata["overheidslaag"] != "Provincie":
        rows.append(("Overheidslaag", metadata["overheidslaag"]))
    rows += [
        ("Naam", metadata["overheidsnaam"]),
        ("Nummer", metadata["overheidsnummer"]),
        ("Jaar", metadata["boekjaar"]),
        ("Periode", metadata["periode"]),
    ]
    if metadata["overheidslaag"] != "Provincie":
        rows.append(("Status", metadata["status"]))
    rows += [
        ("", None),
        ("Contactpersoon", None),
        ("Naam: ", contact["naam"]),
        ("Telefoon: ", contact["telefoon"]),
        ("E-mail: ", contact["email"]),
        ("Datum: ", _local_time(metadata["datum"])),
    ]
    for offset, (label, value) in enumerate(rows):
        sheet.cell(4 + offset, 2, label or None)
        sheet.cell(4 + offset, 3, value)

    start = 6 + len(rows)
    sheet.cell(start, 2, "Ruimte voor toelichting (bijvoorbeeld bij grijze cellen):")
    remarks = [remark["tekst"] for remark in submission.get("opmerkingen", [])]
    for offset, text in enumerate(remarks):
        sheet.cell(start + 1 + offset, 2, text)
    sheet.cell(start + len(remarks) + 3, 2, "Boekwinst/verlies bij verkoop van activa")


def _local_time(datum: str) -> datetime:
    """What a Dutch sender types: the date and time in Dutch time, no offset."""
    moment = datetime.fromisoformat(datum).astimezone(ZoneInfo("Europe/Amsterdam"))
    return moment.replace(tzinfo=None)


class _Matrix:
    """Sheet 5 or 6: taakvelden and balance codes × categories, with totals."""

    def __init__(
        self,
        name: str,
        lists: Lists,
        data: dict[str, Any],
        fill_zeros: bool,
        balance_header: bool,
    ) -> None:
        self.name = name
        self.lists = lists
        self.data = data
        self.fill_zeros = fill_zeros
        self.balance_header = balance_header

    def write(
        self,
        model: ModelWorkbook,
        part: str,
        balance_part: str,
        side: frozenset[str],
    ) -> None:
        sheet = model.workbook.create_sheet(self.name)
        sheet["A1"] = f"{self.name.split('.', 1)[1]} {self.lists.codes.year}"
        sheet["A2"] = "Bedragen x € 1.000"
        rows = _cells(self.data.get(part, []), "taakveld", "categorie")
        balance = _cells(self.data.get(balance_part, []), "balanscode", "categorie")
        categories = _with_extra(
            [code for code in self.lists.leaves("categorie") if code in side],
            [code for _, code in (*rows, *balance)],
        )
        model.rows[self.name] = {}

        columns = self._header(sheet, _HEADER_ROW, categories)
        model.columns[self.name] = columns
        next_row = self._taakvelden(sheet, model, rows, columns)
        sheet.cell(next_row + 1, 1, "Balansmutaties")
        if self.balance_header:
            columns = self._header(sheet, next_row + 2, categories[::-1])
            next_row += 2
        self._balance(sheet, model, balance, columns, next_row + 2)

    def _header(
        self, sheet: Worksheet, row: int, categories: list[str]
    ) -> dict[str, int]:
        """Codes in the header row, labels below it, "Totaal" last."""
        sheet.cell(row, 1, "Taakveld / balanscode")
        sheet.cell(row, 2, "Omschrijving")
        columns = {}
        for offset, code in enumerate(categories):
            column = _FIRST_COLUMN + offset
            sheet.cell(row, column, code)
            sheet.cell(row + 1, column, self.lists.label("categorie", code))
            columns[code] = column
        total = _FIRST_COLUMN + len(categories)
        sheet.cell(row, total, "Totaal")
        sheet.cell(row + 1, total, "Totaal")
        return columns

    def _taakvelden(
        self,
        sheet: Worksheet,
        model: ModelWorkbook,
        amounts: dict[tuple[str, str], Any],
        columns: dict[str, int],
    ) -> int:
        """Taakvelden under a heading per hoofdgroep, then the Totaal row."""
        codes = _with_extra(
            self.lists.leaves("taakveld"), [code for code, _ in amounts]
        )
        row = _FIRST_ROW
        first = row
        group = None
        for code in codes:
            heading = code.split(".")[0] + "."
            if heading != group and self.lists.codes.iri("taakveld", heading):
                sheet.cell(row, 1, heading)
                sheet.cell(row, 2, self.lists.label("taakveld", heading))
                group, row = heading, row + 1
            self._amount_row(sheet, row, code, "taakveld", amounts, columns)
            model.rows[self.name][code] = row
            row += 1
        _total_row(sheet, row, first, columns, "Totaal taakvelden")
        return row + 1

    def _balance(
        self,
        sheet: Worksheet,
        model: ModelWorkbook,
        amounts: dict[tuple[str, str], Any],
        columns: dict[str, int],
        row: int,
    ) -> None:
        first = row
        codes = _with_extra(
            self.lists.leaves("balanscode"), [code for code, _ in amounts]
        )
        for code in codes:
            self._amount_row(sheet, row, code, "balanscode", amounts, columns)
            model.rows[self.name][code] = row
            row += 1
        _total_row(sheet, row, first, columns, "Totaal balansmutaties")

    def _amount_row(
        self,
        sheet: Worksheet,
        row: int,
        code: str,
        list_slug: str,
        amounts: dict[tuple[str, str], Any],
        columns: dict[str, int],
    ) -> None:
        sheet.cell(row, 1, code)
        sheet.cell(row, 2, self.lists.label(list_slug, code))
        total: Any = 0
        for category, column in columns.items():
            amount = amounts.get((code, category))
            if amount is None and self.fill_zeros:
                amount = 0
            sheet.cell(row, column, amount)
            total += amount or 0
        sheet.cell(row, max(columns.values()) + 1, total)


def _standen(
    model: ModelWorkbook, lists: Lists, rows: list[dict[str, Any]], fill_zeros: bool
) -> None:
    """Balance codes × begin and ultimo columns, and a Totaal row."""
    sheet = model.workbook.create_sheet(STANDEN)
    sheet["A1"] = f"Balansstanden {lists.codes.year}"
    amounts = _cells(rows, "balanscode", "standper")
    standper = _with_extra(["1 januari", "ultimo"], [code for _, code in amounts])
    sheet.cell(_HEADER_ROW, 1, "Balanscode")
    sheet.cell(_HEADER_ROW, 2, "Omschrijving")
    columns = {}
    for offset, code in enumerate(standper):
        sheet.cell(_HEADER_ROW, _FIRST_COLUMN + offset, code)
        columns[code] = _FIRST_COLUMN + offset
    model.columns[STANDEN] = columns
    model.rows[STANDEN] = {}

    codes = _with_extra(lists.leaves("balanscode"), [code for code, _ in amounts])
    row = _FIRST_ROW
    for code in codes:
        sheet.cell(row, 1, code)
        sheet.cell(row, 2, lists.label("balanscode", code))
        for period, column in columns.items():
            amount = amounts.get((code, period))
            sheet.cell(row, column, 0 if amount is None and fill_zeros else amount)
        model.rows[STANDEN][code] = row
        row += 1
    _total_row(sheet, row, _FIRST_ROW, columns, "Totaal balans")


def _indicators(
    model: ModelWorkbook,
    name: str,
    list_slug: str,
    lists: Lists,
    rows: list[dict[str, Any]],
) -> None:
    """Sheet 11 or 12: rows and columns named by description, values as numbers."""
    sheet = model.workbook.create_sheet(name)
    sheet["A1"] = name.split(".", 1)[1]
    values = {(row[list_slug], row["verslagperiode"]): row["waarde"] for row in rows}
    periods = _with_extra(
        lists.leaves("verslagperiode"), [period for _, period in values]
    )
    columns = {}
    for offset, period in enumerate(periods):
        column = 2 + offset
        sheet.cell(_HEADER_ROW, column, lists.label("verslagperiode", period) or period)
        columns[period] = column
    model.columns[name] = columns
    model.rows[name] = {}

    codes = _with_extra(lists.leaves(list_slug), [code for code, _ in values])
    for offset, code in enumerate(codes):
        row = _FIRST_ROW + offset
        sheet.cell(row, 1, lists.label(list_slug, code) or code)
        for period, column in columns.items():
            _indicator_cell(sheet.cell(row, column), values.get((code, period)))
        model.rows[name][code] = row


def _indicator_cell(cell: Any, value: str | None) -> None:
    """A value such as ``"42,5"`` as the number 42.5 shown with one decimal."""
    if value is None:
        return
    number = re.fullmatch(r"-?\d+(?:,(\d+))?", value)
    if number is None:
        cell.value = value
        return
    cell.value = float(value.replace(",", "."))
    decimals = len(number.group(1) or "")
    cell.number_format = "0." + "0" * decimals if decimals else "0"


def _cells(
    rows: Iterable[dict[str, Any]], row_key: str, column_key: str
) -> dict[tuple[str, str], Any]:
    """One amount per cell: detail rows of the same cell summed."""
    amounts: dict[tuple[str, str], Any] = {}
    for row in rows:
        key = (row[row_key], row[column_key])
        amounts[key] = amounts.get(key, 0) + row["bedrag"]
    return amounts


def _with_extra(known: list[str], used: Iterable[str]) -> list[str]:
    """The list's codes, then codes the submission uses that the list lacks."""
    extra = sorted({code for code in used if code not in known}, key=natural_order)
    return known + extra


def _total_row(
    sheet: Worksheet, row: int, first: int, columns: dict[str, int], label: str
) -> None:
    """A Totaal row holding the column sums, as the model computes them."""
    sheet.cell(row, 1, "Totaal")
    sheet.cell(row, 2, label)
    for column in [*columns.values(), max(columns.values()) + 1]:
        values = (sheet.cell(at, column).value for at in range(first, row))
        sheet.cell(row, column, sum(v for v in values if isinstance(v, int | float)))
