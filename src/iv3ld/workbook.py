"""The CBS Iv3 model: the Excel workbook in which governments fill in their Iv3 return.

:func:`read_workbook` reads the workbook into the CBS JSON submission format (schema
2.1), the form the rest of iv3ld reads, so that a workbook is checked and converted
exactly as the JSON it stands for. The layout follows the CBS model and what CBS's
own Excel→JSON converter (``statistiekcbs/makenjsonbestand``, v2025) reads:

==============================  =======================================================
sheet                           CBS JSON
==============================  =======================================================
``4.Informatie``                ``metadata``, ``contact``, ``opmerkingen``
``5.Verdelingsmatrix lasten``   ``lasten`` (taakveld rows), ``balans_lasten`` (balance)
``6.Verdelingsmatrix baten``    ``baten``, ``balans_baten``
``7.Balansstanden``             ``balans_standen`` (standper columns)
``11.Financiële kengetallen``   ``kengetallen`` (optional; not in every model)
``12.Beleidsindicatoren``       ``beleidsindicatoren`` (optional; gone from 2026)
==============================  =======================================================

Row ranges move from year to year, so nothing is found by position:

- ``4.Informatie`` holds a label (``Jaar``, ``Naam:`` …) with its value in the cell to
  the right; the remarks are the cells below "Ruimte voor toelichting", up to
  "Boekwinst/verlies".
- On a matrix sheet the code column is the column holding most codes of the row lists
  (taakveld and balanscode), and a header row is a row holding codes of the column
  list (categorie, standper, verslagperiode). Every row below a header row whose code
  cell holds a code, or text shaped like one (``6.6``), is data; so is every column of
  the header row. Other rows and columns (headings, labels, "Totaal") are layout, and
  group codes (``0.``, ``A1``, ``LR``) are subtotals: neither is read. On sheets 11
  and 12, which name kengetallen and periods by their description, the code list's
  labels count as codes.
- Empty cells are skipped, and so are zero amounts, as CBS's converter does; a
  kengetal or indicator of 0 is kept, as it is a value. An amount is taken as it
  stands: the model is in thousands of euros, which is iv3ld's default ``--unit``.
- A code that Excel turned into a number (0.1) is read back as the one code of the
  list it can stand for; when it could be two (``0.1`` or ``0.10``) the cell is refused.

The workbook does not hold ``details_openbaar``, ``financieel_pakket`` or
``export_software``; CBS's converter asks for them, and :func:`read_workbook` takes
them as arguments.

A workbook is refused before openpyxl opens it when it is over the size limit of JSON
files, or unpacks to more than :data:`MAX_UNPACKED_BYTES` (a zip bomb): Python's
``zipfile`` never inflates a member beyond its declared size.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from warnings import catch_warnings, simplefilter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from iv3ld import __version__
from iv3ld.codelists import CodeIndex, code_index, layer_slug
from iv3ld.errors import ConfigurationError, FileTooLargeError, WorkbookError
from iv3ld.identifiers import LAYER_SLUGS
from iv3ld.loading import ZIP_MAGIC
from iv3ld.submission import MAX_FILE_BYTES, read_bytes

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

logger = logging.getLogger(__name__)

MAX_UNPACKED_BYTES = 4 * MAX_FILE_BYTES
"""Largest unpacked size of a workbook; a real Iv3 model unpacks to a few MB."""

MAX_MEMBERS = 10_000
"""Most files a workbook archive may hold; a real Iv3 model has a few dozen."""

UNKNOWN_PACKAGE = "onbekend"
"""``financieel_pakket`` when the caller does not say which package made the figures."""

EXPORT_SOFTWARE = f"iv3ld {__version__}"
"""``export_software`` by default: iv3ld wrote the JSON."""

INFORMATION_SHEET = "4.Informatie"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_NOT_XLSX = (
    "not an Excel workbook (.xlsx); an .xls file of Excel 97–2003 or a workbook "
    "with a password cannot be read: save it as .xlsx without a password"
)
_ZONE = "Europe/Amsterdam"
_UNREADABLE = (
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
    SyntaxError,
    zipfile.BadZipFile,
)
"""What openpyxl raises on a damaged or foreign file; lxml's errors are SyntaxErrors.

