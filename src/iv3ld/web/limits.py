"""Limits on requests: the length of the request target and the size of bodies.

A request target longer than the limit gets 414 before any route runs. Bodies are
read through :func:`read_body`, which refuses a body over its limit with 413 from
``Content-Length`` alone when the client sends it, and otherwise stops reading as
soon as the limit is passed, so an oversized body is never held in memory.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from iv3ld.identifiers import base_iri
from iv3ld.web.problems import PROBLEM_TYPE, Problem


class RequestLimits:
    """ASGI middleware that answers 414 to over-long request targets."""

    def __init__(self, app: ASGIApp, max_url_bytes: int) -> None:
        self.app = app
        self.max_url_bytes = max_url_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = len(scope.get("raw_path") or b"") + len(
                scope.get("query_string") or b""
            )
            if target > self.max_url_bytes:
                await _send_problem(
                    send, scope, 414, "URI too long", self._detail(target)
                )
                return
        await self.app(scope, receive, send)

    def _detail(self, length: int) -> str:
        return (
            f"the request target is {length} bytes, more than the limit of"
            f" {self.max_url_bytes}; send a SPARQL query with POST instead"
        )


async def _send_problem(
    send: Send, scope: Scope, status: int, title: str, detail: str
) -> None:
    body: dict[str, Any] = {
        "type": f"{base_iri()}/def/problemen#{'-'.join(title.lower().split())}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": scope.get("path", ""),
    }
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def read_body(request: Request, limit: int) -> bytes:
    """Read a request body of at most ``limit`` bytes; Problem 413 if larger."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)

    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> Problem:
    return Problem(
        413,
        "Content too large",
        f"the request body is at least {size} bytes, more than the limit of {limit}",
    )
