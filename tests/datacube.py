"""Run the W3C Data Cube integrity constraints (IC-1 … IC-21) on pyoxigraph.

The constraints are the normative ASK queries of the Recommendation, kept as files in
``../shared/data/datacube-ic``: ``true`` means a violation. This module reads them,
adds the prefixes they leave out, repairs IC-17 (see ``fix_ic17``), normalises a store
as the constraints require, and builds the two things the files leave to the user:
IC-20/IC-21 for a real parent-child property and a key-based stand-in for IC-12.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX eg: <http://example.com/abbrv-cube/>
"""

SKOS_NARROWER = "http://www.w3.org/2004/02/skos/core#narrower"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"

# IC-17 as published compares a SELECT alias in HAVING, where SPARQL 1.1 leaves it
# unbound, so the query never fires; the aggregate itself must stand there.
_IC17_ALIAS = re.compile(r"HAVING\s*\(\s*\?count\s*!=\s*\?numMeasures\s*\)")
_IC17_FIX = "HAVING (COUNT(?obs2) != ?numMeasures)"

# The guard of IC-19 to IC-21 is everything but their last line, the membership test.
_MEMBERSHIP_TEST = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{[^{}]*\}")


@dataclass(frozen=True)
class Case:
    """One row of expectations.csv: a query, its fixtures and whether it must fire."""

    query: str
    fixtures: tuple[str, ...]
    violation: bool
    label: str

    @property
    def name(self) -> str:
        """A test id: the constraint number, the label and the expected outcome."""
        number = self.query.removeprefix("integrity-").removesuffix(".sparql")
        outcome = "fail" if self.violation else "pass"
        return f"IC-{number} {self.label} [{outcome}]"


class Constraints:
    """The folder of constraint queries, normalisation updates and fixtures."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def cases(self) -> list[Case]:
        """Every row of expectations.csv."""
        path = self.folder / "expectations.csv"
        with path.open(encoding="utf-8", newline="") as lines:
            return [
                Case(
                    row["query"],
                    tuple(row["fixtures"].split()),
                    row["expected"] == "fail",
                    row["label"],
                )
                for row in csv.DictReader(lines)
            ]

    def query(self, name: str) -> str:
        """The text of one query file, with IC-17 repaired."""
        text = (self.folder / "queries" / name).read_text(encoding="utf-8")
        return fix_ic17(text) if name == "integrity-17.sparql" else text

    def integrity_names(self) -> list[str]:
        """The file names of all constraints, in numeric order (19a before 19b)."""
        paths = (self.folder / "queries").glob("integrity-*.sparql")
        return sorted((path.name for path in paths), key=_constraint_order)

    def fixture_store(self, fixtures: tuple[str, ...]) -> ox.Store:
        """A store with the given fixture files, normalised."""
        store = ox.Store()
        for name in fixtures:
            load_turtle(
                store, (self.folder / "fixtures" / name).read_text(encoding="utf-8")
            )
        self.normalise(store)
        return store

    def normalise(self, store: ox.Store) -> None:
        """Run closure.ru then flatten.ru: the constraints assume normalised data."""
        for name in ("closure.ru", "flatten.ru"):
            store.update(self.query(name))

    def hierarchy_properties(self, store: ox.Store) -> list[str]:
        """The parent-child properties of the hierarchical code lists (for IC-20)."""
        rows = select_iris(store, self.query("list-hierarchies.sparql"))
        return sorted({row["p"] for row in rows})

    def inverse_hierarchy_properties(self, store: ox.Store) -> list[str]:
        """The child-parent properties given as owl:inverseOf (for IC-21)."""
        rows = select_iris(store, self.query("list-inverse-hierarchies.sparql"))
        return sorted({row["p"] for row in rows})


def _constraint_order(name: str) -> tuple[int, str]:
    number = name.removeprefix("integrity-").removesuffix(".sparql")
    digits = number.rstrip("ab")
    return int(digits), number[len(digits) :]


def fix_ic17(text: str) -> str:
    """Put the aggregate in IC-17's HAVING in place of its alias; fail if absent."""
    fixed, count = _IC17_ALIAS.subn(_IC17_FIX, text)
    if count != 1:
        raise ValueError("IC-17 no longer has the HAVING alias this harness repairs")
    return fixed


