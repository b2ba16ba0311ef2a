"""Build the Iv3 code lists, CBS checks, year-to-year links and regions as Turtle.

Usage: ``python scripts/build_codelists.py [--data ../shared/data] [--out ontology]``.

Reads the CBS definition files (``cbs/iv3_definities_{laag}_{jaar}.json``), the BZK
informatievoorschrift texts (``bzk/``) and the region lists (``regions/``) and writes:

- ``codelists/{laag}-{jaar}.ttl``: per definition file one SKOS concept scheme per code
  list (also a ``qb:HierarchicalCodeList``), the codes as concepts, the grey cells and
  the definition file with its checks;
- ``codelists/algemeen.ttl``: overheidslagen, periods, parts of a submission and the
  all-years schemes;
- ``codelists/overgangen.ttl``: SKOS mapping links from each year's codes to the next
  year's;
- ``regions.ttl``: gemeenten, provincies, waterschappen and herindelingen 2017-2023.

Rules (``DOMAIN.md`` §7 to §9, ``LINKED-DATA.md`` §5):

- Codes are stripped of whitespace and a leaf code loses a trailing dot (``4.6.6.`` in
  Provincie 2026 becomes ``4.6.6``); group codes such as ``0.`` keep theirs. Labels are
  stripped; a group without a label is labelled with its code. Each correction is
  logged.
- ``categorie_lasten`` and ``categorie_baten`` merge into one ``categorie`` scheme.
  Where the two disagree on a label (Provincie 2021-2023, 7.4 "kijken of het deze is"),
  the lasten label is kept and the difference logged.
- A BZK text becomes the ``skos:definition`` of a concept when the text has a section
  for the code and the concept's label equals, ignoring case, accents and punctuation,
  the BZK heading or the label of the same code in that overheidslaag's 2025 or 2026
  list. The BZK texts describe the current lists: older concepts that kept the current
  label get the text, concepts whose label (and so perhaps meaning) differed do not.
  Codes without a BZK section get no definition.
- A grey cell is kept when its taakveld or balanscode is in the year's list and its
  categorie is in the list of its side (``categorie_lasten`` for the lasten parts,
  ``categorie_baten`` for the baten parts); other cells are skipped and counted.
- Year-to-year links: the same code with the same label (compared as above) is a
  ``skos:exactMatch``, with a changed label a ``skos:closeMatch``; the re-codings of
  2023 and 2025 are listed in this file with the reason for each link.

Output is rdflib's sorted Turtle without random blank-node labels, so regenerating
gives identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.namespace import Namespace as RdfNamespace

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "src"))  # run from a checkout without installing

from iv3ld.identifiers import DEFAULT_BASE, LAYER_SLUGS, Namespace, slug  # noqa: E402

logger = logging.getLogger("iv3ld.build_codelists")

NAMESPACE = Namespace(DEFAULT_BASE)
IV3 = RdfNamespace(NAMESPACE.vocabulary)
QB = RdfNamespace("http://purl.org/linked-data/cube#")

DEFINITION_FILE = re.compile(
    r"iv3_definities_(?P<layer>Gemeente|Provincie|GR)_(?P<year>\d{4})\.json"
)

LIST_KEYS = (
    ("taakveld", "taakveld"),
    ("categorie_lasten", "categorie"),
    ("categorie_baten", "categorie"),
    ("balanscode", "balanscode"),
    ("standper", "standper"),
    ("kengetallen", "kengetal"),
    ("beleidsindicatoren", "beleidsindicator"),
    ("verslagperiode", "verslagperiode"),
)
"""JSON list key and the slug of the scheme it goes into."""

SIDES = {"categorie_lasten": "lasten", "categorie_baten": "baten"}

LIST_NAMES = {
    "taakveld": ("Taakvelden", "Task fields"),
    "categorie": ("Economische categorieën", "Economic categories"),
    "balanscode": ("Balansposten", "Balance sheet items"),
    "standper": ("Balansstanden per", "Balance position dates"),
    "kengetal": ("Financiële kengetallen", "Financial ratios"),
    "beleidsindicator": ("Beleidsindicatoren", "Policy indicators"),
    "verslagperiode": ("Verslagperioden", "Reporting periods"),
}
"""Dutch and English name of each code list, for scheme labels."""

LAYER_NAMES = {
    "gemeente": ("Gemeente", "municipalities"),
    "provincie": ("Provincie", "provinces"),
    "gr": ("GR", "joint arrangements"),
}

LEAF_CLASSES = {
    "taakveld": IV3.Taakveld,
    "categorie": IV3.Categorie,
    "balanscode": IV3.Balanscode,
    "standper": IV3.Standper,
    "kengetal": IV3.Kengetal,
    "beleidsindicator": IV3.Beleidsindicator,
    "verslagperiode": IV3.Verslagperiode,
}

SIDE_CLASSES = {"lasten": IV3.Lastencategorie, "baten": IV3.Batencategorie}

ACCOUNT_GROUPS = {
    "LR": IV3.LopendeRekening,
    "Lopende Rekening": IV3.LopendeRekening,
    "FR": IV3.FinancieleRekening,
    "Financiële Rekening": IV3.FinancieleRekening,
    "IV": IV3.InterneVerrekeningen,
    "Interne Verrekeningen": IV3.InterneVerrekeningen,
}
"""Category group code (2020+) or group name (format 1.0, Provincie 2020)."""

GREY_PARTS = {
    "lasten": ("taakveld", "lasten", IV3.grijsLasten),
    "baten": ("taakveld", "baten", IV3.grijsBaten),
    "balans_lasten": ("balanscode", "lasten", IV3.grijsBalansLasten),
    "balans_baten": ("balanscode", "baten", IV3.grijsBalansBaten),
}
"""Grey-cell part: row list, categorie side, property from row to categorie."""

BZK_TEXTS = {
    ("taakveld", "gemeente"): "gemeenten_taakvelden.txt",
    ("taakveld", "gr"): "gemeenten_taakvelden.txt",
    ("taakveld", "provincie"): "provincies_taakvelden.txt",
    ("categorie", "gemeente"): "Iv3_categorieen.txt",
    ("categorie", "gr"): "Iv3_categorieen.txt",
    ("categorie", "provincie"): "Iv3_categorieen.txt",
    ("balanscode", "gemeente"): "iv3_balansstanden.txt",
    ("balanscode", "gr"): "iv3_balansstanden.txt",
    ("balanscode", "provincie"): "iv3_balansstanden.txt",
}
"""BZK text describing each list; balance posts are headed by plain lines."""

CURRENT_YEARS = (2025, 2026)
"""Years whose lists the BZK texts describe."""

DATE_CODE = re.compile(r"(?P<day>\d{1,2})-(?P<month>\d{1,2})-(?P<year>\d{4})")
CODE_HEADING = re.compile(r"(?P<code>\d+(?:\.\d+)*\.?)\s*[-\u2013]*\s+(?P<label>\S.*)")
BALANCE_HEADING = re.compile(r"(?P<code>[AP]\d+[a-z]?)\s+(?P<label>\S.*)")
SETEXT_UNDERLINE = re.compile(r"\s*(?:-{3,}|={3,})\s*")
FOOTNOTE_LINE = re.compile(r"\(#footnote-ref-\d+\)|\(#_ftnref\d+\)")

GENERATED = (
    "# Generated by scripts/build_codelists.py from {sources} in ../shared/data.\n"
    "# Do not edit by hand: change the script and run it again.\n\n"
)


# --- Reading the definition files ---------------------------------------------


class Node(NamedTuple):
    """One node of a code tree, normalised."""

    code: str
    label: str
    parent: str | None
    is_group: bool


@dataclass
class Code:
    """One code of a list of one definition file."""

    notation: str
    label: str
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    sides: set[str] = field(default_factory=set)

    @property
    def is_group(self) -> bool:
        """Whether the code has subcodes (a total or group, not a reporting code)."""
        return bool(self.children)


@dataclass
class CodeList:
    """The codes of one list (categorie: lasten and baten merged) in tree order."""

    list_slug: str
    codes: dict[str, Code] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)


@dataclass
class DefinitionFile:
    """One CBS definition file with its code lists read and normalised."""

    layer: str
    year: int
    path: Path
    content: dict[str, Any]
    lists: dict[str, CodeList]


@dataclass
class BuildReport:
    """Counts of what the build corrected, skipped and wrote."""

    normalised_codes: int = 0
    normalised_labels: int = 0
    label_conflicts: int = 0
    skipped_grey_cells: Counter[str] = field(default_factory=Counter)
    skipped_check_codes: int = 0
    skipped_links: int = 0
    definitions: int = 0
    files: dict[str, tuple[int, int]] = field(default_factory=dict)

    def summary(self) -> str:
        """Return a plain-text summary for the console."""
        lines = [
            f"{name}: {triples} triples, {size} bytes"
            for name, (triples, size) in self.files.items()
        ]
        total_triples = sum(triples for triples, _ in self.files.values())
        total_size = sum(size for _, size in self.files.values())
        lines.append(f"total: {total_triples} triples, {total_size} bytes")
        lines.append(f"codes normalised: {self.normalised_codes}")
        lines.append(f"labels normalised: {self.normalised_labels}")
        lines.append(f"lasten/baten label conflicts: {self.label_conflicts}")
        lines.append(f"concepts with a BZK definition: {self.definitions}")
        for part, count in sorted(self.skipped_grey_cells.items()):
            lines.append(f"grey cells skipped ({part}): {count}")
        lines.append(f"codes in checks skipped: {self.skipped_check_codes}")
        lines.append(f"year-to-year links skipped: {self.skipped_links}")
        return "\n".join(lines)


def normalise_code(raw: str, is_group: bool) -> str:
    """Strip a code, and a trailing dot from a leaf code (``4.6.6.`` → ``4.6.6``)."""
    code = raw.strip()
    if not is_group and code.endswith("."):
        code = code[:-1]
    return code


def walk_tree(
    nodes: list[dict[str, Any]], parent: str | None, source: str, report: BuildReport
) -> Iterator[Node]:
    """Yield the nodes of a CBS code tree depth-first, normalised and logged."""
    for node in nodes:
        subcodes = node.get("subcodes") or []
        code = normalise_code(node["code"], bool(subcodes))
        if code != node["code"]:
            logger.info("%s: code %r normalised to %r", source, node["code"], code)
            report.normalised_codes += 1

        raw_label = node.get("omschrijving")
        if raw_label is None:
            logger.info(
                "%s: group %r has no label; labelled with its code", source, code
            )
            raw_label = code
        label = raw_label.strip()
        if label != raw_label:
            logger.info("%s: label of %s stripped: %r", source, code, raw_label)
            report.normalised_labels += 1

        yield Node(code, label, parent, bool(subcodes))
        yield from walk_tree(subcodes, code, source, report)


def add_node(
    code_list: CodeList, node: Node, side: str | None, source: str, report: BuildReport
) -> None:
    """Add a tree node to a list, merging a code that the other side also has."""
    code = code_list.codes.get(node.code)
    if code is None:
        code = code_list.codes[node.code] = Code(node.code, node.label)
    elif code.label != node.label:
        logger.warning(
            "%s: %s keeps label %r, not %r", source, node.code, code.label, node.label
        )
        report.label_conflicts += 1

    if node.parent is None and node.code not in code_list.roots:
        code_list.roots.append(node.code)
    if node.parent is not None and node.parent not in code.parents:
        code.parents.append(node.parent)
        code_list.codes[node.parent].children.append(node.code)
    if side is not None and not node.is_group:
        code.sides.add(side)


def read_definition_file(path: Path, report: BuildReport) -> DefinitionFile:
    """Read one definition file; the overheidslaag comes from the file name.

    The name is used because GR 2018 and 2019 say ``Gemeente`` in their metadata.
    """
    match = DEFINITION_FILE.fullmatch(path.name)
    if match is None:
        raise ValueError(f"{path}: not named iv3_definities_<laag>_<jaar>.json")
    content = json.loads(path.read_text(encoding="utf-8"))

    lists: dict[str, CodeList] = {}
    for key, list_slug in LIST_KEYS:
        tree = content["codelijsten"].get(key)
        if tree is None:
            continue
        code_list = lists.setdefault(list_slug, CodeList(list_slug))
        source = f"{path.name} {key}"
        for node in walk_tree(tree["codelijst"], None, source, report):
            add_node(code_list, node, SIDES.get(key), source, report)

    layer = LAYER_SLUGS[match["layer"]]
    return DefinitionFile(layer, int(match["year"]), path, content, lists)


def read_definition_files(directory: Path, report: BuildReport) -> list[DefinitionFile]:
    """Read every definition file in a directory, ordered by overheidslaag and year."""
    paths = [
        path
        for path in directory.glob("iv3_definities_*.json")
        if DEFINITION_FILE.fullmatch(path.name)
    ]
    files = [read_definition_file(path, report) for path in paths]
    return sorted(
        files, key=lambda definition_file: (definition_file.layer, definition_file.year)
    )


def code_validity(
    files: list[DefinitionFile],
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Return the first and last boekjaar of each (overheidslaag, list, code)."""
    validity: dict[tuple[str, str, str], tuple[int, int]] = {}
    for definition_file in files:
        year = definition_file.year
        for list_slug, code_list in definition_file.lists.items():
            for notation in code_list.codes:
                key = (definition_file.layer, list_slug, notation)
                first, last = validity.get(key, (year, year))
                validity[key] = (min(first, year), max(last, year))
    return validity


