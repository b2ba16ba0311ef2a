"""Dereferenceable resources, the Dutch URI strategy: ``/id``, ``/doc`` and ``/def``.

======================  ==========================================================
``/id/{path}``          303 See Other to ``/doc/{path}`` (query string kept) when
                        the store describes ``{base}/id/{path}``; else 404
``/doc/{path}``         the document about ``{base}/id/{path}``: HTML, Turtle,
                        JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``
``/def/iv3``            the vocabulary as one document; its terms are hash IRIs
                        (``/def/iv3#bedrag``), which a browser asks for as this
``/def/iv3/context…``   the JSON-LD contexts at their published addresses
``/``                   the home page; ``/doc/overheden``: governments with data;
                        ``/doc/regios``: every gemeente, provincie, waterschap
======================  ==========================================================

IRIs keep the configured base while the server may run on any host: a request
path maps to ``{base}/id/{path}`` by the raw (still percent-encoded) path, so that
IRIs holding ``%``-escapes resolve. The RDF of a document is its resource's
triples as subject (a government's also the submissions that name it); the fast
path for RDF formats is one store lookup and a serialisation, no templates.
A version's page lists its parts and their counts; a part's page lists its
observations 200 at a time (``?pagina=2``; not a whole number from 1: 400; past
the last page: 404). The RDF of both is their own triples whatever the page.
Answers carry ETag and Last-Modified (304 on a match), ``Vary: Accept``, a
``Content-Location`` naming the format and ``Link`` headers to the thing
described and the other formats.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from iv3ld.codelists import available_definitions, code_index
from iv3ld.contexts import codes_context, vocabulary_context
from iv3ld.identifiers import base_iri, namespace
from iv3ld.serialisation import (
    FORMAT_NAMES,
    HTML,
    JSON_LD,
    RDF_TYPES,
    serialize,
)
from iv3ld.store import Store
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import codes, government, submission_pages
from iv3ld.web.caching import not_modified, validators
from iv3ld.web.describe import (
    QB,
    SKOS,
    Description,
    compact_name,
    describe,
    exists,
    government_links,
    incoming,
    iri_of_path,
    is_government,
    labels,
    linked_iris,
    property_rows,
    value_of,
)
from iv3ld.web.negotiation import choose
from iv3ld.web.pages import render
from iv3ld.web.problems import PROBLEM_KINDS, Problem

logger = logging.getLogger(__name__)

router = APIRouter(tags=["linked data"])

OFFERED = [HTML, *RDF_TYPES]
"""What a document is offered as; HTML first, so a browser's ``*/*`` gets a page."""

