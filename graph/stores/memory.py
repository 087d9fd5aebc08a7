"""The embedded store: a networkx ``MultiDiGraph`` in memory, persisted to one file.

Queries walk the adjacency dictionaries directly (filtered breadth-first search), so no
query copies the graph.  The file is written atomically (temporary file + ``os.replace``)
by :meth:`MemoryStore.flush` and on :meth:`MemoryStore.close`, and read back on start.
It is a pickle: a local, trusted file of this process, never one received from others.

>>> from graph.model import load_model
>>> store = MemoryStore(load_model())
>>> m = store.model
>>> a = m.make_node("Enterprise", {"uscc": "91110000600037341L"})
>>> p = m.make_node("Person", {"id_no": "110101199003070011", "name": "王军"})
>>> store.upsert_nodes([a, p])
2
>>> store.upsert_edges([m.make_edge("LEGAL_REP_OF", p.ref, a.ref)])
1
>>> store.get_node(p.ref).labels
('LegalRepresentative',)
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path as FilePath
from typing import Any

import networkx as nx

from graph.exc import SchemaViolation
from graph.model import Direction, Edge, GraphModel, Node, NodeRef, is_valid_on
from graph.stores import memory_algorithms, search
from graph.stores.analysis import (
    Expansion,
    Levels,
    OwnershipStake,
    SharedNeighbour,
    ratio_types,
)
from graph.stores.base import (
    FieldValue,
    GraphCounts,
    Neighbourhood,
    Path,
    StoredRecord,
    Subgraph,
    take_level,
)
from graph.stores.record_table import RecordTable
from graph.stores.shared import SharedAmong, shared_among_memory

__all__ = ["MemoryStore"]

_FORMAT = "creditlink-memory-store/1"
_MAX_ENUMERATED_WALKS = 10_000


class MemoryStore:
    """networkx-backed :class:`~graph.stores.base.GraphStore`, optionally file-backed."""

    def __init__(self, model: GraphModel, path: FilePath | None = None) -> None:
        self.model = model
        self.path = path
        self._graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._records = RecordTable()  # credit state beside the graph, pickled with it
        self._dirty = False
        if path is not None and path.exists():
            self._load(path)

    # -- persistence -------------------------------------------------------------------------
    def _load(self, path: FilePath) -> None:
        with path.open("rb") as fh:
            payload = pickle.load(fh)
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a creditlink memory store file")
        self._graph = payload["graph"]
        self._records = payload.get("records") or RecordTable()

    def flush(self) -> None:
        """Write the graph to :attr:`path` atomically if it changed since the last write."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                payload = {"format": _FORMAT, "graph": self._graph, "records": self._records}
                pickle.dump(payload, fh, protocol=5)
                fh.flush()
                os.fsync(fh.fileno())
            FilePath(tmp).replace(self.path)
        except BaseException:
            FilePath(tmp).unlink(missing_ok=True)
            raise
        self._dirty = False

    def close(self) -> None:
        """Persist pending changes."""
        self.flush()

    def ping(self) -> None:
        """An in-process store always answers."""

    def clear(self) -> None:
        """Remove every node and relationship."""
        self._graph.clear()
        self._records.clear()
        self._dirty = True

    # -- writes ------------------------------------------------------------------------------
    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        """Create or update nodes by key (properties merged, labels added); returns the count."""
        count = 0
        graph = self._graph
        for node in nodes:
            self.model.check_node(node)
            uid = node.ref.uid
            attrs = graph._node.get(uid)
            if attrs is None:
                graph.add_node(uid, labels=set(node.labels), props=dict(node.props))
            else:
                attrs["labels"].update(node.labels)
                attrs["props"].update(node.props)
            count += 1
        self._dirty = self._dirty or count > 0
        return count

    def upsert_edges(self, edges: Iterable[Edge]) -> int:
        """Create or update relationships by identity; those with a missing endpoint are skipped."""
        count = 0
        graph = self._graph
        for edge in edges:
            self.model.check_edge(edge)
            src, dst = edge.src.uid, edge.dst.uid
            if src not in graph._node or dst not in graph._node:
                continue
            graph.add_edge(
                src,
                dst,
                key=edge.eid,
                type=edge.type,
                valid_from=edge.valid_from,
                valid_to=edge.valid_to,
                source=edge.source,
                props=dict(edge.props),
            )
            label = self.model.edges[edge.type].labels_source
            if label:
                graph._node[src]["labels"].add(label)
            count += 1
        self._dirty = self._dirty or count > 0
        return count

    # -- reads -------------------------------------------------------------------------------
    def get_node(self, ref: NodeRef) -> Node | None:
        """The node with this kind and key, or None."""
        attrs = self._graph._node.get(ref.uid)
        return None if attrs is None else _node(ref.uid, attrs)

    def _incident(
        self, uid: str, types: frozenset[str] | None, direction: Direction, as_of: date | None
    ) -> Iterator[tuple[str, bool, str, dict[str, Any]]]:
        """(neighbour, outgoing?, eid, attributes) of matching relationships, via adjacency."""
        graph = self._graph
        sides: list[tuple[bool, dict[str, Any]]] = []
        if direction in (Direction.OUT, Direction.BOTH):
            sides.append((True, graph._succ[uid]))
        if direction in (Direction.IN, Direction.BOTH):
            sides.append((False, graph._pred[uid]))
        for outgoing, side in sides:
            for other, keyed in side.items():
                for eid, attrs in keyed.items():
                    if types is not None and attrs["type"] not in types:
                        continue
                    if not is_valid_on(attrs["valid_from"], attrs["valid_to"], as_of):
                        continue
                    yield other, outgoing, eid, attrs

    def _types(self, types: Sequence[str] | None) -> frozenset[str] | None:
        checked = self.model.require_edge_types(types)
        return None if checked is None else frozenset(checked)

    def expand(
        self,
        frontier: Sequence[NodeRef],
        *,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> list[Edge]:
        """Relationships of the given types and direction touching the frontier, valid on as_of."""
        allowed = self._types(types)
        seen: dict[str, Edge] = {}
        for ref in frontier:
            if ref.uid in self._graph._node:
                for other, outgoing, eid, attrs in self._incident(
                    ref.uid, allowed, direction, as_of
                ):
                    if eid not in seen:
                        seen[eid] = _edge(ref.uid, other, outgoing, attrs)
        return sorted(seen.values(), key=lambda e: e.eid)

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
        allowed = self._types(types)
        distances = {s.uid: 0 for s in seeds if s.uid in self._graph._node}
        frontier = list(distances)
        truncated = False
        for depth in range(1, hops + 1):
            reached = {
                other
                for uid in frontier
                for other, *_ in self._incident(uid, allowed, direction, as_of)
                if other not in distances
            }
            frontier, truncated = take_level(distances, reached, depth, limit)
            if truncated or not frontier:
                break
        return Neighbourhood(
            distances={NodeRef.from_uid(u): d for u, d in distances.items()}, truncated=truncated
        )

    def subgraph(
        self,
        refs: Iterable[NodeRef],
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Subgraph:
        """The given nodes (those that exist) and the relationships among them."""
        allowed = self._types(types)
        graph = self._graph
        uids = {r.uid for r in refs if r.uid in graph._node}
        nodes = [_node(u, graph._node[u]) for u in sorted(uids)]
        edges = [
            _edge(u, other, True, attrs)
            for u in uids
            for other, _, _, attrs in self._incident(u, allowed, Direction.OUT, as_of)
            if other in uids
        ]
        return Subgraph(nodes=nodes, edges=sorted(edges, key=lambda e: e.eid))

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
        allowed = self._types(types)
        graph = self._graph
        if a.uid not in graph._node or b.uid not in graph._node or a == b:
            return []
        # Level-by-level BFS remembering every edge that reaches a node at its first level.
        parents: dict[str, list[tuple[str, Edge]]] = {a.uid: []}
        level = [a.uid]
        for _ in range(max_hops):
            reached: dict[str, list[tuple[str, Edge]]] = {}
            for uid in level:
                for other, outgoing, _, attrs in self._incident(uid, allowed, direction, as_of):
                    if other not in parents:
                        edge = _edge(uid, other, outgoing, attrs)
                        reached.setdefault(other, []).append((uid, edge))
            if not reached:
                return []
            parents.update(reached)
            if b.uid in reached:
                return _unwind(parents, a.uid, b.uid, limit)
            level = list(reached)
        return []

    def counts(self) -> GraphCounts:
        """Nodes per kind and relationships per type."""
        nodes = dict.fromkeys(self.model.nodes, 0)
        for uid in self._graph._node:
            nodes[uid.partition(":")[0]] += 1
        edges = dict.fromkeys(self.model.edges, 0)
        for _, _, edge_type in self._graph.edges(data="type"):
            edges[edge_type] += 1
        return GraphCounts(nodes=nodes, edges=edges)

    # -- records beside the graph (credit state) --------------------------------------------
    def put_records(self, records: Iterable[StoredRecord], *, new: bool = False) -> int:
        """Create or replace records by (collection, id) in one transaction; append-only
        collections (and every record when ``new``) refuse an existing id with
        :class:`~graph.exc.ConflictError`."""
        count = self._records.put(records, new=new)
        self._dirty = self._dirty or count > 0
        return count

    def get_records(self, collection: str, ids: Sequence[str]) -> list[StoredRecord]:
        """The records of ``collection`` with these ids (those that exist), in the order asked."""
        return self._records.get(collection, ids)

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
        return self._records.find(collections, subjects=subjects, groups=groups, where=where)

    # -- search by name ------------------------------------------------------------------------
    def search_nodes(
        self, text: str, *, kinds: Sequence[str] | None = None, limit: int = 10
    ) -> list[search.NodeMatch]:
        """Nodes of ``kinds`` whose name resembles ``text``, best first (every name scored)."""
        wanted = frozenset(search.searchable_kinds(self.model, kinds))
        if not wanted or not text.strip():
            return []
        names = {
            uid: attrs["props"][search.NAME_PROPERTY]
            for uid, attrs in self._graph._node.items()
            if uid.partition(":")[0] in wanted
            and isinstance(attrs["props"].get(search.NAME_PROPERTY), str)
        }
        return [
            search.NodeMatch(node=_node(uid, self._graph._node[uid]), score=score)
            for uid, score in search.rank_names(text, names, limit=limit)
        ]

    # -- investigations (algorithms in graph/stores/memory_algorithms.py) -------------------
    def get_nodes(self, refs: Iterable[NodeRef]) -> list[Node]:
        """The nodes with these references (those that exist), sorted by uid."""
        graph = self._graph
        uids = sorted({r.uid for r in refs if r.uid in graph._node})
        return [_node(u, graph._node[u]) for u in uids]

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
        return memory_algorithms.expand_capped(
            self._graph,
            [r.uid for r in frontier],
            self._types(types),
            direction,
            as_of,
            cap,
            frozenset(ratio_types(self.model)),
            ratio_above,
            frozenset(r.uid for r in exclude),
        )

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
        allowed = self._types(types)
        return memory_algorithms.k_shortest_paths(
            self._graph, a.uid, b.uid, k, max_hops, allowed, direction, as_of
        )

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
        self.model.require_edge_kind(via)
        return memory_algorithms.ownership(
            self._graph, ref.uid, via, upstream, max_hops, as_of, min_share
        )

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
        allowed = self._types(types) or frozenset()
        return memory_algorithms.shared_neighbours(
            self._graph, ref.uid, allowed, as_of, include_ended, hub_threshold
        )

    def with_suffix(self, kind: str, prop: str, suffix: str, *, limit: int) -> list[NodeRef]:
        """Up to ``limit`` nodes of ``kind`` whose ``prop`` ends with ``suffix``, by uid."""
        if prop not in self.model.require_kind(kind).properties:
            raise SchemaViolation(f"{kind} has no property {prop!r}")
        return memory_algorithms.with_suffix(self._graph, kind, prop, suffix, limit)

    def edge_endpoints(
        self,
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
        ratio_above: float | None = None,
    ) -> Iterator[tuple[NodeRef, NodeRef]]:
        """(source, target) of every matching relationship, streamed (whole-graph analytics)."""
        return memory_algorithms.edge_endpoints(
            self._graph,
            self._types(types),
            as_of,
            frozenset(ratio_types(self.model)),
            ratio_above,
        )

    # -- bulk reads -------------------------------------------------------------------------------
    def iter_nodes(self) -> Iterator[Node]:
        """Every node, streamed in no promised order (whole-graph checksum and export)."""
        for uid, attrs in self._graph._node.items():
            yield _node(uid, attrs)

    def iter_edges(self) -> Iterator[Edge]:
        """Every relationship, streamed in no promised order (whole-graph checksum and export)."""
        for src, dst, attrs in self._graph.edges(data=True):
            yield _edge(src, dst, True, attrs)

    # -- bidding checks -----------------------------------------------------------------------
    def shared_among(
        self,
        refs: Sequence[NodeRef],
        *,
        types: Sequence[str],
        as_of: date | None = None,
        include_ended: bool = False,
    ) -> list[SharedAmong]:
        """Nodes one hop from two or more of ``refs`` (or one hop from a ref while being one),
        each with its relationships to those refs and its count of attached nodes; by uid."""
        allowed = self._types(types)
        if not allowed:
            return []
        return shared_among_memory(
            self._graph, [r.uid for r in refs], allowed, as_of, include_ended
        )

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
        return memory_algorithms.expand_levels(
            self._graph, seed.uid, hops, self._types(types), direction, as_of, cap, limit
        )


def _node(uid: str, attrs: dict[str, Any]) -> Node:
    ref = NodeRef.from_uid(uid)
    return Node(
        kind=ref.kind,
        key=ref.key,
        labels=tuple(sorted(attrs["labels"])),
        props=dict(attrs["props"]),
    )


def _edge(uid: str, other: str, outgoing: bool, attrs: dict[str, Any]) -> Edge:
    src, dst = (uid, other) if outgoing else (other, uid)
    return Edge.model_construct(
        type=attrs["type"],
        src=NodeRef.from_uid(src),
        dst=NodeRef.from_uid(dst),
        valid_from=attrs["valid_from"],
        valid_to=attrs["valid_to"],
        source=attrs["source"],
        props=dict(attrs["props"]),
    )


def _unwind(
    parents: dict[str, list[tuple[str, Edge]]], start: str, end: str, limit: int
) -> list[Path]:
    """Enumerate the shortest walks recorded in ``parents`` (edge-distinct), sorted."""
    walks: list[Path] = []
    # Shortest walks can multiply combinatorially between hubs; enumerate a bounded number.
    budget = max(limit, _MAX_ENUMERATED_WALKS)
    stack: deque[tuple[str, list[str], list[Edge]]] = deque([(end, [end], [])])
    while stack:
        uid, nodes, edges = stack.pop()
        if uid == start:
            walks.append(
                Path(nodes=[NodeRef.from_uid(u) for u in reversed(nodes)], edges=edges[::-1])
            )
            if len(walks) >= budget:
                break
            continue
        for parent, edge in parents[uid]:
            stack.append((parent, [*nodes, parent], [*edges, edge]))
    walks.sort(key=lambda p: (tuple(n.uid for n in p.nodes), p.signature))
    return walks[:limit]
