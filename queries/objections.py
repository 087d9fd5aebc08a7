"""The lifecycle after filing: objection (异议), its decision, and credit repair (信用修复).

* :func:`file_objection` — from the day it is received the listing **and everything
  derived from it** is suspended; a reply is due within the catalog's working days (15).
* :func:`decide_objection` — ``rejected``: the term resumes on the decision date and every
  end moves by exactly the suspended calendar days; ``upheld``: the listing is revoked
  from that date with everything derived from it (records and history are kept) and the
  correction is due to be pushed within 5 working days.
* :func:`repair` — from the repair date nothing derived from the listing applies; the
  catalog's repair conditions are checked (minimum publication period elapsed, attested
  conditions declared).

Each change rewrites the decision and its applications (their shared lifecycle), writes
the objection and deadlines, and appends an audit event with before and after — all in
one transaction.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.decisions import file_decision
>>> from queries.lifecycle import DecisionRequest
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> decision = file_decision(store, DecisionRequest(subject=story.truck,
...     behaviour_code="T-OVERLOAD", act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1),
...     decision_no="9", authority="吉林省交通运输厅", evidence=[
...     {"type": "超限检测记录", "reference": "W"}, {"type": "行政处罚决定书", "reference": "P"}]),
...     actor="clerk").decision
>>> change = file_objection(store, decision.id, received=date(2021, 5, 6), by="甲运输",
...     reason="检测有误", actor="clerk")
>>> change.status, change.applications, change.objection.reply_due
('suspended', 4, datetime.date(2021, 5, 26))
>>> done = decide_objection(store, change.objection.id, outcome="rejected",
...     on=date(2021, 5, 20), by="法规处", actor="clerk")
>>> done.status, done.decision.end          # 14 days suspended: 2022-04-01 + 14
('in_force', datetime.date(2022, 4, 15))
>>> repair(store, decision.id, on=date(2021, 6, 1), attested=[], actor="c")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
queries.lifecycle.RefusedByState: precondition_failed: the minimum publication period P1Y of a ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.catalog import Catalog, add_period, load_catalog
from graph.credit import audit_record
from graph.exc import ConflictError, NotFound
from graph.stores.base import GraphStore, StoredRecord
from queries.deadlines import COLLECTION as DEADLINES
from queries.deadlines import DeadlineItem, deadline_record, new_deadline
from queries.lifecycle import (
    APPLICATIONS,
    DECISIONS,
    Decision,
    Lifecycle,
    Refusal,
    Refused,
    Status,
    Suspension,
    application_from,
    application_record,
    decision_from,
    decision_record,
)

__all__ = [
    "LifecycleChange",
    "Objection",
    "decide_objection",
    "file_objection",
    "load_objection",
    "repair",
]

OBJECTIONS = "Objection"


class Objection(BaseModel):
    """An objection to a listing, and how it was decided."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    decision_id: str
    subject: str
    received: date
    by: str
    reason: str
    reply_due: date
    reply_warning: str | None = None
    outcome: Literal["rejected", "upheld"] | None = None
    decided_on: date | None = None
    decided_by: str | None = None
    note: str | None = None


class LifecycleChange(BaseModel):
    """What a lifecycle step did: the decision after it, its status, deadlines opened."""

    model_config = ConfigDict(frozen=True)

    decision: Decision
    status: Status = Field(description="the listing's status on the effective date")
    objection: Objection | None = None
    deadlines: list[DeadlineItem] = Field(default_factory=list)
    applications: int = Field(description="applications whose lifecycle changed")


def _objection_id(decision_id: str, received: date, nth: int) -> str:
    raw = f"{decision_id}\x1f{received}\x1f{nth}"
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def _objection_record(objection: Objection) -> StoredRecord:
    return StoredRecord(
        collection=OBJECTIONS,
        id=objection.id,
        subject=objection.subject,
        group=objection.decision_id,
        fields={"status": objection.outcome or "open", "received": objection.received},
        doc=objection.model_dump(mode="json"),
    )