def load_turtle(store: ox.Store, text: str) -> None:
    """Add Turtle text to the default graph."""
    store.load(text.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())


def ask(store: ox.Store, query: str) -> bool:
    """Run an ASK query (without prefixes) and return its answer."""
    result = store.query(PREFIXES + query)
    if not isinstance(result, ox.QueryBoolean):
        raise TypeError(f"not an ASK query: {query[:60]!r}")
    return bool(result)


def select_iris(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT query (without prefixes) whose every bound value is an IRI.

    Each row maps a variable name to an IRI; a blank node or literal is an error,
    because the callers put these values into further queries as ``<IRI>``.
    """
    result = store.query(PREFIXES + query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:60]!r}")
    names = [variable.value for variable in result.variables]
    return [_row_iris(names, row) for row in result]


def _row_iris(names: list[str], row: ox.QuerySolution) -> dict[str, str]:
    iris = {}
    for name in names:
        term = row[name]
        if term is None:
            continue
        if not isinstance(term, ox.NamedNode):
            raise ValueError(f"?{name} is {term}, not an IRI")
        iris[name] = term.value
    return iris


def guard(query: str) -> str:
    """An IC-19/20/21 query without its membership test: true if it has work to do.

    These constraints only check values whose dimension has a code list of a given
    kind; asking the guard alone shows whether a passing result checked anything.
    """
    text, count = _MEMBERSHIP_TEST.subn("", query)
    if count != 1:
        raise ValueError("expected exactly one FILTER NOT EXISTS in the constraint")
    return text


def child_instance(template: str, property_iri: str) -> str:
    """IC-20 for one parent-child property: eg:child replaced by the property."""
    return _replace_once(template, "eg:child", f"<{property_iri}>")


def parent_instance(template: str, property_iri: str) -> str:
    """IC-21 for one child-parent property: eg:parent replaced by the property."""
    return _replace_once(template, "eg:parent", f"<{property_iri}>")


def per_year_hierarchy(query: str) -> str:
    """IC-20/21 against the hierarchical scheme that holds each value.

    Iv3 dimensions name an all-years skos:Collection as qb:codeList; the hierarchy
    lives in the per-year qb:HierarchicalCodeList that each member is skos:inScheme
    of. This variant walks that hierarchy instead, so the check has values to test.
    """
    text = _replace_once(
        query,
        "?list a qb:HierarchicalCodeList .",
        "?list skos:member ?v . ?v skos:inScheme ?hierarchy .\n"
        "    ?hierarchy a qb:HierarchicalCodeList .",
    )
    return _replace_once(text, "?list qb:hierarchyRoot", "?hierarchy qb:hierarchyRoot")


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"expected {old!r} once in the query")
    return text.replace(old, new)


def duplicate_checks(store: ox.Store) -> dict[str, str]:
    """A key-based IC-12 per data structure definition, read from the store.

    IC-12 as published compares every pair of observations, which is quadratic. With
    the dimensions of each DSD known, grouping the observations of a data set by their
    dimension values finds the same duplicates in one pass.
    """
    rows = select_iris(
        store,
        "SELECT ?dsd ?dimension WHERE {\n"
        "  ?dsd a qb:DataStructureDefinition ; qb:component/qb:dimension ?dimension .\n"
        "}",
    )
    dimensions: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        dimensions[row["dsd"]].add(row["dimension"])
    return {
        structure: duplicate_query(structure, sorted(found))
        for structure, found in sorted(dimensions.items())
    }


def duplicate_query(structure: str, dimensions: list[str]) -> str:
    """ASK whether two observations of one data set share all dimension values."""
    variables = " ".join(f"?value{index}" for index in range(len(dimensions)))
    values = "".join(
        f" ;\n         <{dimension}> ?value{index}"
        for index, dimension in enumerate(dimensions)
    )
    return (
        "ASK {\n"
        f"  SELECT ?dataset {variables} WHERE {{\n"
        f"    ?dataset qb:structure <{structure}> .\n"
        f"    ?obs qb:dataSet ?dataset{values} .\n"
        "  }\n"
        f"  GROUP BY ?dataset {variables}\n"
        "  HAVING (COUNT(?obs) > 1)\n"
        "}\n"
    )
