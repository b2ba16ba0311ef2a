"""Dereferenceable resources: /id, /doc and /def, their formats and their pages."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from iv3ld.identifiers import namespace
from iv3ld.intake import deliver
from iv3ld.loading import load_content
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store import Store
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from iv3ld.web.pages import amount

IV3 = namespace().vocabulary
BASE = namespace().base
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VERSION = "aanlevering/GM0363/2023/5/20240710t073000z"
OBSERVATION = f"{VERSION}/lasten/0-1/1-1"

RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _triples(content: bytes, media_type: str) -> set[ox.Triple]:
    parsed = ox.parse(content, format=RDF_FORMATS[media_type])
    return {ox.Triple(q.subject, q.predicate, q.object) for q in parsed}


class Tables(HTMLParser):
    """The cells of the tables of a page, per table class, with cell links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._link: str | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("class") or ""
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._table is not None and self._in_body:
            self.tables[self._table].append([])
        elif tag in {"td", "th"} and self._in_body:
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None and self._link is None:
            self._link = found.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._table is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[self._table][-1].append((text, self._link))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> dict[str, list[list[tuple[str, str | None]]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_id_answers_303_to_its_document_keeping_the_query(client: TestClient) -> None:
    response = client.get("/id/gemeente/GM0363?format=ttl", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/doc/gemeente/GM0363?format=ttl"


@pytest.mark.parametrize(
    "path",
    [
        "gemeente/GM0363",
        "provincie/PV27",
        "waterschap/WS02",
        "gemeenschappelijke-regeling/900001",
        "aanlevering/GM0363/2023/5",
        VERSION,
        f"{VERSION}/lasten",
        OBSERVATION,
        "taakveld/gemeente/2023/0-1",
        "taakveld/gemeente/2023",
        "herindeling/2022/amsterdam",
    ],
)
def test_every_kind_of_thing_resolves(client: TestClient, path: str) -> None:
    redirect = client.get(f"/id/{path}", follow_redirects=False)
    page = client.get(f"/doc/{path}", headers={"Accept": "text/html"})
    turtle = client.get(f"/doc/{path}", headers={"Accept": "text/turtle"})

    assert redirect.status_code == 303
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert turtle.status_code == 200
    subjects = {str(t.subject.value) for t in _triples(turtle.content, "text/turtle")}
    objects = {str(t.object.value) for t in _triples(turtle.content, "text/turtle")}
    assert f"{BASE}/id/{path}" in subjects | objects


def test_an_unknown_thing_is_404_problem_json_or_a_page(client: TestClient) -> None:
    unknown = client.get("/id/gemeente/GM9999", follow_redirects=False)
    as_json = client.get("/doc/gemeente/GM9999", headers={"Accept": "text/turtle"})
    as_page = client.get("/doc/gemeente/GM9999", headers={"Accept": "text/html"})

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["status"] == 404
    assert as_json.status_code == 404
    assert as_json.json()["instance"] == "/doc/gemeente/GM9999"
    assert as_page.status_code == 404
    assert as_page.headers["content-type"].startswith("text/html")
    assert "GM9999" in as_page.text


def test_a_path_that_makes_no_iri_is_404(client: TestClient) -> None:
    response = client.get("/doc/gemeente/%3Cx%3E%20y", headers={"Accept": "text/html"})

    assert response.status_code == 404


@pytest.mark.parametrize("media_type", [*RDF_FORMATS])
def test_an_observation_in_each_format(client: TestClient, media_type: str) -> None:
    response = client.get(f"/doc/{OBSERVATION}", headers={"Accept": media_type})

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    triples = _triples(response.content, media_type)
    amounts = [t.object for t in triples if t.predicate.value == f"{IV3}bedrag"]
    assert len(amounts) == 1
    assert amounts[0].datatype.value.endswith("#decimal")


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("html", "text/html"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
    ],
)
def test_format_overrides_accept(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(
        f"/doc/{OBSERVATION}?format={name}", headers={"Accept": "application/pdf"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["content-location"].endswith(f"?format={name}")


def test_a_browser_gets_html(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/doc/{OBSERVATION}", headers={"Accept": accept})

    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/doc/taakveld/gemeente/2023/0-1"' in response.text
    assert "<h1>Lasten: 0.1 Bestuur × 1.1 Salarissen" in response.text


def test_head_answers_without_a_body(client: TestClient) -> None:
    response = client.head(f"/doc/{OBSERVATION}", headers={"Accept": "text/turtle"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


def test_an_unacceptable_type_is_406(client: TestClient) -> None:
    response = client.get(f"/doc/{OBSERVATION}", headers={"Accept": "application/pdf"})

    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "text/turtle" in response.json()["detail"]


def test_an_unknown_format_name_is_400(client: TestClient) -> None:
    response = client.get(f"/doc/{OBSERVATION}?format=pdf")

    assert response.status_code == 400


def test_a_current_copy_is_304(client: TestClient) -> None:
    first = client.get(f"/doc/{OBSERVATION}", headers={"Accept": "text/turtle"})
    again = client.get(
        f"/doc/{OBSERVATION}",
        headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]},
    )
    other_type = client.get(
        f"/doc/{OBSERVATION}",
        headers={
            "Accept": "application/ld+json",
            "If-None-Match": first.headers["etag"],
        },
    )

    assert first.status_code == 200
    assert first.headers["last-modified"]
    assert again.status_code == 304
    assert again.content == b""
    assert other_type.status_code == 200


def test_links_name_the_thing_and_the_other_formats(client: TestClient) -> None:
    response = client.get(f"/doc/{OBSERVATION}", headers={"Accept": "text/turtle"})

    link = response.headers["link"]
    assert f'<{BASE}/id/{OBSERVATION}>; rel="describes"' in link
    assert f'</doc/{OBSERVATION}?format=jsonld>; rel="alternate"' in link


@pytest.mark.parametrize(
    "path",
    [
        f"/doc/{OBSERVATION}",
        f"/doc/{VERSION}",
        "/doc/gemeente/GM0363",
        "/doc/gemeenschappelijke-regeling/900001",
        "/doc/taakveld/gemeente/2023/0-1",
        "/doc/taakveld/gemeente/2023",
        "/def/iv3",
    ],
)
def test_json_ld_gives_the_triples_of_turtle(client: TestClient, path: str) -> None:
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})

    from_turtle = _triples(turtle.content, "text/turtle")
    from_jsonld = _triples(jsonld.content, "application/ld+json")
    assert from_turtle
    if any(isinstance(t.subject, ox.BlankNode) for t in from_turtle):
        assert isomorphic(
            Graph().parse(data=turtle.content, format="turtle"),
            Graph().parse(data=jsonld.content, format="json-ld"),
        )
    else:
        assert from_jsonld == from_turtle


def test_json_ld_uses_the_terms_of_the_project_context(client: TestClient) -> None:
    document = client.get(
        f"/doc/{OBSERVATION}", headers={"Accept": "application/ld+json"}
    ).json()

    assert document["@id"] == f"{BASE}/id/{OBSERVATION}"
    assert document["@type"] == "Lastenwaarneming"
    assert document["@context"]["bedrag"] == {
        "@id": "iv3:bedrag",
        "@type": "xsd:decimal",
    }
    assert isinstance(document["bedrag"], str)


def _current_version(client: TestClient, submission: str) -> str:
    store = client.app.state.store  # type: ignore[attr-defined]
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{submission}> {{ <{submission}>"
        f" <{IV3}huidigeVersie> ?v }} }}"
    )
    found: str = result.column("v")[0]
    return found


def _sums_per_taakveld(client: TestClient, version: str, kind: str) -> dict[str, str]:
    store = client.app.state.store  # type: ignore[attr-defined]
    result = store.query(
        f"SELECT ?notation (SUM(?amount) AS ?total) WHERE {{ GRAPH <{version}> {{"
        f" ?observation a <{IV3}{kind}> ; <{IV3}taakveld> ?taakveld ;"
        f" <{IV3}bedrag> ?amount }} ?taakveld <{SKOS}notation> ?notation }}"
        " GROUP BY ?notation"
    )
    return {row["notation"].value: row["total"].value for row in result.records()}


def test_the_page_of_amsterdam_shows_its_figures_per_taakveld(
    client: TestClient,
) -> None:
    version = _current_version(client, f"{BASE}/id/aanlevering/GM0363/2023/5")
    lasten = _sums_per_taakveld(client, version, "Lastenwaarneming")
    baten = _sums_per_taakveld(client, version, "Batenwaarneming")

    response = client.get("/doc/gemeente/GM0363", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "<h1>Amsterdam</h1>" in response.text
    rows = _tables(response.text)["taakvelden"]
    shown = {row[0][0]: row for row in rows}
    assert set(shown) == set(lasten) | set(baten)
    for notation, row in shown.items():
        expected_lasten = Decimal(lasten.get(notation, "0"))
        expected_baten = Decimal(baten.get(notation, "0"))
        assert row[0][1] is not None and row[0][1].startswith("/doc/taakveld/gemeente/")
        assert row[2][0] == amount(expected_lasten), notation
        assert row[3][0] == amount(expected_baten), notation
        assert row[4][0] == amount(expected_baten - expected_lasten), notation
    assert shown["0.1"][1][0] == "Bestuur"


def test_the_page_of_amsterdam_links_code_province_and_tooi(
    client: TestClient,
) -> None:
    html = client.get("/doc/gemeente/GM0363", headers={"Accept": "text/html"}).text

    assert 'class="code" href="/doc/gemeente/GM0363">GM0363</a>' in html
    assert 'class="province" href="/doc/provincie/PV27">Noord-Holland</a>' in html
    assert 'href="https://identifier.overheid.nl/tooi/id/gemeente/gm0363"' in html
    submissions = _tables(html)["submissions"]
    assert submissions[0][0] == ("2023", "/doc/aanlevering/GM0363/2023/5")
    assert submissions[0][3][1] == f"/doc/{VERSION}"


def test_a_government_known_only_from_its_submissions(client: TestClient) -> None:
    response = client.get(
        "/doc/gemeenschappelijke-regeling/900001", headers={"Accept": "text/html"}
    )

    assert response.status_code == 200
    assert "taakvelden" in _tables(response.text)
    assert "/doc/aanlevering/GR900001/2024/5" in response.text


def test_the_submission_page_lists_its_versions(client: TestClient) -> None:
    html = client.get(
        "/doc/aanlevering/GM0363/2023/5", headers={"Accept": "text/html"}
    ).text

    versions = _tables(html)["versions"]
    assert versions[0][0] == ("20240710t073000z", f"/doc/{VERSION}")
    assert versions[0][5][0] == "huidig"


def test_the_version_page_links_parts_whose_pages_list_observations(
    client: TestClient,
) -> None:
    html = client.get(f"/doc/{VERSION}", headers={"Accept": "text/html"}).text
    part = client.get(f"/doc/{VERSION}/lasten", headers={"Accept": "text/html"}).text

    assert f'href="/doc/{VERSION}/lasten"' in html
    assert f'href="/doc/{VERSION}/balans-standen"' in html
    rows = _tables(part)["observations"]
    assert any(row[4][1] == f"/doc/{OBSERVATION}" for row in rows)


def test_the_code_page(client: TestClient) -> None:
    html = client.get(
        "/doc/taakveld/gemeente/2023/0-1", headers={"Accept": "text/html"}
    ).text

    assert '<dd class="notation">0.1</dd>' in html
    assert '<dd class="label">Bestuur</dd>' in html
    assert "Tot dit taakveld behoren de kosten van de bestuursorganen" in html
    assert 'href="/doc/taakveld/gemeente/2023"' in html
    assert 'href="/doc/taakveld/gemeente/2023/0"' in html


def test_the_code_list_page_lists_its_codes(client: TestClient) -> None:
    html = client.get(
        "/doc/taakveld/gemeente/2023", headers={"Accept": "text/html"}
    ).text

    codes = [row[0][0] for row in _tables(html)["codes"]]
    assert codes.index("0.2") < codes.index("0.10")


def test_the_vocabulary_is_one_document(client: TestClient) -> None:
    page = client.get("/def/iv3", headers={"Accept": "text/html"})
    turtle = client.get("/def/iv3", headers={"Accept": "text/turtle"})

    assert page.status_code == 200
    assert '<tr id="bedrag">' in page.text
    assert "bedrag" in page.text and "amount" in page.text
    labels = {
        (t.object.value, t.object.language)
        for t in _triples(turtle.content, "text/turtle")
        if t.subject.value == f"{IV3}Aanlevering"
        and t.predicate.value == f"{RDFS}label"
    }
    assert labels == {("aanlevering", "nl"), ("submission", "en")}


def test_the_published_contexts_resolve(client: TestClient) -> None:
    vocabulary = client.get("/def/iv3/context.jsonld")
    codes = client.get("/def/iv3/context/gemeente-2023.jsonld")
    missing = client.get("/def/iv3/context/gemeente-1999.jsonld")

    assert vocabulary.json()["@context"]["iv3"] == IV3
    assert "taakveld" in codes.json()["@context"]
    assert missing.status_code == 404


def test_home_and_governments_pages(client: TestClient) -> None:
    home = client.get("/", headers={"Accept": "text/html"}).text
    governments = client.get("/doc/overheden", headers={"Accept": "text/html"}).text
    regions = client.get("/doc/regios", headers={"Accept": "text/html"}).text

    for html in (home, governments):
        assert 'href="/doc/gemeente/GM0363">Amsterdam</a>' in html
        assert 'href="/doc/provincie/PV28">Zuid-Holland</a>' in html
    assert 'href="/sparql"' in home and 'href="/def/iv3"' in home
    assert 'href="/doc/regios"' in governments
    assert len(_tables(regions)["regions"]) > 0
    assert 'href="/doc/gemeente/GM0034"' in regions


@pytest.fixture()
def site_with_details(
    tmp_path: Path, small_submission: dict[str, Any]
) -> Iterator[tuple[TestClient, dict[bool, str]]]:
    """A fresh store with one version whose details are public and one not."""
    store = EmbeddedStore.in_memory()
    state = StateDirectory(tmp_path / "state")
    row = small_submission["data"]["lasten"][0]
    half = row["bedrag"] // 2
    small_submission["data"]["lasten"][0] = row | {
        "bedrag": half,
        "details": {"grootboek": "4100", "omschrijving": "Salarissen"},
    }
    small_submission["data"]["lasten"].append(
        row | {"bedrag": row["bedrag"] - half, "details": {"grootboek": "4200"}}
    )
    versions = {}
    for public, number in ((False, "0999"), (True, "0998")):
        content = copy.deepcopy(small_submission)
        content["metadata"]["details_openbaar"] = public
        content["metadata"]["overheidsnummer"] = number
        loaded = load_content(content, f"{number}.json")
        versions[public] = deliver(store, loaded, private=state.private_store()).version
    settings = Settings(store=tmp_path / "store", state=state.directory)
    with TestClient(create_app(settings, store, state)) as test_client:
        yield test_client, versions
    state.close()


def test_a_detail_line_without_consent_is_never_served(
    site_with_details: tuple[TestClient, dict[bool, str]],
) -> None:
    client, versions = site_with_details
    state: StateDirectory = client.app.state.state  # type: ignore[attr-defined]
    hidden = (
        state.private_store()
        .query(f"SELECT ?line WHERE {{ GRAPH ?g {{ ?line a <{IV3}Detailregel> }} }}")
        .column("line")
    )
    public_line = f"{versions[True]}/lasten/regel/0"

    assert hidden and all(line.startswith(versions[False]) for line in hidden)
    for line in hidden:
        path = line.removeprefix(f"{BASE}/id/")
        assert client.get(f"/id/{path}", follow_redirects=False).status_code == 404
        assert client.get(f"/doc/{path}?format=ttl").status_code == 404
    cell = client.get(
        f"/doc/{versions[False].removeprefix(f'{BASE}/id/')}/lasten/0-1/1-1?format=nt"
    )
    assert cell.status_code == 200
    assert b"regel" not in cell.content
    shown = client.get(f"/doc/{public_line.removeprefix(f'{BASE}/id/')}?format=ttl")
    assert shown.status_code == 200
    assert b"4100" in shown.content or b"4200" in shown.content


def test_both_backends_serve_the_same_documents(
    store: Store, tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    state = StateDirectory(tmp_path / "state")
    version = deliver(store, load_content(small_submission, "klein.json")).version
    path = version.removeprefix(f"{BASE}/id/")
    settings = Settings(store=tmp_path / "store", state=state.directory)

    with TestClient(create_app(settings, store, state)) as client:
        turtle = client.get(f"/doc/{path}/lasten/0-1/1-1?format=ttl")
        jsonld = client.get(f"/doc/{path}/lasten/0-1/1-1?format=jsonld")
        government = client.get("/doc/gemeente/GM0999", headers={"Accept": "text/html"})
        redirect = client.get("/id/gemeente/GM0999", follow_redirects=False)
    state.close()

    assert turtle.status_code == 200
    amounts = [
        t.object.value
        for t in _triples(turtle.content, "text/turtle")
        if t.predicate.value == f"{IV3}bedrag"
    ]
    assert amounts == ["100"]
    assert _triples(jsonld.content, "application/ld+json") == _triples(
        turtle.content, "text/turtle"
    )
    assert redirect.status_code == 303
    assert government.status_code == 200
    assert "<h1>Kleindorp</h1>" in government.text
    assert _tables(government.text)["taakvelden"][0][2][0] == "100"


def test_the_resource_routes_are_in_the_openapi_document(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/doc/{path}"]) == {"get"}
    assert "/id/{path}" in paths and "/def/iv3" in paths
