"""Credit records as they come from files, the audit log, and how both are stored.

A credit record (信用记录) is a fact a source asserts about a subject: a dishonesty record
(失信记录), an honour record (守信记录), or an entry on the red list (红名单) or black list
(黑名单), each with its decision number, authority and dates.  Ingest hands parsed rows to
:class:`CreditRecordIn`; :func:`store_credit_records` writes them **into the store** (not
process memory) beside the entity graph — credit state is never an entity kind — and
appends an :class:`AuditEvent` for every record it creates or changes.

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> row = CreditRecordIn(
...     kind="黑名单", subject="Vehicle:吉A12345|2", behaviour_code="T-OVERLOAD",
...     decision_no="吉交执〔2026〕12号", authority="吉林省交通运输厅",
...     act_date="2026-05-02", decision_date="2026-05-20", evidence=["处罚决定书"],
...     source="records.csv:7")
>>> row.kind, row.subject
(<CreditKind.BLACK_LIST: 'black_list'>, NodeRef(kind='Vehicle', key='吉A12345|2'))
>>> store_credit_records(store, [row]).written
1
>>> store_credit_records(store, [row]).unchanged   # re-ingesting changes nothing
1
>>> [r.kind for r in credit_records_of(store, [row.subject])]
[<CreditKind.BLACK_LIST: 'black_list'>]
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.model import NodeRef
from graph.stores.base import RECORD_COLLECTIONS, FieldValue, GraphStore, StoredRecord

__all__ = [
    "AuditEvent",
    "CreditKind",
    "CreditRecordIn",
    "StoreResult",
    "audit_record",
    "credit_record_id",
    "credit_records_of",
    "make_record",
    "parse_subject",
    "read_audit",
    "store_credit_records",
    "to_stored",
]

CREDIT_COLLECTION = "CreditRecord"
AUDIT_COLLECTION = "AuditEvent"


class CreditKind(StrEnum):
    """The four kinds of credit record; Chinese names are accepted on input."""

    DISHONESTY = "dishonesty"  # 失信记录
    HONOUR = "honour"  # 守信记录
    RED_LIST = "red_list"  # 红名单
    BLACK_LIST = "black_list"  # 黑名单

    @property
    def chinese(self) -> str:
        """The Chinese name.

        >>> CreditKind.RED_LIST.chinese
        '红名单'
        """
        return _CHINESE[self]

    @property
    def is_negative(self) -> bool:
        """Whether the record counts against the subject (dishonesty, black list)."""
        return self in (CreditKind.DISHONESTY, CreditKind.BLACK_LIST)


_CHINESE = {
    CreditKind.DISHONESTY: "失信记录",
    CreditKind.HONOUR: "守信记录",
    CreditKind.RED_LIST: "红名单",
    CreditKind.BLACK_LIST: "黑名单",
}
_FROM_CHINESE = {v: k.value for k, v in _CHINESE.items()} | {
    "失信": "dishonesty",
    "守信": "honour",
    "诚信典型": "red_list",
    "守信激励对象": "red_list",
    "严重失信主体": "black_list",
    "失信联合惩戒对象": "black_list",
}


def parse_subject(value: Any) -> Any:
    """Accept ``NodeRef``, ``"Kind:key"``, ``(kind, key)`` or ``{"kind", "key"}``.

    >>> parse_subject("Person:110101199003070011")
    NodeRef(kind='Person', key='110101199003070011')
    """
    if isinstance(value, NodeRef):
        return value
    if isinstance(value, str):
        ref = NodeRef.from_uid(value.strip())
        if not ref.kind or not ref.key:
            raise ValueError(f"subject {value!r} is not 'Kind:key'")
        return ref
    if isinstance(value, dict):
        return NodeRef(str(value["kind"]), str(value["key"]))
    if isinstance(value, list | tuple) and len(value) == 2:
        return NodeRef(str(value[0]), str(value[1]))
    return value


class CreditRecordIn(BaseModel):
    """One credit record as a file gives it (ingest validates a row into this)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: CreditKind = Field(description="失信记录 / 守信记录 / 红名单 / 黑名单")
    subject: NodeRef = Field(description="the entity the record is about (kind and key)")
    behaviour_code: str | None = Field(None, description="catalog code of the behaviour, if any")
    decision_no: str = Field(min_length=1, description="文书号 / decision number")
    authority: str = Field(min_length=1, description="认定部门 / deciding authority")
    act_date: date | None = Field(None, description="when the behaviour happened")
    decision_date: date = Field(description="when the authority decided")
    valid_until: date | None = Field(None, description="end of publication / listing, if given")
    evidence: list[str] = Field(default_factory=list, description="evidence references")
    source: str = Field(min_length=1, description="file and row (or system) that asserted it")
    summary: str | None = Field(None, description="what happened, in the source's words")

    @field_validator("kind", mode="before")
    @classmethod
    def _chinese_kind(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return _FROM_CHINESE.get(text, text.lower())
        return value

    @field_validator("subject", mode="before")
    @classmethod
    def _parse_subject(cls, value: Any) -> Any:
        return parse_subject(value)

    @field_validator("evidence", mode="before")
    @classmethod
    def _split_evidence(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.replace("；", ";").split(";")
            return [p.strip() for p in parts if p.strip()]
        return value

    @field_validator("behaviour_code", "summary", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _dates_in_order(self) -> CreditRecordIn:
        if self.act_date and self.act_date > self.decision_date:
            raise ValueError(
                f"act_date {self.act_date} is after decision_date {self.decision_date}"
            )
        if self.valid_until and self.valid_until < self.decision_date:
            raise ValueError(f"valid_until {self.valid_until} is before {self.decision_date}")
        return self

    @property
    def id(self) -> str:
        """Stable identity: kind, subject, decision number and behaviour."""
        return credit_record_id(self.kind, self.subject, self.decision_no, self.behaviour_code)

    def listed_on(self, as_of: date) -> bool:
        """Whether a list entry (red or black) stands on ``as_of`` per the source's dates.

        >>> r = CreditRecordIn(kind="red_list", subject="Enterprise:x", decision_no="1",
        ...     authority="a", decision_date="2026-01-01", valid_until="2027-01-01", source="s")
        >>> r.listed_on(date(2026, 12, 31)), r.listed_on(date(2027, 1, 1))
        (True, False)
        """
        if self.kind not in (CreditKind.RED_LIST, CreditKind.BLACK_LIST):
            return False
        return self.decision_date <= as_of and (
            self.valid_until is None or as_of < self.valid_until
        )


def credit_record_id(
    kind: CreditKind, subject: NodeRef, decision_no: str, behaviour_code: str | None
) -> str:
    """Hash of what identifies a credit record (re-ingesting the same row is a no-op).

    >>> len(credit_record_id(CreditKind.HONOUR, NodeRef("Enterprise", "x"), "1", None))
    24
    """
    raw = "\x1f".join((kind.value, subject.uid, decision_no, behaviour_code or ""))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def make_record(
    collection: str,
    id: str,
    *,
    subject: str | None = None,
    group: str | None = None,
    fields: dict[str, FieldValue | None],
    doc: dict[str, Any],
) -> StoredRecord:
    """A record from values this package built from validated models (not validated again:
    the hot path of filing thousands of decisions).  ``None`` fields are dropped.

    >>> make_record("Decision", "d1", fields={"start": None, "side": "sanction"}, doc={}).fields
    {'side': 'sanction'}
    """
    if collection not in RECORD_COLLECTIONS:
        raise ValueError(f"unknown record collection {collection!r}")
    return StoredRecord.model_construct(
        collection=collection,
        id=id,
        subject=subject,
        group=group,
        fields={k: v for k, v in fields.items() if v is not None},
        doc=doc,
    )


def to_stored(record: CreditRecordIn) -> StoredRecord:
    """The store's form of a credit record: indexed by subject and decision number.

    >>> r = CreditRecordIn(kind="失信记录", subject="Person:1", decision_no="D1",
    ...     authority="a", decision_date="2026-01-01", source="s")
    >>> to_stored(r).fields["kind"], to_stored(r).group
    ('dishonesty', 'D1')
    """
    return StoredRecord(
        collection=CREDIT_COLLECTION,
        id=record.id,
        subject=record.subject.uid,
        group=record.decision_no,
        fields={
            "kind": record.kind.value,
            "behaviour_code": record.behaviour_code,
            "decision_no": record.decision_no,
            "authority": record.authority,
            "act_date": record.act_date,
            "decision_date": record.decision_date,
            "valid_until": record.valid_until,
        },
        doc=record.model_dump(mode="json"),
    )


def _from_stored(stored: StoredRecord) -> CreditRecordIn:
    return CreditRecordIn.model_validate(stored.doc)


# -- audit -----------------------------------------------------------------------------------
class AuditEvent(BaseModel):
    """One appended state change: who, when, what, before and after (never rewritten)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    at: str = Field(description="UTC timestamp of the change, ISO 8601")
    actor: str
    action: str = Field(description="e.g. credit_record.create, decision.file, objection.upheld")
    target: str = Field(description="rid of the record that changed")
    subject: str | None = Field(None, description="uid of the entity concerned")
    effective: date | None = Field(None, description="the date the change takes effect")
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    note: str | None = None


def audit_record(
    *,
    actor: str,
    action: str,
    target: str,
    subject: str | None = None,
    effective: date | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> StoredRecord:
    """An audit event ready for :meth:`GraphStore.put_records` (append-only collection).

    >>> e = audit_record(actor="t", action="x.create", target="Decision:1", subject="Person:1")
    >>> e.collection, e.subject, e.group
    ('AuditEvent', 'Person:1', 'Decision:1')
    """
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    event = AuditEvent(
        id=uuid.uuid4().hex,
        at=moment.isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        target=target,
        subject=subject,
        effective=effective,
        before=before,
        after=after,
        note=note,
    )
    return make_record(
        AUDIT_COLLECTION,
        event.id,
        subject=subject,
        group=target,
        fields={"at": event.at, "actor": actor, "action": action, "effective": effective},
        doc=event.model_dump(mode="json"),
    )


def read_audit(
    store: GraphStore,
    *,
    subjects: Sequence[NodeRef] | None = None,
    targets: Sequence[str] | None = None,
) -> list[AuditEvent]:
    """Audit events about these subjects or targets, oldest first.

    >>> from graph.model import load_model
    >>> from graph.stores.memory import MemoryStore
    >>> store = MemoryStore(load_model())
    >>> store.put_records([audit_record(actor="t", action="a", target="Decision:1")])
    1
    >>> [e.action for e in read_audit(store, targets=["Decision:1"])]
    ['a']
    """
    found = store.find_records(
        [AUDIT_COLLECTION],
        subjects=None if subjects is None else [s.uid for s in subjects],
        groups=None if targets is None else list(targets),
    )
    events = [AuditEvent.model_validate(r.doc) for r in found]
    return sorted(events, key=lambda e: (e.at, e.id))


# -- credit records --------------------------------------------------------------------------
class StoreResult(BaseModel):
    """What a write did: records written (new or changed) and records already identical."""

    model_config = ConfigDict(frozen=True)

    written: int = 0
    unchanged: int = 0


def store_credit_records(
    store: GraphStore, records: Iterable[CreditRecordIn], *, actor: str = "ingest"
) -> StoreResult:
    """Write credit records (new or changed) with one audit event each, in one transaction.

    Subjects must be of a kind the vocabulary knows; whether the entity exists is the
    caller's concern (ingest writes entities first).  Identical records are left alone.
    """
    batch: dict[str, CreditRecordIn] = {}
    for record in records:
        store.model.require_kind(record.subject.kind)
        batch[record.id] = record
    if not batch:
        return StoreResult()
    existing = {r.id: r for r in store.get_records(CREDIT_COLLECTION, sorted(batch))}
    writes: list[StoredRecord] = []
    unchanged = 0
    for rid, record in sorted(batch.items()):
        stored = to_stored(record)
        old = existing.get(rid)
        if old is not None and old.doc == stored.doc:
            unchanged += 1
            continue
        writes.append(stored)
        writes.append(
            audit_record(
                actor=actor,
                action="credit_record.update" if old else "credit_record.create",
                target=stored.rid,
                subject=stored.subject,
                effective=record.decision_date,
                before=old.doc if old else None,
                after=stored.doc,
            )
        )
    store.put_records(writes)
    return StoreResult(written=len(writes) // 2, unchanged=unchanged)


def credit_records_of(
    store: GraphStore, subjects: Sequence[NodeRef], *, kinds: Sequence[CreditKind] | None = None
) -> list[CreditRecordIn]:
    """Credit records about these subjects (one round trip), sorted by decision date."""
    found = store.find_records([CREDIT_COLLECTION], subjects=[s.uid for s in subjects])
    records = [_from_stored(r) for r in found]
    if kinds is not None:
        records = [r for r in records if r.kind in kinds]
    return sorted(records, key=lambda r: (r.decision_date, r.subject.uid, r.id))
