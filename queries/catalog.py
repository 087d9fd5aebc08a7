"""The catalog as documents: what ``GET /v1/catalog`` and ``creditlink catalog list|show
--json`` answer — the catalog in use with its four lists, or one entry with its list.

>>> doc = catalog_document(load_catalog())
>>> doc.version == load_catalog().version
True
>>> "T-OVERLOAD" in [e.code for e in doc.lists.dishonesty_scope]
True
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graph.catalog import Behaviour, Catalog, ListKind, Measure, load_catalog

__all__ = ["CatalogDocument", "CatalogEntry", "CatalogLists", "catalog_document", "catalog_entry"]


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
