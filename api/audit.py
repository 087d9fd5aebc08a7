"""The append-only audit log of API requests that read or change credit data.

One JSON line per request: when, which key and role, which endpoint (the route template)
and path, about which subject, with which status and outcome.  Lines are only ever
appended (the file is opened ``O_APPEND``; nothing here truncates or rewrites it), and each
line carries ``prev``, the SHA-256 of the line before it, so an edit or a deletion in the
middle shows up in :meth:`AuditLog.verify`.  Appends from several worker processes are
serialised with an exclusive ``flock`` so the chain stays linear.

State changes of decisions and listings are audited separately, in the store, by the
lifecycle (``AuditEvent`` records); this log is about *who asked what*.

>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
>>> first = log.append(key_id="ops", role="admin", method="GET", endpoint="/v1/audit",
...                    path="/v1/audit", subject=None, status=200, request_id="r1")
>>> second = log.append(key_id=None, role="public", method="GET", endpoint="/v1/entities",
...                     path="/v1/entities", subject="search:甲运输", status=403, request_id="r2")
>>> second.outcome, second.prev == first.digest()
('denied', True)
>>> log.verify().intact
True
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AuditLog",
    "AuditMiddleware",
    "AuditQuery",
    "AuditRecord",
    "Outcome",
    "VerifyReport",
    "outcome_of",
]

Outcome = Literal["ok", "denied", "invalid", "not_found", "conflict", "unavailable", "error"]
#: Routes with one of these tags are not audited (they touch no credit data).
EXEMPT_TAGS = frozenset({"health"})
# Bytes read back from the end of the file to find the last line (records are far shorter).
_TAIL = 64 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def outcome_of(status: int) -> Outcome:
    """The outcome recorded for an HTTP status.

    >>> [outcome_of(s) for s in (200, 403, 404, 409, 422, 503, 500)]
    ['ok', 'denied', 'not_found', 'conflict', 'invalid', 'unavailable', 'error']
    """
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    if status == 404:
        return "not_found"
    if status == 409:
        return "conflict"
    if status == 503:
        return "unavailable"
    if status < 500:
        return "invalid"
    return "error"


class AuditRecord(BaseModel):
    """One audited request."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "time": "2026-03-02T08:15:30.123456Z",
                    "request_id": "5f0c9a4e2b7d4c1a9e3f6b8d0a2c4e6f",
                    "key_id": "approval-system",
                    "role": "reviewer",
                    "method": "GET",
                    "endpoint": "/v1/entities/{kind}/{key}",
                    "path": "/v1/entities/Enterprise/91110000600037341L",
                    "subject": "Enterprise:91110000600037341L",
                    "status": 200,
                    "outcome": "ok",
                    "prev": "9f2d…",
                }
            ]
        },
    )

    time: datetime
    request_id: str
    key_id: str | None = Field(description="the API key's id; null for anonymous callers")
    role: str | None = Field(description="the key's role; null when authentication failed")
    method: str
    endpoint: str = Field(description="the route template")
    path: str
    subject: str | None = Field(description="what the request was about (an entity uid …)")
    status: int
    outcome: Outcome
    prev: str = Field(description="SHA-256 of the previous line; '' for the first line")

    def line(self) -> bytes:
        """The record as written: one compact JSON line without the newline."""
        return self.model_dump_json().encode()

    def digest(self) -> str:
        """SHA-256 of :meth:`line` (what the next record's ``prev`` holds)."""
        return hashlib.sha256(self.line()).hexdigest()


class AuditQuery(BaseModel):
    """Filters of ``GET /v1/audit``."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(100, ge=1, le=1000)
    key_id: str | None = None
    subject: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None

    @field_validator("since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A time without zone is UTC (records are written in UTC)."""
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


