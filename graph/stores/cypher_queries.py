"""Cypher for the investigation methods of :class:`~graph.stores.neo4j.Neo4jStore`.

Builders return ``(query, params)``; values are ``$parameters``, and the only interpolated
text is an allow-listed label, relationship type or property name (backtick-quoted by
``_q``) or a checked integer bound.  The work stays on the server: type and date
predicates sit inside the (quantified) relationship patterns so they filter while
expanding, shortest paths have both ends bound, and counting, capping, ordering and
summing happen in Cypher so that only capped rows travel to Python.

>>> query, params = expand_capped("Node", ["Person:1"], ("OWNS",), Direction.BOTH, None, 10)
>>> "[r:`OWNS` WHERE" in query and params["cap"]
10
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from graph.model import Direction

__all__ = [
    "component_edges",
    "expand_capped",
    "expand_levels",
    "k_shortest_paths",
    "ownership",
    "shared_neighbours",
    "suffix_index_statement",
    "with_suffix",
]

Query = tuple[str, dict[str, Any]]

_EDGE_MAP = "{type: type(%s), src: startNode(%s).uid, dst: endNode(%s).uid, props: properties(%s)}"
# A path never visits a node twice (evaluated on the list of node uids).
_SIMPLE = "all(i IN range(0, size(uids) - 2) WHERE NOT uids[i] IN uids[i + 1..])"


def _q(name: str) -> str:
    """Backtick-quote an allow-listed name (a backtick in it would be a bug upstream)."""
    if "`" in name:
        raise ValueError(f"illegal name {name!r}")
    return f"`{name}`"


def _types(types: Sequence[str] | None) -> str:
    if types is not None and not types:
        raise ValueError("an empty type filter matches nothing; pass None for every type")
    return "" if types is None else ":" + "|".join(_q(t) for t in types)


def _arrows(direction: Direction) -> tuple[str, str]:
    return {Direction.OUT: ("-", "->"), Direction.IN: ("<-", "-"), Direction.BOTH: ("-", "-")}[
        direction
    ]


def _valid(var: str) -> str:
    """``var`` held on ``$as_of`` (half-open [valid_from, valid_to); null $as_of: always)."""
    return (
        f"($as_of IS NULL OR (({var}.valid_from IS NULL OR {var}.valid_from <= $as_of)"
        f" AND ({var}.valid_to IS NULL OR {var}.valid_to > $as_of)))"
    )


def _started(var: str) -> str:
    """``var`` had begun by ``$as_of`` (it may have ended since): current and former ties."""
    return f"($as_of IS NULL OR {var}.valid_from IS NULL OR {var}.valid_from <= $as_of)"


def _edge(var: str) -> str:
    return _EDGE_MAP % (var, var, var, var)


def _ratio(var: str) -> str:
    """Relationships of the ``$ratio_types`` must have a ratio above ``$ratio_above``."""
    return (
        f"($ratio_above IS NULL OR NOT type({var}) IN $ratio_types"
        f" OR coalesce({var}.ratio, 0.0) > $ratio_above)"
    )


def expand_capped(
    base_label: str,
    uids: list[str],
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
    cap: int,
    ratio_types: Sequence[str] = (),
    ratio_above: float | None = None,
    exclude: Sequence[str] = (),
) -> Query:
    """Per frontier node: its distinct neighbours counted, and the first ``cap`` by uid
    (less those in ``exclude``, which still take their place under the cap).

    The neighbour is returned with the matching relationship of smallest ``eid``.  A hub's
    relationships are scanned and sorted on the server; at most ``cap`` rows come back.
    """
    left, right = _arrows(direction)
    query = (
        f"UNWIND $uids AS uid MATCH (n:{_q(base_label)} {{uid: uid}}) "
        "CALL (n) { "
        f"MATCH (n){left}[r{_types(types)} WHERE {_valid('r')} AND {_ratio('r')}]"
        f"{right}(m) WHERE m <> n "
        "WITH m, r ORDER BY r.eid "
        "WITH m, head(collect(r)) AS r ORDER BY m.uid "
        "WITH collect({m: m, r: r}) AS rows "
        "RETURN size(rows) AS total, rows[0..$cap] AS shown } "
        "RETURN n.uid AS uid, total, size(shown) AS capped, "
        "[x IN shown WHERE NOT x.m.uid IN $exclude | {uid: x.m.uid, labels: labels(x.m), "
        f"props: properties(x.m), edge: {_edge('x.r')}}}] AS shown"
    )
    params = {
        "uids": uids,
        "as_of": as_of,
        "cap": int(cap),
        "ratio_types": list(ratio_types),
        "ratio_above": ratio_above,
        "exclude": list(exclude),
    }
    return query, params


def expand_levels(
    base_label: str,
    uid: str,
    hops: int,
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
    cap: int,
    limit: int,
) -> Query:
    """A capped breadth-first search of ``hops`` levels in one query (levels unrolled).

    Each level expands its frontier like :func:`expand_capped`, drops the neighbours seen
    at earlier levels, and hands the distinct rest, by uid, to the next level; it stops
    expanding once more than ``$limit`` nodes besides the seed are known.
    """
    left, right = _arrows(direction)
    expand = (
        "CALL (frontier, seen) { UNWIND frontier AS n CALL (n) { "
        f"MATCH (n){left}[r{_types(types)} WHERE {_valid('r')}]{right}(m) WHERE m <> n "
        "WITH m, r ORDER BY r.eid "
        "WITH m, head(collect(r)) AS r ORDER BY m.uid "
        "WITH collect({m: m, r: r}) AS rows "
        "RETURN size(rows) AS total, rows[0..$cap] AS shown } "
        "WITH n, total, shown ORDER BY n.uid "
        "RETURN collect({n: n.uid, total: total, capped: size(shown), "
        "rows: [x IN shown WHERE NOT x.m IN seen]}) AS level } "
        "WITH s, seen, levels + [level] AS levels, level "
    )
    advance = (
        "CALL (level) { UNWIND level AS e UNWIND e.rows AS x "
        "WITH DISTINCT x.m AS m ORDER BY m.uid RETURN collect(m) AS fresh } "
        "WITH s, levels, seen + fresh AS seen, fresh "
        "WITH s, levels, seen, CASE WHEN size(seen) - 1 > $limit THEN [] ELSE fresh END "
        "AS frontier "
    )
    body = advance.join([expand] * int(hops))
    query = (
        f"MATCH (s:{_q(base_label)} {{uid: $uid}}) "
        "WITH s, [s] AS seen, [s] AS frontier, [] AS levels "
        f"{body}"
        "RETURN s.uid AS uid, labels(s) AS labels, properties(s) AS props, "
        "[level IN levels | [e IN level | {uid: e.n, total: e.total, capped: e.capped, "
        "shown: [x IN e.rows | {uid: x.m.uid, labels: labels(x.m), props: properties(x.m), "
        f"edge: {_edge('x.r')}}}]}}]] AS levels"
    )
    return query, {"uid": uid, "as_of": as_of, "cap": int(cap), "limit": int(limit)}


def k_shortest_paths(
    base_label: str,
    a: str,
    b: str,
    k: int,
    max_hops: int,
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
) -> Query:
    """The trails of the ``k`` shortest lengths between two bound ends, filtered while
    expanding; those that revisit a node are dropped and the first ``k`` kept, ordered by
    (length, node uids, relationship eids)."""
    left, right = _arrows(direction)
    query = (
        f"MATCH p = SHORTEST {int(k)} GROUPS (a:{_q(base_label)} {{uid: $a}})"
        f"(() {left}[r{_types(types)} WHERE {_valid('r')}]{right} ())"
        f"{{1,{int(max_hops)}}}(b:{_q(base_label)} {{uid: $b}}) "
        "WITH p, [n IN nodes(p) | n.uid] AS uids, [r IN relationships(p) | r.eid] AS eids "
        f"WHERE {_SIMPLE} "
        "WITH p, uids, eids ORDER BY size(eids), uids, eids LIMIT $k "
        f"RETURN uids AS nodes, [r IN relationships(p) | {_edge('r')}] AS edges"
    )
    return query, {"a": a, "b": b, "as_of": as_of, "k": int(k)}


def ownership(
    base_label: str,
    uid: str,
    upstream: bool,
    max_hops: int,
    as_of: date | None,
    min_share: float,
    share_type: str = "SHAREHOLDER_OF",
) -> Query:
    """Simple ownership chains from ``uid`` (up to holders, or down to holdings) with the
    product of ratios per chain and the sum per party, computed on the server."""
    left, right = ("<-", "-") if upstream else ("-", "->")
    query = (
        f"MATCH p = (s:{_q(base_label)} {{uid: $uid}})"
        f"{left}[r:{_q(share_type)} WHERE {_valid('r')}]{right}{{1,{int(max_hops)}}}(o) "
        "WITH s, o, p, [n IN nodes(p) | n.uid] AS uids "
        f"WHERE o <> s AND {_SIMPLE} "
        "WITH o, p, uids, [r IN relationships(p) | r.eid] AS eids, "
        "reduce(x = 1.0, r IN relationships(p) | x * coalesce(r.ratio, 0.0)) AS product "
        "WHERE product >= $min_share "
        "WITH o, p, uids, eids, product ORDER BY o.uid, size(eids), uids, eids "
        "WITH o, collect({product: product, nodes: uids, "
        f"edges: [r IN relationships(p) | {_edge('r')}]}}) AS chains "
        "RETURN o.uid AS party, reduce(t = 0.0, c IN chains | t + c.product) AS share, chains"
    )
    return query, {"uid": uid, "as_of": as_of, "min_share": float(min_share)}


def shared_neighbours(
    base_label: str,
    uid: str,
    types: Sequence[str],
    as_of: date | None,
    include_ended: bool,
    hub_threshold: int,
) -> Query:
    """For every node one hop from ``uid``: the other nodes attached to it, counted on the
    server; listed (sorted) only when the count is at most ``hub_threshold``."""
    pred = _started if include_ended else _valid
    rel = _types(types)
    query = (
        f"MATCH (s:{_q(base_label)} {{uid: $uid}})-[r1{rel} WHERE {pred('r1')}]-(x) "
        "WHERE x <> s "
        "WITH s, x, r1 ORDER BY r1.eid "
        "WITH s, x, collect(r1) AS mine "
        "CALL (s, x) { "
        f"MATCH (x)-[r2{rel} WHERE {pred('r2')}]-(o) WHERE o <> s AND o <> x "
        "RETURN count(DISTINCT o) AS total } "
        "CALL (s, x, total) { "
        "WITH s, x WHERE total <= $hub "
        f"MATCH (x)-[r2{rel} WHERE {pred('r2')}]-(o) WHERE o <> s AND o <> x "
        "WITH o, r2 ORDER BY r2.eid "
        f"WITH o, collect({_edge('r2')}) AS rels ORDER BY o.uid "
        "RETURN collect({uid: o.uid, edges: rels}) AS others } "
        "RETURN x.uid AS uid, labels(x) AS labels, properties(x) AS props, "
        f"[r IN mine | {_edge('r')}] AS mine, total, others ORDER BY uid"
    )
    return query, {"uid": uid, "as_of": as_of, "hub": int(hub_threshold)}


def suffix_index_statement(kind: str, prop: str) -> str:
    """A text index serving ``ENDS WITH`` on one property of one kind (idempotent)."""
    name = f"text_{kind}_{prop}".lower()
    if not name.replace("_", "").isalnum():
        raise ValueError(f"illegal index name {name!r}")
    return f"CREATE TEXT INDEX {name} IF NOT EXISTS FOR (n:{_q(kind)}) ON (n.{_q(prop)})"


def with_suffix(kind: str, prop: str, suffix: str, limit: int) -> Query:
    """Uids of ``kind`` nodes whose ``prop`` ends with ``suffix`` (text index), sorted."""
    query = (
        f"MATCH (n:{_q(kind)}) WHERE n.{_q(prop)} ENDS WITH $suffix "
        "RETURN n.uid AS uid ORDER BY uid LIMIT $limit"
    )
    return query, {"suffix": suffix, "limit": int(limit)}


def component_edges(
    base_label: str,
    types: Sequence[str] | None,
    as_of: date | None,
    ratio_types: Sequence[str] = (),
    ratio_above: float | None = None,
) -> Query:
    """Endpoints of every matching relationship (streamed, for connected components)."""
    query = (
        f"MATCH (a:{_q(base_label)})-[r{_types(types)} WHERE {_valid('r')} AND "
        f"{_ratio('r')}]->(b) RETURN a.uid AS a, b.uid AS b"
    )
    params = {"as_of": as_of, "ratio_types": list(ratio_types), "ratio_above": ratio_above}
    return query, params
