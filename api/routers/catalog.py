"""The catalog (四张清单): the four lists the engine sanctions and rewards by, and nothing else.

Read-only: the catalog is data shipped with the package or named by ``CREDITLINK_CATALOG``
(docs/catalog.md); ``creditlink catalog list|show --json`` print the same entries.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AuditDep, Requires
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission
from graph.catalog import Behaviour, Catalog, ListKind, Measure, load_catalog

__all__ = ["TAG", "CatalogDocument", "CatalogEntry", "CatalogLists", "router"]

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


def _example_entries() -> dict[str, Any]:
    catalog = load_catalog()
    behaviour = catalog.require_behaviour("T-OVERLOAD").model_dump(mode="json", exclude_none=True)
    measure = catalog.require_measure("S-BID-BAN").model_dump(mode="json", exclude_none=True)
    return {"behaviour": behaviour, "measure": measure, "version": catalog.version}


def _lists_example(schema: dict[str, Any]) -> None:
    found = _example_entries()
    schema["examples"] = [
        {
            "honour_scope": [],
            "dishonesty_scope": [found["behaviour"]],
            "reward_measures": [],
            "sanction_measures": [found["measure"]],
        }
    ]


def _document_example(schema: dict[str, Any]) -> None:
    found = _example_entries()
    schema["examples"] = [
        {
            "name": "交通运输领域信用联合奖惩目录",
            "version": found["version"],
            "effective": "2026-04-01",
            "fingerprint": "5c0e9d2b7a41f3e8",
            "max_depth": 3,
            "actions": {"bidding": "参与招标投标"},
            "incentives": {"priority_processing": "绿色通道"},
            "lists": {
                "honour_scope": [],
                "dishonesty_scope": [found["behaviour"]],
                "reward_measures": [],
                "sanction_measures": [found["measure"]],
            },
        }
    ]


def _entry_example(schema: dict[str, Any]) -> None:
    found = _example_entries()
    schema["examples"] = [
        {
            "list": "dishonesty_scope",
            "list_name": "严重失信行为及主体范围清单",
            "catalog_version": found["version"],
            "entry": found["behaviour"],
        }
    ]


class CatalogLists(BaseModel):
    """The entries of the four lists, each in file order."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_lists_example)

    honour_scope: list[Behaviour] = Field(description="诚信典型范围清单")
    dishonesty_scope: list[Behaviour] = Field(description="严重失信行为及主体范围清单")
    reward_measures: list[Measure] = Field(description="守信激励政策措施清单")
    sanction_measures: list[Measure] = Field(description="失信惩戒政策措施清单")


class CatalogDocument(BaseModel):
    """The catalog in use: identity, version, effective date and the four lists."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_document_example)

    name: str
    version: str
    effective: date = Field(description="the date from which the catalog applies")
    fingerprint: str = Field(description="hash of the catalog files: which exact text")
    max_depth: int = Field(description="longest propagation path, in steps")
    actions: dict[str, str] = Field(description="action categories a sanction may restrict")
    incentives: dict[str, str] = Field(description="benefits a reward may grant")
    lists: CatalogLists


class CatalogEntry(BaseModel):
    """One entry with everything it declares, and the list it is on."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_entry_example)

    list: ListKind
    list_name: str = Field(description="the list's Chinese name")
    catalog_version: str
    entry: Behaviour | Measure


def catalog_document(catalog: Catalog, only: ListKind | None = None) -> CatalogDocument:
    """The document ``GET /v1/catalog`` answers (``only``: the other lists left empty).

    >>> doc = catalog_document(load_catalog(), ListKind.HONOUR_SCOPE)
    >>> [e.code for e in doc.lists.honour_scope], doc.lists.sanction_measures
    (['H-TRUST-MODEL'], [])
    """
    entries = {
        kind.value: catalog.entries(kind) if only in (None, kind) else [] for kind in ListKind
    }
    header = catalog.header
    return CatalogDocument(
        name=header.name,
        version=header.version,
        effective=header.effective,
        fingerprint=catalog.fingerprint,
        max_depth=header.max_depth,
        actions=header.actions,
        incentives=header.incentives,
        lists=CatalogLists.model_validate(entries),
    )


def catalog_entry(catalog: Catalog, code: str) -> CatalogEntry:
    """One entry by code; :class:`~graph.exc.NotFound` when the catalog does not list it.

    >>> catalog_entry(load_catalog(), "S-BID-BAN").entry.restricts
    ['bidding']
    """
    kind = catalog.list_of(code)
    entry: Behaviour | Measure = catalog.behaviours.get(code) or catalog.require_measure(code)
    return CatalogEntry(
        list=kind, list_name=kind.chinese, catalog_version=catalog.version, entry=entry
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
