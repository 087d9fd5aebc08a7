"""Random small dated graphs give the same answers on both stores, and match a networkx oracle."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Direction, Edge, GraphModel, Node, NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore

MODEL = load_model()
DATES = [
    None,
    date(2018, 1, 1),
    date(2019, 6, 1),
    date(2020, 1, 1),
    date(2021, 6, 1),
    date(2023, 1, 1),
]


def _pool(model: GraphModel) -> list[Node]:
    nodes = [
        model.make_node("Enterprise", {"uscc": complete_uscc(f"9122010{i}MA000000{i}")})
        for i in range(5)
    ]
    nodes += [
        model.make_node("Person", {"id_no": complete_id_no(f"1101011990010100{i}")})
        for i in range(4)
    ]
    nodes += [
        model.make_node("Vehicle", {"plate": f"吉A1234{i}", "plate_color": "2"}) for i in range(2)
    ]
    nodes.append(model.make_node("Project", {"code": "P-1"}))
    nodes.append(model.make_node("Contact", {"channel": "phone", "value": "13800138000"}))
    return nodes


POOL = _pool(MODEL)
BY_KIND: dict[str, list[NodeRef]] = {}
for _node in POOL:
    BY_KIND.setdefault(_node.kind, []).append(_node.ref)
EDGE_TYPES = sorted(MODEL.edges)


@st.composite
def edges(draw: st.DrawFn) -> Edge:
    edge_type = draw(st.sampled_from(EDGE_TYPES))
    spec = MODEL.edges[edge_type]
    src = draw(st.sampled_from([r for k in spec.sources for r in BY_KIND[k]]))
    dst = draw(st.sampled_from([r for k in spec.targets for r in BY_KIND[k]]))
    start = draw(st.sampled_from(DATES))
    ends = [d for d in DATES if d is None or start is None or d > start]
    end = draw(st.sampled_from(ends))
    return MODEL.make_edge(edge_type, src, dst, valid_from=start, valid_to=end, source="h")


@st.composite
def questions(draw: st.DrawFn) -> dict[str, Any]:
    refs = [n.ref for n in POOL]
    return {
        "a": draw(st.sampled_from(refs)),
        "b": draw(st.sampled_from(refs)),
        "hops": draw(st.integers(1, 3)),
        "types": draw(st.none() | st.lists(st.sampled_from(EDGE_TYPES), min_size=1, max_size=4)),
        "direction": draw(st.sampled_from(list(Direction))),
        "as_of": draw(st.sampled_from(DATES)),
    }


def _answers(store: GraphStore, q: dict[str, Any]) -> dict[str, Any]:
    filters = {"types": q["types"], "direction": q["direction"], "as_of": q["as_of"]}
    hood = store.neighbourhood([q["a"]], hops=q["hops"], **filters)
    paths = store.shortest_paths(q["a"], q["b"], max_hops=q["hops"] + 1, **filters)
    sub = store.subgraph(list(hood.distances), types=q["types"], as_of=q["as_of"])
    return {
        "counts": store.counts(),
        "hood": hood.distances,
        "expand": store.expand([q["a"]], **filters),
        "paths": [(p.nodes, p.signature) for p in paths],
        "sub": (sub.nodes, sub.edges),
    }


def _oracle_distances(edge_list: list[Edge], q: dict[str, Any]) -> dict[NodeRef, int]:
    """networkx BFS over the filtered edges: the reference the stores must equal."""
    graph = nx.DiGraph() if q["direction"] is not Direction.BOTH else nx.Graph()
    graph.add_nodes_from(n.ref for n in POOL)
    for e in edge_list:
        if (q["types"] is None or e.type in q["types"]) and e.valid_on(q["as_of"]):
            src, dst = (e.dst, e.src) if q["direction"] is Direction.IN else (e.src, e.dst)
            graph.add_edge(src, dst)
    return dict(nx.single_source_shortest_path_length(graph, q["a"], cutoff=q["hops"]))


def _load(store: GraphStore, edge_list: list[Edge]) -> None:
    store.clear()
    store.upsert_nodes(POOL)
    store.upsert_edges(edge_list)


@settings(max_examples=60, deadline=None)
@given(st.lists(edges(), max_size=25), st.lists(questions(), min_size=1, max_size=3))
def test_memory_store_matches_networkx_oracle(
    edge_list: list[Edge], qs: list[dict[str, Any]]
) -> None:
    store = MemoryStore(MODEL)
    _load(store, edge_list)
    for q in qs:
        hood = store.neighbourhood(
            [q["a"]], hops=q["hops"], types=q["types"], direction=q["direction"], as_of=q["as_of"]
        )
        assert hood.distances == _oracle_distances(edge_list, q)


@pytest.mark.neo4j
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(edges(), max_size=25), st.lists(questions(), min_size=1, max_size=3))
def test_both_stores_agree(
    neo4j_store: Neo4jStore, edge_list: list[Edge], qs: list[dict[str, Any]]
) -> None:
    memory = MemoryStore(MODEL)
    _load(memory, edge_list)
    _load(neo4j_store, edge_list)
    for q in qs:
        assert _answers(neo4j_store, q) == _answers(memory, q)
