"""The app's conventions: problem details, limits, logging, CORS, compression."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient


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
