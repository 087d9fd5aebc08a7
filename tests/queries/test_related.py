"""related(): distances, paths, hubs, limits and credit state on the related_hub case."""

from __future__ import annotations

from datetime import date

import pytest

from graph.exc import NotFound, SchemaViolation
from graph.model import Direction
from graph.stores.base import GraphStore
from queries.related import related
from tests.fixtures.cases import Case, load_case

ON = date(2021, 1, 1)


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "related_hub")


def _found(case: Case, result: object) -> list[tuple[str, int]]:
    return [(case.alias(e.entity.uid), e.distance) for e in result.entities]  # type: ignore[attr-defined]


def test_two_hops_with_a_hub_capped(store: GraphStore, case: Case) -> None:
    result = related(store, case["jia"], hops=2, as_of=ON, per_node_cap=3)
    # Level 1: address, 王军, truck.  Level 2: the address shows jia, e1, e2 of its 7 users;
    # 王军 leads to 乙物流; the truck to its current driver only.
    assert _found(case, result) == [
        ("agent", 1),
        ("wang", 1),
        ("truck", 1),
        ("yi", 2),
        ("e1", 2),
        ("e2", 2),
        ("zhao", 2),
    ]
    [hub] = result.hubs
    assert (case.alias(hub.entity.uid), hub.distance, hub.shown, hub.total, hub.more) == (
        "agent",
        1,
        3,
        7,
        4,
    )
    assert not result.truncated
    assert result.seed.name == "甲运输有限公司" and result.credit.state == "clean"


def test_each_entity_carries_its_path_and_credit_state(store: GraphStore, case: Case) -> None:
    result = related(store, case["jia"], hops=2, as_of=ON, per_node_cap=3)
    yi = next(e for e in result.entities if e.entity.uid == case["yi"].uid)
    assert [s.text for s in yi.via] == [
        "王军 has been legal representative of 甲运输有限公司 since 2019-03-01",
        "王军 has been legal representative of 乙物流有限公司 since 2020-05-01",
    ]
    assert yi.via[0].source == "related_hub"
    assert yi.credit.state == "listed"
    assert {e.credit.state for e in result.entities if e.entity.uid != case["yi"].uid} == {"clean"}
    # Before the listing was decided, 乙物流 was clean.
    earlier = related(store, case["jia"], hops=2, as_of=date(2020, 5, 15), per_node_cap=3)
    assert next(e for e in earlier.entities if e.entity.uid == case["yi"].uid).credit.state == (
        "clean"
    )


def test_limit_truncates_in_a_stable_order(store: GraphStore, case: Case) -> None:
    result = related(store, case["jia"], hops=2, as_of=ON, per_node_cap=3, limit=4)
    assert _found(case, result) == [("agent", 1), ("wang", 1), ("truck", 1), ("e1", 2)]
    assert result.truncated


def test_types_direction_and_dates_filter_the_expansion(store: GraphStore, case: Case) -> None:
    reps = related(store, case["jia"], hops=2, types=["LEGAL_REP_OF"], as_of=ON)
    assert _found(case, reps) == [("wang", 1), ("yi", 2)]
    assert reps.types == ["LEGAL_REP_OF"]
    out = related(store, case["jia"], hops=3, direction=Direction.OUT, as_of=ON)
    assert _found(case, out) == [("agent", 1), ("truck", 1)]
    anytime = related(store, case["truck"], hops=1)
    assert _found(case, anytime) == [("jia", 1), ("zhao", 1), ("qian", 1)]
    before = related(store, case["jia"], hops=1, as_of=date(2019, 1, 1))
    assert _found(case, before) == [("agent", 1), ("truck", 1)]  # 王军 from 2019-03-01


def test_keys_resolve_and_bad_requests_fail(store: GraphStore, case: Case) -> None:
    by_uscc = related(store, case["jia"].key, hops=1, as_of=ON)
    by_uid = related(store, case["jia"].uid, hops=1, as_of=ON)
    assert by_uscc == by_uid
    with pytest.raises(NotFound):
        related(store, "Enterprise:91110000600037341L", hops=1)
    with pytest.raises(SchemaViolation):
        related(store, "no such thing", hops=1)
    with pytest.raises(SchemaViolation):
        related(store, case["jia"], hops=9)
    with pytest.raises(SchemaViolation):
        related(store, case["jia"], hops=1, types=["NOT_A_TYPE"])
