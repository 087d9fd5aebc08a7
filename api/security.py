"""Who may do what: API keys, roles, permissions and personal-data clearance.

A key file (YAML or TOML, named by ``CREDITLINK_API_KEYS_FILE``) lists keys by id with a
role; only the SHA-256 digest of each key is stored, so the file reveals no key::

    keys:
      - id: approval-system            # appears in the audit log
        role: reviewer
        sha256: 5e8f...                # creditlink api-key new prints it

Keys are long random strings (``creditlink api-key new``), so a plain SHA-256 is enough: a
slow password hash protects guessable secrets, which these are not.

Roles and what they may do are fixed here (:data:`ROLE_PERMISSIONS`,
:data:`ROLE_CLEARANCE`), in one table a reviewer can read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.masking import Clearance
from graph.exc import CreditlinkError, InvalidModel

__all__ = [
    "ROLE_CLEARANCE",
    "ROLE_PERMISSIONS",
    "ApiKeyEntry",
    "Forbidden",
    "KeyRing",
    "KeysFile",
    "Permission",
    "Principal",
    "Role",
    "Unauthenticated",
    "hash_key",
    "new_key",
]

#: Prefix of generated keys, so a leaked key is recognisable by secret scanners.
KEY_PREFIX = "clk_"


class Role(StrEnum):
    """The roles of the issue: what kind of caller a key belongs to."""

    PUBLIC = "public"  # anyone: publicity (双公示), the catalog, masked look-ups
    INVESTIGATOR = "investigator"  # credit authorities investigating subjects
    REVIEWER = "reviewer"  # bidding reviewers (招投标评审) and approval systems
    ANALYST = "analyst"  # reports and pictures, without personal data
    ADMIN = "admin"  # operators: ingest, audit, everything


class Permission(StrEnum):
    """Things a route may require; routers declare them with ``Requires(Permission.X)``."""

    ENTITIES_READ = "entities:read"  # look up and search entities
    CATALOG_READ = "catalog:read"  # the four lists (四张清单)
    CREDIT_READ = "credit:read"  # restrictions, history, affected subjects of a decision
    INVESTIGATE = "investigations:read"  # related, paths, control, links, risk, clusters
    PICTURES = "pictures:read"  # network pictures (HTML)
    BIDDING_CHECK = "bidding:check"  # bidding checks and their receipts
    DECISIONS_WRITE = "decisions:write"  # file decisions, objections, repairs, feedback
    INGEST_WRITE = "ingest:write"  # upload files into the graph
    AUDIT_READ = "audit:read"  # the audit log


_READ_ALL = {
    Permission.ENTITIES_READ,
    Permission.CATALOG_READ,
    Permission.CREDIT_READ,
}

#: What each role may do.  Writes: decisions need an investigator (the authority that
#: identifies a subject) or an admin; ingest and the audit log need an admin.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset(_READ_ALL),
    Role.INVESTIGATOR: frozenset(
        {*_READ_ALL, Permission.INVESTIGATE, Permission.PICTURES, Permission.DECISIONS_WRITE}
    ),
    Role.REVIEWER: frozenset({*_READ_ALL, Permission.BIDDING_CHECK}),
    Role.ANALYST: frozenset({*_READ_ALL, Permission.INVESTIGATE, Permission.PICTURES}),
    Role.ADMIN: frozenset(Permission),
}

#: Which personal data each role sees (api/masking.py).  Reviewers and analysts see names
#: (a reviewer must recognise a project manager) but not ID numbers or contacts.
ROLE_CLEARANCE: Mapping[Role, Clearance] = {
    Role.PUBLIC: Clearance.NONE,
    Role.INVESTIGATOR: Clearance.FULL,
    Role.REVIEWER: Clearance.NAMES,
    Role.ANALYST: Clearance.NAMES,
    Role.ADMIN: Clearance.FULL,
}


class Unauthenticated(CreditlinkError):
    """No key where one is required, or a key nobody issued."""

    status = 401
    title = "Not authenticated"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="creditlink"'}


class Forbidden(CreditlinkError):
    """The caller's role does not have the permission the route needs."""

    status = 403
    title = "Forbidden"


