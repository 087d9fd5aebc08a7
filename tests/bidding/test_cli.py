"""``creditlink bid-check | bid-receipt | bid-receipts``: documents, files and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.model import load_model
from graph.stores.memory import MemoryStore
from queries.bidding import check_bids
from queries.bidding_models import BidCheckResult
from tests.bidding.conftest import FixtureTender, file_ban, load_tender

runner = CliRunner()
LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "bidding_lists"


def _persisted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> FixtureTender:
    store = MemoryStore(load_model(), tmp_path / "graph.pickle")
    fixture = load_tender(store, name)
    if name == "bidding_planted":
        file_ban(store, fixture.case)
    store.close()
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    return fixture


def _tender_file(tmp_path: Path, fixture: FixtureTender) -> Path:
    path = tmp_path / "tender.json"
    path.write_text(fixture.tender.model_dump_json(), encoding="utf-8")
    return path


def test_findings_exit_1_and_json_is_the_http_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = _persisted(tmp_path, monkeypatch, "bidding_planted")
    html, picture = tmp_path / "report.html", tmp_path / "picture.html"
    result = runner.invoke(
        app,
        [
            "bid-check",
            str(_tender_file(tmp_path, fixture)),
            "--json",
            "--html",
            str(html),
            "--picture",
            str(picture),
        ],
    )
    assert result.exit_code == 1, result.output
    document = BidCheckResult.model_validate_json(result.stdout)
    assert document.checked_by.startswith("cli:")
    expected = check_bids(
        MemoryStore(load_model(), tmp_path / "graph.pickle"),
        fixture.tender,
        actor="x",
        record=False,
    )
    assert document.findings == expected.findings and document.bidders == expected.bidders
    assert document.check_id in html.read_text(encoding="utf-8")
    assert "vis-network" in picture.read_text(encoding="utf-8")
    shown = runner.invoke(app, ["bid-receipt", document.check_id])
    assert shown.exit_code == 0 and "verified" in shown.output
    receipt = json.loads(runner.invoke(app, ["bid-receipt", document.check_id, "--json"]).stdout)
    assert receipt["result_hash"] == document.result_hash and receipt["verified"] is True
    listed = json.loads(
        runner.invoke(app, ["bid-receipts", fixture.tender.project_code, "--json"]).stdout
    )
    assert [r["check_id"] for r in listed["receipts"]] == [document.check_id]


def test_clean_tender_exits_0_with_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = _persisted(tmp_path, monkeypatch, "bidding_clean")
    settings = tmp_path / "bidding.yaml"
    settings.write_text(
        yaml.safe_dump(fixture.config.model_dump(mode="json"), allow_unicode=True),
        encoding="utf-8",
    )
    args = ["bid-check", str(_tender_file(tmp_path, fixture)), "--config", str(settings)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "可以投标" in result.output
    # without the exclusion the shared registered address is flagged
    assert runner.invoke(app, args[:2]).exit_code == 1


def test_bid_lists_and_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _persisted(tmp_path, monkeypatch, "bidding_clean")
    listed = runner.invoke(
        app, ["bid-check", str(LISTS / "bid-list.csv"), "--lot", "A", "--no-record"]
    )
    assert listed.exit_code == 1 and "项目管理成员为同一人" in listed.output  # both name one PM
    several = runner.invoke(app, ["bid-check", str(LISTS / "bid-list.csv")])
    assert several.exit_code == 2 and "--lot" in several.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"project_code": "P", "bid_date": "2024-01-01", "bidders": []}')
    assert runner.invoke(app, ["bid-check", str(bad)]).exit_code == 2
    assert runner.invoke(app, ["bid-receipt", "bc-none"]).exit_code == 1
