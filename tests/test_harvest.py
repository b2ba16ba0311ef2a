"""Harvesting from real HTTP servers on loopback: every way a source can behave."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iv3ld.cli import main
from iv3ld.harvest import HarvestLimits, HarvestRun, harvest, sniff
from iv3ld.identifiers import namespace
from iv3ld.publication import AMSTERDAM
from iv3ld.sources import Source
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from tests.conftest import EXAMPLES, load_fixture
from tests.sources_server import Answer, SourcesServer, closed_port, sources_server

IV3 = namespace().vocabulary
PROV = "http://www.w3.org/ns/prov#"
LATE = datetime(2026, 10, 1, 12, 0, tzinfo=AMSTERDAM)
"""After the correction deadline of jaarrekening 2025: published at once."""
FAST = HarvestLimits(
    connect_timeout=0.5,
    read_timeout=0.3,
    retries=2,
    backoff=0.01,
    max_redirects=5,
    concurrency=4,
)


class Site:
    """An empty store and state directory to harvest into."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store = EmbeddedStore.open(folder / "store")
        self.state = StateDirectory(folder / "state")

    def harvest(self, *sources: Source, limits: HarvestLimits = FAST) -> HarvestRun:
        return harvest(self.store, self.state, list(sources), limits, now=LATE)

    def current(self, submission: str) -> list[str]:
        result = self.store.query(
            f"SELECT ?v WHERE {{ <{submission}> <{IV3}huidigeVersie> ?v }}"
        )
        return result.column("v")


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    yield built
    built.state.close()
    built.store.close()


@pytest.fixture()
def server() -> Iterator[SourcesServer]:
    with sources_server() as started:
        yield started


def _json(content: dict[str, Any]) -> bytes:
    return json.dumps(content).encode("utf-8")


def _file(body: bytes, **headers: str) -> Answer:
    return Answer(200, body, {"Content-Type": "application/json"} | headers)


def _small() -> bytes:
    return _json(load_fixture("klein-2025.json"))


def _corrected(datum: str) -> bytes:
    content = copy.deepcopy(load_fixture("klein-2025.json"))
    content["metadata"]["datum"] = datum
    content["data"]["lasten"][0]["bedrag"] = 101
    content["data"]["baten"][0]["bedrag"] += 1
    return _json(content)


def _source(server: SourcesServer, path: str, government: str = "GM0999") -> Source:
    return Source(government, server.url(path))


def test_a_new_file_becomes_a_published_version(
    site: Site, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))

    run = site.harvest(_source(server, "/iv3.json"))

    [result] = run.results
    assert result.outcome == "new"
    assert result.version is not None
    submission = namespace().submission("GM0999", 2025, 5)
    assert site.current(submission) == [result.version]
    assert run.all_good


def test_the_run_is_logged_in_the_state_directory(
    site: Site, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))

    run = site.harvest(_source(server, "/iv3.json"))

    assert run.log_path is not None
    assert run.log_path.parent == site.state.directory / "harvest"
    logged = json.loads(run.log_path.read_text(encoding="utf-8"))
    assert logged["counts"] == {"new": 1}
    assert logged["results"][0]["url"] == server.url("/iv3.json")


def test_a_delivery_is_recorded_on_the_harvest_channel(
    site: Site, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))

    site.harvest(_source(server, "/iv3.json"))

    with site.state.connect() as connection:
        rows = connection.execute("SELECT channel, government FROM deliveries")
        assert [tuple(row) for row in rows] == [("harvest", "GM0999")]


def test_a_slow_server_is_unreachable_by_timeout(
    site: Site, server: SourcesServer
) -> None:
    route = server.add("/slow.json", lambda headers: Answer(200, _small(), delay=1.5))

    [result] = site.harvest(_source(server, "/slow.json")).results

    assert result.outcome == "unreachable"
    assert result.detail.startswith("timeout")
    assert route.requests == 1, "a read timeout is not retried"


