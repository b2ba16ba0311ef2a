"""Benchmark: serving the national set of jaarrekeningen, with floors in the same run.

What it measures, in one run:

1. **Loading.** A jaarrekening 2023 for every gemeente in the real figures, built by
   ``scripts/build_examples.py`` from the real per-taakveld totals, goes into a
   fresh embedded store on disk through iv3ld's own intake (``deliveries.receive``:
   read, validate, write the version, its report and its register, as ``iv3ld
   load`` does), after the reference data (``graphs.ensure_reference_data``). The
   baseline is pyoxigraph's ``bulk_load`` of the same quads into another fresh
   store.
2. **Serving.** A real ``iv3ld serve`` process on a free loopback port, driven by
   httpx clients (bounded count, time and concurrency) with many different targets
   per scenario: an observation's ``/id`` IRI (303), its ``/doc`` page as Turtle and
   as JSON-LD, a government page ``/doc/gemeente/…`` as HTML, and a SPARQL aggregate
   (lasten per taakveld of one gemeente, SPARQL JSON results) through ``/sparql``.
   Baselines: a bare ASGI app under the same uvicorn (what this client and server
   can do at all on this machine) and iv3ld's static stylesheet (the middleware
   stack without a store).
3. **Floors.** The same aggregate on pyoxigraph in-process over the same store, and
   on an rdflib in-memory graph (what a naive server would use) holding the
   submissions of a subset of gemeenten (``--rdflib-gemeenten``; the query needs
   nothing else). A dereference floor: the observation's triples read from the same
   store and written as Turtle, in-process.

Ratios are against measurements of the same run. Nothing is asserted on timings.
Requests go only to 127.0.0.1. The server runs with the settings it has by default
(INFO request log, written to a file here).

Run: ``.venv/bin/python bench/serve.py [--gemeenten 342] [--requests 2000]
[--concurrency 8] [--seconds 20] [--store DIR]``. With ``--store DIR`` an empty or
missing directory is built and kept; a directory that holds submissions is reused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
REGIONS = SHARED_DATA / "regions" / "gemeenten_cbs_2024.csv"
SEED = "iv3ld-bench-serve"
HOST = "127.0.0.1"

AGGREGATE = """PREFIX iv3: <{vocabulary}>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?taakveld (SUM(?bedrag) AS ?lasten) WHERE {{
  ?aanlevering iv3:overheid <{government}> ;
    iv3:boekjaar "2023"^^xsd:gYear ;
    iv3:huidigeVersie ?versie .
  ?dataset dcterms:isPartOf ?versie ; iv3:deel <{base}/id/deel/lasten> .
  ?waarneming qb:dataSet ?dataset ; iv3:taakveld ?taakveld ; iv3:bedrag ?bedrag .
}}
GROUP BY ?taakveld
ORDER BY ?taakveld"""
"""Lasten per taakveld of the current jaarrekening 2023 of one government.