def label_key(label: str) -> str:
    """Fold case, accents and punctuation so that "Wmo" matches "WMO"."""
    decomposed = unicodedata.normalize("NFKD", label)
    letters = "".join(
        character for character in decomposed if not unicodedata.combining(character)
    )
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters.casefold()).split())


# --- BZK definitions -------------------------------------------------------------


@dataclass(frozen=True)
class BzkSection:
    """The heading label and body text of one code in a BZK text."""

    heading: str
    text: str


def clean_markdown(text: str) -> str:
    """Drop Markdown emphasis, links, footnote marks and escapes; collapse spaces."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = re.sub(r"\[\\?\[\d+\\?\]\]\(#[^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = text.replace("&nbsp;", " ")
    text = re.sub(r"\\(.)", r"\1", text).replace("\\", " ")
    text = re.sub(r"\*+|(?<!\w)_+|_+(?!\w)", "", text)
    return " ".join(text.split())


def heading_label(label: str) -> str:
    """Drop the side note of a category heading: "(deze categorie komt … voor)"."""
    return re.sub(r"\s*\(deze categorie.*$", "", label, flags=re.IGNORECASE).strip()


def code_heading(line: str, plain_headings: bool) -> tuple[str, str] | None:
    """Return (code, label) if the line heads the section of a code.

    Taakvelden and categories are headed by bold lines (``**0.1 - Bestuur**``),
    balance posts by plain lines (``A111 Kosten …``).
    """
    stripped = line.strip()
    if stripped.startswith("*"):
        match = CODE_HEADING.fullmatch(clean_markdown(stripped))
    elif plain_headings:
        match = BALANCE_HEADING.fullmatch(clean_markdown(stripped))
    else:
        return None
    if match is None:
        return None
    return match["code"], heading_label(match["label"])


def is_other_heading(line: str) -> bool:
    """Whether a line is an emphasised title or separator that ends a section."""
    stripped = line.strip()
    return stripped.startswith("*") and stripped.rstrip("\\").endswith("*")


def split_sections(
    text: str, plain_headings: bool
) -> list[tuple[tuple[str, str] | None, list[str]]]:
    """Split a BZK text into (heading, body lines) blocks; heading None if no code."""
    blocks: list[tuple[tuple[str, str] | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        if FOOTNOTE_LINE.search(line):
            continue

        if SETEXT_UNDERLINE.fullmatch(line):
            body = blocks[-1][1]
            while body and not body[-1].strip():
                body.pop()
            if body:
                body.pop()  # the title above the underline
            blocks.append((None, []))
            continue

        heading = code_heading(line, plain_headings)
        if heading is not None or is_other_heading(line):
            blocks.append((heading, []))
            continue

        blocks[-1][1].append(line)
    return blocks


def parse_bzk_text(path: Path, plain_headings: bool) -> dict[str, BzkSection]:
    """Return the section of each code in a BZK text that has body text."""
    sections: dict[str, BzkSection] = {}
    for heading, body in split_sections(
        path.read_text(encoding="utf-8"), plain_headings
    ):
        if heading is None:
            continue
        code, label = heading
        text = clean_markdown("\n".join(body))
        if not text:
            continue
        if code in sections:
            logger.warning("%s: second section for %s ignored", path.name, code)
            continue
        sections[code] = BzkSection(label, text)
    return sections


def read_bzk_texts(directory: Path) -> dict[tuple[str, str], dict[str, BzkSection]]:
    """Return the BZK sections per (list, overheidslaag)."""
    parsed = {
        name: parse_bzk_text(directory / name, name == "iv3_balansstanden.txt")
        for name in sorted(set(BZK_TEXTS.values()))
    }
    return {key: parsed[name] for key, name in BZK_TEXTS.items()}


def current_labels(files: list[DefinitionFile]) -> dict[tuple[str, str, str], set[str]]:
    """Return the folded labels of each code in the lists of 2025 and 2026."""
    labels: dict[tuple[str, str, str], set[str]] = {}
    for definition_file in files:
        if definition_file.year not in CURRENT_YEARS:
            continue
        for list_slug, code_list in definition_file.lists.items():
            for code in code_list.codes.values():
                key = (definition_file.layer, list_slug, code.notation)
                labels.setdefault(key, set()).add(label_key(code.label))
    return labels


@dataclass(frozen=True)
class Definitions:
    """The BZK sections and the current labels they describe."""

    sections: dict[tuple[str, str], dict[str, BzkSection]]
    current_labels: dict[tuple[str, str, str], set[str]]

    def text_for(self, layer: str, list_slug: str, code: Code) -> str | None:
        """Return the BZK text for a concept, or None where the rule gives none."""
        section = self.sections.get((list_slug, layer), {}).get(code.notation)
        if section is None:
            return None
        label = label_key(code.label)
        if label == label_key(section.heading):
            return section.text
        if label in self.current_labels.get((layer, list_slug, code.notation), set()):
            return section.text
        return None


# --- Code lists of one definition file ------------------------------------------


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="core")
    graph.bind("iv3", IV3)
    graph.bind("skos", SKOS)
    graph.bind("qb", QB)
    graph.bind("dcterms", DCTERMS)
    graph.bind("xsd", XSD)
    graph.bind("rdfs", RDFS)
    graph.bind("owl", OWL)
    graph.bind("prov", PROV)
    return graph


def year_literal(year: int) -> Literal:
    """Return a boekjaar as ``xsd:gYear``."""
    return Literal(str(year), datatype=XSD.gYear)


def concept_iri(list_slug: str, layer: str, year: int, notation: str) -> URIRef:
    """Return the IRI of a code of one list, overheidslaag and year."""
    return URIRef(NAMESPACE.code(list_slug, layer, year, notation))


def scheme_iri(list_slug: str, layer: str, year: int) -> URIRef:
    """Return the IRI of the scheme of one list, overheidslaag and year."""
    return URIRef(NAMESPACE.scheme(list_slug, layer, year))


def source_literal(path: Path) -> Literal:
    """Name the CBS definition file a resource is derived from."""
    return Literal(f"CBS, {path.name} (github.com/statistiekcbs/iv3_definities)")


def add_scheme(
    graph: Graph, definition_file: DefinitionFile, code_list: CodeList
) -> URIRef:
    """Add the concept scheme of one list of one definition file."""
    layer, year = definition_file.layer, definition_file.year
    scheme = scheme_iri(code_list.list_slug, layer, year)
    list_nl, list_en = LIST_NAMES[code_list.list_slug]
    layer_nl, layer_en = LAYER_NAMES[layer]

    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, RDF.type, QB.HierarchicalCodeList))
    for label in (
        Literal(f"{list_nl} {layer_nl} {year}", lang="nl"),
        Literal(f"{list_en}, {layer_en}, {year}", lang="en"),
    ):
        graph.add((scheme, SKOS.prefLabel, label))
        graph.add((scheme, DCTERMS.title, label))
    graph.add((scheme, QB.parentChildProperty, SKOS.narrower))
    for root in code_list.roots:
        concept = concept_iri(code_list.list_slug, layer, year, root)
        graph.add((scheme, QB.hierarchyRoot, concept))
        graph.add((scheme, SKOS.hasTopConcept, concept))

    graph.add((scheme, IV3.boekjaar, year_literal(year)))
    graph.add((scheme, IV3.overheidslaag, URIRef(NAMESPACE.layer(layer))))
    graph.add((scheme, DCTERMS.source, source_literal(definition_file.path)))
    return scheme


def add_standper(graph: Graph, concept: URIRef, notation: str) -> None:
    """Type a standper code as begin or end position, with its date if it has one."""
    match = DATE_CODE.fullmatch(notation)
    begin = notation == "1 januari" or (
        match is not None and (int(match["day"]), int(match["month"])) == (1, 1)
    )
    graph.add((concept, IV3.standtype, IV3.Begin if begin else IV3.Einde))
    if match is not None:
        position_date = date(int(match["year"]), int(match["month"]), int(match["day"]))
        graph.add(
            (
                concept,
                IV3.standdatum,
                Literal(position_date.isoformat(), datatype=XSD.date),
            )
        )


def add_leaf_properties(
    graph: Graph, concept: URIRef, list_slug: str, code: Code
) -> None:
    """Add the list-specific class and properties of a reporting (leaf) code."""
    graph.add((concept, RDF.type, LEAF_CLASSES[list_slug]))
    if list_slug == "categorie":
        for side in sorted(code.sides):
            graph.add((concept, RDF.type, SIDE_CLASSES[side]))
        for parent in code.parents:
            account = ACCOUNT_GROUPS.get(unicodedata.normalize("NFC", parent))
            if account is not None:
                graph.add((concept, IV3.rekening, account))
    if list_slug == "standper":
        add_standper(graph, concept, code.notation)


@dataclass(frozen=True)
class ConceptContext:
    """What the concepts of one list need besides the code itself."""

    layer: str
    year: int
    list_slug: str
    scheme: URIRef
    validity: dict[tuple[str, str, str], tuple[int, int]]
    definitions: Definitions


def add_concept(
    graph: Graph, context: ConceptContext, code: Code, report: BuildReport
) -> None:
    """Add one code as a SKOS concept of its year scheme.

    The concept is also a member of the all-years collection of its list, which the
    Data Cube dimension names as its qb:codeList: a collection, not a scheme, because
    notations repeat across years and a scheme must not repeat them (NL-SBB).
    """
    layer, year, list_slug = context.layer, context.year, context.list_slug
    concept = concept_iri(list_slug, layer, year, code.notation)

    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.notation, Literal(code.notation)))
    graph.add((concept, SKOS.prefLabel, Literal(code.label, lang="nl")))
    graph.add((concept, SKOS.inScheme, context.scheme))
    graph.add((URIRef(NAMESPACE.all_years_scheme(list_slug)), SKOS.member, concept))

    for parent in code.parents:
        graph.add((concept, SKOS.broader, concept_iri(list_slug, layer, year, parent)))
    for child in code.children:
        graph.add((concept, SKOS.narrower, concept_iri(list_slug, layer, year, child)))
    if not code.parents:
        graph.add((concept, SKOS.topConceptOf, context.scheme))

    first, last = context.validity[(layer, list_slug, code.notation)]
    graph.add((concept, IV3.eersteBoekjaar, year_literal(first)))
    graph.add((concept, IV3.laatsteBoekjaar, year_literal(last)))

    if code.is_group:
        graph.add((concept, RDF.type, IV3.Codegroep))
    else:
        add_leaf_properties(graph, concept, list_slug, code)

    text = context.definitions.text_for(layer, list_slug, code)
    if text is not None:
        graph.add((concept, SKOS.definition, Literal(text, lang="nl")))
        report.definitions += 1


def add_grey_cells(
    graph: Graph, definition_file: DefinitionFile, report: BuildReport
) -> None:
    """Link each taakveld or balanscode to the categories that are grey for it."""
    layer, year = definition_file.layer, definition_file.year
    categories = definition_file.lists["categorie"].codes
    for part, cells in definition_file.content.get("grijze_cellen", {}).items():
        row_list, side, predicate = GREY_PARTS[part]
        rows = definition_file.lists[row_list].codes
        for cell in cells:
            row = normalise_code(cell[row_list], is_group=False)
            category = normalise_code(cell["categorie"], is_group=False)
            on_side = category in categories and side in categories[category].sides
            if row not in rows or not on_side:
                report.skipped_grey_cells[f"{definition_file.path.name} {part}"] += 1
                continue
            graph.add(
                (
                    concept_iri(row_list, layer, year, row),
                    predicate,
                    concept_iri("categorie", layer, year, category),
                )
            )


# --- Checks ------------------------------------------------------------------------


def add_check_codes(
    graph: Graph,
    check: URIRef,
    definition_file: DefinitionFile,
    calculation: dict[str, Any],
    report: BuildReport,
) -> None:
    """Link a check to the balance codes it covers and the taakvelden it excludes."""
    layer, year = definition_file.layer, definition_file.year
    scopes = (
        ("balanscode", "balanscode", IV3.balanscode),
        ("uitgesloten_taakvelden", "taakveld", IV3.uitgeslotenTaakveld),
    )
    for key, list_slug, predicate in scopes:
        codes = definition_file.lists[list_slug].codes
        for raw in calculation.get(key, []):
            notation = normalise_code(raw, is_group=False)
            if notation not in codes:
                logger.warning(
                    "%s: check code %r not in %s",
                    definition_file.path.name,
                    raw,
                    list_slug,
                )
                report.skipped_check_codes += 1
                continue
            graph.add((check, predicate, concept_iri(list_slug, layer, year, notation)))


def add_check(
    graph: Graph, check: URIRef, error_code: str, periods: Sequence[int]
) -> None:
    """Add a check resource with its CBS error code and periods."""
    graph.add((check, RDF.type, IV3.Controle))
    graph.add((check, IV3.foutcode, Literal(error_code)))
    for period in periods:
        graph.add((check, IV3.periode, URIRef(NAMESPACE.period(period))))


def formula_text(check_list: dict[str, Any]) -> str:
    """Summarise the PF001 computation of a format 1.0 ``controlelijst``.

    The computed steps are written as ``variable = formula`` in file order, and the
    last step's ``check`` as the pass condition.
    """
    steps = []
    for control in check_list["controles"]:
        for step in control["definitie"]:
            expression = step["expressie"]
            if "formule" not in expression:
                continue
            steps.append(f"{step['variabele']} = {expression['formule']}")
            if "check" in expression:
                steps.append(f"voldoet als {step['variabele']} {expression['check']}")
    return "; ".join(steps)


def add_checks(
    graph: Graph, definition_file: DefinitionFile, report: BuildReport
) -> list[URIRef]:
    """Add the checks configured in a definition file and return their IRIs.

    Format 2.x files list ``controles`` with one or more calculations each; a check
    with several calculations (PF003) becomes one resource per calculation. Format 1.0
    files (and Provincie 2020) only spell out PF001 in a ``controlelijst``.
    """
    layer, year = definition_file.layer, definition_file.year
    checks: list[URIRef] = []
    for control in definition_file.content.get("controles", []):
        calculations = control["calculaties"]
        for index, calculation in enumerate(calculations, start=1):
            key = (
                control["foutcode"]
                if len(calculations) == 1
                else f"{control['foutcode']}-{index}"
            )
            check = URIRef(NAMESPACE.check(layer, year, key))
            add_check(graph, check, control["foutcode"], calculation.get("periode", []))
            add_check_codes(graph, check, definition_file, calculation, report)
            checks.append(check)

    if "controlelijst" in definition_file.content:
        check = URIRef(NAMESPACE.check(layer, year, "PF001"))
        add_check(graph, check, "PF001", (1, 2, 3, 4, 5))
        graph.add(
            (
                check,
                IV3.formule,
                Literal(formula_text(definition_file.content["controlelijst"])),
            )
        )
        checks.append(check)
    return checks


def add_definition_file(
    graph: Graph,
    definition_file: DefinitionFile,
    schemes: list[URIRef],
    checks: list[URIRef],
) -> None:
    """Describe the definition file itself: its lists and checks."""
    layer, year = definition_file.layer, definition_file.year
    resource = URIRef(NAMESPACE.definitions(layer, year))
    layer_nl, layer_en = LAYER_NAMES[layer]

    graph.add((resource, RDF.type, IV3.Definities))
    graph.add(
        (
            resource,
            RDFS.label,
            Literal(f"Iv3-definitiebestand {layer_nl} {year}", lang="nl"),
        )
    )
    graph.add(
        (
            resource,
            RDFS.label,
            Literal(f"Iv3 definition file, {layer_en}, {year}", lang="en"),
        )
    )
    graph.add((resource, IV3.overheidslaag, URIRef(NAMESPACE.layer(layer))))
    graph.add((resource, IV3.boekjaar, year_literal(year)))
    graph.add((resource, DCTERMS.source, source_literal(definition_file.path)))
    for scheme in schemes:
        graph.add((resource, IV3.codelijst, scheme))
    for check in checks:
        graph.add((resource, IV3.controle, check))


def build_definition_graph(
    definition_file: DefinitionFile,
    validity: dict[tuple[str, str, str], tuple[int, int]],
    definitions: Definitions,
    report: BuildReport,
) -> Graph:
    """Return one definition file's schemes, concepts, grey cells and checks."""
    graph = new_graph()

    schemes = []
    for list_slug, code_list in definition_file.lists.items():
        scheme = add_scheme(graph, definition_file, code_list)
        context = ConceptContext(
            definition_file.layer,
            definition_file.year,
            list_slug,
            scheme,
            validity,
            definitions,
        )
        for code in code_list.codes.values():
            add_concept(graph, context, code, report)
        schemes.append(scheme)

    add_grey_cells(graph, definition_file, report)
    checks = add_checks(graph, definition_file, report)
    add_definition_file(graph, definition_file, schemes, checks)
    return graph


