"""The register of sources: where each government publishes its Iv3 files.

The pilot behind iv3ld wants CBS to fetch ("ophalen") each government's data. The
register says where. Two forms, both read by :func:`read_register`:

**CSV** (UTF-8, comma-separated, a header row): ``overheid`` (the government code:
``GM0363``, ``PV27``, ``GR…``), ``url`` (an ``http`` or ``https`` address of one Iv3
file), and optionally ``naam``. Blank lines and lines starting with ``#`` are
skipped. A government may have several rows (one per file)::

    overheid,url,naam
    GM0363,https://data.amsterdam.nl/iv3/jaarrekening-2023.json,Amsterdam

**Turtle**: each source a ``iv3:Bron`` with ``iv3:overheid`` (the government's IRI,
such as ``{base}/id/gemeente/GM0363``), ``dcat:downloadURL`` and optionally
``rdfs:label``.

Only http(s) URLs are accepted; a row with anything else is refused when the
register is read, so nothing else can ever be fetched.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from iv3ld.errors import InputError
from iv3ld.identifiers import namespace
from iv3ld.tokens import check_government

_DCAT = "http://www.w3.org/ns/dcat#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Source:
    """One file a government publishes, at one URL."""

    government: str
    url: str
    name: str = ""


def read_register(path: Path) -> list[Source]:
    """Read a register (``.ttl`` as Turtle, anything else as CSV).

    Raises InputError naming the line or resource of a bad entry.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the register: {error}", source=str(path)
        ) from None
    if path.suffix.lower() in {".ttl", ".turtle"}:
        return _from_turtle(text, str(path))
    return _from_csv(text, str(path))


def governments(sources: list[Source]) -> list[str]:
    """The governments of a register, each once, in register order."""
    return list(dict.fromkeys(source.government for source in sources))


def check_url(url: str, where: str) -> str:
    """An http(s) URL with a host; raises InputError for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{url!r} is not an http or https URL", source=where)
    return url.strip()


def _from_csv(text: str, source: str) -> list[Source]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = {"overheid", "url"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(
            f"the register needs the columns overheid and url (missing: "
            f"{', '.join(sorted(missing))})",
            source=source,
        )

    sources = []
    for number, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        where = f"{source} line {number}"
        government = _government(row.get("overheid") or "", where)
        url = check_url(row.get("url") or "", where)
        sources.append(Source(government, url, (row.get("naam") or "").strip()))
    return sources


def _from_turtle(text: str, source: str) -> list[Source]:
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as error:
        raise InputError(
            f"the register is not valid Turtle: {error}", source=source
        ) from None

    vocabulary = namespace().vocabulary
    by_subject: dict[str, dict[str, str]] = {}
    for quad in quads:
        values = by_subject.setdefault(str(quad.subject), {})
        values.setdefault(quad.predicate.value, getattr(quad.object, "value", ""))

    sources = []
    for subject, values in sorted(by_subject.items()):
        if values.get(_RDF_TYPE) != f"{vocabulary}Bron":
            continue
        where = f"{source} {subject}"
        government_iri = values.get(f"{vocabulary}overheid", "")
        government = _government(government_iri.rstrip("/").rsplit("/", 1)[-1], where)
        url = check_url(values.get(f"{_DCAT}downloadURL", ""), where)
        sources.append(Source(government, url, values.get(_RDFS_LABEL, "")))
    return sources


def _government(code: str, where: str) -> str:
    try:
        return check_government(code)
    except InputError as error:
        raise InputError(error.message, source=where) from None
