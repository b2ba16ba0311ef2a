"""The data catalogue (DCAT-AP-NL 3.0) and the VoID description of the store.

DCAT-AP-NL 3.0 (Geonovum, on DCAT-AP 3.0 and W3C DCAT 3): one ``dcat:Catalog``
``{base}/id/catalogus`` with a ``dcat:Dataset`` per submission (overheid ×
boekjaar × periode; the dataset is the submission's own IRI, its content the
current version) and a ``dcat:DataService`` for the SPARQL endpoint. Each dataset
has titles and descriptions in Dutch and English, the government as creator and
publisher (its TOOI identifier where ``ontology/regions.ttl`` knows one, else
iv3ld's IRI of it), the EU data themes "government and public sector" and
"economy and finance", the boekjaar (or quarter) as temporal coverage, the time
its current version was published here as modification date, the submission's
contact person as contact point, and three distributions: CSV, JSON-LD and Turtle
(:mod:`iv3ld.exports`), plus one through the SPARQL service.

Values from controlled vocabularies (EU data themes, file types, access rights,
languages, licence; IANA media types) are named by their IRIs and typed with the
classes the DCAT-AP shapes expect, with their labels, so that the catalogue
validates on its own without fetching anything.

VoID (W3C Interest Group Note, 2011): ``void:Dataset`` ``{base}/.well-known/void#iv3ld``
for everything in the store: SPARQL endpoint, URI space, example resources,
number of triples, vocabularies and the dump.

Nodes that exist only in these descriptions (distributions, contact points, the
service) are fragments of the catalogue's IRI, which ``/id/catalogus`` serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from iv3ld.exports import download_iri, dump_iri
from iv3ld.identifiers import namespace, submission_key
from iv3ld.serialisation import vocabulary
from iv3ld.store import Store, term_value

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
VOID = "http://rdfs.org/ns/void#"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"

LICENCE = f"{EU}licence/CC0"
"""Licence of every distribution: CC0 1.0, as for Dutch open government data."""

THEMES = {
    f"{EU}data-theme/GOVE": (
        "Overheid en publieke sector",
        "Government and public sector",
    ),
    f"{EU}data-theme/ECON": ("Economie en financiën", "Economy and finance"),
}
PUBLIC_ACCESS = f"{EU}access-right/PUBLIC"
DUTCH = f"{EU}language/NLD"
ENGLISH = f"{EU}language/ENG"

LAYER_NAMES = {
    "gemeente": ("gemeente", "municipality"),
    "provincie": ("provincie", "province"),
    "gr": ("gemeenschappelijke regeling", "joint arrangement"),
    "waterschap": ("waterschap", "water authority"),
}
PERIOD_NAMES = {
    0: ("begroting", "budget"),
    1: ("realisatie eerste kwartaal", "realisation first quarter"),
    2: ("realisatie tweede kwartaal", "realisation second quarter"),
    3: ("realisatie derde kwartaal", "realisation third quarter"),
    4: ("realisatie vierde kwartaal", "realisation fourth quarter"),
    5: ("jaarrekening", "annual accounts"),
}
_QUARTER_ENDS = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}


@dataclass(frozen=True)
class Distribution:
    """One way to get a dataset: a file format or the SPARQL service."""

    extension: str
    title: str
    media_type: str
    file_type: str


DISTRIBUTIONS = (
    Distribution("csv", "CSV", "text/csv", "CSV"),
    Distribution("jsonld", "JSON-LD", "application/ld+json", "JSON_LD"),
    Distribution("ttl", "Turtle", "text/turtle", "RDF_TURTLE"),
)
FILE_TYPE_LABELS = {"CSV": "CSV", "JSON_LD": "JSON-LD", "RDF_TURTLE": "Turtle"}

_EMAIL = re.compile(r"^[^@\s<>\"{}|\\^`]+@[^@\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class Entry:
    """One submission as the catalogue lists it."""

    submission: str
    version: str
    government: str
    layer: str
    name: str
    agent: str
    modified: str | None
    versions: int
    contact_name: str | None = None
    contact_email: str | None = None

    @property
    def code(self) -> str:
        """The government's code in the submission's IRI: ``GM0363``."""
        return submission_key(self.submission)[0]

    @property
    def year(self) -> int:
        """The boekjaar."""
        return submission_key(self.submission)[1]

    @property
    def periode(self) -> int:
        """The periode: 0 begroting, 1–4 quarters, 5 jaarrekening."""
        return submission_key(self.submission)[2]

    @property
    def version_key(self) -> str:
        """The current version's key (``20240710t073000z``)."""
        return self.version.rsplit("/", 1)[-1]

    @property
    def fragment(self) -> str:
        """The stem of the catalogue fragments about this submission."""
        return f"{self.code.lower()}-{self.year}-{self.periode}"

    @property
    def agent_name(self) -> str:
        """The government's name with its kind: ``Gemeente Amsterdam``."""
        if self.layer in {"gemeente", "provincie"}:
            return f"{self.layer.capitalize()} {self.name}"
        return self.name

    def downloads(self) -> dict[str, str]:
        """Extension → download IRI of the current version."""
        return {
            distribution.extension: download_iri(
                self.submission, distribution.extension
            )
            for distribution in DISTRIBUTIONS
        }

    def title(self, language: str) -> str:
        """The dataset's title in Dutch (``nl``) or English."""
        index = 0 if language == "nl" else 1
        layer = LAYER_NAMES.get(self.layer, (self.layer, self.layer))[index]
        period = PERIOD_NAMES.get(self.periode, (str(self.periode),) * 2)[index]
        return f"Iv3 {layer} {self.name} {self.year}, {period}"


