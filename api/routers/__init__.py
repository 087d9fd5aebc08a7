"""HTTP routers, one module per area; each exposes ``router`` (an ``APIRouter``) and ``TAG``.

``create_app`` mounts every module of :data:`ROUTER_MODULES`.  To add an area: write
``api/routers/<area>.py`` with ``router = APIRouter(prefix=f"{API_PREFIX}/<area>", ...)``
and ``TAG``, and add its name here (one small edit).  docs/api.md says what every route
must declare.
"""

from __future__ import annotations

#: Every route lives under this version prefix (routers put it in their own prefix, so the
#: route templates the audit log records are complete).
API_PREFIX = "/v1"

#: Router modules in api/routers/, mounted in this order (= order in the OpenAPI document).
ROUTER_MODULES: tuple[str, ...] = (
    "health",
    "entities",
    "audit",
    "viz",
    "bidding",
    "investigations",
    "catalog",
    "ingest",
    "decisions",
    "credit",
    "deadlines",
)
