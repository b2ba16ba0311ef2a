"""The HTTP layer of iv3ld: the FastAPI app, its routers, pages and conventions."""

from iv3ld.web.app import create_app

__all__ = ["create_app"]
