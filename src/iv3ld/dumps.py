"""The dump of the public store, kept as a file in the state directory.

Writing the dump (:func:`iv3ld.exports.gzipped_dump`) takes seconds for the
examples and minutes for the national set, and its content only changes when the
store does. So it is written once per change of the store, to
``dumps/iv3ld-{change}.nq.gz`` in the state directory, where ``{change}`` is the
store's last change (:func:`iv3ld.graphs.last_modified`) as a version key
(``20240710t073000z``). The change time is read before writing, so a file holds
the store as it was then or later, never earlier; a change during the writing
gets a later time and thereby a file of its own.

A file is written to a temporary name and renamed when whole, so a reader never
sees half a file. One process writes one dump at a time (a lock); a second
process writing the same dump writes its own temporary file and the rename of
either leaves a whole file. When a file is whole, the files of earlier changes
are removed; readers that opened one keep reading it.

The change time has whole seconds, and a writer records it before its
transaction ends, so a change may still land under a time already read. A dump
is therefore only kept once its change is :data:`SETTLE_SECONDS` old, and only
when the store records its changes at all.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from iv3ld.exports import gzipped_dump
from iv3ld.graphs import last_modified
from iv3ld.store import Store

logger = logging.getLogger(__name__)

DIRECTORY = "dumps"
"""The folder of the state directory that holds the dump files."""

SETTLE_SECONDS = 10
"""How old a change must be before the dump of the store as changed is kept."""

_PREFIX = "iv3ld-"
_SUFFIX = ".nq.gz"
_PARTIAL = ".partial"
_MODE = 0o644
"""The dump is public: readable by others, as a web server in front may need."""
_ABANDONED_SECONDS = 3600
"""A temporary file untouched this long was left by a writer that stopped."""

_writing = threading.Lock()


class DumpFiles:
    """The dump files in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, modified: datetime) -> Path:
        """The file of the dump of the store as changed at ``modified``."""
        return self.directory / f"{_PREFIX}{_key(modified)}{_SUFFIX}"

    def open(self, modified: datetime) -> BinaryIO | None:
        """The kept dump for this change, opened for reading, or None.

        None also when the folder cannot be read (logged as a warning).
        """
        try:
            return self.path(modified).open("rb")
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("cannot read the dump files: %s", error)
            return None

    def keepable(self, store: Store, modified: datetime, now: datetime) -> bool:
        """Whether the dump for this change may be kept (see the module text)."""
        if now - modified < timedelta(seconds=SETTLE_SECONDS):
            return False
        return last_modified(store) is not None

    def write(self, store: Store, modified: datetime) -> Path:
        """Write the dump for this change unless it is there; returns its path.

        Raises OSError when the folder cannot be written (nothing is left behind),
        and the store's errors when it cannot be read.
        """
        with _writing:
            target = self.path(modified)
            if target.exists():
                return target

            self.directory.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            self._write_whole(store, target)
            logger.info(
                "wrote the dump %s in %.1f s", target, time.monotonic() - started
            )

            self._remove_earlier(target)
            return target

    def _write_whole(self, store: Store, target: Path) -> None:
        """Write to a temporary name, then rename; removes the temporary on error."""
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=_PARTIAL, dir=self.directory
        )
        try:
            os.fchmod(descriptor, _MODE)
            with os.fdopen(descriptor, "wb") as output:
                for piece in gzipped_dump(store):
                    output.write(piece)
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _remove_earlier(self, kept: Path) -> None:
        """Remove the dumps of earlier changes and abandoned temporary files."""
        for found in self.directory.glob(f"{_PREFIX}*{_SUFFIX}"):
            if found.name < kept.name:
                _remove(found)
        abandoned = time.time() - _ABANDONED_SECONDS
        for found in self.directory.glob(f".{_PREFIX}*{_PARTIAL}"):
            try:
                if found.stat().st_mtime < abandoned:
                    _remove(found)
            except FileNotFoundError:
                continue


def _key(modified: datetime) -> str:
    """A change time as it names a dump file: ``20240710t073000z``."""
    return modified.astimezone(UTC).strftime("%Y%m%dt%H%M%Sz")


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
        logger.info("removed the earlier dump file %s", path)
    except OSError as error:
        logger.warning("cannot remove the dump file %s: %s", path, error)


__all__ = ["DIRECTORY", "SETTLE_SECONDS", "DumpFiles"]
