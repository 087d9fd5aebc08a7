"""Pictures: network pictures of query answers as self-contained HTML (or their JSON), and
the investigation page.

Each picture route runs the ``queries/`` function of its name (the bidding picture reads the
check's receipt) and draws its answer
(:mod:`viz`): ``format=html`` (the default) returns one offline HTML file, ``format=json``
the :class:`~viz.document.PictureDocument` the investigation page draws.  Personal data
is masked for the caller's role inside the picture (the masking middleware sees JSON only).

The investigation page (``/viz/``) and its files are static — no data, no key needed, not
in the OpenAPI document; the page asks the ``/v1`` routes with the key its user enters.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.deps import AuditDep, IsoDate, PrincipalDep, Requires, SettingsDep, StoreDep, audited_ref
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission
from graph.exc import NotFound
from graph.model import Direction, load_model
from queries.affected import affected
from queries.bidding_receipt import get_receipt
from queries.clusters import clusters
from queries.paths import paths
from queries.related import related
from viz.bidding import bidding_view
from viz.document import PictureDocument
from viz.ids import load_key
from viz.render import STATIC_DIR, Picture
from viz.view import DEFAULT_MAX_NODES, GraphView
from viz.views import affected_view, cluster_view, paths_view, related_view

__all__ = ["PAGE_FILES", "TAG", "router"]

TAG = {
    "name": "pictures",
    "description": (
        "Network pictures of related parties, paths, a decision's reach and affiliate "
        "clusters: self-contained offline HTML (vis-network inline), or their JSON."
    ),
}
router = APIRouter(tags=["pictures"])
PREFIX = f"{API_PREFIX}/viz"

#: Files of the investigation page, by URL name (nothing else under /viz/static is served).
PAGE_FILES: dict[str, tuple[str, str]] = {
    "page.js": ("page.js", "text/javascript; charset=utf-8"),
    "page.css": ("page.css", "text/css; charset=utf-8"),
    "picture.js": ("picture.js", "text/javascript; charset=utf-8"),
    "picture.css": ("picture.css", "text/css; charset=utf-8"),
    "vis-network.min.js": ("vendor/vis-network.min.js", "text/javascript; charset=utf-8"),
    "LICENSE-vis-network-MIT": ("vendor/LICENSE-MIT", "text/plain; charset=utf-8"),
    "LICENSE-vis-network-APACHE-2.0": ("vendor/LICENSE-APACHE-2.0", "text/plain; charset=utf-8"),
}
#: A picture may not make the browser fetch anything (same policy as its <meta> tag).
PICTURE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; frame-ancestors 'self'"
)
#: The page talks to this server only; vis-network injects its own <style> elements.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

_KINDS = sorted(load_model().nodes)
_TYPES = sorted(load_model().edges)
Format = Literal["html", "json"]

FormatQuery = Annotated[
    Format, Query(description="`html`: the offline picture; `json`: its PictureDocument")
]
AsOfQuery = Annotated[
    IsoDate | None,
    Query(description="evaluate relationships and credit state on this date (ISO 8601)"),
]
MaxNodesQuery = Annotated[
    int,
    Query(ge=1, le=2000, description="picture cap: most entities drawn (the rest is counted)"),
]
TypesQuery = Annotated[
    list[str] | None,
    Query(
        description="follow only these relationship types (repeat the parameter)",
        json_schema_extra={"items": {"type": "string", "enum": _TYPES}},
    ),
]
DirectionQuery = Annotated[Direction, Query(description="direction from the entity at hand")]
KindPath = Annotated[
    str,
    Path(
        description="node kind",
        json_schema_extra={"enum": _KINDS},
        openapi_examples={"enterprise": {"value": "Enterprise"}},
    ),
]
KeyPath = Annotated[
    str,
    Path(
        description="the key: USCC, ID number, `plate|colour`, project code or `channel|value`",
        openapi_examples={"enterprise": {"value": "91110000600037341L"}},
    ),
]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The picture: HTML (default) or its JSON document",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
    **problem_responses(401, 403, 404, 422, 503),
}


def _ids_key(request: Request, settings: SettingsDep) -> bytes:
    key: bytes | None = getattr(request.app.state, "viz_ids_key", None)
    if key is None:
        key = load_key(settings.data_dir)
        request.app.state.viz_ids_key = key
    return key


def _answer(
    view: GraphView,
    fmt: Format,
    principal: PrincipalDep,
    request: Request,
    settings: SettingsDep,
    max_nodes: int,
) -> Response:
    picture = Picture(
        view,
        clearance=principal.clearance,
        max_nodes=max_nodes,
        key=_ids_key(request, settings),
        model=load_model(),
    )
    if fmt == "json":
        return JSONResponse(picture.document.model_dump(mode="json", by_alias=True))
    headers = {**_SECURITY_HEADERS, "Content-Security-Policy": PICTURE_CSP}
    return HTMLResponse(picture.html(), headers=headers)


@router.get(
    f"{PREFIX}/related/{{kind}}/{{key:path}}",
    summary="Picture of an entity's related parties",
    response_model=PictureDocument,
    responses=_RESPONSES,
    dependencies=[Requires(Permission.PICTURES)],
)
def related_picture(
    kind: KindPath,
    key: KeyPath,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    hops: Annotated[int, Query(ge=1, le=6, description="how far to look")] = 2,
    type: TypesQuery = None,
    direction: DirectionQuery = Direction.BOTH,
    as_of: AsOfQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=5000, description="most entities")] = None,
    cap: Annotated[int | None, Query(ge=1, le=1000, description="neighbours per hub")] = None,
    max_nodes: MaxNodesQuery = DEFAULT_MAX_NODES,
    format: FormatQuery = "html",
) -> Response:
    """The entities within ``hops`` of the entity, each with the relationship that reached
    it, coloured by credit state on ``as_of`` (``queries.related``)."""
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
    return _answer(related_view(store, result), format, principal, request, settings, max_nodes)


@router.get(
    f"{PREFIX}/paths",
    summary="Picture of the shortest paths between two entities",
    response_model=PictureDocument,
    responses=_RESPONSES,
    dependencies=[Requires(Permission.PICTURES)],
)
def paths_picture(
    a: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="from: a USCC, an ID number or `Kind:key`",
            openapi_examples={"enterprise": {"value": "91110000600037341L"}},
        ),
    ],
    b: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="to: a USCC, an ID number or `Kind:key`",
            openapi_examples={"enterprise": {"value": "91310115MA1K3BTP2B"}},
        ),
    ],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    k: Annotated[int | None, Query(ge=1, le=50, description="how many paths")] = None,
    max_hops: Annotated[int | None, Query(ge=1, le=10, description="longest path")] = None,
    type: TypesQuery = None,
    direction: DirectionQuery = Direction.BOTH,
    as_of: AsOfQuery = None,
    max_nodes: MaxNodesQuery = DEFAULT_MAX_NODES,
    format: FormatQuery = "html",
) -> Response:
    """The ``k`` shortest paths from ``a`` to ``b``, every relationship explained
    (``queries.paths``)."""
    audit.subject = f"{a} ~ {b}"
    result = paths(
        store, a, b, k=k, max_hops=max_hops, types=type, direction=direction, as_of=as_of
    )
    audit.subject = f"{result.a.uid} ~ {result.b.uid}"
    return _answer(paths_view(store, result), format, principal, request, settings, max_nodes)


@router.get(
    f"{PREFIX}/affected/{{decision_id}}",
    summary="Picture of who a decision reaches",
    response_model=PictureDocument,
    responses=_RESPONSES,
    dependencies=[Requires(Permission.PICTURES), Requires(Permission.CREDIT_READ)],
)
def affected_picture(
    decision_id: Annotated[
        str,
        Path(
            description="the decision's id",
            max_length=64,
            openapi_examples={"decision": {"value": "2350c1d4ebe31e104f1dd566"}},
        ),
    ],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    as_of: AsOfQuery = None,
    max_nodes: MaxNodesQuery = DEFAULT_MAX_NODES,
    format: FormatQuery = "html",
) -> Response:
    """Every subject the decision reaches, with measure, legal basis, term and the path of
    propagation (``queries.affected``); 404 for an unknown decision."""
    audit.subject = f"decision:{decision_id}"
    result = affected(store, decision_id, as_of=as_of)
    return _answer(affected_view(store, result), format, principal, request, settings, max_nodes)


@router.get(
    f"{PREFIX}/cluster/{{kind}}/{{key:path}}",
    summary="Picture of the affiliate cluster around an entity",
    response_model=PictureDocument,
    responses=_RESPONSES,
    dependencies=[Requires(Permission.PICTURES)],
)
def cluster_picture(
    kind: KindPath,
    key: KeyPath,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    as_of: AsOfQuery = None,
    max_nodes: MaxNodesQuery = DEFAULT_MAX_NODES,
    format: FormatQuery = "html",
) -> Response:
    """The enterprises tied to the entity by control, legal representatives, principals
    or officers, and the ties (``queries.clusters``)."""
    ref = audited_ref(store, kind, key, audit)
    result = clusters(store, around=ref, as_of=as_of)
    return _answer(cluster_view(store, result), format, principal, request, settings, max_nodes)


@router.get(
    f"{PREFIX}/bidding/{{check_id}}",
    summary="Picture of a bidding check (from its receipt)",
    response_model=PictureDocument,
    responses=_RESPONSES,
    dependencies=[Requires(Permission.BIDDING_CHECK)],
)
def bidding_picture(
    check_id: Annotated[
        str,
        Path(
            description="the check's id (its receipt)",
            max_length=64,
            openapi_examples={"check": {"value": "bc-3f2a9c0e5b7d4e1f"}},
        ),
    ],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    audit: AuditDep,
    max_nodes: MaxNodesQuery = DEFAULT_MAX_NODES,
    format: FormatQuery = "html",
) -> Response:
    """The bidders of a stored check and the evidence of its findings, findings that decide
    a verdict emphasised (``queries.bidding``); 404 for an unknown check."""
    audit.subject = f"bid-check:{check_id}"
    receipt = get_receipt(store, check_id)
    view = bidding_view(store, receipt.result)
    return _answer(view, format, principal, request, settings, max_nodes)


# -- the investigation page (static; not in the OpenAPI document) ----------------------------
@router.get("/viz", include_in_schema=False)
def page_redirect() -> RedirectResponse:
    """``/viz`` -> ``/viz/``."""
    return RedirectResponse("/viz/", status_code=308)


@router.get("/viz/", include_in_schema=False)
def page() -> HTMLResponse:
    """The investigation page."""
    text = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(text, headers={**_SECURITY_HEADERS, "Content-Security-Policy": PAGE_CSP})


@router.get("/viz/static/{name}", include_in_schema=False)
def page_file(name: str) -> Response:
    """A file of the page, from the allow-list :data:`PAGE_FILES`."""
    found = PAGE_FILES.get(name)
    if found is None:
        raise NotFound(f"no page file {name!r}")
    path, media_type = found
    return Response(
        (STATIC_DIR / path).read_bytes(),
        media_type=media_type,
        headers={**_SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"},
    )
