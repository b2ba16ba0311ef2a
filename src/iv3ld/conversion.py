"""Turning a CBS submission into linked data: the JSON-LD document and its triples.

The JSON-LD document *is* the submission: the same keys and nesting, plus an
``@context``, an ``@id`` for the submission version and for every row, a ``@type`` and a
``dataset`` link per row, and an ``@included`` list that describes the submission and
one ``qb:DataSet`` per part (lasten, baten, balans_lasten …) with its data structure
definition and dataset-level dimensions. Any JSON-LD 1.1 processor reads it into the
same triples; iv3ld itself parses it with pyoxigraph, so plain CBS JSON and the JSON-LD
written from it give one graph by construction.

Rows that repeat a cell (same codes in one part) become one observation that holds
the sum; each of those rows, and every row with a ``details`` object, is kept as a
``iv3:Detailregel`` linked to its cell, with its row number.

Changes to values, all so that every processor yields the same literals: amounts are
written in canonical decimal form (a string amount stays a string, which the shapes
reject); kengetal values with a decimal comma (``"5,5"``) become ``5.5``; ``datum`` is
normalised to ``xsd:dateTime``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

import orjson
import pyoxigraph as ox

from iv3ld.codelists import CodeIndex
from iv3ld.contexts import (
    codes_context,
    codes_context_url,
    resolve_contexts,
    vocabulary_context,
    vocabulary_context_url,
)
from iv3ld.errors import InputError
from iv3ld.identifiers import UNKNOWN_SEGMENT, namespace, slug, unknown_segment
from iv3ld.submission import PARTS, Submission

logger = logging.getLogger(__name__)

UNIT_MULTIPLIERS = {"duizend": 3, "euro": 0}
"""Unit of amounts → power of ten (sdmx-attribute:unitMult). The Iv3 model and CBS
open data are in thousands of euros; the CBS JSON format does not say."""


@dataclass(frozen=True)
class PartLayout:
    """How one part of the CBS format maps onto the cube."""

    key: str
    type_term: str
    structure: str
    row_keys: tuple[str, str]
    measure: str
    side: str | None


PART_LAYOUTS = {
    "lasten": PartLayout(
        "lasten", "Lastenwaarneming", "StructuurLastenBaten",
        ("taakveld", "categorie"), "bedrag", "expenditure",
    ),
    "baten": PartLayout(
        "baten", "Batenwaarneming", "StructuurLastenBaten",
        ("taakveld", "categorie"), "bedrag", "revenue",
    ),
    "balans_lasten": PartLayout(
        "balans_lasten", "BalansLastenwaarneming", "StructuurBalansmutaties",
        ("balanscode", "categorie"), "bedrag", "expenditure",
    ),
    "balans_baten": PartLayout(
        "balans_baten", "BalansBatenwaarneming", "StructuurBalansmutaties",
        ("balanscode", "categorie"), "bedrag", "revenue",
    ),
    "balans_standen": PartLayout(
        "balans_standen", "BalansStandwaarneming", "StructuurBalansstanden",
        ("balanscode", "standper"), "bedrag", None,
    ),
    "kengetallen": PartLayout(
        "kengetallen", "Kengetalwaarneming", "StructuurKengetallen",
        ("kengetal", "verslagperiode"), "waarde", None,
    ),
    "beleidsindicatoren": PartLayout(
        "beleidsindicatoren", "Beleidsindicatorwaarneming",
        "StructuurBeleidsindicatoren", ("beleidsindicator", "verslagperiode"),
        "waarde", None,
    ),
}  # fmt: skip

_OBEU_CODES = "http://data.openbudgets.eu/resource/codelist"
_EURO = "http://publications.europa.eu/resource/authority/currency/EUR"
_YEAR = "http://reference.data.gov.uk/id/year"
_SAFE_CODE = re.compile(r"^[A-Za-z0-9._~-]+$")


@dataclass
class Conversion:
    """A submission as JSON-LD, with the JSON pointer of every row resource.

    ``document`` names codes by the IRIs of their concepts, under the vocabulary
    context only: pyoxigraph parses that form four times faster than one with a
    scoped context per coded key. :meth:`jsonld` writes the public form, in which
    codes stay as the sender wrote them; both give the same triples.
    """

    document: dict[str, Any]
    version: str
    codes: CodeIndex
    pointers: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def payload(self) -> bytes:
        """The document as JSON-LD bytes, ready for pyoxigraph's streaming parser.

        Every object has ``@type`` before its other keys (the streaming parser's
        one requirement), which :func:`convert` guarantees.
        """
        try:
            return orjson.dumps(self.document, default=_json_default)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            return json.dumps(self.document, default=_json_default).encode("utf-8")

    def quads(self) -> list[ox.Quad]:
        """Parse the document into triples (in the default graph) with pyoxigraph."""
        return list(ox.parse(self.payload(), format=ox.RdfFormat.STREAMING_JSON_LD))

    def jsonld(self, reference: bool = False) -> dict[str, Any]:
        """The submission as published JSON-LD: the CBS keys and codes, plus ids.

        With ``reference`` the contexts are named by their published addresses
        instead of embedded.
        """
        codes = self.codes
        base = {"@base": f"{self.version}/"}
        if reference:
            url = codes_context_url(codes.layer_slug, codes.year)
            context: list[Any] = [vocabulary_context_url(), url, base]
        else:
            context = [vocabulary_context(), codes_context(codes), base]

        public: dict[str, Any] = {"@context": context}
        for key, value in self.document.items():
            if key == "data" and isinstance(value, dict):
                value = {
                    part: _public_rows(rows, codes) for part, rows in value.items()
                }
            if key != "@context":
                public[key] = value
        return public


def convert(submission: Submission, unit: str = "duizend") -> Conversion:
    """Build the JSON-LD document of a submission."""
    names = namespace()
    metadata = submission.metadata
    body, body_code = _body(metadata, submission)
    periode = metadata.get("periode")
    version_key = _version_key(submission)
    version = names.version(
        body_code, submission.year, _int_or(periode, 0), version_key
    )
    conversion = Conversion({}, version, submission.codes, warnings=submission.warnings)

    document: dict[str, Any] = {
        "@context": [vocabulary_context(), {"@base": f"{version}/"}]
    }
    document["@type"] = "Aanleveringsversie"
    document["@id"] = version
    document.update(_header(submission.content, conversion))
    document["data"] = _data(submission, conversion)
    document["@included"] = _included(submission, conversion, body, body_code, unit)
    conversion.document = document
    return conversion


def parse_jsonld(document: Any, source: str) -> list[ox.Quad]:
    """Parse a JSON-LD document with pyoxigraph, resolving only our own contexts.

    Raises InputError when the document is not valid JSON-LD.
    """
    resolved = resolve_contexts(document, source)
    payload = json.dumps(resolved, default=_json_default).encode("utf-8")
    try:
        return list(ox.parse(payload, format=ox.RdfFormat.JSON_LD))
    except SyntaxError as error:
        raise InputError(f"not valid JSON-LD: {error}", source=source) from None


def _json_default(value: Any) -> Any:
    """JSON-LD reads JSON numbers as doubles; write parsed decimals as numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _header(content: dict[str, Any], conversion: Conversion) -> dict[str, Any]:
    header: dict[str, Any] = {}
    for key, value in content.items():
        if key == "data":
            continue
        if key == "metadata" and isinstance(value, dict):
            header[key] = _metadata(value, conversion)
        elif key == "contact" and isinstance(value, dict):
            header[key] = {"@type": "Contactpersoon", "@id": "contact", **_plain(value)}
        elif key == "opmerkingen" and isinstance(value, list):
            header[key] = [_remark(index, item) for index, item in enumerate(value)]
        else:
            header[_key(key)] = _plain(value)
    return header


