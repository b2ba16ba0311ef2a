"""Taking a submission version into the store: validate first, then publish.

The Kadaster pattern ("validate, then publish"): a version that does not conform to
the CBS checks is refused with its report and nothing is written. A conforming
version is written as follows, each step safe to interrupt:

1. its triples go into a new named graph, named by the version's IRI, in one
   transaction;
2. its SHACL report goes into the graph ``{version}/rapport``;
3. one SPARQL update adds the version to the submission's register graph (named by
   the submission's IRI: ``…/aanlevering/GM0363/2023/5``) with its provenance
   (PROV-O: the validation as an activity that used the version and the shapes and
   generated the report; the version attributed to its government and revising the
   version before it), moves ``iv3:huidigeVersie`` and records the change time.

Until step 3 the new version is invisible to the views that follow
``iv3:huidigeVersie``, so an interrupted load leaves the previous version current.

Detail lines of a version whose ``details_openbaar`` is not ``true`` (absent
counts as not given consent) are split off:
they go to the private store (graph ``{version}/details``) and never into the
public one, links from their cells included.
Deliveries for the same submission are serialised within the process. The same
content delivered again is the same version (``unchanged``); a different file with
the same ``metadata.datum`` is refused, because the datum is the version key.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import pyoxigraph as ox

from iv3ld import __version__
from iv3ld.errors import InputError
from iv3ld.graphs import mark_modified, modified_update
from iv3ld.identifiers import namespace, submission_key
from iv3ld.loading import LoadedSubmission, term_text
from iv3ld.publication import Placement
from iv3ld.report import Report
from iv3ld.store import Store, term_value
from iv3ld.validation import validate

logger = logging.getLogger(__name__)

Outcome = Literal["loaded", "unchanged", "refused"]

_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DCTERMS = "http://purl.org/dc/terms/"

_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class Delivery:
    """What became of one delivered file."""

    source: str
    outcome: Outcome
    report: Report
    version: str
    submission: str


@dataclass(frozen=True)
class VersionFacts:
    """What the register needs to know about a version, read from its triples."""

    version: str
    submission: str
    government: str
    datum: str | None
    checksum: str
    details_public: bool = True

    @property
    def government_code(self) -> str:
        """The code in the submission's IRI: ``GM0363``, ``PV28``, ``GR900001``."""
        return submission_key(self.submission)[0]

    @property
    def year(self) -> int:
        """The boekjaar, from the submission's IRI."""
        return submission_key(self.submission)[1]

    @property
    def periode(self) -> int:
        """The periode, from the submission's IRI."""
        return submission_key(self.submission)[2]


@dataclass(frozen=True)
class Provenance:
    """How a version reached iv3ld, for the PROV triples of its register."""

    channel: str
    received: datetime
    file_checksum: str | None = None
    media_type: str | None = None
    placement: Placement | None = None
    publication_date: date | None = None


def deliver(
    store: Store,
    loaded: LoadedSubmission,
    report: Report | None = None,
    *,
    provenance: Provenance | None = None,
    private: Store | None = None,
) -> Delivery:
    """Validate a loaded submission and, if it conforms, publish it in the store.

    ``private`` receives the detail lines that may not be published; without it
    they are left out (and a warning logged). Raises InputError when a different
    file with the same version key is stored, and StoreError when the store fails
    (nothing of the version is current then).
    """
    report = report if report is not None else validate(loaded)
    facts = version_facts(loaded)
    if not report.conforms:
        logger.info("%s: refused, it does not conform", loaded.source)
        return Delivery(
            loaded.source, "refused", report, facts.version, facts.submission
        )

    with _submission_lock(facts.submission):
        stored = stored_versions(store, facts.submission)
        if facts.version in stored:
            return _same_version(loaded, report, facts, stored[facts.version])

        _write_version(store, loaded, report, facts, private)
        store.update(_register_update(facts, stored, provenance))

    logger.info("%s: loaded as %s", loaded.source, facts.version)
    return Delivery(loaded.source, "loaded", report, facts.version, facts.submission)


