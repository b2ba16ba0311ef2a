"""Conditional requests (RFC 9110 §13): ETag, Last-Modified and 304 answers.

Everything the app serves is derived from the store, and the store records when
it last changed (:func:`iv3ld.graphs.last_modified`). A response's validator is
therefore that time, the request target and the negotiated media type: cheap to
compute before any work is done, so a 304 costs one lookup. The change time is
cached for a second per process, which bounds the cost for a remote engine.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from iv3ld.graphs import last_modified
from iv3ld.store import Store

_CACHE_SECONDS = 1.0
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class StoreClock:
    """When the store last changed, looked up at most once a second."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._checked = 0.0
        self._value = _EPOCH

    def modified(self) -> datetime:
        """The store's last change, whole seconds, UTC."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked > _CACHE_SECONDS:
                found = last_modified(self._store)
                self._value = (found or _EPOCH).astimezone(UTC).replace(microsecond=0)
                self._checked = now
            return self._value

    def forget(self) -> None:
        """Look again on the next request (after this process wrote)."""
        with self._lock:
            self._checked = 0.0


def validators(request: Request, media_type: str) -> dict[str, str]:
    """The ETag and Last-Modified headers for a response to this request."""
    clock: StoreClock = request.app.state.clock
    modified = clock.modified()
    seed = f"{modified.isoformat()}|{request.url.path}|{request.url.query}|{media_type}"
    tag = hashlib.blake2b(seed.encode("utf-8"), digest_size=12).hexdigest()
    return {"ETag": f'"{tag}"', "Last-Modified": format_datetime(modified, usegmt=True)}


def not_modified(request: Request, headers: dict[str, str]) -> Response | None:
    """A 304 response when the client's copy is current, else None.

    ``If-None-Match`` decides when present (weak comparison); otherwise
    ``If-Modified-Since``.
    """
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {item.strip().removeprefix("W/") for item in match.split(",")}
        if "*" in tags or headers["ETag"] in tags:
            return Response(status_code=304, headers=headers)
        return None

    since = request.headers.get("if-modified-since")
    if since:
        try:
            client_time = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if client_time.tzinfo is None:
            client_time = client_time.replace(tzinfo=UTC)
        if parsedate_to_datetime(headers["Last-Modified"]) <= client_time:
            return Response(status_code=304, headers=headers)
    return None
