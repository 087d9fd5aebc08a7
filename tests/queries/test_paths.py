"""paths(): k shortest paths explained, on the paths_explained case."""

from __future__ import annotations

from datetime import date

import pytest

from graph.exc import NotFound, SchemaViolation
from graph.model import Direction
from graph.stores.base import GraphStore
from queries.paths import PathsResult, paths
from tests.fixtures.cases import Case, load_case

ON = date(2022, 1, 1)


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "paths_explained")


def _walks(case: Case, result: PathsResult) -> list[list[str]]:
    return [[case.alias(n.uid) for n in p.nodes] for p in result.paths]


def test_the_shortest_path_reads_as_a_sentence(store: GraphStore, case: Case) -> None:
    result = paths(store, case["a"], case["b"], k=1, as_of=ON)
    [path] = result.paths
    assert path.length == 2 and _walks(case, result) == [["a", "wang", "b"]]
    assert path.text == (
        "王某 has been legal representative of A运输 since 2019-03-01; "
        "王某 holds 60% of B物流 since 2018-01-01"
    )
    assert [s.type for s in path.steps] == ["LEGAL_REP_OF", "SHAREHOLDER_OF"]


def test_k_paths_take_the_next_lengths(store: GraphStore, case: Case) -> None:
    result = paths(store, case["a"], case["b"], k=3, as_of=ON)
    assert _walks(case, result) == [
        ["a", "wang", "b"],
        ["a", "truck", "zhao", "b"],
        ["a", "phone", "c", "li", "b"],
    ]
    assert result.paths[1].text == (
        "A运输 operates vehicle 吉B54321; 赵某 owns vehicle 吉B54321; "
        "赵某 has been employed by B物流 as 驾驶员"
    )
    assert result.paths[2].steps[-1].text == "李某 has been 董事 of B物流"


def test_as_of_changes_the_paths(store: GraphStore, case: Case) -> None:
    then = paths(store, case["a"], case["b"], k=2, as_of=date(2017, 1, 1))
    assert _walks(case, then) == [["a", "qian", "b"], ["a", "truck", "zhao", "b"]]
    ever = paths(store, case["a"], case["b"], k=1)
    # Regardless of time both 2-hop paths exist; 王某 (uid 1101…0003) sorts before 钱某.
    assert _walks(case, ever) == [["a", "wang", "b"]]
    assert ever.paths[0].steps[0].text.startswith("王某 has been legal representative")
    ended = paths(store, case["a"], case["b"], k=2, as_of=None).paths[1]
    assert (
        ended.steps[0].text
        == "钱某 was legal representative of A运输 from 2015-01-01 until 2018-01-01"
    )


def test_types_max_hops_and_direction(store: GraphStore, case: Case) -> None:
    types = ["HAS_CONTACT", "LEGAL_REP_OF", "OFFICER_OF"]
    result = paths(store, case["a"], case["b"], k=3, types=types, as_of=ON)
    assert _walks(case, result) == [["a", "phone", "c", "li", "b"]]
    assert paths(store, case["a"], case["b"], types=types, max_hops=3, as_of=ON).paths == []
    out = paths(store, case["wang"], case["b"], k=3, direction=Direction.OUT, as_of=ON)
    assert _walks(case, out) == [["wang", "b"]]
    assert paths(store, case["b"], case["wang"], direction=Direction.OUT, as_of=ON).paths == []


def test_bad_requests(store: GraphStore, case: Case) -> None:
    with pytest.raises(SchemaViolation):
        paths(store, case["a"], case["a"])
    with pytest.raises(SchemaViolation):
        paths(store, case["a"], case["b"], k=0)
    with pytest.raises(NotFound):
        paths(store, case["a"], "Person:110101199003070011")
