"""Exports load back identically: FollowTheMoney JSON lines through the ingest pipeline,
GraphML and GEXF node for node; GraphML opens in networkx with credit state attributes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.example import load_story
from graph.model import GraphModel, NodeRef
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from ingest.checksum import graph_checksum
from ingest.ftm_export import export_ftm
from ingest.interop import export_graph_file, read_graph_file
from ingest.pipeline import IngestOptions, ingest_paths

CLUSTER = Path(__file__).parents[1] / "fixtures" / "ftm_cluster" / "cluster.ftm.json"
WANG = NodeRef("Person", "220104198603120019")
HARBOUR = NodeRef("Enterprise", "ftm:oc-harbour-star")


def _cluster(store: GraphStore, tmp_path: Path) -> None:
    summary = ingest_paths([CLUSTER], store, IngestOptions(out_dir=tmp_path / "q1"))
    assert summary.balanced and summary.nodes_written > 0


def test_ftm_export_loads_back_identically(
    store: GraphStore, model: GraphModel, tmp_path: Path
) -> None:
    _cluster(store, tmp_path)
    out = tmp_path / "out.ftm.json"
    result = export_ftm(store, out)
    assert (result.nodes, result.edges, result.credit_records) == (14, 14, 2)
    again = MemoryStore(model)
    summary = ingest_paths([out], again, IngestOptions(out_dir=tmp_path / "q2"))
    assert summary.totals["quarantined"] == 0
    assert graph_checksum(again) == graph_checksum(store)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_files_load_back_identically(
    store: GraphStore, model: GraphModel, tmp_path: Path, fmt: str
) -> None:
    _cluster(store, tmp_path)
    load_story(store)  # vehicles keyed by plate|colour, projects, bids: all carried
    path = tmp_path / f"graph.{fmt}"
    result = export_graph_file(store, path, "graphml" if fmt == "graphml" else "gexf")
    nodes, edges = read_graph_file(path, model)
    assert (len(nodes), len(edges)) == (result.nodes, result.edges)
    again = MemoryStore(model)
    again.upsert_nodes(nodes)
    again.upsert_edges(edges)
    assert graph_checksum(again, records=False) == graph_checksum(store, records=False)


def test_graphml_opens_in_networkx_with_credit_state(store: GraphStore, tmp_path: Path) -> None:
    _cluster(store, tmp_path)
    path = tmp_path / "graph.graphml"
    export_graph_file(store, path, "graphml", as_of=date(2025, 1, 1))
    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == 15 and graph.number_of_edges() == 19
    wang = graph.nodes[WANG.uid]
    assert (wang["credit_listed"], wang["credit_records"], wang["credit_kinds"]) == (
        True,
        1,
        "black_list",
    )
    assert wang["label"] == "王建国" and wang["cl_kind"] == "Person"
    assert graph.nodes[HARBOUR.uid]["credit_listed"] is True
    assert "credit_listed" not in graph.nodes["Enterprise:91220104MA0Y4P2Q3B"]
    shares = [a for _, _, a in graph.edges(data=True) if a["cl_type"] == "SHAREHOLDER_OF"]
    assert sorted(a.get("ratio", 0) for a in shares)[-1] == 1.0
    before = tmp_path / "before.graphml"
    export_graph_file(store, before, "graphml", as_of=date(2024, 1, 1))
    assert nx.read_graphml(before).nodes[WANG.uid]["credit_listed"] is False


def test_a_neighbourhood_is_exported(store: GraphStore, tmp_path: Path) -> None:
    _cluster(store, tmp_path)
    path = tmp_path / "around.gexf"
    result = export_graph_file(store, path, "gexf", around=[WANG], hops=1)
    neighbours = {e.dst if e.src == WANG else e.src for e in store.expand([WANG])}
    graph = nx.read_gexf(path)
    assert set(graph.nodes) == {WANG.uid} | {n.uid for n in neighbours}
    assert result.nodes == len(neighbours) + 1


def test_cli_import_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    runner = CliRunner()
    loaded = runner.invoke(app, ["import", "--format", "ftm", str(CLUSTER), "--json"])
    assert loaded.exit_code == 0, loaded.output
    document = json.loads(loaded.output)
    assert document["ftm_unmapped"] == {"Note": 1, "Payment": 1}
    assert document["totals"]["quarantined"] == 5 and document["balanced"] is True
    for fmt in ("ftm", "graphml", "gexf"):
        out = tmp_path / f"export.{fmt}"
        exported = runner.invoke(app, ["export", "--format", fmt, str(out), "--json"])
        assert exported.exit_code == 0, exported.output
        assert json.loads(exported.output)["format"] == fmt and out.stat().st_size > 0
    around = runner.invoke(
        app, ["export", "--format", "graphml", str(tmp_path / "a.graphml"), "--around", WANG.uid]
    )
    assert around.exit_code == 0, around.output
    graph_in = runner.invoke(
        app, ["import", "--format", "graphml", str(tmp_path / "export.graphml")]
    )
    assert graph_in.exit_code == 0 and json.loads(graph_in.output)["nodes"] == 15
