"""Files made from the store: one submission version as RDF, the whole store as a dump.

A submission (overheid × boekjaar × periode) has versions, each a named graph
named by the version's IRI; its register graph, named by the submission's IRI,
lists them (``iv3:heeftVersie``) and points to the current one
(``iv3:huidigeVersie``), see :mod:`iv3ld.intake`. :func:`find_version` resolves
what a download path names to one version in that register.

JSON-LD of a version is, where possible, the submission itself as published
JSON-LD (:meth:`iv3ld.conversion.Conversion.jsonld`: the CBS keys and codes under
iv3ld's contexts), rebuilt from the delivered file the state directory keeps. That
is only done when the rebuilt document is provably the stored graph: the file
converts to the same content checksum the register recorded for the version, and
either the version's detail lines are public or the file has none (otherwise the
file holds lines the public graph left out). Every other version gets
pyoxigraph's expanded JSON-LD of its graph. Both parse to exactly the triples of
the version's graph.

The dump holds every named graph of the public store as N-Quads, gzipped, written
graph by graph so that no more than one graph is held in memory. Detail lines a
government did not make public are never in the public store (they go to the
private store of the state directory), so nothing needs filtering here.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from iv3ld.deliveries import Receipt, read_receipt
from iv3ld.errors import InputError
from iv3ld.identifiers import namespace
from iv3ld.intake import current_version
from iv3ld.serialisation import JSON_LD, write_rdf
from iv3ld.state import StateDirectory
from iv3ld.store import Store, term_value

logger = logging.getLogger(__name__)

_DCTERMS = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"

UNITS = {"3": "duizend", "0": "euro"}
"""``sdmx-attribute:unitMult`` of a version's parts → the unit it was read with."""

DUMP_NAME = "iv3ld.nq.gz"
"""File name of the dump of the whole public store."""

_VERSION_KEY = re.compile(r"^[0-9]{8}t[0-9]{6}z$")
_DUMP_COMPRESSION = 6


@dataclass(frozen=True)
class VersionRef:
    """One version of one submission, as a download names it."""

    submission: str
    version: str
    government: str
    year: int
    periode: int

    @property
    def key(self) -> str:
        """The version's last IRI segment: ``20240710t073000z``."""
        return self.version.rsplit("/", 1)[-1]

    @property
    def file_stem(self) -> str:
        """The name a downloaded file gets, without its extension."""
        return f"iv3-{self.government}-{self.year}-{self.periode}-{self.key}"


def download_iri(resource: str, extension: str) -> str:
    """Where a submission (its current version) or a version is downloaded.

    ``{base}/id/aanlevering/GM0363/2023/5`` and ``csv`` →
    ``{base}/download/aanlevering/GM0363/2023/5.csv``.
    """
    base = namespace().base
    return f"{base}/download/{resource.removeprefix(f'{base}/id/')}.{extension}"


def dump_iri() -> str:
    """Where the dump of the whole public store is downloaded."""
    return f"{namespace().base}/download/{DUMP_NAME}"


def find_version(
    store: Store, government: str, year: int, periode: int, key: str | None = None
) -> VersionRef | None:
    """The current version of a submission, or the version with this key.

    None when the store holds no such submission or version. A key that is not
    shaped like a version key (``20240710t073000z``) is never looked up.
    """
    names = namespace()
    submission = names.submission(government, year, periode)
    if key is None:
        version = current_version(store, submission)
    elif _VERSION_KEY.match(key) and _has_version(
        store, submission, names.version(government, year, periode, key)
    ):
        version = names.version(government, year, periode, key)
    else:
        version = None
    if version is None:
        return None
    return VersionRef(submission, version, government, year, periode)


def _has_version(store: Store, submission: str, version: str) -> bool:
    vocabulary = namespace().vocabulary
    return store.query(
        f"ASK {{ GRAPH <{submission}> "
        f"{{ <{submission}> <{vocabulary}heeftVersie> <{version}> }} }}"
    ).boolean


