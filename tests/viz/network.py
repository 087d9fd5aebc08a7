"""Graphs for the picture tests.

* :func:`load_decided_story` — the example story (``graph/example.py``) with one overloading
  decision on its truck: the truck is listed (red), the operating company 甲运输 and 王军
  (driver, and legal representative at the act date) are affected (orange); 乙物流 is put
  on the red list (green) by a file record.  Small: every picture of it can be checked by
  hand.
* :func:`load_wide_network` — a seed enterprise whose officers each sit in many other
  enterprises with vehicles and phones: about 450 entities within three hops, some listed
  or on the red list, for the layout at picture scale (300-500 nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.credit import CreditRecordIn, store_credit_records
from graph.example import Story, load_story
from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Edge, Node, NodeRef
from graph.stores.base import GraphStore
from queries.decisions import file_decision
from queries.lifecycle import DecisionRequest

#: The date the pictures of the decided story are drawn on.
ON = date(2021, 5, 1)


@dataclass(frozen=True)
class Decided:
    """The story, the decision's id and its subject."""

    story: Story
    decision_id: str


def load_decided_story(store: GraphStore) -> Decided:
    """The example story with an overloading decision on the truck and a red-list record."""
    story = load_story(store)
    outcome = file_decision(
        store,
        DecisionRequest(
            subject=story.truck,
            behaviour_code="T-OVERLOAD",
            act_date=date(2021, 3, 1),
            decision_date=date(2021, 4, 1),
            decision_no="吉交罚〔2021〕9号",
            authority="吉林省交通运输厅",
            evidence=[
                {"type": "超限检测记录", "reference": "W-2021-0301"},
                {"type": "行政处罚决定书", "reference": "P-2021-0401"},
            ],
        ),
        actor="test",
    )
    store_credit_records(
        store,
        [
            CreditRecordIn(
                kind="红名单",
                subject=story.yi,
                decision_no="交办水〔2020〕1号",
                authority="交通运输部",
                decision_date=date(2020, 1, 1),
                valid_until=date(2022, 1, 1),
                source="tests/viz:red-list",
            )
        ],
    )
    return Decided(story=story, decision_id=outcome.decision.id)


@dataclass(frozen=True)
class Wide:
    """The wide network's seed and how many entities it holds."""

    seed: NodeRef
    nodes: int
    edges: int


def load_wide_network(store: GraphStore, *, officers: int = 10, companies: int = 10) -> Wide:
    """A seed with ``officers`` persons, each officer of ``companies`` enterprises, each
    enterprise with two vehicles and a phone; every 7th enterprise black-listed and every
    11th on the red list (file records)."""
    model = store.model
    nodes: list[Node] = []
    edges: list[Edge] = []
    seed = model.make_node(
        "Enterprise", {"uscc": complete_uscc("91220100MA0000000"), "name": "宽网运输集团"}
    )
    nodes.append(seed)
    records = []
    count = 0
    for i in range(officers):
        person = model.make_node(
            "Person", {"id_no": complete_id_no(f"11010119800101{i:03d}"), "name": f"官员{i:02d}"}
        )
        nodes.append(person)
        edges.append(model.make_edge("OFFICER_OF", person.ref, seed.ref, props={"role": "董事"}))
        for j in range(companies):
            count += 1
            company = model.make_node(
                "Enterprise",
                {
                    "uscc": complete_uscc(f"91220100MB{count:07d}"),
                    "name": f"关联公司{i:02d}-{j:02d}",
                },
            )
            nodes.append(company)
            edges.append(
                model.make_edge(
                    "LEGAL_REP_OF", person.ref, company.ref, valid_from=date(2015 + j % 6, 1, 1)
                )
            )
            for v in range(2):
                truck = model.make_node(
                    "Vehicle",
                    {"plate": f"吉B{count:04d}{'AB'[v]}", "plate_color": "2"},
                )
                nodes.append(truck)
                edges.append(model.make_edge("OPERATES", company.ref, truck.ref))
            phone = model.make_node("Contact", {"channel": "phone", "value": f"1390000{count:04d}"})
            nodes.append(phone)
            edges.append(model.make_edge("HAS_CONTACT", company.ref, phone.ref))
            kind = "黑名单" if count % 7 == 0 else "红名单" if count % 11 == 0 else None
            if kind:
                records.append(
                    CreditRecordIn(
                        kind=kind,
                        subject=company.ref,
                        decision_no=f"W-{count}",
                        authority="测试局",
                        decision_date=date(2020, 1, 1),
                        source="tests/viz:wide",
                    )
                )
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    store_credit_records(store, records)
    return Wide(seed=seed.ref, nodes=len(nodes), edges=len(edges))
