"""Reading the CBS Iv3 Excel model: round trips, cell rules, refusals and the CLI."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iv3ld.cli import EXIT_NOT_CONFORMING, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, main
from iv3ld.errors import FileTooLargeError, WorkbookError
from iv3ld.loading import load_path, load_workbook
from iv3ld.submission import PARTS
from iv3ld.validation import validate
from iv3ld.workbook import MAX_UNPACKED_BYTES, read_workbook
from tests.conftest import EXAMPLES, load_fixture
from tests.workbooks import (
    BATEN,
    INDICATOREN,
    INFORMATION,
    KENGETALLEN,
    LASTEN,
    STANDEN,
    ModelWorkbook,
    build_model,
)

_MEASURES = ("bedrag", "waarde")


def _example(name: str) -> dict[str, Any]:
    content: dict[str, Any] = json.loads((EXAMPLES / name).read_text("utf-8"))
    return content


def _read(model: ModelWorkbook, submission: dict[str, Any]) -> dict[str, Any]:
    """Read a built model back, with the metadata the workbook cannot hold."""
    metadata = submission["metadata"]
    return read_workbook(
        model.to_bytes(),
        "model.xlsx",
        details_public=metadata["details_openbaar"],
        financial_package=metadata["financieel_pakket"],
        export_software=metadata["export_software"],
    )


def _as_matrix(submission: dict[str, Any]) -> dict[str, Any]:
    """What a workbook can hold of a submission: one amount per cell, no details,
    remarks without author, rows in a fixed order, empty optional parts dropped."""
    expected = copy.deepcopy(submission)
    remarks = [{"tekst": remark["tekst"]} for remark in submission["opmerkingen"]]
    expected["opmerkingen"] = remarks
    data = {}
    for part in PARTS:
        rows = submission["data"].get(part)
        if rows or (rows is not None and part in PARTS[:5]):
            data[part] = _cells(rows)
    expected["data"] = data
    return expected


def _cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows summed per cell (amounts) or kept (kengetal values), in a fixed order."""
    summed: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(
            sorted((k, v) for k, v in row.items() if k not in (*_MEASURES, "details"))
        )
        cell = summed.setdefault(key, dict(key))
        if "bedrag" in row:
            cell["bedrag"] = cell.get("bedrag", 0) + row["bedrag"]
        else:
            cell["waarde"] = row["waarde"]
    return sorted(summed.values(), key=lambda cell: json.dumps(cell, sort_keys=True))


def _sorted(content: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(content)
    result["data"] = {part: _cells(rows) for part, rows in content["data"].items()}
    return result


def _fixtures() -> list[Any]:
    return [
        pytest.param(load_fixture("klein-2025.json"), id="klein-2025"),
        pytest.param(_example("amsterdam-jaarrekening-2023.json"), id="amsterdam-2023"),
        pytest.param(_example("zuid-holland-begroting-2026.json"), id="zuid-holland"),
    ]


@pytest.mark.parametrize("submission", _fixtures())
def test_round_trip_json_workbook_json(submission: dict[str, Any]) -> None:
    result = _read(build_model(submission), submission)

    assert _sorted(result) == _as_matrix(submission)
    assert list(result["metadata"]) == list(submission["metadata"])


def test_amsterdam_detail_rows_arrive_as_one_amount_per_cell() -> None:
    submission = _example("amsterdam-jaarrekening-2023.json")
    details = [row for row in submission["data"]["lasten"] if "details" in row]
    cell = (details[0]["taakveld"], details[0]["categorie"])
    total = sum(
        row["bedrag"]
        for row in submission["data"]["lasten"]
        if (row["taakveld"], row["categorie"]) == cell
    )

    result = _read(build_model(submission), submission)

    read = [
        row
        for row in result["data"]["lasten"]
        if (row["taakveld"], row["categorie"]) == cell
    ]
    assert read == [{"taakveld": cell[0], "categorie": cell[1], "bedrag": total}]


def test_codes_stay_strings_as_in_the_code_list() -> None:
    submission = load_fixture("klein-2025.json")

    result = _read(build_model(submission), submission)

    taakvelden = {row["taakveld"] for row in result["data"]["lasten"]}
    assert "0.10" in taakvelden and "0.1" in taakvelden
    assert all(isinstance(row["bedrag"], int) for row in result["data"]["lasten"])


def test_zero_cells_are_skipped() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission, fill_zeros=True)
    assert model.cell(LASTEN, "0.2", "1.1").value == 0

    result = _read(model, submission)

    amounts = [row["bedrag"] for part in PARTS[:5] for row in result["data"][part]]
    assert 0 not in amounts
    assert _sorted(result) == _as_matrix(submission)


