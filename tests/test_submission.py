"""Reading CBS JSON: encodings, older spellings and input that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iv3ld.errors import FileTooLargeError, InputError, NotJsonError
from iv3ld.submission import from_content, parse_json, read_bytes


def test_invalid_json_says_where(tmp_path: Path) -> None:
    with pytest.raises(NotJsonError, match="line 3 column 5"):
        parse_json('{\n  "a": 1,\n    }', "broken.json")


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2048)

    with pytest.raises(FileTooLargeError, match="limit is 1,024 bytes"):
        read_bytes(path, limit=1024)


def test_string_boekjaar_and_periode_are_read_with_a_warning(
    small_submission: dict[str, Any],
) -> None:
    small_submission["metadata"]["boekjaar"] = "2025"
    small_submission["metadata"]["periode"] = "5"
    warnings: list[str] = []

    submission = from_content(small_submission, "old.json", warnings)

    assert submission.year == 2025
    assert submission.metadata["periode"] == 5
    assert len(warnings) == 2 and "format 1.0" in warnings[0]


@pytest.mark.parametrize("old", ["e-mail", "mail"])
def test_older_email_spellings_are_mapped(
    small_submission: dict[str, Any], old: str
) -> None:
    contact = small_submission["contact"]
    contact[old] = contact.pop("email")
    warnings: list[str] = []

    submission = from_content(small_submission, "old.json", warnings)

    assert submission.content["contact"]["email"] == "iv3@kleindorp.nl"
    assert warnings == [f"contact.{old} read as contact.email (older spelling)"]


def test_telefoonnr_is_mapped(small_submission: dict[str, Any]) -> None:
    contact = small_submission["contact"]
    contact["telefoonnr"] = contact.pop("telefoon")

    submission = from_content(small_submission, "old.json", [])

    assert submission.content["contact"]["telefoon"] == "0101234567"


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        (lambda c: c.pop("metadata"), "SF001", "'metadata' is missing"),
        (
            lambda c: c["metadata"].update(overheidslaag="Waterschap"),
            "SF888",
            "unknown overheidslaag",
        ),
        (lambda c: c["metadata"].update(boekjaar=2016), "SF888", "no CBS definitions"),
        (
            lambda c: c["metadata"].update(overheidslaag="Provincie", boekjaar=2017),
            "SF888",
            "2018–2026",
        ),
        (
            lambda c: c["metadata"].update(boekjaar="volgend jaar"),
            "SF004",
            "must be a year",
        ),
        (lambda c: c["data"].update(lasten={}), "SF016", "must be a list"),
    ],
)
def test_unreadable_submissions_raise_input_errors(
    small_submission: dict[str, Any], change: Any, code: str, text: str
) -> None:
    change(small_submission)

    with pytest.raises(InputError) as raised:
        from_content(small_submission, "bad.json", [])

    assert raised.value.code == code
    assert text in str(raised.value)


def test_a_json_array_is_not_a_submission() -> None:
    with pytest.raises(InputError, match="JSON object"):
        from_content(json.loads("[1, 2]"), "list.json", [])