def version_facts(loaded: LoadedSubmission) -> VersionFacts:
    """Read the submission, government and datum of a version.

    From the conversion when the input was CBS JSON (no parsing needed), else from
    the triples.
    """
    names = namespace()
    values = (
        _conversion_values(loaded.conversion.document)
        if loaded.conversion is not None
        else _triple_values(loaded)
    )

    submission = values.get(f"{names.vocabulary}aanlevering")
    government = values.get(f"{names.vocabulary}overheid")
    if submission is None or government is None:
        raise InputError(
            "the version names no submission or government", source=loaded.source
        )
    datum = values.get(f"{names.vocabulary}datum")
    consent = values.get(f"{names.vocabulary}detailsOpenbaar", "false")
    public = consent in {"true", "1"}
    return VersionFacts(
        loaded.version, submission, government, datum, _checksum(loaded), public
    )


def _triple_values(loaded: LoadedSubmission) -> dict[str, str]:
    values: dict[str, str] = {}
    for quad in loaded.quads:
        if term_text(quad.subject) == loaded.version:
            values.setdefault(quad.predicate.value, term_text(quad.object))
    return values


def _conversion_values(document: dict[str, Any]) -> dict[str, str]:
    """The version's facts as the conversion wrote them into its JSON-LD."""
    vocabulary = namespace().vocabulary
    version_node: dict[str, Any] = next(
        (node for node in document.get("@included", []) if "iv3:aanlevering" in node),
        {},
    )
    metadata = document.get("metadata", {})
    values = {
        f"{vocabulary}aanlevering": version_node.get("iv3:aanlevering"),
        f"{vocabulary}overheid": version_node.get("iv3:overheid"),
        f"{vocabulary}datum": metadata.get("datum"),
        f"{vocabulary}detailsOpenbaar": str(metadata.get("details_openbaar")).lower(),
    }
    return {key: value for key, value in values.items() if isinstance(value, str)}


def stored_versions(store: Store, submission: str) -> dict[str, str]:
    """The versions of a submission in the store, with their content checksums."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?version ?checksum WHERE {{ GRAPH <{submission}> {{"
        f" <{submission}> <{vocabulary}heeftVersie> ?version ."
        f" OPTIONAL {{ ?version <{_DCTERMS}identifier> ?checksum }} }} }}"
    )
    return {
        term_value(row[0]): term_value(row[1]) if row[1] is not None else ""
        for row in result.rows
        if row[0] is not None
    }


def current_version(store: Store, submission: str) -> str | None:
    """The version the submission's register points to as current, if any."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?version WHERE {{ GRAPH <{submission}> "
        f"{{ <{submission}> <{vocabulary}huidigeVersie> ?version }} }}"
    )
    found = result.column("version")
    return found[0] if found else None


def current_versions(store: Store, submission: str) -> list[tuple[str, str | None]]:
    """The versions of a submission, oldest first by datum, with their datum."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?version ?datum WHERE {{ GRAPH <{submission}> {{"
        f" <{submission}> <{vocabulary}heeftVersie> ?version ."
        f" OPTIONAL {{ ?version <{vocabulary}datum> ?datum }} }} }}"
        " ORDER BY ?datum ?version"
    )
    return [
        (term_value(row[0]), term_value(row[1]) if row[1] is not None else None)
        for row in result.rows
        if row[0] is not None
    ]


def _same_version(
    loaded: LoadedSubmission, report: Report, facts: VersionFacts, stored: str
) -> Delivery:
    if stored and stored != facts.checksum:
        raise InputError(
            f"a different file with the same metadata.datum is already stored as"
            f" {facts.version}; a correction needs a later datum",
            source=loaded.source,
            pointer="/metadata/datum",
        )
    logger.info("%s: unchanged, already stored as %s", loaded.source, facts.version)
    return Delivery(loaded.source, "unchanged", report, facts.version, facts.submission)


def _write_version(
    store: Store,
    loaded: LoadedSubmission,
    report: Report,
    facts: VersionFacts,
    private: Store | None,
) -> None:
    """Steps 1 and 2: the version's triples and its report, each in its graph."""
    store.drop_graph(facts.version)
    if facts.details_public and loaded.payload is not None and loaded.parsed is None:
        store.load_graph(facts.version, loaded.payload, ox.RdfFormat.STREAMING_JSON_LD)
    else:
        public, hidden = split_details(loaded.quads, facts.details_public)
        store.load_graph(facts.version, _ntriples(public), ox.RdfFormat.N_TRIPLES)
        _keep_private(private, facts, hidden)

    report_graph = f"{facts.version}/rapport"
    store.drop_graph(report_graph)
    if report.rdf_builder is not None:
        text = report.graph.serialize(format="nt")
        store.load_graph(report_graph, text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)


