"""The ingest run: count identity, idempotency and resume, on both stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph.exc import StoreUnavailable
from graph.model import GraphModel, NodeRef
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from ingest.checkpoint import CheckpointFile
from ingest.checksum import graph_checksum
from ingest.generate import generate, write_generated
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.resolve import aliases_of
from tests.conftest import NEO4J_AUTH, NEO4J_DATABASE, NEO4J_URI

SCALE = 600


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    write_generated(generate(SCALE, seed=5), out)
    return out


def test_generated_data_loads_completely(store: GraphStore, dataset: Path) -> None:
    summary = ingest_paths([dataset], store, IngestOptions(batch_size=300))
    graph = generate(SCALE, seed=5)
    assert summary.balanced and summary.totals["quarantined"] == 0
    counts = store.counts()
    assert counts.total_nodes == SCALE
    assert counts.total_edges == sum(1 for _ in graph.edges())
    assert summary.credit_written == 4 * len(graph.truth.overloading)


def test_rerun_leaves_the_graph_identical(store: GraphStore, dataset: Path) -> None:
    first = ingest_paths([dataset], store, IngestOptions(batch_size=300))
    before, counts = graph_checksum(store), store.counts()
    second = ingest_paths([dataset], store, IngestOptions(batch_size=300))
    assert graph_checksum(store) == before and store.counts() == counts
    assert second.nodes_written == 0 and second.credit_written == 0  # nothing changed
    assert second.totals == first.totals


def test_same_checksum_on_both_stores(
    memory_store: MemoryStore, neo4j_store: Neo4jStore, dataset: Path
) -> None:
    ingest_paths([dataset], memory_store, IngestOptions())
    ingest_paths([dataset], neo4j_store, IngestOptions())
    assert graph_checksum(memory_store) == graph_checksum(neo4j_store)


def test_jsonl_and_csv_give_the_same_graph(tmp_path: Path, model: GraphModel) -> None:
    graph = generate(400, seed=2)
    write_generated(graph, tmp_path / "csv")
    write_generated(graph, tmp_path / "jsonl", "jsonl")
    a, b = MemoryStore(model), MemoryStore(model)
    ingest_paths([tmp_path / "csv"], a, IngestOptions())
    summary = ingest_paths([tmp_path / "jsonl"], b, IngestOptions())
    assert summary.balanced and summary.totals["quarantined"] == 0
    assert graph_checksum(a).nodes == graph_checksum(b).nodes == 400
    # edge sources name the file they came from, so compare content without them
    key = sorted((e.eid, e.props == e.props) for e in a.iter_edges())
    assert key == sorted((e.eid, True) for e in b.iter_edges())


def test_exact_duplicates_counted(tmp_path: Path, model: GraphModel) -> None:
    path = tmp_path / "nodes" / "person.csv"
    path.parent.mkdir()
    row = "110101198001010010,王军,"
    path.write_text(f"id_no,name,qualification_no\n{row}\n{row}\n{row}\n", encoding="utf-8")
    summary = ingest_paths([tmp_path], MemoryStore(model), IngestOptions())
    f = summary.files[0]
    assert (f.rows_read, f.loaded, f.duplicates, f.quarantined) == (3, 1, 2, 0)


def test_aliases_across_runs(store: GraphStore, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "nodes", tmp_path / "b" / "nodes"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / "enterprise.csv").write_text("uscc,name\n91220101MA00000114,甲运输有限公司\n", "utf-8")
    (second / "enterprise.csv").write_text("uscc,name\n91220101MA00000114,甲运输公司\n", "utf-8")
    ingest_paths([first.parent], store, IngestOptions())
    summary = ingest_paths([second.parent], store, IngestOptions())
    node = store.get_node(NodeRef("Enterprise", "91220101MA00000114"))
    assert node is not None and node.props["name"] == "甲运输有限公司"
    assert aliases_of(node) == [
        {"property": "name", "value": "甲运输公司", "source": "nodes/enterprise.csv:2"}
    ]
    assert summary.aliases_added == 1
    again = ingest_paths([second.parent], store, IngestOptions())
    assert again.aliases_added == 0 and again.nodes_written == 0


class _Failing:
    """A store that becomes unavailable after ``after`` relationship batches."""

    def __init__(self, inner: GraphStore, after: int) -> None:
        self._inner, self._left = inner, after

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name == "create_edges":  # what the ingest writer uses where the store has it

            def create_edges(edges: Any) -> int:
                self._fail_when_spent()
                return int(attr(edges))

            return create_edges
        return attr

    def upsert_edges(self, edges: Any) -> int:
        self._fail_when_spent()
        return self._inner.upsert_edges(edges)

    def _fail_when_spent(self) -> None:
        if self._left == 0:
            raise StoreUnavailable("the store went away")
        self._left -= 1


def test_resume_after_the_store_went_away(
    store: GraphStore, dataset: Path, tmp_path: Path, model: GraphModel
) -> None:
    options = IngestOptions(batch_size=120, state_dir=tmp_path / "state")
    reference = MemoryStore(model)
    ingest_paths([dataset], reference, IngestOptions(batch_size=120))
    if isinstance(store, MemoryStore):  # durable at file ends only: reopen from its file
        store = MemoryStore(model, tmp_path / "graph.pickle")
    with pytest.raises(StoreUnavailable):
        ingest_paths([dataset], _Failing(store, 6), options)
    assert list((tmp_path / "state").glob("ingest-*.json"))  # a checkpoint was left
    if isinstance(store, MemoryStore):
        store = MemoryStore(model, tmp_path / "graph.pickle")  # what a new process would see
    summary = ingest_paths([dataset], store, options)
    assert summary.batches_resumed > 0
    assert summary.balanced
    assert graph_checksum(store) == graph_checksum(reference)
    assert not list((tmp_path / "state").glob("ingest-*.json"))  # finished: forgotten


def test_stale_checkpoint_after_the_store_was_emptied(
    store: GraphStore, dataset: Path, tmp_path: Path, model: GraphModel
) -> None:
    options = IngestOptions(batch_size=120, state_dir=tmp_path / "state")
    if isinstance(store, MemoryStore):
        store = MemoryStore(model, tmp_path / "graph.pickle")
    with pytest.raises(StoreUnavailable):
        ingest_paths([dataset], _Failing(store, 6), options)
    store.clear()  # someone emptied the store: the checkpoint must not skip anything
    if isinstance(store, MemoryStore):
        store.flush()
        store = MemoryStore(model, tmp_path / "graph.pickle")
    summary = ingest_paths([dataset], store, options)
    assert summary.batches_resumed == 0
    assert store.counts().total_nodes == SCALE


def test_checkpoint_ignored_for_other_input(tmp_path: Path) -> None:
    state = CheckpointFile(tmp_path, "run-a")
    cp = state.load()
    cp.batches["x"] = 3
    state.save(cp)
    assert CheckpointFile(tmp_path, "run-a").load().batches == {"x": 3}
    assert CheckpointFile(tmp_path, "run-b").load().batches == {}


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    code = "from api.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.neo4j
@pytest.mark.slow
def test_killed_ingest_resumes_to_the_same_graph(neo4j_store: Neo4jStore, tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_generated(generate(2_500, seed=8), data)
    env = {
        **os.environ,
        "CREDITLINK_STORE": NEO4J_URI,
        "CREDITLINK_NEO4J_USER": NEO4J_AUTH[0],
        "CREDITLINK_NEO4J_PASSWORD": NEO4J_AUTH[1],
        "CREDITLINK_NEO4J_DATABASE": NEO4J_DATABASE,
        "CREDITLINK_DATA_DIR": str(tmp_path / "home"),
    }
    args = ["ingest", str(data), "--batch-size", "150", "--json"]
    # an uninterrupted run gives the reference
    ingest_paths([data], neo4j_store, IngestOptions(batch_size=150))
    reference = graph_checksum(neo4j_store)
    neo4j_store.clear()
    # killed half-way: once the checkpoint shows relationship batches committed
    process = _cli(args, env)
    state = tmp_path / "home" / "ingest-state"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        saved = list(state.glob("ingest-*.json"))
        if saved and '"relationships/' in saved[0].read_text("utf-8"):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    partial = neo4j_store.counts()
    assert 0 < partial.total_edges < reference.edges
    # re-run: resumes after the last committed batch and ends identical
    rerun = _cli(args, env)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    summary = json.loads(out)
    assert summary["batches_resumed"] > 0 and summary["balanced"]
    assert graph_checksum(neo4j_store) == reference
