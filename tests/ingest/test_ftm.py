"""FollowTheMoney import: a small realistic cluster (tests/fixtures/ftm_cluster) loads with the
expected nodes, relationships and credit records on both stores; a catalog entry that
extends a sanction to companies owned more than 50 % reaches exactly those."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.catalog import load_catalog
from graph.catalog.catalog import DEFAULT_CATALOG_DIR
from graph.credit import CreditKind, credit_records_of
from graph.model import NodeRef
from graph.stores.base import GraphStore
from ingest.ftm import looks_like_ftm, scan_ftm
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.sources import open_source
from queries.propagation import Seed, propagate

CLUSTER = Path(__file__).parents[1] / "fixtures" / "ftm_cluster" / "cluster.ftm.json"

CHANGYUN = NodeRef("Enterprise", "91220101MA0Y3K7L1D")  # 60 % Wang
BEIHU = NodeRef("Enterprise", "91220104MA0Y4P2Q3B")  # 30.5 % Wang, Wang legal rep.
JINGHUA = NodeRef("Enterprise", "91220102MA0Y5R8T4U")  # 2,000,000 shares, no percentage
SONGYUAN = NodeRef("Enterprise", "91220103MA0Y6W9X5K")  # 51 % Wang until 2020-12-31
DONGFANG = NodeRef("Enterprise", "91220105MA14B2C3DD")  # 80 % Beihu
HARBOUR = NodeRef("Enterprise", "ftm:oc-harbour-star")  # 100 % Changyun, no USCC
PACIFIC = NodeRef("Enterprise", "ftm:oc-pacific-rim")  # 50 % Harbour
WANG = NodeRef("Person", "220104198603120019")
LI = NodeRef("Person", "220102198705170022")
ZHANG = NodeRef("Person", "220104198909090043")
LIU = NodeRef("Person", "220103198511220032")
CHEN = NodeRef("Person", "ftm:os-pe-chen")  # passport only
TRUCK = NodeRef("Vehicle", "ftm:cn-veh-1")
ADDRESS = NodeRef("Contact", "address|吉林省长春市南关区人民大街1号")
PHONE = NodeRef("Contact", "phone|043188886666")


def _load(store: GraphStore, out: Path) -> dict[str, int]:
    summary = ingest_paths([CLUSTER], store, IngestOptions(out_dir=out))
    assert summary.balanced
    return {**summary.totals, **summary.reasons()}


def test_the_cluster_loads_with_the_expected_nodes(store: GraphStore, tmp_path: Path) -> None:
    totals = _load(store, tmp_path)
    nodes = {n.ref: n for n in store.iter_nodes()}
    assert set(nodes) == {
        CHANGYUN, BEIHU, JINGHUA, SONGYUAN, DONGFANG, HARBOUR, PACIFIC,
        WANG, LI, ZHANG, LIU, CHEN, TRUCK, ADDRESS, PHONE,
    }  # fmt: skip
    assert nodes[HARBOUR].props["unresolved"] is True
    assert nodes[HARBOUR].props["ftm_id"] == "oc-harbour-star"
    assert "uscc" not in nodes[HARBOUR].props
    assert "unresolved" not in nodes[CHANGYUN].props
    assert nodes[CHANGYUN].props["established"] == date(2008, 6, 18)
    assert nodes[BEIHU].props["established"] == date(2012, 3, 1)  # "2012-03": first day
    assert nodes[CHEN].props == {"name": "Chen Haoran", "ftm_id": "os-pe-chen", "unresolved": True}
    assert nodes[TRUCK].props["plate"] == "吉A12345"
    assert "LegalRepresentative" in nodes[WANG].labels
    assert "Practitioner" in nodes[ZHANG].labels
    assert totals["rows_read"] == 35 and totals["quarantined"] == 5


def test_relationships_carry_shares_roles_and_validity(store: GraphStore, tmp_path: Path) -> None:
    _load(store, tmp_path)
    edges = {(e.type, e.src, e.dst): e for e in store.iter_edges()}
    assert edges[("SHAREHOLDER_OF", WANG, CHANGYUN)].props == {"ratio": 0.6}
    assert edges[("SHAREHOLDER_OF", WANG, CHANGYUN)].valid_from == date(2016, 1, 5)
    assert edges[("SHAREHOLDER_OF", WANG, BEIHU)].props == {"ratio": 0.305}
    assert edges[("SHAREHOLDER_OF", WANG, JINGHUA)].props == {"shares": 2_000_000}
    ended = edges[("SHAREHOLDER_OF", WANG, SONGYUAN)]
    assert (ended.valid_from, ended.valid_to) == (date(2015, 4, 1), date(2020, 12, 31))
    assert edges[("SHAREHOLDER_OF", CHANGYUN, HARBOUR)].props == {"ratio": 1.0}
    assert edges[("SHAREHOLDER_OF", HARBOUR, PACIFIC)].props == {"ratio": 0.5}
    assert ("ACTUAL_CONTROLLER_OF", LI, DONGFANG) in edges
    assert edges[("OFFICER_OF", LI, CHANGYUN)].props == {"role": "董事长"}
    assert ("LEGAL_REP_OF", WANG, BEIHU) in edges  # Directorship with role 法定代表人
    director = edges[("OFFICER_OF", CHEN, HARBOUR)]
    assert (director.valid_from, director.valid_to) == (date(2019, 3, 1), date(2023, 6, 30))
    assert edges[("EMPLOYED_BY", ZHANG, JINGHUA)].props == {"position": "财务总监"}
    assert edges[("ASSOCIATE_OF", WANG, LIU)].props == {"relation": "配偶"}
    assert edges[("ASSOCIATE_OF", WANG, CHEN)].props == {"relation": "associate"}
    assert {("OWNS", CHANGYUN, TRUCK), ("OPERATES", CHANGYUN, TRUCK)} <= set(edges)
    assert {("HAS_CONTACT", CHANGYUN, ADDRESS), ("HAS_CONTACT", BEIHU, ADDRESS)} <= set(edges)
    assert ("HAS_CONTACT", CHANGYUN, PHONE) in edges
    assert edges[("OFFICER_OF", LI, CHANGYUN)].source == "ftm:dir-li-changyun"
    assert len(edges) == 19


def test_sanctions_become_credit_records(store: GraphStore, tmp_path: Path) -> None:
    _load(store, tmp_path)
    records = credit_records_of(store, [WANG, HARBOUR, DONGFANG])
    by_subject = {r.subject: r for r in records}
    assert set(by_subject) == {WANG, HARBOUR}  # Dongfang's sanction has no date: quarantined
    wang = by_subject[WANG]
    assert wang.kind is CreditKind.BLACK_LIST
    assert (wang.authority, wang.decision_no) == ("吉林省交通运输厅", "吉交执〔2024〕31号")
    assert (wang.decision_date, wang.valid_until) == (date(2024, 3, 15), date(2027, 3, 15))
    assert wang.behaviour_code == "X-FTM-LISTED"
    assert wang.summary == "严重失信主体名单; 拒不履行行政处罚决定"
    harbour = by_subject[HARBOUR]
    assert (harbour.decision_date, harbour.valid_until) == (date(2022, 1, 1), None)
    assert harbour.decision_no == "ftm:san-harbour-2022" and harbour.summary == "SDN"


def test_unknown_schemata_and_bad_rows_are_quarantined_with_reasons(
    memory_store: GraphStore, tmp_path: Path
) -> None:
    totals = _load(memory_store, tmp_path)
    assert totals["unknown kind"] == 4 and totals["invalid credit record"] == 1
    with (tmp_path / "quarantine.csv").open(encoding="utf-8-sig") as fh:
        rows = {int(r["row"]): r["detail"] for r in csv.DictReader(fh)}
    assert "Payment (FtM schema without a creditlink mapping)" in rows[34]
    assert "Note" in rows[35]
    assert "not in the file: nk-not-in-this-file" in rows[32]
    assert "OFFICER_OF cannot join Enterprise to Enterprise" in rows[26]
    assert "decision_date" in rows[33]
    assert scan_ftm(CLUSTER).unmapped == {"Note": 1, "Payment": 1}


def test_reimport_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    from ingest.checksum import graph_checksum

    _load(store, tmp_path)
    before = graph_checksum(store)
    summary = ingest_paths([CLUSTER], store, IngestOptions(out_dir=tmp_path))
    assert graph_checksum(store) == before
    assert summary.nodes_written == 0


def test_ftm_files_are_recognised(tmp_path: Path) -> None:
    assert type(open_source(CLUSTER)).__name__ == "FtmSource"
    plain = tmp_path / "export.jsonl"
    plain.write_text(CLUSTER.read_text(encoding="utf-8"), encoding="utf-8")
    assert looks_like_ftm(plain) and type(open_source(plain)).__name__ == "FtmSource"
    other = tmp_path / "rows.jsonl"
    other.write_text('{"uscc": "91110000600037341L"}\n', encoding="utf-8")
    assert type(open_source(other)).__name__ == "JsonlSource"


def _catalog_with_ownership_rule(tmp_path: Path) -> Path:
    """The shipped catalog plus a behaviour whose measure extends to companies the subject
    owns more than 50 % of (twice in a row: the companies those own more than 50 %)."""
    folder = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    scope_file, measures_file = folder / "dishonesty_scope.yaml", folder / "sanction_measures.yaml"
    scope = yaml.safe_load(scope_file.read_text(encoding="utf-8"))
    measures = yaml.safe_load(measures_file.read_text(encoding="utf-8"))
    template = next(e for e in measures["entries"] if e["code"] == "S-FISCAL")
    measure = {
        **template,
        "code": "S-FTM-FREEZE",
        "name": "冻结（测试）",
        "gloss": "asset freeze extended to majority-owned companies (test entry)",
        "subject_kinds": ["Person", "Enterprise"],
        "extends_to": [
            {
                "id": "majority_owned",
                "relationship": "SHAREHOLDER_OF",
                "direction": "out",
                "to_kind": "Enterprise",
                "role": "控股企业（持股超过50%）",
                "evaluated_at": "decision_date",
                "depth": 2,
                "ratio_above": 0.5,
            }
        ],
    }
    measures["entries"].append(measure)
    behaviour = next(e for e in scope["entries"] if e["code"] == "T-BID-FRAUD")
    scope["entries"].append(
        {
            **behaviour,
            "code": "X-FTM-LISTED",
            "name": "制裁名单（测试）",
            "gloss": "sanctions list entry (test entry)",
            "subject_kinds": ["Person", "Enterprise"],
            "measures": ["S-FTM-FREEZE"],
        }
    )
    dump = {"allow_unicode": True, "sort_keys": False}
    scope_file.write_text(yaml.safe_dump(scope, **dump), encoding="utf-8")  # type: ignore[call-overload]
    measures_file.write_text(yaml.safe_dump(measures, **dump), encoding="utf-8")  # type: ignore[call-overload]
    return folder


def test_sanction_extends_to_majority_owned_companies_only(
    store: GraphStore, tmp_path: Path
) -> None:
    _load(store, tmp_path)
    catalog = load_catalog(_catalog_with_ownership_rule(tmp_path))
    record = next(r for r in credit_records_of(store, [WANG]) if r.behaviour_code)
    behaviour = catalog.require_behaviour(str(record.behaviour_code))
    measures = tuple(m.code for m in catalog.direct_measures(behaviour, record.subject.kind))
    seed = Seed(
        subject=record.subject,
        measures=measures,
        act_date=record.decision_date,
        decision_date=record.decision_date,
        decision_no=record.decision_no,
    )
    reached = propagate(store, catalog, [seed])[0]
    subjects = {r.subject for r in reached if r.path}
    # 60 % Changyun, and Harbour Star that Changyun owns 100 %; not Beihu (30.5 %), not
    # Jinghua (shares without a percentage), not Songyuan (51 % ended in 2020), not
    # Pacific Rim (exactly 50 %), not Dongfang (80 % of Beihu, which is not reached).
    assert subjects == {CHANGYUN, HARBOUR}
    via = {r.subject: [step.src for step in r.path] for r in reached}
    assert via[HARBOUR] == [WANG, CHANGYUN]


def test_ratio_above_needs_a_relationship_with_a_ratio(tmp_path: Path) -> None:
    from graph.exc import InvalidModel

    folder = _catalog_with_ownership_rule(tmp_path)
    measures_file = folder / "sanction_measures.yaml"
    text = measures_file.read_text(encoding="utf-8")
    assert text.count("relationship: SHAREHOLDER_OF") == 1
    measures_file.write_text(
        text.replace("relationship: SHAREHOLDER_OF", "relationship: OFFICER_OF"), encoding="utf-8"
    )
    with pytest.raises(InvalidModel, match="ratio_above"):
        load_catalog(folder)
