"""``creditlink viz related | paths | affected | cluster``: files, documents, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.security import Role
from graph.model import load_model
from graph.settings import Settings
from graph.stores.memory import MemoryStore
from tests.api.conftest import KEYS, write_keys_file
from tests.viz.conftest import Browser
from tests.viz.network import Decided, load_decided_story
from viz.render import outside_references

runner = CliRunner()


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Decided:
    store = MemoryStore(load_model(), tmp_path / "graph.pickle")
    case = load_decided_story(store)
    store.close()
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    return case


def test_related_writes_an_offline_picture(saved: Decided, tmp_path: Path) -> None:
    out = tmp_path / "jia.html"
    result = runner.invoke(
        app, ["viz", "related", saved.story.jia.key, "--as-of", "2021-05-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "甲运输有限公司" in page and outside_references(page) == []
    assert "wrote" in result.stdout


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_json_is_the_http_document(saved: Decided, tmp_path: Path, role: Role) -> None:
    key = saved.story.jia.key
    result = runner.invoke(
        app, ["viz", "related", key, "--as-of", "2021-05-01", "--role", role.value, "--json"]
    )
    assert result.exit_code == 0, result.output
    store = MemoryStore(load_model(), tmp_path / "graph.pickle")
    settings = Settings(
        store="memory", data_dir=tmp_path, api_keys_file=write_keys_file(tmp_path / "keys.yaml")
    )
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, store=store)) as client:
        http = client.get(
            f"/v1/viz/related/Enterprise/{key}",
            params={"as_of": "2021-05-01", "format": "json"},
            headers={"X-API-Key": KEYS[role]},
        ).json()
    assert json.loads(result.stdout) == http


def test_paths_affected_cluster(saved: Decided, tmp_path: Path) -> None:
    story = saved.story
    for args in (
        ["paths", story.bing.key, story.yi.key, "--as-of", "2021-07-01"],
        ["affected", saved.decision_id, "--as-of", "2021-05-01"],
        ["cluster", story.jia.key, "--as-of", "2021-07-01"],
    ):
        out = tmp_path / f"{args[0]}.html"
        result = runner.invoke(app, ["viz", *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100_000  # vis-network is inside


def test_exit_codes(saved: Decided, tmp_path: Path) -> None:
    out = str(tmp_path / "x.html")
    assert runner.invoke(app, ["viz", "affected", "nope", "--out", out]).exit_code == 1
    assert runner.invoke(app, ["viz", "related", "Enterprise:nope", "--out", out]).exit_code == 1
    assert runner.invoke(app, ["viz", "related", "91110000600037341X", "--out", out]).exit_code == 2
    no_out = runner.invoke(app, ["viz", "related", saved.story.jia.key])
    assert no_out.exit_code == 2


@pytest.mark.slow
def test_png(saved: Decided, tmp_path: Path, browser: Browser) -> None:
    # ``browser`` makes this follow the browser tests' rule (skip locally, fail in CI).
    out = tmp_path / "jia.html"
    result = runner.invoke(
        app,
        [
            "viz",
            "related",
            saved.story.jia.key,
            "--out",
            str(out),
            "--png",
            "--width",
            "900",
            "--height",
            "600",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    only = tmp_path / "only.png"
    result = runner.invoke(app, ["viz", "related", saved.story.jia.key, "--out", str(only)])
    assert result.exit_code == 0, result.output
    assert only.read_bytes()[:4] == b"\x89PNG" and not only.with_suffix(".html").exists()
