"""The FastAPI application: :func:`create_app` assembles routers, errors, security, masking
and audit around one graph store.

>>> import tempfile, pathlib
>>> from graph.settings import Settings
>>> app = create_app(Settings(store="memory", data_dir=pathlib.Path(tempfile.mkdtemp())))
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/v1/entities"))
['/v1/entities', '/v1/entities/{kind}/{key}']
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any, cast

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from api.audit import AuditLog, AuditMiddleware
from api.errors import HANDLERS, Problem, problem_responses
from api.middleware import MaskingMiddleware, RequestIdMiddleware
from api.routers import API_PREFIX, ROUTER_MODULES
from api.security import KeyRing
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore

__all__ = ["API_PREFIX", "app_from_env", "create_app"]

DESCRIPTION = """\
Credit data in a graph: who a joint sanction (失信联合惩戒) reaches, and why.

**Authentication.** Send an API key as `X-API-Key: <key>` or `Authorization: Bearer <key>`.
Without a key a request has the anonymous role (by default `public`). Keys map to roles —
public, investigator, reviewer, analyst, admin — and each route names the permission it
needs (401 without a valid key, 403 when the role lacks the permission).

**Personal data** of natural persons (ID numbers, phones, e-mails, addresses; names for the
public role) is masked for roles without clearance, e.g. `110101********0011`.

**Errors** are `application/problem+json` (RFC 9457) with a `type` URN, a `title` and a
`detail`; a 503 (graph store unavailable) carries `Retry-After`.

**Audit.** Every request to a credit-data route is appended to an audit log (admins read it
at `GET /v1/audit`).
"""


def _version() -> str:
    try:
        return version("creditlink")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


class _LockedStore:
    """Serialises calls into a store that is not thread-safe (the in-process networkx store):
    FastAPI runs endpoints in a thread pool, and a write during another request's walk over
    the adjacency dictionaries would fail.  Under the GIL this costs no parallelism."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._lock = threading.RLock()
        self.model = store.model

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return locked


def _serve(store: GraphStore) -> GraphStore:
    return cast(GraphStore, _LockedStore(store)) if isinstance(store, MemoryStore) else store


def _api_settings(settings: Settings) -> Settings:
    # Fail fast while Neo4j restarts: answer 503 with Retry-After instead of holding the
    # request for the driver's 30 s of retries; the client (or its user) retries.
    return settings.model_copy(update={"neo4j_max_retry_time": settings.api_neo4j_retry_time})


def _body_problems(schema: dict[str, Any]) -> None:
    """Any route with a request body may answer 400 (a body that is not JSON at all)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", problem_responses(400)[400])


def _optional_auth(schema: dict[str, Any]) -> None:
    """Mark authentication optional (``{}`` in ``security``): without a key a request has
    the anonymous role, which then needs the route's permission like any other role."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and {} not in security:
                security.append({})


def _openapi(
    app: FastAPI, tags: list[dict[str, str]], anonymous: bool
) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=tags,
        )
        # Problem documents are declared by media type only (errors.problem_responses).
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        _body_problems(schema)
        if anonymous:
            _optional_auth(schema)
        app.openapi_schema = schema
        return schema

    return build


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """The API over the store that ``settings`` name (or over ``store``, which the caller
    keeps ownership of).  Configuration problems (key file, roles) fail here, at start."""
    settings = settings or Settings()
    keyring = KeyRing.load(settings.api_keys_file, settings.api_anonymous_role)
    audit_log = AuditLog(settings.audit_log_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            yield
            audit_log.close()
            return
        # The Neo4j driver connects lazily: the API starts even while Neo4j is down, answers
        # 503 meanwhile and recovers by itself when Neo4j is back.
        opened = open_store(_api_settings(settings))
        app.state.store = _serve(opened)
        try:
            yield
        finally:
            opened.close()
            audit_log.close()

    app = FastAPI(
        title="creditlink",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.keyring = keyring
    app.state.audit_log = audit_log
    if store is not None:
        app.state.store = _serve(store)

    tags = []
    for name in ROUTER_MODULES:
        module = import_module(f"api.routers.{name}")
        app.include_router(module.router)
        tags.append(module.TAG)
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)

    # Added innermost first: masking sees the final body, the audit the final status.
    model = store.model if store is not None else None
    app.add_middleware(MaskingMiddleware, model=model, prefix=API_PREFIX + "/")
    app.add_middleware(AuditMiddleware, log=audit_log)
    app.add_middleware(RequestIdMiddleware)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    anonymous = keyring.anonymous_role is not None
    app.openapi = _openapi(app, tags, anonymous)  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """The app configured from ``CREDITLINK_*`` variables (uvicorn's ``--factory`` target)."""
    return create_app(Settings())
