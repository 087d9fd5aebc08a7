"""risk(): advisory score from listed subjects around an entity, with its paths."""

from __future__ import annotations

from datetime import date

import pytest

from graph.stores.base import GraphStore
from queries.config import load_config
from queries.risk import ADVISORY, risk
from tests.fixtures.cases import Case, load_case

ON = date(2022, 1, 1)


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "risk_exposure")


def test_score_sums_the_heaviest_path_of_each_listed_subject(store: GraphStore, case: Case) -> None:
    result = risk(store, case["s"], as_of=ON)
    assert result.advisory == ADVISORY and "目录外不得惩戒" in result.advisory
    got = {case.alias(c.subject.uid): (c.distance, c.score) for c in result.contributions}
    # Z: 1 hop SHAREHOLDER_OF (0.7); X: 2 hops LEGAL_REP_OF x2, decayed once (0.5);
    # Y: 2 hops HAS_CONTACT x2 (0.4 * 0.4 * 0.5).  R is on the red list: severity 0.
    assert got == {"z": (1, 0.7), "x": (2, 0.5), "y": (2, 0.08)}
    assert [case.alias(c.subject.uid) for c in result.contributions] == ["z", "x", "y"]
    assert result.score == pytest.approx(1.28) and result.band == "high"
    x = next(c for c in result.contributions if c.subject.uid == case["x"].uid)
    assert [p.weight for p in x.paths] == [0.5, 0.18]
    assert [s.text for s in x.paths[0].steps] == [
        "王军 has been legal representative of 被评公司",
        "王军 has been legal representative of 失信甲",
    ]
    assert x.credit.state == "listed" and result.own_credit.state == "clean"


def test_before_the_listings_there_is_no_exposure(store: GraphStore, case: Case) -> None:
    result = risk(store, case["s"], as_of=date(2019, 6, 1))
    assert result.contributions == [] and result.score == 0.0 and result.band == "low"
    assert result.examined == 7  # everyone else in the case


def test_weights_decay_and_depth_are_configurable(store: GraphStore, case: Case) -> None:
    base = load_config()
    flat = base.model_copy(update={"risk": base.risk.model_copy(update={"decay": 1.0})})
    result = risk(store, case["s"], as_of=ON, config=flat)
    assert result.score == pytest.approx(0.7 + 1.0 + 0.16)
    near = risk(store, case["s"], as_of=ON, max_hops=1)
    assert [c.subject.name for c in near.contributions] == ["失信股东"]