def catalogue_iri() -> str:
    """The catalogue's IRI."""
    return f"{namespace().base}/id/catalogus"


def void_document() -> str:
    """Where the VoID description is served."""
    return f"{namespace().base}/.well-known/void"


def void_iri() -> str:
    """The IRI of the VoID dataset: everything in the store."""
    return f"{void_document()}#iv3ld"


def sparql_endpoint() -> str:
    """The public SPARQL endpoint."""
    return f"{namespace().base}/sparql"


def entries(store: Store) -> list[Entry]:
    """Every submission with a current version, by government, year, periode."""
    names = namespace()
    vocabulary = names.vocabulary
    result = store.query(
        "SELECT ?submission ?version ?government ?layer"
        " (SAMPLE(?given_name) AS ?name) (SAMPLE(?register_name) AS ?label)"
        " (SAMPLE(?tooi_iri) AS ?tooi) (SAMPLE(?received) AS ?modified)"
        " (COUNT(DISTINCT ?any) AS ?versions)"
        " (SAMPLE(?fn) AS ?contact_name) (SAMPLE(?mail) AS ?contact_email) WHERE {"
        f" GRAPH ?submission {{ ?submission <{vocabulary}huidigeVersie> ?version ;"
        f"  <{vocabulary}heeftVersie> ?any ."
        f"  OPTIONAL {{ ?version <{vocabulary}ontvangen> ?received }} }}"
        f" GRAPH ?version {{ ?version <{vocabulary}overheid> ?government ;"
        f"  <{vocabulary}overheidslaag> ?layer ."
        f"  OPTIONAL {{ ?version <{vocabulary}overheidsnaam> ?given_name }}"
        f"  OPTIONAL {{ ?version <{vocabulary}contact> ?contact ."
        f"   OPTIONAL {{ ?contact <{VCARD}fn> ?fn }}"
        f"   OPTIONAL {{ ?contact <{VCARD}hasEmail> ?mail }} }} }}"
        f" OPTIONAL {{ GRAPH <{names.graph('regios')}> {{"
        f"  OPTIONAL {{ ?government <{vocabulary}tooi> ?tooi_iri }}"
        f"  OPTIONAL {{ ?government <{RDFS}label> ?register_name }} }} }}"
        "} GROUP BY ?submission ?version ?government ?layer"
    )
    found = [_entry(record) for record in result.records()]
    return sorted(found, key=lambda entry: (entry.code, entry.year, entry.periode))


