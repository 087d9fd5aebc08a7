"""Deadlines of the process in Chinese working days: what is overdue, and marking one done.

Thin routes over ``queries/deadlines.py`` (``creditlink overdue`` and ``deadline-done``):
the objection reply (15 working days), the correction push (5) and the publication (双公示,
7) that filing, objections and repairs open.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict

from api.deps import AuditDep, IsoDate, PrincipalDep, Requires, StoreDep
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.routers.decisions import actor_of
from api.routers.lifecycle_examples import add_example
from api.security import Permission
from queries.deadlines import DeadlineItem, OverdueResult, complete_deadline, overdue

__all__ = ["TAG", "router"]

TAG = {
    "name": "deadlines",
    "description": "Deadlines in Chinese working days: objection replies, correction "
    "pushes, publication (双公示).",
}
router = APIRouter(prefix=f"{API_PREFIX}/deadlines", tags=["deadlines"])
Kind = Literal["objection_reply", "correction_push", "publication"]


class OverdueDocument(OverdueResult):
    """Open deadlines past due on `as_of`, most overdue first, with calendar warnings."""

    model_config = ConfigDict(json_schema_extra=add_example("overdue"))


class DeadlineDocument(DeadlineItem):
    """A deadline: what, for which decision and subject, due when, done when and by whom."""

    model_config = ConfigDict(json_schema_extra=add_example("deadline_done"))


class DoneIn(BaseModel):
    """The day the obligation was met."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"on": "2026-05-27"}]}
    )

    on: IsoDate


@router.get(
    "/overdue",
    summary="Open deadlines past due on a date",
    response_model=OverdueDocument,
    dependencies=[Requires(Permission.CREDIT_READ)],
    responses=problem_responses(401, 403, 422, 503),
)
def get_overdue(
    store: StoreDep,
    audit: AuditDep,
    as_of: Annotated[
        IsoDate | None, Query(description="the day to evaluate (ISO date; default today)")
    ] = None,
    kind: Annotated[
        list[Kind], Query(description="only these kinds (repeat the parameter); default all")
    ] = [],  # noqa: B006 - FastAPI copies parameter defaults
) -> OverdueResult:
    """Every open deadline whose due day is before `as_of` (the due day itself is still in
    time).  Beyond the years the holiday calendar covers, days are counted Monday–Friday
    and `warnings` says so."""
    day = as_of or date.today()
    audit.subject = f"Deadlines:{day.isoformat()}"
    return overdue(store, day, kinds=kind or None)


@router.post(
    "/{deadline_id}/done",
    summary="Mark a deadline done",
    response_model=DeadlineDocument,
    dependencies=[Requires(Permission.DECISIONS_WRITE)],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def post_done(
    deadline_id: Annotated[str, Path(max_length=100, description="the deadline's id")],
    body: DoneIn,
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
) -> DeadlineItem:
    """Record that the obligation was met on `on` (audited with the key's id).  409 when
    it was done already or `on` precedes its start."""
    audit.subject = f"Deadline:{deadline_id}"
    return complete_deadline(store, deadline_id, on=body.on, actor=actor_of(principal))
