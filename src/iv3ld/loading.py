"""Reading any supported input into the triples of one submission version.

Supported: CBS JSON (schema 2.1 and the older spellings), the CBS Iv3 Excel model (read
into CBS JSON first, see :mod:`iv3ld.workbook`), JSON-LD (ours or any other writer's,
as long as it names only iv3ld's own contexts or embeds its context), and Turtle. The
result knows which code lists apply and, for CBS JSON, the JSON pointer of every row
(for a workbook: its cell), so that reports can say where a problem is.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from iv3ld.codelists import CodeIndex, code_index, layer_slug
from iv3ld.conversion import Conversion, convert, parse_jsonld
from iv3ld.errors import InputError, NotJsonError, UnsupportedSubmissionError
from iv3ld.identifiers import namespace
from iv3ld.submission import Submission, decode, from_content, parse_json, read_bytes

logger = logging.getLogger(__name__)

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class LoadedSubmission:
    """The triples of one submission version and what is needed to check them.

    A CBS JSON submission keeps its triples as a JSON-LD payload that pyoxigraph
    loads straight into a store; the list of quads is parsed only when asked for.
    """

    source: str
    version: str
    codes: CodeIndex
    payload: bytes | None = None
    pointers: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    conversion: Conversion | None = None
    parsed: list[ox.Quad] | None = None

    @property
    def quads(self) -> list[ox.Quad]:
        """The triples, in the default graph."""
        if self.parsed is None:
            payload = self.payload or b"{}"
            self.parsed = list(ox.parse(payload, format=ox.RdfFormat.STREAMING_JSON_LD))
        return self.parsed

    def load_into(self, store: ox.Store) -> None:
        """Add the triples to a store, without building Python objects if possible."""
        if self.parsed is None and self.payload is not None:
            store.load(self.payload, format=ox.RdfFormat.STREAMING_JSON_LD)
        else:
            store.extend(self.quads)


WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
"""File names read as a workbook; other files are too when they start as a zip."""

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of a zip archive, as every .xlsx file is."""


def is_workbook(path: Path, head: bytes = b"") -> bool:
    """Tell whether a file is read as a workbook: by its name or a zip's first bytes.

    Decided here, without the workbook reader, so that commands that read JSON do
    not pay for importing it and openpyxl.
    """
    return path.suffix.lower() in WORKBOOK_SUFFIXES or head.startswith(ZIP_MAGIC)


def load_path(path: Path, unit: str = "duizend") -> LoadedSubmission:
    """Read a file by its content: JSON, an Excel workbook or, for .ttl, Turtle.

    A workbook is an .xlsx or .xlsm file, or any file that starts as a zip does.
    """
    raw = read_bytes(path)
    if path.suffix.lower() in {".ttl", ".turtle"}:
        return load_turtle(raw, str(path))
    if is_workbook(path, raw[:4]):
        return load_workbook(raw, str(path), unit)
    return load_json(raw, str(path), unit)


def load_workbook(raw: bytes, source: str, unit: str = "duizend") -> LoadedSubmission:
    """Read a CBS Iv3 Excel model through its CBS JSON, naming cells instead of rows.

    The JSON text is parsed again as any CBS JSON file is, so that amounts become
    exact decimals and validation and conversion see exactly what ``iv3ld convert
    --to json`` writes.
    """
    from iv3ld.workbook import read_workbook

    warnings: list[str] = []
    cells: dict[str, str] = {}
    content = read_workbook(raw, source, warnings, cells)
    text = json.dumps(content, ensure_ascii=False).encode("utf-8")

    loaded = load_json(text, source, unit)
    loaded.pointers = {
        focus: cells.get(pointer, pointer) for focus, pointer in loaded.pointers.items()
    }
    loaded.warnings[:0] = warnings
    for warning in warnings:
        logger.info("%s: %s", source, warning)
    return loaded