# --- General lists ------------------------------------------------------------------

LAYERS = (
    (
        "gemeente",
        "Gemeente",
        "gemeente",
        "municipality",
        "De overheidslaag van de gemeenten.",
        "The municipal tier of government.",
    ),
    (
        "provincie",
        "Provincie",
        "provincie",
        "province",
        "De overheidslaag van de provincies.",
        "The provincial tier of government.",
    ),
    (
        "gr",
        "GR",
        "gemeenschappelijke regeling",
        "joint arrangement",
        "Samenwerkingsverbanden van overheden op grond van de Wet gemeenschappelijke"
        " regelingen; zij leveren Iv3 met de gemeentelijke codelijsten.",
        "Joint arrangements of governments under the Joint Arrangements Act; they"
        " report Iv3 with the municipal code lists.",
    ),
    (
        "waterschap",
        "Waterschap",
        "waterschap",
        "water authority",
        "De waterschappen; zij leveren niet in het CBS-JSON-formaat voor Iv3.",
        "The water authorities; they do not report in the CBS JSON format for Iv3.",
    ),
)
"""Slug, notation, labels (nl, en) and definitions (nl, en) of each overheidslaag."""

PERIODS = (
    (
        0,
        "begroting",
        "budget",
        "De begroting van het boekjaar (status Begroting).",
        "The budget of the financial year (status Begroting).",
    ),
    *(
        (
            quarter,
            f"kwartaal {quarter}",
            f"quarter {quarter}",
            f"De realisatie in kwartaal {quarter} van het boekjaar"
            " (status Realisatie).",
            f"Realised figures of quarter {quarter} of the financial year"
            " (status Realisatie).",
        )
        for quarter in range(1, 5)
    ),
    (
        5,
        "jaarrekening",
        "annual accounts",
        "De realisatie over het hele boekjaar: de jaarrekening (status Realisatie).",
        "Realised figures of the whole financial year: the annual accounts"
        " (status Realisatie).",
    ),
)
"""Number, labels (nl, en) and definitions (nl, en) of each period."""

