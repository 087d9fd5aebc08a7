"""ASGI middleware of the API: request ids and masking of personal data in responses.

Both are plain ASGI (no ``BaseHTTPMiddleware``, which costs a task per request).

Masking happens here, once, for every JSON response under ``/v1/``, so a router added
later cannot forget it.  The clearance is the one of the principal the authentication
dependency left in ``scope["state"]``; a response without a principal (no key checked, or
a key refused) is masked at the strictest level.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from typing import Any

from api.audit import ASGIApp, Message, Receive, Scope, Send
from api.masking import Clearance, mask_json
from graph.model import GraphModel, load_model

__all__ = ["MaskingMiddleware", "RequestIdMiddleware"]

REQUEST_ID_HEADER = b"x-request-id"
_JSON_TYPES = (b"application/json", b"application/problem+json")


class RequestIdMiddleware:
    """Give each request an id (``scope["state"]["request_id"]``, ``X-Request-ID`` header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def add_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == REQUEST_ID_HEADER for name, _ in headers):
                    headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_header)


def _clearance(state: MutableMapping[str, Any]) -> Clearance:
    principal = state.get("principal")
    clearance = getattr(principal, "clearance", None)
    return clearance if isinstance(clearance, Clearance) else Clearance.NONE


class MaskingMiddleware:
    """Mask personal data in JSON responses of ``/v1/`` routes per the caller's clearance."""

    def __init__(self, app: ASGIApp, model: GraphModel | None = None, prefix: str = "/v1/") -> None:
        self.app = app
        self.model = model or load_model()
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        start: Message | None = None
        chunks: list[bytes] = []

        async def mask(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
                clearance = _clearance(state)
                if content_type in _JSON_TYPES and clearance is not Clearance.FULL:
                    start = message  # hold it until the body is complete
                    return
                await send(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            raw = b"".join(chunks)
            body = mask_json(raw, _clearance(state), self.model) if raw.strip() else raw
            kept = [
                (name, value)
                for name, value in start.get("headers", [])
                if name.lower() != b"content-length"
            ]
            kept.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": kept})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, mask)