Selective patterns first, so that rdflib (which joins in the written order) is not
handicapped; pyoxigraph plans its own order."""

ACCEPT = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "html": "text/html",
    "sparql": "application/sparql-results+json",
}


# --- The store ------------------------------------------------------------------------


@dataclass
class LoadFigures:
    """What loading the national set cost."""

    submissions: int = 0
    skipped: list[str] = field(default_factory=list)
    generate_seconds: float = 0.0
    reference_seconds: float = 0.0
    reference_quads: int = 0
    load_seconds: float = 0.0
    loaded_quads: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    bulk_seconds: float = float("nan")
    reused: bool = False


def gemeente_codes(count: int) -> list[str]:
    """The first ``count`` gemeenten of the CBS list, Amsterdam always among them."""
    lines = REGIONS.read_text("utf-8").splitlines()[1:]
    codes = [line.split(",")[0] for line in lines if line]
    codes.remove("GM0363")
    return ["GM0363", *codes][:count]


def generate(codes: Sequence[str], figures: LoadFigures) -> list[tuple[str, bytes]]:
    """A jaarrekening 2023 per gemeente as CBS JSON, from the real figures."""
    sys.path.insert(0, str(REPOSITORY / "scripts"))
    from build_examples import build_jaarrekening

    started = time.perf_counter()
    documents = []
    for code in codes:
        try:
            document = build_jaarrekening(code, SHARED_DATA)
        except ValueError:  # only zeros in the real figures (Vijfheerenlanden)
            figures.skipped.append(code)
            continue
        documents.append((code, json.dumps(document).encode("utf-8")))
    figures.generate_seconds = time.perf_counter() - started
    return documents


def build_store(directory: Path, codes: Sequence[str]) -> LoadFigures:
    """Fill a fresh store through iv3ld's intake, timing each stage."""
    from iv3ld.deliveries import Receipt, receive
    from iv3ld.graphs import ensure_reference_data
    from iv3ld.state import StateDirectory
    from iv3ld.store.embedded import EmbeddedStore

    figures = LoadFigures()
    documents = generate(codes, figures)
    store = EmbeddedStore.open(directory)
    state = StateDirectory(directory.with_name(f"{directory.name}-state"))
    try:
        started = time.perf_counter()
        ensure_reference_data(store)
        figures.reference_seconds = time.perf_counter() - started
        figures.reference_quads = len(store.pyoxigraph)

        started = time.perf_counter()
        for code, content in documents:
            receipt = Receipt(content, "application/json", f"{code}.json", "load")
            outcome = receive(store, state, receipt).outcome
            figures.outcomes[outcome] = figures.outcomes.get(outcome, 0) + 1
        figures.load_seconds = time.perf_counter() - started
        figures.loaded_quads = len(store.pyoxigraph) - figures.reference_quads
        figures.submissions = len(documents)
    finally:
        state.close()
        store.close()
    return figures


def bulk_load_seconds(directory: Path, scratch: Path) -> float:
    """pyoxigraph's bulk loader on the same quads, into another fresh store."""
    import pyoxigraph as ox

    dump = scratch / "dump.nq"
    source = ox.Store.read_only(str(directory))
    source.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del source
    target = ox.Store(str(scratch / "bulk"))
    started = time.perf_counter()
    target.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    target.flush()
    seconds = time.perf_counter() - started
    del target
    dump.unlink()
    return seconds


# --- What the requests ask for --------------------------------------------------------


@dataclass
class Workload:
    """The targets of the requests, drawn from the store."""

    base: str
    vocabulary: str
    governments: list[str]
    observations: list[str]
    quads: int

    def government_iri(self, code: str) -> str:
        """The IRI of a gemeente."""
        return f"{self.base}/id/gemeente/{code}"

    def aggregate(self, code: str) -> str:
        """The aggregate query for one gemeente."""
        return AGGREGATE.format(
            vocabulary=self.vocabulary,
            government=self.government_iri(code),
            base=self.base,
        )

    def local_path(self, iri: str, document: bool) -> str:
        """The request path of an IRI on this server, ``/doc/…`` when asked."""
        path = iri.removeprefix(self.base)
        return "/doc/" + path.removeprefix("/id/") if document else path


def read_workload(store: Any, count: int, limit: int) -> Workload:
    """Governments with a current jaarrekening, and a sample of their observations."""
    from iv3ld.identifiers import base_iri, namespace

    base = base_iri()
    vocabulary = namespace().vocabulary
    governments = [
        str(row[0].value).rsplit("/", 1)[-1]
        for row in store.query(
            f"SELECT DISTINCT ?overheid WHERE {{ ?a <{vocabulary}huidigeVersie> ?v ;"
            f" <{vocabulary}overheid> ?overheid }} ORDER BY ?overheid"
        ).rows
    ]
    if "GM0363" in governments:
        governments.remove("GM0363")
        governments.insert(0, "GM0363")
    governments = governments[:limit]

    chosen = {f"{base}/id/aanlevering/{code}/" for code in governments}
    rows = store.query(
        f"SELECT ?o WHERE {{ ?o a <{vocabulary}Lastenwaarneming> }}"
    ).rows
    observations = [
        str(row[0].value)
        for row in rows
        if str(row[0].value).split("/2023/", 1)[0] + "/" in chosen
    ]
    rng = random.Random(SEED)
    sample = rng.sample(observations, min(count, len(observations)))
    return Workload(base, vocabulary, governments, sample, len(store.pyoxigraph))


