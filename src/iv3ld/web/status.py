"""Delivery status pages: ``/status/{boekjaar}/{periode}``.

Per government of the register: delivered or not, valid or not, the latest
version, when it was received, its placement and whether it was late against the
CBS deadline (:mod:`iv3ld.status`). HTML for browsers, JSON by ``Accept:
application/json`` or ``?format=json``. The register is read on every request,
so a changed register shows at once; when it cannot be read the page lists the
governments that delivered and says why the register is missing.

The page comes from the ledger and the register, not the store, so its
validators do too. ``Cache-Control: no-cache`` makes a client ask every time;
the weak ``ETag`` is a hash of everything the page shows but the moment it was
made (the rows, counts, dates, the register's problem and the format), so a
new delivery, a held version's publication, a changed register or a deadline
passing gives a new tag, and ``If-None-Match`` with the current tag gives 304.
``Last-Modified`` is the newest of the period's ledger times and the register
file's change time: a hint only (a file loaded from an archive keeps the time
it was made), so ``If-Modified-Since`` alone never gives 304.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import UTC, datetime
from email.utils import format_datetime

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from iv3ld.errors import InputError
from iv3ld.publication import AMSTERDAM
from iv3ld.sources import Source, read_register
from iv3ld.status import DeliveryStatus, delivery_status
from iv3ld.web.negotiation import choose
from iv3ld.web.pages import render
from iv3ld.web.problems import Problem

logger = logging.getLogger(__name__)

router = APIRouter(tags=["status"])

_OFFERED = ["text/html", "application/json"]
_FORMATS = {"html": "text/html", "json": "application/json"}
_YEARS = range(2000, 2101)


@router.get(
    "/status/{year}/{periode}",
    summary="Delivery status of every government for a boekjaar and periode",
    responses={
        200: {"content": {"text/html": {}, "application/json": {}}},
        404: {"description": "No such boekjaar or periode"},
    },
)
async def get_status(request: Request, year: int, periode: int) -> Response:
    """Who delivered, what is valid, what was late."""
    media_type = _media_type(request)
    if year not in _YEARS or not 0 <= periode <= 5:
        raise Problem(
            404,
            "Not found",
            f"no status for boekjaar {year} periode {periode}: periode is 0"
            " (begroting), 1–4 (quarters) or 5 (jaarrekening)",
        )

    status, register_problem = await run_in_threadpool(_status, request, year, periode)
    headers = _validators(request, status, register_problem, media_type)
    if _matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)

    if media_type == "application/json":
        body = status.as_json() | {"register_problem": register_problem}
        return Response(orjson.dumps(body), headers=headers, media_type=media_type)
    return render(
        request,
        "status.html",
        headers=headers,
        status=status,
        register_problem=register_problem,
        local=_local_time,
    )


def _validators(
    request: Request,
    status: DeliveryStatus,
    register_problem: str | None,
    media_type: str,
) -> dict[str, str]:
    """The caching headers: revalidate always, a weak ETag of what is shown."""
    shown = status.as_json() | {"register_problem": register_problem}
    shown.pop("checked")
    seed = orjson.dumps(shown, option=orjson.OPT_SORT_KEYS) + media_type.encode()
    tag = hashlib.blake2b(seed, digest_size=12).hexdigest()
    headers = {"Cache-Control": "no-cache", "Vary": "Accept", "ETag": f'W/"{tag}"'}

    modified = _last_change(request, status)
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    return headers


def _matches(request: Request, tag: str) -> bool:
    """Whether ``If-None-Match`` names the tag (weak comparison) or ``*``."""
    match = request.headers.get("if-none-match")
    if match is None:
        return False
    tags = {item.strip().removeprefix("W/") for item in match.split(",")}
    return "*" in tags or tag.removeprefix("W/") in tags


def _last_change(request: Request, status: DeliveryStatus) -> datetime | None:
    """The newest of the period's ledger times and the register file's mtime."""
    moments = [status.changed] if status.changed is not None else []
    path = request.app.state.settings.register_path
    with contextlib.suppress(OSError):
        moments.append(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    if not moments:
        return None
    newest = max(_utc(moment) for moment in moments)
    return newest.replace(microsecond=0)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _local_time(moment: datetime) -> str:
    """A moment as Dutch time, to the minute."""
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")


def _media_type(request: Request) -> str:
    name = request.query_params.get("format")
    if name and name.lower() in _FORMATS:
        return _FORMATS[name.lower()]
    return choose(_OFFERED, request.headers.get("accept"), name)


def _status(
    request: Request, year: int, periode: int
) -> tuple[DeliveryStatus, str | None]:
    sources, problem = _register(request)
    now = _now(request)
    return delivery_status(
        request.app.state.state, sources, year, periode, now
    ), problem


def _register(request: Request) -> tuple[list[Source], str | None]:
    """The register's sources, or none and why it could not be read."""
    path = request.app.state.settings.register_path
    try:
        return read_register(path), None
    except InputError as error:
        logger.warning("status without the register: %s", error)
        return [], str(error)


def _now(request: Request) -> datetime:
    moment: datetime = request.app.state.now()
    return moment
