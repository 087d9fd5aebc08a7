"""Cypher for :class:`~graph.stores.neo4j.Neo4jStore`, kept beside the store as builders.

Every builder returns ``(query, params)``.  Values are always ``$parameters``; the only
text interpolated is a label or relationship type that the caller has checked against the
vocabulary's allow-list, and it is backtick-quoted here (``_q``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, Literal

from graph.model import Direction

__all__ = [
    "constraint_statements",
    "count_edges",
    "count_nodes",
    "create_edges",
    "create_nodes",
    "expand_frontier",
    "get_nodes",
    "neighbours",
    "shortest_paths",
    "subgraph_edges",
    "upsert_edges",
    "upsert_nodes",
]

Query = tuple[str, dict[str, Any]]

# Relationship validity [valid_from, valid_to); a null $as_of disables the filter.
_VALID = (
    "($as_of IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= $as_of)"
    " AND (r.valid_to IS NULL OR r.valid_to > $as_of)))"
)
#: Relationship properties kept in :class:`~graph.model.Edge` fields, not in ``props``.
EDGE_BOOKKEEPING = ("eid", "valid_from", "valid_to", "source")
EDGE_RETURN = (
    "type(r) AS type, startNode(r).uid AS src, endNode(r).uid AS dst, properties(r) AS props"
)


def _q(name: str) -> str:
    """Backtick-quote an allow-listed label or type (a backtick in it would be a bug upstream)."""
    if "`" in name:
        raise ValueError(f"illegal name {name!r}")
    return f"`{name}`"


def _type_filter(types: Sequence[str] | None) -> str:
    return "" if types is None else ":" + "|".join(_q(t) for t in types)


def _arrows(direction: Direction) -> tuple[str, str]:
    return {Direction.OUT: ("-", "->"), Direction.IN: ("<-", "-"), Direction.BOTH: ("-", "-")}[
        direction
    ]


def constraint_statements(
    base_label: str, node_kinds: Sequence[str], edge_types: Sequence[str]
) -> list[str]:
    """Idempotent schema statements: unique uid on every node, unique key per kind, unique eid."""
    statements = [
        f"CREATE CONSTRAINT node_uid IF NOT EXISTS FOR (n:{_q(base_label)}) REQUIRE n.uid IS UNIQUE"
    ]
    statements += [
        f"CREATE CONSTRAINT {kind.lower()}_key IF NOT EXISTS "
        f"FOR (n:{_q(kind)}) REQUIRE n.key IS UNIQUE"
        for kind in node_kinds
    ]
    statements += [
        f"CREATE CONSTRAINT rel_{etype.lower()}_eid IF NOT EXISTS "
        f"FOR ()-[r:{_q(etype)}]-() REQUIRE r.eid IS UNIQUE"
        for etype in edge_types
    ]
    return statements


def _row_values(names: Sequence[str], dated: Collection[str], start: int) -> list[tuple[str, str]]:
    """``(quoted name, expression)`` of each of ``names``, read from ``row[start]`` on.  A
    date travels as ISO text (the driver packs a ``date`` with a Python call per value) and
    the server turns it back into a date.

    >>> _row_values(["born", "name"], {"born"}, 2)
    [('`born`', 'date(row[2])'), ('`name`', 'row[3]')]
    """
    return [
        (_q(name), f"date(row[{i}])" if name in dated else f"row[{i}]")
        for i, name in enumerate(names, start=start)
    ]


def upsert_nodes(
    base_label: str,
    kind: str,
    labels: Sequence[str],
    properties: Sequence[str],
    dated: Collection[str],
    rows: list[list[Any]],
) -> Query:
    """MERGE nodes of one kind by uid; rows are lists ``[uid, key, *values]`` with one value
    per name in ``properties`` (in that order; those in ``dated`` as ISO text).

    Each declared property is set by name (a missing value keeps the stored one): with the
    keys static, the planner needs no Eager barrier, which a dynamic ``+= map`` forces.
    Rows as lists rather than maps spare the driver and the server a key string per value.

    >>> query, params = upsert_nodes("Node", "Enterprise", [], ["name"], (), [["u", "k", "甲"]])
    >>> query.split(" SET ")[1]
    'n:`Enterprise`, n.key = row[1], n.`name` = coalesce(row[2], n.`name`)'
    """
    extra = "".join(f", n:{_q(label)}" for label in labels)
    sets = "".join(
        f", n.{p} = coalesce({value}, n.{p})" for p, value in _row_values(properties, dated, 2)
    )
    query = (
        "UNWIND $rows AS row "
        f"MERGE (n:{_q(base_label)} {{uid: row[0]}}) "
        f"SET n:{_q(kind)}{extra}, n.key = row[1]{sets}"
    )
    return query, {"rows": rows}


def upsert_edges(
    base_label: str,
    edge_type: str,
    source_label: str | None,
    properties: Sequence[str],
    dated: Collection[str],
    rows: list[list[Any]],
) -> Query:
    """MERGE relationships of one type by eid between existing nodes; returns the count.

    Rows are lists ``[src uid, dst uid, eid, valid_from, valid_to, source, *values]`` with
    one value per name in ``properties``; validity dates and the ``dated`` properties go as
    ISO text.  Every declared property and the validity/source keys are set by name (null
    removes), so ``eid`` is never rewritten and no Eager barrier is planned.

    >>> query, _ = upsert_edges("Node", "OWNS", None, ["ratio"], (), [])
    >>> query.split(" SET ")[1].split(", r.`source`")[0]
    'r.`valid_from` = date(row[3]), r.`valid_to` = date(row[4])'
    """
    return _write_edges("MERGE", base_label, edge_type, source_label, properties, dated, rows)


def create_nodes(
    base_label: str,
    kind: str,
    labels: Sequence[str],
    properties: Sequence[str],
    dated: Collection[str],
    rows: list[list[Any]],
) -> Query:
    """CREATE nodes of one kind that are known to be absent; rows as for :func:`upsert_nodes`.

    The same labels and properties as :func:`upsert_nodes` gives a new node, without the
    locking index seek of ``MERGE``; a node that exists after all fails the uid constraint
    and the caller merges instead.

    >>> query, _ = create_nodes("Node", "Person", [], ["born"], {"born"}, [])
    >>> query.split(" SET ")[1]
    'n.key = row[1], n.`born` = date(row[2])'
    """
    extra = "".join(f":{_q(label)}" for label in labels)
    sets = "".join(f", n.{p} = {value}" for p, value in _row_values(properties, dated, 2))
    query = (
        "UNWIND $rows AS row "
        f"CREATE (n:{_q(base_label)}:{_q(kind)}{extra} {{uid: row[0]}}) "
        f"SET n.key = row[1]{sets}"
    )
    return query, {"rows": rows}


def create_edges(
    base_label: str,
    edge_type: str,
    source_label: str | None,
    properties: Sequence[str],
    dated: Collection[str],
    rows: list[list[Any]],
) -> Query:
    """CREATE relationships of one type that are believed new (rows as for
    :func:`upsert_edges`, the same properties and label set); one that exists already fails
    the eid constraint, the transaction rolls back and the caller merges instead.

    >>> create_edges("Node", "OWNS", None, [], (), [])[0].split(" CREATE ")[1].split(" SET ")[0]
    '(a)-[r:`OWNS` {eid: row[2]}]->(b)'
    """
    return _write_edges("CREATE", base_label, edge_type, source_label, properties, dated, rows)


# The validity and source keys every relationship row carries after its eid, in the order
# graph.stores.neo4j.edge_row writes them; the first two are dates.
_EDGE_ROW_KEYS = ("valid_from", "valid_to", "source")
_EDGE_ROW_DATED = frozenset({"valid_from", "valid_to"})


def _write_edges(
    verb: Literal["MERGE", "CREATE"],
    base_label: str,
    edge_type: str,
    source_label: str | None,
    properties: Sequence[str],
    dated: Collection[str],
    rows: list[list[Any]],
) -> Query:
    label = f", a:{_q(source_label)}" if source_label else ""
    values = _row_values((*_EDGE_ROW_KEYS, *properties), {*_EDGE_ROW_DATED, *dated}, 3)
    sets = ", ".join(f"r.{k} = {value}" for k, value in values)
    query = (
        "UNWIND $rows AS row "
        f"MATCH (a:{_q(base_label)} {{uid: row[0]}}) "
        f"MATCH (b:{_q(base_label)} {{uid: row[1]}}) "
        f"{verb} (a)-[r:{_q(edge_type)} {{eid: row[2]}}]->(b) "
        f"SET {sets}{label} "
        "RETURN count(r) AS written"
    )
    return query, {"rows": rows}


def get_nodes(base_label: str, uids: list[str]) -> Query:
    """Nodes by uid, with labels and properties."""
    query = (
        f"UNWIND $uids AS uid MATCH (n:{_q(base_label)} {{uid: uid}}) "
        "RETURN n.uid AS uid, labels(n) AS labels, properties(n) AS props"
    )
    return query, {"uids": uids}


def expand_frontier(
    base_label: str,
    uids: list[str],
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
) -> Query:
    """Relationships touching the frontier, de-duplicated on the server, as ONE record
    ``edges``: a list of ``[type, src uid, dst uid, valid_from, valid_to, source,
    [[key, value], ...]]`` (the validity dates as ISO text, the other properties as
    pairs).  One record instead of one per relationship: the driver decodes a single
    message, not thousands (the propagation of a batch of decisions expands thousands of
    holders at once); and the dates every relationship carries travel as text, which
    Python reads back far faster than the driver builds its own date objects."""
    left, right = _arrows(direction)
    query = (
        f"UNWIND $uids AS uid MATCH (n:{_q(base_label)} {{uid: uid}})"
        f"{left}[r{_type_filter(types)}]{right}() WHERE {_VALID} "
        "WITH DISTINCT r "
        "RETURN collect([type(r), startNode(r).uid, endNode(r).uid, toString(r.valid_from), "
        "toString(r.valid_to), r.source, "
        "[k IN keys(r) WHERE NOT k IN $bookkeeping | [k, r[k]]]]) AS edges"
    )
    return query, {"uids": uids, "as_of": as_of, "bookkeeping": list(EDGE_BOOKKEEPING)}


def neighbours(
    base_label: str,
    uids: list[str],
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
) -> Query:
    """One BFS level in one round trip: which frontier uids exist, and their neighbours' uids."""
    left, right = _arrows(direction)
    query = (
        f"UNWIND $uids AS uid MATCH (n:{_q(base_label)} {{uid: uid}}) "
        f"OPTIONAL MATCH (n){left}[r{_type_filter(types)}]{right}(m) WHERE {_VALID} "
        "RETURN collect(DISTINCT n.uid) AS found, collect(DISTINCT m.uid) AS next"
    )
    return query, {"uids": uids, "as_of": as_of}