def cycled(items: Sequence[str], count: int, seed: str) -> list[str]:
    """``count`` items: shuffled rounds over all of them, so each repeats rarely."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        round_ = list(items)
        rng.shuffle(round_)
        out.extend(round_)
    return out[:count]


# --- Floors in-process ----------------------------------------------------------------


@dataclass
class Timing:
    """Durations of repeated operations, and the wall time of the whole batch."""

    durations: list[float]
    wall: float
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    client_cpu: float = float("nan")
    server_cpu: float = float("nan")
    body_bytes: int = 0
    distinct: int = 0

    @property
    def count(self) -> int:
        """How many operations were timed."""
        return len(self.durations)

    @property
    def rate(self) -> float:
        """Operations per second over the batch's wall time."""
        return self.count / self.wall if self.wall else float("nan")

    def percentile(self, share: float) -> float:
        """A percentile of the durations (nearest rank), in seconds."""
        if not self.durations:
            return float("nan")
        ordered = sorted(self.durations)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]


def timed_batch(
    operation: Callable[[str], object],
    targets: Sequence[str],
    threads: int,
    seconds: float,
) -> Timing:
    """Run an operation over targets on ``threads`` threads, until done or time."""
    deadline = time.perf_counter() + seconds
    durations: list[float] = []

    def one(target: str) -> None:
        if time.perf_counter() > deadline:
            return
        started = time.perf_counter()
        operation(target)
        durations.append(time.perf_counter() - started)

    started = time.perf_counter()
    if threads <= 1:
        for target in targets:
            one(target)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, targets))
    return Timing(durations, time.perf_counter() - started, distinct=len(set(targets)))


def floor_aggregate(store: Any, workload: Workload) -> Callable[[str], bytes]:
    """The aggregate on pyoxigraph, written as SPARQL JSON results."""
    import pyoxigraph as ox

    def run(code: str) -> bytes:
        solutions = store.query(
            workload.aggregate(code), use_default_graph_as_union=True
        )
        return bytes(solutions.serialize(format=ox.QueryResultsFormat.JSON))

    return run


def floor_dereference(store: Any) -> Callable[[str], bytes]:
    """An observation's triples from the store, written as Turtle."""
    import pyoxigraph as ox

    def run(iri: str) -> bytes:
        quads = store.quads_for_pattern(ox.NamedNode(iri), None, None)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b"")

    return run


@dataclass
class RdflibFigures:
    """The aggregate on an rdflib in-memory graph."""

    governments: int
    triples: int
    load_seconds: float
    timing: Timing
    rows: int


def rdflib_floor(
    store: Any, workload: Workload, count: int, queries: int, seconds: float
) -> RdflibFigures:
    """Copy the submissions of ``count`` gemeenten into rdflib and run the query."""
    import pyoxigraph as ox
    import rdflib

    codes = workload.governments[:count]
    graphs = [
        graph.value
        for graph in store.named_graphs()
        if isinstance(graph, ox.NamedNode)
        and any(f"/id/aanlevering/{code}/" in graph.value for code in codes)
    ]
    triples = [
        ox.Triple(quad.subject, quad.predicate, quad.object)
        for name in graphs
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(name))
    ]
    text = bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data=text.decode("utf-8"), format="nt")
    load_seconds = time.perf_counter() - started

    rows = len(list(graph.query(workload.aggregate(codes[0]))))
    targets = cycled(codes, queries, f"{SEED}/rdflib")
    timing = timed_batch(
        lambda code: list(graph.query(workload.aggregate(code))), targets, 1, seconds
    )
    return RdflibFigures(len(codes), len(graph), load_seconds, timing, rows)


