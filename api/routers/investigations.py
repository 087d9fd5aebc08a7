"""Investigations: related parties, paths, control, hidden links, risk exposure, clusters.

Each route is its ``queries/`` function and nothing more (the same functions as
``creditlink related | path | control | links | risk | clusters`` and the pictures under
``/v1/viz``): the key is validated (422), an unknown entity is a 404, the answer is the
query's result document (:mod:`api.investigation_documents`).  Personal data is masked
for the caller's role by the masking middleware, like every JSON answer under ``/v1``;
every request is audited with the entity's uid as its subject.

Roles with ``investigations:read`` see at least names, so the evidence sentences
(``text``), which name persons, need no masking beyond ID numbers and contacts (which the
masking finds in any text).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.openapi.models import Example
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import AuditDep, Requires, StoreDep, audited_ref
from api.errors import problem_responses
from api.investigation_documents import (
    ClustersDocument,
    ControlDocument,
    LinksDocument,
    PathsDocument,
    RelatedDocument,
    RiskDocument,
)
from api.routers import API_PREFIX
from api.routers.viz import AsOfQuery, DirectionQuery, KeyPath, KindPath, TypesQuery
from api.security import Permission
from graph.model import Direction, NodeRef
from graph.stores.base import GraphStore
from queries.clusters import clusters
from queries.common import parse_key
from queries.config import load_config
from queries.control import control
from queries.entities import parse_ref
from queries.links import links
from queries.paths import paths
from queries.related import related
from queries.risk import risk

__all__ = ["TAG", "router"]

TAG = {
    "name": "investigations",
    "description": (
        "Who stands around an entity and how it is connected: related parties (关联方), "
        "paths (查关系), ownership and control (股权穿透 / 实际控制人), hidden links "
        "(疑似关系), advisory risk exposure and affiliate clusters (企业族群).  Every "
        "relationship comes with its dates, source and a sentence explaining it."
    ),
}
router = APIRouter(
    prefix=API_PREFIX,
    tags=["investigations"],
    dependencies=[Requires(Permission.INVESTIGATE)],
)

_CONFIG = load_config()
_RESPONSES = problem_responses(401, 403, 404, 422, 503)
_ENDPOINT_EXAMPLES: dict[str, dict[str, Example]] = {
    "a": {"enterprise": Example(value="91110000600037341L")},
    "b": {"enterprise": Example(value="91310115MA1K3BTP2B")},
}


def _json(result: BaseModel) -> Response:
    """The result as JSON, serialised once (its models were built from stored data)."""
    return Response(result.model_dump_json(), media_type="application/json")


def _endpoint(store: GraphStore, text: str) -> NodeRef:
    """A path end: ``Kind:key`` (validated like a path's kind and key), a USCC or an ID
    number."""
    kind, sep, key = text.strip().partition(":")
    if sep and kind in store.model.nodes:
        return parse_ref(store.model, kind, key)
    return parse_key(store, text)


def _endpoint_query(which: str, what: str) -> Any:
    return Query(
        min_length=1,
        max_length=200,
        description=f"{what}: a USCC, an ID number or `Kind:key` (`Vehicle:吉A12345|2`)",
        openapi_examples=_ENDPOINT_EXAMPLES[which],
    )


@router.get(
    "/related/{kind}/{key:path}",
    summary="Related parties of an entity (关联方)",
    response_model=RelatedDocument,
    responses=_RESPONSES,
)
def get_related(
    kind: KindPath,
    key: KeyPath,
    store: StoreDep,
    audit: AuditDep,
    hops: Annotated[
        int, Query(ge=1, le=_CONFIG.related.max_hops, description="how far to look")
    ] = 2,
    type: TypesQuery = None,
    direction: DirectionQuery = Direction.BOTH,
    as_of: AsOfQuery = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=5000, description=f"most entities (default {_CONFIG.related.limit})"),
    ] = None,
    cap: Annotated[
        int | None,
        Query(
            ge=1,
            le=1000,
            description=f"neighbours shown per node; more make it a hub "
            f"(default {_CONFIG.related.per_node_cap})",
        ),
    ] = None,
) -> Response:
    """Every entity within ``hops`` of the entity, nearest first, with the relationships
    from the entity to it and its credit state on ``as_of`` (``queries.related``).  A node
    with more than ``cap`` neighbours is a hub: shown in part, counted in full."""
    ref = audited_ref(store, kind, key, audit)
    result = related(
        store,
        ref,
        hops=hops,
        types=type,
        direction=direction,
        as_of=as_of,
        limit=limit,
        per_node_cap=cap,
    )
    return _json(result)


@router.get(
    "/paths",
    summary="Shortest paths between two entities (查关系)",
    response_model=PathsDocument,
    responses=_RESPONSES,
)
def get_paths(
    a: Annotated[str, _endpoint_query("a", "from")],
    b: Annotated[str, _endpoint_query("b", "to")],
    store: StoreDep,
    audit: AuditDep,
    k: Annotated[
        int | None, Query(ge=1, le=50, description=f"how many paths (default {_CONFIG.paths.k})")
    ] = None,
    max_hops: Annotated[
        int | None,
        Query(ge=1, le=10, description=f"longest path (default {_CONFIG.paths.max_hops})"),
    ] = None,
    type: TypesQuery = None,
    direction: DirectionQuery = Direction.BOTH,
    as_of: AsOfQuery = None,
) -> Response:
    """The ``k`` shortest paths from ``a`` to ``b``, shortest first, every relationship
    explained (``queries.paths``); no entity is passed twice.  Parameters as in
    ``/v1/viz/paths``."""
    audit.subject = f"{a} ~ {b}"
    start, end = _endpoint(store, a), _endpoint(store, b)
    audit.subject = f"{start.uid} ~ {end.uid}"
    result = paths(
        store, start, end, k=k, max_hops=max_hops, types=type, direction=direction, as_of=as_of
    )
    return _json(result)


@router.get(
    "/control/{kind}/{key:path}",
    summary="Owners and actual controller of an entity, or what a party holds (股权穿透)",
    response_model=ControlDocument,
    responses=_RESPONSES,
)
def get_control(
    kind: KindPath,
    key: KeyPath,
    store: StoreDep,
    audit: AuditDep,
    direction: Annotated[
        Literal["up", "down"],
        Query(description="`up`: who owns and controls it; `down`: what it holds"),
    ] = "up",
    as_of: AsOfQuery = None,
    max_hops: Annotated[
        int | None,
        Query(
            ge=1,
            le=10,
            description=f"longest ownership chain (default {_CONFIG.control.max_hops})",
        ),
    ] = None,
    beneficial_owner_threshold: Annotated[
        float | None,
        Query(
            gt=0,
            le=1,
            description="least effective share of a beneficial owner (受益所有人; default "
            f"{_CONFIG.control.beneficial_owner})",
        ),
    ] = None,
    control_threshold: Annotated[
        float | None,
        Query(
            gt=0,
            lt=1,
            description="an effective share above this controls (default "
            f"{_CONFIG.control.control})",
        ),
    ] = None,
) -> Response:
    """Ownership through ``SHAREHOLDER_OF`` chains (``queries.control``): each party's
    effective share (products along a chain, summed over chains), whether it controls,
    the beneficial owners and the actual controller with the rule that decided (a declared
    ``ACTUAL_CONTROLLER_OF`` first).  ``direction=down`` lists what the party holds."""
    ref = audited_ref(store, kind, key, audit)
    config = _CONFIG
    thresholds = {
        name: value
        for name, value in (
            ("beneficial_owner", beneficial_owner_threshold),
            ("control", control_threshold),
        )
        if value is not None
    }
    if thresholds:
        config = config.model_copy(update={"control": config.control.model_copy(update=thresholds)})
    result = control(
        store, ref, reverse=direction == "down", as_of=as_of, max_hops=max_hops, config=config
    )
    return _json(result)


@router.get(
    "/links/{kind}/{key:path}",
    summary="Hidden links of an entity (疑似关系)",
    response_model=LinksDocument,
    responses=_RESPONSES,
)
def get_links(
    kind: KindPath,
    key: KeyPath,
    store: StoreDep,
    audit: AuditDep,
    as_of: AsOfQuery = None,
    hub_threshold: Annotated[
        int | None,
        Query(
            ge=1,
            le=10000,
            description="a value or person shared by more entities is a hub, never linked "
            f"(default {_CONFIG.links.hub_threshold})",
        ),
    ] = None,
) -> Response:
    """Entities that share a phone, e-mail, address, e-mail domain or key person with the
    entity, or that it holds or is held by directly, graded hard / suspicious / weak with
    the evidence (``queries.links``); a former tie counts one grade lower."""
    ref = audited_ref(store, kind, key, audit)
    return _json(links(store, ref, as_of=as_of, hub_threshold=hub_threshold))


@router.get(
    "/risk/{kind}/{key:path}",
    summary="Advisory risk exposure of an entity (not a credit measure)",
    response_model=RiskDocument,
    responses=_RESPONSES,
)
def get_risk(
    kind: KindPath,
    key: KeyPath,
    store: StoreDep,
    audit: AuditDep,
    as_of: AsOfQuery = None,
    max_hops: Annotated[
        int | None,
        Query(
            ge=1,
            le=_CONFIG.related.max_hops,
            description=f"how far to look (default {_CONFIG.risk.max_hops})",
        ),
    ] = None,
) -> Response:
    """**Advisory only**: a score for a human reader from the listed and affected subjects
    around the entity, each contribution with its paths (``queries.risk``).  It is not a
    measure of the catalog (四张清单): no sanction, restriction or refusal may be based on
    it (目录外不得惩戒); every answer says so in ``advisory``."""
    ref = audited_ref(store, kind, key, audit)
    return _json(risk(store, ref, as_of=as_of, max_hops=max_hops))


@router.get(
    "/clusters/{kind}/{key:path}",
    summary="The affiliate cluster around an entity (企业族群)",
    response_model=ClustersDocument,
    responses=_RESPONSES,
)
def get_cluster(
    kind: KindPath,
    key: KeyPath,
    store: StoreDep,
    audit: AuditDep,
    as_of: AsOfQuery = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=50,
            description="most groups: the entity's own, then its sibling communities when "
            "a large group was split",
        ),
    ] = 50,
) -> Response:
    """The enterprises joined to the entity by a chain of ties — a controlling holding, a
    declared actual controller, the same legal representative, principal or officer —
    with the persons tying them and every member's credit state (``queries.clusters``).
    Empty when the entity is tied to no other enterprise.  (The whole graph's clusters are
    a batch question, ``creditlink clusters``, not a route.)"""
    ref = audited_ref(store, kind, key, audit)
    return _json(clusters(store, around=ref, as_of=as_of, limit=limit))
