"""The settings of iv3ld, declared once as data.

Every setting has a name, an environment variable, a default, a type and a help
text. The same table drives reading the environment, the command-line defaults of
``iv3ld serve`` and ``iv3ld load``, and the settings table in the README (a test
checks that the README lists every setting). Command-line options override the
environment, which overrides the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from iv3ld.errors import ConfigurationError
from iv3ld.identifiers import DEFAULT_BASE


def _default_store() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "iv3ld" / "store"


@dataclass(frozen=True)
class Setting:
    """One setting: where it is read from and what it means."""

    name: str
    environment: str
    default: Any
    kind: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_iri",
        "IV3LD_BASE_IRI",
        DEFAULT_BASE,
        str,
        "Base of every IRI iv3ld mints ({base}/id/…, {base}/def/…).",
    ),
    Setting(
        "store",
        "IV3LD_STORE",
        None,
        Path,
        "Directory of the embedded store, created on first start"
        " (default: $XDG_DATA_HOME/iv3ld/store).",
    ),
    Setting(
        "state",
        "IV3LD_STATE",
        None,
        Path,
        "Directory of what is kept besides the store: tokens, the delivery ledger,"
        " delivered files, non-public detail lines (default: the store directory's"
        " name plus -state).",
    ),
    Setting(
        "register",
        "IV3LD_REGISTER",
        None,
        Path,
        "The register of sources to harvest (CSV or Turtle); the status pages list"
        " its governments (default: register.csv in the state directory).",
    ),
    Setting(
        "sparql_endpoint",
        "IV3LD_SPARQL_ENDPOINT",
        None,
        str,
        "Query endpoint of a remote SPARQL 1.1 engine; replaces the embedded store.",
    ),
    Setting(
        "sparql_update_endpoint",
        "IV3LD_SPARQL_UPDATE_ENDPOINT",
        None,
        str,
        "Update endpoint of the remote engine (default: the query endpoint with"
        " /query replaced by /update, as on Oxigraph).",
    ),
    Setting(
        "graph_store_endpoint",
        "IV3LD_GRAPH_STORE_ENDPOINT",
        None,
        str,
        "Graph Store Protocol endpoint of the remote engine (default: /query"
        " replaced by /store).",
    ),
    Setting(
        "query_timeout",
        "IV3LD_QUERY_TIMEOUT",
        10.0,
        float,
        "Seconds a query on the public SPARQL endpoint may run; then 503.",
    ),
    Setting(
        "result_limit",
        "IV3LD_RESULT_LIMIT",
        10_000,
        int,
        "Most solutions or triples one query on the public endpoint may return.",
    ),
    Setting(
        "query_slots",
        "IV3LD_QUERY_SLOTS",
        4,
        int,
        "Public SPARQL queries that may run at the same time.",
    ),
    Setting(
        "max_query_bytes",
        "IV3LD_MAX_QUERY_BYTES",
        1024 * 1024,
        int,
        "Largest SPARQL request body; larger requests get 413.",
    ),
    Setting(
        "max_url_bytes",
        "IV3LD_MAX_URL_BYTES",
        8192,
        int,
        "Longest request target (path and query string); longer ones get 414.",
    ),
    Setting(
        "load_examples",
        "IV3LD_LOAD_EXAMPLES",
        True,
        bool,
        "Load the bundled example submissions when the store is empty.",
    ),
    Setting(
        "operator_name",
        "IV3LD_OPERATOR_NAME",
        "Beheer iv3ld",
        str,
        "Who runs this site: the publisher and contact of its DCAT catalogue.",
    ),
    Setting(
        "operator_email",
        "IV3LD_OPERATOR_EMAIL",
        None,
        str,
        "E-mail address of the catalogue's contact point (default: the site's address"
        " only).",
    ),
    Setting(
        "harvest_concurrency",
        "IV3LD_HARVEST_CONCURRENCY",
        8,
        int,
        "Sources iv3ld harvest fetches and checks at the same time.",
    ),
    Setting(
        "harvest_connect_timeout",
        "IV3LD_HARVEST_CONNECT_TIMEOUT",
        10.0,
        float,
        "Seconds harvest waits for a source's server to accept the connection.",
    ),
    Setting(
        "harvest_read_timeout",
        "IV3LD_HARVEST_READ_TIMEOUT",
        60.0,
        float,
        "Seconds harvest waits for the next bytes of an answer; a whole file may"
        " take ten times as long.",
    ),
    Setting(
        "harvest_retries",
        "IV3LD_HARVEST_RETRIES",
        3,
        int,
        "Extra attempts after a refused or broken connection, a connect timeout,"
        " 5xx or 429.",
    ),
    Setting(
        "harvest_backoff",
        "IV3LD_HARVEST_BACKOFF",
        1.0,
        float,
        "Seconds before the first retry; each next retry waits twice as long.",
    ),
    Setting(
        "harvest_max_redirects",
        "IV3LD_HARVEST_MAX_REDIRECTS",
        5,
        int,
        "Most redirects harvest follows for one source (only to http or https).",
    ),
    Setting(
        "harvest_max_bytes",
        "IV3LD_HARVEST_MAX_BYTES",
        50 * 1024 * 1024,
        int,
        "Largest file harvest takes; the download stops past it (at most the"
        " 50 MiB file size limit).",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The values in force, read with :func:`read_settings`."""

    base_iri: str = DEFAULT_BASE
    store: Path | None = None
    state: Path | None = None
    register: Path | None = None
    sparql_endpoint: str | None = None
    sparql_update_endpoint: str | None = None
    graph_store_endpoint: str | None = None
    query_timeout: float = 10.0
    result_limit: int = 10_000
    query_slots: int = 4
    max_query_bytes: int = 1024 * 1024
    max_url_bytes: int = 8192
    load_examples: bool = True
    operator_name: str = "Beheer iv3ld"
    operator_email: str | None = None
    harvest_concurrency: int = 8
    harvest_connect_timeout: float = 10.0
    harvest_read_timeout: float = 60.0
    harvest_retries: int = 3
    harvest_backoff: float = 1.0
    harvest_max_redirects: int = 5
    harvest_max_bytes: int = 50 * 1024 * 1024

    @property
    def store_directory(self) -> Path:
        """The embedded store's directory, the default filled in."""
        return self.store if self.store is not None else _default_store()

    @property
    def state_directory(self) -> Path:
        """The state directory, the default filled in."""
        if self.state is not None:
            return self.state
        store = self.store_directory
        return store.with_name(f"{store.name}-state")

    @property
    def register_path(self) -> Path:
        """The register of sources, the default filled in."""
        return self.register or self.state_directory / "register.csv"

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given values; ``None`` leaves a setting as it is."""
        chosen = {name: value for name, value in values.items() if value is not None}
        unknown = set(chosen) - {field.name for field in fields(self)}
        if unknown:
            raise ConfigurationError(f"unknown settings: {', '.join(sorted(unknown))}")
        return replace(self, **chosen)


def read_settings(environment: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (``os.environ`` by default).

    Raises ConfigurationError naming the variable when a value has the wrong type.
    """
    source = os.environ if environment is None else environment
    values = {}
    for setting in SETTINGS:
        text = source.get(setting.environment)
        if text is not None and text != "":
            values[setting.name] = _parse(setting, text)
    return Settings(**values)


def _parse(setting: Setting, text: str) -> Any:
    if setting.kind is bool:
        if text.lower() in {"1", "true", "yes", "ja", "on"}:
            return True
        if text.lower() in {"0", "false", "no", "nee", "off"}:
            return False
        raise ConfigurationError(f"{setting.environment}={text!r} is not true or false")
    try:
        return setting.kind(text)
    except ValueError:
        raise ConfigurationError(
            f"{setting.environment}={text!r} is not a {setting.kind.__name__}"
        ) from None
