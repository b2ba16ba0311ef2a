"""The data of the pages about governments: one government, all of them, regions.

A government's page shows what the regions graph says of it (CBS code, province,
TOOI identifier), its submissions and, for the current version of each
(``iv3:huidigeVersie`` in the submission's register graph, the graph named by the
submission's IRI), the lasten and baten per taakveld with their saldo. Only the
current version counts: a corrected submission shows its correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from iv3ld.codelists import code_names, code_sort_key
from iv3ld.identifiers import namespace, submission_key
from iv3ld.store import Store, term_value
from iv3ld.web.describe import (
    PROV,
    RDFS,
    SKOS,
    Description,
    decimal,
    labels,
)

_SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
_DCTERMS = "http://purl.org/dc/terms/"

KINDS = {
    "Gemeente": "gemeente",
    "Provincie": "provincie",
    "Waterschap": "waterschap",
    "GemeenschappelijkeRegeling": "gemeenschappelijke regeling",
}
"""The classes of governments and how a page names them."""


@dataclass
class TaakveldRow:
    """Lasten, baten and saldo of one taakveld in one version."""

    iri: str
    label: str
    notation: str
    lasten: Decimal
    baten: Decimal

    @property
    def saldo(self) -> Decimal:
        """Baten minus lasten: positive is a surplus."""
        return self.baten - self.lasten


@dataclass
class SubmissionSummary:
    """One submission of a government and its current version's figures."""

    iri: str
    year: int
    periode: int
    current: str | None
    versions: int
    unit_multiplier: str | None = None
    rows: list[TaakveldRow] = field(default_factory=list)

    @property
    def lasten(self) -> Decimal:
        """Total lasten of the current version."""
        return sum((row.lasten for row in self.rows), Decimal(0))

    @property
    def baten(self) -> Decimal:
        """Total baten of the current version."""
        return sum((row.baten for row in self.rows), Decimal(0))

    @property
    def saldo(self) -> Decimal:
        """Total baten minus total lasten."""
        return self.baten - self.lasten


@dataclass
class GovernmentPage:
    """Everything the page of one government shows."""

    iri: str
    name: str
    kind: str
    notation: str | None
    province: tuple[str, str] | None
    tooi: str | None
    submissions: list[SubmissionSummary]


def government_page(store: Store, description: Description) -> GovernmentPage:
    """Collect the page of a government from its description and the store."""
    iri = description.iri
    vocabulary = namespace().vocabulary
    submissions = submissions_of(store, iri)
    for submission in submissions:
        if submission.current is not None:
            submission.rows = taakveld_rows(store, submission.current)
            submission.unit_multiplier = unit_multiplier(store, submission.current)

    province = description.first(f"{vocabulary}provincie")
    province_label = (
        labels(store, [province], with_notation=False).get(province, province)
        if province
        else ""
    )
    name = description.literal(f"{RDFS}label") or _reported_name(store, iri) or iri
    return GovernmentPage(
        iri=iri,
        name=name,
        kind=government_kind(description.types, iri),
        notation=description.first(f"{SKOS}notation"),
        province=(province, province_label) if province else None,
        tooi=description.first(f"{vocabulary}tooi"),
        submissions=submissions,
    )


def government_kind(types: list[str], iri: str) -> str:
    """What kind of government: from its class, else from its IRI."""
    vocabulary = namespace().vocabulary
    for class_name, kind in KINDS.items():
        if f"{vocabulary}{class_name}" in types:
            return kind
    segment = iri.split("/id/", 1)[-1].split("/", 1)[0]
    return segment.replace("-", " ")


def _reported_name(store: Store, iri: str) -> str | None:
    """The name the government gave itself in its latest submission."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?name WHERE {{ ?version <{vocabulary}overheid> <{iri}> ;"
        f" <{vocabulary}overheidsnaam> ?name ; <{vocabulary}datum> ?datum }}"
        " ORDER BY DESC(?datum) LIMIT 1"
    )
    return next(iter(result.column("name")), None)


def submissions_of(store: Store, government: str) -> list[SubmissionSummary]:
    """The government's submissions, newest boekjaar first, with current version."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?submission ?current (COUNT(DISTINCT ?version) AS ?versions)"
        f" WHERE {{ GRAPH ?submission {{"
        f" ?submission <{vocabulary}heeftVersie> ?version ."
        f" ?version <{PROV}wasAttributedTo> <{government}> ."
        f" OPTIONAL {{ ?submission <{vocabulary}huidigeVersie> ?current }} }} }}"
        " GROUP BY ?submission ?current"
    )
    found = []
    for row in result.records():
        submission = term_value(row["submission"])
        _, year, periode = submission_key(submission)
        current = term_value(row["current"]) if "current" in row else None
        versions = int(term_value(row["versions"]))
        found.append(SubmissionSummary(submission, year, periode, current, versions))
    return sorted(found, key=lambda item: (item.year, item.periode), reverse=True)


