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

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel, ConfigDict

from api.deps import AuditDep, PrincipalDep, Requires, StoreDep
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.routers.decision_bodies import (
    DecisionBatchIn,
    DecisionIn,
    FeedbackEntryIn,
    ObjectionDecisionIn,
    ObjectionIn,
    RepairIn,
)
from api.routers.lifecycle_examples import add_example
from api.security import Permission, Principal
from graph.exc import NotFound
from queries.decisions import (
    DecisionOutcome,
    FilingResult,
    Preview,
    file_decision,
    file_decisions,
    load_decision,
    preview,
)
from queries.feedback import FeedbackIn, FeedbackReport, feedback_report, record_feedback
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


class BatchResult(BaseModel):
    """Every request of a batch, in order: its outcome, or why it was refused."""

    model_config = ConfigDict(frozen=True)

    results: list[FilingResult]


class BatchDocument(BatchResult):
    """Every decision of a batch, in order: its outcome, or why it was refused."""

    model_config = ConfigDict(json_schema_extra=add_example("batch"))


class FeedbackDocument(FeedbackReport):
    """Execution feedback of a decision per application and implementing unit."""

    model_config = ConfigDict(json_schema_extra=add_example("feedback"))


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


@router.post(
    "/batch",
    summary="File many decisions together",
    response_model=BatchDocument,
    dependencies=_WRITE,
    responses=problem_responses(401, 403, 422, 503),
)
def post_batch(
    body: DecisionBatchIn, store: StoreDep, audit: AuditDep, principal: PrincipalDep
) -> BatchResult:
    """One propagation pass and one write for every decision allowed; each result, in the
    order given, carries its outcome (`written: false` when filed before identically) or
    its `refusals` (`filed_differently` for the same number with other content).  A bad
    identifier anywhere refuses the whole batch (422) before anything is filed."""
    audit.subject = f"Decisions:batch of {len(body.decisions)}"
    requests = [d.request(store.model) for d in body.decisions]
    return BatchResult(results=file_decisions(store, requests, actor=actor_of(principal)))


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