def _not_before_last_event(decision: Decision, on: date) -> None:
    """Lifecycle events are recorded in date order: none may predate the last one."""
    life = decision.lifecycle
    days = [d for s in life.suspensions for d in (s.start, s.end) if d is not None]
    days += [d for d in (life.revoked_on, life.repaired_on) if d is not None]
    if days and on < max(days):
        raise ConflictError(
            f"decision {decision.id} has a lifecycle event on {max(days)}; {on} is earlier"
        )


def _load(store: GraphStore, decision_id: str) -> Decision:
    found = store.get_records(DECISIONS, [decision_id])
    if not found:
        raise NotFound(f"no decision {decision_id!r}")
    return decision_from(found[0])


def load_objection(store: GraphStore, objection_id: str) -> Objection:
    """An objection by id; raises :class:`NotFound`."""
    found = store.get_records(OBJECTIONS, [objection_id])
    if not found:
        raise NotFound(f"no objection {objection_id!r}")
    return Objection.model_validate(found[0].doc)


def _change(
    store: GraphStore,
    decision: Decision,
    life: Lifecycle,
    *,
    action: str,
    actor: str,
    on: date,
    extra: Sequence[StoredRecord] = (),
    note: str | None = None,
) -> tuple[Decision, int]:
    """Write the new lifecycle on the decision and all its applications, with audit."""
    after = decision.model_copy(update={"lifecycle": life})
    apps = [application_from(r) for r in store.find_records([APPLICATIONS], groups=[decision.id])]
    writes = [decision_record(after)]
    writes += [application_record(a.model_copy(update={"lifecycle": life})) for a in apps]
    writes += list(extra)
    writes.append(
        audit_record(
            actor=actor,
            action=action,
            target=f"{DECISIONS}:{decision.id}",
            subject=decision.request.subject.uid,
            effective=on,
            before=decision.lifecycle.model_dump(mode="json"),
            after=life.model_dump(mode="json"),
            note=note,
        )
    )
    store.put_records(writes)
    return after, len(apps)


def file_objection(
    store: GraphStore,
    decision_id: str,
    *,
    received: date,
    by: str,
    reason: str,
    actor: str,
    catalog: Catalog | None = None,
) -> LifecycleChange:
    """Receive an objection: suspend the listing and everything derived from it."""
    catalog = catalog or load_catalog()
    decision = _load(store, decision_id)
    _not_before_last_event(decision, received)
    status = decision.status_on(received)
    if status != "in_force":
        raise ConflictError(
            f"decision {decision_id} is {status} on {received}: no listing in force to object to"
        )
    rule = catalog.header.deadlines["objection_reply"]
    reply = new_deadline(
        "objection_reply",
        decision_id=decision_id,
        subject=decision.request.subject.uid,
        start=received,
        working_days=rule.working_days,
        name=rule.name,
        basis=rule.basis,
    )
    objection = Objection(
        id=_objection_id(decision_id, received, len(decision.lifecycle.suspensions)),
        decision_id=decision_id,
        subject=decision.request.subject.uid,
        received=received,
        by=by,
        reason=reason,
        reply_due=reply.due,
        reply_warning=reply.warning,
    )
    suspended = [
        *decision.lifecycle.suspensions,
        Suspension(start=received, objection_id=objection.id),
    ]
    life = decision.lifecycle.model_copy(update={"suspensions": suspended})
    extra = [_objection_record(objection), deadline_record(reply)]
    after, count = _change(
        store, decision, life, action="objection.file", actor=actor, on=received, extra=extra
    )
    return LifecycleChange(
        decision=after,
        status=after.status_on(received),
        objection=objection,
        deadlines=[reply],
        applications=count,
    )