def test_the_2026_model_has_no_sheet_12() -> None:
    submission = _example("zuid-holland-begroting-2026.json")
    model = build_model(submission)
    assert INDICATOREN not in model.workbook.sheetnames

    result = _read(model, submission)

    assert "beleidsindicatoren" not in result["data"]
    assert len(result["data"]["kengetallen"]) == 6
    assert result["metadata"]["overheidslaag"] == "Provincie"
    assert result["metadata"]["status"] == "Begroting"
    assert result["metadata"]["datum"] == "2025-11-10T11:00:00+01:00"


def test_a_gemeente_2026_model_without_sheet_12_validates() -> None:
    submission = load_fixture("klein-2025.json")
    submission["metadata"]["boekjaar"] = 2026
    del submission["data"]["beleidsindicatoren"]
    submission["data"]["kengetallen"][0]["verslagperiode"] = "Rek_2026"
    model = build_model(submission)

    result = _read(model, submission)
    report = validate(load_workbook(model.to_bytes(), "model.xlsx"))

    assert INDICATOREN not in model.workbook.sheetnames
    assert set(result["data"]) == set(PARTS[:6])
    assert _sorted(result) == _as_matrix(submission)
    assert report.conforms, [finding.code for finding in report.results]


def test_balance_section_with_its_own_header_row() -> None:
    submission = _example("amsterdam-jaarrekening-2023.json")

    result = _read(build_model(submission, balance_header=True), submission)

    assert _sorted(result) == _as_matrix(submission)


def test_each_row_names_the_cell_it_came_from() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    cells: dict[str, str] = {}

    result = read_workbook(model.to_bytes(), "model.xlsx", cells=cells)

    index = next(
        number
        for number, row in enumerate(result["data"]["balans_standen"])
        if row == {"balanscode": "P111", "standper": "ultimo", "bedrag": 60020}
    )
    coordinate = model.cell(STANDEN, "P111", "ultimo").coordinate
    assert cells[f"/data/balans_standen/{index}"] == f"{STANDEN}!{coordinate}"


def test_a_code_stored_as_a_number_is_read_as_its_code() -> None:
    submission = load_fixture("klein-2025.json")
    submission["data"]["lasten"].append(
        {"taakveld": "6.60", "categorie": "3.8", "bedrag": 7}
    )
    model = build_model(submission)
    model.code_cell(LASTEN, "7.2").value = 7.2
    model.code_cell(LASTEN, "6.60").value = 6.6
    model.header_cell(LASTEN, "1.1").value = 1.1

    result = _read(model, submission)

    assert _sorted(result) == _as_matrix(submission)


