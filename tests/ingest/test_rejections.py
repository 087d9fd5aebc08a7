"""Every quarantine reason, with the file, row, field and value it names; nothing lost."""

from __future__ import annotations

import csv

import pytest

from graph.model import GraphModel, load_model
from graph.stores.memory import MemoryStore
from ingest.normalise import Reason
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.report import Summary

WANG = "110101198001010010"
JIA = "91220101MA00000114"

# (relative file, content, row number of the bad row, field, reason)
CASES: list[tuple[str, str, int, str, Reason]] = [
    (
        "nodes/enterprise.csv",
        f"uscc,name,established\n{JIA},甲,2015-04-01\n91220101MA00000228,乙,2016-01-01,extra\n"
        f",无代码,2016-01-01\n91220101MA00000115,坏校验,2016-01-01\n"
        f"91220101MA0000033C,坏日期,2019-13-45\n",
        3,
        "",
        Reason.MALFORMED,
    ),
    ("nodes/enterprise.csv", "", 4, "uscc", Reason.MISSING_KEY),
    ("nodes/enterprise.csv", "", 5, "uscc", Reason.INVALID_IDENTIFIER),
    ("nodes/enterprise.csv", "", 6, "established", Reason.INVALID_DATE),
    (
        "nodes/contact.csv",
        "channel,value\nphone,13800138000\nphone,12345\nfax,0431-88886666\n",
        3,
        "value",
        Reason.INVALID_PHONE,
    ),
    ("nodes/contact.csv", "", 4, "channel", Reason.INVALID_VALUE),
    (
        "relationships/legal_rep_of.csv",
        "src_kind,src_key,dst_kind,dst_key,valid_from,valid_to,source\n"
        f"Person,{WANG},Enterprise,{JIA},2015-04-01,,\n"
        f"Person,{WANG},Enterprise,{JIA},2020-01-01,2019-01-01,\n"
        f"Person,110101197505050038,Enterprise,{JIA},2016-01-01,,\n",
        3,
        "",
        Reason.DATE_ORDER,
    ),
    ("relationships/legal_rep_of.csv", "", 4, "Person", Reason.UNKNOWN_ENDPOINT),
    (
        "relationships/shareholder_of.csv",
        "src_kind,src_key,dst_kind,dst_key,valid_from,valid_to,source,ratio\n"
        f"Person,{WANG},Enterprise,{JIA},2015-04-01,,,0.6\n"
        f"Person,{WANG},Enterprise,{JIA},2016-04-01,,,六成\n"
        f"Vehicle,吉A12345|2,Enterprise,{JIA},2016-04-01,,,0.1\n",
        3,
        "ratio",
        Reason.INVALID_NUMBER,
    ),
    ("relationships/shareholder_of.csv", "", 4, "", Reason.UNKNOWN_KIND),
    (
        "credit/records.csv",
        "kind,subject_kind,subject_key,behaviour_code,decision_no,authority,act_date,"
        "decision_date\n"
        f"dishonesty,Enterprise,{JIA},T-OVERLOAD,D1,交通运输厅,2024-05-02,2024-05-20\n"
        f"dishonesty,Enterprise,{JIA},T-OVERLOAD,D2,交通运输厅,2024-06-30,2024-06-01\n",
        3,
        "",
        Reason.INVALID_RECORD,
    ),
]
PERSONS = f"id_no,name\n{WANG},王军\n"
Result = tuple[Summary, list[dict[str, str]]]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Summary, list[dict[str, str]]]:
    root = tmp_path_factory.mktemp("rejects")
    data = root / "data"
    for relative, content, *_ in CASES:
        if content:
            (data / relative).parent.mkdir(parents=True, exist_ok=True)
            (data / relative).write_text(content, encoding="utf-8")
    (data / "nodes/person.csv").write_text(PERSONS, encoding="utf-8")
    # a GBK file read as UTF-8 (as if --encoding were wrong): undecodable text
    (root / "gbk").mkdir()
    (root / "gbk/vehicle.csv").write_bytes(
        "plate,plate_color,vehicle_type\n吉A12345,2,重型\n".encode("gbk")
    )
    store = MemoryStore(load_model())
    summary = ingest_paths([data], store, IngestOptions(out_dir=root / "out"))
    enc = ingest_paths(
        [root / "gbk/vehicle.csv"],
        store,
        IngestOptions(out_dir=root / "out2", encoding="utf-8", mapping="canonical:nodes/vehicle"),
    )
    summary.files.extend(enc.files)
    with (root / "out/quarantine.csv").open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    with (root / "out2/quarantine.csv").open(encoding="utf-8-sig") as fh:
        lines += [{**line, "file": "gbk/" + line["file"]} for line in csv.DictReader(fh)]
    return summary, lines


@pytest.mark.parametrize(("relative", "row", "field", "reason"), [c[0:1] + c[2:] for c in CASES])
def test_reason_names_file_row_and_field(
    result: tuple[Summary, list[dict[str, str]]],
    relative: str,
    row: int,
    field: str,
    reason: Reason,
) -> None:
    _, lines = result
    found = [line for line in lines if line["file"] == relative and line["row"] == str(row)]
    assert found, f"no quarantine line for {relative}:{row}"
    assert found[0]["reason"] == reason.value
    assert found[0]["field"] == field


def test_encoding_reason(result: tuple[Summary, list[dict[str, str]]]) -> None:
    _, lines = result
    [line] = [line for line in lines if line["file"].startswith("gbk/")]
    assert line["reason"] == Reason.ENCODING.value and line["row"] == "2"


def test_every_reason_is_exercised(result: tuple[Summary, list[dict[str, str]]]) -> None:
    _, lines = result
    assert {line["reason"] for line in lines} == {r.value for r in Reason}


def test_count_identity(result: tuple[Summary, list[dict[str, str]]], model: GraphModel) -> None:
    summary, lines = result
    assert summary.balanced
    for f in summary.files:
        assert f.rows_read == f.loaded + f.quarantined + f.duplicates
    quarantined_rows = {(line["file"], line["row"]) for line in lines}
    assert len(quarantined_rows) == sum(f.quarantined for f in summary.files)
    # rows read = data lines in the files
    expected = sum(c[1].count("\n") - 1 for c in CASES if c[1]) + 1 + 1
    assert sum(f.rows_read for f in summary.files) == expected
    assert model.get_kind("Enterprise") is not None
