"""A version's page summarises its parts; a part's page pages its observations."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from iv3ld.identifiers import namespace
from iv3ld.store import term_value
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web.submission_pages import PAGE_SIZE

BASE = namespace().base
QB = "http://purl.org/linked-data/cube#"
DCTERMS = "http://purl.org/dc/terms/"
VERSION = "aanlevering/GM0363/2023/5/20240710t073000z"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/problem+json, text/html;q=0.5"}


class Links(HTMLParser):
    """The pager's links by ``rel``, each row's last link and each row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rel: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.row_links: dict[str, list[str]] = {}
        self._table: str | None = None
        self._links: list[str] = []
        self._cell: list[str] | None = None

    @property
    def observations(self) -> list[str]:
        """The address of each observation row (its last link)."""
        return self.row_links.get("observations", [])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("class") or ""
            self.rows[self._table], self.row_links[self._table] = [], []
        elif tag == "tr" and self._table is not None:
            self._links = []
            self.rows[self._table].append([])
        elif tag == "td":
            self._cell = []
        elif tag == "a" and self._table is not None:
            self._links.append(found.get("href") or "")
        elif tag == "a" and found.get("rel"):
            self.rel[found["rel"] or ""] = found.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self.rows[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._table is not None and self._links:
            self.row_links[self._table].append(self._links[-1])
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def _counts(store: EmbeddedStore, version: str) -> dict[str, int]:
    """The number of observations of each part of a version, by SPARQL."""
    result = store.query(
        f"SELECT ?part (COUNT(?observation) AS ?count) WHERE {{ GRAPH <{version}> {{"
        f" ?part <{DCTERMS}isPartOf> <{version}> ."
        f" OPTIONAL {{ ?observation <{QB}dataSet> ?part }} }} }} GROUP BY ?part"
    )
    return {
        term_value(row["part"]): int(term_value(row["count"]))
        for row in result.records()
    }


def _observations(store: EmbeddedStore, part: str) -> set[str]:
    """The local addresses of the observations of a part, by SPARQL."""
    version = part.rsplit("/", 1)[0]
    result = store.query(
        f"SELECT ?observation WHERE {{ GRAPH <{version}> {{"
        f" ?observation <{QB}dataSet> <{part}> }} }}"
    )
    return {
        "/doc/" + term_value(row["observation"]).removeprefix(f"{BASE}/id/")
        for row in result.records()
    }


def test_the_version_page_lists_its_parts_with_their_counts(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    expected = _counts(served_store, f"{BASE}/id/{VERSION}")

    response = client.get(f"/doc/{VERSION}", headers=HTML)

    assert response.status_code == 200
    assert 'class="observations"' not in response.text
    page = _links(response.text)
    shown = {row[0]: int(row[1]) for row in page.rows["parts"] if row}
    assert shown == {iri.rsplit("/", 1)[-1]: count for iri, count in expected.items()}
    assert set(page.row_links["parts"]) == {
        "/doc/" + iri.removeprefix(f"{BASE}/id/") for iri in expected
    }


def test_following_next_shows_every_observation_once(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    part = f"{BASE}/id/{VERSION}/lasten"
    expected = _observations(served_store, part)
    assert len(expected) > 2 * PAGE_SIZE, "the example should need three pages"

    address: str | None = f"/doc/{VERSION}/lasten"
    pages: list[Links] = []
    while address is not None and len(pages) < 10:
        response = client.get(address, headers=HTML)
        assert response.status_code == 200
        pages.append(_links(response.text))
        address = pages[-1].rel.get("next")

    seen = [observation for page in pages for observation in page.observations]
    assert len(pages) == -(-len(expected) // PAGE_SIZE)
    assert [len(page.observations) for page in pages[:-1]] == [PAGE_SIZE] * (
        len(pages) - 1
    )
    assert len(seen) == len(expected)
    assert set(seen) == expected


def test_the_pager_links_back_and_forth(client: TestClient) -> None:
    first = _links(client.get(f"/doc/{VERSION}/lasten", headers=HTML).text)
    second = _links(client.get(f"/doc/{VERSION}/lasten?pagina=2", headers=HTML).text)

    assert "prev" not in first.rel
    assert first.rel["next"] == f"/doc/{VERSION}/lasten?pagina=2"
    assert second.rel["prev"] == f"/doc/{VERSION}/lasten"
    assert second.rel["next"] == f"/doc/{VERSION}/lasten?pagina=3"
    assert not set(first.observations) & set(second.observations)


def test_the_last_page_has_no_next_link(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    count = _counts(served_store, f"{BASE}/id/{VERSION}")[f"{BASE}/id/{VERSION}/baten"]
    last = -(-count // PAGE_SIZE)

    response = client.get(f"/doc/{VERSION}/baten?pagina={last}", headers=HTML)

    links = _links(response.text)
    assert response.status_code == 200
    assert "next" not in links.rel
    assert len(links.observations) == count - (last - 1) * PAGE_SIZE
    assert f"van {count}" in response.text


@pytest.mark.parametrize("value", ["0", "-1", "twee", "1.5", "", "%C2%B2", "1e3"])
def test_a_page_that_is_no_whole_number_from_one_is_400(
    client: TestClient, value: str
) -> None:
    response = client.get(f"/doc/{VERSION}/lasten?pagina={value}", headers=JSON)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "pagina" in response.json()["detail"]


def test_a_page_given_twice_is_400(client: TestClient) -> None:
    response = client.get(f"/doc/{VERSION}/lasten?pagina=1&pagina=2", headers=JSON)

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["99", "9" * 40])
def test_a_page_past_the_end_is_404_naming_the_first(
    client: TestClient, value: str
) -> None:
    response = client.get(f"/doc/{VERSION}/lasten?pagina={value}", headers=JSON)
    page = client.get(f"/doc/{VERSION}/lasten?pagina={value}", headers=HTML)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert f"/doc/{VERSION}/lasten" in response.json()["detail"]
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_each_page_has_its_own_etag_and_a_304(client: TestClient) -> None:
    first = client.get(f"/doc/{VERSION}/lasten", headers=HTML)
    second = client.get(f"/doc/{VERSION}/lasten?pagina=2", headers=HTML)
    again = client.get(
        f"/doc/{VERSION}/lasten?pagina=2",
        headers=HTML | {"If-None-Match": second.headers["etag"]},
    )
    crossed = client.get(
        f"/doc/{VERSION}/lasten?pagina=2",
        headers=HTML | {"If-None-Match": first.headers["etag"]},
    )

    assert first.headers["etag"] != second.headers["etag"]
    assert again.status_code == 304
    assert crossed.status_code == 200


@pytest.mark.parametrize("path", [VERSION, f"{VERSION}/lasten"])
def test_the_rdf_of_versions_and_parts_ignores_the_page(
    client: TestClient, path: str
) -> None:
    plain = client.get(f"/doc/{path}?format=nt")
    paged = client.get(f"/doc/{path}?format=nt&pagina=2")

    assert plain.status_code == 200
    assert sorted(plain.text.splitlines()) == sorted(paged.text.splitlines())
    assert "/lasten/0-1/" not in plain.text.split(" ", 1)[0]
