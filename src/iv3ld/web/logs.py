"""One log line per request, at INFO: method, target, status and duration.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware), because it runs on
every request and must cost next to nothing. The SPARQL text of queries is logged
at DEBUG by the SPARQL router, not here.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("iv3ld.web.requests")


class RequestLog:
    """ASGI middleware that logs each HTTP request once it is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if logger.isEnabledFor(logging.INFO):
                target = scope.get("path", "")
                query = scope.get("query_string", b"")
                if query:
                    target = f"{target}?{query.decode('latin-1')}"
                if len(target) > 300:
                    target = f"{target[:300]}…"
                logger.info(
                    "%s %s %d %.1f ms",
                    scope.get("method", ""),
                    target,
                    status,
                    (time.perf_counter() - started) * 1000,
                )
