"""The dump kept as a file per change of the store: written once, read after."""

from __future__ import annotations

import copy
import gzip
import json
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from iv3ld.deliveries import Receipt, receive
from iv3ld.graphs import ensure_reference_data, last_modified
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app

DUMP = "/download/iv3ld.nq.gz"
WROTE = "wrote the dump"


class Site:
    """An app over a store, with a state directory of its own."""

    def __init__(self, store: EmbeddedStore, folder: Path) -> None:
        self.store = store
        self.state = StateDirectory(folder / "state")
        settings = Settings(store=Path(store.location), state=folder / "state")
        self.app = create_app(settings, store, self.state)
        self.app.state.now = self.later
        self.client = TestClient(self.app)
        self.dumps = folder / "state" / "dumps"

    def later(self) -> datetime:
        """A minute after the store's last change: its dump may be kept."""
        modified = last_modified(self.store)
        assert modified is not None
        return modified + timedelta(minutes=1)

    def files(self) -> list[Path]:
        return sorted(self.dumps.glob("iv3ld-*.nq.gz"))

    def delivered(self, content: dict[str, Any]) -> str:
        """Deliver a submission; returns its version."""
        receipt = Receipt(
            json.dumps(content).encode("utf-8"), "application/json", "test", "load"
        )
        intake = receive(self.store, self.state, receipt)
        assert intake.outcome == "loaded", intake.report
        self.app.state.clock.forget()
        return intake.version

    def close(self) -> None:
        self.client.close()
        self.state.close()


@pytest.fixture()
def site(served_store: EmbeddedStore, tmp_path: Path) -> Iterator[Site]:
    """The app over the shared store, with an empty state directory."""
    opened = Site(served_store, tmp_path)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def own_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """A store with reference data only, for tests that deliver."""
    store = EmbeddedStore.open(tmp_path_factory.mktemp("dump-store") / "store")
    ensure_reference_data(store)
    yield store
    store.close()


def quads(payload: bytes) -> set[ox.Quad]:
    return set(ox.parse(gzip.decompress(payload), format=ox.RdfFormat.N_QUADS))


def writes(caplog: pytest.LogCaptureFixture) -> int:
    return sum(WROTE in record.getMessage() for record in caplog.records)


def test_the_first_request_writes_the_dump_and_later_ones_read_it(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="iv3ld.dumps")

    first = site.client.get(DUMP)
    [kept] = site.files()
    written = kept.stat()
    second = site.client.get(DUMP)

    assert first.status_code == second.status_code == 200
    assert writes(caplog) == 1
    assert kept.stat().st_ino == written.st_ino
    assert kept.stat().st_mtime_ns == written.st_mtime_ns
    assert written.st_mode & 0o777 == 0o644, "public, as the download is"
    assert first.content == second.content == kept.read_bytes()
    assert quads(second.content) == set(site.store.pyoxigraph)
    assert second.headers["content-type"] == "application/gzip"
    assert second.headers["content-disposition"] == (
        'attachment; filename="iv3ld.nq.gz"'
    )
    assert second.headers["content-length"] == str(written.st_size)
    assert "content-encoding" not in second.headers
    modified = parsedate_to_datetime(second.headers["last-modified"])
    assert kept.name == f"iv3ld-{modified:%Y%m%dt%H%M%Sz}.nq.gz"