def _entry(
    record: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple],
) -> Entry:
    def text(name: str) -> str | None:
        return term_value(record[name]) if name in record else None

    government = text("government") or ""
    name = text("label") or text("name") or government.rsplit("/", 1)[-1]
    email = text("contact_email")
    return Entry(
        submission=text("submission") or "",
        version=text("version") or "",
        government=government,
        layer=(text("layer") or "").rsplit("/", 1)[-1],
        name=name,
        agent=text("tooi") or government,
        modified=text("modified"),
        versions=int(text("versions") or 0),
        contact_name=text("contact_name"),
        contact_email=email if email and _EMAIL.match(email) else None,
    )


def store_size(store: Store) -> int:
    """The number of triples in all graphs of the store."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(result.column("n")[0])


class Triples:
    """A list of triples built with IRIs as strings and literals as terms."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: str | ox.BlankNode, predicate: str, value: object) -> None:
        """Add a triple; a ``str`` value is an IRI, anything else a Literal."""
        node = ox.NamedNode(subject) if isinstance(subject, str) else subject
        term = ox.NamedNode(value) if isinstance(value, str) else value
        self.triples.append(ox.Triple(node, ox.NamedNode(predicate), term))  # type: ignore[arg-type]

    def text(
        self,
        subject: str | ox.BlankNode,
        predicate: str,
        nl: str,
        en: str | None = None,
    ) -> None:
        """Add a Dutch (and an English) text."""
        self.add(subject, predicate, ox.Literal(nl, language="nl"))
        if en is not None:
            self.add(subject, predicate, ox.Literal(en, language="en"))

    def typed(
        self, subject: str | ox.BlankNode, predicate: str, value: str, datatype: str
    ) -> None:
        """Add a literal of an XSD datatype."""
        self.add(
            subject,
            predicate,
            ox.Literal(value, datatype=ox.NamedNode(f"{XSD}{datatype}")),
        )


@dataclass(frozen=True)
class Operator:
    """Who runs the site: the catalogue's publisher and contact point."""

    name: str = "Beheer iv3ld"
    email: str | None = None


def catalogue_triples(
    store: Store, modified: datetime | None = None, operator: Operator | None = None
) -> list[ox.Triple]:
    """The DCAT-AP-NL catalogue of the store's submissions."""
    listed = entries(store)
    graph = Triples()
    catalogue = catalogue_iri()
    service = f"{catalogue}#sparql"

    _describe_catalogue(graph, listed, modified, operator or Operator())
    _describe_service(graph, service, listed)
    for entry in listed:
        _describe_dataset(graph, entry, service)
    _describe_vocabularies(graph, listed)
    return graph.triples


