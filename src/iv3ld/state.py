"""The state directory: what iv3ld keeps besides the public store.

Public figures live in the store (embedded or remote). Everything that must not be
public, or is not linked data, lives in the state directory on this machine:

=====================  ======================================================
``iv3ld.sqlite3``      the ledger: tokens (hashed), every delivery and what became
                       of it, the harvest state of each source
``files/``             every delivered file as received, named by its SHA-256
``private/``           an embedded pyoxigraph store with what is stored but never
                       served publicly (detail lines without ``details_openbaar``)
``dumps/``             the gzipped dump of the public store for its last change
                       (:mod:`iv3ld.dumps`); safe to delete
``harvest/``           the log of each harvest run
=====================  ======================================================

SQLite runs in WAL mode and every operation opens its own connection, so that the
web server's worker threads and a CLI command can use the ledger at the same time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from iv3ld.errors import StoreUnavailableError
from iv3ld.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    government TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT,
    last_used TEXT
);
CREATE INDEX IF NOT EXISTS tokens_government ON tokens (government);

CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    received TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    government TEXT,
    boekjaar INTEGER,
    periode INTEGER,
    checksum TEXT NOT NULL,
    media_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    version TEXT,
    placement TEXT,
    publication_date TEXT,
    published TEXT,
    violations INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    report TEXT,
    unit TEXT NOT NULL DEFAULT 'duizend',
    content_checksum TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_period
    ON deliveries (boekjaar, periode, government);
CREATE INDEX IF NOT EXISTS deliveries_pending
    ON deliveries (outcome, publication_date);

CREATE TABLE IF NOT EXISTS harvest_sources (
    url TEXT PRIMARY KEY,
    government TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    checksum TEXT,
    checked TEXT,
    outcome TEXT
);
"""


_ADDED_COLUMNS = {
    "unit": "TEXT NOT NULL DEFAULT 'duizend'",
    "content_checksum": "TEXT",
}
"""Columns of the deliveries table that a ledger of schema version 1 lacks."""


def _upgrade(connection: sqlite3.Connection) -> None:
    """Add the columns that later versions of iv3ld record to an older ledger."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(deliveries)")}
    for name, declaration in _ADDED_COLUMNS.items():
        if name not in present:
            connection.execute(
                f"ALTER TABLE deliveries ADD COLUMN {name} {declaration}"
            )


def ledger_time(moment: datetime | None = None) -> str:
    """A moment as the ledger writes it: UTC, whole seconds, ISO 8601 (default: now).

    A naive moment is taken as UTC.
    """
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class StateDirectory:
    """The state directory of one iv3ld installation."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._private: EmbeddedStore | None = None
        self._private_lock = threading.Lock()
        try:
            (directory / "files").mkdir(parents=True, exist_ok=True)
            self._create_schema()
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailableError(
                f"cannot use the state directory {directory}: {error}"
            ) from None

    def _create_schema(self) -> None:
        connection = sqlite3.connect(self.database, timeout=30)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(_SCHEMA)
            _upgrade(connection)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.commit()
        finally:
            connection.close()

    @property
    def database(self) -> Path:
        """The ledger's SQLite file."""
        return self.directory / "iv3ld.sqlite3"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation, committed at the end (or rolled back)."""
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def keep_file(self, content: bytes) -> str:
        """Keep a delivered file as received; returns its ``sha256:`` checksum.

        Written to a temporary name and renamed, so a file is either whole or absent.
        """
        digest = hashlib.sha256(content).hexdigest()
        target = self.file_path(f"sha256:{digest}")
        if not target.exists():
            partial = target.with_suffix(".partial")
            partial.write_bytes(content)
            os.replace(partial, target)
        return f"sha256:{digest}"

    def file_path(self, checksum: str) -> Path:
        """Where the file with this checksum is kept."""
        return self.directory / "files" / checksum.removeprefix("sha256:")

    def read_file(self, checksum: str) -> bytes:
        """A kept file's content. Raises OSError when it is gone."""
        return self.file_path(checksum).read_bytes()

    def private_store(self) -> EmbeddedStore:
        """The store of data that are kept but never served publicly."""
        with self._private_lock:
            if self._private is None:
                self._private = EmbeddedStore.open(self.directory / "private")
            return self._private

    def close(self) -> None:
        """Release the private store."""
        with self._private_lock:
            if self._private is not None:
                self._private.close()
                self._private = None
