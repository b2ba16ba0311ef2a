"""Downloads: each submission version as a file, and the whole store as a dump.

==============================================================  ==================
``/download/aanlevering/{overheid}/{boekjaar}/{periode}.{ext}``  the current version
``/download/aanlevering/{overheid}/{boekjaar}/{periode}/{versie}.{ext}``
                                                                one version
``/download/iv3ld.nq.gz``                                       every public graph,
                                                                gzipped N-Quads
==============================================================  ==================

The dump is kept as a file per change of the store (:mod:`iv3ld.dumps`): the
first request after a change writes it, later ones read it.

``ext`` is ``csv`` (a row per cell, :mod:`iv3ld.tables`), ``jsonld`` (the
submission as JSON-LD, :func:`iv3ld.exports.version_jsonld`), ``ttl``, ``nt`` or
``nq`` (the version's graph, with its name). The paths follow the IRIs of
submissions and versions (:mod:`iv3ld.identifiers`). Every file is an attachment
named after the version it holds (``iv3-GM0363-2023-5-20240710t073000z.csv``); the
current version's answer names the version's own address in ``Content-Location``.
Answers carry ETag and Last-Modified and answer 304 to a client whose copy is
current (:mod:`iv3ld.web.caching`); an unknown submission, version or extension is
a 404 problem.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from iv3ld.dumps import DIRECTORY as DUMP_DIRECTORY
from iv3ld.dumps import DumpFiles
from iv3ld.errors import InputError
from iv3ld.exports import (
    DUMP_NAME,
    VersionRef,
    download_iri,
    find_version,
    gzipped_dump,
    version_jsonld,
    version_quads,
    version_triples,
)
from iv3ld.serialisation import N_TRIPLES, TURTLE, write_rdf
from iv3ld.tables import version_csv
from iv3ld.tokens import check_government
from iv3ld.web.caching import not_modified, validators
from iv3ld.web.pages import local_href
from iv3ld.web.problems import Problem

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/download", tags=["downloads"])

DUMP_TYPE = "application/gzip"
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileFormat:
    """One downloadable format of a version."""

    media_type: str
    write: Callable[[Request, VersionRef], bytes]


def _csv(request: Request, ref: VersionRef) -> bytes:
    return version_csv(request.app.state.store, ref)


def _jsonld(request: Request, ref: VersionRef) -> bytes:
    return version_jsonld(request.app.state.store, request.app.state.state, ref)


def _rdf(media_type: str) -> Callable[[Request, VersionRef], bytes]:
    def write(request: Request, ref: VersionRef) -> bytes:
        return write_rdf(
            version_triples(request.app.state.store, ref.version), media_type
        )

    return write


def _nquads(request: Request, ref: VersionRef) -> bytes:
    return version_quads(request.app.state.store, ref.version)


FORMATS = {
    "csv": FileFormat("text/csv; charset=utf-8", _csv),
    "jsonld": FileFormat("application/ld+json", _jsonld),
    "ttl": FileFormat("text/turtle; charset=utf-8", _rdf(TURTLE)),
    "nt": FileFormat("application/n-triples", _rdf(N_TRIPLES)),
    "nq": FileFormat("application/n-quads", _nquads),
}
"""Extension → media type and writer."""

_FILE_NAME = re.compile(r"^(?P<stem>[^.]+)\.(?P<extension>[a-z]+)$")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such submission, version or format"}
}


@router.get(
    "/aanlevering/{government}/{year}/{name}",
    summary="The current version of a submission as a file",
    responses=_NOT_FOUND,
)
@router.head("/aanlevering/{government}/{year}/{name}", include_in_schema=False)
async def download_current(
    request: Request, government: str, year: str, name: str
) -> Response:
    """``…/GM0363/2023/5.csv``: the current version of a submission."""
    periode, extension = _split_name(name)
    return await _download(request, government, year, periode, None, extension)


@router.get(
    "/aanlevering/{government}/{year}/{periode}/{name}",
    summary="One version of a submission as a file",
    responses=_NOT_FOUND,
)
@router.head(
    "/aanlevering/{government}/{year}/{periode}/{name}", include_in_schema=False
)
async def download_version(
    request: Request, government: str, year: str, periode: str, name: str
) -> Response:
    """``…/GM0363/2023/5/20240710t073000z.csv``: one version of a submission."""
    key, extension = _split_name(name)
    return await _download(request, government, year, periode, key, extension)


@router.get(
    f"/{DUMP_NAME}",
    summary="Every public graph as gzipped N-Quads",
)
@router.head(f"/{DUMP_NAME}", include_in_schema=False)
async def download_dump(request: Request) -> Response:
    """The whole public store: the file kept for the store's last change.

    The first GET after a change writes that file (:mod:`iv3ld.dumps`); a HEAD
    never does. When no file can be kept (a change of the last seconds, or a state
    directory that cannot be written) the dump is streamed graph by graph.
    """
    headers = validators(request, DUMP_TYPE)
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    headers["Content-Disposition"] = f'attachment; filename="{DUMP_NAME}"'
    modified = parsedate_to_datetime(headers["Last-Modified"])
    kept = await run_in_threadpool(_kept_dump, request, modified)
    if request.method == "HEAD":
        if kept is not None:
            headers["Content-Length"] = str(_size(kept))
            kept.close()
        return Response(media_type=DUMP_TYPE, headers=headers)

    if kept is None:
        return StreamingResponse(
            gzipped_dump(request.app.state.store),
            media_type=DUMP_TYPE,
            headers=headers,
        )
    headers["Content-Length"] = str(_size(kept))
    return StreamingResponse(_chunks(kept), media_type=DUMP_TYPE, headers=headers)


def _dump_files(request: Request) -> DumpFiles:
    return DumpFiles(request.app.state.state.directory / DUMP_DIRECTORY)


def _kept_dump(request: Request, modified: datetime) -> BinaryIO | None:
    """The dump file for this change, opened; a GET writes it when it may."""
    files = _dump_files(request)
    kept = files.open(modified)
    if kept is not None or request.method == "HEAD":
        return kept

    store = request.app.state.store
    if not files.keepable(store, modified, request.app.state.now()):
        return None
    try:
        files.write(store, modified)
    except OSError as error:
        logger.warning("streaming the dump, it cannot be kept: %s", error)
        return None
    return files.open(modified)


def _size(kept: BinaryIO) -> int:
    return os.fstat(kept.fileno()).st_size


def _chunks(kept: BinaryIO) -> Iterator[bytes]:
    """A kept dump file in pieces; closes it at the end."""
    with kept:
        while piece := kept.read(_CHUNK_BYTES):
            yield piece


async def _download(
    request: Request,
    government: str,
    year: str,
    periode: str,
    key: str | None,
    extension: str,
) -> Response:
    file_format = FORMATS.get(extension)
    if file_format is None:
        raise _not_found(
            f"no downloads as .{extension}; choose one of"
            f" {', '.join('.' + name for name in FORMATS)}"
        )
    headers = validators(request, file_format.media_type)
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    ref = await run_in_threadpool(_find, request, government, year, periode, key)
    body = await run_in_threadpool(file_format.write, request, ref)

    headers["Content-Disposition"] = (
        f'attachment; filename="{ref.file_stem}.{extension}"'
    )
    if key is None:
        headers["Content-Location"] = _version_path(ref, extension)
    return Response(body, media_type=file_format.media_type, headers=headers)


def _find(
    request: Request, government: str, year: str, periode: str, key: str | None
) -> VersionRef:
    """The version a path names. Raises Problem 404 when there is none."""
    what = f"{government}/{year}/{periode}" + (f"/{key}" if key else "")
    try:
        code = check_government(government)
    except InputError:
        detail = f"no submission {what}: {government!r} is no government code"
        raise _not_found(detail) from None
    if not (year.isdigit() and periode.isdigit()):
        raise _not_found(f"no submission {what}: boekjaar and periode are numbers")

    ref = find_version(request.app.state.store, code, int(year), int(periode), key)
    if ref is None:
        kind = "version" if key else "submission"
        raise _not_found(f"no {kind} {what} in the store; see /doc/catalogus")
    return ref


def _split_name(name: str) -> tuple[str, str]:
    """``5.csv`` → (``5``, ``csv``). Raises Problem 404 without an extension."""
    match = _FILE_NAME.match(name)
    if match is None:
        raise _not_found(
            f"{name!r} names no file; add an extension:"
            f" {', '.join('.' + extension for extension in FORMATS)}"
        )
    return match["stem"], match["extension"]


def _version_path(ref: VersionRef, extension: str) -> str:
    return local_href(download_iri(ref.version, extension))


def _not_found(detail: str) -> Problem:
    return Problem(404, "Not found", detail)
