"""Delivery status: per government, where its submission for a period stands.

For one boekjaar and periode, :func:`delivery_status` lists every government of
the register (then any other government that delivered) with, from the ledger of
deliveries (:mod:`iv3ld.deliveries`):

* ``delivered``: any file of this government for the period reached iv3ld (by
  upload, harvest or load), valid or not;
* ``valid``: at least one of those files conforms to the CBS checks;
* ``version``: the latest conforming version (the version keys are time stamps,
  so the greatest is the latest), whether it is public yet or held until its
  placement, when it was first received and in which placement it falls;
* ``late``: the first conforming file came after the CBS deadline, or the deadline
  has passed without one; ``None`` while the deadline has not come and nothing
  valid is in;
* the outcome and the numbers of violations and warnings of the latest attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from iv3ld.publication import AMSTERDAM, Placement, Schedule, schedule
from iv3ld.sources import Source, governments
from iv3ld.state import StateDirectory

CONFORMING = frozenset({"loaded", "unchanged", "pending"})
"""Ledger outcomes of a delivery that conforms."""


@dataclass(frozen=True)
class GovernmentStatus:
    """Where one government's submission for the period stands."""

    government: str
    name: str
    in_register: bool
    delivered: bool
    valid: bool
    version: str | None
    published: bool
    received: datetime | None
    placement: Placement | None
    late: bool | None
    latest_outcome: str | None
    violations: int
    warnings: int

    def as_json(self) -> dict[str, Any]:
        """The row as the JSON status shows it."""
        return {
            "government": self.government,
            "name": self.name,
            "in_register": self.in_register,
            "delivered": self.delivered,
            "valid": self.valid,
            "version": self.version,
            "published": self.published,
            "received": self.received.isoformat() if self.received else None,
            "placement": self.placement.value if self.placement else None,
            "late": self.late,
            "latest_outcome": self.latest_outcome,
            "violations": self.violations,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class DeliveryStatus:
    """The status of every government for one boekjaar and periode."""

    year: int
    periode: int
    schedule: Schedule
    rows: list[GovernmentStatus]
    checked: datetime
    changed: datetime | None = None
    """The ledger's newest ``received`` or ``published`` time of the period."""

    def counts(self) -> dict[str, int]:
        """How many governments there are, delivered, are valid, are late."""
        return {
            "governments": len(self.rows),
            "delivered": sum(row.delivered for row in self.rows),
            "valid": sum(row.valid for row in self.rows),
            "late": sum(row.late is True for row in self.rows),
            "missing": sum(not row.delivered for row in self.rows),
        }

    def as_json(self) -> dict[str, Any]:
        """The status as ``/status/{boekjaar}/{periode}`` answers it in JSON."""
        return {
            "boekjaar": self.year,
            "periode": self.periode,
            "checked": self.checked.astimezone(UTC).replace(microsecond=0).isoformat(),
            "dates": self.schedule.as_json(),
            "counts": self.counts(),
            "governments": [row.as_json() for row in self.rows],
        }


def delivery_status(
    state: StateDirectory,
    sources: list[Source],
    year: int,
    periode: int,
    now: datetime | None = None,
) -> DeliveryStatus:
    """The status of the register's governments (and others that delivered).

    ``now`` decides whether the deadline has passed (default: the clock). Raises
    ValueError for a periode outside 0–5.
    """
    dates = schedule(year, periode)
    moment = now or datetime.now(UTC)
    attempts = _attempts(state, year, periode)
    names = {source.government: source.name for source in sources}

    registered = governments(sources)
    others = sorted(set(attempts) - set(registered))
    rows = [
        _status(
            code,
            names.get(code, ""),
            code in names,
            attempts.get(code, []),
            dates,
            moment,
        )
        for code in [*registered, *others]
    ]
    return DeliveryStatus(year, periode, dates, rows, moment, _changed(attempts))


def _attempts(
    state: StateDirectory, year: int, periode: int
) -> dict[str, list[dict[str, Any]]]:
    """Every delivery of the period per government, oldest first."""
    with state.connect() as connection:
        rows = connection.execute(
            "SELECT government, received, outcome, version, placement, published,"
            " violations, warnings FROM deliveries"
            " WHERE boekjaar = ? AND periode = ? AND government IS NOT NULL"
            " ORDER BY received, id",
            (year, periode),
        ).fetchall()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["government"], []).append(dict(row))
    return grouped


def _status(
    code: str,
    name: str,
    in_register: bool,
    attempts: list[dict[str, Any]],
    dates: Schedule,
    moment: datetime,
) -> GovernmentStatus:
    conforming = [row for row in attempts if row["outcome"] in CONFORMING]
    latest = attempts[-1] if attempts else {}
    version = max((row["version"] for row in conforming), default=None)
    of_version = [row for row in conforming if row["version"] == version]
    first_of_version = of_version[0] if of_version else {}
    received = _moment(first_of_version.get("received"))
    placement = first_of_version.get("placement")

    return GovernmentStatus(
        government=code,
        name=name,
        in_register=in_register,
        delivered=bool(attempts),
        valid=bool(conforming),
        version=version,
        published=any(row["outcome"] != "pending" for row in of_version),
        received=received,
        placement=Placement(placement) if placement else None,
        late=_late(conforming, dates, moment),
        latest_outcome=latest.get("outcome"),
        violations=int(latest.get("violations") or 0),
        warnings=int(latest.get("warnings") or 0),
    )


def _changed(attempts: dict[str, list[dict[str, Any]]]) -> datetime | None:
    """The newest time the ledger records for the period's deliveries.

    A file loaded from an archive is recorded as received when it was made, so
    this time can stay put while a row changes: it is a hint, not a validator.
    """
    moments = [
        _moment(row[key])
        for rows in attempts.values()
        for row in rows
        for key in ("received", "published")
    ]
    found = [moment for moment in moments if moment is not None]
    return max(found, key=_utc, default=None)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _late(
    conforming: list[dict[str, Any]], dates: Schedule, moment: datetime
) -> bool | None:
    """Late: the first valid file after the deadline, or none while it passed."""
    if conforming:
        first = _moment(conforming[0]["received"])
        return first is not None and dates.is_late(first)
    if _local_day(moment) > dates.deadline:
        return True
    return None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text)


def _local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(AMSTERDAM).date()
