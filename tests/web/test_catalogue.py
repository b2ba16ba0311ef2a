"""The DCAT-AP-NL catalogue and the VoID description of the served store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyshacl import validate

from iv3ld.identifiers import namespace
from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from iv3ld.web.pages import local_href

BASE = namespace().base
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SHACL = rdflib.Namespace("http://www.w3.org/ns/shacl#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
SUBMISSIONS = {
    f"{BASE}/id/aanlevering/GM0363/2023/5",
    f"{BASE}/id/aanlevering/PV28/2026/0",
    f"{BASE}/id/aanlevering/GR900001/2024/5",
}
SHAPE_FILES = (
    "dcat-ap-SHACL.ttl",
    "dcat-ap-nl-SHACL.ttl",
    "dcat-ap-nl-SHACL-klassebereik.ttl",
    "dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl",
    "dcat-ap-nl-SHACL-aanbevolen.ttl",
)
"""DCAT-AP-NL 3.0 on top of SEMIC's DCAT-AP 3.0 shapes; "aanbevolen" are warnings."""


def rdf_graph(client: TestClient, target: str, accept: str = "text/turtle") -> ox.Store:
    response = client.get(target, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    formats = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }
    graph = ox.Store()
    graph.load(response.content, format=formats[accept])
    return graph


def objects(graph: ox.Store, subject: str, predicate: str) -> set[str]:
    quads = graph.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None
    )
    return {quad.object.value for quad in quads}


def subjects_of_type(graph: ox.Store, kind: str) -> set[str]:
    quads = graph.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(kind))
    return {quad.subject.value for quad in quads}