openpyxl's own InvalidFileException is added where a workbook is opened: openpyxl
is imported only when a workbook is read, since it costs more start-up time than
the rest of the command.
"""

_INFORMATION_LABELS = {
    "overheidslaag": "overheidslaag",
    "naam": "overheidsnaam",
    "nummer": "overheidsnummer",
    "jaar": "boekjaar",
    "periode": "periode",
    "status": "status",
    "naam:": "naam",
    "telefoon:": "telefoon",
    "e-mail:": "email",
    "datum:": "datum",
}
"""Label in ``4.Informatie`` (normalised) → key; the contact labels end in a colon."""

_REMARKS_START = "ruimte voor toelichting"
_REMARKS_END = "boekwinst/verlies"

_CODE_SHAPES = {
    "taakveld": re.compile(r"^\d{1,2}\.\d{1,3}[a-z]?$", re.IGNORECASE),
    "categorie": re.compile(r"^\d\.\d(\.\d)?\.?$"),
    "balanscode": re.compile(r"^[AP]\d{1,4}[a-z]?$", re.IGNORECASE),
    "standper": re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"),
    "kengetal": re.compile(r"^fk\.\d+$", re.IGNORECASE),
    "beleidsindicator": re.compile(r"^bi\.\d+$", re.IGNORECASE),
    "verslagperiode": re.compile(r"^(Rek|Beg|MJR)_\d{4}$", re.IGNORECASE),
}
"""Text that is a code of the list, known or not: unknown ones go on to validation."""

_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
_DECIMALS = re.compile(r"0\.(0+)")


@dataclass(frozen=True)
class SheetLayout:
    """One matrix sheet of the model and the parts of the CBS JSON it feeds."""

    name: str
    parts: tuple[tuple[str, str], ...]
    """(row code list, JSON part) in the order the sections come on the sheet."""
    column_list: str
    required: bool = True
    indicators: bool = False
    """Kengetallen and beleidsindicatoren: named by code or label, values are text."""

    @property
    def measure(self) -> str:
        """The JSON key of a cell's value."""
        return "waarde" if self.indicators else "bedrag"


SHEET_LAYOUTS = (
    SheetLayout(
        "5.Verdelingsmatrix lasten",
        (("taakveld", "lasten"), ("balanscode", "balans_lasten")),
        "categorie",
    ),
    SheetLayout(
        "6.Verdelingsmatrix baten",
        (("taakveld", "baten"), ("balanscode", "balans_baten")),
        "categorie",
    ),
    SheetLayout("7.Balansstanden", (("balanscode", "balans_standen"),), "standper"),
    SheetLayout(
        "11.Financiële kengetallen",
        (("kengetal", "kengetallen"),),
        "verslagperiode",
        required=False,
        indicators=True,
    ),
    SheetLayout(
        "12.Beleidsindicatoren",
        (("beleidsindicator", "beleidsindicatoren"),),
        "verslagperiode",
        required=False,
        indicators=True,
    ),
)


@dataclass(frozen=True)
class Cell:
    """What openpyxl read from one cell."""

    value: Any
    data_type: str
    number_format: str


@dataclass
class Grid:
    """The filled cells of one sheet by (row, column), both counted from 1."""

    title: str
    cells: dict[tuple[int, int], Cell]
    uncalculated: frozenset[tuple[int, int]] = frozenset()
    """Cells holding a formula whose value Excel never stored."""

    def get(self, row: int, column: int) -> Cell | None:
        """The cell at a position, or None when it is empty."""
        return self.cells.get((row, column))

    def where(self, row: int, column: int) -> str:
        """The cell as Excel names it: ``5.Verdelingsmatrix lasten!F23``."""
        from openpyxl.utils import get_column_letter

        return f"{self.title}!{get_column_letter(column)}{row}"

    def rows(self) -> list[int]:
        """The numbers of the rows that hold something, top to bottom."""
        return sorted({row for row, _ in self.cells})

    def in_row(self, row: int) -> list[tuple[int, Cell]]:
        """The filled cells of one row, left to right."""
        return sorted(
            (column, cell) for (at, column), cell in self.cells.items() if at == row
        )


@dataclass(frozen=True)
class Code:
    """A code found in a code cell or header cell."""

    text: str
    list_slug: str | None
    """The list it belongs to, or None for text shaped like a code of no list."""
    group: bool = False


