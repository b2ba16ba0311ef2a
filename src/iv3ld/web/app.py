"""The iv3ld web application: FastAPI over the store.

:func:`create_app` builds the app for a store and settings. On startup it opens the
store (unless one is given), checks its configuration, loads the reference data when
they are missing or outdated and, on a store without submissions, the bundled
example submissions, so that ``iv3ld serve`` on an empty machine shows a working
site.

Routers, one per resource family: :mod:`~iv3ld.web.sparql` (the SPARQL 1.1
Protocol at ``/sparql``), :mod:`~iv3ld.web.resources` (``/id``, ``/doc`` and
``/def``: dereferenceable resources), :mod:`~iv3ld.web.catalogue` (DCAT and VoID),
:mod:`~iv3ld.web.downloads` (CSV, JSON-LD, the bulk dump).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from iv3ld import __version__
from iv3ld.deliveries import publish_due
from iv3ld.errors import (
    ConfigurationError,
    InputError,
    Iv3Error,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
)
from iv3ld.examples import load_bundled_examples
from iv3ld.graphs import ensure_reference_data
from iv3ld.intake import discard_unfinished_versions
from iv3ld.settings import Settings, read_settings
from iv3ld.state import StateDirectory
from iv3ld.store import Store, open_store
from iv3ld.web.caching import StoreClock
from iv3ld.web.limits import RequestLimits
from iv3ld.web.logs import RequestLog
from iv3ld.web.problems import Problem, problem_response

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


PUBLISH_INTERVAL_SECONDS = 60.0
"""How often the server publishes held deliveries whose date has come."""


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    state: StateDirectory | None = None,
) -> FastAPI:
    """Build the web application.

    With ``store`` the app serves that store as it is (call :func:`prepare_store`
    first) and leaves closing it to the caller; otherwise it opens and prepares the
    store the settings name on startup and closes it on shutdown. Startup raises
    ConfigurationError when a remote engine is set up wrongly, and
    StoreUnavailableError when the store cannot be opened.
    """
    settings = settings if settings is not None else read_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store if store is not None else open_store(settings)
        publisher = None
        try:
            if store is None:
                prepare_store(opened, settings, app.state.state)
            app.state.store = opened
            app.state.clock = StoreClock(opened)
            publisher = asyncio.create_task(_publish_periodically(app))
            yield
        finally:
            if publisher is not None:
                publisher.cancel()
            if store is None:
                opened.close()
            if state is None:
                app.state.state.close()

    app = FastAPI(
        title="iv3ld",
        version=__version__,
        summary="Iv3 figures of Dutch local government as linked data.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.now = _now
    app.state.state = (
        state if state is not None else StateDirectory(settings.state_directory)
    )
    if store is not None:
        app.state.store = store
        app.state.clock = StoreClock(store)

    _add_error_handlers(app)
    _add_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
        expose_headers=["ETag", "Last-Modified", "Content-Location", "Link"],
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RequestLimits, max_url_bytes=settings.max_url_bytes)
    app.add_middleware(RequestLog)
    return app


def prepare_store(store: Store, settings: Settings, state: StateDirectory) -> None:
    """Check the store and fill it with reference data and, when empty, examples.

    Raises ConfigurationError when the store reports a configuration problem.
    """
    problems = store.check()
    if problems:
        raise ConfigurationError("; ".join(problems))
    ensure_reference_data(store)
    discard_unfinished_versions(store)
    if settings.load_examples:
        load_bundled_examples(store, state)


def _now() -> datetime:
    """The app's clock; tests set ``app.state.now`` to a fixed moment."""
    return datetime.now(UTC)


async def _publish_periodically(app: FastAPI) -> None:
    """Publish held deliveries when their placement date comes."""
    while True:
        try:
            await run_in_threadpool(
                publish_due, app.state.store, app.state.state, app.state.now()
            )
            app.state.clock.forget()
        except Iv3Error as error:
            logger.error("publishing held deliveries failed: %s", error)
        await asyncio.sleep(PUBLISH_INTERVAL_SECONDS)


def _add_routers(app: FastAPI) -> None:
    from iv3ld.web import catalogue, downloads, resources, sparql, status, submissions

    app.include_router(submissions.router)
    app.include_router(sparql.router)
    app.include_router(catalogue.router)
    app.include_router(downloads.router)
    app.include_router(status.router)
    app.include_router(resources.router)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        return problem_response(request, problem)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(
        request: Request, error: StarletteHTTPException
    ) -> Response:
        title = _TITLES.get(error.status_code, "Error")
        detail = str(error.detail) if error.detail else title
        headers = dict(error.headers or {})
        return problem_response(
            request, Problem(error.status_code, title, detail, headers=headers)
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(
        request: Request, error: RequestValidationError
    ) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        return problem_response(request, Problem(400, "Bad request", detail))

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, error: StoreError) -> Response:
        return problem_response(request, store_problem(error))

    @app.exception_handler(InputError)
    async def on_input_error(request: Request, error: InputError) -> Response:
        extra = {"pointer": error.pointer} if error.pointer else {}
        if error.code:
            extra["code"] = error.code
        problem = Problem(422, "Unreadable submission", str(error), extra=extra)
        return problem_response(request, problem)


def store_problem(error: StoreError) -> Problem:
    """The HTTP answer to a store error: 400, 422 or 503."""
    if isinstance(error, QuerySyntaxError):
        return Problem(400, "Malformed query", str(error))
    if isinstance(error, QueryTimeoutError):
        return Problem(503, "Query timeout", str(error), headers={"Retry-After": "60"})
    if isinstance(error, ResultTooLargeError):
        return Problem(422, "Result too large", str(error))
    if isinstance(error, StoreUnavailableError):
        return Problem(503, "Store unavailable", str(error))
    logger.error("store error: %s", error)
    return Problem(500, "Store error", str(error))


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Content too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}
