"""Settings: read from the environment, overridden by options, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from iv3ld.errors import ConfigurationError
from iv3ld.settings import SETTINGS, read_settings
from tests.conftest import REPOSITORY


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")

    missing = [s.environment for s in SETTINGS if f"`{s.environment}`" not in readme]

    assert missing == []


def test_environment_values_are_typed() -> None:
    settings = read_settings(
        {
            "IV3LD_STORE": "/tmp/iv3ld-test",
            "IV3LD_QUERY_TIMEOUT": "2.5",
            "IV3LD_RESULT_LIMIT": "50",
            "IV3LD_LOAD_EXAMPLES": "nee",
        }
    )

    assert settings.store == Path("/tmp/iv3ld-test")
    assert settings.query_timeout == 2.5
    assert settings.result_limit == 50
    assert settings.load_examples is False


def test_a_wrong_value_names_its_variable() -> None:
    with pytest.raises(ConfigurationError, match="IV3LD_RESULT_LIMIT"):
        read_settings({"IV3LD_RESULT_LIMIT": "veel"})


def test_options_override_the_environment() -> None:
    settings = read_settings({"IV3LD_STORE": "/tmp/a"}).with_overrides(
        store=Path("/tmp/b"), sparql_endpoint=None
    )

    assert settings.store == Path("/tmp/b")
    assert settings.sparql_endpoint is None


def test_the_default_store_is_in_the_user_data_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/xdg")

    assert read_settings({}).store_directory == Path("/tmp/xdg/iv3ld/store")
