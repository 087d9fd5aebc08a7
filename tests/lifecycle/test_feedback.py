"""Response and execution feedback per implementing unit."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from graph.exc import NotFound, SchemaViolation
from graph.stores.base import GraphStore
from queries.decisions import file_decision
from queries.feedback import FeedbackIn, feedback_report, record_feedback
from tests.lifecycle.cases import load_overload


def test_feedback_per_unit(store: GraphStore) -> None:
    case = load_overload(store)
    outcome = file_decision(store, case.request(), actor="clerk")
    vehicle = next(a for a in outcome.applications if a.measure == "S-OVERLOAD-VEHICLE")
    office = next(a for a in outcome.applications if a.subject == case.legal_rep)
    assert vehicle.implementing_units == ["道路运输管理机构", "公路管理机构"]
    record_feedback(
        store,
        [
            FeedbackIn(
                application_id=vehicle.id,
                unit="道路运输管理机构",
                status="executed",
                on=date(2026, 5, 22),
                by="长春运管",
            ),
            FeedbackIn(
                application_id=office.id,
                unit="市场监督管理部门",
                status="refused",
                reason="当事人已于2026-06-01卸任",
                on=date(2026, 6, 2),
                by="长春市监局",
            ),
        ],
        actor="units",
    )
    report = feedback_report(store, outcome.decision.id)
    # 2 + 3 + 1 + 2 + 1 + 1 (vehicle, enterprise, driver, source, two office bans)
    assert len(report.rows) == 10
    assert report.counts == {"executed": 1, "pending": 8, "refused": 1}
    refused = next(r for r in report.rows if r.status == "refused")
    assert (refused.subject, refused.reason) == (case.legal_rep, "当事人已于2026-06-01卸任")
    # a later report replaces the earlier one; the audit keeps both
    record_feedback(
        store,
        [
            FeedbackIn(
                application_id=office.id,
                unit="市场监督管理部门",
                status="executed",
                on=date(2026, 6, 9),
                by="长春市监局",
            )
        ],
        actor="units",
    )
    assert feedback_report(store, outcome.decision.id).counts["refused"] == 0
    events = store.find_records(["AuditEvent"], subjects=[case.legal_rep.uid])
    assert sorted(e.fields["action"] for e in events) == ["feedback.record", "feedback.record"]


def test_feedback_is_checked(store: GraphStore) -> None:
    case = load_overload(store)
    outcome = file_decision(store, case.request(), actor="clerk")
    app = outcome.applications[0]
    with pytest.raises(SchemaViolation, match="not an implementing unit"):
        record_feedback(
            store,
            [
                FeedbackIn(
                    application_id=app.id,
                    unit="税务部门",
                    status="executed",
                    on=date(2026, 6, 1),
                    by="x",
                )
            ],
            actor="u",
        )
    with pytest.raises(NotFound):
        record_feedback(
            store,
            [
                FeedbackIn(
                    application_id="nope", unit="x", status="executed", on=date(2026, 6, 1), by="x"
                )
            ],
            actor="u",
        )
    with pytest.raises(ValidationError, match="needs a reason"):
        FeedbackIn(application_id=app.id, unit="x", status="refused", on=date(2026, 6, 1), by="x")