def _describe_catalogue(
    graph: Triples, listed: list[Entry], modified: datetime | None, operator: Operator
) -> None:
    base = namespace().base
    catalogue = catalogue_iri()
    graph.add(catalogue, f"{RDF}type", f"{DCAT}Catalog")
    graph.text(
        catalogue,
        f"{DCT}title",
        "Iv3-gegevens van decentrale overheden",
        "Iv3 figures of Dutch local government",
    )
    graph.text(
        catalogue,
        f"{DCT}description",
        "De Iv3-gegevens (Informatie voor derden) die gemeenten, provincies en"
        " gemeenschappelijke regelingen aan het CBS leveren, na controle als linked"
        " data gepubliceerd: per aanlevering (overheid, boekjaar en periode) als CSV,"
        " JSON-LD en Turtle, en alles samen via het SPARQL-endpoint.",
        "The Iv3 returns (Informatie voor derden) that Dutch municipalities, provinces"
        " and joint arrangements deliver to Statistics Netherlands, checked and"
        " published as linked data: per submission (government, year and period) as"
        " CSV, JSON-LD and Turtle, and all together through the SPARQL endpoint.",
    )
    agent = _operator(graph, operator)
    graph.add(catalogue, f"{DCT}publisher", agent)
    graph.add(catalogue, f"{DCT}creator", agent)
    graph.add(catalogue, f"{DCAT}contactPoint", _operator_contact(graph, operator))
    graph.add(catalogue, f"{DCT}license", LICENCE)
    graph.add(catalogue, f"{DCT}language", DUTCH)
    graph.add(catalogue, f"{DCT}language", ENGLISH)
    graph.add(catalogue, f"{FOAF}homepage", f"{base}/")
    graph.add(f"{base}/", f"{RDF}type", f"{FOAF}Document")
    graph.add(catalogue, f"{DCAT}themeTaxonomy", f"{EU}data-theme")
    graph.add(catalogue, f"{DCAT}service", f"{catalogue}#sparql")
    graph.add(catalogue, f"{RDFS}seeAlso", void_document())
    if modified is not None:
        graph.typed(catalogue, f"{DCT}modified", _timestamp(modified), "dateTime")
    for entry in listed:
        graph.add(catalogue, f"{DCAT}dataset", entry.submission)


def _operator(graph: Triples, operator: Operator) -> str:
    """The agent that runs this iv3ld site and publishes the catalogue."""
    agent = f"{catalogue_iri()}#beheerder"
    graph.add(agent, f"{RDF}type", f"{FOAF}Agent")
    graph.add(agent, f"{FOAF}name", ox.Literal(operator.name, language="nl"))
    graph.add(agent, f"{FOAF}homepage", f"{namespace().base}/")
    return agent


def _operator_contact(graph: Triples, operator: Operator) -> str:
    contact = f"{catalogue_iri()}#contact"
    graph.add(contact, f"{RDF}type", f"{VCARD}Organization")
    graph.add(contact, f"{RDF}type", f"{VCARD}Kind")
    graph.add(contact, f"{VCARD}fn", ox.Literal(operator.name))
    graph.add(contact, f"{VCARD}hasURL", f"{namespace().base}/")
    if operator.email:
        graph.add(contact, f"{VCARD}hasEmail", f"mailto:{operator.email}")
    return contact


def _describe_service(graph: Triples, service: str, listed: list[Entry]) -> None:
    endpoint = sparql_endpoint()
    graph.add(service, f"{RDF}type", f"{DCAT}DataService")
    graph.text(
        service, f"{DCT}title", "SPARQL-endpoint van iv3ld", "iv3ld SPARQL endpoint"
    )
    graph.text(
        service,
        f"{DCT}description",
        "Vragen over alle gepubliceerde Iv3-gegevens, code lijsten en"
        " validatierapporten in SPARQL 1.1; zonder dataset ziet een vraag de"
        " vereniging van alle grafen.",
        "Queries over all published Iv3 figures, code lists and validation reports"
        " in SPARQL 1.1; a query without a dataset sees the union of all graphs.",
    )
    graph.add(service, f"{DCAT}endpointURL", endpoint)
    graph.add(service, f"{DCAT}endpointDescription", endpoint)
    graph.add(service, f"{DCT}conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    graph.add(
        "https://www.w3.org/TR/sparql11-protocol/", f"{RDF}type", f"{DCT}Standard"
    )
    graph.add(service, f"{DCT}identifier", ox.Literal(endpoint))
    graph.add(service, f"{DCT}accessRights", PUBLIC_ACCESS)
    graph.add(service, f"{DCT}license", LICENCE)
    graph.add(service, f"{DCT}publisher", f"{catalogue_iri()}#beheerder")
    graph.add(service, f"{DCT}creator", f"{catalogue_iri()}#beheerder")
    graph.add(service, f"{DCAT}contactPoint", f"{catalogue_iri()}#contact")
    graph.add(service, f"{DCT}language", DUTCH)
    for theme in THEMES:
        graph.add(service, f"{DCAT}theme", theme)
    for keyword in ("Iv3", "SPARQL", "linked data"):
        graph.add(service, f"{DCAT}keyword", ox.Literal(keyword, language="nl"))
    for entry in listed:
        graph.add(service, f"{DCAT}servesDataset", entry.submission)