def _metadata(metadata: dict[str, Any], conversion: Conversion) -> dict[str, Any]:
    result = {_key(key): _plain(value) for key, value in metadata.items()}
    if "datum" in metadata:
        result["datum"] = _datum_value(metadata["datum"], conversion)
    for key in ("overheidsnummer", "overheidsnaam", "status"):
        if key in metadata and not isinstance(metadata[key], str):
            result[key] = {"@value": _plain(metadata[key])}
    return result


def _remark(index: int, item: Any) -> Any:
    if not isinstance(item, dict):
        return {
            "@type": "Opmerking",
            "@id": f"opmerking/{index}",
            "tekst": _plain(item),
        }
    return {"@type": "Opmerking", "@id": f"opmerking/{index}", **_plain(item)}


def _data(submission: Submission, conversion: Conversion) -> dict[str, Any]:
    data = submission.content.get("data")
    if not isinstance(data, dict):
        return {}
    result: dict[str, Any] = {}
    for key, rows in data.items():
        layout = PART_LAYOUTS.get(key)
        if layout is None or not isinstance(rows, list):
            result[_key(key)] = _plain(rows)
            continue
        result[key] = _part_rows(layout, rows, submission.codes, conversion)
    return result


def _part_rows(
    layout: PartLayout, rows: list[Any], codes: CodeIndex, conversion: Conversion
) -> list[dict[str, Any]]:
    part_slug = slug(layout.key)
    cells: dict[tuple[str, ...], list[tuple[int, Any]]] = {}
    for index, row in enumerate(rows):
        cells.setdefault(_cell_key(layout, row, index, codes), []).append((index, row))

    written = []
    for key, members in cells.items():
        cell_id = f"{part_slug}/{'/'.join(key)}"
        conversion.pointers[f"{conversion.version}/{cell_id}"] = (
            f"/data/{layout.key}/{members[0][0]}"
        )
        written.append(_observation(layout, cell_id, members, codes, conversion))
    return written


