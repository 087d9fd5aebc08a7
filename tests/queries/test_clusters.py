"""clusters(): affiliate groups, hubs, Louvain splits, around one entity."""

from __future__ import annotations

from datetime import date

import pytest

from graph.stores.base import GraphStore
from queries.clusters import ClustersResult, clusters
from queries.config import InvestigationConfig, load_config
from tests.fixtures.cases import Case, load_case

ON = date(2022, 1, 1)


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "affiliate_clusters")


def _config(**changes: object) -> InvestigationConfig:
    base = load_config()
    return base.model_copy(update={"clusters": base.clusters.model_copy(update=changes)})


def _groups(case: Case, result: ClustersResult) -> list[list[str]]:
    return [[case.alias(m.uid) for m in c.members] for c in result.clusters]


def test_components_by_control_representation_and_office(store: GraphStore, case: Case) -> None:
    result = clusters(store, as_of=ON, config=_config(hub_threshold=3))
    assert _groups(case, result) == [
        ["e11", "e12", "e13", "e14", "e15", "e16"],
        ["e1", "e2", "e3"],
    ]
    # 陈二 left E5 in 2021; 孙八 ties four companies: a hub; E6's 10% is no control.
    assert [(case.alias(h.entity.uid), h.ties) for h in result.hubs] == [("sun", 4)]
    first, second = result.clusters
    assert [case.alias(t.uid) for t in second.ties] == ["liu"]
    assert [m.name for m in second.listed] == ["三号"]
    assert second.credit[case["e3"].uid].state == "listed"
    assert result.components == 2 and not first.community


def test_dates_and_thresholds_change_the_groups(store: GraphStore, case: Case) -> None:
    then = clusters(store, as_of=date(2019, 1, 1), config=_config(hub_threshold=3))
    assert ["e4", "e5"] in _groups(case, then)
    wide = clusters(store, as_of=ON, config=_config(hub_threshold=10))
    assert ["e7", "e8", "e9", "e10"] in _groups(case, wide)
    loose = clusters(store, as_of=ON, config=_config(hub_threshold=3, control_ratio=0.05))
    assert ["e1", "e2", "e3", "e6"] in _groups(case, loose)
    assert (
        clusters(store, as_of=ON, min_size=4, config=_config(hub_threshold=3)).clusters[0].size == 6
    )


def test_large_components_are_split_into_louvain_communities(store: GraphStore, case: Case) -> None:
    result = clusters(store, as_of=ON, config=_config(hub_threshold=3, split_above=3))
    assert _groups(case, result) == [
        ["e1", "e2", "e3"],
        ["e11", "e12", "e13"],
        ["e14", "e15", "e16"],
    ]
    assert [c.community for c in result.clusters] == [False, True, True]
    assert result.components == 2


def test_around_one_entity(store: GraphStore, case: Case) -> None:
    config = _config(hub_threshold=3, split_above=3)
    mine = clusters(store, around=case["e12"], as_of=ON, config=config)
    assert mine.around is not None and mine.around.name == "十二号"
    # The seed's community first, then the sibling community of the same component.
    assert _groups(case, mine) == [["e11", "e12", "e13"], ["e14", "e15", "e16"]]
    assert clusters(store, around=case["e6"], as_of=ON, config=config).clusters == []
    nominee = clusters(store, around=case["e7"], as_of=ON, config=config)
    assert nominee.clusters == [] and [h.ties for h in nominee.hubs] == [4]
    capped = clusters(store, around=case["e1"], as_of=ON, config=_config(max_component=3))
    assert capped.truncated
