"""Views of query answers, on both stores: exactly the answer's entities and relationships,
coloured by the credit state of that date, with the reasons behind each colour."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import NodeRef
from graph.stores.base import GraphStore, Subgraph
from queries.affected import affected
from queries.clusters import clusters
from queries.common import credit_of
from queries.paths import paths
from queries.related import related
from tests.viz.network import ON, Decided
from viz.view import EdgeNote, NodeStatus, ViewNode, edge_id, findings_view
from viz.views import affected_view, cluster_view, paths_view, related_view


def _states(view_nodes: list[ViewNode]) -> dict[str, str]:
    return {n.uid: n.state for n in view_nodes}


def test_related_view_is_the_answer(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    result = related(store, story.jia, hops=3, as_of=ON)
    view = related_view(store, result)

    assert {n.uid for n in view.nodes} == {result.seed.uid} | {
        e.entity.uid for e in result.entities
    }
    steps = {(s.type, s.src, s.dst, s.valid_from) for e in result.entities for s in e.via}
    assert {(e.type, e.src, e.dst, e.valid_from) for e in view.edges} == steps
    assert len(view.edges) == len(result.entities)  # one "reached by" step per entity
    assert [n.uid for n in view.nodes if n.focus] == [story.jia.uid]
    credit = credit_of(store, [NodeRef.from_uid(n.uid) for n in view.nodes], ON)
    assert _states(view.nodes) == {ref.uid: c.state for ref, c in credit.items()}
    assert _states(view.nodes)[story.truck.uid] == "listed"
    assert _states(view.nodes)[story.jia.uid] == "affected"
    assert _states(view.nodes)[story.yi.uid] == "red_list"


def test_reasons_carry_measure_basis_term_and_path(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    view = related_view(store, related(store, story.jia, hops=3, as_of=ON))
    by_uid = {n.uid: n for n in view.nodes}

    [truck_why] = by_uid[story.truck.uid].why
    assert (truck_why.measure, truck_why.status, truck_why.decision_no) == (
        "S-OVERLOAD-VEHICLE",
        "in_force",
        "吉交罚〔2021〕9号",
    )
    assert "公路安全保护条例 第66条" in truck_why.legal_basis
    assert (truck_why.start, truck_why.end, truck_why.term) == (
        date(2021, 4, 1),
        date(2022, 4, 1),
        "P1Y",
    )
    wang = {w.measure: w for w in by_uid[story.wang.uid].why}
    assert set(wang) == {"S-OFFICE-BAN", "S-OVERLOAD-DRIVER"}
    assert wang["S-OFFICE-BAN"].path == [
        "甲运输有限公司 operates vehicle 吉A12345 (rule S-OVERLOAD-VEHICLE.operating_company, "
        "evaluated on 2021-03-01)",
        "王军 has been legal representative of 甲运输有限公司 since 2019-03-01 (rule "
        "S-OVERLOAD-ENTERPRISE.legal_representative, evaluated on 2021-03-01)",
    ]
    [red] = by_uid[story.yi.uid].why
    assert (red.source_kind, red.title, red.decision_no) == (
        "list_entry",
        "红名单 red_list",
        "交办水〔2020〕1号",
    )
    assert by_uid[story.bing.uid].why == []


def test_related_view_keeps_hubs_and_the_limit(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    result = related(store, story.jia, hops=2, as_of=ON, per_node_cap=2, limit=3)
    view = related_view(store, result)
    assert result.hubs and result.truncated
    assert {n.uid: n.more for n in view.nodes if n.more} == {
        h.entity.uid: h.more for h in result.hubs
    }
    assert any("entity limit" in line for line in view.left_out)
    assert sum("Hub " in line for line in view.left_out) == len(result.hubs)


def test_paths_view_is_the_answer(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    result = paths(store, story.bing, story.yi, k=3, as_of=date(2021, 7, 1))
    view = paths_view(store, result)
    assert result.paths
    assert {n.uid for n in view.nodes} == {e.uid for p in result.paths for e in p.nodes}
    steps = {(s.type, s.src, s.dst, s.valid_from) for p in result.paths for s in p.steps}
    assert {(e.type, e.src, e.dst, e.valid_from) for e in view.edges} == steps
    assert {n.uid for n in view.nodes if n.focus} == {story.bing.uid, story.yi.uid}
    first = result.paths[0].steps[0]
    edge = next(
        e
        for e in view.edges
        if e.eid == edge_id(first.type, first.src, first.dst, first.valid_from)
    )
    assert first.text in edge.notes and any(note.startswith("on path 1") for note in edge.notes)


def test_paths_view_without_a_path_says_so(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    result = paths(store, story.bing, story.yi, max_hops=1)
    view = paths_view(store, result)
    assert [n.uid for n in view.nodes] == [story.bing.uid, story.yi.uid] and view.edges == []
    assert view.left_out == ["No path of at most 1 relationships joins them."]


def test_affected_view_is_the_answer(store: GraphStore, decided: Decided) -> None:
    result = affected(store, decided.decision_id, as_of=ON)
    view = affected_view(store, result)
    story = decided.story
    subjects = {m.subject.uid for m in result.measures}
    on_paths = {r.uid for m in result.measures for s in m.path for r in (s.src, s.dst)}
    assert {n.uid for n in view.nodes} == subjects | on_paths
    assert {e.eid for e in view.edges} == {
        s.eid or edge_id(s.relationship, s.src.uid, s.dst.uid, s.valid_from)
        for m in result.measures
        for s in m.path
    }
    by_uid = {n.uid: n for n in view.nodes}
    assert by_uid[story.truck.uid].focus and by_uid[story.truck.uid].state == "listed"
    # This decision's measures come first among the reasons, each exactly once.
    wang = [w.measure or "" for w in by_uid[story.wang.uid].why]
    assert sorted(wang) == ["S-OFFICE-BAN", "S-OVERLOAD-DRIVER"]
    assert "吉交罚〔2021〕9号" in view.title and "is in force on 2021-05-01" in view.question


def test_affected_view_after_expiry(store: GraphStore, decided: Decided) -> None:
    view = affected_view(store, affected(store, decided.decision_id, as_of=date(2022, 5, 1)))
    by_uid = {n.uid: n for n in view.nodes}
    truck = by_uid[decided.story.truck.uid]
    assert truck.state == "clean"  # the listing ended on 2022-04-01
    assert [w.status for w in truck.why] == ["expired"]  # the decision still explains it


def test_cluster_view_draws_the_ties(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    result = clusters(store, around=story.jia, as_of=date(2021, 7, 1))
    view = cluster_view(store, result)
    [cluster] = result.clusters
    assert {n.uid for n in view.nodes} == {e.uid for e in (*cluster.members, *cluster.ties)}
    # 李娜 is legal representative of 甲运输 and holds 60 % (> 50 %) of 乙物流: both are ties.
    assert {(e.type, e.src, e.dst) for e in view.edges} == {
        ("LEGAL_REP_OF", story.li.uid, story.jia.uid),
        ("SHAREHOLDER_OF", story.li.uid, story.yi.uid),
        ("LEGAL_REP_OF", story.wang.uid, story.yi.uid),
    }


def test_cluster_view_of_an_entity_in_no_group(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    view = cluster_view(store, clusters(store, around=story.bing, as_of=date(2021, 7, 1)))
    assert [n.uid for n in view.nodes] == [story.bing.uid] and view.edges == []
    assert view.left_out == [
        "丙建材商行 belongs to no group of at least two enterprises tied by control, legal "
        "representatives, principals or officers."
    ]


def test_findings_view_takes_any_subgraph(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    sub = store.subgraph([story.jia, story.bing, story.phone, story.project])
    shared = next(e for e in sub.edges if e.type == "HAS_CONTACT" and e.src == story.bing)
    view = findings_view(
        sub,
        {story.jia.uid: NodeStatus(state="affected", focus=True, facts=["bidder 1"])},
        {shared.eid: EdgeNote(notes=["shared phone (advisory)"], emphasis=True)},
        title="投标审查 · Bidding check",
        question="May 甲运输 and 丙建材 bid on JL-2024-001?",
        as_of=date(2024, 5, 28),
        credit_on=date(2024, 5, 28),
    )
    assert len(view.nodes) == 4 and len(view.edges) == len(sub.edges) == 4
    assert [e.notes for e in view.edges if e.emphasis] == [["shared phone (advisory)"]]


def test_a_view_refuses_edges_that_leave_it(store: GraphStore, decided: Decided) -> None:
    story = decided.story
    sub = store.subgraph([story.jia, story.phone])
    with pytest.raises(ValueError, match="leaves the view"):
        findings_view(
            Subgraph(nodes=sub.nodes[:1], edges=sub.edges),
            {},
            title="t",
            question="q",
            as_of=None,
            credit_on=ON,
        )
