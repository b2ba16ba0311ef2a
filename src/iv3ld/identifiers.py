"""IRI patterns of iv3ld, following the Dutch URI strategy (PLDN/Geonovum).

Things are named under ``{base}/id/…``, vocabulary terms under ``{base}/def/iv3#…``
and documents about things under ``{base}/doc/…``. The base is one setting:
the environment variable ``IV3LD_BASE_IRI`` (default :data:`DEFAULT_BASE`).

Iv3 codes contain dots, capitals, spaces and underscores (``0.10``, ``A1331b``,
``1 januari``, ``Tot_TV``). Path segments use one slug rule (:func:`slug`): accents
dropped, lowercase, every run of other characters becomes ``-``. Within any Iv3 code
list of 2017–2026 this rule maps no two codes onto one slug. A code that is not in
its list gets a segment under ``onbekend/`` that keeps the code itself
(percent-encoded), so that an unknown code can never pose as a known one.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

DEFAULT_BASE = "https://data.iv3ld.nl"

LAYER_SLUGS = {"Gemeente": "gemeente", "Provincie": "provincie", "GR": "gr"}
"""Path segment per ``overheidslaag`` value of the CBS JSON format."""

LIST_SLUGS = (
    "taakveld",
    "categorie",
    "balanscode",
    "standper",
    "kengetal",
    "beleidsindicator",
    "verslagperiode",
)
"""Path segment per code list; one scheme per list, overheidslaag and boekjaar."""

UNKNOWN_SEGMENT = "onbekend"


def base_iri() -> str:
    """Return the configured base IRI without a trailing slash."""
    return os.environ.get("IV3LD_BASE_IRI", DEFAULT_BASE).rstrip("/")


@lru_cache(maxsize=8192)
def slug(code: str) -> str:
    """Turn an Iv3 code into a path segment: ``"0.10"`` → ``"0-10"``.

    >>> slug("1 januari"), slug("A1331b"), slug("4.6.6."), slug("Tot_TV")
    ('1-januari', 'a1331b', '4-6-6', 'tot-tv')
    """
    ascii_text = (
        unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "leeg"


def unknown_segment(code: str) -> str:
    """Return the path of a code that is not in its list: ``onbekend/<code>``."""
    return f"{UNKNOWN_SEGMENT}/{quote(code, safe='')}"


@dataclass(frozen=True)
class Namespace:
    """The IRIs minted under one base."""

    base: str

    @property
    def vocabulary(self) -> str:
        """Namespace of the Iv3 vocabulary terms."""
        return f"{self.base}/def/iv3#"

    @property
    def unknown_key(self) -> str:
        """Namespace for JSON keys the format does not define."""
        return f"{self.base}/def/onbekend#"

    def scheme(self, list_slug: str, layer_slug: str, year: int) -> str:
        """IRI of one code list of one overheidslaag and boekjaar."""
        return f"{self.base}/id/{list_slug}/{layer_slug}/{year}"

    def all_years_scheme(self, list_slug: str) -> str:
        """IRI of the code list that holds every year's codes of one kind."""
        return f"{self.base}/id/{list_slug}"

    def code(self, list_slug: str, layer_slug: str, year: int, code: str) -> str:
        """IRI of a code known in its list."""
        return f"{self.scheme(list_slug, layer_slug, year)}/{slug(code)}"

    def unknown_code(
        self, list_slug: str, layer_slug: str, year: int, code: str
    ) -> str:
        """IRI of a code that its list does not hold."""
        return f"{self.scheme(list_slug, layer_slug, year)}/{unknown_segment(code)}"

    def definitions(self, layer_slug: str, year: int) -> str:
        """IRI of the CBS definition file of one overheidslaag and boekjaar."""
        return f"{self.base}/id/definities/{layer_slug}/{year}"

    def check(self, layer_slug: str, year: int, error_code: str) -> str:
        """IRI of one CBS plausibility check as configured for a year."""
        return f"{self.definitions(layer_slug, year)}/{slug(error_code)}"

    def layer(self, layer_slug: str) -> str:
        """IRI of an overheidslaag (gemeente, provincie, gr, waterschap)."""
        return f"{self.base}/id/overheidslaag/{layer_slug}"

    def period(self, periode: int) -> str:
        """IRI of a reporting period: 0 begroting, 1–4 quarters, 5 jaarrekening."""
        return f"{self.base}/id/periode/{periode}"

    def part(self, part_slug: str) -> str:
        """IRI of a part of a submission (lasten, baten, balans-lasten …)."""
        return f"{self.base}/id/deel/{part_slug}"

    def gemeente(self, cbs_code: str) -> str:
        """IRI of a gemeente by its CBS code, for example ``GM0363``."""
        return f"{self.base}/id/gemeente/{cbs_code}"

    def provincie(self, cbs_code: str) -> str:
        """IRI of a provincie by its CBS code, for example ``PV27``."""
        return f"{self.base}/id/provincie/{cbs_code}"

    def waterschap(self, code: str) -> str:
        """IRI of a waterschap by its code, for example ``WS12``."""
        return f"{self.base}/id/waterschap/{code}"

    def regeling(self, number: str) -> str:
        """IRI of a gemeenschappelijke regeling by its overheidsnummer."""
        return f"{self.base}/id/gemeenschappelijke-regeling/{quote(number, safe='')}"

    def herindeling(self, year: int, name_slug: str) -> str:
        """IRI of a municipal reorganisation (herindeling)."""
        return f"{self.base}/id/herindeling/{year}/{name_slug}"

    def placement(self, name: str) -> str:
        """IRI of a CBS publication round (``eerste-plaatsing`` …)."""
        return f"{self.base}/id/plaatsing/{name}"

    def graph(self, name: str) -> str:
        """IRI of one of iv3ld's own named graphs (``ontologie``, ``regios`` …)."""
        return f"{self.base}/id/graaf/{name}"

    def submission(self, body_code: str, year: int, periode: int) -> str:
        """IRI of a submission: one body, boekjaar and periode, in versions."""
        return f"{self.base}/id/aanlevering/{body_code}/{year}/{periode}"

    def version(self, body_code: str, year: int, periode: int, version: str) -> str:
        """IRI of one version (one delivered file) of a submission."""
        return f"{self.submission(body_code, year, periode)}/{version}"


def submission_key(iri: str) -> tuple[str, int, int]:
    """The government code, boekjaar and periode of a submission's IRI.

    The inverse of :meth:`Namespace.submission`:
    ``…/id/aanlevering/GM0363/2023/5`` → ``("GM0363", 2023, 5)``. Raises
    ValueError for an IRI that does not end in a year and a periode.
    """
    code, year, periode = iri.rstrip("/").rsplit("/", 3)[-3:]
    return code, int(year), int(periode)


def namespace() -> Namespace:
    """Return the namespace for the configured base IRI."""
    return Namespace(base_iri())
