"""The status page: HTML for browsers, JSON on request, from the ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from iv3ld.deliveries import Receipt, receive
from iv3ld.publication import AMSTERDAM
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from tests.conftest import load_fixture

LATE = datetime(2026, 10, 1, 12, 0, tzinfo=AMSTERDAM)


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore.open(tmp_path / "store")
    state = StateDirectory(tmp_path / "state")
    register = tmp_path / "register.csv"
    register.write_text(
        "overheid,url,naam\n"
        "GM0999,https://kleindorp.example/iv3.json,Kleindorp\n"
        "GM0518,https://den-haag.example/iv3.json,Den Haag\n",
        encoding="utf-8",
    )
    content = json.dumps(load_fixture("klein-2025.json")).encode("utf-8")
    receipt = Receipt(content, "application/json", "test", "upload", LATE)
    receive(store, state, receipt, now=LATE)

    settings = Settings(
        store=tmp_path / "store",
        state=tmp_path / "state",
        register=register,
        load_examples=False,
    )
    app = create_app(settings, store, state)
    app.state.now = lambda: LATE
    with TestClient(app) as client:
        yield client
    state.close()
    store.close()


def test_the_page_lists_every_government_of_the_register(site: TestClient) -> None:
    response = site.get("/status/2025/5", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GM0999" in response.text and "Kleindorp" in response.text
    assert "GM0518" in response.text
    assert "2026-07-14" in response.text
    assert 'href="/doc/aanlevering/GM0999/2025/5/' in response.text


def test_json_by_accept_and_by_format(site: TestClient) -> None:
    by_accept = site.get("/status/2025/5", headers={"Accept": "application/json"})
    by_format = site.get("/status/2025/5?format=json")

    assert by_accept.headers["content-type"] == "application/json"
    assert by_accept.json()["governments"] == by_format.json()["governments"]
    rows = {row["government"]: row for row in by_accept.json()["governments"]}
    assert rows["GM0999"]["valid"] is True
    assert rows["GM0999"]["placement"] == "na-tweede-plaatsing"
    assert rows["GM0518"]["delivered"] is False
    assert rows["GM0518"]["late"] is True


def test_a_periode_out_of_range_is_404(site: TestClient) -> None:
    response = site.get("/status/2025/9", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_format_is_400(site: TestClient) -> None:
    response = site.get("/status/2025/5?format=xlsx")

    assert response.status_code == 400


def test_without_a_register_the_deliveries_still_show(client: TestClient) -> None:
    response = client.get("/status/2023/5?format=json")

    body = response.json()
    assert response.status_code == 200
    assert "register" in body["register_problem"]
    codes = {row["government"]: row for row in body["governments"]}
    assert codes["GM0363"]["in_register"] is False
    assert codes["GM0363"]["valid"] is True


def test_the_current_etag_gives_304_and_no_cache_stays(site: TestClient) -> None:
    first = site.get("/status/2025/5", headers={"Accept": "text/html"})
    again = site.get(
        "/status/2025/5",
        headers={"Accept": "text/html", "If-None-Match": first.headers["etag"]},
    )
    as_json = site.get(
        "/status/2025/5?format=json", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["last-modified"].endswith("GMT")
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "no-cache"
    assert as_json.status_code == 200
    assert as_json.headers["etag"] != first.headers["etag"]


def test_if_modified_since_alone_never_gives_304(site: TestClient) -> None:
    first = site.get("/status/2025/5?format=json")
    again = site.get(
        "/status/2025/5?format=json",
        headers={"If-Modified-Since": first.headers["last-modified"]},
    )

    assert again.status_code == 200


def test_a_new_delivery_gives_a_new_etag(site: TestClient) -> None:
    before = site.get("/status/2025/5?format=json")
    submission = load_fixture("klein-2025.json")
    submission["metadata"] |= {"overheidsnummer": "0518", "overheidsnaam": "Den Haag"}
    receipt = Receipt(
        json.dumps(submission).encode("utf-8"),
        "application/json",
        "test",
        "upload",
        LATE + timedelta(hours=1),
    )
    receive(site.app.state.store, site.app.state.state, receipt, now=LATE)

    after = site.get(
        "/status/2025/5?format=json", headers={"If-None-Match": before.headers["etag"]}
    )

    rows = {row["government"]: row for row in after.json()["governments"]}
    assert after.status_code == 200
    assert rows["GM0518"]["delivered"] is True
    assert after.headers["etag"] != before.headers["etag"]
    assert parsedate_to_datetime(after.headers["last-modified"]) >= (
        parsedate_to_datetime(before.headers["last-modified"])
    )


def test_a_changed_register_gives_a_new_etag(site: TestClient) -> None:
    before = site.get("/status/2025/5?format=json")
    register = site.app.state.settings.register_path
    register.write_text(
        register.read_text(encoding="utf-8")
        + "GM0363,https://amsterdam.example/iv3.json,Amsterdam\n",
        encoding="utf-8",
    )

    after = site.get(
        "/status/2025/5?format=json", headers={"If-None-Match": before.headers["etag"]}
    )

    assert after.status_code == 200
    assert "GM0363" in {row["government"] for row in after.json()["governments"]}
    assert after.headers["etag"] != before.headers["etag"]
