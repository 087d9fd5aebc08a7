"""The catalog (四张清单): the four lists the engine sanctions and rewards by, and nothing else.

Read-only: the catalog is data shipped with the package or named by ``CREDITLINK_CATALOG``
(docs/catalog.md); ``creditlink catalog list|show --json`` print the same documents
(``queries/catalog.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import AuditDep, Requires
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission
from graph.catalog import ListKind, load_catalog
from queries.catalog import CatalogDocument, CatalogEntry, catalog_document, catalog_entry

__all__ = ["TAG", "router"]

TAG = {
    "name": "catalog",
    "description": "The four lists (四张清单): behaviours in scope, sanctions and rewards. "
    "No joint sanction or reward outside them (目录清单之外不得实施联合奖惩).",
}
router = APIRouter(
    prefix=f"{API_PREFIX}/catalog",
    tags=["catalog"],
    dependencies=[Requires(Permission.CATALOG_READ)],
)


@router.get(
    "",
    summary="The catalog: version, effective date and the four lists",
    response_model=CatalogDocument,
    responses=problem_responses(401, 403, 422, 503),
)
def get_catalog(
    audit: AuditDep,
    list_: Annotated[
        ListKind | None,
        Query(alias="list", description="only this list (the others are returned empty)"),
    ] = None,
) -> CatalogDocument:
    """Every entry of the four lists in the catalog in use, with its legal basis, the
    subject kinds it applies to, its term and how a sanction extends to linked subjects."""
    catalog = load_catalog()
    audit.subject = f"Catalog:{catalog.version}"
    return catalog_document(catalog, list_)


@router.get(
    "/{code}",
    summary="One catalog entry by code",
    response_model=CatalogEntry,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_entry(
    code: Annotated[
        str,
        Path(
            max_length=100,
            description="the entry's code, e.g. `T-OVERLOAD` (behaviour) or `S-BID-BAN` (measure)",
            openapi_examples={"behaviour": {"value": "T-OVERLOAD"}},
        ),
    ],
    audit: AuditDep,
) -> CatalogEntry:
    """A behaviour (scope list) or a measure (measure list); 404 when the catalog does not
    list the code."""
    audit.subject = f"Catalog:{code}"
    return catalog_entry(load_catalog(), code)
