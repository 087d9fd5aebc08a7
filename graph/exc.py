"""The one exception tree of creditlink.

Every error a user can cause or meet derives from :class:`CreditlinkError` and carries the
HTTP status the API maps it to, so routers never guess (the yente way: errors know their
status, one handler table turns them into problem documents).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "ConflictError",
    "CreditlinkError",
    "IdentifierProblem",
    "InvalidIdentifier",
    "InvalidModel",
    "NotFound",
    "SchemaViolation",
    "StoreUnavailable",
]


class CreditlinkError(Exception):
    """Base of every error creditlink raises on purpose."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def extensions(self) -> dict[str, Any]:
        """Machine-readable members the problem document carries besides ``detail``."""
        return {}


class InvalidModel(CreditlinkError):
    """A vocabulary, catalog or mapping file is inconsistent; raised at load time."""

    title = "Invalid model"


class SchemaViolation(CreditlinkError, ValueError):
    """A node or relationship does not fit the vocabulary (unknown kind, property, endpoint)."""

    status = 422
    title = "Does not fit the graph model"


class IdentifierProblem(StrEnum):
    """Why an identifier was refused; each reason is distinct so callers can count them."""

    EMPTY = "empty"
    LENGTH = "bad length"
    FORMAT = "bad format"
    CHECKSUM = "bad check character"
    AREA_CODE = "unknown area code"
    BIRTH_DATE = "bad birth date"
    AUTHORITY = "unknown registration authority"
    ORGANISATION_TYPE = "unknown organisation type"


class InvalidIdentifier(SchemaViolation):
    """An identifier failed validation: says which field, which value and why."""

    title = "Invalid identifier"

    def __init__(
        self, field: str, value: str, problem: IdentifierProblem, detail: str = ""
    ) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        self.detail = detail
        message = f"{field} {value!r}: {problem.value}"
        super().__init__(f"{message} ({detail})" if detail else message)

    def extensions(self) -> dict[str, Any]:
        """The field and the reason (``bad check character`` …)."""
        return {"field": self.field, "reason": self.problem.value}


class NotFound(CreditlinkError, LookupError):
    """The entity, decision or receipt asked for does not exist."""

    status = 404
    title = "Not found"


class ConflictError(CreditlinkError):
    """The request contradicts the current state (e.g. an objection on a revoked listing)."""

    status = 409
    title = "Conflict with the current state"


class StoreUnavailable(CreditlinkError):
    """The graph store cannot be reached; the caller may retry later."""

    status = 503
    title = "Graph store unavailable"
