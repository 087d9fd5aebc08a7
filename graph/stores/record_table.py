"""Records kept beside the graph in the embedded store: a dict with three indexes.

:class:`RecordTable` is what :class:`~graph.stores.memory.MemoryStore` keeps its credit
state in (pickled with the graph).  Records are frozen pydantic objects; they are stored as
given and handed back as stored, never copied, so callers must not mutate their ``doc``.

>>> table = RecordTable()
>>> table.put([StoredRecord(collection="Decision", id="d1", subject="Vehicle:x", group="g")])
1
>>> [r.id for r in table.find(["Decision"], subjects=["Vehicle:x"])]
['d1']
>>> table.put([StoredRecord(collection="AuditEvent", id="e1")])
1
>>> table.put([StoredRecord(collection="AuditEvent", id="e1")])
Traceback (most recent call last):
...
graph.exc.ConflictError: AuditEvent is append-only: AuditEvent:e1 exists
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from graph.exc import ConflictError
from graph.stores.base import RECORD_COLLECTIONS, FieldValue, StoredRecord

__all__ = ["RecordTable"]


class RecordTable:
    """Records by ``rid`` with indexes on collection, subject and group."""

    def __init__(self) -> None:
        self.records: dict[str, StoredRecord] = {}
        self._by_collection: dict[str, set[str]] = defaultdict(set)
        self._by_subject: dict[str, set[str]] = defaultdict(set)
        self._by_group: dict[str, set[str]] = defaultdict(set)

    def __getstate__(self) -> dict[str, StoredRecord]:
        return self.records

    def __setstate__(self, records: dict[str, StoredRecord]) -> None:
        self.__init__()  # type: ignore[misc]
        for record in records.values():
            self._index(record)

    def __len__(self) -> int:
        return len(self.records)

    def _index(self, record: StoredRecord) -> None:
        rid = record.rid
        old = self.records.get(rid)
        if old is not None:
            if old.subject is not None:
                self._by_subject[old.subject].discard(rid)
            if old.group is not None:
                self._by_group[old.group].discard(rid)
        self.records[rid] = record
        self._by_collection[record.collection].add(rid)
        if record.subject is not None:
            self._by_subject[record.subject].add(rid)
        if record.group is not None:
            self._by_group[record.group].add(rid)

    def clear(self) -> None:
        """Forget every record."""
        self.__init__()  # type: ignore[misc]

    def put(self, records: Iterable[StoredRecord], *, new: bool = False) -> int:
        """Create or replace; all-or-nothing when an append-only (or, with ``new``, any)
        record already exists."""
        batch = list(records)
        seen: set[str] = set()
        for record in batch:
            if not (new or RECORD_COLLECTIONS[record.collection]):
                continue
            if record.rid in self.records:
                raise ConflictError(f"{record.collection} is append-only: {record.rid} exists")
            if record.rid in seen:
                raise ConflictError(f"{record.collection} is append-only: {record.rid} twice")
            seen.add(record.rid)
        for record in batch:
            self._index(record)
        return len(batch)

    def get(self, collection: str, ids: Sequence[str]) -> list[StoredRecord]:
        """Existing records of ``collection`` with these ids, in order."""
        found = (self.records.get(f"{collection}:{i}") for i in ids)
        return [r for r in found if r is not None]

    def find(
        self,
        collections: Sequence[str],
        *,
        subjects: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        where: dict[str, FieldValue] | None = None,
    ) -> list[StoredRecord]:
        """Records matching every filter given, sorted by (collection, id)."""
        wanted = set(collections)
        candidates: set[str] = set()
        # Start from the most selective index, then check the other filters on each record.
        if subjects is not None:
            for uid in subjects:
                candidates |= self._by_subject.get(uid, set())
        elif groups is not None:
            for group in groups:
                candidates |= self._by_group.get(group, set())
        else:
            for name in wanted:
                candidates |= self._by_collection.get(name, set())
        group_set = None if groups is None else set(groups)
        found = [
            r
            for r in (self.records[rid] for rid in candidates)
            if r.collection in wanted
            and (group_set is None or r.group in group_set)
            and (not where or all(r.fields.get(k) == v for k, v in where.items()))
        ]
        return sorted(found, key=lambda r: (r.collection, r.id))
