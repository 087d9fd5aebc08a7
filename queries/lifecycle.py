"""The records of the sanction lifecycle and the one rule that says what is in force.

A :class:`Decision` (认定决定) lists a subject under a catalog behaviour; each measure it
applies — to the subject, or to a linked subject reached by propagation — is an
:class:`Application`.  Both carry the decision's :class:`Lifecycle` (objection
suspensions, revocation, repair), copied onto every application so that "what is in force
on this entity on this date" is answered from the entity's own records in one round trip
(and by an indexed Cypher predicate on the server, see ``queries/credit_state.py``).

:func:`status_on` is the rule, for every date:

* before the start — ``not_started``;
* from a revocation (objection upheld) — ``revoked``; from a repair — ``repaired``;
* inside an objection's review ``[received, decided)`` — ``suspended``;
* from the end — ``expired``; the end is the start plus the term, moved by exactly the
  calendar days of every closed suspension (the term resumes after a rejection);
* otherwise ``in_force``.

>>> life = Lifecycle(suspensions=[Suspension(start=date(2026, 6, 1), end=date(2026, 6, 11))])
>>> life.end_of(date(2027, 5, 20))
datetime.date(2027, 5, 30)
>>> status_on(date(2026, 5, 20), date(2027, 5, 20), life, date(2026, 6, 5))
'suspended'
>>> status_on(date(2026, 5, 20), date(2027, 5, 20), life, date(2027, 5, 25))
'in_force'
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.catalog.periods import Period
from graph.credit import make_record, parse_subject
from graph.exc import CreditlinkError
from graph.model import NodeRef
from graph.stores.base import StoredRecord

__all__ = [
    "Application",
    "AppliedMeasure",
    "Decision",
    "DecisionRequest",
    "EvidenceItem",
    "Lifecycle",
    "PathStep",
    "Refusal",
    "Refused",
    "RefusedByState",
    "RefusedUnknown",
    "Status",
    "Suspension",
    "application_id",
    "application_record",
    "applied",
    "decision_id",
    "decision_record",
    "status_on",
]

DECISIONS = "Decision"
APPLICATIONS = "MeasureApplication"
Status = Literal["not_started", "in_force", "suspended", "expired", "repaired", "revoked"]
ListSide = Literal["sanction", "reward"]


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- refusals ------------------------------------------------------------------------------
class Refusal(_Strict):
    """Why the engine will not do what was asked, in words a clerk can act on."""

    code: Literal[
        "outside_catalog",
        "subject_kind_out_of_scope",
        "evidence_missing",
        "subject_unknown",
        "responsible_person_unknown",
        "term_not_allowed",
        "precondition_failed",
        "dates_inconsistent",
        "filed_differently",
        "not_allowed_now",
    ]
    message: str


#: Refusals of the state, not of the request: the same request may pass another day.
STATE_REFUSALS = frozenset({"precondition_failed", "filed_differently", "not_allowed_now"})
#: Refusals because a subject the request names is not in the graph.
UNKNOWN_REFUSALS = frozenset({"subject_unknown", "responsible_person_unknown"})


class Refused(CreditlinkError):
    """A request the catalog does not allow; carries every reason found.

    Build it with :meth:`of`, which picks the HTTP meaning from the reasons: the request
    breaks the catalog (422, this class), names a subject the graph does not hold
    (:class:`RefusedUnknown`, 404) or is refused by the state (:class:`RefusedByState`, 409).

    >>> type(Refused.of([Refusal(code="outside_catalog", message="x")])).__name__
    'Refused'
    >>> Refused.of([Refusal(code="precondition_failed", message="too early")]).status
    409
    """

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Refused by the catalog rules"

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__("; ".join(f"{r.code}: {r.message}" for r in refusals))

    @staticmethod
    def of(refusals: list[Refusal]) -> Refused:
        """The refusal for these reasons; a reason about the request itself wins."""
        codes = {r.code for r in refusals}
        if codes and codes <= STATE_REFUSALS:
            return RefusedByState(refusals)
        if codes and codes <= STATE_REFUSALS | UNKNOWN_REFUSALS:
            return RefusedUnknown(refusals)
        return Refused(refusals)

    def extensions(self) -> dict[str, Any]:
        """Every reason, each with its code (``outside_catalog`` …) and message."""
        return {"refusals": [r.model_dump() for r in self.refusals]}


class RefusedUnknown(Refused):
    """Refused because the subject (or a person) the request names is not in the graph."""

    status: ClassVar[int] = 404
    title: ClassVar[str] = "Refused: unknown subject"


class RefusedByState(Refused):
    """Refused by the current state (a precondition unmet today, filed differently before)."""

    status: ClassVar[int] = 409
    title: ClassVar[str] = "Refused in the current state"


# -- the request -----------------------------------------------------------------------------
class EvidenceItem(_Strict):
    """A piece of evidence: its type (as the catalog names it) and a reference."""

    type: str = Field(min_length=1, description="e.g. 行政处罚决定书")
    reference: str = Field(min_length=1, description="document number, file or link")


class DecisionRequest(_Strict):
    """发起: an authority asks to list a subject under a catalog behaviour."""

    subject: NodeRef
    behaviour_code: str = Field(min_length=1)
    act_date: date = Field(description="when the behaviour happened")
    decision_date: date = Field(description="date of the listing decision; the term starts here")
    decision_no: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    responsible_persons: list[NodeRef] = Field(
        default_factory=list, description="直接责任人员 the decision names"
    )
    term: Period | None = Field(None, description="listing term chosen within the catalog's range")
    measure_terms: dict[str, Period] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("subject", mode="before")
    @classmethod
    def _parse_subject(cls, value: Any) -> Any:
        return parse_subject(value)

    @field_validator("responsible_persons", mode="before")
    @classmethod
    def _parse_persons(cls, value: Any) -> Any:
        return [parse_subject(v) for v in value] if isinstance(value, list) else value

    @property
    def id(self) -> str:
        """The decision's identity: authority, number, subject and behaviour."""
        return decision_id(self.authority, self.decision_no, self.subject, self.behaviour_code)


