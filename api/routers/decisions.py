"""Decisions and their lifecycle (发起, 异议, 信用修复, 执行反馈) over HTTP.

Thin routes over ``queries/decisions.py``, ``objections.py`` and ``feedback.py``, the same
functions the CLI runs (``creditlink preview|decide|object|objection-decision|repair|
feedback``).  What the engine refuses comes back as a problem carrying every reason
(``refusals``): 422 when the request breaks the catalog (a behaviour outside it, missing
evidence, a term out of range), 404 when it names a subject the graph does not hold, 409
when the state refuses it (an objection on a revoked listing, a repair before the minimum
period).  Every write records who (the API key's id) in the store's audit events, and the
request with its outcome in the API audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import AuditDep, IsoDate, PrincipalDep, Requires, StoreDep
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.routers.lifecycle_examples import EXAMPLE_REQUEST, add_example
from api.security import Permission, Principal
from graph.catalog.periods import Period
from graph.exc import NotFound
from graph.model import GraphModel, NodeRef, load_model
from queries.decisions import DecisionOutcome, Preview, file_decision, load_decision, preview
from queries.entities import parse_ref
from queries.feedback import FeedbackIn, FeedbackReport, feedback_report, record_feedback
from queries.lifecycle import DecisionRequest, EvidenceItem
from queries.objections import (
    LifecycleChange,
    decide_objection,
    file_objection,
    load_objection,
    repair,
)

__all__ = ["TAG", "router"]

TAG = {
    "name": "decisions",
    "description": "File listing decisions from the catalog (发起), preview their reach, "
    "object (异议), decide objections, repair (信用修复) and report execution (执行反馈).",
}
router = APIRouter(prefix=f"{API_PREFIX}/decisions", tags=["decisions"])
_WRITE = [Requires(Permission.DECISIONS_WRITE)]
_READ = [Requires(Permission.CREDIT_READ)]
_KIND_ENUM: dict[str, Any] = {"enum": sorted(load_model().nodes)}
_ID_EXAMPLE = "1e3ac8925b840f0408cdd6c1"


# -- documents (the queries' models, with examples) -------------------------------------------
class DecisionDocument(DecisionOutcome):
    """A filed decision: every measure it applies, to whom, by which path; its deadlines."""

    model_config = ConfigDict(json_schema_extra=add_example("decision"))


class PreviewDocument(Preview):
    """What filing would do (or every reason it is refused); nothing is written."""

    model_config = ConfigDict(json_schema_extra=add_example("preview"))


class LifecycleDocument(LifecycleChange):
    """The decision after a lifecycle step, its status that day and deadlines opened."""

    model_config = ConfigDict(json_schema_extra=add_example("objection_decision"))


class FeedbackDocument(FeedbackReport):
    """Execution feedback of a decision per application and implementing unit."""

    model_config = ConfigDict(json_schema_extra=add_example("feedback"))


# -- request bodies -------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectIn(_Body):
    """An entity by kind and key (identifiers are validated: a bad one is a 422)."""

    kind: str = Field(description="node kind", json_schema_extra=_KIND_ENUM)
    key: str = Field(
        min_length=1,
        max_length=200,
        description="USCC, ID number, `plate|colour`, project code or `channel|value`",
    )

    def ref(self, model: GraphModel) -> NodeRef:
        """The validated reference."""
        return parse_ref(model, self.kind, self.key)


class DecisionIn(_Body):
    """发起: an authority asks to list a subject under a catalog behaviour."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REQUEST]})

    subject: SubjectIn
    behaviour_code: str = Field(
        min_length=1, max_length=100, description="a behaviour of the catalog, e.g. T-OVERLOAD"
    )
    act_date: IsoDate = Field(description="when the behaviour happened")
    decision_date: IsoDate = Field(description="date of the decision; the term starts here")
    decision_no: str = Field(min_length=1, max_length=200, description="决定书文号")
    authority: str = Field(min_length=1, max_length=200, description="the deciding authority")
    evidence: list[EvidenceItem] = Field(
        default_factory=list, description="each type the behaviour requires, with a reference"
    )
    responsible_persons: list[SubjectIn] = Field(
        default_factory=list, max_length=100, description="直接责任人员 the decision names"
    )
    term: Period | None = Field(None, description="listing term within the catalog's range")
    measure_terms: dict[str, Period] = Field(
        default_factory=dict, description="a measure's term chosen within its range"
    )
    note: str | None = Field(None, max_length=2000)

    def request(self, model: GraphModel) -> DecisionRequest:
        """The engine's request, identifiers validated."""
        return DecisionRequest(
            subject=self.subject.ref(model),
            behaviour_code=self.behaviour_code,
            act_date=self.act_date,
            decision_date=self.decision_date,
            decision_no=self.decision_no,
            authority=self.authority,
            evidence=self.evidence,
            responsible_persons=[p.ref(model) for p in self.responsible_persons],
            term=self.term,
            measure_terms=self.measure_terms,
            note=self.note,
        )