def _cell_key(
    layout: PartLayout, row: Any, index: int, codes: CodeIndex
) -> tuple[str, ...]:
    """The path segments of a row's cell: slugs of known codes, marked others."""
    if not isinstance(row, dict):
        return ("regel", str(index))
    segments = []
    for key in layout.row_keys:
        value = row.get(key)
        if value is None:
            segments.append("ontbreekt")
        elif isinstance(value, str) and value in codes.codes[key]:
            segments.append(slug(value))
        else:
            segments.append("onbekend-" + quote(str(value), safe=""))
    return tuple(segments)


def _observation(
    layout: PartLayout,
    cell_id: str,
    members: list[tuple[int, Any]],
    codes: CodeIndex,
    conversion: Conversion,
) -> dict[str, Any]:
    first = members[0][1] if isinstance(members[0][1], dict) else {}
    node: dict[str, Any] = {
        "@type": layout.type_term,
        "@id": cell_id,
        "qb:dataSet": slug(layout.key),
    }
    for key in layout.row_keys:
        if key in first:
            node[key] = _code_value(key, first[key], codes)

    if len(members) == 1 and "details" not in first:
        node.update(_row_extras(layout, first))
        if layout.measure in first:
            node[layout.measure] = _measure(layout, first[layout.measure], conversion)
        return node

    lines = [
        _detail_line(layout, cell_id, index, row, conversion) for index, row in members
    ]
    total = _sum(layout, [row for _, row in members])
    if total is not None:
        node[layout.measure] = total
    node["iv3:detailregel"] = lines
    return node


def _detail_line(
    layout: PartLayout, cell_id: str, index: int, row: Any, conversion: Conversion
) -> dict[str, Any]:
    line_id = f"{slug(layout.key)}/regel/{index}"
    conversion.pointers[f"{conversion.version}/{line_id}"] = (
        f"/data/{layout.key}/{index}"
    )
    line: dict[str, Any] = {
        "@type": "Detailregel",
        "@id": line_id,
        "iv3:regelnummer": index,
    }
    if not isinstance(row, dict):
        return line
    if layout.measure in row:
        line[layout.measure] = _measure(layout, row[layout.measure], conversion)
    details = row.get("details")
    if isinstance(details, dict):
        line["details"] = _plain(details)
    elif details is not None:
        line["details"] = {"omschrijving": _plain(details)}
    return line


