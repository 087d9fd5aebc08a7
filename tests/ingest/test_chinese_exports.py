"""The Chinese-header exports of tests/fixtures/ingest_cn, in every encoding and as XLSX."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.credit import credit_records_of
from graph.model import GraphModel, NodeRef
from graph.stores.memory import MemoryStore
from ingest.checksum import graph_checksum
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.report import Summary
from ingest.resolve import aliases_of

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ingest_cn"
E1, E2, E3, E4, E5, E6 = (
    "91220101MA00000114",
    "91220101MA00000228",
    "91220101MA0000033C",
    "91220101MA0000044G",
    "91220101MA0000055L",
    "91220101MA0000066Q",
)
WANG = "110101198001010010"


def _copy(tmp: Path, encoding: str) -> Path:
    out = tmp / encoding
    out.mkdir()
    for path in FIXTURE.glob("*.csv"):
        (out / path.name).write_bytes(path.read_text("utf-8").encode(encoding))
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[MemoryStore, Summary]:
    from graph.model import load_model

    store = MemoryStore(load_model())
    summary = ingest_paths([FIXTURE], store, IngestOptions())
    return store, summary


def _edges(store: MemoryStore, etype: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.src.key, e.dst.key, e.props) for e in store.iter_edges() if e.type == etype]


def test_each_file_gets_its_mapping(loaded: tuple[MemoryStore, Summary]) -> None:
    _, summary = loaded
    mappings = {f.file: f.mapping for f in summary.files}
    assert mappings == {
        "企业登记.csv": "cn-enterprise",
        "股东信息.csv": "cn-shareholder",
        "车辆信息.csv": "cn-vehicle",
        "从业人员.csv": "cn-practitioner",
        "投标记录.csv": "cn-bid",
        "超限超载.csv": "cn-overload",
        "信用记录.csv": "cn-credit",
    }
    assert summary.balanced


def test_quarantine_and_duplicates(loaded: tuple[MemoryStore, Summary]) -> None:
    _, summary = loaded
    by_file = {f.file: f for f in summary.files}
    register = by_file["企业登记.csv"]
    assert (register.rows_read, register.loaded, register.quarantined, register.duplicates) == (
        10,
        7,
        2,
        1,
    )
    assert register.reasons == {"invalid identifier": 1, "missing key": 1}
    assert by_file["股东信息.csv"].reasons == {"invalid number": 1}
    assert by_file["车辆信息.csv"].reasons == {"invalid identifier": 1}
    assert by_file["信用记录.csv"].reasons == {"invalid credit record": 1}


def test_register_values_normalised(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    e4 = store.get_node(NodeRef("Enterprise", E4))
    e3 = store.get_node(NodeRef("Enterprise", E3))
    assert e4 is not None and e3 is not None
    assert e4.props["established"] == date(2015, 1, 1)  # Excel serial 42005
    assert e3.props["established"] == date(2017, 8, 8)  # 20170808
    phones = {dst for src, dst, _ in _edges(store, "HAS_CONTACT") if src == E3}
    assert "phone|13900139000" in phones  # spaces removed


def test_full_width_row_merges_with_alias(loaded: tuple[MemoryStore, Summary]) -> None:
    store, summary = loaded
    e1 = store.get_node(NodeRef("Enterprise", E1))
    assert e1 is not None
    assert e1.props["name"] == "长春甲运输有限公司"  # the first value stays
    alias = {"property": "name", "value": "长春甲运输公司", "source": "企业登记.csv:6"}
    assert aliases_of(e1) == [alias]
    assert summary.aliases_added == 1


def test_shared_legal_representative(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    represented = {dst for src, dst, _ in _edges(store, "LEGAL_REP_OF") if src == WANG}
    assert represented == {E1, E2}
    wang = store.get_node(NodeRef("Person", WANG))
    assert wang is not None and "LegalRepresentative" in wang.labels


def test_persons_without_id_are_never_merged(loaded: tuple[MemoryStore, Summary]) -> None:
    store, summary = loaded
    unresolved = [n for n in store.iter_nodes() if n.key.startswith("unresolved:")]
    assert sorted(str(n.props["name"]) for n in unresolved) == ["张伟", "王军", "王军"]
    assert all(n.props["unresolved"] is True for n in unresolved)
    assert summary.candidates == 3  # the three 王军 tied to 长春乙物流 (two without ID)


def test_shareholders_person_or_enterprise(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    holdings = {(src, dst): props["ratio"] for src, dst, props in _edges(store, "SHAREHOLDER_OF")}
    assert holdings[("110105198203030058", E3)] == 0.6
    assert holdings[("110105198203030058", E4)] == 0.55
    assert holdings[(E1, E4)] == 0.45
    assert holdings[("110101199009090099", E1)] == 1.0  # a person recognised by its ID


def test_guakao_vehicle(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    truck = "吉A12345|2"
    assert ("110105197007070111", truck) in {(s, d) for s, d, _ in _edges(store, "OWNS")}
    assert (E1, truck) in {(s, d) for s, d, _ in _edges(store, "OPERATES")}


def test_bidders_sharing_a_manager(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    manages = [p for s, d, p in _edges(store, "MANAGES") if s == "110101196606060177"]
    assert sorted(str(p["for_enterprise"]) for p in manages) == [E3, E4]
    bids = {s for s, d, _ in _edges(store, "BID_ON") if d == "JL-2024-001"}
    assert bids == {E3, E4, E5}


def test_overloading_case(loaded: tuple[MemoryStore, Summary]) -> None:
    store, _ = loaded
    loaded_by = _edges(store, "LOADED")
    assert loaded_by == [(E6, "吉A12345|2", {"weigh_ticket": "CZ20240502001"})]
    assert ("110101198808080132", "吉A12345|2") in {(s, d) for s, d, _ in _edges(store, "DRIVES")}


def test_credit_records_stored(loaded: tuple[MemoryStore, Summary]) -> None:
    store, summary = loaded
    assert summary.credit_written == 3
    [record] = credit_records_of(store, [NodeRef("Enterprise", E1)])
    assert record.behaviour_code == "T-OVERLOAD"
    assert record.decision_date == date(2024, 5, 20)
    assert record.source == "信用记录.csv:2"
    assert [r.kind.value for r in credit_records_of(store, [NodeRef("Enterprise", E5)])] == [
        "red_list"
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_every_encoding_gives_the_same_graph(
    loaded: tuple[MemoryStore, Summary], tmp_path: Path, model: GraphModel, encoding: str
) -> None:
    reference, reference_summary = loaded
    store = MemoryStore(model)
    summary = ingest_paths([_copy(tmp_path, encoding)], store, IngestOptions())
    assert graph_checksum(store) == graph_checksum(reference)
    assert summary.totals == reference_summary.totals
    expected = "gbk" if encoding == "gb18030" else encoding  # nothing outside GBK here
    assert {f.encoding for f in summary.files} == {expected}


def test_xlsx_export(tmp_path: Path, model: GraphModel) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业"
    with (FIXTURE / "企业登记.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            cells: list[object] = list(row)
            if i and row[-1] == "2015/4/1":
                cells[-1] = date(2015, 4, 1)  # a real date cell
            sheet.append(cells)
    vehicles = book.create_sheet("车辆")
    with (FIXTURE / "车辆信息.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            vehicles.append(row)
    path = tmp_path / "导出.xlsx"
    book.save(path)
    store = MemoryStore(model)
    summary = ingest_paths([path], store, IngestOptions(mapping="cn-enterprise", sheet="企业"))
    assert summary.totals["rows_read"] == 10 and summary.balanced
    e1 = store.get_node(NodeRef("Enterprise", E1))
    assert e1 is not None and e1.props["established"] == date(2015, 4, 1)
    everything = MemoryStore(model)
    shutil.copy(path, tmp_path / "copy.xlsx")
    both = ingest_paths([tmp_path / "copy.xlsx"], everything, IngestOptions())
    # no --sheet, no --mapping: every sheet, each with the mapping its headers ask for
    assert [(f.file, f.mapping) for f in both.files] == [
        ("copy.xlsx[企业]", "cn-enterprise"),
        ("copy.xlsx[车辆]", "cn-vehicle"),
    ]
    assert both.balanced and both.files[1].loaded == 2
    assert everything.counts().nodes["Vehicle"] == 2