def _describe_dataset(graph: Triples, entry: Entry, service: str) -> None:
    dataset = entry.submission
    base = namespace().base
    graph.add(dataset, f"{RDF}type", f"{DCAT}Dataset")
    graph.text(dataset, f"{DCT}title", entry.title("nl"), entry.title("en"))
    graph.text(dataset, f"{DCT}description", *_descriptions(entry))
    graph.add(dataset, f"{DCT}identifier", ox.Literal(dataset))
    graph.add(dataset, f"{DCAT}version", ox.Literal(entry.version_key))
    graph.add(dataset, f"{DCT}publisher", entry.agent)
    graph.add(dataset, f"{DCT}creator", entry.agent)
    graph.add(entry.agent, f"{RDF}type", f"{FOAF}Agent")
    graph.add(entry.agent, f"{FOAF}name", ox.Literal(entry.agent_name, language="nl"))
    for theme in THEMES:
        graph.add(dataset, f"{DCAT}theme", theme)
    for keyword in ("Iv3", entry.title("nl").split(",")[-1].strip(), entry.layer):
        graph.add(dataset, f"{DCAT}keyword", ox.Literal(keyword, language="nl"))
    graph.add(dataset, f"{DCT}temporal", _period(graph, entry))
    if entry.modified is not None:
        graph.typed(dataset, f"{DCT}modified", entry.modified, "dateTime")
    graph.add(dataset, f"{DCT}accessRights", PUBLIC_ACCESS)
    graph.add(dataset, f"{DCT}language", DUTCH)
    graph.add(dataset, f"{DCT}conformsTo", f"{base}/def/iv3")
    graph.add(dataset, f"{FOAF}page", f"{base}/def/iv3")
    landing = f"{base}/doc/{dataset.removeprefix(f'{base}/id/')}"
    graph.add(dataset, f"{DCAT}landingPage", landing)
    graph.add(landing, f"{RDF}type", f"{FOAF}Document")
    graph.add(dataset, f"{DCAT}contactPoint", _dataset_contact(graph, entry))
    for distribution in DISTRIBUTIONS:
        graph.add(dataset, f"{DCAT}distribution", _file(graph, entry, distribution))
    graph.add(dataset, f"{DCAT}distribution", _through_service(graph, entry, service))


def _descriptions(entry: Entry) -> tuple[str, str]:
    period_nl, period_en = PERIOD_NAMES.get(entry.periode, (str(entry.periode),) * 2)
    versions_nl = "versie" if entry.versions == 1 else "versies"
    versions_en = "version" if entry.versions == 1 else "versions"
    return (
        f"De Iv3-gegevens (Informatie voor derden) van {entry.agent_name} over"
        f" {entry.year}, {period_nl}: lasten en baten per taakveld en categorie,"
        " balansmutaties, balansstanden, kengetallen en beleidsindicatoren, als RDF"
        f" Data Cube. Huidige versie {entry.version_key}, {entry.versions}"
        f" {versions_nl}.",
        f"The Iv3 figures of {entry.agent_name} for {entry.year}, {period_en}:"
        " expenditure and revenue per task field and category, balance sheet"
        " mutations and positions, financial ratios and policy indicators, as an RDF"
        f" Data Cube. Current version {entry.version_key}, {entry.versions}"
        f" {versions_en}.",
    )


