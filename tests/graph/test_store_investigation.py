"""The investigation methods of the store contract, on both stores, with exact answers.

``tests/graph/test_store_investigation_properties.py`` checks that the two stores agree on
random graphs; here each method is pinned down on small graphs worked out by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.example import Story
from graph.exc import SchemaViolation
from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Direction, Edge, NodeRef
from graph.stores.base import GraphStore, Path

D2022 = date(2022, 1, 1)


def _e(i: int) -> NodeRef:
    return NodeRef("Enterprise", complete_uscc(f"91220100MA00000{i:02d}"))


def _p(i: int) -> NodeRef:
    return NodeRef("Person", complete_id_no(f"11010119900101{i:03d}"))


def _load(store: GraphStore, enterprises: int, persons: int, edges: list[Edge]) -> None:
    m = store.model
    store.upsert_nodes(m.make_node("Enterprise", {"uscc": _e(i).key}) for i in range(enterprises))
    store.upsert_nodes(m.make_node("Person", {"id_no": _p(i).key}) for i in range(persons))
    store.upsert_edges(edges)


def _share(store: GraphStore, src: NodeRef, dst: NodeRef, ratio: float | None) -> Edge:
    props = {} if ratio is None else {"ratio": ratio}
    return store.model.make_edge("SHAREHOLDER_OF", src, dst, props=props, source="t")


# -- get_nodes ---------------------------------------------------------------------------------
def test_get_nodes_returns_those_that_exist_by_uid(store: GraphStore, sample: Story) -> None:
    missing = NodeRef("Person", "110101199003070011x")
    nodes = store.get_nodes([sample.yi, missing, sample.jia, sample.jia])
    assert [n.ref for n in nodes] == [sample.jia, sample.yi]
    assert nodes[0].props["name"] == "甲运输有限公司"
    assert store.get_nodes([]) == []


# -- expand_capped -----------------------------------------------------------------------------
def test_expand_capped_counts_all_and_returns_the_first_by_uid(
    store: GraphStore, sample: Story
) -> None:
    [jia] = store.expand_capped([sample.jia], cap=2, as_of=D2022)
    # On 2022-01-01 王军 is no longer legal representative: li, truck, project, phone remain.
    assert jia.node == sample.jia
    assert (jia.total, jia.shown, jia.more) == (4, 2, 2)
    assert [r.node.ref for r in jia.neighbours] == [sample.phone, sample.li]
    assert [r.edge.type for r in jia.neighbours] == ["HAS_CONTACT", "LEGAL_REP_OF"]
    assert jia.neighbours[1].node.props["name"] == "李娜"
    [everything] = store.expand_capped([sample.jia], cap=10)
    assert everything.total == 5 and everything.more == 0


def test_expand_capped_exclude_drops_known_nodes_but_keeps_their_place(
    store: GraphStore, sample: Story
) -> None:
    [jia] = store.expand_capped([sample.jia], cap=2, as_of=D2022, exclude=[sample.phone])
    # The phone is still the first of the two shown; only 李娜 is returned.
    assert (jia.total, jia.shown, jia.more) == (4, 2, 2)
    assert [r.node.ref for r in jia.neighbours] == [sample.li]


def test_expand_capped_filters_and_orders_the_frontier(store: GraphStore, sample: Story) -> None:
    found = store.expand_capped(
        [sample.yi, sample.wang, sample.yi], cap=5, types=["LEGAL_REP_OF"], direction=Direction.OUT
    )
    assert [e.node for e in found] == [sample.yi, sample.wang]  # by uid, once each
    yi, wang = found
    assert [r.node.ref for r in wang.neighbours] == [sample.jia, sample.yi]
    assert yi.total == 0 and yi.neighbours == []  # yi has no outgoing LEGAL_REP_OF


def test_expand_capped_keeps_the_smallest_eid_of_parallel_relationships(
    store: GraphStore, sample: Story
) -> None:
    officer = store.model.make_edge("OFFICER_OF", sample.li, sample.yi, props={"role": "董事"})
    store.upsert_edges([officer])
    [li] = store.expand_capped([sample.li], cap=5, types=["OFFICER_OF", "SHAREHOLDER_OF"])
    assert li.total == 1
    share = next(e for e in sample.edges if e.type == "SHAREHOLDER_OF")
    assert li.neighbours[0].edge.eid == min(officer.eid, share.eid)


def test_expand_capped_ratio_above_applies_to_shareholdings_only(
    store: GraphStore, sample: Story
) -> None:
    [low] = store.expand_capped([sample.li], cap=5, as_of=D2022, ratio_above=0.5)
    [high] = store.expand_capped([sample.li], cap=5, as_of=D2022, ratio_above=0.6)
    assert sample.yi in [r.node.ref for r in low.neighbours]  # 60% > 50%
    assert sample.yi not in [r.node.ref for r in high.neighbours]  # not > 60%
    assert low.total - high.total == 1  # the other relationships do not carry a ratio


# -- expand_levels -------------------------------------------------------------------------------
def test_expand_levels_runs_the_capped_search_in_one_call(store: GraphStore, sample: Story) -> None:
    found = store.expand_levels(sample.jia, hops=2, cap=2, limit=100, as_of=D2022)
    assert found is not None and found.seed.ref == sample.jia
    first, second = found.levels
    assert [(e.node, e.total, e.shown) for e in first] == [(sample.jia, 4, 2)]
    assert [r.node.ref for r in first[0].neighbours] == [sample.phone, sample.li]
    # Level 2 expands the phone and 李娜; 甲运输 (seen) is never listed again.
    assert [e.node for e in second] == [sample.phone, sample.li]
    assert [[r.node.ref for r in e.neighbours] for e in second] == [[sample.bing], [sample.yi]]
    assert [(e.total, e.shown) for e in second] == [(2, 2), (3, 2)]


def test_expand_levels_stops_at_hops_limit_and_missing_seeds(
    store: GraphStore, sample: Story
) -> None:
    one = store.expand_levels(sample.jia, hops=1, cap=5, limit=100, as_of=D2022)
    assert one is not None and len(one.levels) == 1
    # Four nodes are known after level 1: more than a limit of 3, so no level 2.
    capped = store.expand_levels(sample.jia, hops=3, cap=5, limit=3, as_of=D2022)
    assert capped is not None and len(capped.levels) == 1
    lonely = store.expand_levels(sample.yi, hops=3, cap=5, limit=100, types=["BID_ON"])
    assert lonely is not None and [[e.total for e in lvl] for lvl in lonely.levels] == [[0]]
    assert store.expand_levels(NodeRef("Person", "x"), hops=2, cap=5, limit=10) is None


# -- k_shortest_paths ----------------------------------------------------------------------------
def _walks(paths: list[Path]) -> list[list[str]]:
    return [[n.key for n in p.nodes] for p in paths]


def test_k_shortest_paths_takes_the_next_length_when_asked(
    store: GraphStore, sample: Story
) -> None:
    s = sample
    one = store.k_shortest_paths(s.jia, s.yi, k=1, max_hops=4, as_of=D2022)
    assert _walks(one) == [[s.jia.key, s.li.key, s.yi.key]]
    assert [e.type for e in one[0].edges] == ["LEGAL_REP_OF", "SHAREHOLDER_OF"]
    three = store.k_shortest_paths(s.jia, s.yi, k=3, max_hops=4, as_of=D2022)
    # Length 3: through the truck, then 王军 (uid 1101…) before 李娜 (uid 3604…).
    assert _walks(three) == [
        [s.jia.key, s.li.key, s.yi.key],
        [s.jia.key, s.truck.key, s.wang.key, s.yi.key],
        [s.jia.key, s.truck.key, s.li.key, s.yi.key],
    ]
    assert store.k_shortest_paths(s.jia, s.yi, k=3, max_hops=1, as_of=D2022) == []
    assert store.k_shortest_paths(s.jia, s.jia, k=3, max_hops=4) == []


def test_k_shortest_paths_drops_trails_that_revisit_a_node(store: GraphStore) -> None:
    m = store.model
    # a - b directly; b = c by two relationships; d - c - ... so the 2nd length is a detour.
    a, b, c = _e(0), _e(1), _p(0)
    edges = [
        _share(store, a, b, 0.3),
        m.make_edge("OFFICER_OF", c, b, props={"role": "董事"}),
        m.make_edge("LEGAL_REP_OF", c, b),
    ]
    _load(store, 2, 1, edges)
    # Trails a-b (1 hop) and a-b-c-b (3 hops, twice); the detours are dropped.
    assert _walks(store.k_shortest_paths(a, b, k=2, max_hops=4)) == [[a.key, b.key]]
    assert _walks(store.k_shortest_paths(a, b, k=2, max_hops=4, types=["SHAREHOLDER_OF"])) == [
        [a.key, b.key]
    ]


def test_k_shortest_paths_respects_direction(store: GraphStore, sample: Story) -> None:
    s = sample
    out = store.k_shortest_paths(s.li, s.yi, k=2, max_hops=3, direction=Direction.OUT)
    assert _walks(out) == [[s.li.key, s.yi.key]]
    assert store.k_shortest_paths(s.yi, s.li, k=2, max_hops=3, direction=Direction.OUT) == []


# -- ownership -------------------------------------------------------------------------------------
def test_ownership_multiplies_along_chains_and_sums_over_them(store: GraphStore) -> None:
    target, mid, other = _e(0), _e(1), _e(2)
    wang, li = _p(0), _p(1)
    edges = [
        _share(store, mid, target, 0.6),
        _share(store, other, target, 0.4),
        _share(store, wang, mid, 0.5),
        _share(store, wang, other, 0.5),
        _share(store, li, mid, 0.5),
        _share(store, target, other, 0.1),  # a cross-holding: target holds 10% of other
    ]
    _load(store, 3, 2, edges)
    stakes = {s.party: s for s in store.ownership(target, upstream=True, max_hops=5)}
    assert set(stakes) == {mid, other, wang, li}
    assert stakes[mid].share == pytest.approx(0.6)
    assert stakes[wang].share == pytest.approx(0.6 * 0.5 + 0.4 * 0.5)
    assert stakes[li].share == pytest.approx(0.3)
    assert [[n.key for n in c.nodes] for c in stakes[wang].chains] == [
        [target.key, mid.key, wang.key],
        [target.key, other.key, wang.key],
    ]
    # Chains never pass a node twice, so target -> other -> target is no chain of its own.
    assert all(len(set(c.nodes)) == len(c.nodes) for s in stakes.values() for c in s.chains)
    below = {s.party: s.share for s in store.ownership(wang, upstream=False, max_hops=5)}
    assert below == pytest.approx({mid: 0.5, other: 0.5 + 0.5 * 0.1 * 0.6, target: 0.5})
    assert below[target] == pytest.approx(0.5 * 0.6 + 0.5 * 0.4)


def test_ownership_min_share_depth_and_missing_ratio(store: GraphStore) -> None:
    target, mid = _e(0), _e(1)
    wang, li = _p(0), _p(1)
    edges = [_share(store, mid, target, 0.2), _share(store, wang, mid, 0.5)]
    edges.append(_share(store, li, target, None))
    _load(store, 2, 2, edges)
    stakes = {s.party: s.share for s in store.ownership(target, upstream=True, max_hops=5)}
    assert stakes == pytest.approx({mid: 0.2, wang: 0.1, li: 0.0})
    pruned = store.ownership(target, upstream=True, max_hops=5, min_share=0.15)
    assert [s.party for s in pruned] == [mid]
    shallow = store.ownership(target, upstream=True, max_hops=1)
    assert [s.party for s in shallow] == sorted([mid, li], key=lambda r: r.uid)
    with pytest.raises(SchemaViolation):
        store.ownership(target, upstream=True, max_hops=2, via="NO_SUCH_TYPE")


def test_ownership_as_of(store: GraphStore) -> None:
    target, wang = _e(0), _p(0)
    m = store.model
    edges = [
        m.make_edge(
            "SHAREHOLDER_OF",
            wang,
            target,
            valid_from=date(2019, 1, 1),
            valid_to=date(2021, 1, 1),
            props={"ratio": 0.7},
        )
    ]
    _load(store, 1, 1, edges)
    assert [s.share for s in store.ownership(target, upstream=True, max_hops=2, as_of=D2022)] == []
    on = store.ownership(target, upstream=True, max_hops=2, as_of=date(2020, 1, 1))
    assert [s.share for s in on] == [0.7]


# -- shared_neighbours -----------------------------------------------------------------------------
def test_shared_neighbours_lists_the_others_of_each_intermediate(
    store: GraphStore, sample: Story
) -> None:
    [phone] = store.shared_neighbours(
        sample.jia, types=["HAS_CONTACT"], hub_threshold=5, as_of=D2022
    )
    assert phone.via.ref == sample.phone and phone.via.props["value"] == "13800138000"
    assert [e.type for e in phone.mine] == ["HAS_CONTACT"]
    assert phone.total == 1 and not phone.hub
    [(other, edges)] = phone.others
    assert other == sample.bing and [e.src for e in edges] == [sample.bing]


def test_shared_neighbours_reports_a_hub_without_listing_it(
    store: GraphStore, sample: Story
) -> None:
    [phone] = store.shared_neighbours(
        sample.jia, types=["HAS_CONTACT"], hub_threshold=0, as_of=D2022
    )
    assert phone.hub and phone.total == 1 and phone.others == []


def test_shared_neighbours_include_ended_keeps_former_ties(
    store: GraphStore, sample: Story
) -> None:
    types = ["LEGAL_REP_OF"]
    now = store.shared_neighbours(sample.jia, types=types, hub_threshold=5, as_of=D2022)
    assert [(s.via.ref, s.total) for s in now] == [(sample.li, 0)]
    past = store.shared_neighbours(
        sample.jia, types=types, hub_threshold=5, as_of=D2022, include_ended=True
    )
    # 王军 (uid 1101…) left 甲运输 on 2021-06-01 and has represented 乙物流 since.
    assert [(s.via.ref, s.total) for s in past] == [(sample.wang, 1), (sample.li, 0)]
    assert past[0].mine[0].valid_to == date(2021, 6, 1)
    assert [o for o, _ in past[0].others] == [sample.yi]
    before = store.shared_neighbours(
        sample.jia, types=types, hub_threshold=5, as_of=date(2019, 1, 1), include_ended=True
    )
    assert before == []  # nothing had begun yet


# -- with_suffix and edge_endpoints ------------------------------------------------------------
def test_with_suffix_finds_values_ending_alike(store: GraphStore) -> None:
    m = store.model
    values = ["a@jia-logistics.cn", "b@jia-logistics.cn", "c@qq.com", "d@xjia-logistics.cn"]
    store.upsert_nodes(m.make_node("Contact", {"channel": "email", "value": v}) for v in values)
    found = store.with_suffix("Contact", "value", "@jia-logistics.cn", limit=10)
    assert [r.key for r in found] == ["email|a@jia-logistics.cn", "email|b@jia-logistics.cn"]
    assert len(store.with_suffix("Contact", "value", "@jia-logistics.cn", limit=1)) == 1
    with pytest.raises(SchemaViolation):
        store.with_suffix("Contact", "nonsense", "x", limit=1)


def test_edge_endpoints_filters_by_type_date_and_ratio(store: GraphStore, sample: Story) -> None:
    reps = sorted(store.edge_endpoints(types=["LEGAL_REP_OF"], as_of=D2022))
    assert reps == sorted([(sample.wang, sample.yi), (sample.li, sample.jia)])
    assert len(list(store.edge_endpoints())) == len(sample.edges)
    shares = list(store.edge_endpoints(types=["SHAREHOLDER_OF", "OWNS"], ratio_above=0.6))
    assert shares == [(sample.li, sample.truck)]  # 60% is not above 60%