# --- The server -----------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running(arguments: list[str], log: Path, port: int) -> Iterator[int]:
    """Run a server process until the block ends; yield its process id.

    Raises RuntimeError when it does not answer on its port within a minute.
    """
    environment = {**os.environ, "IV3LD_LOAD_EXAMPLES": "false"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            arguments, stdout=output, stderr=subprocess.STDOUT, env=environment
        )
        try:
            wait_until_listening(process, port, 60.0)
            yield process.pid
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_listening(
    process: subprocess.Popen[bytes], port: int, limit: float
) -> None:
    """Poll the port until the server accepts connections.

    Raises RuntimeError when the process ends or the limit passes first.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended with exit code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on port {port} within {limit} s")


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest ASGI answer: a fixed body, for the ceiling of the machine."""
    if scope["type"] != "http":
        return
    body = b"ok\n"
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"3")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve_bare(port: int) -> None:
    """Serve :func:`bare_app` with uvicorn as ``iv3ld serve`` runs it."""
    import uvicorn

    uvicorn.run(bare_app, host=HOST, port=port, log_config=None, access_log=False)


# --- The client -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One kind of request, with its targets."""

    name: str
    paths: list[str]
    accept: str
    expected: int
    concurrency: int
    warmup: list[str] = field(default_factory=list)


Get = Callable[[str], Awaitable[tuple[int, int]]]
"""Send one GET request; answer its status and the size of its body."""


async def drive(
    port: int, scenario: Scenario, seconds: float, server_pid: int, client: str
) -> Timing:
    """Send the scenario's requests with bounded concurrency; time each one."""
    if client == "raw":
        return await _measure(
            lambda: _raw_get(port, scenario.accept), scenario, seconds, server_pid
        )
    import httpx

    limits = httpx.Limits(
        max_connections=scenario.concurrency,
        max_keepalive_connections=scenario.concurrency,
    )
    headers = {"Accept": scenario.accept}
    async with httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}", limits=limits, timeout=60.0, headers=headers
    ) as session:

        async def get(path: str) -> tuple[int, int]:
            response = await session.get(path)
            return response.status_code, len(response.content)

        async def shared() -> Get:
            return get

        return await _measure(shared, scenario, seconds, server_pid)


async def _raw_get(port: int, accept: str) -> Get:
    """A minimal HTTP/1.1 client on one kept-alive connection, to cost little.

    It sends what httpx sends (Accept, Accept-Encoding gzip) and reads the body by
    Content-Length or chunks, without decoding it.
    """
    reader, writer = await asyncio.open_connection(HOST, port)
    head = (
        f"Host: {HOST}:{port}\r\nAccept: {accept}\r\n"
        "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"
    ).encode("latin-1")

    async def get(path: str) -> tuple[int, int]:
        writer.write(b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\n" + head)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        if fields.get("transfer-encoding") == "chunked":
            return status, await _read_chunks(reader)
        size = int(fields.get("content-length", "0"))
        await reader.readexactly(size)
        return status, size

    return get


async def _read_chunks(reader: asyncio.StreamReader) -> int:
    size = 0
    while True:
        length = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(length + 2)
        size += length
        if length == 0:
            return size


async def _measure(
    connect: Callable[[], Awaitable[Get]],
    scenario: Scenario,
    seconds: float,
    server_pid: int,
) -> Timing:
    durations: list[float] = []
    statuses: dict[int, int] = {}
    sizes = [0]
    getters = [await connect() for _ in range(scenario.concurrency)]
    for path in scenario.warmup:
        await getters[0](path)
    pending = iter(scenario.paths)
    deadline = time.perf_counter() + seconds

    async def worker(get: Get) -> None:
        for path in pending:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            status, size = await get(path)
            durations.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            sizes[0] += size

    server_before = process_cpu(server_pid)
    client_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker(get) for get in getters))
    wall = time.perf_counter() - started
    errors = sum(n for status, n in statuses.items() if status != scenario.expected)
    return Timing(
        durations,
        wall,
        errors,
        statuses,
        time.process_time() - client_before,
        process_cpu(server_pid) - server_before,
        sizes[0],
        len(set(scenario.paths[: len(durations)])),
    )


def run_scenario(
    port: int, scenario: Scenario, seconds: float, pid: int, client: str
) -> Timing:
    """Drive one scenario on a fresh event loop."""
    return asyncio.run(drive(port, scenario, seconds, pid, client))


