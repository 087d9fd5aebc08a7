"""The credit history of an entity: records, measures (with their lifecycle), objections and
every audited change concerning it — nothing is ever deleted.

>>> from graph.model import load_model, NodeRef
>>> from graph.stores.memory import MemoryStore
>>> history(MemoryStore(load_model()), NodeRef("Person", "1"), as_of=date(2026, 1, 1)).events
[]
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from graph.credit import AUDIT_COLLECTION, CREDIT_COLLECTION, AuditEvent, CreditRecordIn
from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.lifecycle import APPLICATIONS, DECISIONS, AppliedMeasure, application_from, applied
from queries.objections import OBJECTIONS, Objection

__all__ = ["History", "history"]


class History(BaseModel):
    """Everything on record about one entity; measures seen on ``as_of``."""

    model_config = ConfigDict(frozen=True)

    entity: NodeRef
    as_of: date
    credit_records: list[CreditRecordIn]
    measures: list[AppliedMeasure]
    objections: list[Objection]
    events: list[AuditEvent]


def history(store: GraphStore, entity: NodeRef, *, as_of: date | None = None) -> History:
    """The entity's records and measures, and the audit events about it or its decisions."""
    day = as_of or date.today()
    found = store.find_records(
        [APPLICATIONS, CREDIT_COLLECTION, OBJECTIONS, AUDIT_COLLECTION], subjects=[entity.uid]
    )
    apps = [application_from(r) for r in found if r.collection == APPLICATIONS]
    decisions = sorted({a.decision_id for a in apps})
    related = {r.rid: r for r in found}
    if decisions:
        # audit events are grouped by "Decision:<id>", objections by the decision id
        groups = [f"{DECISIONS}:{d}" for d in decisions] + decisions
        for r in store.find_records([AUDIT_COLLECTION, OBJECTIONS], groups=groups):
            related[r.rid] = r
    events = [r for r in related.values() if r.collection == AUDIT_COLLECTION]
    objections = [r for r in related.values() if r.collection == OBJECTIONS]
    audit = sorted((AuditEvent.model_validate(r.doc) for r in events), key=lambda e: (e.at, e.id))
    return History(
        entity=entity,
        as_of=day,
        credit_records=sorted(
            (
                CreditRecordIn.model_validate(r.doc)
                for r in found
                if r.collection == CREDIT_COLLECTION
            ),
            key=lambda c: (c.decision_date, c.id),
        ),
        measures=sorted((applied(a, day) for a in apps), key=lambda m: (m.start, m.measure)),
        objections=sorted(
            (Objection.model_validate(r.doc) for r in objections),
            key=lambda o: (o.received, o.id),
        ),
        events=audit,
    )
