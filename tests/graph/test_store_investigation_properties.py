"""The investigation methods give identical answers on both stores for random dated graphs.

The graphs are small multigraphs over a fixed pool (parallel relationships, cross-holdings
and shared contacts are frequent), so every corner of the semantics is exercised: capped
expansion order, trails of the k shortest lengths, simple ownership chains, hubs and
former ties.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Direction, Edge, GraphModel, Node, NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore

MODEL = load_model()
DATES = [None, date(2018, 1, 1), date(2020, 1, 1), date(2021, 6, 1), date(2023, 1, 1)]
RATIOS = [None, 0.1, 0.25, 0.5, 0.6, 1.0]
EMAILS = ["a@jia.cn", "b@jia.cn", "c@yi.cn", "d@qq.com"]


def _pool(model: GraphModel) -> list[Node]:
    nodes = [
        model.make_node("Enterprise", {"uscc": complete_uscc(f"9122010{i}MA000000{i}")})
        for i in range(5)
    ]
    nodes += [
        model.make_node("Person", {"id_no": complete_id_no(f"1101011990010100{i}")})
        for i in range(4)
    ]
    nodes.append(model.make_node("Vehicle", {"plate": "吉A12340", "plate_color": "2"}))
    nodes.append(model.make_node("Contact", {"channel": "phone", "value": "13800138000"}))
    nodes += [model.make_node("Contact", {"channel": "email", "value": v}) for v in EMAILS]
    return nodes


POOL = _pool(MODEL)
REFS = [n.ref for n in POOL]
BY_KIND: dict[str, list[NodeRef]] = {}
for _node in POOL:
    BY_KIND.setdefault(_node.kind, []).append(_node.ref)
# The types whose endpoints exist in the pool, weighted towards the investigated ones.
EDGE_TYPES = [
    t
    for t, spec in sorted(MODEL.edges.items())
    if any(k in BY_KIND for k in spec.sources) and any(k in BY_KIND for k in spec.targets)
]
EDGE_TYPES += ["SHAREHOLDER_OF"] * 4 + ["HAS_CONTACT"] * 3 + ["LEGAL_REP_OF"] * 2


@st.composite
def edges(draw: st.DrawFn) -> Edge:
    edge_type = draw(st.sampled_from(EDGE_TYPES))
    spec = MODEL.edges[edge_type]
    src = draw(st.sampled_from([r for k in spec.sources for r in BY_KIND.get(k, [])]))
    dst = draw(st.sampled_from([r for k in spec.targets for r in BY_KIND.get(k, [])]))
    start = draw(st.sampled_from(DATES))
    end = draw(st.sampled_from([d for d in DATES if d is None or start is None or d > start]))
    props: dict[str, Any] = {}
    if "ratio" in spec.properties and (ratio := draw(st.sampled_from(RATIOS))) is not None:
        props["ratio"] = ratio
    return MODEL.make_edge(
        edge_type, src, dst, valid_from=start, valid_to=end, source="h", props=props
    )


@st.composite
def questions(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "a": draw(st.sampled_from(REFS)),
        "b": draw(st.sampled_from(REFS)),
        "k": draw(st.integers(1, 3)),
        "cap": draw(st.integers(1, 4)),
        "hub": draw(st.integers(0, 3)),
        "hops": draw(st.integers(1, 4)),
        "types": draw(st.none() | st.lists(st.sampled_from(EDGE_TYPES), min_size=1, max_size=3)),
        "direction": draw(st.sampled_from(list(Direction))),
        "as_of": draw(st.sampled_from(DATES)),
        "ended": draw(st.booleans()),
        "ratio_above": draw(st.sampled_from([None, 0.25, 0.5])),
        "min_share": draw(st.sampled_from([0.0, 0.1])),
    }


def _answers(store: GraphStore, q: dict[str, Any]) -> dict[str, Any]:
    filters = {"types": q["types"], "direction": q["direction"], "as_of": q["as_of"]}
    shared_types = q["types"] or ["HAS_CONTACT", "SHAREHOLDER_OF", "LEGAL_REP_OF"]
    return {
        "nodes": store.get_nodes([q["a"], q["b"]]),
        "capped": store.expand_capped(
            [q["a"], q["b"]],
            cap=q["cap"],
            ratio_above=q["ratio_above"],
            exclude=[q["b"]] if q["ended"] else [],
            **filters,
        ),
        "paths": store.k_shortest_paths(q["a"], q["b"], k=q["k"], max_hops=q["hops"], **filters),
        "levels": store.expand_levels(
            q["a"], hops=q["hops"], cap=q["cap"], limit=q["k"] * 3, **filters
        ),
        "up": store.ownership(
            q["a"], upstream=True, max_hops=q["hops"], as_of=q["as_of"], min_share=q["min_share"]
        ),
        "down": store.ownership(q["a"], upstream=False, max_hops=q["hops"], as_of=q["as_of"]),
        "shared": store.shared_neighbours(
            q["a"],
            types=shared_types,
            hub_threshold=q["hub"],
            as_of=q["as_of"],
            include_ended=q["ended"],
        ),
        "suffix": store.with_suffix("Contact", "value", "@jia.cn", limit=q["cap"]),
        "endpoints": sorted(
            store.edge_endpoints(types=q["types"], as_of=q["as_of"], ratio_above=q["ratio_above"])
        ),
    }


def _load(store: GraphStore, edge_list: list[Edge]) -> None:
    store.clear()
    store.upsert_nodes(POOL)
    store.upsert_edges(edge_list)


@settings(max_examples=150, deadline=None)
@given(st.lists(edges(), max_size=30), st.lists(questions(), min_size=1, max_size=3))
def test_memory_store_answers_are_self_consistent(
    edge_list: list[Edge], qs: list[dict[str, Any]]
) -> None:
    """Invariants that do not need a second store (fast, many examples)."""
    store = MemoryStore(MODEL)
    _load(store, edge_list)
    for q in qs:
        answers = _answers(store, q)
        for expansion in answers["capped"]:
            uids = [r.node.ref.uid for r in expansion.neighbours]
            assert uids == sorted(uids) and expansion.shown == min(q["cap"], expansion.total)
            assert len(uids) in (expansion.shown, expansion.shown - 1)
        lengths = [len(p.edges) for p in answers["paths"]]
        assert lengths == sorted(lengths) and len(lengths) <= q["k"]
        for path in answers["paths"]:
            assert len(set(path.nodes)) == len(path.nodes) and len(path.edges) <= q["hops"]
        for stake in answers["up"]:
            assert stake.share == pytest.approx(
                sum(_product(c.edges) for c in stake.chains), abs=1e-12
            )
        assert answers["levels"].levels == _levels_by_steps(store, q)
        for shared in answers["shared"]:
            assert shared.hub == (shared.total > q["hub"])
            assert len(shared.others) == (0 if shared.hub else shared.total)


def _levels_by_steps(store: GraphStore, q: dict[str, Any]) -> list[list[Any]]:
    """expand_levels defined by successive expand_capped calls (the reference)."""
    filters = {"types": q["types"], "direction": q["direction"], "as_of": q["as_of"]}
    seen, frontier, levels = {q["a"]}, [q["a"]], []
    for depth in range(q["hops"]):
        level = store.expand_capped(frontier, cap=q["cap"], exclude=set(seen), **filters)
        levels.append(level)
        fresh = sorted({r.node.ref for e in level for r in e.neighbours}, key=lambda r: r.uid)
        seen.update(fresh)
        if depth + 1 == q["hops"] or not fresh or len(seen) - 1 > q["k"] * 3:
            break
        frontier = fresh
    return levels


def _oracle_k_shortest(edge_list: list[Edge], q: dict[str, Any]) -> list[list[str]]:
    """Every trail up to max_hops by brute force, grouped by length: the reference."""
    usable = {
        e.eid: e  # re-upserting an identity replaces it
        for e in edge_list
        if (q["types"] is None or e.type in q["types"]) and e.valid_on(q["as_of"])
    }
    trails: list[tuple[list[str], list[str]]] = []

    def steps(at: NodeRef, e: Edge) -> NodeRef | None:
        if e.src == at and q["direction"] is not Direction.IN:
            return e.dst
        if e.dst == at and q["direction"] is not Direction.OUT:
            return e.src
        return None

    def walk(at: NodeRef, nodes: list[str], used: list[str]) -> None:
        if at == q["b"] and used:
            trails.append((nodes, used))
        if len(used) == q["hops"]:
            return
        for eid, e in usable.items():
            nxt = steps(at, e) if eid not in used else None
            if nxt is not None:
                walk(nxt, [*nodes, nxt.uid], [*used, eid])

    if q["a"] != q["b"]:
        walk(q["a"], [q["a"].uid], [])
    lengths = sorted({len(used) for _, used in trails})[: q["k"]]
    chosen = [(n, u) for n, u in trails if len(u) in lengths and len(set(n)) == len(n)]
    chosen.sort(key=lambda t: (len(t[1]), t[0], t[1]))
    return [n for n, _ in chosen[: q["k"]]]


@settings(max_examples=200, deadline=None)
@given(st.lists(edges(), max_size=14), questions())
def test_memory_k_shortest_paths_match_brute_force(
    edge_list: list[Edge], q: dict[str, Any]
) -> None:
    store = MemoryStore(MODEL)
    _load(store, edge_list)
    got = store.k_shortest_paths(
        q["a"],
        q["b"],
        k=q["k"],
        max_hops=q["hops"],
        types=q["types"],
        direction=q["direction"],
        as_of=q["as_of"],
    )
    assert [[n.uid for n in p.nodes] for p in got] == _oracle_k_shortest(edge_list, q)


def _product(chain: list[Edge]) -> float:
    value = 1.0
    for edge in chain:
        value *= float(edge.props.get("ratio") or 0.0)
    return value


@pytest.mark.neo4j
@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(edges(), max_size=30), st.lists(questions(), min_size=1, max_size=3))
def test_both_stores_agree_on_investigations(
    neo4j_store: Neo4jStore, edge_list: list[Edge], qs: list[dict[str, Any]]
) -> None:
    memory = MemoryStore(MODEL)
    _load(memory, edge_list)
    _load(neo4j_store, edge_list)
    for q in qs:
        assert _answers(neo4j_store, q) == _answers(memory, q)
