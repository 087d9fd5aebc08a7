"""The threaded batch writer: batches written side by side unless one needs what another
writes, counts and checkpoints still taken in order, nothing after a failure checkpointed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from graph.exc import StoreUnavailable
from graph.model import Edge, Node, NodeRef, load_model, trusted_edge
from graph.stores.memory import MemoryStore
from ingest.report import Summary
from ingest.writer import WRITERS, BatchWriter, WriteBatch


class _Timed(MemoryStore):
    """A store whose writes take ``delays[name]`` seconds (the key of the first node, or the
    source key of the first relationship), fail where that delay is None, and are logged as
    ``(name, started, ended)``."""

    def __init__(self, delays: dict[str, float | None]) -> None:
        super().__init__(load_model())
        self.delays = delays
        self.log: list[tuple[str, float, float]] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def _timed(self, name: str, write: Any, items: Any) -> int:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        started = time.perf_counter()
        try:
            delay = self.delays.get(name, 0.0)
            if delay is None:
                raise StoreUnavailable("the store went away")
            time.sleep(delay)
            return int(write(items))
        finally:
            with self._lock:
                self.running -= 1
                self.log.append((name, started, time.perf_counter()))

    def create_nodes(self, nodes: list[Node]) -> int:
        return self._timed(nodes[0].key if nodes else "", super().upsert_nodes, nodes)

    def create_edges(self, edges: list[Edge]) -> int:
        return self._timed(edges[0].src.key, super().upsert_edges, edges)

    def span(self, name: str) -> tuple[float, float]:
        return next((start, end) for n, start, end in self.log if n == name)


def _project(store: _Timed, code: str) -> Node:
    return store.model.make_node("Project", {"code": code})


def _bids(bidder: str, projects: list[str], done: list[str]) -> WriteBatch:
    """Relationships from enterprise ``bidder`` (none of the batch's nodes are written)."""
    edges = [
        trusted_edge(
            "BID_ON", NodeRef("Enterprise", bidder), NodeRef("Project", p), None, None, None, {}
        )
        for p in projects
    ]
    return WriteBatch(edges=edges, after=lambda: done.append(bidder))


def _nodes(nodes: list[Node], done: list[str]) -> WriteBatch:
    return WriteBatch(
        nodes=[(n, "f.csv:2") for n in nodes], after=lambda: done.append(nodes[0].key)
    )


def test_batches_overlap_but_finish_in_order() -> None:
    store = _Timed({"E0": 0.3, "E2": 0.2})
    store.upsert_nodes([Node(kind="Enterprise", key=f"E{i}", props={}) for i in range(5)])
    store.upsert_nodes([_project(store, f"P{i}") for i in range(5)])
    summary, done = Summary(store="test", files=[]), list[str]()
    with BatchWriter(store, summary, threaded=True) as writer:
        for i in range(5):
            writer.submit(_bids(f"E{i}", [f"P{i}"], done))
    assert done == ["E0", "E1", "E2", "E3", "E4"]
    assert summary.edges_written == 5
    assert store.most_at_once == WRITERS


def test_a_batch_waits_for_the_batch_writing_a_node_it_joins() -> None:
    store = _Timed({"P9": 0.3})
    store.upsert_nodes([Node(kind="Enterprise", key=k, props={}) for k in ("E1", "E2")])
    summary, done = Summary(store="test", files=[]), list[str]()
    with BatchWriter(store, summary, threaded=True) as writer:
        writer.submit(_nodes([_project(store, "P9"), _project(store, "P91")], done))
        writer.submit(_bids("E1", ["P9"], done))  # joins P9: waits for it
    assert store.span("E1")[0] >= store.span("P9")[1]
    assert done == ["P9", "E1"]
    assert summary.nodes_written == 2 and summary.edges_written == 1


def test_a_batch_that_needs_nothing_in_flight_runs_beside_it() -> None:
    store = _Timed({"P9": 0.3})
    store.upsert_nodes([Node(kind="Enterprise", key="E1", props={}), _project(store, "P1")])
    summary, done = Summary(store="test", files=[]), list[str]()
    with BatchWriter(store, summary, threaded=True) as writer:
        writer.submit(_nodes([_project(store, "P9")], done))
        writer.submit(_bids("E1", ["P1"], done))  # P1 was there before: no wait
    assert store.span("E1")[0] < store.span("P9")[1]
    assert done == ["P9", "E1"]  # checkpoints in input order all the same


def test_nothing_after_a_failed_batch_is_checkpointed() -> None:
    store = _Timed({"E1": None})
    store.upsert_nodes([Node(kind="Enterprise", key=f"E{i}", props={}) for i in range(4)])
    store.upsert_nodes([_project(store, f"P{i}") for i in range(4)])
    summary, done = Summary(store="test", files=[]), list[str]()
    writer = BatchWriter(store, summary, threaded=True)
    with pytest.raises(StoreUnavailable):
        for i in range(4):
            writer.submit(_bids(f"E{i}", [f"P{i}"], done))
            time.sleep(0.05)  # let the failure surface before the last submissions
        writer.close()
    writer.close(raise_error=False)
    assert done == ["E0"]