PARTS = (
    (
        "lasten",
        "lasten",
        "lasten",
        "expenditure",
        "Lasten per taakveld en economische categorie.",
        "Expenditure per task field and economic category.",
    ),
    (
        "baten",
        "baten",
        "baten",
        "revenue",
        "Baten per taakveld en economische categorie.",
        "Revenue per task field and economic category.",
    ),
    (
        "balans-lasten",
        "balans_lasten",
        "balansmutaties lastenkant",
        "balance mutations, expenditure side",
        "Mutaties van balansposten per economische categorie aan de lastenkant.",
        "Mutations of balance sheet items per economic category on the expenditure"
        " side.",
    ),
    (
        "balans-baten",
        "balans_baten",
        "balansmutaties batenkant",
        "balance mutations, revenue side",
        "Mutaties van balansposten per economische categorie aan de batenkant.",
        "Mutations of balance sheet items per economic category on the revenue side.",
    ),
    (
        "balans-standen",
        "balans_standen",
        "balansstanden",
        "balance positions",
        "Standen van balansposten op een datum (standper).",
        "Positions of balance sheet items at a date (standper).",
    ),
    (
        "kengetallen",
        "kengetallen",
        "kengetallen",
        "financial ratios",
        "Financiële kengetallen per verslagperiode.",
        "Financial ratios per reporting period.",
    ),
    (
        "beleidsindicatoren",
        "beleidsindicatoren",
        "beleidsindicatoren",
        "policy indicators",
        "Beleidsindicatoren per verslagperiode.",
        "Policy indicators per reporting period.",
    ),
)
"""Slug, JSON key, labels (nl, en) and definitions (nl, en) of each part."""