def fetch(port: int, path: str, accept: str) -> tuple[int, bytes, str]:
    """One request, for checking answers: status, body and Location."""
    import httpx

    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=60.0) as client:
        response = client.get(path, headers={"Accept": accept})
        return (
            response.status_code,
            response.content,
            response.headers.get("location", ""),
        )


# --- The run --------------------------------------------------------------------------


@dataclass
class InProcess:
    """Everything measured in-process on the store before the server starts."""

    workload: Workload
    aggregate: Timing
    aggregate_threads: Timing
    aggregate_rows: int
    dereference: Timing
    dereference_threads: Timing
    dereference_triples: int
    rdflib: RdflibFigures


def measure_in_process(directory: Path, options: argparse.Namespace) -> InProcess:
    """The floors: pyoxigraph and rdflib on the same data, no HTTP."""
    import pyoxigraph as ox

    from iv3ld.store.embedded import EmbeddedStore

    store = EmbeddedStore.open(directory)
    try:
        workload = read_workload(store, options.requests * 4, options.gemeenten)
        raw = store.pyoxigraph
        aggregate = floor_aggregate(raw, workload)
        dereference = floor_dereference(raw)
        queries = cycled(workload.governments, options.requests, f"{SEED}/floor")
        observations = cycled(workload.observations, options.requests, f"{SEED}/d")
        rows = json.loads(aggregate(workload.governments[0]))
        turtle = dereference(observations[0])
        figures = InProcess(
            workload,
            timed_batch(aggregate, queries, 1, options.seconds),
            timed_batch(aggregate, queries, options.concurrency, options.seconds),
            len(rows["results"]["bindings"]),
            timed_batch(dereference, observations, 1, options.seconds),
            timed_batch(
                dereference, observations, options.concurrency, options.seconds
            ),
            len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))),
            rdflib_floor(
                raw,
                workload,
                options.rdflib_gemeenten or len(workload.governments),
                min(options.requests, 200),
                options.seconds,
            ),
        )
        del raw
    finally:
        store.close()
        gc.collect()
    return figures


def scenarios(workload: Workload, options: argparse.Namespace) -> list[Scenario]:
    """The requests to send: many different targets per kind."""
    count = options.requests
    concurrency = options.concurrency
    observations = workload.observations
    slices = [cycled(observations[i::4], count + 20, f"{SEED}/{i}") for i in range(4)]
    government_paths = [
        f"/doc/gemeente/{code}"
        for code in cycled(workload.governments, count + 20, f"{SEED}/pages")
    ]
    sparql_paths = [
        "/sparql?" + urllib.parse.urlencode({"query": workload.aggregate(code)})
        for code in cycled(workload.governments, count + 20, f"{SEED}/sparql")
    ]

    def paths(items: list[str], document: bool) -> list[str]:
        return [workload.local_path(iri, document) for iri in items]

    def scenario(
        name: str,
        items: list[str],
        accept: str,
        status: int = 200,
        clients: int = concurrency,
    ) -> Scenario:
        return Scenario(name, items[20:], accept, status, clients, items[:20])

    return [
        scenario(
            "static stylesheet (no store)",
            ["/static/iv3ld.css"] * (count + 20),
            "text/css",
        ),
        scenario(
            "observation /id → 303", paths(slices[0], False), ACCEPT["turtle"], 303
        ),
        scenario("observation /doc, Turtle", paths(slices[1], True), ACCEPT["turtle"]),
        scenario("observation /doc, JSON-LD", paths(slices[2], True), ACCEPT["jsonld"]),
        scenario("government page, HTML", government_paths, ACCEPT["html"]),
        scenario(
            "SPARQL aggregate, 1 client", sparql_paths, ACCEPT["sparql"], clients=1
        ),
        scenario("SPARQL aggregate", sparql_paths[::-1], ACCEPT["sparql"]),
    ]


@dataclass
class Checks:
    """Whether the endpoints answer what the floors answer."""

    lines: list[str] = field(default_factory=list)
    served: set[str] = field(default_factory=set)