class Axis:
    """The codes that the rows or the columns of a sheet hold, and how to spot them."""

    def __init__(
        self, codes: CodeIndex, list_slugs: tuple[str, ...], by_label: bool
    ) -> None:
        self.list_slugs = list_slugs
        self.by_key: dict[str, set[Code]] = {}
        for list_slug in list_slugs:
            self._add_list(codes, list_slug, by_label)

    def _add_list(self, codes: CodeIndex, list_slug: str, by_label: bool) -> None:
        labels: dict[str, list[Code]] = {}
        for notation, iri in codes.codes[list_slug].items():
            code = Code(notation, list_slug, codes.is_group(iri))
            self.by_key.setdefault(_key(notation), set()).add(code)
            label = codes.labels.get(iri)
            if label:
                labels.setdefault(_key(label), []).append(code)
        if by_label:
            for key, named in labels.items():
                if len(named) == 1:
                    self.by_key.setdefault(key, set()).add(named[0])

    def candidates(self, value: Any) -> list[Code]:
        """The codes of the lists a cell value can stand for."""
        if value is None or isinstance(value, bool):
            return []
        if isinstance(value, int | float):
            return self._numeric(value)
        if isinstance(value, datetime | date):
            return self._lookup(f"{value.day}-{value.month}-{value.year}")
        if isinstance(value, str):
            return self._lookup(value)
        return []

    def identify(self, cell: Cell | None, where: str, source: str) -> Code | None:
        """The code a code or header cell holds; None for layout (labels, "Totaal").

        Raises WorkbookError for a number that can stand for two codes.
        """
        if cell is None:
            return None
        found = self.candidates(cell.value)
        if len(found) > 1:
            raise WorkbookError(
                _ambiguous(cell.value, found, where), source=source, cell=where
            )
        if found:
            return found[0]
        text = _text(cell.value)
        if any(_CODE_SHAPES[slug].match(text) for slug in self.list_slugs):
            return Code(text, None)
        return None

    def _lookup(self, text: str) -> list[Code]:
        return sorted(self.by_key.get(_key(text), ()), key=lambda code: code.text)

    def _numeric(self, number: float) -> list[Code]:
        """A number Excel made of a code: 0.1 may have been ``0.1`` or ``0.10``."""
        if isinstance(number, float) and not math.isfinite(number):
            return []
        text = _number_text(number)
        spellings = [text]
        if "." in text:
            spellings += [text + "0" * zeros for zeros in (1, 2, 3)]
        found = {code for spelling in spellings for code in self._lookup(spelling)}
        return sorted(found, key=lambda code: code.text)


def read_workbook(
    data: bytes | Path,
    source: str | None = None,
    warnings: list[str] | None = None,
    cells: dict[str, str] | None = None,
    *,
    details_public: bool = False,
    financial_package: str = UNKNOWN_PACKAGE,
    export_software: str = EXPORT_SOFTWARE,
) -> dict[str, Any]:
    """Read a CBS Iv3 model (.xlsx bytes or path) into CBS JSON (schema 2.1).

    ``warnings`` collects what was read with a correction or left out; ``cells`` maps
    the JSON pointer of every data row (``/data/lasten/3``) to the cell it came from,
    so that findings can name the cell. The three keyword arguments fill the metadata
    keys that the workbook does not hold.

    Raises FileTooLargeError over the size limits, WorkbookError when the file is not
    an Iv3 model or a cell cannot be read, UnsupportedSubmissionError when CBS has no
    definitions for the overheidslaag and boekjaar (their codes find the rows).
    """
    raw, source = _raw(data, source)
    notes = warnings if warnings is not None else []
    origins = cells if cells is not None else {}
    grids, modified = _read_grids(raw, source)

    information = _information_grid(grids, source)
    values = _labelled(information)
    metadata = _metadata(values, information, source, notes, modified)
    metadata["details_openbaar"] = details_public
    metadata["financieel_pakket"] = financial_package
    metadata["export_software"] = export_software
    codes = code_index(
        layer_slug(metadata["overheidslaag"], source), metadata["boekjaar"], source
    )

    content: dict[str, Any] = {
        "metadata": _ordered_metadata(metadata),
        "contact": _contact(values, information, source, notes),
    }
    remarks = _remarks(information)
    if remarks:
        content["opmerkingen"] = remarks
    content["data"] = _data(grids, codes, source, notes, origins)
    logger.info(
        "%s: read the Iv3 model of %s, %s rows",
        source,
        metadata["overheidsnaam"],
        sum(len(rows) for rows in content["data"].values()),
    )
    return content


