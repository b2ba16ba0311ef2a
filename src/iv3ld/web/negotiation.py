"""Content negotiation: choosing a media type from ``Accept`` or ``?format=``.

RFC 9110 §12.5.1: the ``Accept`` header lists media ranges with quality values;
the server picks the offered type with the highest quality, preferring the order
in which it offers them on ties. ``?format=`` (a short name such as ``ttl``) wins
over the header, so that a link can ask for one format in a browser. A request
that accepts nothing offered gets 406 with the list of what is offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from iv3ld.web.problems import Problem

FORMAT_NAMES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "xml": "application/sparql-results+xml",
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
"""Short names accepted by ``?format=``, mapped to media types."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    quality: float
    position: int

    def matches(self, media_type: str) -> bool:
        """Whether this range covers a concrete media type."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == main and self.subtype in {"*", sub}

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header; an absent or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]

    ranges = []
    for position, item in enumerate(header.split(",")):
        media, *parameters = (part.strip() for part in item.split(";"))
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.lower().partition("/")
        ranges.append(MediaRange(main, sub, _quality(parameters), position))
    return ranges


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def quality_of(media_type: str, ranges: list[MediaRange]) -> float:
    """The quality the client gives a type: that of the most specific match."""
    matching = [entry for entry in ranges if entry.matches(media_type)]
    if not matching:
        return 0.0
    best = max(matching, key=lambda entry: (entry.specificity, -entry.position))
    return best.quality


def choose(
    offered: list[str], accept: str | None, format_name: str | None = None
) -> str:
    """The offered media type to answer with.

    Raises Problem 400 for an unknown ``format`` name or one that is not offered,
    and 406 when ``Accept`` allows none of the offered types.
    """
    if format_name:
        wanted = FORMAT_NAMES.get(format_name.lower(), format_name.lower())
        if wanted in offered:
            return wanted
        names = sorted(name for name, value in FORMAT_NAMES.items() if value in offered)
        raise Problem(
            400,
            "Unknown format",
            f"format={format_name!r} is not available here; choose one of"
            f" {', '.join(names)}",
        )

    ranges = parse_accept(accept)
    scored = [
        (quality_of(media_type, ranges), -index, media_type)
        for index, media_type in enumerate(offered)
    ]
    quality, _, media_type = max(scored)
    if quality <= 0:
        raise Problem(
            406,
            "Not acceptable",
            f"none of the requested types ({accept}) is available; this resource is"
            f" offered as {', '.join(offered)}",
        )
    return media_type