class VerifyReport(BaseModel):
    """Result of checking the hash chain of the log."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"records": 1520, "intact": True, "first_broken_line": None}]
        }
    )

    records: int
    intact: bool
    first_broken_line: int | None = Field(None, description="1-based line that breaks the chain")


class AuditLog:
    """An append-only JSON-lines file with a hash chain."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        return self._fd

    def close(self) -> None:
        """Release the file descriptor (appends reopen it)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    @staticmethod
    def _last_line(fd: int) -> bytes:
        size = os.fstat(fd).st_size
        if size == 0:
            return b""
        start = max(0, size - _TAIL)
        tail = os.pread(fd, size - start, start).rstrip(b"\n")
        return tail.rsplit(b"\n", 1)[-1]

    def append(
        self,
        *,
        key_id: str | None,
        role: str | None,
        method: str,
        endpoint: str,
        path: str,
        subject: str | None,
        status: int,
        request_id: str,
        time: datetime | None = None,
    ) -> AuditRecord:
        """Append one record (chained to the last line) and return it."""
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                last = self._last_line(fd)
                record = AuditRecord(
                    time=time or datetime.now(UTC),
                    request_id=request_id,
                    key_id=key_id,
                    role=role,
                    method=method,
                    endpoint=endpoint,
                    path=path,
                    subject=subject,
                    status=status,
                    outcome=outcome_of(status),
                    prev=hashlib.sha256(last).hexdigest() if last else "",
                )
                os.write(fd, record.line() + b"\n")
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        return record

    def _lines(self) -> list[bytes]:
        if not self.path.exists():
            return []
        return [line for line in self.path.read_bytes().split(b"\n") if line]

    def read(self, query: AuditQuery | None = None) -> tuple[list[AuditRecord], int]:
        """The newest ``limit`` records matching the filters (newest first), and how many
        matched in all.  Reads the whole file: fine for months of logs, not for decades."""
        query = query or AuditQuery()
        kept: deque[AuditRecord] = deque(maxlen=query.limit)
        matched = 0
        for line in self._lines():
            record = AuditRecord.model_validate_json(line)
            if query.key_id is not None and record.key_id != query.key_id:
                continue
            if query.subject is not None and record.subject != query.subject:
                continue
            if query.outcome is not None and record.outcome != query.outcome:
                continue
            if query.since is not None and record.time < query.since:
                continue
            matched += 1
            kept.append(record)
        return list(reversed(kept)), matched

    def verify(self) -> VerifyReport:
        """Check that every line's ``prev`` is the hash of the line before it."""
        previous = b""
        lines = self._lines()
        for number, line in enumerate(lines, start=1):
            try:
                prev = AuditRecord.model_validate_json(line).prev
            except ValueError:
                return VerifyReport(records=len(lines), intact=False, first_broken_line=number)
            expected = hashlib.sha256(previous).hexdigest() if previous else ""
            if prev != expected:
                return VerifyReport(records=len(lines), intact=False, first_broken_line=number)
            previous = line
        return VerifyReport(records=len(lines), intact=True)


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def _default_subject(scope: Scope) -> str | None:
    params = scope.get("path_params") or {}
    return "/".join(str(v) for v in params.values()) or None


class AuditMiddleware:
    """Append a record for every request that reached an audited ``/v1`` route.

    It reads what the route left in ``scope["state"]``: ``principal`` (set by the
    authentication dependency), ``audit_subject`` (set by the endpoint) and ``request_id``.
    """

    def __init__(self, app: ASGIApp, log: AuditLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        status = 500
        recorded = False

        async def watch(message: Message) -> None:
            nonlocal status, recorded
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Recorded before the last byte leaves: no client sees an unaudited answer.
                recorded = True
                self._record(scope, state, status)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not recorded:  # an exception, or a response that never completed
                self._record(scope, state, status)

    def _record(self, scope: Scope, state: MutableMapping[str, Any], status: int) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None)
        if not isinstance(template, str) or not template.startswith("/v1/"):
            return
        endpoint = _CONVERTOR.sub(r"{\1}", template)  # /{key:path} -> /{key}
        if EXEMPT_TAGS & set(getattr(route, "tags", None) or ()):
            return
        principal = state.get("principal")
        self.log.append(
            key_id=getattr(principal, "key_id", None),
            role=str(principal.role) if principal is not None else None,
            method=str(scope.get("method", "")),
            endpoint=endpoint,
            path=str(scope.get("path", "")),
            subject=state.get("audit_subject") or _default_subject(scope),
            status=status,
            request_id=str(state.get("request_id", "")),
        )