def test_a_number_that_could_be_two_codes_is_refused() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    cell = model.code_cell(LASTEN, "0.10")
    cell.value = 0.1

    with pytest.raises(WorkbookError) as raised:
        read_workbook(model.to_bytes(), "model.xlsx")

    assert raised.value.cell == f"{LASTEN}!{cell.coordinate}"
    assert f"{LASTEN}!{cell.coordinate} holds the number 0.1" in str(raised.value)
    assert "0.1 or 0.10" in str(raised.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("honderd", "holds the text 'honderd', not an amount"),
        ("#DIV/0!", "holds the Excel error #DIV/0!, not a number"),
        (True, "holds the truth value TRUE, not a number"),
    ],
)
def test_an_amount_cell_that_is_no_number_names_the_cell(
    value: Any, message: str
) -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    cell = model.cell(LASTEN, "0.1", "1.1")
    cell.value = value

    with pytest.raises(WorkbookError) as raised:
        read_workbook(model.to_bytes(), "model.xlsx")

    assert str(raised.value) == f"model.xlsx: {LASTEN}!{cell.coordinate} {message}"
    assert re.search(r"![A-Z]+\d+ ", str(raised.value))


def test_whole_numbers_typed_as_text_are_amounts() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    model.cell(BATEN, "0.7", "4.3.1").value = " 185 "

    result = _read(model, submission)

    assert _sorted(result) == _as_matrix(submission)


def test_a_formula_without_a_stored_value_is_refused() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    cell = model.cell(LASTEN, "0.5", "5.1")
    cell.value = "=5+5"

    with pytest.raises(WorkbookError, match="never calculated") as raised:
        read_workbook(model.to_bytes(), "model.xlsx")

    assert raised.value.cell == f"{LASTEN}!{cell.coordinate}"


def test_subtotals_of_group_rows_are_not_read() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    group_row = model.rows[LASTEN]["0.1"] - 1
    sheet = model.sheet(LASTEN)
    assert sheet.cell(group_row, 1).value == "0."
    sheet.cell(group_row, model.columns[LASTEN]["1.1"], 100)

    result = _read(model, submission)

    assert _sorted(result) == _as_matrix(submission)


def test_numbers_in_a_column_without_a_code_give_a_warning() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    sheet = model.sheet(LASTEN)
    column = sheet.max_column + 1
    sheet.cell(3, column, "Controle")
    sheet.cell(model.rows[LASTEN]["0.1"], column, 1)
    warnings: list[str] = []

    result = read_workbook(model.to_bytes(), "model.xlsx", warnings)

    assert len(result["data"]["lasten"]) == 5
    assert warnings == [
        f"{LASTEN}!{sheet.cell(3, column).coordinate}: the column 'Controle' has no "
        "code; its numbers are not read"
    ]


def test_an_unknown_code_is_read_for_validation_to_judge() -> None:
    submission = load_fixture("klein-2025.json")
    submission["data"]["lasten"][3]["taakveld"] = "6.6"

    result = _read(build_model(submission), submission)

    assert {"taakveld": "6.6", "categorie": "3.8", "bedrag": 50} in result["data"][
        "lasten"
    ]


def test_percentages_and_decimals_of_kengetallen_are_read_as_shown() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    cell = model.cell(KENGETALLEN, "fk.1", "Rek_2025")
    cell.value = 0.425
    cell.number_format = "0.0%"
    model.cell(KENGETALLEN, "fk.2", "Rek_2025").value = 0
    model.cell(KENGETALLEN, "fk.3", "Rek_2025").value = "n.v.t."

    result = _read(model, submission)

    assert result["data"]["kengetallen"] == [
        {"kengetal": "fk.1", "verslagperiode": "Rek_2025", "waarde": "42,5"},
        {"kengetal": "fk.2", "verslagperiode": "Rek_2025", "waarde": "0"},
        {"kengetal": "fk.3", "verslagperiode": "Rek_2025", "waarde": "n.v.t."},
    ]


def test_numbers_in_information_get_back_their_leading_zeros() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    sheet = model.sheet(INFORMATION)
    sheet["C6"] = 999
    sheet["C13"] = 101234567
    warnings: list[str] = []

    result = read_workbook(model.to_bytes(), "model.xlsx", warnings)

    assert result["metadata"]["overheidsnummer"] == "0999"
    assert result["contact"]["telefoon"] == "0101234567"
    assert warnings == [
        f"{INFORMATION}!C6 holds the number 999; read as overheidsnummer 0999",
        f"{INFORMATION}!C13 holds the number 101234567; read as 0101234567",
    ]


