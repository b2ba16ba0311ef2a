"""Files that ship with iv3ld: the ontology, code lists, JSON-LD context and shapes.

In a wheel they live in ``iv3ld/resources/``; in a source checkout (editable install)
they are the repository's ``ontology/`` and ``shapes/`` folders. The files are written
with the default base IRI; :func:`read_text` rewrites it to the configured base, so
that one setting moves every IRI.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from iv3ld.errors import ConfigurationError
from iv3ld.identifiers import DEFAULT_BASE, base_iri

_PACKAGED = Path(__file__).resolve().parent / "resources"
_CHECKOUT = Path(__file__).resolve().parents[2]


@cache
def resource_root(kind: str) -> Path:
    """Return the folder of one kind of resource: ``ontology`` or ``shapes``.

    Raises ConfigurationError when neither the packaged nor the checkout copy exists.
    """
    for root in (_PACKAGED / kind, _CHECKOUT / kind):
        if root.is_dir():
            return root
    raise ConfigurationError(f"iv3ld resource folder {kind!r} is missing; reinstall")


def resource_path(kind: str, name: str) -> Path:
    """Return the path of one resource file, for example ``("ontology", "iv3.ttl")``."""
    path = resource_root(kind) / name
    if not path.is_file():
        raise ConfigurationError(f"iv3ld resource {kind}/{name} is missing; reinstall")
    return path


def read_text(kind: str, name: str) -> str:
    """Read a resource file with the configured base IRI in place of the default."""
    return _read_with_base(kind, name, base_iri())


@cache
def _read_with_base(kind: str, name: str, base: str) -> str:
    text = resource_path(kind, name).read_text(encoding="utf-8")
    if base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, base)
    return text
