"""Nodes shared by several entities of a set, found in one round trip (``shared_among``).

A bidding check asks, for twenty bidders at once, which persons, contacts, vehicles or
enterprises stand next to two or more of them, and which bidders are tied directly.  Asked
pairwise that is 190 queries; asked per bidder it drags every hub's thousands of other
attachments along.  :func:`shared_among_cypher` (Neo4j) and :func:`shared_among_memory`
(networkx adjacency) answer it at once: each node one hop from at least two members, or
one hop from a member while being a member itself (a direct tie), with the relationships
to each member and the number of nodes attached to it in all (so a caller can treat a
registered-agent address used by thousands as a hub instead of a link).

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> for uid in ("Person:p", "Enterprise:a", "Enterprise:b", "Enterprise:c"):
...     g.add_node(uid, labels=set(), props={})
>>> for i, firm in enumerate(("Enterprise:a", "Enterprise:b", "Enterprise:c")):
...     _ = g.add_edge("Person:p", firm, key=f"x{i}", type="LEGAL_REP_OF", valid_from=None,
...                    valid_to=None, source=None, props={})
>>> [(s.uid, [m.uid for m, _ in s.members], s.attached)
...  for s in shared_among_memory(g, ["Enterprise:a", "Enterprise:b"], None, None, False)]
[('Person:p', ['Enterprise:a', 'Enterprise:b'], 3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from graph.model import Direction, Edge, Node, NodeRef
from graph.stores.memory_algorithms import _edge, _incident, _node, _started, _valid

__all__ = ["SharedAmong", "from_record", "params_of", "shared_among_cypher", "shared_among_memory"]

_EDGE_MAP = "{type: type(%s), src: startNode(%s).uid, dst: endNode(%s).uid, props: properties(%s)}"


class SharedAmong(BaseModel):
    """A node next to several members of a set (or a member next to another member).

    ``members`` are the members one hop from ``via`` (by uid), each with its relationships
    to ``via`` (by eid); ``via`` itself is never among them.  ``attached`` counts every
    distinct node attached to ``via`` by the types asked (members included), counted by
    the engine: the caller decides from it whether ``via`` is a hub.
    """

    model_config = ConfigDict(frozen=True)

    via: Node
    members: list[tuple[NodeRef, list[Edge]]]
    attached: int

    @property
    def uid(self) -> str:
        """The shared node's uid."""
        return self.via.ref.uid


def _q(name: str) -> str:
    if "`" in name:
        raise ValueError(f"illegal name {name!r}")
    return f"`{name}`"


def shared_among_cypher(base_label: str, types: Sequence[str], include_ended: bool) -> str:
    """The Cypher of ``shared_among``: ``$uids`` and ``$as_of`` are its parameters.

    Type and date predicates sit inside the relationship patterns; grouping, counting and
    ordering happen on the server, and only nodes shared by two members (or adjacent to a
    member that is a member itself) travel back.

    >>> "[r:`OWNS`|`OPERATES` WHERE" in shared_among_cypher("Node", ["OWNS", "OPERATES"], False)
    True
    """
    if not types:
        raise ValueError("shared_among needs at least one relationship type")
    rel = ":" + "|".join(_q(t) for t in types)
    if include_ended:
        pred = "($as_of IS NULL OR {v}.valid_from IS NULL OR {v}.valid_from <= $as_of)"
    else:
        pred = (
            "($as_of IS NULL OR (({v}.valid_from IS NULL OR {v}.valid_from <= $as_of)"
            " AND ({v}.valid_to IS NULL OR {v}.valid_to > $as_of)))"
        )
    return (
        f"UNWIND $uids AS u MATCH (s:{_q(base_label)} {{uid: u}}) "
        f"MATCH (s)-[r{rel} WHERE {pred.format(v='r')}]-(x) WHERE x <> s "
        "WITH x, s, r ORDER BY r.eid "
        f"WITH x, s, collect({_EDGE_MAP % ('r', 'r', 'r', 'r')}) AS rels ORDER BY s.uid "
        "WITH x, collect({uid: s.uid, edges: rels}) AS members "
        "WHERE size(members) >= 2 OR x.uid IN $uids "
        "CALL (x) { "
        f"MATCH (x)-[r2{rel} WHERE {pred.format(v='r2')}]-(o) WHERE o <> x "
        "RETURN count(DISTINCT o) AS attached } "
        "RETURN x.uid AS uid, labels(x) AS labels, properties(x) AS props, members, attached "
        "ORDER BY uid"
    )


def shared_among_memory(
    graph: nx.MultiDiGraph,
    uids: Sequence[str],
    types: frozenset[str] | None,
    as_of: date | None,
    include_ended: bool,
) -> list[SharedAmong]:
    """``shared_among`` on the adjacency of a ``MultiDiGraph`` (same answer as the Cypher)."""
    keep = _started(as_of) if include_ended else _valid(as_of)
    wanted = [u for u in dict.fromkeys(uids) if u in graph._node]
    members = set(wanted)
    around: dict[str, dict[str, list[Edge]]] = {}
    for uid in wanted:
        for other, outgoing, _, attrs in _incident(graph, uid, types, Direction.BOTH, keep):
            if other != uid:
                edge = _edge(uid, other, outgoing, attrs)
                around.setdefault(other, {}).setdefault(uid, []).append(edge)
    result = []
    for via in sorted(around):
        found = around[via]
        if len(found) < 2 and via not in members:
            continue
        attached = {
            other
            for other, _, _, _ in _incident(graph, via, types, Direction.BOTH, keep)
            if other != via
        }
        result.append(
            SharedAmong(
                via=_node(graph, via),
                members=[
                    (NodeRef.from_uid(m), sorted(found[m], key=lambda e: e.eid))
                    for m in sorted(found)
                ],
                attached=len(attached),
            )
        )
    return result


def params_of(uids: Sequence[str], as_of: date | None) -> dict[str, Any]:
    """The parameters of :func:`shared_among_cypher`.

    >>> params_of(["a", "a", "b"], None)
    {'uids': ['a', 'b'], 'as_of': None}
    """
    return {"uids": list(dict.fromkeys(uids)), "as_of": as_of}


def from_record(record: Any, to_node: Any, to_edge: Any) -> SharedAmong:
    """A :class:`SharedAmong` from one Neo4j row (``to_node`` / ``to_edge`` are the store's
    converters, so both stores build identical records)."""
    return SharedAmong(
        via=to_node(record["uid"], record["labels"], record["props"]),
        members=[
            (NodeRef.from_uid(m["uid"]), [to_edge(e) for e in m["edges"]])
            for m in record["members"]
        ],
        attached=record["attached"],
    )
