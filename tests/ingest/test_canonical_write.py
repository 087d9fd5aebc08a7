"""Writing the canonical format: files per kind and type, manifest, truth, CLI."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from graph.model import GraphModel
from ingest.canonical import CREDIT_COLUMNS, edge_columns, edge_file, node_columns, node_file
from ingest.generate import generate, write_generated
from ingest.truth import GroundTruth


def test_write_generated_csv(tmp_path: Path, model: GraphModel) -> None:
    graph = generate(500, seed=3)
    manifest = write_generated(graph, tmp_path)
    kinds = Counter(n.kind for n in graph.nodes())
    types = Counter(e.type for e in graph.edges())
    for kind, n in kinds.items():
        path = tmp_path / node_file(kind)
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == node_columns(model, kind)
        assert len(rows) - 1 == n == manifest.files[node_file(kind)]
    for etype, n in types.items():
        with (tmp_path / edge_file(etype)).open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == edge_columns(model, etype)
        assert len(rows) - 1 == n
    with (tmp_path / "credit/records.csv").open(encoding="utf-8") as fh:
        credit = list(csv.DictReader(fh))
    assert list(credit[0]) == list(CREDIT_COLUMNS)
    assert len(credit) == 4 * len(graph.truth.overloading)
    assert {row["behaviour_code"] for row in credit} == {"T-OVERLOAD"}
    truth = GroundTruth.model_validate_json((tmp_path / "truth.json").read_text("utf-8"))
    assert truth == graph.truth
    assert json.loads((tmp_path / "manifest.json").read_text())["generator"] == {
        "scale": 500,
        "seed": 3,
    }


def test_write_generated_jsonl(tmp_path: Path) -> None:
    manifest = write_generated(generate(300, seed=1), tmp_path, "jsonl")
    lines = (tmp_path / "nodes/enterprise.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == manifest.files["nodes/enterprise.jsonl"]
    first = json.loads(lines[0])
    assert set(first) >= {"uscc", "name", "established"}


def test_cli_generate(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path), "--scale", "300", "--seed", "9", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["generator"] == {"scale": 300, "seed": 9}
    assert (tmp_path / "truth.json").exists()
