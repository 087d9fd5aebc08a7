"""Check receipts (跟踪问效): every check is kept in the store and fetched later by its id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.exc import ConflictError, NotFound
from graph.model import load_model
from graph.stores.base import GraphStore, StoredRecord
from queries.bidding import check_bids
from queries.bidding_receipt import RECEIPTS, find_receipts, get_receipt, record_receipt
from tests.bidding.conftest import FixtureTender

NOW = datetime(2024, 6, 10, 1, 30, tzinfo=UTC)


def test_receipt_holds_who_when_inputs_version_and_hash(
    store: GraphStore, planted: FixtureTender
) -> None:
    result = check_bids(
        store, planted.tender, actor="approval-system", config=planted.config, now=NOW
    )
    receipt = get_receipt(store, result.check_id)
    assert receipt.verified
    assert (receipt.checked_by, receipt.checked_at) == ("approval-system", NOW)
    assert receipt.tender == planted.tender
    assert receipt.data_version == result.data_version
    assert receipt.result_hash == result.result_hash and len(result.result_hash) == 64
    assert receipt.result == result
    version = result.data_version
    assert version.catalog_version == "transport-2026.1"
    assert version.nodes_read > 23 and version.records_read > 0


def test_a_receipt_changed_in_the_store_no_longer_verifies(
    store: GraphStore, planted: FixtureTender
) -> None:
    result = check_bids(store, planted.tender, actor="t", config=planted.config)
    (stored,) = store.get_records(RECEIPTS, [result.check_id])
    doc = dict(stored.doc)
    doc["findings"] = doc["findings"][1:]  # a finding removed after the fact
    doc["check_id"] = "bc-tampered"
    store.put_records([stored.model_copy(update={"id": "bc-tampered", "doc": doc})])
    assert not get_receipt(store, "bc-tampered").verified
    assert get_receipt(store, result.check_id).verified


def test_receipts_are_append_only_and_listed_per_project(
    store: GraphStore, planted: FixtureTender
) -> None:
    first = check_bids(store, planted.tender, actor="a", config=planted.config)
    second = check_bids(store, planted.tender, actor="b", config=planted.config)
    with pytest.raises(ConflictError):
        record_receipt(store, first)
    listed = find_receipts(store, planted.tender.project_code)
    assert sorted(r.check_id for r in listed) == sorted([first.check_id, second.check_id])
    assert {r.checked_by for r in listed} == {"a", "b"}
    assert find_receipts(store, "no-such-project") == []


def test_unrecorded_checks_and_unknown_ids(store: GraphStore, planted: FixtureTender) -> None:
    result = check_bids(store, planted.tender, actor="t", config=planted.config, record=False)
    with pytest.raises(NotFound):
        get_receipt(store, result.check_id)


def test_the_data_version_follows_the_data_read(store: GraphStore, planted: FixtureTender) -> None:
    config = planted.config
    one = check_bids(store, planted.tender, actor="t", config=config, record=False)
    two = check_bids(store, planted.tender, actor="t", config=config, record=False)
    assert one.data_version == two.data_version
    assert one.findings == two.findings and one.bidders == two.bidders
    model = load_model()
    phone = model.make_node("Contact", {"channel": "phone", "value": "13900000099"})
    store.upsert_nodes([phone])
    store.upsert_edges(
        [
            model.make_edge("HAS_CONTACT", planted.case["y"], phone.ref),
            model.make_edge("HAS_CONTACT", planted.case["a"], phone.ref),
        ]
    )
    three = check_bids(store, planted.tender, actor="t", config=config, record=False)
    assert three.data_version.digest != one.data_version.digest
    assert len(three.findings) == len(one.findings) + 1


def test_receipt_records_are_kept_beside_the_graph(
    store: GraphStore, planted: FixtureTender
) -> None:
    before = store.counts()
    result = check_bids(store, planted.tender, actor="t", config=planted.config)
    assert store.counts() == before  # a receipt is a record, never a node of the graph
    record = store.get_records(RECEIPTS, [result.check_id])[0]
    assert isinstance(record, StoredRecord) and record.group == planted.tender.project_code
