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
from datetime import date
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

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
    """Unique ``rid``; indexes on subject and group of the base label.

    Earlier versions also indexed the subject per collection label; no query reads those
    (:func:`find_records` filters on the base label's index, then the collection), and
    every record written paid for a fourth index entry, so they are dropped.
    """
    base = f"`{RECORD_LABEL}`"
    statements = [
        f"CREATE CONSTRAINT record_rid IF NOT EXISTS FOR (r:{base}) REQUIRE r.rid IS UNIQUE",
        f"CREATE INDEX record_subject IF NOT EXISTS FOR (r:{base}) ON (r.subject)",
        f"CREATE INDEX record_group IF NOT EXISTS FOR (r:{base}) ON (r.group)",
    ]
    statements += [
        f"DROP INDEX record_{name.lower()}_subject IF EXISTS" for name in RECORD_COLLECTIONS
    ]
    return statements


def _json(doc: dict[str, Any]) -> str:
    """A record's document as JSON text (UTF-8 as is, keys in the document's order).

    ``pydantic_core.to_json`` writes what ``json.dumps`` writes, up to spacing and key
    order (``from_props`` reads it back with ``json.loads`` into an equal dict), in a
    fraction of the time: filing a batch serialises thousands of documents.

    >>> json.loads(_json({"b": [1.5, None], "a": "中", "n": float("nan")}))
    {'b': [1.5, None], 'a': '中', 'n': nan}
    """
    return to_json(doc).decode()


def _row(record: StoredRecord) -> dict[str, Any]:
    props: dict[str, Any] = dict(record.fields)
    props.update(
        id=record.id,
        collection=record.collection,
        subject=record.subject,
        group=record.group,
        doc=_json(record.doc),
    )
    return {"rid": record.rid, "props": props}


def _key(name: str) -> str:
    """A field name as a backtick-quoted property key (a backtick in it is refused)."""
    if "`" in name:
        raise ValueError(f"illegal field name {name!r}")
    return f"`{name}`"


def _date_column(values: Sequence[Any]) -> str | None:
    """``"date"`` when every value given is a date, ``"dates"`` when every one is a list
    of dates (empty lists allowed, at least one date overall), else None.

    >>> _date_column([date(2026, 1, 1), None]), _date_column([[], [date(2026, 1, 1)]])
    ('date', 'dates')
    >>> _date_column([date(2026, 1, 1), "2026-01-01"]), _date_column([[], []])
    (None, None)
    """
    found: set[str] = set()
    for value in values:
        if value is None:
            continue
        if type(value) is date:  # exactly: a datetime is a date too
            found.add("date")
        elif type(value) is list and all(type(v) is date for v in value):
            found.add("dates" if value else "empty")
        else:
            return None
    if found == {"date"}:
        return "date"
    if found in ({"dates"}, {"dates", "empty"}):
        return "dates"
    return None


def _create(collection: str, records: Sequence[StoredRecord]) -> Query:
    """CREATE the records of one collection with every property key written out.

    Rows are lists in a fixed column order (``rid, id, subject, group, doc`` then the
    fields present in the batch, by name): with the keys static the planner creates each
    node with its properties in one step, where ``SET r = row.props`` on a created node
    needs an Eager barrier and a map copy per row, and lists are cheaper to send than
    maps repeating their keys.  A null (a field a record lacks, no subject) sets nothing,
    exactly as the absent key of the map did.  A column of dates (or of lists of dates)
    travels as ISO text turned back into dates by the server: the driver's per-value
    conversion of Python dates was about half of the packing time.
    """
    names = sorted({name for record in records for name in record.fields})
    fields: list[list[Any]] = [[record.fields.get(name) for name in names] for record in records]
    kinds = [_date_column([row[i] for row in fields]) for i in range(len(names))]
    values = []
    for i, kind in enumerate(kinds):
        if kind == "date":
            for row in fields:
                if row[i] is not None:
                    row[i] = row[i].isoformat()
            values.append(f"date(row[{5 + i}])")
        elif kind == "dates":
            for row in fields:
                if row[i] is not None:
                    row[i] = [d.isoformat() for d in row[i]]
            values.append(f"[d IN row[{5 + i}] | date(d)]")
        else:
            values.append(f"row[{5 + i}]")
    rows = [
        [record.rid, record.id, record.subject, record.group, _json(record.doc), *row]
        for record, row in zip(records, fields, strict=True)
    ]
    rows.sort(key=itemgetter(0))  # stable lock order between writers
    props = ", ".join(
        [
            *(
                f"{_key(c)}: row[{i}]"
                for i, c in enumerate(("rid", "id", "subject", "group", "doc"))
            ),
            *(f"{_key(name)}: {value}" for name, value in zip(names, values, strict=True)),
        ]
    )
    query = (
        f"UNWIND $rows AS row CREATE (r:`{RECORD_LABEL}`:{_label(collection)} "
        f"{{{props}, collection: $collection}})"
    )
    return query, {"rows": rows, "collection": collection}


def put_records(records: Sequence[StoredRecord], *, create: bool = False) -> list[Query]:
    """One statement per collection: MERGE by rid (replacing properties), or CREATE for
    append-only collections (and for all when ``create``) so the uniqueness constraint
    refuses a rewrite; CREATE is also faster than MERGE for records known to be new."""
    groups: dict[str, list[StoredRecord]] = defaultdict(list)
    for record in records:
        groups[record.collection].append(record)
    queries: list[Query] = []
    for collection, members in sorted(groups.items()):
        if create or RECORD_COLLECTIONS[collection]:
            queries.append(_create(collection, members))
            continue
        rows = sorted((_row(r) for r in members), key=itemgetter("rid"))  # lock order
        labels = f"`{RECORD_LABEL}`:{_label(collection)}"
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