class ObjectionIn(_Body):
    """异议: an objection received against a listing."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"received": "2026-06-01", "by": "甲运输有限公司", "reason": "检测设备未检定"}
            ]
        }
    )

    received: IsoDate = Field(description="the day it was received; the suspension starts")
    by: str = Field(min_length=1, max_length=200, description="who objects")
    reason: str = Field(min_length=1, max_length=2000)


class ObjectionDecisionIn(_Body):
    """The decision on an objection."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "rejected", "on": "2026-06-22", "by": "法规处"}]
        }
    )

    outcome: Literal["rejected", "upheld"] = Field(
        description="rejected: the term resumes; upheld: the listing is revoked"
    )
    on: IsoDate
    by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=2000)


class RepairIn(_Body):
    """信用修复: the subject corrected its behaviour; from ``on`` nothing applies."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"on": "2027-06-01", "attested": ["obligations_fulfilled", "public_pledge"]}
            ]
        }
    )

    on: IsoDate
    attested: list[str] = Field(
        default_factory=list, max_length=20, description="conditions the applicant declares"
    )
    note: str | None = Field(None, max_length=2000)


class FeedbackEntryIn(_Body):
    """执行反馈: one implementing unit reports on one application of the decision."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "application_id": "9f41c2d07a3b5e6f80a1b2c3",
                    "unit": "道路运输管理机构",
                    "status": "refused",
                    "reason": "车辆已报废",
                    "on": "2026-06-02",
                    "by": "长春运管处",
                }
            ]
        }
    )

    application_id: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=200, description="a unit the catalog names")
    status: Literal["pending", "executed", "refused"]
    reason: str | None = Field(None, max_length=2000, description="required for a refusal")
    on: IsoDate
    by: str = Field(min_length=1, max_length=200, description="who reports")

    @model_validator(mode="after")
    def _reason_when_refused(self) -> FeedbackEntryIn:
        if self.status == "refused" and not (self.reason and self.reason.strip()):
            raise ValueError("a refusal needs a reason")
        return self


# -- helpers ----------------------------------------------------------------------------------
def actor_of(principal: Principal) -> str:
    """The actor a change records: ``api:<key id>`` (or the anonymous role)."""
    return f"api:{principal.key_id or f'anonymous ({principal.role.value})'}"


DecisionId = Annotated[
    str,
    Path(
        max_length=100,
        description="the decision's id (as filing answered it)",
        openapi_examples={"decision": {"value": _ID_EXAMPLE}},
    ),
]


def _subject(audit: AuditDep, body: DecisionIn) -> None:
    audit.subject = f"{body.subject.kind}:{body.subject.key}"  # as asked, in case it is refused


# -- routes -----------------------------------------------------------------------------------
@router.post(
    "/preview",
    summary="Preview a decision: who it would reach, nothing written",
    response_model=PreviewDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 422, 503),
)
def post_preview(body: Annotated[DecisionIn, Body()], store: StoreDep, audit: AuditDep) -> Preview:
    """The full impact of a decision — every subject reached, measure, legal basis, term and
    path — or, with `allowed: false`, every reason it would be refused.  Writes nothing."""
    _subject(audit, body)
    request = body.request(store.model)
    audit.subject = request.subject.uid
    return preview(store, request)


@router.post(
    "",
    summary="File a listing decision (发起)",
    status_code=201,
    response_model=DecisionDocument,
    dependencies=_WRITE,
    responses={
        200: {"model": DecisionDocument, "description": "Filed before identically: unchanged"},
        **problem_responses(401, 403, 404, 409, 422, 503),
    },
)
def post_decision(
    body: Annotated[DecisionIn, Body()],
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
    response: Response,
) -> DecisionOutcome:
    """File a decision: its measures apply to the subject and extend along the catalog's
    rules only; 201 with the decision (`decision.id`; `Location`).  Filing the same decision
    again changes nothing (200, `written: false`); the same number with other content is a
    409.  Refused outside the catalog (422 with `refusals`)."""
    _subject(audit, body)
    request = body.request(store.model)
    audit.subject = request.subject.uid
    outcome = file_decision(store, request, actor=actor_of(principal))
    response.headers["Location"] = f"{router.prefix}/{outcome.decision.id}"
    if not outcome.written:
        response.status_code = 200
    return outcome


