"""The upload API: tokens, one government per token, versions, reports, holding."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from iv3ld.deliveries import publish_due
from iv3ld.identifiers import namespace
from iv3ld.publication import AMSTERDAM
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.submission import MAX_FILE_BYTES
from iv3ld.tokens import create_token, revoke_tokens
from iv3ld.web import create_app

IV3 = namespace().vocabulary
EARLY = datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)
"""Before the deadline of jaarrekening 2025: a delivery waits for the 1e plaatsing."""
LATE = datetime(2026, 10, 1, 12, 0, tzinfo=AMSTERDAM)
"""After its correction deadline: a delivery is published at once."""


class Site:
    """An app over its own empty store and state directory, and its tokens."""

    def __init__(self, folder: Path) -> None:
        self.store = EmbeddedStore.open(folder / "store")
        self.state = StateDirectory(folder / "state")
        settings = Settings(store=folder / "store", state=folder / "state")
        self.client = TestClient(create_app(settings, self.store, self.state))
        self.now = LATE
        self.client.app.state.now = lambda: self.now  # type: ignore[attr-defined]
        self.tokens = {
            code: create_token(self.state, code) for code in ("GM0999", "GM0363")
        }

    def post(self, content: Any, government: str = "GM0999", **headers: str) -> Any:
        body = content if isinstance(content, bytes) else json.dumps(content).encode()
        sent = {
            "Authorization": f"Bearer {self.tokens[government]}",
            "Content-Type": "application/json",
        } | headers
        return self.client.post("/api/submissions", content=body, headers=sent)

    def current(self, submission: str) -> list[str]:
        result = self.store.query(
            f"SELECT ?v WHERE {{ <{submission}> <{IV3}huidigeVersie> ?v }}"
        )
        return result.column("v")


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    with built.client:
        yield built
    built.state.close()
    built.store.close()


def _for(content: dict[str, Any], number: str) -> dict[str, Any]:
    other = copy.deepcopy(content)
    other["metadata"]["overheidsnummer"] = number
    return other


def test_without_a_token_401(site: Site, small_submission: dict[str, Any]) -> None:
    response = site.client.post(
        "/api/submissions",
        content=json.dumps(small_submission),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_or_revoked_token_401(
    site: Site, small_submission: dict[str, Any]
) -> None:
    revoke_tokens(site.state, "GM0999")

    unknown = site.client.post(
        "/api/submissions",
        content=json.dumps(small_submission),
        headers={
            "Authorization": "Bearer iv3ld_nep",
            "Content-Type": "application/json",
        },
    )
    revoked = site.post(small_submission)

    assert unknown.status_code == 401
    assert revoked.status_code == 401


def test_a_token_of_gm0363_cannot_deliver_for_gm0599(
    site: Site, small_submission: dict[str, Any]
) -> None:
    response = site.post(_for(small_submission, "0599"), government="GM0363")

    assert response.status_code == 403
    assert "GM0599" in response.json()["detail"]
    assert site.store.graph_names() == set()


def test_a_valid_delivery_is_201_and_held_until_its_placement(
    site: Site, small_submission: dict[str, Any]
) -> None:
    site.now = EARLY

    response = site.post(small_submission)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "pending"
    assert body["version"].startswith(
        f"{namespace().base}/id/aanlevering/GM0999/2025/5/"
    )
    assert body["conforms"] is True
    assert body["placement"] == "eerste-plaatsing"
    assert body["dates"]["deadline"] == "2026-07-14"
    assert body["publication_date"] == "2026-07-24"
    assert response.headers["location"] == "/id/aanlevering/GM0999/2025/5"
    assert site.store.graph_names() == set()

    early = publish_due(site.store, site.state, datetime(2026, 7, 23, tzinfo=AMSTERDAM))
    due = publish_due(site.store, site.state, datetime(2026, 7, 24, tzinfo=AMSTERDAM))

    assert early == []
    assert [intake.version for intake in due] == [body["version"]]
    assert site.current(body["submission"]) == [body["version"]]
    listed = site.client.get("/api/submissions/GM0999/2025/5").json()
    assert listed["deliveries"][0]["outcome"] == "loaded"


def test_a_late_delivery_is_published_at_once(
    site: Site, small_submission: dict[str, Any]
) -> None:
    response = site.post(small_submission)

    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "loaded"
    assert body["placement"] == "na-tweede-plaatsing"
    assert body["publication_date"] == "2026-10-01"
    assert site.current(body["submission"]) == [body["version"]]


def test_the_same_file_twice_is_the_same_version_200(
    site: Site, small_submission: dict[str, Any]
) -> None:
    first = site.post(small_submission)
    second = site.post(small_submission)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["version"] == first.json()["version"]
    assert second.json()["outcome"] == "unchanged"


def test_an_invalid_file_is_422_with_its_report_and_nothing_stored(
    site: Site, small_submission: dict[str, Any]
) -> None:
    small_submission["data"]["lasten"][0]["taakveld"] = "6.6"

    response = site.post(small_submission)
    as_turtle = site.post(small_submission, Accept="text/turtle")

    assert response.status_code == 422
    body = response.json()
    assert body["conforms"] is False
    assert [result["code"] for result in body["results"]] == ["DF001"]
    assert body["results"][0]["pointer"] == "/data/lasten/0"
    assert as_turtle.status_code == 422
    report = list(ox.parse(as_turtle.content, format=ox.RdfFormat.TURTLE))
    assert any(
        q.object.value == "http://www.w3.org/ns/shacl#ValidationReport" for q in report
    )
    assert site.store.graph_names() == set()


def test_an_unreadable_file_is_422(site: Site) -> None:
    response = site.post(b"{ geen json")

    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_a_periode_without_a_cbs_schedule_is_422(
    site: Site, small_submission: dict[str, Any]
) -> None:
    small_submission["metadata"]["periode"] = 9

    response = site.post(small_submission)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "SF004"
    assert body["pointer"] == "/metadata/periode"
    assert "periode 9" in body["detail"]
    assert site.store.graph_names() == set()


def test_a_media_type_that_is_no_submission_format_415(
    site: Site, small_submission: dict[str, Any]
) -> None:
    response = site.post(small_submission, **{"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_a_body_over_the_limit_413(site: Site) -> None:
    response = site.post(b" " * (MAX_FILE_BYTES + 1))

    assert response.status_code == 413


def test_get_shows_the_versions_and_every_delivery(
    site: Site, small_submission: dict[str, Any]
) -> None:
    first = site.post(small_submission).json()
    corrected = copy.deepcopy(small_submission)
    corrected["metadata"]["datum"] = "2026-08-01T10:00:00+02:00"
    second = site.post(corrected).json()

    response = site.client.get("/api/submissions/GM0999/2025/5")

    assert response.status_code == 200
    body = response.json()
    assert body["current_version"] == second["version"]
    assert [v["version"] for v in body["versions"]] == [
        first["version"],
        second["version"],
    ]
    assert [d["outcome"] for d in body["deliveries"]] == ["loaded", "loaded"]
    assert body["deliveries"][0]["placement"] == "na-tweede-plaatsing"
    assert site.client.get("/api/submissions/GM0001/2025/5").status_code == 404


def test_detail_lines_without_consent_are_kept_but_never_public(
    site: Site, small_submission: dict[str, Any]
) -> None:
    row = small_submission["data"]["lasten"][0]
    half = row["bedrag"] // 2
    small_submission["data"]["lasten"][0] = row | {
        "bedrag": half,
        "details": {"grootboek": "4100", "omschrijving": "Salarissen"},
    }
    small_submission["data"]["lasten"].append(
        row | {"bedrag": row["bedrag"] - half, "details": {"grootboek": "4200"}}
    )

    version = site.post(small_submission).json()["version"]

    public = site.store.query(f"ASK {{ ?line a <{IV3}Detailregel> }}")
    linked = site.store.query(f"ASK {{ ?cell <{IV3}detailregel> ?line }}")
    kept = site.state.private_store().query(
        f"SELECT ?grootboek WHERE {{ GRAPH <{version}/details> "
        f"{{ ?line <{IV3}grootboek> ?grootboek }} }} ORDER BY ?grootboek"
    )
    assert not public.boolean
    assert not linked.boolean
    assert kept.column("grootboek") == ["4100", "4200"]


def test_concurrent_deliveries_for_one_submission_are_serialised(
    site: Site, small_submission: dict[str, Any]
) -> None:
    versions = []
    for hour in range(4):
        corrected = copy.deepcopy(small_submission)
        corrected["metadata"]["datum"] = f"2026-08-01T1{hour}:00:00+02:00"
        versions.append(corrected)
    answers: list[int] = []

    def post(content: dict[str, Any]) -> None:
        answers.append(site.post(content).status_code)

    threads = [threading.Thread(target=post, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [201, 201, 201, 201]
    submission = f"{namespace().base}/id/aanlevering/GM0999/2025/5"
    listed = site.client.get("/api/submissions/GM0999/2025/5").json()["versions"]
    assert len(listed) == 4
    assert site.current(submission) == [listed[-1]["version"]]
