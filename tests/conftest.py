"""Shared fixtures: where the reference data and the project's fixtures are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from iv3ld.settings import Settings
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.web import create_app
from iv3ld.web.app import prepare_store
from tests.backends import oxigraph_server, store

__all__ = ["oxigraph_server", "store"]

TESTS = Path(__file__).resolve().parent
REPOSITORY = TESTS.parent
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
FIXTURES = TESTS / "fixtures"
EXAMPLES = REPOSITORY / "examples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data beside the repository; tests that need it skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


def load_fixture(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture submission."""
    content: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return content


@pytest.fixture()
def small_submission() -> dict[str, Any]:
    """The smallest jaarrekening that passes every check (gemeente, 2025)."""
    return load_fixture("klein-2025.json")


@pytest.fixture(scope="session")
def served_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedStore, StateDirectory]]:
    """An embedded store with the reference data and the bundled examples.

    Shared by the whole session because loading the code lists takes seconds;
    tests that write to a store make their own.
    """
    directory = tmp_path_factory.mktemp("served-store")
    store = EmbeddedStore.open(directory / "store")
    state = StateDirectory(directory / "state")
    prepare_store(store, Settings(store=directory / "store"), state)
    yield store, state
    state.close()
    store.close()


@pytest.fixture(scope="session")
def served_store(served_site: tuple[EmbeddedStore, StateDirectory]) -> EmbeddedStore:
    """The store of the shared site."""
    return served_site[0]


@pytest.fixture()
def client(served_site: tuple[EmbeddedStore, StateDirectory]) -> Iterator[TestClient]:
    """An in-process HTTP client of the app over the shared store."""
    store, state = served_site
    location = Path(store.location)
    settings = Settings(store=location, state=state.directory)
    with TestClient(create_app(settings, store, state)) as test_client:
        yield test_client
