"""Derive ontology/foutcodes.ttl from the CBS error catalogue (fouten.json).

Run from the repository: ``python scripts/build_error_catalogue.py``. Each CBS code
(SF, DF, PF) becomes a SKOS concept with its Dutch description and message; the codes
iv3ld adds (IV) are defined here, with a Dutch and English label.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

REPOSITORY = Path(__file__).resolve().parents[1]
BASE = "https://data.iv3ld.nl"
IV3 = Namespace(f"{BASE}/def/iv3#")
OWN_CODES = {
    "IV001": (
        "grijze cel gebruikt (waarschuwing)",
        "grey cell used (warning)",
    ),
    "IV002": (
        "waarde van kengetal of beleidsindicator is geen getal (waarschuwing)",
        "value of a ratio or indicator is not a number (warning)",
    ),
    "IV003": (
        "detailregels tellen niet op tot de cel (waarschuwing)",
        "detail lines do not add up to the cell (warning)",
    ),
}


def build(catalogue: Path) -> Graph:
    """Build the SKOS graph of all error codes."""
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("iv3", IV3)
    scheme = URIRef(f"{BASE}/id/foutcode")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("Foutcodes Iv3", lang="nl")))
    graph.add((scheme, SKOS.prefLabel, Literal("Iv3 error codes", lang="en")))

    entries = json.loads(catalogue.read_text(encoding="utf-8"))["fouten_overzicht"]
    for entry in entries:
        concept = _concept(graph, scheme, entry["foutcode"])
        graph.add((concept, SKOS.prefLabel, Literal(entry["omschrijving"], lang="nl")))
        graph.add(
            (concept, SKOS.definition, Literal(entry["melding"].strip(), lang="nl"))
        )

    for code, (dutch, english) in OWN_CODES.items():
        concept = _concept(graph, scheme, code)
        graph.add((concept, SKOS.prefLabel, Literal(dutch, lang="nl")))
        graph.add((concept, SKOS.prefLabel, Literal(english, lang="en")))
    return graph


def _concept(graph: Graph, scheme: URIRef, code: str) -> URIRef:
    concept = URIRef(f"{scheme}/{code.lower()}")
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.notation, Literal(code)))
    graph.add((concept, SKOS.inScheme, scheme))
    return concept


def main() -> None:
    """Write the catalogue."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=REPOSITORY.parent / "shared" / "data"
    )
    parser.add_argument("--out", type=Path, default=REPOSITORY / "ontology")
    arguments = parser.parse_args()
    graph = build(arguments.data / "cbs" / "fouten.json")
    target = arguments.out / "foutcodes.ttl"
    target.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    print(f"wrote {target} ({len(graph)} triples)")


if __name__ == "__main__":
    main()
