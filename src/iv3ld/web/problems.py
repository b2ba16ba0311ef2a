"""Every HTTP error in one shape: RFC 9457 problem details, or an HTML page.

A client that prefers HTML (a browser) gets a readable page; every other client
gets ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance``. The ``type`` IRIs are documented under
``{base}/def/problemen#…``.
"""

from __future__ import annotations

import html
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from iv3ld.identifiers import base_iri

PROBLEM_TYPE = "application/problem+json"


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