def test_datum_typed_as_dutch_text_is_read_in_dutch_time() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    model.sheet(INFORMATION)["C15"] = "15-1-2026"

    result = read_workbook(model.to_bytes(), "model.xlsx")

    assert result["metadata"]["datum"] == "2026-01-15T00:00:00+01:00"


def test_without_datum_the_time_the_workbook_was_saved_is_used() -> None:
    submission = load_fixture("klein-2025.json")
    model = build_model(submission)
    model.sheet(INFORMATION)["C15"] = None
    warnings: list[str] = []

    result = read_workbook(model.to_bytes(), "model.xlsx", warnings)

    assert "no 'Datum:'" in warnings[0] and result["metadata"]["datum"] in warnings[0]


def test_a_missing_sheet_is_named() -> None:
    model = build_model(load_fixture("klein-2025.json"))
    del model.workbook[BATEN]

    with pytest.raises(WorkbookError, match=f"the sheet '{BATEN}' of the CBS Iv3"):
        read_workbook(model.to_bytes(), "model.xlsx")


def test_a_matrix_without_category_codes_is_refused() -> None:
    model = build_model(load_fixture("klein-2025.json"))
    sheet = model.sheet(LASTEN)
    for cell in sheet[3]:
        cell.value = None

    with pytest.raises(WorkbookError, match="has no header row with categorie codes"):
        read_workbook(model.to_bytes(), "model.xlsx")