@lru_cache(maxsize=65536)
def decision_id(authority: str, decision_no: str, subject: NodeRef, behaviour_code: str) -> str:
    """Stable decision id (filing the same decision twice finds the first).

    >>> len(decision_id("a", "1", NodeRef("Vehicle", "x"), "T-OVERLOAD"))
    24
    """
    return _hash(authority, decision_no, subject.uid, behaviour_code)


def application_id(decision: str, subject: NodeRef, measure: str) -> str:
    """Stable id of one measure applied to one subject by one decision."""
    return _hash(decision, subject.uid, measure)


# -- lifecycle -------------------------------------------------------------------------------
class Suspension(_Strict):
    """An objection's review: ``[start, end)``; ``end`` None while under review."""

    start: date
    end: date | None = None
    objection_id: str | None = None

    @property
    def days(self) -> int:
        """Calendar days suspended (0 while still open)."""
        return 0 if self.end is None else (self.end - self.start).days


class Lifecycle(_Strict):
    """What happened to a decision after filing, shared by all it derived."""

    suspensions: list[Suspension] = Field(default_factory=list)
    revoked_on: date | None = None
    repaired_on: date | None = None

    @property
    def open_suspension(self) -> Suspension | None:
        """The objection under review, if any."""
        return next((s for s in self.suspensions if s.end is None), None)

    @property
    def stopped_on(self) -> date | None:
        """The first day nothing applies any more (revocation or repair)."""
        days = [d for d in (self.revoked_on, self.repaired_on) if d is not None]
        return min(days) if days else None

    def end_of(self, base_end: date | None) -> date | None:
        """The term's end moved by exactly the closed suspensions (None = until lifted)."""
        if base_end is None:
            return None
        return base_end + timedelta(days=sum(s.days for s in self.suspensions))

    def fields(self, base_end: date | None) -> dict[str, Any]:
        """Flat values for server-side filtering (see ``queries/credit_state.py``)."""
        closed = [s for s in self.suspensions if s.end is not None]
        open_ = self.open_suspension
        return {
            "end": self.end_of(base_end),
            "stopped_on": self.stopped_on,
            "suspended_from": open_.start if open_ else None,
            "paused_from": [s.start for s in closed],
            "paused_to": [s.end for s in closed if s.end is not None],
        }


def status_on(start: date, base_end: date | None, life: Lifecycle, as_of: date) -> Status:
    """The status of something that runs from ``start`` for a term ending ``base_end``."""
    if as_of < start:
        return "not_started"
    if life.revoked_on is not None and as_of >= life.revoked_on:
        return "revoked"
    if life.repaired_on is not None and as_of >= life.repaired_on:
        return "repaired"
    for s in life.suspensions:
        if s.start <= as_of and (s.end is None or as_of < s.end):
            return "suspended"
    end = life.end_of(base_end)
    if end is not None and as_of >= end:
        return "expired"
    return "in_force"


# -- decisions and applications ---------------------------------------------------------------
class PathStep(_Strict):
    """One relationship of a propagation path, with the source that asserted it."""

    relationship: str
    src: NodeRef
    dst: NodeRef
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    eid: str | None = None
    rule: str = Field(description="catalog rule followed, MEASURE.rule_id")
    evaluated_on: date


class Decision(_Strict):
    """A filed listing decision with its catalog context and lifecycle."""

    id: str
    request: DecisionRequest
    side: ListSide
    behaviour_name: str
    severity: str | None
    catalog_version: str
    catalog_fingerprint: str
    start: date
    term: str | None
    base_end: date | None
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    application_ids: list[str]
    filed_by: str
    warnings: list[str] = Field(default_factory=list)

    def status_on(self, as_of: date) -> Status:
        """The listing's own status on ``as_of``."""
        return status_on(self.start, self.base_end, self.lifecycle, as_of)

    @property
    def end(self) -> date | None:
        """The listing's end after suspensions."""
        return self.lifecycle.end_of(self.base_end)


