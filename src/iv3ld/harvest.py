"""Harvesting ("ophalen"): fetch every source of the register and take its file in.

For each source of the register (:mod:`iv3ld.sources`) :func:`harvest` fetches
the one URL the register names, never an address found in the fetched data, and
hands the file to :func:`iv3ld.deliveries.receive` on the ``harvest`` channel,
attributed to the register's government: a file that names another government is
refused, as an upload with another government's token is.

How a source is fetched:

* **conditional requests**: the ``ETag`` and ``Last-Modified`` of the last file
  that was taken in are kept per URL in the ledger (table ``harvest_sources``)
  and sent as ``If-None-Match`` / ``If-Modified-Since``; 304 means unchanged. A
  file with the checksum of the last one taken in is unchanged too, without being
  checked again. After an invalid or refused file the validators are forgotten, so
  that the next run fetches and reports it again;
* **timeouts**: one for connecting, one for each wait for more bytes, and ten
  read timeouts for a whole attempt;
* **size limit**: the body is streamed and the download stops as soon as it is
  past the limit (``Content-Length`` over the limit stops it before reading);
* **retries**: a refused or broken connection, a DNS failure, a connect timeout,
  a 5xx or a 429 answer is tried again, a bounded number of times, waiting
  ``backoff × 2ⁿ`` seconds (or the server's ``Retry-After`` up to a minute). A
  read timeout is not retried: a server that slow is slow again;
* **redirects**: at most a set number, each to ``http`` or ``https`` only, never
  from ``https`` down to ``http``; other hosts are allowed, since governments
  move their files to portals and content delivery networks;
* **content sniffing**: the first bytes decide (``{`` or ``[`` JSON, ``PK`` a
  workbook, an HTML page is reported as invalid with a clear message), then the
  ``Content-Type`` and the URL's suffix.

Sources are fetched concurrently (a bounded number at a time); reading,
validating and storing run in worker threads, and deliveries for one submission
are serialised by :mod:`iv3ld.intake`. Each run is logged: per source one outcome
(:data:`HarvestOutcome`), kept as JSON in ``harvest/`` in the state directory.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from iv3ld import __version__
from iv3ld.deliveries import JSON_TYPES, TURTLE_TYPE, XLSX_TYPE, Receipt, receive
from iv3ld.errors import DeliveryForbiddenError, InputError
from iv3ld.settings import Settings
from iv3ld.sources import Source
from iv3ld.state import StateDirectory, ledger_time
from iv3ld.store import Store
from iv3ld.submission import MAX_FILE_BYTES

logger = logging.getLogger(__name__)

HarvestOutcome = Literal[
    "new", "unchanged", "invalid", "unreachable", "too-large", "refused"
]
"""What became of one source in one run."""

GOOD_OUTCOMES = frozenset({"new", "unchanged"})

RETRY_AFTER_LIMIT = 60.0
"""The longest ``Retry-After`` harvest honours; longer ones are cut to this."""

_ACCEPT = (
    f"application/json, application/ld+json, {TURTLE_TYPE};q=0.9,"
    f" {XLSX_TYPE};q=0.8, */*;q=0.1"
)
_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = f"iv3ld/{__version__} (harvest; +https://data.iv3ld.nl)"


@dataclass(frozen=True)
class HarvestLimits:
    """The limits of one run: timeouts, size, retries, redirects, concurrency."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_bytes: int = MAX_FILE_BYTES
    retries: int = 3
    backoff: float = 1.0
    max_redirects: int = 5
    concurrency: int = 8

    @classmethod
    def from_settings(cls, settings: Settings) -> HarvestLimits:
        """The limits the settings give; the size never above the file limit."""
        return cls(
            connect_timeout=settings.harvest_connect_timeout,
            read_timeout=settings.harvest_read_timeout,
            max_bytes=min(settings.harvest_max_bytes, MAX_FILE_BYTES),
            retries=max(settings.harvest_retries, 0),
            backoff=max(settings.harvest_backoff, 0.0),
            max_redirects=max(settings.harvest_max_redirects, 0),
            concurrency=max(settings.harvest_concurrency, 1),
        )

    @property
    def attempt_seconds(self) -> float:
        """The most one attempt may take, however steadily bytes trickle in."""
        return self.connect_timeout + 10 * self.read_timeout


