"""Scenario tests with exact expected outcomes, on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from graph.credit import read_audit
from graph.exc import ConflictError
from graph.stores.base import GraphStore
from queries.affected import affected
from queries.credit_state import credit_states
from queries.deadlines import overdue
from queries.decisions import file_decision, file_decisions, load_decision, preview
from queries.history import history
from queries.lifecycle import Refused
from queries.objections import decide_objection, file_objection, repair
from queries.restrictions import restrictions
from tests.lifecycle.cases import (
    DECIDED,
    load_bid_fraud,
    load_overload,
    load_red_list,
    red_list_request,
)


def _table(store: GraphStore, decision_id: str, on: date) -> set[tuple[str, str, str | None, str]]:
    result = affected(store, decision_id, as_of=on)
    return {(m.subject.uid, m.measure, m.role, m.status) for m in result.measures}


def test_overloading_case(store: GraphStore) -> None:
    case = load_overload(store)
    outcome = file_decision(store, case.request(), actor="clerk")
    got = {
        (a.subject, a.measure, a.role, a.base_end, tuple(s.relationship for s in a.path))
        for a in outcome.applications
    }
    assert got == {
        (case.truck, "S-OVERLOAD-VEHICLE", None, date(2027, 5, 20), ()),
        (
            case.operator,
            "S-OVERLOAD-ENTERPRISE",
            "道路运输企业（经营单位）",
            date(2027, 5, 20),
            ("OPERATES",),
        ),
        (case.driver, "S-OVERLOAD-DRIVER", "驾驶人", date(2027, 5, 20), ("DRIVES",)),
        (case.loader, "S-OVERLOAD-SOURCE", "货运源头单位", date(2027, 5, 20), ("LOADED",)),
        # left office after the act date: still reached; 3-year office ban
        (
            case.legal_rep,
            "S-OFFICE-BAN",
            "法定代表人",
            date(2029, 5, 20),
            ("OPERATES", "LEGAL_REP_OF"),
        ),
        (
            case.principal,
            "S-OFFICE-BAN",
            "主要负责人",
            date(2029, 5, 20),
            ("OPERATES", "PRINCIPAL_OF"),
        ),
    }
    reached = {a.subject for a in outcome.applications}
    # not reached: the private owner (a Person, rule reaches enterprises), the former
    # driver, the earlier loader, and the legal representative who took office after the act
    assert not reached & {case.owner, case.old_driver, case.earlier_loader, case.new_legal_rep}
    office = next(a for a in outcome.applications if a.subject == case.legal_rep)
    operates, legal = office.path
    assert (operates.src, operates.dst, operates.valid_from) == (
        case.operator,
        case.truck,
        date(2024, 1, 1),
    )
    assert (legal.source, legal.valid_to, legal.evaluated_on) == (
        "工商登记",
        date(2026, 6, 1),
        date(2026, 5, 2),
    )
    assert legal.rule == "S-OVERLOAD-ENTERPRISE.legal_representative"
    loader = next(a for a in outcome.applications if a.subject == case.loader)
    assert loader.path[0].source == "称重单 W-17"
    assert loader.legal_basis == ["超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）"]
    assert [d.kind for d in outcome.deadlines] == ["publication"]
    # 7 working days after 2026-05-20: 21, 22, 25, 26, 27, 28, 29
    assert outcome.deadlines[0].due == date(2026, 5, 29)

    today = restrictions(store, case.legal_rep, date(2026, 7, 1))
    assert [(m.measure, m.decision_no) for m in today.in_force] == [
        ("S-OFFICE-BAN", "吉交执〔2026〕118号")
    ]
    assert today.restricts == ["office"]
    assert restrictions(store, case.new_legal_rep, date(2026, 7, 1)).in_force == []
    states = credit_states(store, [case.truck, case.driver, case.owner], date(2026, 7, 1))
    assert [states[r].state for r in (case.truck, case.driver, case.owner)] == [
        "listed",
        "affected",
        "clean",
    ]


def test_reapplying_changes_nothing(store: GraphStore) -> None:
    case = load_overload(store)
    first = file_decision(store, case.request(), actor="clerk")
    records = store.find_records(["Decision", "MeasureApplication", "Deadline", "AuditEvent"])
    again = file_decision(store, case.request(), actor="someone else")
    assert (first.written, again.written) == (True, False)
    assert again.applications == first.applications
    assert (
        store.find_records(["Decision", "MeasureApplication", "Deadline", "AuditEvent"]) == records
    )
    with pytest.raises(ConflictError):
        file_decision(store, case.request(act_date=date(2026, 5, 1)), actor="clerk")
    batch = file_decisions(store, [case.request(), case.request()], actor="clerk")
    assert [r.outcome.written for r in batch if r.outcome] == [False, False]


def test_preview_writes_nothing_and_matches_filing(store: GraphStore) -> None:
    case = load_overload(store)
    seen = preview(store, case.request())
    assert seen.allowed and seen.outcome is not None
    assert store.find_records(["Decision", "MeasureApplication", "AuditEvent"]) == []
    filed = file_decision(store, case.request(), actor="clerk")
    assert seen.outcome.applications == filed.applications


def test_outside_catalog_is_refused(store: GraphStore) -> None:
    case = load_overload(store)
    with pytest.raises(Refused) as refused:
        file_decision(store, case.request(behaviour_code="T-SPEEDING"), actor="clerk")
    (reason,) = refused.value.refusals
    assert reason.code == "outside_catalog"
    assert "outside the catalog" in reason.message and "目录清单之外" in reason.message
    assert store.find_records(["Decision", "MeasureApplication", "AuditEvent"]) == []


def test_scope_evidence_and_terms_are_checked(store: GraphStore) -> None:
    case = load_overload(store)
    bid = load_bid_fraud(store)
    wrong_kind = bid.request(subject=case.truck)
    no_evidence = case.request(evidence=[])
    bad_term = bid.request(term="P5Y")
    unknown = case.request(subject=case.truck._replace(key="吉B99999|2"))
    codes = {
        r.request_id: [x.code for x in r.refusals]
        for r in file_decisions(store, [wrong_kind, no_evidence, bad_term, unknown], actor="c")
    }
    assert codes == {
        wrong_kind.id: ["subject_kind_out_of_scope"],
        no_evidence.id: ["evidence_missing"],
        bad_term.id: ["term_not_allowed"],
        unknown.id: ["subject_unknown"],
    }
    assert store.find_records(["Decision"]) == []


def test_objection_rejected_moves_the_end_by_the_suspension(store: GraphStore) -> None:
    case = load_overload(store)
    decision = file_decision(store, case.request(), actor="clerk").decision
    change = file_objection(
        store,
        decision.id,
        received=date(2026, 6, 1),
        by="长运物流",
        reason="检测设备未检定",
        actor="clerk",
    )
    assert change.status == "suspended" and change.applications == 6
    # 15 working days from 2026-06-01, skipping 端午 (2026-06-19): due 2026-06-23
    assert change.objection is not None and change.objection.reply_due == date(2026, 6, 23)
    assert change.objection.reply_warning is None
    assert {s for *_, s in _table(store, decision.id, date(2026, 6, 10))} == {"suspended"}
    assert restrictions(store, case.driver, date(2026, 6, 10)).in_force == []
    assert credit_states(store, [case.truck], date(2026, 6, 10))[case.truck].suspended
    decided = decide_objection(
        store,
        change.objection.id,
        outcome="rejected",
        on=date(2026, 6, 22),
        by="厅法规处",
        actor="clerk",
    )
    assert decided.status == "in_force"
    # suspended 2026-06-01 .. 2026-06-22: 21 calendar days added to every end
    assert decided.decision.end == date(2027, 6, 10)
    ends = {
        (m.measure, m.end) for m in affected(store, decision.id, as_of=date(2026, 7, 1)).measures
    }
    assert ends == {
        ("S-OVERLOAD-VEHICLE", date(2027, 6, 10)),
        ("S-OVERLOAD-ENTERPRISE", date(2027, 6, 10)),
        ("S-OVERLOAD-DRIVER", date(2027, 6, 10)),
        ("S-OVERLOAD-SOURCE", date(2027, 6, 10)),
        ("S-OFFICE-BAN", date(2029, 6, 10)),
    }
    assert {s for *_, s in _table(store, decision.id, date(2027, 6, 9))} == {"in_force"}
    statuses = {(m, s) for _, m, _, s in _table(store, decision.id, date(2027, 6, 10))}
    assert statuses == {
        ("S-OVERLOAD-VEHICLE", "expired"),
        ("S-OVERLOAD-ENTERPRISE", "expired"),
        ("S-OVERLOAD-DRIVER", "expired"),
        ("S-OVERLOAD-SOURCE", "expired"),
        ("S-OFFICE-BAN", "in_force"),
    }
    # the reply was on time (closed on 2026-06-22); only the unrecorded publication is overdue
    assert [(i.kind, i.due) for i in overdue(store, date(2026, 7, 1)).items] == [
        ("publication", date(2026, 5, 29))
    ]


def test_objection_upheld_revokes_everything_and_keeps_history(store: GraphStore) -> None:
    case = load_overload(store)
    decision = file_decision(store, case.request(), actor="clerk").decision
    change = file_objection(
        store, decision.id, received=date(2026, 6, 1), by="刘驾", reason="非本人驾驶", actor="clerk"
    )
    assert change.objection is not None
    upheld = decide_objection(
        store,
        change.objection.id,
        outcome="upheld",
        on=date(2026, 6, 15),
        by="厅法规处",
        actor="reviewer",
    )
    assert upheld.status == "revoked"
    # correction pushed within 5 working days of 2026-06-15 (端午 2026-06-19 skipped)
    assert [(d.kind, d.due) for d in upheld.deadlines] == [("correction_push", date(2026, 6, 23))]
    for day in (date(2026, 6, 15), date(2026, 8, 1), date(2028, 1, 1)):
        assert {s for *_, s in _table(store, decision.id, day)} == {"revoked"}
    for ref in (case.truck, case.operator, case.driver, case.loader, case.legal_rep):
        assert restrictions(store, ref, date(2026, 7, 1)).in_force == []
        assert credit_states(store, [ref], date(2026, 7, 1))[ref].state == "clean"
    # history kept: the measures are still on record, with the whole story audited
    past = history(store, case.driver, as_of=date(2026, 7, 1))
    assert [(m.measure, m.status) for m in past.measures] == [("S-OVERLOAD-DRIVER", "revoked")]
    assert [e.action for e in past.events] == [
        "decision.file",
        "objection.file",
        "objection.upheld",
    ]
    assert past.events[-1].actor == "reviewer"
    assert past.events[-1].after is not None and past.events[-1].after["revoked_on"] == "2026-06-15"
    assert [o.outcome for o in past.objections] == ["upheld"]
    # state as it stood before the objection is unchanged
    assert (
        restrictions(store, case.driver, date(2026, 5, 25)).in_force[0].measure
        == "S-OVERLOAD-DRIVER"
    )
    with pytest.raises(ConflictError):
        decide_objection(
            store, change.objection.id, outcome="rejected", on=date(2026, 6, 16), by="x", actor="x"
        )


def test_repair(store: GraphStore) -> None:
    case = load_bid_fraud(store)
    outcome = file_decision(store, case.request(), actor="clerk")
    got = {(a.subject, a.measure, a.role, a.base_end) for a in outcome.applications}
    assert got == {
        (case.bidder, "S-BID-BAN", None, date(2029, 5, 20)),
        (case.bidder, "S-SERIOUS-LIST", None, date(2029, 5, 20)),
        (case.bidder, "S-FISCAL", None, date(2029, 5, 20)),
        (case.responsible, "S-BID-BAN", "直接负责的主管人员和其他直接责任人员", date(2029, 5, 20)),
        (case.legal_rep, "S-OFFICE-BAN", "法定代表人", date(2029, 5, 20)),
    }
    named = next(a for a in outcome.applications if a.subject == case.responsible)
    assert named.path[0].relationship == "NAMED_IN_DECISION"
    assert named.path[0].source == "decision 吉交建罚〔2026〕5号"
    decision_id = outcome.decision.id
    attested = ["obligations_fulfilled", "public_pledge"]
    with pytest.raises(Refused, match="2027-05-20"):  # serious: at least 1 year published
        repair(store, decision_id, on=date(2027, 2, 1), attested=attested, actor="clerk")
    with pytest.raises(Refused, match="public_pledge"):
        repair(store, decision_id, on=date(2027, 6, 1), attested=attested[:1], actor="clerk")
    done = repair(store, decision_id, on=date(2027, 6, 1), attested=attested, actor="clerk")
    assert done.status == "repaired" and done.applications == 5
    for ref in (case.bidder, case.responsible, case.legal_rep):
        assert restrictions(store, ref, date(2027, 5, 31)).in_force != []
        assert restrictions(store, ref, date(2027, 6, 1)).in_force == []
        assert restrictions(store, ref, date(2028, 6, 1)).in_force == []
    assert {s for *_, s in _table(store, decision_id, date(2027, 6, 1))} == {"repaired"}
    events = read_audit(store, targets=[f"Decision:{decision_id}"])
    assert [e.action for e in events] == ["decision.file", "decision.repair"]


def test_expiry(store: GraphStore) -> None:
    case = load_overload(store)
    decision_id = file_decision(store, case.request(), actor="clerk").decision.id
    assert {s for *_, s in _table(store, decision_id, date(2027, 5, 19))} == {"in_force"}
    on_end = {(m, s) for _, m, _, s in _table(store, decision_id, date(2027, 5, 20))}
    assert ("S-OVERLOAD-VEHICLE", "expired") in on_end and ("S-OFFICE-BAN", "in_force") in on_end
    assert {s for *_, s in _table(store, decision_id, date(2029, 5, 20))} == {"expired"}
    assert {s for *_, s in _table(store, decision_id, date(2026, 5, 19))} == {"not_started"}


def test_red_list_through_the_same_machinery(store: GraphStore) -> None:
    good, stained = load_red_list(store)
    case = load_overload(store)
    file_decision(store, case.request(), actor="clerk")
    outcome = file_decision(store, red_list_request(good), actor="clerk")
    assert sorted(a.measure for a in outcome.applications) == [
        "R-ADVANCE-PAYMENT",
        "R-FEWER-INSPECTIONS",
        "R-LOWER-DEPOSIT",
        "R-PRIORITY",
    ]
    assert {a.base_end for a in outcome.applications} == {date(2028, 5, 20)}
    state = credit_states(store, [good], date(2026, 6, 1))[good]
    assert state.state == "red_list" and "fewer_inspections" in state.grants
    results = file_decisions(
        store, [red_list_request(stained), red_list_request(case.operator)], actor="clerk"
    )
    messages = [[r.message for r in res.refusals] for res in results]
    assert messages == [
        ["近5年无行政处罚和严重不良行为记录"],
        ["未被列入其他领域黑名单（申请时无在施失信惩戒措施）", "近5年无行政处罚和严重不良行为记录"],
    ]


def test_objection_reply_deadline_beyond_the_calendar_data(store: GraphStore) -> None:
    case = load_overload(store)
    decision_id = file_decision(store, case.request(), actor="clerk").decision.id
    change = file_objection(
        store, decision_id, received=date(2026, 12, 24), by="x", reason="y", actor="clerk"
    )
    objection = change.objection
    assert objection is not None
    # 12-25, 28, 29, 30, 31 by the 2026 calendar, then Monday–Friday in 2027 (01-01 counted)
    assert objection.reply_due == date(2027, 1, 14)
    assert objection.reply_warning is not None and "2027" in objection.reply_warning
    late = overdue(store, date(2027, 1, 20))
    assert [(i.kind, i.due) for i in late.items] == [
        ("publication", date(2026, 5, 29)),
        ("objection_reply", date(2027, 1, 14)),
    ]
    assert late.warnings == [objection.reply_warning]
    assert overdue(store, date(2027, 1, 14)).items[1:] == []  # the due day itself is in time


def test_loaded_decision_round_trip(store: GraphStore) -> None:
    case = load_overload(store)
    filed = file_decision(store, case.request(), actor="clerk")
    loaded = load_decision(store, filed.decision.id)
    assert loaded is not None
    assert (loaded.decision, loaded.applications, loaded.deadlines) == (
        filed.decision,
        filed.applications,
        filed.deadlines,
    )
    assert filed.decision.start == DECIDED