def _raw(data: bytes | Path, source: str | None) -> tuple[bytes, str]:
    if isinstance(data, Path):
        return read_bytes(data), source or str(data)
    source = source or "workbook"
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLargeError(
            f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes",
            source=source,
        )
    return data, source


def _read_grids(raw: bytes, source: str) -> tuple[dict[str, Grid], datetime | None]:
    """The sheets iv3ld reads, by normalised name, and when the file was last saved.

    openpyxl warns about parts of a workbook it drops (data validation, styles); they
    carry nothing iv3ld reads, so its warnings are logged at DEBUG instead of raised.
    ``catch_warnings`` changes process-wide state: one reader at a time per process.
    """
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(raw, source)
    wanted = {_key(layout.name) for layout in SHEET_LAYOUTS} | {_key(INFORMATION_SHEET)}
    with catch_warnings(record=True) as caught:
        simplefilter("always")
        try:
            grids, modified = _grids(raw, wanted)
        except (*_UNREADABLE, InvalidFileException) as error:
            raise WorkbookError(
                "a zip file, but not a readable Excel workbook "
                f"({type(error).__name__}: {error}); save it from Excel as .xlsx",
                source=source,
            ) from None
    for warning in caught:
        logger.debug("%s: openpyxl: %s", source, warning.message)
    return grids, modified


