"""links(): hidden links graded with evidence, hubs reported, webmail and exclusions."""

from __future__ import annotations

from datetime import date

import pytest

from graph.stores.base import GraphStore
from queries.config import InvestigationConfig, load_config
from queries.links import LinksResult, links
from tests.fixtures.cases import Case, load_case

ON = date(2022, 1, 1)


@pytest.fixture
def case(store: GraphStore) -> Case:
    return load_case(store, "hidden_links")


@pytest.fixture
def config() -> InvestigationConfig:
    base = load_config()
    links_cfg = base.links.model_copy(
        update={"excluded": frozenset({"address|长春市政务服务中心"})}
    )
    return base.model_copy(update={"links": links_cfg})


def _graded(case: Case, result: LinksResult) -> dict[str, tuple[str, list[str]]]:
    return {
        case.alias(link.entity.uid): (link.grade, [e.kind for e in link.evidence])
        for link in result.links
    }


def test_links_are_graded_by_their_strongest_evidence(
    store: GraphStore, case: Case, config: InvestigationConfig
) -> None:
    result = links(store, case["a"], as_of=ON, hub_threshold=3, config=config)
    assert _graded(case, result) == {
        "b": ("hard", ["phone"]),
        "c": ("hard", ["email_domain"]),
        "h": ("hard", ["key_person"]),
        "l": ("hard", ["investment"]),
        "i": ("suspicious", ["key_person"]),
        "k": ("suspicious", ["key_person"]),
        "j": ("weak", ["key_person"]),
    }
    # Order: grade, then more evidence first, then uid.
    assert [case.alias(x.entity.uid) for x in result.links] == ["b", "c", "h", "l", "i", "k", "j"]


def test_evidence_names_the_shared_value_and_both_sides(
    store: GraphStore, case: Case, config: InvestigationConfig
) -> None:
    result = links(store, case["a"], as_of=ON, hub_threshold=3, config=config)
    by = {case.alias(x.entity.uid): x.evidence[0] for x in result.links}
    assert by["b"].text == "甲运输 and 乙公司 share phone 13800000001"
    assert by["b"].via is not None and by["b"].via.uid == case["phone"].uid
    assert by["c"].shared == "jia-group.cn" and by["c"].via is None
    assert [s.dst for s in by["c"].steps] == [case["mail_a"].uid, case["mail_c"].uid]
    assert by["h"].shared == "王军" and by["h"].current
    assert [s.text for s in by["k"].steps] == [
        "钱七 was legal representative of 甲运输 from 2015-01-01 until 2019-01-01",
        "钱七 has been legal representative of 癸公司 since 2019-01-01",
    ]
    assert not by["k"].current and by["k"].text.endswith("(a former tie)")
    assert by["l"].text == "甲运输 holds 30% of 子公司"


def test_hubs_webmail_and_exclusions(
    store: GraphStore, case: Case, config: InvestigationConfig
) -> None:
    result = links(store, case["a"], as_of=ON, hub_threshold=3, config=config)
    assert [(h.kind, h.shared, h.attached) for h in result.hubs] == [
        ("address", "长春市代理注册地址8号", 5),
        ("key_person", "孙八", 4),
    ]
    linked = {x.entity.uid for x in result.links}
    assert case["e"].uid not in linked  # both on qq.com: webmail proves nothing
    assert case["g"].uid not in linked and result.skipped == ["address|长春市政务服务中心"]
    assert not {case[f"f{i}"].uid for i in range(1, 6)} & linked
    # A higher threshold links the agent's tenants and the nominee's companies.
    wide = links(store, case["a"], as_of=ON, hub_threshold=10, config=config)
    assert wide.hubs == []
    assert _graded(case, wide)["f1"] == ("hard", ["address"])
    assert _graded(case, wide)["n1"] == ("hard", ["key_person"])


def test_as_of_and_person_seeds(store: GraphStore, case: Case, config: InvestigationConfig) -> None:
    early = links(store, case["a"], as_of=date(2016, 1, 1), hub_threshold=3, config=config)
    # In 2016 钱七 was A's legal representative but K was not yet his; 王军 came in 2019.
    assert "k" not in _graded(case, early) and "h" not in _graded(case, early)
    person = links(store, case["zhao"], as_of=ON, hub_threshold=3, config=config)
    assert person.links == [] and person.hubs == []  # co-workers are no hidden link