def check_answers(port: int, found: InProcess) -> Checks:
    """One request per endpoint, compared with the in-process answer."""
    import pyoxigraph as ox

    workload = found.workload
    checks = Checks()
    code = workload.governments[0]
    query = urllib.parse.urlencode({"query": workload.aggregate(code)})
    status, body, _ = fetch(port, f"/sparql?{query}", ACCEPT["sparql"])
    if status == 200:
        rows = len(json.loads(body)["results"]["bindings"])
        checks.served.add("sparql")
        checks.lines.append(
            f"/sparql aggregate for {code}: {rows} rows (in-process:"
            f" {found.aggregate_rows})"
        )
    else:
        checks.lines.append(f"/sparql answered {status}: not served yet")

    iri = workload.observations[0]
    status, _, location = fetch(port, workload.local_path(iri, False), ACCEPT["turtle"])
    checks.lines.append(f"{workload.local_path(iri, False)}: {status} → {location}")
    if status == 303:
        checks.served.add("id")

    status, body, _ = fetch(port, workload.local_path(iri, True), ACCEPT["turtle"])
    if status == 200:
        checks.served.add("doc")
        triples = len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
        checks.lines.append(
            f"/doc of that observation as Turtle: {triples} triples (in-process:"
            f" {found.dereference_triples} about it)"
        )
    else:
        checks.lines.append(f"/doc of an observation answered {status}")

    status, body, _ = fetch(port, f"/doc/gemeente/{code}", ACCEPT["html"])
    checks.lines.append(f"/doc/gemeente/{code}: {status}, {len(body):,} bytes")
    if status == 200:
        checks.served.add("page")
    return checks


NEEDS = {
    "observation /id → 303": "id",
    "observation /doc, Turtle": "doc",
    "observation /doc, JSON-LD": "doc",
    "government page, HTML": "page",
    "SPARQL aggregate, 1 client": "sparql",
    "SPARQL aggregate": "sparql",
}


def measure_server(
    directory: Path, found: InProcess, options: argparse.Namespace, scratch: Path
) -> tuple[dict[str, Timing], Checks]:
    """The bare ceiling, then every scenario on a real ``iv3ld serve``."""
    results: dict[str, Timing] = {}
    port = free_port()
    bare = [sys.executable, __file__, "--bare-app", str(port)]
    with running(bare, scratch / "bare.log", port) as pid:
        for name, clients in (
            ("bare ASGI app (ceiling)", options.concurrency),
            ("bare ASGI app, 1 client", 1),
        ):
            ceiling = Scenario(
                name, ["/"] * options.requests, "text/plain", 200, clients, ["/"] * 20
            )
            results[name] = run_scenario(
                port, ceiling, options.seconds, pid, options.client
            )

    port = free_port()
    command = str(Path(sys.executable).parent / "iv3ld")
    serve = [command, "serve", "--store", str(directory), "--port", str(port)]
    with running(serve, scratch / "serve.log", port) as pid:
        checks = check_answers(port, found)
        for scenario in scenarios(found.workload, options):
            needed = NEEDS.get(scenario.name)
            if needed is not None and needed not in checks.served:
                continue
            results[scenario.name] = run_scenario(
                port, scenario, options.seconds, pid, options.client
            )
    return results, checks


# --- The report -----------------------------------------------------------------------


def versions() -> str:
    """The machine and the versions that matter here."""
    names = [
        "pyoxigraph",
        "rdflib",
        "fastapi",
        "starlette",
        "uvicorn",
        "h11",
        "httptools",
        "uvloop",
        "httpx",
        "jinja2",
        "orjson",
    ]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} –")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()},"
        f" iv3ld at {commit or '?'}; {', '.join(found)}"
    )


def milliseconds(seconds: float) -> str:
    """Seconds as milliseconds for a table."""
    return f"{seconds * 1000:.1f}"


