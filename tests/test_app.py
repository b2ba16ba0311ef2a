"""The app's conventions: problem details, limits, logging, CORS, compression."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import iv3ld
from iv3ld.identifiers import base_iri
from iv3ld.web.app import _TITLES
from iv3ld.web.problems import PROBLEM_KINDS


def test_unknown_path_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/nergens")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["instance"] == "/nergens"
    assert body["type"].endswith("#not-found")


def test_browser_gets_an_html_error_page(client: TestClient) -> None:
    response = client.get("/nergens", headers={"Accept": "text/html,*/*;q=0.8"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404 Not found" in response.text


def test_overlong_request_target_gets_414(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "x" * 10_000})

    assert response.status_code == 414
    assert response.json()["status"] == 414


def test_one_log_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="iv3ld.web.requests"):
        client.get("/nergens")

    lines = [r.getMessage() for r in caplog.records if r.name == "iv3ld.web.requests"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /nergens 404 ")
    assert lines[0].endswith(" ms")


def test_cors_allows_reads_from_anywhere(client: TestClient) -> None:
    response = client.get("/nergens", headers={"Origin": "https://example.org"})

    assert response.headers["access-control-allow-origin"] == "*"


def _problem_titles() -> set[str]:
    """Every problem title written in the package's source."""
    titles = set()
    for path in Path(iv3ld.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        titles.update(re.findall(r'Problem\(\s*\d{3},\s*"([^"]+)"', text))
        titles.update(
            re.findall(r'_send_problem\(\s*\w+,\s*\w+,\s*\d{3},\s*"([^"]+)"', text)
        )
    return titles


def test_every_problem_kind_is_documented(client: TestClient) -> None:
    documented = {kind.title for kind in PROBLEM_KINDS}
    page = client.get("/def/problemen", headers={"Accept": "text/html"})

    assert _problem_titles() - documented == set()
    assert set(_TITLES.values()) - documented == set()
    assert page.status_code == 200
    for kind in PROBLEM_KINDS:
        assert f'id="{kind.name}"' in page.text


def test_a_problem_type_resolves_to_its_documentation(client: TestClient) -> None:
    problem = client.get("/nergens").json()
    fragment = problem["type"].split("#")[1]

    page = client.get("/def/problemen", headers={"Accept": "text/html"})

    assert problem["type"].startswith(f"{base_iri()}/def/problemen#")
    assert f'id="{fragment}"' in page.text