def version_triples(store: Store, version: str) -> list[ox.Triple]:
    """The triples of a version's graph."""
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{version}> {{ ?s ?p ?o }} }}"
    )
    return result.triples


def version_quads(store: Store, version: str) -> bytes:
    """A version's graph as N-Quads, with the version as graph name."""
    output = io.BytesIO()
    store.dump(output, [version])
    return output.getvalue()


def version_jsonld(store: Store, state: StateDirectory, ref: VersionRef) -> bytes:
    """A version as JSON-LD: the published submission document where possible."""
    document = published_document(store, state, ref)
    if document is not None:
        return document
    return write_rdf(version_triples(store, ref.version), JSON_LD)


def published_document(
    store: Store, state: StateDirectory, ref: VersionRef
) -> bytes | None:
    """The version's delivered file as published JSON-LD, or None.

    None when the file is not kept or no longer converts to the stored content
    (another iv3ld version wrote the graph), when the input was not CBS JSON or
    the Excel model, or when it has detail lines that are not public.
    """
    facts = _delivery_facts(store, ref)
    if facts is None:
        return None

    try:
        content = state.read_file(facts["file"])
        receipt = Receipt(content, facts["media_type"], ref.version, "load")
        loaded = read_receipt(receipt, UNITS.get(facts.get("unit", "3"), "duizend"))
    except (OSError, InputError) as error:
        logger.info("%s: no published JSON-LD from its file: %s", ref.version, error)
        return None

    if loaded.conversion is None or loaded.payload is None:
        return None
    checksum = f"sha256:{hashlib.sha256(loaded.payload).hexdigest()}"
    if loaded.version != ref.version or checksum != facts["checksum"]:
        logger.info("%s: the kept file no longer converts to it", ref.version)
        return None
    if facts.get("consent") != "true" and _has_detail_lines(loaded.quads):
        return None
    text = json.dumps(loaded.conversion.jsonld(), ensure_ascii=False)
    return text.encode("utf-8")


def _has_detail_lines(quads: list[ox.Quad]) -> bool:
    link = f"{namespace().vocabulary}detailregel"
    return any(quad.predicate.value == link for quad in quads)


def _delivery_facts(store: Store, ref: VersionRef) -> dict[str, str] | None:
    """The register's facts about a version's file, and its consent and unit."""
    vocabulary = namespace().vocabulary
    result = store.query(
        "SELECT ?file ?media_type ?checksum ?consent ?unit WHERE {"
        f" GRAPH <{ref.submission}> {{"
        f"  <{ref.version}> <{_DCTERMS}identifier> ?checksum ;"
        f"   <{_PROV}wasDerivedFrom> ?delivered ."
        f"  ?delivered <{_DCTERMS}identifier> ?file ; <{_DCTERMS}format> ?media_type }}"
        f" OPTIONAL {{ GRAPH <{ref.version}> {{"
        f"  <{ref.version}> <{vocabulary}detailsOpenbaar> ?consent }} }}"
        f" OPTIONAL {{ GRAPH <{ref.version}> {{"
        f"  ?part <{_DCTERMS}isPartOf> <{ref.version}> ;"
        f"   <{_SDMX_ATTRIBUTE}unitMult> ?unit }} }}"
        "} LIMIT 1"
    )
    for record in result.records():
        return {name: term_value(value) for name, value in record.items()}
    return None


def gzipped_dump(store: Store) -> Iterator[bytes]:
    """Every named graph as N-Quads, gzipped, in pieces of about one graph."""
    compressor = zlib.compressobj(_DUMP_COMPRESSION, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for name in sorted(store.graph_names()):
        buffer = io.BytesIO()
        store.dump(buffer, [name])
        piece = compressor.compress(buffer.getvalue())
        if piece:
            yield piece
    yield compressor.flush()


__all__ = [
    "DUMP_NAME",
    "VersionRef",
    "download_iri",
    "dump_iri",
    "find_version",
    "gzipped_dump",
    "published_document",
    "version_jsonld",
    "version_quads",
    "version_triples",
]
