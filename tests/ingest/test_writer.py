"""The threaded batch writer: relationship batches written side by side, their results and
checkpoints still taken in order, and nothing after a failure checkpointed."""

from __future__ import annotations

import threading
import time

import pytest

from graph.exc import StoreUnavailable
from graph.model import Edge, NodeRef, load_model, trusted_edge
from graph.stores.memory import MemoryStore
from ingest.report import Summary
from ingest.writer import EDGE_WRITERS, BatchWriter, WriteBatch


class _Edges(MemoryStore):
    """Relationship batches that take ``delays[n]`` seconds (batch n is the one whose first
    edge comes from person n) and fail where ``delays[n]`` is None."""

    def __init__(self, delays: list[float | None]) -> None:
        super().__init__(load_model())
        self.delays = delays
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def create_edges(self, edges: list[Edge]) -> int:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            delay = self.delays[int(edges[0].src.key)]
            if delay is None:
                raise StoreUnavailable("the store went away")
            time.sleep(delay)
            return len(edges)
        finally:
            with self._lock:
                self.running -= 1


def _batch(number: int, done: list[int]) -> WriteBatch:
    edges = [
        trusted_edge(
            "OWNS",
            NodeRef("Person", str(number)),
            NodeRef("Vehicle", f"v{i}"),
            None,
            None,
            None,
            {},
        )
        for i in range(3)
    ]

    def after() -> None:
        done.append(number)

    return WriteBatch(edges=edges, after=after)


def test_relationship_batches_overlap_but_finish_in_order() -> None:
    store = _Edges([0.3, 0.0, 0.2, 0.0, 0.0])
    summary, done = Summary(store="test", files=[]), list[int]()
    with BatchWriter(store, summary, threaded=True) as writer:
        for number in range(5):
            writer.submit(_batch(number, done))
    assert done == [0, 1, 2, 3, 4]
    assert summary.edges_written == 15
    assert store.most_at_once == EDGE_WRITERS


def test_nothing_after_a_failed_batch_is_checkpointed() -> None:
    store = _Edges([0.0, None, 0.0, 0.0])
    summary, done = Summary(store="test", files=[]), list[int]()
    writer = BatchWriter(store, summary, threaded=True)
    with pytest.raises(StoreUnavailable):
        for number in range(4):
            writer.submit(_batch(number, done))
            time.sleep(0.05)  # let the failure surface before the last submissions
        writer.close()
    writer.close(raise_error=False)
    assert done == [0]


def test_a_node_batch_waits_for_the_relationships_before_it() -> None:
    store = _Edges([0.3])
    summary, order = Summary(store="test", files=[]), list[int]()
    node = store.model.make_node("Project", {"code": "P1"})
    with BatchWriter(store, summary, threaded=True) as writer:
        writer.submit(_batch(0, order))
        nodes = WriteBatch(nodes=[(node, "p.csv:2")], after=lambda: order.append(-1))
        writer.submit(nodes)
    assert order == [0, -1]
    assert summary.nodes_written == 1