def test_a_closed_port_is_unreachable_after_the_retries(site: Site) -> None:
    source = Source("GM0999", f"http://127.0.0.1:{closed_port()}/iv3.json")

    [result] = site.harvest(source).results

    assert result.outcome == "unreachable"
    assert "refused" in result.detail
    assert result.attempts == FAST.retries + 1


def test_a_500_then_success_is_retried(site: Site, server: SourcesServer) -> None:
    def flaky(headers: dict[str, str]) -> Answer:
        return Answer(500, b"busy") if route.requests < 2 else _file(_small())

    route = server.add("/flaky.json", flaky)

    [result] = site.harvest(_source(server, "/flaky.json")).results

    assert result.outcome == "new"
    assert result.attempts == 2
    assert route.requests == 2


def test_a_server_that_always_fails_stops_after_the_retries(
    site: Site, server: SourcesServer
) -> None:
    route = server.add("/down.json", lambda headers: Answer(503, b"down"))

    run = site.harvest(_source(server, "/down.json"))

    [result] = run.results
    assert result.outcome == "unreachable"
    assert result.status == 503
    assert "HTTP 503" in result.detail
    assert route.requests == FAST.retries + 1
    assert not run.all_good


def test_a_404_is_not_retried(site: Site, server: SourcesServer) -> None:
    [result] = site.harvest(_source(server, "/nothing-here.json")).results

    assert result.outcome == "unreachable"
    assert result.status == 404
    assert result.attempts == 1


def _hops(server: SourcesServer, count: int) -> str:
    server.add("/file.json", lambda headers: _file(_small()))
    target = "/file.json"
    for number in range(count, 0, -1):
        path = f"/hop-{count}-{number}"
        location = target
        server.add(
            path, lambda headers, to=location: Answer(302, b"", {"Location": to})
        )
        target = path
    return target


def test_redirects_within_the_limit_are_followed(
    site: Site, server: SourcesServer
) -> None:
    start = _hops(server, FAST.max_redirects)

    [result] = site.harvest(_source(server, start)).results

    assert result.outcome == "new"
    assert result.final_url == server.url("/file.json")


def test_too_many_redirects_are_unreachable(site: Site, server: SourcesServer) -> None:
    start = _hops(server, FAST.max_redirects + 1)

    [result] = site.harvest(_source(server, start)).results

    assert result.outcome == "unreachable"
    assert f"more than {FAST.max_redirects} redirects" in result.detail
    assert server.routes["/file.json"].requests == 0


def test_a_redirect_to_another_scheme_is_not_followed(
    site: Site, server: SourcesServer
) -> None:
    server.add(
        "/elsewhere",
        lambda headers: Answer(301, b"", {"Location": "file:///etc/passwd"}),
    )

    [result] = site.harvest(_source(server, "/elsewhere")).results

    assert result.outcome == "unreachable"
    assert "only http and https" in result.detail


def test_an_html_page_is_invalid_with_a_clear_message(
    site: Site, server: SourcesServer
) -> None:
    page = b"<!DOCTYPE html><html><body>Pagina niet gevonden</body></html>"
    server.add(
        "/iv3.json",
        lambda headers: Answer(200, page, {"Content-Type": "text/html"}),
    )

    [result] = site.harvest(_source(server, "/iv3.json")).results

    assert result.outcome == "invalid"
    assert "HTML page" in result.detail
    assert site.store.graph_names() == set()


def test_content_that_is_no_json_is_invalid(site: Site, server: SourcesServer) -> None:
    server.add("/iv3.json", lambda headers: _file(b'{"metadata": '))

    [result] = site.harvest(_source(server, "/iv3.json")).results

    assert result.outcome == "invalid"
    assert result.detail.startswith("unreadable")


def test_a_file_that_does_not_conform_is_invalid_with_its_codes(
    site: Site, server: SourcesServer
) -> None:
    body = (EXAMPLES / "ongeldig-gemeente-2025.json").read_bytes()
    server.add("/iv3.json", lambda headers: _file(body))

    [result] = site.harvest(_source(server, "/iv3.json", "GM9999")).results

    assert result.outcome == "invalid"
    assert "DF001" in result.codes
    assert "DF001" in result.detail
    assert site.store.graph_names() == set()