def subgraph_edges(
    base_label: str, uids: list[str], types: Sequence[str] | None, as_of: date | None
) -> Query:
    """Relationships whose both ends are in ``uids``."""
    query = (
        f"MATCH (a:{_q(base_label)})-[r{_type_filter(types)}]->(b:{_q(base_label)}) "
        f"WHERE a.uid IN $uids AND b.uid IN $uids AND {_VALID} "
        f"RETURN {EDGE_RETURN}"
    )
    return query, {"uids": uids, "as_of": as_of}


def shortest_paths(
    base_label: str,
    a: str,
    b: str,
    max_hops: int,
    types: Sequence[str] | None,
    direction: Direction,
    as_of: date | None,
) -> Query:
    """ALL SHORTEST paths with the type and date predicates inside the pattern."""
    left, right = _arrows(direction)
    hops = int(max_hops)
    query = (
        f"MATCH p = ALL SHORTEST (a:{_q(base_label)} {{uid: $a}})"
        f"((){left}[r{_type_filter(types)} WHERE {_VALID}]{right}()){{1,{hops}}}"
        f"(b:{_q(base_label)} {{uid: $b}}) "
        "RETURN [n IN nodes(p) | n.uid] AS nodes, "
        "[r IN relationships(p) | {type: type(r), src: startNode(r).uid, "
        "dst: endNode(r).uid, props: properties(r)}] AS edges"
    )
    return query, {"a": a, "b": b, "as_of": as_of}


def count_nodes(label: str) -> Query:
    """Count of one label (answered from the count store)."""
    return f"MATCH (n:{_q(label)}) RETURN count(n) AS n", {}


def count_edges(edge_type: str) -> Query:
    """Count of one relationship type (answered from the count store)."""
    return f"MATCH ()-[r:{_q(edge_type)}]->() RETURN count(r) AS n", {}


def all_nodes(base_label: str) -> Query:
    """Every entity node with labels and properties (streamed by the caller)."""
    query = (
        f"MATCH (n:{_q(base_label)}) "
        "RETURN n.uid AS uid, labels(n) AS labels, properties(n) AS props"
    )
    return query, {}


def all_edges(base_label: str) -> Query:
    """Every relationship between entity nodes (streamed by the caller)."""
    query = f"MATCH (:{_q(base_label)})-[r]->(:{_q(base_label)}) RETURN {EDGE_RETURN}"
    return query, {}
