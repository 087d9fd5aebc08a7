"""Graph stores behind one contract, and the factory that picks one from settings."""

from __future__ import annotations

from graph.stores.base import GraphCounts, GraphStore, Neighbourhood, Path, Subgraph
from graph.stores.factory import open_store

__all__ = ["GraphCounts", "GraphStore", "Neighbourhood", "Path", "Subgraph", "open_store"]
