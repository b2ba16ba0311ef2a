"""A load killed at any moment loses nothing: the previous version stays current.

``iv3ld load`` runs as a real process on an embedded store and is killed with
SIGKILL after a range of delays, so that some kills land before the store is
touched, some while the new version's triples are written and some after. Whatever
the moment, the store opens again, the version that was current is whole, and the
current pointer names a version whose graph is complete.
"""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from iv3ld.identifiers import namespace
from iv3ld.store import Store
from iv3ld.store.embedded import EmbeddedStore
from tests.conftest import EXAMPLES

COMMAND = Path(sys.executable).parent / "iv3ld"
FRACTIONS = tuple(step / 20 for step in range(4, 27))
"""When to kill, as fractions of the time an undisturbed load takes."""


def _load(store: Path, path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(COMMAND), "load", "--store", str(store), str(path)],
        capture_output=True,
        check=False,
        timeout=120,
    )


def _load_killed_after(store: Path, path: Path, delay: float) -> int:
    """Start a load, kill it after ``delay`` seconds; its exit status."""
    process = subprocess.Popen(
        [str(COMMAND), "load", "--store", str(store), str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=30)


def _current(store: Store, submission: str) -> list[str]:
    vocabulary = namespace().vocabulary
    result = store.query(
        f"SELECT ?version WHERE {{ GRAPH <{submission}> "
        f"{{ <{submission}> <{vocabulary}huidigeVersie> ?version }} }}"
    )
    return result.column("version")


def _size(store: Store, graph: str) -> int:
    result = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    return int(result.column("n")[0])


def _correction(content: dict[str, Any]) -> dict[str, Any]:
    """A later version with every lasten and baten cell split into ten public
    detail lines, so that writing it takes long enough to be interrupted."""
    corrected = copy.deepcopy(content)
    corrected["metadata"]["datum"] = "2024-09-01T10:00:00+02:00"
    corrected["metadata"]["details_openbaar"] = True
    for part in ("lasten", "baten"):
        rows = []
        for row in corrected["data"][part]:
            share, rest = divmod(row["bedrag"], 10)
            for line in range(10):
                amount = share + (rest if line == 0 else 0)
                details = {"grootboek": f"{4000 + line}", "omschrijving": "deel"}
                rows.append({**row, "bedrag": amount, "details": details})
        corrected["data"][part] = rows
    return corrected


def _timed_load(store: Path, path: Path) -> float:
    started = time.perf_counter()
    result = _load(store, path)
    assert result.returncode == 0, result.stderr.decode()
    return time.perf_counter() - started


@pytest.mark.slow
def test_a_killed_load_loses_nothing(tmp_path: Path) -> None:
    store_directory = tmp_path / "store"
    original = EXAMPLES / "amsterdam-jaarrekening-2023.json"
    correction = tmp_path / "correctie.json"
    content = json.loads(original.read_text(encoding="utf-8"))
    correction.write_text(json.dumps(_correction(content)), encoding="utf-8")
    submission = namespace().submission("GM0363", 2023, 5)

    duration = _timed_load(tmp_path / "reference", correction)
    reference = EmbeddedStore.open(tmp_path / "reference")
    [corrected] = _current(reference, submission)
    corrected_size = _size(reference, corrected)
    reference.close()

    _timed_load(store_directory, original)
    store = EmbeddedStore.open(store_directory)
    [version] = _current(store, submission)
    size = _size(store, version)
    store.close()
    expected = {version: size, corrected: corrected_size}

    killed = 0
    for fraction in FRACTIONS:
        status = _load_killed_after(store_directory, correction, fraction * duration)
        killed += status == -signal.SIGKILL

        store = EmbeddedStore.open(store_directory)
        try:
            assert _size(store, version) == size
            [current] = _current(store, submission)
            assert _size(store, current) == expected[current]
        finally:
            store.close()
        if current != version:
            break

    assert killed >= 1

    retried = _load(store_directory, correction)
    assert retried.returncode == 0, retried.stderr.decode()
    store = EmbeddedStore.open(store_directory)
    try:
        [current] = _current(store, submission)
        assert current == corrected
        assert _size(store, current) == corrected_size
        assert _size(store, version) == size
    finally:
        store.close()
