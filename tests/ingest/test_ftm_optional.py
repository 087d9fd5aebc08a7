"""FollowTheMoney support is an optional extra: without it, the rest works and FtM says why."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graph.model import load_model
from graph.stores.memory import MemoryStore
from ingest.ftm import InteropUnavailable, ftm_schemata, looks_like_ftm
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.sources import JsonlSource, open_source

CLUSTER = Path(__file__).parent.parent / "fixtures" / "ftm_cluster" / "cluster.ftm.json"


@pytest.fixture
def without_followthemoney(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import followthemoney` raise ImportError.
    for name in [m for m in sys.modules if m.split(".")[0] == "followthemoney"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "followthemoney", None)


@pytest.mark.usefixtures("without_followthemoney")
def test_ftm_says_which_extra_it_needs(tmp_path: Path) -> None:
    with pytest.raises(InteropUnavailable, match=r"followthemoney.*libicu-dev"):
        ftm_schemata()
    assert looks_like_ftm(CLUSTER)  # recognised by its shape, so reading it can say why
    store = MemoryStore(load_model())
    with pytest.raises(InteropUnavailable):
        ingest_paths([CLUSTER], store, IngestOptions(out_dir=tmp_path))
    assert store.counts().total_nodes == 0


@pytest.mark.usefixtures("without_followthemoney")
def test_other_json_lines_do_not_need_it(tmp_path: Path) -> None:
    plain = tmp_path / "enterprise.jsonl"
    plain.write_text('{"uscc": "91220101MA00000114", "name": "长春甲运输有限公司"}\n', "utf-8")
    assert isinstance(open_source(plain), JsonlSource)
    store = MemoryStore(load_model())
    options = IngestOptions(mapping="canonical:nodes/enterprise", out_dir=tmp_path)
    assert ingest_paths([plain], store, options).totals["loaded"] == 1
