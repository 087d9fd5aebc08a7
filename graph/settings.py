"""One typed settings object, read from ``CREDITLINK_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/creditlink``, else ``~/.local/share/creditlink``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "creditlink"


class Settings(BaseSettings):
    """Runtime configuration, validated at start.

    >>> Settings(store="neo4j://db.example:7687").uses_neo4j
    True
    """

    model_config = SettingsConfigDict(env_prefix="CREDITLINK_", extra="ignore")

    # "memory" for the embedded networkx store, or a bolt:// / neo4j:// (+s, +ssc) URI.
    store: str = "memory"
    # Where the embedded store keeps its file, and where quarantine, audit and caches go.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Neo4j credentials and database; a neo4j:// URI routes reads to cluster secondaries.
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    # Seconds to wait for a Bolt connection before the store counts as unavailable.
    neo4j_connection_timeout: float = 5.0
    # Seconds the driver retries a transaction after transient failures (deadlock, server
    # restart) before giving up; the driver's default.  The API lowers it (api_neo4j_retry_time).
    neo4j_max_retry_time: float = 30.0
    # The catalog directory (the four lists, docs/catalog.md); None = the shipped transport
    # catalog.  Read once per process (graph.catalog.catalog_dir).
    catalog: Path | None = None

    # -- HTTP API (api/, docs/api.md) --------------------------------------------------------
    # YAML or TOML file listing API keys (as SHA-256 digests) with their roles; None = no keys.
    api_keys_file: Path | None = None
    # Role of requests that carry no key ("public" sees masked data only); None = key required.
    api_anonymous_role: str | None = "public"
    # The append-only audit log (JSON lines); None = <data_dir>/audit.jsonl.
    audit_file: Path | None = None
    # Browser origins allowed to call the API (CORS); empty = CORS off.
    api_cors_origins: list[str] = Field(default_factory=list)
    # Seconds a client is told to wait (Retry-After) when the store is unavailable.
    api_retry_after: int = 5
    # Seconds the API lets the driver retry before answering 503: fail fast, the client retries.
    api_neo4j_retry_time: float = 2.0
    # Largest file POST /v1/ingest/jobs accepts, in MiB (a bigger one is refused with 413).
    api_max_upload_mb: int = Field(256, ge=1)

    @field_validator("store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value == "memory" or value.split("://", 1)[0] in _NEO4J_SCHEMES:
            return value
        raise ValueError(f"store must be 'memory' or a bolt:// or neo4j:// URI, not {value!r}")

    @property
    def uses_neo4j(self) -> bool:
        """Whether :attr:`store` names a Neo4j server."""
        return self.store != "memory"

    @property
    def memory_store_file(self) -> Path:
        """The embedded store's file."""
        return self.data_dir / "graph.pickle"

    @property
    def audit_log_file(self) -> Path:
        """The audit log: :attr:`audit_file`, else ``<data_dir>/audit.jsonl``."""
        return self.audit_file or self.data_dir / "audit.jsonl"


_NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
