"""The investigation methods of :class:`~graph.stores.memory.MemoryStore`, on the adjacency.

Every function walks the ``MultiDiGraph``'s adjacency dictionaries (``_succ`` / ``_pred``)
with the filters applied while walking; nothing copies the graph or builds a view
(no ``ego_graph``, no ``subgraph``).  Each one answers exactly what the Cypher of
:mod:`graph.stores.cypher_queries` answers on Neo4j, down to the order of the results:
the contract tests hold both stores to it.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Person:p", labels=set(), props={"name": "王军"})
>>> g.add_node("Enterprise:e", labels=set(), props={})
>>> g.add_edge("Person:p", "Enterprise:e", key="x1", type="LEGAL_REP_OF", valid_from=None,
...            valid_to=None, source=None, props={})
'x1'
>>> [e.total for e in expand_capped(g, ["Enterprise:e"], None, Direction.BOTH, None, 5)]
[1]
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import networkx as nx

from graph.model import Direction, Edge, Node, NodeRef, is_valid_on
from graph.stores.analysis import Expansion, Levels, OwnershipStake, Reached, SharedNeighbour
from graph.stores.base import Path

__all__ = [
    "edge_endpoints",
    "expand_capped",
    "expand_levels",
    "k_shortest_paths",
    "ownership",
    "shared_neighbours",
    "with_suffix",
]

Attrs = dict[str, Any]
Keep = Callable[[Attrs], bool]
Step = tuple[str, bool, str, Attrs]  # (neighbour, outgoing?, eid, attributes)


def _valid(as_of: date | None) -> Keep:
    return lambda attrs: is_valid_on(attrs["valid_from"], attrs["valid_to"], as_of)


def _started(as_of: date | None) -> Keep:
    if as_of is None:
        return lambda attrs: True
    return lambda attrs: attrs["valid_from"] is None or attrs["valid_from"] <= as_of


def _incident(
    graph: nx.MultiDiGraph,
    uid: str,
    types: frozenset[str] | None,
    direction: Direction,
    keep: Keep,
) -> Iterator[Step]:
    """Matching relationships at ``uid``, read straight from the adjacency."""
    sides: list[tuple[bool, dict[str, Any]]] = []
    if direction in (Direction.OUT, Direction.BOTH):
        sides.append((True, graph._succ[uid]))
    if direction in (Direction.IN, Direction.BOTH):
        sides.append((False, graph._pred[uid]))
    for outgoing, side in sides:
        for other, keyed in side.items():
            for eid, attrs in keyed.items():
                if (types is None or attrs["type"] in types) and keep(attrs):
                    yield other, outgoing, eid, attrs


def _node(graph: nx.MultiDiGraph, uid: str) -> Node:
    attrs = graph._node[uid]
    ref = NodeRef.from_uid(uid)
    return Node.model_construct(
        kind=ref.kind,
        key=ref.key,
        labels=tuple(sorted(attrs["labels"])),
        props=dict(attrs["props"]),
    )


def _edge(uid: str, other: str, outgoing: bool, attrs: Attrs) -> Edge:
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


def _ratio_ok(attrs: Attrs, ratio_types: frozenset[str], ratio_above: float | None) -> bool:
    if ratio_above is None or attrs["type"] not in ratio_types:
        return True
    ratio = attrs["props"].get("ratio")
    return (ratio or 0.0) > ratio_above


def expand_capped(
    graph: nx.MultiDiGraph,
    uids: Sequence[str],
    types: frozenset[str] | None,
    direction: Direction,
    as_of: date | None,
    cap: int,
    ratio_types: frozenset[str] = frozenset(),
    ratio_above: float | None = None,
    exclude: frozenset[str] = frozenset(),
) -> list[Expansion]:
    """Per frontier node (uid order): distinct neighbours counted, the first ``cap`` by uid
    returned unless excluded."""
    keep = _valid(as_of)
    result = []
    for uid in sorted(set(uids)):
        if uid not in graph._node:
            continue
        best: dict[str, tuple[str, bool, Attrs]] = {}
        for other, outgoing, eid, attrs in _incident(graph, uid, types, direction, keep):
            if other == uid or not _ratio_ok(attrs, ratio_types, ratio_above):
                continue
            held = best.get(other)
            if held is None or eid < held[0]:
                best[other] = (eid, outgoing, attrs)
        shown = heapq.nsmallest(cap, best) if len(best) > cap else sorted(best)
        reached = [
            Reached.model_construct(
                node=_node(graph, o), edge=_edge(uid, o, best[o][1], best[o][2])
            )
            for o in shown
            if o not in exclude
        ]
        result.append(
            Expansion.model_construct(
                node=NodeRef.from_uid(uid), total=len(best), shown=len(shown), neighbours=reached
            )
        )
    return result


def expand_levels(
    graph: nx.MultiDiGraph,
    seed: str,
    hops: int,
    types: frozenset[str] | None,
    direction: Direction,
    as_of: date | None,
    cap: int,
    limit: int,
) -> Levels | None:
    """Capped breadth-first search from ``seed``, level by level (see :class:`Levels`)."""
    if seed not in graph._node:
        return None
    seen = {seed}
    frontier = [seed]
    levels: list[list[Expansion]] = []
    for depth in range(hops):
        level = expand_capped(
            graph, frontier, types, direction, as_of, cap, exclude=frozenset(seen)
        )
        levels.append(level)
        fresh = sorted({r.node.ref.uid for e in level for r in e.neighbours})
        seen.update(fresh)
        if depth + 1 == hops or not fresh or len(seen) - 1 > limit:
            break
        frontier = fresh
    return Levels.model_construct(seed=_node(graph, seed), levels=levels)


class _Ball:
    """Nodes within ``radius`` hops of a centre (complete up to the radius), grown by levels."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        centre: str,
        types: frozenset[str] | None,
        direction: Direction,
        keep: Keep,
    ) -> None:
        self.graph, self.types, self.direction, self.keep = graph, types, direction, keep
        self.dist = {centre: 0}
        self.frontier = [centre]
        self.radius = 0

    def grow(self) -> list[str]:
        """Add the next level; returns the nodes added."""
        added = []
        self.radius += 1
        for uid in self.frontier:
            for other, *_ in _incident(self.graph, uid, self.types, self.direction, self.keep):
                if other not in self.dist:
                    self.dist[other] = self.radius
                    added.append(other)
        self.frontier = added
        return added

    def bound(self, uid: str) -> int:
        """A lower bound of the hops from the centre to ``uid`` (exact inside the ball)."""
        return self.dist.get(uid, self.radius + 1)