@dataclass(frozen=True)
class SourceResult:
    """What became of one source: the outcome and why."""

    source: Source
    outcome: HarvestOutcome
    detail: str
    status: int | None = None
    final_url: str | None = None
    version: str | None = None
    codes: tuple[str, ...] = ()
    attempts: int = 1
    seconds: float = 0.0

    @property
    def good(self) -> bool:
        """Whether the source is fine: a new version or unchanged."""
        return self.outcome in GOOD_OUTCOMES

    def as_json(self) -> dict[str, Any]:
        """The result as the JSON log and ``--format json`` show it."""
        return {
            "government": self.source.government,
            "url": self.source.url,
            "name": self.source.name,
            "outcome": self.outcome,
            "detail": self.detail,
            "status": self.status,
            "final_url": self.final_url,
            "version": self.version,
            "codes": list(self.codes),
            "attempts": self.attempts,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class HarvestRun:
    """One run over the register, its results in register order."""

    started: datetime
    finished: datetime
    results: list[SourceResult]
    log_path: Path | None = None

    @property
    def all_good(self) -> bool:
        """Whether every source gave a new version or was unchanged."""
        return all(result.good for result in self.results)

    def counts(self) -> dict[str, int]:
        """How many sources had each outcome (outcomes that occurred)."""
        counted: dict[str, int] = {}
        for result in self.results:
            counted[result.outcome] = counted.get(result.outcome, 0) + 1
        return counted

    def as_json(self) -> dict[str, Any]:
        """The run as kept in the log."""
        return {
            "started": ledger_time(self.started),
            "finished": ledger_time(self.finished),
            "sources": len(self.results),
            "counts": self.counts(),
            "results": [result.as_json() for result in self.results],
        }


@dataclass
class _Fetched:
    status: int
    url: str
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1


@dataclass
class _FetchError(Exception):
    """A source that could not be fetched; ``transient`` ones are retried."""

    outcome: HarvestOutcome
    reason: str
    status: int | None = None
    transient: bool = False
    retry_after: float | None = None
    url: str | None = None
    attempts: int = field(default=1)


def harvest(
    store: Store,
    state: StateDirectory,
    sources: list[Source],
    limits: HarvestLimits | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[SourceResult], None] | None = None,
) -> HarvestRun:
    """Fetch every source and take in what it serves; log and return the run.

    ``now`` is the moment of receipt (default: the clock, per source);
    ``progress`` is called with each result as it comes. Raises StoreError when
    the store fails, since then no source can be taken in.
    """
    limits = limits or HarvestLimits()
    started = datetime.now(UTC)
    results = asyncio.run(_harvest_all(store, state, sources, limits, now, progress))
    run = HarvestRun(started, datetime.now(UTC), results)

    log_path = _write_log(state, run)
    logger.info("harvest of %d sources: %s", len(results), run.counts())
    return HarvestRun(run.started, run.finished, run.results, log_path)


async def _harvest_all(
    store: Store,
    state: StateDirectory,
    sources: list[Source],
    limits: HarvestLimits,
    now: datetime | None,
    progress: Callable[[SourceResult], None] | None,
) -> list[SourceResult]:
    """Every source, at most ``limits.concurrency`` at a time."""
    semaphore = asyncio.Semaphore(limits.concurrency)
    timeout = httpx.Timeout(
        limits.read_timeout, connect=limits.connect_timeout, pool=None
    )
    pool = httpx.Limits(
        max_connections=limits.concurrency,
        max_keepalive_connections=limits.concurrency,
    )
    with ThreadPoolExecutor(limits.concurrency, "iv3ld-harvest") as workers:
        async with httpx.AsyncClient(
            timeout=timeout,
            limits=pool,
            follow_redirects=False,
            headers={"User-Agent": _USER_AGENT},
        ) as client:
            context = _Context(store, state, client, workers, limits, now)

            async def one(index: int, source: Source) -> tuple[int, SourceResult]:
                async with semaphore:
                    result = await _harvest_source(context, source)
                if progress is not None:
                    progress(result)
                return index, result

            tasks = [one(index, source) for index, source in enumerate(sources)]
            done = await asyncio.gather(*tasks)
    return [result for _, result in sorted(done, key=lambda item: item[0])]


