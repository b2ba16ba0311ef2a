"""Shared fixtures: where the reference data and the project's fixtures are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
