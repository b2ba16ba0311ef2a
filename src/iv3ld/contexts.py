"""The JSON-LD contexts under which a CBS submission is linked data.

Two contexts work together:

* the vocabulary context ``ontology/context.jsonld`` (published at
  ``{base}/def/iv3/context.jsonld``) maps every key of the CBS format to a term;
* a code-list context per overheidslaag and boekjaar (published at
  ``{base}/def/iv3/context/{laag}-{jaar}.jsonld``) maps each code of each list, as
  written in the JSON (``"0.10"``, ``"1 januari"``), to the IRI of its SKOS concept.
  A code its list lacks falls through to ``…/{jaar}/onbekend/{code}``.

Only these contexts are ever resolved, from the package; a remote context named in
input is refused, never fetched.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from iv3ld.codelists import CodeIndex, available_definitions, code_index
from iv3ld.errors import InputError
from iv3ld.identifiers import UNKNOWN_SEGMENT, base_iri, namespace
from iv3ld.resources import read_text

_CODED_KEYS = {
    "taakveld": "taakveld",
    "categorie": "categorie",
    "balanscode": "balanscode",
    "standper": "standper",
    "kengetal": "kengetal",
    "beleidsindicator": "beleidsindicator",
    "verslagperiode": "verslagperiode",
}
"""JSON key → code list slug."""


def vocabulary_context_url() -> str:
    """Published address of the vocabulary context."""
    return f"{base_iri()}/def/iv3/context.jsonld"


def codes_context_url(layer_slug: str, year: int) -> str:
    """Published address of the code-list context of one layer and year."""
    return f"{base_iri()}/def/iv3/context/{layer_slug}-{year}.jsonld"


def vocabulary_context() -> dict[str, Any]:
    """The body of the vocabulary context (the value of its ``@context``)."""
    return _vocabulary_context(base_iri())


@cache
def _vocabulary_context(base: str) -> dict[str, Any]:
    document = json.loads(read_text("ontology", "context.jsonld"))
    context: dict[str, Any] = document["@context"]
    return context


def codes_context(codes: CodeIndex) -> dict[str, Any]:
    """The body of the code-list context for one code index."""
    return _codes_context(codes.layer_slug, codes.year, base_iri())


@cache
def _codes_context(layer_slug: str, year: int, base: str) -> dict[str, Any]:
    codes = code_index(layer_slug, year)
    names = namespace()
    vocabulary = _vocabulary_context(base)
    context: dict[str, Any] = {"@version": 1.1}
    for key, list_slug in _CODED_KEYS.items():
        scheme = names.scheme(list_slug, layer_slug, year)
        terms: dict[str, Any] = {"@vocab": f"{scheme}/{UNKNOWN_SEGMENT}/"}
        terms.update(sorted(codes.codes[list_slug].items()))
        definition = dict(vocabulary[key])
        definition["@context"] = terms
        context[key] = definition
    return context


def resolve_contexts(document: Any, source: str) -> Any:
    """Replace references to our published contexts by their content.

    Raises InputError for any other remote context: input never makes iv3ld fetch.
    """
    if isinstance(document, list):
        return [resolve_contexts(item, source) for item in document]
    if not isinstance(document, dict):
        return document

    resolved = {}
    for key, value in document.items():
        if key == "@context":
            resolved[key] = _resolve_context_value(value, source)
        else:
            resolved[key] = resolve_contexts(value, source)
    return resolved


def _resolve_context_value(value: Any, source: str) -> Any:
    if isinstance(value, list):
        return [_resolve_context_value(item, source) for item in value]
    if isinstance(value, str):
        return _known_context(value, source)
    if isinstance(value, dict):
        return {
            key: resolve_contexts(item, source) if isinstance(item, dict) else item
            for key, item in value.items()
        }
    return value


def _known_context(url: str, source: str) -> dict[str, Any]:
    if url == vocabulary_context_url():
        return vocabulary_context()
    for layer_slug, year in available_definitions():
        if url == codes_context_url(layer_slug, year):
            return codes_context(code_index(layer_slug, year))
    raise InputError(
        f"remote JSON-LD context {url!r} is not fetched; only iv3ld's own contexts "
        f"are resolved (embed the context in the document instead)",
        source=source,
        pointer="/@context",
    )
