"""Shared fixtures.

Which fixture to use when:

* ``store`` — every store behaviour: it runs the test once on the embedded ``MemoryStore``
  and once on a real Neo4j over Bolt (``[memory]`` / ``[neo4j]`` in the test id).  Each
  test gets an empty store.
* ``memory_store`` / ``neo4j_store`` — when a test is about one store only.
* ``model`` — the shipped vocabulary.
* ``sample`` — the small dated story of ``graph/example.py`` loaded into ``store``.

Neo4j is found through ``CREDITLINK_TEST_NEO4J_URI`` (default ``bolt://127.0.0.1:7687``),
``CREDITLINK_TEST_NEO4J_USER`` / ``_PASSWORD`` (default ``neo4j`` / ``creditlink-test``,
what ``scripts/neo4j start`` configures).  The tests **empty that database**: they refuse
a non-loopback server unless ``CREDITLINK_TEST_NEO4J_ALLOW_CLEAR=1``.  Without a server
the Neo4j leg is skipped locally, and fails when ``CI=true`` or
``CREDITLINK_REQUIRE_NEO4J=1`` — CI must never pass by skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlparse

import neo4j
import pytest

from graph.example import Story, load_story
from graph.model import GraphModel, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore

NEO4J_URI = os.environ.get("CREDITLINK_TEST_NEO4J_URI", "bolt://127.0.0.1:7687")
NEO4J_AUTH = (
    os.environ.get("CREDITLINK_TEST_NEO4J_USER", "neo4j"),
    os.environ.get("CREDITLINK_TEST_NEO4J_PASSWORD", "creditlink-test"),
)
NEO4J_DATABASE = os.environ.get("CREDITLINK_TEST_NEO4J_DATABASE", "neo4j")


def neo4j_required() -> bool:
    """CI (or an explicit request) turns a missing Neo4j into a failure."""
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("CREDITLINK_REQUIRE_NEO4J") == "1"
    )


def _unavailable(reason: str) -> None:
    if neo4j_required():
        pytest.fail(f"Neo4j is required here but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def model() -> GraphModel:
    return load_model()


@pytest.fixture(scope="session")
def neo4j_driver() -> Iterator[neo4j.Driver]:
    host = urlparse(NEO4J_URI).hostname or ""
    loopback = host in {"localhost", "::1"} or host.startswith("127.")
    if not loopback and os.environ.get("CREDITLINK_TEST_NEO4J_ALLOW_CLEAR") != "1":
        pytest.fail(f"refusing to empty non-loopback Neo4j {NEO4J_URI}", pytrace=False)
    driver = neo4j.GraphDatabase.driver(NEO4J_URI, auth=NEO4J_AUTH, connection_timeout=5)
    try:
        driver.verify_connectivity()
    except Exception as err:  # any failure to connect means "no server here"
        driver.close()
        _unavailable(f"no Neo4j at {NEO4J_URI} ({type(err).__name__}: {err})")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_store(neo4j_driver: neo4j.Driver, model: GraphModel) -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_driver, model, database=NEO4J_DATABASE)
    store.clear()
    yield store
    store.close()


@pytest.fixture
def memory_store(model: GraphModel) -> MemoryStore:
    return MemoryStore(model)


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    name = "memory_store" if request.param == "memory" else "neo4j_store"
    result: GraphStore = request.getfixturevalue(name)
    return result


@pytest.fixture
def sample(store: GraphStore) -> Story:
    return load_story(store)
