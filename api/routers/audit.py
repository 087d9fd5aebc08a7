"""The audit log, for admins: who asked what, when, with which outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.audit import AuditLog, AuditQuery, AuditRecord, Outcome, VerifyReport
from api.deps import IsoDateTime, Requires
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission

__all__ = ["TAG", "router"]

TAG = {
    "name": "audit",
    "description": "The append-only log of requests that read or change credit data (admins).",
}
router = APIRouter(
    prefix=f"{API_PREFIX}/audit",
    tags=["audit"],
    dependencies=[Requires(Permission.AUDIT_READ)],
)


class AuditPage(BaseModel):
    """The newest matching records, newest first."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [{"matched": 1, "records": AuditRecord.model_json_schema()["examples"]}]
        },
    )

    matched: int = Field(description="how many records match the filters in all")
    records: list[AuditRecord]


def _log(request: Request) -> AuditLog:
    log: AuditLog = request.app.state.audit_log
    return log


@router.get(
    "",
    summary="Read the audit log",
    response_model=AuditPage,
    responses=problem_responses(401, 403, 422),
)
def read_audit(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="most records returned")] = 100,
    key_id: Annotated[str | None, Query(description="only this API key")] = None,
    subject: Annotated[str | None, Query(description="only this subject (an entity uid …)")] = None,
    outcome: Annotated[Outcome | None, Query(description="only this outcome")] = None,
    since: Annotated[
        IsoDateTime | None, Query(description="only records at or after this time")
    ] = None,
) -> AuditPage:
    """Records matching every filter given, newest first."""
    query = AuditQuery(limit=limit, key_id=key_id, subject=subject, outcome=outcome, since=since)
    records, matched = _log(request).read(query)
    return AuditPage(matched=matched, records=records)


@router.get(
    "/verify",
    summary="Check the audit log's hash chain",
    response_model=VerifyReport,
    responses=problem_responses(401, 403),
)
def verify_audit(request: Request) -> VerifyReport:
    """Whether every line still chains to the one before it (no edit, no deletion)."""
    return _log(request).verify()