_NO_DOCUMENT = "Not found"


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _raw_path(request: Request, prefix: str) -> str:
    """The request path after ``prefix``, still percent-encoded as sent."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    text = raw.decode("latin-1")
    return text[len(prefix) :] if text.startswith(prefix) else ""


def _not_found(iri: str) -> Problem:
    return Problem(
        404,
        _NO_DOCUMENT,
        f"nothing is known here about <{iri}>; the SPARQL endpoint /sparql shows"
        " what the store holds",
    )


@router.get("/id/{path:path}", summary="A thing")
@router.head("/id/{path:path}", include_in_schema=False)
def thing(request: Request, path: str) -> Response:
    """303 See Other to the document about the thing, when it is known."""
    raw = _raw_path(request, "/id/")
    iri = iri_of_path(raw)
    if iri is None or not raw or not exists(_store(request), iri):
        raise _not_found(f"{base_iri()}/id/{raw}")

    target = f"/doc/{raw}"
    if request.url.query:
        target = f"{target}?{request.url.query}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get("/doc/overheden", summary="Governments with submissions")
def governments(request: Request) -> Response:
    """Every government with a submission, and a link to all regions."""
    choose([HTML], request.headers.get("accept"), request.query_params.get("format"))
    headers = validators(request, HTML)
    if (answer := not_modified(request, headers)) is not None:
        return answer
    entries = government.governments_with_submissions(_store(request))
    return render(request, "governments.html", headers=headers, governments=entries)


@router.get("/doc/regios", summary="Every region")
def regions(request: Request) -> Response:
    """Every gemeente, provincie and waterschap of the regions graph."""
    choose([HTML], request.headers.get("accept"), request.query_params.get("format"))
    headers = validators(request, HTML)
    if (answer := not_modified(request, headers)) is not None:
        return answer
    found = government.regions(_store(request))
    return render(request, "regions.html", headers=headers, regions=found)


@router.get("/doc/{path:path}", summary="A document")
@router.head("/doc/{path:path}", include_in_schema=False)
async def document(request: Request, path: str) -> Response:
    """The document about ``{base}/id/{path}`` in the negotiated format.

    RDF from the embedded store is answered on the event loop: one index lookup
    and a serialisation take less time than handing the work to a thread. Pages,
    governments and remote stores go to the thread pool.
    """
    raw = _raw_path(request, "/doc/")
    media_type = choose(
        OFFERED, request.headers.get("accept"), request.query_params.get("format")
    )
    iri = iri_of_path(raw)
    if iri is None or not raw:
        raise _not_found(f"{base_iri()}/id/{raw}")

    store = _store(request)
    quick = isinstance(store, EmbeddedStore) and media_type != HTML
    if quick and not is_government(iri):
        return _document(request, store, raw, iri, media_type)
    return await run_in_threadpool(_document, request, store, raw, iri, media_type)


def _document(
    request: Request, store: Store, raw: str, iri: str, media_type: str
) -> Response:
    """The document, or 304; raises Problem 404 when nothing describes the IRI."""
    headers = _document_headers(request, raw, iri, media_type)
    if (answer := not_modified(request, headers)) is not None:
        return answer

    description = describe(store, iri)
    if is_government(iri):
        extra = government_links(store, iri)
        description = Description(iri, [*description.triples, *extra])
    if not description.triples:
        raise _not_found(iri)

    if media_type != HTML:
        body = serialize(description.triples, media_type, iri)
        return Response(body, media_type=media_type, headers=headers)
    return _page(request, store, description, headers)


def _document_headers(
    request: Request, raw: str, iri: str, media_type: str
) -> dict[str, str]:
    headers = validators(request, media_type)
    alternates = ", ".join(
        f'</doc/{raw}?format={FORMAT_NAMES[offered]}>; rel="alternate";'
        f' type="{offered}"'
        for offered in OFFERED
        if offered != media_type
    )
    headers["Vary"] = "Accept"
    headers["Content-Location"] = f"/doc/{raw}?format={FORMAT_NAMES[media_type]}"
    headers["Link"] = f'<{iri}>; rel="describes", {alternates}'
    return headers


def _page(
    request: Request, store: Store, description: Description, headers: dict[str, str]
) -> Response:
    """The HTML page of a resource: its kind's template, or the generic one."""
    names = labels(store, linked_iris(description) | {description.iri})
    types = description.types
    context: dict[str, Any] = {
        "iri": description.iri,
        "title": _title(description, names),
        "types": [value_of(ox.NamedNode(kind), names) for kind in types],
        "properties": property_rows(description, names),
        "incoming": [],
        "formats": _format_links(request.url.path),
    }
    vocabulary = namespace().vocabulary

    if is_government(description.iri):
        page = government.government_page(store, description)
        context["title"] = page.name
        return render(request, "government.html", headers=headers, page=page, **context)
    if f"{vocabulary}Aanlevering" in types:
        versions = submission_pages.versions_of(store, description.iri)
        return render(
            request,
            "submission.html",
            headers=headers,
            versions=versions,
            placement_name=submission_pages.placement_name,
            **context,
        )
    if f"{vocabulary}Aanleveringsversie" in types:
        parts = submission_pages.parts_of(store, description.iri)
        context["properties"] = property_rows(
            description, names, skip=[f"{vocabulary}waarneming"]
        )
        return render(
            request,
            "version.html",
            headers=headers,
            parts=parts,
            page_size=submission_pages.PAGE_SIZE,
            **context,
        )
    if f"{QB}DataSet" in types:
        part_page = _part_page(request, store, description.iri)
        return render(request, "part.html", headers=headers, page=part_page, **context)
    if f"{SKOS}Concept" in types:
        code = codes.code_page(store, description)
        context["incoming"] = incoming(store, description.iri)
        return render(request, "code.html", headers=headers, code=code, **context)
    if f"{SKOS}ConceptScheme" in types:
        members = codes.scheme_codes(store, description.iri)
        return render(
            request, "scheme.html", headers=headers, members=members, **context
        )

    context["incoming"] = incoming(store, description.iri)
    return render(request, "resource.html", headers=headers, **context)


PAGE_PARAMETER = "pagina"
"""The query parameter naming a page of a part's observations (from 1)."""

_PAGE_DIGITS = 18
"""Longer page numbers are past any part's end (and too long for ``int()``)."""


def _part_page(
    request: Request, store: Store, part_iri: str
) -> submission_pages.PartPage:
    """The page of a part the request asks for.

    Raises Problem 400 for a page number that is not a whole number from 1, and
    404 for one past the part's last page (the detail names the last page).
    """
    number = _page_number(request)
    part = submission_pages.part_of(store, part_iri)
    if part is None:
        raise _not_found(part_iri)

    if number > part.pages:
        raise Problem(
            404,
            _NO_DOCUMENT,
            f"{part.name} has {part.observations} observations on {part.pages}"
            f" page(s) of {submission_pages.PAGE_SIZE}; there is no page {number}."
            f" The first page is {request.url.path}",
        )
    return submission_pages.part_page(store, part, number)


def _page_number(request: Request) -> int:
    """The ``pagina`` parameter as a number from 1 (1 when absent).

    Raises Problem 400 when it is given twice or is not a whole number from 1.
    """
    values = request.query_params.getlist(PAGE_PARAMETER)
    if not values:
        return 1
    text = values[0]
    digits = text.isascii() and text.isdigit()
    number = int(text) if digits and len(text) <= _PAGE_DIGITS else sys.maxsize
    if len(values) > 1 or not digits or number < 1:
        shown = ", ".join(repr(value[:20]) for value in values)
        raise Problem(
            400,
            "Bad request",
            f"{PAGE_PARAMETER} must be given once, as a whole number from 1;"
            f" got {shown}",
        )
    return number


