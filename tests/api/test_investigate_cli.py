"""``creditlink related / path / control / links / risk / clusters``: documents and exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.example import Story, load_story
from graph.model import load_model
from graph.stores.memory import MemoryStore
from queries.clusters import clusters
from queries.control import control
from queries.links import links
from queries.paths import paths
from queries.related import related
from queries.risk import risk

runner = CliRunner()
ON = date(2022, 1, 1)


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[MemoryStore, Story]:
    store = MemoryStore(load_model(), tmp_path / "graph.pickle")
    story = load_story(store)
    store.close()
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    return store, story


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_is_the_document_of_the_query_function(story: tuple[MemoryStore, Story]) -> None:
    store, s = story
    day = ["--as-of", ON.isoformat()]
    cases = [
        (["related", s.jia.key, "--hops", "2", *day], related(store, s.jia, hops=2, as_of=ON)),
        (["path", s.jia.key, s.yi.key, "--k", "2", *day], paths(store, s.jia, s.yi, k=2, as_of=ON)),
        (["control", s.yi.uid, *day], control(store, s.yi, as_of=ON)),
        (["control", s.li.key, "--reverse"], control(store, s.li, reverse=True)),
        (["links", s.jia.key, *day], links(store, s.jia, as_of=ON)),
        (["risk", s.jia.key, *day], risk(store, s.jia, as_of=ON)),
        (["clusters", *day], clusters(store, as_of=ON)),
        (["clusters", "--around", s.yi.key, *day], clusters(store, around=s.yi, as_of=ON)),
    ]
    for args, expected in cases:
        assert _json(args) == json.loads(expected.model_dump_json()), args


def test_options_reach_the_query(story: tuple[MemoryStore, Story]) -> None:
    _, s = story
    only = _json(["related", s.jia.key, "-t", "LEGAL_REP_OF", "--direction", "in"])
    assert [e["entity"]["name"] for e in only["entities"]] == ["王军", "李娜"]
    capped = _json(["related", s.jia.key, "--cap", "1", "--as-of", "2022-01-01"])
    assert capped["hubs"][0]["more"] == 3


def test_human_output_and_exit_codes(story: tuple[MemoryStore, Story]) -> None:
    _, s = story
    shown = runner.invoke(app, ["path", s.jia.key, s.yi.key, "--as-of", "2022-01-01"])
    assert shown.exit_code == 0
    assert "李娜 holds 60% of 乙物流有限公司 since 2018-01-01" in shown.stdout
    advisory = runner.invoke(app, ["risk", s.jia.key])
    assert advisory.exit_code == 0 and "目录外不得惩戒" in advisory.stdout
    for args in (["control", s.yi.key], ["links", s.jia.key], ["clusters"], ["related", s.li.key]):
        assert runner.invoke(app, args).exit_code == 0, args
    assert runner.invoke(app, ["related", "Enterprise:91220100MA0000001X"]).exit_code == 1
    assert runner.invoke(app, ["related", "not-a-key"]).exit_code == 2
    assert runner.invoke(app, ["related", s.jia.key, "--as-of", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["path", s.jia.key, s.jia.key]).exit_code == 2