def test_a_file_over_the_limit_is_stopped(site: Site, server: SourcesServer) -> None:
    limits = HarvestLimits(**(FAST.__dict__ | {"max_bytes": 10_000}))
    big = b'{"metadata": {}, "padding": "' + b"x" * 200_000 + b'"}'
    server.add("/streamed.json", lambda headers: Answer(200, big, length=False))
    server.add("/declared.json", lambda headers: _file(big))

    run = site.harvest(
        _source(server, "/streamed.json"),
        _source(server, "/declared.json"),
        limits=limits,
    )

    assert [result.outcome for result in run.results] == ["too-large", "too-large"]
    assert "Content-Length" in run.results[1].detail
    assert "10,000" in run.results[0].detail


def test_an_etag_gives_304_on_the_second_run(site: Site, server: SourcesServer) -> None:
    def tagged(headers: dict[str, str]) -> Answer:
        if headers.get("if-none-match") == '"v1"':
            return Answer(304, b"", {"ETag": '"v1"'})
        return _file(_small(), ETag='"v1"')

    route = server.add("/iv3.json", tagged)

    first = site.harvest(_source(server, "/iv3.json"))
    second = site.harvest(_source(server, "/iv3.json"))

    assert first.results[0].outcome == "new"
    assert second.results[0].outcome == "unchanged"
    assert second.results[0].status == 304
    assert route.last_headers["if-none-match"] == '"v1"'


def test_last_modified_gives_304_on_the_second_run(
    site: Site, server: SourcesServer
) -> None:
    stamp = "Wed, 01 Jul 2026 08:00:00 GMT"

    def dated(headers: dict[str, str]) -> Answer:
        if headers.get("if-modified-since") == stamp:
            return Answer(304, b"")
        return _file(_small(), **{"Last-Modified": stamp})

    route = server.add("/iv3.json", dated)

    site.harvest(_source(server, "/iv3.json"))
    second = site.harvest(_source(server, "/iv3.json"))

    assert second.results[0].outcome == "unchanged"
    assert second.results[0].status == 304
    assert route.last_headers["if-modified-since"] == stamp


def test_the_same_file_without_validators_is_unchanged(
    site: Site, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))

    site.harvest(_source(server, "/iv3.json"))
    second = site.harvest(_source(server, "/iv3.json"))

    assert second.results[0].outcome == "unchanged"
    assert second.results[0].status == 200


def test_a_changed_file_is_a_new_version_revising_the_previous(
    site: Site, server: SourcesServer
) -> None:
    served = {"body": _small()}
    server.add("/iv3.json", lambda headers: _file(served["body"]))
    first = site.harvest(_source(server, "/iv3.json")).results[0]

    served["body"] = _corrected("2026-08-01T10:00:00+02:00")
    second = site.harvest(_source(server, "/iv3.json")).results[0]

    assert second.outcome == "new"
    assert second.version != first.version
    submission = namespace().submission("GM0999", 2025, 5)
    assert site.current(submission) == [second.version]
    revises = site.store.query(
        f"ASK {{ <{second.version}> <{PROV}wasRevisionOf> <{first.version}> }}"
    )
    assert revises.boolean is True


def test_a_file_of_another_government_is_refused(
    site: Site, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))

    [result] = site.harvest(_source(server, "/iv3.json", "GM0363")).results

    assert result.outcome == "refused"
    assert "GM0999" in result.detail
    assert site.store.graph_names() == set()


def test_an_invalid_file_is_reported_again_on_the_next_run(
    site: Site, server: SourcesServer
) -> None:
    page = b"<html>onderhoud</html>"
    server.add(
        "/iv3.json",
        lambda headers: Answer(200, page, {"Content-Type": "text/html", "ETag": "x"}),
    )

    site.harvest(_source(server, "/iv3.json"))
    second = site.harvest(_source(server, "/iv3.json"))

    assert second.results[0].outcome == "invalid"
    assert "if-none-match" not in server.routes["/iv3.json"].last_headers