def decide_objection(
    store: GraphStore,
    objection_id: str,
    *,
    outcome: Literal["rejected", "upheld"],
    on: date,
    by: str,
    actor: str,
    note: str | None = None,
    catalog: Catalog | None = None,
) -> LifecycleChange:
    """Decide an objection: the term resumes (rejected) or the listing is revoked (upheld)."""
    catalog = catalog or load_catalog()
    objection = load_objection(store, objection_id)
    if objection.outcome is not None:
        raise ConflictError(f"objection {objection_id} was already {objection.outcome}")
    if on < objection.received:
        raise ConflictError(f"objection received {objection.received}, decided {on}: too early")
    decision = _load(store, objection.decision_id)
    suspensions = [
        s.model_copy(update={"end": on}) if s.objection_id == objection_id else s
        for s in decision.lifecycle.suspensions
    ]
    life = decision.lifecycle.model_copy(update={"suspensions": suspensions})
    if outcome == "upheld":
        life = life.model_copy(update={"revoked_on": on})
    decided = objection.model_copy(
        update={"outcome": outcome, "decided_on": on, "decided_by": by, "note": note}
    )
    opened = []
    extra = [_objection_record(decided)]
    for record in store.find_records([DEADLINES], groups=[decision.id], where={"status": "open"}):
        item = DeadlineItem.model_validate(record.doc)
        if item.kind == "objection_reply" and item.start == objection.received:
            extra.append(deadline_record(item.model_copy(update={"done_on": on, "done_by": by})))
    if outcome == "upheld":
        opened.append(_correction_push(catalog, decision, on))
        extra.append(deadline_record(opened[-1]))
    after, count = _change(
        store,
        decision,
        life,
        action=f"objection.{outcome}",
        actor=actor,
        on=on,
        extra=extra,
        note=note,
    )
    return LifecycleChange(
        decision=after,
        status=after.status_on(on),
        objection=decided,
        deadlines=opened,
        applications=count,
    )


def _correction_push(catalog: Catalog, decision: Decision, on: date) -> DeadlineItem:
    rule = catalog.header.deadlines["correction_push"]
    return new_deadline(
        "correction_push",
        decision_id=decision.id,
        subject=decision.request.subject.uid,
        start=on,
        working_days=rule.working_days,
        name=rule.name,
        basis=rule.basis,
    )


def repair(
    store: GraphStore,
    decision_id: str,
    *,
    on: date,
    attested: Sequence[str],
    actor: str,
    note: str | None = None,
    catalog: Catalog | None = None,
) -> LifecycleChange:
    """Repair a listing from ``on``: nothing derived from it applies any more.

    Refused unless the catalog's conditions hold: the severity class's minimum
    publication period has elapsed (when the class requires it) and every condition the
    catalog lists as ``attested`` (obligations fulfilled, public pledge) is declared.
    """
    catalog = catalog or load_catalog()
    decision = _load(store, decision_id)
    _not_before_last_event(decision, on)
    if decision.side != "sanction":
        raise ConflictError("credit repair applies to dishonesty listings, not to rewards")
    status = decision.status_on(on)
    if status != "in_force":
        raise ConflictError(f"decision {decision_id} is {status} on {on}: nothing to repair")
    refusals = []
    classes = catalog.header.severity_classes
    klass = next((c for name, c in classes.items() if name == decision.severity), None)
    if klass is not None and klass.repair_after_min and klass.min_publication:
        earliest = add_period(decision.start, klass.min_publication)
        if on < earliest:
            refusals.append(
                Refusal(
                    code="precondition_failed",
                    message=(
                        f"the minimum publication period {klass.min_publication} of a "
                        f"{decision.severity} listing ends on {earliest}; repair only from then"
                    ),
                )
            )
    missing = [c for c in catalog.header.repair.attested if c not in attested]
    if missing:
        refusals.append(
            Refusal(
                code="precondition_failed", message=f"repair conditions not attested: {missing}"
            )
        )
    if refusals:
        raise Refused.of(refusals)
    life = decision.lifecycle.model_copy(update={"repaired_on": on})
    push = _correction_push(catalog, decision, on)
    after, count = _change(
        store,
        decision,
        life,
        action="decision.repair",
        actor=actor,
        on=on,
        extra=[deadline_record(push)],
        note=note,
    )
    return LifecycleChange(
        decision=after, status=after.status_on(on), deadlines=[push], applications=count
    )
