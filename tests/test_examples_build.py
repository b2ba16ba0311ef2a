"""Tests of ``scripts/build_examples.py`` and the example files it writes.

The Amsterdam totals are compared with the real CSV read here independently of the
script. Skipped when the shared data directory (``../shared/data``) is missing.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
EXAMPLES = REPOSITORY / "examples"
REAL_FIGURES = (
    DATA_DIR / "real" / "bzk_iv3_gemeenten_2023_jaarrekening_per_taakveld.csv"
)

AMSTERDAM = "amsterdam-jaarrekening-2023.json"
INVALID = "ongeldig-gemeente-2025.json"
EXAMPLE_FILES = (
    AMSTERDAM,
    "zuid-holland-begroting-2026.json",
    "gr-veiligheidsregio-jaarrekening-2024.json",
    INVALID,
)
METADATA_KEYS = (
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
CONTACT_KEYS = ("naam", "email", "telefoon")
DATA_KEYS = ("lasten", "baten", "balans_lasten", "balans_baten", "balans_standen")

pytestmark = pytest.mark.skipif(
    not DATA_DIR.is_dir(), reason=f"shared data not found at {DATA_DIR}"
)


@pytest.fixture(scope="module")
def build_examples() -> ModuleType:
    """The script imported as a module (``scripts/`` is not a package)."""
    path = REPOSITORY / "scripts" / "build_examples.py"
    spec = importlib.util.spec_from_file_location("build_examples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def load_example(name: str) -> dict[str, Any]:
    """A committed example file, parsed."""
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text("utf-8"))
    return document


def thousands(text: str) -> int:
    """A CSV amount (float in thousands, may be empty) rounded to an integer."""
    return round(float(text)) if text.strip() else 0


def row_sum(rows: list[dict[str, Any]], taakveld: str, categorie: str = "") -> int:
    """Sum of the rows of one taakveld, optionally of one category."""
    return sum(
        row["bedrag"]
        for row in rows
        if row["taakveld"] == taakveld and categorie in ("", row["categorie"])
    )


def test_amsterdam_totals_equal_real_figures() -> None:
    data = load_example(AMSTERDAM)["data"]
    with REAL_FIGURES.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        rows = [row for row in reader if row["Gemeenten"] == "Amsterdam"]
    salary_column = next(name for name in rows[0] if name.startswith("L1.1"))

    assert len(rows) == 71
    for row in rows:
        code = row["Taakveld"].split(" ", 1)[0]
        assert row_sum(data["lasten"], code) == thousands(row["Lasten"]), code
        assert row_sum(data["baten"], code) == thousands(row["Baten"]), code
        salaries = row_sum(data["lasten"], code, "1.1")
        assert salaries == thousands(row[salary_column]), code


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_json_with_required_keys(name: str) -> None:
    document = load_example(name)

    assert {"metadata", "contact", "data"} <= document.keys()
    assert all(key in document["metadata"] for key in METADATA_KEYS)
    assert all(document["contact"].get(key) for key in CONTACT_KEYS)
    assert all(isinstance(document["data"].get(key), list) for key in DATA_KEYS)


def test_amsterdam_metadata() -> None:
    meta = load_example(AMSTERDAM)["metadata"]

    assert meta["overheidsnummer"] == "0363"
    assert (meta["boekjaar"], meta["periode"], meta["status"]) == (
        2023,
        5,
        "Realisatie",
    )
    assert meta["datum"].startswith("2024-")
    assert meta["details_openbaar"] is True


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_build_is_deterministic(build_examples: ModuleType, name: str) -> None:
    assert build_examples.EXAMPLES[name](DATA_DIR) == load_example(name)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_self_check_of_committed_file(build_examples: ModuleType, name: str) -> None:
    report = build_examples.check_document(load_example(name), DATA_DIR)

    if name == INVALID:
        build_examples.require_defects(name, report)
    else:
        build_examples.require_valid(name, report)


def test_build_jaarrekening_pads_with_detail_rows(build_examples: ModuleType) -> None:
    document = build_examples.build_jaarrekening("GM0599", DATA_DIR, detail_rows=3000)
    rows = document["data"]["lasten"] + document["data"]["baten"]

    assert len(rows) >= 3000
    assert document["metadata"]["overheidsnaam"] == "Rotterdam"
    assert sum("details" in row for row in rows) > 3000


def test_build_jaarrekening_rejects_unknown_statcode(
    build_examples: ModuleType,
) -> None:
    with pytest.raises(ValueError, match="GM9999"):
        build_examples.build_jaarrekening("GM9999", DATA_DIR)
