"""Reading an Iv3 submission in the CBS JSON format (schema 2.1 and older spellings).

This module only reads and normalises: it decodes the bytes (UTF-8, or Latin-1 with a
warning, as older files exist), parses the JSON with exact decimals, maps the spellings
of format 1.0 files (string ``boekjaar``/``periode``, ``e-mail``, ``mail``,
``telefoonnr``) to 2.1 with a warning, and decides which CBS definitions apply. Whether
the content is right is for the SHACL shapes to say; only what makes a file unreadable
raises an :class:`~iv3ld.errors.InputError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from iv3ld.codelists import CodeIndex, code_index, layer_slug
from iv3ld.errors import FileTooLargeError, InputError, NotJsonError

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file iv3ld reads: 50 MiB, ten times a full jaarrekening with details."""

PARTS = (
    "lasten",
    "baten",
    "balans_lasten",
    "balans_baten",
    "balans_standen",
    "kengetallen",
    "beleidsindicatoren",
)
REQUIRED_PARTS = PARTS[:5]

_CONTACT_SPELLINGS = {"e-mail": "email", "mail": "email", "telefoonnr": "telefoon"}


@dataclass
class Submission:
    """A CBS JSON submission, parsed and normalised, with what was corrected."""

    source: str
    content: dict[str, Any]
    codes: CodeIndex
    warnings: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> dict[str, Any]:
        """The ``metadata`` object."""
        value = self.content.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def year(self) -> int:
        """The boekjaar."""
        return self.codes.year


def decode(raw: bytes, source: str, warnings: list[str]) -> str:
    """Decode file bytes: UTF-8 (with or without BOM), else Latin-1 with a warning."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        warnings.append(
            f"file is not UTF-8 (byte {error.start}); read as Latin-1 (ISO-8859-1)"
        )
        return raw.decode("latin-1")


def parse_json(text: str, source: str) -> Any:
    """Parse JSON with exact decimals; raise NotJsonError saying where it breaks."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise NotJsonError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
            source=source,
            code="SF999",
        ) from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a file, refusing one over the size limit before reading it whole."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise FileTooLargeError(
                f"file is {size:,} bytes; the limit is {limit:,} bytes",
                source=str(path),
            )
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read file: {error.strerror}", source=str(path)
        ) from None


def from_content(content: Any, source: str, warnings: list[str]) -> Submission:
    """Normalise a parsed CBS JSON document and find its code lists.

    Raises InputError when the document is not an object, has no usable metadata,
    or names an overheidslaag or boekjaar that CBS published no definitions for.
    """
    if not isinstance(content, dict):
        raise InputError(
            "the file must hold a JSON object", source=source, code="SF999"
        )

    metadata = _required_metadata(content, source)
    _normalise_numbers(metadata, warnings)
    _normalise_contact(content, warnings)
    _check_parts(content, source)

    layer = layer_slug(_text(metadata.get("overheidslaag")), source)
    year = _year(metadata.get("boekjaar"), source)
    codes = code_index(layer, year, source)
    return Submission(source, content, codes, warnings)


def _required_metadata(content: dict[str, Any], source: str) -> dict[str, Any]:
    metadata = content.get("metadata")
    if not isinstance(metadata, dict):
        raise InputError(
            "the required object 'metadata' is missing",
            source=source,
            pointer="/metadata",
            code="SF001",
        )
    return metadata


def _normalise_numbers(metadata: dict[str, Any], warnings: list[str]) -> None:
    for key in ("boekjaar", "periode"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            metadata[key] = int(value.strip())
            warnings.append(
                f"metadata.{key} is the string {value!r}; read as the number "
                f"{metadata[key]} (format 1.0 spelling)"
            )


def _normalise_contact(content: dict[str, Any], warnings: list[str]) -> None:
    contact = content.get("contact")
    if not isinstance(contact, dict):
        return
    for old, new in _CONTACT_SPELLINGS.items():
        if old in contact and new not in contact:
            contact[new] = contact.pop(old)
            warnings.append(f"contact.{old} read as contact.{new} (older spelling)")


def _check_parts(content: dict[str, Any], source: str) -> None:
    data = content.get("data")
    if data is None:
        return
    if not isinstance(data, dict):
        raise InputError("'data' must be an object", source=source, pointer="/data")
    for part in PARTS:
        if part in data and not isinstance(data[part], list):
            raise InputError(
                f"'{part}' must be a list of rows",
                source=source,
                pointer=f"/data/{part}",
                code="SF016",
            )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _year(value: Any, source: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise InputError(
        f"metadata.boekjaar must be a year such as 2025, not {_text(value)}",
        source=source,
        pointer="/metadata/boekjaar",
        code="SF004",
    )