def test_a_current_copy_of_the_kept_dump_gets_304(site: Site) -> None:
    first = site.client.get(DUMP)

    by_tag = site.client.get(DUMP, headers={"If-None-Match": first.headers["etag"]})
    by_date = site.client.get(
        DUMP, headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert site.files()
    assert by_tag.status_code == by_date.status_code == 304
    assert by_tag.content == b""
    assert by_tag.headers["etag"] == first.headers["etag"]


def test_head_writes_no_dump_and_tells_the_size_of_a_kept_one(site: Site) -> None:
    before = site.client.head(DUMP)
    nothing = site.files()
    site.client.get(DUMP)
    after = site.client.head(DUMP)

    assert before.status_code == 200 and before.content == b""
    assert nothing == []
    assert "content-length" not in before.headers or (
        before.headers["content-length"] == "0"
    )
    [kept] = site.files()
    assert after.content == b""
    assert after.headers["content-length"] == str(kept.stat().st_size)
    assert after.headers["etag"] == before.headers["etag"]


def test_concurrent_first_requests_write_the_dump_once(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="iv3ld.dumps")

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: site.client.get(DUMP), range(3)))

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert writes(caplog) == 1
    assert len({answer.content for answer in answers}) == 1
    assert quads(answers[0].content) == set(site.store.pyoxigraph)


def test_a_change_makes_a_new_dump_and_removes_the_old_one(
    own_store: EmbeddedStore,
    tmp_path: Path,
    small_submission: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="iv3ld.dumps")
    site = Site(own_store, tmp_path)
    try:
        site.delivered(small_submission)
        before = site.client.get(DUMP)
        [old] = site.files()
        _next_second()
        other = copy.deepcopy(small_submission)
        other["metadata"]["overheidsnummer"] = "0998"
        version = site.delivered(other)
        after = site.client.get(DUMP)
        again = site.client.get(DUMP)
        stored = set(site.store.pyoxigraph)
    finally:
        site.close()

    [new] = site.files()
    assert new.name > old.name and not old.exists()
    assert writes(caplog) == 2
    assert after.headers["etag"] != before.headers["etag"]
    assert quads(after.content) == stored == quads(again.content)
    assert quads(new.read_bytes()) == stored
    graphs = {quad.graph_name for quad in quads(after.content)}
    assert ox.NamedNode(version) in graphs
    assert ox.NamedNode(version) not in {
        quad.graph_name for quad in quads(before.content)
    }


def test_a_change_of_the_last_seconds_is_streamed_not_kept(
    own_store: EmbeddedStore, tmp_path: Path
) -> None:
    site = Site(own_store, tmp_path)
    modified = last_modified(own_store)
    assert modified is not None
    site.app.state.now = lambda: modified + timedelta(seconds=2)
    try:
        response = site.client.get(DUMP)
        stored = set(site.store.pyoxigraph)
    finally:
        site.close()

    assert response.status_code == 200
    assert quads(response.content) == stored
    assert site.files() == []


def test_a_state_directory_that_cannot_be_written_streams_the_dump(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.dumps.write_text("not a folder")

    response = site.client.get(DUMP)

    assert response.status_code == 200
    assert quads(response.content) == set(site.store.pyoxigraph)
    assert site.dumps.read_text() == "not a folder"
    warnings = [record for record in caplog.records if record.levelname == "WARNING"]
    assert any("cannot be kept" in record.getMessage() for record in warnings)


def test_another_writers_temporary_file_is_left_alone_and_an_abandoned_one_removed(
    site: Site,
) -> None:
    site.dumps.mkdir(parents=True)
    busy = site.dumps / ".iv3ld-20000101t000000z.nq.gz.a1b2c3.partial"
    abandoned = site.dumps / ".iv3ld-20000101t000000z.nq.gz.d4e5f6.partial"
    earlier = site.dumps / "iv3ld-20000101t000000z.nq.gz"
    for path in (busy, abandoned, earlier):
        path.write_bytes(b"half")
    hours_ago = time.time() - 7200
    os.utime(abandoned, (hours_ago, hours_ago))

    response = site.client.get(DUMP)

    assert response.status_code == 200
    assert busy.exists()
    assert not abandoned.exists() and not earlier.exists()
    assert len(site.files()) == 1


def _next_second() -> None:
    """Wait until the clock shows a later whole second than now."""
    now = datetime.now(UTC)
    time.sleep(1.05 - now.microsecond / 1_000_000)
