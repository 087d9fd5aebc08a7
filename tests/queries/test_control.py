"""control(): effective shares, beneficial owners, the actual controller, and the reverse."""

from __future__ import annotations

from datetime import date

import pytest

from graph.stores.base import GraphStore
from queries.config import load_config
from queries.control import ControlResult, control
from tests.fixtures.cases import Case, load_case


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "control_pyramid")


def _stakes(case: Case, result: ControlResult) -> dict[str, tuple[float, bool, bool, bool]]:
    return {
        case.alias(s.party.uid): (s.share, s.controls, s.beneficial_owner, s.ultimate)
        for s in result.stakes
    }


def test_pyramid_shares_owners_and_controller(store: GraphStore, case: Case) -> None:
    result = control(store, case["t"])
    assert _stakes(case, result) == {
        "h1": (0.6, True, False, False),
        "h2": (0.4, False, False, False),
        "zhang": (0.54, True, True, True),
        "wang": (0.28, False, True, True),
        "li": (0.18, False, False, True),
    }
    assert [s.party.name for s in result.stakes] == ["控股一", "张三", "控股二", "王五", "李四"]
    assert [e.name for e in result.actual_controller] == ["张三"]
    assert result.basis == "张三 controls 目标公司 with an effective 54% (above 50%)"
    zhang = next(s for s in result.stakes if s.party.name == "张三")
    assert [(c.share, c.majority) for c in zhang.chains] == [(0.42, True), (0.12, False)]
    assert zhang.chains[0].text == "控股一 holds 60% of 目标公司; 张三 holds 70% of 控股一"
    assert zhang.direct is None and result.stakes[0].direct == 0.6


def test_declared_controller_wins_and_dates_apply(store: GraphStore, case: Case) -> None:
    result = control(store, case["t2"], as_of=date(2022, 1, 1))
    assert _stakes(case, result) == {"wang": (0.2, False, False, True)}
    [declared] = result.declared
    assert declared.controller.name == "王五" and declared.step.source == "工商年报2023"
    assert [e.name for e in result.actual_controller] == ["王五"]
    assert result.basis == "declared by 工商年报2023 (ACTUAL_CONTROLLER_OF)"
    # In 2019 李四 held 80%: control by share, but the declaration (undated) still stands.
    then = control(store, case["t2"], as_of=date(2019, 1, 1))
    assert _stakes(case, then)["li"] == (0.8, True, True, True)
    assert [e.name for e in then.actual_controller] == ["王五"]


def test_no_controller_and_majority_chain(store: GraphStore, case: Case) -> None:
    spread = control(store, case["t5"])
    assert spread.actual_controller == []
    assert spread.basis == "no party controls 分散公司 (none above 50% or by a majority chain)"
    assert [s.beneficial_owner for s in spread.stakes] == [True, True, True]  # 40, 30, 30
    chain = control(store, case["t6"])
    assert _stakes(case, chain) == {"m": (0.6, True, False, False), "sun": (0.36, True, True, True)}
    assert [e.name for e in chain.actual_controller] == ["孙八"]
    assert (
        chain.basis == "孙八 controls 链条公司 through a chain of majority holdings (36% effective)"
    )


def test_reverse_lists_what_a_person_holds(store: GraphStore, case: Case) -> None:
    result = control(store, case["zhang"], reverse=True)
    assert result.direction == "down"
    assert _stakes(case, result) == {
        "h1": (0.7, True, False, False),
        "t": (0.54, True, False, False),
        "h2": (0.3, False, False, False),
    }
    assert result.basis == "张三 controls 2 of 3 holdings (控股一, 目标公司)"
    assert result.actual_controller == []


def test_thresholds_and_depth_are_configurable(store: GraphStore, case: Case) -> None:
    base = load_config()
    strict = base.model_copy(
        update={"control": base.control.model_copy(update={"beneficial_owner": 0.3})}
    )
    result = control(store, case["t"], config=strict)
    assert [s.party.name for s in result.stakes if s.beneficial_owner] == ["张三"]
    shallow = control(store, case["t"], max_hops=1)
    assert _stakes(case, shallow) == {
        "h1": (0.6, True, False, False),
        "h2": (0.4, False, False, False),
    }
