"""The real ``iv3ld serve`` process on a loopback port, and ``iv3ld load``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from iv3ld.cli import EXIT_NOT_CONFORMING, EXIT_OK, EXIT_STORE, EXIT_UNREADABLE, main
from iv3ld.store.embedded import EmbeddedStore
from tests.backends import free_port

COMMAND = Path(sys.executable).parent / "iv3ld"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``iv3ld serve`` on an empty store directory, as a user would start it."""
    port = free_port()
    folder = tmp_path_factory.mktemp("serve")
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(COMMAND),
                "serve",
                "--store",
                str(folder / "store"),
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            pytest.fail(f"iv3ld serve ended with {process.returncode}: {output}")
        try:
            httpx.get(f"{url}/openapi.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("iv3ld serve did not start within 90 s")


@pytest.mark.slow
def test_serve_answers_over_loopback(server: str) -> None:
    response = httpx.get(f"{server}/openapi.json", timeout=10)

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "iv3ld"


def _run(*arguments: str) -> Any:
    return CliRunner().invoke(main, list(arguments))


def _write(tmp_path: Path, content: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_load_a_conforming_file_then_again(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    path = _write(tmp_path, small_submission, "klein.json")
    store = str(tmp_path / "store")

    first = _run("load", "--store", store, str(path))
    second = _run("load", "--store", store, str(path))

    assert first.exit_code == EXIT_OK, first.output
    assert "loaded as https://" in first.output
    assert second.exit_code == EXIT_OK
    assert "unchanged" in second.output


def test_load_refuses_a_file_that_does_not_conform(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    small_submission["data"]["lasten"][0]["taakveld"] = "6.6"
    path = _write(tmp_path, small_submission, "fout.json")

    result = _run("load", "--store", str(tmp_path / "store"), str(path))

    assert result.exit_code == EXIT_NOT_CONFORMING
    assert "refused" in result.output
    assert "DF001" in result.output


def test_load_of_an_unreadable_file_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_text("{ dit is geen json", encoding="utf-8")

    result = _run("load", "--store", str(tmp_path / "store"), str(path))

    assert result.exit_code == EXIT_UNREADABLE
    assert "Traceback" not in result.output


def test_load_into_a_store_in_use_exits_4(
    tmp_path: Path, small_submission: dict[str, Any]
) -> None:
    path = _write(tmp_path, small_submission, "klein.json")
    holder = EmbeddedStore.open(tmp_path / "store")
    try:
        result = _run("load", "--store", str(tmp_path / "store"), str(path))
    finally:
        holder.close()

    assert result.exit_code == EXIT_STORE
    assert "in use by another process" in result.output
