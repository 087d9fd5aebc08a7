"""credit_states: many entities, one round trip; file records and decisions both count."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.credit import CreditRecordIn, store_credit_records
from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.credit_state import credit_states
from queries.decisions import file_decision
from queries.restrictions import restrictions
from tests.lifecycle.cases import load_overload


class _Calls:
    def __init__(self, store: GraphStore) -> None:
        self.store, self.calls = store, 0

    def __getattr__(self, name: str) -> Any:
        self.calls += 1
        return getattr(self.store, name)


def test_states_from_decisions_and_file_records(store: GraphStore) -> None:
    case = load_overload(store)
    file_decision(store, case.request(), actor="clerk")
    black = NodeRef("Enterprise", case.earlier_loader.key)
    red = NodeRef("Person", case.owner.key)
    store_credit_records(
        store,
        [
            CreditRecordIn(
                kind="黑名单",
                subject=black,
                decision_no="B-1",
                authority="a",
                decision_date=date(2026, 1, 1),
                valid_until=date(2027, 1, 1),
                source="f:1",
            ),
            CreditRecordIn(
                kind="红名单",
                subject=red,
                decision_no="R-1",
                authority="a",
                decision_date=date(2026, 1, 1),
                source="f:2",
            ),
        ],
    )
    refs = [case.truck, case.legal_rep, black, red, case.new_legal_rep]
    counting = _Calls(store)
    states = credit_states(counting, refs, date(2026, 7, 1))
    assert counting.calls == 1  # one store round trip for all of them
    assert {r.uid: states[r].state for r in refs} == {
        case.truck.uid: "listed",
        case.legal_rep.uid: "affected",
        black.uid: "listed",
        red.uid: "red_list",
        case.new_legal_rep.uid: "clean",
    }
    assert states[case.legal_rep].restricts == ["office"]
    assert credit_states(store, [black], date(2027, 1, 1))[black].state == "clean"
    standing = restrictions(store, black, date(2026, 7, 1)).list_entries
    assert [(e.kind.value, e.decision_no) for e in standing] == [("black_list", "B-1")]
