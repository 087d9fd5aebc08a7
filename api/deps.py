"""Typed dependencies for routers: the store, the settings, the caller and the audit subject.

A router needs only these aliases::

    @router.get("/things/{key}", dependencies=[Requires(Permission.CREDIT_READ)])
    def thing(key: str, store: StoreDep, audit: AuditDep) -> Thing:
        audit.subject = key
        ...

``Requires`` checks the caller's role (401 without a valid key where one is needed, 403 for
a role without the permission); masking and the audit record happen around the route.

The dependencies themselves are ``async def``: none of them blocks, and FastAPI runs a plain
``def`` dependency in the thread pool — a thread hop per dependency per request, which
measured as the largest cost of a simple lookup.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator

from api.security import KeyRing, Permission, Principal
from graph.model import GraphModel, NodeRef
from graph.settings import Settings
from graph.stores.base import GraphStore
from queries.entities import parse_ref

__all__ = [
    "AuditContext",
    "AuditDep",
    "IsoDate",
    "IsoDateTime",
    "ModelDep",
    "PrincipalDep",
    "Requires",
    "SettingsDep",
    "StoreDep",
    "audited_ref",
]

_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key issued with `creditlink api-key new`.",
)
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="Bearer",
    description="The same API key sent as `Authorization: Bearer <key>`.",
)


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> GraphStore:
    """The graph store opened at start-up."""
    store: GraphStore = request.app.state.store
    return store


async def get_model(store: Annotated[GraphStore, Depends(get_store)]) -> GraphModel:
    """The store's vocabulary."""
    return store.model


async def get_principal(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """The caller, from ``X-API-Key`` or ``Authorization: Bearer`` (or anonymous)."""
    keyring: KeyRing = request.app.state.keyring
    principal = keyring.authenticate(api_key or (bearer.credentials if bearer else None))
    request.state.principal = principal  # for masking and the audit record
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
ModelDep = Annotated[GraphModel, Depends(get_model)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def Requires(permission: Permission) -> Any:  # noqa: N802 - reads as a declaration
    """A dependency that lets the request through only if the caller has ``permission``."""

    async def check(principal: PrincipalDep) -> Principal:
        principal.require(permission)
        return principal

    check.__name__ = f"requires_{permission.name.lower()}"
    return Depends(check)


class AuditContext:
    """What the endpoint tells the audit log about the request (its subject)."""

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def subject(self) -> str | None:
        """The entity uid (or other subject) the request is about."""
        value = getattr(self._request.state, "audit_subject", None)
        return value if isinstance(value, str) else None

    @subject.setter
    def subject(self, value: str | None) -> None:
        self._request.state.audit_subject = value


async def get_audit(request: Request) -> AuditContext:
    """The audit context of the request."""
    return AuditContext(request)


AuditDep = Annotated[AuditContext, Depends(get_audit)]


_ISO_START = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """Refuse anything but ISO 8601 text (pydantic would read numbers as Unix times).

    >>> _iso_only("2024-05-01")
    '2024-05-01'
    >>> _iso_only("1.5e-3")
    Traceback (most recent call last):
    ...
    ValueError: expected an ISO 8601 date, e.g. 2024-05-01
    """
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_START.match(value):
        raise ValueError("expected an ISO 8601 date, e.g. 2024-05-01")
    return value


#: A date given as ISO 8601 text (``2024-05-01``); use for ``as_of`` and friends.
IsoDate = Annotated[date, BeforeValidator(_iso_only)]
#: A date-time given as ISO 8601 text; without a zone it is read as UTC where that matters.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


def audited_ref(store: GraphStore, kind: str, key: str, audit: AuditContext) -> NodeRef:
    """The entity a route's ``{kind}/{key}`` names, recorded as the audit subject.

    The subject is the text as asked until the key is validated (so a refused request is
    recorded too), then the entity's uid.

    >>> from types import SimpleNamespace
    >>> from graph.stores.memory import MemoryStore
    >>> from graph.model import load_model
    >>> audit = AuditContext(SimpleNamespace(state=SimpleNamespace()))  # type: ignore[arg-type]
    >>> audited_ref(MemoryStore(load_model()), "Vehicle", "吉a12345|黄色", audit).uid
    'Vehicle:吉A12345|2'
    >>> audit.subject
    'Vehicle:吉A12345|2'
    """
    audit.subject = f"{kind}:{key}"
    ref = parse_ref(store.model, kind, key)
    audit.subject = ref.uid
    return ref
