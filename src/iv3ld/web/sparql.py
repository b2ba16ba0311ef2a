"""The public SPARQL 1.1 Protocol endpoint at ``/sparql``: queries only.

https://www.w3.org/TR/sparql11-protocol/. A query comes as ``GET ?query=``, as a
``POST`` form (``application/x-www-form-urlencoded``, ``query=``) or as a ``POST``
of the query itself (``application/sparql-query``); ``default-graph-uri`` and
``named-graph-uri`` name its dataset and win over the query's FROM clauses (§2.1.4).
The answer's format follows ``Accept`` (or ``?format=``); a browser gets an HTML
page with the result as a table. A plain ``GET /sparql`` is the Service
Description (RDF), or for a browser the query page with examples.

=======  ==============================================================
400      malformed query (the parser's message), two ``query`` values, a
         dataset parameter that is no IRI, a body or parameter that is not
         UTF-8, a federated query (``SERVICE``), an unknown ``format``
403      an update: this endpoint is read-only
406      ``Accept`` allows none of the formats of this kind of result
413      a body over ``IV3LD_MAX_QUERY_BYTES``
415      a ``POST`` that is neither form nor ``application/sparql-query``,
         or declares a charset other than UTF-8
422      the result has more solutions or triples than ``IV3LD_RESULT_LIMIT``
503      the query ran past ``IV3LD_QUERY_TIMEOUT`` (with ``Retry-After``)
=======  ==============================================================

``GET`` answers carry ``ETag`` and ``Last-Modified`` (the store's last change) and
a matching conditional request gets 304 without running the query. The endpoint is
left out of the OpenAPI document: the W3C protocol defines it, its parameter names
(``default-graph-uri``) are not the API Design Rules' camelCase, and the Service
Description is its machine-readable description.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from iv3ld.errors import QuerySyntaxError, StoreError
from iv3ld.identifiers import DEFAULT_BASE, base_iri
from iv3ld.serialisation import HTML
from iv3ld.store import QueryDataset, QueryResult
from iv3ld.store.query_text import head
from iv3ld.web.app import store_problem
from iv3ld.web.caching import not_modified, validators
from iv3ld.web.limits import read_body
from iv3ld.web.negotiation import choose
from iv3ld.web.pages import render
from iv3ld.web.problems import Problem
from iv3ld.web.service_description import description
from iv3ld.web.sparql_results import (
    GRAPH_TYPES,
    content_type,
    display,
    offered_types,
    serialize,
)

logger = logging.getLogger(__name__)

router = APIRouter(tags=["sparql"])

QUERIES = Path(__file__).resolve().parent / "queries"

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

_UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")

_FORMS = {
    "SELECT": "solutions",
    "ASK": "boolean",
    "CONSTRUCT": "graph",
    "DESCRIBE": "graph",
}

_MASK = re.compile(
    r"<[^<>\"{}|^`\\\s]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'"
    r"|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*",
    re.S,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FORM_KEYWORD = re.compile(
    r"(?<![\w?$:-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.I
)
_SERVICE = re.compile(r"(?<![\w?$:-])SERVICE\s+(?:SILENT\s*)?[<?$\w:]", re.I)


@dataclass(frozen=True)
class Operation:
    """One query request, read from the URL and the body."""

    query: str
    dataset: QueryDataset
    format_name: str | None


@dataclass(frozen=True)
class Example:
    """An example query shown on the query page (from ``queries/*.rq``)."""

    name: str
    title: str
    text: str


@router.get("/sparql", include_in_schema=False)
async def get_sparql(request: Request) -> Response:
    """Answer a query given in the URL, or describe the endpoint."""
    parameters = _decode_parameters(request.url.query, "the query string")
    _refuse_update(parameters, None)

    if "query" not in parameters:
        return await _describe(request, parameters)
    operation = _operation(parameters, _single(parameters, "query"))
    return await _answer(request, operation, conditional=True)


@router.post("/sparql", include_in_schema=False)
async def post_sparql(request: Request) -> Response:
    """Answer a query sent as a form or as the body itself."""
    url_parameters = _decode_parameters(request.url.query, "the query string")
    media_type, charset = _content_type(request)
    _refuse_update(url_parameters, media_type)
    _check_media_type(media_type, charset)

    limit = request.app.state.settings.max_query_bytes
    text = _utf8(await read_body(request, limit), "the request body")
    if media_type == DIRECT:
        if "query" in url_parameters:
            raise _two_queries()
        return await _answer(request, _operation(url_parameters, text))

    form = _decode_parameters(text, "the form")
    _refuse_update(form, None)
    parameters = {
        name: url_parameters.get(name, []) + form.get(name, [])
        for name in url_parameters.keys() | form.keys()
    }
    if "query" not in parameters:
        raise Problem(400, "No query", "the form has no query parameter")
    return await _answer(request, _operation(parameters, _single(parameters, "query")))


async def _answer(
    request: Request, operation: Operation, *, conditional: bool = False
) -> Response:
    """Run the query and write its result in the negotiated format."""
    logger.debug("SPARQL query: %s", operation.query)
    _refuse_federation(operation.query)
    kind = query_form(operation.query)
    media_type = _negotiate(request, kind, operation) if kind else None

    headers = {"Vary": "Accept"}
    if conditional and media_type is not None:
        headers |= validators(request, media_type)
        unchanged = not_modified(request, headers)
        if unchanged is not None:
            return unchanged

    try:
        result, body = await run_in_threadpool(
            _run_and_write, request, operation, kind, media_type
        )
    except StoreError as error:
        if media_type != HTML:
            raise
        problem = store_problem(error)
        return _page(request, operation, problem=problem, headers=problem.headers)

    if body is not None and media_type is not None:
        return Response(body, media_type=content_type(media_type), headers=headers)
    if media_type is None or result.kind != kind:
        media_type = _negotiate(request, result.kind, operation)
        if conditional:
            headers |= validators(request, media_type)
    if media_type == HTML:
        return _page(request, operation, result=result, headers=headers)
    body = await run_in_threadpool(serialize, result, media_type)
    return Response(body, media_type=content_type(media_type), headers=headers)


def _run_and_write(
    request: Request, operation: Operation, kind: str | None, media_type: str | None
) -> tuple[QueryResult, bytes | None]:
    """Run the query and, when its format is already known, write it too.

    One trip to a worker thread for both, since each trip costs a request more
    than the serialising does; the body is None when the format must wait for the
    result (a form the query text did not reveal) or the answer is a page.
    """
    result = _run(request, operation)
    if media_type is None or media_type == HTML or result.kind != kind:
        return result, None
    return result, serialize(result, media_type)


def _run(request: Request, operation: Operation) -> QueryResult:
    """Run the query with the endpoint's limits; relative IRIs against its URL.

    Raises the store's errors; a syntax error's position is that in the text the
    client sent.
    """
    settings = request.app.state.settings
    text, shift = _with_base(operation.query, _endpoint(request))
    try:
        result: QueryResult = request.app.state.store.query(
            text,
            dataset=operation.dataset,
            timeout=settings.query_timeout,
            limit=settings.result_limit,
        )
    except QuerySyntaxError as error:
        if not shift:
            raise
        raise QuerySyntaxError(_unshifted(str(error), shift)) from None
    return result


def _with_base(query: str, endpoint: str) -> tuple[str, int]:
    """The query with ``BASE <endpoint>`` before it when it has relative IRIs.

    The SPARQL Protocol leaves the base IRI to the service; the endpoint's own
    address is what the W3C tests and other engines use. The declaration goes on
    the first line, so only columns there move; returns how far.
    """
    relative = any(
        not _SCHEME.match(match.group(0)[1:]) for match in _IRI.finditer(query)
    )
    if not relative:
        return query, 0
    declaration = f"BASE <{endpoint}> "
    return declaration + query, len(declaration)


def _unshifted(message: str, shift: int) -> str:
    """A parser message with a position on the first line moved back."""

    def back(match: re.Match[str]) -> str:
        return f"at 1:{max(int(match.group(1)) - shift, 1)}"

    return re.sub(r"\bat 1:(\d+)", back, message, count=1)


def _endpoint(request: Request) -> str:
    """The endpoint's address as the client used it."""
    return str(request.url.replace(query="", fragment=""))


def _negotiate(request: Request, kind: str, operation: Operation) -> str:
    offered = [*offered_types(kind), HTML]
    return choose(offered, request.headers.get("accept"), operation.format_name)


async def _describe(request: Request, parameters: dict[str, list[str]]) -> Response:
    """The Service Description, or the query page for a browser."""
    offered = [*GRAPH_TYPES, HTML]
    format_name = _optional(parameters, "format")
    media_type = choose(offered, request.headers.get("accept"), format_name)
    headers = {"Vary": "Accept", **validators(request, media_type)}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    if media_type == HTML:
        example = _chosen_example(_optional(parameters, "voorbeeld"))
        operation = Operation(example.text if example else "", QueryDataset(), None)
        return _page(request, operation, headers=headers)

    store = request.app.state.store
    graphs = await run_in_threadpool(store.graph_names)
    settings = request.app.state.settings
    triples = description(
        _endpoint(request),
        sorted(graphs),
        settings.query_timeout,
        settings.result_limit,
    )
    body = serialize(QueryResult("graph", triples=triples), media_type)
    return Response(body, media_type=content_type(media_type), headers=headers)


def _page(
    request: Request,
    operation: Operation,
    *,
    result: QueryResult | None = None,
    problem: Problem | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The query page: the form, the examples and, after a query, its result."""
    return render(
        request,
        "sparql.html",
        status_code=problem.status if problem else 200,
        headers=headers,
        query=operation.query,
        examples=examples(),
        result=result,
        rows=_display_rows(result),
        problem=problem,
        downloads=_downloads(request, operation, result),
        limits=request.app.state.settings,
    )


def _display_rows(result: QueryResult | None) -> list[list[dict[str, str]]]:
    if result is None or result.kind == "boolean":
        return []
    if result.kind == "graph":
        return [
            [display(triple.subject), display(triple.predicate), display(triple.object)]
            for triple in result.triples
        ]
    return [[display(value) for value in row] for row in result.rows]


def _downloads(
    request: Request, operation: Operation, result: QueryResult | None
) -> list[tuple[str, str]]:
    """Links to the same result in each data format (only for ``GET`` queries)."""
    if result is None or request.method != "GET":
        return []
    names = {
        "application/sparql-results+json": "json",
        "application/sparql-results+xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
        "text/turtle": "ttl",
        "application/n-triples": "nt",
        "application/ld+json": "jsonld",
        "application/rdf+xml": "rdf",
        "application/n-quads": "nq",
    }
    parameters: list[tuple[str, str]] = [("query", operation.query)]
    parameters += [
        ("default-graph-uri", name) for name in operation.dataset.default_graphs
    ]
    parameters += [("named-graph-uri", name) for name in operation.dataset.named_graphs]
    return [
        (
            names[media_type],
            f"?{urlencode([*parameters, ('format', names[media_type])])}",
        )
        for media_type in offered_types(result.kind)
    ]


def query_form(query: str) -> str | None:
    """The kind of result a query gives (``solutions``, ``boolean``, ``graph``).

    Read from its first keyword outside IRIs, strings and comments; None when
    there is none (the query is then run and its result decides).
    """
    masked = _masked(head(query) + " {")
    match = _FORM_KEYWORD.search(masked)
    return _FORMS[match.group(1).upper()] if match else None


def _masked(text: str) -> str:
    """IRIs as ``<>``, strings and comments as spaces: only keywords are left."""

    def blank(match: re.Match[str]) -> str:
        return "<>" if match.group(0).startswith("<") else " "

    return _MASK.sub(blank, text)


def _refuse_federation(query: str) -> None:
    """Refuse ``SERVICE``: the engine would fetch any URL the query names."""
    if _SERVICE.search(_masked(query)):
        raise Problem(
            400,
            "Federated query not supported",
            "this endpoint does not run SERVICE clauses: it fetches nothing from"
            " other addresses; query the other endpoint yourself and combine the"
            " results",
        )


def _refuse_update(parameters: dict[str, list[str]], media_type: str | None) -> None:
    """Refuse every update operation with 403: the public endpoint is read-only."""
    named = [name for name in _UPDATE_PARAMETERS if name in parameters]
    if not named and media_type != UPDATE:
        return
    what = f"the parameter {named[0]}" if named else f"a body of type {UPDATE}"
    raise Problem(
        403,
        "Read-only endpoint",
        f"this SPARQL endpoint answers queries only and refuses updates ({what});"
        " submissions are delivered through POST /api/submissions",
    )


def _content_type(request: Request) -> tuple[str, str | None]:
    """The request's media type (lowercase) and declared charset, if any."""
    header = request.headers.get("content-type", "")
    media_type, *parameters = (part.strip() for part in header.split(";"))
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _check_media_type(media_type: str, charset: str | None) -> None:
    if media_type not in {FORM, DIRECT}:
        raise Problem(
            415,
            "Unsupported media type",
            f"{media_type or 'a body without Content-Type'} is not a SPARQL query;"
            f" send {FORM} with query=…, or the query itself as {DIRECT}",
        )
    if charset is not None and charset not in {"utf-8", "utf8"}:
        raise Problem(
            415,
            "Unsupported media type",
            f"the body is declared as {charset}; send the query in UTF-8",
        )


def _utf8(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(
            400,
            "Not UTF-8",
            f"{where} is not UTF-8 (byte {error.start}); send the query in UTF-8",
        ) from None


def _decode_parameters(text: str, where: str) -> dict[str, list[str]]:
    """Form-decode parameters; percent escapes must decode to UTF-8."""
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Problem(
            400,
            "Not UTF-8",
            f"{where} has percent-escapes that are not UTF-8; encode the query in"
            " UTF-8",
        ) from None


def _single(parameters: dict[str, list[str]], name: str) -> str:
    values = parameters[name]
    if len(values) > 1:
        raise _two_queries() if name == "query" else _repeated(name)
    return values[0]


def _optional(parameters: dict[str, list[str]], name: str) -> str | None:
    return _single(parameters, name) if name in parameters else None


def _two_queries() -> Problem:
    return Problem(400, "Two queries", "the request has more than one query; send one")


def _repeated(name: str) -> Problem:
    return Problem(400, "Bad request", f"the parameter {name} is given more than once")


def _operation(parameters: dict[str, list[str]], query: str) -> Operation:
    dataset = QueryDataset(
        _graph_names(parameters, "default-graph-uri"),
        _graph_names(parameters, "named-graph-uri"),
    )
    return Operation(query, dataset, _optional(parameters, "format"))


def _graph_names(parameters: dict[str, list[str]], name: str) -> tuple[str, ...]:
    values = parameters.get(name, [])
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise Problem(
                400, "Bad request", f"{name} {value!r} is not an absolute IRI"
            ) from None
    return tuple(values)


@cache
def _examples(base: str) -> tuple[Example, ...]:
    found = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8").replace(DEFAULT_BASE, base)
        first, _, rest = text.partition("\n")
        name = path.stem.partition("-")[2]
        found.append(Example(name, first.removeprefix("#").strip(), rest.lstrip()))
    return tuple(found)


def examples() -> tuple[Example, ...]:
    """The example queries, with IRIs under the configured base."""
    return _examples(base_iri())


def _chosen_example(name: str | None) -> Example | None:
    if name is None:
        return examples()[0]
    for example in examples():
        if example.name == name:
            return example
    raise Problem(404, "Not found", f"there is no example query named {name!r}")