def _title(description: Description, names: dict[str, str]) -> str:
    """A page's heading: the label, else words made of what the resource is."""
    vocabulary = namespace().vocabulary
    types = description.types
    iri = description.iri
    government = description.first(f"{vocabulary}overheid")
    who = names.get(government, "") if government else ""
    if f"{vocabulary}Aanleveringsversie" in types:
        return f"Versie {iri.rsplit('/', 1)[-1]} van {who}"
    label = names.get(iri)
    if label:
        return label
    if description.first(f"{QB}dataSet") is not None:
        codes = [
            names.get(value) or compact_name(value)
            for predicate in _DIMENSIONS
            if (value := description.first(f"{vocabulary}{predicate}")) is not None
        ]
        part = iri.rsplit("/", 3)[-3]
        return f"{part.capitalize()}: {' × '.join(codes)}"
    if f"{vocabulary}Aanlevering" in types:
        year, periode = iri.rsplit("/", 2)[-2:]
        return f"Aanlevering {who} {year}, periode {periode}"
    if f"{QB}DataSet" in types:
        return f"{iri.rsplit('/', 1)[-1].capitalize()} van {who}"
    return compact_name(iri)


_DIMENSIONS = (
    "taakveld",
    "balanscode",
    "kengetal",
    "beleidsindicator",
    "categorie",
    "standper",
    "verslagperiode",
)
"""The code dimensions of observations, row code before column code."""


def _format_links(path: str) -> list[tuple[str, str]]:
    return [
        (FORMAT_NAMES[offered], f"{path}?format={FORMAT_NAMES[offered]}")
        for offered in RDF_TYPES
    ]


@router.get("/def/iv3", summary="The vocabulary")
@router.head("/def/iv3", include_in_schema=False)
def vocabulary_document(request: Request) -> Response:
    """The Iv3 vocabulary: an HTML listing of its terms, or its RDF."""
    media_type = choose(
        OFFERED, request.headers.get("accept"), request.query_params.get("format")
    )
    iri = codes.vocabulary_iri()
    headers = validators(request, media_type)
    headers["Vary"] = "Accept"
    headers["Content-Location"] = f"/def/iv3?format={FORMAT_NAMES[media_type]}"
    if (answer := not_modified(request, headers)) is not None:
        return answer

    triples = codes.vocabulary_triples(_store(request))
    if media_type != HTML:
        return Response(
            serialize(triples, media_type, iri), media_type=media_type, headers=headers
        )
    page = codes.vocabulary_page(triples)
    return render(
        request,
        "vocabulary.html",
        headers=headers,
        page=page,
        title=page.title,
        formats=_format_links("/def/iv3"),
        short=compact_name,
    )


@router.get("/def/iv3/context.jsonld", summary="The vocabulary's JSON-LD context")
def vocabulary_context_document(request: Request) -> Response:
    """The JSON-LD context of the CBS format at its published address."""
    return _context_response(request, vocabulary_context())


@router.get(
    "/def/iv3/context/{name}.jsonld", summary="The JSON-LD context of a code list"
)
def codes_context_document(request: Request, name: str) -> Response:
    """The code-list context of one overheidslaag and boekjaar (``gemeente-2023``)."""
    layer, _, year = name.rpartition("-")
    if not year.isdigit() or (layer, int(year)) not in available_definitions():
        raise Problem(404, _NO_DOCUMENT, f"there is no code-list context {name!r}")
    return _context_response(request, codes_context(code_index(layer, int(year))))


def _context_response(request: Request, context: dict[str, Any]) -> Response:
    headers = validators(request, JSON_LD)
    if (answer := not_modified(request, headers)) is not None:
        return answer
    body = orjson.dumps({"@context": context}, option=orjson.OPT_INDENT_2)
    return Response(body, media_type=JSON_LD, headers=headers)


@router.get("/def/problemen", summary="The kinds of problem the API answers with")
@router.head("/def/problemen", include_in_schema=False)
def get_problem_kinds(request: Request) -> Response:
    """The page every problem's ``type`` IRI points to, one row per kind."""
    return render(request, "problems.html", kinds=PROBLEM_KINDS)


@router.get("/def/{path:path}", include_in_schema=False)
def unknown_definition(path: str) -> Response:
    """Only the Iv3 vocabulary is published under ``/def``."""
    raise Problem(404, _NO_DOCUMENT, f"no vocabulary is published at /def/{path}")


@router.get("/", summary="Home")
def home(request: Request) -> Response:
    """What iv3ld is, the governments with data, where to go next."""
    choose([HTML], request.headers.get("accept"), request.query_params.get("format"))
    headers = validators(request, HTML)
    if (answer := not_modified(request, headers)) is not None:
        return answer
    entries = government.governments_with_submissions(_store(request))
    return render(request, "home.html", headers=headers, governments=entries)
