"""Credit questions: whom a decision affects, why an entity is restricted, its history.

Thin routes over ``queries/affected.py``, ``restrictions.py`` and ``history.py`` (the CLI's
``creditlink affected|restrictions|history``).  Every answer is seen on a date (``as_of``,
default today): a measure revoked in June is still shown in force in May.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import ConfigDict

from api.deps import AuditDep, IsoDate, Requires, StoreDep, audited_ref
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.routers.lifecycle_examples import add_example
from api.security import Permission
from graph.catalog import load_catalog
from graph.exc import NotFound
from graph.model import NodeRef, load_model
from graph.stores.base import GraphStore
from queries.affected import Affected, affected
from queries.history import History, history
from queries.restrictions import Restrictions, restrictions

__all__ = ["TAG", "router"]

TAG = {
    "name": "credit",
    "description": "Who a decision affects, and why an entity is restricted on a date, "
    "each measure with its legal basis, term and the path that reached the entity.",
}
router = APIRouter(
    prefix=API_PREFIX, tags=["credit"], dependencies=[Requires(Permission.CREDIT_READ)]
)
_KINDS = sorted(load_model().nodes)
_ACTIONS = sorted(load_catalog().header.actions)


class AffectedDocument(Affected):
    """Everything a decision applies, seen on one date."""

    model_config = ConfigDict(json_schema_extra=add_example("affected"))


class RestrictionsDocument(Restrictions):
    """Measures on one entity on one date; with `action`, whether that action is blocked."""

    model_config = ConfigDict(json_schema_extra=add_example("restrictions"))


class HistoryDocument(History):
    """Everything on record about one entity; measures seen on `as_of`."""

    model_config = ConfigDict(json_schema_extra=add_example("history"))


Kind = Annotated[
    str,
    Path(
        description="node kind",
        json_schema_extra={"enum": _KINDS},
        openapi_examples={"person": {"value": "Person"}},
    ),
]
Key = Annotated[
    str,
    Path(
        description="the key: USCC, ID number, `plate|colour`, project code or `channel|value`",
        openapi_examples={"person": {"value": "110101199003070011"}},
    ),
]
AsOf = Annotated[IsoDate | None, Query(description="the day to evaluate (ISO date; default today)")]


def _known(store: GraphStore, ref: NodeRef) -> None:
    """404 for an entity the graph does not hold (asked only when nothing is on record)."""
    if store.get_node(ref) is None:
        raise NotFound(f"no {ref.kind} with key {ref.key!r}")


@router.get(
    "/affected/{decision_id}",
    summary="Who a decision affects: measure, legal basis, term, path",
    response_model=AffectedDocument,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_affected(
    decision_id: Annotated[
        str, Path(max_length=100, description="the decision's id (as filing answered it)")
    ],
    store: StoreDep,
    audit: AuditDep,
    as_of: AsOf = None,
) -> Affected:
    """Every subject the decision reaches — its own subject and those the catalog's rules
    extend it to — with the measure, its legal basis, term, status on `as_of` and the path
    (each relationship with its source and dates)."""
    audit.subject = f"Decision:{decision_id}"
    return affected(store, decision_id, as_of=as_of)


@router.get(
    "/restrictions/{kind}/{key:path}",
    summary="Why an entity is restricted on a date",
    response_model=RestrictionsDocument,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_restrictions(
    kind: Kind,
    key: Key,
    store: StoreDep,
    audit: AuditDep,
    as_of: AsOf = None,
    action: Annotated[
        str | None,
        Query(
            description="an action category (e.g. `bidding`): answer whether it is blocked",
            json_schema_extra={"enum": _ACTIONS},
        ),
    ] = None,
) -> Restrictions:
    """Every measure in force on the entity that day, each with its decision, legal basis,
    term and path; measures that apply but are not in force (suspended, expired, repaired,
    revoked) apart with their status; 红名单/黑名单 entries standing that day."""
    ref = audited_ref(store, kind, key, audit)
    found = restrictions(store, ref, as_of or date.today(), action=action)
    if not (found.in_force or found.not_in_force or found.list_entries):
        _known(store, ref)
    return found


@router.get(
    "/history/{kind}/{key:path}",
    summary="The credit history of an entity",
    response_model=HistoryDocument,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_history(
    kind: Kind, key: Key, store: StoreDep, audit: AuditDep, as_of: AsOf = None
) -> History:
    """Credit records, measures (status on `as_of`), objections and every audited change
    concerning the entity or its decisions — nothing is ever deleted."""
    ref = audited_ref(store, kind, key, audit)
    found = history(store, ref, as_of=as_of)
    if not (found.credit_records or found.measures or found.events):
        _known(store, ref)
    return found