@dataclass(frozen=True)
class _Context:
    store: Store
    state: StateDirectory
    client: httpx.AsyncClient
    workers: ThreadPoolExecutor
    limits: HarvestLimits
    now: datetime | None

    async def in_worker(self, function: Callable[..., Any], *arguments: Any) -> Any:
        """Run blocking work (reading, validating, storing, the ledger) in a thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.workers, function, *arguments)


async def _harvest_source(context: _Context, source: Source) -> SourceResult:
    """Fetch one source and take its file in; the result says what happened."""
    clock = time.monotonic()
    known = await context.in_worker(_known_source, context.state, source.url)
    try:
        fetched = await _fetch(context.client, source.url, known, context.limits)
    except _FetchError as failure:
        result = SourceResult(
            source,
            failure.outcome,
            failure.reason,
            failure.status,
            failure.url,
            attempts=failure.attempts,
        )
    else:
        result = await context.in_worker(_take_in, context, source, fetched, known)

    result = _timed(result, time.monotonic() - clock)
    logger.info("%s %s: %s, %s", source.government, source.url, *_brief(result))
    return result


def _timed(result: SourceResult, seconds: float) -> SourceResult:
    return replace(result, seconds=seconds)


def _brief(result: SourceResult) -> tuple[str, str]:
    return result.outcome, result.detail


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    known: dict[str, Any],
    limits: HarvestLimits,
) -> _Fetched:
    """GET the URL with retries; raises _FetchError when it cannot be had."""
    headers = _conditional_headers(known)
    attempt = 0
    while True:
        attempt += 1
        try:
            async with asyncio.timeout(limits.attempt_seconds):
                fetched = await _fetch_once(client, url, headers, limits)
        except TimeoutError:
            raise _FetchError(
                "unreachable",
                f"timeout: the whole answer took over {limits.attempt_seconds:g} s",
                attempts=attempt,
            ) from None
        except _FetchError as failure:
            failure.attempts = attempt
            if not failure.transient or attempt > limits.retries:
                if failure.transient and attempt > 1:
                    failure.reason += f" (after {attempt} attempts)"
                raise
            await asyncio.sleep(_delay(limits, attempt, failure.retry_after))
            continue
        fetched.attempts = attempt
        return fetched


def _delay(limits: HarvestLimits, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff, or the server's Retry-After when it asks for longer."""
    delay: float = limits.backoff * 2.0 ** (attempt - 1)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_LIMIT))
    return delay


def _conditional_headers(known: dict[str, Any]) -> dict[str, str]:
    headers = {"Accept": _ACCEPT}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    return headers


async def _fetch_once(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    limits: HarvestLimits,
) -> _Fetched:
    """One attempt: follow redirects within the limits, read the body within size."""
    target = url
    for _ in range(limits.max_redirects + 1):
        request = client.build_request("GET", target, headers=headers)
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise _connection_failure(error, target) from None
        try:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                target = _redirect_target(target, response.headers["location"])
                continue
            return await _answer(response, target, limits)
        finally:
            await response.aclose()
    raise _FetchError(
        "unreachable",
        f"more than {limits.max_redirects} redirects",
        url=target,
    )


def _redirect_target(current: str, location: str) -> str:
    """Where a redirect leads; raises _FetchError for a scheme not followed."""
    target = urljoin(current, location.strip())
    scheme = urlsplit(target).scheme.lower()
    if scheme not in {"http", "https"}:
        raise _FetchError(
            "unreachable",
            f"redirect to {target!r}: only http and https are followed",
            url=target,
        )
    if urlsplit(current).scheme.lower() == "https" and scheme == "http":
        raise _FetchError(
            "unreachable",
            f"redirect from https down to http ({target}) is not followed",
            url=target,
        )
    return target