def report_load(figures: LoadFigures, quads: int) -> None:
    """The loading table."""
    print("\n### Loading\n")
    if figures.reused:
        print(f"Reused a built store: {quads:,} quads.")
        return
    rate = figures.loaded_quads / figures.load_seconds
    total = figures.loaded_quads + figures.reference_quads
    bulk = total / figures.bulk_seconds
    per_submission = figures.load_seconds / max(figures.submissions, 1)
    reference = figures.reference_quads / figures.reference_seconds
    print("| step | quads | seconds | quads/s |")
    print("|---|--:|--:|--:|")
    print(
        f"| generate {figures.submissions} jaarrekeningen (CBS JSON) | – |"
        f" {figures.generate_seconds:.1f} | – |"
    )
    print(
        f"| reference data (`ensure_reference_data`) | {figures.reference_quads:,} |"
        f" {figures.reference_seconds:.1f} | {reference:,.0f} |"
    )
    print(
        f"| {figures.submissions} submissions through `deliveries.receive` |"
        f" {figures.loaded_quads:,} | {figures.load_seconds:.1f} | {rate:,.0f} |"
    )
    print(
        f"| all quads again, pyoxigraph `bulk_load` (baseline) |"
        f" {total:,} | {figures.bulk_seconds:.1f} | {bulk:,.0f} |"
    )
    print(
        f"\nOutcomes: {figures.outcomes}; skipped (only zeros): {figures.skipped}."
        f" Intake takes {per_submission * 1000:.0f} ms"
        " per submission (read, validate, write version, report and register)."
    )


