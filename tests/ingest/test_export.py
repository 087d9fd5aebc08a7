"""neo4j-admin import files: read back, they give the same graph (same checksum)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.cli import app
from graph.model import Edge, GraphModel, Node, NodeRef
from graph.stores.memory import MemoryStore
from ingest.checksum import graph_checksum
from ingest.export import export_neo4j_admin
from ingest.generate import generate


def _boolean(value: str) -> bool:
    return value == "true"


_PARSE: dict[str, Callable[[str], Any]] = {
    "date": date.fromisoformat,
    "double": float,
    "long": int,
    "boolean": _boolean,
}


def _typed(header: str, value: str) -> tuple[str, Any]:
    name, _, kind = header.partition(":")
    return name, (_PARSE[kind](value) if kind in _PARSE else value)


def _read_back(out: Path, model: GraphModel, files: list[tuple[str, str]]) -> MemoryStore:
    """A tiny stand-in for neo4j-admin: parse the files by their headers."""
    store = MemoryStore(model)
    nodes: list[Node] = []
    edges: list[Edge] = []
    for head, data in files:
        header = next(csv.reader((out / head).open(encoding="utf-8")))
        for row in csv.reader((out / data).open(encoding="utf-8")):
            cells = dict(zip(header, row, strict=True))
            props = dict(
                _typed(h, v)
                for h, v in cells.items()
                if v and not h.startswith(":") and ":" not in h[:1]
            )
            if "uid:ID" in cells:
                ref = NodeRef.from_uid(cells["uid:ID"])
                labels = tuple(sorted(set(cells[":LABEL"].split(";")) - {"Node", ref.kind}))
                props.pop("uid", None)
                props.pop("key", None)
                nodes.append(Node(kind=ref.kind, key=ref.key, labels=labels, props=props))
            else:
                bookkeeping = ("eid", "valid_from", "valid_to", "source")
                fixed: dict[str, Any] = {k: props.pop(k, None) for k in bookkeeping}
                edge = Edge(
                    type=cells[":TYPE"],
                    src=NodeRef.from_uid(cells[":START_ID"]),
                    dst=NodeRef.from_uid(cells[":END_ID"]),
                    valid_from=fixed["valid_from"],
                    valid_to=fixed["valid_to"],
                    source=fixed["source"],
                    props=props,
                )
                assert edge.eid == fixed["eid"]
                edges.append(edge)
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    return store


def test_export_round_trip(tmp_path: Path, model: GraphModel) -> None:
    source = MemoryStore(model)
    graph = generate(500, seed=3)
    source.upsert_nodes(graph.nodes())
    source.upsert_edges(graph.edges())
    result = export_neo4j_admin(source, tmp_path)
    assert (result.nodes, result.edges) == (500, source.counts().total_edges)
    back = _read_back(tmp_path, model, [*result.node_files, *result.edge_files])
    assert graph_checksum(back) == graph_checksum(source)
    script = (tmp_path / "import.sh").read_text("utf-8")
    assert "database import full neo4j" in script and "--id-type=string" in script
    assert "CREATE CONSTRAINT node_uid" in (tmp_path / "schema.cypher").read_text("utf-8")


def test_cli_export(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path / "home"))
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["generate", "--out", str(data), "--scale", "300"]).exit_code == 0
    loaded = runner.invoke(app, ["ingest", str(data), "--json", "--checksum"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["balanced"] is True
    result = runner.invoke(app, ["export", str(tmp_path / "admin"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"] == 300
    bad = runner.invoke(app, ["export", str(tmp_path / "x"), "--format", "xml"])
    assert bad.exit_code == 2