class Application(_Strict):
    """One measure applied to one subject by one decision, with its justification."""

    id: str
    decision_id: str
    decision_no: str
    authority: str
    behaviour_code: str
    behaviour_name: str
    catalog_version: str
    subject: NodeRef
    direct: bool = Field(description="the decision's own subject (no propagation)")
    role: str | None
    measure: str
    measure_name: str
    side: ListSide
    restricts: list[str]
    grants: list[str]
    legal_basis: list[str]
    implementing_units: list[str]
    path: list[PathStep]
    start: date
    term: str | None
    base_end: date | None
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)

    def status_on(self, as_of: date) -> Status:
        """This measure's status on ``as_of``."""
        return status_on(self.start, self.base_end, self.lifecycle, as_of)

    @property
    def end(self) -> date | None:
        """The measure's end after suspensions (None = until lifted)."""
        return self.lifecycle.end_of(self.base_end)


def decision_record(decision: Decision) -> StoredRecord:
    """The store's form of a decision (indexed by subject and by behaviour code)."""
    return make_record(
        DECISIONS,
        decision.id,
        subject=decision.request.subject.uid,
        group=decision.request.behaviour_code,
        fields={
            "side": decision.side,
            "decision_no": decision.request.decision_no,
            "authority": decision.request.authority,
            "start": decision.start,
            **decision.lifecycle.fields(decision.base_end),
        },
        doc=decision.model_dump(mode="json"),
    )


def application_record(app: Application) -> StoredRecord:
    """The store's form of an application: subject-indexed, grouped by decision.

    Its flat fields are what :data:`queries.credit_state.IN_FORCE_CYPHER` reads on the
    server: ``start``, ``end``, ``stopped_on``, ``suspended_from``, ``paused_from/_to``.
    """
    return make_record(
        APPLICATIONS,
        app.id,
        subject=app.subject.uid,
        group=app.decision_id,
        fields={
            "measure": app.measure,
            "side": app.side,
            "direct": app.direct,
            "restricts": app.restricts,
            "grants": app.grants,
            "start": app.start,
            **app.lifecycle.fields(app.base_end),
        },
        doc=app.model_dump(mode="json"),
    )


def decision_from(record: StoredRecord) -> Decision:
    """A decision back from the store."""
    return Decision.model_validate(record.doc)


def application_from(record: StoredRecord) -> Application:
    """An application back from the store."""
    return Application.model_validate(record.doc)


class AppliedMeasure(BaseModel):
    """An application seen on a date: what, why (basis, decision, path), until when, status."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    status: Status
    application_id: str
    decision_id: str
    decision_no: str
    authority: str
    behaviour_code: str
    behaviour_name: str
    catalog_version: str
    subject: NodeRef
    direct: bool
    role: str | None
    measure: str
    measure_name: str
    side: ListSide
    restricts: list[str]
    grants: list[str]
    legal_basis: list[str]
    implementing_units: list[str]
    path: list[PathStep]
    start: date
    term: str | None
    end: date | None = Field(description="after suspensions; None = until lifted")
    suspended_days: int = Field(description="calendar days of closed suspensions")
    suspended_from: date | None = Field(None, description="start of an objection under review")
    stopped_on: date | None = Field(None, description="revoked or repaired from this date")


def applied(app: Application, as_of: date) -> AppliedMeasure:
    """The view of ``app`` on ``as_of``.

    >>> life = Lifecycle(repaired_on=date(2026, 9, 1))
    >>> app = Application(id="a", decision_id="d", decision_no="1", authority="a",
    ...     behaviour_code="T", behaviour_name="t", catalog_version="v",
    ...     subject=NodeRef("Person", "1"), direct=True, role=None, measure="M",
    ...     measure_name="m", side="sanction", restricts=["bidding"], grants=[],
    ...     legal_basis=[], implementing_units=[], path=[], start=date(2026, 5, 1),
    ...     term="P1Y", base_end=date(2027, 5, 1), lifecycle=life)
    >>> applied(app, date(2026, 8, 31)).status, applied(app, date(2026, 9, 1)).status
    ('in_force', 'repaired')
    """
    life = app.lifecycle
    open_ = life.open_suspension
    return AppliedMeasure(
        as_of=as_of,
        status=app.status_on(as_of),
        application_id=app.id,
        decision_id=app.decision_id,
        decision_no=app.decision_no,
        authority=app.authority,
        behaviour_code=app.behaviour_code,
        behaviour_name=app.behaviour_name,
        catalog_version=app.catalog_version,
        subject=app.subject,
        direct=app.direct,
        role=app.role,
        measure=app.measure,
        measure_name=app.measure_name,
        side=app.side,
        restricts=app.restricts,
        grants=app.grants,
        legal_basis=app.legal_basis,
        implementing_units=app.implementing_units,
        path=app.path,
        start=app.start,
        term=app.term,
        end=app.end,
        suspended_days=sum(s.days for s in life.suspensions),
        suspended_from=open_.start if open_ else None,
        stopped_on=life.stopped_on,
    )
