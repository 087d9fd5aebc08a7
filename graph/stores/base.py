"""The store contract: what every graph store does, and the records it answers with.

``queries/`` and ``api/`` import only this module, never a concrete store.  Both stores
run the same contract suite (``tests/graph/test_store_contract.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Direction, Edge, GraphModel, Node, NodeRef
from graph.stores.search import NodeMatch

__all__ = ["GraphCounts", "GraphStore", "Neighbourhood", "Path", "Subgraph"]


class Neighbourhood(BaseModel):
    """Nodes reached from the seeds with their hop distance (seeds at 0)."""

    model_config = ConfigDict(frozen=True)

    distances: dict[NodeRef, int]
    truncated: bool = Field(False, description="the node limit stopped the expansion early")


class Subgraph(BaseModel):
    """Nodes and the relationships among them."""

    model_config = ConfigDict(frozen=True)

    nodes: list[Node]
    edges: list[Edge]


class Path(BaseModel):
    """A walk from one node to another; ``edges[i]`` joins ``nodes[i]`` and ``nodes[i+1]``."""

    model_config = ConfigDict(frozen=True)

    nodes: list[NodeRef]
    edges: list[Edge]

    @property
    def signature(self) -> tuple[str, ...]:
        """Identity of the walk, for de-duplication and stable ordering."""
        return tuple(e.eid for e in self.edges)


class GraphCounts(BaseModel):
    """How many nodes per kind and relationships per type a store holds."""

    model_config = ConfigDict(frozen=True)

    nodes: dict[str, int]
    edges: dict[str, int]

    @property
    def total_nodes(self) -> int:
        """All nodes."""
        return sum(self.nodes.values())

    @property
    def total_edges(self) -> int:
        """All relationships."""
        return sum(self.edges.values())


@runtime_checkable
class GraphStore(Protocol):
    """A graph of nodes and dated relationships keyed by the vocabulary of :attr:`model`."""

    model: GraphModel

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        """Create or update nodes by key (properties merged, labels added); returns the count."""
        ...

    def upsert_edges(self, edges: Iterable[Edge]) -> int:
        """Create or update relationships by identity; those with a missing endpoint are skipped."""
        ...

    def get_node(self, ref: NodeRef) -> Node | None:
        """The node with this kind and key, or None."""
        ...

    def expand(
        self,
        frontier: Sequence[NodeRef],
        *,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> list[Edge]:
        """Relationships of the given types and direction touching the frontier, valid on as_of."""
        ...

    def neighbourhood(
        self,
        seeds: Sequence[NodeRef],
        *,
        hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        limit: int | None = None,
    ) -> Neighbourhood:
        """Breadth-first k-hop expansion from the seeds, stopping at ``limit`` nodes."""
        ...

    def subgraph(
        self,
        refs: Iterable[NodeRef],
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Subgraph:
        """The given nodes (those that exist) and the relationships among them."""
        ...

    def shortest_paths(
        self,
        a: NodeRef,
        b: NodeRef,
        *,
        max_hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        limit: int = 100,
    ) -> list[Path]:
        """All shortest paths from a to b (at most ``limit``), filters applied while expanding."""
        ...

    def counts(self) -> GraphCounts:
        """Nodes per kind and relationships per type."""
        ...

    def ping(self) -> None:
        """Return if the store answers; raise :class:`~graph.exc.StoreUnavailable` otherwise."""
        ...

    def clear(self) -> None:
        """Remove every node and relationship."""
        ...

    def close(self) -> None:
        """Persist what needs persisting and release resources."""
        ...

    def search_nodes(
        self, text: str, *, kinds: Sequence[str] | None = None, limit: int = 10
    ) -> list[NodeMatch]:
        """Nodes of ``kinds`` whose name resembles ``text``, best first (stores/search.py)."""
        ...
