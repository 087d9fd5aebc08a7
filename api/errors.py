"""Every error as an RFC 9457 problem document (``application/problem+json``).

One table, :data:`HANDLERS`, maps the exception tree of :mod:`graph.exc` (each class knows
its HTTP status), request validation and plain HTTP errors to problem documents.  A
server error never shows its stack trace or message: the client gets a request id to
quote, the log gets the traceback.  A 503 carries ``Retry-After``.

Routers declare the problems they may answer with :func:`problem_responses`, so the
OpenAPI document lists them with the right media type.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.exc import CreditlinkError, StoreUnavailable

__all__ = [
    "HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "ProblemResponse",
    "problem_responses",
    "problem_type",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
#: Problem types are URNs: stable names a client can switch on, not pages to fetch.
PROBLEM_TYPE_PREFIX = "urn:creditlink:problem:"
# Retry-After when the settings say nothing (seconds).
DEFAULT_RETRY_AFTER = 5

log = logging.getLogger("creditlink.api")


class Problem(BaseModel):
    """An RFC 9457 problem document; extension members carry machine-readable details."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:creditlink:problem:invalid-identifier",
                    "title": "Invalid identifier",
                    "status": 422,
                    "detail": "uscc '91110000600037341X': bad check character",
                    "instance": "/v1/entities/Enterprise/91110000600037341X",
                    "field": "uscc",
                    "reason": "bad check character",
                }
            ]
        },
    )

    type: str = Field("about:blank", description="URN naming the kind of problem")
    title: str = Field(description="short summary of the kind of problem")
    status: int = Field(ge=400, le=599, description="HTTP status code")
    detail: str | None = Field(None, description="what went wrong with this request")
    instance: str | None = Field(None, description="the request path")


class ProblemResponse(JSONResponse):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem_type(name: str) -> str:
    """The URN of a problem named by an exception class or a phrase.

    >>> problem_type("InvalidIdentifier"), problem_type("Not Found")
    ('urn:creditlink:problem:invalid-identifier', 'urn:creditlink:problem:not-found')
    """
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower().split()
    return PROBLEM_TYPE_PREFIX + "-".join(words)


def _response(
    request: Request,
    status: int,
    title: str,
    detail: str | None,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    body = Problem(
        type=problem_type(kind) if kind else "about:blank",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        **extensions,
    )
    return ProblemResponse(body.model_dump(exclude_none=True), status, headers=dict(headers or {}))


def _retry_after(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return str(getattr(settings, "api_retry_after", DEFAULT_RETRY_AFTER))


async def _creditlink_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, CreditlinkError)
    status = exc.status
    headers = dict(getattr(exc, "headers", None) or {})
    extensions: dict[str, Any] = exc.extensions()
    if isinstance(exc, StoreUnavailable):
        log.warning("store unavailable on %s: %s", request.url.path, exc)
        headers["Retry-After"] = _retry_after(request)
        detail = f"The graph store did not answer; retry in {headers['Retry-After']} seconds."
    elif status >= 500:
        return await _unexpected(request, exc)
    else:
        detail = str(exc)
    return _response(
        request, status, exc.title, detail, kind=type(exc).__name__, headers=headers, **extensions
    )


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    # The offending input is not echoed back: it may be a person's ID number.
    errors = [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", "")}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
    return _response(request, 422, "Invalid request", detail, kind="InvalidRequest", errors=errors)


def _documented_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for the request's path.

    Starlette's 405 names only the methods of the first route matching the path, while a
    path may be served by several routes (GET list and POST create, in two routers).  Each
    ``{param}`` is one segment; only when no template matches that way may the last one
    span several (``{key:path}`` routes: the document does not say which they are, and
    ``/v1/decisions/{id}`` must not claim ``/v1/decisions/{id}/repair``), and the template
    with the fewest parameters wins.
    """
    exact: dict[int, set[str]] = {}  # by the number of parameters of the template
    spanning: set[str] = set()
    paths = request.app.openapi().get("paths", {})
    for template, item in paths.items():
        one = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        spans = re.sub(r"\[\^/\]\+$", ".+", one)
        methods = {m.upper() for m in item if m in _HTTP_METHODS}
        if re.fullmatch(one, request.url.path):
            exact.setdefault(template.count("{"), set()).update(methods)
        elif re.fullmatch(spans, request.url.path):
            spanning |= methods
    # OpenAPI: a concrete path wins over a templated one (/v1/decisions/preview is not
    # /v1/decisions/{decision_id}).
    return sorted(exact[min(exact)] if exact else spanning)


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (methods := _documented_methods(request)):
        headers["Allow"] = ", ".join(methods)
    return _response(request, exc.status_code, phrase, detail, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    # The request id (also in the X-Request-ID header and the audit log) links the report,
    # the log line and the audit record.
    reference = str(getattr(request.state, "request_id", "") or uuid.uuid4().hex)
    log.error("unexpected error %s on %s", reference, request.url.path, exc_info=exc)
    detail = f"An unexpected error occurred; quote reference {reference} when reporting it."
    # Unhandled exceptions are answered outside the request-id middleware: repeat the header.
    headers = {"X-Request-ID": reference}
    return _response(
        request,
        500,
        "Internal error",
        detail,
        kind="InternalError",
        headers=headers,
        reference=reference,
    )


Handler = Callable[[Request, Exception], Awaitable[ProblemResponse]]

#: Exception class -> handler; the most specific class wins (Starlette walks the MRO).
HANDLERS: dict[type[Exception], Handler] = {
    CreditlinkError: _creditlink_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    Exception: _unexpected,
}

_STATUS_HINTS = {
    400: "The request body cannot be read (not JSON, not UTF-8)",
    401: "No valid API key (send it as X-API-Key or Authorization: Bearer)",
    403: "The key's role may not do this",
    404: "Unknown entity",
    409: "Conflicts with the current state",
    422: "Invalid request or identifier (the reason is in `detail`)",
    503: "The graph store is unavailable; retry after `Retry-After` seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given problem statuses.

    >>> sorted(problem_responses(404, 503))
    [404, 503]
    >>> list(problem_responses(404)[404]["content"])
    ['application/problem+json']
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": _STATUS_HINTS.get(status, HTTPStatus(status).phrase),
            # Only the problem media type; create_app registers the Problem schema.
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status == 503:
            entry["headers"] = {
                "Retry-After": {
                    "description": "seconds to wait before retrying",
                    "schema": {"type": "integer"},
                }
            }
        if status == 401:
            entry["headers"] = {
                "WWW-Authenticate": {
                    "description": "how to authenticate",
                    "schema": {"type": "string"},
                }
            }
        responses[status] = entry
    return responses
