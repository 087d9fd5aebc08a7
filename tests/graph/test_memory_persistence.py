"""The embedded store survives the process: written atomically, read back on start."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.example import build_story, load_story
from graph.model import GraphModel
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.memory import MemoryStore


def test_graph_survives_another_process(tmp_path: Path, model: GraphModel) -> None:
    path = tmp_path / "graph.pickle"
    store = MemoryStore(model, path)
    story = load_story(store)
    store.close()
    assert path.exists() and not list(tmp_path.glob("*.tmp"))

    script = textwrap.dedent(
        f"""
        from graph.model import load_model, NodeRef
        from graph.stores.memory import MemoryStore
        s = MemoryStore(load_model(), __import__("pathlib").Path({str(path)!r}))
        print(s.counts().total_nodes, s.counts().total_edges)
        hood = s.neighbourhood([NodeRef("Enterprise", {story.jia.key!r})], hops=1)
        print(sorted(hood.distances.values()))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["8 11", "[0, 1, 1, 1, 1, 1]"]


def test_open_store_uses_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(store="memory", data_dir=tmp_path)
    store = open_store(settings)
    story = build_story(store.model)
    store.upsert_nodes(story.nodes)
    store.close()
    again = open_store(settings)
    assert again.get_node(story.jia) == story.nodes[0]


def test_unchanged_store_is_not_rewritten(tmp_path: Path, model: GraphModel) -> None:
    path = tmp_path / "graph.pickle"
    store = MemoryStore(model, path)
    load_story(store)
    store.close()
    before = path.stat().st_mtime_ns
    MemoryStore(model, path).close()
    assert path.stat().st_mtime_ns == before


def test_foreign_file_is_refused(tmp_path: Path, model: GraphModel) -> None:
    path = tmp_path / "graph.pickle"
    path.write_bytes(b"\x80\x05N.")  # a pickled None
    with pytest.raises(ValueError, match="not a creditlink memory store"):
        MemoryStore(model, path)


def test_settings_refuse_unknown_store() -> None:
    with pytest.raises(ValueError, match="bolt:// or neo4j://"):
        Settings(store="postgres://x")
    assert Settings(store="neo4j+s://cluster.example:7687").uses_neo4j