def hash_key(key: str) -> str:
    """The SHA-256 digest (hex) under which a key is stored.

    >>> hash_key("clk_example")[:16]
    '6f1197acbb1dd6e4'
    """
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh random key (256 bits).

    >>> k = new_key(); k.startswith(KEY_PREFIX) and len(k) > 40
    True
    """
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeyEntry(BaseModel):
    """One key of the key file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="names the key")
    role: Role
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the key, hex")
    note: str = ""


class KeysFile(BaseModel):
    """The key file: a list of keys with unique ids and digests."""

    model_config = ConfigDict(extra="forbid")

    keys: list[ApiKeyEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> KeysFile:
        for attr in ("id", "sha256"):
            values = [getattr(k, attr) for k in self.keys]
            if len(values) != len(set(values)):
                raise ValueError(f"two keys share the same {attr}")
        return self


class Principal(BaseModel):
    """Who is calling: the key id (None when anonymous) and its role."""

    model_config = ConfigDict(frozen=True)

    key_id: str | None
    role: Role

    @property
    def permissions(self) -> frozenset[Permission]:
        """What the role may do."""
        return ROLE_PERMISSIONS[self.role]

    @property
    def clearance(self) -> Clearance:
        """Which personal data the role sees."""
        return ROLE_CLEARANCE[self.role]

    def require(self, permission: Permission) -> None:
        """Raise :class:`Forbidden` unless the role has ``permission``.

        >>> Principal(key_id=None, role=Role.PUBLIC).require(Permission.AUDIT_READ)
        Traceback (most recent call last):
        ...
        api.security.Forbidden: role 'public' lacks permission 'audit:read'
        """
        if permission not in self.permissions:
            raise Forbidden(f"role {self.role.value!r} lacks permission {permission.value!r}")


def _read_config(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    return yaml.safe_load(text) or {}


class KeyRing:
    """The issued keys, looked up by digest; anonymous callers get ``anonymous_role``.

    >>> ring = KeyRing(KeysFile(keys=[ApiKeyEntry(id="ops", role="admin",
    ...                                          sha256=hash_key("clk_x"))]), Role.PUBLIC)
    >>> ring.authenticate("clk_x")
    Principal(key_id='ops', role=<Role.ADMIN: 'admin'>)
    >>> ring.authenticate(None).role
    <Role.PUBLIC: 'public'>
    """

    def __init__(self, keys: KeysFile, anonymous_role: Role | None) -> None:
        self._by_digest = {entry.sha256: entry for entry in keys.keys}
        self.anonymous_role = anonymous_role

    @classmethod
    def load(cls, path: Path | None, anonymous_role: str | None) -> KeyRing:
        """Read the key file (YAML, or TOML by suffix); fail fast on any problem."""
        try:
            role = Role(anonymous_role) if anonymous_role else None
        except ValueError as err:
            raise InvalidModel(f"api_anonymous_role: unknown role {anonymous_role!r}") from err
        if path is None:
            return cls(KeysFile(), role)
        try:
            return cls(KeysFile.model_validate(_read_config(path)), role)
        except (OSError, ValueError, yaml.YAMLError, ValidationError) as err:
            raise InvalidModel(f"API key file {path}: {err}") from err

    def __len__(self) -> int:
        return len(self._by_digest)

    def authenticate(self, key: str | None) -> Principal:
        """The principal of a presented key (or of no key); raise :class:`Unauthenticated`."""
        if not key:
            if self.anonymous_role is None:
                raise Unauthenticated("an API key is required (X-API-Key or Bearer)")
            return Principal(key_id=None, role=self.anonymous_role)
        digest = hash_key(key)
        entry = self._by_digest.get(digest)
        # compare_digest keeps the final comparison constant-time.
        if entry is None or not hmac.compare_digest(entry.sha256, digest):
            raise Unauthenticated("unknown API key")
        return Principal(key_id=entry.id, role=entry.role)
