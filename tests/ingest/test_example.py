"""The hand-made demo story in examples/story loads cleanly and tells its story."""

from __future__ import annotations

from pathlib import Path

from graph.credit import credit_records_of
from graph.model import NodeRef
from graph.stores.base import GraphStore
from ingest.pipeline import IngestOptions, ingest_paths

STORY = Path(__file__).resolve().parents[2] / "examples" / "story"
TRUCK = NodeRef("Vehicle", "吉A12345|2")
JIA, YI = "91220101MA00000114", "91220101MA00000228"


def test_story_loads_on_both_stores(store: GraphStore) -> None:
    summary = ingest_paths([STORY], store, IngestOptions())
    assert summary.balanced and summary.totals["quarantined"] == 0
    assert summary.totals["rows_read"] == 69
    assert summary.credit_written == 4
    counts = store.counts()
    assert (counts.total_nodes, counts.total_edges) == (27, 38)

    edges = store.expand([TRUCK])
    by_type = {(e.type, e.src.key) for e in edges}
    assert ("OWNS", "110105197007070111") in by_type  # 周强, a person: 挂靠
    assert ("OPERATES", JIA) in by_type
    assert ("DRIVES", "110101198808080132") in by_type
    assert ("LOADED", "91220101MA0000066Q") in by_type

    wang = store.expand([NodeRef("Person", "110101198001010010")], types=["LEGAL_REP_OF"])
    assert {e.dst.key for e in wang} == {JIA, YI}

    records = credit_records_of(
        store, [TRUCK, NodeRef("Enterprise", JIA), NodeRef("Person", "110101198808080132")]
    )
    assert {r.decision_no for r in records} == {"吉交执罚〔2024〕12号"}
    assert {r.behaviour_code for r in records} == {"T-OVERLOAD"}


def test_tender_links(store: GraphStore) -> None:
    ingest_paths([STORY], store, IngestOptions())
    project = NodeRef("Project", "JL-2024-001")
    bidders = {e.src.key for e in store.expand([project], types=["BID_ON"])}
    assert len(bidders) == 4
    managers = store.expand([project], types=["MANAGES"])
    named: dict[str, set[object]] = {}
    for e in managers:
        named.setdefault(e.src.key, set()).add(e.props["for_enterprise"])
    assert named["110101196606060177"] == {"91220101MA0000033C", "91220101MA0000044G"}
    zhao = store.expand([NodeRef("Person", "110105198203030058")], types=["SHAREHOLDER_OF"])
    assert {e.dst.key: e.props["ratio"] for e in zhao} == {
        "91220101MA0000044G": 0.6,
        "91220101MA0000055L": 0.55,
    }
