"""``creditlink entity / search / serve / api-key``: same documents as HTTP, exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from api.security import KeyRing, Role
from graph.example import load_story
from graph.model import load_model
from graph.stores.memory import MemoryStore
from tests.api.conftest import Api

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = MemoryStore(load_model(), tmp_path / "graph.pickle")
    load_story(store)
    store.close()
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    return tmp_path


def test_entity_json_is_the_http_document(data_dir: Path, api: Api) -> None:
    url_key = ("Person", "110101199003070011")
    result = runner.invoke(app, ["entity", *url_key, "--json"])
    assert result.exit_code == 0, result.output
    http = api.get(f"/v1/entities/{url_key[0]}/{url_key[1]}", role="admin").json()
    assert json.loads(result.stdout) == http


def test_search_json_is_the_http_document(data_dir: Path, api: Api) -> None:
    result = runner.invoke(app, ["search", "有限公司", "--kind", "Enterprise", "--json"])
    assert result.exit_code == 0, result.output
    http = api.get("/v1/entities", params={"q": "有限公司", "kind": "Enterprise"}).json()
    assert json.loads(result.stdout) == http


def test_human_output_and_exit_codes(data_dir: Path) -> None:
    shown = runner.invoke(app, ["entity", "Enterprise", "91110000600037341L"])
    assert shown.exit_code == 0 and "甲运输有限公司" in shown.stdout
    found = runner.invoke(app, ["search", "王军"])
    assert found.exit_code == 0 and "110101199003070011" in found.stdout
    assert runner.invoke(app, ["search", "Zyxwvut"]).exit_code == 1  # nothing found
    missing = runner.invoke(app, ["entity", "Person", "44011320141005001X"])
    assert missing.exit_code == 1
    bad = runner.invoke(app, ["entity", "Enterprise", "91110000600037341X"])
    assert bad.exit_code == 2  # usage: the identifier is wrong
    assert "bad check character" in bad.output
    assert runner.invoke(app, ["entity", "Planet", "x"]).exit_code == 2


def test_api_key_new_writes_a_loadable_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys.yaml"
    first = runner.invoke(
        app, ["api-key", "new", "--id", "ops", "--role", "admin", "--file", str(keys)]
    )
    assert first.exit_code == 0, first.output
    key = first.stdout.strip().splitlines()[-1]
    second = runner.invoke(
        app, ["api-key", "new", "--id", "bids", "--role", "reviewer", "--file", str(keys)]
    )
    assert second.exit_code == 0
    assert key not in keys.read_text()
    ring = KeyRing.load(keys, None)
    assert ring.authenticate(key).role is Role.ADMIN
    assert [e["id"] for e in yaml.safe_load(keys.read_text())["keys"]] == ["ops", "bids"]
    again = runner.invoke(
        app, ["api-key", "new", "--id", "ops", "--role", "public", "--file", str(keys)]
    )
    assert again.exit_code == 2  # ids are unique


def test_serve_refuses_workers_on_the_embedded_store(data_dir: Path) -> None:
    result = runner.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "one process" in result.output


def test_serve_refuses_a_bad_key_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITLINK_API_KEYS_FILE", str(data_dir / "absent.yaml"))
    assert runner.invoke(app, ["serve"]).exit_code == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_answers_over_http(data_dir: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CREDITLINK_DATA_DIR": str(data_dir), "CREDITLINK_STORE": "memory"}
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/entities?q=甲运输", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["results"][0]["entity"]["key"] == "91110000600037341L"
        assert (data_dir / "audit.jsonl").read_text().count("\n") == 1
    finally:
        server.terminate()
        server.wait(timeout=15)
