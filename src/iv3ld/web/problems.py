"""Every HTTP error in one shape: RFC 9457 problem details, or an HTML page.

A client that prefers HTML (a browser) gets a readable page; every other client
gets ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance``. The ``type`` IRI is ``{base}/def/problemen#{kind}``,
the kind being the title as a slug; :data:`PROBLEM_KINDS` lists every kind the app
answers with, and ``/def/problemen`` shows that list, so that a problem's type
dereferences to its documentation (RFC 9457 §3.1.1).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from iv3ld.identifiers import base_iri

PROBLEM_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemKind:
    """One kind of problem: its status, title and what it means."""

    status: int
    title: str
    meaning: str

    @property
    def name(self) -> str:
        """The fragment of the kind's type IRI: the title as a slug."""
        return _slug(self.title)


PROBLEM_KINDS = (
    ProblemKind(
        400,
        "Bad request",
        "A parameter is missing or has a value the request cannot have; the "
        "detail names it.",
    ),
    ProblemKind(
        400,
        "Malformed query",
        "The SPARQL query does not parse; the detail holds the parser's message "
        "and position.",
    ),
    ProblemKind(
        400,
        "No query",
        "A SPARQL request without a query (or with an empty one).",
    ),
    ProblemKind(
        400,
        "Two queries",
        "A SPARQL request with more than one query parameter.",
    ),
    ProblemKind(
        400,
        "Not UTF-8",
        "A body or percent-escape that is not UTF-8.",
    ),
    ProblemKind(
        400,
        "Unknown format",
        "The format parameter names no format offered for this resource.",
    ),
    ProblemKind(
        400,
        "Federated query not supported",
        "The public endpoint does not run SERVICE clauses: it fetches nothing "
        "from other addresses.",
    ),
    ProblemKind(
        401,
        "Unauthorized",
        "No bearer token, or one that is unknown or revoked.",
    ),
    ProblemKind(
        403,
        "Forbidden",
        "The token belongs to another government than the submission's.",
    ),
    ProblemKind(
        403,
        "Read-only endpoint",
        "The public SPARQL endpoint answers queries only; submissions come in "
        "through POST /api/submissions.",
    ),
    ProblemKind(
        404,
        "Not found",
        "Nothing is known at this address.",
    ),
    ProblemKind(
        405,
        "Method not allowed",
        "The resource does not answer this HTTP method.",
    ),
    ProblemKind(
        406,
        "Not acceptable",
        "The Accept header allows none of the formats offered; the detail lists them.",
    ),
    ProblemKind(
        413,
        "Content too large",
        "The request body is over its limit.",
    ),
    ProblemKind(
        414,
        "URI too long",
        "The request target is over its limit; send a query with POST.",
    ),
    ProblemKind(
        415,
        "Unsupported media type",
        "The body's Content-Type is not one this resource takes; the detail "
        "lists them.",
    ),
    ProblemKind(
        422,
        "Unprocessable content",
        "The request is well-formed but cannot be processed.",
    ),
    ProblemKind(
        422,
        "Unreadable submission",
        "The delivered file cannot be read as an Iv3 submission; code and "
        "pointer say where.",
    ),
    ProblemKind(
        422,
        "Does not conform",
        "The delivered submission fails CBS checks; the body is its validation report.",
    ),
    ProblemKind(
        422,
        "Result too large",
        "The query's result is over the result limit; narrow it or page with "
        "ORDER BY, LIMIT and OFFSET.",
    ),
    ProblemKind(
        500,
        "Internal server error",
        "An unexpected error; it is logged.",
    ),
    ProblemKind(
        500,
        "Store error",
        "The store failed to carry out a request; it is logged.",
    ),
    ProblemKind(
        503,
        "Query timeout",
        "The query ran longer than the time limit; try again later or ask less.",
    ),
    ProblemKind(
        503,
        "Store unavailable",
        "The store does not answer.",
    ),
    ProblemKind(
        503,
        "Service unavailable",
        "The service cannot answer now.",
    ),
)
"""Every kind of problem the app answers with, in order of status."""


class Problem(Exception):  # noqa: N818 (an RFC 9457 "problem", not a bug)
    """An error the app answers with a given status and explanation."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or _slug(title)
        self.headers = headers or {}
        self.extra = extra or {}


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


def problem_body(problem: Problem, instance: str) -> dict[str, Any]:
    """The JSON object of a problem."""
    body: dict[str, Any] = {
        "type": f"{base_iri()}/def/problemen#{problem.kind}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }
    body.update(problem.extra)
    return body


def problem_response(request: Request, problem: Problem) -> Response:
    """Answer a problem as HTML for browsers, as problem details otherwise."""
    instance = request.url.path
    headers = dict(problem.headers)
    if _prefers_html(request.headers.get("accept")):
        return HTMLResponse(
            _page(problem, instance), status_code=problem.status, headers=headers
        )
    return Response(
        orjson.dumps(problem_body(problem, instance)),
        status_code=problem.status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )


def _prefers_html(accept: str | None) -> bool:
    from iv3ld.web.negotiation import parse_accept, quality_of

    ranges = parse_accept(accept)
    if accept is None or not accept.strip():
        return False
    html_quality = quality_of("text/html", ranges)
    json_quality = max(
        quality_of(PROBLEM_TYPE, ranges), quality_of("application/json", ranges)
    )
    explicit_html = any(
        entry.type == "text" and entry.subtype == "html" for entry in ranges
    )
    return explicit_html and html_quality >= json_quality and html_quality > 0


def _page(problem: Problem, instance: str) -> str:
    title = html.escape(f"{problem.status} {problem.title}")
    return (
        '<!doctype html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{title} – iv3ld</title>"
        '<link rel="stylesheet" href="/static/iv3ld.css"></head><body>'
        f"<main><h1>{title}</h1><p>{html.escape(problem.detail)}</p>"
        f"<p><code>{html.escape(instance)}</code></p>"
        '<p><a href="/">iv3ld</a></p></main></body></html>'
    )
