"""Sources: each format, each encoding, parsing kept apart from files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.sources import (
    CsvSource,
    JsonlSource,
    XlsxSource,
    detect_encoding,
    open_source,
    parse_csv,
    parse_jsonl,
    parse_table,
    text_lines,
)

HEADER = "统一社会信用代码,企业名称,法定代表人"
LINES = [
    HEADER,
    "91220101MA00000114,长春甲运输有限公司,王军",
    "91220101MA00000228,长春乙物流有限公司,李娜",
]
# 䶮 (U+4DAE) is in GB18030 but not in GBK: a file with it is GB18030, not GBK.
RARE = "91220101MA0000033C,吉林䶮建设工程有限公司,䶮"


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gbk")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = _write(tmp_path / "企业.csv", "\r\n".join(LINES) + "\r\n", encoding)
    source = CsvSource(path)
    assert source.encoding == detected
    rows = list(source.rows())
    assert [r.values["企业名称"] for r in rows] == ["长春甲运输有限公司", "长春乙物流有限公司"]
    assert list(rows[0].values) == ["统一社会信用代码", "企业名称", "法定代表人"]  # BOM gone
    assert [r.number for r in rows] == [2, 3]


def test_gb18030_only_characters(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "\n".join([*LINES, RARE]) + "\n", "gb18030")
    source = CsvSource(path)
    assert source.encoding == "gb18030"
    assert list(source.rows())[-1].values["法定代表人"] == "䶮"


def test_explicit_encoding_wins(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "\n".join(LINES) + "\n", "gbk")
    assert [r.values["法定代表人"] for r in CsvSource(path, "gbk").rows()] == ["王军", "李娜"]
    other = _write(tmp_path / "y.csv", "uscc,name\n1,长春\n", "gbk")
    garbled = list(CsvSource(other, "utf-8").rows())
    assert "\ufffd" in garbled[0].values["name"]  # the normaliser rejects such rows


def test_detect_encoding_on_truncated_multibyte() -> None:
    head = "企业名称".encode()[:-1]  # a sniff window may cut a character
    assert detect_encoding(head) == "utf-8"


def test_parse_csv_tab_separated_quoted_newline_and_blank_lines() -> None:
    rows = list(parse_csv(text_lines('a\tb\n1\t"two\nlines"\n\n3\t4\n')))
    assert [r.values for r in rows] == [{"a": "1", "b": "two\nlines"}, {"a": "3", "b": "4"}]
    assert [r.number for r in rows] == [2, 5]


def test_parse_csv_ragged_row_is_reported() -> None:
    rows = list(parse_csv(["a,b", "1,2,3", "4"]))
    assert [r.problem for r in rows] == ["3 cells where the header has 2"] * 1 + [
        "1 cells where the header has 2"
    ]


def test_parse_jsonl() -> None:
    rows = list(parse_jsonl(['{"uscc": "x", "ratio": 0.5}', "", "not json", "[1, 2]"]))
    assert rows[0].values == {"uscc": "x", "ratio": 0.5} and rows[0].problem is None
    assert [r.number for r in rows] == [1, 3, 4]
    assert rows[1].problem and rows[1].problem.startswith("not JSON")
    assert rows[2].problem == "not a JSON object"


def test_jsonl_source(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"uscc": "91220101MA00000114", "name": "甲"}\n', encoding="utf-8")
    [row] = JsonlSource(path).rows()
    assert row.values["name"] == "甲"


def _workbook(path: Path) -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "企业"
    first.append(["企业登记信息导出"])  # a title row above the header is common
    first.delete_rows(1)
    first.append([None, None])
    first.append(["统一社会信用代码", "企业名称", "成立日期"])
    first.append(["91220101MA00000114", "长春甲运输有限公司", datetime(2015, 4, 1)])
    first.append([None, None, None])
    first.append(["91220101MA00000228", "长春乙物流有限公司", 42005])
    second = book.create_sheet("车辆")
    second.append(["车牌号码", "车牌颜色"])
    second.append(["吉A12345", "黄色"])
    book.save(path)
    return path


def test_xlsx_every_sheet(tmp_path: Path) -> None:
    rows = list(XlsxSource(_workbook(tmp_path / "导出.xlsx")).rows())
    assert [(r.sheet, r.number) for r in rows] == [("企业", 3), ("企业", 5), ("车辆", 2)]
    assert rows[0].values["成立日期"] == date(2015, 4, 1)  # a date cell stays a date
    assert rows[1].values["成立日期"] == 42005  # a serial number stays a number


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "导出.xlsx")
    rows = list(XlsxSource(path, sheet="车辆").rows())
    assert [r.values for r in rows] == [{"车牌号码": "吉A12345", "车牌颜色": "黄色"}]
    with pytest.raises(KeyError, match="no sheet"):
        list(XlsxSource(path, sheet="无此表").rows())


def test_parse_table_skips_leading_blank_rows() -> None:
    rows = list(parse_table([(None,), ("a", "b"), (1, None)], sheet="s"))
    assert rows[0].number == 3 and rows[0].values == {"a": 1, "b": None}


def test_open_source_by_suffix(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "a.CSV", "a\n1\n", "utf-8")
    assert isinstance(open_source(csv_path), CsvSource)
    assert isinstance(open_source(tmp_path / "a.ndjson"), JsonlSource)
    assert isinstance(open_source(tmp_path / "a.xlsx", sheet="x"), XlsxSource)
    with pytest.raises(ValueError, match="unknown file type"):
        open_source(tmp_path / "a.pdf")
