"""Checking a submission against the Iv3 SHACL shapes.

The data are the submission plus what the shapes look up: the vocabulary (for the
subclasses of qb:Observation that shapes target), the code lists of the submission's
overheidslaag and boekjaar (concept types, grey cells, the CBS check scopes) and the
small fixed lists.

Two engines give the same ``sh:ValidationReport``:

* ``sparql`` (default): the shapes compiled to SPARQL and run on pyoxigraph
  (:mod:`iv3ld.sparql_engine`), two orders of magnitude faster;
* ``pyshacl``: the reference implementation on rdflib (:mod:`iv3ld.pyshacl_engine`).

If the shapes use a construct the SPARQL engine cannot compile, validation falls back
to pySHACL and the report says so. Compiled shapes and parsed code lists are kept for
the life of the process, so validating many files reuses them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from iv3ld.codelists import code_list_quads
from iv3ld.identifiers import base_iri
from iv3ld.loading import LoadedSubmission
from iv3ld.report import Report, StoreLookup, annotate, build_report
from iv3ld.resources import read_text
from iv3ld.sparql_engine import (
    Check,
    ShapesGraph,
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

    data: float
    checks: float
    report: float


def shapes() -> ShapesGraph:
    """The shapes of all CBS checks, read once per base IRI."""
    return _shapes(base_iri())


@cache
def _shapes(base: str) -> ShapesGraph:
    return ShapesGraph(read_text("shapes", name) for name in SHAPE_FILES)


@cache
def _compiled(base: str) -> tuple[Check, ...]:
    return compile_shapes(_shapes(base), f"{base}/def/iv3#foutcode")


def compiled_checks() -> tuple[Check, ...]:
    """The shapes compiled to SPARQL; raises UnsupportedShapeError."""
    return _compiled(base_iri())


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
    started = time.perf_counter()
    if engine == "sparql":
        try:
            checks = compiled_checks()
        except UnsupportedShapeError as error:
            logger.warning("falling back to pySHACL: %s", error)
            engine = "pyshacl"

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
        timings.data + timings.checks + timings.report,
        engine,
    )
    return report, timings


def _validate_sparql(
    loaded: LoadedSubmission, checks: tuple[Check, ...], started: float
) -> tuple[Report, Timings]:
    store = ox.Store()
    store.extend(_static_quads(loaded.codes.layer_slug, loaded.codes.year, base_iri()))
    loaded.load_into(store)
    built = time.perf_counter()

    hits = run_checks(checks, store)
    checked = time.perf_counter()

    def rdf(completed: list[object]) -> object:
        graph, nodes = write_report(hits, shapes())
        return annotate(graph, nodes, completed)  # type: ignore[arg-type]

    findings = [hit.finding() for hit in hits]
    report = build_report(loaded, findings, StoreLookup(store), "sparql", rdf)  # type: ignore[arg-type]
    finished = time.perf_counter()
    return report, Timings(built - started, checked - built, finished - checked)


def _validate_pyshacl(
    loaded: LoadedSubmission, started: float
) -> tuple[Report, Timings]:
    from iv3ld.pyshacl_engine import validate_with_pyshacl

    report = validate_with_pyshacl(
        loaded, static_files(loaded.codes.layer_slug, loaded.codes.year)
    )
    finished = time.perf_counter()
    return report, Timings(0.0, finished - started, 0.0)


def static_files(layer_slug: str, year: int) -> tuple[str, ...]:
    """The ontology files the shapes look up, for one overheidslaag and boekjaar."""
    return ("iv3.ttl", "codelists/algemeen.ttl", f"codelists/{layer_slug}-{year}.ttl")


@cache
def _vocabulary_quads(base: str) -> tuple[ox.Quad, ...]:
    quads: list[ox.Quad] = []
    for name in static_files("", 0)[:2]:
        text = read_text("ontology", name).encode("utf-8")
        quads.extend(ox.parse(text, format=ox.RdfFormat.TURTLE))
    return tuple(quads)


def _static_quads(layer_slug: str, year: int, base: str) -> tuple[ox.Quad, ...]:
    return _vocabulary_quads(base) + code_list_quads(layer_slug, year, base)
