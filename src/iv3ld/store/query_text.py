"""What a SPARQL query says about its own dataset, read from its text.

Engines asked for the union of all graphs (pyoxigraph's
``use_default_graph_as_union``, Oxigraph server's ``--union-default-graph``)
ignore a query's FROM and FROM NAMED clauses. So iv3ld reads those clauses itself:
the embedded store then leaves the union off, and the remote store passes them on
as the protocol's ``default-graph-uri`` and ``named-graph-uri``, which have the same
meaning (SPARQL 1.1 Protocol §2.1.4).

Only the prologue (PREFIX, BASE) and dataset clauses matter, and they come before
the first ``{``; strings and comments are masked so that a ``FROM`` inside them is
not taken for a clause.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from iv3ld.store import QueryDataset

_IRI = r"<([^<>\"{}|^`\\\s]*)>"
_PREFIXED = r"([A-Za-z][\w.-]*)?:([\w.:%-]*)"
_TOKENS = re.compile(
    rf"{_IRI}|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*",
    re.S,
)
_PREFIX = re.compile(rf"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*{_IRI}", re.I)
_BASE = re.compile(rf"\bBASE\s+{_IRI}", re.I)
_FROM = re.compile(rf"\bFROM\s+(NAMED\s+)?(?:{_IRI}|{_PREFIXED})", re.I)


def head(query: str) -> str:
    """The query up to its first ``{`` outside IRIs, strings and comments."""
    position = 0
    for match in _TOKENS.finditer(query):
        brace = query.find("{", position, match.start())
        if brace >= 0:
            return query[:brace]
        position = match.end()
    brace = query.find("{", position)
    return query if brace < 0 else query[:brace]


def declares_dataset(query: str) -> bool:
    """Whether the query has FROM or FROM NAMED clauses of its own."""
    return bool(_FROM.search(_masked(head(query))))


def own_dataset(query: str) -> QueryDataset:
    """The graphs the query's FROM and FROM NAMED clauses name (empty if none).

    Prefixed names are expanded with the query's PREFIX declarations, relative
    IRIs resolved against its BASE.
    """
    text = head(query)
    prefixes = {
        match.group(1) or "": match.group(2) for match in _PREFIX.finditer(text)
    }
    base_match = _BASE.search(text)
    base = base_match.group(1) if base_match else ""

    default: list[str] = []
    named: list[str] = []
    for match in _FROM.finditer(_masked(text)):
        iri = _clause_iri(text, match, prefixes, base)
        if iri is not None:
            (named if match.group(1) else default).append(iri)
    return QueryDataset(tuple(default), tuple(named))


def _clause_iri(
    text: str, match: re.Match[str], prefixes: dict[str, str], base: str
) -> str | None:
    original = _FROM.match(text, match.start())
    found = original or match
    if found.group(2) is not None:
        return urljoin(base, found.group(2)) if base else found.group(2)
    namespace = prefixes.get(found.group(3) or "")
    return None if namespace is None else namespace + (found.group(4) or "")


def _masked(text: str) -> str:
    """Strings and comments blanked out; IRIs kept, with their length."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith("<") else " " * len(token)

    return _TOKENS.sub(blank, text)
