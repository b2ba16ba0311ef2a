"""Taking submissions into a store: validate first, versions, nothing half-written."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from iv3ld.errors import InputError, StoreError
from iv3ld.identifiers import namespace
from iv3ld.intake import (
    current_versions,
    deliver,
    discard_unfinished_versions,
    version_facts,
)
from iv3ld.loading import load_content
from iv3ld.store import Store

IV3 = namespace().vocabulary


def _current(store: Store, submission: str) -> list[str]:
    result = store.query(
        f"SELECT ?v WHERE {{ <{submission}> <{IV3}huidigeVersie> ?v }}"
    )
    return result.column("v")


def _corrected(content: dict[str, Any], datum: str) -> dict[str, Any]:
    corrected = copy.deepcopy(content)
    corrected["metadata"]["datum"] = datum
    corrected["data"]["lasten"][0]["bedrag"] += 1
    corrected["data"]["baten"][0]["bedrag"] += 1
    return corrected


def test_a_conforming_file_is_loaded_and_current(
    store: Store, small_submission: dict[str, Any]
) -> None:
    delivery = deliver(store, load_content(small_submission, "klein.json"))

    assert delivery.outcome == "loaded"
    assert delivery.version in store.graph_names()
    assert f"{delivery.version}/rapport" in store.graph_names()
    assert _current(store, delivery.submission) == [delivery.version]
    observations = store.query(
        f"SELECT (COUNT(?o) AS ?n) WHERE {{ GRAPH <{delivery.version}> "
        f"{{ ?o a <{IV3}Lastenwaarneming> }} }}"
    )
    assert int(observations.column("n")[0]) == len(
        {
            (row["taakveld"], row["categorie"])
            for row in small_submission["data"]["lasten"]
        }
    )


def test_the_same_file_again_is_unchanged(
    store: Store, small_submission: dict[str, Any]
) -> None:
    first = deliver(store, load_content(small_submission, "klein.json"))
    graphs = store.graph_names()

    again = deliver(store, load_content(small_submission, "klein.json"))

    assert again.outcome == "unchanged"
    assert again.version == first.version
    assert store.graph_names() == graphs


def test_an_invalid_file_is_refused_and_nothing_written(
    store: Store, small_submission: dict[str, Any]
) -> None:
    small_submission["data"]["lasten"][0]["taakveld"] = "6.6"

    delivery = deliver(store, load_content(small_submission, "fout.json"))

    assert delivery.outcome == "refused"
    assert not delivery.report.conforms
    assert store.graph_names() == set()


def test_a_correction_becomes_current_and_revises_the_previous(
    store: Store, small_submission: dict[str, Any]
) -> None:
    first = deliver(store, load_content(small_submission, "klein.json"))
    later = _corrected(small_submission, "2026-07-20T09:00:00+02:00")

    second = deliver(store, load_content(later, "correctie.json"))

    assert second.outcome == "loaded"
    assert second.submission == first.submission
    assert _current(store, first.submission) == [second.version]
    revises = store.query(
        f"SELECT ?old WHERE {{ <{second.version}> "
        f"<http://www.w3.org/ns/prov#wasRevisionOf> ?old }}"
    )
    assert revises.column("old") == [first.version]
    assert [version for version, _ in current_versions(store, first.submission)] == [
        first.version,
        second.version,
    ]


def test_an_older_file_delivered_late_does_not_become_current(
    store: Store, small_submission: dict[str, Any]
) -> None:
    newer = _corrected(small_submission, "2026-07-20T09:00:00+02:00")
    latest = deliver(store, load_content(newer, "nieuw.json"))

    older = deliver(store, load_content(small_submission, "oud.json"))

    assert older.outcome == "loaded"
    assert _current(store, latest.submission) == [latest.version]


def test_other_content_under_the_same_datum_is_refused(
    store: Store, small_submission: dict[str, Any]
) -> None:
    deliver(store, load_content(small_submission, "klein.json"))
    other = _corrected(small_submission, small_submission["metadata"]["datum"])

    with pytest.raises(InputError, match=r"same metadata\.datum"):
        deliver(store, load_content(other, "anders.json"))


class FailingRegister:
    """A store whose register update fails, as if the process died at that step."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def update(self, update: str) -> None:
        raise StoreError("the machine went down")


def test_a_failed_load_leaves_the_previous_version_current(
    store: Store, small_submission: dict[str, Any]
) -> None:
    first = deliver(store, load_content(small_submission, "klein.json"))
    later = _corrected(small_submission, "2026-07-20T09:00:00+02:00")

    with pytest.raises(StoreError):
        deliver(FailingRegister(store), load_content(later, "correctie.json"))  # type: ignore[arg-type]

    assert _current(store, first.submission) == [first.version]
    assert [version for version, _ in current_versions(store, first.submission)] == [
        first.version
    ]

    retried = deliver(store, load_content(later, "correctie.json"))
    assert retried.outcome == "loaded"
    assert _current(store, first.submission) == [retried.version]


def test_an_interrupted_load_is_discarded_on_the_next_start(
    store: Store, small_submission: dict[str, Any]
) -> None:
    first = deliver(store, load_content(small_submission, "klein.json"))
    later = load_content(
        _corrected(small_submission, "2026-07-20T09:00:00+02:00"), "correctie.json"
    )
    with pytest.raises(StoreError):
        deliver(FailingRegister(store), later)  # type: ignore[arg-type]
    unfinished = version_facts(later).version

    discarded = discard_unfinished_versions(store)

    if store.exclusive:
        assert discarded == [unfinished]
        assert unfinished not in store.graph_names()
        assert f"{unfinished}/rapport" not in store.graph_names()
    else:
        assert discarded == []
    assert first.version in store.graph_names()
    assert _current(store, first.submission) == [first.version]