def _row_extras(layout: PartLayout, row: dict[str, Any]) -> dict[str, Any]:
    known = {*layout.row_keys, layout.measure, "details"}
    return {_key(key): _plain(value) for key, value in row.items() if key not in known}


def _code_value(key: str, value: Any, codes: CodeIndex) -> Any:
    """The IRI of a code's concept; a code the list lacks goes under ``onbekend/``."""
    if not isinstance(value, str):
        return {"@value": _plain(value)}
    known = codes.iri(key, value)
    if known is not None:
        return known
    scheme = namespace().scheme(key, codes.layer_slug, codes.year)
    return f"{scheme}/{unknown_segment(value)}"


def _public_rows(rows: Any, codes: CodeIndex) -> Any:
    """Rows with code IRIs turned back into the codes as written, where possible."""
    if not isinstance(rows, list):
        return rows
    public = []
    for row in rows:
        if isinstance(row, dict):
            row = {key: _public_code(key, value, codes) for key, value in row.items()}
        public.append(row)
    return public


def _public_code(key: str, value: Any, codes: CodeIndex) -> Any:
    """A code as the sender wrote it, when the code-list context maps it back.

    Known codes are terms of that context; an unknown code that is safe in an IRI
    falls through to the context's ``onbekend/`` vocabulary; other unknown codes stay
    absolute IRIs.
    """
    if key not in codes.codes or not isinstance(value, str):
        return value
    notation = codes.notation(value)
    if notation is not None:
        return notation
    marker = f"/{UNKNOWN_SEGMENT}/"
    if marker in value:
        code = unquote(value.rsplit(marker, 1)[-1])
        if _SAFE_CODE.match(code) and code not in codes.codes[key]:
            return code
    return value


