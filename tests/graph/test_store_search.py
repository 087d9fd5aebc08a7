"""Contract of ``GraphStore.search_nodes`` (search by name), on both stores."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.example import Story
from graph.exc import SchemaViolation
from graph.stores.base import GraphStore


def _uids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.node.ref.uid for hit in hits]


def test_exact_name_comes_first_with_full_score(store: GraphStore, sample: Story) -> None:
    hits = store.search_nodes("甲运输有限公司")
    assert hits[0].node.ref == sample.jia
    assert hits[0].score == 100.0
    assert hits[0].node == store.get_node(sample.jia)


def test_part_of_a_name_finds_the_whole(store: GraphStore, sample: Story) -> None:
    hits = store.search_nodes("甲运输")
    assert _uids(hits)[0] == sample.jia.uid
    assert 60 <= hits[0].score < 100


def test_persons_are_found_by_name(store: GraphStore, sample: Story) -> None:
    hits = store.search_nodes("王军")
    assert _uids(hits) == [sample.wang.uid]
    assert hits[0].node.props["id_no"] == "110101199003070011"


def test_kinds_filter(store: GraphStore, sample: Story) -> None:
    assert store.search_nodes("王军", kinds=["Enterprise"]) == []
    assert _uids(store.search_nodes("王军", kinds=["Person", "Enterprise"])) == [sample.wang.uid]
    # Vehicles and contacts have no name: nothing to search.
    assert store.search_nodes("吉A12345", kinds=["Vehicle"]) == []


def test_unknown_kind_is_refused(store: GraphStore, sample: Story) -> None:
    with pytest.raises(SchemaViolation):
        store.search_nodes("王军", kinds=["Company"])


def test_ties_are_ordered_by_uid_and_limit_applies(store: GraphStore, sample: Story) -> None:
    hits = store.search_nodes("有限公司", kinds=["Enterprise"], limit=10)
    # 甲运输有限公司 and 乙物流有限公司 contain the query equally; 丙建材商行 does not.
    assert _uids(hits) == sorted([sample.jia.uid, sample.yi.uid])
    assert hits[0].score == hits[1].score
    assert _uids(store.search_nodes("有限公司", kinds=["Enterprise"], limit=1)) == [sample.jia.uid]


def test_scores_are_descending_and_bounded(store: GraphStore, sample: Story) -> None:
    hits = store.search_nodes("运输 物流", limit=10)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_nothing_matches(store: GraphStore, sample: Story) -> None:
    assert store.search_nodes("   ") == []
    assert store.search_nodes("Zyxwvut") == []


def test_empty_store(store: GraphStore) -> None:
    assert store.search_nodes("甲运输") == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(min_size=1, max_size=30))
def test_any_text_is_a_plain_query(store: GraphStore, sample: Story, text: str) -> None:
    # Lucene syntax in user text ("AND", quotes, wildcards, brackets) is never interpreted.
    hits = store.search_nodes(text, limit=3)
    assert len(hits) <= 3
    assert all(hit.score >= 60 for hit in hits)
