"""The store contract: every test runs on the memory store and on a real Neo4j."""

from __future__ import annotations

from datetime import date

import pytest

from graph.example import Story, build_story
from graph.exc import SchemaViolation
from graph.model import Direction, Edge, NodeRef
from graph.stores.base import GraphStore


def _types(edges: list[Edge]) -> list[tuple[str, str, str]]:
    return sorted((e.type, e.src.key, e.dst.key) for e in edges)


def test_counts_after_loading_the_story(store: GraphStore, sample: Story) -> None:
    counts = store.counts()
    assert counts.nodes == {
        "Enterprise": 3,
        "Person": 2,
        "Vehicle": 1,
        "Project": 1,
        "Contact": 1,
    }
    assert counts.total_edges == 11
    assert counts.edges["LEGAL_REP_OF"] == 3
    assert counts.edges["BID_ON"] == 2
    assert counts.edges["ASSOCIATE_OF"] == 0


def test_reupserting_changes_nothing(store: GraphStore, sample: Story) -> None:
    before = (store.counts(), store.get_node(sample.wang), store.expand([sample.wang]))
    story = build_story(store.model)
    store.upsert_nodes(story.nodes)
    store.upsert_edges(story.edges)
    assert (store.counts(), store.get_node(sample.wang), store.expand([sample.wang])) == before


def test_node_round_trip_keeps_types_and_derived_labels(store: GraphStore, sample: Story) -> None:
    jia = store.get_node(sample.jia)
    assert jia is not None
    assert jia.props == {
        "uscc": "91110000600037341L",
        "name": "甲运输有限公司",
        "kind": "道路运输企业",
        "established": date(2015, 4, 1),
    }
    wang = store.get_node(sample.wang)
    assert wang is not None
    # LEGAL_REP_OF labels its source LegalRepresentative; DRIVES labels it Practitioner.
    assert wang.labels == ("LegalRepresentative", "Practitioner")
    truck = store.get_node(sample.truck)
    assert truck is not None and truck.key == "吉A12345|2"


def test_missing_node_is_none(store: GraphStore) -> None:
    assert store.get_node(NodeRef("Enterprise", "91110000600037341L")) is None


def test_upsert_merges_properties(store: GraphStore, sample: Story) -> None:
    m = store.model
    store.upsert_nodes([m.make_node("Enterprise", {"uscc": sample.jia.key, "region": "吉林省"})])
    jia = store.get_node(sample.jia)
    assert jia is not None
    assert jia.props["name"] == "甲运输有限公司" and jia.props["region"] == "吉林省"


def test_edge_round_trip(store: GraphStore, sample: Story) -> None:
    [share] = store.expand([sample.li], types=["SHAREHOLDER_OF"])
    assert share.props == {"ratio": 0.6}
    assert share.valid_from == date(2018, 1, 1) and share.valid_to is None
    assert share.source == "fixture:story"
    assert share == next(e for e in sample.edges if e.type == "SHAREHOLDER_OF")


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (
            None,
            [
                ("DRIVES", "110101199003070011", "吉A12345|2"),
                ("LEGAL_REP_OF", "110101199003070011", "91110000600037341L"),
                ("LEGAL_REP_OF", "110101199003070011", "91310115MA1K3BTP2B"),
            ],
        ),
        (date(2019, 6, 1), [("LEGAL_REP_OF", "110101199003070011", "91110000600037341L")]),
        # Half-open validity: on 2021-06-01 he is already at 乙物流, no longer at 甲运输.
        (
            date(2021, 6, 1),
            [
                ("DRIVES", "110101199003070011", "吉A12345|2"),
                ("LEGAL_REP_OF", "110101199003070011", "91310115MA1K3BTP2B"),
            ],
        ),
    ],
)
def test_expand_as_of(
    store: GraphStore, sample: Story, as_of: date | None, expected: list[tuple[str, str, str]]
) -> None:
    assert _types(store.expand([sample.wang], as_of=as_of)) == expected


def test_expand_by_type_and_direction(store: GraphStore, sample: Story) -> None:
    incoming = store.expand([sample.truck], direction=Direction.IN)
    assert [e.type for e in incoming] and all(e.dst == sample.truck for e in incoming)
    assert store.expand([sample.truck], direction=Direction.OUT) == []
    owned = store.expand([sample.truck], types=["OWNS"], direction=Direction.IN)
    assert _types(owned) == [("OWNS", "360426199101010071", "吉A12345|2")]


