"""Checking a submission against the Iv3 SHACL shapes.

The data are the submission plus what the shapes look up: the vocabulary (for the
subclasses of qb:Observation that shapes target), the code lists of the submission's
overheidslaag and boekjaar (concept types, grey cells, the CBS check scopes) and the
small fixed lists.

Two engines give the same ``sh:ValidationReport``:

* ``sparql`` (default): the shapes compiled to SPARQL and run on pyoxigraph
  (:mod:`iv3ld.sparql_engine`), about a hundred times faster;
* ``pyshacl``: the reference implementation, on rdflib.

If the shapes use a construct the SPARQL engine cannot compile, validation falls back
to pySHACL and the report says so. Each result is then completed with its CBS error
code, the JSON pointer of its row and messages with the values filled in
(:mod:`iv3ld.report`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import Graph

from iv3ld.identifiers import base_iri
from iv3ld.loading import LoadedSubmission
from iv3ld.report import GraphLookup, Report, StoreLookup, build_report
from iv3ld.resources import read_text
from iv3ld.sparql_engine import (
    UnsupportedShapeError,
    compile_shapes,
    run_checks,
    write_report,
)

logger = logging.getLogger(__name__)

SHAPE_FILES = ("iv3-shapes.ttl", "iv3-plausibiliteit.ttl")
ENGINES = ("sparql", "pyshacl")


@dataclass(frozen=True)
class Timings:
    """Seconds spent per step of one validation."""

    data_graph: float
    shacl: float
    report: float


def shapes_graph() -> Graph:
    """The shapes of all CBS checks, parsed once per base IRI."""
    return _shapes_graph(base_iri())


@cache
def _shapes_graph(base: str) -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(data=read_text("shapes", name), format="turtle")
    return graph


def validate(loaded: LoadedSubmission, engine: str = "sparql") -> Report:
    """Validate one loaded submission and return its report."""
    report, _ = validate_timed(loaded, engine)
    return report


def validate_timed(
    loaded: LoadedSubmission, engine: str = "sparql"
) -> tuple[Report, Timings]:
    """Validate and also say where the time went (used by the benchmark)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    if engine == "sparql":
        try:
            checks = compile_shapes(shapes_graph())
        except UnsupportedShapeError as error:
            logger.warning("falling back to pySHACL: %s", error)
            engine = "pyshacl"

    started = time.perf_counter()
    if engine == "sparql":
        report, timings = _validate_sparql(loaded, checks, started)
    else:
        report, timings = _validate_pyshacl(loaded, started)

    logger.info(
        "%s: %s, %d violations, %d warnings in %.2f s (%s)",
        loaded.source,
        "conforms" if report.conforms else "does not conform",
        report.count("Violation"),
        report.count("Warning"),
        timings.data_graph + timings.shacl + timings.report,
        engine,
    )
    return report, timings


def _validate_sparql(
    loaded: LoadedSubmission, checks: tuple[object, ...], started: float
) -> tuple[Report, Timings]:
    store = ox.Store()
    store.extend(_static_quads(loaded.codes.layer_slug, loaded.codes.year, base_iri()))
    store.extend(loaded.quads)
    built = time.perf_counter()

    findings = run_checks(checks, store)  # type: ignore[arg-type]
    _, results = write_report(findings, shapes_graph())
    checked = time.perf_counter()

    report = build_report(loaded, results, StoreLookup(store), shapes_graph(), "sparql")
    finished = time.perf_counter()
    return report, Timings(built - started, checked - built, finished - checked)


def _validate_pyshacl(
    loaded: LoadedSubmission, started: float
) -> tuple[Report, Timings]:
    data = data_graph(loaded)
    built = time.perf_counter()

    _, results, _ = pyshacl_validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    checked = time.perf_counter()

    report = build_report(loaded, results, GraphLookup(data), shapes_graph(), "pyshacl")
    finished = time.perf_counter()
    return report, Timings(built - started, checked - built, finished - checked)


def data_graph(loaded: LoadedSubmission) -> Graph:
    """The submission's triples with everything the shapes look up, for pySHACL."""
    graph = Graph()
    static = _static_graph(loaded.codes.layer_slug, loaded.codes.year, base_iri())
    for triple in static:
        graph.add(triple)

    graph.parse(data=_as_ntriples(loaded.quads), format="nt")
    return graph


def _as_ntriples(quads: list[ox.Quad]) -> str:
    triples = [ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads]
    return bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _static_files(layer_slug: str, year: int) -> tuple[str, ...]:
    return ("iv3.ttl", "codelists/algemeen.ttl", f"codelists/{layer_slug}-{year}.ttl")


@cache
def _static_graph(layer_slug: str, year: int, base: str) -> Graph:
    graph = Graph()
    for name in _static_files(layer_slug, year):
        graph.parse(data=read_text("ontology", name), format="turtle")
    return graph


@cache
def _static_quads(layer_slug: str, year: int, base: str) -> tuple[ox.Quad, ...]:
    quads: list[ox.Quad] = []
    for name in _static_files(layer_slug, year):
        text = read_text("ontology", name).encode("utf-8")
        quads.extend(ox.parse(text, format=ox.RdfFormat.TURTLE))
    return tuple(quads)