def load_json(raw: bytes, source: str, unit: str = "duizend") -> LoadedSubmission:
    """Read CBS JSON or JSON-LD bytes."""
    warnings: list[str] = []
    content = parse_json(decode(raw, source, warnings), source)
    if (isinstance(content, dict) and "@context" in content) or isinstance(
        content, list
    ):
        loaded = load_graph(parse_jsonld(content, source), source)
        loaded.warnings[:0] = warnings
        return loaded

    loaded = _from_submission(from_content(content, source, warnings), source, unit)
    _log_warnings(loaded)
    return loaded


def load_turtle(raw: bytes, source: str) -> LoadedSubmission:
    """Read Turtle bytes."""
    try:
        quads = list(ox.parse(raw, format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError) as error:
        raise NotJsonError(f"not valid Turtle: {error}", source=source) from None
    return load_graph(quads, source)


def load_graph(quads: list[ox.Quad], source: str) -> LoadedSubmission:
    """Find the submission version in parsed triples and the code lists it needs.

    Raises InputError when the triples hold no submission version, or more than one.
    """
    names = namespace()
    version_class = f"{names.vocabulary}Aanleveringsversie"
    versions = {
        term_text(quad.subject)
        for quad in quads
        if quad.predicate.value == _RDF_TYPE and term_text(quad.object) == version_class
    }
    if len(versions) != 1:
        raise InputError(
            f"expected one iv3:Aanleveringsversie in the graph, found {len(versions)}",
            source=source,
        )
    version = versions.pop()

    codes = _codes_of(quads, version, source)
    loaded = LoadedSubmission(
        source, version, codes, pointers=_row_pointers(quads), parsed=quads
    )
    _log_warnings(loaded)
    return loaded


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI, blank node id or lexical form of a term (a quoted triple as text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def _codes_of(quads: list[ox.Quad], version: str, source: str) -> CodeIndex:
    names = namespace()
    values: dict[str, Any] = {}
    for quad in quads:
        if term_text(quad.subject) == version:
            values.setdefault(quad.predicate.value, term_text(quad.object))
    layer_iri = values.get(f"{names.vocabulary}overheidslaag", "")
    year = values.get(f"{names.vocabulary}boekjaar", "")

    slug = next(
        (
            slug
            for slug in ("gemeente", "provincie", "gr")
            if layer_iri == names.layer(slug)
        ),
        None,
    )
    if slug is None:
        layer_slug(str(layer_iri).rsplit("/", 1)[-1], source)
        raise UnsupportedSubmissionError(
            f"unknown overheidslaag {layer_iri!r}", source=source, code="SF888"
        )
    if not str(year).isdigit():
        raise InputError(
            f"the submission has no boekjaar ({year!r})", source=source, code="SF004"
        )
    return code_index(slug, int(year), source)


def _row_pointers(quads: list[ox.Quad]) -> dict[str, str]:
    """JSON pointers of detail lines, from their row number and part."""
    names = namespace()
    number_predicate = f"{names.vocabulary}regelnummer"
    pointers = {}
    for quad in quads:
        if quad.predicate.value == number_predicate:
            subject = term_text(quad.subject)
            part = subject.rsplit("/regel/", 1)[0].rsplit("/", 1)[-1]
            row = term_text(quad.object)
            pointers[subject] = f"/data/{part.replace('-', '_')}/{row}"
    return pointers


def _log_warnings(loaded: LoadedSubmission) -> None:
    for warning in loaded.warnings:
        logger.info("%s: %s", loaded.source, warning)


def load_content(content: Any, source: str, unit: str = "duizend") -> LoadedSubmission:
    """Convert an already parsed CBS JSON document (used by tests and the API)."""
    return _from_submission(from_content(content, source, []), source, unit)


def _from_submission(
    submission: Submission, source: str, unit: str
) -> LoadedSubmission:
    conversion = convert(submission, unit)
    return LoadedSubmission(
        source,
        conversion.version,
        submission.codes,
        conversion.payload(),
        conversion.pointers,
        conversion.warnings,
        conversion,
    )


__all__ = [
    "WORKBOOK_SUFFIXES",
    "LoadedSubmission",
    "is_workbook",
    "load_content",
    "load_graph",
    "load_json",
    "load_path",
    "load_workbook",
]