async def _answer(
    response: httpx.Response, url: str, limits: HarvestLimits
) -> _Fetched:
    """The fetched file, or a _FetchError for a status that is not 200 or 304."""
    status = response.status_code
    if status == 304:
        return _Fetched(304, url)
    if status == 429 or status >= 500:
        raise _FetchError(
            "unreachable",
            f"HTTP {status} {response.reason_phrase}".strip(),
            status=status,
            transient=True,
            retry_after=_retry_after(response.headers.get("retry-after")),
            url=url,
        )
    if status != 200:
        raise _FetchError(
            "unreachable",
            f"HTTP {status} {response.reason_phrase}".strip(),
            status=status,
            url=url,
        )

    content = await _read_limited(response, url, limits.max_bytes)
    return _Fetched(
        200,
        url,
        content,
        response.headers.get("content-type", ""),
        response.headers.get("etag"),
        response.headers.get("last-modified"),
    )


async def _read_limited(response: httpx.Response, url: str, limit: int) -> bytes:
    """The body, read until it ends or passes the limit (then _FetchError)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(f"Content-Length is {int(declared):,} bytes", limit, url)

    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise _too_large(f"over {limit:,} bytes read", limit, url)
            chunks.append(chunk)
    except httpx.ReadTimeout:
        raise _FetchError(
            "unreachable", "timeout: the answer stalled", url=url
        ) from None
    except httpx.HTTPError as error:
        raise _connection_failure(error, url) from None
    return b"".join(chunks)


def _too_large(what: str, limit: int, url: str) -> _FetchError:
    return _FetchError(
        "too-large",
        f"{what}; the limit is {limit:,} bytes, download stopped",
        status=200,
        url=url,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _connection_failure(error: httpx.HTTPError, url: str) -> _FetchError:
    """Name what went wrong with the connection; only a read timeout is final."""
    if isinstance(error, httpx.ReadTimeout):
        return _FetchError("unreachable", "timeout: no answer in time", url=url)
    if isinstance(error, httpx.ConnectTimeout):
        reason = "timeout: no connection in time"
    elif isinstance(error, httpx.ConnectError):
        reason = _connect_reason(error)
    elif isinstance(error, httpx.TimeoutException):
        reason = "timeout"
    else:
        reason = f"connection broken: {error or type(error).__name__}"
    return _FetchError("unreachable", reason, transient=True, url=url)


def _connect_reason(error: BaseException) -> str:
    """Refused, DNS or other, from the causes httpx wraps."""
    causes: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and len(causes) < 10:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "connection refused"
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return f"DNS: the host name cannot be resolved ({causes[-1]})"
    return f"cannot connect: {causes[-1] or 'connection error'}"


def _take_in(
    context: _Context, source: Source, fetched: _Fetched, known: dict[str, Any]
) -> SourceResult:
    """Sniff, receive and remember the fetched file (in a worker thread)."""
    state = context.state
    if fetched.status == 304:
        _remember(state, source, known, fetched, "unchanged", known.get("checksum"))
        return _result(source, fetched, "unchanged", "not modified (304)")

    checksum = f"sha256:{hashlib.sha256(fetched.content).hexdigest()}"
    if checksum == known.get("checksum") and known.get("outcome") in GOOD_OUTCOMES:
        _remember(state, source, known, fetched, "unchanged", checksum)
        return _result(source, fetched, "unchanged", "same file as last time")

    try:
        media_type = sniff(fetched.content, fetched.content_type, fetched.url)
        result = _receive(context, source, fetched, media_type)
    except _RefusedError as refusal:
        result = _result(source, fetched, refusal.outcome, refusal.reason)
    _remember(state, source, known, fetched, result.outcome, checksum)
    return result


@dataclass
class _RefusedError(Exception):
    outcome: HarvestOutcome
    reason: str


def _receive(
    context: _Context, source: Source, fetched: _Fetched, media_type: str
) -> SourceResult:
    """Hand the file to the deliveries: new, unchanged, invalid or refused."""
    moment = context.now or datetime.now(UTC)
    receipt = Receipt(fetched.content, media_type, source.url, "harvest", moment)
    try:
        intake = receive(
            context.store,
            context.state,
            receipt,
            government=source.government,
            now=moment,
        )
    except DeliveryForbiddenError as error:
        raise _RefusedError("refused", error.message) from None
    except InputError as error:
        raise _RefusedError("invalid", f"unreadable: {error}") from None

    if intake.outcome == "refused":
        codes = tuple(sorted({result.code for result in intake.report.results}))
        violations = intake.report.count("Violation")
        detail = f"does not conform: {violations} violations ({', '.join(codes)})"
        return _result(source, fetched, "invalid", detail, intake.version, codes)
    if intake.outcome == "unchanged":
        return _result(source, fetched, "unchanged", "already stored", intake.version)
    if intake.outcome == "pending":
        detail = (
            f"new version, held until its {intake.placement.label} on"
            f" {intake.publication_date.isoformat()}"
        )
    else:
        detail = "new version, published"
    return _result(source, fetched, "new", detail, intake.version)


def _result(
    source: Source,
    fetched: _Fetched,
    outcome: HarvestOutcome,
    detail: str,
    version: str | None = None,
    codes: tuple[str, ...] = (),
) -> SourceResult:
    return SourceResult(
        source,
        outcome,
        detail,
        fetched.status,
        fetched.url,
        version,
        codes,
        fetched.attempts,
    )


def sniff(content: bytes, content_type: str, url: str) -> str:
    """The submission media type of fetched bytes: bytes first, then headers, URL.

    Raises _RefusedError ("invalid") for an HTML page or content of no known kind.
    """
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    declared = content_type.split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")):
        return (
            "application/ld+json"
            if declared == "application/ld+json"
            else ("application/json")
        )
    if head.startswith(b"pk\x03\x04"):
        return XLSX_TYPE
    if head.startswith((b"<!doctype html", b"<html")) or declared in {
        "text/html",
        "application/xhtml+xml",
    }:
        raise _RefusedError(
            "invalid",
            f"the server sent an HTML page ({declared or 'no Content-Type'}), not an"
            " Iv3 file: check the URL in the register",
        )
    if declared in JSON_TYPES or declared in {TURTLE_TYPE, XLSX_TYPE}:
        return declared
    suffix = Path(urlsplit(url).path).suffix.lower()
    by_suffix = {".json": "application/json", ".ttl": TURTLE_TYPE, ".xlsx": XLSX_TYPE}
    if suffix in by_suffix:
        return by_suffix[suffix]
    raise _RefusedError(
        "invalid",
        f"not an Iv3 file: Content-Type {declared or 'missing'} and the content is"
        " neither JSON, Turtle nor a workbook",
    )


def _known_source(state: StateDirectory, url: str) -> dict[str, Any]:
    """What the last run remembered of a URL: validators, checksum, outcome."""
    with state.connect() as connection:
        row = connection.execute(
            "SELECT etag, last_modified, checksum, outcome FROM harvest_sources"
            " WHERE url = ?",
            (url,),
        ).fetchone()
    return dict(row) if row is not None else {}


def _remember(
    state: StateDirectory,
    source: Source,
    known: dict[str, Any],
    fetched: _Fetched,
    outcome: HarvestOutcome,
    checksum: str | None,
) -> None:
    """Keep the validators of a file that was taken in; forget them otherwise."""
    if outcome not in GOOD_OUTCOMES:
        etag, modified = None, None
    elif fetched.status == 304:
        etag, modified = known.get("etag"), known.get("last_modified")
    else:
        etag, modified = fetched.etag, fetched.last_modified
    with state.connect() as connection:
        connection.execute(
            "INSERT INTO harvest_sources (url, government, etag, last_modified,"
            " checksum, checked, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET government = excluded.government,"
            " etag = excluded.etag, last_modified = excluded.last_modified,"
            " checksum = excluded.checksum, checked = excluded.checked,"
            " outcome = excluded.outcome",
            (
                source.url,
                source.government,
                etag,
                modified,
                checksum,
                ledger_time(),
                outcome,
            ),
        )


def _write_log(state: StateDirectory, run: HarvestRun) -> Path:
    """Keep the run as JSON in ``harvest/`` of the state directory."""
    folder = state.directory / "harvest"
    folder.mkdir(exist_ok=True)
    stem = run.started.strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stem}.json"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.json"
    text = json.dumps(run.as_json(), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path