SMALL_SCHEMES = (
    ("overheidslaag", "Overheidslagen", "Types of government"),
    ("periode", "Perioden van een Iv3-levering", "Periods of an Iv3 return"),
    ("deel", "Delen van een Iv3-levering", "Parts of an Iv3 return"),
)


class SmallConcept(NamedTuple):
    """A concept of one of the small fixed lists."""

    iri: URIRef
    notation: str
    label_nl: str
    label_en: str
    definition_nl: str
    definition_en: str


def small_scheme_iri(name: str) -> URIRef:
    """Return the IRI of a fixed list; it has one scheme, like an all-years list."""
    return URIRef(NAMESPACE.all_years_scheme(name))


def add_labelled_scheme(
    graph: Graph, scheme: URIRef, label_nl: str, label_en: str
) -> None:
    """Add a concept scheme with Dutch and English labels and titles."""
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for label in (Literal(label_nl, lang="nl"), Literal(label_en, lang="en")):
        graph.add((scheme, SKOS.prefLabel, label))
        graph.add((scheme, DCTERMS.title, label))


def add_small_concept(graph: Graph, scheme: URIRef, concept: SmallConcept) -> None:
    """Add a top concept of a fixed list."""
    graph.add((concept.iri, RDF.type, SKOS.Concept))
    graph.add((concept.iri, SKOS.notation, Literal(concept.notation)))
    graph.add((concept.iri, SKOS.prefLabel, Literal(concept.label_nl, lang="nl")))
    graph.add((concept.iri, SKOS.prefLabel, Literal(concept.label_en, lang="en")))
    graph.add((concept.iri, SKOS.definition, Literal(concept.definition_nl, lang="nl")))
    graph.add((concept.iri, SKOS.definition, Literal(concept.definition_en, lang="en")))
    graph.add((concept.iri, SKOS.inScheme, scheme))
    graph.add((concept.iri, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, concept.iri))


def small_concepts() -> dict[str, list[SmallConcept]]:
    """Return the concepts of the fixed lists per scheme name."""
    return {
        "overheidslaag": [
            SmallConcept(URIRef(NAMESPACE.layer(layer)), *texts)
            for layer, *texts in LAYERS
        ],
        "periode": [
            SmallConcept(URIRef(NAMESPACE.period(number)), str(number), *texts)
            for number, *texts in PERIODS
        ],
        "deel": [
            SmallConcept(URIRef(NAMESPACE.part(part)), *texts) for part, *texts in PARTS
        ],
    }


