"""Fixtures of the API tests.

Which fixture to use when:

* ``api`` — an :class:`Api` over the example story in a memory store, with one key per role
  (``api.get(url, role="reviewer")``); most route tests use it.
* ``api_on`` — the same over the parametrised ``store`` fixture (memory and real Neo4j), for
  routes whose answer depends on the store.
* ``make_api`` — build one with other settings (anonymous access off, another store …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Role, hash_key
from graph.example import Story, load_story
from graph.model import load_model
from graph.settings import Settings
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore

#: One key per role; the key file stores only their digests.
KEYS = {role: f"clk_test-key-of-{role.value}" for role in Role}


@dataclass
class Api:
    """A test client with a key per role."""

    app: FastAPI
    client: TestClient
    settings: Settings
    story: Story | None = None
    keys: dict[Role, str] = field(default_factory=lambda: dict(KEYS))

    def headers(self, role: Role | str | None) -> dict[str, str]:
        """The X-API-Key header of ``role`` (None: no key)."""
        return {} if role is None else {"X-API-Key": self.keys[Role(role)]}

    def get(self, url: str, *, role: Role | str | None = "admin", **kw: Any) -> httpx.Response:
        """GET as ``role``."""
        response: httpx.Response = self.client.get(url, headers=self.headers(role), **kw)
        return response

    @property
    def audit_lines(self) -> list[str]:
        """The audit log's lines so far."""
        path = self.settings.audit_log_file
        return path.read_text().splitlines() if path.exists() else []


def write_keys_file(path: Path) -> Path:
    """A YAML key file with one key per role."""
    entries = [
        {"id": f"{role.value}-key", "role": role.value, "sha256": hash_key(key)}
        for role, key in KEYS.items()
    ]
    path.write_text(yaml.safe_dump({"keys": entries}), encoding="utf-8")
    return path


MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[MakeApi]:
    clients: list[TestClient] = []

    def make(store: GraphStore | None = None, *, story: bool = True, **overrides: Any) -> Api:
        if store is None:
            store = MemoryStore(load_model())
        loaded = load_story(store) if story else None
        values: dict[str, Any] = {
            "store": "memory",
            "data_dir": tmp_path,
            "api_keys_file": write_keys_file(tmp_path / "keys.yaml"),
            **overrides,
        }
        settings = Settings(**values)
        app = create_app(settings, store=store)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return Api(app=app, client=client, settings=settings, story=loaded)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


@pytest.fixture
def api_on(make_api: MakeApi, store: GraphStore) -> Api:
    return make_api(store)
