"""Response and execution feedback (响应 / 执行反馈) per implementing unit.

Each implementing unit the catalog names for a measure reports, per application, whether
it executed the measure or refused (with a reason); until it reports it is ``pending``.
:func:`feedback_report` shows, for one decision, every (application, unit) pair.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.decisions import file_decision
>>> from queries.lifecycle import DecisionRequest
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> outcome = file_decision(store, DecisionRequest(subject=story.truck,
...     behaviour_code="T-OVERLOAD", act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1),
...     decision_no="9", authority="吉林省交通运输厅", evidence=[
...     {"type": "超限检测记录", "reference": "W"}, {"type": "行政处罚决定书", "reference": "P"}]),
...     actor="clerk")
>>> first = outcome.applications[0]
>>> _ = record_feedback(store, [FeedbackIn(application_id=first.id, unit="道路运输管理机构",
...     status="executed", on=date(2021, 4, 6), by="长春市运管处")], actor="unit")
>>> feedback_report(store, outcome.decision.id).counts
{'executed': 1, 'pending': 6, 'refused': 0}
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph.credit import audit_record
from graph.exc import NotFound, SchemaViolation
from graph.model import NodeRef
from graph.stores.base import GraphStore, StoredRecord
from queries.decisions import load_decision
from queries.lifecycle import APPLICATIONS, application_from

__all__ = ["FeedbackIn", "FeedbackReport", "FeedbackRow", "feedback_report", "record_feedback"]

COLLECTION = "Feedback"
FeedbackStatus = Literal["pending", "executed", "refused"]


class FeedbackIn(BaseModel):
    """One unit's report on one application."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    application_id: str
    unit: str = Field(min_length=1, description="an implementing unit the catalog names")
    status: FeedbackStatus
    reason: str | None = None
    on: date
    by: str = Field(min_length=1, description="who reports, e.g. the local office")

    @model_validator(mode="after")
    def _reason_when_refused(self) -> FeedbackIn:
        if self.status == "refused" and not (self.reason and self.reason.strip()):
            raise ValueError("a refusal needs a reason")
        return self

    @property
    def id(self) -> str:
        """One record per (application, unit); a later report replaces it (audited)."""
        raw = f"{self.application_id}\x1f{self.unit}"
        return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


class FeedbackRow(BaseModel):
    """The state of one (application, unit) pair."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    subject: NodeRef
    measure: str
    unit: str
    status: FeedbackStatus
    reason: str | None = None
    on: date | None = None
    by: str | None = None


class FeedbackReport(BaseModel):
    """Execution feedback of one decision, per application and implementing unit."""

    model_config = ConfigDict(frozen=True)

    decision_id: str
    rows: list[FeedbackRow]
    counts: dict[str, int]


def record_feedback(
    store: GraphStore, entries: Sequence[FeedbackIn], *, actor: str
) -> list[FeedbackRow]:
    """Store reports (one transaction, audited); the unit must be one the catalog names."""
    ids = sorted({e.application_id for e in entries})
    apps = {r.id: application_from(r) for r in store.get_records(APPLICATIONS, ids)}
    old = {r.id: r for r in store.get_records(COLLECTION, [e.id for e in entries])}
    writes: list[StoredRecord] = []
    rows = []
    for entry in entries:
        app = apps.get(entry.application_id)
        if app is None:
            raise NotFound(f"no measure application {entry.application_id!r}")
        if entry.unit not in app.implementing_units:
            raise SchemaViolation(
                f"{entry.unit!r} is not an implementing unit of {app.measure}: "
                f"{app.implementing_units}"
            )
        record = StoredRecord(
            collection=COLLECTION,
            id=entry.id,
            subject=app.subject.uid,
            group=app.decision_id,
            fields={"status": entry.status, "unit": entry.unit, "on": entry.on},
            doc=entry.model_dump(mode="json"),
        )
        before = old.get(entry.id)
        rows.append(_row(app.subject, app.measure, entry))
        if before is not None and before.doc == record.doc:
            continue
        writes += [
            record,
            audit_record(
                actor=actor,
                action="feedback.record",
                target=record.rid,
                subject=app.subject.uid,
                effective=entry.on,
                before=before.doc if before else None,
                after=record.doc,
            ),
        ]
    store.put_records(writes)
    return rows


def _row(subject: NodeRef, measure: str, entry: FeedbackIn) -> FeedbackRow:
    return FeedbackRow(
        application_id=entry.application_id,
        subject=subject,
        measure=measure,
        unit=entry.unit,
        status=entry.status,
        reason=entry.reason,
        on=entry.on,
        by=entry.by,
    )


def feedback_report(store: GraphStore, decision_id: str) -> FeedbackReport:
    """Every (application, implementing unit) of a decision with its reported status."""
    found = load_decision(store, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id!r}")
    reports = {
        (e.application_id, e.unit): e
        for e in (
            FeedbackIn.model_validate(r.doc)
            for r in store.find_records([COLLECTION], groups=[decision_id])
        )
    }
    rows = []
    for app in found.applications:
        for unit in app.implementing_units:
            entry = reports.get((app.id, unit))
            if entry is None:
                rows.append(
                    FeedbackRow(
                        application_id=app.id,
                        subject=app.subject,
                        measure=app.measure,
                        unit=unit,
                        status="pending",
                    )
                )
            else:
                rows.append(_row(app.subject, app.measure, entry))
    counts = Counter(r.status for r in rows)
    return FeedbackReport(
        decision_id=decision_id,
        rows=rows,
        counts={s: counts.get(s, 0) for s in ("executed", "pending", "refused")},
    )