def test_the_catalogue_iri_redirects_to_its_document(client: TestClient) -> None:
    response = client.get("/id/catalogus?format=ttl", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/doc/catalogus?format=ttl"


@pytest.mark.parametrize(
    "accept",
    [
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    ],
)
def test_the_catalogue_lists_every_submission(client: TestClient, accept: str) -> None:
    graph = rdf_graph(client, "/doc/catalogus", accept)

    catalogue = f"{BASE}/id/catalogus"
    assert subjects_of_type(graph, f"{DCAT}Catalog") == {catalogue}
    assert subjects_of_type(graph, f"{DCAT}Dataset") == SUBMISSIONS
    assert objects(graph, catalogue, f"{DCAT}dataset") == SUBMISSIONS
    services = subjects_of_type(graph, f"{DCAT}DataService")
    assert len(services) == 1
    service = services.pop()
    assert objects(graph, service, f"{DCAT}endpointURL") == {f"{BASE}/sparql"}
    assert objects(graph, service, f"{DCAT}servesDataset") == SUBMISSIONS
    assert f"{BASE}/.well-known/void" in objects(
        graph, catalogue, "http://www.w3.org/2000/01/rdf-schema#seeAlso"
    )


def test_each_dataset_describes_its_government_and_files(client: TestClient) -> None:
    graph = rdf_graph(client, "/doc/catalogus?format=ttl", "text/turtle")
    amsterdam = f"{BASE}/id/aanlevering/GM0363/2023/5"

    tooi = "https://identifier.overheid.nl/tooi/id/gemeente/gm0363"
    assert objects(graph, amsterdam, f"{DCT}publisher") == {tooi}
    assert objects(graph, amsterdam, f"{DCT}creator") == {tooi}
    assert objects(
        graph, f"{BASE}/id/aanlevering/GR900001/2024/5", f"{DCT}creator"
    ) == {f"{BASE}/id/gemeenschappelijke-regeling/900001"}
    titles = graph.quads_for_pattern(
        ox.NamedNode(amsterdam), ox.NamedNode(f"{DCT}title"), None
    )
    languages = {quad.object.language for quad in titles}  # type: ignore[union-attr]
    assert languages == {"nl", "en"}

    distributions = objects(graph, amsterdam, f"{DCAT}distribution")
    downloads = {
        url
        for node in distributions
        for url in objects(graph, node, f"{DCAT}downloadURL")
    }
    assert downloads == {
        f"{BASE}/download/aanlevering/GM0363/2023/5.{extension}"
        for extension in ("csv", "jsonld", "ttl")
    }
    media_types = {
        kind
        for node in distributions
        for kind in objects(graph, node, f"{DCAT}mediaType")
    }
    assert "http://www.iana.org/assignments/media-types/text/csv" in media_types
    for url in downloads:
        assert client.head(local_href(url)).status_code == 200


def test_the_catalogue_page_links_the_files(client: TestClient) -> None:
    response = client.get("/doc/catalogus", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for extension in ("csv", "jsonld", "ttl"):
        assert f'href="/download/aanlevering/GM0363/2023/5.{extension}"' in page
    assert 'href="/doc/aanlevering/PV28/2026/0"' in page
    assert 'href="/.well-known/void"' in page
    assert 'href="/download/iv3ld.nq.gz"' in page
    assert "Gemeente Amsterdam" in page


def test_unknown_formats_are_refused(client: TestClient) -> None:
    assert client.get("/doc/catalogus?format=xlsx").status_code == 400
    assert (
        client.get("/doc/catalogus", headers={"Accept": "image/png"}).status_code == 406
    )
    assert (
        client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code
        == 406
    )


def test_a_current_catalogue_gets_304(client: TestClient) -> None:
    first = client.get("/doc/catalogus?format=ttl")

    again = client.get(
        "/doc/catalogus?format=ttl", headers={"If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304
    assert "Accept" in first.headers["vary"].split(", ")


def shapes_graph(folder: Path) -> rdflib.Graph:
    """The combined shapes, without two property shapes SEMIC lists but never defines.

    ``dcat-ap-SHACL.ttl`` (DCAT-AP 3.0.1) names two ``sh:property`` shapes of its
    DataServiceShape that the file does not contain; pySHACL refuses such a
    reference, so the dangling links are dropped (they constrain nothing).
    """
    shapes = rdflib.Graph()
    for name in SHAPE_FILES:
        shapes.parse(folder / "dcat-ap-nl" / name)
    for shape, member in list(shapes.subject_objects(SHACL.property)):
        if shapes.value(member, SHACL.path) is None:
            shapes.remove((shape, SHACL.property, member))
    return shapes


def violations(data: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    _, report, _ = validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, rdflib.Graph)
    return [
        " ".join(
            str(report.value(result, part))
            for part in (SHACL.focusNode, SHACL.resultPath, SHACL.resultMessage)
        )
        for result in report.subjects(SHACL.resultSeverity, SHACL.Violation)
    ]


def test_the_catalogue_conforms_to_dcat_ap_nl(
    client: TestClient, shared_data: Path
) -> None:
    shapes = shapes_graph(shared_data)
    turtle = client.get("/doc/catalogus?format=ttl").text
    data = rdflib.Graph().parse(data=turtle, format="turtle")

    assert violations(data, shapes) == []

    amsterdam = rdflib.URIRef(f"{BASE}/id/aanlevering/GM0363/2023/5")
    data.remove((amsterdam, rdflib.DCTERMS.publisher, None))
    data.remove((amsterdam, rdflib.DCAT.contactPoint, None))
    found = violations(data, shapes)
    assert any(str(amsterdam) in line and "publisher" in line for line in found)
    assert any(str(amsterdam) in line and "contactPoint" in line for line in found)


def test_void_describes_the_store(
    client: TestClient, served_store: EmbeddedStore
) -> None:
    graph = rdf_graph(client, "/.well-known/void")
    datasets = subjects_of_type(graph, f"{VOID}Dataset")

    assert datasets == {f"{BASE}/.well-known/void#iv3ld"}
    dataset = datasets.pop()
    triples = objects(graph, dataset, f"{VOID}triples")
    assert triples == {str(len(served_store.pyoxigraph))}
    assert objects(graph, dataset, f"{VOID}sparqlEndpoint") == {f"{BASE}/sparql"}
    assert objects(graph, dataset, f"{VOID}uriSpace") == {f"{BASE}/id/"}
    assert objects(graph, dataset, f"{VOID}dataDump") == {
        f"{BASE}/download/iv3ld.nq.gz"
    }
    assert namespace().vocabulary in objects(graph, dataset, f"{VOID}vocabulary")
    examples = objects(graph, dataset, f"{VOID}exampleResource")
    assert examples >= SUBMISSIONS
    for example in examples:
        assert served_store.quads_about(example), example
    assert client.head("/download/iv3ld.nq.gz").status_code == 200


def test_void_by_format_name(client: TestClient) -> None:
    response = client.get("/.well-known/void?format=jsonld")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    parsed = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    assert any(quad.predicate.value == f"{VOID}triples" for quad in parsed)


def test_the_operator_is_a_setting(
    served_site: tuple[EmbeddedStore, StateDirectory], shared_data: Path
) -> None:
    store, state = served_site
    settings = Settings(
        store=Path(store.location),
        state=state.directory,
        operator_name="CBS, team Iv3",
        operator_email="iv3@cbs.example",
    )
    with TestClient(create_app(settings, store, state)) as client:
        turtle = client.get("/doc/catalogus?format=ttl").text
    data = rdflib.Graph().parse(data=turtle, format="turtle")
    catalogue = rdflib.URIRef(f"{BASE}/id/catalogus")

    publisher = data.value(catalogue, rdflib.DCTERMS.publisher)
    contact = data.value(catalogue, rdflib.DCAT.contactPoint)
    assert str(data.value(publisher, rdflib.FOAF.name)) == "CBS, team Iv3"
    assert (contact, VCARD.hasEmail, rdflib.URIRef("mailto:iv3@cbs.example")) in data
    assert violations(data, shapes_graph(shared_data)) == []
