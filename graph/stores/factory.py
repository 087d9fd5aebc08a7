"""Pick and open the store named by :class:`~graph.settings.Settings`."""

from __future__ import annotations

import neo4j

from graph.model import GraphModel, load_model
from graph.settings import Settings
from graph.stores.base import GraphStore

__all__ = ["open_neo4j_driver", "open_store"]


def open_neo4j_driver(settings: Settings) -> neo4j.Driver:
    """A driver for ``settings.store`` (bolt:// for one server, neo4j:// for a cluster)."""
    return neo4j.GraphDatabase.driver(
        settings.store,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        connection_timeout=settings.neo4j_connection_timeout,
        max_transaction_retry_time=settings.neo4j_max_retry_time,
    )


def open_store(settings: Settings | None = None, model: GraphModel | None = None) -> GraphStore:
    """The store that settings name: the embedded one by default.

    >>> import tempfile, pathlib
    >>> s = Settings(store="memory", data_dir=pathlib.Path(tempfile.mkdtemp()))
    >>> type(open_store(s)).__name__
    'MemoryStore'
    """
    settings = settings or Settings()
    model = model or load_model()
    if settings.uses_neo4j:
        from graph.stores.neo4j import Neo4jStore

        driver = open_neo4j_driver(settings)
        return Neo4jStore(driver, model, database=settings.neo4j_database, owns_driver=True)
    from graph.stores.memory import MemoryStore

    return MemoryStore(model, settings.memory_store_file)
