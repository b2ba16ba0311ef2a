"""Tests of the generated code lists, regions and links in ``ontology/``.

The Turtle files are built by ``scripts/build_codelists.py`` from the CBS definition
files and committed; these tests read the committed files, and rebuild them from
``../shared/data`` (skipped when that directory is absent) to check that the commit
is what the script produces.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
ONTOLOGY = REPOSITORY / "ontology"
CODELISTS = ONTOLOGY / "codelists"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCRIPT = REPOSITORY / "scripts" / "build_codelists.py"
NL_SBB = SHARED_DATA / "nl-sbb" / "skos-ap-nl.ttl"

BASE = "https://data.iv3ld.nl"
PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX iv3: <https://data.iv3ld.nl/def/iv3#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not available"
)


@cache
def store(*paths: Path) -> ox.Store:
    """Return an in-memory store holding the given Turtle files."""
    loaded = ox.Store()
    for path in paths:
        with path.open("rb") as stream:
            loaded.bulk_load(stream, format=ox.RdfFormat.TURTLE)
    return loaded


def select(source: ox.Store, query: str) -> list[ox.QuerySolution]:
    """Return the solutions of a SPARQL SELECT query (prefixes added)."""
    result = source.query(f"{PREFIXES} {query}")
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def count(source: ox.Store, where: str) -> int:
    """Return the number of solutions of a SPARQL group pattern."""
    solutions = select(source, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(solutions[0]["n"].value)


def scheme(list_slug: str, layer: str, year: int) -> str:
    """Return the IRI of a year scheme, in angle brackets."""
    return f"<{BASE}/id/{list_slug}/{layer}/{year}>"


def test_every_definition_file_has_its_code_lists() -> None:
    names = {path.name for path in CODELISTS.glob("*.ttl")}

    expected = {f"gemeente-{year}.ttl" for year in range(2017, 2027)}
    expected |= {
        f"{layer}-{year}.ttl"
        for layer in ("provincie", "gr")
        for year in range(2018, 2027)
    }
    expected |= {"algemeen.ttl", "overgangen.ttl"}

    assert names == expected


@pytest.mark.parametrize(
    "path", sorted(CODELISTS.glob("*.ttl")), ids=lambda path: path.name
)
def test_notations_are_unique_within_each_year_scheme(path: Path) -> None:
    source = store(path)

    duplicates = count(
        source,
        """
        ?scheme a skos:ConceptScheme .
        ?first skos:inScheme ?scheme ; skos:notation ?notation .
        ?second skos:inScheme ?scheme ; skos:notation ?notation .
        FILTER (?first != ?second)
        FILTER NOT EXISTS { ?scheme skos:prefLabel ?label
                            FILTER (CONTAINS(STR(?label), "alle overheidslagen")) }
        """,
    )

    assert duplicates == 0


@pytest.mark.parametrize(
    ("leaf_class", "list_slug", "expected"),
    [
        ("iv3:Taakveld", "taakveld", 69),
        ("iv3:Lastencategorie", "categorie", 37),
        ("iv3:Batencategorie", "categorie", 39),
        ("iv3:Balanscode", "balanscode", 76),
    ],
)
def test_gemeente_2026_leaf_counts(
    leaf_class: str, list_slug: str, expected: int
) -> None:
    source = store(CODELISTS / "gemeente-2026.ttl")

    leaves = count(
        source,
        f"?code a {leaf_class} ; skos:inScheme {scheme(list_slug, 'gemeente', 2026)}",
    )

    assert leaves == expected


def test_taakveld_0_10_is_not_0_1() -> None:
    source = store(CODELISTS / "gemeente-2026.ttl")
    query = f"""SELECT ?code ?label WHERE {{
        ?code skos:inScheme {scheme("taakveld", "gemeente", 2026)} ;
            skos:notation ?notation ; skos:prefLabel ?label .
        FILTER (?notation IN ("0.1", "0.10"))
    }}"""

    labels = {row["code"].value: row["label"].value for row in select(source, query)}

    assert labels == {
        f"{BASE}/id/taakveld/gemeente/2026/0-1": "Bestuur",
        f"{BASE}/id/taakveld/gemeente/2026/0-10": "Mutaties reserves",
    }


def test_provincie_2026_category_4_6_6_loses_its_trailing_dot() -> None:
    source = store(CODELISTS / "provincie-2026.ttl")
    categories = scheme("categorie", "provincie", 2026)

    with_dot = count(
        source, f'?code skos:inScheme {categories} ; skos:notation "4.6.6."'
    )
    on_both_sides = count(
        source,
        f"""?code skos:inScheme {categories} ; skos:notation "4.6.6" ;
            a iv3:Lastencategorie, iv3:Batencategorie""",
    )

    assert (with_dot, on_both_sides) == (0, 1)


def test_gemeente_2026_grey_cells_lasten() -> None:
    source = store(CODELISTS / "gemeente-2026.ttl")

    cells = count(source, "?taakveld iv3:grijsLasten ?categorie")

    assert cells == 784


def test_gemeente_2026_taakvelden_and_categories_all_have_a_bzk_definition() -> None:
    source = store(CODELISTS / "gemeente-2026.ttl")

    missing = count(
        source,
        """{ ?code a iv3:Taakveld } UNION { ?code a iv3:Categorie }
        FILTER NOT EXISTS { ?code skos:definition ?definition }""",
    )

    assert missing == 0


def test_pf003_has_one_check_per_calculation() -> None:
    source = store(CODELISTS / "gemeente-2026.ttl")
    checks = f"{BASE}/id/definities/gemeente/2026"
    query = """SELECT ?check (COUNT(?period) AS ?periods) WHERE {
        ?check iv3:foutcode "PF003" ; iv3:periode ?period .
    } GROUP BY ?check"""

    rows = select(source, query)
    periods = {row["check"].value: int(row["periods"].value) for row in rows}

    assert periods == {f"{checks}/pf003-1": 4, f"{checks}/pf003-2": 1}


def test_format_1_files_have_a_pf001_formula_and_gr_2020_no_checks() -> None:
    format_1 = store(CODELISTS / "gemeente-2017.ttl")
    gr_2020 = store(CODELISTS / "gr-2020.ttl")

    assert count(format_1, '?check iv3:foutcode "PF001" ; iv3:formule ?formula') == 1
    assert count(gr_2020, "?check a iv3:Controle") == 0


def test_capital_transfers_2024_relate_to_several_2025_categories() -> None:
    source = store(CODELISTS / "overgangen.ttl")
    old = f"<{BASE}/id/categorie/gemeente/2024/4-4-1>"

    related = count(source, f"{old} skos:relatedMatch ?new")
    exact = count(source, f"{old} skos:exactMatch|skos:closeMatch ?new")

    assert (related, exact) == (2, 0)


def test_regions_hold_342_gemeenten_and_12_provincies() -> None:
    source = store(ONTOLOGY / "regions.ttl")

    assert count(source, "?gemeente a iv3:Gemeente") == 342
    assert count(source, "?provincie a iv3:Provincie") == 12


@pytest.mark.slow
@needs_shared_data
def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--data",
            str(SHARED_DATA),
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )

    built = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.ttl"))
    differing = [
        str(path)
        for path in built
        if (tmp_path / path).read_bytes() != (ONTOLOGY / path).read_bytes()
    ]

    assert len(built) == 31
    assert differing == []


MISSING_DEFINITION = "http://nlbegrip.nl/def/skosapnl#Concept-definition"
"""NL-SBB requires a skos:definition on every concept. The BZK texts have none for
group codes, kengetallen, beleidsindicatoren, standper, verslagperiode and the balance
posts they list without text (A111 …), and the build invents none."""


@pytest.mark.slow
@needs_shared_data
def test_gemeente_2026_code_lists_meet_the_nl_sbb_profile() -> None:
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph()
    data.parse(CODELISTS / "gemeente-2026.ttl")
    data.parse(CODELISTS / "algemeen.ttl")
    shapes = Graph().parse(NL_SBB)

    _, report, _ = validate(
        data, shacl_graph=shapes, inference="none", do_owl_imports=False
    )
    violations = [result for result in report.subjects(SH.resultSeverity, SH.Violation)]
    unexpected = [
        (
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.sourceShape)),
        )
        for result in violations
        if str(report.value(result, SH.sourceShape)) != MISSING_DEFINITION
    ]

    assert unexpected == []
