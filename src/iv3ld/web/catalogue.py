"""The catalogue (DCAT-AP-NL 3.0) and the VoID description, as documents.

=======================  ===========================================================
``/id/catalogus``        the catalogue itself: 303 See Other to its document
``/doc/catalogus``       HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by
                         ``Accept`` or ``?format=ttl|jsonld|nt|rdf``
``/.well-known/void``    the VoID description of the store (RFC 8615 well-known
                         location, VoID §7.2), in the same RDF formats
=======================  ===========================================================

Both are built from the store (:mod:`iv3ld.catalogue`) and kept per app until the
store changes; answers carry ETag and Last-Modified and ``Vary: Accept``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from iv3ld.catalogue import (
    PERIOD_NAMES,
    Operator,
    catalogue_iri,
    catalogue_triples,
    entries,
    void_triples,
)
from iv3ld.exports import dump_iri
from iv3ld.identifiers import base_iri
from iv3ld.serialisation import RDF_TYPES, write_rdf
from iv3ld.store import Store
from iv3ld.web.caching import not_modified, validators
from iv3ld.web.negotiation import choose
from iv3ld.web.pages import render

router = APIRouter(tags=["catalogus"])

LINKS = {
    "text/turtle": ("Turtle", "ttl"),
    "application/ld+json": ("JSON-LD", "jsonld"),
    "application/n-triples": ("N-Triples", "nt"),
    "application/rdf+xml": ("RDF/XML", "rdf"),
}
"""Media type → name and ``?format=`` value of the links to each RDF form."""

Builder = Callable[[Store, datetime], list[ox.Triple]]


@router.get(
    "/id/catalogus",
    summary="The catalogue: 303 to its document",
    status_code=303,
)
@router.head("/id/catalogus", include_in_schema=False)
def see_catalogue(request: Request) -> Response:
    """The catalogue is a thing; its description lives at ``/doc/catalogus``."""
    query = request.url.query
    target = "/doc/catalogus" + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/doc/catalogus",
    summary="The DCAT-AP-NL catalogue of the published submissions",
)
@router.head("/doc/catalogus", include_in_schema=False)
async def get_catalogue(request: Request, format: str | None = None) -> Response:
    """The catalogue as an HTML page or as RDF."""
    media_type = choose(
        ["text/html", *RDF_TYPES], request.headers.get("accept"), format
    )
    headers = validators(request, media_type) | {"Vary": "Accept"}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    if media_type == "text/html":
        listed = await run_in_threadpool(entries, request.app.state.store)
        return render(
            request,
            "catalogue.html",
            headers=headers,
            catalogue=catalogue_iri(),
            entries=listed,
            periods=PERIOD_NAMES,
            dump=dump_iri(),
            alternates=_alternates("/doc/catalogus"),
        )
    settings = request.app.state.settings
    operator = Operator(settings.operator_name, settings.operator_email)
    triples = await run_in_threadpool(
        _described, request, "catalogue", partial(catalogue_triples, operator=operator)
    )
    return _rdf(triples, media_type, headers)


@router.get(
    "/.well-known/void",
    summary="The VoID description of everything in the store",
)
@router.head("/.well-known/void", include_in_schema=False)
async def get_void(request: Request, format: str | None = None) -> Response:
    """VoID: endpoint, URI space, size, vocabularies and dump of the store."""
    media_type = choose(list(RDF_TYPES), request.headers.get("accept"), format)
    headers = validators(request, media_type) | {"Vary": "Accept"}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    triples = await run_in_threadpool(_described, request, "void", void_triples)
    return _rdf(triples, media_type, headers)


def _described(request: Request, name: str, build: Builder) -> list[ox.Triple]:
    """A description built once per change of the store (and base IRI)."""
    modified = request.app.state.clock.modified()
    key = (name, modified, base_iri())
    cache: dict[tuple[str, datetime, str], list[ox.Triple]] | None = getattr(
        request.app.state, "descriptions", None
    )
    if cache is None:
        cache = {}
        request.app.state.descriptions = cache
    if key not in cache:
        for stale in [entry for entry in cache if entry[0] == name]:
            cache.pop(stale, None)
        cache[key] = build(request.app.state.store, modified)
    return cache[key]


def _rdf(
    triples: list[ox.Triple], media_type: str, headers: dict[str, str]
) -> Response:
    return Response(
        write_rdf(triples, media_type), media_type=media_type, headers=headers
    )


def _alternates(path: str) -> list[tuple[str, str, str]]:
    """(name, link, media type) of each RDF form of a page."""
    return [
        (name, f"{path}?format={short}", media_type)
        for media_type, (name, short) in LINKS.items()
    ]
