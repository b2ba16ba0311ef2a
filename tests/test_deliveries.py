"""Held deliveries: what the ledger keeps of them and how they are published."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from iv3ld.deliveries import Receipt, publish_due, receive
from iv3ld.errors import InputError
from iv3ld.intake import deliver
from iv3ld.loading import load_content
from iv3ld.publication import AMSTERDAM
from iv3ld.state import StateDirectory
from iv3ld.store.embedded import EmbeddedStore

EARLY = datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)
"""Before the deadline of jaarrekening 2025: a delivery waits for the 1e plaatsing."""
PLACEMENT = datetime(2026, 7, 24, 12, 0, tzinfo=AMSTERDAM)
"""The day of the 1e plaatsing of jaarrekening 2025."""


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[EmbeddedStore, StateDirectory]]:
    store = EmbeddedStore.in_memory()
    state = StateDirectory(tmp_path / "state")
    yield store, state
    state.close()


def _upload(content: dict[str, Any]) -> Receipt:
    body = json.dumps(content).encode("utf-8")
    return Receipt(body, "application/json", "upload.json", "upload", EARLY)


def _changed(content: dict[str, Any]) -> dict[str, Any]:
    """Other figures under the same datum."""
    other = copy.deepcopy(content)
    other["data"]["lasten"][0]["bedrag"] += 1
    other["data"]["baten"][0]["bedrag"] += 1
    return other


def _outcomes(state: StateDirectory) -> list[str]:
    with state.connect() as connection:
        rows = connection.execute("SELECT outcome FROM deliveries ORDER BY id")
        return [row["outcome"] for row in rows]


def test_a_second_held_file_under_the_same_datum_is_refused(
    site: tuple[EmbeddedStore, StateDirectory], small_submission: dict[str, Any]
) -> None:
    store, state = site
    first = receive(store, state, _upload(small_submission), now=EARLY)

    with pytest.raises(InputError, match="held for publication"):
        receive(store, state, _upload(_changed(small_submission)), now=EARLY)
    published = publish_due(store, state, PLACEMENT)

    assert first.outcome == "pending"
    assert [intake.version for intake in published] == [first.version]
    assert _outcomes(state) == ["loaded", "unreadable"]


def test_a_held_file_that_can_no_longer_be_stored_does_not_stop_the_others(
    site: tuple[EmbeddedStore, StateDirectory], small_submission: dict[str, Any]
) -> None:
    store, state = site
    held = receive(store, state, _upload(small_submission), now=EARLY)
    other = copy.deepcopy(small_submission)
    other["metadata"]["overheidsnummer"] = "0363"
    later = receive(store, state, _upload(other), now=EARLY)
    deliver(store, load_content(_changed(small_submission), "elsewhere.json"))

    published = publish_due(store, state, PLACEMENT)

    assert held.outcome == later.outcome == "pending"
    assert [intake.version for intake in published] == [later.version]
    assert _outcomes(state) == ["refused", "loaded"]
    assert publish_due(store, state, PLACEMENT) == []


def test_a_held_file_in_euros_is_published_in_euros(
    site: tuple[EmbeddedStore, StateDirectory], small_submission: dict[str, Any]
) -> None:
    store, state = site
    held = receive(store, state, _upload(small_submission), unit="euro", now=EARLY)

    publish_due(store, state, PLACEMENT)

    unit_mult = "http://purl.org/linked-data/sdmx/2009/attribute#unitMult"
    result = store.query(
        f"SELECT DISTINCT ?power WHERE {{ GRAPH <{held.version}> "
        f"{{ ?part <{unit_mult}> ?power }} }}"
    )
    assert result.column("power") == ["0"]


def test_a_ledger_of_the_first_schema_is_upgraded(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    connection = sqlite3.connect(folder / "iv3ld.sqlite3")
    connection.execute(
        "CREATE TABLE deliveries (id INTEGER PRIMARY KEY, received TEXT NOT NULL,"
        " channel TEXT NOT NULL, source TEXT NOT NULL, government TEXT,"
        " boekjaar INTEGER, periode INTEGER, checksum TEXT NOT NULL,"
        " media_type TEXT NOT NULL, outcome TEXT NOT NULL, version TEXT,"
        " placement TEXT, publication_date TEXT, published TEXT,"
        " violations INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,"
        " message TEXT NOT NULL DEFAULT '', report TEXT)"
    )
    connection.execute(
        "INSERT INTO deliveries (received, channel, source, checksum, media_type,"
        " outcome) VALUES ('2026-07-01', 'upload', 'a.json', 'sha256:x',"
        " 'application/json', 'pending')"
    )
    connection.commit()
    connection.close()

    state = StateDirectory(folder)
    with state.connect() as ledger:
        row = ledger.execute("SELECT unit, content_checksum FROM deliveries").fetchone()
    state.close()

    assert (row["unit"], row["content_checksum"]) == ("duizend", None)
