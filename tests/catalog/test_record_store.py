"""Contract of the record API (credit state beside the graph) on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from graph.credit import CreditRecordIn, credit_records_of, read_audit, store_credit_records
from graph.exc import ConflictError
from graph.model import NodeRef
from graph.stores.base import GraphStore, StoredRecord


def _rec(collection: str, id: str, **kw: object) -> StoredRecord:
    return StoredRecord.model_validate({"collection": collection, "id": id, **kw})


def test_put_get_find_round_trip(store: GraphStore) -> None:
    a = _rec(
        "MeasureApplication",
        "a1",
        subject="Person:1",
        group="d1",
        fields={"start": date(2026, 5, 1), "days": 3, "open": True, "ratio": 0.5, "tags": ["x"]},
        doc={"nested": {"path": [1, 2]}, "name": "限制投标"},
    )
    b = _rec("MeasureApplication", "a2", subject="Person:2", group="d1", fields={"open": False})
    c = _rec("Decision", "d1", subject="Person:1", fields={"open": True})
    assert store.put_records([a, b, c]) == 3
    assert store.get_records("MeasureApplication", ["a2", "zz", "a1"]) == [b, a]
    assert store.find_records(["MeasureApplication"], subjects=["Person:1"]) == [a]
    assert store.find_records(["MeasureApplication", "Decision"], subjects=["Person:1"]) == [c, a]
    assert store.find_records(["MeasureApplication"], groups=["d1"]) == [a, b]
    assert store.find_records(["MeasureApplication"], groups=["d1"], where={"open": True}) == [a]
    assert store.find_records(["MeasureApplication", "Decision"], where={"open": True}) == [c, a]
    assert store.find_records(["Decision"]) == [c]
    assert store.find_records(["Objection"]) == []
    assert store.find_records(["MeasureApplication"], subjects=[]) == []


def test_replacing_removes_old_fields_and_subject(store: GraphStore) -> None:
    store.put_records([_rec("Decision", "d1", subject="Person:1", fields={"x": 1})])
    new = _rec("Decision", "d1", subject="Person:2", fields={"y": "z"})
    store.put_records([new])
    assert store.get_records("Decision", ["d1"]) == [new]
    assert store.find_records(["Decision"], subjects=["Person:1"]) == []
    assert store.find_records(["Decision"], subjects=["Person:2"]) == [new]


def test_audit_is_append_only(store: GraphStore) -> None:
    event = _rec("AuditEvent", "e1", group="Decision:d1")
    store.put_records([event])
    other = _rec("Decision", "d9")
    with pytest.raises(ConflictError):
        store.put_records([other, event])
    # all-or-nothing: the other record of the refused batch was not written
    assert store.get_records("Decision", ["d9"]) == []
    assert store.get_records("AuditEvent", ["e1"]) == [event]


def test_records_are_not_entities_and_clear_removes_them(store: GraphStore) -> None:
    store.put_records([_rec("Decision", "d1", subject="Person:1")])
    assert store.counts().total_nodes == 0
    store.clear()
    assert store.find_records(["Decision"]) == []


def test_credit_records_stored_with_audit(store: GraphStore) -> None:
    row = CreditRecordIn(
        kind="失信记录",
        subject=NodeRef("Enterprise", "91110000600037341L"),
        behaviour_code="T-OVERLOAD",
        decision_no="吉交执〔2026〕1号",
        authority="吉林省交通运输厅",
        act_date=date(2026, 5, 2),
        decision_date=date(2026, 5, 20),
        evidence="处罚决定书；称重检测单",
        source="records.csv:2",
    )
    assert store_credit_records(store, [row]).written == 1
    assert store_credit_records(store, [row]).unchanged == 1
    changed = row.model_copy(update={"summary": "更正"})
    assert store_credit_records(store, [changed], actor="clerk").written == 1
    assert credit_records_of(store, [row.subject]) == [changed]
    events = read_audit(store, subjects=[row.subject])
    assert [(e.action, e.actor) for e in events] == [
        ("credit_record.create", "ingest"),
        ("credit_record.update", "clerk"),
    ]
    assert events[1].before == events[0].after
    assert events[1].after is not None and events[1].after["summary"] == "更正"
    assert row.evidence == ["处罚决定书", "称重检测单"]


def test_memory_store_file_keeps_records(tmp_path: object) -> None:
    from pathlib import Path

    from graph.model import load_model
    from graph.stores.memory import MemoryStore

    path = Path(str(tmp_path)) / "graph.pickle"
    first = MemoryStore(load_model(), path)
    record = _rec("Decision", "d1", subject="Person:1", fields={"on": date(2026, 1, 2)})
    first.put_records([record])
    first.close()
    again = MemoryStore(load_model(), path)
    assert again.find_records(["Decision"], subjects=["Person:1"]) == [record]


def test_new_records_refuse_existing_ids(store: GraphStore) -> None:
    first = _rec("Decision", "d1", fields={"x": 1})
    store.put_records([first], new=True)
    with pytest.raises(ConflictError):
        store.put_records([_rec("Decision", "d2"), _rec("Decision", "d1")], new=True)
    assert store.get_records("Decision", ["d1", "d2"]) == [first]
    with pytest.raises(ConflictError):
        store.put_records([_rec("Decision", "d3"), _rec("Decision", "d3")], new=True)
    replaced = _rec("Decision", "d1", fields={"x": 2})
    store.put_records([replaced])  # without new: replaced
    assert store.get_records("Decision", ["d1"]) == [replaced]


def test_new_records_keep_every_field_shape(store: GraphStore) -> None:
    """CREATE (``new``) writes the fields of a batch column by column: a field some records
    lack, dates, lists of dates (empty or not), a column mixing a date and text."""
    day, other = date(2026, 5, 1), date(2027, 2, 28)
    records = [
        _rec(
            "MeasureApplication",
            "n1",
            subject="Person:1",
            group="d1",
            fields={"start": day, "paused": [day, other], "none": [], "mixed": day, "n": 1},
            doc={"a": [1, {"b": None}], "名": "限制"},
        ),
        _rec(
            "MeasureApplication",
            "n2",
            group="d1",
            fields={"start": other, "paused": [], "none": [], "mixed": "2026-05-01"},
        ),
        _rec("MeasureApplication", "n3", fields={"tags": ["x", "y"], "ratio": 0.5}),
        _rec("Decision", "d1", subject="Person:1", fields={"on": day, "open": True}),
    ]
    assert store.put_records(records, new=True) == 4
    assert store.get_records("MeasureApplication", ["n1", "n2", "n3"]) == records[:3]
    assert store.get_records("Decision", ["d1"]) == records[3:]
    assert store.find_records(["MeasureApplication"], where={"start": other}) == [records[1]]
    assert store.find_records(["MeasureApplication"], where={"paused": [day, other]}) == [
        records[0]
    ]
