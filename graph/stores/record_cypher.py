"""Cypher for the records Neo4j keeps beside the entity graph (credit state, audit).

Records are nodes labelled :data:`~graph.stores.base.RECORD_LABEL` plus their collection
(``:Record:MeasureApplication``), never the entity base label, so entity queries and
counts never see them.  They join entities by property: ``r.subject = n.uid`` (indexed).
The only text interpolated is a collection name from
:data:`~graph.stores.base.RECORD_COLLECTIONS`, backtick-quoted; values are ``$params``.

>>> query, params = find_records(["Decision"], subjects=["Vehicle:x"], groups=None, where=None)
>>> "r.subject IN $subjects" in query and params["collections"]
['Decision']
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from graph.stores.base import RECORD_COLLECTIONS, RECORD_LABEL, FieldValue, StoredRecord

__all__ = [
    "find_records",
    "from_props",
    "get_records",
    "put_records",
    "schema_statements",
]

Query = tuple[str, dict[str, Any]]
_BOOKKEEPING = ("rid", "id", "collection", "subject", "group", "doc")


def _label(collection: str) -> str:
    if collection not in RECORD_COLLECTIONS:
        raise ValueError(f"unknown record collection {collection!r}")
    return f"`{collection}`"


def schema_statements() -> list[str]:
    """Unique ``rid``; indexes on subject and group (base label and each collection)."""
    base = f"`{RECORD_LABEL}`"
    statements = [
        f"CREATE CONSTRAINT record_rid IF NOT EXISTS FOR (r:{base}) REQUIRE r.rid IS UNIQUE",
        f"CREATE INDEX record_subject IF NOT EXISTS FOR (r:{base}) ON (r.subject)",
        f"CREATE INDEX record_group IF NOT EXISTS FOR (r:{base}) ON (r.group)",
    ]
    statements += [
        f"CREATE INDEX record_{name.lower()}_subject IF NOT EXISTS "
        f"FOR (r:{_label(name)}) ON (r.subject)"
        for name in RECORD_COLLECTIONS
    ]
    return statements


def _row(record: StoredRecord) -> dict[str, Any]:
    props: dict[str, Any] = dict(record.fields)
    props.update(
        id=record.id,
        collection=record.collection,
        subject=record.subject,
        group=record.group,
        doc=json.dumps(record.doc, ensure_ascii=False, sort_keys=True),
    )
    return {"rid": record.rid, "props": props}


def put_records(records: Sequence[StoredRecord], *, create: bool = False) -> list[Query]:
    """One statement per collection: MERGE by rid (replacing properties), or CREATE for
    append-only collections (and for all when ``create``) so the uniqueness constraint
    refuses a rewrite; CREATE is also faster than MERGE for records known to be new."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[record.collection].append(_row(record))
    queries: list[Query] = []
    for collection, rows in sorted(groups.items()):
        rows.sort(key=lambda r: r["rid"])  # stable lock order between writers
        labels = f"`{RECORD_LABEL}`:{_label(collection)}"
        if create or RECORD_COLLECTIONS[collection]:
            query = (
                "UNWIND $rows AS row CREATE (r:" + labels + ") SET r = row.props, r.rid = row.rid"
            )
        else:
            query = (
                f"UNWIND $rows AS row MERGE (r:{labels} {{rid: row.rid}}) "
                "SET r = row.props, r.rid = row.rid"
            )
        queries.append((query, {"rows": rows}))
    return queries


def get_records(collection: str, ids: Sequence[str]) -> Query:
    """Records by rid."""
    query = (
        f"UNWIND $rids AS rid MATCH (r:`{RECORD_LABEL}` {{rid: rid}}) RETURN properties(r) AS props"
    )
    _label(collection)
    return query, {"rids": [f"{collection}:{i}" for i in ids]}


def find_records(
    collections: Sequence[str],
    *,
    subjects: Sequence[str] | None,
    groups: Sequence[str] | None,
    where: dict[str, FieldValue] | None,
) -> Query:
    """Filter by the most selective index available: subject, then group, then label."""
    names = sorted({c for c in collections if _label(c)})
    conditions = ["r.collection IN $collections"]
    if subjects is not None:
        match = f"MATCH (r:`{RECORD_LABEL}`) WHERE r.subject IN $subjects"
        if groups is not None:
            conditions.append("r.group IN $groups")
    elif groups is not None:
        match = f"MATCH (r:`{RECORD_LABEL}`) WHERE r.group IN $groups"
    elif len(names) == 1:
        match = f"MATCH (r:{_label(names[0])}) WHERE true"
    else:
        union = " UNION ALL ".join(f"MATCH (r:{_label(n)}) RETURN r" for n in names)
        match = f"CALL () {{ {union} }} WITH r WHERE true" if names else "MATCH (r) WHERE false"
    if where:
        conditions.append("all(k IN keys($where) WHERE r[k] = $where[k])")
    query = f"{match} AND {' AND '.join(conditions)} RETURN properties(r) AS props"
    params = {
        "collections": names,
        "subjects": list(subjects) if subjects is not None else None,
        "groups": list(groups) if groups is not None else None,
        "where": dict(where or {}),
    }
    return query, params


def _native(value: Any) -> Any:
    if isinstance(value, list):
        return [_native(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def from_props(props: dict[str, Any]) -> StoredRecord:
    """A record back from a node's properties."""
    fields = {k: _native(v) for k, v in props.items() if k not in _BOOKKEEPING}
    return StoredRecord(
        collection=props["collection"],
        id=props["id"],
        subject=props.get("subject"),
        group=props.get("group"),
        fields=fields,
        doc=json.loads(props.get("doc") or "{}"),
    )
