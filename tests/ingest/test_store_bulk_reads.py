"""Contract of the bulk reads ingest added to the GraphStore protocol (both stores)."""

from __future__ import annotations

from graph.example import Story
from graph.stores.base import GraphStore
from ingest.checksum import graph_checksum


def test_iter_nodes_returns_every_node_as_get_node_does(store: GraphStore, sample: Story) -> None:
    streamed = {n.ref: n for n in store.iter_nodes()}
    assert set(streamed) == {n.ref for n in sample.nodes}
    for ref, node in streamed.items():
        assert store.get_node(ref) == node


def test_iter_edges_returns_every_relationship(store: GraphStore, sample: Story) -> None:
    streamed = {e.eid: e for e in store.iter_edges()}
    assert set(streamed) == {e.eid for e in sample.edges}
    for edge in sample.edges:
        got = streamed[edge.eid]
        assert (got.type, got.src, got.dst) == (edge.type, edge.src, edge.dst)
        assert (got.valid_from, got.valid_to, got.source) == (
            edge.valid_from,
            edge.valid_to,
            edge.source,
        )
        assert got.props == edge.props


def test_empty_store_streams_nothing(store: GraphStore) -> None:
    assert list(store.iter_nodes()) == []
    assert list(store.iter_edges()) == []


def test_checksum_changes_with_content(store: GraphStore, sample: Story) -> None:
    before = graph_checksum(store)
    assert (before.nodes, before.edges) == (len(sample.nodes), len(sample.edges))
    assert graph_checksum(store) == before
    node = store.get_node(sample.jia)
    assert node is not None
    changed = node.model_copy(update={"props": {**node.props, "status": "注销"}})
    store.upsert_nodes([changed])
    assert graph_checksum(store).digest != before.digest
