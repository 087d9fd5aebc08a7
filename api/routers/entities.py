"""Entities: look up by kind and key, search by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, Requires, StoreDep, audited_ref
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission
from graph.model import load_model
from graph.stores.search import MAX_QUERY_LENGTH, searchable_kinds
from queries.entities import (
    MAX_SEARCH_LIMIT,
    EntityDocument,
    SearchResults,
    lookup_entity,
    search_entities,
)

__all__ = ["TAG", "router"]

TAG = {
    "name": "entities",
    "description": "Enterprises, persons, vehicles, projects and contacts of the graph.",
}
router = APIRouter(
    prefix=f"{API_PREFIX}/entities",
    tags=["entities"],
    dependencies=[Requires(Permission.ENTITIES_READ)],
)

_KINDS = sorted(load_model().nodes)
_NAMED_KINDS = searchable_kinds(load_model())


@router.get(
    "/{kind}/{key:path}",
    summary="Look an entity up by kind and key",
    response_model=EntityDocument,
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_entity(
    kind: Annotated[
        str,
        Path(
            description="node kind",
            json_schema_extra={"enum": _KINDS},
            openapi_examples={"enterprise": {"value": "Enterprise"}},
        ),
    ],
    key: Annotated[
        str,
        Path(
            description=(
                "the key: USCC for an enterprise, ID number for a person, "
                "`plate|colour` for a vehicle (colour code or name), project code, "
                "`channel|value` for a contact"
            ),
            openapi_examples={"enterprise": {"value": "91110000600037341L"}},
        ),
    ],
    store: StoreDep,
    audit: AuditDep,
) -> EntityDocument:
    """The entity with this key.  Identifiers are validated first: a bad check character
    is a 422 naming the field and the reason, an unknown entity a 404.

    A coroutine that hands only the store call to the thread pool: for a plain ``def``
    route FastAPI validates the response in the pool too, a second thread hop on the
    busiest route of the API."""
    ref = audited_ref(store, kind, key, audit)
    return await run_in_threadpool(lookup_entity, store, ref.kind, ref.key)


@router.get(
    "",
    summary="Search entities by name (fuzzy)",
    response_model=SearchResults,
    responses=problem_responses(401, 403, 422, 503),
)
def search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="a name or part of one",
            openapi_examples={"company": {"value": "甲运输"}},
        ),
    ],
    store: StoreDep,
    audit: AuditDep,
    kind: Annotated[
        list[str],
        Query(
            description="restrict to these kinds (repeat the parameter); default all named",
            json_schema_extra={"items": {"type": "string", "enum": _NAMED_KINDS}},
        ),
    ] = [],  # noqa: B006 - FastAPI copies parameter defaults
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_LIMIT, description="most results")] = 10,
) -> SearchResults:
    """Entities whose name resembles ``q``, best first, scored 0-100."""
    audit.subject = f"search:{q}"
    return search_entities(store, q, kinds=kind or None, limit=limit)