def report_serving(results: dict[str, Timing], options: argparse.Namespace) -> None:
    """The table of HTTP scenarios."""
    print("\n### Requests over loopback\n")
    print(
        "| scenario | requests | clients | distinct targets | req/s | p50 ms | p99 ms"
        " | not expected status | server CPU ms/req | client CPU ms/req |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, timing in results.items():
        clients = 1 if "1 client" in name else options.concurrency
        name = name.replace(", 1 client", "")
        print(
            f"| {name} | {timing.count} | {clients} | {timing.distinct} |"
            f" {timing.rate:,.0f} | {milliseconds(timing.percentile(0.5))} |"
            f" {milliseconds(timing.percentile(0.99))} | {timing.errors} |"
            f" {milliseconds(timing.server_cpu / max(timing.count, 1))} |"
            f" {milliseconds(timing.client_cpu / max(timing.count, 1))} |"
        )


def report_floors(found: InProcess, options: argparse.Namespace) -> None:
    """The table of in-process measurements."""
    print("\n### In-process, same data, no HTTP\n")
    print("| operation | operations | threads | ops/s | p50 ms | p99 ms |")
    print("|---|--:|--:|--:|--:|--:|")
    rdflib = found.rdflib
    rows = (
        ("aggregate on pyoxigraph, SPARQL JSON written (floor)", found.aggregate, 1),
        ("the same, threads", found.aggregate_threads, options.concurrency),
        (
            f"aggregate on rdflib Graph ({rdflib.governments} gemeenten)",
            rdflib.timing,
            1,
        ),
        ("observation triples as Turtle (dereference floor)", found.dereference, 1),
        ("the same, threads", found.dereference_threads, options.concurrency),
    )
    for name, timing, threads in rows:
        print(
            f"| {name} | {timing.count} | {threads} | {timing.rate:,.0f} |"
            f" {milliseconds(timing.percentile(0.5))} |"
            f" {milliseconds(timing.percentile(0.99))} |"
        )
    print(
        f"\nrdflib graph: the submissions of {rdflib.governments} gemeenten,"
        f" {rdflib.triples:,} triples (no reference data: the query needs none),"
        f" parsed from N-Triples in {rdflib.load_seconds:.1f} s"
        f" ({rdflib.triples / rdflib.load_seconds:,.0f} triples/s); the aggregate"
        f" gives {rdflib.rows} rows (pyoxigraph: {found.aggregate_rows})."
    )


def ratio(numerator: float, denominator: float) -> str:
    """A ratio for the text, or a dash when one side is missing."""
    if not denominator or numerator != numerator or denominator != denominator:
        return "–"
    return f"{numerator / denominator:.2f}×"


def report_ratios(results: dict[str, Timing], found: InProcess) -> None:
    """Ratios against the baselines of this run, and the targets."""
    print("\n### Ratios and targets\n")
    ceiling = results.get("bare ASGI app (ceiling)")
    single = results.get("SPARQL aggregate, 1 client")
    many = results.get("SPARQL aggregate")
    turtle = results.get("observation /doc, Turtle")
    jsonld = results.get("observation /doc, JSON-LD")
    hop = results.get("observation /id → 303")
    floor = found.aggregate.percentile(0.5)
    lines = []
    if single is not None:
        within = single.percentile(0.5) / floor
        lines.append(
            f"- SPARQL aggregate, p50 of one client against the in-process floor:"
            f" {milliseconds(single.percentile(0.5))} ms / {milliseconds(floor)} ms"
            f" = {within:.2f}× (target ≤ 1.5×: {'met' if within <= 1.5 else 'not met'})"
        )
    trip = results.get("bare ASGI app, 1 client")
    if single is not None and trip is not None:
        beyond = single.percentile(0.5) - trip.percentile(0.5)
        lines.append(
            f"- the same without the bare HTTP round trip of this client"
            f" ({milliseconds(trip.percentile(0.5))} ms):"
            f" {milliseconds(beyond)} ms = {beyond / floor:.2f}× the floor"
        )
    if many is not None:
        lines.append(
            f"- SPARQL aggregate throughput: {many.rate:,.0f} req/s over HTTP against"
            f" {found.aggregate_threads.rate:,.0f} queries/s in-process on threads"
            f" (in-process/HTTP {ratio(found.aggregate_threads.rate, many.rate)})"
        )
    lines.append(
        f"- rdflib against pyoxigraph, same query, p50:"
        f" {ratio(found.rdflib.timing.percentile(0.5), floor)}"
    )
    for name, timing in (("Turtle", turtle), ("JSON-LD", jsonld)):
        if timing is not None:
            lines.append(
                f"- dereferences (/doc, {name}): {timing.rate:,.0f}/s (target ≥ 500/s:"
                f" {'met' if timing.rate >= 500 else 'not met'}); in-process floor"
                f" {found.dereference.rate:,.0f}/s"
            )
    if hop is not None and turtle is not None:
        both = 1 / (1 / hop.rate + 1 / turtle.rate)
        lines.append(
            f"- full dereference, /id → 303 then /doc Turtle (two requests):"
            f" {both:,.0f}/s"
        )
    if ceiling is not None:
        lines.append(
            f"- ceiling (bare ASGI app, same uvicorn and client): {ceiling.rate:,.0f}"
            " req/s"
        )
    print("\n".join(lines))


def main() -> int:
    """Build or reuse the store, measure everything, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--requests", type=int, default=2000, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario")
    parser.add_argument("--store", type=Path, help="build here and keep, or reuse")
    parser.add_argument(
        "--rdflib-gemeenten",
        type=int,
        default=34,
        help="gemeenten copied into the rdflib graph (0: all)",
    )
    parser.add_argument(
        "--client",
        choices=["httpx", "raw"],
        default="httpx",
        help="raw: a minimal HTTP/1.1 client that costs less CPU than httpx",
    )
    parser.add_argument("--bare-app", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.bare_app:
        serve_bare(options.bare_app)
        return 0

    print(f"Machine: {versions()}")
    print(f"Client: {options.client}, {options.concurrency} clients")
    print(f"Load average at the start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="iv3ld-bench-") as folder:
        scratch = Path(folder)
        directory = (options.store or scratch / "store").resolve()
        figures = prepare(directory, options, scratch)
        found = measure_in_process(directory, options)
        results, checks = measure_server(directory, found, options, scratch)

        report_load(figures, found.workload.quads)
        print("\n### Answers checked\n")
        print("\n".join(f"- {line}" for line in checks.lines))
        report_serving(results, options)
        report_floors(found, options)
        report_ratios(results, found)
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return 0


def prepare(directory: Path, options: argparse.Namespace, scratch: Path) -> LoadFigures:
    """Reuse a store that holds submissions, or build one."""
    from iv3ld.examples import has_submissions
    from iv3ld.store.embedded import EmbeddedStore

    if directory.exists() and any(directory.iterdir()):
        store = EmbeddedStore.open(directory)
        try:
            if has_submissions(store):
                return LoadFigures(reused=True)
        finally:
            store.close()
            gc.collect()
    figures = build_store(directory, gemeente_codes(options.gemeenten))
    figures.bulk_seconds = bulk_load_seconds(directory, scratch)
    return figures


if __name__ == "__main__":
    sys.exit(main())