def _meet(ball_a: _Ball, ball_b: _Ball, max_hops: int) -> int | None:
    """Bidirectional breadth-first search: the distance from a to b, if at most max_hops."""
    while ball_a.radius + ball_b.radius < max_hops and ball_a.frontier and ball_b.frontier:
        grow, other = (
            (ball_a, ball_b) if len(ball_a.frontier) <= len(ball_b.frontier) else (ball_b, ball_a)
        )
        met = [grow.dist[u] + other.dist[u] for u in grow.grow() if u in other.dist]
        if met:
            return min(met)
    return None


def k_shortest_paths(
    graph: nx.MultiDiGraph,
    a: str,
    b: str,
    k: int,
    max_hops: int,
    types: frozenset[str] | None,
    direction: Direction,
    as_of: date | None,
) -> list[Path]:
    """Neo4j's ``SHORTEST k GROUPS`` between bound ends: the trails (no relationship twice)
    of the ``k`` shortest lengths; those that revisit a node dropped; the first ``k`` by
    (length, node uids, eids).

    A bidirectional search finds the shortest length; the trails are then enumerated from
    ``a``, pruned by the ball around ``b`` (a lower bound of the hops left), which grows by
    one level for each longer length asked for.
    """
    if a == b or a not in graph._node or b not in graph._node or k < 1:
        return []
    keep = _valid(as_of)
    back = {Direction.OUT: Direction.IN, Direction.IN: Direction.OUT}.get(direction, direction)
    ball_a = _Ball(graph, a, types, direction, keep)
    ball_b = _Ball(graph, b, types, back, keep)
    shortest = _meet(ball_a, ball_b, max_hops)
    if shortest is None:
        return []
    found: list[tuple[list[str], list[Edge]]] = []
    groups = 0
    for length in range(shortest, max_hops + 1):
        if length > shortest:
            ball_b.grow()
        trails = list(_trails(graph, a, b, length, types, direction, keep, ball_b))
        if trails:
            groups += 1
            found += [t for t in trails if len(set(t[0])) == len(t[0])]
        if groups == k:
            break
    found.sort(key=lambda t: (len(t[1]), t[0], [e.eid for e in t[1]]))
    return [
        Path(nodes=[NodeRef.from_uid(u) for u in uids], edges=edges) for uids, edges in found[:k]
    ]


def _trails(
    graph: nx.MultiDiGraph,
    a: str,
    b: str,
    length: int,
    types: frozenset[str] | None,
    direction: Direction,
    keep: Keep,
    ball_b: _Ball,
) -> Iterator[tuple[list[str], list[Edge]]]:
    """Every trail of exactly ``length`` relationships from a to b (depth-first, pruned by
    a lower bound of the distance to b)."""
    nodes: list[str] = [a]
    edges: list[Edge] = []
    used: set[str] = set()

    def walk(uid: str) -> Iterator[tuple[list[str], list[Edge]]]:
        left = length - len(edges)
        if left == 0:
            if uid == b:
                yield list(nodes), list(edges)
            return
        for other, outgoing, eid, attrs in _incident(graph, uid, types, direction, keep):
            if eid in used or ball_b.bound(other) > left - 1:
                continue
            used.add(eid)
            nodes.append(other)
            edges.append(_edge(uid, other, outgoing, attrs))
            yield from walk(other)
            edges.pop()
            nodes.pop()
            used.discard(eid)

    yield from walk(a)


