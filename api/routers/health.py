"""Liveness and readiness: is the process up, and does the graph store answer?"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SettingsDep, StoreDep
from api.errors import problem_responses
from api.routers import API_PREFIX

__all__ = ["TAG", "router"]

TAG = {
    "name": "health",
    "description": "Liveness and readiness probes for orchestrators; no key needed, not audited.",
}
router = APIRouter(prefix=API_PREFIX, tags=["health"])


class Health(BaseModel):
    """The process answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """The process answers and so does its graph store."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ready", "store": "neo4j"}]}
    )

    status: Literal["ready"] = "ready"
    store: Literal["memory", "neo4j"] = Field(description="which store backs the API")


@router.get(
    "/health",
    summary="Liveness: the API process answers",
    response_model=Health,
)
def health() -> Health:
    """Always 200 while the process runs; does not touch the store."""
    return Health()


@router.get(
    "/ready",
    summary="Readiness: the graph store answers",
    response_model=Readiness,
    responses=problem_responses(503),
)
def ready(store: StoreDep, settings: SettingsDep) -> Readiness:
    """200 when the store answers a ping, else 503 with Retry-After."""
    store.ping()
    return Readiness(store="neo4j" if settings.uses_neo4j else "memory")
