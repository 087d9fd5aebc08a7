"""Named dated cases for the lifecycle scenarios.

Overloading (超限超载): truck 吉B12345 (yellow) is operated by 长运物流 (since 2024) and owned
by a private person (挂靠).  刘驾 drives it since 2025; 赵旧 drove it until 2025.  On the act
date 2026-05-02 it was loaded by 石料厂 (a one-day LOADED relationship); 砂场 loaded it a
month earlier.  长运物流's legal representative 钱法 served until 2026-06-01 — after the
act — and was followed by 孙新, who therefore is not reached; 周总 is its principal.
The decision is of 2026-05-20.

Bidding fraud (串通投标): 路桥建设 bid fraudulently; its legal representative is 吴法 and the
decision names 郑责 as directly responsible.

Red list: 诚信工程 has a clean record; 旧污点公司 had a dishonesty record in 2023.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.identifiers import complete_id_no, complete_uscc
from graph.model import GraphModel, NodeRef
from graph.stores.base import GraphStore
from queries.lifecycle import DecisionRequest, EvidenceItem

ACT = date(2026, 5, 2)
DECIDED = date(2026, 5, 20)
SRC = "fixture:lifecycle"


def _enterprise(model: GraphModel, n: int, name: str) -> NodeRef:
    return model.make_node(
        "Enterprise", {"uscc": complete_uscc(f"912201010000000{n:02d}"), "name": name}
    ).ref


def _person(n: int) -> NodeRef:
    return NodeRef("Person", complete_id_no(f"1101011980010100{n}"))


@dataclass(frozen=True)
class Overload:
    """References of the overloading case."""

    truck: NodeRef
    operator: NodeRef
    owner: NodeRef
    driver: NodeRef
    old_driver: NodeRef
    loader: NodeRef
    earlier_loader: NodeRef
    legal_rep: NodeRef
    new_legal_rep: NodeRef
    principal: NodeRef

    def request(self, **changes: object) -> DecisionRequest:
        """The listing decision of the case (changes override fields)."""
        base = DecisionRequest(
            subject=self.truck,
            behaviour_code="T-OVERLOAD",
            act_date=ACT,
            decision_date=DECIDED,
            decision_no="吉交执〔2026〕118号",
            authority="吉林省交通运输厅",
            evidence=[
                EvidenceItem(type="超限检测记录", reference="JL-W-2026-0502-17"),
                EvidenceItem(type="行政处罚决定书", reference="吉交罚〔2026〕77号"),
            ],
        )
        return base.model_copy(update=changes)


def load_overload(store: GraphStore) -> Overload:
    """Write the overloading case into ``store``."""
    m = store.model
    names = ["长运物流有限公司", "石料厂", "砂场"]
    operator, loader, earlier_loader = (_enterprise(m, i, n) for i, n in enumerate(names, 1))
    persons = [_person(i) for i in range(1, 8)]
    owner, driver, old_driver, legal_rep, new_legal_rep, principal, _ = persons
    truck = m.make_node("Vehicle", {"plate": "吉B12345", "plate_color": "黄色"})
    nodes = [truck]
    for i, n in enumerate(names, 1):
        nodes.append(
            m.make_node("Enterprise", {"uscc": complete_uscc(f"912201010000000{i:02d}"), "name": n})
        )
    nodes += [m.make_node("Person", {"id_no": p.key}) for p in persons]
    store.upsert_nodes(nodes)
    t = truck.ref
    edges = [
        m.make_edge("OPERATES", operator, t, valid_from=date(2024, 1, 1), source=SRC),
        m.make_edge("OWNS", owner, t, valid_from=date(2024, 1, 1), source=SRC),
        m.make_edge("DRIVES", driver, t, valid_from=date(2025, 1, 1), source=SRC),
        m.make_edge(
            "DRIVES",
            old_driver,
            t,
            valid_from=date(2023, 1, 1),
            valid_to=date(2025, 1, 1),
            source=SRC,
        ),
        m.make_edge(
            "LOADED", loader, t, valid_from=ACT, valid_to=date(2026, 5, 3), source="称重单 W-17"
        ),
        m.make_edge(
            "LOADED",
            earlier_loader,
            t,
            valid_from=date(2026, 4, 1),
            valid_to=date(2026, 4, 2),
            source=SRC,
        ),
        m.make_edge(
            "LEGAL_REP_OF",
            legal_rep,
            operator,
            valid_from=date(2020, 1, 1),
            valid_to=date(2026, 6, 1),
            source="工商登记",
        ),
        m.make_edge(
            "LEGAL_REP_OF", new_legal_rep, operator, valid_from=date(2026, 6, 1), source="工商登记"
        ),
        m.make_edge("PRINCIPAL_OF", principal, operator, valid_from=date(2022, 1, 1), source=SRC),
    ]
    store.upsert_edges(edges)
    return Overload(
        t,
        operator,
        owner,
        driver,
        old_driver,
        loader,
        earlier_loader,
        legal_rep,
        new_legal_rep,
        principal,
    )


@dataclass(frozen=True)
class BidFraud:
    """References of the bidding-fraud case."""

    bidder: NodeRef
    legal_rep: NodeRef
    responsible: NodeRef

    def request(self, **changes: object) -> DecisionRequest:
        """The listing decision, bidding ban chosen at 3 years, listing 3 years."""
        base = DecisionRequest(
            subject=self.bidder,
            behaviour_code="T-BID-FRAUD",
            act_date=date(2026, 3, 10),
            decision_date=DECIDED,
            decision_no="吉交建罚〔2026〕5号",
            authority="吉林省交通运输厅",
            evidence=[
                EvidenceItem(type="行政处罚决定书", reference="吉交建罚〔2026〕5号"),
                EvidenceItem(type="串通投标或弄虚作假认定材料", reference="认定书 2026-04"),
            ],
            responsible_persons=[self.responsible],
            term="P3Y",
            measure_terms={"S-BID-BAN": "P3Y"},
        )
        return base.model_copy(update=changes)


def load_bid_fraud(store: GraphStore) -> BidFraud:
    """Write the bidding-fraud case into ``store``."""
    m = store.model
    bidder = m.make_node(
        "Enterprise", {"uscc": complete_uscc("91220101000000010"), "name": "路桥建设"}
    )
    legal_rep, responsible = _person(8), _person(9)
    store.upsert_nodes(
        [bidder, *(m.make_node("Person", {"id_no": p.key}) for p in (legal_rep, responsible))]
    )
    store.upsert_edges(
        [
            m.make_edge(
                "LEGAL_REP_OF", legal_rep, bidder.ref, valid_from=date(2019, 1, 1), source=SRC
            )
        ]
    )
    return BidFraud(bidder.ref, legal_rep, responsible)


def load_red_list(store: GraphStore) -> tuple[NodeRef, NodeRef]:
    """Two construction firms: one clean, one with a 2023 dishonesty record (from a file)."""
    from graph.credit import CreditRecordIn, store_credit_records

    m = store.model
    good = m.make_node(
        "Enterprise", {"uscc": complete_uscc("91220101000000020"), "name": "诚信工程"}
    )
    stained = m.make_node(
        "Enterprise", {"uscc": complete_uscc("91220101000000021"), "name": "旧污点公司"}
    )
    store.upsert_nodes([good, stained])
    store_credit_records(
        store,
        [
            CreditRecordIn(
                kind="失信记录",
                subject=stained.ref,
                decision_no="吉交罚〔2023〕3号",
                authority="吉林省交通运输厅",
                decision_date=date(2023, 8, 1),
                source="records.csv:4",
            )
        ],
    )
    return good.ref, stained.ref


def red_list_request(subject: NodeRef) -> DecisionRequest:
    """A 守信典型企业 listing of ``subject`` on 2026-05-20."""
    return DecisionRequest(
        subject=subject,
        behaviour_code="H-TRUST-MODEL",
        act_date=DECIDED,
        decision_date=DECIDED,
        decision_no="交办水〔2026〕1号",
        authority="交通运输部",
        evidence=[
            EvidenceItem(type="信用评价等级证明", reference="2023-2025 AA"),
            EvidenceItem(type="行政处罚及不良行为记录核查", reference="核查表 2026-05"),
        ],
    )