@router.get(
    "/{decision_id}",
    summary="A filed decision with its applications and deadlines",
    response_model=DecisionDocument,
    dependencies=_READ,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_decision(decision_id: DecisionId, store: StoreDep, audit: AuditDep) -> DecisionOutcome:
    """The decision as filed, its lifecycle (suspensions, revocation, repair), every measure
    application with its path, and the deadlines it opened."""
    audit.subject = f"Decision:{decision_id}"
    found = load_decision(store, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id!r}")
    return found


@router.post(
    "/{decision_id}/objections",
    summary="Receive an objection (异议): the listing is suspended",
    status_code=201,
    response_model=LifecycleDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def post_objection(
    decision_id: DecisionId,
    body: ObjectionIn,
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
) -> LifecycleChange:
    """From the day it is received the listing and everything derived from it is
    suspended; the reply is due in 15 working days (`objection.reply_due`).  409 when no
    listing is in force that day (revoked, repaired, expired, already suspended) or the day
    precedes the last lifecycle event."""
    audit.subject = f"Decision:{decision_id}"
    return file_objection(
        store,
        decision_id,
        received=body.received,
        by=body.by,
        reason=body.reason,
        actor=actor_of(principal),
    )


@router.post(
    "/{decision_id}/objections/{objection_id}/decision",
    summary="Decide an objection: rejected (term resumes) or upheld (revoked)",
    response_model=LifecycleDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def post_objection_decision(
    decision_id: DecisionId,
    objection_id: Annotated[
        str, Path(max_length=100, description="the objection's id (`objection.id`)")
    ],
    body: ObjectionDecisionIn,
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
) -> LifecycleChange:
    """Rejected: the term resumes and every end moves by the suspended days.  Upheld: the
    listing is revoked from that day with everything derived from it, and a correction is
    due within 5 working days.  409 when the objection was decided already."""
    audit.subject = f"Decision:{decision_id}"
    if load_objection(store, objection_id).decision_id != decision_id:
        raise NotFound(f"decision {decision_id!r} has no objection {objection_id!r}")
    return decide_objection(
        store,
        objection_id,
        outcome=body.outcome,
        on=body.on,
        by=body.by,
        actor=actor_of(principal),
        note=body.note,
    )


@router.post(
    "/{decision_id}/repair",
    summary="Credit repair (信用修复): nothing applies from that day",
    response_model=LifecycleDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def post_repair(
    decision_id: DecisionId,
    body: RepairIn,
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
) -> LifecycleChange:
    """409 with `refusals` before the severity class's minimum publication period has
    elapsed (serious: 1 year) or without the attested conditions (`obligations_fulfilled`,
    `public_pledge`); 409 too when the listing is not in force that day."""
    audit.subject = f"Decision:{decision_id}"
    return repair(
        store,
        decision_id,
        on=body.on,
        attested=body.attested,
        actor=actor_of(principal),
        note=body.note,
    )


@router.get(
    "/{decision_id}/feedback",
    summary="Execution feedback (执行反馈) per implementing unit",
    response_model=FeedbackDocument,
    dependencies=_READ,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_feedback(decision_id: DecisionId, store: StoreDep, audit: AuditDep) -> FeedbackReport:
    """Every (application, implementing unit) of the decision: executed, refused (with the
    reason) or pending until the unit reports."""
    audit.subject = f"Decision:{decision_id}"
    return feedback_report(store, decision_id)


@router.post(
    "/{decision_id}/feedback",
    summary="Report execution feedback on one application",
    response_model=FeedbackDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def post_feedback(
    decision_id: DecisionId,
    body: FeedbackEntryIn,
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
) -> FeedbackReport:
    """Record (or replace) one unit's report on one of the decision's applications and
    answer the decision's report.  404 for an application of another decision; 422 for a
    unit the catalog does not name for the measure, or a refusal without a reason."""
    audit.subject = f"Decision:{decision_id}"
    report = feedback_report(store, decision_id)
    if body.application_id not in {r.application_id for r in report.rows}:
        raise NotFound(f"decision {decision_id!r} has no application {body.application_id!r}")
    entry: dict[str, Any] = body.model_dump()
    record_feedback(store, [FeedbackIn.model_validate(entry)], actor=actor_of(principal))
    return feedback_report(store, decision_id)