def build_general_graph() -> Graph:
    """Return the fixed lists and the all-years schemes."""
    graph = new_graph()

    concepts = small_concepts()
    for name, label_nl, label_en in SMALL_SCHEMES:
        scheme = small_scheme_iri(name)
        add_labelled_scheme(graph, scheme, label_nl, label_en)
        for concept in concepts[name]:
            add_small_concept(graph, scheme, concept)
    for concept in concepts["periode"]:
        graph.add((concept.iri, RDF.type, IV3.Periode))
    for concept in concepts["deel"]:
        graph.add((concept.iri, RDF.type, IV3.Deel))

    for list_slug, (name_nl, name_en) in LIST_NAMES.items():
        collection = URIRef(NAMESPACE.all_years_scheme(list_slug))
        graph.add((collection, RDF.type, SKOS.Collection))
        for label in (
            Literal(f"{name_nl}, alle overheidslagen en boekjaren", lang="nl"),
            Literal(f"{name_en}, all types of government and years", lang="en"),
        ):
            graph.add((collection, SKOS.prefLabel, label))
            graph.add((collection, DCTERMS.title, label))
    return graph


# --- Links between years ------------------------------------------------------------

SPLITS_2023 = ("6.71", "6.72", "6.81", "6.82")
"""Taakvelden given sub-codes (6.71a …) in 2023; the parents stay, fully grey."""

TAAKVELD_RELATED_2025 = (
    # 6.2 "Toegang en eerstelijnsvoorzieningen": 2025 labels add WMO/Jeugd/Integraal.
    ("6.2", ("6.21", "6.22", "6.23")),
    # 6.6 "Maatwerkvoorzieningen (WMO)": 6.60 holds the WMO hulpmiddelen en diensten.
    ("6.6", ("6.60",)),
    # 6.72a to d: youth care without stay (6.72d "zonder verblijf overig");
    # 6.75x are "ambulant".
    ("6.72a", ("6.751", "6.752", "6.753")),
    ("6.72b", ("6.751", "6.752", "6.753")),
    ("6.72c", ("6.751", "6.752", "6.753")),
    ("6.72d", ("6.751", "6.752", "6.753")),
    # 6.73a to c: youth care with stay (6.73c "met verblijf overig");
    # 6.76x are "met verblijf".
    ("6.73a", ("6.761", "6.762", "6.763")),
    ("6.73b", ("6.761", "6.762", "6.763")),
    ("6.73c", ("6.761", "6.762", "6.763")),
    # 6.74a "GGZ zonder verblijf" is ambulant; 6.74b (crisis/LTA/GGZ-verblijf) and
    # 6.74c "Gesloten plaatsing" are care with stay (BZK 6.761 to 6.763 name both).
    ("6.74a", ("6.751", "6.752", "6.753")),
    ("6.74b", ("6.761", "6.762", "6.763")),
    ("6.74c", ("6.761", "6.762", "6.763")),
)
"""Re-coded 2024 taakvelden without an equal-label successor, and their relatives."""

TAAKVELDEN_RECODED_2025 = (
    "6.2",
    "6.6",
    "6.71a",
    "6.71b",
    "6.71c",
    "6.71d",
    "6.72a",
    "6.72b",
    "6.72c",
    "6.72d",
    "6.73a",
    "6.73b",
    "6.73c",
    "6.74a",
    "6.74b",
    "6.74c",
    "6.81a",
    "6.81b",
    "6.82a",
    "6.82b",
)

CAPITAL_TRANSFER_COMMENTS = (
    Literal(
        "Geen één-op-één-overgang: de kapitaaloverdrachten 4.4.1 t/m 4.4.8 (2024)"
        " zijn in 2025 verdeeld over de investeringsbijdragen 4.5.1 t/m 4.5.8 en de"
        " overige kapitaaloverdrachten 4.6.6 en 4.6.8.",
        lang="nl",
    ),
    Literal(
        "Not a one-to-one mapping: the capital transfers 4.4.1 to 4.4.8 (2024) were"
        " divided in 2025 over the investment contributions 4.5.1 to 4.5.8 and the"
        " other capital transfers 4.6.6 and 4.6.8.",
        lang="en",
    ),
)

BALANCE_SPLITS_2025 = (
    ("A1331a", ("A1331c", "A1331d", "A1331e")),
    ("A221", ("A221a", "A221b", "A221c")),
    ("A222a", ("A222c", "A222d", "A222e")),
    ("A29c", ("A29e", "A29f", "A29g")),
    ("P135a", ("P135c", "P135d", "P135e")),
    ("P211a", ("P211c", "P211d", "P211e")),
    ("P29c", ("P29e", "P29f", "P29g")),
)
"""2024 "openbare lichamen" balance posts split by counterparty in 2025."""


@dataclass(frozen=True)
class Transition:
    """Two consecutive definition files of one overheidslaag."""

    earlier: DefinitionFile
    later: DefinitionFile

    def codes(self, list_slug: str) -> tuple[dict[str, Code], dict[str, Code]]:
        """Return the codes of a list in the earlier and the later year."""
        earlier = self.earlier.lists.get(list_slug, CodeList(list_slug)).codes
        later = self.later.lists.get(list_slug, CodeList(list_slug)).codes
        return earlier, later

    def link(
        self,
        graph: Graph,
        list_slug: str,
        source: str,
        predicate: URIRef,
        target: str,
        report: BuildReport,
    ) -> tuple[URIRef, URIRef] | None:
        """Link a code of the earlier year to one of the later year, if both exist."""
        earlier, later = self.codes(list_slug)
        if source not in earlier or target not in later:
            logger.warning(
                "%s %d→%d: no %s link %s → %s (code missing)",
                self.earlier.layer,
                self.earlier.year,
                self.later.year,
                list_slug,
                source,
                target,
            )
            report.skipped_links += 1
            return None
        subject = concept_iri(list_slug, self.earlier.layer, self.earlier.year, source)
        obj = concept_iri(list_slug, self.later.layer, self.later.year, target)
        graph.add((subject, predicate, obj))
        return subject, obj


def transitions(files: list[DefinitionFile]) -> list[Transition]:
    """Return each pair of consecutive years of one overheidslaag."""
    by_key = {
        (definition_file.layer, definition_file.year): definition_file
        for definition_file in files
    }
    return [
        Transition(
            definition_file, by_key[(definition_file.layer, definition_file.year + 1)]
        )
        for definition_file in files
        if (definition_file.layer, definition_file.year + 1) in by_key
    ]


def add_continuations(
    graph: Graph, transition: Transition, report: BuildReport
) -> None:
    """Link each code kept into the next year: exact if its label stayed, else close."""
    for list_slug in transition.earlier.lists:
        earlier, later = transition.codes(list_slug)
        for notation, code in earlier.items():
            if notation not in later:
                continue
            same_label = label_key(code.label) == label_key(later[notation].label)
            predicate = SKOS.exactMatch if same_label else SKOS.closeMatch
            transition.link(graph, list_slug, notation, predicate, notation, report)


def add_splits_2023(graph: Graph, transition: Transition, report: BuildReport) -> None:
    """Link 6.71, 6.72, 6.81 and 6.82 of 2022 to their 2023 sub-codes (narrowMatch)."""
    _, later = transition.codes("taakveld")
    for parent in SPLITS_2023:
        for notation in later:
            if re.fullmatch(re.escape(parent) + "[a-z]", notation):
                transition.link(
                    graph, "taakveld", parent, SKOS.narrowMatch, notation, report
                )