def _period(graph: Triples, entry: Entry) -> ox.BlankNode:
    """The boekjaar, or its start to the end of the quarter for a quarter."""
    period = ox.BlankNode()
    end = _QUARTER_ENDS.get(entry.periode, "12-31")
    graph.add(period, f"{RDF}type", f"{DCT}PeriodOfTime")
    graph.typed(period, f"{DCAT}startDate", f"{entry.year}-01-01", "date")
    graph.typed(period, f"{DCAT}endDate", f"{entry.year}-{end}", "date")
    return period


def _dataset_contact(graph: Triples, entry: Entry) -> str:
    """The submission's contact, on behalf of its government."""
    contact = f"{catalogue_iri()}#contact-{entry.fragment}"
    graph.add(contact, f"{RDF}type", f"{VCARD}Kind")
    graph.add(contact, f"{RDF}type", f"{VCARD}Organization")
    graph.add(contact, f"{VCARD}fn", ox.Literal(entry.agent_name))
    if entry.contact_name:
        graph.add(contact, f"{VCARD}organization-unit", ox.Literal(entry.contact_name))
    if entry.contact_email:
        graph.add(contact, f"{VCARD}hasEmail", f"mailto:{entry.contact_email}")
    return contact


def _file(graph: Triples, entry: Entry, distribution: Distribution) -> str:
    node = f"{catalogue_iri()}#{entry.fragment}-{distribution.extension}"
    url = download_iri(entry.submission, distribution.extension)
    graph.add(node, f"{RDF}type", f"{DCAT}Distribution")
    graph.text(
        node,
        f"{DCT}title",
        f"{entry.title('nl')} ({distribution.title})",
        f"{entry.title('en')} ({distribution.title})",
    )
    graph.add(node, f"{DCAT}accessURL", url)
    graph.add(node, f"{DCAT}downloadURL", url)
    graph.add(node, f"{DCAT}mediaType", f"{IANA}{distribution.media_type}")
    graph.add(node, f"{DCT}format", f"{EU}file-type/{distribution.file_type}")
    graph.add(node, f"{DCT}license", LICENCE)
    graph.add(node, f"{DCT}language", DUTCH)
    graph.add(node, f"{DCT}conformsTo", f"{namespace().base}/def/iv3")
    if entry.modified is not None:
        graph.typed(node, f"{DCT}modified", entry.modified, "dateTime")
    return node


def _through_service(graph: Triples, entry: Entry, service: str) -> str:
    node = f"{catalogue_iri()}#{entry.fragment}-sparql"
    graph.add(node, f"{RDF}type", f"{DCAT}Distribution")
    graph.text(
        node,
        f"{DCT}title",
        f"{entry.title('nl')} (SPARQL, graaf {entry.version_key})",
        f"{entry.title('en')} (SPARQL, graph {entry.version_key})",
    )
    graph.add(node, f"{DCAT}accessURL", sparql_endpoint())
    graph.add(node, f"{DCAT}accessService", service)
    graph.add(node, f"{DCT}license", LICENCE)
    graph.add(node, f"{DCT}language", DUTCH)
    graph.add(node, f"{DCT}conformsTo", f"{namespace().base}/def/iv3")
    return node


