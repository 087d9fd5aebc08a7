"""Writes larger than one statement: Neo4j sends a batch as pipelined chunks in one
transaction (``graph.stores.neo4j.CHUNK_ROWS`` rows each), rows as lists, dates as text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from graph.exc import ConflictError
from graph.identifiers import complete_uscc
from graph.model import Edge, GraphModel, Node
from graph.stores import neo4j as neo4j_module
from graph.stores.base import GraphStore
from graph.stores.neo4j import Neo4jStore

PROJECTS = 2 * neo4j_module.CHUNK_ROWS + 100  # three chunks
BIDDERS = 40


def _graph(model: GraphModel) -> tuple[list[Node], list[Edge]]:
    bidders = [
        model.make_node(
            "Enterprise",
            {
                "uscc": complete_uscc(f"9111000060{i:07d}"),
                "name": f"投标人{i}",
                "established": date(2001, 1, 1) + timedelta(days=i),
            },
        )
        for i in range(BIDDERS)
    ]
    projects = [
        model.make_node(
            "Project",
            {
                "code": f"P{i:05d}",
                "name": f"工程{i}",
                "bid_opening": date(2024, 1, 1) + timedelta(i),
            },
        )
        for i in range(PROJECTS)
    ]
    bids = [
        model.make_edge(
            "BID_ON",
            bidders[i % BIDDERS].ref,
            project.ref,
            valid_from=date(2023, 12, 1),
            valid_to=date(2025, 1, 1) if i % 2 else None,
            source="test:batches",
            props={"date": date(2023, 12, 1) + timedelta(i % 30), "lot": f"L{i % 3}"},
        )
        for i, project in enumerate(projects)
    ]
    return bidders + projects, bids


def test_a_batch_of_several_chunks_round_trips(store: GraphStore) -> None:
    nodes, edges = _graph(store.model)
    assert store.upsert_nodes(nodes) == len(nodes)
    assert store.upsert_edges(edges) == len(edges)
    counts = store.counts()
    assert (counts.total_nodes, counts.total_edges) == (len(nodes), len(edges))
    last = nodes[-1]
    assert store.get_nodes([last.ref]) == [last]  # the date comes back a date
    bidder = nodes[BIDDERS - 1]
    found = sorted(store.expand([bidder.ref], types=["BID_ON"]), key=lambda e: e.dst.key)
    wanted = sorted((e for e in edges if e.src == bidder.ref), key=lambda e: e.dst.key)
    assert found == wanted and len(found) == PROJECTS // BIDDERS
    assert store.upsert_edges(edges) == len(edges)  # again: updated, nothing added
    assert store.counts().total_edges == len(edges)


@pytest.mark.neo4j
def test_a_conflict_in_a_late_chunk_rolls_back_the_whole_batch(neo4j_store: Neo4jStore) -> None:
    nodes, edges = _graph(neo4j_store.model)
    assert neo4j_store.create_nodes(nodes) == len(nodes)
    written_last = max(edges, key=lambda e: (e.src, e.dst))  # in the last chunk (sorted)
    assert neo4j_store.upsert_edges([written_last]) == 1  # it exists: the last chunk fails
    with pytest.raises(ConflictError):
        neo4j_store.create_edges(edges)
    assert neo4j_store.counts().total_edges == 1  # the first chunks were not kept
    assert neo4j_store.upsert_edges(edges) == len(edges)
    assert neo4j_store.counts().total_edges == len(edges)
    with pytest.raises(ConflictError):
        neo4j_store.create_nodes(nodes[:1])
