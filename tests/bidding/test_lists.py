"""Bid lists: CSV (UTF-8 or GBK) and XLSX files, canonical and Chinese headers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.example import load_story
from graph.exc import SchemaViolation
from graph.stores.base import GraphStore
from ingest.sources import parse_csv, text_lines
from queries.bidding import check_bids
from queries.bidding_lists import load_bid_list, load_list_mappings, parse_bid_list

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "bidding_lists"


def test_chinese_headers_are_read_and_normalised() -> None:
    tender = load_bid_list(LISTS / "投标人名单.csv")
    assert (tender.project_code, tender.lot, tender.bid_date) == (
        "JL-2024-001",
        "1",
        date(2024, 5, 28),
    )
    assert tender.tenderer is not None and tender.tenderer.name == "吉林省交通运输厅"
    first, second, third = tender.bidders
    assert first.phone == "13800138000" and first.deposit_account == "622202000001"
    assert first.fingerprints.mac == second.fingerprints.mac == ["00-1A-2B-3C-4D-5E"]
    assert first.fingerprints.ip == ["10.1.1.8"] and third.project_manager_id is None
    assert third.fingerprints.mac == [] and third.deposit_bank is None


def test_gbk_files_read_the_same(tmp_path: Path) -> None:
    text = (LISTS / "投标人名单.csv").read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    assert load_bid_list(gbk) == load_bid_list(LISTS / "投标人名单.csv")


def test_xlsx_with_typed_dates(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["项目编号", "标段", "开标日期", "投标人", "投标人统一社会信用代码", "保证金转出账号"]
    )
    sheet.append(["JL-X", "3", datetime(2024, 9, 1), "甲运输", "91110000600037341L", "1"])
    sheet.append(["JL-X", "3", datetime(2024, 9, 1), "乙物流", "91310115MA1K3BTP2B", "1"])
    path = tmp_path / "开标记录.xlsx"
    book.save(path)
    tender = load_bid_list(path)
    assert tender.bid_date == date(2024, 9, 1) and [b.deposit_account for b in tender.bidders] == [
        "1",
        "1",
    ]


def test_canonical_list_with_two_lots(tmp_path: Path) -> None:
    path = LISTS / "bid-list.csv"
    with pytest.raises(SchemaViolation, match="several tenders"):
        load_bid_list(path)
    lot_a = load_bid_list(path, lot="A")
    assert [b.name for b in lot_a.bidders] == ["甲运输有限公司", "乙物流有限公司"]
    assert load_bid_list(path, lot="B").bidders[0].project_manager_id is None
    with pytest.raises(SchemaViolation, match="no bids for lot 'C'"):
        load_bid_list(path, lot="C")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("JL-1,1,2024-05-28,甲,91110000600037341X", r"bid 1\.uscc"),
        ("JL-1,1,2024-02-30,甲,91110000600037341L", "row 2 column bid_date"),
    ],
)
def test_bad_rows_name_where_they_are(line: str, message: str) -> None:
    text = "项目编号,标段,开标日期,投标人,投标人统一社会信用代码\n" + line + "\n"
    with pytest.raises(SchemaViolation, match=message):
        parse_bid_list(parse_csv(text_lines(text)), source="x.csv")


def test_unknown_headers_and_mappings() -> None:
    rows = list(parse_csv(text_lines("a,b\n1,2\n")))
    with pytest.raises(SchemaViolation, match="no bid-list mapping fits"):
        parse_bid_list(rows)
    with pytest.raises(SchemaViolation, match="unknown bid-list mapping"):
        parse_bid_list(rows, mapping="nope")
    assert set(load_list_mappings()) == {"canonical", "cn-bid-list"}


def test_a_list_checks_like_the_same_tender_given_as_json(store: GraphStore) -> None:
    load_story(store)
    tender = load_bid_list(LISTS / "投标人名单.csv")
    result = check_bids(store, tender, actor="t", record=False)
    rules = sorted(f.rule for f in result.findings)
    assert "same_deposit_account" in rules and "same_fingerprint" in rules
    again = check_bids(
        store, type(tender).model_validate_json(tender.model_dump_json()), actor="t", record=False
    )
    assert again.findings == result.findings