def test_a_label_missing_from_informatie_is_named() -> None:
    model = build_model(load_fixture("klein-2025.json"))
    model.sheet(INFORMATION)["B7"] = "Boekjaar"

    with pytest.raises(WorkbookError, match="has no label 'Jaar'"):
        read_workbook(model.to_bytes(), "model.xlsx")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"metadata": {}}', id="json"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), id="xls"),
        pytest.param(b"PK\x03\x04 broken", id="broken-zip"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(raw: bytes) -> None:
    with pytest.raises(WorkbookError, match=r"not an Excel workbook \(\.xlsx\)"):
        read_workbook(raw, "model.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    with pytest.raises(WorkbookError, match="not a readable Excel workbook"):
        read_workbook(buffer.getvalue(), "letter.docx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = BytesIO()
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
            member.write(chunk)
    assert len(buffer.getvalue()) < 1 << 20

    with pytest.raises(FileTooLargeError, match="unpacks to"):
        read_workbook(buffer.getvalue(), "bomb.xlsx")


def test_warnings_of_openpyxl_are_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    submission = load_fixture("klein-2025.json")
    raw = _without_styles(build_model(submission).to_bytes())

    with caplog.at_level("DEBUG", logger="iv3ld.workbook"):
        result = _read_bytes(raw, submission)

    assert _sorted(result) == _as_matrix(submission)
    assert "no default style" in caplog.text


def _without_styles(raw: bytes) -> bytes:
    """The workbook without named styles, which makes openpyxl warn."""
    source = zipfile.ZipFile(BytesIO(raw))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/styles.xml":
                data = re.sub(rb"<cellStyles .*?</cellStyles>", b"", data)
            archive.writestr(name, data)
    return buffer.getvalue()


def _read_bytes(raw: bytes, submission: dict[str, Any]) -> dict[str, Any]:
    metadata = submission["metadata"]
    return read_workbook(
        raw,
        "model.xlsx",
        details_public=metadata["details_openbaar"],
        financial_package=metadata["financieel_pakket"],
        export_software=metadata["export_software"],
    )


def test_load_path_reads_a_workbook_as_its_cbs_json(tmp_path: Path) -> None:
    submission = load_fixture("klein-2025.json")
    path = build_model(submission).save(tmp_path / "model.xlsx")

    loaded = load_path(path)

    assert loaded.version.endswith("/GM0999/2025/5/20260701t080000z")
    assert loaded.pointers and all(
        pointer.startswith(("5.", "6.", "7.", "11.", "12."))
        for pointer in loaded.pointers.values()
    )


# The command line on workbooks


def _run(*arguments: str) -> Any:
    return CliRunner().invoke(main, list(arguments))


def _saved(tmp_path: Path, submission: dict[str, Any]) -> Path:
    return build_model(submission).save(tmp_path / "model.xlsx")


def test_convert_writes_cbs_json_for_a_workbook_by_default(tmp_path: Path) -> None:
    submission = load_fixture("klein-2025.json")
    path = _saved(tmp_path, submission)

    result = _run("convert", str(path))

    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.output) == read_workbook(path)
    assert result.output.startswith('{\n  "metadata": {\n')


def test_convert_a_workbook_to_turtle(tmp_path: Path) -> None:
    path = _saved(tmp_path, load_fixture("klein-2025.json"))

    result = _run("convert", "--to", "turtle", str(path))

    assert result.exit_code == EXIT_OK, result.output
    assert "iv3:Aanleveringsversie" in result.output


def test_convert_to_json_needs_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(load_fixture("klein-2025.json")), encoding="utf-8")

    result = _run("convert", "--to", "json", str(path))

    assert result.exit_code == EXIT_USAGE
    assert "needs an Excel workbook" in result.output


def test_json_input_still_converts_to_jsonld_by_default(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(load_fixture("klein-2025.json")), encoding="utf-8")

    result = _run("convert", str(path))

    assert result.exit_code == EXIT_OK, result.output
    assert "@context" in json.loads(result.output)


def test_validate_a_conforming_workbook_exits_0(tmp_path: Path) -> None:
    result = _run("validate", str(_saved(tmp_path, load_fixture("klein-2025.json"))))

    assert result.exit_code == EXIT_OK, result.output
    assert "voldoet (0 fouten" in result.output


def test_validate_names_the_cell_of_a_finding(tmp_path: Path) -> None:
    submission = load_fixture("klein-2025.json")
    submission["data"]["lasten"][3]["taakveld"] = "6.6"
    model = build_model(submission)
    cell = model.cell(LASTEN, "6.6", "3.8").coordinate

    result = _run("validate", "--lang", "en", str(model.save(tmp_path / "m.xlsx")))

    assert result.exit_code == EXIT_NOT_CONFORMING, result.output
    assert f"At {LASTEN}!{cell} the code 6.6 is not allowed as taakveld" in (
        result.output
    )


def test_validate_a_workbook_that_does_not_balance_exits_1(tmp_path: Path) -> None:
    submission = load_fixture("klein-2025.json")
    submission["data"]["lasten"][0]["bedrag"] = 500

    result = _run("validate", "--format", "json", str(_saved(tmp_path, submission)))

    assert result.exit_code == EXIT_NOT_CONFORMING
    codes = {finding["code"] for finding in json.loads(result.output)["results"]}
    assert "PF006" in codes


@pytest.mark.parametrize("damage", ["not-a-workbook", "missing-sheet", "bad-cell"])
def test_validate_an_unreadable_workbook_exits_3(tmp_path: Path, damage: str) -> None:
    model = build_model(load_fixture("klein-2025.json"))
    path = tmp_path / "model.xlsx"
    if damage == "not-a-workbook":
        path.write_text("nee", encoding="utf-8")
    else:
        if damage == "missing-sheet":
            del model.workbook[STANDEN]
        else:
            model.cell(LASTEN, "0.1", "1.1").value = "veel"
        model.save(path)

    result = _run("validate", str(path))

    assert result.exit_code == EXIT_UNREADABLE
    assert result.output.startswith(f"error: {path}: ")
    assert "Traceback" not in result.output