def ownership(
    graph: nx.MultiDiGraph,
    uid: str,
    share_type: str,
    upstream: bool,
    max_hops: int,
    as_of: date | None,
    min_share: float,
) -> list[OwnershipStake]:
    """Simple chains of ``share_type`` from ``uid`` with the product of ratios; per party the
    chains by (length, node uids, eids) and their products summed in that order."""
    if uid not in graph._node:
        return []
    keep = _valid(as_of)
    direction = Direction.IN if upstream else Direction.OUT
    types = frozenset({share_type})
    chains: dict[str, list[tuple[list[str], list[Edge], float]]] = {}
    nodes: list[str] = [uid]
    edges: list[Edge] = []
    factors: list[float] = [1.0]

    def walk(at: str) -> None:
        if len(edges) == max_hops:
            return
        for other, outgoing, _, attrs in _incident(graph, at, types, direction, keep):
            if other in nodes:
                continue
            product = factors[-1] * float(attrs["props"].get("ratio") or 0.0)
            nodes.append(other)
            edges.append(_edge(at, other, outgoing, attrs))
            factors.append(product)
            if product >= min_share:
                chains.setdefault(other, []).append((list(nodes), list(edges), product))
            walk(other)
            factors.pop()
            edges.pop()
            nodes.pop()

    walk(uid)
    stakes = []
    for party in sorted(chains):
        found = sorted(chains[party], key=lambda c: (len(c[1]), c[0], [e.eid for e in c[1]]))
        share = 0.0
        for *_, product in found:
            share += product
        paths = [Path(nodes=[NodeRef.from_uid(u) for u in n], edges=e) for n, e, _ in found]
        stakes.append(OwnershipStake(party=NodeRef.from_uid(party), share=share, chains=paths))
    return stakes


def shared_neighbours(
    graph: nx.MultiDiGraph,
    uid: str,
    types: frozenset[str],
    as_of: date | None,
    include_ended: bool,
    hub_threshold: int,
) -> list[SharedNeighbour]:
    """For each node one hop from ``uid`` (uid order): the other nodes attached to it,
    counted, and listed when there are at most ``hub_threshold``."""
    if uid not in graph._node:
        return []
    keep = _started(as_of) if include_ended else _valid(as_of)
    mine: dict[str, list[Edge]] = {}
    for other, outgoing, _, attrs in _incident(graph, uid, types, Direction.BOTH, keep):
        if other != uid:
            mine.setdefault(other, []).append(_edge(uid, other, outgoing, attrs))
    result = []
    for via in sorted(mine):
        attached: dict[str, list[Edge]] = {}
        for other, outgoing, _, attrs in _incident(graph, via, types, Direction.BOTH, keep):
            if other not in (uid, via):
                attached.setdefault(other, []).append(_edge(via, other, outgoing, attrs))
        hub = len(attached) > hub_threshold
        others = (
            []
            if hub
            else [
                (NodeRef.from_uid(o), sorted(attached[o], key=lambda e: e.eid))
                for o in sorted(attached)
            ]
        )
        result.append(
            SharedNeighbour(
                via=_node(graph, via),
                mine=sorted(mine[via], key=lambda e: e.eid),
                total=len(attached),
                hub=hub,
                others=others,
            )
        )
    return result


def with_suffix(
    graph: nx.MultiDiGraph, kind: str, prop: str, suffix: str, limit: int
) -> list[NodeRef]:
    """Nodes of ``kind`` whose ``prop`` ends with ``suffix``, by uid (a scan of the nodes)."""
    prefix = f"{kind}:"
    hits = [
        uid
        for uid, attrs in graph._node.items()
        if uid.startswith(prefix) and str(attrs["props"].get(prop, "")).endswith(suffix)
    ]
    return [NodeRef.from_uid(u) for u in heapq.nsmallest(limit, hits)]


def edge_endpoints(
    graph: nx.MultiDiGraph,
    types: frozenset[str] | None,
    as_of: date | None,
    ratio_types: frozenset[str] = frozenset(),
    ratio_above: float | None = None,
) -> Iterator[tuple[NodeRef, NodeRef]]:
    """(source, target) of every matching relationship."""
    keep = _valid(as_of)
    for src, targets in graph._succ.items():
        for dst, keyed in targets.items():
            for attrs in keyed.values():
                if (
                    (types is None or attrs["type"] in types)
                    and keep(attrs)
                    and _ratio_ok(attrs, ratio_types, ratio_above)
                ):
                    yield NodeRef.from_uid(src), NodeRef.from_uid(dst)
