"""Writing batches to the store, resolved against what it holds, optionally in a thread.

With Neo4j the Python side (parsing, validating) and the server side (MERGE) can overlap:
a writer thread hands batch *k* to the store while the main thread maps batch *k+1*, and up
to ``WRITERS`` batches are written at once, so the server commits one transaction while it
executes the next.  A batch waits for every batch in flight that writes a node it writes
or joins (resolution must see them, and a relationship needs its endpoints); credit
records wait for everything before them.  Counts, and each batch's checkpoint, are still
taken in input order, so a checkpoint is saved only once its batch and all before it are
written, and none after a failure.

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from ingest.report import Summary
>>> store, summary = MemoryStore(load_model()), Summary(store="memory", files=[])
>>> node = store.model.make_node("Enterprise", {"uscc": "91110000600037341L", "name": "甲"})
>>> with BatchWriter(store, summary, threaded=True) as writer:
...     writer.submit(WriteBatch(nodes=[(node, "a.csv:2")]))
>>> summary.nodes_written, store.counts().total_nodes
(1, 1)
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from graph.credit import CreditRecordIn, store_credit_records
from graph.exc import ConflictError
from graph.model import Edge, Node
from graph.stores.base import GraphStore
from ingest.report import Summary
from ingest.resolve import ALIASES, merge_node

__all__ = ["BatchWriter", "WriteBatch"]

#: Batches mapped ahead of the writer; two keep both sides busy without piling up memory.
QUEUE_DEPTH = 2
#: Batches written at once (threaded writers only): two let the server commit one
#: transaction while it executes the next.
WRITERS = 2


@dataclass
class WriteBatch:
    """One batch's records and what to do once they are durable."""

    nodes: list[tuple[Node, str]] = field(default_factory=list)  # (node, "file:row")
    edges: list[Edge] = field(default_factory=list)
    credit: list[CreditRecordIn] = field(default_factory=list)
    after: Callable[[], None] | None = None


@dataclass
class _Written:
    """What one batch wrote, added to the summary when its turn comes."""

    nodes: int = 0
    aliases: int = 0
    edges: int = 0
    credit: int = 0


def _endpoints(edges: list[Edge]) -> Iterator[str]:
    """The uids of the nodes relationships join."""
    for edge in edges:
        yield edge.src.uid
        yield edge.dst.uid


class BatchWriter:
    """Applies :class:`WriteBatch` objects in order; errors surface in the caller's thread."""

    def __init__(self, store: GraphStore, summary: Summary, *, threaded: bool) -> None:
        self.store = store
        self.summary = summary
        self._create_edges = True  # until a batch's relationships turn out to exist
        self._error: BaseException | None = None
        self._queue: queue.Queue[WriteBatch | None] | None = None
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: deque[tuple[Future[_Written], WriteBatch, set[str]]] = deque()
        self._writing: set[str] = set()  # uids of the nodes that batches in flight write
        if threaded:
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="ingest-write")
            self._queue = queue.Queue(maxsize=QUEUE_DEPTH)
            self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
            self._thread.start()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(raise_error=exc[0] is None)

    def submit(self, batch: WriteBatch) -> None:
        """Queue (or apply) a batch; raises the writer's error if it failed earlier."""
        self._raise()
        if self._queue is None:
            self._record(batch, self._apply(batch))
        else:
            self._queue.put(batch)

    def close(self, *, raise_error: bool = True) -> None:
        """Wait until every queued batch is written."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        assert self._queue is not None
        while (batch := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain without writing after a failure
            try:
                self._dispatch(batch)
            except BaseException as err:  # handed to the main thread
                self._error = err
        self._settle()

    def _dispatch(self, batch: WriteBatch) -> None:
        """Hand ``batch`` to a pool thread once nothing in flight writes a node it reads or
        writes; credit records after everything before them, in this thread."""
        assert self._pool is not None
        if batch.credit:
            self._settle()
            if self._error is None:
                self._record(batch, self._apply(batch))
            return
        writes = {node.ref.uid for node, _ in batch.nodes}
        writing = self._writing
        if writing and not (
            writing.isdisjoint(writes) and writing.isdisjoint(_endpoints(batch.edges))
        ):
            self._settle()
            if self._error is not None:
                return  # nothing is written after a failed batch
        while len(self._in_flight) >= WRITERS:
            self._finish_oldest()
        self._writing |= writes
        self._in_flight.append((self._pool.submit(self._apply, batch), batch, writes))

    def _finish_oldest(self) -> None:
        """Take the oldest batch's counts, then save its checkpoint.  After a failure later
        batches are only waited for: their checkpoints would skip the failed one."""
        future, batch, writes = self._in_flight.popleft()
        self._writing -= writes
        if self._error is not None:
            future.exception()  # wait, but the first error is the one reported
            return
        self._record(batch, future.result())

    def _settle(self) -> None:
        """Wait for every batch in flight, in order."""
        while self._in_flight:
            try:
                self._finish_oldest()
            except BaseException as err:
                self._error = self._error or err

    def _record(self, batch: WriteBatch, written: _Written) -> None:
        summary = self.summary
        summary.nodes_written += written.nodes
        summary.aliases_added += written.aliases
        summary.edges_written += written.edges
        summary.credit_written += written.credit
        if batch.after is not None:
            batch.after()

    def _apply(self, batch: WriteBatch) -> _Written:
        written = _Written()
        if batch.nodes:
            written.nodes, written.aliases = self._write_nodes(batch.nodes)
        if batch.edges:
            written.edges = self._write_edges(batch.edges)
        if batch.credit:
            written.credit = store_credit_records(self.store, batch.credit).written
        return written

    def _write_nodes(self, sources: list[tuple[Node, str]]) -> tuple[int, int]:
        """Merge with the store's nodes (aliases kept) and write only what changed; returns
        the nodes written and the aliases added."""
        refs = sorted({node.ref for node, _ in sources}, key=lambda r: r.uid)
        existing = {n.ref.uid: n for n in self.store.get_nodes(refs)}
        pending: dict[str, Node] = {}
        for node, where in sources:
            uid = node.ref.uid
            pending[uid] = merge_node(pending.get(uid) or existing.get(uid), node, where)
        changed = sorted(
            (n for uid, n in pending.items() if existing.get(uid) != n), key=lambda n: n.ref.uid
        )
        aliases = 0
        for node in changed:
            before = existing.get(node.ref.uid)
            old = before.props.get(ALIASES) if before is not None else None
            if node.props.get(ALIASES) not in (None, old):
                aliases += 1
        create: Callable[[list[Node]], int] | None = getattr(self.store, "create_nodes", None)
        if create is None:
            return self.store.upsert_nodes(changed), aliases
        new = [node for node in changed if node.ref.uid not in existing]
        merged = [node for node in changed if node.ref.uid in existing]
        try:
            written = create(new)
        except ConflictError:  # another writer created one meanwhile: merge them all
            written = self.store.upsert_nodes(new)
        return written + self.store.upsert_nodes(merged), aliases

    def _write_edges(self, edges: list[Edge]) -> int:
        """Relationships written with ``CREATE`` while none of them exists yet (a first load),
        else — after the first batch refused by the eid constraint — merged by identity."""
        create: Callable[[list[Edge]], int] | None = getattr(self.store, "create_edges", None)
        if create is not None and self._create_edges:
            try:
                return create(edges)
            except ConflictError:  # a re-run, a resumed batch or a repeated identity
                self._create_edges = False
        return self.store.upsert_edges(edges)