def taakveld_rows(store: Store, version: str) -> list[TaakveldRow]:
    """Lasten and baten per taakveld of one version, in code order."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?taakveld (SUM(?l) AS ?lasten) (SUM(?b) AS ?baten)"
        f" WHERE {{ GRAPH <{version}> {{ ?observation a ?type ;"
        f" <{vocabulary}taakveld> ?taakveld ; <{vocabulary}bedrag> ?amount ."
        f" VALUES ?type {{ <{vocabulary}Lastenwaarneming>"
        f" <{vocabulary}Batenwaarneming> }} }}"
        f" BIND(IF(?type = <{vocabulary}Lastenwaarneming>, ?amount, 0) AS ?l)"
        f" BIND(IF(?type = <{vocabulary}Batenwaarneming>, ?amount, 0) AS ?b) }}"
        " GROUP BY ?taakveld"
    )
    records = list(result.records())
    names = code_names(store, (term_value(row["taakveld"]) for row in records))
    rows = []
    for row in records:
        iri = term_value(row["taakveld"])
        notation, label = names[iri]
        lasten, baten = decimal(row.get("lasten")), decimal(row.get("baten"))
        rows.append(TaakveldRow(iri, label or iri, notation, lasten, baten))
    return sorted(rows, key=lambda item: code_sort_key(item.notation))


def unit_multiplier(store: Store, version: str) -> str | None:
    """The power of ten of the version's amounts (3: thousands of euros)."""
    result = store.query(
        f"SELECT ?multiplier WHERE {{ GRAPH <{version}> {{"
        f" ?part <{_DCTERMS}isPartOf> <{version}> ;"
        f" <{_SDMX_ATTRIBUTE}unitMult> ?multiplier }} }} LIMIT 1"
    )
    return next(iter(result.column("multiplier")), None)


@dataclass
class GovernmentEntry:
    """A government in a list: name, kind and what it delivered."""

    iri: str
    name: str
    kind: str
    submissions: int
    latest_year: str


def governments_with_submissions(store: Store) -> list[GovernmentEntry]:
    """Every government with at least one submission, by name."""
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?government (COUNT(DISTINCT ?submission) AS ?submissions)"
        f" (MAX(?year) AS ?latest) WHERE {{ GRAPH ?submission {{"
        f" ?submission <{vocabulary}huidigeVersie> ?version ."
        f" ?version <{PROV}wasAttributedTo> ?government }}"
        f" BIND(STRAFTER(STR(?submission), '/aanlevering/') AS ?key)"
        f" BIND(STRBEFORE(STRAFTER(?key, '/'), '/') AS ?year) }}"
        " GROUP BY ?government"
    )
    records = list(result.records())
    iris = [term_value(row["government"]) for row in records]
    names = labels(store, iris, with_notation=False)
    types = _types(store, iris)
    entries = [
        GovernmentEntry(
            iri,
            names.get(iri) or _reported_name(store, iri) or iri,
            government_kind(types.get(iri, []), iri),
            int(term_value(row["submissions"])),
            term_value(row["latest"]) if "latest" in row else "",
        )
        for iri, row in zip(iris, records, strict=True)
    ]
    return sorted(entries, key=lambda entry: entry.name.lower())


def _types(store: Store, iris: list[str]) -> dict[str, list[str]]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    result = store.query(
        f"SELECT ?s ?type WHERE {{ VALUES ?s {{ {values} }} ?s a ?type }}"
    )
    found: dict[str, list[str]] = {}
    for row in result.records():
        found.setdefault(term_value(row["s"]), []).append(term_value(row["type"]))
    return found


@dataclass
class RegionEntry:
    """A region of the regions graph: a gemeente, provincie or waterschap."""

    iri: str
    name: str
    notation: str
    province: str | None
    province_name: str | None


def regions(store: Store) -> dict[str, list[RegionEntry]]:
    """Gemeenten, provincies and waterschappen, each by name."""
    vocabulary = namespace().vocabulary
    found: dict[str, list[RegionEntry]] = {}
    for class_name in ("Provincie", "Gemeente", "Waterschap"):
        result = store.query(
            f"SELECT ?region (SAMPLE(?label) AS ?name) (SAMPLE(?code) AS ?notation)"
            f" (SAMPLE(?province) AS ?provincie)"
            f" (SAMPLE(?provinceLabel) AS ?provincieNaam) WHERE {{"
            f" GRAPH <{namespace().graph('regios')}> {{"
            f" ?region a <{vocabulary}{class_name}> ; <{RDFS}label> ?label ."
            f" OPTIONAL {{ ?region <{SKOS}notation> ?code }}"
            f" OPTIONAL {{ ?region <{vocabulary}provincie> ?province ."
            f" ?province <{RDFS}label> ?provinceLabel }} }} }} GROUP BY ?region"
        )
        entries = [
            RegionEntry(
                term_value(row["region"]),
                term_value(row["name"]),
                term_value(row["notation"]) if "notation" in row else "",
                term_value(row["provincie"]) if "provincie" in row else None,
                term_value(row["provincieNaam"]) if "provincieNaam" in row else None,
            )
            for row in result.records()
        ]
        found[KINDS[class_name]] = sorted(entries, key=lambda entry: entry.name)
    return found
