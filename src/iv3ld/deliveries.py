"""Deliveries: a file reaches iv3ld by upload, harvest or load, and what becomes of it.

Every road ends here. :func:`receive` keeps the file as received (its SHA-256 names
it), reads it, checks that it is for the government the channel allows, validates
it and then, by CBS's publication rules (:mod:`iv3ld.publication`):

* publishes it at once (:func:`iv3ld.intake.deliver`) when its placement date has
  come, as for most corrections of past years and for late deliveries;
* or holds it until that date (``pending``): the file waits in the state directory
  and :func:`publish_due` loads it when the day comes (``iv3ld publish``, and the
  server every minute);
* or refuses it with its report when it does not conform.

Each attempt is a row in the ledger (table ``deliveries``), which the status views
and ``GET /api/submissions`` read. The same file sent twice is the same version.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from iv3ld.errors import DeliveryForbiddenError, InputError
from iv3ld.intake import Provenance, VersionFacts, deliver, version_facts
from iv3ld.loading import (
    LoadedSubmission,
    is_workbook,
    load_json,
    load_turtle,
    load_workbook,
)
from iv3ld.publication import AMSTERDAM, Placement, Schedule, schedule
from iv3ld.report import Report, render_json
from iv3ld.state import StateDirectory, ledger_time
from iv3ld.store import Store
from iv3ld.submission import read_bytes
from iv3ld.validation import validate

logger = logging.getLogger(__name__)

Channel = Literal["upload", "harvest", "load"]
Outcome = Literal["loaded", "unchanged", "pending", "refused", "unreadable"]

JSON_TYPES = {"application/json", "application/ld+json"}
TURTLE_TYPE = "text/turtle"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (*sorted(JSON_TYPES), TURTLE_TYPE, XLSX_TYPE)
"""The media types a delivery may have."""


@dataclass(frozen=True)
class Receipt:
    """A file as a channel received it.

    ``received`` None means "when the file says it was made" (``metadata.datum``):
    for files an operator loads that were delivered elsewhere first.
    """

    content: bytes
    media_type: str
    source: str
    channel: Channel
    received: datetime | None = None


@dataclass(frozen=True)
class Intake:
    """What became of a received file."""

    id: int
    outcome: Outcome
    report: Report
    version: str
    submission: str
    government: str
    schedule: Schedule
    placement: Placement
    publication_date: date

    def as_json(self, language: str = "nl") -> dict[str, Any]:
        """The outcome as the upload API answers it."""
        return {
            "outcome": self.outcome,
            "version": self.version,
            "submission": self.submission,
            "government": self.government,
            "conforms": self.report.conforms,
            "placement": self.placement.value,
            "publication_date": self.publication_date.isoformat(),
            "dates": self.schedule.as_json(),
            "report": render_json([self.report], language),
        }


def receipt_for_path(path: Path, channel: Channel = "load") -> Receipt:
    """A local file as a receipt; its media type from its name and first bytes.

    Raises InputError (FileTooLargeError) for a file over the size limit.
    """
    content = read_bytes(path)
    if path.suffix.lower() in {".ttl", ".turtle"}:
        media_type = TURTLE_TYPE
    elif is_workbook(path, content[:4]):
        media_type = XLSX_TYPE
    else:
        media_type = "application/json"
    return Receipt(content, media_type, str(path), channel)


def read_receipt(receipt: Receipt, unit: str = "duizend") -> LoadedSubmission:
    """Read a received file by its media type.

    Raises InputError when it cannot be read.
    """
    if receipt.media_type in JSON_TYPES:
        return load_json(receipt.content, receipt.source, unit)
    if receipt.media_type == TURTLE_TYPE:
        return load_turtle(receipt.content, receipt.source)
    if receipt.media_type == XLSX_TYPE:
        return load_workbook(receipt.content, receipt.source, unit)
    raise InputError(
        f"media type {receipt.media_type!r} is not a submission format; send one of"
        f" {', '.join(MEDIA_TYPES)}",
        source=receipt.source,
    )


def receive(
    store: Store,
    state: StateDirectory,
    receipt: Receipt,
    *,
    government: str | None = None,
    unit: str = "duizend",
    now: datetime | None = None,
) -> Intake:
    """Take a received file in: keep, read, authorise, validate, publish or hold.

    ``government`` is the only government the channel may deliver for (the
    token's, the harvest source's); None allows any (a local ``iv3ld load``).
    ``now`` decides whether a placement date has come (default: the clock).
    Raises InputError for an unreadable file (recorded as ``unreadable``) and
    DeliveryForbiddenError for a file of another government (not recorded).
    """
    checksum = state.keep_file(receipt.content)
    try:
        loaded = read_receipt(receipt, unit)
        facts = version_facts(loaded)
    except InputError as error:
        _record_unreadable(state, receipt, checksum, error)
        raise

    if government is not None and facts.government_code != government:
        raise DeliveryForbiddenError(
            f"this file is a submission of {facts.government_code}; the credentials"
            f" used may only deliver for {government}",
            source=receipt.source,
        )
    moment = now or datetime.now(UTC)
    received = receipt.received or _made_at(facts.datum, moment)
    receipt = replace(receipt, received=received)

    dates = _schedule(state, receipt, checksum, facts)
    placement = dates.placement(received)
    published_on = dates.publication_date(received)
    known = _known_delivery(state, checksum)
    _refuse_held_conflict(state, receipt, checksum, facts)
    report = validate(loaded)

    if not report.conforms:
        outcome: Outcome = "refused"
    elif known is not None:
        outcome = "unchanged" if known == "loaded" else known  # type: ignore[assignment]
    elif published_on > _today(moment):
        outcome = "pending"
    else:
        provenance = Provenance(
            receipt.channel,
            received,
            checksum,
            receipt.media_type,
            placement,
            published_on,
        )
        try:
            delivery = deliver(
                store,
                loaded,
                report,
                provenance=provenance,
                private=state.private_store(),
            )
        except InputError as error:
            _record_unreadable(state, receipt, checksum, error)
            raise
        outcome = delivery.outcome

    row = _record(
        state, receipt, checksum, facts, report, outcome, placement, published_on, unit
    )
    logger.info(
        "%s (%s): %s, %s", receipt.source, receipt.channel, outcome, facts.version
    )
    return Intake(
        row,
        outcome,
        report,
        facts.version,
        facts.submission,
        facts.government_code,
        dates,
        placement,
        published_on,
    )


def _schedule(
    state: StateDirectory, receipt: Receipt, checksum: str, facts: VersionFacts
) -> Schedule:
    """The CBS dates of the file's boekjaar and periode.

    Raises InputError (recorded as unreadable) for a periode CBS has no schedule
    for, since without one the file can be neither placed nor published.
    """
    try:
        return schedule(facts.year, facts.periode)
    except ValueError as error:
        problem = InputError(
            str(error), source=receipt.source, pointer="/metadata/periode", code="SF004"
        )
        _record_unreadable(state, receipt, checksum, problem)
        raise problem from None


def _made_at(datum: str | None, now: datetime) -> datetime:
    """The moment a file says it was made, or now when it does not say."""
    if datum is not None:
        try:
            return datetime.fromisoformat(datum)
        except ValueError:
            pass
    return now


def publish_due(
    store: Store, state: StateDirectory, now: datetime | None = None
) -> list[Intake]:
    """Publish every held delivery whose placement date has come, oldest first."""
    moment = now or datetime.now(UTC)
    with state.connect() as connection:
        rows = connection.execute(
            "SELECT * FROM deliveries WHERE outcome = 'pending'"
            " AND publication_date <= ? ORDER BY received, id",
            (_today(moment).isoformat(),),
        ).fetchall()

    published = []
    for row in rows:
        try:
            published.append(_publish_held(store, state, dict(row), moment))
        except InputError as error:
            logger.error("held delivery %s cannot be published: %s", row["id"], error)
            _mark_refused(state, row["id"], str(error))
    if published:
        logger.info("published %d held deliveries", len(published))
    return published


def _publish_held(
    store: Store, state: StateDirectory, row: dict[str, Any], moment: datetime
) -> Intake:
    received = datetime.fromisoformat(row["received"])
    receipt = Receipt(
        state.read_file(row["checksum"]),
        row["media_type"],
        row["source"],
        row["channel"],
        received,
    )
    loaded = read_receipt(receipt, row["unit"])
    facts = version_facts(loaded)
    dates = schedule(facts.year, facts.periode)
    placement = Placement(row["placement"])
    provenance = Provenance(
        receipt.channel,
        received,
        row["checksum"],
        receipt.media_type,
        placement,
        date.fromisoformat(row["publication_date"]),
    )
    delivery = deliver(
        store, loaded, provenance=provenance, private=state.private_store()
    )
    outcome: Outcome = "refused" if delivery.outcome == "refused" else "loaded"
    with state.connect() as connection:
        connection.execute(
            "UPDATE deliveries SET outcome = ?, published = ?, violations = ?,"
            " warnings = ? WHERE id = ?",
            (
                outcome,
                ledger_time(moment) if outcome == "loaded" else None,
                delivery.report.count("Violation"),
                delivery.report.count("Warning"),
                row["id"],
            ),
        )
    return Intake(
        row["id"],
        outcome,
        delivery.report,
        facts.version,
        facts.submission,
        facts.government_code,
        dates,
        placement,
        date.fromisoformat(row["publication_date"]),
    )


def deliveries_of(
    state: StateDirectory, government: str, year: int, periode: int
) -> list[dict[str, Any]]:
    """Every delivery of one submission, newest first, as the API shows them."""
    with state.connect() as connection:
        rows = connection.execute(
            "SELECT id, received, channel, outcome, version, placement,"
            " publication_date, published, violations, warnings, message"
            " FROM deliveries WHERE government = ? AND boekjaar = ? AND periode = ?"
            " ORDER BY received DESC, id DESC",
            (government, year, periode),
        ).fetchall()
    return [dict(row) for row in rows]


def latest_deliveries(
    state: StateDirectory, year: int, periode: int
) -> dict[str, dict[str, Any]]:
    """Per government, its latest delivery attempt for a boekjaar and periode."""
    with state.connect() as connection:
        rows = connection.execute(
            "SELECT * FROM deliveries WHERE boekjaar = ? AND periode = ?"
            " ORDER BY received, id",
            (year, periode),
        ).fetchall()
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["government"]] = dict(row)
    return latest


def _refuse_held_conflict(
    state: StateDirectory, receipt: Receipt, checksum: str, facts: VersionFacts
) -> None:
    """Refuse a file whose datum a held delivery with other content already has.

    The datum is the version key; the store would refuse the second of two such
    files only when both are published, and it must not wait that long.
    """
    with state.connect() as connection:
        row = connection.execute(
            "SELECT id FROM deliveries WHERE outcome = 'pending' AND version = ?"
            " AND content_checksum IS NOT NULL AND content_checksum != ? LIMIT 1",
            (facts.version, facts.checksum),
        ).fetchone()
    if row is None:
        return
    problem = InputError(
        f"a different file with the same metadata.datum is held for publication as"
        f" {facts.version}; a correction needs a later datum",
        source=receipt.source,
        pointer="/metadata/datum",
    )
    _record_unreadable(state, receipt, checksum, problem)
    raise problem


def _mark_refused(state: StateDirectory, row: int, message: str) -> None:
    with state.connect() as connection:
        connection.execute(
            "UPDATE deliveries SET outcome = 'refused', message = ? WHERE id = ?",
            (message, row),
        )


def _known_delivery(state: StateDirectory, checksum: str) -> str | None:
    """The outcome of an earlier delivery of the very same file that was kept."""
    with state.connect() as connection:
        row = connection.execute(
            "SELECT outcome FROM deliveries WHERE checksum = ?"
            " AND outcome IN ('loaded', 'unchanged', 'pending') ORDER BY id LIMIT 1",
            (checksum,),
        ).fetchone()
    if row is None:
        return None
    return "pending" if row["outcome"] == "pending" else "loaded"


def _record(
    state: StateDirectory,
    receipt: Receipt,
    checksum: str,
    facts: Any,
    report: Report,
    outcome: Outcome,
    placement: Placement,
    published_on: date,
    unit: str,
) -> int:
    received = receipt.received or datetime.now(UTC)
    published = ledger_time() if outcome == "loaded" else None
    with state.connect() as connection:
        cursor = connection.execute(
            "INSERT INTO deliveries (received, channel, source, government, boekjaar,"
            " periode, checksum, media_type, outcome, version, placement,"
            " publication_date, published, violations, warnings, report, unit,"
            " content_checksum)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ledger_time(received),
                receipt.channel,
                receipt.source,
                facts.government_code,
                facts.year,
                facts.periode,
                checksum,
                receipt.media_type,
                outcome,
                facts.version,
                placement.value,
                published_on.isoformat(),
                published,
                report.count("Violation"),
                report.count("Warning"),
                json.dumps(render_json([report])["results"], ensure_ascii=False),
                unit,
                facts.checksum,
            ),
        )
        return int(cursor.lastrowid or 0)


def _record_unreadable(
    state: StateDirectory, receipt: Receipt, checksum: str, error: InputError
) -> None:
    with state.connect() as connection:
        connection.execute(
            "INSERT INTO deliveries (received, channel, source, checksum, media_type,"
            " outcome, message) VALUES (?, ?, ?, ?, ?, 'unreadable', ?)",
            (
                ledger_time(receipt.received),
                receipt.channel,
                receipt.source,
                checksum,
                receipt.media_type,
                str(error),
            ),
        )


def _today(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(AMSTERDAM).date()
