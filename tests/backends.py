"""The two store backends, so that tests can run on each.

The remote backend talks to a real Oxigraph server (the ``oxigraph`` package from
PyPI) that the session starts on a loopback port with its union default graph.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from iv3ld.store import Store
from iv3ld.store.embedded import EmbeddedStore
from iv3ld.store.remote import RemoteStore


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oxigraph_binary() -> str:
    """The Oxigraph server that the test dependencies install beside Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is not installed (pip install oxigraph)")
    return found


class OxigraphServer:
    """A running Oxigraph server process on loopback."""

    def __init__(self, directory: Path, union: bool = True) -> None:
        self.port = free_port()
        command = [
            oxigraph_binary(),
            "serve",
            "--location",
            str(directory),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout-s",
            "10",
        ]
        if union:
            command.append("--union-default-graph")
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait()

    @property
    def url(self) -> str:
        """The server's query endpoint."""
        return f"http://127.0.0.1:{self.port}/query"

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("the Oxigraph server did not start")

    def stop(self) -> None:
        """End the server process."""
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[OxigraphServer]:
    """One Oxigraph server for the session, union default graph on."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "remote"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, oxigraph_server: OxigraphServer
) -> Iterator[Store]:
    """An empty store of each backend."""
    opened: Store
    if request.param == "embedded":
        opened = EmbeddedStore.open(tmp_path / "store")
    else:
        remote = RemoteStore(
            oxigraph_server.url,
            oxigraph_server.url.replace("/query", "/update"),
            oxigraph_server.url.replace("/query", "/store"),
        )
        remote.update("DROP ALL")
        opened = remote
    yield opened
    opened.close()