def add_taakveld_recoding_2025(
    graph: Graph, transition: Transition, report: BuildReport
) -> None:
    """Link the re-coded social-domain taakvelden of 2024 to the 2025 codes.

    An equal label (6.71a → 6.711 "Huishoudelijke hulp (WMO)") gives a closeMatch, as
    CBS does not say the scope is the same; :data:`TAAKVELD_RELATED_2025` gives the
    relatedMatch links.
    """
    earlier, later = transition.codes("taakveld")
    new_codes = [notation for notation in later if notation not in earlier]
    for source in TAAKVELDEN_RECODED_2025:
        if source not in earlier:
            continue
        for target in new_codes:
            if label_key(earlier[source].label) == label_key(later[target].label):
                transition.link(
                    graph, "taakveld", source, SKOS.closeMatch, target, report
                )
    for source, targets in TAAKVELD_RELATED_2025:
        if source in earlier:
            for target in targets:
                transition.link(
                    graph, "taakveld", source, SKOS.relatedMatch, target, report
                )


def annotate_link(
    graph: Graph,
    link: tuple[URIRef, URIRef],
    predicate: URIRef,
    comments: Sequence[Literal],
) -> None:
    """Comment on one link through a reified statement (``rdf:Statement``).

    The blank node is named after the two concepts, so the serialised order is stable.
    """
    subject, obj = link
    statement = BNode(f"overgang-{slug(subject)}-{slug(obj)}")
    graph.add((statement, RDF.type, RDF.Statement))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, predicate))
    graph.add((statement, RDF.object, obj))
    for comment in comments:
        graph.add((statement, RDFS.comment, comment))


def add_category_recoding_2025(
    graph: Graph, transition: Transition, report: BuildReport
) -> None:
    """Relate the 2024 capital transfers 4.4.1 to 4.4.8 to their 2025 successors.

    4.4.k goes to 4.5.k (investment contribution, same counterparty), and to 4.6.6
    (other, government) for the government counterparties k = 1 to 7 or to 4.6.8
    (other, non-government) for k = 8. None of these is one-to-one, so each link is a
    relatedMatch and carries a comment saying so.
    """
    earlier, _ = transition.codes("categorie")
    for counterparty in range(1, 9):
        source = f"4.4.{counterparty}"
        if source not in earlier:
            continue
        other = "4.6.6" if counterparty <= 7 else "4.6.8"
        for target in (f"4.5.{counterparty}", other):
            link = transition.link(
                graph, "categorie", source, SKOS.relatedMatch, target, report
            )
            if link is not None:
                annotate_link(graph, link, SKOS.relatedMatch, CAPITAL_TRANSFER_COMMENTS)


def add_balance_splits_2025(
    graph: Graph, transition: Transition, report: BuildReport
) -> None:
    """Link the 2024 balance posts split by counterparty to their 2025 parts."""
    for source, targets in BALANCE_SPLITS_2025:
        for target in targets:
            transition.link(
                graph, "balanscode", source, SKOS.narrowMatch, target, report
            )


def build_transition_graph(files: list[DefinitionFile], report: BuildReport) -> Graph:
    """Return the links from each year's codes to the next year's codes."""
    graph = new_graph()
    for transition in transitions(files):
        add_continuations(graph, transition, report)
        later_year = transition.later.year
        if later_year == 2023 and transition.earlier.layer in ("gemeente", "gr"):
            add_splits_2023(graph, transition, report)
        if later_year == 2025 and transition.earlier.layer in ("gemeente", "gr"):
            add_taakveld_recoding_2025(graph, transition, report)
        if later_year == 2025:
            add_category_recoding_2025(graph, transition, report)
            add_balance_splits_2025(graph, transition, report)
    return graph


# --- Regions -----------------------------------------------------------------------

GEMEENTE_YEARS = (2024, 2025)
"""Years in which the 342 gemeenten of the CBS 2024 list are known to be valid."""

TOOI = "https://identifier.overheid.nl/tooi/id"


@dataclass(frozen=True)
class Reorganisation:
    """A herindeling as DOMAIN.md §9.2 records it; names as written there."""

    name: str
    effective: date
    results: tuple[str, ...]
    dissolved: tuple[str, ...] = ()
    note_nl: str | None = None
    note_en: str | None = None


def january(year: int) -> date:
    """Return 1 January of a year, the usual date of a herindeling."""
    return date(year, 1, 1)


