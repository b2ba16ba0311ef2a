"""A real HTTP server on loopback that plays the governments' web servers.

Each path is a :class:`Route`: a function from the request to an answer, with a
count of the requests it had and the headers of the last one. Tests change the
routes between harvest runs (a file that changes, a server that recovers).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    """What the server sends back."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True


@dataclass
class Route:
    """One path of the server and what it has seen."""

    respond: Callable[[dict[str, str]], Answer]
    requests: int = 0
    last_headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    """Room in the backlog for concurrent connections (the default is 5)."""

    request_queue_size = 64


class SourcesServer:
    """A threaded HTTP server on 127.0.0.1 with a free port."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, respond: Callable[[dict[str, str]], Answer]) -> Route:
        """Serve a path; returns its route to inspect."""
        route = Route(respond)
        self.routes[path] = route
        return route

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = server.routes.get(self.path)
                if route is None:
                    self._send(Answer(404, b"not found"))
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                route.requests += 1
                route.last_headers = headers
                self._send(route.respond(headers))

            def _send(self, answer: Answer) -> None:
                if answer.delay:
                    threading.Event().wait(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    if answer.length:
                        self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests look at the routes instead."""

        return Handler


@contextmanager
def sources_server() -> Iterator[SourcesServer]:
    """A started server, stopped afterwards."""
    server = SourcesServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