def _check_archive(raw: bytes, source: str) -> None:
    """Refuse what is not a zip, and a zip that unpacks to too much."""
    if raw.startswith(_OLE_MAGIC) or not raw.startswith(ZIP_MAGIC):
        raise WorkbookError(_NOT_XLSX, source=source)
    try:
        with zipfile.ZipFile(BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise WorkbookError(_NOT_XLSX, source=source) from None

    if len(members) > MAX_MEMBERS:
        raise WorkbookError(
            f"the archive holds {len(members):,} files; a workbook holds at most "
            f"{MAX_MEMBERS:,}",
            source=source,
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileTooLargeError(
            f"the workbook unpacks to {unpacked:,} bytes; the limit is "
            f"{MAX_UNPACKED_BYTES:,} bytes",
            source=source,
        )


def _grids(raw: bytes, wanted: set[str]) -> tuple[dict[str, Grid], datetime | None]:
    import openpyxl

    values = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=False)
    try:
        grids = {}
        for title in values.sheetnames:
            if _key(title) in wanted:
                grids[_key(title)] = _grid(values, formulas, title)
        return grids, values.properties.modified
    finally:
        values.close()
        formulas.close()


def _grid(values: Workbook, formulas: Workbook, title: str) -> Grid:
    """One sheet's filled cells, and the formulas among them without a value."""
    stored = dict(_stored_cells(values, title))
    uncalculated = frozenset(
        position
        for position, cell in _stored_cells(formulas, title)
        if cell.data_type == "f" and position not in stored
    )
    filled = {
        position: cell for position, cell in stored.items() if not _is_blank(cell.value)
    }
    return Grid(title, filled, uncalculated)


def _stored_cells(
    workbook: Workbook, title: str
) -> Iterator[tuple[tuple[int, int], Cell]]:
    """The cells with a value (text, number, formula); a formula's "" counts."""
    sheet = workbook[title]
    sheet.reset_dimensions()
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                position = (cell.row, cell.column)
                yield position, Cell(cell.value, cell.data_type, cell.number_format)


def _information_grid(grids: dict[str, Grid], source: str) -> Grid:
    grid = grids.get(_key(INFORMATION_SHEET))
    if grid is None:
        raise _missing_sheet(INFORMATION_SHEET, grids, source)
    return grid


def _missing_sheet(name: str, grids: dict[str, Grid], source: str) -> WorkbookError:
    found = ", ".join(repr(grid.title) for grid in grids.values()) or "none of them"
    return WorkbookError(
        f"the sheet {name!r} of the CBS Iv3 model is missing (sheets read: {found})",
        source=source,
    )


# 4.Informatie: metadata, contact, remarks


@dataclass(frozen=True)
class Labelled:
    """The value beside a label in ``4.Informatie`` and where it is."""

    cell: Cell | None
    where: str


def _labelled(grid: Grid) -> dict[str, Labelled]:
    """Each known label's value cell (the cell to its right); the first one counts."""
    found: dict[str, Labelled] = {}
    for (row, column), cell in sorted(grid.cells.items()):
        key = _INFORMATION_LABELS.get(_key(_text(cell.value)))
        if key and key not in found:
            found[key] = Labelled(
                grid.get(row, column + 1), grid.where(row, column + 1)
            )
    return found


def _metadata(
    values: dict[str, Labelled],
    grid: Grid,
    source: str,
    notes: list[str],
    modified: datetime | None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    metadata["overheidslaag"] = _layer(values.get("overheidslaag"))
    metadata["overheidsnummer"] = _number_code(
        _required(values, "overheidsnummer", "Nummer", grid, source),
        metadata["overheidslaag"],
        notes,
    )
    metadata["overheidsnaam"] = _text(
        _required(values, "overheidsnaam", "Naam", grid, source).cell
    )
    metadata["boekjaar"] = _whole_number(
        _required(values, "boekjaar", "Jaar", grid, source), "boekjaar", source
    )
    metadata["periode"] = _whole_number(
        _required(values, "periode", "Periode", grid, source), "periode", source
    )

    status = values.get("status")
    metadata["status"] = _text(status.cell) if status and status.cell else None
    if not metadata["status"]:
        metadata["status"] = "Begroting" if metadata["periode"] == 0 else "Realisatie"
    metadata["datum"] = _datum(values.get("datum"), modified, grid, source, notes)
    return metadata


def _ordered_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata keys in the order of the schema and CBS's examples."""
    order = (
        "overheidslaag",
        "overheidsnummer",
        "overheidsnaam",
        "boekjaar",
        "periode",
        "status",
        "datum",
        "details_openbaar",
        "financieel_pakket",
        "export_software",
    )
    return {key: metadata[key] for key in order}


def _required(
    values: dict[str, Labelled], key: str, label: str, grid: Grid, source: str
) -> Labelled:
    if key not in values:
        raise WorkbookError(
            f"the sheet {grid.title!r} has no label {label!r} (in the cell left of "
            f"its value); is this the CBS Iv3 model?",
            source=source,
        )
    return values[key]


def _layer(value: Labelled | None) -> str:
    """The overheidslaag; the provincie model has no such label (CBS's rule)."""
    text = _text(value.cell) if value and value.cell else ""
    if not text:
        return "Provincie"
    spellings = {name.casefold(): name for name in LAYER_SLUGS}
    spellings["gemeenschappelijke regeling"] = "GR"
    return spellings.get(text.casefold(), text)


def _number_code(value: Labelled, layer: str, notes: list[str]) -> str:
    """The overheidsnummer as text, with the leading zeros Excel drops from numbers."""
    text = _text(value.cell)
    if value.cell is None or not isinstance(value.cell.value, int | float):
        return text
    width = {"Gemeente": 4, "Provincie": 2}.get(layer, 0)
    padded = text.zfill(width)
    if padded != text:
        notes.append(
            f"{value.where} holds the number {text}; read as overheidsnummer {padded}"
        )
    return padded


def _whole_number(value: Labelled, key: str, source: str) -> int:
    cell = value.cell
    text = _text(cell)
    if cell is not None and isinstance(cell.value, float) and cell.value.is_integer():
        return int(cell.value)
    if not _INTEGER_TEXT.match(text):
        shown = f"the value {text!r}" if text else "nothing"
        raise WorkbookError(
            f"{value.where} holds {shown}; {key} must be a whole number",
            source=source,
            cell=value.where,
        )
    return int(text)


def _datum(
    value: Labelled | None,
    modified: datetime | None,
    grid: Grid,
    source: str,
    notes: list[str],
) -> str:
    """``Datum:`` as an ISO date-time in Dutch time; else when the file was saved."""
    if value is not None and value.cell is not None:
        return _moment(value.cell.value, value.where, source).isoformat()
    if modified is not None:
        moment = modified.replace(tzinfo=UTC).astimezone(_zone())
        notes.append(
            f"the sheet {grid.title!r} has no 'Datum:'; metadata.datum is when the "
            f"workbook was last saved, {moment.isoformat()}"
        )
        return moment.isoformat()
    raise WorkbookError(
        f"the sheet {grid.title!r} has no 'Datum:' and the workbook does not say when "
        "it was saved; fill in the date",
        source=source,
    )


def _moment(value: Any, where: str, source: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        moment = _parse_moment(_text(value), where, source)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment.replace(microsecond=0)


def _parse_moment(text: str, where: str, source: str) -> datetime:
    """A date typed as text: ``dd-mm-jjjj`` (with a time or not) or ISO 8601."""
    dutch = re.match(
        r"^(\d{1,2})-(\d{1,2})-(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$", text
    )
    try:
        if dutch:
            day, month, year, hour, minute, second = dutch.groups()
            return datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
            )
        return datetime.fromisoformat(text)
    except ValueError:
        raise WorkbookError(
            f"{where} holds {text!r}, which is not a date; write it as dd-mm-jjjj",
            source=source,
            cell=where,
        ) from None


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(_ZONE)
    except ZoneInfoNotFoundError:
        raise ConfigurationError(
            f"the time zone {_ZONE} is unknown to this Python; install tzdata"
        ) from None


def _contact(
    values: dict[str, Labelled], grid: Grid, source: str, notes: list[str]
) -> dict[str, str]:
    return {
        "naam": _text(_required(values, "naam", "Naam:", grid, source).cell),
        "email": _text(_required(values, "email", "E-mail:", grid, source).cell),
        "telefoon": _phone(
            _required(values, "telefoon", "Telefoon:", grid, source), notes
        ),
    }


def _phone(value: Labelled, notes: list[str]) -> str:
    """A phone number; Excel drops the 0 of a Dutch number typed as a number."""
    text = _text(value.cell)
    if value.cell is None or not isinstance(value.cell.value, int | float):
        return text
    if len(text) == 9:
        notes.append(f"{value.where} holds the number {text}; read as 0{text}")
        return f"0{text}"
    return text


def _remarks(grid: Grid) -> list[dict[str, str]]:
    """The texts below "Ruimte voor toelichting", up to "Boekwinst/verlies"."""
    start = next(
        (
            position
            for position, cell in sorted(grid.cells.items())
            if _REMARKS_START in _key(_text(cell.value))
        ),
        None,
    )
    if start is None:
        return []

    remarks = []
    row, column = start
    for below in (at for at in grid.rows() if at > row):
        text = _text(grid.get(below, column))
        if _REMARKS_END in _key(text):
            break
        if text:
            remarks.append({"tekst": text})
    return remarks


# Matrix sheets: lasten, baten, balansmutaties, balansstanden, kengetallen


@dataclass
class Reading:
    """The state of reading one workbook's data parts."""

    codes: CodeIndex
    source: str
    notes: list[str]
    origins: dict[str, str]
    data: dict[str, list[dict[str, Any]]]


def _data(
    grids: dict[str, Grid],
    codes: CodeIndex,
    source: str,
    notes: list[str],
    origins: dict[str, str],
) -> dict[str, list[dict[str, Any]]]:
    reading = Reading(codes, source, notes, origins, {})
    for layout in SHEET_LAYOUTS:
        if layout.required:
            for _, part in layout.parts:
                reading.data[part] = []

    for layout in SHEET_LAYOUTS:
        grid = grids.get(_key(layout.name))
        if grid is None and layout.required:
            raise _missing_sheet(layout.name, grids, source)
        if grid is not None:
            _read_sheet(grid, layout, reading)
    return reading.data


def _read_sheet(grid: Grid, layout: SheetLayout, reading: Reading) -> None:
    row_lists = tuple(list_slug for list_slug, _ in layout.parts)
    rows = Axis(reading.codes, row_lists, layout.indicators)
    columns = Axis(reading.codes, (layout.column_list,), layout.indicators)

    code_column = _code_column(grid, rows)
    headers = _header_rows(grid, columns, rows, code_column)
    if code_column is None or not headers:
        _no_layout(grid, layout, rows, columns, code_column, reading)
        return

    for part in dict(layout.parts).values():
        reading.data.setdefault(part, [])
    ends = [*headers[1:], max(grid.rows()) + 1]
    for header, end in zip(headers, ends, strict=True):
        data_columns = _data_columns(grid, header, code_column, columns, reading)
        section = range(header + 1, end)
        _read_section(grid, layout, section, code_column, data_columns, rows, reading)


def _no_layout(
    grid: Grid,
    layout: SheetLayout,
    rows: Axis,
    columns: Axis,
    code_column: int | None,
    reading: Reading,
) -> None:
    """A sheet without codes: an error for sheets 5–7, a warning for 11 and 12."""
    if code_column is None:
        missing = f"no column with {' or '.join(rows.list_slugs)} codes"
    else:
        missing = f"no header row with {columns.list_slugs[0]} codes"
    if layout.required:
        raise WorkbookError(
            f"the sheet {grid.title!r} has {missing}; is this the CBS Iv3 model?",
            source=reading.source,
        )
    reading.notes.append(
        f"the sheet {grid.title!r} has {missing}; "
        f"{', '.join(dict(layout.parts).values())} not read"
    )


def _code_column(grid: Grid, rows: Axis) -> int | None:
    """The column holding most codes of the row lists; the leftmost on a tie."""
    counts: dict[int, int] = {}
    for (_, column), cell in grid.cells.items():
        if rows.candidates(cell.value):
            counts[column] = counts.get(column, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda column: (-counts[column], column))


def _header_rows(
    grid: Grid, columns: Axis, rows: Axis, code_column: int | None
) -> list[int]:
    """Rows holding at least half as many column codes as the fullest row does.

    The code column and the rows it names are data, never a header, although a
    taakveld (1.1) can look like a category.
    """
    data_rows = {
        row
        for (row, column), cell in grid.cells.items()
        if column == code_column and rows.candidates(cell.value)
    }
    counts: dict[int, int] = {}
    for (row, column), cell in grid.cells.items():
        if column == code_column or row in data_rows:
            continue
        if columns.candidates(cell.value):
            counts[row] = counts.get(row, 0) + 1
    if not counts:
        return []
    threshold = (max(counts.values()) + 1) // 2
    return sorted(row for row, count in counts.items() if count >= threshold)


def _data_columns(
    grid: Grid, header: int, code_column: int, columns: Axis, reading: Reading
) -> list[tuple[int, Code]]:
    found = []
    for column, cell in grid.in_row(header):
        if column == code_column:
            continue
        code = columns.identify(cell, grid.where(header, column), reading.source)
        if code is None:
            _warn_unread_column(grid, header, column, reading)
        elif not code.group:
            found.append((column, code))
    return found


def _read_section(
    grid: Grid,
    layout: SheetLayout,
    section: range,
    code_column: int,
    data_columns: list[tuple[int, Code]],
    rows: Axis,
    reading: Reading,
) -> None:
    parts = dict(layout.parts)
    part = layout.parts[0][1]
    for row in (at for at in grid.rows() if at in section):
        where = grid.where(row, code_column)
        code = rows.identify(grid.get(row, code_column), where, reading.source)
        if code is None:
            _warn_unread_row(grid, row, code_column, data_columns, reading)
            continue
        if code.group:
            continue
        part = parts.get(code.list_slug or "", part)
        for column, column_code in data_columns:
            _read_cell(grid, layout, part, (row, column), code, column_code, reading)


def _read_cell(
    grid: Grid,
    layout: SheetLayout,
    part: str,
    position: tuple[int, int],
    row_code: Code,
    column_code: Code,
    reading: Reading,
) -> None:
    where = grid.where(*position)
    if position in grid.uncalculated:
        raise WorkbookError(
            f"{where} holds a formula whose value was never calculated; open the "
            "workbook in Excel and save it, so that the values are stored",
            source=reading.source,
            cell=where,
        )
    cell = grid.get(*position)
    if cell is None:
        return
    read = _indicator_value if layout.indicators else _amount
    value = read(cell, where, reading.source)
    if value is None:
        return

    rows = reading.data[part]
    row_key = next(list_slug for list_slug, name in layout.parts if name == part)
    reading.origins[f"/data/{part}/{len(rows)}"] = where
    rows.append(
        {
            row_key: row_code.text,
            layout.column_list: column_code.text,
            layout.measure: value,
        }
    )


def _warn_unread_row(
    grid: Grid,
    row: int,
    code_column: int,
    data_columns: list[tuple[int, Code]],
    reading: Reading,
) -> None:
    """Say so when a row that is not data holds numbers, unless it is a total."""
    texts = [_key(_text(cell.value)) for _, cell in grid.in_row(row)]
    if any("totaal" in text for text in texts):
        return
    if any(_is_number(grid.get(row, column)) for column, _ in data_columns):
        shown = _text(grid.get(row, code_column)) or "(empty)"
        reading.notes.append(
            f"{grid.where(row, code_column)}: the row {shown!r} has no code; its "
            "numbers are not read"
        )


def _warn_unread_column(grid: Grid, header: int, column: int, reading: Reading) -> None:
    """Say so when a column that is not data holds numbers, unless it is a total."""
    in_column = [cell for (_, at), cell in grid.cells.items() if at == column]
    if any("totaal" in _key(_text(cell.value)) for cell in in_column):
        return
    below = [
        cell for (row, at), cell in grid.cells.items() if at == column and row > header
    ]
    if any(_is_number(cell) for cell in below):
        shown = _text(grid.get(header, column))
        reading.notes.append(
            f"{grid.where(header, column)}: the column {shown!r} has no code; its "
            "numbers are not read"
        )


# Cell values


def _amount(cell: Cell, where: str, source: str) -> int | float | None:
    """An amount as a JSON number; None for an empty or zero cell."""
    value = _number(cell, where, source)
    if isinstance(value, str):
        raise WorkbookError(
            f"{where} holds the text {value!r}, not an amount",
            source=source,
            cell=where,
        )
    if value is None or value == 0:
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _indicator_value(cell: Cell, where: str, source: str) -> str | None:
    """A kengetal or indicator as the text the cell shows, with a decimal comma.

    Unlike an amount, a zero is kept: a ratio of 0 is a value, not a blank.
    """
    value = _number(cell, where, source)
    if value is None or isinstance(value, str):
        return value or None

    section = cell.number_format.split(";")[0]
    if "%" in section:
        value = value * 100
    decimals = _DECIMALS.search(section)
    if decimals:
        text = f"{value:.{len(decimals.group(1))}f}"
    else:
        text = _number_text(round(value, 10))
    return text.replace(".", ",")


def _number(cell: Cell, where: str, source: str) -> int | float | str | None:
    """A cell's number, or its text when it holds text; None when empty.

    Raises WorkbookError for what is neither: an Excel error, TRUE/FALSE, a date.
    """
    value = cell.value
    problem = None
    if cell.data_type == "e":
        problem = f"the Excel error {value}"
    elif isinstance(value, bool):
        problem = f"the truth value {str(value).upper()}"
    elif isinstance(value, datetime | date | time | timedelta):
        problem = f"the date or time {value}"
    elif isinstance(value, float) and not math.isfinite(value):
        problem = f"the number {value}"
    if problem:
        raise WorkbookError(
            f"{where} holds {problem}, not a number", source=source, cell=where
        )

    if isinstance(value, int | float):
        return value
    text = _text(value)
    if _INTEGER_TEXT.match(text):
        return int(text)
    return text or None


def _is_number(cell: Cell | None) -> bool:
    return (
        cell is not None
        and isinstance(cell.value, int | float)
        and not isinstance(cell.value, bool)
        and cell.value != 0
    )


# Text


def _text(value: Any) -> str:
    """A cell value as stripped text; numbers without a spurious ``.0``."""
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _number_text(number: float) -> str:
    """The shortest text of a number: 7.0 → ``7``, 0.1 → ``0.1``."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return repr(number) if isinstance(number, float) else str(number)


def _key(text: str) -> str:
    """Text compared loosely: accents, case and spacing ignored.

    A trailing dot is dropped too, so that ``4.6.6`` finds the ``4.6.6.`` of the
    provincie 2026 definitions.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split()).removesuffix(".") or plain.strip()


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _ambiguous(value: Any, found: list[Code], where: str) -> str:
    options = " or ".join(code.text for code in found)
    return (
        f"{where} holds the number {_text(value)}, which could be the code {options}; "
        "format the cell as text and type the code"
    )


__all__ = [
    "EXPORT_SOFTWARE",
    "MAX_UNPACKED_BYTES",
    "UNKNOWN_PACKAGE",
    "read_workbook",
]
