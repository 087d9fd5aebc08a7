"""Contract of ``GraphStore.shared_among``: exact answers on both stores, a brute-force
oracle on random dated multigraphs, and agreement between the stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Edge, GraphModel, Node, NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from graph.stores.shared import SharedAmong

MODEL = load_model()
DAY = date(2024, 5, 20)


def _firm(i: int) -> Node:
    return MODEL.make_node("Enterprise", {"uscc": complete_uscc(f"9122010{i}MA000000{i}")})


def _person(i: int) -> Node:
    return MODEL.make_node("Person", {"id_no": complete_id_no(f"1101011990010100{i}")})


A, B, C, D = (_firm(i) for i in range(4))
WANG, LI = _person(1), _person(2)
PHONE = MODEL.make_node("Contact", {"channel": "phone", "value": "13800138000"})
TRUCK = MODEL.make_node("Vehicle", {"plate": "吉A12340", "plate_color": "2"})


def _story(store: GraphStore) -> None:
    """王军 heads A and B; A holds 60 % of C; A and D share a phone; B and C share a truck;
    李娜 was legal representative of C until 2021 and is now of D."""
    e = MODEL.make_edge
    store.upsert_nodes([A, B, C, D, WANG, LI, PHONE, TRUCK])
    store.upsert_edges(
        [
            e("LEGAL_REP_OF", WANG.ref, A.ref, valid_from=date(2019, 1, 1)),
            e("LEGAL_REP_OF", WANG.ref, B.ref, valid_from=date(2020, 1, 1)),
            e("SHAREHOLDER_OF", A.ref, C.ref, props={"ratio": 0.6}),
            e("HAS_CONTACT", A.ref, PHONE.ref),
            e("HAS_CONTACT", D.ref, PHONE.ref),
            e("OWNS", B.ref, TRUCK.ref),
            e("OPERATES", C.ref, TRUCK.ref),
            e("LEGAL_REP_OF", LI.ref, C.ref, valid_to=date(2021, 1, 1)),
            e("LEGAL_REP_OF", LI.ref, D.ref, valid_from=date(2021, 1, 1)),
        ]
    )


def _view(found: list[SharedAmong]) -> list[tuple[str, list[tuple[str, list[str]]], int]]:
    return [
        (s.uid, [(m.uid, [e.type for e in edges]) for m, edges in s.members], s.attached)
        for s in found
    ]


TYPES = ["LEGAL_REP_OF", "SHAREHOLDER_OF", "HAS_CONTACT", "OWNS", "OPERATES"]


def test_shared_and_direct_ties_on_the_date(store: GraphStore) -> None:
    _story(store)
    found = store.shared_among([A.ref, B.ref, C.ref, D.ref], types=TYPES, as_of=DAY)
    assert _view(found) == [
        (
            "Contact:phone|13800138000",
            [(A.ref.uid, ["HAS_CONTACT"]), (D.ref.uid, ["HAS_CONTACT"])],
            2,
        ),
        # A is a member next to C (a direct holding), and C next to A
        (A.ref.uid, [(C.ref.uid, ["SHAREHOLDER_OF"])], 3),
        (C.ref.uid, [(A.ref.uid, ["SHAREHOLDER_OF"])], 2),
        (WANG.ref.uid, [(A.ref.uid, ["LEGAL_REP_OF"]), (B.ref.uid, ["LEGAL_REP_OF"])], 2),
        (TRUCK.ref.uid, [(B.ref.uid, ["OWNS"]), (C.ref.uid, ["OPERATES"])], 2),
    ]


def test_former_ties_only_when_asked(store: GraphStore) -> None:
    _story(store)
    refs = [C.ref, D.ref]
    now = store.shared_among(refs, types=["LEGAL_REP_OF"], as_of=DAY)
    assert now == []
    former = store.shared_among(refs, types=["LEGAL_REP_OF"], as_of=DAY, include_ended=True)
    assert _view(former) == [
        (LI.ref.uid, [(C.ref.uid, ["LEGAL_REP_OF"]), (D.ref.uid, ["LEGAL_REP_OF"])], 2)
    ]
    # before 2020 王军 headed A only: nothing shared between A and B then
    assert store.shared_among([A.ref, B.ref], types=["LEGAL_REP_OF"], as_of=date(2019, 6, 1)) == []


def test_hub_counts_every_attached_node(store: GraphStore) -> None:
    _story(store)
    others = [_firm(i) for i in range(4, 9)]
    store.upsert_nodes(others)
    store.upsert_edges([MODEL.make_edge("HAS_CONTACT", f.ref, PHONE.ref) for f in others])
    (hub,) = store.shared_among([A.ref, D.ref], types=["HAS_CONTACT"], as_of=DAY)
    assert hub.attached == 7 and [m.uid for m, _ in hub.members] == [A.ref.uid, D.ref.uid]


def test_unknown_refs_and_empty_sets(store: GraphStore) -> None:
    _story(store)
    ghost = _firm(9).ref
    assert store.shared_among([ghost], types=TYPES) == []
    assert store.shared_among([], types=TYPES) == []
    found = store.shared_among([A.ref, B.ref, ghost], types=["LEGAL_REP_OF"])
    assert [s.uid for s in found] == [WANG.ref.uid]


# -- random graphs ----------------------------------------------------------------------------
def _pool(model: GraphModel) -> list[Node]:
    nodes = [_firm(i) for i in range(5)] + [_person(i) for i in range(3)]
    nodes.append(TRUCK)
    nodes.append(PHONE)
    return nodes


POOL = _pool(MODEL)
BY_KIND: dict[str, list[NodeRef]] = {}
for _n in POOL:
    BY_KIND.setdefault(_n.kind, []).append(_n.ref)
RANDOM_TYPES = [
    t
    for t, spec in sorted(MODEL.edges.items())
    if any(k in BY_KIND for k in spec.sources) and any(k in BY_KIND for k in spec.targets)
]
DATES = [None, date(2018, 1, 1), date(2020, 1, 1), date(2023, 1, 1)]


@st.composite
def edges(draw: st.DrawFn) -> Edge:
    edge_type = draw(st.sampled_from(RANDOM_TYPES))
    spec = MODEL.edges[edge_type]
    src = draw(st.sampled_from([r for k in spec.sources for r in BY_KIND.get(k, [])]))
    dst = draw(st.sampled_from([r for k in spec.targets for r in BY_KIND.get(k, [])]))
    start = draw(st.sampled_from(DATES))
    end = draw(st.sampled_from([d for d in DATES if d is None or start is None or d > start]))
    props: dict[str, Any] = {"ratio": 0.5} if "ratio" in spec.properties else {}
    return MODEL.make_edge(edge_type, src, dst, valid_from=start, valid_to=end, props=props)


@st.composite
def questions(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "refs": draw(st.lists(st.sampled_from([n.ref for n in POOL]), max_size=5)),
        "types": draw(st.lists(st.sampled_from(RANDOM_TYPES), min_size=1, max_size=4)),
        "as_of": draw(st.sampled_from(DATES)),
        "ended": draw(st.booleans()),
    }


def _oracle(edge_list: list[Edge], q: dict[str, Any]) -> list[tuple[Any, ...]]:
    """By brute force over the (deduplicated) relationships."""
    day = q["as_of"]

    def keep(e: Edge) -> bool:
        if e.type not in q["types"]:
            return False
        if q["ended"]:
            return day is None or e.valid_from is None or e.valid_from <= day
        return e.valid_on(day)

    usable = [e for e in {e.eid: e for e in edge_list}.values() if keep(e)]
    members = {r.uid for r in q["refs"]}
    around: dict[str, dict[str, list[str]]] = {}
    attached: dict[str, set[str]] = {}
    for e in usable:
        s, d = e.src.uid, e.dst.uid
        if s == d:
            continue
        attached.setdefault(s, set()).add(d)
        attached.setdefault(d, set()).add(s)
        for m, x in ((s, d), (d, s)):
            if m in members:
                around.setdefault(x, {}).setdefault(m, []).append(e.eid)
    return [
        (x, sorted((m, sorted(eids)) for m, eids in found.items()), len(attached[x]))
        for x, found in sorted(around.items())
        if len(found) >= 2 or x in members
    ]


def _answer(store: GraphStore, q: dict[str, Any]) -> list[tuple[Any, ...]]:
    found = store.shared_among(
        q["refs"], types=q["types"], as_of=q["as_of"], include_ended=q["ended"]
    )
    return [
        (s.uid, [(m.uid, [e.eid for e in edges]) for m, edges in s.members], s.attached)
        for s in found
    ]


def _load(store: GraphStore, edge_list: list[Edge]) -> None:
    store.clear()
    store.upsert_nodes(POOL)
    store.upsert_edges(edge_list)


@settings(max_examples=200, deadline=None)
@given(st.lists(edges(), max_size=25), questions())
def test_memory_matches_brute_force(edge_list: list[Edge], q: dict[str, Any]) -> None:
    store = MemoryStore(MODEL)
    _load(store, edge_list)
    assert _answer(store, q) == _oracle(edge_list, q)


@pytest.mark.neo4j
@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(edges(), max_size=25), st.lists(questions(), min_size=1, max_size=3))
def test_both_stores_agree(
    neo4j_store: Neo4jStore, edge_list: list[Edge], qs: list[dict[str, Any]]
) -> None:
    memory = MemoryStore(MODEL)
    _load(memory, edge_list)
    _load(neo4j_store, edge_list)
    for q in qs:
        assert neo4j_store.shared_among(
            q["refs"], types=q["types"], as_of=q["as_of"], include_ended=q["ended"]
        ) == memory.shared_among(
            q["refs"], types=q["types"], as_of=q["as_of"], include_ended=q["ended"]
        )
