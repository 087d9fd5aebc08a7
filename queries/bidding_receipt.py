"""Check receipts (跟踪问效): every bidding check is kept in the store, fetchable by its id.

A receipt is the whole answer — who asked, when, the tender as given, the data version and
every finding — stored in the append-only ``BidCheck`` record collection (a receipt is
never rewritten), with the SHA-256 of the answer.  Fetching it recomputes the hash, so a
receipt altered in the store shows ``verified: false``.  It proves that the credit check
was made before the decision (财库〔2016〕125号: the query and its evidence are kept).

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> get_receipt(store, "bc-0")
Traceback (most recent call last):
...
graph.exc.NotFound: no bidding check receipt 'bc-0'
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import NotFound
from graph.stores.base import GraphStore, StoredRecord
from queries.bidding_input import TenderIn
from queries.bidding_models import BidCheckResult, DataVersion

__all__ = [
    "RECEIPTS",
    "BidCheckReceipt",
    "ReceiptSummary",
    "find_receipts",
    "get_receipt",
    "record_receipt",
    "result_hash",
]

RECEIPTS = "BidCheck"


def result_hash(result: BidCheckResult) -> str:
    """SHA-256 of the canonical JSON of a result, without its ``result_hash`` field."""
    document = result.model_dump(mode="json", exclude={"result_hash"})
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class ReceiptSummary(BaseModel):
    """What a list of receipts shows of each."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    checked_at: datetime
    checked_by: str
    project_code: str
    lot: str | None
    bid_date: date
    verdicts: dict[str, int]
    result_hash: str


class BidCheckReceipt(BaseModel):
    """A stored check: who, when, what was asked, on which data, what came out, and whether
    the stored answer still matches its hash."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "check_id": "bc-3f2a9c0e5b7d4e1f",
                    "checked_at": "2024-05-28T01:30:00Z",
                    "checked_by": "approval-system",
                    "as_of": "2024-05-28",
                    "result_hash": "9c1e…",
                    "verified": True,
                }
            ]
        },
    )

    check_id: str
    checked_at: datetime
    checked_by: str = Field(description="the API key id or the operating-system user")
    tender: TenderIn = Field(description="the input, as given")
    as_of: date
    data_version: DataVersion
    result_hash: str
    verified: bool = Field(description="the stored answer still hashes to result_hash")
    result: BidCheckResult


def record_receipt(store: GraphStore, result: BidCheckResult) -> None:
    """Append the receipt of a finished check (append-only: an id is never reused)."""
    tender = result.tender
    store.put_records(
        [
            StoredRecord(
                collection=RECEIPTS,
                id=result.check_id,
                group=tender.project_code,
                fields={
                    "checked_at": result.checked_at.isoformat(),
                    "checked_by": result.checked_by,
                    "lot": tender.lot,
                    "bid_date": tender.bid_date,
                    "result_hash": result.result_hash,
                    "bidders": [b.uscc for b in tender.bidders],
                },
                doc=result.model_dump(mode="json"),
            )
        ]
    )


def get_receipt(store: GraphStore, check_id: str) -> BidCheckReceipt:
    """The receipt of a check by its id; :class:`~graph.exc.NotFound` when there is none."""
    found = store.get_records(RECEIPTS, [check_id])
    if not found:
        raise NotFound(f"no bidding check receipt {check_id!r}")
    result = BidCheckResult.model_validate(found[0].doc)
    return BidCheckReceipt(
        check_id=result.check_id,
        checked_at=result.checked_at,
        checked_by=result.checked_by,
        tender=result.tender,
        as_of=result.as_of,
        data_version=result.data_version,
        result_hash=result.result_hash,
        verified=result_hash(result) == result.result_hash,
        result=result,
    )


def find_receipts(store: GraphStore, project_code: str) -> list[ReceiptSummary]:
    """Receipts of every check of a project, oldest first."""
    found = store.find_records([RECEIPTS], groups=[project_code])
    summaries = []
    for record in found:
        result = BidCheckResult.model_validate(record.doc)
        summaries.append(
            ReceiptSummary(
                check_id=result.check_id,
                checked_at=result.checked_at,
                checked_by=result.checked_by,
                project_code=result.tender.project_code,
                lot=result.tender.lot,
                bid_date=result.tender.bid_date,
                verdicts=dict(result.verdicts),
                result_hash=result.result_hash,
            )
        )
    return sorted(summaries, key=lambda s: (s.checked_at, s.check_id))
