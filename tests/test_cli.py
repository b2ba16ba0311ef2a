"""The command line: exit codes, output formats and messages without tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import SH

from iv3ld.cli import EXIT_NOT_CONFORMING, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, main


def _write(tmp_path: Path, content: dict[str, Any], name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _run(*arguments: str) -> Any:
    return CliRunner().invoke(main, list(arguments))


def test_conforming_file_exits_0(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    result = _run("validate", str(_write(tmp_path, small_submission)))

    assert result.exit_code == EXIT_OK, result.output
    assert "voldoet (0 fouten" in result.output


def test_non_conforming_file_exits_1_with_codes_and_pointers(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    small_submission["data"]["lasten"][3]["taakveld"] = "6.6"

    result = _run("validate", "--lang", "en", str(_write(tmp_path, small_submission)))

    assert result.exit_code == EXIT_NOT_CONFORMING
    assert "DF001" in result.output
    assert "/data/lasten/3" in result.output
    assert "the code 6.6 is not allowed as taakveld" in result.output


def test_json_format(tmp_path: Path, small_submission: dict[str, Any]) -> None:
    small_submission["data"]["lasten"][3]["categorie"] = "3.7"

    result = _run(
        "validate", "--format", "json", str(_write(tmp_path, small_submission))
    )

    report = json.loads(result.output)
    assert report["conforms"] is False
    finding = next(item for item in report["results"] if item["code"] == "DF002")
    assert finding["severity"] == "Violation"
    assert finding["pointer"] == "/data/lasten/3"
    assert finding["value"] == "3.7"
    assert finding["focus"].endswith("/lasten/7-2/onbekend-3.7") or finding["focus"]
    assert set(finding) >= {"code", "severity", "message", "pointer", "focus", "value"}


@pytest.mark.parametrize("rdf_format", ["turtle", "json-ld"])
def test_rdf_formats_print_a_shacl_report(
    tmp_path: Path, small_submission: dict[str, Any], rdf_format: str
) -> None:
    small_submission["contact"]["email"] = "nee"

    result = _run(
        "validate", "--format", rdf_format, str(_write(tmp_path, small_submission))
    )

    parser_format = (
        ox.RdfFormat.TURTLE if rdf_format == "turtle" else ox.RdfFormat.JSON_LD
    )
    quads = list(ox.parse(result.output.encode(), format=parser_format))
    predicates = {quad.predicate.value for quad in quads}
    assert str(SH.conforms) in predicates and str(SH.resultMessage) in predicates
    codes = {
        quad.object.value
        for quad in quads
        if quad.predicate.value.endswith("#foutcode")
    }
    assert codes == {"SF008"}


def test_invalid_json_exits_3_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"metadata": {', encoding="utf-8")

    result = _run("validate", str(path))

    assert result.exit_code == EXIT_UNREADABLE
    assert "not valid JSON" in result.output and "line 1 column 15" in result.output
    assert "Traceback" not in result.output


def test_unknown_boekjaar_exits_3(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    small_submission["metadata"]["boekjaar"] = 2031

    result = _run("validate", str(_write(tmp_path, small_submission)))

    assert result.exit_code == EXIT_UNREADABLE
    assert "SF888" in result.output and "boekjaar 2031" in result.output


def test_latin1_file_is_read_with_a_warning(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    small_submission["metadata"]["financieel_pakket"] = "Key2Financiën"
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(small_submission, ensure_ascii=False).encode("latin-1"))

    result = _run("validate", str(path))

    assert result.exit_code == EXIT_OK
    assert "read as Latin-1" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("validate").exit_code == EXIT_USAGE
    assert _run("validate", str(tmp_path / "missing.json")).exit_code == EXIT_USAGE
    assert _run("validate", "--format", "xml", "x").exit_code == EXIT_USAGE


def test_one_unreadable_file_among_good_ones_exits_3(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    good = _write(tmp_path, small_submission)
    bad = tmp_path / "bad.json"
    bad.write_text("nee", encoding="utf-8")

    result = _run("validate", str(good), str(bad))

    assert result.exit_code == EXIT_UNREADABLE
    assert "voldoet" in result.output


@pytest.mark.parametrize(
    ("target", "parse_format"),
    [("turtle", "turtle"), ("nquads", "nquads"), ("jsonld", "json-ld")],
)
def test_convert_outputs_parse(
    tmp_path: Path, small_submission: dict[str, Any], target: str, parse_format: str
) -> None:
    result = _run("convert", "--to", target, str(_write(tmp_path, small_submission)))

    assert result.exit_code == EXIT_OK, result.output
    if target == "jsonld":
        document = json.loads(result.output)
        assert document["metadata"] == small_submission["metadata"] | {
            "datum": "2026-07-01T10:00:00+02:00"
        }
        assert document["@id"].endswith("/GM0999/2025/5/20260701t080000z")
    else:
        graph = Graph()
        graph.parse(
            data=result.output, format="nt" if target == "nquads" else parse_format
        )
        assert len(graph) > 100


def test_installed_command_runs() -> None:
    beside_python = Path(sys.executable).parent / "iv3ld"
    command = str(beside_python) if beside_python.exists() else shutil.which("iv3ld")
    if command is None:
        pytest.skip("iv3ld is not installed as a command")

    completed = subprocess.run(
        [command, "--version"], capture_output=True, text=True, check=True
    )

    assert completed.stdout.startswith("iv3ld, version")