REORGANISATIONS = (
    Reorganisation(
        "Meierijstad",
        january(2017),
        ("Meierijstad",),
        ("Schijndel", "Sint-Oedenrode", "Veghel"),
    ),
    Reorganisation(
        "Leeuwarden",
        january(2018),
        ("Leeuwarden",),
        ("Leeuwarderadeel",),
        "Met een deel van Littenseradiel.",
        "Includes part of Littenseradiel.",
    ),
    Reorganisation("Midden-Groningen", january(2018), ("Midden-Groningen",)),
    Reorganisation("Waadhoeke", january(2018), ("Waadhoeke",)),
    Reorganisation("Westerwolde", january(2018), ("Westerwolde",)),
    Reorganisation("Zevenaar", january(2018), ("Zevenaar",), ("Rijnwaarden",)),
    Reorganisation(
        "Súdwest-Fryslân",
        january(2018),
        ("Súdwest-Fryslân",),
        (),
        "Met een deel van Littenseradiel.",
        "Includes part of Littenseradiel.",
    ),
    Reorganisation("Groningen", january(2019), ("Groningen",), ("Haren", "Ten Boer")),
    Reorganisation("Het Hogeland", january(2019), ("Het Hogeland",)),
    Reorganisation("Westerkwartier", january(2019), ("Westerkwartier",)),
    Reorganisation("Altena", january(2019), ("Altena",)),
    Reorganisation("Beekdaelen", january(2019), ("Beekdaelen",)),
    Reorganisation(
        "Haarlemmermeer",
        january(2019),
        ("Haarlemmermeer",),
        ("Haarlemmerliede en Spaarnwoude",),
    ),
    Reorganisation("Hoeksche Waard", january(2019), ("Hoeksche Waard",)),
    Reorganisation("Noardeast-Fryslân", january(2019), ("Noardeast-Fryslân",)),
    Reorganisation("Molenlanden", january(2019), ("Molenlanden",)),
    Reorganisation("Noordwijk", january(2019), ("Noordwijk",), ("Noordwijkerhout",)),
    Reorganisation(
        "Vijfheerenlanden",
        january(2019),
        ("Vijfheerenlanden",),
        (),
        "Overgegaan naar de provincie Utrecht.",
        "Moved to the province of Utrecht.",
    ),
    Reorganisation("West Betuwe", january(2019), ("West Betuwe",)),
    Reorganisation(
        "Eemsdelta",
        january(2021),
        ("Eemsdelta",),
        ("Appingedam", "Delfzijl", "Loppersum"),
    ),
    Reorganisation(
        "Haaren",
        january(2021),
        ("Boxtel", "Tilburg", "Vught", "Oisterwijk"),
        ("Haaren",),
        "Haaren is verdeeld over Boxtel, Tilburg, Vught en Oisterwijk.",
        "Haaren was divided over Boxtel, Tilburg, Vught and Oisterwijk.",
    ),
    Reorganisation("Dijk en Waard", january(2022), ("Dijk en Waard",)),
    Reorganisation("Land van Cuijk", january(2022), ("Land van Cuijk",)),
    Reorganisation("Maashorst", january(2022), ("Maashorst",)),
    Reorganisation("Purmerend", january(2022), ("Purmerend",), ("Beemster",)),
    Reorganisation("Amsterdam", date(2022, 3, 24), ("Amsterdam",), ("Weesp",)),
    Reorganisation(
        "Voorne aan Zee",
        january(2023),
        ("Voorne aan Zee",),
        ("Brielle", "Hellevoetsluis", "Westvoorne"),
    ),
)
"""Herindelingen 2017-2023 (DOMAIN.md §9.2). Haaren had no single successor: it is
named after the dissolved gemeente."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """Return the rows of a CSV file with a header."""
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def add_provincies(graph: Graph, rows: list[dict[str, str]]) -> None:
    """Add the twelve provincies with their CBS code and TOOI identifier."""
    for row in rows:
        code = row["statcode"]
        provincie = URIRef(NAMESPACE.provincie(code))
        graph.add((provincie, RDF.type, IV3.Provincie))
        graph.add((provincie, SKOS.notation, Literal(code)))
        graph.add((provincie, RDFS.label, Literal(row["naam"], lang="nl")))
        graph.add((provincie, IV3.tooi, URIRef(f"{TOOI}/provincie/{code.lower()}")))


def add_gemeenten(graph: Graph, rows: list[dict[str, str]]) -> None:
    """Add the gemeenten of the CBS 2024 list with codes, names and provincie."""
    for row in rows:
        code = row["statcode"]
        gemeente = URIRef(NAMESPACE.gemeente(code))
        graph.add((gemeente, RDF.type, IV3.Gemeente))
        graph.add((gemeente, SKOS.notation, Literal(code)))
        graph.add((gemeente, DCTERMS.identifier, Literal(row["gemeentecode"])))
        graph.add((gemeente, RDFS.label, Literal(row["naam"], lang="nl")))
        if row["naam_in_iv3_opendata"] != row["naam"]:
            graph.add(
                (gemeente, IV3.naamInOpenData, Literal(row["naam_in_iv3_opendata"]))
            )
        graph.add(
            (gemeente, IV3.provincie, URIRef(NAMESPACE.provincie(row["provinciecode"])))
        )
        graph.add((gemeente, IV3.tooi, URIRef(f"{TOOI}/gemeente/{code.lower()}")))
        graph.add((gemeente, IV3.jaarcode, Literal(row["jrstatcode"])))
        for year in GEMEENTE_YEARS:
            graph.add((gemeente, IV3.geldigIn, year_literal(year)))


WATERSCHAP_COMMENTS = (
    Literal(
        "Uit de gebiedenlijst van OpenSpending; die lijst is onvolledig en de code is"
        " niet door CBS bevestigd. De koppeling met TOOI is onbekend.",
        lang="nl",
    ),
    Literal(
        "From the OpenSpending area list, which is incomplete; the code is not"
        " confirmed by CBS. The mapping to TOOI is unknown.",
        lang="en",
    ),
)


def add_waterschappen(graph: Graph, rows: list[dict[str, str]]) -> None:
    """Add the waterschappen of the OpenSpending list, marked as unconfirmed."""
    for row in rows:
        code = row["statcode"]
        waterschap = URIRef(NAMESPACE.waterschap(code))
        graph.add((waterschap, RDF.type, IV3.Waterschap))
        graph.add((waterschap, SKOS.notation, Literal(code)))
        graph.add((waterschap, RDFS.label, Literal(row["naam"], lang="nl")))
        graph.add((waterschap, IV3.nen3610id, Literal(row["nen3610id"])))
        for comment in WATERSCHAP_COMMENTS:
            graph.add((waterschap, RDFS.comment, comment))


def add_reorganisations(graph: Graph, gemeente_rows: list[dict[str, str]]) -> None:
    """Add the herindelingen, pointing to resulting gemeenten that still exist."""
    codes_by_name = {row["naam"]: row["statcode"] for row in gemeente_rows}
    for reorganisation in REORGANISATIONS:
        year = reorganisation.effective.year
        resource = URIRef(NAMESPACE.herindeling(year, slug(reorganisation.name)))
        graph.add((resource, RDF.type, IV3.Herindeling))
        graph.add(
            (
                resource,
                RDFS.label,
                Literal(f"Herindeling {reorganisation.name} {year}", lang="nl"),
            )
        )
        graph.add(
            (
                resource,
                RDFS.label,
                Literal(
                    f"Municipal reorganisation {reorganisation.name} {year}", lang="en"
                ),
            )
        )
        graph.add(
            (
                resource,
                IV3.datum,
                Literal(reorganisation.effective.isoformat(), datatype=XSD.date),
            )
        )

        for name in reorganisation.results:
            if name in codes_by_name:
                graph.add(
                    (
                        resource,
                        IV3.resultaat,
                        URIRef(NAMESPACE.gemeente(codes_by_name[name])),
                    )
                )
            else:
                graph.add((resource, IV3.resultaatNaam, Literal(name)))
        for name in reorganisation.dissolved:
            graph.add((resource, IV3.opgeheven, Literal(name)))
        if reorganisation.note_nl is not None and reorganisation.note_en is not None:
            graph.add(
                (resource, RDFS.comment, Literal(reorganisation.note_nl, lang="nl"))
            )
            graph.add(
                (resource, RDFS.comment, Literal(reorganisation.note_en, lang="en"))
            )


def build_region_graph(directory: Path) -> Graph:
    """Return gemeenten, provincies, waterschappen and herindelingen."""
    graph = new_graph()
    gemeenten = read_csv(directory / "gemeenten_cbs_2024.csv")
    add_provincies(graph, read_csv(directory / "provincies_cbs.csv"))
    add_gemeenten(graph, gemeenten)
    add_waterschappen(graph, read_csv(directory / "waterschappen_openspending.csv"))
    add_reorganisations(graph, gemeenten)
    return graph


# --- Main --------------------------------------------------------------------------


def write_turtle(
    graph: Graph, path: Path, sources: str, report: BuildReport, out: Path
) -> None:
    """Write a graph as sorted Turtle under a generated-file header."""
    content = GENERATED.format(sources=sources) + graph.serialize(format="turtle")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    report.files[str(path.relative_to(out))] = (
        len(graph),
        len(content.encode("utf-8")),
    )


def build(data: Path, out: Path) -> BuildReport:
    """Build every Turtle file from the shared data directory into ``out``."""
    report = BuildReport()
    files = read_definition_files(data / "cbs", report)
    if not files:
        raise FileNotFoundError(f"{data / 'cbs'}: no iv3_definities_*.json files")
    validity = code_validity(files)
    definitions = Definitions(read_bzk_texts(data / "bzk"), current_labels(files))

    codelists = out / "codelists"
    for definition_file in files:
        graph = build_definition_graph(definition_file, validity, definitions, report)
        path = codelists / f"{definition_file.layer}-{definition_file.year}.ttl"
        write_turtle(
            graph, path, f"cbs/{definition_file.path.name} and bzk/", report, out
        )

    write_turtle(
        build_general_graph(), codelists / "algemeen.ttl", "DOMAIN.md", report, out
    )
    write_turtle(
        build_transition_graph(files, report),
        codelists / "overgangen.ttl",
        "cbs/",
        report,
        out,
    )
    write_turtle(
        build_region_graph(data / "regions"),
        out / "regions.ttl",
        "regions/",
        report,
        out,
    )
    return report


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Build the Iv3 code lists and regions as Turtle."
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=REPOSITORY.parent / "shared" / "data",
        help="shared data directory (default: ../shared/data)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPOSITORY / "ontology",
        help="output directory (default: ontology)",
    )
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the files and print a summary; return the exit code."""
    arguments = parse_arguments(argv)
    logging.basicConfig(
        level=logging.WARNING if arguments.quiet else logging.INFO,
        format="%(levelname)s %(message)s",
    )

    report = build(arguments.data, arguments.out)

    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
