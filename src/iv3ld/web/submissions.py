"""The upload API: governments deliver their Iv3 submissions over HTTP.

``POST /api/submissions`` takes CBS JSON, iv3ld's JSON-LD, Turtle or an ``.xlsx``
in the CBS model layout, with a bearer token of one government
(:mod:`iv3ld.tokens`). The answers:

====  ===============================================================
201   a new version: its IRI, report and publication dates
200   the same file again: the version it already is
401   no token, or one that is unknown or revoked
403   the file is a submission of another government than the token's
413   a body over the limit (the file size limit of ``iv3ld validate``)
415   a media type that is no submission format
422   unreadable, or it does not conform: the SHACL report (JSON; Turtle or
      JSON-LD by ``Accept``); nothing is stored in the public graphs
====  ===============================================================

``GET /api/submissions/{government}/{boekjaar}/{periode}`` shows the versions of a
submission and the state of every delivery.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from iv3ld.deliveries import (
    MEDIA_TYPES,
    Intake,
    Receipt,
    deliveries_of,
    receive,
)
from iv3ld.errors import DeliveryForbiddenError, InputError
from iv3ld.identifiers import namespace
from iv3ld.intake import current_version, current_versions
from iv3ld.report import Report, render_json, render_rdf
from iv3ld.submission import MAX_FILE_BYTES
from iv3ld.tokens import check_government, government_of
from iv3ld.web.limits import read_body
from iv3ld.web.negotiation import choose
from iv3ld.web.problems import PROBLEM_TYPE, Problem, problem_body

router = APIRouter(prefix="/api/submissions", tags=["aanleveringen"])

_REPORT_TYPES = [PROBLEM_TYPE, "application/json", "text/turtle", "application/ld+json"]


@router.post(
    "",
    status_code=201,
    summary="Deliver a submission",
    responses={
        200: {"description": "The same file was delivered before"},
        401: {"description": "No valid bearer token"},
        403: {"description": "A submission of another government"},
        413: {"description": "The body is over the size limit"},
        415: {"description": "Not a submission format"},
        422: {"description": "Unreadable or not conforming: the SHACL report"},
    },
)
async def post_submission(request: Request) -> Response:
    """Deliver one submission file for the token's government."""
    government = await run_in_threadpool(_authorised_government, request)
    media_type = _media_type(request)
    content = await read_body(request, MAX_FILE_BYTES)
    receipt = Receipt(
        content,
        media_type,
        request.headers.get("x-filename", "upload"),
        "upload",
        request.app.state.now(),
    )

    try:
        intake = await run_in_threadpool(_receive, request, receipt, government)
    except DeliveryForbiddenError as error:
        raise Problem(403, "Forbidden", error.message) from None

    if intake.outcome == "refused":
        return _refusal(request, intake)
    status = 200 if intake.outcome == "unchanged" else 201
    headers = {"Location": _local(intake.submission)}
    return _json(intake.as_json(), status, headers)


@router.get("/{government}/{year}/{periode}", summary="Versions of a submission")
def get_submission(request: Request, government: str, year: int, periode: int) -> Any:
    """The versions of a submission in the store and every delivery's state."""
    try:
        code = check_government(government)
    except InputError as error:
        raise Problem(404, "Not found", error.message) from None
    submission = namespace().submission(code, year, periode)
    versions = current_versions(request.app.state.store, submission)
    deliveries = deliveries_of(request.app.state.state, code, year, periode)
    if not versions and not deliveries:
        raise Problem(404, "Not found", f"no deliveries for {code} {year}/{periode}")

    current = current_version(request.app.state.store, submission)
    return {
        "submission": submission,
        "current_version": current,
        "versions": [
            {"version": version, "datum": datum, "current": version == current}
            for version, datum in versions
        ],
        "deliveries": deliveries,
    }


def _authorised_government(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="iv3ld"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "Unauthorized",
            "deliveries need a bearer token of your government"
            " (Authorization: Bearer …); ask the operator for one",
            headers=challenge,
        )
    government = government_of(request.app.state.state, token.strip())
    if government is None:
        raise Problem(
            401, "Unauthorized", "the token is unknown or revoked", headers=challenge
        )
    return government


def _media_type(request: Request) -> str:
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared not in MEDIA_TYPES:
        raise Problem(
            415,
            "Unsupported media type",
            f"{declared or 'no Content-Type'} is not a submission format; send one"
            f" of {', '.join(MEDIA_TYPES)}",
        )
    return declared


def _receive(request: Request, receipt: Receipt, government: str) -> Intake:
    unit = request.query_params.get("eenheid", "duizend")
    if unit not in {"duizend", "euro"}:
        raise InputError(f"eenheid={unit!r}: choose duizend or euro")
    intake = receive(
        request.app.state.store,
        request.app.state.state,
        receipt,
        government=government,
        unit=unit,
        now=request.app.state.now(),
    )
    request.app.state.clock.forget()
    return intake


def _refusal(request: Request, intake: Intake) -> Response:
    media_type = choose(_REPORT_TYPES, request.headers.get("accept"))
    if media_type in {"text/turtle", "application/ld+json"}:
        rdf_format = "turtle" if media_type == "text/turtle" else "json-ld"
        return Response(
            render_rdf([intake.report], rdf_format), 422, media_type=media_type
        )
    problem = Problem(
        422,
        "Does not conform",
        f"{intake.report.count('Violation')} violations of the CBS checks; nothing"
        " was stored",
        extra=_report_members(intake.report) | {"version": intake.version},
    )
    body = problem_body(problem, request.url.path)
    return _json(body, 422, media_type=PROBLEM_TYPE)


def _report_members(report: Report) -> dict[str, Any]:
    rendered = render_json([report])
    return {"conforms": rendered["conforms"], "results": rendered["results"]}


def _local(iri: str) -> str:
    base = namespace().base
    return iri[len(base) :] if iri.startswith(base) else iri


def _json(
    body: Any,
    status: int,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type=media_type
    )