def discard_unfinished_versions(store: Store) -> list[str]:
    """Drop the version graphs that no submission registers, with their reports.

    They are what a load interrupted between writing a version and registering it
    leaves behind: invisible to the views that follow the current pointer, but
    still in the union that SPARQL and the resource documents read. Returns the
    versions dropped. Only for a store this process alone writes to; on a shared
    engine another process may be between those two steps right now.
    """
    if not store.exclusive:
        return []

    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT DISTINCT ?graph WHERE {{"
        f" GRAPH ?graph {{ ?graph a <{vocabulary}Aanleveringsversie> }}"
        f" FILTER NOT EXISTS {{ ?submission <{vocabulary}heeftVersie> ?graph }} }}"
    )
    unfinished = result.column("graph")
    for version in unfinished:
        logger.warning("dropping %s: its load was interrupted", version)
        store.drop_graph(version)
        store.drop_graph(f"{version}/rapport")

    if unfinished:
        mark_modified(store)
    return unfinished


def split_details(
    quads: list[ox.Quad], public: bool
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Separate the detail lines (and the links to them) unless they are public."""
    if public:
        return quads, []
    vocabulary = namespace().vocabulary
    link = f"{vocabulary}detailregel"
    lines = {term_text(q.object) for q in quads if q.predicate.value == link}
    shown: list[ox.Quad] = []
    hidden: list[ox.Quad] = []
    for quad in quads:
        private = quad.predicate.value == link or term_text(quad.subject) in lines
        (hidden if private else shown).append(quad)
    return shown, hidden


def _keep_private(
    private: Store | None, facts: VersionFacts, hidden: list[ox.Quad]
) -> None:
    if not hidden:
        return
    if private is None:
        logger.warning(
            "%s: %d triples of non-public detail lines left out: no private store",
            facts.version,
            len(hidden),
        )
        return
    graph = f"{facts.version}/details"
    private.drop_graph(graph)
    private.load_graph(graph, _ntriples(hidden), ox.RdfFormat.N_TRIPLES)


def _register_update(
    facts: VersionFacts, stored: dict[str, str], provenance: Provenance | None
) -> str:
    """Step 3: one update that registers the version and moves the current one."""
    names = namespace()
    vocabulary = names.vocabulary
    submission = facts.submission
    version = ox.NamedNode(facts.version)
    activity = ox.NamedNode(f"{facts.version}/validatie")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()

    triples = [
        (
            ox.NamedNode(submission),
            f"{_RDF_TYPE}",
            ox.NamedNode(f"{vocabulary}Aanlevering"),
        ),
        (ox.NamedNode(submission), f"{vocabulary}heeftVersie", version),
        (version, _RDF_TYPE, ox.NamedNode(f"{vocabulary}Aanleveringsversie")),
        (version, f"{vocabulary}aanlevering", ox.NamedNode(submission)),
        (version, f"{vocabulary}graaf", version),
        (version, f"{_DCTERMS}identifier", ox.Literal(facts.checksum)),
        (version, f"{vocabulary}ontvangen", _datetime(now)),
        (version, f"{_PROV}wasAttributedTo", ox.NamedNode(facts.government)),
        (
            version,
            f"{vocabulary}validatierapport",
            ox.NamedNode(f"{facts.version}/rapport"),
        ),
        (activity, _RDF_TYPE, ox.NamedNode(f"{vocabulary}Validatie")),
        (activity, f"{_PROV}used", version),
        (activity, f"{_PROV}used", ox.NamedNode(names.graph("shapes"))),
        (activity, f"{_PROV}generated", ox.NamedNode(f"{facts.version}/rapport")),
        (activity, f"{_PROV}wasAssociatedWith", ox.NamedNode(_software())),
        (activity, f"{_PROV}endedAtTime", _datetime(now)),
        (ox.NamedNode(_software()), _RDF_TYPE, ox.NamedNode(f"{vocabulary}Software")),
        (ox.NamedNode(_software()), f"{_DCTERMS}hasVersion", ox.Literal(__version__)),
    ]
    if facts.datum is not None:
        triples.append((version, f"{vocabulary}datum", _datetime(facts.datum)))
    previous = _previous_version(facts, stored)
    if previous is not None:
        triples.append((version, f"{_PROV}wasRevisionOf", ox.NamedNode(previous)))
    if provenance is not None:
        triples += _provenance_triples(version, provenance)

    body = _ntriples_text(triples)
    current = _current_after(facts, stored)
    return " ;\n".join(
        [
            f"INSERT DATA {{ GRAPH <{submission}> {{ {body} }} }}",
            f"DELETE WHERE {{ GRAPH <{submission}> "
            f"{{ <{submission}> <{vocabulary}huidigeVersie> ?old }} }}",
            f"INSERT DATA {{ GRAPH <{submission}> "
            f"{{ <{submission}> <{vocabulary}huidigeVersie> <{current}> }} }}",
            modified_update(),
        ]
    )


def _provenance_triples(
    version: ox.NamedNode, provenance: Provenance
) -> list[tuple[ox.NamedNode, str, Any]]:
    """The delivered file as an entity, the channel, the placement."""
    names = namespace()
    vocabulary = names.vocabulary
    delivered = ox.NamedNode(f"{version.value}/bestand")
    received = provenance.received.astimezone(UTC).replace(microsecond=0).isoformat()
    triples: list[tuple[ox.NamedNode, str, Any]] = [
        (version, f"{_PROV}wasDerivedFrom", delivered),
        (delivered, _RDF_TYPE, ox.NamedNode(f"{_PROV}Entity")),
        (delivered, f"{vocabulary}kanaal", ox.Literal(provenance.channel)),
        (delivered, f"{vocabulary}ontvangen", _datetime(received)),
    ]
    if provenance.file_checksum is not None:
        checksum = ox.Literal(provenance.file_checksum)
        triples.append((delivered, f"{_DCTERMS}identifier", checksum))
    if provenance.media_type is not None:
        media_type = ox.Literal(provenance.media_type)
        triples.append((delivered, f"{_DCTERMS}format", media_type))
    if provenance.placement is not None:
        placement = ox.NamedNode(names.placement(provenance.placement.value))
        triples.append((version, f"{vocabulary}plaatsing", placement))
    if provenance.publication_date is not None:
        published = ox.Literal(
            provenance.publication_date.isoformat(),
            datatype=ox.NamedNode(f"{_XSD}date"),
        )
        triples.append((version, f"{vocabulary}publicatiedatum", published))
    return triples


def _previous_version(facts: VersionFacts, stored: dict[str, str]) -> str | None:
    """The version this one revises: the latest stored one with an earlier key."""
    earlier = [version for version in stored if version < facts.version]
    return max(earlier) if earlier else None


def _current_after(facts: VersionFacts, stored: dict[str, str]) -> str:
    """The version keys are UTC time stamps, so the greatest IRI is the latest."""
    return max([*stored, facts.version])


def _software() -> str:
    return f"{namespace().base}/id/software/iv3ld/{__version__}"


def _datetime(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(f"{_XSD}dateTime"))


def _ntriples_text(triples: list[tuple[ox.NamedNode, str, object]]) -> str:
    values = [
        ox.Triple(subject, ox.NamedNode(predicate), value)  # type: ignore[arg-type]
        for subject, predicate, value in triples
    ]
    return _ntriples(values).decode("utf-8")


def _ntriples(triples: list[ox.Quad] | list[ox.Triple]) -> bytes:
    plain = [ox.Triple(item.subject, item.predicate, item.object) for item in triples]
    return bytes(ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES) or b"")


def _checksum(loaded: LoadedSubmission) -> str:
    """A checksum of the content: of the JSON-LD payload, or of the sorted triples."""
    if loaded.payload is not None:
        content = loaded.payload
    else:
        lines = sorted(_ntriples(loaded.quads).splitlines())
        content = b"\n".join(lines)
    return f"sha256:{hashlib.sha256(content).hexdigest()}"


def _submission_lock(submission: str) -> threading.Lock:
    with _locks_guard:
        return _locks[submission]


__all__ = [
    "Delivery",
    "Provenance",
    "VersionFacts",
    "current_versions",
    "deliver",
    "split_details",
    "stored_versions",
    "version_facts",
]
