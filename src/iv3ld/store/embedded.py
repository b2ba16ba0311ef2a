"""The embedded store: pyoxigraph on disk (RocksDB) in one directory.

Only one process may open the directory for writing; a second gets a clear
:class:`~iv3ld.errors.StoreUnavailableError`. Queries see the union of all named
graphs unless the query or the protocol request names a dataset.

pyoxigraph cannot interrupt a running query (its Python API has no timeout), so a
query with a time limit runs on one of a fixed number of worker threads and the
caller gets :class:`~iv3ld.errors.QueryTimeoutError` when the limit passes. The
query itself runs on until it ends; the number of slots bounds how much of the
machine such queries can take, while the rest of the server stays responsive
(pyoxigraph releases the GIL while it evaluates). For hard limits use a remote
engine that enforces them itself (Oxigraph: ``serve --timeout-s``).
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from iv3ld.errors import (
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    StoreUnavailableError,
)
from iv3ld.store import QueryDataset, QueryResult
from iv3ld.store.query_text import declares_dataset

logger = logging.getLogger(__name__)

Job = Callable[[], QueryResult]


class EmbeddedStore:
    """A pyoxigraph store in a directory (or in memory, for tests and benchmarks)."""

    def __init__(self, store: ox.Store, slots: int = 4, location: str = "memory"):
        self._store = store
        self._workers = QueryWorkers(max(slots, 1))
        self.location = location
        self.exclusive = True

    @classmethod
    def open(cls, directory: Path, slots: int = 4) -> EmbeddedStore:
        """Open or create the store in a directory.

        Raises StoreUnavailableError when another process holds it or the directory
        cannot be used.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(directory))
        except OSError as error:
            raise StoreUnavailableError(_open_problem(directory, error)) from None
        logger.info("opened the embedded store in %s", directory)
        return cls(store, slots, str(directory))

    @classmethod
    def in_memory(cls, slots: int = 4) -> EmbeddedStore:
        """A store that lives only as long as the process."""
        return cls(ox.Store(), slots)

    @property
    def pyoxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for in-process fast paths."""
        return self._store

    def query(
        self,
        query: str,
        *,
        dataset: QueryDataset | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a query; see :meth:`iv3ld.store.Store.query`."""
        arguments = _dataset_arguments(query, dataset)
        if timeout is None:
            return self._evaluate(query, arguments, limit)

        future = self._workers.submit(lambda: self._evaluate(query, arguments, limit))
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            raise QueryTimeoutError(
                f"the query ran longer than the limit of {timeout:g} s"
            ) from None

    def _evaluate(
        self, query: str, arguments: dict[str, Any], limit: int | None
    ) -> QueryResult:
        try:
            result = self._store.query(query, **arguments)
            return materialise(result, limit)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None
        except OSError as error:
            raise StoreError(f"the query failed: {error}") from None

    def update(self, update: str) -> None:
        """Run an update in one transaction."""
        try:
            self._store.update(update)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None
        except OSError as error:
            raise StoreError(f"the update failed: {error}") from None

    def load_graph(self, graph: str, payload: bytes, rdf_format: ox.RdfFormat) -> None:
        """Parse and add triples to a named graph in one transaction."""
        try:
            self._store.load(payload, format=rdf_format, to_graph=ox.NamedNode(graph))
        except SyntaxError as error:
            raise StoreError(f"cannot load graph <{graph}>: {error}") from None
        except OSError as error:
            raise StoreError(f"cannot load graph <{graph}>: {error}") from None

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph; a missing graph is no error."""
        name = ox.NamedNode(graph)
        if self._store.contains_named_graph(name):
            self._store.remove_graph(name)

    def graph_names(self) -> set[str]:
        """The names of all named graphs (blank-node graphs are not used)."""
        return {graph.value for graph in self._store.named_graphs()}

    def quads_about(self, subject: str) -> list[ox.Quad]:
        """Every triple with this subject, with its graph."""
        return list(self._store.quads_for_pattern(ox.NamedNode(subject), None, None))

    def dump(self, output: BinaryIO, graphs: Iterable[str] | None = None) -> None:
        """Write named graphs as N-Quads."""
        names = sorted(self.graph_names()) if graphs is None else list(graphs)
        for name in names:
            quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            ox.serialize(quads, output, format=ox.RdfFormat.N_QUADS)

    def check(self) -> list[str]:
        """The embedded store needs no configuration."""
        return []

    def close(self) -> None:
        """Flush and release the directory lock."""
        self._store.flush()
        del self._store


class QueryWorkers:
    """A fixed number of threads that run queries with a time limit.

    Started once and kept, since a thread per query costs about a millisecond.
    Daemon threads, because a query that outlives its limit must not keep the
    process from exiting. A query that waits for a free worker waits on its own
    time limit, and one whose caller gave up before a worker took it never runs.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._jobs: queue.SimpleQueue[tuple[Future[QueryResult], Job]] = (
            queue.SimpleQueue()
        )
        self._started = False
        self._lock = threading.Lock()

    def submit(self, job: Job) -> Future[QueryResult]:
        """Queue a query; its future holds the result or the error it raised."""
        self._start()
        future: Future[QueryResult] = Future()
        self._jobs.put((future, job))
        return future

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for number in range(self._count):
                name = f"iv3ld-query-{number}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
            self._started = True

    def _work(self) -> None:
        while True:
            future, job = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to the waiting caller
                _drop_locals(error)
                future.set_exception(error)


def materialise(result: Any, limit: int | None) -> QueryResult:
    """Read a pyoxigraph result into a QueryResult, stopping past ``limit``.

    Raises ResultTooLargeError when the result has more than ``limit`` solutions
    or triples; pyoxigraph evaluates lazily, so the rest is never computed.
    """
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("boolean", boolean=bool(result))

    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        rows = []
        for solution in result:
            rows.append(tuple(solution[index] for index in range(len(variables))))
            _check_size(len(rows), limit, "solutions")
        return QueryResult("solutions", variables=variables, rows=rows)

    triples = []
    for triple in result:
        triples.append(triple)
        _check_size(len(triples), limit, "triples")
    return QueryResult("graph", triples=triples)


def _drop_locals(error: BaseException) -> None:
    """Clear the finished frames an error holds, on the thread that ran them.

    pyoxigraph's result iterators may only be dropped on the thread that made
    them. An error handed to the waiting thread keeps its frames, and with them a
    half-read result (past the size limit, or a failed read), alive until that
    thread drops it: pyo3 then reports an unraisable error and leaks the result.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__context__


def _check_size(size: int, limit: int | None, what: str) -> None:
    if limit is not None and size > limit:
        raise ResultTooLargeError(
            f"the result has more than {limit} {what}; narrow the query or page"
            " through it with ORDER BY, LIMIT and OFFSET"
        )


def _dataset_arguments(query: str, dataset: QueryDataset | None) -> dict[str, Any]:
    """pyoxigraph's arguments for the dataset: the protocol's, FROM, or the union."""
    if dataset is not None and dataset.given:
        return {
            "default_graph": [ox.NamedNode(name) for name in dataset.default_graphs],
            "named_graphs": [ox.NamedNode(name) for name in dataset.named_graphs],
        }
    if declares_dataset(query):
        return {}
    return {"use_default_graph_as_union": True}


def _open_problem(directory: Path, error: OSError) -> str:
    text = str(error)
    if "lock" in text.lower():
        return (
            f"the store in {directory} is in use by another process (is `iv3ld serve`"
            " running on it?); stop that process, or deliver through its API"
        )
    return f"cannot open the store in {directory}: {text}"