def _describe_vocabularies(graph: Triples, listed: list[Entry]) -> None:
    """Type the controlled values used, as the DCAT-AP class ranges ask."""
    base = namespace().base
    graph.add(f"{EU}data-theme", f"{RDF}type", f"{SKOS}ConceptScheme")
    graph.text(f"{EU}data-theme", f"{DCT}title", "Datathema's", "Data themes")
    for theme, (nl, en) in THEMES.items():
        graph.add(theme, f"{RDF}type", f"{SKOS}Concept")
        graph.add(theme, f"{SKOS}inScheme", f"{EU}data-theme")
        graph.text(theme, f"{SKOS}prefLabel", nl, en)
    graph.add(PUBLIC_ACCESS, f"{RDF}type", f"{DCT}RightsStatement")
    graph.text(PUBLIC_ACCESS, f"{RDFS}label", "openbaar", "public")
    graph.add(LICENCE, f"{RDF}type", f"{DCT}LicenseDocument")
    graph.text(LICENCE, f"{RDFS}label", "CC0 1.0 Universeel", "CC0 1.0 Universal")
    for language, (nl, en) in {
        DUTCH: ("Nederlands", "Dutch"),
        ENGLISH: ("Engels", "English"),
    }.items():
        graph.add(language, f"{RDF}type", f"{DCT}LinguisticSystem")
        graph.text(language, f"{RDFS}label", nl, en)
    graph.add(f"{base}/def/iv3", f"{RDF}type", f"{DCT}Standard")
    graph.add(f"{base}/def/iv3", f"{RDF}type", f"{FOAF}Document")
    graph.text(f"{base}/def/iv3", f"{RDFS}label", "Iv3-vocabulaire", "Iv3 vocabulary")
    for distribution in DISTRIBUTIONS:
        graph.add(f"{IANA}{distribution.media_type}", f"{RDF}type", f"{DCT}MediaType")
        file_type = f"{EU}file-type/{distribution.file_type}"
        graph.add(file_type, f"{RDF}type", f"{DCT}MediaTypeOrExtent")
        graph.add(file_type, f"{RDFS}label", ox.Literal(distribution.title))


def void_triples(store: Store, modified: datetime | None = None) -> list[ox.Triple]:
    """The VoID description of everything in the store."""
    base = namespace().base
    dataset = void_iri()
    listed = entries(store)
    graph = Triples()

    graph.add(dataset, f"{RDF}type", f"{VOID}Dataset")
    graph.text(
        dataset,
        f"{DCT}title",
        "iv3ld: alle gepubliceerde gegevens",
        "iv3ld: all published data",
    )
    graph.text(
        dataset,
        f"{DCT}description",
        "Alle grafen van deze iv3ld-installatie: de aanleveringen en hun versies,"
        " validatierapporten, code lijsten, regio's, vocabulaire en shapes.",
        "Every graph of this iv3ld site: submissions and their versions, validation"
        " reports, code lists, regions, vocabulary and shapes.",
    )
    graph.add(dataset, f"{DCT}license", LICENCE)
    graph.add(dataset, f"{DCT}publisher", f"{catalogue_iri()}#beheerder")
    graph.add(dataset, f"{FOAF}homepage", f"{base}/")
    graph.add(dataset, f"{RDFS}seeAlso", catalogue_iri())
    graph.add(dataset, f"{VOID}rootResource", catalogue_iri())
    graph.add(dataset, f"{VOID}sparqlEndpoint", sparql_endpoint())
    graph.add(dataset, f"{VOID}uriSpace", ox.Literal(f"{base}/id/"))
    graph.add(dataset, f"{VOID}dataDump", dump_iri())
    graph.add(dataset, f"{VOID}feature", "http://www.w3.org/ns/formats/N-Quads")
    graph.typed(dataset, f"{VOID}triples", str(store_size(store)), "integer")
    if modified is not None:
        graph.typed(dataset, f"{DCT}modified", _timestamp(modified), "dateTime")
    for entry in listed[:3]:
        graph.add(dataset, f"{VOID}exampleResource", entry.submission)
        graph.add(dataset, f"{VOID}exampleResource", entry.version)
    for used in _vocabularies():
        graph.add(dataset, f"{VOID}vocabulary", used)
    return graph.triples


def _vocabularies() -> list[str]:
    """The namespaces of the vocabularies the store's data use."""
    prefixes = vocabulary().prefixes
    names = (
        *("iv3", "qb", "skos", "dcterms", "prov", "vcard", "sh"),
        *("sdmx-attribute", "obeu-dimension", "obeu-attribute"),
    )
    return sorted(prefixes[name] for name in names)


def _timestamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


__all__ = [
    "DISTRIBUTIONS",
    "Entry",
    "Operator",
    "catalogue_iri",
    "catalogue_triples",
    "entries",
    "sparql_endpoint",
    "store_size",
    "void_document",
    "void_iri",
    "void_triples",
]
