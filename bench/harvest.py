"""Benchmark: harvesting 400 sources on loopback, and upload to public.

Sources: the smallest conforming jaarrekening (``tests/fixtures/klein-2025.json``)
made into 400 submissions: one jaarrekening 2025 for each of the 342 gemeenten of
``ontology/regions.ttl`` and a periode-4 realisation for the first 58, served by a
threaded HTTP server on 127.0.0.1 with an ETag each. Every measurement runs in a
fresh process, so that its peak memory (``ru_maxrss``) is its own:

* ``harvest``: ``iv3ld.harvest.harvest`` over the register of 400 sources into an
  empty store (fetch, sniff, read, validate, store, ledger);
* ``harvest again``: the second run over the same store, every source a 304;
* ``fetch only`` (baseline): the same 400 URLs fetched with httpx and the same
  concurrency, bodies read and dropped;
* ``load`` (baseline): the same 400 files taken in from disk in-process as
  ``iv3ld load`` does (``receive`` on the ``load`` channel), into an empty store.

Ratios are harvest / load and harvest / (fetch + load).

Upload to visible: a real ``iv3ld serve`` on a loopback port; for each of
``--uploads`` gemeenten one ``POST /api/submissions`` (jaarrekening 2025, whose
correction deadline has passed, so it is published at once) and then polling
``/sparql`` (ASK for the new current version) and ``/doc/aanlevering/…`` until
they show it. The time counts from sending the POST.

Run: ``.venv/bin/python bench/harvest.py [--sources 400] [--uploads 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import multiprocessing
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURE = REPOSITORY / "tests" / "fixtures" / "klein-2025.json"
REGIONS = REPOSITORY / "ontology" / "regions.ttl"
IV3 = "https://data.iv3ld.nl/def/iv3#"
CONCURRENCY = 8


def gemeenten() -> list[str]:
    """The CBS codes of the gemeenten in the regions file, sorted."""
    text = REGIONS.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"/id/gemeente/(GM\d{4})>", text)))


def build_files(folder: Path, count: int) -> list[tuple[str, Path]]:
    """``count`` small conforming submissions, one file each: (government, path)."""
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    codes = gemeenten()
    files = []
    for index in range(count):
        code = codes[index % len(codes)]
        content = copy.deepcopy(base)
        content["metadata"]["overheidsnummer"] = code[2:]
        content["metadata"]["overheidsnaam"] = f"Gemeente {code}"
        if index >= len(codes):
            content["metadata"]["periode"] = 4
        path = folder / f"{code}-{content['metadata']['periode']}.json"
        path.write_text(json.dumps(content), encoding="utf-8")
        files.append((code, path))
    return files


class _Server(ThreadingHTTPServer):
    """A backlog for every concurrent connection (the default of 5 drops SYNs)."""

    request_queue_size = 256


class FileServer:
    """Serves the files on loopback with an ETag each; answers 304 when it matches."""

    def __init__(self, files: list[tuple[str, Path]]) -> None:
        bodies = {f"/{path.name}": path.read_bytes() for _, path in files}
        tags = {name: f'"{abs(hash(body)):x}"' for name, body in bodies.items()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                body = bodies.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                if self.headers.get("If-None-Match") == tags[self.path]:
                    self.send_response(304)
                    self.send_header("ETag", tags[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", tags[self.path])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: Path) -> str:
        return f"http://127.0.0.1:{self.port}/{path.name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    """Read the code lists and shapes once, as every command does first."""
    from iv3ld.loading import load_path
    from iv3ld.validation import validate

    validate(load_path(FIXTURE))


def run_harvest(folder: str, register: str, times: int) -> dict[str, Any]:
    """Harvest the register ``times`` times into one store; times per run."""
    from iv3ld.harvest import HarvestLimits, harvest
    from iv3ld.sources import read_register
    from iv3ld.state import StateDirectory
    from iv3ld.store.embedded import EmbeddedStore

    _warm_up()
    sources = read_register(Path(register))
    store = EmbeddedStore.open(Path(folder) / "store")
    state = StateDirectory(Path(folder) / "state")
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        run = harvest(store, state, sources, HarvestLimits(concurrency=CONCURRENCY))
        runs.append({"seconds": time.perf_counter() - started, "counts": run.counts()})
    state.close()
    store.close()
    return {"runs": runs, "peak_mib": _peak_mib()}


def run_fetch(urls: list[str]) -> dict[str, Any]:
    """Fetch the URLs with httpx at the same concurrency and drop the bodies."""
    import httpx

    async def fetch_all() -> int:
        semaphore = asyncio.Semaphore(CONCURRENCY)
        async with httpx.AsyncClient() as client:

            async def one(url: str) -> int:
                async with semaphore:
                    response = await client.get(url)
                    return len(response.content)

            sizes = await asyncio.gather(*(one(url) for url in urls))
        return sum(sizes)

    started = time.perf_counter()
    size = asyncio.run(fetch_all())
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "peak_mib": _peak_mib(),
    }


def run_load(folder: str, paths: list[str]) -> dict[str, Any]:
    """Take the files in from disk in-process, as ``iv3ld load`` does."""
    from iv3ld.deliveries import receipt_for_path, receive
    from iv3ld.state import StateDirectory
    from iv3ld.store.embedded import EmbeddedStore

    _warm_up()
    store = EmbeddedStore.open(Path(folder) / "store")
    state = StateDirectory(Path(folder) / "state")
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for path in paths:
        outcome = receive(store, state, receipt_for_path(Path(path))).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    seconds = time.perf_counter() - started
    state.close()
    store.close()
    return {"seconds": seconds, "outcomes": outcomes, "peak_mib": _peak_mib()}


def in_fresh_process(function: Any, *arguments: Any) -> Any:
    """Run a measurement in its own process, so that its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, arguments)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def upload_to_visible(folder: Path, count: int) -> dict[str, Any]:
    """POST over a real server, then poll /sparql and /doc until the version shows."""
    import httpx

    executable = Path(sys.executable).parent / "iv3ld"
    environment = os.environ | {"IV3LD_STATE": str(folder / "state")}
    store = ["--store", str(folder / "store")]
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    codes = gemeenten()[:count]
    tokens = {
        code: subprocess.run(
            [executable, "tokens", "create", code, *store],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for code in codes
    }

    port = free_port()
    server = subprocess.Popen(
        [executable, "serve", "--port", str(port), *store],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=address, timeout=30) as client:
            startup = _wait_until_up(client)
            timings = [_one_upload(client, base, code, tokens[code]) for code in codes]
    finally:
        server.terminate()
        server.wait(timeout=30)

    def summary(key: str) -> dict[str, float]:
        values = [timing[key] for timing in timings]
        return {
            "median_ms": round(statistics.median(values) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }

    return {
        "uploads": len(timings),
        "startup_seconds": round(startup, 1),
        "post": summary("post"),
        "sparql": summary("sparql"),
        "doc": summary("doc"),
    }


def _wait_until_up(client: Any) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < 300:
        try:
            if client.get("/sparql", headers={"Accept": "text/html"}).status_code < 500:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("iv3ld serve did not come up within 300 s")


def _one_upload(
    client: Any, base: dict[str, Any], code: str, token: str
) -> dict[str, float]:
    content = copy.deepcopy(base)
    content["metadata"]["overheidsnummer"] = code[2:]
    started = time.perf_counter()
    response = client.post(
        "/api/submissions",
        content=json.dumps(content).encode("utf-8"),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    posted = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload of {code}: {response.status_code} {response.text}")
    version = response.json()["version"]
    submission = response.json()["submission"]

    ask = f"ASK {{ <{submission}> <{IV3}huidigeVersie> <{version}> }}"
    sparql = _poll(
        started,
        lambda: client.post(
            "/sparql",
            data={"query": ask},
            headers={"Accept": "application/sparql-results+json"},
        ),
        lambda answer: answer.status_code == 200 and answer.json().get("boolean"),
    )
    path = "/doc/" + submission.split("/id/", 1)[1]
    doc = _poll(
        started,
        lambda: client.get(path, headers={"Accept": "text/html"}),
        lambda answer: (
            answer.status_code == 200 and version.rsplit("/", 1)[1] in answer.text
        ),
    )
    return {"post": posted, "sparql": sparql, "doc": doc}


def _poll(started: float, request: Any, shows: Any, limit: float = 30.0) -> float:
    while True:
        answer = request()
        elapsed = time.perf_counter() - started
        if shows(answer):
            return elapsed
        if elapsed > limit:
            return float("nan")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--uploads", type=int, default=10)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="iv3ld-bench-harvest-") as temporary:
        folder = Path(temporary)
        (folder / "files").mkdir()
        files = build_files(folder / "files", arguments.sources)
        server = FileServer(files)
        register = folder / "register.csv"
        rows = [f"{code},{server.url(path)}" for code, path in files]
        register.write_text("overheid,url\n" + "\n".join(rows) + "\n")
        urls = [server.url(path) for _, path in files]
        paths = [str(path) for _, path in files]

        fetch = in_fresh_process(run_fetch, urls)
        load = in_fresh_process(run_load, str(folder / "load"), paths)
        harvested = in_fresh_process(
            run_harvest, str(folder / "harvest"), str(register), 2
        )
        server.stop()
        uploads = upload_to_visible(folder / "serve", arguments.uploads)

    report(arguments.sources, fetch, load, harvested, uploads)


def report(
    count: int,
    fetch: dict[str, Any],
    load: dict[str, Any],
    harvested: dict[str, Any],
    uploads: dict[str, Any],
) -> None:
    first, second = harvested["runs"]
    lines = [
        f"sources: {count} (concurrency {CONCURRENCY}), {os.cpu_count()} cores",
        f"harvest (empty store): {first['seconds']:.2f} s,"
        f" {count / first['seconds']:.1f} sources/s, {first['counts']},"
        f" peak {harvested['peak_mib']:.0f} MiB (both runs)",
        f"harvest again (304): {second['seconds']:.2f} s,"
        f" {count / second['seconds']:.1f} sources/s, {second['counts']}",
        f"baseline fetch only: {fetch['seconds']:.2f} s,"
        f" {count / fetch['seconds']:.1f} sources/s, {fetch['bytes']:,} bytes,"
        f" peak {fetch['peak_mib']:.0f} MiB",
        f"baseline load in-process: {load['seconds']:.2f} s,"
        f" {count / load['seconds']:.1f} files/s, {load['outcomes']},"
        f" peak {load['peak_mib']:.0f} MiB",
        f"ratio harvest / load: {first['seconds'] / load['seconds']:.2f}",
        f"ratio harvest / (fetch + load):"
        f" {first['seconds'] / (fetch['seconds'] + load['seconds']):.2f}",
        f"ratio harvest again / fetch only: {second['seconds'] / fetch['seconds']:.2f}",
        f"upload to visible over loopback ({uploads['uploads']} uploads, server"
        f" start {uploads['startup_seconds']} s):"
        f" POST {uploads['post']['median_ms']} ms median"
        f" ({uploads['post']['max_ms']} max); on /sparql"
        f" {uploads['sparql']['median_ms']} ms ({uploads['sparql']['max_ms']} max);"
        f" on /doc {uploads['doc']['median_ms']} ms ({uploads['doc']['max_ms']} max)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