def test_unknown_relationship_type_is_refused(store: GraphStore, sample: Story) -> None:
    with pytest.raises(SchemaViolation, match="unknown relationship type"):
        store.expand([sample.jia], types=["KNOWS`]->() DETACH DELETE n //"])


def test_neighbourhood_distances(store: GraphStore, sample: Story) -> None:
    hood = store.neighbourhood([sample.jia], hops=2, as_of=date(2020, 6, 1))
    by_name = dict(hood.distances.items())
    assert by_name == {
        sample.jia: 0,
        sample.wang: 1,
        sample.truck: 1,
        sample.project: 1,
        sample.phone: 1,
        sample.li: 2,
        sample.bing: 2,
    }
    assert not hood.truncated


def test_neighbourhood_respects_types_and_direction(store: GraphStore, sample: Story) -> None:
    hood = store.neighbourhood(
        [sample.li], hops=3, types=["SHAREHOLDER_OF", "LEGAL_REP_OF"], direction=Direction.OUT
    )
    assert hood.distances == {sample.li: 0, sample.yi: 1, sample.jia: 1}


def test_neighbourhood_limit_truncates(store: GraphStore, sample: Story) -> None:
    hood = store.neighbourhood([sample.jia], hops=3, limit=3)
    assert len(hood.distances) == 3 and hood.truncated
    assert hood.distances[sample.jia] == 0


def test_subgraph(store: GraphStore, sample: Story) -> None:
    sub = store.subgraph([sample.jia, sample.li, sample.wang, NodeRef("Project", "nope")])
    assert [n.ref for n in sub.nodes] == sorted(
        [sample.jia, sample.li, sample.wang], key=lambda r: r.uid
    )
    assert _types(sub.edges) == [
        ("LEGAL_REP_OF", "110101199003070011", "91110000600037341L"),
        ("LEGAL_REP_OF", "360426199101010071", "91110000600037341L"),
    ]
    later = store.subgraph([sample.jia, sample.li, sample.wang], as_of=date(2020, 1, 1))
    assert _types(later.edges) == [("LEGAL_REP_OF", "110101199003070011", "91110000600037341L")]


def test_shortest_paths_all_of_equal_length(store: GraphStore, sample: Story) -> None:
    paths = store.shortest_paths(sample.jia, sample.yi, max_hops=4)
    assert [p.nodes for p in paths] == sorted(
        [[sample.jia, sample.wang, sample.yi], [sample.jia, sample.li, sample.yi]],
        key=lambda ns: tuple(n.uid for n in ns),
    )
    assert all(len(p.edges) == 2 for p in paths)


def test_shortest_paths_as_of_and_types(store: GraphStore, sample: Story) -> None:
    [path] = store.shortest_paths(sample.jia, sample.yi, max_hops=4, as_of=date(2022, 1, 1))
    assert path.nodes == [sample.jia, sample.li, sample.yi]
    assert [e.type for e in path.edges] == ["LEGAL_REP_OF", "SHAREHOLDER_OF"]
    # In 2020 neither person links them directly: the way runs through the 挂靠 truck.
    [old] = store.shortest_paths(sample.jia, sample.yi, max_hops=4, as_of=date(2020, 1, 1))
    assert old.nodes == [sample.jia, sample.truck, sample.li, sample.yi]
    none = store.shortest_paths(sample.jia, sample.yi, max_hops=4, types=["BID_ON", "HAS_CONTACT"])
    assert none == []
    too_short = store.shortest_paths(sample.jia, sample.yi, max_hops=1)
    assert too_short == []


def test_shortest_paths_directed(store: GraphStore, sample: Story) -> None:
    [path] = store.shortest_paths(sample.li, sample.yi, max_hops=3, direction=Direction.OUT)
    assert path.nodes == [sample.li, sample.yi]
    assert store.shortest_paths(sample.yi, sample.li, max_hops=3, direction=Direction.OUT) == []


def test_edge_with_missing_endpoint_is_skipped(store: GraphStore, sample: Story) -> None:
    m = store.model
    ghost = NodeRef("Person", "440113201410050019")
    assert store.upsert_edges([m.make_edge("LEGAL_REP_OF", ghost, sample.jia)]) == 0
    assert store.counts().total_edges == 11


def test_clear(store: GraphStore, sample: Story) -> None:
    store.clear()
    counts = store.counts()
    assert counts.total_nodes == 0 and counts.total_edges == 0