def test_many_sources_keep_register_order(site: Site, server: SourcesServer) -> None:
    server.add("/good.json", lambda headers: _file(_small()))
    sources = [
        _source(server, "/missing-1.json"),
        _source(server, "/good.json"),
        _source(server, "/missing-2.json"),
    ]

    run = site.harvest(*sources)

    assert [result.source for result in run.results] == sources
    assert run.counts() == {"unreachable": 2, "new": 1}


def test_sniffing_prefers_the_bytes() -> None:
    assert sniff(b'  {"a": 1}', "text/plain", "http://x/a") == "application/json"
    assert sniff(b"PK\x03\x04rest", "", "http://x/a") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert sniff(b"@prefix x: <y> .", "text/turtle", "http://x/a") == "text/turtle"
    assert sniff(b"@prefix x: <y> .", "", "http://x/a.ttl") == "text/turtle"


# The command ---------------------------------------------------------------


def _register(folder: Path, rows: list[tuple[str, str]]) -> Path:
    path = folder / "register.csv"
    lines = ["overheid,url,naam", *(f"{code},{url},Test" for code, url in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _command(folder: Path, *arguments: str) -> Any:
    environment = {
        "IV3LD_HARVEST_READ_TIMEOUT": "0.3",
        "IV3LD_HARVEST_CONNECT_TIMEOUT": "0.5",
        "IV3LD_HARVEST_BACKOFF": "0.01",
        "IV3LD_HARVEST_RETRIES": "1",
        "IV3LD_STATE": str(folder / "state"),
    }
    store = ["--store", str(folder / "store")]
    return CliRunner().invoke(main, ["harvest", *store, *arguments], env=environment)


def test_the_command_exits_0_when_every_source_is_fine(
    tmp_path: Path, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))
    register = _register(tmp_path, [("GM0999", server.url("/iv3.json"))])

    first = _command(tmp_path, "--register", str(register))
    second = _command(tmp_path, "--register", str(register), "--format", "json")

    assert first.exit_code == 0, first.output
    assert "new version" in first.output
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["counts"] == {"unchanged": 1}


def test_the_command_exits_1_when_a_source_fails(
    tmp_path: Path, server: SourcesServer
) -> None:
    server.add("/iv3.json", lambda headers: _file(_small()))
    register = _register(
        tmp_path,
        [
            ("GM0999", server.url("/iv3.json")),
            ("GM0363", server.url("/gone.json")),
        ],
    )

    result = _command(tmp_path, "--register", str(register))

    assert result.exit_code == 1
    assert "unreachable" in result.output
    assert "HTTP 404" in result.output


def test_the_command_exits_3_for_an_unreadable_register(tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text("overheid,url\nGM0363,ftp://example.org/x\n", encoding="utf-8")

    bad = _command(tmp_path, "--register", str(register))
    missing = _command(tmp_path, "--register", str(tmp_path / "nergens.csv"))

    assert bad.exit_code == 3
    assert "not an http or https URL" in bad.output
    assert missing.exit_code == 3


def test_the_command_exits_2_for_a_usage_error(tmp_path: Path) -> None:
    result = _command(tmp_path, "--format", "xml")

    assert result.exit_code == 2


def test_the_command_exits_4_when_the_store_is_in_use(
    tmp_path: Path, server: SourcesServer
) -> None:
    register = _register(tmp_path, [("GM0999", server.url("/iv3.json"))])
    holder = EmbeddedStore.open(tmp_path / "store")
    try:
        result = _command(tmp_path, "--register", str(register))
    finally:
        holder.close()

    assert result.exit_code == 4


def test_a_periode_without_a_schedule_is_invalid_not_a_crash(
    site: Site, server: SourcesServer
) -> None:
    content = load_fixture("klein-2025.json")
    content["metadata"]["periode"] = 9
    server.add("/iv3.json", lambda headers: _file(_json(content)))

    [result] = site.harvest(_source(server, "/iv3.json")).results

    assert result.outcome == "invalid"
    assert "periode 9" in result.detail
