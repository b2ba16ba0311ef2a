"""HTML pages: one Jinja2 environment, the site's frame and link rewriting.

Pages are rendered from ``templates/`` with autoescaping. Links to resources use
their local address: an IRI ``{base}/id/…`` is linked as ``/doc/…`` (its document,
sparing the browser the 303), ``{base}/def/…`` as ``/def/…``; other IRIs stay as
they are. So the site can be browsed on any host while the IRIs keep the base.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from iv3ld import __version__
from iv3ld.identifiers import base_iri

TEMPLATES = Path(__file__).resolve().parent / "templates"


def local_href(iri: str) -> str:
    """The local link of an IRI minted by iv3ld, or the IRI itself."""
    base = base_iri()
    if iri.startswith(f"{base}/id/"):
        return f"/doc/{iri[len(base) + 4 :]}"
    if iri.startswith(f"{base}/"):
        return iri[len(base) :]
    return iri


def amount(value: Any) -> str:
    """An amount with thousands separators in the Dutch way: ``1.234.567``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@cache
def environment() -> Environment:
    """The Jinja2 environment of the site."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = local_href
    env.filters["amount"] = amount
    env.globals["version"] = __version__
    return env


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page of the site."""
    page = environment().get_template(template)
    text = page.render(request=request, base=base_iri(), **context)
    return HTMLResponse(text, status_code=status_code, headers=headers)
