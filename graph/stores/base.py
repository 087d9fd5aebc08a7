"""The store contract: what every graph store does, and the records it answers with.

``queries/`` and ``api/`` import only this module, never a concrete store.  Both stores
run the same contract suite (``tests/graph/test_store_contract.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.model import Direction, Edge, GraphModel, Node, NodeRef
from graph.stores.search import NodeMatch

if TYPE_CHECKING:  # analysis imports Path from here
    from graph.stores.analysis import Expansion, Levels, OwnershipStake, SharedNeighbour
    from graph.stores.shared import SharedAmong

__all__ = [
    "RECORD_COLLECTIONS",
    "RECORD_LABEL",
    "GraphCounts",
    "GraphStore",
    "Neighbourhood",
    "Path",
    "StoredRecord",
    "Subgraph",
]


class Neighbourhood(BaseModel):
    """Nodes reached from the seeds with their hop distance (seeds at 0)."""

    model_config = ConfigDict(frozen=True)

    distances: dict[NodeRef, int]
    truncated: bool = Field(False, description="the node limit stopped the expansion early")


def take_level(
    distances: dict[str, int], reached: Iterable[str], depth: int, limit: int | None
) -> tuple[list[str], bool]:
    """Add one BFS level to ``distances``; returns the new frontier and whether ``limit`` cut it.

    Both stores use it, so a cut keeps the same nodes (the smallest uids) on either.

    >>> seen = {"a": 0}
    >>> take_level(seen, ["c", "b", "a"], 1, limit=2), seen
    ((['b'], True), {'a': 0, 'b': 1})
    """
    new = sorted({uid for uid in reached if uid not in distances})
    truncated = limit is not None and len(distances) + len(new) > limit
    if truncated:
        new = new[: max(0, (limit or 0) - len(distances))]
    for uid in new:
        distances[uid] = depth
    return new, truncated


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


#: Record collections a store keeps beside the entity graph (credit state and its audit),
#: each mapped to whether it is append-only.  In Neo4j each is a label next to
#: :data:`RECORD_LABEL` (never the entity base label), so names come from this allow-list only.
RECORD_COLLECTIONS: dict[str, bool] = {
    "CreditRecord": False,
    "Decision": False,
    "MeasureApplication": False,
    "Objection": False,
    "Feedback": False,
    "Deadline": False,
    "AuditEvent": True,
    "BidCheck": True,
}
RECORD_LABEL = "Record"
#: A flat value a store can filter on (server-side in Neo4j): scalars or lists of scalars.
FieldValue = str | int | float | bool | date | list[str] | list[int] | list[float] | list[date]
_RESERVED_RECORD_FIELDS = frozenset({"rid", "id", "collection", "subject", "group", "doc"})


class StoredRecord(BaseModel):
    """A record kept beside the graph (credit state, audit), never a node of the entity graph.

    ``subject`` (the uid of the entity it is about) and ``group`` (e.g. the decision it
    belongs to) are indexed; ``fields`` are flat values stores filter on; ``doc`` is the
    JSON document the owner of the collection reads back.

    >>> r = StoredRecord(collection="Decision", id="d1", subject="Vehicle:x", fields={"n": None})
    >>> r.rid, r.fields
    ('Decision:d1', {})
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    collection: str
    id: str
    subject: str | None = None
    group: str | None = None
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    doc: dict[str, Any] = Field(default_factory=dict)

    @field_validator("collection")
    @classmethod
    def _known_collection(cls, value: str) -> str:
        if value not in RECORD_COLLECTIONS:
            raise ValueError(
                f"unknown record collection {value!r}; known: {sorted(RECORD_COLLECTIONS)}"
            )
        return value

    @field_validator("fields", mode="before")
    @classmethod
    def _flat_fields(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if reserved := set(value) & _RESERVED_RECORD_FIELDS:
            raise ValueError(f"reserved field names {sorted(reserved)}")
        return {k: v for k, v in value.items() if v is not None}

    @property
    def rid(self) -> str:
        """Identity across collections: ``collection:id``."""
        return f"{self.collection}:{self.id}"


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

    def put_records(self, records: Iterable[StoredRecord], *, new: bool = False) -> int:
        """Create or replace records by (collection, id) in one transaction; append-only
        collections (and every record when ``new``) refuse an existing id with
        :class:`~graph.exc.ConflictError`."""
        ...

    def get_records(self, collection: str, ids: Sequence[str]) -> list[StoredRecord]:
        """The records of ``collection`` with these ids (those that exist), in the order asked."""
        ...

    def find_records(
        self,
        collections: Sequence[str],
        *,
        subjects: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        where: dict[str, FieldValue] | None = None,
    ) -> list[StoredRecord]:
        """Records of the collections about any of ``subjects`` (uids), in any of ``groups``,
        whose fields equal ``where``; sorted by (collection, id); one round trip."""
        ...

    def search_nodes(
        self, text: str, *, kinds: Sequence[str] | None = None, limit: int = 10
    ) -> list[NodeMatch]:
        """Nodes of ``kinds`` whose name resembles ``text``, best first (stores/search.py)."""
        ...

    # -- investigations (queries/related, paths, control, links, clusters) -----------------
    def get_nodes(self, refs: Iterable[NodeRef]) -> list[Node]:
        """The nodes with these references (those that exist), sorted by uid; one round trip."""
        ...

    def expand_capped(
        self,
        frontier: Sequence[NodeRef],
        *,
        cap: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        ratio_above: float | None = None,
        exclude: Collection[NodeRef] = (),
    ) -> list[Expansion]:
        """Per frontier node (by uid): its distinct neighbours counted by the engine and the
        first ``cap`` by uid (less ``exclude``), each with its relationship of smallest eid."""
        ...

    def k_shortest_paths(
        self,
        a: NodeRef,
        b: NodeRef,
        *,
        k: int,
        max_hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> list[Path]:
        """Up to ``k`` paths among the trails of the ``k`` shortest lengths (those revisiting
        a node dropped), by (length, node uids, eids); filters applied while expanding."""
        ...

    def ownership(
        self,
        ref: NodeRef,
        *,
        upstream: bool,
        max_hops: int,
        as_of: date | None = None,
        min_share: float = 0.0,
        via: str = "SHAREHOLDER_OF",
    ) -> list[OwnershipStake]:
        """Holders above (or holdings below) ``ref`` through simple ``via`` chains, with the
        product of ratios per chain and the sum per party, by party uid."""
        ...

    def shared_neighbours(
        self,
        ref: NodeRef,
        *,
        types: Sequence[str],
        hub_threshold: int,
        as_of: date | None = None,
        include_ended: bool = False,
    ) -> list[SharedNeighbour]:
        """Nodes one hop from ``ref`` and the others attached to each (counted; listed up to
        ``hub_threshold``); ``include_ended`` keeps ties that ended before ``as_of``."""
        ...

    def with_suffix(self, kind: str, prop: str, suffix: str, *, limit: int) -> list[NodeRef]:
        """Up to ``limit`` nodes of ``kind`` whose ``prop`` ends with ``suffix``, by uid."""
        ...

    def edge_endpoints(
        self,
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
        ratio_above: float | None = None,
    ) -> Iterator[tuple[NodeRef, NodeRef]]:
        """(source, target) of every matching relationship, streamed (whole-graph analytics)."""
        ...

    # -- bulk reads (ingest: content checksum, neo4j-admin export) --------------------------
    def iter_nodes(self) -> Iterator[Node]:
        """Every node, streamed in no promised order (whole-graph checksum and export)."""
        ...

    def iter_edges(self) -> Iterator[Edge]:
        """Every relationship, streamed in no promised order (whole-graph checksum and export)."""
        ...

    # -- bidding checks (queries/bidding) ------------------------------------------------------
    def shared_among(
        self,
        refs: Sequence[NodeRef],
        *,
        types: Sequence[str],
        as_of: date | None = None,
        include_ended: bool = False,
    ) -> list[SharedAmong]:
        """Nodes one hop from two or more of ``refs`` (or one hop from a ref while being one),
        each with its relationships to those refs and its count of attached nodes; by uid,
        one round trip (graph/stores/shared.py)."""
        ...

    def expand_levels(
        self,
        seed: NodeRef,
        *,
        hops: int,
        cap: int,
        limit: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> Levels | None:
        """A capped breadth-first search from ``seed`` in one engine call: per level the
        ``expand_capped`` of its new nodes (see :class:`~graph.stores.analysis.Levels`);
        None when the seed does not exist."""
        ...