def _measure(layout: PartLayout, value: Any, conversion: Conversion) -> Any:
    if layout.measure == "waarde":
        return _ratio_value(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return {"@value": _plain(value)}
    return _number(Decimal(value))


def _ratio_value(value: Any) -> Any:
    text = value if isinstance(value, str) else str(value)
    candidate = text.strip().replace(".", "").replace(",", ".") if "," in text else text
    try:
        number = Decimal(candidate.strip())
    except InvalidOperation:
        return {"@value": text}
    return _number(number) if number.is_finite() else {"@value": text}


def _sum(layout: PartLayout, rows: list[Any]) -> Any:
    if layout.measure == "waarde":
        return None
    amounts = [
        Decimal(row[layout.measure])
        for row in rows
        if isinstance(row, dict)
        and isinstance(row.get(layout.measure), int | Decimal)
        and not isinstance(row.get(layout.measure), bool)
    ]
    return _number(sum(amounts, Decimal(0))) if amounts else None


def _number(value: Decimal) -> int | str:
    """Canonical form of an amount: an integer, or a decimal string without padding."""
    if value == value.to_integral_value():
        return int(value)
    text = format(value.normalize(), "f")
    return text


@lru_cache(maxsize=4096)
def _key(key: str) -> str:
    """A JSON key as a JSON-LD key: CBS keys stay, others become IRI-safe.

    A key the context does not define expands under ``{base}/def/onbekend#``; one
    with characters an IRI cannot hold (``"foo bar"``) would be dropped by every
    JSON-LD processor, and with it the finding that the format has no such key, so
    it is percent-encoded instead.
    """
    if _SAFE_CODE.match(key) and not key.startswith("@"):
        return key
    return quote(key, safe="")


def _plain(value: Any) -> Any:
    """A JSON value with Decimals as canonical numbers or strings."""
    if isinstance(value, Decimal):
        number = _number(value)
        return (
            number
            if isinstance(number, int)
            else {"@type": "xsd:decimal", "@value": number}
        )
    if isinstance(value, dict):
        return {_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _datum_value(value: Any, conversion: Conversion) -> Any:
    moment = parse_datum(value)
    if moment is None:
        conversion.warnings.append(f"metadata.datum {value!r} is not a date-time")
        return {"@value": _plain(value)}
    return moment.isoformat()


def parse_datum(value: Any) -> datetime | None:
    """Read ``metadata.datum`` leniently: ISO 8601 extended or basic, with offset."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T")
    basic = re.match(r"^(\d{4})(\d{2})(\d{2})T(.*)$", text)
    if basic:
        text = f"{basic.group(1)}-{basic.group(2)}-{basic.group(3)}T{basic.group(4)}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _version_key(submission: Submission) -> str:
    moment = parse_datum(submission.metadata.get("datum"))
    if moment is not None:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y%m%dt%H%M%Sz")
    canonical = json.dumps(submission.content, sort_keys=True, default=str)
    return "x" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _body(metadata: dict[str, Any], submission: Submission) -> tuple[str, str]:
    names = namespace()
    number = metadata.get("overheidsnummer")
    text = str(number).strip() if number is not None else "onbekend"
    digits = re.sub(r"\D", "", text)
    layer = submission.codes.layer_slug

    if layer == "gemeente" and digits:
        if len(digits) == 6 and digits.startswith("06"):
            submission.warnings.append(
                f"overheidsnummer {text!r} read as gemeentecode {digits[2:]}"
                " (KREDO form)"
            )
            digits = digits[2:]
        code = f"GM{int(digits):04d}"
        return names.gemeente(code), code
    if layer == "provincie" and digits:
        code = f"PV{int(digits[-2:]):02d}"
        return names.provincie(code), code
    code = f"GR{slug(text)}" if layer == "gr" else slug(text)
    return names.regeling(text), code


def _int_or(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def _included(
    submission: Submission,
    conversion: Conversion,
    body: str,
    body_code: str,
    unit: str,
) -> list[dict[str, Any]]:
    names = namespace()
    metadata = submission.metadata
    periode = _int_or(metadata.get("periode"), -1)
    year = submission.year
    submission_iri = names.submission(body_code, year, max(periode, 0))
    definitions = names.definitions(submission.codes.layer_slug, year)
    version_node = {
        "@id": conversion.version,
        "iv3:aanlevering": submission_iri,
        "iv3:versie": conversion.version.rsplit("/", 1)[-1],
        "iv3:overheid": body,
        "iv3:definities": definitions,
    }
    submission_node = {
        "@type": "Aanlevering",
        "@id": submission_iri,
        "iv3:overheid": body,
        "iv3:boekjaar": str(year),
    }
    if periode in range(6):
        submission_node["iv3:periode"] = names.period(periode)

    datasets = [
        _dataset_node(layout, conversion.version, body, year, periode, unit)
        for key, layout in PART_LAYOUTS.items()
        if isinstance(submission.content.get("data"), dict)
        and key in submission.content["data"]
    ]
    return [version_node, submission_node, *datasets]


def _dataset_node(
    layout: PartLayout, version: str, body: str, year: int, periode: int, unit: str
) -> dict[str, Any]:
    names = namespace()
    node: dict[str, Any] = {
        "@type": "DataSet",
        "@id": slug(layout.key),
        "qb:structure": f"iv3:{layout.structure}",
        "iv3:deel": names.part(slug(layout.key)),
        "dcterms:isPartOf": version,
        "iv3:overheid": body,
        "iv3:boekjaar": str(year),
        "obeu-dimension:fiscalYear": f"{_YEAR}/{year}",
    }
    if periode in range(6):
        node["iv3:periode"] = names.period(periode)
        phase = "approved" if periode == 0 else "executed"
        node["obeu-dimension:budgetPhase"] = f"{_OBEU_CODES}/budget-phase/{phase}"
    if layout.side is not None:
        node["obeu-dimension:operationCharacter"] = (
            f"{_OBEU_CODES}/operation-character/{layout.side}"
        )
    if layout.measure == "bedrag":
        node["obeu-attribute:currency"] = _EURO
        node["sdmx-attribute:unitMult"] = UNIT_MULTIPLIERS[unit]
    return node


__all__ = ["PARTS", "Conversion", "convert", "parse_jsonld"]
