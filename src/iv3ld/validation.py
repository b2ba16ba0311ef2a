"""Checking a submission against the Iv3 SHACL shapes, with pySHACL.

The data graph is the submission plus what the shapes look up: the vocabulary (for
the subclasses of qb:Observation that shapes target), the code lists of the
submission's overheidslaag and boekjaar (concept types, grey cells, the CBS check
scopes) and the small fixed lists. The result is the standard ``sh:ValidationReport``,
each result completed with its CBS error code, the JSON pointer of its row and a
message in Dutch and English with the values filled in (see :mod:`iv3ld.report`).
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
from iv3ld.report import Report, build_report
from iv3ld.resources import read_text

logger = logging.getLogger(__name__)

SHAPE_FILES = ("iv3-shapes.ttl", "iv3-plausibiliteit.ttl")


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


def validate(loaded: LoadedSubmission) -> Report:
    """Validate one loaded submission and return its report."""
    report, _ = validate_timed(loaded)
    return report


def validate_timed(loaded: LoadedSubmission) -> tuple[Report, Timings]:
    """Validate and also say where the time went (used by the benchmark)."""
    started = time.perf_counter()
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

    report = build_report(loaded, results, data, shapes_graph(), engine="pyshacl")
    finished = time.perf_counter()
    logger.info(
        "%s: %s, %d violations, %d warnings in %.2f s",
        loaded.source,
        "conforms" if report.conforms else "does not conform",
        report.count("Violation"),
        report.count("Warning"),
        finished - started,
    )
    return report, Timings(built - started, checked - built, finished - checked)


def data_graph(loaded: LoadedSubmission) -> Graph:
    """The submission's triples together with everything the shapes look up."""
    graph = Graph()
    static = _static_graph(loaded.codes.layer_slug, loaded.codes.year, base_iri())
    for triple in static:
        graph.add(triple)

    graph.parse(data=_as_ntriples(loaded.quads), format="nt")
    return graph


def _as_ntriples(quads: list[ox.Quad]) -> str:
    triples = [ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads]
    return bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


@cache
def _static_graph(layer_slug: str, year: int, base: str) -> Graph:
    graph = Graph()
    for name in (
        "iv3.ttl",
        "codelists/algemeen.ttl",
        f"codelists/{layer_slug}-{year}.ttl",
    ):
        graph.parse(data=read_text("ontology", name), format="turtle")
    return graph
