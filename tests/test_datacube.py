"""The W3C Data Cube integrity constraints: first the reference cases, then our data.

The reference cases show that the harness in ``tests/datacube.py`` runs the normative
queries correctly on pyoxigraph; the rest runs the same queries on iv3ld's conversion
of example submissions, loaded with the vocabulary, the code lists and cube.ttl, and
requires that none of them finds a violation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from iv3ld.identifiers import namespace
from iv3ld.loading import load_path
from iv3ld.resources import read_text
from tests.datacube import (
    SKOS_BROADER,
    SKOS_NARROWER,
    Case,
    Constraints,
    ask,
    child_instance,
    duplicate_checks,
    guard,
    load_turtle,
    parent_instance,
    per_year_hierarchy,
    select_iris,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED_DATA.is_dir():
    pytest.skip("../shared/data is not available", allow_module_level=True)

CONSTRAINTS = Constraints(SHARED_DATA / "datacube-ic")
CASES = CONSTRAINTS.cases()
TESTS = Path(__file__).resolve().parent
SMALL = TESTS / "fixtures" / "klein-2025.json"
SUBMISSIONS = [
    SMALL,
    *sorted(
        path
        for path in (TESTS.parent / "examples").glob("*.json")
        if not path.name.startswith("ongeldig")
    ),
]

IC12 = "integrity-12.sparql"
IC14 = "integrity-14.sparql"
IC17 = "integrity-17.sparql"
IC20 = "integrity-20.sparql"
IC21 = "integrity-21.sparql"


def _case_name(case: Case) -> str:
    return case.name


def _submission_name(path: Path) -> str:
    return path.stem


# --- The reference cases --------------------------------------------------------


def test_expectations_list_fifty_cases() -> None:
    assert len(CASES) == 50


@pytest.mark.parametrize("case", CASES, ids=_case_name)
def test_reference_case_gives_the_expected_result(case: Case) -> None:
    store = CONSTRAINTS.fixture_store(case.fixtures)
    assert ask(store, CONSTRAINTS.query(case.query)) is case.violation


def test_ic17_as_published_never_fires() -> None:
    """The reason for the fix: with the alias in HAVING the query cannot fire."""
    store = CONSTRAINTS.fixture_store(("mt-cube-with-missing-points.ttl",))
    published = (CONSTRAINTS.folder / "queries" / IC17).read_text(encoding="utf-8")

    assert ask(store, published) is False
    assert ask(store, CONSTRAINTS.query(IC17)) is True


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.query == IC12], ids=_case_name
)
def test_key_based_ic12_agrees_with_the_reference_case(case: Case) -> None:
    store = CONSTRAINTS.fixture_store(case.fixtures)
    checks = duplicate_checks(store)

    assert checks
    assert any(ask(store, query) for query in checks.values()) is case.violation


# --- Iv3 submissions converted by iv3ld -----------------------------------------


@cache
def _normalised_quads(path: Path) -> tuple[ox.Quad, ...]:
    """The converted submission with vocabularies and code lists, normalised."""
    loaded = load_path(path)
    layer, year = loaded.codes.layer_slug, loaded.codes.year
    store = ox.Store()
    store.extend(loaded.quads)
    for text in (
        read_text("ontology", "iv3.ttl"),
        read_text("ontology", f"codelists/{layer}-{year}.ttl"),
        read_text("ontology", "codelists/algemeen.ttl"),
        (SHARED_DATA / "vocab" / "cube.ttl").read_text(encoding="utf-8"),
    ):
        load_turtle(store, text)
    CONSTRAINTS.normalise(store)
    return tuple(store)


def _submission_store(path: Path) -> ox.Store:
    """A fresh store per test, so that tests may change it."""
    store = ox.Store()
    store.extend(_normalised_quads(path))
    return store


def _constraint_queries(store: ox.Store) -> dict[str, str]:
    """Every constraint to run on a submission, by a name for the failure message.

    IC-12 is replaced by the key-based check per DSD. IC-20 and IC-21 are templates,
    instantiated per parent-child property of the hierarchical code lists in the store
    (skos:narrower; IC-21 with skos:broader, its inverse). Their guard asks for a
    dimension whose qb:codeList is a qb:HierarchicalCodeList, but Iv3 dimensions name
    the all-years skos:Collection (checked by IC-19b), so as published they find
    nothing to check; the per-year variant walks the year's hierarchy instead.
    """
    queries = {
        name: CONSTRAINTS.query(name)
        for name in CONSTRAINTS.integrity_names()
        if name not in {IC12, IC20, IC21}
    }
    children = CONSTRAINTS.hierarchy_properties(store)
    parents = CONSTRAINTS.inverse_hierarchy_properties(store)
    if SKOS_NARROWER in children:
        parents.append(SKOS_BROADER)
    for child in children:
        instance = child_instance(CONSTRAINTS.query(IC20), child)
        queries[f"IC-20 <{child}>"] = instance
        queries[f"IC-20 per year <{child}>"] = per_year_hierarchy(instance)
    for parent in parents:
        instance = parent_instance(CONSTRAINTS.query(IC21), parent)
        queries[f"IC-21 <{parent}>"] = instance
        queries[f"IC-21 per year <{parent}>"] = per_year_hierarchy(instance)
    for structure, query in duplicate_checks(store).items():
        queries[f"IC-12 by key <{structure}>"] = query
    return queries


@pytest.mark.parametrize("path", SUBMISSIONS, ids=_submission_name)
def test_no_constraint_is_violated(path: Path) -> None:
    store = _submission_store(path)
    queries = _constraint_queries(store)

    violated = [name for name, query in queries.items() if ask(store, query)]

    assert {f"IC-20 <{SKOS_NARROWER}>", f"IC-21 <{SKOS_BROADER}>"} <= queries.keys()
    assert sum(name.startswith("IC-12 by key") for name in queries) == 5
    assert violated == []


@pytest.mark.parametrize("path", SUBMISSIONS, ids=_submission_name)
def test_code_list_constraints_have_values_to_check(path: Path) -> None:
    """IC-19a (iv3:periode, a scheme), IC-19b (the collections) and the per-year
    hierarchy check each see observation values, so their passing means something."""
    store = _submission_store(path)
    per_year = per_year_hierarchy(
        child_instance(CONSTRAINTS.query(IC20), SKOS_NARROWER)
    )

    assert ask(store, guard(CONSTRAINTS.query("integrity-19a.sparql")))
    assert ask(store, guard(CONSTRAINTS.query("integrity-19b.sparql")))
    assert ask(store, guard(per_year))


def test_ic20_and_ic21_as_published_find_nothing_to_check() -> None:
    """The Iv3 hierarchies are per-year schemes; the dimensions name all-years
    collections, so IC-20/21 pass vacuously. If this changes, they start to apply."""
    store = _submission_store(SMALL)

    assert CONSTRAINTS.hierarchy_properties(store) == [SKOS_NARROWER]
    assert CONSTRAINTS.inverse_hierarchy_properties(store) == []
    assert not ask(store, guard(child_instance(CONSTRAINTS.query(IC20), SKOS_NARROWER)))
    assert not ask(store, guard(parent_instance(CONSTRAINTS.query(IC21), SKOS_BROADER)))


def _first_observation(store: ox.Store) -> tuple[str, str]:
    """The first observation (by IRI) that has an amount, and its DSD."""
    amount = f"{namespace().vocabulary}bedrag"
    rows = select_iris(
        store,
        "SELECT ?obs ?dsd WHERE {\n"
        f"  ?obs qb:dataSet/qb:structure ?dsd ; <{amount}> [] .\n"
        "} ORDER BY ?obs LIMIT 1",
    )
    return rows[0]["obs"], rows[0]["dsd"]


def test_a_missing_amount_violates_ic14() -> None:
    store = _submission_store(SMALL)
    observation, _ = _first_observation(store)
    amount = f"{namespace().vocabulary}bedrag"
    assert not ask(store, CONSTRAINTS.query(IC14))

    store.update(f"DELETE WHERE {{ <{observation}> <{amount}> ?amount }}")

    assert ask(store, CONSTRAINTS.query(IC14))


def test_a_duplicate_observation_violates_the_key_based_ic12() -> None:
    store = _submission_store(SMALL)
    observation, structure = _first_observation(store)
    checks = duplicate_checks(store)
    assert not any(ask(store, query) for query in checks.values())
    assert not ask(store, CONSTRAINTS.query(IC12))

    store.update(
        f"INSERT {{ <{observation}-duplicate> ?p ?o }} "
        f"WHERE {{ <{observation}> ?p ?o }}"
    )

    fired = {name for name, query in checks.items() if ask(store, query)}
    assert fired == {structure}
    # The published, pairwise IC-12 is affordable on the small submission: it agrees.
    assert ask(store, CONSTRAINTS.query(IC12))
