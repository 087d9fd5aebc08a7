"""The catalog and lifecycle commands, end to end on the embedded store (file-backed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.example import load_story
from graph.settings import Settings
from graph.stores import open_store

runner = CliRunner()
TRUCK = "Vehicle:吉A12345|2"
WANG = "Person:110101199003070011"
FILING = [
    "--subject", TRUCK, "--behaviour", "T-OVERLOAD", "--act-date", "2021-03-01",
    "--decision-date", "2021-04-01", "--decision-no", "吉交执〔2021〕9号",
    "--authority", "吉林省交通运输厅",
    "--evidence", "超限检测记录=W-1", "--evidence", "行政处罚决定书=P-1",
]  # fmt: skip


def _json(args: list[str], code: int = 0) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    store = open_store(Settings())  # the file-backed embedded store the commands open
    try:
        load_story(store)  # graph/example.py's story (not the demo's examples/story)
    finally:
        store.close()


def test_catalog_commands() -> None:
    summary = _json(["catalog", "validate"])
    assert summary["version"] == "transport-2026.1"
    assert summary["lists"]["sanction_measures"] == 9
    lists = _json(["catalog", "list", "--list", "honour_scope"])["lists"]
    assert [e["code"] for e in lists["honour_scope"]] == ["H-TRUST-MODEL"]
    assert lists["sanction_measures"] == []
    shown = _json(["catalog", "show", "S-OFFICE-BAN"])
    assert (shown["list"], shown["entry"]["term"]["default"]) == ("sanction_measures", "P3Y")
    assert runner.invoke(app, ["catalog", "show", "NOPE"]).exit_code != 0


def test_filing_and_lifecycle() -> None:
    refused = _json(["preview", *FILING[:3], "T-SPEEDING", *FILING[4:]], code=1)
    assert refused["allowed"] is False
    assert refused["refusals"][0]["code"] == "outside_catalog"
    outcome = _json(["decide", *FILING])
    assert outcome["written"] is True
    decision = outcome["decision"]["id"]
    assert _json(["decide", *FILING])["written"] is False
    [driver] = [a["subject"] for a in outcome["applications"] if a["role"] == "驾驶人"]
    driving = ["restrictions", ":".join(driver), "--as-of", "2021-05-01", "--action"]
    assert _json([*driving, "road_transport_operation"])["blocked"] is True
    assert _json([*driving, "bidding"])["blocked"] is False
    wang = _json(["restrictions", WANG, "--as-of", "2021-05-01"])
    assert [m["measure"] for m in wang["in_force"]] == ["S-OFFICE-BAN", "S-OVERLOAD-DRIVER"]
    change = _json(
        ["object", decision, "--received", "2021-05-06", "--by", "甲运输", "--reason", "r"]
    )
    assert change["status"] == "suspended"
    objection = change["objection"]["id"]
    decided = _json(
        ["objection-decision", objection, "--outcome", "rejected", "--on", "2021-05-20",
         "--by", "法规处"]
    )  # fmt: skip
    assert decided["decision"]["lifecycle"]["suspensions"][0]["end"] == "2021-05-20"
    seen = _json(["affected", decision, "--as-of", "2022-04-10"])
    assert {m["end"] for m in seen["measures"]} == {"2022-04-15", "2024-04-15"}
    late = _json(["overdue", "--as-of", "2021-06-01"])
    assert [i["kind"] for i in late["items"]] == ["publication"]
    past = _json(["history", WANG, "--as-of", "2021-06-01"])
    assert [e["action"] for e in past["events"]] == [
        "decision.file",
        "objection.file",
        "objection.rejected",
    ]
    app_id = seen["measures"][0]["application_id"]
    report = _json(
        ["feedback", decision, "--application", app_id, "--unit", "公路管理机构",
         "--status", "executed", "--on", "2021-04-08", "--by", "公路局"]
    )  # fmt: skip
    assert report["counts"] == {"executed": 1, "pending": 6, "refused": 0}
    repaired = runner.invoke(app, ["repair", decision, "--on", "2021-06-01", "--json"])
    assert repaired.exit_code == 1 and "precondition_failed" in repaired.stdout
