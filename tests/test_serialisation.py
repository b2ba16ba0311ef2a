"""Writing triples: every format parses back to the same triples."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iv3ld.identifiers import namespace
from iv3ld.serialisation import RDF_TYPES, serialize

PARSERS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_a_key_the_format_does_not_define_is_written_readably(media_type: str) -> None:
    """The context's ``@vocab`` namespace is no prefix: ``@vocab:versie`` is no IRI."""
    names = namespace()
    subject = f"{names.base}/id/aanlevering/GM0363/2023/5/20240710t073000z"
    triples = [
        ox.Triple(
            ox.NamedNode(subject),
            ox.NamedNode(f"{names.unknown_key}versie"),
            ox.Literal("2.1"),
        )
    ]

    written = serialize(triples, media_type, subject)

    assert b"@vocab:" not in written
    parsed = list(ox.parse(written, format=PARSERS[media_type]))
    assert [ox.Triple(q.subject, q.predicate, q.object) for q in parsed] == triples
